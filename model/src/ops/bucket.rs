//! Buckets themselves: CreateBucket (its Region's LocationConstraint, its Object Ownership, ACL
//! and the permissions they need, the re-creation of an owned bucket),
//! DeleteBucket and ListBuckets.

use super::{acl_request, Access, Call};
use crate::acl::{self, Acl, AclRequest, AclSpec};
use crate::authorize::{authorize_identity, s3_keys};
use crate::outcome::{Fail, Outcome};
use crate::region::{sent_constraint, LocationConstraint, Region};
use crate::rules;
use crate::world::{AccountName, Bucket, ObjectOwnership, Owner, PublicAccessBlock, World};
use std::collections::BTreeMap;

pub(super) fn create_bucket(
    world: &mut World,
    cx: &mut Call<'_>,
    bucket: &str,
    (ownership_value, location): (Option<&str>, &LocationConstraint),
    req: AclRequest<'_>,
) -> Result<Outcome, Fail> {
    check_location(&world.region, sent_constraint(location, &world.region))?;
    let mode = ownership_value.map(parse_ownership).transpose()?;
    let spec = acl_request::validate(world, &req, false)?;
    // [R1] the default is BucketOwnerEnforced.
    let ownership = mode.unwrap_or(ObjectOwnership::BucketOwnerEnforced);
    let Some(owner) = cx.p.account().cloned() else {
        return Err(Fail::new(
            403,
            "AccessDenied",
            &rules::R42,
            "anonymous callers cannot create buckets",
        ));
    };
    if let Some(s) = &spec {
        check_new_bucket_acl(s, ownership, &owner)?;
    }
    authorize_create(world, cx, bucket, mode, spec.as_ref(), &req)?;
    let acl = acl::build(spec.as_ref(), &Owner::Account(owner.clone()), &owner);
    if check_name_free(world, bucket, &owner)? {
        return Ok(recreate_owned(world, cx, bucket, acl));
    }
    world.buckets.insert(
        bucket.to_string(),
        Bucket {
            owner: owner.clone(),
            creator: cx.p.scenario_name(),
            ownership: Some(ownership),
            acl,
            policy: None,
            public_access_block: Some(PublicAccessBlock::ALL_ON),
            objects: BTreeMap::new(),
        },
    );
    cx.ex.decide(&rules::R9, format!("bucket {bucket} created, owned by account {owner} ({}), ObjectOwnership {}, Block Public Access all on", cx.p, ownership.as_str()));
    Ok(Outcome::status(200))
}

/// [X-location-illegal], [X-location-invalid], [X-location-us-east-1]: the LocationConstraint
/// must name the Region the request is sent to, and none is sent in us-east-1.
fn check_location(region: &Region, sent: Option<&str>) -> Result<(), Fail> {
    let illegal = |what: &str, rule| {
        Fail::new(
            400,
            "IllegalLocationConstraintException",
            rule,
            format!("The {what} location constraint is incompatible for the region specific endpoint this request was sent to ({region})."),
        )
    };
    let invalid = |rule| {
        Fail::new(
            400,
            "InvalidLocationConstraint",
            rule,
            "The specified location-constraint is not valid",
        )
    };
    match sent {
        None if region.is_us_east_1() => Ok(()),
        None => Err(illegal("unspecified", &rules::X_LOCATION_ILLEGAL)),
        Some(c) if !Region::is_known_constraint(c) => Err(invalid(&rules::X_LOCATION_INVALID)),
        Some(c) if c == Region::US_EAST_1 => Err(invalid(&rules::X_LOCATION_US_EAST_1)),
        Some(c) if region.is_us_east_1() => Err(illegal(c, &rules::X_LOCATION_US_EAST_1)),
        Some(c) if region.is_named_by(c) => Ok(()),
        Some(c) => Err(illegal(c, &rules::X_LOCATION_ILLEGAL)),
    }
}

/// [X-bucket-recreate-us-east-1]: the bucket's ACL becomes the request's; nothing else changes.
fn recreate_owned(world: &mut World, cx: &mut Call<'_>, bucket: &str, acl: Acl) -> Outcome {
    if let Some(b) = world.buckets.get_mut(bucket) {
        b.acl = acl;
    }
    cx.ex.decide(
        &rules::X_BUCKET_RECREATE,
        format!(
            "{bucket} is already the caller's in us-east-1: 200, its ACL reset to the request's"
        ),
    );
    Outcome::status(200)
}

/// [R7] an invalid ObjectOwnership in CreateBucket is InvalidArgument.
fn parse_ownership(v: &str) -> Result<ObjectOwnership, Fail> {
    ObjectOwnership::parse(v).ok_or_else(|| {
        Fail::new(
            400,
            "InvalidArgument",
            &rules::R7,
            format!("{v:?} is not an ObjectOwnership value"),
        )
    })
}

/// The ACL of a new bucket: none granting others under BucketOwnerEnforced
/// ([X-create-bucket-acl]), and none public, Block Public Access being on
/// ([X-create-bucket-public-acl]).
fn check_new_bucket_acl(
    spec: &AclSpec,
    ownership: ObjectOwnership,
    owner: &AccountName,
) -> Result<(), Fail> {
    if ownership == ObjectOwnership::BucketOwnerEnforced && acl::spec_grants_others(spec, owner) {
        return Err(Fail::new(
            400,
            "InvalidBucketAclWithObjectOwnership",
            &rules::X_CREATE_ACL,
            "an ACL granting others cannot be set on a BucketOwnerEnforced bucket",
        ));
    }
    // A new bucket has Block Public Access on, so a public ACL fails (CreateBucket API
    // reference: "If you try to create a bucket with a public ACL, the request will fail").
    // A 403 is also reported for this; the error AWS users quote is this 400, which we pick.
    if acl::spec_is_public(spec) {
        return Err(Fail::new(
            400,
            "InvalidBucketAclWithBlockPublicAccessError",
            &rules::X_CREATE_PUBLIC_ACL,
            "Bucket cannot have public ACLs set with BlockPublicAccess enabled",
        ));
    }
    Ok(())
}

/// s3:CreateBucket, and [R25a] the permissions setting ownership or a non-private ACL needs.
fn authorize_create(
    world: &World,
    cx: &mut Call<'_>,
    bucket: &str,
    mode: Option<ObjectOwnership>,
    spec: Option<&AclSpec>,
    req: &AclRequest<'_>,
) -> Result<(), Fail> {
    let mut extra = req.condition_keys();
    if let Some(m) = mode {
        extra.push(("s3:x-amz-object-ownership", m.as_str().into()));
    }
    let keys = s3_keys(world, cx.p, None, &extra);
    let arn = format!("arn:aws:s3:::{bucket}");
    let mut needed = vec!["s3:CreateBucket"];
    if mode.is_some() {
        needed.push("s3:PutBucketOwnershipControls");
    }
    if spec.is_some_and(|s| *s != AclSpec::Canned("private".into())) {
        needed.push("s3:PutBucketAcl");
    }
    for action in needed {
        authorize_identity(world, cx.p, action, &arn, &keys, &mut cx.ex)?;
    }
    Ok(())
}

/// [X-bucket-exists] bucket names are global: taken by another account, 409 everywhere;
/// [X-bucket-owned] taken by the caller's, 409 outside us-east-1. `Ok(true)`: the caller's
/// own bucket in us-east-1, re-created ([X-bucket-recreate-us-east-1]).
fn check_name_free(world: &World, bucket: &str, owner: &AccountName) -> Result<bool, Fail> {
    let Some(existing) = world.buckets.get(bucket) else {
        return Ok(false);
    };
    if existing.owner != *owner {
        return Err(Fail::new(
            409,
            "BucketAlreadyExists",
            &rules::X_BUCKET_EXISTS,
            format!("{bucket} belongs to another account"),
        ));
    }
    if world.region.is_us_east_1() {
        return Ok(true);
    }
    Err(Fail::new(
        409,
        "BucketAlreadyOwnedByYou",
        &rules::X_BUCKET_OWNED,
        format!(
            "{owner} already owns {bucket} (in {}, not us-east-1)",
            world.region
        ),
    ))
}

pub(super) fn delete_bucket(
    world: &mut World,
    cx: &mut Call<'_>,
    bucket: &str,
) -> Result<Outcome, Fail> {
    let b = super::existing_bucket(world, bucket, cx.expected_owner)?;
    cx.authorize(world, Access::config("s3:DeleteBucket", bucket), &[])?;
    if !b.objects.is_empty() {
        return Err(Fail::new(
            409,
            "BucketNotEmpty",
            &rules::X_BUCKET_NOT_EMPTY,
            format!("bucket {bucket} holds {} object(s)", b.objects.len()),
        ));
    }
    world.buckets.remove(bucket);
    cx.ok(format!("bucket {bucket} deleted"));
    Ok(Outcome::status(204))
}

/// ListBuckets: an identity-only permission; the buckets the caller's account owns.
pub(super) fn list_buckets(world: &World, cx: &mut Call<'_>) -> Result<Outcome, Fail> {
    let keys = s3_keys(world, cx.p, None, &[]);
    authorize_identity(
        world,
        cx.p,
        "s3:ListAllMyBuckets",
        "arn:aws:s3:::*",
        &keys,
        &mut cx.ex,
    )?;
    let mine: Vec<String> = world
        .buckets
        .iter()
        .filter(|(_, b)| cx.p.account() == Some(&b.owner))
        .map(|(n, _)| n.clone())
        .collect();
    cx.ok(format!(
        "{} bucket(s) owned by the caller's account",
        mine.len()
    ));
    Ok(Outcome {
        buckets: Some(mine),
        ..Outcome::status(200)
    })
}
