//! Bucket steps: creation by an account's admin (with or without an ownership setting), and
//! what the owner's admin configures — ownership toggles (on buckets that may already hold
//! foreign objects), public access block settings, bucket policies.

use super::callers::admins;
use super::policies::bucket_policy;
use super::{owner_admin, owner_of, step, Draw, BUCKETS};
use proptest::prelude::*;
use proptest::sample::select;
use xacct_model::scenario::{Op, Step};

/// An Object Ownership setting.
fn ownership() -> BoxedStrategy<String> {
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
    )
        .prop_map(|(who, b, own)| {
            step(
                who,
                Op::CreateBucket {
                    bucket: b.into(),
                    object_ownership: own,
                    acl: None,
                    grants: None,
                    location_constraint: None,
                },
            )
        })
        .boxed()
}

pub(super) fn put_bucket_policy(d: &Draw) -> BoxedStrategy<Step> {
    let w = d.world.clone();
    d.bucket()
        .prop_flat_map(move |b| {
            let owner = owner_of(&w, &b);
            let admin = owner_admin(&w, &b);
            (Just(admin), Just(b.clone()), bucket_policy(b, owner))
        })
        .prop_map(|(who, b, p)| {
            step(
                who,
                Op::PutBucketPolicy {
                    bucket: b,
                    policy: p,
                },
            )
        })
        .boxed()
}

pub(super) fn delete_bucket_policy(d: &Draw) -> BoxedStrategy<Step> {
    let w = d.world.clone();
    d.bucket()
        .prop_map(move |b| step(owner_admin(&w, &b), Op::DeleteBucketPolicy { bucket: b }))
        .boxed()
}

pub(super) fn toggle_ownership(d: &Draw) -> BoxedStrategy<Step> {
    let w = d.world.clone();
    (d.bucket(), ownership())
        .prop_map(move |(b, o)| {
            step(
                owner_admin(&w, &b),
                Op::PutBucketOwnershipControls {
                    bucket: b,
                    object_ownership: o,
                },
            )
        })
        .boxed()
}

pub(super) fn put_public_access_block(d: &Draw) -> BoxedStrategy<Step> {
    let w = d.world.clone();
    (d.bucket(), any::<[bool; 4]>())
        .prop_map(move |(b, f)| {
            step(
                owner_admin(&w, &b),
                Op::PutPublicAccessBlock {
                    bucket: b,
                    block_public_acls: f[0],
                    ignore_public_acls: f[1],
                    block_public_policy: f[2],
                    restrict_public_buckets: f[3],
                },
            )
        })
        .boxed()
}
