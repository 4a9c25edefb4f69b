//! The order of checks that decides between 400, 403 and 404: a missing bucket configuration
//! answered before authorization (a foreign caller learns it is missing), authorization
//! answered before the bucket's existence (NoSuchBucket becomes AccessDenied), and request
//! checks the model makes before authorization made after it (an unauthorized caller gets 403
//! instead of the 400).
//! Source: Amazon S3 API Reference, "Error responses" (NoSuchBucket, NoSuchBucketPolicy,
//! OwnershipControlsNotFoundError, NoSuchPublicAccessBlockConfiguration, MalformedPolicy,
//! AccessControlListNotSupported, InvalidBucketOwnerAWSAccountID); Amazon S3 User Guide,
//! "How Amazon S3 authorizes a request" (authorization against an existing bucket's owner).

use super::views::caller;
use super::{Deviation, Inner, StepResult};
use crate::outcome::Outcome;
use crate::rules;
use crate::scenario::{Op, Step};
use crate::world::{ObjectOwnership, World};
use serde_json::json;

/// A bucket configuration a Get call may find missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BucketConfig {
    Policy,
    OwnershipControls,
    PublicAccessBlock,
}

impl BucketConfig {
    pub const ALL: &'static [BucketConfig] = &[
        BucketConfig::Policy,
        BucketConfig::OwnershipControls,
        BucketConfig::PublicAccessBlock,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            BucketConfig::Policy => "bucket-policy",
            BucketConfig::OwnershipControls => "ownership-controls",
            BucketConfig::PublicAccessBlock => "public-access-block",
        }
    }

    /// The Get call and the error it answers when the configuration is missing.
    pub fn call_and_code(self) -> (&'static str, &'static str) {
        match self {
            BucketConfig::Policy => ("GetBucketPolicy", "NoSuchBucketPolicy"),
            BucketConfig::OwnershipControls => (
                "GetBucketOwnershipControls",
                "OwnershipControlsNotFoundError",
            ),
            BucketConfig::PublicAccessBlock => (
                "GetPublicAccessBlock",
                "NoSuchPublicAccessBlockConfiguration",
            ),
        }
    }

    /// The bucket a step reads this configuration of.
    fn read_by(self, op: &Op) -> Option<&str> {
        match (self, op) {
            (BucketConfig::Policy, Op::GetBucketPolicy { bucket })
            | (BucketConfig::OwnershipControls, Op::GetBucketOwnershipControls { bucket })
            | (BucketConfig::PublicAccessBlock, Op::GetPublicAccessBlock { bucket }) => {
                Some(bucket)
            }
            _ => None,
        }
    }
}

/// no-<config>-404-before-authorization: the Get call of a missing configuration answers its
/// 404 before authorization: a caller refused the call learns that it is missing.
pub(super) fn config_missing_first(
    config: BucketConfig,
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let (outcome, mut ex) = inner(world, step)?;
    let Some(b) = config.read_by(&step.op).and_then(|b| world.buckets.get(b)) else {
        return Ok((outcome, ex));
    };
    let missing = match config {
        BucketConfig::Policy => b.policy.is_none(),
        BucketConfig::OwnershipControls => b.ownership.is_none(),
        BucketConfig::PublicAccessBlock => b.public_access_block.is_none(),
    };
    let owner_ok = step
        .expected_bucket_owner
        .as_deref()
        .is_none_or(|id| world.id_of(&b.owner) == id);
    if !(missing && owner_ok && outcome.status == 403) {
        return Ok((outcome, ex));
    }
    let code = config.call_and_code().1;
    ex.deviate(
        Deviation::ConfigMissingBeforeAuthorization { config }.name(),
        format!(
            "the bucket has no {}: 404 before authorization",
            config.slug()
        ),
    );
    Ok((Outcome::error(404, code), ex))
}

/// Who makes a request on a bucket that does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CallerKind {
    Anonymous,
    Signed,
}

impl CallerKind {
    pub const ALL: &'static [CallerKind] = &[CallerKind::Anonymous, CallerKind::Signed];

    pub fn slug(self) -> &'static str {
        match self {
            CallerKind::Anonymous => "anonymous",
            CallerKind::Signed => "signed",
        }
    }
}

/// missing-bucket-denied-<caller>: a call on a bucket that does not exist is refused 403
/// AccessDenied, as if authorization came first and nothing granted it ([X-no-such-bucket] is
/// the rule broken).
pub(super) fn missing_bucket_denied(
    who: CallerKind,
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let kind = match caller(world, step) {
        Some(p) if p.is_anonymous() => CallerKind::Anonymous,
        Some(_) => CallerKind::Signed,
        None => return inner(world, step),
    };
    let (outcome, mut ex) = inner(world, step)?;
    if kind != who || ex.deciding_rule() != Some(rules::X_NO_BUCKET.id) {
        return Ok((outcome, ex));
    }
    ex.deviate(
        Deviation::MissingBucketDenied { caller: who }.name(),
        "the bucket does not exist: refused as unauthorized",
    );
    let head = matches!(step.op, Op::HeadObject { .. } | Op::HeadBucket { .. });
    let code = (!head).then(|| "AccessDenied".to_string());
    Ok((
        Outcome {
            status: 403,
            code,
            ..Default::default()
        },
        ex,
    ))
}

/// A request check the model makes before authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RequestCheck {
    /// PutBucketPolicy's document grammar (400 MalformedPolicy).
    PolicyDocument,
    /// The ACL a request carries (400 InvalidArgument, InvalidRequest, …).
    AclSyntax,
    /// ACLs disabled by BucketOwnerEnforced (400 AccessControlListNotSupported).
    AclsDisabled,
    /// The form of x-amz-expected-bucket-owner (400 InvalidBucketOwnerAWSAccountID).
    ExpectedOwnerFormat,
}

impl RequestCheck {
    pub const ALL: &'static [RequestCheck] = &[
        RequestCheck::PolicyDocument,
        RequestCheck::AclSyntax,
        RequestCheck::AclsDisabled,
        RequestCheck::ExpectedOwnerFormat,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            RequestCheck::PolicyDocument => "policy-document",
            RequestCheck::AclSyntax => "acl-syntax",
            RequestCheck::AclsDisabled => "acls-disabled",
            RequestCheck::ExpectedOwnerFormat => "expected-owner-format",
        }
    }

    pub fn phrase(self) -> &'static str {
        match self {
            RequestCheck::PolicyDocument => "PutBucketPolicy's check of the document (400 MalformedPolicy)",
            RequestCheck::AclSyntax => "the check of the ACL a request carries (400 InvalidArgument, InvalidRequest, MissingSecurityHeader, …)",
            RequestCheck::AclsDisabled => "the ACLs-disabled check of a BucketOwnerEnforced bucket (400 AccessControlListNotSupported)",
            RequestCheck::ExpectedOwnerFormat => "the check of the x-amz-expected-bucket-owner header's form (400 InvalidBucketOwnerAWSAccountID)",
        }
    }

    /// Did this check refuse the request?
    fn refused(self, outcome: &Outcome, decided_by: Option<&str>) -> bool {
        match self {
            RequestCheck::PolicyDocument => {
                outcome.code.as_deref() == Some("MalformedPolicy")
                    && decided_by == Some(rules::P_LANG.id)
            }
            RequestCheck::AclSyntax => outcome.status == 400 && decided_by == Some(rules::R5.id),
            RequestCheck::AclsDisabled => {
                outcome.code.as_deref() == Some("AccessControlListNotSupported")
            }
            RequestCheck::ExpectedOwnerFormat => {
                outcome.code.as_deref() == Some("InvalidBucketOwnerAWSAccountID")
            }
        }
    }

    /// The same request, and world, without what this check refuses.
    fn twin(self, world: &World, step: &Step) -> (World, Step) {
        let (mut w, mut s) = (world.clone(), step.clone());
        match self {
            RequestCheck::PolicyDocument => {
                if let Op::PutBucketPolicy { bucket, policy } = &mut s.op {
                    *policy = valid_policy(bucket);
                }
            }
            RequestCheck::AclSyntax => s.op = without_acl(s.op),
            RequestCheck::AclsDisabled => {
                if let Some(b) = step.op.bucket().and_then(|b| w.buckets.get_mut(b)) {
                    b.ownership = Some(ObjectOwnership::ObjectWriter);
                }
            }
            RequestCheck::ExpectedOwnerFormat => s.expected_bucket_owner = None,
        }
        (w, s)
    }
}

/// <check>-checked-after-authorization: the check comes after authorization: a request it
/// refuses gets the 403 that the same request without the fault gets, if it gets one.
pub(super) fn checked_after_authorization(
    check: RequestCheck,
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let (outcome, ex) = inner(world, step)?;
    if !check.refused(&outcome, ex.deciding_rule()) {
        return Ok((outcome, ex));
    }
    let (mut w, s) = check.twin(world, step);
    let (twin, mut twin_ex) = inner(&mut w, &s)?;
    if twin.status != 403 {
        return Ok((outcome, ex));
    }
    twin_ex.deviate(
        Deviation::CheckedAfterAuthorization { check }.name(),
        format!("{} comes after authorization", check.slug()),
    );
    Ok((twin, twin_ex))
}

/// A valid bucket policy for `bucket` that grants nothing and is not public.
fn valid_policy(bucket: &str) -> serde_json::Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": format!("arn:aws:s3:::{bucket}/xacct-deviation-twin")
        }]
    })
}

/// The op with a valid ACL: `private` for Put*Acl (which must carry one), none for the others.
fn without_acl(op: Op) -> Op {
    match op {
        Op::PutBucketAcl { bucket, .. } => Op::PutBucketAcl {
            bucket,
            acl: Some("private".into()),
            grants: None,
            access_control_policy: None,
        },
        Op::PutObjectAcl { bucket, key, .. } => Op::PutObjectAcl {
            bucket,
            key,
            acl: Some("private".into()),
            grants: None,
            access_control_policy: None,
        },
        Op::PutObject { bucket, key, .. } => Op::PutObject {
            bucket,
            key,
            acl: None,
            grants: None,
        },
        Op::CreateMultipartUpload { bucket, key, .. } => Op::CreateMultipartUpload {
            bucket,
            key,
            acl: None,
            grants: None,
        },
        Op::CopyObject {
            bucket,
            key,
            source_bucket,
            source_key,
            ..
        } => Op::CopyObject {
            bucket,
            key,
            source_bucket,
            source_key,
            acl: None,
            grants: None,
        },
        Op::CreateBucket {
            bucket,
            object_ownership,
            location_constraint,
            ..
        } => Op::CreateBucket {
            bucket,
            object_ownership,
            acl: None,
            grants: None,
            location_constraint,
        },
        other => other,
    }
}
