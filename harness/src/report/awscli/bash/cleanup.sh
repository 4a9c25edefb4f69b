echo
echo "$MATCHED steps as expected, $DIFFERED different, $NOT_RUN not run, $UNCHECKED without expectation"
RESULT=0
[ "$DIFFERED" -eq 0 ] && [ "$NOT_RUN" -eq 0 ] || RESULT=1
if [ -n "$INTERRUPTED" ]; then
  echo "interrupted: the steps after the last one shown were not run"
  RESULT=1
fi

# clean-up: everything this script created
INTERRUPTED=
admin_of() { local v="PROFILE_$1"; WHO=(--profile "${!v}"); }
if [ "${XACCT_KEEP:-}" = 1 ]; then
  echo "XACCT_KEEP=1: nothing deleted (buckets ${CLEAN_BUCKETS[*]-}; users ${CLEAN_USERS[*]-}; roles ${CLEAN_ROLES[*]-})"
else
  echo "clean-up"
  for e in ${CLEAN_BUCKETS[@]+"${CLEAN_BUCKETS[@]}"}; do
    admin_of "${e%%:*}"
    b=${e#*:}
    aws "${WHO[@]}" "${COMMON[@]}" s3 rm "s3://$b" --recursive >/dev/null 2>&1 || true
    if ! err=$(aws "${WHO[@]}" "${COMMON[@]}" s3api delete-bucket --bucket "$b" 2>&1 >/dev/null); then
      case $err in
        *NoSuchBucket*) ;; # never created, or deleted by a step
        *) echo "  left behind: bucket $b (account ${e%%:*}): $(printf '%s' "$err" | grep -m 1 .)" ;;
      esac
    fi
  done
  for e in ${CLEAN_USERS[@]+"${CLEAN_USERS[@]}"}; do
    admin_of "${e%%:*}"
    u=${e#*:}
    for k in $(aws "${WHO[@]}" "${COMMON[@]}" iam list-access-keys --user-name "$u" \
      --query 'AccessKeyMetadata[].AccessKeyId' --output text 2>/dev/null); do
      [ "$k" = None ] || aws "${WHO[@]}" "${COMMON[@]}" iam delete-access-key --user-name "$u" --access-key-id "$k" >/dev/null 2>&1 || true
    done
    for p in $(aws "${WHO[@]}" "${COMMON[@]}" iam list-user-policies --user-name "$u" \
      --query 'PolicyNames[]' --output text 2>/dev/null); do
      [ "$p" = None ] || aws "${WHO[@]}" "${COMMON[@]}" iam delete-user-policy --user-name "$u" --policy-name "$p" >/dev/null 2>&1 || true
    done
    aws "${WHO[@]}" "${COMMON[@]}" iam delete-user --user-name "$u" >/dev/null 2>&1 \
      || echo "  left behind: user $u (account ${e%%:*})"
  done
  for e in ${CLEAN_ROLES[@]+"${CLEAN_ROLES[@]}"}; do
    admin_of "${e%%:*}"
    r=${e#*:}
    for p in $(aws "${WHO[@]}" "${COMMON[@]}" iam list-role-policies --role-name "$r" \
      --query 'PolicyNames[]' --output text 2>/dev/null); do
      [ "$p" = None ] || aws "${WHO[@]}" "${COMMON[@]}" iam delete-role-policy --role-name "$r" --policy-name "$p" >/dev/null 2>&1 || true
    done
    aws "${WHO[@]}" "${COMMON[@]}" iam delete-role --role-name "$r" >/dev/null 2>&1 \
      || echo "  left behind: role $r (account ${e%%:*})"
  done
fi
exit "$RESULT"
