//! ACLs steps carry: the canned ACL or grant headers of an upload (PutObject, CopyObject,
//! CreateMultipartUpload) or of a new bucket, PutObjectAcl by any caller, PutBucketAcl by the
//! owner's admin, and GetBucketAcl by the owner's admin or any caller. Grants go to every
//! grantee kind — an account's canonical id or e-mail address, the AllUsers and
//! AuthenticatedUsers groups — with every permission the request takes (uploads have no
//! `x-amz-grant-write`: WRITE on objects goes through PutObjectAcl).

use super::{owner_admin, step, Draw, ACCOUNTS};
use proptest::prelude::*;
use proptest::sample::select;
use xacct_model::acl::{GrantHeaders, Permission};
use xacct_model::scenario::{Op, Step};

const ALL_USERS: &str = "uri=http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS: &str = "uri=http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
const PERMISSIONS: &[Permission] = &[
    Permission::Read,
    Permission::Write,
    Permission::ReadAcp,
    Permission::WriteAcp,
    Permission::FullControl,
];
/// What the grant headers of an upload (PutObject, CopyObject, CreateMultipartUpload) can say.
const UPLOAD_PERMISSIONS: &[Permission] = &[
    Permission::Read,
    Permission::ReadAcp,
    Permission::WriteAcp,
    Permission::FullControl,
];

/// A canned ACL and grant headers, as a request carries them (at most one of the two).
pub(super) type AclChoice = (Option<String>, Option<GrantHeaders>);

/// A grantee of a grant header: an account by canonical id (most often) or e-mail address, or a
/// public group.
fn grantee() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(ACCOUNTS.to_vec()).prop_map(|a| format!("id=${{{a}.canonical}}")),
        1 => select(ACCOUNTS.to_vec()).prop_map(|a| format!("emailAddress=${{{a}.email}}")),
        2 => Just(ALL_USERS.to_string()),
        2 => Just(AUTHENTICATED_USERS.to_string()),
    ]
    .boxed()
}

/// Adds `grantee` to the header of `permission` (grantees of one header are comma-separated).
fn add_grant(h: &mut GrantHeaders, permission: Permission, grantee: String) {
    let header = match permission {
        Permission::Read => &mut h.read,
        Permission::Write => &mut h.write,
        Permission::ReadAcp => &mut h.read_acp,
        Permission::WriteAcp => &mut h.write_acp,
        Permission::FullControl => &mut h.full_control,
    };
    *header = Some(match header.take() {
        Some(v) => format!("{v}, {grantee}"),
        None => grantee,
    });
}

/// Grant headers of one or two grants, each of one of `permissions` to any grantee.
fn grants_of(permissions: &[Permission]) -> BoxedStrategy<GrantHeaders> {
    let grant = (select(permissions.to_vec()), grantee());
    prop::collection::vec(grant, 1..=2)
        .prop_map(|grants| {
            let mut h = GrantHeaders::default();
            for (p, g) in grants {
                add_grant(&mut h, p, g);
            }
            h
        })
        .boxed()
}

/// Grant headers of a bucket ACL or PutObjectAcl: every permission.
fn grant_headers() -> BoxedStrategy<GrantHeaders> {
    grants_of(PERMISSIONS)
}

/// Grant headers of an upload: every permission but WRITE.
fn upload_grant_headers() -> BoxedStrategy<GrantHeaders> {
    grants_of(UPLOAD_PERMISSIONS)
}

/// A canned ACL from `names`.
fn canned(names: &[&'static str]) -> BoxedStrategy<AclChoice> {
    select(names.to_vec())
        .prop_map(|a| (Some(a.to_string()), None))
        .boxed()
}

const OBJECT_CANNED: &[&str] = &[
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
];
const BUCKET_CANNED: &[&str] = &[
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "log-delivery-write",
];

/// The ACL an upload carries, if any: mostly none or bucket-owner-full-control (what decides
/// ownership of cross-account writes), else any canned ACL or grant headers.
pub(super) fn acl_choice(bucket_owner: String) -> BoxedStrategy<AclChoice> {
    let owner = bucket_owner;
    prop_oneof![
        4 => Just((None, None)),
        3 => Just((Some("bucket-owner-full-control".to_string()), None)),
        1 => canned(OBJECT_CANNED),
        2 => Just((None, Some(GrantHeaders { full_control: Some(format!("id=${{{owner}.canonical}}")), ..Default::default() }))),
        1 => select(ACCOUNTS.to_vec()).prop_map(|a| (None, Some(GrantHeaders { read: Some(format!("id=${{{a}.canonical}}")), ..Default::default() }))),
        2 => upload_grant_headers().prop_map(|g| (None, Some(g))),
    ]
    .boxed()
}

/// The ACL of a new bucket: mostly none (an ACL conflicts with BucketOwnerEnforced).
pub(super) fn create_bucket_acl() -> BoxedStrategy<AclChoice> {
    prop_oneof![
        8 => Just((None, None)),
        1 => canned(BUCKET_CANNED),
        1 => grant_headers().prop_map(|g| (None, Some(g))),
    ]
    .boxed()
}

/// PutObjectAcl by any caller: a canned ACL or grant headers.
pub(super) fn put_object_acl(d: &Draw) -> BoxedStrategy<Step> {
    let acl = prop_oneof![
        3 => canned(&["private", "public-read", "bucket-owner-full-control", "authenticated-read"]),
        2 => grant_headers().prop_map(|g| (None, Some(g))),
    ];
    (d.caller(), d.bucket(), d.key(), acl)
        .prop_map(|(who, b, k, (acl, grants))| {
            step(
                who,
                Op::PutObjectAcl {
                    bucket: b,
                    key: k,
                    acl,
                    grants,
                    access_control_policy: None,
                },
            )
        })
        .boxed()
}

/// Canned ACLs, grant headers that give another account write access to the bucket (the
/// cross-account upload path of ACL-era buckets) or read access, or any grants.
fn bucket_acl_choice() -> impl Strategy<Value = AclChoice> {
    prop_oneof![
        2 => canned(BUCKET_CANNED),
        2 => (select(ACCOUNTS.to_vec()), any::<bool>()).prop_map(|(a, write)| {
            let id = format!("id=${{{a}.canonical}}");
            let g = if write {
                GrantHeaders { write: Some(id), ..Default::default() }
            } else {
                GrantHeaders { read: Some(id), ..Default::default() }
            };
            (None, Some(g))
        }),
        2 => grant_headers().prop_map(|g| (None, Some(g))),
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

/// GetBucketAcl by the owner's admin or any caller.
pub(super) fn get_bucket_acl(d: &Draw) -> BoxedStrategy<Step> {
    d.bucket_and_reader()
        .prop_map(|(b, who)| step(who, Op::GetBucketAcl { bucket: b }))
        .boxed()
}

/// The grantee kind of one grantee of a grant header (for tests): `id`, `email`, `AllUsers`,
/// `AuthenticatedUsers`.
#[cfg(test)]
pub(super) fn grantee_kind(g: &str) -> &'static str {
    match g.trim() {
        ALL_USERS => "AllUsers",
        AUTHENTICATED_USERS => "AuthenticatedUsers",
        g if g.starts_with("emailAddress=") => "email",
        _ => "id",
    }
}
