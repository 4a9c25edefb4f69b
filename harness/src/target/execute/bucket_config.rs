//! The bucket configuration operations: ownership controls (Put/Get/Delete), the public access
//! block (Put/Get/Delete) and the bucket policy (Put/Get/Delete).

use super::{misrouted, not_built, s3_bucket_request, StepCx};
use crate::compare::Observed;
use aws_sdk_s3::types as s3t;
use serde_json::Value;
use xacct_model::outcome::{Outcome, PabView};
use xacct_model::scenario::Op;

pub(super) async fn execute(cx: &StepCx<'_>, op: &Op) -> Observed {
    match op {
        Op::PutBucketOwnershipControls {
            bucket,
            object_ownership,
        } => put_ownership_controls(cx, bucket, object_ownership).await,
        Op::GetBucketOwnershipControls { bucket } => get_ownership_controls(cx, bucket).await,
        Op::DeleteBucketOwnershipControls { bucket } => delete_ownership_controls(cx, bucket).await,
        Op::PutPublicAccessBlock {
            bucket,
            block_public_acls,
            ignore_public_acls,
            block_public_policy,
            restrict_public_buckets,
        } => {
            let pab = PabView {
                block_public_acls: *block_public_acls,
                ignore_public_acls: *ignore_public_acls,
                block_public_policy: *block_public_policy,
                restrict_public_buckets: *restrict_public_buckets,
            };
            put_public_access_block(cx, bucket, &pab).await
        }
        Op::GetPublicAccessBlock { bucket } => get_public_access_block(cx, bucket).await,
        Op::DeletePublicAccessBlock { bucket } => delete_public_access_block(cx, bucket).await,
        Op::PutBucketPolicy { bucket, policy } => put_bucket_policy(cx, bucket, policy).await,
        Op::GetBucketPolicy { bucket } => get_bucket_policy(cx, bucket).await,
        Op::DeleteBucketPolicy { bucket } => delete_bucket_policy(cx, bucket).await,
        other => misrouted(other, "bucket configuration"),
    }
}

async fn put_ownership_controls(cx: &StepCx<'_>, bucket: &str, ownership: &str) -> Observed {
    let controls = s3t::OwnershipControlsRule::builder()
        .object_ownership(s3t::ObjectOwnership::from(ownership))
        .build()
        .and_then(|rule| s3t::OwnershipControls::builder().rules(rule).build());
    let controls = match controls {
        Ok(c) => c,
        Err(e) => return not_built(e),
    };
    let req =
        s3_bucket_request!(cx, put_bucket_ownership_controls, bucket).ownership_controls(controls);
    cx.answered(req.send().await, 200)
}

async fn get_ownership_controls(cx: &StepCx<'_>, bucket: &str) -> Observed {
    let req = s3_bucket_request!(cx, get_bucket_ownership_controls, bucket);
    cx.answer(req.send().await, 200, |out| Outcome {
        ownership: out
            .ownership_controls()
            .and_then(|oc| oc.rules().first())
            .map(|r| r.object_ownership().as_str().to_string()),
        ..Default::default()
    })
}

async fn delete_ownership_controls(cx: &StepCx<'_>, bucket: &str) -> Observed {
    let req = s3_bucket_request!(cx, delete_bucket_ownership_controls, bucket);
    cx.answered(req.send().await, 204)
}

async fn put_public_access_block(cx: &StepCx<'_>, bucket: &str, pab: &PabView) -> Observed {
    let cfg = s3t::PublicAccessBlockConfiguration::builder()
        .block_public_acls(pab.block_public_acls)
        .ignore_public_acls(pab.ignore_public_acls)
        .block_public_policy(pab.block_public_policy)
        .restrict_public_buckets(pab.restrict_public_buckets)
        .build();
    let req = s3_bucket_request!(cx, put_public_access_block, bucket)
        .public_access_block_configuration(cfg);
    cx.answered(req.send().await, 200)
}

async fn get_public_access_block(cx: &StepCx<'_>, bucket: &str) -> Observed {
    let req = s3_bucket_request!(cx, get_public_access_block, bucket);
    cx.answer(req.send().await, 200, |out| Outcome {
        public_access_block: out.public_access_block_configuration().map(|p| PabView {
            block_public_acls: p.block_public_acls().unwrap_or(false),
            ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
            block_public_policy: p.block_public_policy().unwrap_or(false),
            restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
        }),
        ..Default::default()
    })
}

async fn delete_public_access_block(cx: &StepCx<'_>, bucket: &str) -> Observed {
    let req = s3_bucket_request!(cx, delete_public_access_block, bucket);
    cx.answered(req.send().await, 204)
}

async fn put_bucket_policy(cx: &StepCx<'_>, bucket: &str, policy: &Value) -> Observed {
    let req = s3_bucket_request!(cx, put_bucket_policy, bucket).policy(cx.policy_text(policy));
    cx.answered(req.send().await, 204)
}

async fn get_bucket_policy(cx: &StepCx<'_>, bucket: &str) -> Observed {
    let req = s3_bucket_request!(cx, get_bucket_policy, bucket);
    cx.answered(req.send().await, 200)
}

async fn delete_bucket_policy(cx: &StepCx<'_>, bucket: &str) -> Observed {
    let req = s3_bucket_request!(cx, delete_bucket_policy, bucket);
    cx.answered(req.send().await, 204)
}
