//! Bucket configuration steps: what the owner's admin sets — ownership toggles (on buckets that
//! may already hold foreign objects), public access block settings, bucket policies — and their
//! deletion, mostly by the owner's admin; their reads by the owner's admin or any caller.

use super::buckets::ownership;
use super::policies::bucket_policy;
use super::{owner_admin, owner_of, step, Draw};
use proptest::prelude::*;
use xacct_model::scenario::{Op, Step};

pub(super) fn put_bucket_policy(d: &Draw) -> BoxedStrategy<Step> {
    let w = d.world.clone();
    let names = d.names.clone();
    d.bucket()
        .prop_flat_map(move |b| {
            let owner = owner_of(&w, &b);
            let admin = owner_admin(&w, &b);
            (
                Just(admin),
                Just(b.clone()),
                bucket_policy(b, owner, &names),
            )
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

/// A read of a bucket's configuration (policy, public access block, ownership controls) by the
/// owner's admin or any caller.
pub(super) fn get_bucket_config(d: &Draw) -> BoxedStrategy<Step> {
    (d.bucket_and_reader(), 0..3u8)
        .prop_map(|((bucket, who), which)| {
            let op = match which {
                0 => Op::GetBucketPolicy { bucket },
                1 => Op::GetPublicAccessBlock { bucket },
                _ => Op::GetBucketOwnershipControls { bucket },
            };
            step(who, op)
        })
        .boxed()
}

/// DeletePublicAccessBlock or DeleteBucketOwnershipControls, mostly by the owner's admin.
pub(super) fn delete_bucket_config(d: &Draw) -> BoxedStrategy<Step> {
    (d.bucket_and_configurer(), any::<bool>())
        .prop_map(|((bucket, who), pab)| {
            let op = if pab {
                Op::DeletePublicAccessBlock { bucket }
            } else {
                Op::DeleteBucketOwnershipControls { bucket }
            };
            step(who, op)
        })
        .boxed()
}
