//! Deviations around buckets: Block Public Access ([R31]–[R36]), the bucket namespace and the
//! re-creation of a bucket ([X-bucket-exists], [X-bucket-recreate-us-east-1]), and the
//! `x-amz-expected-bucket-owner` header ([R27]).

use super::views::{caller, note};
use super::{Deviation, Inner, StepResult};
use crate::outcome::Outcome;
use crate::scenario::{Op, Step};
use crate::world::World;
use std::collections::BTreeMap;

/// bpa-ignored: Block Public Access settings are stored and returned but never enforced
/// ([R31]–[R35] are the rules broken).
pub(super) fn bpa_ignored(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    if matches!(
        step.op,
        Op::PutPublicAccessBlock { .. }
            | Op::GetPublicAccessBlock { .. }
            | Op::DeletePublicAccessBlock { .. }
    ) {
        return inner(world, step);
    }
    let saved: BTreeMap<String, _> = world
        .buckets
        .iter_mut()
        .filter_map(|(n, b)| b.public_access_block.take().map(|p| (n.clone(), p)))
        .collect();
    let r = inner(world, step);
    for (n, p) in saved {
        if let Some(b) = world.buckets.get_mut(&n) {
            if b.public_access_block.is_none() {
                b.public_access_block = Some(p);
            }
        }
    }
    r
}

/// restrict-public-buckets-ignored: RestrictPublicBuckets is stored and returned but not
/// enforced: a public bucket policy grants outside the owner's account ([R35] is the rule
/// broken). Recorded on Ceph RGW 16.2.15 (baselines/rgw.json, block-public-access step 20).
pub(super) fn restrict_public_buckets_ignored(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    if matches!(
        step.op,
        Op::PutPublicAccessBlock { .. } | Op::GetPublicAccessBlock { .. }
    ) {
        return inner(world, step);
    }
    let saved: Vec<String> = world
        .buckets
        .iter_mut()
        .filter_map(|(n, b)| {
            let pab = b.public_access_block.as_mut()?;
            std::mem::replace(&mut pab.restrict_public_buckets, false).then(|| n.clone())
        })
        .collect();
    let r = inner(world, step);
    for n in saved {
        if let Some(pab) = world
            .buckets
            .get_mut(&n)
            .and_then(|b| b.public_access_block.as_mut())
        {
            pab.restrict_public_buckets = true;
        }
    }
    r
}

/// no-bpa-defaults: a new bucket gets no Block Public Access configuration, as before April
/// 2023, when AWS turned all four flags on for new buckets ([R31] is the rule changed). Only
/// buckets created from here on; CreateBucket's own check of a public ACL stays the model's.
/// Recorded on Ceph RGW 16.2.15 (corpus/evidence/rgw/d02, d04) and moto 5.2.5 (corpus/evidence/moto/d06).
pub(super) fn no_bpa_defaults(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    let Op::CreateBucket { bucket, .. } = &step.op else {
        return inner(world, step);
    };
    let new = !world.buckets.contains_key(bucket);
    let (outcome, mut ex) = inner(world, step)?;
    if new && outcome.allowed() {
        if let Some(b) = world.buckets.get_mut(bucket) {
            b.public_access_block = None;
            note(
                &mut ex,
                Deviation::NoBpaDefaults.name(),
                format!("{bucket} has no Block Public Access configuration"),
            );
        }
    }
    Ok((outcome, ex))
}

/// bucket-names-per-account: bucket names are per account, not global. CreateBucket of a name
/// another account holds succeeds, and from then on the name means the new bucket (the other
/// account's bucket is out of the scenario's reach). Ceph RGW 16.2.15 tenants each have their
/// own namespace; xacct addresses a name as the bucket of its latest creator (corpus/evidence/rgw/d01).
pub(super) fn names_per_account(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    let Op::CreateBucket { bucket, .. } = &step.op else {
        return inner(world, step);
    };
    let account = caller(world, step).and_then(|p| p.account().cloned());
    let held_by_other = world
        .buckets
        .get(bucket)
        .is_some_and(|b| account.as_ref().is_some_and(|a| *a != b.owner));
    if !held_by_other {
        return inner(world, step);
    }
    let Some(other) = world.buckets.remove(bucket) else {
        return inner(world, step);
    };
    let r = inner(world, step);
    match &r {
        Ok((o, _)) if o.allowed() => {}
        _ => {
            world.buckets.entry(bucket.clone()).or_insert(other);
            return r;
        }
    }
    r.map(|(o, mut ex)| {
        ex.deviate(
            Deviation::BucketNamesPerAccount.name(),
            format!(
                "{bucket} of account {} stays in its own namespace; the name is the new bucket now",
                other.owner
            ),
        );
        (o, ex)
    })
}

/// recreate-acl-conflict: re-creating a bucket one owns with an ACL other than its stored one
/// (private, when the request sets none) answers 409 BucketAlreadyExists and changes nothing;
/// with the same ACL it is the model's 200. Ceph RGW refuses to change a bucket's ACL through
/// CreateBucket ("don't allow changes to the acl policy", src/rgw/rgw_sal_rados.cc); recorded
/// on RGW 16.2.15 (corpus/evidence/rgw/d13; the plain re-create answered 200, corpus/evidence/rgw/d05 until
/// 7a1098d).
pub(super) fn recreate_acl_conflict(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let Op::CreateBucket { bucket, .. } = &step.op else {
        return inner(world, step);
    };
    let account = caller(world, step).and_then(|p| p.account().cloned());
    let stored = world
        .buckets
        .get(bucket)
        .filter(|b| Some(&b.owner) == account.as_ref())
        .map(|b| b.acl.clone());
    let (outcome, mut ex) = inner(world, step)?;
    let (Some(stored), Some(b)) = (stored, world.buckets.get_mut(bucket)) else {
        return Ok((outcome, ex));
    };
    if !outcome.allowed() || b.acl == stored {
        return Ok((outcome, ex));
    }
    b.acl = stored;
    ex.deviate(
        Deviation::RecreateAclConflict.name(),
        format!("{bucket} is the caller's, but its ACL differs from the one the request sets"),
    );
    Ok((Outcome::error(409, "BucketAlreadyExists"), ex))
}

/// expected-owner-ignored: the `x-amz-expected-bucket-owner` header is ignored, malformed or
/// naming another account ([R27] is the rule broken). Recorded on Ceph RGW 16.2.15 and moto
/// 5.2.5 (their baselines, bucket-policy-management steps 13 and 14).
pub(super) fn expected_owner_ignored(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    if step.expected_bucket_owner.is_none() {
        return inner(world, step);
    }
    let mut without = step.clone();
    without.expected_bucket_owner = None;
    inner(world, &without)
}
