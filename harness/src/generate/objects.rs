//! Object steps by any caller: uploads (with the ACL they may carry), reads (GetObjectAcl as
//! often as GetObject: it is how ownership shows), listings, deletes, copies (within a bucket,
//! across buckets and accounts) and multipart uploads started.

use super::acls::{acl_choice, AclChoice};
use super::{owner_of, step, Draw};
use proptest::prelude::*;
use xacct_model::scenario::{Op, Step};

/// Who uploads, to which bucket and key, with the ACL an upload may carry (chosen knowing the
/// bucket's owner): what PutObject and CreateMultipartUpload draw alike.
fn upload(d: &Draw) -> impl Strategy<Value = Upload> {
    let w = d.world.clone();
    (d.caller(), d.bucket(), d.key()).prop_flat_map(move |(who, b, k)| {
        let owner = owner_of(&w, &b);
        (Just(who), Just(b), Just(k), acl_choice(owner))
    })
}

type Upload = (String, String, String, AclChoice);

pub(super) fn put_object(d: &Draw) -> BoxedStrategy<Step> {
    upload(d)
        .prop_map(|(who, b, k, (acl, grants))| {
            step(
                who,
                Op::PutObject {
                    bucket: b,
                    key: k,
                    acl,
                    grants,
                },
            )
        })
        .boxed()
}

pub(super) fn read_object(d: &Draw) -> BoxedStrategy<Step> {
    // GetObjectAcl is how ownership shows: as often as GetObject.
    (d.caller(), d.bucket(), d.key(), 0..5u8)
        .prop_map(|(who, b, k, which)| {
            let op = match which {
                0 | 1 => Op::GetObject { bucket: b, key: k },
                2 => Op::HeadObject { bucket: b, key: k },
                _ => Op::GetObjectAcl { bucket: b, key: k },
            };
            step(who, op)
        })
        .boxed()
}

pub(super) fn list_objects(d: &Draw) -> BoxedStrategy<Step> {
    (
        d.caller(),
        d.bucket(),
        prop::option::weighted(0.3, Just("dir/".to_string())),
    )
        .prop_map(|(who, b, prefix)| step(who, Op::ListObjects { bucket: b, prefix }))
        .boxed()
}

pub(super) fn delete_object(d: &Draw) -> BoxedStrategy<Step> {
    (d.caller(), d.bucket(), d.key())
        .prop_map(|(who, b, k)| step(who, Op::DeleteObject { bucket: b, key: k }))
        .boxed()
}

/// CopyObject by any caller, from any key of any bucket (the same bucket, another of the same
/// account or another account's) to any key, with the ACL an upload may carry.
pub(super) fn copy_object(d: &Draw) -> BoxedStrategy<Step> {
    let w = d.world.clone();
    (d.caller(), d.bucket(), d.key(), d.bucket(), d.key())
        .prop_flat_map(move |(who, b, k, sb, sk)| {
            let owner = owner_of(&w, &b);
            (Just((who, b, k, sb, sk)), acl_choice(owner))
        })
        .prop_map(|((who, b, k, sb, sk), (acl, grants))| {
            step(
                who,
                Op::CopyObject {
                    bucket: b,
                    key: k,
                    source_bucket: sb,
                    source_key: sk,
                    acl,
                    grants,
                },
            )
        })
        .boxed()
}

/// CreateMultipartUpload by any caller, with the ACL an upload may carry.
pub(super) fn create_multipart_upload(d: &Draw) -> BoxedStrategy<Step> {
    upload(d)
        .prop_map(|(who, b, k, (acl, grants))| {
            step(
                who,
                Op::CreateMultipartUpload {
                    bucket: b,
                    key: k,
                    acl,
                    grants,
                },
            )
        })
        .boxed()
}
