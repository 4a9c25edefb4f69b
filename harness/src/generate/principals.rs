//! The principals a bucket or trust policy names, in every form a `Principal` element takes: a
//! 12-digit account id, an account root ARN, an IAM user ARN, a role ARN, an assumed-role
//! session ARN, a canonical user id (`{"CanonicalUser": …}`) and `*`. Users, roles and sessions
//! are drawn from those the world has (a policy naming one that does not exist is refused), so
//! the forms that name them appear once the world has them.

use super::ACCOUNTS;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use serde_json::{json, Value};
use xacct_model::World;

/// The users, roles and role sessions of a world, as the ARNs a policy names them by.
#[derive(Debug, Clone, Default)]
pub(super) struct Names {
    /// `arn:aws:iam::${A}:user/NAME`: every account's users (`admin` always exists).
    users: Vec<String>,
    /// `arn:aws:iam::${A}:role/NAME`.
    roles: Vec<String>,
    /// `arn:aws:sts::${A}:assumed-role/ROLE/SESSION`.
    sessions: Vec<String>,
}

impl Names {
    pub(super) fn of(w: &World) -> Names {
        let mut n = Names::default();
        for a in w.accounts.values() {
            let id = format!("${{{}}}", a.name);
            n.users.extend(
                a.users
                    .keys()
                    .map(|u| format!("arn:aws:iam::{id}:user/{u}")),
            );
            n.roles.extend(
                a.roles
                    .keys()
                    .map(|r| format!("arn:aws:iam::{id}:role/{r}")),
            );
        }
        n.sessions.extend(w.sessions.values().map(|s| {
            format!(
                "arn:aws:sts::${{{}}}:assumed-role/{}/{}",
                s.account, s.role, s.session_name
            )
        }));
        n
    }
}

/// An account of the universe as `${A}`.
fn account() -> impl Strategy<Value = String> + Clone {
    select(ACCOUNTS.to_vec()).prop_map(|a| format!("${{{a}}}"))
}

/// `{"AWS": arn}` for one of `arns`, or `None` when the world has none.
fn aws_of(arns: &[String]) -> Option<BoxedStrategy<Value>> {
    (!arns.is_empty()).then(|| {
        select(arns.to_vec())
            .prop_map(|a| json!({ "AWS": a }))
            .boxed()
    })
}

/// A principal in one of its seven forms, weighted toward accounts (which decide cross-account
/// access) and the world's users.
pub(super) fn principal(n: &Names) -> BoxedStrategy<Value> {
    let mut forms: Vec<(u32, BoxedStrategy<Value>)> = vec![
        (3, account().prop_map(|a| json!({ "AWS": a })).boxed()),
        (
            3,
            account()
                .prop_map(|a| json!({ "AWS": format!("arn:aws:iam::{a}:root") }))
                .boxed(),
        ),
        (
            1,
            select(ACCOUNTS.to_vec())
                .prop_map(|a| json!({ "CanonicalUser": format!("${{{a}.canonical}}") }))
                .boxed(),
        ),
        (1, Just(json!("*")).boxed()),
    ];
    let named = [(3, &n.users), (2, &n.roles), (2, &n.sessions)];
    forms.extend(
        named
            .into_iter()
            .filter_map(|(w, arns)| aws_of(arns).map(|s| (w, s))),
    );
    Union::new_weighted(forms).boxed()
}

/// Which form a principal element takes (for tests and reports): `id`, `root`, `user`, `role`,
/// `session`, `canonical` or `*`.
#[cfg(test)]
pub(super) fn form(p: &Value) -> &'static str {
    let text = p.to_string();
    if p == &json!("*") {
        "*"
    } else if text.contains("CanonicalUser") {
        "canonical"
    } else if text.contains(":assumed-role/") {
        "session"
    } else if text.contains(":role/") {
        "role"
    } else if text.contains(":user/") {
        "user"
    } else if text.contains(":root") {
        "root"
    } else {
        "id"
    }
}
