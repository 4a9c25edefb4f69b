XACCT_REGION="${XACCT_REGION:-us-east-1}"
COMMON=(--region "$XACCT_REGION")
if [ -n "${XACCT_ENDPOINT_URL:-}" ]; then
  COMMON+=(--endpoint-url "$XACCT_ENDPOINT_URL")
  IAM_SLEEP="${XACCT_IAM_SLEEP:-0}"
else
  IAM_SLEEP="${XACCT_IAM_SLEEP:-10}"
fi
CBC=()
if [ "$XACCT_REGION" != us-east-1 ]; then
  CBC=(--create-bucket-configuration "LocationConstraint=$XACCT_REGION")
fi
