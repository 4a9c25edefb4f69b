//! Deviations in policy evaluation: Deny statements dropped or widened, Principal ignored,
//! negated conditions on absent keys, and what Block Public Access counts as public.

use super::views::{caller, for_each_bucket_policy, for_each_policy, stored_as, with_policy_view};
use super::{Deviation, Inner, StepResult};
use crate::outcome::{Explanation, Outcome};
use crate::policy::{BaseOp, Condition, Effect, Policy, PolicyKind, PrincipalElement};
use crate::principal::Principal;
use crate::rules;
use crate::scenario::{Op, Step};
use crate::world::World;

/// deny-ignored: explicit Deny statements are dropped from bucket policies when stored; the
/// document returned by GetBucketPolicy is the one sent.
pub(super) fn deny_ignored(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    stored_as(inner, world, step, |w| {
        for_each_bucket_policy(w, &|p| p.statements.retain(|s| s.effect != Effect::Deny))
    })
}

/// principal-ignored: every bucket-policy statement names the requester, for each request.
/// The stored document keeps its Principal, so a policy does not turn public and Block Public
/// Access's RestrictPublicBuckets does not hide the bug: it shows as over-permissive.
pub(super) fn principal_ignored(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    let Some(p) = caller(world, step) else {
        return inner(world, step);
    };
    let requester = naming(world, &p);
    with_policy_view(inner, world, step, &|pol| {
        for s in &mut pol.statements {
            s.principal = Some(requester.clone());
        }
    })
}

/// A Principal element naming exactly `p`: its own ARN; for anonymous callers, `*` (the only
/// element that matches them).
fn naming(world: &World, p: &Principal) -> PrincipalElement {
    match p.arn(world) {
        Some(arn) => PrincipalElement {
            aws: vec![arn],
            ..Default::default()
        },
        None => PrincipalElement {
            any: true,
            ..Default::default()
        },
    }
}

/// absent-key-false: a negated condition (StringNotEquals, ArnNotLike, NotIpAddress, …) on a
/// key absent from the request is false instead of true ([P-cond-absent] is the rule broken).
pub(super) fn absent_key_false(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    stored_as(inner, world, step, |w| {
        for_each_policy(w, &require_negated_keys)
    })
}

/// Adds `Null: {key: false}` beside every negated condition: the key must be present.
fn require_negated_keys(p: &mut Policy) {
    for s in &mut p.statements {
        let extra: Vec<Condition> = s
            .conditions
            .iter()
            .filter(|c| c.base.negated() && !c.if_exists && c.set.is_none())
            .filter(|c| {
                !s.conditions.iter().any(|o| {
                    o.base == BaseOp::Null
                        && o.key.eq_ignore_ascii_case(&c.key)
                        && o.values == ["false"]
                })
            })
            .map(|c| Condition {
                operator: "Null".into(),
                base: BaseOp::Null,
                set: None,
                if_exists: false,
                key: c.key.clone(),
                values: vec!["false".into()],
            })
            .collect();
        s.conditions.extend(extra);
    }
}

/// bpa-any-allow-public: under BlockPublicPolicy, PutBucketPolicy refuses every policy with an
/// Allow statement, whatever its Principal. Ceph RGW's `rgw::IAM::is_public`
/// (src/rgw/rgw_iam_policy.cc, `IsPublicStatement`) counts an Allow statement without a `*`
/// principal as public unless its NotPrincipal holds `*`; recorded on RGW 16.2.15
/// (corpus/evidence/rgw/d09).
pub(super) fn bpa_any_allow_public(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    let Op::PutBucketPolicy { bucket, policy } = &step.op else {
        return inner(world, step);
    };
    let stored = world.buckets.get(bucket).map(|b| b.policy.clone());
    let blocks = world
        .buckets
        .get(bucket)
        .and_then(|b| b.public_access_block)
        .is_some_and(|p| p.block_public_policy);
    let (outcome, mut ex) = inner(world, step)?;
    let public = Policy::parse(PolicyKind::Bucket, policy).is_ok_and(|p| rgw_public(&p));
    if !(blocks && outcome.allowed() && public) {
        return Ok((outcome, ex));
    }
    if let (Some(b), Some(stored)) = (world.buckets.get_mut(bucket), stored) {
        b.policy = stored;
    }
    ex.deviate(
        Deviation::BpaAnyAllowPublic.name(),
        "BlockPublicPolicy is on and the policy has an Allow statement, which counts as public",
    );
    Ok((Outcome::error(403, "AccessDenied"), ex))
}

/// RGW's `is_public`: an Allow statement with a `*` principal is public as AWS says (its
/// conditions may limit it); any other Allow statement is public unless its NotPrincipal
/// holds `*`.
fn rgw_public(p: &Policy) -> bool {
    p.statements.iter().enumerate().any(|(i, s)| {
        s.effect == Effect::Allow
            && match &s.principal {
                Some(e) if e.negated => !e.any,
                Some(e) if e.any => p.statement_is_public(i),
                _ => true,
            }
    })
}

/// deny-ignores-principal: a bucket-policy Deny statement refuses every requester of an object
/// call, whatever its Principal / NotPrincipal and Condition say, and its 403 carries no error
/// code; calls that name no object key ignore Deny statements ([R22] is the rule broken).
/// Recorded on moto 5.2.5 (corpus/evidence/moto/d07; baselines/moto.json seed-example4 steps 4-9,
/// bucket-policy-management step 8).
pub(super) fn deny_ignores_principal(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    if step.op.key().is_none() {
        return with_policy_view(inner, world, step, &|p| {
            p.statements.retain(|s| s.effect != Effect::Deny)
        });
    }
    let (mut outcome, mut ex) = with_policy_view(inner, world, step, &widen_denies)?;
    if outcome.status == 403 && refused_by_bucket_deny(&ex) {
        outcome.code = None;
        ex.deviate(
            Deviation::DenyIgnoresPrincipal.name(),
            "a bucket-policy Deny refuses the object call whoever asks; the 403 has no body",
        );
    }
    Ok((outcome, ex))
}

/// Was the request refused by an explicit Deny in the bucket policy (the bucket context of
/// `authorize::authorize_s3`, [R22] / [R23])?
fn refused_by_bucket_deny(ex: &Explanation) -> bool {
    let Some(rule) = ex.deciding_rule() else {
        return false;
    };
    (rule == rules::R22.id || rule == rules::R23.id)
        && ex
            .lines
            .iter()
            .rev()
            .find(|l| l.rule == rule)
            .is_some_and(|l| l.detail.starts_with("explicit Deny in bucket policy"))
}

/// Deny statements that apply to everyone, unconditionally.
fn widen_denies(p: &mut Policy) {
    for s in p.statements.iter_mut().filter(|s| s.effect == Effect::Deny) {
        s.principal = Some(PrincipalElement {
            any: true,
            ..Default::default()
        });
        s.conditions.clear();
    }
}

/// notprincipal-account-exempts: a NotPrincipal naming an account (its id or root ARN) exempts
/// every principal of that account; AWS exempts an IAM user or role session only when its own
/// ARN is listed too ([P-notprincipal] is the rule broken). Recorded on Ceph RGW 16.2.15
/// (corpus/evidence/rgw/s2-d06: an Allow with NotPrincipal naming the account no longer covers its
/// admin user).
pub(super) fn notprincipal_account_exempts(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let Some(p) = caller(world, step) else {
        return inner(world, step);
    };
    let (Some(arn), Some(id)) = (
        p.arn(world),
        p.account().map(|a| world.id_of(a).to_string()),
    ) else {
        return inner(world, step);
    };
    let root = format!("arn:aws:iam::{id}:root");
    with_policy_view(inner, world, step, &|pol| {
        for e in pol
            .statements
            .iter_mut()
            .filter_map(|s| s.principal.as_mut())
        {
            let listed = e.aws.iter().any(|v| *v == id || *v == root);
            if e.negated && listed && !e.aws.contains(&arn) {
                e.aws.push(arn.clone());
            }
        }
    })
}
