CBC=()
if [ "$XACCT_REGION" != us-east-1 ]; then
  CBC=(--create-bucket-configuration "LocationConstraint=$XACCT_REGION")
fi
