XACCT_REGION="${XACCT_REGION:-us-east-1}"
COMMON=(--region "$XACCT_REGION")
if [ -n "${XACCT_ENDPOINT_URL:-}" ]; then
  COMMON+=(--endpoint-url "$XACCT_ENDPOINT_URL")
fi
