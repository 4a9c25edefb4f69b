ident=$(aws --profile "$PROFILE_{a}" "${COMMON[@]}" sts get-caller-identity --query '[Account,Arn]' --output text) \
  || die "account {a}: sts get-caller-identity failed with profile $PROFILE_{a}"
read -r ACCT_{a} arn <<<"$ident"
ADMIN_ARN_{a}="${XACCT_ADMIN_ARN_{a}:-$arn}"
CANON_{a}=$(aws --profile "$PROFILE_{a}" "${COMMON[@]}" s3api list-buckets --query Owner.ID --output text) \
  || die "account {a}: s3api list-buckets failed with profile $PROFILE_{a}"
echo "account {a}: id $ACCT_{a}, canonical id $CANON_{a}, admin $ADMIN_ARN_{a} (profile $PROFILE_{a})"
