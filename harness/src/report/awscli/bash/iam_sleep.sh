if [ -n "${XACCT_ENDPOINT_URL:-}" ]; then
  IAM_SLEEP="${XACCT_IAM_SLEEP:-0}"
else
  IAM_SLEEP="${XACCT_IAM_SLEEP:-10}"
fi
