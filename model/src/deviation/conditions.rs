//! Condition operators and condition keys, in every kind of policy: a family of operators
//! ignored (its conditions always hold), the IfExists suffix ignored, ForAllValues and
//! ForAnyValue swapped, and a key the request carries treated as absent.
//! Source: AWS IAM User Guide, "IAM JSON policy elements: Condition operators" (the families,
//! IfExists, the Null check), "Single-valued vs. multivalued context keys" (ForAllValues,
//! ForAnyValue), "AWS global condition context keys" and the Service Authorization Reference
//! for Amazon S3 (the keys). Date operators are not modelled, so no deviation changes them.

use super::views::{is_never, never_applies, with_policies_view};
use super::{Inner, StepResult};
use crate::policy::{BaseOp, Condition, Keys, SetOp};
use crate::scenario::Step;
use crate::world::World;

/// A family of condition operators ("Condition operators"), with its negated forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OperatorFamily {
    String,
    Numeric,
    Bool,
    IpAddress,
    Arn,
    Null,
}

impl OperatorFamily {
    pub const ALL: &'static [OperatorFamily] = &[
        OperatorFamily::String,
        OperatorFamily::Numeric,
        OperatorFamily::Bool,
        OperatorFamily::IpAddress,
        OperatorFamily::Arn,
        OperatorFamily::Null,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            OperatorFamily::String => "string",
            OperatorFamily::Numeric => "numeric",
            OperatorFamily::Bool => "bool",
            OperatorFamily::IpAddress => "ip-address",
            OperatorFamily::Arn => "arn",
            OperatorFamily::Null => "null",
        }
    }

    pub fn operators(self) -> &'static str {
        match self {
            OperatorFamily::String => {
                "String* (StringEquals, StringLike, their IgnoreCase and Not forms)"
            }
            OperatorFamily::Numeric => "Numeric* (NumericEquals, NumericLessThan, …)",
            OperatorFamily::Bool => "Bool",
            OperatorFamily::IpAddress => "IpAddress and NotIpAddress",
            OperatorFamily::Arn => "Arn* (ArnEquals, ArnLike and their Not forms)",
            OperatorFamily::Null => "Null",
        }
    }

    fn has(self, op: BaseOp) -> bool {
        use BaseOp::*;
        match self {
            OperatorFamily::String => matches!(
                op,
                StringEquals
                    | StringNotEquals
                    | StringEqualsIgnoreCase
                    | StringNotEqualsIgnoreCase
                    | StringLike
                    | StringNotLike
            ),
            OperatorFamily::Numeric => matches!(
                op,
                NumericEquals
                    | NumericNotEquals
                    | NumericLessThan
                    | NumericLessThanEquals
                    | NumericGreaterThan
                    | NumericGreaterThanEquals
            ),
            OperatorFamily::Bool => op == Bool,
            OperatorFamily::IpAddress => matches!(op, IpAddress | NotIpAddress),
            OperatorFamily::Arn => matches!(op, ArnEquals | ArnLike | ArnNotEquals | ArnNotLike),
            OperatorFamily::Null => op == Null,
        }
    }
}

/// A condition key the model puts in requests (global keys, then S3 keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConditionKey {
    SourceIp,
    SecureTransport,
    PrincipalAccount,
    PrincipalArn,
    PrincipalType,
    UserId,
    Username,
    MultiFactorAuthPresent,
    ViaAwsService,
    ResourceAccount,
    XAmzAcl,
    Prefix,
    ObjectOwnership,
    CopySource,
    GrantRead,
    GrantWrite,
    GrantReadAcp,
    GrantWriteAcp,
    GrantFullControl,
}

impl ConditionKey {
    pub const ALL: &'static [ConditionKey] = &[
        ConditionKey::SourceIp,
        ConditionKey::SecureTransport,
        ConditionKey::PrincipalAccount,
        ConditionKey::PrincipalArn,
        ConditionKey::PrincipalType,
        ConditionKey::UserId,
        ConditionKey::Username,
        ConditionKey::MultiFactorAuthPresent,
        ConditionKey::ViaAwsService,
        ConditionKey::ResourceAccount,
        ConditionKey::XAmzAcl,
        ConditionKey::Prefix,
        ConditionKey::ObjectOwnership,
        ConditionKey::CopySource,
        ConditionKey::GrantRead,
        ConditionKey::GrantWrite,
        ConditionKey::GrantReadAcp,
        ConditionKey::GrantWriteAcp,
        ConditionKey::GrantFullControl,
    ];

    /// The key as policies write it.
    pub fn key(self) -> &'static str {
        match self {
            ConditionKey::SourceIp => "aws:SourceIp",
            ConditionKey::SecureTransport => "aws:SecureTransport",
            ConditionKey::PrincipalAccount => "aws:PrincipalAccount",
            ConditionKey::PrincipalArn => "aws:PrincipalArn",
            ConditionKey::PrincipalType => "aws:PrincipalType",
            ConditionKey::UserId => "aws:userid",
            ConditionKey::Username => "aws:username",
            ConditionKey::MultiFactorAuthPresent => "aws:MultiFactorAuthPresent",
            ConditionKey::ViaAwsService => "aws:ViaAWSService",
            ConditionKey::ResourceAccount => "s3:ResourceAccount",
            ConditionKey::XAmzAcl => "s3:x-amz-acl",
            ConditionKey::Prefix => "s3:prefix",
            ConditionKey::ObjectOwnership => "s3:x-amz-object-ownership",
            ConditionKey::CopySource => "s3:x-amz-copy-source",
            ConditionKey::GrantRead => "s3:x-amz-grant-read",
            ConditionKey::GrantWrite => "s3:x-amz-grant-write",
            ConditionKey::GrantReadAcp => "s3:x-amz-grant-read-acp",
            ConditionKey::GrantWriteAcp => "s3:x-amz-grant-write-acp",
            ConditionKey::GrantFullControl => "s3:x-amz-grant-full-control",
        }
    }

    /// The key in a deviation's name: lower case, `:` as `-` (`aws-sourceip`).
    pub fn slug(self) -> String {
        self.key().to_ascii_lowercase().replace(':', "-")
    }

    /// The page that defines the key.
    pub fn page(self) -> &'static str {
        if self.key().starts_with("aws:") {
            "AWS IAM User Guide: AWS global condition context keys"
        } else {
            "Service Authorization Reference: Actions, resources, and condition keys for Amazon S3"
        }
    }
}

/// Rewrites every condition of every policy for the request.
fn conditions_view(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
    rewrite: &dyn Fn(&mut Vec<Condition>),
) -> StepResult {
    with_policies_view(inner, world, step, &|_, p| {
        for s in &mut p.statements {
            rewrite(&mut s.conditions);
        }
    })
}

/// condition-family-ignored-<family>: conditions of this operator family always hold ([P-cond]
/// is the rule broken).
pub(super) fn family_ignored(
    family: OperatorFamily,
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    conditions_view(inner, world, step, &|cs| {
        cs.retain(|c| is_never(c) || !family.has(c.base))
    })
}

/// if-exists-ignored: `…IfExists` operators are evaluated without IfExists, so a condition on
/// an absent key fails a positive operator ([P-cond-absent] is the rule broken).
pub(super) fn if_exists_ignored(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    conditions_view(inner, world, step, &|cs| {
        for c in cs.iter_mut() {
            c.if_exists = false;
        }
    })
}

/// for-all-values-as-any: `ForAllValues:` is evaluated as `ForAnyValue:` ([P-sets] is the rule
/// broken): an absent key no longer passes, and one matching value is enough.
pub(super) fn for_all_values_as_any(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    swap_set(inner, world, step, SetOp::ForAllValues, SetOp::ForAnyValue)
}

/// for-any-value-as-all: `ForAnyValue:` is evaluated as `ForAllValues:` ([P-sets] is the rule
/// broken): an absent key passes, and every value must match.
pub(super) fn for_any_value_as_all(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    swap_set(inner, world, step, SetOp::ForAnyValue, SetOp::ForAllValues)
}

fn swap_set(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
    from: SetOp,
    to: SetOp,
) -> StepResult {
    conditions_view(inner, world, step, &|cs| {
        for c in cs.iter_mut().filter(|c| c.set == Some(from)) {
            c.set = Some(to);
        }
    })
}

/// key-absent-<key>: a condition on this key evaluates as if the request did not carry it
/// (policy variables naming the key are left alone) ([P-cond-absent] decides the value).
pub(super) fn key_absent(
    key: ConditionKey,
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    with_policies_view(inner, world, step, &|_, p| {
        for s in &mut p.statements {
            let on_key = |c: &Condition| c.key.eq_ignore_ascii_case(key.key());
            if s.conditions
                .iter()
                .any(|c| on_key(c) && !holds_when_absent(c))
            {
                never_applies(s);
            }
            s.conditions.retain(|c| !on_key(c));
        }
    })
}

/// What a condition evaluates to when its key is absent.
fn holds_when_absent(c: &Condition) -> bool {
    c.holds(&Keys::new(), false)
}
