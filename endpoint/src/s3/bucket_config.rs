//! Bucket configuration over S3: ownership controls, the public access block and the bucket
//! policy (Put, Get and Delete of each).

use super::{error, EmbeddedS3, Reply};
use s3s::dto::*;
use s3s::S3Request;
use xacct_model::scenario::Op;

pub(super) fn put_ownership_controls(
    s3: &EmbeddedS3,
    req: S3Request<PutBucketOwnershipControlsInput>,
) -> Reply<PutBucketOwnershipControlsOutput> {
    let rules = &req.input.ownership_controls.rules;
    if rules.len() != 1 {
        return Err(error(
            400,
            "MalformedXML",
            "OwnershipControls takes exactly one rule".into(),
        ));
    }
    let op = Op::PutBucketOwnershipControls {
        bucket: req.input.bucket.clone(),
        object_ownership: rules[0].object_ownership.as_str().to_string(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |_, _| {
        PutBucketOwnershipControlsOutput::default()
    })
}

pub(super) fn get_ownership_controls(
    s3: &EmbeddedS3,
    req: S3Request<GetBucketOwnershipControlsInput>,
) -> Reply<GetBucketOwnershipControlsOutput> {
    let op = Op::GetBucketOwnershipControls {
        bucket: req.input.bucket.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |_, o| GetBucketOwnershipControlsOutput {
        ownership_controls: o.ownership.as_ref().map(|v| OwnershipControls {
            rules: vec![OwnershipControlsRule {
                object_ownership: ObjectOwnership::from(v.clone()),
            }],
        }),
    })
}

pub(super) fn delete_ownership_controls(
    s3: &EmbeddedS3,
    req: S3Request<DeleteBucketOwnershipControlsInput>,
) -> Reply<DeleteBucketOwnershipControlsOutput> {
    let op = Op::DeleteBucketOwnershipControls {
        bucket: req.input.bucket.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |_, _| {
        DeleteBucketOwnershipControlsOutput::default()
    })
}

pub(super) fn put_public_access_block(
    s3: &EmbeddedS3,
    req: S3Request<PutPublicAccessBlockInput>,
) -> Reply<PutPublicAccessBlockOutput> {
    let c = &req.input.public_access_block_configuration;
    let op = Op::PutPublicAccessBlock {
        bucket: req.input.bucket.clone(),
        block_public_acls: c.block_public_acls.unwrap_or(false),
        ignore_public_acls: c.ignore_public_acls.unwrap_or(false),
        block_public_policy: c.block_public_policy.unwrap_or(false),
        restrict_public_buckets: c.restrict_public_buckets.unwrap_or(false),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |_, _| PutPublicAccessBlockOutput::default())
}

pub(super) fn get_public_access_block(
    s3: &EmbeddedS3,
    req: S3Request<GetPublicAccessBlockInput>,
) -> Reply<GetPublicAccessBlockOutput> {
    let op = Op::GetPublicAccessBlock {
        bucket: req.input.bucket.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |_, o| GetPublicAccessBlockOutput {
        public_access_block_configuration: o.public_access_block.map(|p| {
            PublicAccessBlockConfiguration {
                block_public_acls: Some(p.block_public_acls),
                ignore_public_acls: Some(p.ignore_public_acls),
                block_public_policy: Some(p.block_public_policy),
                restrict_public_buckets: Some(p.restrict_public_buckets),
            }
        }),
    })
}

pub(super) fn delete_public_access_block(
    s3: &EmbeddedS3,
    req: S3Request<DeletePublicAccessBlockInput>,
) -> Reply<DeletePublicAccessBlockOutput> {
    let op = Op::DeletePublicAccessBlock {
        bucket: req.input.bucket.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |_, _| {
        DeletePublicAccessBlockOutput::default()
    })
}

pub(super) fn put_policy(
    s3: &EmbeddedS3,
    req: S3Request<PutBucketPolicyInput>,
) -> Reply<PutBucketPolicyOutput> {
    let op = Op::PutBucketPolicy {
        bucket: req.input.bucket.clone(),
        policy: serde_json::Value::String(req.input.policy.clone()),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |_, _| PutBucketPolicyOutput::default())
}

/// The policy document as stored: the text a client sent.
pub(super) fn get_policy(
    s3: &EmbeddedS3,
    req: S3Request<GetBucketPolicyInput>,
) -> Reply<GetBucketPolicyOutput> {
    let bucket = req.input.bucket.clone();
    let op = Op::GetBucketPolicy {
        bucket: bucket.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |st, _| GetBucketPolicyOutput {
        policy: st
            .world
            .buckets
            .get(&bucket)
            .and_then(|b| b.policy.as_ref())
            .map(|p| match &p.document {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
    })
}

pub(super) fn delete_policy(
    s3: &EmbeddedS3,
    req: S3Request<DeleteBucketPolicyInput>,
) -> Reply<DeleteBucketPolicyOutput> {
    let op = Op::DeleteBucketPolicy {
        bucket: req.input.bucket.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |_, _| DeleteBucketPolicyOutput::default())
}
