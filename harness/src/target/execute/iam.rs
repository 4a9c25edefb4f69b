//! The IAM operations: PutUserPolicy, CreateRole (with its optional inline policy) and
//! PutRolePolicy, each remembered for clean-up when the target allows it. CreateUser is not
//! sent from here: every target provisions users its own way (`Target::step`).

use super::{allowed, may_have_made, misrouted, StepCx};
use crate::compare::Observed;
use serde_json::Value;
use xacct_model::scenario::Op;

/// The policy name of `create_role`'s policy and of policies a step does not name.
const INLINE: &str = "inline";

pub(super) async fn execute(cx: &mut StepCx<'_>, op: &Op) -> Observed {
    match op {
        Op::CreateUser { .. } => Observed::Unsupported {
            why: "create_user is carried out by the target's provisioning".into(),
        },
        Op::PutUserPolicy {
            user,
            policy_name,
            policy,
        } => put_user_policy(cx, user, policy_name.as_deref(), policy).await,
        Op::CreateRole {
            name,
            trust_policy,
            policy,
        } => create_role(cx, name, trust_policy, policy.as_ref()).await,
        Op::PutRolePolicy {
            role,
            policy_name,
            policy,
        } => put_role_policy(cx, role, policy_name.as_deref(), policy).await,
        other => misrouted(other, "IAM"),
    }
}

async fn put_user_policy(
    cx: &mut StepCx<'_>,
    user: &str,
    policy_name: Option<&str>,
    policy: &Value,
) -> Observed {
    let iam_user = cx
        .state
        .mapping
        .iam_user_name(cx.caller().unwrap_or_default(), user);
    let name = policy_name.unwrap_or(INLINE);
    let req = cx
        .clients
        .iam
        .put_user_policy()
        .user_name(iam_user)
        .policy_name(name)
        .policy_document(cx.policy_text(policy));
    let r = cx.answered(req.send().await, 200);
    if may_have_made(&r) {
        if let Some(a) = cx.caller.clone() {
            let entry = (a, user.to_string(), name.to_string());
            cx.state.created.user_policies.push(entry);
        }
    }
    r
}

/// CreateRole, then its inline policy (that answer is the step's when there is one).
async fn create_role(
    cx: &mut StepCx<'_>,
    name: &str,
    trust_policy: &Value,
    policy: Option<&Value>,
) -> Observed {
    let mut b = cx
        .clients
        .iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(cx.policy_text(trust_policy));
    let path = &cx.state.mapping.iam_path;
    if path != "/" && !path.is_empty() {
        b = b.path(path);
    }
    let r = cx.answered(b.send().await, 200);
    if !may_have_made(&r) {
        return r;
    }
    let (r, policies) = match policy {
        Some(p) if allowed(&r) => {
            let pr = send_role_policy(cx, name, INLINE, p).await;
            let names = if may_have_made(&pr) {
                vec![INLINE.to_string()]
            } else {
                vec![]
            };
            (pr, names)
        }
        _ => (r, vec![]),
    };
    if let Some(a) = cx.caller.clone() {
        let entry = (a, name.to_string(), policies);
        cx.state.created.roles.push(entry);
    }
    r
}

async fn put_role_policy(
    cx: &mut StepCx<'_>,
    role: &str,
    policy_name: Option<&str>,
    policy: &Value,
) -> Observed {
    let name = policy_name.unwrap_or(INLINE);
    let r = send_role_policy(cx, role, name, policy).await;
    if may_have_made(&r) {
        let caller = cx.caller.clone();
        let entry = cx
            .state
            .created
            .roles
            .iter_mut()
            .find(|(a, n, _)| Some(a) == caller.as_ref() && n == role);
        if let Some((_, _, policies)) = entry {
            policies.push(name.to_string());
        }
    }
    r
}

async fn send_role_policy(cx: &StepCx<'_>, role: &str, name: &str, policy: &Value) -> Observed {
    let req = cx
        .clients
        .iam
        .put_role_policy()
        .role_name(role)
        .policy_name(name)
        .policy_document(cx.policy_text(policy));
    cx.answered(req.send().await, 200)
}
