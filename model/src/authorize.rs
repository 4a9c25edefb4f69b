//! Authorization: S3's user, bucket and object contexts ([R18]), explicit deny ([R22]), same
//! account vs cross account ([R19], [R20]), anonymous callers ([R42]); identity-only checks for
//! CreateBucket, ListBuckets and IAM; the trust-policy check of AssumeRole ([R37]–[R39]).
//!
//! Each function appends to the explanation the facts it used and returns `Err(Fail)` with
//! AWS's 403 AccessDenied when the request is denied.

use std::borrow::Cow;

use crate::acl::{Acl, Grant, Grantee, Group, Permission};
use crate::outcome::{Explanation, Fail};
use crate::ownership;
use crate::policy::{Evaluation, Keys, Policy, PrincipalMatch, Request, StatementRef, Who};
use crate::principal::{role_arn, Principal};
use crate::rules::{self, Rule};
use crate::world::{AccountName, Bucket, Owner, PublicAccessBlock, Role, World};
use std::collections::BTreeMap;
use std::fmt;

/// What S3 authorizes a call against.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Bucket configuration (policy, ownership controls, public access block, delete bucket):
    /// only the bucket owner's policies grant; ACLs cannot ([R13]).
    BucketConfig,
    /// A bucket call an ACL permission on the bucket grants: ListBucket (READ), PutObject and
    /// DeleteObject (WRITE), Get/PutBucketAcl (READ_ACP/WRITE_ACP) ([R13]).
    Bucket(Permission),
    /// A call on an existing object, granted by the object's ACL ([R14]).
    Object(&'a str, Permission),
    /// An object read on a key that does not exist: the bucket owner's policies only ([R26]).
    MissingObject,
}

/// One S3 authorization question.
#[derive(Debug, Clone, Copy)]
pub struct S3Check<'a> {
    pub action: &'static str,
    pub bucket: &'a str,
    /// The key in the resource ARN (`arn:aws:s3:::bucket/key`); none for bucket ARNs.
    pub key: Option<&'a str>,
    pub scope: Scope<'a>,
    pub keys: &'a Keys,
}

/// The requester as resource-based policies see it.
pub fn who<'w>(world: &'w World, p: &Principal) -> Who<'w> {
    let account = p.account().and_then(|a| world.account(a));
    Who {
        anonymous: p.is_anonymous(),
        account_id: account.map(|a| Cow::Borrowed(a.id.as_str())),
        canonical: account.map(|a| Cow::Borrowed(a.canonical.as_str())),
        arn: p.arn(world),
        role_arn: match p {
            Principal::Session { account, role, .. } => Some(role_arn(world.id_of(account), role)),
            _ => None,
        },
        is_root: p.is_root(),
    }
}

/// The global condition keys every request carries (IAM "AWS global condition context keys").
pub fn base_keys(world: &World, p: &Principal) -> Keys {
    let mut k = Keys::new();
    let mut put = |name: &str, v: String| {
        k.insert(name.to_ascii_lowercase(), vec![v]);
    };
    put("aws:PrincipalType", p.principal_type().into());
    // [P-keys-anon] "Anonymous requests do not include this key" (aws:userid).
    if !p.is_anonymous() {
        put("aws:userid", p.userid(world));
    }
    // [P-keys-always] aws:ViaAWSService is "false when the principal makes the call directly",
    // and xacct's principals always do.
    put("aws:ViaAWSService", "false".into());
    // [P-keys-temporary] aws:MultiFactorAuthPresent is present only for temporary credentials
    // (role sessions here); xacct's sessions are never MFA-authenticated.
    if matches!(p, Principal::Session { .. }) {
        put("aws:MultiFactorAuthPresent", "false".into());
    }
    put(
        "aws:SecureTransport",
        world.env.secure_transport.to_string(),
    );
    put("aws:SourceIp", world.env.source_ip.clone());
    if let Some(a) = p.account() {
        put("aws:PrincipalAccount", world.id_of(a).into());
    }
    if let Some(arn) = p.principal_arn(world) {
        put("aws:PrincipalArn", arn);
    }
    if let Principal::User { name, .. } = p {
        put("aws:username", name.clone());
    }
    k
}

/// The S3 condition keys of a request on `bucket` (IAM global keys plus s3:ResourceAccount).
pub fn s3_keys(
    world: &World,
    p: &Principal,
    bucket: Option<&Bucket>,
    extra: &[(&str, String)],
) -> Keys {
    let mut k = base_keys(world, p);
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

/// An identity-policy statement that decided, named in explanations (formatted only when an
/// explanation line is written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentityStatement<'w> {
    /// `user A.admin`, `role A:reader`, or the session policy of a session.
    pub holder: Holder<'w>,
    /// The inline policy's name (none for a session policy).
    pub policy: Option<&'w str>,
    pub statement: StatementRef<'w>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder<'w> {
    User(&'w AccountName, &'w str),
    Role(&'w AccountName, &'w str),
    SessionPolicy(&'w str),
}

impl fmt::Display for IdentityStatement<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.holder {
            Holder::User(a, u) => write!(f, "user {a}.{u}")?,
            Holder::Role(a, r) => write!(f, "role {a}:{r}")?,
            Holder::SessionPolicy(s) => write!(f, "session policy of {s}")?,
        }
        if let Some(p) = self.policy {
            write!(f, " policy {p:?}")?;
        }
        write!(f, " {}", self.statement)
    }
}

/// The identity side of a request (the user context of [R18]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity<'w> {
    Anonymous,
    /// The root user: no identity policy applies to it ([P-root]).
    Root,
    Iam {
        /// An explicit Deny in the user's / role's policies or the session policy.
        deny: Option<IdentityStatement<'w>>,
        /// The Allow that grants it (for a session: role policy and session policy both allow).
        allow: Option<IdentityStatement<'w>>,
        /// For a session with a session policy: does the session policy allow? ([R40])
        session_policy_allows: Option<bool>,
    },
}

type Found<'w> = (Option<IdentityStatement<'w>>, Option<IdentityStatement<'w>>);

/// The first Deny and the first Allow among a user's or role's inline policies.
fn eval_named<'w>(
    policies: &'w BTreeMap<String, Policy>,
    holder: Holder<'w>,
    req: &Request<'_>,
) -> Found<'w> {
    let (mut deny, mut allow) = (None, None);
    for (name, pol) in policies {
        let ev = pol.evaluate(req, None);
        let at = |statement| IdentityStatement {
            holder,
            policy: Some(name.as_str()),
            statement,
        };
        if deny.is_none() {
            deny = ev.deny.map(at);
        }
        if allow.is_none() {
            allow = ev.allow.map(|(s, _)| at(s));
        }
    }
    (deny, allow)
}

/// Evaluates the requester's own identity policies for a request.
pub fn identity<'w>(world: &'w World, p: &Principal, req: &Request<'_>) -> Identity<'w> {
    match p {
        Principal::Anonymous => Identity::Anonymous,
        Principal::Root { .. } => Identity::Root,
        Principal::User { account, name } => {
            let found = world
                .accounts
                .get(account)
                .and_then(|a| a.users.get(name).map(|u| (a, u)));
            let (deny, allow) = match found {
                Some((a, u)) => eval_named(&u.policies, Holder::User(&a.name, &u.name), req),
                None => (None, None),
            };
            Identity::Iam {
                deny,
                allow,
                session_policy_allows: None,
            }
        }
        Principal::Session {
            as_name,
            account,
            role,
            ..
        } => {
            // [R40] a session has the role's permissions, intersected with its session policy.
            let found = world
                .accounts
                .get(account)
                .and_then(|a| a.roles.get(role).map(|r| (a, r)));
            let (mut deny, role_allow) = match found {
                Some((a, r)) => eval_named(&r.policies, Holder::Role(&a.name, &r.name), req),
                None => (None, None),
            };
            let session = world.sessions.get_key_value(as_name.as_str());
            let session_allows = session.and_then(|(name, s)| {
                let sp = s.session_policy.as_ref()?;
                let ev = sp.evaluate(req, None);
                if deny.is_none() {
                    deny = ev.deny.map(|statement| IdentityStatement {
                        holder: Holder::SessionPolicy(name),
                        policy: None,
                        statement,
                    });
                }
                Some(ev.allow.is_some())
            });
            let allow = match session_allows {
                Some(false) => None,
                _ => role_allow,
            };
            Identity::Iam {
                deny,
                allow,
                session_policy_allows: session_allows,
            }
        }
    }
}

/// What allows a cross-account request on the caller's side.
enum Caller<'w, 'p> {
    Statement(IdentityStatement<'w>),
    Root(&'p Principal),
}

impl fmt::Display for Caller<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Caller::Statement(s) => s.fmt(f),
            Caller::Root(p) => write!(f, "{p} is its account's root"),
        }
    }
}

/// What grants a request on the resource owner's side, named in explanations.
#[derive(Debug, Clone, Copy)]
enum ResourceGrant<'w> {
    BucketPolicy(StatementRef<'w>, &'static str),
    Acl(&'w Grant),
}

impl fmt::Display for ResourceGrant<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourceGrant::BucketPolicy(s, action) => {
                write!(f, "bucket policy {s} allows {action}")
            }
            ResourceGrant::Acl(g) => write!(
                f,
                "ACL grants {} to {}",
                g.permission.as_str(),
                g.grantee.name()
            ),
        }
    }
}

fn denied(rule: &'static Rule, detail: impl Into<String>) -> Fail {
    Fail::new(403, "AccessDenied", rule, detail)
}

/// The ACL that counts for authorization, if any: none when ACLs are disabled by
/// BucketOwnerEnforced ([R4], [R7a]).
fn effective_acl<'b>(bucket: &'b Bucket, scope: Scope<'_>) -> Option<(&'b Acl, Permission)> {
    if ownership::acls_disabled(bucket) {
        return None;
    }
    match scope {
        Scope::Bucket(perm) => Some((&bucket.acl, perm)),
        Scope::Object(key, perm) => bucket.objects.get(key).map(|o| (&o.acl, perm)),
        Scope::BucketConfig | Scope::MissingObject => None,
    }
}

/// Does the ACL grant `perm` to the requester, and how ([R13], [R15], [R33], [R42])?
fn acl_grant<'w>(
    p: &Principal,
    acl: &'w Acl,
    perm: Permission,
    ignore_public: bool,
    ex: &mut Explanation,
) -> Option<(PrincipalMatch, ResourceGrant<'w>)> {
    let mut best: Option<(PrincipalMatch, ResourceGrant<'w>)> = None;
    for g in acl.grants.iter().filter(|g| g.permission.covers(perm)) {
        let m = match &g.grantee {
            Grantee::Account(a) if p.account() == Some(a) => PrincipalMatch::Account,
            Grantee::Group(grp @ (Group::AllUsers | Group::AuthenticatedUsers)) => {
                if *grp == Group::AuthenticatedUsers && p.is_anonymous() {
                    continue;
                }
                if ignore_public {
                    ex.push(
                        &rules::R33,
                        format!(
                            "IgnorePublicAcls: the {grp:?} {} grant does not count",
                            g.permission.as_str()
                        ),
                    );
                    continue;
                }
                PrincipalMatch::Direct
            }
            Grantee::Anonymous if p.is_anonymous() => PrincipalMatch::Direct,
            _ => continue,
        };
        if best.as_ref().is_none_or(|(b, _)| m > *b) {
            best = Some((m, ResourceGrant::Acl(g)));
        }
    }
    best
}

/// Authorizes an S3 call ([R18]): user context (identity policies), bucket context (the bucket
/// owner's policy, which can always deny), object context (the object owner's ACL).
pub fn authorize_s3(
    world: &World,
    p: &Principal,
    c: &S3Check<'_>,
    ex: &mut Explanation,
) -> Result<(), Fail> {
    let Some(bucket) = world.buckets.get(c.bucket) else {
        return Err(Fail::new(
            404,
            "NoSuchBucket",
            &rules::X_NO_BUCKET,
            "no such bucket",
        ));
    };
    let resource = match c.key {
        Some(k) => format!("arn:aws:s3:::{}/{}", c.bucket, k),
        None => format!("arn:aws:s3:::{}", c.bucket),
    };
    let req = Request {
        action: c.action,
        resource: &resource,
        keys: c.keys,
    };
    let r = S3Request {
        p,
        c,
        bucket,
        owner: resource_owner(bucket, c.scope),
    };
    let id = user_context(world, p, &req)?;
    let policy = bucket_context(world, &r, &req)?;
    let grant = resource_grant(&r, policy, ex);
    let r = delegated(r, &grant);
    match (p, &id) {
        (Principal::Anonymous, _) => anonymous(grant, ex),
        (Principal::Root { account }, _) if r.owner.is(account) => {
            owner_root(account, ex);
            Ok(())
        }
        (
            _,
            Identity::Iam {
                allow,
                session_policy_allows,
                ..
            },
        ) if p.account().is_some_and(|a| r.owner.is(a)) => {
            same_account(&r, *allow, *session_policy_allows, grant, ex)
        }
        (_, id) => cross_account(&r, id, grant, ex),
    }
}

/// An S3 request under authorization: who asks, what, in which bucket, and who owns the
/// resource.
struct S3Request<'a, 'w> {
    p: &'a Principal,
    c: &'a S3Check<'a>,
    bucket: &'w Bucket,
    /// The account that owns the resource: the object's (effective) owner for calls on an
    /// existing object, else the bucket owner ([R18], [R7a]).
    owner: Owner,
}

impl S3Request<'_, '_> {
    fn bucket_owner_owns(&self) -> bool {
        self.owner.is(&self.bucket.owner)
    }
}

/// What a request is granted on the resource owner's side, and how it names the requester.
type Granted<'w> = (PrincipalMatch, ResourceGrant<'w>);

fn resource_owner(bucket: &Bucket, scope: Scope<'_>) -> Owner {
    match scope {
        Scope::Object(key, _) => bucket
            .objects
            .get(key)
            .map(|o| ownership::effective_owner(bucket, o))
            .unwrap_or_else(|| Owner::Account(bucket.owner.clone())),
        _ => Owner::Account(bucket.owner.clone()),
    }
}

/// User context: the requester's own policies. An explicit Deny there refuses ([R22]).
fn user_context<'w>(
    world: &'w World,
    p: &Principal,
    req: &Request<'_>,
) -> Result<Identity<'w>, Fail> {
    let id = identity(world, p, req);
    if let Identity::Iam { deny: Some(d), .. } = &id {
        return Err(denied(&rules::R22, format!("explicit Deny in {d}")));
    }
    Ok(id)
}

/// Bucket context: the bucket owner's policy. Its Deny applies to everyone and every object in
/// the bucket, whoever owns the object ([R22], [R23]).
fn bucket_context<'w>(
    world: &World,
    r: &S3Request<'_, 'w>,
    req: &Request<'_>,
) -> Result<Option<(&'w Policy, Evaluation<'w>)>, Fail> {
    let Some(pol) = r.bucket.policy.as_ref() else {
        return Ok(None);
    };
    let ev = pol.evaluate(req, Some(&who(world, r.p)));
    if let Some(d) = &ev.deny {
        let rule = if r.bucket_owner_owns() {
            &rules::R22
        } else {
            &rules::R23
        };
        return Err(denied(rule, format!("explicit Deny in bucket policy {d}")));
    }
    Ok(Some((pol, ev)))
}

/// Resource-side grants: the bucket policy's Allow where it counts, and the ACL of the bucket or
/// object unless ACLs are disabled (the object context); the closer match to the requester wins.
fn resource_grant<'w>(
    r: &S3Request<'_, 'w>,
    policy: Option<(&'w Policy, Evaluation<'w>)>,
    ex: &mut Explanation,
) -> Option<Granted<'w>> {
    let pab = r.bucket.public_access_block.unwrap_or_default();
    let mut grant = policy.and_then(|(pol, ev)| policy_grant(r, pol, &ev, pab, ex));
    if let Some((acl, perm)) = effective_acl(r.bucket, r.c.scope) {
        if let Some(g) = acl_grant(r.p, acl, perm, pab.ignore_public_acls, ex) {
            if grant.as_ref().is_none_or(|(b, _)| g.0 > *b) {
                grant = Some(g);
            }
        }
    }
    grant
}

/// The bucket policy's Allow counts only where the bucket owner owns the resource ([R16],
/// [R18]), and a public policy grants nothing outside the owner account under
/// RestrictPublicBuckets ([R35]).
fn policy_grant<'w>(
    r: &S3Request<'_, 'w>,
    pol: &Policy,
    ev: &Evaluation<'w>,
    pab: PublicAccessBlock,
    ex: &mut Explanation,
) -> Option<Granted<'w>> {
    let (s, m) = ev.allow?;
    let same_account = r.p.account() == Some(&r.bucket.owner);
    if !r.bucket_owner_owns() && same_account && owner_was_granted(r) {
        ex.push(
            &rules::R16A,
            format!("the object owner {} granted the bucket owner {} this permission in the object ACL, so bucket policy {s} passes it on within account {}", r.owner.name(), r.bucket.owner, r.bucket.owner),
        );
        Some((m, ResourceGrant::BucketPolicy(s, r.c.action)))
    } else if !r.bucket_owner_owns() {
        ex.push(
            &rules::R16,
            format!("bucket policy {s} allows, but the bucket owner {} does not own this object (owner {})", r.bucket.owner, r.owner.name()),
        );
        None
    } else if pab.restrict_public_buckets && pol.is_public() && !same_account {
        ex.push(
            &rules::R35,
            format!("RestrictPublicBuckets: the public bucket policy's {s} does not apply outside account {}", r.bucket.owner),
        );
        None
    } else {
        Some((m, ResourceGrant::BucketPolicy(s, r.c.action)))
    }
}

/// [R16a] When the bucket policy passes on the object owner's grant to the bucket owner's own
/// principal, the bucket owner's account decides as if it owned the object (user context).
fn delegated<'a, 'w>(r: S3Request<'a, 'w>, grant: &Option<Granted<'w>>) -> S3Request<'a, 'w> {
    let passes_on = matches!(grant, Some((_, ResourceGrant::BucketPolicy(..))))
        && !r.bucket_owner_owns()
        && r.p.account() == Some(&r.bucket.owner);
    if passes_on {
        S3Request {
            owner: Owner::Account(r.bucket.owner.clone()),
            ..r
        }
    } else {
        r
    }
}

/// [R16a] Does the object's ACL grant the bucket owner's account the permission asked for?
fn owner_was_granted(r: &S3Request<'_, '_>) -> bool {
    let Some((acl, perm)) = effective_acl(r.bucket, r.c.scope) else {
        return false;
    };
    matches!(r.c.scope, Scope::Object(..))
        && acl.grants.iter().any(|g| {
            g.permission.covers(perm) && g.grantee == Grantee::Account(r.bucket.owner.clone())
        })
}

/// [R42] anonymous callers get what public grants give, nothing else.
fn anonymous(grant: Option<Granted<'_>>, ex: &mut Explanation) -> Result<(), Fail> {
    match grant {
        Some((PrincipalMatch::Direct, why)) => {
            ex.decide(&rules::R42, format!("anonymous request allowed: {why}"));
            Ok(())
        }
        _ => Err(denied(
            &rules::R42,
            "anonymous request: no public grant allows it",
        )),
    }
}

/// [P-root] the resource owner's root user may do anything with its resources.
fn owner_root(account: &AccountName, ex: &mut Explanation) {
    ex.decide(
        &rules::P_ROOT,
        format!("{account}.root acts on its own account's resource"),
    );
}

/// [R19] same account: the identity policy, or a resource grant naming the principal.
fn same_account(
    r: &S3Request<'_, '_>,
    allow: Option<IdentityStatement<'_>>,
    session_policy_allows: Option<bool>,
    grant: Option<Granted<'_>>,
    ex: &mut Explanation,
) -> Result<(), Fail> {
    let (owner, action) = (r.owner.name(), r.c.action);
    if let Some(a) = allow {
        ex.decide(
            &rules::R19,
            format!("same account ({owner}): {a} allows {action}"),
        );
        return Ok(());
    }
    match grant {
        Some((PrincipalMatch::Direct, why)) => {
            ex.decide(
                &rules::R19,
                format!("same account ({owner}): {why}, naming the principal"),
            );
            Ok(())
        }
        Some((PrincipalMatch::Role, why)) => {
            session_role_grant(r, &why, session_policy_allows.unwrap_or(true), ex)
        }
        // [R21] a grant to the account needs the principal's own identity allow.
        Some((PrincipalMatch::Account, why)) => Err(denied(
            &rules::R21,
            format!(
                "{why} to the account, but {} has no identity policy allowing {action}",
                r.p
            ),
        )),
        None => Err(denied(
            &rules::R19,
            format!("same account ({owner}): no identity or resource policy allows {action}"),
        )),
    }
}

/// [P-session-direct] a resource grant to a session's role counts where the session policy
/// allows the action too.
fn session_role_grant(
    r: &S3Request<'_, '_>,
    why: &ResourceGrant<'_>,
    session_policy_allows: bool,
    ex: &mut Explanation,
) -> Result<(), Fail> {
    if !session_policy_allows {
        return Err(denied(
            &rules::P_SESSION_DIRECT,
            format!(
                "{why} for the session's role, but the session policy does not allow {}",
                r.c.action
            ),
        ));
    }
    ex.decide(
        &rules::P_SESSION_DIRECT,
        format!(
            "same account ({}): {why} for the session's role",
            r.owner.name()
        ),
    );
    Ok(())
}

/// [R20] cross account: the caller's account and the resource owner must both allow; a bucket
/// owner's principal has no grant on an object another account owns ([R16]).
fn cross_account(
    r: &S3Request<'_, '_>,
    id: &Identity<'_>,
    grant: Option<Granted<'_>>,
    ex: &mut Explanation,
) -> Result<(), Fail> {
    let (p, owner, action) = (r.p, r.owner.name(), r.c.action);
    let caller = match id {
        Identity::Iam { allow: Some(a), .. } => Caller::Statement(*a),
        Identity::Root => Caller::Root(p),
        _ => {
            return Err(denied(
                &rules::R20,
                format!(
                "cross-account: {p}'s own policies do not allow {action} (resource owner {owner})"
            ),
            ))
        }
    };
    match grant {
        Some((_, why)) => {
            ex.decide(
                &rules::R20,
                format!(
                    "cross-account: {caller} allows {action}, and resource owner {owner}: {why}"
                ),
            );
            Ok(())
        }
        None if !r.bucket_owner_owns() && p.account() == Some(&r.bucket.owner) => Err(denied(
            &rules::R16,
            format!(
                "bucket owner {} has no grant on this object owned by {owner}",
                r.bucket.owner
            ),
        )),
        None => Err(denied(
            &rules::R20,
            format!("cross-account: resource owner {owner} grants {p} nothing for {action}"),
        )),
    }
}

/// Authorizes a call no resource policy governs (CreateBucket, ListBuckets, IAM): only the
/// caller's identity policies, the root user having every permission ([P-root], [X-iam]).
pub fn authorize_identity(
    world: &World,
    p: &Principal,
    action: &str,
    resource: &str,
    keys: &Keys,
    ex: &mut Explanation,
) -> Result<(), Fail> {
    let req = Request {
        action,
        resource,
        keys,
    };
    match user_context(world, p, &req)? {
        Identity::Anonymous => Err(denied(
            &rules::R42,
            format!("anonymous callers cannot {action}"),
        )),
        Identity::Root => {
            ex.decide(
                &rules::P_ROOT,
                format!("{p} is its account's root: {action} allowed"),
            );
            Ok(())
        }
        Identity::Iam { allow: Some(a), .. } => {
            ex.decide(&rules::X_IAM, format!("{a} allows {action} on {resource}"));
            Ok(())
        }
        Identity::Iam { .. } => Err(denied(
            &rules::X_IAM,
            format!("no identity policy of {p} allows {action} on {resource}"),
        )),
    }
}

/// The trust-policy check of AssumeRole ([R37], [R38], [R39]).
pub fn authorize_assume_role(
    world: &World,
    p: &Principal,
    role_account: &AccountName,
    role: &Role,
    keys: &Keys,
    ex: &mut Explanation,
) -> Result<(), Fail> {
    let arn = role_arn(world.id_of(role_account), &role.name);
    let req = Request {
        action: "sts:AssumeRole",
        resource: &arn,
        keys,
    };
    let trust = role.trust.evaluate(&req, Some(&who(world, p)));
    let identity_allow = match user_context(world, p, &req)? {
        Identity::Iam { allow, .. } => allow,
        _ => None,
    };
    if let Some(d) = &trust.deny {
        return Err(denied(
            &rules::R22,
            format!("explicit Deny in the trust policy of {arn}: {d}"),
        ));
    }
    let Some((stmt, m)) = trust.allow else {
        return Err(denied(
            &rules::R37,
            format!(
                "the trust policy of role {role_account}:{} does not allow {p}",
                role.name
            ),
        ));
    };
    let same_account = p.account() == Some(role_account);
    if same_account && m != PrincipalMatch::Account {
        ex.decide(
            &rules::R38,
            format!("trust policy {stmt} names {p} itself: no identity policy needed"),
        );
        return Ok(());
    }
    let rule = if same_account {
        &rules::R38
    } else {
        &rules::R39
    };
    match identity_allow {
        Some(a) => {
            ex.decide(rule, format!("trust policy {stmt} allows, and {a} allows sts:AssumeRole on {arn}"));
            Ok(())
        }
        None => Err(denied(
            rule,
            format!("trust policy {stmt} allows, but no identity policy of {p} allows sts:AssumeRole on {arn}"),
        )),
    }
}
