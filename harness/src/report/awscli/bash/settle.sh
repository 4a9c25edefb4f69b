settle() { # after an IAM change: AWS takes a few seconds to apply it
  if [ "$IAM_SLEEP" -gt 0 ] && [ -z "$INTERRUPTED" ]; then sleep "$IAM_SLEEP"; fi
}
