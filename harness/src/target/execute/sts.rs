//! The STS operation: AssumeRole. A granted session becomes a principal of its own (named by
//! the step's `as_name`), belonging to the role's account.

use super::{misrouted, StepCx};
use crate::compare::Observed;
use crate::target::answer::{from_error, success_status};
use crate::target::sdk::Creds;
use serde_json::Value;
use xacct_model::outcome::Outcome;
use xacct_model::scenario::Op;

pub(super) async fn execute(cx: &mut StepCx<'_>, op: &Op) -> Observed {
    match op {
        Op::AssumeRole {
            role_arn,
            session_name,
            session_policy,
            as_name,
        } => {
            let request = Request {
                role_arn,
                session_name,
                session_policy: session_policy.as_ref(),
            };
            assume_role(cx, &request, as_name).await
        }
        other => misrouted(other, "STS"),
    }
}

/// What an AssumeRole step asks for.
struct Request<'a> {
    role_arn: &'a str,
    session_name: &'a str,
    session_policy: Option<&'a Value>,
}

async fn assume_role(cx: &mut StepCx<'_>, request: &Request<'_>, as_name: &str) -> Observed {
    let role_arn = cx.rewrite(request.role_arn);
    let mut b = cx
        .clients
        .sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name(request.session_name);
    if let Some(p) = request.session_policy {
        b = b.policy(cx.policy_text(p));
    }
    let out = match b.send().await {
        Ok(out) => out,
        Err(e) => return from_error(e, false),
    };
    let status = success_status(&cx.clients, 200);
    let arn = out.assumed_role_user().map(|u| u.arn().to_string());
    if let Some(cr) = out.credentials() {
        let creds = Creds {
            access_key_id: cr.access_key_id().to_string(),
            secret_access_key: cr.secret_access_key().to_string(),
            session_token: Some(cr.session_token().to_string()),
        };
        cx.state.add_principal(as_name, &creds);
        // The session belongs to the role's account.
        if let Some(a) = role_account(cx, &role_arn) {
            cx.state.session_accounts.insert(as_name.to_string(), a);
        }
    }
    Observed::answer(Outcome {
        status,
        assumed_role_arn: arn.map(|a| cx.state.mapping.arn_to_model(&a)),
        ..Default::default()
    })
}

/// The scenario account whose id a (rewritten) role ARN names.
fn role_account(cx: &StepCx<'_>, role_arn: &str) -> Option<String> {
    let (id, _) = xacct_model::principal::parse_role_arn(role_arn)?;
    cx.state
        .mapping
        .accounts
        .iter()
        .find(|(_, a)| a.id == id)
        .map(|(n, _)| n.clone())
}
