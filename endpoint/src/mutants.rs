//! Fault injection for the embedded endpoint (`--mutant NAME`): named, realistic authorization
//! bugs of the kind real S3 backends have shipped, switched on one at a time to show that the
//! harness finds and shrinks them (`xacct bench mutants`).
//!
//! The model stays the oracle and is never changed: each mutant is a small wrapper around
//! [`xacct_model::step_literal`] that gives the model a wrong view of the state for one request (a
//! policy without its Deny statements, a bucket without its Block Public Access settings, …),
//! patches the state or the answer after it, or — for the one bug that lives in the credential
//! store — maps a role session's keys to the wrong principal (`State::issue_session_key`).

use std::collections::BTreeMap;
use xacct_model::ops::StepError;
use xacct_model::outcome::{Explanation, Outcome};
use xacct_model::policy::{BaseOp, Condition, Effect, Policy, PrincipalElement};
use xacct_model::principal::{parse_role_arn, Principal};
use xacct_model::scenario::{Op, Step};
use xacct_model::world::{AccountName, ObjectOwnership, Owner, World};

/// One injectable bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mutant {
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
}

impl Mutant {
    pub const ALL: [Mutant; 13] = [
        Mutant::DenyIgnored,
        Mutant::PrincipalIgnored,
        Mutant::AbsentKeyFalse,
        Mutant::OwnerReadsForeign,
        Mutant::CrossAccountOneSide,
        Mutant::TrustUnchecked,
        Mutant::AssumeIgnoresIdentity,
        Mutant::SessionInheritsCaller,
        Mutant::AclsUnderEnforced,
        Mutant::PreferredIgnoresBofc,
        Mutant::EnforcedKeepsUploader,
        Mutant::MissingKey404,
        Mutant::BpaIgnored,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mutant::DenyIgnored => "deny-ignored",
            Mutant::PrincipalIgnored => "principal-ignored",
            Mutant::AbsentKeyFalse => "absent-key-false",
            Mutant::OwnerReadsForeign => "owner-reads-foreign",
            Mutant::CrossAccountOneSide => "cross-account-one-side",
            Mutant::TrustUnchecked => "trust-unchecked",
            Mutant::AssumeIgnoresIdentity => "assume-ignores-identity",
            Mutant::SessionInheritsCaller => "session-inherits-caller",
            Mutant::AclsUnderEnforced => "acls-under-enforced",
            Mutant::PreferredIgnoresBofc => "preferred-ignores-bofc",
            Mutant::EnforcedKeepsUploader => "enforced-keeps-uploader",
            Mutant::MissingKey404 => "missing-key-404",
            Mutant::BpaIgnored => "bpa-ignored",
        }
    }

    /// What the bug does, in a sentence.
    pub fn description(self) -> &'static str {
        match self {
            Mutant::DenyIgnored => "explicit Deny statements in bucket policies are dropped when the policy is stored; Get returns the document as sent",
            Mutant::PrincipalIgnored => "the Principal of bucket-policy statements is ignored: every statement applies to every requester",
            Mutant::AbsentKeyFalse => "a negated condition (StringNotEquals, ArnNotLike, NotIpAddress, ...) on a key absent from the request is false instead of true",
            Mutant::OwnerReadsForeign => "the bucket owner can read (GET/HEAD) objects another account owns without any grant",
            Mutant::CrossAccountOneSide => "a cross-account request needs only the bucket's allow: the caller's own identity policies are not checked",
            Mutant::TrustUnchecked => "AssumeRole across accounts does not check the role's trust policy, only the caller's identity policy",
            Mutant::AssumeIgnoresIdentity => "AssumeRole checks only the trust policy, never the caller's identity policy",
            Mutant::SessionInheritsCaller => "a role session acts with the permissions and identity of the principal that assumed the role, not the role's",
            Mutant::AclsUnderEnforced => "requests carrying ACLs are accepted and applied on BucketOwnerEnforced buckets instead of failing with AccessControlListNotSupported",
            Mutant::PreferredIgnoresBofc => "BucketOwnerPreferred ignores the bucket-owner-full-control canned ACL: the uploader keeps ownership",
            Mutant::EnforcedKeepsUploader => "under BucketOwnerEnforced the uploader is recorded and reported as the object's owner",
            Mutant::MissingKey404 => "GET/HEAD of a missing key answers 404 even when the caller may not list the bucket (leaks which keys exist)",
            Mutant::BpaIgnored => "Block Public Access settings are stored and returned but never enforced",
        }
    }

    /// Where this class of bug has been seen (backend issue reports, documented limitations).
    pub fn seen_in(self) -> &'static str {
        match self {
            Mutant::DenyIgnored => "policy engines that evaluate Allow statements only",
            Mutant::PrincipalIgnored => {
                "emulators that match bucket-policy statements on Action/Resource alone"
            }
            Mutant::AbsentKeyFalse => "Ceph RGW condition evaluation",
            Mutant::OwnerReadsForeign => "backends that let the bucket owner bypass object ACLs",
            Mutant::CrossAccountOneSide => "backends without cross-account identity evaluation",
            Mutant::TrustUnchecked => "STS implementations that skip trust policies across tenants",
            Mutant::AssumeIgnoresIdentity => "Ceph RGW STS AssumeRole",
            Mutant::SessionInheritsCaller => {
                "MinIO-style AssumeRole, where temporary credentials inherit the parent user"
            }
            Mutant::AclsUnderEnforced => "backends without Object Ownership support",
            Mutant::PreferredIgnoresBofc => "backends with partial Object Ownership support",
            Mutant::EnforcedKeepsUploader => "backends with partial Object Ownership support",
            Mutant::MissingKey404 => "backends that look the key up before authorizing",
            Mutant::BpaIgnored => {
                "backends that accept the PublicAccessBlock API without enforcing it"
            }
        }
    }
}

/// A name that is not a mutant's; its message lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no mutant is named {name:?}; the mutants are: {}", Mutant::ALL.map(Mutant::name).join(", "))]
pub struct UnknownMutant {
    pub name: String,
}

impl std::str::FromStr for Mutant {
    type Err = UnknownMutant;

    fn from_str(name: &str) -> Result<Mutant, UnknownMutant> {
        Mutant::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| UnknownMutant { name: name.into() })
    }
}

impl std::fmt::Display for Mutant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

type StepResult = Result<(Outcome, Explanation), StepError>;

/// Applies `step` as the endpoint with mutant `m` would.
pub(crate) fn step(m: Mutant, world: &mut World, step: &Step) -> StepResult {
    match m {
        Mutant::DenyIgnored => stored_as(world, step, |w| for_each_bucket_policy(w, strip_denies)),
        Mutant::PrincipalIgnored => stored_as(world, step, |w| for_each_bucket_policy(w, everyone)),
        Mutant::AbsentKeyFalse => {
            stored_as(world, step, |w| for_each_policy(w, require_negated_keys))
        }
        Mutant::OwnerReadsForeign => owner_reads_foreign(world, step),
        Mutant::CrossAccountOneSide => cross_account_one_side(world, step),
        Mutant::TrustUnchecked => trust_unchecked(world, step),
        Mutant::AssumeIgnoresIdentity => assume_ignores_identity(world, step),
        // Lives in the credential store (`State::issue_session_key`); requests themselves are
        // right.
        Mutant::SessionInheritsCaller => xacct_model::step_literal(world, step),
        Mutant::AclsUnderEnforced => acls_under_enforced(world, step),
        Mutant::PreferredIgnoresBofc => preferred_ignores_bofc(world, step),
        Mutant::EnforcedKeepsUploader => enforced_keeps_uploader(world, step),
        Mutant::MissingKey404 => missing_key_404(world, step),
        Mutant::BpaIgnored => bpa_ignored(world, step),
    }
}

/// Runs `step` on a world whose stored policies are kept the buggy way: rewritten before the
/// step and again after it, so a policy this very step stores is rewritten too.
fn stored_as(world: &mut World, step: &Step, rewrite: impl Fn(&mut World)) -> StepResult {
    rewrite(world);
    let r = xacct_model::step_literal(world, step);
    rewrite(world);
    r
}

fn for_each_bucket_policy(world: &mut World, f: fn(&mut Policy)) {
    for b in world.buckets.values_mut() {
        if let Some(p) = &mut b.policy {
            f(p);
        }
    }
}

/// Every policy the world holds: bucket, user, role (trust and permissions), session.
fn for_each_policy(world: &mut World, f: fn(&mut Policy)) {
    for_each_bucket_policy(world, f);
    for a in world.accounts.values_mut() {
        for u in a.users.values_mut() {
            u.policies.values_mut().for_each(f);
        }
        for r in a.roles.values_mut() {
            f(&mut r.trust);
            r.policies.values_mut().for_each(f);
        }
    }
    for s in world.sessions.values_mut() {
        if let Some(p) = &mut s.session_policy {
            f(p);
        }
    }
}

fn strip_denies(p: &mut Policy) {
    p.statements.retain(|s| s.effect != Effect::Deny);
}

fn everyone(p: &mut Policy) {
    for s in &mut p.statements {
        s.principal = Some(PrincipalElement {
            any: true,
            ..Default::default()
        });
    }
}

/// Adds `Null: {key: false}` beside every negated condition: the key must be present.
fn require_negated_keys(p: &mut Policy) {
    for s in &mut p.statements {
        let extra: Vec<Condition> = s
            .conditions
            .iter()
            .filter(|c| c.base.negated() && !c.if_exists && c.set.is_none())
            .filter(|c| {
                !s.conditions.iter().any(|o| {
                    o.base == BaseOp::Null
                        && o.key.eq_ignore_ascii_case(&c.key)
                        && o.values == ["false"]
                })
            })
            .map(|c| Condition {
                operator: "Null".into(),
                base: BaseOp::Null,
                set: None,
                if_exists: false,
                key: c.key.clone(),
                values: vec!["false".into()],
            })
            .collect();
        s.conditions.extend(extra);
    }
}

fn caller(world: &World, step: &Step) -> Option<Principal> {
    Principal::resolve(world, &step.as_).ok()
}

fn owner_reads_foreign(world: &mut World, step: &Step) -> StepResult {
    let (outcome, ex) = xacct_model::step_literal(world, step)?;
    let (Op::GetObject { bucket, key } | Op::HeadObject { bucket, key }) = &step.op else {
        return Ok((outcome, ex));
    };
    if outcome.status != 403 {
        return Ok((outcome, ex));
    }
    let Some(p) = caller(world, step) else {
        return Ok((outcome, ex));
    };
    let mut view = world.clone();
    let Some(b) = view.buckets.get_mut(bucket) else {
        return Ok((outcome, ex));
    };
    if p.account() != Some(&b.owner) {
        return Ok((outcome, ex));
    }
    let owner = Owner::Account(b.owner.clone());
    match b.objects.get_mut(key) {
        Some(o) if o.owner != owner => o.owner = owner,
        _ => return Ok((outcome, ex)),
    }
    // A read changes nothing: the view is dropped.
    xacct_model::step_literal(&mut view, step)
}

const MUTANT_POLICY: &str = "xacct-mutant";

fn allow_all(action: &str) -> Policy {
    Policy::parse_identity(&serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]
    }))
    .expect("a fixed, valid policy")
}

/// Runs `step` with an extra identity policy allowing `action` for the caller (and without a
/// session policy limiting it), then takes both changes back.
fn with_identity_allow(world: &mut World, step: &Step, p: &Principal, action: &str) -> StepResult {
    let policy = allow_all(action);
    let mut saved_session_policy = None;
    match p {
        Principal::User { account, name } => {
            if let Some(u) = world
                .accounts
                .get_mut(account)
                .and_then(|a| a.users.get_mut(name))
            {
                u.policies.insert(MUTANT_POLICY.into(), policy);
            }
        }
        Principal::Session {
            as_name,
            account,
            role,
            ..
        } => {
            if let Some(r) = world
                .accounts
                .get_mut(account)
                .and_then(|a| a.roles.get_mut(role))
            {
                r.policies.insert(MUTANT_POLICY.into(), policy);
            }
            if let Some(s) = world.sessions.get_mut(as_name) {
                saved_session_policy = Some(s.session_policy.take());
            }
        }
        _ => return xacct_model::step_literal(world, step),
    }
    let r = xacct_model::step_literal(world, step);
    for a in world.accounts.values_mut() {
        for u in a.users.values_mut() {
            u.policies.remove(MUTANT_POLICY);
        }
        for r in a.roles.values_mut() {
            r.policies.remove(MUTANT_POLICY);
        }
    }
    if let (Principal::Session { as_name, .. }, Some(saved)) = (p, saved_session_policy) {
        if let Some(s) = world.sessions.get_mut(as_name) {
            if s.session_policy.is_none() {
                s.session_policy = saved;
            }
        }
    }
    r
}

fn cross_account_one_side(world: &mut World, step: &Step) -> StepResult {
    let Some(p) = caller(world, step) else {
        return xacct_model::step_literal(world, step);
    };
    let owner = step
        .op
        .bucket()
        .and_then(|b| world.buckets.get(b))
        .map(|b| b.owner.clone());
    let cross = match (&owner, p.account()) {
        (Some(o), Some(a)) => o != a,
        _ => false,
    };
    if cross && matches!(p, Principal::User { .. } | Principal::Session { .. }) {
        with_identity_allow(world, step, &p, "s3:*")
    } else {
        xacct_model::step_literal(world, step)
    }
}

/// The account and name of the role an AssumeRole step names.
fn assumed_role(world: &World, step: &Step) -> Option<(AccountName, String)> {
    let Op::AssumeRole { role_arn, .. } = &step.op else {
        return None;
    };
    let (id, name) = parse_role_arn(role_arn)?;
    let account = world.account_by_id(id)?;
    account
        .roles
        .contains_key(name)
        .then(|| (account.name.clone(), name.to_string()))
}

fn trust_unchecked(world: &mut World, step: &Step) -> StepResult {
    let (Some(p), Some((account, role))) = (caller(world, step), assumed_role(world, step)) else {
        return xacct_model::step_literal(world, step);
    };
    if p.account() == Some(&account) || p.account().is_none() {
        return xacct_model::step_literal(world, step);
    }
    let trust_all = Policy::parse(
        xacct_model::policy::PolicyKind::Trust,
        &serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]
        }),
    )
    .expect("a fixed, valid trust policy");
    let slot = world
        .accounts
        .get_mut(&account)
        .and_then(|a| a.roles.get_mut(&role))
        .map(|r| std::mem::replace(&mut r.trust, trust_all));
    let r = xacct_model::step_literal(world, step);
    if let (Some(saved), Some(r)) = (
        slot,
        world
            .accounts
            .get_mut(&account)
            .and_then(|a| a.roles.get_mut(&role)),
    ) {
        r.trust = saved;
    }
    r
}

fn assume_ignores_identity(world: &mut World, step: &Step) -> StepResult {
    match (caller(world, step), &step.op) {
        (Some(p), Op::AssumeRole { .. }) => with_identity_allow(world, step, &p, "sts:AssumeRole"),
        _ => xacct_model::step_literal(world, step),
    }
}

/// Runs `step` with the step's bucket's ownership setting temporarily `during`, when it is
/// `when` and `applies`; puts `when` back unless the step itself changed the setting.
fn with_ownership(
    world: &mut World,
    step: &Step,
    when: ObjectOwnership,
    during: ObjectOwnership,
) -> StepResult {
    let Some(bucket) = step.op.bucket().map(str::to_string) else {
        return xacct_model::step_literal(world, step);
    };
    match world.buckets.get_mut(&bucket) {
        Some(b) if b.ownership == Some(when) => b.ownership = Some(during),
        _ => return xacct_model::step_literal(world, step),
    }
    let r = xacct_model::step_literal(world, step);
    if let Some(b) = world.buckets.get_mut(&bucket) {
        if b.ownership == Some(during) {
            b.ownership = Some(when);
        }
    }
    r
}

fn carries_acl(op: &Op) -> bool {
    let some = |acl: &Option<String>, grants: &Option<xacct_model::acl::GrantHeaders>| {
        acl.as_deref()
            .is_some_and(|a| a != "bucket-owner-full-control")
            || grants.as_ref().is_some_and(|g| !g.is_empty())
    };
    match op {
        Op::PutObject { acl, grants, .. }
        | Op::CopyObject { acl, grants, .. }
        | Op::CreateMultipartUpload { acl, grants, .. } => some(acl, grants),
        Op::PutObjectAcl {
            acl,
            grants,
            access_control_policy,
            ..
        }
        | Op::PutBucketAcl {
            acl,
            grants,
            access_control_policy,
            ..
        } => some(acl, grants) || access_control_policy.is_some(),
        _ => false,
    }
}

fn acls_under_enforced(world: &mut World, step: &Step) -> StepResult {
    if !carries_acl(&step.op) {
        return xacct_model::step_literal(world, step);
    }
    with_ownership(
        world,
        step,
        ObjectOwnership::BucketOwnerEnforced,
        ObjectOwnership::BucketOwnerPreferred,
    )
}

fn writes_object(op: &Op) -> bool {
    matches!(
        op,
        Op::PutObject { .. } | Op::CopyObject { .. } | Op::CreateMultipartUpload { .. }
    )
}

fn preferred_ignores_bofc(world: &mut World, step: &Step) -> StepResult {
    if !writes_object(&step.op) {
        return xacct_model::step_literal(world, step);
    }
    with_ownership(
        world,
        step,
        ObjectOwnership::BucketOwnerPreferred,
        ObjectOwnership::ObjectWriter,
    )
}

fn enforced_keeps_uploader(world: &mut World, step: &Step) -> StepResult {
    let p = caller(world, step);
    let (mut outcome, ex) = xacct_model::step_literal(world, step)?;
    match &step.op {
        Op::PutObject { bucket, key, .. } | Op::CopyObject { bucket, key, .. }
            if outcome.allowed() =>
        {
            let writer = match p.as_ref().and_then(|p| p.account()) {
                Some(a) => Owner::Account(a.clone()),
                None => Owner::Anonymous,
            };
            if let Some(b) = world.buckets.get_mut(bucket) {
                if b.ownership == Some(ObjectOwnership::BucketOwnerEnforced) {
                    if let Some(o) = b.objects.get_mut(key) {
                        o.owner = writer;
                    }
                }
            }
        }
        Op::GetObjectAcl { bucket, key } if outcome.allowed() => {
            if let Some(o) = world.buckets.get(bucket).and_then(|b| b.objects.get(key)) {
                outcome.owner = Some(o.owner.name());
            }
        }
        _ => {}
    }
    Ok((outcome, ex))
}

fn missing_key_404(world: &mut World, step: &Step) -> StepResult {
    let (outcome, ex) = xacct_model::step_literal(world, step)?;
    let (head, bucket, key) = match &step.op {
        Op::GetObject { bucket, key } => (false, bucket, key),
        Op::HeadObject { bucket, key } => (true, bucket, key),
        _ => return Ok((outcome, ex)),
    };
    let missing = world
        .buckets
        .get(bucket)
        .is_some_and(|b| !b.objects.contains_key(key));
    if outcome.status == 403 && missing {
        let o = if head {
            Outcome::status(404)
        } else {
            Outcome::error(404, "NoSuchKey")
        };
        return Ok((o, ex));
    }
    Ok((outcome, ex))
}

fn bpa_ignored(world: &mut World, step: &Step) -> StepResult {
    if matches!(
        step.op,
        Op::PutPublicAccessBlock { .. }
            | Op::GetPublicAccessBlock { .. }
            | Op::DeletePublicAccessBlock { .. }
    ) {
        return xacct_model::step_literal(world, step);
    }
    let saved: BTreeMap<String, _> = world
        .buckets
        .iter_mut()
        .filter_map(|(n, b)| b.public_access_block.take().map(|p| (n.clone(), p)))
        .collect();
    let r = xacct_model::step_literal(world, step);
    for (n, p) in saved {
        if let Some(b) = world.buckets.get_mut(&n) {
            if b.public_access_block.is_none() {
                b.public_access_block = Some(p);
            }
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        let mut names: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Mutant::ALL.len());
        for m in Mutant::ALL {
            assert_eq!(m.name().parse::<Mutant>(), Ok(m));
            assert!(!m.description().is_empty());
        }
        let err = "nope".parse::<Mutant>().unwrap_err();
        assert!(err.to_string().contains("deny-ignored"), "{err}");
    }
}
