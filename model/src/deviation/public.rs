//! What counts as public for Block Public Access, per statement element: a bucket policy's
//! publicness decides BlockPublicPolicy (PutBucketPolicy, [R34]) and RestrictPublicBuckets
//! ([R35]); an ACL's decides BlockPublicAcls ([R32]).
//! Source: Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage", section
//! "The meaning of "public"" (ACLs granting AllUsers or AuthenticatedUsers; a policy whose
//! Principal is `*`, a NotPrincipal, unless a condition fixes one of the listed keys).

use super::views::never_applies;
use super::{Deviation, Inner, StepResult};
use crate::acl::{AccessControlPolicy, GrantHeaders, Group};
use crate::outcome::Outcome;
use crate::policy::{BaseOp, Effect, Policy, PolicyKind, PrincipalElement, Statement};
use crate::scenario::{Op, Step};
use crate::world::{PublicAccessBlock, World};
use serde_json::json;

/// A change to the rule that decides whether a bucket policy is public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PublicRule {
    /// A condition that fixes a limiting key (aws:SourceIp, aws:SourceVpc, …) does not make a
    /// `*` statement non-public.
    ConditionsIgnored,
    /// Any aws:SourceIp range makes a `*` statement non-public, however broad.
    AnySourceIpLimits,
    /// A NotPrincipal statement is not public.
    NotPrincipalNotPublic,
    /// A Principal naming an account (id or root ARN) counts as public, like `*`.
    AccountPrincipalPublic,
    /// A Deny statement with a public principal counts as public.
    DenyCountsPublic,
}

impl PublicRule {
    pub const ALL: &'static [PublicRule] = &[
        PublicRule::ConditionsIgnored,
        PublicRule::AnySourceIpLimits,
        PublicRule::NotPrincipalNotPublic,
        PublicRule::AccountPrincipalPublic,
        PublicRule::DenyCountsPublic,
    ];

    /// The deviation's name.
    pub fn name(self) -> &'static str {
        match self {
            PublicRule::ConditionsIgnored => "public-policy-ignores-limiting-conditions",
            PublicRule::AnySourceIpLimits => "public-policy-any-source-ip-limits",
            PublicRule::NotPrincipalNotPublic => "public-policy-ignores-notprincipal",
            PublicRule::AccountPrincipalPublic => "public-policy-counts-account-principal",
            PublicRule::DenyCountsPublic => "public-policy-counts-deny",
        }
    }

    /// Does it count as public what AWS does not (stricter), or the other way (laxer)?
    pub fn stricter(self) -> bool {
        matches!(
            self,
            PublicRule::ConditionsIgnored
                | PublicRule::AccountPrincipalPublic
                | PublicRule::DenyCountsPublic
        )
    }

    pub fn phrase(self) -> &'static str {
        match self {
            PublicRule::ConditionsIgnored => "an Allow statement whose Principal is `*` counts as public even when a condition fixes a key that limits access to known parties (aws:SourceIp, aws:SourceVpc, aws:PrincipalOrgID, …)",
            PublicRule::AnySourceIpLimits => "an aws:SourceIp IpAddress condition makes a `*` statement non-public whatever its range (AWS: ranges broader than /8 in IPv4 or /32 in IPv6 stay public)",
            PublicRule::NotPrincipalNotPublic => "an Allow statement with NotPrincipal does not count as public",
            PublicRule::AccountPrincipalPublic => "an Allow statement whose Principal names an account (its id or root ARN) counts as public, as `*` does",
            PublicRule::DenyCountsPublic => "a Deny statement whose Principal is `*` or a NotPrincipal counts as public, as an Allow does",
        }
    }

    /// Is the policy public under this rule?
    fn is_public(self, p: &Policy) -> bool {
        let mut q = p.clone();
        match self {
            PublicRule::ConditionsIgnored => {
                q.statements.iter_mut().for_each(|s| s.conditions.clear())
            }
            PublicRule::AnySourceIpLimits => q.statements.retain(|s| !source_ip_condition(s)),
            PublicRule::NotPrincipalNotPublic => q
                .statements
                .retain(|s| !s.principal.as_ref().is_some_and(|e| e.negated)),
            PublicRule::AccountPrincipalPublic => q
                .statements
                .iter_mut()
                .filter_map(|s| s.principal.as_mut())
                .filter(|e| !e.negated && names_an_account(e))
                .for_each(|e| e.any = true),
            PublicRule::DenyCountsPublic => q
                .statements
                .iter_mut()
                .for_each(|s| s.effect = Effect::Allow),
        }
        q.is_public()
    }
}

fn source_ip_condition(s: &Statement) -> bool {
    s.conditions.iter().any(|c| {
        c.base == BaseOp::IpAddress
            && !c.if_exists
            && c.set.is_none()
            && c.key.eq_ignore_ascii_case("aws:SourceIp")
    })
}

fn names_an_account(e: &PrincipalElement) -> bool {
    !e.canonical.is_empty()
        || e.aws.iter().any(|v| {
            (v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit())) || v.ends_with(":root")
        })
}

/// public-policy-*: the bucket policy a request stores (BlockPublicPolicy) and the ones it is
/// authorized against (RestrictPublicBuckets) are public as the rule says ([R34], [R35],
/// [R36] are the rules broken).
pub(super) fn public_policy(
    rule: PublicRule,
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    if let Op::PutBucketPolicy { bucket, policy } = &step.op {
        return put_policy(rule, inner, world, step, (bucket, policy));
    }
    restrict_public(rule, inner, world, step)
}

/// PutBucketPolicy under BlockPublicPolicy: a policy the rule counts public is refused, one it
/// does not is stored.
fn put_policy(
    rule: PublicRule,
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
    (bucket, policy): (&str, &serde_json::Value),
) -> StepResult {
    let Ok(parsed) = Policy::parse(PolicyKind::Bucket, policy) else {
        return inner(world, step);
    };
    let (model, deviating) = (parsed.is_public(), rule.is_public(&parsed));
    let blocks = |w: &World| {
        w.buckets
            .get(bucket)
            .and_then(|b| b.public_access_block)
            .is_some_and(|p| p.block_public_policy)
    };
    if model == deviating || !blocks(world) {
        return inner(world, step);
    }
    if model {
        // Not public under the rule: BlockPublicPolicy does not see it.
        return with_flag_off(inner, world, step, bucket);
    }
    let stored = world.buckets.get(bucket).map(|b| b.policy.clone());
    let (outcome, mut ex) = inner(world, step)?;
    if !outcome.allowed() {
        return Ok((outcome, ex));
    }
    if let (Some(b), Some(stored)) = (world.buckets.get_mut(bucket), stored) {
        b.policy = stored;
    }
    ex.deviate(
        Deviation::PublicPolicy { rule }.name(),
        "BlockPublicPolicy is on and the policy counts as public",
    );
    Ok((Outcome::error(403, "AccessDenied"), ex))
}

/// Runs the step with the bucket's BlockPublicPolicy off, then puts it back.
fn with_flag_off(inner: Inner<'_>, world: &mut World, step: &Step, bucket: &str) -> StepResult {
    let was = set_flag(world, bucket, |p| &mut p.block_public_policy, false);
    let r = inner(world, step);
    if was == Some(true) {
        set_flag(world, bucket, |p| &mut p.block_public_policy, true);
    }
    r
}

/// Sets one flag of a bucket's Block Public Access configuration; its value before, if the
/// bucket has one.
fn set_flag(
    world: &mut World,
    bucket: &str,
    flag: fn(&mut PublicAccessBlock) -> &mut bool,
    value: bool,
) -> Option<bool> {
    let pab = world
        .buckets
        .get_mut(bucket)?
        .public_access_block
        .as_mut()?;
    Some(std::mem::replace(flag(pab), value))
}

/// RestrictPublicBuckets: each stored bucket policy is viewed as public exactly when the rule
/// says so, for this request: a public one the rule does not count loses RestrictPublicBuckets,
/// a non-public one it counts gains a public statement that never applies.
fn restrict_public(
    rule: PublicRule,
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let mut lifted = Vec::new();
    let mut marked = Vec::new();
    for (name, b) in world.buckets.iter_mut() {
        let (Some(p), Some(pab)) = (b.policy.as_mut(), b.public_access_block.as_mut()) else {
            continue;
        };
        if !pab.restrict_public_buckets || p.is_public() == rule.is_public(p) {
            continue;
        }
        if p.is_public() {
            pab.restrict_public_buckets = false;
            lifted.push(name.clone());
        } else {
            p.statements.push(public_marker(p.statements.len()));
            marked.push((name.clone(), p.clone()));
        }
    }
    let r = inner(world, step);
    for name in lifted {
        if let Some(pab) = world
            .buckets
            .get_mut(&name)
            .and_then(|b| b.public_access_block.as_mut())
        {
            pab.restrict_public_buckets = true;
        }
    }
    for (name, viewed) in marked {
        if let Some(p) = world.buckets.get_mut(&name).and_then(|b| b.policy.as_mut()) {
            if *p == viewed {
                p.statements.pop();
            }
        }
    }
    r
}

/// A public Allow statement that never applies: it makes its policy public and grants nothing.
fn public_marker(index: usize) -> Statement {
    let mut s = Statement {
        index,
        sid: Some("xacct-deviation-public".into()),
        effect: Effect::Allow,
        principal: Some(PrincipalElement {
            any: true,
            ..Default::default()
        }),
        action: crate::policy::NameSet::Only(vec!["s3:*".into()]),
        resource: Some(crate::policy::NameSet::Only(vec!["*".into()])),
        conditions: Vec::new(),
    };
    never_applies(&mut s);
    s
}

/// A group whose grants BlockPublicAcls may miss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PublicGroup {
    AllUsers,
    AuthenticatedUsers,
}

impl PublicGroup {
    pub const ALL: &'static [PublicGroup] =
        &[PublicGroup::AllUsers, PublicGroup::AuthenticatedUsers];

    pub fn slug(self) -> &'static str {
        match self {
            PublicGroup::AllUsers => "all-users",
            PublicGroup::AuthenticatedUsers => "authenticated-users",
        }
    }

    fn group(self) -> Group {
        match self {
            PublicGroup::AllUsers => Group::AllUsers,
            PublicGroup::AuthenticatedUsers => Group::AuthenticatedUsers,
        }
    }
}

/// block-public-acls-misses-<group>: BlockPublicAcls does not count a grant to this group as
/// public: a request whose ACL is public only through it is let through ([R32] is the rule
/// broken).
pub(super) fn acl_group_missed(
    group: PublicGroup,
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let groups = public_groups(&step.op);
    let only_this = !groups.is_empty() && groups.iter().all(|g| *g == group.group());
    let bucket = step
        .op
        .bucket()
        .filter(|_| only_this && !matches!(step.op, Op::CreateBucket { .. }));
    let Some(bucket) = bucket else {
        return inner(world, step);
    };
    let was = set_flag(world, bucket, |p| &mut p.block_public_acls, false);
    let r = inner(world, step);
    if was == Some(true) {
        set_flag(world, bucket, |p| &mut p.block_public_acls, true);
    }
    r
}

/// The public groups the ACL a request sends grants to (canned ACL, grant headers or body).
fn public_groups(op: &Op) -> Vec<Group> {
    let req = op.acl_request();
    let mut out = Vec::new();
    match req.canned {
        Some("public-read" | "public-read-write") => out.push(Group::AllUsers),
        Some("authenticated-read") => out.push(Group::AuthenticatedUsers),
        _ => {}
    }
    let texts = header_texts(req.grants).chain(body_texts(req.policy));
    for t in texts {
        for g in [Group::AllUsers, Group::AuthenticatedUsers] {
            if t.contains(g.uri()) && !out.contains(&g) {
                out.push(g);
            }
        }
    }
    out
}

fn header_texts(g: Option<&GrantHeaders>) -> impl Iterator<Item = String> + '_ {
    g.into_iter()
        .flat_map(|g| g.entries().into_iter().map(|(_, v, _)| v.to_string()))
}

fn body_texts(p: Option<&AccessControlPolicy>) -> impl Iterator<Item = String> + '_ {
    p.into_iter()
        .flat_map(|p| p.grants.iter().map(|g| json!(g).to_string()))
}
