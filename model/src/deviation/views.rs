//! Helpers the deviations share: who makes a request, and views of the world given to the
//! inner step function for one request and taken back afterwards.

use super::{Inner, StepResult};
use crate::acl::{Acl, Grant};
use crate::outcome::{Because, Explanation};
use crate::policy::{BaseOp, Condition, Policy, PolicyKind, Statement};
use crate::principal::Principal;
use crate::scenario::{Op, Step};
use crate::world::{AccountName, World};
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

/// Where a policy is kept in the world, to put its stored form back after a view.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PolicyAt {
    Bucket(String),
    User(AccountName, String, String),
    Trust(AccountName, String),
    Role(AccountName, String, String),
    Session(String),
}

/// Every policy the world holds, with its place and kind.
fn policies_mut(world: &mut World) -> Vec<(PolicyAt, PolicyKind, &mut Policy)> {
    let mut out = Vec::new();
    for (name, b) in world.buckets.iter_mut() {
        if let Some(p) = &mut b.policy {
            out.push((PolicyAt::Bucket(name.clone()), PolicyKind::Bucket, p));
        }
    }
    for (an, a) in world.accounts.iter_mut() {
        for (un, u) in a.users.iter_mut() {
            for (pn, p) in u.policies.iter_mut() {
                let at = PolicyAt::User(an.clone(), un.clone(), pn.clone());
                out.push((at, PolicyKind::Identity, p));
            }
        }
        for (rn, r) in a.roles.iter_mut() {
            let at = PolicyAt::Trust(an.clone(), rn.clone());
            out.push((at, PolicyKind::Trust, &mut r.trust));
            for (pn, p) in r.policies.iter_mut() {
                let at = PolicyAt::Role(an.clone(), rn.clone(), pn.clone());
                out.push((at, PolicyKind::Identity, p));
            }
        }
    }
    for (sn, s) in world.sessions.iter_mut() {
        if let Some(p) = &mut s.session_policy {
            out.push((PolicyAt::Session(sn.clone()), PolicyKind::Session, p));
        }
    }
    out
}

fn policy_at<'w>(world: &'w mut World, at: &PolicyAt) -> Option<&'w mut Policy> {
    match at {
        PolicyAt::Bucket(b) => world.buckets.get_mut(b)?.policy.as_mut(),
        PolicyAt::User(a, u, p) => world
            .accounts
            .get_mut(a)?
            .users
            .get_mut(u)?
            .policies
            .get_mut(p),
        PolicyAt::Trust(a, r) => Some(&mut world.accounts.get_mut(a)?.roles.get_mut(r)?.trust),
        PolicyAt::Role(a, r, p) => world
            .accounts
            .get_mut(a)?
            .roles
            .get_mut(r)?
            .policies
            .get_mut(p),
        PolicyAt::Session(s) => world.sessions.get_mut(s)?.session_policy.as_mut(),
    }
}

/// Runs `step` on a world whose policies of every kind `view` rewrote for this request only
/// (it is told each policy's kind). After it, a policy the step left as viewed gets its stored
/// form back; one the step stored or deleted stays as the step left it.
pub(super) fn with_policies_view(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
    view: &dyn Fn(PolicyKind, &mut Policy),
) -> StepResult {
    let mut saved: Vec<(PolicyAt, Policy, Policy)> = Vec::new();
    for (at, kind, p) in policies_mut(world) {
        let stored = p.clone();
        view(kind, p);
        if *p != stored {
            saved.push((at, stored, p.clone()));
        }
    }
    let r = inner(world, step);
    for (at, stored, viewed) in saved {
        if let Some(p) = policy_at(world, &at) {
            if *p == viewed {
                *p = stored;
            }
        }
    }
    r
}

/// The key of the condition that makes a statement never apply: no request carries it.
pub(super) const NEVER_KEY: &str = "xacct:deviation-never-applies";

/// A condition that never holds (`Null` with no value to satisfy), and that does not limit
/// who the statement is for, so it leaves the statement's publicness as it was ([R36]).
fn never() -> Condition {
    Condition {
        operator: "Null".into(),
        base: BaseOp::Null,
        set: None,
        if_exists: false,
        key: NEVER_KEY.into(),
        values: Vec::new(),
    }
}

/// Is this the condition [`never_applies`] adds?
pub(super) fn is_never(c: &Condition) -> bool {
    c.key == NEVER_KEY && c.values.is_empty()
}

/// Makes a statement never apply to any request, keeping its elements as they are.
pub(super) fn never_applies(s: &mut Statement) {
    if !s.conditions.iter().any(is_never) {
        s.conditions.push(never());
    }
}

/// Runs `step` with the ACLs of buckets and objects as `keep` filters their grants, for
/// authorization only: a Put*Acl the step makes stays as stored, an ACL the step left as viewed
/// gets its grants back, and Get*Acl shows the stored ACL when the view lets it through.
pub(super) fn with_acl_view(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
    keep: &dyn Fn(AclOf, &Acl, &Grant) -> bool,
) -> StepResult {
    let mut saved: Vec<(String, Option<String>, Acl, Acl)> = Vec::new();
    let mut view = |bucket: &str, key: Option<&str>, of: AclOf, acl: &mut Acl| {
        let stored = acl.clone();
        acl.grants.retain(|g| keep(of, &stored, g));
        if *acl != stored {
            saved.push((
                bucket.to_string(),
                key.map(str::to_string),
                stored,
                acl.clone(),
            ));
        }
    };
    for (name, b) in world.buckets.iter_mut() {
        view(name, None, AclOf::Bucket, &mut b.acl);
        for (key, o) in b.objects.iter_mut() {
            view(name, Some(key), AclOf::Object, &mut o.acl);
        }
    }
    let (outcome, ex) = inner(world, step)?;
    let viewed_any = !saved.is_empty();
    for (bucket, key, stored, viewed) in saved {
        let Some(b) = world.buckets.get_mut(&bucket) else {
            continue;
        };
        let acl = match key {
            None => Some(&mut b.acl),
            Some(k) => b.objects.get_mut(&k).map(|o| &mut o.acl),
        };
        if let Some(acl) = acl.filter(|a| **a == viewed) {
            *acl = stored;
        }
    }
    // Get*Acl changes nothing: asked again of the stored ACLs, it shows them.
    let shows_acl = matches!(step.op, Op::GetBucketAcl { .. } | Op::GetObjectAcl { .. });
    if viewed_any && shows_acl && outcome.allowed() {
        if let Ok((shown, _)) = inner(world, step) {
            if shown.allowed() {
                return Ok((shown, ex));
            }
        }
    }
    Ok((outcome, ex))
}

/// Which kind of ACL a grant is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AclOf {
    Bucket,
    Object,
}
