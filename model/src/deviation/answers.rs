//! Deviations in what successful calls answer: 200 where AWS answers 204 No Content
//! ([R30] and the PutBucketPolicy, DeleteBucketPolicy and DeletePublicAccessBlock API
//! references give 204).

use super::views::note;
use super::{Deviation, Inner, StepResult};
use crate::outcome::{Outcome, PabView};
use crate::scenario::{Op, Step};
use crate::world::World;

/// A 204 of a matching call becomes 200.
fn ok_200(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
    deviation: Deviation,
    applies: fn(&Op) -> bool,
) -> StepResult {
    let (mut outcome, mut ex) = inner(world, step)?;
    if applies(&step.op) && outcome.status == 204 {
        outcome.status = 200;
        note(&mut ex, deviation.name(), "answered 200 instead of 204");
    }
    Ok((outcome, ex))
}

/// delete-config-200: DeleteBucketPolicy and DeletePublicAccessBlock answer 200 (Ceph RGW
/// 16.2.15: corpus/evidence/rgw/d17; baselines/rgw.json, block-public-access step 10).
pub(super) fn delete_config_200(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    ok_200(inner, world, step, Deviation::DeleteConfig200, |op| {
        matches!(
            op,
            Op::DeleteBucketPolicy { .. } | Op::DeletePublicAccessBlock { .. }
        )
    })
}

/// put-bucket-policy-200: PutBucketPolicy answers 200 (moto 5.2.5: corpus/evidence/moto/d12).
pub(super) fn put_bucket_policy_200(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    ok_200(inner, world, step, Deviation::PutBucketPolicy200, |op| {
        matches!(op, Op::PutBucketPolicy { .. })
    })
}

/// pab-missing-answers-200: GetPublicAccessBlock of a bucket without a configuration answers
/// 200 with all four flags off, where AWS answers 404 NoSuchPublicAccessBlockConfiguration
/// ([R31]). Recorded on Ceph RGW 16.2.15 (baselines/rgw.json, block-public-access step 11:
/// the 200; the flags are not in the record, all four off is what an empty configuration
/// holds).
pub(super) fn pab_missing_answers_200(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let (outcome, mut ex) = inner(world, step)?;
    let missing = outcome.status == 404
        && outcome.code.as_deref() == Some("NoSuchPublicAccessBlockConfiguration");
    if !(matches!(step.op, Op::GetPublicAccessBlock { .. }) && missing) {
        return Ok((outcome, ex));
    }
    ex.deviate(
        Deviation::PabMissingAnswers200.name(),
        "no configuration: answered as one with all four flags off",
    );
    let off = PabView {
        block_public_acls: false,
        ignore_public_acls: false,
        block_public_policy: false,
        restrict_public_buckets: false,
    };
    Ok((
        Outcome {
            public_access_block: Some(off),
            ..Outcome::status(200)
        },
        ex,
    ))
}
