//! Bucket configuration only the bucket owner's policies grant ([R13]): Object Ownership
//! controls ([R6]–[R8]), the bucket's Block Public Access ([R31]) and the bucket policy
//! ([R28]–[R30], [R34]).

use super::iam::check_principals_exist;
use super::{existing_bucket, malformed, Access, Call};
use crate::outcome::{Fail, Outcome, PabView};
use crate::policy::{Policy, PolicyKind};
use crate::principal::Principal;
use crate::rules;
use crate::world::{ObjectOwnership, PublicAccessBlock, World};
use serde_json::Value;

pub(super) fn put_bucket_ownership_controls(
    world: &mut World,
    cx: &mut Call<'_>,
    bucket: &str,
    value: &str,
) -> Result<Outcome, Fail> {
    // [R7] an invalid value is MalformedXML.
    let Some(mode) = ObjectOwnership::parse(value) else {
        return Err(Fail::new(
            400,
            "MalformedXML",
            &rules::R7,
            format!("{value:?} is not an ObjectOwnership value"),
        ));
    };
    let b = existing_bucket(world, bucket, cx.expected_owner)?;
    let extra = [("s3:x-amz-object-ownership", mode.as_str().to_string())];
    let access = Access::config("s3:PutBucketOwnershipControls", bucket);
    cx.authorize(world, access, &extra)?;
    // [R6] ACLs cannot be disabled while the bucket ACL grants others.
    if mode == ObjectOwnership::BucketOwnerEnforced && b.acl.grants_others() {
        return Err(Fail::new(
            400,
            "InvalidBucketAclWithObjectOwnership",
            &rules::R6,
            "the bucket ACL grants access to others than the bucket owner",
        ));
    }
    let b = world
        .buckets
        .get_mut(bucket)
        .ok_or_else(|| Fail::new(404, "NoSuchBucket", &rules::X_NO_BUCKET, "gone"))?;
    b.ownership = Some(mode);
    cx.ex.decide(
        &rules::R7A,
        format!("ownership of {bucket} is now {}", mode.as_str()),
    );
    Ok(Outcome::status(200))
}

pub(super) fn get_bucket_ownership_controls(
    world: &World,
    cx: &mut Call<'_>,
    bucket: &str,
) -> Result<Outcome, Fail> {
    let b = existing_bucket(world, bucket, cx.expected_owner)?;
    cx.authorize_config(world, "s3:GetBucketOwnershipControls", bucket)?;
    let Some(m) = b.ownership else {
        return Err(Fail::new(
            404,
            "OwnershipControlsNotFoundError",
            &rules::R7,
            "the bucket has no ownership controls",
        ));
    };
    cx.ok(format!("ownership is {}", m.as_str()));
    Ok(Outcome {
        ownership: Some(m.as_str().into()),
        ..Outcome::status(200)
    })
}

pub(super) fn delete_bucket_ownership_controls(
    world: &mut World,
    cx: &mut Call<'_>,
    bucket: &str,
) -> Result<Outcome, Fail> {
    existing_bucket(world, bucket, cx.expected_owner)?;
    // DeleteBucketOwnershipControls is authorized as s3:PutBucketOwnershipControls (API reference).
    cx.authorize_config(world, "s3:PutBucketOwnershipControls", bucket)?;
    if let Some(b) = world.buckets.get_mut(bucket) {
        b.ownership = None;
    }
    cx.ex.decide(
        &rules::R8,
        format!("{bucket} has no ownership controls: ACLs enabled, writers own their objects"),
    );
    Ok(Outcome::status(204))
}

pub(super) fn put_public_access_block(
    world: &mut World,
    cx: &mut Call<'_>,
    bucket: &str,
    pab: PublicAccessBlock,
) -> Result<Outcome, Fail> {
    existing_bucket(world, bucket, cx.expected_owner)?;
    cx.authorize_config(world, "s3:PutBucketPublicAccessBlock", bucket)?;
    if let Some(b) = world.buckets.get_mut(bucket) {
        b.public_access_block = Some(pab);
    }
    cx.ex.decide(
        &rules::R31,
        format!("public access block of {bucket} replaced (omitted flags are false)"),
    );
    Ok(Outcome::status(200))
}

pub(super) fn get_public_access_block(
    world: &World,
    cx: &mut Call<'_>,
    bucket: &str,
) -> Result<Outcome, Fail> {
    let b = existing_bucket(world, bucket, cx.expected_owner)?;
    cx.authorize_config(world, "s3:GetBucketPublicAccessBlock", bucket)?;
    let Some(pab) = &b.public_access_block else {
        return Err(Fail::new(
            404,
            "NoSuchPublicAccessBlockConfiguration",
            &rules::R31,
            "the bucket has no public access block",
        ));
    };
    cx.ok("public access block returned");
    Ok(Outcome {
        public_access_block: Some(pab_view(pab)),
        ..Outcome::status(200)
    })
}

fn pab_view(p: &PublicAccessBlock) -> PabView {
    PabView {
        block_public_acls: p.block_public_acls,
        ignore_public_acls: p.ignore_public_acls,
        block_public_policy: p.block_public_policy,
        restrict_public_buckets: p.restrict_public_buckets,
    }
}

pub(super) fn delete_public_access_block(
    world: &mut World,
    cx: &mut Call<'_>,
    bucket: &str,
) -> Result<Outcome, Fail> {
    existing_bucket(world, bucket, cx.expected_owner)?;
    // Authorized as s3:PutBucketPublicAccessBlock (DeletePublicAccessBlock API reference).
    cx.authorize_config(world, "s3:PutBucketPublicAccessBlock", bucket)?;
    if let Some(b) = world.buckets.get_mut(bucket) {
        b.public_access_block = None;
    }
    cx.ex.decide(
        &rules::R31,
        format!("public access block of {bucket} deleted"),
    );
    Ok(Outcome::status(204))
}

pub(super) fn put_bucket_policy(
    world: &mut World,
    cx: &mut Call<'_>,
    bucket: &str,
    policy: &Value,
) -> Result<Outcome, Fail> {
    let parsed = Policy::parse(PolicyKind::Bucket, policy).map_err(malformed)?;
    let b = existing_bucket(world, bucket, cx.expected_owner)?;
    bucket_policy_call(world, cx, bucket, "s3:PutBucketPolicy")?;
    parsed
        .check_bucket_resources(bucket)
        .map_err(|e| Fail::new(400, e.code(), &rules::R25, e.message))?;
    check_principals_exist(world, &parsed, PolicyKind::Bucket)?;
    // [R34] BlockPublicPolicy refuses a public policy.
    if b.public_access_block
        .unwrap_or_default()
        .block_public_policy
        && parsed.is_public()
    {
        return Err(Fail::new(
            403,
            "AccessDenied",
            &rules::R34,
            "BlockPublicPolicy is on and the policy is public",
        ));
    }
    if let Some(b) = world.buckets.get_mut(bucket) {
        b.policy = Some(parsed);
    }
    cx.ex
        .decide(&rules::R30, format!("bucket policy of {bucket} set"));
    Ok(Outcome::status(204))
}

pub(super) fn get_bucket_policy(
    world: &World,
    cx: &mut Call<'_>,
    bucket: &str,
) -> Result<Outcome, Fail> {
    let b = existing_bucket(world, bucket, cx.expected_owner)?;
    bucket_policy_call(world, cx, bucket, "s3:GetBucketPolicy")?;
    if b.policy.is_none() {
        return Err(Fail::new(
            404,
            "NoSuchBucketPolicy",
            &rules::R30,
            "the bucket has no policy",
        ));
    }
    cx.ok("bucket policy returned");
    Ok(Outcome::status(200))
}

pub(super) fn delete_bucket_policy(
    world: &mut World,
    cx: &mut Call<'_>,
    bucket: &str,
) -> Result<Outcome, Fail> {
    existing_bucket(world, bucket, cx.expected_owner)?;
    bucket_policy_call(world, cx, bucket, "s3:DeleteBucketPolicy")?;
    if let Some(b) = world.buckets.get_mut(bucket) {
        b.policy = None;
    }
    cx.ex.decide(
        &rules::R30,
        format!("bucket policy of {bucket} deleted (204 even if there was none)"),
    );
    Ok(Outcome::status(204))
}

/// [R28] / [R29]: bucket-policy calls. The owning account's root always may; others need
/// permission (403) and must belong to the owning account (405).
fn bucket_policy_call(
    world: &World,
    cx: &mut Call<'_>,
    bucket: &str,
    action: &'static str,
) -> Result<(), Fail> {
    let b = &world.buckets[bucket];
    let p = cx.p;
    if matches!(p, Principal::Root { account } if *account == b.owner) {
        cx.ex.decide(
            &rules::R29,
            format!("{p} is the owning account's root: {action} is always allowed"),
        );
        return Ok(());
    }
    cx.authorize_config(world, action, bucket)?;
    if p.account() != Some(&b.owner) {
        return Err(Fail::new(
            405,
            "MethodNotAllowed",
            &rules::R28,
            format!(
                "{p} is allowed {action} but is not of the owning account {}",
                b.owner
            ),
        ));
    }
    Ok(())
}
