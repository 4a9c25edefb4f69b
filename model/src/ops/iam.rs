//! IAM: CreateUser and PutUserPolicy, CreateRole and PutRolePolicy. Identity-only permissions
//! in the caller's own account ([X-iam]); names and policy documents are validated first.

use super::{is_iam_name, malformed, Call};
use crate::authorize::{self, authorize_identity};
use crate::outcome::{Fail, Outcome};
use crate::policy::{Policy, PolicyError, PolicyKind};
use crate::principal::{role_arn, user_arn, Principal};
use crate::rules;
use crate::world::{role_id_for, user_id_for, AccountName, Role, User, World};
use serde_json::Value;
use std::collections::BTreeMap;

pub(super) fn create_user(
    world: &mut World,
    cx: &mut Call<'_>,
    name: &str,
    policy: Option<&Value>,
) -> Result<Outcome, Fail> {
    let parsed = parse_optional(policy)?;
    validate_iam_name(name)?;
    let account = iam_account(cx.p)?;
    let arn = user_arn(world.id_of(&account), name);
    authorize_iam(world, cx, "iam:CreateUser", &arn)?;
    if parsed.is_some() {
        authorize_iam(world, cx, "iam:PutUserPolicy", &arn)?;
    }
    let acct = world
        .accounts
        .get_mut(&account)
        .ok_or_else(|| Fail::new(403, "AccessDenied", &rules::X_IAM, "unknown account"))?;
    if acct.users.contains_key(name) {
        return Err(already_exists("user", name, &account));
    }
    acct.users.insert(
        name.to_string(),
        User {
            name: name.to_string(),
            id: user_id_for(&account.0, name),
            policies: inline(parsed),
        },
    );
    cx.ok(format!("user {account}.{name} created"));
    Ok(Outcome::status(200))
}

pub(super) fn put_user_policy(
    world: &mut World,
    cx: &mut Call<'_>,
    user: &str,
    policy_name: Option<&str>,
    policy: &Value,
) -> Result<Outcome, Fail> {
    let parsed = Policy::parse(PolicyKind::Identity, policy).map_err(malformed)?;
    let account = iam_account(cx.p)?;
    let arn = user_arn(world.id_of(&account), user);
    authorize_iam(world, cx, "iam:PutUserPolicy", &arn)?;
    let Some(u) = world
        .accounts
        .get_mut(&account)
        .and_then(|a| a.users.get_mut(user))
    else {
        return Err(no_such_entity("user", user, &account));
    };
    let pname = policy_name.unwrap_or("inline").to_string();
    u.policies.insert(pname.clone(), parsed);
    cx.ok(format!("policy {pname:?} of user {account}.{user} set"));
    Ok(Outcome::status(200))
}

pub(super) fn create_role(
    world: &mut World,
    cx: &mut Call<'_>,
    name: &str,
    trust_policy: &Value,
    policy: Option<&Value>,
) -> Result<Outcome, Fail> {
    let trust = Policy::parse(PolicyKind::Trust, trust_policy).map_err(malformed)?;
    let parsed = parse_optional(policy)?;
    validate_iam_name(name)?;
    let account = iam_account(cx.p)?;
    let arn = role_arn(world.id_of(&account), name);
    authorize_iam(world, cx, "iam:CreateRole", &arn)?;
    if parsed.is_some() {
        authorize_iam(world, cx, "iam:PutRolePolicy", &arn)?;
    }
    check_principals_exist(world, &trust, PolicyKind::Trust)?;
    let acct = world
        .accounts
        .get_mut(&account)
        .ok_or_else(|| Fail::new(403, "AccessDenied", &rules::X_IAM, "unknown account"))?;
    if acct.roles.contains_key(name) {
        return Err(already_exists("role", name, &account));
    }
    acct.roles.insert(
        name.to_string(),
        Role {
            name: name.to_string(),
            id: role_id_for(&account.0, name),
            trust,
            policies: inline(parsed),
        },
    );
    cx.ok(format!("role {account}:{name} created"));
    Ok(Outcome::status(200))
}

pub(super) fn put_role_policy(
    world: &mut World,
    cx: &mut Call<'_>,
    role: &str,
    policy_name: Option<&str>,
    policy: &Value,
) -> Result<Outcome, Fail> {
    let parsed = Policy::parse(PolicyKind::Identity, policy).map_err(malformed)?;
    let account = iam_account(cx.p)?;
    let arn = role_arn(world.id_of(&account), role);
    authorize_iam(world, cx, "iam:PutRolePolicy", &arn)?;
    let Some(r) = world
        .accounts
        .get_mut(&account)
        .and_then(|a| a.roles.get_mut(role))
    else {
        return Err(no_such_entity("role", role, &account));
    };
    let pname = policy_name.unwrap_or("inline").to_string();
    r.policies.insert(pname.clone(), parsed);
    cx.ok(format!("policy {pname:?} of role {account}:{role} set"));
    Ok(Outcome::status(200))
}

/// The identity policy a CreateUser or CreateRole may carry.
fn parse_optional(policy: Option<&Value>) -> Result<Option<Policy>, Fail> {
    policy
        .map(|d| Policy::parse(PolicyKind::Identity, d))
        .transpose()
        .map_err(malformed)
}

/// A new user's or role's inline policies: the one it was created with, named `inline`.
fn inline(policy: Option<Policy>) -> BTreeMap<String, Policy> {
    policy
        .into_iter()
        .map(|p| ("inline".to_string(), p))
        .collect()
}

/// [X-iam] an IAM action is granted by the caller's identity policies alone.
fn authorize_iam(world: &World, cx: &mut Call<'_>, action: &str, arn: &str) -> Result<(), Fail> {
    let keys = authorize::base_keys(world, cx.p);
    authorize_identity(world, cx.p, action, arn, &keys, &mut cx.ex)
}

fn already_exists(kind: &str, name: &str, account: &AccountName) -> Fail {
    Fail::new(
        409,
        "EntityAlreadyExists",
        &rules::X_IAM_ENTITY,
        format!("{kind} {name} already exists in {account}"),
    )
}

fn no_such_entity(kind: &str, name: &str, account: &AccountName) -> Fail {
    Fail::new(
        404,
        "NoSuchEntity",
        &rules::X_IAM_ENTITY,
        format!("no {kind} {name} in {account}"),
    )
}

/// IAM and STS act in the caller's own account; unsigned requests are refused
/// (403 MissingAuthenticationToken, AWS common errors).
pub(super) fn iam_account(p: &Principal) -> Result<AccountName, Fail> {
    p.account().cloned().ok_or_else(|| {
        Fail::new(
            403,
            "MissingAuthenticationToken",
            &rules::X_IAM,
            "IAM and STS requests must be signed",
        )
    })
}

/// IAM user and role names: 1–64 characters (IAM API reference, CreateUser / CreateRole).
fn validate_iam_name(name: &str) -> Result<(), Fail> {
    if is_iam_name(name, 1..=64) {
        return Ok(());
    }
    Err(Fail::new(
        400,
        "ValidationError",
        &rules::X_IAM_ENTITY,
        format!("{name:?} is not a valid IAM name"),
    ))
}

/// [P-principal-exists] a policy may not name an IAM user or role that does not exist (in an
/// account the world knows; other accounts' entities cannot be checked).
pub(super) fn check_principals_exist(
    world: &World,
    policy: &Policy,
    kind: PolicyKind,
) -> Result<(), Fail> {
    for arn in policy.principal_arns() {
        if !principal_exists(world, arn) {
            let e = PolicyError {
                kind,
                message: format!("Invalid principal in policy: {}", world.redact(arn)),
            };
            return Err(Fail::new(
                400,
                e.code(),
                &rules::P_PRINCIPAL_EXISTS,
                e.message,
            ));
        }
    }
    Ok(())
}

/// Does the user, role or role session an IAM or STS ARN names exist? True for ARNs the world
/// cannot check (other accounts, account roots).
fn principal_exists(world: &World, arn: &str) -> bool {
    let Some((id, rest)) = arn
        .strip_prefix("arn:aws:iam::")
        .or_else(|| arn.strip_prefix("arn:aws:sts::"))
        .and_then(|r| r.split_once(':'))
    else {
        return true;
    };
    let Some(acct) = world.account_by_id(id) else {
        return true;
    };
    if let Some(u) = rest.strip_prefix("user/") {
        acct.users.contains_key(u.rsplit('/').next().unwrap_or(u))
    } else if let Some(r) = rest.strip_prefix("role/") {
        acct.roles.contains_key(r.rsplit('/').next().unwrap_or(r))
    } else if let Some(s) = rest.strip_prefix("assumed-role/") {
        acct.roles.contains_key(s.split('/').next().unwrap_or(s))
    } else {
        true
    }
}
