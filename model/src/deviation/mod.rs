//! The catalogue of deviations: named, documented, pure variants of the model's rules — "the
//! model, but X" — each with its severity and the evidence for it.
//!
//! Two kinds share the catalogue. The *seeded* ones are the historical mutants of the embedded
//! endpoint (`--mutant NAME`): realistic authorization bugs injected to show that the harness
//! finds and shrinks them. The *observed* ones are what Ceph RGW and moto were recorded doing
//! (`corpus/evidence/rgw`, `corpus/evidence/moto`, `baselines/`): a backend's finding can be explained by the
//! deviation, or pair of deviations, under which the model answers as the backend did.
//!
//! Each deviation is a wrapper around an inner step function: it gives the inner function a
//! view of the world for one request (a policy without its Deny statements, a bucket without
//! its Block Public Access settings, …) and takes the view back afterwards, or changes the
//! answer. [`step_literal_with`] folds the chosen deviations around [`crate::step_literal`]
//! in catalogue order, so any set of them composes; with none it is exactly the model.
//!
//! A third kind, the *families*, follows the history of no backend: each changes one rule
//! along one dimension of AWS's rules, over small parameter enums (a principal form and the
//! policy it is in, a grantee kind, a permission and the ACL it is in, an operator family, a
//! condition key, …), and cites the AWS page of the rule it breaks. On a backend xacct has
//! never met they name a root cause the two backends' history could not.
//!
//! Files: this one holds the enum, its accessors and the composition; `catalogue.rs` holds
//! the text (written out for the 30 historical deviations, generated for the families) in a
//! registry built once. One file per group of historical variants: `policy` (policy
//! evaluation), `ownership` (Object Ownership and ACLs), `objects` (object reads and
//! cross-account access), `buckets` (bucket creation, Block Public Access, the expected-owner
//! header), `sts` (AssumeRole and role sessions), `answers` (status codes of successful
//! calls). One file per family: `principals` (principal forms in bucket and trust policies),
//! `not_elements` (NotPrincipal, NotAction, NotResource), `grant_kinds` (ACL grants per
//! grantee and permission), `conditions` (operator families, IfExists, set operators, keys),
//! `public` (what counts as public for Block Public Access), `check_order` (which check
//! answers first). `views.rs` and `grants.rs` hold the helpers that give a step a view and
//! take it back.
//!
//! The fold puts the first deviation of the catalogue innermost and the last outermost. The
//! order matters where one deviation changes what another sees: ownership-controls-absent,
//! which takes every bucket's ownership controls away for the whole request, is outside every
//! other so that they all see buckets without them; session-inherits-caller, which changes who
//! the request is from, is always outermost.

mod answers;
mod buckets;
mod catalogue;
mod check_order;
mod conditions;
mod grant_kinds;
mod grants;
mod not_elements;
mod objects;
mod ownership;
mod policy;
mod principals;
mod public;
mod sts;
mod views;

pub use check_order::{BucketConfig, CallerKind, RequestCheck};
pub use conditions::{ConditionKey, OperatorFamily};
pub use grant_kinds::{AclTarget, GranteeKind, ObjectPerm, Perm};
pub use not_elements::NotElement;
pub use principals::{PolicyPlace, PrincipalForm};
pub use public::{PublicGroup, PublicRule};

use crate::ops::StepError;
use crate::outcome::{Explanation, Outcome};
use crate::principal::{Principal, PrincipalError};
use crate::scenario::Step;
use crate::world::World;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One deviation from AWS's rules. Catalogue order: the 13 seeded mutants first, then the
/// deviations recorded on backends (ownership-controls-absent last: see the module's notes on
/// the fold).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Deviation {
    // Seeded: the historical mutants of the embedded endpoint.
    DenyIgnored,
    PrincipalIgnored,
    AbsentKeyFalse,
    OwnerReadsForeign,
    CrossAccountOneSide,
    TrustUnchecked,
    AssumeIgnoresIdentity,
    SessionInheritsCaller,
    AclsUnderEnforced,
    PreferredIgnoresBofc,
    EnforcedKeepsUploader,
    MissingKey404,
    BpaIgnored,
    // Observed on Ceph RGW 16.2.15 and moto 5.2.5.
    NoBpaDefaults,
    BucketNamesPerAccount,
    RecreateAclConflict,
    BpaAnyAllowPublic,
    RestrictPublicBucketsIgnored,
    NotPrincipalAccountExempts,
    OwnerControlsForeign,
    SessionForeignBucket404,
    MissingKeyLookupFirst,
    ExpectedOwnerIgnored,
    CallerSideOnly,
    DenyIgnoresPrincipal,
    SessionPolicyIgnored,
    DeleteConfig200,
    PutBucketPolicy200,
    PabMissingAnswers200,
    OwnershipControlsAbsent,
    // Families along the dimensions of the rules; not recorded on a backend.
    /// A principal of this form in this kind of policy never matches.
    PrincipalFormUnmatched {
        form: PrincipalForm,
        policy: PolicyPlace,
    },
    /// A statement with this Not* element never applies.
    NotElementNeverMatches {
        element: NotElement,
    },
    /// This Not* element is read as its positive form.
    NotElementAsPositive {
        element: NotElement,
    },
    /// Bucket-ACL grants of this permission to this kind of grantee are ignored when
    /// authorizing.
    BucketGrantIgnored {
        grantee: GranteeKind,
        permission: Perm,
    },
    /// Object-ACL grants of this permission to this kind of grantee are ignored when
    /// authorizing.
    ObjectGrantIgnored {
        grantee: GranteeKind,
        permission: ObjectPerm,
    },
    /// Conditions whose operator is of this family always hold.
    ConditionFamilyIgnored {
        family: OperatorFamily,
    },
    /// The IfExists suffix is ignored: an absent key fails the positive operator.
    IfExistsIgnored,
    /// ForAllValues is evaluated as ForAnyValue.
    ForAllValuesAsAny,
    /// ForAnyValue is evaluated as ForAllValues.
    ForAnyValueAsAll,
    /// Conditions on this key evaluate as if the request did not carry it.
    KeyAbsent {
        key: ConditionKey,
    },
    /// What counts as a public bucket policy for Block Public Access, changed by this rule.
    PublicPolicy {
        rule: PublicRule,
    },
    /// BlockPublicAcls does not count a grant to this group as public.
    PublicAclGroupMissed {
        group: PublicGroup,
    },
    /// A missing bucket configuration answers 404 before authorization.
    ConfigMissingBeforeAuthorization {
        config: BucketConfig,
    },
    /// A call on a bucket that does not exist answers 403 AccessDenied to this kind of caller.
    MissingBucketDenied {
        caller: CallerKind,
    },
    /// This request check comes after authorization: an unauthorized caller gets 403.
    CheckedAfterAuthorization {
        check: RequestCheck,
    },
}

/// The dimension of AWS's rules a deviation changes, for reports to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// Policy evaluation: Deny statements, absent keys.
    Policy,
    /// Who a Principal / NotPrincipal element names, per principal form.
    PolicyPrincipal,
    /// NotPrincipal, NotAction and NotResource.
    NotElement,
    /// Condition operators and condition keys.
    Condition,
    /// ACL grants, per grantee kind and permission.
    AclGrant,
    /// Object Ownership and the ACLs it disables.
    Ownership,
    /// Block Public Access and what counts as public.
    PublicAccess,
    /// The order of checks that decides between 400, 403 and 404.
    CheckOrder,
    /// AssumeRole and role sessions.
    Sts,
    /// Object reads and cross-account access to objects.
    Objects,
    /// Bucket creation and the expected-owner header.
    Buckets,
    /// Status codes of successful calls.
    Answers,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Policy => "policy",
            Family::PolicyPrincipal => "policy-principal",
            Family::NotElement => "not-element",
            Family::Condition => "condition",
            Family::AclGrant => "acl-grant",
            Family::Ownership => "ownership",
            Family::PublicAccess => "public-access",
            Family::CheckOrder => "check-order",
            Family::Sts => "sts",
            Family::Objects => "objects",
            Family::Buckets => "buckets",
            Family::Answers => "answers",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// How much a deviation matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// It can let a request through that AWS refuses, or show a caller what AWS hides from it.
    Security,
    /// It changes answers (codes, statuses, stricter refusals), never to allow more.
    Compatibility,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Severity::Security => "security",
            Severity::Compatibility => "compatibility",
        })
    }
}

/// The text of a historical deviation: its name, what it does, how much it matters and where it
/// was seen (the registry in `catalogue.rs` holds every deviation's text).
#[derive(Debug, Clone, Copy)]
struct Info {
    deviation: Deviation,
    name: &'static str,
    description: &'static str,
    severity: Severity,
    evidence: &'static str,
    seeded: bool,
}

impl Deviation {
    /// Every deviation, in catalogue order: the 30 historical ones (13 seeded mutants, then
    /// those recorded on backends), then the families, each over its parameters.
    pub fn all() -> &'static [Deviation] {
        &catalogue::REGISTRY.list
    }

    /// Its place in [`Deviation::all`], from 0 (what `d as usize` was while every variant was
    /// field-less).
    pub fn position(self) -> usize {
        catalogue::REGISTRY.index(self)
    }

    fn entry(self) -> &'static catalogue::Entry {
        catalogue::REGISTRY.entry(self)
    }

    /// The kebab-case name (`deny-ignored`); the seeded ones keep their mutant names.
    pub fn name(self) -> &'static str {
        &self.entry().name
    }

    /// What it does, as "the model, but …".
    pub fn description(self) -> &'static str {
        &self.entry().description
    }

    pub fn severity(self) -> Severity {
        self.entry().severity
    }

    /// Where it was seen: the backend, its version and the recorded behaviour (corpus file or
    /// baseline entry), or for a seeded one the class of backends it stands for.
    pub fn evidence(self) -> &'static str {
        &self.entry().evidence
    }

    /// The dimension of the rules it changes.
    pub fn family(self) -> Family {
        self.entry().family
    }

    /// True for the 13 historical mutants of the embedded endpoint.
    pub fn seeded(self) -> bool {
        self.entry().seeded
    }

    /// Whether the evidence records this deviation on `backend` (`rgw`: Ceph RGW, `moto`). The
    /// evidence names the backends it was recorded on, in these words, by convention (checked by
    /// a test).
    pub fn recorded_on(self, backend: &str) -> bool {
        let marker = match backend {
            "rgw" => "Ceph RGW",
            "moto" => "moto ",
            _ => return false,
        };
        self.evidence().contains(marker)
    }

    /// The seeded deviations (the mutants), in catalogue order.
    pub fn seeded_ones() -> impl Iterator<Item = Deviation> {
        Deviation::all().iter().copied().filter(|d| d.seeded())
    }

    /// Applies one step as the model with this deviation would, around `inner`.
    fn apply(self, inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
        use Deviation::*;
        match self {
            DenyIgnored => policy::deny_ignored(inner, world, step),
            PrincipalIgnored => policy::principal_ignored(inner, world, step),
            AbsentKeyFalse => policy::absent_key_false(inner, world, step),
            OwnerReadsForeign => objects::owner_reads_foreign(inner, world, step),
            CrossAccountOneSide => objects::cross_account_one_side(inner, world, step),
            TrustUnchecked => sts::trust_unchecked(inner, world, step),
            AssumeIgnoresIdentity => sts::assume_ignores_identity(inner, world, step),
            SessionInheritsCaller => sts::session_inherits_caller(inner, world, step),
            AclsUnderEnforced => ownership::acls_under_enforced(inner, world, step),
            PreferredIgnoresBofc => ownership::preferred_ignores_bofc(inner, world, step),
            EnforcedKeepsUploader => ownership::enforced_keeps_uploader(inner, world, step),
            MissingKey404 => objects::missing_key_404(inner, world, step),
            BpaIgnored => buckets::bpa_ignored(inner, world, step),
            NoBpaDefaults => buckets::no_bpa_defaults(inner, world, step),
            OwnershipControlsAbsent => ownership::controls_absent(inner, world, step),
            BucketNamesPerAccount => buckets::names_per_account(inner, world, step),
            RecreateAclConflict => buckets::recreate_acl_conflict(inner, world, step),
            BpaAnyAllowPublic => policy::bpa_any_allow_public(inner, world, step),
            RestrictPublicBucketsIgnored => {
                buckets::restrict_public_buckets_ignored(inner, world, step)
            }
            NotPrincipalAccountExempts => policy::notprincipal_account_exempts(inner, world, step),
            OwnerControlsForeign => objects::owner_controls_foreign(inner, world, step),
            SessionForeignBucket404 => sts::session_foreign_bucket_404(inner, world, step),
            MissingKeyLookupFirst => objects::missing_key_lookup_first(inner, world, step),
            ExpectedOwnerIgnored => buckets::expected_owner_ignored(inner, world, step),
            CallerSideOnly => objects::caller_side_only(inner, world, step),
            DenyIgnoresPrincipal => policy::deny_ignores_principal(inner, world, step),
            SessionPolicyIgnored => sts::session_policy_ignored(inner, world, step),
            DeleteConfig200 => answers::delete_config_200(inner, world, step),
            PutBucketPolicy200 => answers::put_bucket_policy_200(inner, world, step),
            PabMissingAnswers200 => answers::pab_missing_answers_200(inner, world, step),
            PrincipalFormUnmatched { form, policy } => {
                principals::form_unmatched(form, policy, inner, world, step)
            }
            NotElementNeverMatches { element } => {
                not_elements::never_matches(element, inner, world, step)
            }
            NotElementAsPositive { element } => {
                not_elements::as_positive(element, inner, world, step)
            }
            BucketGrantIgnored {
                grantee,
                permission,
            } => {
                let grant = (grantee, permission, AclTarget::Bucket);
                grant_kinds::grant_ignored(grant, inner, world, step)
            }
            ObjectGrantIgnored {
                grantee,
                permission,
            } => {
                let grant = (grantee, permission.perm(), AclTarget::Object);
                grant_kinds::grant_ignored(grant, inner, world, step)
            }
            ConditionFamilyIgnored { family } => {
                conditions::family_ignored(family, inner, world, step)
            }
            IfExistsIgnored => conditions::if_exists_ignored(inner, world, step),
            ForAllValuesAsAny => conditions::for_all_values_as_any(inner, world, step),
            ForAnyValueAsAll => conditions::for_any_value_as_all(inner, world, step),
            KeyAbsent { key } => conditions::key_absent(key, inner, world, step),
            PublicPolicy { rule } => public::public_policy(rule, inner, world, step),
            PublicAclGroupMissed { group } => public::acl_group_missed(group, inner, world, step),
            ConfigMissingBeforeAuthorization { config } => {
                check_order::config_missing_first(config, inner, world, step)
            }
            MissingBucketDenied { caller } => {
                check_order::missing_bucket_denied(caller, inner, world, step)
            }
            CheckedAfterAuthorization { check } => {
                check_order::checked_after_authorization(check, inner, world, step)
            }
        }
    }

    /// Where the deviation sits in the fold: catalogue order, the last outermost, except
    /// ownership-controls-absent, outside every other (they all see buckets without ownership
    /// controls), and session-inherits-caller, which decides who the request is from and so
    /// comes before every other deviation sees the step.
    fn fold_rank(self) -> (u8, usize) {
        match self {
            Deviation::SessionInheritsCaller => (2, 0),
            Deviation::OwnershipControlsAbsent => (1, 0),
            d => (0, d.position()),
        }
    }
}

/// A name that is not a deviation's; its message lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no deviation is named {name:?}; the deviations are: {}", Deviation::all().iter().map(|d| d.name()).collect::<Vec<_>>().join(", "))]
pub struct UnknownDeviation {
    pub name: String,
}

impl std::str::FromStr for Deviation {
    type Err = UnknownDeviation;

    fn from_str(name: &str) -> Result<Deviation, UnknownDeviation> {
        catalogue::REGISTRY
            .by_name(name)
            .ok_or_else(|| UnknownDeviation { name: name.into() })
    }
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Deviation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Deviation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Deviation, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

type StepResult = Result<(Outcome, Explanation), StepError>;

/// The step function a deviation wraps: the model, or the model with the deviations folded
/// inside this one.
type Inner<'a> = &'a dyn Fn(&mut World, &Step) -> StepResult;

/// The model with these deviations on: placeholders resolved, then as [`step_literal_with`].
/// With none, exactly [`crate::step`].
pub fn step_with(devs: &[Deviation], world: &mut World, step: &Step) -> StepResult {
    let step = step.resolved(world)?;
    step_literal_with(devs, world, &step)
}

/// The model with these deviations on, for a step taken literally (a wire request). With none,
/// exactly [`crate::step_literal`]. Repeated deviations count once; the order given does not
/// matter (they fold in catalogue order).
pub fn step_literal_with(devs: &[Deviation], world: &mut World, step: &Step) -> StepResult {
    let mut order = devs.to_vec();
    order.sort_by_key(|d| d.fold_rank());
    order.dedup();
    fold(&order, world, step)
}

/// `devs[..n-1]` folded inside `devs[n-1]`, the model innermost.
fn fold(devs: &[Deviation], world: &mut World, step: &Step) -> StepResult {
    match devs.split_last() {
        None => crate::step_literal(world, step),
        Some((outer, rest)) => {
            outer.apply(&|w: &mut World, s: &Step| fold(rest, w, s), world, step)
        }
    }
}

/// The principal a request by `name` acts as with these deviations on: the model's
/// ([`Principal::resolve`]), except that under session-inherits-caller a role session acts as
/// whoever assumed the role. For the endpoint's calls outside the model (GetCallerIdentity,
/// IAM bookkeeping, ListBuckets' owner).
pub fn resolve_principal(
    devs: &[Deviation],
    world: &World,
    name: &str,
) -> Result<Principal, PrincipalError> {
    if devs.contains(&Deviation::SessionInheritsCaller) {
        return Principal::resolve(world, &sts::acting_name(world, name));
    }
    Principal::resolve(world, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_starts_with_the_historical_thirty_in_order() {
        let all = Deviation::all();
        assert_eq!(
            &all[..30],
            catalogue::HISTORICAL.map(|i| i.deviation).as_slice()
        );
        assert_eq!(all[0], Deviation::DenyIgnored);
        assert_eq!(all[29], Deviation::OwnershipControlsAbsent);
        for (i, d) in all.iter().enumerate() {
            assert_eq!(catalogue::REGISTRY.index(*d), i, "{d:?}");
        }
        assert!(all.len() > 80, "{}", all.len());
        assert!(all[30..].iter().all(|d| !d.seeded()));
        assert!(all[30..]
            .iter()
            .all(|d| d.evidence().contains("not recorded on a backend")));
        assert_eq!(Family::AclGrant.to_string(), "acl-grant");
        assert_eq!(Deviation::DenyIgnored.family(), Family::Policy);
    }

    #[test]
    fn names_are_unique_kebab_case_and_parse_back() {
        let mut names: Vec<&str> = Deviation::all().iter().map(|d| d.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Deviation::all().len());
        for d in Deviation::all().iter().copied() {
            assert_eq!(d.name().parse::<Deviation>(), Ok(d));
            assert!(d
                .name()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            assert!(d.description().starts_with("the model, but "), "{d}");
            assert!(!d.evidence().is_empty(), "{d}");
            let json = serde_json::to_value(d).unwrap();
            assert_eq!(json, serde_json::json!(d.name()));
            assert_eq!(serde_json::from_value::<Deviation>(json).unwrap(), d);
        }
        let err = "nope".parse::<Deviation>().unwrap_err();
        assert!(err.to_string().contains("deny-ignored"), "{err}");
        assert!(err.to_string().contains("put-bucket-policy-200"), "{err}");
        assert_eq!(Deviation::seeded_ones().count(), 13);
        assert_eq!(
            serde_json::to_value(Severity::Compatibility).unwrap(),
            serde_json::json!("compatibility")
        );
        assert_eq!(Severity::Security.to_string(), "security");
    }

    #[test]
    fn observed_deviations_name_their_backend_and_version() {
        for d in Deviation::all()[..30].iter().filter(|d| !d.seeded()) {
            let e = d.evidence();
            assert!(
                e.contains("RGW 16.2.15") || e.contains("moto 5.2.5"),
                "{d}: {e}"
            );
            assert!(d.recorded_on("rgw") || d.recorded_on("moto"), "{d}: {e}");
        }
        assert!(Deviation::NoBpaDefaults.recorded_on("rgw"));
        assert!(Deviation::NoBpaDefaults.recorded_on("moto"));
        assert!(Deviation::OwnershipControlsAbsent.recorded_on("rgw"));
        assert!(!Deviation::OwnershipControlsAbsent.recorded_on("moto"));
        assert!(!Deviation::DenyIgnored.recorded_on("embedded"));
        for d in &Deviation::all()[30..] {
            assert!(!d.recorded_on("rgw") && !d.recorded_on("moto"), "{d}");
        }
    }
}
