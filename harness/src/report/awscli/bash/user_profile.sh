user_profile() { # user_profile CREATOR USER PROFILE: an access key of USER, as PROFILE
  local creator=$1 user=$2 profile=$3 key secret
  aux "$creator" iam create-access-key --user-name "$user" \
    --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text || return 1
  read -r key secret <"$WORK/aux.out"
  aws configure set aws_access_key_id "$key" --profile "$profile"
  aws configure set aws_secret_access_key "$secret" --profile "$profile"
  echo "      profile $profile: user $user, access key $key"
  [ "$IAM_SLEEP" -gt 0 ] || return 0
  # A new access key takes a few seconds to work on AWS.
  for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
    aws --profile "$profile" "${COMMON[@]}" sts get-caller-identity >/dev/null 2>&1 && return 0
    [ -z "$INTERRUPTED" ] || return 1
    sleep 2
  done
  echo "      the access key of $user did not work within 30 s; going on"
}
