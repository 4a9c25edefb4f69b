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
//! Files: this one holds the enum, its metadata (`catalogue.rs` has the text) and the
//! composition; one file per family of variants: `policy` (policy evaluation), `ownership`
//! (Object Ownership and ACLs), `objects` (object reads and cross-account access), `buckets`
//! (bucket creation, Block Public Access, the expected-owner header), `sts` (AssumeRole and
//! role sessions), `answers` (status codes of successful calls). `views.rs` and `grants.rs`
//! hold the helpers that give a step a view and take it back.
//!
//! The fold puts the first deviation of the catalogue innermost and the last outermost. The
//! order matters where one deviation changes what another sees: ownership-controls-absent,
//! which takes every bucket's ownership controls away for the whole request, comes last so
//! that the others see buckets without them; session-inherits-caller, which changes who the
//! request is from, is always outermost.

mod answers;
mod buckets;
mod catalogue;
mod grants;
mod objects;
mod ownership;
mod policy;
mod sts;
mod views;

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
        f.write_str(match self {
            Severity::Security => "security",
            Severity::Compatibility => "compatibility",
        })
    }
}

/// A deviation's text: its name, what it does, how much it matters and where it was seen.
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
    /// Every deviation, in catalogue order.
    pub const ALL: &'static [Deviation] = &[
        Deviation::DenyIgnored,
        Deviation::PrincipalIgnored,
        Deviation::AbsentKeyFalse,
        Deviation::OwnerReadsForeign,
        Deviation::CrossAccountOneSide,
        Deviation::TrustUnchecked,
        Deviation::AssumeIgnoresIdentity,
        Deviation::SessionInheritsCaller,
        Deviation::AclsUnderEnforced,
        Deviation::PreferredIgnoresBofc,
        Deviation::EnforcedKeepsUploader,
        Deviation::MissingKey404,
        Deviation::BpaIgnored,
        Deviation::NoBpaDefaults,
        Deviation::BucketNamesPerAccount,
        Deviation::RecreateAclConflict,
        Deviation::BpaAnyAllowPublic,
        Deviation::RestrictPublicBucketsIgnored,
        Deviation::NotPrincipalAccountExempts,
        Deviation::OwnerControlsForeign,
        Deviation::SessionForeignBucket404,
        Deviation::MissingKeyLookupFirst,
        Deviation::ExpectedOwnerIgnored,
        Deviation::CallerSideOnly,
        Deviation::DenyIgnoresPrincipal,
        Deviation::SessionPolicyIgnored,
        Deviation::DeleteConfig200,
        Deviation::PutBucketPolicy200,
        Deviation::PabMissingAnswers200,
        Deviation::OwnershipControlsAbsent,
    ];

    /// Every deviation, in catalogue order (the slice [`Deviation::ALL`] today; families of
    /// parameterized deviations join it).
    pub fn all() -> &'static [Deviation] {
        Deviation::ALL
    }

    fn info(self) -> &'static Info {
        // The catalogue lists the deviations in declaration order (checked by a test).
        let info = &catalogue::CATALOGUE[self as usize];
        debug_assert_eq!(info.deviation, self);
        info
    }

    /// The kebab-case name (`deny-ignored`); the seeded ones keep their mutant names.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// What it does, as "the model, but …".
    pub fn description(self) -> &'static str {
        self.info().description
    }

    pub fn severity(self) -> Severity {
        self.info().severity
    }

    /// Where it was seen: the backend, its version and the recorded behaviour (corpus file or
    /// baseline entry), or for a seeded one the class of backends it stands for.
    pub fn evidence(self) -> &'static str {
        self.info().evidence
    }

    /// True for the 13 historical mutants of the embedded endpoint.
    pub fn seeded(self) -> bool {
        self.info().seeded
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
        Deviation::ALL.iter().copied().filter(|d| d.seeded())
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
        }
    }

    /// Where the deviation sits in the fold: catalogue order, the last outermost, except
    /// session-inherits-caller, which decides who the request is from and so comes before
    /// every other deviation sees the step.
    fn fold_rank(self) -> (u8, usize) {
        match self {
            Deviation::SessionInheritsCaller => (1, 0),
            d => (0, d as usize),
        }
    }
}

/// A name that is not a deviation's; its message lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no deviation is named {name:?}; the deviations are: {}", Deviation::ALL.iter().map(|d| d.name()).collect::<Vec<_>>().join(", "))]
pub struct UnknownDeviation {
    pub name: String,
}

impl std::str::FromStr for Deviation {
    type Err = UnknownDeviation;

    fn from_str(name: &str) -> Result<Deviation, UnknownDeviation> {
        Deviation::ALL
            .iter()
            .copied()
            .find(|d| d.name() == name)
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
    fn the_catalogue_follows_the_declaration_order() {
        assert_eq!(catalogue::CATALOGUE.len(), Deviation::ALL.len());
        for (i, d) in Deviation::ALL.iter().enumerate() {
            assert_eq!(*d as usize, i, "{d:?}");
            assert_eq!(catalogue::CATALOGUE[i].deviation, *d);
        }
    }

    #[test]
    fn names_are_unique_kebab_case_and_parse_back() {
        let mut names: Vec<&str> = Deviation::ALL.iter().map(|d| d.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Deviation::ALL.len());
        for d in Deviation::ALL.iter().copied() {
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
        for d in Deviation::ALL.iter().filter(|d| !d.seeded()) {
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
    }
}
