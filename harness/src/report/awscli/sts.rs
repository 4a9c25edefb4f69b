//! STS: AssumeRole. The session's credentials become a profile of the script's, which the
//! steps run as the session (its `as_name`) use.

use super::quote::sq;
use super::setup::Helper;
use super::{doc_text, Call, Gen};
use xacct_model::scenario::Op;

/// The CLI call of an STS operation.
pub(super) fn call(g: &mut Gen<'_>, op: &Op) -> Call {
    match op {
        Op::AssumeRole {
            role_arn,
            session_name,
            session_policy,
            as_name,
        } => {
            let mut args = vec![
                "sts assume-role".into(),
                g.tpl("--role-arn", role_arn),
                g.lit("--role-session-name", session_name),
            ];
            if let Some(p) = session_policy {
                g.doc("doc", &doc_text(p));
                args.push("--policy \"$doc\"".into());
            }
            args.push(
                "--query '[Credentials.AccessKeyId,Credentials.SecretAccessKey,Credentials.SessionToken,AssumedRoleUser.Arn]' --output text"
                    .into(),
            );
            let mut call = Call::quiet(args);
            if let Some(m) = g.principals.made.get(as_name) {
                let line = format!(
                    "[ \"$LAST_RC\" = 0 ] && session_profile {} && {}=1",
                    sq(&m.profile),
                    m.ready
                );
                g.uses(Helper::SessionProfile);
                call.after.push(line);
            }
            call
        }
        other => unreachable!("{} is not an STS operation", other.name()),
    }
}
