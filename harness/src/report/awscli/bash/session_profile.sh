session_profile() { # session_profile PROFILE: the credentials assume-role returned, as PROFILE
  local key secret token arn
  read -r key secret token arn <"$LAST_OUT"
  : >"$LAST_OUT"
  aws configure set aws_access_key_id "$key" --profile "$1"
  aws configure set aws_secret_access_key "$secret" --profile "$1"
  aws configure set aws_session_token "$token" --profile "$1"
  echo "      profile $1: session $arn"
}
