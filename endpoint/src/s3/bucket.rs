//! Buckets over S3: CreateBucket, DeleteBucket, HeadBucket and ListBuckets.

use super::acl::{grants_of, owner_dto};
use super::{principal, EmbeddedS3, Reply};
use crate::state::lock;
use s3s::dto::*;
use s3s::S3Request;
use xacct_model::scenario::Op;

pub(super) fn create(
    s3: &EmbeddedS3,
    req: S3Request<CreateBucketInput>,
) -> Reply<CreateBucketOutput> {
    let i = &req.input;
    let op = Op::CreateBucket {
        bucket: i.bucket.clone(),
        object_ownership: i.object_ownership.as_ref().map(|o| o.as_str().to_string()),
        acl: i.acl.as_ref().map(|a| a.as_str().to_string()),
        grants: grants_of!(i, write),
        // What was sent, absent included: the model checks it against the endpoint's Region.
        location_constraint: Some(
            (i.create_bucket_configuration.as_ref())
                .and_then(|c| c.location_constraint.as_ref())
                .map(|l| l.as_str().to_string()),
        ),
    };
    let location = format!("/{}", i.bucket);
    s3.call(&req, op, None, |_, _| CreateBucketOutput {
        location: Some(location),
    })
}

pub(super) fn delete(
    s3: &EmbeddedS3,
    req: S3Request<DeleteBucketInput>,
) -> Reply<DeleteBucketOutput> {
    let op = Op::DeleteBucket {
        bucket: req.input.bucket.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |_, _| DeleteBucketOutput::default())
}

/// HeadBucket: authorized by the model as s3:ListBucket ([X-head-bucket]).
pub(super) fn head(s3: &EmbeddedS3, req: S3Request<HeadBucketInput>) -> Reply<HeadBucketOutput> {
    let op = Op::HeadBucket {
        bucket: req.input.bucket.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |_, _| HeadBucketOutput::default())
}

pub(super) fn list(s3: &EmbeddedS3, req: S3Request<ListBucketsInput>) -> Reply<ListBucketsOutput> {
    let mut r = s3.call(&req, Op::ListBuckets {}, None, |_, o| ListBucketsOutput {
        buckets: Some(
            o.buckets
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|name| Bucket {
                    name: Some(name),
                    creation_date: Some(Timestamp::from(std::time::SystemTime::now())),
                    ..Default::default()
                })
                .collect(),
        ),
        ..Default::default()
    })?;
    // The caller's account owns the buckets listed (tools read their canonical id here).
    let st = lock(&s3.state);
    let p = principal(&st, &req)?;
    let account = st.principal(&p).ok().and_then(|p| p.account().cloned());
    r.output.owner = account.map(|a| owner_dto(&st, &a.0));
    Ok(r)
}
