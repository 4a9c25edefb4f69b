//! IAM and STS steps: users and roles made by an account's admin (with identity and trust
//! policies), inline policies put on them later, and role assumptions by the world's principals
//! (role sessions too: role chaining) — once a role exists.

use super::callers::principals;
use super::policies::{identity_policy, trust_policy};
use super::principals::Names;
use super::{step, ACCOUNTS, ROLES, SESSIONS, USERS};
use proptest::prelude::*;
use proptest::sample::select;
use xacct_model::scenario::{Op, Step};
use xacct_model::World;

pub(super) fn create_user() -> BoxedStrategy<Step> {
    (
        select(ACCOUNTS.to_vec()),
        select(USERS.to_vec()),
        prop::option::weighted(0.8, identity_policy()),
    )
        .prop_map(|(a, u, p)| {
            step(
                format!("{a}.admin"),
                Op::CreateUser {
                    name: u.into(),
                    policy: p,
                },
            )
        })
        .boxed()
}

pub(super) fn create_role(names: &Names) -> BoxedStrategy<Step> {
    (
        select(ACCOUNTS.to_vec()),
        select(ROLES.to_vec()),
        trust_policy(names),
        identity_policy(),
    )
        .prop_map(|(a, r, t, p)| {
            step(
                format!("{a}.admin"),
                Op::CreateRole {
                    name: r.into(),
                    trust_policy: t,
                    policy: Some(p),
                },
            )
        })
        .boxed()
}

/// The name of an inline policy: the default (which replaces the one CreateUser / CreateRole
/// put) or a second one.
fn policy_name() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(0.5, Just("extra".to_string()))
}

/// PutUserPolicy on a user of the universe by an account's admin (the user may not exist).
pub(super) fn put_user_policy() -> BoxedStrategy<Step> {
    (
        select(ACCOUNTS.to_vec()),
        select(USERS.to_vec()),
        policy_name(),
        identity_policy(),
    )
        .prop_map(|(a, u, n, p)| {
            step(
                format!("{a}.admin"),
                Op::PutUserPolicy {
                    user: u.into(),
                    policy_name: n,
                    policy: p,
                },
            )
        })
        .boxed()
}

/// PutRolePolicy on a role of the universe by an account's admin (the role may not exist).
pub(super) fn put_role_policy() -> BoxedStrategy<Step> {
    (
        select(ACCOUNTS.to_vec()),
        select(ROLES.to_vec()),
        policy_name(),
        identity_policy(),
    )
        .prop_map(|(a, r, n, p)| {
            step(
                format!("{a}.admin"),
                Op::PutRolePolicy {
                    role: r.into(),
                    policy_name: n,
                    policy: p,
                },
            )
        })
        .boxed()
}

/// AssumeRole of an existing role by a principal of the world (not anonymous; a session
/// chains); `None` while there is no role.
pub(super) fn assume_role(w: &World) -> Option<BoxedStrategy<Step>> {
    let roles: Vec<String> = w
        .accounts
        .values()
        .flat_map(|a| {
            a.roles
                .keys()
                .map(move |r| format!("arn:aws:iam::${{{}}}:role/{r}", a.name))
        })
        .collect();
    if roles.is_empty() {
        return None;
    }
    let assume = (
        select(principals(w)),
        select(roles),
        select(SESSIONS.to_vec()),
        prop::option::weighted(0.2, identity_policy()),
    )
        .prop_map(|(who, arn, s, sp)| {
            step(
                who,
                Op::AssumeRole {
                    role_arn: arn,
                    session_name: format!("xacct-{s}"),
                    session_policy: sp,
                    as_name: s.into(),
                },
            )
        });
    Some(assume.boxed())
}
