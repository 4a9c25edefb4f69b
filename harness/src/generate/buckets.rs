//! Bucket steps: creation by an account's admin (with or without an ownership setting, maybe
//! with an ACL), deletion (by the owner's admin mostly; of an empty or a non-empty bucket — a
//! deleted bucket may be created again later in the case), HeadBucket and ListBuckets by any
//! caller.

use super::acls::create_bucket_acl;
use super::callers::admins;
use super::{step, Draw, BUCKETS};
use proptest::prelude::*;
use proptest::sample::select;
use xacct_model::scenario::{Op, Step};

/// An Object Ownership setting.
pub(super) fn ownership() -> BoxedStrategy<String> {
    select(vec![
        "BucketOwnerEnforced",
        "BucketOwnerPreferred",
        "ObjectWriter",
    ])
    .prop_map(str::to_string)
    .boxed()
}

pub(super) fn create_bucket() -> BoxedStrategy<Step> {
    (
        select(admins()),
        select(BUCKETS.to_vec()),
        prop::option::weighted(0.7, ownership()),
        create_bucket_acl(),
    )
        .prop_map(|(who, b, own, (acl, grants))| {
            step(
                who,
                Op::CreateBucket {
                    bucket: b.into(),
                    object_ownership: own,
                    acl,
                    grants,
                    location_constraint: None,
                },
            )
        })
        .boxed()
}

/// DeleteBucket, mostly by the owner's admin (a bucket with objects answers 409).
pub(super) fn delete_bucket(d: &Draw) -> BoxedStrategy<Step> {
    d.bucket_and_configurer()
        .prop_map(|(b, who)| step(who, Op::DeleteBucket { bucket: b }))
        .boxed()
}

/// HeadBucket by the owner's admin or any caller.
pub(super) fn head_bucket(d: &Draw) -> BoxedStrategy<Step> {
    d.bucket_and_reader()
        .prop_map(|(b, who)| step(who, Op::HeadBucket { bucket: b }))
        .boxed()
}

/// ListBuckets by any caller (the executor shows only the run's own buckets).
pub(super) fn list_buckets(d: &Draw) -> BoxedStrategy<Step> {
    d.caller()
        .prop_map(|who| step(who, Op::ListBuckets {}))
        .boxed()
}
