//! ACLs steps carry: the canned ACL or grant headers of an upload, PutObjectAcl by any caller,
//! and PutBucketAcl by the owner's admin (canned ACLs, or grants giving another account read or
//! write access: the cross-account upload path of ACL-era buckets).

use super::{owner_admin, step, Draw, ACCOUNTS};
use proptest::prelude::*;
use proptest::sample::select;
use xacct_model::acl::GrantHeaders;
use xacct_model::scenario::{Op, Step};

/// The ACL an upload carries, if any.
pub(super) fn acl_choice(
    bucket_owner: String,
) -> BoxedStrategy<(Option<String>, Option<GrantHeaders>)> {
    let owner = bucket_owner;
    prop_oneof![
        4 => Just((None, None)),
        3 => Just((Some("bucket-owner-full-control".to_string()), None)),
        1 => select(vec!["private", "public-read", "bucket-owner-read", "authenticated-read"]).prop_map(|a| (Some(a.to_string()), None)),
        2 => Just((None, Some(GrantHeaders { full_control: Some(format!("id=${{{owner}.canonical}}")), ..Default::default() }))),
        1 => select(ACCOUNTS.to_vec()).prop_map(|a| (None, Some(GrantHeaders { read: Some(format!("id=${{{a}.canonical}}")), ..Default::default() }))),
    ]
    .boxed()
}

pub(super) fn put_object_acl(d: &Draw) -> BoxedStrategy<Step> {
    (
        d.caller(),
        d.bucket(),
        d.key(),
        select(vec![
            "private",
            "public-read",
            "bucket-owner-full-control",
            "authenticated-read",
        ]),
    )
        .prop_map(|(who, b, k, acl)| {
            step(
                who,
                Op::PutObjectAcl {
                    bucket: b,
                    key: k,
                    acl: Some(acl.into()),
                    grants: None,
                    access_control_policy: None,
                },
            )
        })
        .boxed()
}

/// Canned ACLs, or grant headers that give another account write access to the bucket (the
/// cross-account upload path of ACL-era buckets) or read access.
fn bucket_acl_choice() -> impl Strategy<Value = (Option<String>, Option<GrantHeaders>)> {
    prop_oneof![
        2 => select(vec!["private", "public-read", "authenticated-read"])
            .prop_map(|a| (Some(a.to_string()), None)),
        2 => (select(ACCOUNTS.to_vec()), any::<bool>()).prop_map(|(a, write)| {
            let id = format!("id=${{{a}.canonical}}");
            let g = if write {
                GrantHeaders { write: Some(id), ..Default::default() }
            } else {
                GrantHeaders { read: Some(id), ..Default::default() }
            };
            (None, Some(g))
        }),
    ]
}

pub(super) fn put_bucket_acl(d: &Draw) -> BoxedStrategy<Step> {
    let w = d.world.clone();
    (d.bucket(), bucket_acl_choice())
        .prop_map(move |(b, (acl, grants))| {
            step(
                owner_admin(&w, &b),
                Op::PutBucketAcl {
                    bucket: b,
                    acl,
                    grants,
                    access_control_policy: None,
                },
            )
        })
        .boxed()
}
