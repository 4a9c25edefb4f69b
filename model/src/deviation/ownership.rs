//! Deviations in Object Ownership ([R1]–[R8]): ACLs under BucketOwnerEnforced, the
//! bucket-owner-full-control transfer, the owner recorded for an upload, and buckets without
//! ownership controls at all.

use super::views::{caller, note};
use super::{Deviation, Inner, StepResult};
use crate::acl::GrantHeaders;
use crate::scenario::{Op, Step};
use crate::world::{ObjectOwnership, Owner, World};
use std::collections::BTreeMap;

/// Runs `step` with the step's bucket's ownership setting temporarily `during`, when it is
/// `when`; puts `when` back unless the step itself changed the setting.
fn with_ownership(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
    when: ObjectOwnership,
    during: ObjectOwnership,
) -> StepResult {
    let Some(bucket) = step.op.bucket().map(str::to_string) else {
        return inner(world, step);
    };
    match world.buckets.get_mut(&bucket) {
        Some(b) if b.ownership == Some(when) => b.ownership = Some(during),
        _ => return inner(world, step),
    }
    let r = inner(world, step);
    if let Some(b) = world.buckets.get_mut(&bucket) {
        if b.ownership == Some(during) {
            b.ownership = Some(when);
        }
    }
    r
}

/// Does the request carry an ACL other than bucket-owner-full-control (which BucketOwnerEnforced
/// accepts, [R3])?
fn carries_acl(op: &Op) -> bool {
    let some = |acl: &Option<String>, grants: &Option<GrantHeaders>| {
        acl.as_deref()
            .is_some_and(|a| a != "bucket-owner-full-control")
            || grants.as_ref().is_some_and(|g| !g.is_empty())
    };
    match op {
        Op::PutObject { acl, grants, .. }
        | Op::CopyObject { acl, grants, .. }
        | Op::CreateMultipartUpload { acl, grants, .. } => some(acl, grants),
        Op::PutObjectAcl {
            acl,
            grants,
            access_control_policy,
            ..
        }
        | Op::PutBucketAcl {
            acl,
            grants,
            access_control_policy,
            ..
        } => some(acl, grants) || access_control_policy.is_some(),
        _ => false,
    }
}

/// acls-under-enforced: requests carrying ACLs are accepted and applied on BucketOwnerEnforced
/// buckets, as if they were BucketOwnerPreferred ([R3], [R4] are the rules broken).
pub(super) fn acls_under_enforced(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    if !carries_acl(&step.op) {
        return inner(world, step);
    }
    with_ownership(
        inner,
        world,
        step,
        ObjectOwnership::BucketOwnerEnforced,
        ObjectOwnership::BucketOwnerPreferred,
    )
}

fn writes_object(op: &Op) -> bool {
    matches!(
        op,
        Op::PutObject { .. } | Op::CopyObject { .. } | Op::CreateMultipartUpload { .. }
    )
}

/// preferred-ignores-bofc: BucketOwnerPreferred writes behave as ObjectWriter, so
/// bucket-owner-full-control does not transfer ownership ([R2] is the rule broken).
pub(super) fn preferred_ignores_bofc(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    if !writes_object(&step.op) {
        return inner(world, step);
    }
    with_ownership(
        inner,
        world,
        step,
        ObjectOwnership::BucketOwnerPreferred,
        ObjectOwnership::ObjectWriter,
    )
}

/// enforced-keeps-uploader: under BucketOwnerEnforced the uploader is recorded and reported as
/// the object's owner ([R3], [R7a] are the rules broken).
pub(super) fn enforced_keeps_uploader(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let p = caller(world, step);
    let (mut outcome, ex) = inner(world, step)?;
    match &step.op {
        Op::PutObject { bucket, key, .. } | Op::CopyObject { bucket, key, .. }
            if outcome.allowed() =>
        {
            let writer = match p.as_ref().and_then(|p| p.account()) {
                Some(a) => Owner::Account(a.clone()),
                None => Owner::Anonymous,
            };
            if let Some(b) = world.buckets.get_mut(bucket) {
                if b.ownership == Some(ObjectOwnership::BucketOwnerEnforced) {
                    if let Some(o) = b.objects.get_mut(key) {
                        o.owner = writer;
                    }
                }
            }
        }
        Op::GetObjectAcl { bucket, key } if outcome.allowed() => {
            if let Some(o) = world.buckets.get(bucket).and_then(|b| b.objects.get(key)) {
                outcome.owner = Some(o.owner.name());
            }
        }
        _ => {}
    }
    Ok((outcome, ex))
}

/// ownership-controls-absent: buckets have no Object Ownership at all. Every request sees its
/// buckets without ownership controls, i.e. ACLs enabled and the writer owning what it writes
/// ([R8]), whatever CreateBucket or PutBucketOwnershipControls stored. Ceph RGW 16.2.15 has no
/// ownership controls (recorded: corpus/evidence/rgw/d03, d06, d11, d12, d14, s2-d02, s2-d03, s2-d05).
pub(super) fn controls_absent(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    let saved: BTreeMap<String, Option<ObjectOwnership>> = world
        .buckets
        .iter_mut()
        .map(|(name, b)| (name.clone(), b.ownership.take()))
        .collect();
    let (outcome, mut ex) = inner(world, step)?;
    let changed_by_step = outcome.allowed()
        && matches!(
            step.op,
            Op::PutBucketOwnershipControls { .. } | Op::DeleteBucketOwnershipControls { .. }
        );
    for (name, stored) in saved {
        if let Some(b) = world.buckets.get_mut(&name) {
            if b.ownership.is_none() && !(changed_by_step && step.op.bucket() == Some(&name)) {
                b.ownership = stored;
            }
        }
    }
    if step.op.bucket().is_some() {
        note(
            &mut ex,
            Deviation::OwnershipControlsAbsent.name(),
            "buckets have no ownership controls: ACLs are enabled, writers own their objects",
        );
    }
    Ok((outcome, ex))
}
