//! Objects: PutObject, CreateMultipartUpload and CopyObject (writes: authorized on the bucket,
//! owned as Object Ownership says), GetObject and HeadObject (reads: authorized on the object,
//! a missing key answered by [R26]), DeleteObject, ListObjects and HeadBucket (s3:ListBucket).

use super::{acl_request, check_block_public_acls, existing_bucket, Access, Call};
use crate::acl::{self, AclRequest, AclSpec, Permission};
use crate::authorize::{authorize_s3, s3_keys, S3Check, Scope};
use crate::outcome::{Explanation, Fail, Outcome};
use crate::ownership;
use crate::rules;
use crate::world::{Bucket, World};

/// An object call's action and the ACL permission that grants it on the object ([R14]).
#[derive(Debug, Clone, Copy)]
pub(super) struct ObjectAction {
    pub action: &'static str,
    pub perm: Permission,
}

const GET_OBJECT: ObjectAction = ObjectAction {
    action: "s3:GetObject",
    perm: Permission::Read,
};

/// An object write: PutObject, CopyObject's write, or the start of a multipart upload.
struct ObjectWrite<'a> {
    bucket: &'a str,
    key: &'a str,
    acl: AclRequest<'a>,
    /// Condition keys beyond the ACL's (CopyObject's `s3:x-amz-copy-source`).
    extra: Vec<(&'static str, String)>,
    /// False for CreateMultipartUpload: nothing is stored until the upload completes.
    store: bool,
}

impl<'a> ObjectWrite<'a> {
    fn new(bucket: &'a str, key: &'a str, acl: AclRequest<'a>) -> ObjectWrite<'a> {
        ObjectWrite {
            bucket,
            key,
            acl,
            extra: Vec::new(),
            store: true,
        }
    }
}

pub(super) fn put_object(
    world: &mut World,
    cx: &mut Call<'_>,
    bucket: &str,
    key: &str,
    acl: AclRequest<'_>,
) -> Result<Outcome, Fail> {
    write_object(world, cx, ObjectWrite::new(bucket, key, acl))
}

pub(super) fn create_multipart_upload(
    world: &mut World,
    cx: &mut Call<'_>,
    bucket: &str,
    key: &str,
    acl: AclRequest<'_>,
) -> Result<Outcome, Fail> {
    let w = ObjectWrite {
        store: false,
        ..ObjectWrite::new(bucket, key, acl)
    };
    write_object(world, cx, w)
}

/// CopyObject: a read of the source ([R26] if it is missing), then a write of the copy.
pub(super) fn copy_object(
    world: &mut World,
    cx: &mut Call<'_>,
    bucket: &str,
    key: &str,
    (source_bucket, source_key): (&str, &str),
    acl: AclRequest<'_>,
) -> Result<Outcome, Fail> {
    acl_request::validate(world, &acl, false)?;
    existing_bucket(world, bucket, cx.expected_owner)?;
    existing_bucket(world, source_bucket, None)?;
    read_object(world, cx, source_bucket, source_key, GET_OBJECT, &[])?;
    let w = ObjectWrite {
        bucket,
        key,
        acl,
        extra: vec![(
            "s3:x-amz-copy-source",
            format!("{source_bucket}/{source_key}"),
        )],
        store: true,
    };
    write_object(world, cx, w)
}

/// PutObject, CopyObject's write and CreateMultipartUpload: authorized as s3:PutObject on the
/// bucket ([R13], [R25]); the new object's owner follows Object Ownership ([R2]).
fn write_object(world: &mut World, cx: &mut Call<'_>, w: ObjectWrite<'_>) -> Result<Outcome, Fail> {
    let spec = acl_request::validate(world, &w.acl, false)?;
    let b = existing_bucket(world, w.bucket, cx.expected_owner)?;
    check_acls_enabled_for_write(b, spec.as_ref(), &mut cx.ex)?;
    let mut extra = w.acl.condition_keys();
    extra.extend(w.extra);
    // The PutObject API reference also asks for s3:PutObjectAcl when the upload sets an ACL;
    // walkthrough example 4 grants only s3:PutObject and the upload with --grant-full-control
    // succeeds (https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example4.html,
    // steps 1.2 and 2). The model follows the walkthrough (README, known conflicts).
    let access = Access::bucket("s3:PutObject", w.bucket, Some(w.key), Permission::Write);
    cx.authorize(world, access, &extra)?;
    check_block_public_acls(b, spec.as_ref(), &mut cx.ex)?;
    let owner = ownership::owner_for_write(b, cx.p, spec.as_ref(), &mut cx.ex);
    let obj = ownership::new_object(b, owner.clone(), spec.as_ref());
    if !w.store {
        cx.ok(format!("multipart upload of {} started", w.key));
        return Ok(Outcome::status(200));
    }
    if let Some(b) = world.buckets.get_mut(w.bucket) {
        b.objects.insert(w.key.to_string(), obj);
    }
    cx.ok(format!("object {} written, owner {}", w.key, owner.name()));
    Ok(Outcome {
        owner: Some(owner.name()),
        ..Outcome::status(200)
    })
}

/// [R3] / [R4]: on a BucketOwnerEnforced bucket, writes take no ACL or bucket-owner-full-control.
fn check_acls_enabled_for_write(
    bucket: &Bucket,
    spec: Option<&AclSpec>,
    ex: &mut Explanation,
) -> Result<(), Fail> {
    if !ownership::acls_disabled(bucket) {
        return Ok(());
    }
    match spec {
        None => Ok(()),
        Some(s) if acl::spec_is_bucket_owner_full_control(s, &bucket.owner) => {
            let rule = if matches!(s, AclSpec::Canned(_)) { &rules::R3 } else { &rules::R3_GRANT_EQUIV };
            ex.push(rule, "BucketOwnerEnforced accepts the bucket-owner-full-control ACL");
            Ok(())
        }
        Some(_) => Err(Fail::new(
            400,
            "AccessControlListNotSupported",
            &rules::R3,
            "the bucket is BucketOwnerEnforced (ACLs disabled) and the request sets an ACL other than bucket-owner-full-control",
        )),
    }
}

/// GetObject and HeadObject.
pub(super) fn get_object(
    world: &World,
    cx: &mut Call<'_>,
    bucket: &str,
    key: &str,
) -> Result<Outcome, Fail> {
    existing_bucket(world, bucket, cx.expected_owner)?;
    read_object(world, cx, bucket, key, GET_OBJECT, &[])?;
    cx.ok(format!("object {key} returned"));
    Ok(Outcome::status(200))
}

/// Authorizes a call on an existing object against its ACL ([R14]), or gives the missing-key
/// answer ([R26]).
pub(super) fn read_object(
    world: &World,
    cx: &mut Call<'_>,
    bucket: &str,
    key: &str,
    a: ObjectAction,
    extra: &[(&str, String)],
) -> Result<(), Fail> {
    if !world.buckets[bucket].objects.contains_key(key) {
        return Err(missing_key(world, cx, bucket, key, a.action));
    }
    let access = Access {
        action: a.action,
        bucket,
        key: Some(key),
        scope: Scope::Object(key, a.perm),
    };
    cx.authorize(world, access, extra)
}

/// [R26] a read of a missing key: 403 unless the caller could list the bucket, then 404.
fn missing_key(
    world: &World,
    cx: &mut Call<'_>,
    bucket: &str,
    key: &str,
    action: &'static str,
) -> Fail {
    let keys = s3_keys(world, cx.p, world.buckets.get(bucket), &[]);
    let check = S3Check {
        action,
        bucket,
        key: Some(key),
        scope: Scope::MissingObject,
        keys: &keys,
    };
    if let Err(f) = authorize_s3(world, cx.p, &check, &mut cx.ex) {
        return f;
    }
    let rule = if action == "s3:GetObject" {
        &rules::R26
    } else {
        &rules::R26_OTHER
    };
    let list = S3Check {
        action: "s3:ListBucket",
        bucket,
        key: None,
        scope: Scope::Bucket(Permission::Read),
        keys: &keys,
    };
    let mut probe = Explanation::default();
    match authorize_s3(world, cx.p, &list, &mut probe) {
        Ok(()) => Fail::new(404, "NoSuchKey", rule, format!("key {key:?} does not exist, and the caller may list the bucket")),
        Err(_) => Fail::new(403, "AccessDenied", rule, format!("key {key:?} does not exist, and the caller may not list the bucket (s3:ListBucket)")),
    }
}

pub(super) fn delete_object(
    world: &mut World,
    cx: &mut Call<'_>,
    bucket: &str,
    key: &str,
) -> Result<Outcome, Fail> {
    existing_bucket(world, bucket, cx.expected_owner)?;
    // Delete is authorized on the bucket: bucket WRITE or the bucket owner's policies,
    // whoever owns the object ([R13], [R16]).
    let access = Access::bucket("s3:DeleteObject", bucket, Some(key), Permission::Write);
    cx.authorize(world, access, &[])?;
    let existed = world
        .buckets
        .get_mut(bucket)
        .and_then(|b| b.objects.remove(key))
        .is_some();
    cx.ok(if existed {
        format!("object {key} deleted")
    } else {
        format!("no object {key}: delete is a no-op (204)")
    });
    Ok(Outcome::status(204))
}

pub(super) fn list_objects(
    world: &World,
    cx: &mut Call<'_>,
    bucket: &str,
    prefix: Option<&str>,
) -> Result<Outcome, Fail> {
    let b = existing_bucket(world, bucket, cx.expected_owner)?;
    let extra: Vec<(&str, String)> = prefix
        .iter()
        .map(|p| ("s3:prefix", p.to_string()))
        .collect();
    let access = Access::bucket("s3:ListBucket", bucket, None, Permission::Read);
    cx.authorize(world, access, &extra)?;
    let pre = prefix.unwrap_or("");
    let listed: Vec<String> = b
        .objects
        .keys()
        .filter(|k| k.starts_with(pre))
        .cloned()
        .collect();
    cx.ok(format!("{} key(s) listed", listed.len()));
    Ok(Outcome {
        keys: Some(listed),
        ..Outcome::status(200)
    })
}

/// HeadBucket: the bucket must exist (404) and the caller needs s3:ListBucket on it (403)
/// ([X-head-bucket], HeadBucket API reference, Permissions).
pub(super) fn head_bucket(world: &World, cx: &mut Call<'_>, bucket: &str) -> Result<Outcome, Fail> {
    existing_bucket(world, bucket, cx.expected_owner)?;
    cx.ex.push(
        &rules::X_HEAD_BUCKET,
        "HeadBucket is authorized as s3:ListBucket",
    );
    let access = Access::bucket("s3:ListBucket", bucket, None, Permission::Read);
    cx.authorize(world, access, &[])?;
    cx.ok(format!("bucket {bucket} exists"));
    Ok(Outcome::status(200))
}
