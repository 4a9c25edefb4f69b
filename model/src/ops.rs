//! `step`: one scenario step applied to the world. Each operation checks, in the order AWS
//! documents (docs/ARCHITECTURE.md, "How the model decides"): request validation, the bucket's existence and expected
//! owner, ACLs-disabled checks, authorization, Block Public Access, existence of the key and
//! other state; then it changes the world and says what it returns.

mod acl_request;

use crate::acl::{self, AclRequest, AclSpec, Permission};
use crate::authorize::{self, authorize_identity, authorize_s3, S3Check, Scope};
use crate::outcome::{Explanation, Fail, GrantView, Outcome, PabView};
use crate::ownership;
use crate::policy::{Keys, Policy, PolicyError, PolicyKind};
use crate::principal::{parse_role_arn, role_arn, session_arn, user_arn, Principal};
use crate::rules;
use crate::scenario::{Op, PlaceholderError, Step};
use crate::world::{
    role_id_for, user_id_for, AccountName, Bucket, ObjectOwnership, Owner, PublicAccessBlock, Role,
    Session, User, World,
};
use std::collections::BTreeMap;

/// Why a step could not be applied at all (the scenario is wrong for this world, not AWS
/// refusing a request): an unknown principal or account placeholder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Principal(#[from] crate::principal::PrincipalError),
    #[error(transparent)]
    Placeholder(#[from] PlaceholderError),
}

/// Applies one step: the outcome AWS would give and the rules that decided it.
pub fn step(world: &mut World, step: &Step) -> Result<(Outcome, Explanation), StepError> {
    let step = step.resolved(world)?;
    let principal = Principal::resolve(world, &step.as_)?;
    let mut ex = Explanation::default();
    let outcome = match apply(world, &principal, &step, &mut ex) {
        Ok(o) => o,
        Err(f) => {
            ex.decide(f.rule, f.detail);
            // HEAD responses carry no body, so no error code ([R26], HeadObject API reference).
            let code = (!matches!(step.op, Op::HeadObject { .. })).then_some(f.code);
            Outcome {
                status: f.status,
                code,
                ..Default::default()
            }
        }
    };
    Ok((outcome, ex))
}

fn malformed(e: PolicyError) -> Fail {
    Fail::new(400, e.code(), &rules::P_LANG, e.message)
}

fn ok(ex: &mut Explanation, detail: impl Into<String>) {
    ex.push(&rules::X_OK, detail);
}

/// The S3 condition keys of a request on `bucket` (IAM global keys plus s3:ResourceAccount).
fn s3_keys(
    world: &World,
    p: &Principal,
    bucket: Option<&Bucket>,
    extra: &[(&str, String)],
) -> Keys {
    let mut k = authorize::base_keys(world, p);
    if let Some(b) = bucket {
        k.insert(
            "s3:resourceaccount".into(),
            vec![world.id_of(&b.owner).to_string()],
        );
    }
    for (name, v) in extra {
        k.entry(name.to_ascii_lowercase())
            .or_default()
            .push(v.clone());
    }
    k
}

/// [X-no-such-bucket] then [R27]: the bucket exists and is owned by the expected account.
fn existing_bucket<'w>(
    world: &'w World,
    name: &str,
    expected_owner: Option<&str>,
) -> Result<&'w Bucket, Fail> {
    let b = world.buckets.get(name).ok_or_else(|| {
        Fail::new(
            404,
            "NoSuchBucket",
            &rules::X_NO_BUCKET,
            format!("bucket {name} does not exist"),
        )
    })?;
    if let Some(id) = expected_owner {
        if world.id_of(&b.owner) != id {
            return Err(Fail::new(
                403,
                "AccessDenied",
                &rules::R27,
                format!(
                    "x-amz-expected-bucket-owner {} is not the bucket owner {}",
                    world.redact(id),
                    b.owner
                ),
            ));
        }
    }
    Ok(b)
}

/// [R27] the header must be a 12-digit account id (request validation).
fn validate_expected_owner(v: Option<&str>) -> Result<(), Fail> {
    match v {
        Some(id) if !(id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())) => Err(Fail::new(
            400,
            "InvalidBucketOwnerAWSAccountID",
            &rules::R27,
            format!("x-amz-expected-bucket-owner {id:?} is not a 12-digit account id"),
        )),
        _ => Ok(()),
    }
}

fn grants_view(acl: &acl::Acl) -> Vec<GrantView> {
    acl.grants
        .iter()
        .map(|g| GrantView {
            grantee: g.grantee.name(),
            permission: g.permission.as_str().into(),
        })
        .collect()
}

fn pab_view(p: &PublicAccessBlock) -> PabView {
    PabView {
        block_public_acls: p.block_public_acls,
        ignore_public_acls: p.ignore_public_acls,
        block_public_policy: p.block_public_policy,
        restrict_public_buckets: p.restrict_public_buckets,
    }
}

/// [R32] BlockPublicAcls refuses a request that sets a public ACL.
fn check_block_public_acls(
    bucket: &Bucket,
    spec: Option<&AclSpec>,
    ex: &mut Explanation,
) -> Result<(), Fail> {
    let pab = bucket.public_access_block.unwrap_or_default();
    match spec {
        Some(s) if acl::spec_is_public(s) => {
            if pab.block_public_acls {
                return Err(Fail::new(
                    403,
                    "AccessDenied",
                    &rules::R32,
                    "BlockPublicAcls is on and the request sets a public ACL",
                ));
            }
            ex.push(&rules::R32, "the ACL is public, and BlockPublicAcls is off");
            Ok(())
        }
        _ => Ok(()),
    }
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

/// [R26] a read of a missing key: 403 unless the caller could list the bucket, then 404.
fn missing_key(
    world: &World,
    p: &Principal,
    bucket: &str,
    key: &str,
    action: &'static str,
    ex: &mut Explanation,
) -> Fail {
    let b = &world.buckets[bucket];
    let keys = s3_keys(world, p, Some(b), &[]);
    let check = S3Check {
        action,
        bucket,
        key: Some(key),
        scope: Scope::MissingObject,
        keys: &keys,
    };
    if let Err(f) = authorize_s3(world, p, &check, ex) {
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
    match authorize_s3(world, p, &list, &mut probe) {
        Ok(()) => Fail::new(404, "NoSuchKey", rule, format!("key {key:?} does not exist, and the caller may list the bucket")),
        Err(_) => Fail::new(403, "AccessDenied", rule, format!("key {key:?} does not exist, and the caller may not list the bucket (s3:ListBucket)")),
    }
}

fn apply(
    world: &mut World,
    p: &Principal,
    step: &Step,
    ex: &mut Explanation,
) -> Result<Outcome, Fail> {
    validate_expected_owner(step.expected_bucket_owner.as_deref())?;
    let ebo = step.expected_bucket_owner.as_deref();
    match &step.op {
        Op::CreateBucket {
            bucket,
            object_ownership,
            acl,
            grants,
        } => create_bucket(
            world,
            p,
            bucket,
            object_ownership.as_deref(),
            AclRequest {
                canned: acl.as_deref(),
                grants: grants.as_ref(),
                policy: None,
            },
            ex,
        ),
        Op::DeleteBucket { bucket } => {
            let b = existing_bucket(world, bucket, ebo)?;
            let keys = s3_keys(world, p, Some(b), &[]);
            authorize_s3(
                world,
                p,
                &S3Check {
                    action: "s3:DeleteBucket",
                    bucket,
                    key: None,
                    scope: Scope::BucketConfig,
                    keys: &keys,
                },
                ex,
            )?;
            if !b.objects.is_empty() {
                return Err(Fail::new(
                    409,
                    "BucketNotEmpty",
                    &rules::X_BUCKET_NOT_EMPTY,
                    format!("bucket {bucket} holds {} object(s)", b.objects.len()),
                ));
            }
            world.buckets.remove(bucket);
            ok(ex, format!("bucket {bucket} deleted"));
            Ok(Outcome::status(204))
        }
        Op::PutBucketOwnershipControls {
            bucket,
            object_ownership,
        } => {
            // [R7] an invalid value is MalformedXML.
            let Some(mode) = ObjectOwnership::parse(object_ownership) else {
                return Err(Fail::new(
                    400,
                    "MalformedXML",
                    &rules::R7,
                    format!("{object_ownership:?} is not an ObjectOwnership value"),
                ));
            };
            let b = existing_bucket(world, bucket, ebo)?;
            let keys = s3_keys(
                world,
                p,
                Some(b),
                &[("s3:x-amz-object-ownership", mode.as_str().into())],
            );
            authorize_s3(
                world,
                p,
                &S3Check {
                    action: "s3:PutBucketOwnershipControls",
                    bucket,
                    key: None,
                    scope: Scope::BucketConfig,
                    keys: &keys,
                },
                ex,
            )?;
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
                .get_mut(bucket.as_str())
                .ok_or_else(|| Fail::new(404, "NoSuchBucket", &rules::X_NO_BUCKET, "gone"))?;
            b.ownership = Some(mode);
            ex.decide(
                &rules::R7A,
                format!("ownership of {bucket} is now {}", mode.as_str()),
            );
            Ok(Outcome::status(200))
        }
        Op::GetBucketOwnershipControls { bucket } => {
            let b = existing_bucket(world, bucket, ebo)?;
            let keys = s3_keys(world, p, Some(b), &[]);
            authorize_s3(
                world,
                p,
                &S3Check {
                    action: "s3:GetBucketOwnershipControls",
                    bucket,
                    key: None,
                    scope: Scope::BucketConfig,
                    keys: &keys,
                },
                ex,
            )?;
            match b.ownership {
                Some(m) => {
                    ok(ex, format!("ownership is {}", m.as_str()));
                    Ok(Outcome {
                        ownership: Some(m.as_str().into()),
                        ..Outcome::status(200)
                    })
                }
                None => Err(Fail::new(
                    404,
                    "OwnershipControlsNotFoundError",
                    &rules::R7,
                    "the bucket has no ownership controls",
                )),
            }
        }
        Op::DeleteBucketOwnershipControls { bucket } => {
            let b = existing_bucket(world, bucket, ebo)?;
            let keys = s3_keys(world, p, Some(b), &[]);
            // DeleteBucketOwnershipControls is authorized as s3:PutBucketOwnershipControls (API reference).
            authorize_s3(
                world,
                p,
                &S3Check {
                    action: "s3:PutBucketOwnershipControls",
                    bucket,
                    key: None,
                    scope: Scope::BucketConfig,
                    keys: &keys,
                },
                ex,
            )?;
            if let Some(b) = world.buckets.get_mut(bucket.as_str()) {
                b.ownership = None;
            }
            ex.decide(
                &rules::R8,
                format!(
                    "{bucket} has no ownership controls: ACLs enabled, writers own their objects"
                ),
            );
            Ok(Outcome::status(204))
        }
        Op::PutPublicAccessBlock {
            bucket,
            block_public_acls,
            ignore_public_acls,
            block_public_policy,
            restrict_public_buckets,
        } => {
            let b = existing_bucket(world, bucket, ebo)?;
            let keys = s3_keys(world, p, Some(b), &[]);
            authorize_s3(
                world,
                p,
                &S3Check {
                    action: "s3:PutBucketPublicAccessBlock",
                    bucket,
                    key: None,
                    scope: Scope::BucketConfig,
                    keys: &keys,
                },
                ex,
            )?;
            let pab = PublicAccessBlock {
                block_public_acls: *block_public_acls,
                ignore_public_acls: *ignore_public_acls,
                block_public_policy: *block_public_policy,
                restrict_public_buckets: *restrict_public_buckets,
            };
            if let Some(b) = world.buckets.get_mut(bucket.as_str()) {
                b.public_access_block = Some(pab);
            }
            ex.decide(
                &rules::R31,
                format!("public access block of {bucket} replaced (omitted flags are false)"),
            );
            Ok(Outcome::status(200))
        }
        Op::GetPublicAccessBlock { bucket } => {
            let b = existing_bucket(world, bucket, ebo)?;
            let keys = s3_keys(world, p, Some(b), &[]);
            authorize_s3(
                world,
                p,
                &S3Check {
                    action: "s3:GetBucketPublicAccessBlock",
                    bucket,
                    key: None,
                    scope: Scope::BucketConfig,
                    keys: &keys,
                },
                ex,
            )?;
            match &b.public_access_block {
                Some(pab) => {
                    ok(ex, "public access block returned");
                    Ok(Outcome {
                        public_access_block: Some(pab_view(pab)),
                        ..Outcome::status(200)
                    })
                }
                None => Err(Fail::new(
                    404,
                    "NoSuchPublicAccessBlockConfiguration",
                    &rules::R31,
                    "the bucket has no public access block",
                )),
            }
        }
        Op::DeletePublicAccessBlock { bucket } => {
            let b = existing_bucket(world, bucket, ebo)?;
            let keys = s3_keys(world, p, Some(b), &[]);
            // Authorized as s3:PutBucketPublicAccessBlock (DeletePublicAccessBlock API reference).
            authorize_s3(
                world,
                p,
                &S3Check {
                    action: "s3:PutBucketPublicAccessBlock",
                    bucket,
                    key: None,
                    scope: Scope::BucketConfig,
                    keys: &keys,
                },
                ex,
            )?;
            if let Some(b) = world.buckets.get_mut(bucket.as_str()) {
                b.public_access_block = None;
            }
            ex.decide(
                &rules::R31,
                format!("public access block of {bucket} deleted"),
            );
            Ok(Outcome::status(204))
        }
        Op::PutBucketPolicy { bucket, policy } => {
            let parsed = Policy::parse(PolicyKind::Bucket, policy).map_err(malformed)?;
            let b = existing_bucket(world, bucket, ebo)?;
            bucket_policy_call(world, p, bucket, "s3:PutBucketPolicy", ex)?;
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
            if let Some(b) = world.buckets.get_mut(bucket.as_str()) {
                b.policy = Some(parsed);
            }
            ex.decide(&rules::R30, format!("bucket policy of {bucket} set"));
            Ok(Outcome::status(204))
        }
        Op::GetBucketPolicy { bucket } => {
            let b = existing_bucket(world, bucket, ebo)?;
            bucket_policy_call(world, p, bucket, "s3:GetBucketPolicy", ex)?;
            if b.policy.is_none() {
                return Err(Fail::new(
                    404,
                    "NoSuchBucketPolicy",
                    &rules::R30,
                    "the bucket has no policy",
                ));
            }
            ok(ex, "bucket policy returned");
            Ok(Outcome::status(200))
        }
        Op::DeleteBucketPolicy { bucket } => {
            existing_bucket(world, bucket, ebo)?;
            bucket_policy_call(world, p, bucket, "s3:DeleteBucketPolicy", ex)?;
            if let Some(b) = world.buckets.get_mut(bucket.as_str()) {
                b.policy = None;
            }
            ex.decide(
                &rules::R30,
                format!("bucket policy of {bucket} deleted (204 even if there was none)"),
            );
            Ok(Outcome::status(204))
        }
        Op::PutBucketAcl {
            bucket,
            acl,
            grants,
            access_control_policy,
        } => {
            let req = AclRequest {
                canned: acl.as_deref(),
                grants: grants.as_ref(),
                policy: access_control_policy.as_ref(),
            };
            let spec = acl_request::validate(world, &req, true)?;
            let b = existing_bucket(world, bucket, ebo)?;
            if ownership::acls_disabled(b) {
                return Err(Fail::new(
                    400,
                    "AccessControlListNotSupported",
                    &rules::R4,
                    "the bucket is BucketOwnerEnforced: ACLs are disabled",
                ));
            }
            let keys = s3_keys(world, p, Some(b), &req.condition_keys());
            authorize_s3(
                world,
                p,
                &S3Check {
                    action: "s3:PutBucketAcl",
                    bucket,
                    key: None,
                    scope: Scope::Bucket(Permission::WriteAcp),
                    keys: &keys,
                },
                ex,
            )?;
            check_block_public_acls(b, spec.as_ref(), ex)?;
            let owner = b.owner.clone();
            let new_acl = acl::build(spec.as_ref(), &Owner::Account(owner.clone()), &owner);
            if let Some(b) = world.buckets.get_mut(bucket.as_str()) {
                b.acl = new_acl;
            }
            ex.decide(
                if matches!(spec, Some(AclSpec::Grants(_))) {
                    &rules::R12
                } else {
                    &rules::R11
                },
                format!("bucket ACL of {bucket} replaced"),
            );
            Ok(Outcome::status(200))
        }
        Op::GetBucketAcl { bucket } => {
            let b = existing_bucket(world, bucket, ebo)?;
            let keys = s3_keys(world, p, Some(b), &[]);
            authorize_s3(
                world,
                p,
                &S3Check {
                    action: "s3:GetBucketAcl",
                    bucket,
                    key: None,
                    scope: Scope::Bucket(Permission::ReadAcp),
                    keys: &keys,
                },
                ex,
            )?;
            let acl = ownership::effective_bucket_acl(b);
            if ownership::acls_disabled(b) {
                ex.decide(
                    &rules::R4,
                    "ACLs are disabled: the ACL shows the bucket owner with FULL_CONTROL only",
                );
            } else {
                ok(ex, "bucket ACL returned");
            }
            Ok(Outcome {
                owner: Some(acl.owner.name()),
                grants: Some(grants_view(&acl)),
                ..Outcome::status(200)
            })
        }
        Op::PutObject {
            bucket,
            key,
            acl,
            grants,
        }
        | Op::CreateMultipartUpload {
            bucket,
            key,
            acl,
            grants,
        } => {
            let store = matches!(step.op, Op::PutObject { .. });
            let req = AclRequest {
                canned: acl.as_deref(),
                grants: grants.as_ref(),
                policy: None,
            };
            write_object(world, p, bucket, key, req, ebo, store, &[], ex)
        }
        Op::CopyObject {
            bucket,
            key,
            source_bucket,
            source_key,
            acl,
            grants,
        } => {
            let req = AclRequest {
                canned: acl.as_deref(),
                grants: grants.as_ref(),
                policy: None,
            };
            acl_request::validate(world, &req, false)?;
            existing_bucket(world, bucket, ebo)?;
            existing_bucket(world, source_bucket, None)?;
            read_object(
                world,
                p,
                source_bucket,
                source_key,
                "s3:GetObject",
                Permission::Read,
                ex,
            )?;
            let source = format!("{source_bucket}/{source_key}");
            write_object(
                world,
                p,
                bucket,
                key,
                req,
                ebo,
                true,
                &[("s3:x-amz-copy-source", source)],
                ex,
            )
        }
        Op::GetObject { bucket, key } | Op::HeadObject { bucket, key } => {
            existing_bucket(world, bucket, ebo)?;
            read_object(world, p, bucket, key, "s3:GetObject", Permission::Read, ex)?;
            ok(ex, format!("object {key} returned"));
            Ok(Outcome::status(200))
        }
        Op::GetObjectAcl { bucket, key } => {
            existing_bucket(world, bucket, ebo)?;
            read_object(
                world,
                p,
                bucket,
                key,
                "s3:GetObjectAcl",
                Permission::ReadAcp,
                ex,
            )?;
            let b = &world.buckets[bucket.as_str()];
            let o = &b.objects[key.as_str()];
            let acl = ownership::effective_object_acl(b, o);
            if ownership::acls_disabled(b) {
                ex.decide(
                    &rules::R4,
                    "ACLs are disabled: the ACL shows the bucket owner with FULL_CONTROL only",
                );
            } else {
                ok(ex, "object ACL returned");
            }
            Ok(Outcome {
                owner: Some(acl.owner.name()),
                grants: Some(grants_view(&acl)),
                ..Outcome::status(200)
            })
        }
        Op::PutObjectAcl {
            bucket,
            key,
            acl,
            grants,
            access_control_policy,
        } => {
            let req = AclRequest {
                canned: acl.as_deref(),
                grants: grants.as_ref(),
                policy: access_control_policy.as_ref(),
            };
            let spec = acl_request::validate(world, &req, true)?;
            let b = existing_bucket(world, bucket, ebo)?;
            if ownership::acls_disabled(b) {
                return Err(Fail::new(
                    400,
                    "AccessControlListNotSupported",
                    &rules::R4,
                    "the bucket is BucketOwnerEnforced: ACLs are disabled",
                ));
            }
            let extra = req.condition_keys();
            read_object_with(
                world,
                p,
                bucket,
                key,
                "s3:PutObjectAcl",
                Permission::WriteAcp,
                &extra,
                ex,
            )?;
            check_block_public_acls(b, spec.as_ref(), ex)?;
            let bucket_owner = b.owner.clone();
            let Some(o) = world
                .buckets
                .get_mut(bucket.as_str())
                .and_then(|b| b.objects.get_mut(key.as_str()))
            else {
                return Err(Fail::new(404, "NoSuchKey", &rules::R26_OTHER, "gone"));
            };
            o.acl = acl::build(spec.as_ref(), &o.owner, &bucket_owner);
            ex.decide(
                if matches!(spec, Some(AclSpec::Grants(_))) {
                    &rules::R12
                } else {
                    &rules::R11
                },
                format!(
                    "object ACL of {key} replaced; owner stays {}",
                    o.owner.name()
                ),
            );
            Ok(Outcome::status(200))
        }
        Op::DeleteObject { bucket, key } => {
            let b = existing_bucket(world, bucket, ebo)?;
            let keys = s3_keys(world, p, Some(b), &[]);
            // Delete is authorized on the bucket: bucket WRITE or the bucket owner's policies,
            // whoever owns the object ([R13], [R16]).
            authorize_s3(
                world,
                p,
                &S3Check {
                    action: "s3:DeleteObject",
                    bucket,
                    key: Some(key),
                    scope: Scope::Bucket(Permission::Write),
                    keys: &keys,
                },
                ex,
            )?;
            let existed = world
                .buckets
                .get_mut(bucket.as_str())
                .and_then(|b| b.objects.remove(key.as_str()))
                .is_some();
            ok(
                ex,
                if existed {
                    format!("object {key} deleted")
                } else {
                    format!("no object {key}: delete is a no-op (204)")
                },
            );
            Ok(Outcome::status(204))
        }
        Op::ListObjects { bucket, prefix } => {
            let b = existing_bucket(world, bucket, ebo)?;
            let extra: Vec<(&str, String)> =
                prefix.iter().map(|p| ("s3:prefix", p.clone())).collect();
            let keys = s3_keys(world, p, Some(b), &extra);
            authorize_s3(
                world,
                p,
                &S3Check {
                    action: "s3:ListBucket",
                    bucket,
                    key: None,
                    scope: Scope::Bucket(Permission::Read),
                    keys: &keys,
                },
                ex,
            )?;
            let pre = prefix.as_deref().unwrap_or("");
            let listed: Vec<String> = b
                .objects
                .keys()
                .filter(|k| k.starts_with(pre))
                .cloned()
                .collect();
            ok(ex, format!("{} key(s) listed", listed.len()));
            Ok(Outcome {
                keys: Some(listed),
                ..Outcome::status(200)
            })
        }
        Op::ListBuckets {} => {
            let keys = s3_keys(world, p, None, &[]);
            authorize_identity(world, p, "s3:ListAllMyBuckets", "arn:aws:s3:::*", &keys, ex)?;
            let mine: Vec<String> = world
                .buckets
                .iter()
                .filter(|(_, b)| p.account() == Some(&b.owner))
                .map(|(n, _)| n.clone())
                .collect();
            ok(
                ex,
                format!("{} bucket(s) owned by the caller's account", mine.len()),
            );
            Ok(Outcome {
                buckets: Some(mine),
                ..Outcome::status(200)
            })
        }
        Op::CreateUser { name, policy } => {
            let parsed = policy
                .as_ref()
                .map(|d| Policy::parse(PolicyKind::Identity, d))
                .transpose()
                .map_err(malformed)?;
            validate_iam_name(name)?;
            let account = iam_account(p)?;
            let arn = user_arn(world.id_of(&account), name);
            let keys = authorize::base_keys(world, p);
            authorize_identity(world, p, "iam:CreateUser", &arn, &keys, ex)?;
            if parsed.is_some() {
                authorize_identity(world, p, "iam:PutUserPolicy", &arn, &keys, ex)?;
            }
            let acct = world
                .accounts
                .get_mut(&account)
                .ok_or_else(|| Fail::new(403, "AccessDenied", &rules::X_IAM, "unknown account"))?;
            if acct.users.contains_key(name) {
                return Err(Fail::new(
                    409,
                    "EntityAlreadyExists",
                    &rules::X_IAM_ENTITY,
                    format!("user {name} already exists in {account}"),
                ));
            }
            let policies: BTreeMap<String, Policy> = parsed
                .into_iter()
                .map(|p| ("inline".to_string(), p))
                .collect();
            acct.users.insert(
                name.clone(),
                User {
                    name: name.clone(),
                    id: user_id_for(&account.0, name),
                    policies,
                },
            );
            ok(ex, format!("user {account}.{name} created"));
            Ok(Outcome::status(200))
        }
        Op::PutUserPolicy {
            user,
            policy_name,
            policy,
        } => {
            let parsed = Policy::parse(PolicyKind::Identity, policy).map_err(malformed)?;
            let account = iam_account(p)?;
            let arn = user_arn(world.id_of(&account), user);
            let keys = authorize::base_keys(world, p);
            authorize_identity(world, p, "iam:PutUserPolicy", &arn, &keys, ex)?;
            let Some(u) = world
                .accounts
                .get_mut(&account)
                .and_then(|a| a.users.get_mut(user))
            else {
                return Err(Fail::new(
                    404,
                    "NoSuchEntity",
                    &rules::X_IAM_ENTITY,
                    format!("no user {user} in {account}"),
                ));
            };
            let pname = policy_name.clone().unwrap_or_else(|| "inline".into());
            u.policies.insert(pname.clone(), parsed);
            ok(ex, format!("policy {pname:?} of user {account}.{user} set"));
            Ok(Outcome::status(200))
        }
        Op::CreateRole {
            name,
            trust_policy,
            policy,
        } => {
            let trust = Policy::parse(PolicyKind::Trust, trust_policy).map_err(malformed)?;
            let parsed = policy
                .as_ref()
                .map(|d| Policy::parse(PolicyKind::Identity, d))
                .transpose()
                .map_err(malformed)?;
            validate_iam_name(name)?;
            let account = iam_account(p)?;
            let arn = role_arn(world.id_of(&account), name);
            let keys = authorize::base_keys(world, p);
            authorize_identity(world, p, "iam:CreateRole", &arn, &keys, ex)?;
            if parsed.is_some() {
                authorize_identity(world, p, "iam:PutRolePolicy", &arn, &keys, ex)?;
            }
            check_principals_exist(world, &trust, PolicyKind::Trust)?;
            let acct = world
                .accounts
                .get_mut(&account)
                .ok_or_else(|| Fail::new(403, "AccessDenied", &rules::X_IAM, "unknown account"))?;
            if acct.roles.contains_key(name) {
                return Err(Fail::new(
                    409,
                    "EntityAlreadyExists",
                    &rules::X_IAM_ENTITY,
                    format!("role {name} already exists in {account}"),
                ));
            }
            let policies: BTreeMap<String, Policy> = parsed
                .into_iter()
                .map(|p| ("inline".to_string(), p))
                .collect();
            acct.roles.insert(
                name.clone(),
                Role {
                    name: name.clone(),
                    id: role_id_for(&account.0, name),
                    trust,
                    policies,
                },
            );
            ok(ex, format!("role {account}:{name} created"));
            Ok(Outcome::status(200))
        }
        Op::PutRolePolicy {
            role,
            policy_name,
            policy,
        } => {
            let parsed = Policy::parse(PolicyKind::Identity, policy).map_err(malformed)?;
            let account = iam_account(p)?;
            let arn = role_arn(world.id_of(&account), role);
            let keys = authorize::base_keys(world, p);
            authorize_identity(world, p, "iam:PutRolePolicy", &arn, &keys, ex)?;
            let Some(r) = world
                .accounts
                .get_mut(&account)
                .and_then(|a| a.roles.get_mut(role))
            else {
                return Err(Fail::new(
                    404,
                    "NoSuchEntity",
                    &rules::X_IAM_ENTITY,
                    format!("no role {role} in {account}"),
                ));
            };
            let pname = policy_name.clone().unwrap_or_else(|| "inline".into());
            r.policies.insert(pname.clone(), parsed);
            ok(ex, format!("policy {pname:?} of role {account}:{role} set"));
            Ok(Outcome::status(200))
        }
        Op::AssumeRole {
            role_arn: arn,
            session_name,
            session_policy,
            as_name,
        } => assume_role(
            world,
            p,
            arn,
            session_name,
            session_policy.as_ref(),
            as_name,
            ex,
        ),
    }
}

/// IAM and STS act in the caller's own account; unsigned requests are refused
/// (403 MissingAuthenticationToken, AWS common errors).
fn iam_account(p: &Principal) -> Result<AccountName, Fail> {
    p.account().cloned().ok_or_else(|| {
        Fail::new(
            403,
            "MissingAuthenticationToken",
            &rules::X_IAM,
            "IAM and STS requests must be signed",
        )
    })
}

/// IAM names: 1–64 characters of `[\w+=,.@-]` (IAM API reference, CreateUser / CreateRole).
fn validate_iam_name(name: &str) -> Result<(), Fail> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if valid {
        Ok(())
    } else {
        Err(Fail::new(
            400,
            "ValidationError",
            &rules::X_IAM_ENTITY,
            format!("{name:?} is not a valid IAM name"),
        ))
    }
}

/// [P-principal-exists] a policy may not name an IAM user or role that does not exist (in an
/// account the world knows; other accounts' entities cannot be checked).
fn check_principals_exist(world: &World, policy: &Policy, kind: PolicyKind) -> Result<(), Fail> {
    for arn in policy.principal_arns() {
        let (id, rest) = match arn
            .strip_prefix("arn:aws:iam::")
            .or_else(|| arn.strip_prefix("arn:aws:sts::"))
            .and_then(|r| r.split_once(':'))
        {
            Some(x) => x,
            None => continue,
        };
        let Some(acct) = world.account_by_id(id) else {
            continue;
        };
        let exists = if let Some(u) = rest.strip_prefix("user/") {
            acct.users.contains_key(u.rsplit('/').next().unwrap_or(u))
        } else if let Some(r) = rest.strip_prefix("role/") {
            acct.roles.contains_key(r.rsplit('/').next().unwrap_or(r))
        } else if let Some(s) = rest.strip_prefix("assumed-role/") {
            acct.roles.contains_key(s.split('/').next().unwrap_or(s))
        } else {
            true
        };
        if !exists {
            let e = PolicyError {
                kind,
                message: format!("Invalid principal in policy: {}", world.redact(arn)),
            };
            return Err(Fail::new(
                400,
                e.code(),
                &rules::P_PRINCIPAL_EXISTS,
                e.message,
            ));
        }
    }
    Ok(())
}

/// [R28] / [R29]: bucket-policy calls. The owning account's root always may; others need
/// permission (403) and must belong to the owning account (405).
fn bucket_policy_call(
    world: &World,
    p: &Principal,
    bucket: &str,
    action: &'static str,
    ex: &mut Explanation,
) -> Result<(), Fail> {
    let b = &world.buckets[bucket];
    if matches!(p, Principal::Root { account } if *account == b.owner) {
        ex.decide(
            &rules::R29,
            format!("{p} is the owning account's root: {action} is always allowed"),
        );
        return Ok(());
    }
    let keys = s3_keys(world, p, Some(b), &[]);
    authorize_s3(
        world,
        p,
        &S3Check {
            action,
            bucket,
            key: None,
            scope: Scope::BucketConfig,
            keys: &keys,
        },
        ex,
    )?;
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

fn create_bucket(
    world: &mut World,
    p: &Principal,
    bucket: &str,
    ownership_value: Option<&str>,
    req: AclRequest<'_>,
    ex: &mut Explanation,
) -> Result<Outcome, Fail> {
    // [R7] an invalid ObjectOwnership in CreateBucket is InvalidArgument.
    let mode = match ownership_value {
        Some(v) => Some(ObjectOwnership::parse(v).ok_or_else(|| {
            Fail::new(
                400,
                "InvalidArgument",
                &rules::R7,
                format!("{v:?} is not an ObjectOwnership value"),
            )
        })?),
        None => None,
    };
    let spec = acl_request::validate(world, &req, false)?;
    // [R1] the default is BucketOwnerEnforced.
    let ownership = mode.unwrap_or(ObjectOwnership::BucketOwnerEnforced);
    let Some(owner) = p.account().cloned() else {
        return Err(Fail::new(
            403,
            "AccessDenied",
            &rules::R42,
            "anonymous callers cannot create buckets",
        ));
    };
    if let Some(s) = &spec {
        if ownership == ObjectOwnership::BucketOwnerEnforced && acl::spec_grants_others(s, &owner) {
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
        if acl::spec_is_public(s) {
            return Err(Fail::new(
                400,
                "InvalidBucketAclWithBlockPublicAccessError",
                &rules::X_CREATE_PUBLIC_ACL,
                "Bucket cannot have public ACLs set with BlockPublicAccess enabled",
            ));
        }
    }
    let mut extra = req.condition_keys();
    if let Some(m) = mode {
        extra.push(("s3:x-amz-object-ownership", m.as_str().into()));
    }
    let keys = s3_keys(world, p, None, &extra);
    let arn = format!("arn:aws:s3:::{bucket}");
    authorize_identity(world, p, "s3:CreateBucket", &arn, &keys, ex)?;
    // [R25a] setting ownership or a non-private ACL also needs those permissions.
    if mode.is_some() {
        authorize_identity(world, p, "s3:PutBucketOwnershipControls", &arn, &keys, ex)?;
    }
    if spec
        .as_ref()
        .is_some_and(|s| *s != AclSpec::Canned("private".into()))
    {
        authorize_identity(world, p, "s3:PutBucketAcl", &arn, &keys, ex)?;
    }
    if let Some(existing) = world.buckets.get(bucket) {
        return Err(if existing.owner == owner {
            Fail::new(
                409,
                "BucketAlreadyOwnedByYou",
                &rules::X_BUCKET_EXISTS,
                format!("{owner} already owns {bucket}"),
            )
        } else {
            Fail::new(
                409,
                "BucketAlreadyExists",
                &rules::X_BUCKET_EXISTS,
                format!("{bucket} belongs to another account"),
            )
        });
    }
    let acl = acl::build(spec.as_ref(), &Owner::Account(owner.clone()), &owner);
    world.buckets.insert(
        bucket.to_string(),
        Bucket {
            owner: owner.clone(),
            ownership: Some(ownership),
            acl,
            policy: None,
            public_access_block: Some(PublicAccessBlock::ALL_ON),
            objects: BTreeMap::new(),
        },
    );
    ex.decide(&rules::R9, format!("bucket {bucket} created, owned by account {owner} ({}), ObjectOwnership {}, Block Public Access all on", p, ownership.as_str()));
    Ok(Outcome::status(200))
}

/// Authorizes a read of an existing object, or gives the missing-key answer ([R26]).
fn read_object(
    world: &World,
    p: &Principal,
    bucket: &str,
    key: &str,
    action: &'static str,
    perm: Permission,
    ex: &mut Explanation,
) -> Result<(), Fail> {
    read_object_with(world, p, bucket, key, action, perm, &[], ex)
}

#[allow(clippy::too_many_arguments)]
fn read_object_with(
    world: &World,
    p: &Principal,
    bucket: &str,
    key: &str,
    action: &'static str,
    perm: Permission,
    extra: &[(&str, String)],
    ex: &mut Explanation,
) -> Result<(), Fail> {
    let b = &world.buckets[bucket];
    if !b.objects.contains_key(key) {
        return Err(missing_key(world, p, bucket, key, action, ex));
    }
    let keys = s3_keys(world, p, Some(b), extra);
    authorize_s3(
        world,
        p,
        &S3Check {
            action,
            bucket,
            key: Some(key),
            scope: Scope::Object(key, perm),
            keys: &keys,
        },
        ex,
    )
}

/// PutObject, CopyObject's write and CreateMultipartUpload: authorized as s3:PutObject on the
/// bucket ([R13], [R25]); the new object's owner follows Object Ownership ([R2]).
#[allow(clippy::too_many_arguments)]
fn write_object(
    world: &mut World,
    p: &Principal,
    bucket: &str,
    key: &str,
    req: AclRequest<'_>,
    ebo: Option<&str>,
    store: bool,
    extra: &[(&str, String)],
    ex: &mut Explanation,
) -> Result<Outcome, Fail> {
    let spec = acl_request::validate(world, &req, false)?;
    let b = existing_bucket(world, bucket, ebo)?;
    check_acls_enabled_for_write(b, spec.as_ref(), ex)?;
    let mut all_extra = req.condition_keys();
    all_extra.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
    let keys = s3_keys(world, p, Some(b), &all_extra);
    // The PutObject API reference also asks for s3:PutObjectAcl when the upload sets an ACL;
    // AWS's walkthroughs (including seed-example4) grant only s3:PutObject for such uploads
    // and succeed. The model follows the walkthroughs ([R25a] records the conflict).
    authorize_s3(
        world,
        p,
        &S3Check {
            action: "s3:PutObject",
            bucket,
            key: Some(key),
            scope: Scope::Bucket(Permission::Write),
            keys: &keys,
        },
        ex,
    )?;
    check_block_public_acls(b, spec.as_ref(), ex)?;
    let owner = ownership::owner_for_write(b, p, spec.as_ref(), ex);
    let obj = ownership::new_object(b, owner.clone(), spec.as_ref());
    if !store {
        ok(ex, format!("multipart upload of {key} started"));
        return Ok(Outcome::status(200));
    }
    if let Some(b) = world.buckets.get_mut(bucket) {
        b.objects.insert(key.to_string(), obj);
    }
    ok(ex, format!("object {key} written, owner {}", owner.name()));
    Ok(Outcome {
        owner: Some(owner.name()),
        ..Outcome::status(200)
    })
}

#[allow(clippy::too_many_arguments)]
fn assume_role(
    world: &mut World,
    p: &Principal,
    arn: &str,
    session_name: &str,
    session_policy: Option<&serde_json::Value>,
    as_name: &str,
    ex: &mut Explanation,
) -> Result<Outcome, Fail> {
    // Request validation first: the session name, then the session policy.
    let valid_name = (2..=64).contains(&session_name.len())
        && session_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if !valid_name {
        return Err(Fail::new(
            400,
            "ValidationError",
            &rules::X_SESSION_NAME,
            format!("RoleSessionName {session_name:?} is invalid"),
        ));
    }
    let sp = session_policy
        .map(|d| Policy::parse(PolicyKind::Session, d))
        .transpose()
        .map_err(malformed)?;
    iam_account(p)?;
    if p.is_root() {
        return Err(Fail::new(
            403,
            "AccessDenied",
            &rules::X_ROOT_NO_ASSUME,
            "Roles may not be assumed by root accounts",
        ));
    }
    let not_found = || {
        Fail::new(
            403,
            "AccessDenied",
            &rules::R37,
            format!("{p} is not authorized to perform sts:AssumeRole on {arn} (no such role)"),
        )
    };
    let (id, name) = parse_role_arn(arn).ok_or_else(not_found)?;
    let account = world
        .account_by_id(id)
        .map(|a| a.name.clone())
        .ok_or_else(not_found)?;
    let role = world
        .account(&account)
        .and_then(|a| a.roles.get(name))
        .cloned()
        .ok_or_else(not_found)?;
    let mut keys = authorize::base_keys(world, p);
    keys.insert("sts:rolesessionname".into(), vec![session_name.to_string()]);
    authorize::authorize_assume_role(world, p, &account, &role, &keys, ex)?;
    let session = session_arn(id, name, session_name);
    world.sessions.insert(
        as_name.to_string(),
        Session {
            account: account.clone(),
            role: name.to_string(),
            session_name: session_name.to_string(),
            session_policy: sp,
        },
    );
    ex.decide(
        &rules::R41,
        format!("session {as_name} is {}", world.redact(&session)),
    );
    Ok(Outcome {
        assumed_role_arn: Some(session),
        ..Outcome::status(200)
    })
}
