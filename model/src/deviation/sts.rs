//! Deviations in STS and role sessions ([R37]–[R41]): the trust policy, the caller's identity
//! policy, who a session acts as, its session policy, and the buckets it can reach.

use super::objects::with_identity_allow;
use super::views::caller;
use super::{Deviation, Inner, StepResult};
use crate::outcome::{Explanation, Outcome};
use crate::policy::{Policy, PolicyKind};
use crate::principal::{parse_role_arn, Principal};
use crate::scenario::{Op, Step};
use crate::world::{AccountName, World};

/// The account and name of the role an AssumeRole step names.
fn assumed_role(world: &World, step: &Step) -> Option<(AccountName, String)> {
    let Op::AssumeRole { role_arn, .. } = &step.op else {
        return None;
    };
    let (id, name) = parse_role_arn(role_arn)?;
    let account = world.account_by_id(id)?;
    account
        .roles
        .contains_key(name)
        .then(|| (account.name.clone(), name.to_string()))
}

fn trust_everyone() -> Option<Policy> {
    Policy::parse(
        PolicyKind::Trust,
        &serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]
        }),
    )
    .ok()
}

/// trust-unchecked: AssumeRole across accounts does not check the role's trust policy, only the
/// caller's identity policy ([R37], [R39] are the rules broken).
pub(super) fn trust_unchecked(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    let (Some(p), Some((account, role)), Some(trust_all)) = (
        caller(world, step),
        assumed_role(world, step),
        trust_everyone(),
    ) else {
        return inner(world, step);
    };
    if p.account() == Some(&account) || p.account().is_none() {
        return inner(world, step);
    }
    let slot = world
        .accounts
        .get_mut(&account)
        .and_then(|a| a.roles.get_mut(&role))
        .map(|r| std::mem::replace(&mut r.trust, trust_all));
    let r = inner(world, step);
    if let (Some(saved), Some(r)) = (
        slot,
        world
            .accounts
            .get_mut(&account)
            .and_then(|a| a.roles.get_mut(&role)),
    ) {
        r.trust = saved;
    }
    r
}

/// assume-ignores-identity: AssumeRole checks only the trust policy, never the caller's identity
/// policy ([R38], [R39] are the rules broken).
pub(super) fn assume_ignores_identity(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    match (caller(world, step), &step.op) {
        (Some(p), Op::AssumeRole { .. }) => {
            with_identity_allow(inner, world, step, &p, "sts:AssumeRole")
        }
        _ => inner(world, step),
    }
}

/// The scenario name a request by `name` acts as under session-inherits-caller: a session's
/// source, followed through chained sessions; any other name unchanged.
pub(super) fn acting_name(world: &World, name: &str) -> String {
    let mut name = name.to_string();
    // Each hop goes to the session that assumed this one; a chain is at most as long as the
    // world has sessions (a guard against a cycle, which AssumeRole cannot make).
    for _ in 0..=world.sessions.len() {
        match world.sessions.get(&name) {
            Some(s) => name = s.source.clone(),
            None => break,
        }
    }
    name
}

/// session-inherits-caller: a role session acts with the permissions and identity of the
/// principal that assumed the role, not the role's ([R40], [R41] are the rules broken).
pub(super) fn session_inherits_caller(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let acting = acting_name(world, &step.as_);
    if acting == step.as_ {
        return inner(world, step);
    }
    let mut as_source = step.clone();
    as_source.as_ = acting;
    inner(world, &as_source)
}

/// session-policy-ignored: a role session has its role's permissions whatever its session
/// policy says ([R40] is the rule broken). Recorded on moto 5.2.5 (baselines/moto.json,
/// assume-role step 19, grants-and-sessions step 18).
pub(super) fn session_policy_ignored(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let Some(Principal::Session { as_name, .. }) = caller(world, step) else {
        return inner(world, step);
    };
    let Some(saved) = world
        .sessions
        .get_mut(&as_name)
        .and_then(|s| s.session_policy.take())
    else {
        return inner(world, step);
    };
    let r = inner(world, step);
    if let Some(s) = world.sessions.get_mut(&as_name) {
        s.session_policy.get_or_insert(saved);
    }
    r
}

/// session-foreign-bucket-404: a role session cannot reach a bucket of another account: every
/// call it makes on one answers 404 NoSuchBucket. On Ceph RGW 16.2.15 a session's request for
/// `tenant:bucket` of another tenant is not found (corpus/evidence/rgw/d16).
pub(super) fn session_foreign_bucket_404(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let Some(Principal::Session { account, .. }) = caller(world, step) else {
        return inner(world, step);
    };
    let foreign = step
        .op
        .bucket()
        .and_then(|b| world.buckets.get(b))
        .is_some_and(|b| b.owner != account);
    if !foreign || matches!(step.op, Op::CreateBucket { .. }) {
        return inner(world, step);
    }
    let mut ex = Explanation::default();
    ex.deviate(
        Deviation::SessionForeignBucket404.name(),
        format!("a session of account {account} cannot address another account's bucket"),
    );
    let outcome = match step.op {
        Op::HeadObject { .. } | Op::HeadBucket { .. } => Outcome::status(404),
        _ => Outcome::error(404, "NoSuchBucket"),
    };
    Ok((outcome, ex))
}
