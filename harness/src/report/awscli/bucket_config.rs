//! A bucket's configuration: ownership controls, the public access block and the bucket
//! policy (written through a heredoc, its placeholders and bucket ARNs resolved).

use super::quote::sq;
use super::{doc_text, Call, Gen};
use serde_json::json;
use xacct_model::scenario::Op;

/// The CLI call of a bucket configuration operation.
pub(super) fn call(g: &mut Gen<'_>, op: &Op) -> Call {
    match op {
        Op::PutBucketOwnershipControls {
            bucket,
            object_ownership,
        } => {
            let oc = json!({"Rules": [{"ObjectOwnership": object_ownership}]}).to_string();
            Call::quiet([
                "s3api put-bucket-ownership-controls".into(),
                g.bucket(bucket),
                format!("--ownership-controls {}", sq(&oc)),
            ])
        }
        Op::GetBucketOwnershipControls { bucket } => Call::shown([
            "s3api get-bucket-ownership-controls".into(),
            g.bucket(bucket),
        ]),
        Op::DeleteBucketOwnershipControls { bucket } => Call::quiet([
            "s3api delete-bucket-ownership-controls".into(),
            g.bucket(bucket),
        ]),
        Op::PutPublicAccessBlock {
            bucket,
            block_public_acls,
            ignore_public_acls,
            block_public_policy,
            restrict_public_buckets,
        } => {
            let cfg = json!({
                "BlockPublicAcls": block_public_acls,
                "IgnorePublicAcls": ignore_public_acls,
                "BlockPublicPolicy": block_public_policy,
                "RestrictPublicBuckets": restrict_public_buckets,
            })
            .to_string();
            Call::quiet([
                "s3api put-public-access-block".into(),
                g.bucket(bucket),
                format!("--public-access-block-configuration {}", sq(&cfg)),
            ])
        }
        Op::GetPublicAccessBlock { bucket } => {
            Call::shown(["s3api get-public-access-block".into(), g.bucket(bucket)])
        }
        Op::DeletePublicAccessBlock { bucket } => {
            Call::quiet(["s3api delete-public-access-block".into(), g.bucket(bucket)])
        }
        Op::PutBucketPolicy { bucket, policy } => {
            g.doc("doc", &doc_text(policy));
            Call::quiet([
                "s3api put-bucket-policy".into(),
                g.bucket(bucket),
                "--policy \"$doc\"".into(),
            ])
        }
        Op::GetBucketPolicy { bucket } => Call::shown([
            "s3api get-bucket-policy".into(),
            g.bucket(bucket),
            "--query Policy --output text".into(),
        ]),
        Op::DeleteBucketPolicy { bucket } => {
            Call::quiet(["s3api delete-bucket-policy".into(), g.bucket(bucket)])
        }
        other => unreachable!("{} is not a bucket configuration operation", other.name()),
    }
}
