# Private copies of the AWS CLI files: the profiles made below go there, not into yours.
cp "${AWS_CONFIG_FILE:-${HOME:-}/.aws/config}" "$WORK/config" 2>/dev/null || : >"$WORK/config"
cp "${AWS_SHARED_CREDENTIALS_FILE:-${HOME:-}/.aws/credentials}" "$WORK/credentials" 2>/dev/null || : >"$WORK/credentials"
chmod 600 "$WORK/config" "$WORK/credentials"
export AWS_CONFIG_FILE="$WORK/config" AWS_SHARED_CREDENTIALS_FILE="$WORK/credentials"

XACCT_BUCKET_PREFIX="${XACCT_BUCKET_PREFIX:-xacct-repro-$RANDOM-}"
BODY="$WORK/body"
printf xacct >"$BODY"
