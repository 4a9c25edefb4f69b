//! The text of the catalogue: each deviation's name, description, severity, evidence and
//! family, in catalogue order. The 30 historical deviations are written out ([`HISTORICAL`]):
//! their evidence names the backend and version, and the corpus file (`corpus/<backend>/…`,
//! with its recorded signature) or the baseline entry (`baselines/<backend>.json`, scenario and
//! step) where the behaviour was recorded. The families' text is generated from their
//! parameters ([`families`]); their evidence cites the AWS page of the rule they break. The
//! [`REGISTRY`] holds it all, built once.

use super::check_order::{BucketConfig, CallerKind, RequestCheck};
use super::conditions::{ConditionKey, OperatorFamily};
use super::grant_kinds::{AclTarget, GranteeKind, ObjectPerm, Perm};
use super::not_elements::NotElement;
use super::principals::{PolicyPlace, PrincipalForm};
use super::public::{PublicGroup, PublicRule};
use super::{Deviation, Family, Info, Severity};
use std::collections::HashMap;
use std::sync::LazyLock;

/// A seeded deviation: one of the historical mutants of the embedded endpoint.
const fn seeded(
    deviation: Deviation,
    name: &'static str,
    severity: Severity,
    description: &'static str,
    evidence: &'static str,
) -> Info {
    Info {
        seeded: true,
        ..observed(deviation, name, severity, description, evidence)
    }
}

/// A deviation recorded on a backend.
const fn observed(
    deviation: Deviation,
    name: &'static str,
    severity: Severity,
    description: &'static str,
    evidence: &'static str,
) -> Info {
    Info {
        deviation,
        name,
        description,
        severity,
        evidence,
        seeded: false,
    }
}

use Severity::{Compatibility, Security};

pub(super) const HISTORICAL: [Info; 30] = [
    seeded(
        Deviation::DenyIgnored,
        "deny-ignored",
        Security,
        "the model, but explicit Deny statements in bucket policies are dropped when the policy is stored; GetBucketPolicy returns the document as sent",
        "seeded: policy engines that evaluate Allow statements only",
    ),
    seeded(
        Deviation::PrincipalIgnored,
        "principal-ignored",
        Security,
        "the model, but a bucket-policy statement's Principal (or NotPrincipal) is taken to name whoever makes the request; the stored document, and so whether it is public, is unchanged",
        "seeded: emulators that match bucket-policy statements on Action and Resource alone",
    ),
    seeded(
        Deviation::AbsentKeyFalse,
        "absent-key-false",
        Security,
        "the model, but a negated condition (StringNotEquals, ArnNotLike, NotIpAddress, ...) on a key absent from the request is false instead of true",
        "seeded: Ceph RGW condition evaluation; recorded on Ceph RGW 16.2.15: baselines/rgw.json seed-example4 step 4 (a StringNotEquals on the absent s3:x-amz-grant-full-control never fires) and corpus/evidence/rgw/d15 (wrong-error head_object model=403 target=404 rule=R22)",
    ),
    seeded(
        Deviation::OwnerReadsForeign,
        "owner-reads-foreign",
        Security,
        "the model, but the bucket owner can read (GET/HEAD) objects another account owns without any grant",
        "seeded: backends that let the bucket owner bypass object ACLs; alone it gives Ceph RGW 16.2.15's answer at baselines/rgw.json ownership-toggle steps 4 and 12 (owner-controls-foreign, RGW's cause, explains step 10 too)",
    ),
    seeded(
        Deviation::CrossAccountOneSide,
        "cross-account-one-side",
        Security,
        "the model, but a cross-account request needs only the bucket's allow: the caller's own identity policies are not checked",
        "seeded: backends without cross-account identity evaluation",
    ),
    seeded(
        Deviation::TrustUnchecked,
        "trust-unchecked",
        Security,
        "the model, but AssumeRole across accounts does not check the role's trust policy, only the caller's identity policy",
        "seeded: STS implementations that skip trust policies across tenants; recorded on moto 5.2.5: baselines/moto.json assume-role step 10 (an untrusted account assumes the role)",
    ),
    seeded(
        Deviation::AssumeIgnoresIdentity,
        "assume-ignores-identity",
        Security,
        "the model, but AssumeRole checks only the trust policy, never the caller's identity policy",
        "seeded: Ceph RGW STS AssumeRole; recorded on Ceph RGW 16.2.15: baselines/rgw.json assume-role step 7 and seed-example4 step 11 (a caller without an sts:AssumeRole allow assumes the role)",
    ),
    seeded(
        Deviation::SessionInheritsCaller,
        "session-inherits-caller",
        Security,
        "the model, but a role session acts with the permissions and identity of the principal that assumed the role, not the role's",
        "seeded: MinIO-style AssumeRole, where temporary credentials inherit the parent user",
    ),
    seeded(
        Deviation::AclsUnderEnforced,
        "acls-under-enforced",
        Security,
        "the model, but requests carrying ACLs are accepted and applied on BucketOwnerEnforced buckets (as under BucketOwnerPreferred) instead of failing with AccessControlListNotSupported",
        "seeded: backends without Object Ownership enforcement; recorded on moto 5.2.5: corpus/evidence/moto/d02 (over-permissive put_object model=400 AccessControlListNotSupported target=200 rule=R3), d03 (put_object_acl, rule=R4), d11 (wrong-error put_object_acl model=400 target=404 NoSuchKey)",
    ),
    seeded(
        Deviation::PreferredIgnoresBofc,
        "preferred-ignores-bofc",
        Security,
        "the model, but BucketOwnerPreferred ignores the bucket-owner-full-control canned ACL: the uploader keeps ownership",
        "seeded: backends with partial Object Ownership support",
    ),
    seeded(
        Deviation::EnforcedKeepsUploader,
        "enforced-keeps-uploader",
        Security,
        "the model, but under BucketOwnerEnforced the uploader is recorded and reported as the object's owner (and owns it again once ACLs are re-enabled)",
        "seeded: backends with partial Object Ownership support",
    ),
    seeded(
        Deviation::MissingKey404,
        "missing-key-404",
        Security,
        "the model, but GET/HEAD of a missing key answers 404 even when the caller may not list the bucket (it learns which keys exist)",
        "seeded: backends that look the key up before authorizing; alone it also gives the recorded answer of corpus/evidence/rgw/d10, d15, s2-d11 (Ceph RGW 16.2.15) and corpus/evidence/moto/d08, d10 (moto 5.2.5), whose causes are other deviations (see their evidence)",
    ),
    seeded(
        Deviation::BpaIgnored,
        "bpa-ignored",
        Security,
        "the model, but Block Public Access settings are stored and returned but never enforced",
        "seeded: backends that accept the PublicAccessBlock API without enforcing it; recorded on moto 5.2.5: baselines/moto.json block-public-access steps 3 and 4 (BlockPublicAcls, BlockPublicPolicy not enforced)",
    ),
    observed(
        Deviation::NoBpaDefaults,
        "no-bpa-defaults",
        Security,
        "the model, but a new bucket gets no Block Public Access configuration (AWS has turned all four flags on for new buckets since April 2023)",
        "Ceph RGW 16.2.15: corpus/evidence/rgw/d02 (over-permissive put_bucket_acl model=403 AccessDenied target=200 rule=R32), d04 (over-permissive put_bucket_policy model=403 target=204 rule=R34), d07, d08, s2-d01, s2-d06 (a public policy stored, then used); moto 5.2.5: corpus/evidence/moto/d06 (put_bucket_policy model=403 target=200 rule=R34, with put-bucket-policy-200), baselines/moto.json block-public-access step 2 (GetPublicAccessBlock of a new bucket: 404)",
    ),
    observed(
        Deviation::BucketNamesPerAccount,
        "bucket-names-per-account",
        Compatibility,
        "the model, but bucket names are per account: creating a name another account holds succeeds, and from then on the name means the new bucket",
        "Ceph RGW 16.2.15 tenants, each with its own bucket namespace (xacct addresses a name as its latest creator's bucket): corpus/evidence/rgw/d01 (over-permissive create_bucket model=409 BucketAlreadyExists target=200 rule=X-bucket-exists), s2-d07-over-restrictive-put_object, s2-d07-wrong-error-get_object, s2-d10; s2-d08 with ownership-controls-absent",
    ),
    observed(
        Deviation::RecreateAclConflict,
        "recreate-acl-conflict",
        Compatibility,
        "the model, but re-creating a bucket one owns with an ACL other than its stored one (private when the request sets none) answers 409 BucketAlreadyExists and changes nothing",
        "Ceph RGW 16.2.15: corpus/evidence/rgw/d13 (over-restrictive create_bucket model=200 target=409 BucketAlreadyExists rule=X-bucket-recreate-us-east-1; its public-read ACL was stored through no-bpa-defaults and ownership-controls-absent); the plain re-create answered 200 (corpus/evidence/rgw/d05, removed in 7a1098d)",
    ),
    observed(
        Deviation::BpaAnyAllowPublic,
        "bpa-any-allow-public",
        Compatibility,
        "the model, but BlockPublicPolicy counts every Allow statement as public unless its NotPrincipal holds *, so PutBucketPolicy refuses policies AWS accepts",
        "Ceph RGW 16.2.15: corpus/evidence/rgw/d09 (over-restrictive put_bucket_policy model=204 target=403 AccessDenied rule=R30); the predicate is rgw::IAM::is_public (src/rgw/rgw_iam_policy.cc)",
    ),
    observed(
        Deviation::RestrictPublicBucketsIgnored,
        "restrict-public-buckets-ignored",
        Security,
        "the model, but RestrictPublicBuckets is stored and returned but not enforced: a public bucket policy grants outside the bucket owner's account",
        "Ceph RGW 16.2.15: baselines/rgw.json block-public-access step 20 (anonymous listing through a public policy after RestrictPublicBuckets is set: 200)",
    ),
    observed(
        Deviation::NotPrincipalAccountExempts,
        "notprincipal-account-exempts",
        Security,
        "the model, but a NotPrincipal naming an account (its id or root ARN) exempts every principal of that account, not only those whose own ARN is listed too",
        "Ceph RGW 16.2.15: corpus/evidence/rgw/s2-d06 (over-restrictive get_object model=200 target=403 AccessDenied rule=R20: an Allow with NotPrincipal naming account A no longer covers A.admin; its policy was stored through no-bpa-defaults)",
    ),
    observed(
        Deviation::OwnerControlsForeign,
        "owner-controls-foreign",
        Security,
        "the model, but the bucket owner's account may read an object another account owns in its bucket, read its ACL and replace it, as if the object's ACL granted it FULL_CONTROL",
        "Ceph RGW 16.2.15: baselines/rgw.json ownership-toggle steps 4 and 12 (GetObject of another tenant's object: 200) and step 10 (PutObjectAcl on it: 200); owner-reads-foreign alone explains steps 4 and 12",
    ),
    observed(
        Deviation::SessionForeignBucket404,
        "session-foreign-bucket-404",
        Compatibility,
        "the model, but a role session cannot reach another account's bucket: every call it makes on one answers 404 NoSuchBucket",
        "Ceph RGW 16.2.15: corpus/evidence/rgw/d16 (wrong-error put_object model=403 AccessDenied target=404 NoSuchBucket rule=R20); baselines/rgw.json grants-and-sessions steps 12, 13, 15, 18",
    ),
    observed(
        Deviation::MissingKeyLookupFirst,
        "missing-key-lookup-first",
        Compatibility,
        "the model, but a call on a missing key (GET, HEAD, Get/PutObjectAcl) looks the key up before authorizing: the principal that created the bucket gets 404 NoSuchKey whatever its policies say, others 404 if they may list the bucket (ACLs included) and 403 otherwise; the call's own action is not checked",
        "Ceph RGW 16.2.15: corpus/evidence/rgw/s2-d09 (wrong-error put_object_acl model=403 AccessDenied target=404 NoSuchKey rule=R26-adjacent: s3:ListBucket denied to the owner), d15 (wrong-error head_object model=403 target=404 rule=R22: a bucket-policy Deny on the owner); corpus/evidence/rgw/d10, s2-d11 (a public-read bucket ACL lets another tenant list: 404) with no-bpa-defaults and ownership-controls-absent; the lookup is read_obj_policy in src/rgw/rgw_op.cc",
    ),
    observed(
        Deviation::ExpectedOwnerIgnored,
        "expected-owner-ignored",
        Security,
        "the model, but the x-amz-expected-bucket-owner header is ignored, whether malformed or naming another account",
        "Ceph RGW 16.2.15 and moto 5.2.5: baselines/rgw.json and baselines/moto.json, bucket-policy-management steps 13 (another account named: AWS 403) and 14 (malformed: AWS 400 InvalidBucketOwnerAWSAccountID)",
    ),
    observed(
        Deviation::CallerSideOnly,
        "caller-side-only",
        Security,
        "the model, but a signed request needs only its caller's identity allow: the resource owner's side (bucket policy, ACLs) grants it whatever it holds, across accounts and on objects other accounts own; explicit Denies still refuse",
        "moto 5.2.5: corpus/evidence/moto/d01 (over-permissive put_object model=403 AccessDenied target=200 rule=R20), d04 (delete_object), d05 (list_objects), d08, d09, d10 (a missing key answers 404 where AWS refuses); baselines/moto.json grants-and-sessions steps 13, 16 and ownership-toggle steps 4, 12",
    ),
    observed(
        Deviation::DenyIgnoresPrincipal,
        "deny-ignores-principal",
        Security,
        "the model, but a bucket-policy Deny refuses every object call it names whatever its Principal, NotPrincipal and Condition, with a 403 that has no error code; calls naming no object ignore Deny statements",
        "moto 5.2.5: corpus/evidence/moto/d07 (over-restrictive put_object model=200 target=403 rule=R2); baselines/moto.json seed-example4 steps 4, 5, 6, 9, 18 (403 with an empty body) and bucket-policy-management step 8 (Denies apply only to object calls)",
    ),
    observed(
        Deviation::SessionPolicyIgnored,
        "session-policy-ignored",
        Security,
        "the model, but a role session has its role's permissions whatever its session policy says",
        "moto 5.2.5: baselines/moto.json assume-role step 19 and grants-and-sessions step 18 (session policies do not limit the session)",
    ),
    observed(
        Deviation::DeleteConfig200,
        "delete-config-200",
        Compatibility,
        "the model, but DeleteBucketPolicy and DeletePublicAccessBlock answer 200 instead of 204",
        "Ceph RGW 16.2.15: corpus/evidence/rgw/d17 (wrong-state delete_bucket_policy model=204 target=200 rule=R30); baselines/rgw.json block-public-access step 10",
    ),
    observed(
        Deviation::PutBucketPolicy200,
        "put-bucket-policy-200",
        Compatibility,
        "the model, but PutBucketPolicy answers 200 instead of 204",
        "moto 5.2.5: corpus/evidence/moto/d12 (wrong-state put_bucket_policy model=204 target=200 rule=R30); baselines/moto.json, every PutBucketPolicy that succeeds",
    ),
    observed(
        Deviation::PabMissingAnswers200,
        "pab-missing-answers-200",
        Compatibility,
        "the model, but GetPublicAccessBlock of a bucket without a configuration answers 200 with all four flags off instead of 404 NoSuchPublicAccessBlockConfiguration",
        "Ceph RGW 16.2.15: baselines/rgw.json block-public-access step 11 (after DeletePublicAccessBlock: 200; the record holds the status, not the flags)",
    ),
    observed(
        Deviation::OwnershipControlsAbsent,
        "ownership-controls-absent",
        Security,
        "the model, but buckets have no Object Ownership: ACLs are always enabled and the writer owns what it writes, whatever CreateBucket or PutBucketOwnershipControls asked for",
        "Ceph RGW 16.2.15 has no ownership controls (xacct sends none to it): corpus/evidence/rgw/d03 (over-permissive put_bucket_acl model=400 AccessControlListNotSupported target=200 rule=R4), d06 (put_object, rule=R3), d11 (wrong-error put_object model=400 target=403), d12, d14 (put_object_acl: 404, 403), s2-d02, s2-d03, s2-d05 (an object written with grants, then read)",
    ),
];

/// One deviation's text.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) deviation: Deviation,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) severity: Severity,
    pub(super) evidence: String,
    pub(super) seeded: bool,
    pub(super) family: Family,
}

/// Every deviation in catalogue order, with its text.
pub(super) struct Registry {
    pub(super) list: Vec<Deviation>,
    entries: Vec<Entry>,
    index: HashMap<Deviation, usize>,
    names: HashMap<String, Deviation>,
}

pub(super) static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::build);

impl Registry {
    fn build() -> Registry {
        let mut entries: Vec<Entry> = HISTORICAL
            .iter()
            .map(|i| Entry {
                deviation: i.deviation,
                name: i.name.into(),
                description: i.description.into(),
                severity: i.severity,
                evidence: i.evidence.into(),
                seeded: i.seeded,
                family: family_of(i.deviation),
            })
            .collect();
        entries.extend(families());
        let list = entries.iter().map(|e| e.deviation).collect();
        let index = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.deviation, i))
            .collect();
        let names = entries
            .iter()
            .map(|e| (e.name.clone(), e.deviation))
            .collect();
        Registry {
            list,
            entries,
            index,
            names,
        }
    }

    /// Where `d` is in the catalogue. Every value of the enum is catalogued (checked by a test);
    /// one that is not sorts last.
    pub(super) fn index(&self, d: Deviation) -> usize {
        self.index.get(&d).copied().unwrap_or(usize::MAX)
    }

    pub(super) fn entry(&self, d: Deviation) -> &Entry {
        match self.index.get(&d) {
            Some(i) => &self.entries[*i],
            None => unreachable!("{d:?} is not in the catalogue"),
        }
    }

    pub(super) fn by_name(&self, name: &str) -> Option<Deviation> {
        self.names.get(name).copied()
    }
}

/// "not recorded on a backend", after the AWS page of the rule a family deviation breaks.
fn cites(page: &str) -> String {
    format!("{page}; not recorded on a backend")
}

fn new_entry(
    deviation: Deviation,
    name: String,
    severity: Severity,
    description: String,
    evidence: String,
) -> Entry {
    Entry {
        deviation,
        name,
        description,
        severity,
        evidence,
        seeded: false,
        family: family_of(deviation),
    }
}

/// The dimension of the rules each deviation changes.
fn family_of(d: Deviation) -> Family {
    use Deviation::*;
    match d {
        DenyIgnored | AbsentKeyFalse | DenyIgnoresPrincipal => Family::Policy,
        PrincipalIgnored | NotPrincipalAccountExempts | PrincipalFormUnmatched { .. } => {
            Family::PolicyPrincipal
        }
        NotElementNeverMatches { .. } | NotElementAsPositive { .. } => Family::NotElement,
        ConditionFamilyIgnored { .. }
        | IfExistsIgnored
        | ForAllValuesAsAny
        | ForAnyValueAsAll
        | KeyAbsent { .. } => Family::Condition,
        BucketGrantIgnored { .. } | ObjectGrantIgnored { .. } => Family::AclGrant,
        AclsUnderEnforced
        | PreferredIgnoresBofc
        | EnforcedKeepsUploader
        | OwnershipControlsAbsent => Family::Ownership,
        BpaIgnored
        | NoBpaDefaults
        | BpaAnyAllowPublic
        | RestrictPublicBucketsIgnored
        | PublicPolicy { .. }
        | PublicAclGroupMissed { .. } => Family::PublicAccess,
        MissingKey404
        | MissingKeyLookupFirst
        | ConfigMissingBeforeAuthorization { .. }
        | MissingBucketDenied { .. }
        | CheckedAfterAuthorization { .. } => Family::CheckOrder,
        TrustUnchecked
        | AssumeIgnoresIdentity
        | SessionInheritsCaller
        | SessionForeignBucket404
        | SessionPolicyIgnored => Family::Sts,
        OwnerReadsForeign | CrossAccountOneSide | OwnerControlsForeign | CallerSideOnly => {
            Family::Objects
        }
        BucketNamesPerAccount | RecreateAclConflict | ExpectedOwnerIgnored => Family::Buckets,
        DeleteConfig200 | PutBucketPolicy200 | PabMissingAnswers200 => Family::Answers,
    }
}

/// The families, in catalogue order.
fn families() -> Vec<Entry> {
    let mut out = Vec::new();
    out.extend(principal_forms());
    out.extend(not_elements());
    out.extend(grants());
    out.extend(conditions());
    out.extend(public_access());
    out.extend(check_order());
    out
}

// Source: AWS IAM User Guide, "IAM JSON policy elements: Principal".
fn principal_forms() -> Vec<Entry> {
    let mut out = Vec::new();
    for place in PolicyPlace::ALL.iter().copied() {
        for form in PrincipalForm::ALL.iter().copied() {
            let d = Deviation::PrincipalFormUnmatched {
                form,
                policy: place,
            };
            let (policy, grants) = match place {
                PolicyPlace::Bucket => ("bucket-policy", "neither grants nor denies anything"),
                PolicyPlace::Trust => (
                    "trust-policy",
                    "neither lets anyone assume the role nor refuses anyone",
                ),
            };
            out.push(new_entry(
                d,
                format!("{policy}-ignores-{}", form.slug()),
                // A Deny that no longer matches lets through what AWS refuses.
                Security,
                format!(
                    "the model, but a {} Principal given as {} never matches: the value {grants} (a NotPrincipal is left alone)",
                    policy.replace('-', " "),
                    form.phrase()
                ),
                cites("AWS IAM User Guide: IAM JSON policy elements: Principal"),
            ));
        }
    }
    out
}

// Source: AWS IAM User Guide, "IAM JSON policy elements: NotPrincipal / NotAction / NotResource".
fn not_elements() -> Vec<Entry> {
    let mut out = Vec::new();
    for e in NotElement::ALL.iter().copied() {
        out.push(new_entry(
            Deviation::NotElementNeverMatches { element: e },
            format!("{}-never-matches", e.slug()),
            Security,
            format!(
                "the model, but a statement with {} never applies, in every policy that can hold it: its Allow grants nothing and its Deny refuses nothing",
                e.element()
            ),
            cites(e.page()),
        ));
        out.push(new_entry(
            Deviation::NotElementAsPositive { element: e },
            format!("{}-as-positive", e.slug()),
            Security,
            format!(
                "the model, but {} is read as {}: a statement applies to what it lists instead of to everything else",
                e.element(),
                e.positive()
            ),
            cites(e.page()),
        ));
    }
    out
}

// Source: Amazon S3 User Guide, "Access control list (ACL) overview".
fn grants() -> Vec<Entry> {
    let mut out = Vec::new();
    for grantee in GranteeKind::ALL.iter().copied() {
        for permission in Perm::ALL.iter().copied() {
            let d = Deviation::BucketGrantIgnored {
                grantee,
                permission,
            };
            out.push(grant_entry(d, (grantee, permission, AclTarget::Bucket)));
        }
    }
    for grantee in GranteeKind::ALL.iter().copied() {
        for permission in ObjectPerm::ALL.iter().copied() {
            let d = Deviation::ObjectGrantIgnored {
                grantee,
                permission,
            };
            out.push(grant_entry(
                d,
                (grantee, permission.perm(), AclTarget::Object),
            ));
        }
    }
    out
}

fn grant_entry(d: Deviation, (grantee, permission, on): (GranteeKind, Perm, AclTarget)) -> Entry {
    let whose = match on {
        AclTarget::Bucket => "a bucket's",
        AclTarget::Object => "an object's",
    };
    new_entry(
        d,
        format!(
            "{}-grant-ignored-{}-{}",
            on.slug(),
            grantee.slug(),
            permission.slug()
        ),
        Compatibility,
        format!(
            "the model, but a {} grant to {} in {whose} ACL grants nothing when authorizing; the ACL is stored and returned as sent",
            permission.permission().as_str(),
            grantee.phrase(),
        ),
        cites("Amazon S3 User Guide: Access control list (ACL) overview"),
    )
}

// Source: AWS IAM User Guide, "IAM JSON policy elements: Condition operators", "Single-valued
// vs. multivalued context keys", "AWS global condition context keys"; Service Authorization
// Reference for Amazon S3.
fn conditions() -> Vec<Entry> {
    const OPERATORS: &str = "AWS IAM User Guide: IAM JSON policy elements: Condition operators";
    const SETS: &str = "AWS IAM User Guide: Single-valued vs. multivalued context keys (ForAllValues, ForAnyValue)";
    let mut out = Vec::new();
    for f in OperatorFamily::ALL.iter().copied() {
        out.push(new_entry(
            Deviation::ConditionFamilyIgnored { family: f },
            format!("condition-family-ignored-{}", f.slug()),
            Security,
            format!(
                "the model, but conditions with {} operators always hold, in every kind of policy",
                f.operators()
            ),
            cites(OPERATORS),
        ));
    }
    out.push(new_entry(
        Deviation::IfExistsIgnored,
        "if-exists-ignored".into(),
        Security,
        "the model, but the IfExists suffix is ignored: a …IfExists condition on a key the request lacks evaluates as the operator without IfExists (a positive operator fails, a negated one holds)".into(),
        cites(OPERATORS),
    ));
    out.push(new_entry(
        Deviation::ForAllValuesAsAny,
        "for-all-values-as-any".into(),
        Security,
        "the model, but ForAllValues: is evaluated as ForAnyValue: (one matching value is enough; a missing key fails)".into(),
        cites(SETS),
    ));
    out.push(new_entry(
        Deviation::ForAnyValueAsAll,
        "for-any-value-as-all".into(),
        Security,
        "the model, but ForAnyValue: is evaluated as ForAllValues: (every value must match; a missing key passes)".into(),
        cites(SETS),
    ));
    for k in ConditionKey::ALL.iter().copied() {
        out.push(new_entry(
            Deviation::KeyAbsent { key: k },
            format!("key-absent-{}", k.slug()),
            Security,
            format!(
                "the model, but a condition on {} evaluates as if the request did not carry the key (a positive operator fails, a negated one, IfExists and ForAllValues hold, Null true holds)",
                k.key()
            ),
            cites(&format!("{}; {OPERATORS} (absent keys)", k.page())),
        ));
    }
    out
}

// Source: Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage: The meaning
// of "public"".
fn public_access() -> Vec<Entry> {
    const PAGE: &str =
        "Amazon S3 User Guide: Blocking public access to your Amazon S3 storage: The meaning of \"public\"";
    let mut out = Vec::new();
    for r in PublicRule::ALL.iter().copied() {
        let (severity, effect) = if r.stricter() {
            (
                Compatibility,
                "BlockPublicPolicy refuses it and RestrictPublicBuckets restricts it",
            )
        } else {
            (
                Security,
                "BlockPublicPolicy lets it be stored and RestrictPublicBuckets does not restrict it",
            )
        };
        out.push(new_entry(
            Deviation::PublicPolicy { rule: r },
            r.name().into(),
            severity,
            format!(
                "the model, but for Block Public Access {}: {effect}",
                r.phrase()
            ),
            cites(PAGE),
        ));
    }
    for g in PublicGroup::ALL.iter().copied() {
        out.push(new_entry(
            Deviation::PublicAclGroupMissed { group: g },
            format!("block-public-acls-misses-{}", g.slug()),
            Security,
            format!(
                "the model, but BlockPublicAcls does not count a grant to {} as public: a request whose ACL is public only through it is let through",
                match g {
                    PublicGroup::AllUsers => "AllUsers (canned public-read, public-read-write)",
                    PublicGroup::AuthenticatedUsers => "AuthenticatedUsers (canned authenticated-read)",
                }
            ),
            cites(PAGE),
        ));
    }
    out
}

// Source: Amazon S3 API Reference, "Error responses", and the API reference of each call.
fn check_order() -> Vec<Entry> {
    const ERRORS: &str = "Amazon S3 API Reference: Error responses";
    let mut out = Vec::new();
    for c in BucketConfig::ALL.iter().copied() {
        let (call, code) = c.call_and_code();
        out.push(new_entry(
            Deviation::ConfigMissingBeforeAuthorization { config: c },
            format!("no-{}-404-before-authorization", c.slug()),
            Security,
            format!(
                "the model, but {call} on a bucket without one answers 404 {code} before authorization: a caller refused the call learns that the bucket has none"
            ),
            cites(&format!("{ERRORS} ({code}); Amazon S3 API Reference: {call}")),
        ));
    }
    for k in CallerKind::ALL.iter().copied() {
        out.push(new_entry(
            Deviation::MissingBucketDenied { caller: k },
            format!("missing-bucket-denied-{}", k.slug()),
            Compatibility,
            format!(
                "the model, but a call by {} caller on a bucket that does not exist answers 403 AccessDenied instead of 404 NoSuchBucket (authorization before the bucket's existence)",
                match k {
                    CallerKind::Anonymous => "an anonymous",
                    CallerKind::Signed => "a signed",
                }
            ),
            cites(&format!("{ERRORS} (NoSuchBucket)")),
        ));
    }
    for c in RequestCheck::ALL.iter().copied() {
        out.push(new_entry(
            Deviation::CheckedAfterAuthorization { check: c },
            format!("{}-checked-after-authorization", c.slug()),
            Compatibility,
            format!(
                "the model, but {} comes after authorization: a caller refused the request gets 403 AccessDenied instead of the 400",
                c.phrase()
            ),
            cites(ERRORS),
        ));
    }
    out
}
