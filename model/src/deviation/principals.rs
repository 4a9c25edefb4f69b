//! Principal matching per principal form: a bucket policy or a role trust policy whose
//! Principal names the requester in one form (account id, `:root` ARN, IAM user ARN, role ARN,
//! assumed-role session ARN, canonical user id, `*`) does not match through that form.
//! Source: AWS IAM User Guide, "IAM JSON policy elements: Principal" (each form and whom it
//! names); S3 User Guide, "Policies and permissions in Amazon S3" (the canonical user id). The
//! model accepts a CanonicalUser in a trust policy as naming the account; whether IAM does is
//! not confirmed, so trust-policy-ignores-canonical-id holds for the model.

use super::views::{never_applies, with_policies_view};
use super::{Inner, StepResult};
use crate::policy::{Policy, PolicyKind, PrincipalElement};
use crate::scenario::Step;
use crate::world::World;

/// A way a Principal element can name who makes a request ("IAM JSON policy elements:
/// Principal").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalForm {
    /// `{"AWS": "111122223333"}`: the account.
    AccountId,
    /// `{"AWS": "arn:aws:iam::111122223333:root"}`: the account.
    RootArn,
    /// `arn:aws:iam::111122223333:user/name`: that IAM user.
    UserArn,
    /// `arn:aws:iam::111122223333:role/name`: that role's sessions.
    RoleArn,
    /// `arn:aws:sts::111122223333:assumed-role/role/session`: that one session.
    SessionArn,
    /// `{"CanonicalUser": "…"}`: the account (S3 only).
    CanonicalId,
    /// `"*"` or `{"AWS": "*"}`: everyone.
    Wildcard,
}

impl PrincipalForm {
    pub const ALL: &'static [PrincipalForm] = &[
        PrincipalForm::AccountId,
        PrincipalForm::RootArn,
        PrincipalForm::UserArn,
        PrincipalForm::RoleArn,
        PrincipalForm::SessionArn,
        PrincipalForm::CanonicalId,
        PrincipalForm::Wildcard,
    ];

    /// The form in a deviation's name: `bucket-policy-ignores-<slug>`.
    pub fn slug(self) -> &'static str {
        match self {
            PrincipalForm::AccountId => "account-id",
            PrincipalForm::RootArn => "root-arn",
            PrincipalForm::UserArn => "user-arn",
            PrincipalForm::RoleArn => "role-arn",
            PrincipalForm::SessionArn => "session-arn",
            PrincipalForm::CanonicalId => "canonical-id",
            PrincipalForm::Wildcard => "wildcard",
        }
    }

    /// The form as a description says it.
    pub fn phrase(self) -> &'static str {
        match self {
            PrincipalForm::AccountId => "an account id (`{\"AWS\": \"111122223333\"}`)",
            PrincipalForm::RootArn => "an account's root ARN (`arn:aws:iam::111122223333:root`)",
            PrincipalForm::UserArn => "an IAM user ARN",
            PrincipalForm::RoleArn => "a role ARN",
            PrincipalForm::SessionArn => "an assumed-role session ARN",
            PrincipalForm::CanonicalId => "a canonical user id (`CanonicalUser`)",
            PrincipalForm::Wildcard => "the wildcard `*`",
        }
    }

    /// Is an `AWS` value of this form?
    fn names(self, v: &str) -> bool {
        let iam = |kind: &str| {
            v.strip_prefix("arn:aws:iam::")
                .and_then(|r| r.split_once(':'))
                .is_some_and(|(_, res)| res.starts_with(kind))
        };
        match self {
            PrincipalForm::AccountId => v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()),
            PrincipalForm::RootArn => iam("root"),
            PrincipalForm::UserArn => iam("user/"),
            PrincipalForm::RoleArn => iam("role/"),
            PrincipalForm::SessionArn => v.starts_with("arn:aws:sts::"),
            PrincipalForm::CanonicalId | PrincipalForm::Wildcard => false,
        }
    }
}

/// The kind of resource policy whose Principal elements are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyPlace {
    /// A bucket policy.
    Bucket,
    /// A role's trust policy (AssumeRole).
    Trust,
}

impl PolicyPlace {
    pub const ALL: &'static [PolicyPlace] = &[PolicyPlace::Bucket, PolicyPlace::Trust];

    pub fn slug(self) -> &'static str {
        match self {
            PolicyPlace::Bucket => "bucket-policy",
            PolicyPlace::Trust => "trust-policy",
        }
    }

    fn kind(self) -> PolicyKind {
        match self {
            PolicyPlace::Bucket => PolicyKind::Bucket,
            PolicyPlace::Trust => PolicyKind::Trust,
        }
    }
}

/// bucket-policy-ignores-<form> / trust-policy-ignores-<form>: the policy's Principal values of
/// this form are dropped for the request; a Principal left naming no one keeps its values and
/// its statement never applies instead, so whether the policy is public does not change
/// ([R21] is the rule broken). A NotPrincipal is left alone (the not-element family).
pub(super) fn form_unmatched(
    form: PrincipalForm,
    place: PolicyPlace,
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    with_policies_view(inner, world, step, &|kind, p| {
        if kind == place.kind() {
            ignore_form(p, form);
        }
    })
}

fn ignore_form(p: &mut Policy, form: PrincipalForm) {
    for s in &mut p.statements {
        let Some(e) = s.principal.as_mut().filter(|e| !e.negated) else {
            continue;
        };
        let kept = without_form(e, form);
        if kept == *e {
            continue;
        }
        if names_someone(&kept) {
            *e = kept;
        } else {
            never_applies(s);
        }
    }
}

/// The element without its values of `form`.
fn without_form(e: &PrincipalElement, form: PrincipalForm) -> PrincipalElement {
    let mut kept = e.clone();
    match form {
        PrincipalForm::Wildcard => kept.any = false,
        PrincipalForm::CanonicalId => kept.canonical.clear(),
        f => kept.aws.retain(|v| !f.names(v)),
    }
    kept
}

fn names_someone(e: &PrincipalElement) -> bool {
    e.any || !e.aws.is_empty() || !e.canonical.is_empty()
}
