aux() { # aux PRINCIPAL AWS-ARGS...: a call that is not a scenario step; reports only failures
  local who=$1
  shift
  [ -z "$INTERRUPTED" ] || return 1
  principal_args "$who" || { echo "      not run: aws $1 $2: $WHY"; return 1; }
  if ! aws "${WHO[@]}" "${COMMON[@]}" "$@" >"$WORK/aux.out" 2>"$WORK/aux.err"; then
    [ -n "$INTERRUPTED" ] || echo "      failed: aws $1 $2: $(grep -m 1 . "$WORK/aux.err")"
    return 1
  fi
}
