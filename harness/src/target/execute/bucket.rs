//! The bucket operations: CreateBucket (its LocationConstraint from the step or the run's
//! Region; remembered for clean-up when the target allows it), DeleteBucket (forgotten when
//! allowed), HeadBucket and ListBuckets (which shows only this run's buckets).

use super::acl::{with_acl, with_write_grant, AclHeaders};
use super::{allowed, may_have_made, misrouted, s3_bucket_request, StepCx};
use crate::compare::Observed;
use aws_sdk_s3::types as s3t;
use xacct_model::outcome::Outcome;
use xacct_model::region::sent_constraint;
use xacct_model::scenario::Op;

pub(super) async fn execute(cx: &mut StepCx<'_>, op: &Op) -> Observed {
    match op {
        Op::CreateBucket {
            bucket,
            object_ownership,
            acl,
            grants,
            location_constraint,
        } => {
            let headers = AclHeaders::new(acl, grants);
            let region = cx.state.region();
            let location = sent_constraint(location_constraint, &region);
            let config = location.map(|l| {
                s3t::CreateBucketConfiguration::builder()
                    .location_constraint(s3t::BucketLocationConstraint::from(l))
                    .build()
            });
            create_bucket(cx, bucket, object_ownership.as_deref(), headers, config).await
        }
        Op::DeleteBucket { bucket } => delete_bucket(cx, bucket).await,
        Op::ListBuckets {} => list_buckets(cx).await,
        Op::HeadBucket { bucket } => head_bucket(cx, bucket).await,
        other => misrouted(other, "bucket"),
    }
}

async fn create_bucket(
    cx: &mut StepCx<'_>,
    bucket: &str,
    object_ownership: Option<&str>,
    headers: AclHeaders<'_>,
    config: Option<s3t::CreateBucketConfiguration>,
) -> Observed {
    let real = cx.state.mapping.real_bucket(bucket);
    let mut b = cx.clients.s3.create_bucket().bucket(&real);
    // None in us-east-1 unless the step says otherwise: RGW and moto get what they always did.
    b = b.set_create_bucket_configuration(config);
    if let Some(o) = object_ownership {
        b = b.object_ownership(s3t::ObjectOwnership::from(o));
    }
    let b = with_acl!(b, cx, headers, s3t::BucketCannedAcl);
    let b = with_write_grant!(b, cx, headers);
    let r = cx.answered(b.send().await, 200);
    // A fault may come after the endpoint made the bucket, unless the run holds the name
    // already: then the request could only fail, and the bucket is its holder's to clean up.
    let held = cx.state.bucket_owner.contains_key(bucket);
    if allowed(&r) || (may_have_made(&r) && !held) {
        if let Some(a) = cx.caller.clone() {
            let state = &mut *cx.state;
            state.bucket_owner.insert(bucket.to_string(), a.clone());
            state.created.buckets.push((a, bucket.to_string()));
        }
    }
    r
}

/// A bucket the target deleted is no longer the run's: its name may be created again, by any
/// account.
async fn delete_bucket(cx: &mut StepCx<'_>, bucket: &str) -> Observed {
    let req = s3_bucket_request!(cx, delete_bucket, bucket);
    let r = cx.answered(req.send().await, 204);
    if allowed(&r) {
        cx.state.bucket_owner.remove(bucket);
    }
    r
}

async fn head_bucket(cx: &StepCx<'_>, bucket: &str) -> Observed {
    let req = s3_bucket_request!(cx, head_bucket, bucket);
    cx.answered(req.send().await, 200)
}

async fn list_buckets(cx: &StepCx<'_>) -> Observed {
    let req = cx.clients.s3.list_buckets();
    cx.answer(req.send().await, 200, |out| Outcome {
        // Only this run's buckets are visible to the comparison.
        buckets: Some(
            out.buckets()
                .iter()
                .filter_map(|b| b.name().and_then(|n| cx.state.mapping.logical_bucket(n)))
                .collect(),
        ),
        ..Default::default()
    })
}
