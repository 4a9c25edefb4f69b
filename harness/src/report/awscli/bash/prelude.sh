set -u
export AWS_PAGER="" AWS_DEFAULT_OUTPUT=json

die() { echo "xacct repro: $*" >&2; exit 2; }
command -v aws >/dev/null 2>&1 || die "the AWS CLI (aws) is not on PATH"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/xacct-repro.XXXXXX") || die "cannot make a temporary directory"
trap 'rm -rf "$WORK"' EXIT
INTERRUPTED=
trap 'INTERRUPTED=1; echo "interrupted: the remaining steps are not run; cleaning up" >&2' INT TERM
LAST_OUT="$WORK/out"
LAST_ERR="$WORK/err"
LAST_RC=1
MATCHED=0 DIFFERED=0 UNCHECKED=0 NOT_RUN=0
CLEAN_BUCKETS=() CLEAN_USERS=() CLEAN_ROLES=()

judge() { # judge EXPECTED GOT: "as expected" or "DIFFERS" ("-": nothing expected)
  local want=$1 got=$2 status code=
  if [ "$want" = - ]; then echo -; return; fi
  status=${want%% *}
  [ "$want" = "$status" ] || code=${want#* }
  case $status in
    2??) [ "$got" = ok ] ;;
    *) [ "$got" != ok ] && { [ -z "$code" ] || [ "$got" = "$code" ] || [ "$got" = "$status" ]; } ;;
  esac && echo "as expected" || echo DIFFERS
}

step() { # step NUMBER PRINCIPAL OP EXPECTED show|- AWS-ARGS...: one scenario step
  local n=$1 who=$2 op=$3 want=$4 show=$5 got verdict msg=
  shift 5
  LAST_RC=1
  : >"$LAST_OUT"; : >"$LAST_ERR"
  [ -z "$INTERRUPTED" ] || return 0
  if ! principal_args "$who"; then
    got="not run: $WHY"; verdict="NOT RUN"; NOT_RUN=$((NOT_RUN + 1))
  else
    aws "${WHO[@]}" "${COMMON[@]}" "$@" >"$LAST_OUT" 2>"$LAST_ERR"
    LAST_RC=$?
    if [ "$LAST_RC" -eq 0 ]; then
      got=ok
    else
      # The CLI reports "An error occurred (AccessDenied) when calling the ... operation: ...";
      # HeadObject's errors carry the status instead: "(403)".
      got=$(sed -n 's/.*An error occurred (\([^)]*\)).*/\1/p' "$LAST_ERR" | head -n 1)
      [ -n "$got" ] || got="exit $LAST_RC"
      msg=$(grep . "$LAST_ERR" | head -n 3)
    fi
    verdict=$(judge "$want" "$got")
    case $verdict in
      -) UNCHECKED=$((UNCHECKED + 1)) ;;
      DIFFERS) DIFFERED=$((DIFFERED + 1)) ;;
      *) MATCHED=$((MATCHED + 1)) ;;
    esac
  fi
  printf '%-5s %-12s %-32s expected %-20s got %-20s %s\n' "[$n]" "$who" "$op" "$want" "$got" "$verdict"
  [ -z "$msg" ] || printf '%s\n' "$msg" | sed 's/^/      /'
  if [ "$show" = show ] && [ "$LAST_RC" -eq 0 ]; then sed 's/^/      /' "$LAST_OUT"; fi
  return 0
}
