//! `step`: one scenario step applied to the world. Each operation checks, in the order AWS
//! documents (docs/ARCHITECTURE.md, "How the model decides"): request validation, the bucket's
//! existence and expected owner, ACLs-disabled checks, authorization, Block Public Access,
//! existence of the key and other state; then it changes the world and says what it returns.
//!
//! This file holds the entry point, the dispatch of each operation to the file of its family
//! (`bucket`, `bucket_config`, `acl`, `object`, `iam`, `sts`) and the checks several families
//! share; `acl_request` validates the ACL a request carries.

mod acl;
mod acl_request;
mod bucket;
mod bucket_config;
mod iam;
mod object;
mod sts;

use crate::acl::{self as acls, AclSpec};
use crate::authorize::{authorize_s3, s3_keys, S3Check, Scope};
use crate::outcome::{Explanation, Fail, Outcome};
use crate::policy::PolicyError;
use crate::principal::Principal;
use crate::rules;
use crate::scenario::{Op, PlaceholderError, Step};
use crate::world::{Bucket, World};
use std::ops::RangeInclusive;

/// Why a step could not be applied at all (the scenario is wrong for this world, not AWS
/// refusing a request): an unknown principal or account placeholder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Principal(#[from] crate::principal::PrincipalError),
    #[error(transparent)]
    Placeholder(#[from] PlaceholderError),
}

/// Applies one scenario step: its account placeholders (`${A}`, `${A.canonical}`, …) are
/// resolved first; then as [`step_literal`].
pub fn step(world: &mut World, step: &Step) -> Result<(Outcome, Explanation), StepError> {
    let step = step.resolved(world)?;
    step_literal(world, &step)
}

/// Applies one step whose values are taken as they are, with no placeholder resolved: a wire
/// request (an object key or policy holding `${A}` means those characters). The outcome AWS
/// would give and the rules that decided it.
pub fn step_literal(world: &mut World, step: &Step) -> Result<(Outcome, Explanation), StepError> {
    let principal = Principal::resolve(world, &step.as_)?;
    let mut cx = Call {
        p: &principal,
        expected_owner: step.expected_bucket_owner.as_deref(),
        ex: Explanation::default(),
    };
    let outcome = match apply(world, &mut cx, &step.op) {
        Ok(o) => o,
        Err(f) => {
            cx.ex.decide(f.rule, f.detail);
            // HEAD responses carry no body, so no error code ([R26], HeadObject and HeadBucket
            // API references).
            let head = matches!(step.op, Op::HeadObject { .. } | Op::HeadBucket { .. });
            let code = (!head).then_some(f.code);
            Outcome {
                status: f.status,
                code,
                ..Default::default()
            }
        }
    };
    Ok((outcome, cx.ex))
}

/// The request being applied: who makes it, its `x-amz-expected-bucket-owner` header, and the
/// explanation being written.
struct Call<'a> {
    p: &'a Principal,
    expected_owner: Option<&'a str>,
    ex: Explanation,
}

/// Validation every call shares ([R27]), then the operation, in the file of its family.
fn apply(world: &mut World, cx: &mut Call<'_>, op: &Op) -> Result<Outcome, Fail> {
    validate_expected_owner(cx.expected_owner)?;
    let acl = op.acl_request();
    match op {
        Op::CreateBucket {
            bucket,
            object_ownership: o,
            location_constraint: lc,
            ..
        } => bucket::create_bucket(world, cx, bucket, (o.as_deref(), lc), acl),
        Op::DeleteBucket { bucket } => bucket::delete_bucket(world, cx, bucket),
        Op::ListBuckets {} => bucket::list_buckets(world, cx),
        Op::PutBucketOwnershipControls {
            bucket,
            object_ownership: o,
        } => bucket_config::put_bucket_ownership_controls(world, cx, bucket, o),
        Op::GetBucketOwnershipControls { bucket } => {
            bucket_config::get_bucket_ownership_controls(world, cx, bucket)
        }
        Op::DeleteBucketOwnershipControls { bucket } => {
            bucket_config::delete_bucket_ownership_controls(world, cx, bucket)
        }
        Op::PutPublicAccessBlock { bucket, .. } => {
            bucket_config::put_public_access_block(world, cx, bucket, op.public_access_block())
        }
        Op::GetPublicAccessBlock { bucket } => {
            bucket_config::get_public_access_block(world, cx, bucket)
        }
        Op::DeletePublicAccessBlock { bucket } => {
            bucket_config::delete_public_access_block(world, cx, bucket)
        }
        Op::PutBucketPolicy { bucket, policy } => {
            bucket_config::put_bucket_policy(world, cx, bucket, policy)
        }
        Op::GetBucketPolicy { bucket } => bucket_config::get_bucket_policy(world, cx, bucket),
        Op::DeleteBucketPolicy { bucket } => bucket_config::delete_bucket_policy(world, cx, bucket),
        Op::PutBucketAcl { bucket, .. } => acl::put_bucket_acl(world, cx, bucket, acl),
        Op::GetBucketAcl { bucket } => acl::get_bucket_acl(world, cx, bucket),
        Op::PutObjectAcl { bucket, key, .. } => acl::put_object_acl(world, cx, bucket, key, acl),
        Op::GetObjectAcl { bucket, key } => acl::get_object_acl(world, cx, bucket, key),
        Op::PutObject { bucket, key, .. } => object::put_object(world, cx, bucket, key, acl),
        Op::CreateMultipartUpload { bucket, key, .. } => {
            object::create_multipart_upload(world, cx, bucket, key, acl)
        }
        Op::CopyObject {
            bucket,
            key,
            source_bucket: sb,
            source_key: sk,
            ..
        } => object::copy_object(world, cx, bucket, key, (sb, sk), acl),
        Op::GetObject { bucket, key } | Op::HeadObject { bucket, key } => {
            object::get_object(world, cx, bucket, key)
        }
        Op::DeleteObject { bucket, key } => object::delete_object(world, cx, bucket, key),
        Op::ListObjects { bucket, prefix } => {
            object::list_objects(world, cx, bucket, prefix.as_deref())
        }
        Op::HeadBucket { bucket } => object::head_bucket(world, cx, bucket),
        Op::CreateUser { name, policy } => iam::create_user(world, cx, name, policy.as_ref()),
        Op::PutUserPolicy {
            user,
            policy_name: n,
            policy,
        } => iam::put_user_policy(world, cx, user, n.as_deref(), policy),
        Op::CreateRole {
            name,
            trust_policy: t,
            policy,
        } => iam::create_role(world, cx, name, t, policy.as_ref()),
        Op::PutRolePolicy {
            role,
            policy_name: n,
            policy,
        } => iam::put_role_policy(world, cx, role, n.as_deref(), policy),
        Op::AssumeRole {
            role_arn,
            session_name,
            session_policy: sp,
            as_name,
        } => {
            let session = sts::NewSession {
                role_arn,
                session_name,
                session_policy: sp.as_ref(),
                as_name,
            };
            sts::assume_role(world, cx, &session)
        }
    }
}

impl Call<'_> {
    /// The closing line of a request that succeeded ([X-ok]); the rule that decided is an
    /// earlier line.
    fn ok(&mut self, detail: impl Into<String>) {
        self.ex.push(&rules::X_OK, detail);
    }

    /// Authorizes an S3 call ([R18]) with the request's condition keys: the global keys,
    /// s3:ResourceAccount and `extra` (request headers).
    fn authorize(
        &mut self,
        world: &World,
        check: Access<'_>,
        extra: &[(&str, String)],
    ) -> Result<(), Fail> {
        let keys = s3_keys(world, self.p, world.buckets.get(check.bucket), extra);
        let c = S3Check {
            action: check.action,
            bucket: check.bucket,
            key: check.key,
            scope: check.scope,
            keys: &keys,
        };
        authorize_s3(world, self.p, &c, &mut self.ex)
    }

    /// Authorizes a bucket-configuration call: only the bucket owner's policies grant ([R13]).
    fn authorize_config(
        &mut self,
        world: &World,
        action: &'static str,
        bucket: &str,
    ) -> Result<(), Fail> {
        self.authorize(world, Access::config(action, bucket), &[])
    }
}

/// What S3 authorizes a call as: the action, the resource (bucket and key) and the scope whose
/// grants count ([R13], [R14]).
#[derive(Debug, Clone, Copy)]
struct Access<'a> {
    action: &'static str,
    bucket: &'a str,
    key: Option<&'a str>,
    scope: Scope<'a>,
}

impl<'a> Access<'a> {
    fn config(action: &'static str, bucket: &'a str) -> Access<'a> {
        Access {
            action,
            bucket,
            key: None,
            scope: Scope::BucketConfig,
        }
    }

    fn bucket(
        action: &'static str,
        bucket: &'a str,
        key: Option<&'a str>,
        perm: acls::Permission,
    ) -> Access<'a> {
        Access {
            action,
            bucket,
            key,
            scope: Scope::Bucket(perm),
        }
    }
}

/// A policy document that does not parse: 400 with the policy kind's error code ([P-lang]).
fn malformed(e: PolicyError) -> Fail {
    Fail::new(400, e.code(), &rules::P_LANG, e.message)
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

/// IAM and STS names: characters of `[\w+=,.@-]`, as many as `len` allows (IAM API reference,
/// CreateUser / CreateRole; STS API reference, AssumeRole's RoleSessionName).
fn is_iam_name(name: &str, len: RangeInclusive<usize>) -> bool {
    len.contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

/// [R32] BlockPublicAcls refuses a request that sets a public ACL.
fn check_block_public_acls(
    bucket: &Bucket,
    spec: Option<&AclSpec>,
    ex: &mut Explanation,
) -> Result<(), Fail> {
    let pab = bucket.public_access_block.unwrap_or_default();
    match spec {
        Some(s) if acls::spec_is_public(s) => {
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
