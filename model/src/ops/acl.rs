//! ACLs of buckets and objects: PutBucketAcl, GetBucketAcl, PutObjectAcl and GetObjectAcl. A
//! new ACL replaces the old one ([R11], [R12]); while ACLs are disabled the Put calls fail and
//! the Get calls show the bucket owner alone ([R4]).

use super::object::{read_object, ObjectAction};
use super::{acl_request, check_block_public_acls, existing_bucket, Access, Call};
use crate::acl::{self, Acl, AclRequest, AclSpec, Permission};
use crate::outcome::{Explanation, Fail, GrantView, Outcome};
use crate::ownership;
use crate::rules::{self, Rule};
use crate::world::{Bucket, Owner, World};

pub(super) fn put_bucket_acl(
    world: &mut World,
    cx: &mut Call<'_>,
    bucket: &str,
    req: AclRequest<'_>,
) -> Result<Outcome, Fail> {
    let (spec, b) = checks_before_authorization(world, cx, bucket, &req)?;
    let access = Access::bucket("s3:PutBucketAcl", bucket, None, Permission::WriteAcp);
    cx.authorize(world, access, &req.condition_keys())?;
    check_block_public_acls(b, spec.as_ref(), &mut cx.ex)?;
    let owner = b.owner.clone();
    let new_acl = acl::build(spec.as_ref(), &Owner::Account(owner.clone()), &owner);
    if let Some(b) = world.buckets.get_mut(bucket) {
        b.acl = new_acl;
    }
    cx.ex.decide(
        replacement_rule(spec.as_ref()),
        format!("bucket ACL of {bucket} replaced"),
    );
    Ok(Outcome::status(200))
}

pub(super) fn get_bucket_acl(
    world: &World,
    cx: &mut Call<'_>,
    bucket: &str,
) -> Result<Outcome, Fail> {
    let b = existing_bucket(world, bucket, cx.expected_owner)?;
    let access = Access::bucket("s3:GetBucketAcl", bucket, None, Permission::ReadAcp);
    cx.authorize(world, access, &[])?;
    let acl = ownership::effective_bucket_acl(b);
    hidden_grants_note(b, &b.acl, &mut cx.ex);
    if ownership::acls_disabled(b) {
        cx.ex.decide(&rules::R4, ACLS_DISABLED_VIEW);
    } else {
        cx.ok("bucket ACL returned");
    }
    Ok(acl_outcome(&acl))
}

pub(super) fn put_object_acl(
    world: &mut World,
    cx: &mut Call<'_>,
    bucket: &str,
    key: &str,
    req: AclRequest<'_>,
) -> Result<Outcome, Fail> {
    let (spec, b) = checks_before_authorization(world, cx, bucket, &req)?;
    let extra = req.condition_keys();
    read_object(world, cx, bucket, key, PUT_OBJECT_ACL, &extra)?;
    check_block_public_acls(b, spec.as_ref(), &mut cx.ex)?;
    let bucket_owner = b.owner.clone();
    let Some(o) = world
        .buckets
        .get_mut(bucket)
        .and_then(|b| b.objects.get_mut(key))
    else {
        return Err(Fail::new(404, "NoSuchKey", &rules::R26_OTHER, "gone"));
    };
    o.acl = acl::build(spec.as_ref(), &o.owner, &bucket_owner);
    cx.ex.decide(
        replacement_rule(spec.as_ref()),
        format!(
            "object ACL of {key} replaced; owner stays {}",
            o.owner.name()
        ),
    );
    Ok(Outcome::status(200))
}

pub(super) fn get_object_acl(
    world: &World,
    cx: &mut Call<'_>,
    bucket: &str,
    key: &str,
) -> Result<Outcome, Fail> {
    existing_bucket(world, bucket, cx.expected_owner)?;
    read_object(world, cx, bucket, key, GET_OBJECT_ACL, &[])?;
    let b = &world.buckets[bucket];
    let acl = ownership::effective_object_acl(b, &b.objects[key]);
    hidden_grants_note(b, &b.objects[key].acl, &mut cx.ex);
    if ownership::acls_disabled(b) {
        cx.ex.decide(&rules::R4, ACLS_DISABLED_VIEW);
    } else {
        cx.ok("object ACL returned");
    }
    Ok(acl_outcome(&acl))
}

/// [R33a] says when IgnorePublicAcls leaves public grants out of the ACL shown.
fn hidden_grants_note(b: &Bucket, stored: &Acl, ex: &mut Explanation) {
    if ownership::hides_public_grants(b, stored) {
        ex.push(
            &rules::R33A,
            "IgnorePublicAcls: the ACL shown leaves out its public grants",
        );
    }
}

const PUT_OBJECT_ACL: ObjectAction = ObjectAction {
    action: "s3:PutObjectAcl",
    perm: Permission::WriteAcp,
};

const GET_OBJECT_ACL: ObjectAction = ObjectAction {
    action: "s3:GetObjectAcl",
    perm: Permission::ReadAcp,
};

/// What Put*Acl checks before authorization: the ACL's syntax ([R5]), the bucket and its
/// expected owner ([R27]), and that ACLs are enabled ([R4]).
fn checks_before_authorization<'w>(
    world: &'w World,
    cx: &Call<'_>,
    bucket: &str,
    req: &AclRequest<'_>,
) -> Result<(Option<AclSpec>, &'w Bucket), Fail> {
    let spec = acl_request::validate(world, req, true)?;
    let b = existing_bucket(world, bucket, cx.expected_owner)?;
    check_acls_enabled(b)?;
    Ok((spec, b))
}

/// [R4] Put*Acl on a BucketOwnerEnforced bucket: ACLs are disabled.
fn check_acls_enabled(bucket: &Bucket) -> Result<(), Fail> {
    if ownership::acls_disabled(bucket) {
        return Err(Fail::new(
            400,
            "AccessControlListNotSupported",
            &rules::R4,
            "the bucket is BucketOwnerEnforced: ACLs are disabled",
        ));
    }
    Ok(())
}

/// [R4] what Get*Acl says while ACLs are disabled.
const ACLS_DISABLED_VIEW: &str =
    "ACLs are disabled: the ACL shows the bucket owner with FULL_CONTROL only";

/// Explicit grants make an ACL of exactly those grants ([R12]); a canned ACL adds the owner's
/// FULL_CONTROL ([R11]).
fn replacement_rule(spec: Option<&AclSpec>) -> &'static Rule {
    if matches!(spec, Some(AclSpec::Grants(_))) {
        &rules::R12
    } else {
        &rules::R11
    }
}

/// A Get*Acl result: the ACL's owner and its grants.
fn acl_outcome(acl: &Acl) -> Outcome {
    let grants = acl
        .grants
        .iter()
        .map(|g| GrantView {
            grantee: g.grantee.name(),
            permission: g.permission.as_str().into(),
        })
        .collect();
    Outcome {
        owner: Some(acl.owner.name()),
        grants: Some(grants),
        ..Outcome::status(200)
    }
}
