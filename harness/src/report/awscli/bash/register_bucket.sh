register_bucket() { # register_bucket ACCOUNT:BUCKET after create-bucket: delete it at the end
  # unless it was there before. (Some S3-compatible servers create the bucket even when they
  # answer with an error, so a failed create is registered too.)
  if [ "$LAST_RC" = 0 ] || { [ -s "$LAST_ERR" ] \
    && ! grep -q -e BucketAlreadyOwnedByYou -e BucketAlreadyExists "$LAST_ERR"; }; then
    CLEAN_BUCKETS+=("$1")
  fi
}
