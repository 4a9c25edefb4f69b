//! Helpers the deviations share: who makes a request, and views of the world given to the
//! inner step function for one request and taken back afterwards.

use super::{Inner, StepResult};
use crate::outcome::{Because, Explanation};
use crate::policy::Policy;
use crate::principal::Principal;
use crate::scenario::Step;
use crate::world::World;
use std::collections::BTreeMap;

/// The requester, when the step names one the world knows.
pub(super) fn caller(world: &World, step: &Step) -> Option<Principal> {
    Principal::resolve(world, &step.as_).ok()
}

/// An explanation line naming the deviation, for a change that does not decide the answer.
pub(super) fn note(ex: &mut Explanation, deviation: &'static str, detail: impl Into<String>) {
    ex.lines.push(Because {
        rule: deviation,
        detail: detail.into(),
    });
}

/// Runs `step` on a world whose stored policies are kept the deviating way: rewritten before
/// the step and again after it, so a policy this very step stores is rewritten too.
pub(super) fn stored_as(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
    rewrite: impl Fn(&mut World),
) -> StepResult {
    rewrite(world);
    let r = inner(world, step);
    rewrite(world);
    r
}

pub(super) fn for_each_bucket_policy(world: &mut World, f: &dyn Fn(&mut Policy)) {
    for b in world.buckets.values_mut() {
        if let Some(p) = &mut b.policy {
            f(p);
        }
    }
}

/// Every policy the world holds: bucket, user, role (trust and permissions), session.
pub(super) fn for_each_policy(world: &mut World, f: &dyn Fn(&mut Policy)) {
    for_each_bucket_policy(world, f);
    for a in world.accounts.values_mut() {
        for u in a.users.values_mut() {
            u.policies.values_mut().for_each(f);
        }
        for r in a.roles.values_mut() {
            f(&mut r.trust);
            r.policies.values_mut().for_each(f);
        }
    }
    for s in world.sessions.values_mut() {
        if let Some(p) = &mut s.session_policy {
            f(p);
        }
    }
}

/// Runs `step` on a world whose bucket policies `view` rewrote for this request only. After
/// it, a policy the step left as viewed gets its stored form back; one the step stored or
/// deleted stays as the step left it.
pub(super) fn with_policy_view(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
    view: &dyn Fn(&mut Policy),
) -> StepResult {
    let mut saved: BTreeMap<String, (Policy, Policy)> = BTreeMap::new();
    for (name, b) in world.buckets.iter_mut() {
        if let Some(p) = &mut b.policy {
            let stored = p.clone();
            view(p);
            saved.insert(name.clone(), (stored, p.clone()));
        }
    }
    let r = inner(world, step);
    for (name, (stored, viewed)) in saved {
        if let Some(b) = world.buckets.get_mut(&name) {
            if b.policy.as_ref() == Some(&viewed) {
                b.policy = Some(stored);
            }
        }
    }
    r
}
