//! IAM: users and roles with their inline policies. A created user gets an access key and a
//! profile of the script's; every IAM change is followed by a wait for AWS to apply it.

use super::quote::sq;
use super::setup::Helper;
use super::{doc_text, Call, Gen};
use serde_json::Value;
use xacct_model::scenario::{Op, Step};

/// The CLI call of an IAM operation.
pub(super) fn call(g: &mut Gen<'_>, st: &Step) -> Call {
    let mut call = match &st.op {
        Op::CreateUser { name, policy } => create_user(g, st, name, policy.as_ref()),
        Op::PutUserPolicy {
            user,
            policy_name,
            policy,
        } => put_policy(
            g,
            ["iam put-user-policy", "--user-name"],
            user,
            policy_name.as_deref(),
            policy,
        ),
        Op::CreateRole {
            name,
            trust_policy,
            policy,
        } => create_role(g, st, name, trust_policy, policy.as_ref()),
        Op::PutRolePolicy {
            role,
            policy_name,
            policy,
        } => put_policy(
            g,
            ["iam put-role-policy", "--role-name"],
            role,
            policy_name.as_deref(),
            policy,
        ),
        other => unreachable!("{} is not an IAM operation", other.name()),
    };
    call.settle = true;
    call
}

/// PutUserPolicy or PutRolePolicy (`[command, the flag naming the user or role]`): the
/// document through a heredoc, the policy named `inline` unless the step names it.
fn put_policy(
    g: &mut Gen<'_>,
    [command, flag]: [&str; 2],
    name: &str,
    policy_name: Option<&str>,
    policy: &Value,
) -> Call {
    g.doc("doc", &doc_text(policy));
    Call::quiet([
        command.into(),
        g.lit(flag, name),
        g.lit("--policy-name", policy_name.unwrap_or("inline")),
        "--policy-document \"$doc\"".into(),
    ])
}

/// CreateUser; once it succeeds: the clean-up's list, the inline policy, the user's profile.
fn create_user(g: &mut Gen<'_>, st: &Step, name: &str, policy: Option<&Value>) -> Call {
    let mut then = after_create(g, st, "user", name, policy);
    let made = g
        .principals
        .account_of(&st.as_)
        .and_then(|a| g.principals.made.get(&format!("{a}.{name}")));
    if let Some(m) = made {
        then.push(format!(
            "user_profile {} {} {} && {}=1",
            sq(&st.as_),
            sq(name),
            sq(&m.profile),
            m.ready
        ));
        g.uses(Helper::UserProfile);
    }
    let mut call = Call::quiet(["iam create-user".into(), g.lit("--user-name", name)]);
    call.after.extend(if_created(&then));
    call
}

/// CreateRole; once it succeeds: the clean-up's list and the inline policy.
fn create_role(
    g: &mut Gen<'_>,
    st: &Step,
    name: &str,
    trust_policy: &Value,
    policy: Option<&Value>,
) -> Call {
    g.doc("trust", &doc_text(trust_policy));
    let args = [
        "iam create-role".into(),
        g.lit("--role-name", name),
        "--assume-role-policy-document \"$trust\"".into(),
    ];
    let then = after_create(g, st, "role", name, policy);
    let mut call = Call::quiet(args);
    call.after.extend(if_created(&then));
    call
}

/// What follows a CreateUser or CreateRole (`kind`: `user` or `role`) once it succeeds: the
/// clean-up's list, then the inline policy the step carries.
fn after_create(
    g: &mut Gen<'_>,
    st: &Step,
    kind: &str,
    name: &str,
    policy: Option<&Value>,
) -> Vec<String> {
    let mut then = Vec::new();
    if let Some(a) = g.principals.account_of(&st.as_) {
        let list = kind.to_uppercase();
        then.push(format!("CLEAN_{list}S+=({a}:{})", sq(name)));
    }
    if let Some(p) = policy {
        // The document is written before the step, so the step reads as one block.
        g.doc("doc", &doc_text(p));
        g.uses(Helper::Aux);
        then.push(format!(
            "aux {} iam put-{kind}-policy {} --policy-name inline --policy-document \"$doc\"",
            sq(&st.as_),
            g.lit(&format!("--{kind}-name"), name)
        ));
    }
    then
}

/// The lines as one `if` block run when the step succeeded; nothing without lines.
fn if_created(then: &[String]) -> Option<String> {
    (!then.is_empty())
        .then(|| format!("if [ \"$LAST_RC\" = 0 ]; then\n  {}\nfi", then.join("\n  ")))
}
