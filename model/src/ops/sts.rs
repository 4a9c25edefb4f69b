//! STS: AssumeRole. The session name and session policy are validated first; the trust policy
//! and the caller's identity policies decide ([R37]–[R39]); the session is the role's account's
//! principal, limited by its session policy ([R40], [R41]).

use super::iam::iam_account;
use super::{is_iam_name, malformed, Call};
use crate::authorize;
use crate::outcome::{Fail, Outcome};
use crate::policy::{Policy, PolicyKind};
use crate::principal::{parse_role_arn, session_arn, Principal};
use crate::rules;
use crate::world::{AccountName, Role, Session, World};
use serde_json::Value;

/// What an AssumeRole asks for.
pub(super) struct NewSession<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub session_policy: Option<&'a Value>,
    /// The scenario's name for the session, which later steps use in `as`.
    pub as_name: &'a str,
}

pub(super) fn assume_role(
    world: &mut World,
    cx: &mut Call<'_>,
    s: &NewSession<'_>,
) -> Result<Outcome, Fail> {
    // Request validation first: the session name, then the session policy.
    validate_session_name(s.session_name)?;
    let sp = s
        .session_policy
        .map(|d| Policy::parse(PolicyKind::Session, d))
        .transpose()
        .map_err(malformed)?;
    iam_account(cx.p)?;
    let p = cx.p;
    if p.is_root() {
        return Err(Fail::new(
            403,
            "AccessDenied",
            &rules::X_ROOT_NO_ASSUME,
            "Roles may not be assumed by root accounts",
        ));
    }
    let (id, name, account, role) = find_role(world, p, s.role_arn)?;
    let mut keys = authorize::base_keys(world, p);
    keys.insert(
        "sts:rolesessionname".into(),
        vec![s.session_name.to_string()],
    );
    authorize::authorize_assume_role(world, p, &account, &role, &keys, &mut cx.ex)?;
    let session = session_arn(id, name, s.session_name);
    world.sessions.insert(
        s.as_name.to_string(),
        Session {
            account,
            role: name.to_string(),
            session_name: s.session_name.to_string(),
            session_policy: sp,
            source: p.scenario_name(),
        },
    );
    cx.ex.decide(
        &rules::R41,
        format!("session {} is {}", s.as_name, world.redact(&session)),
    );
    Ok(Outcome {
        assumed_role_arn: Some(session),
        ..Outcome::status(200)
    })
}

/// [R37] the role an ARN names, in an account the world knows: its account id and name as the
/// ARN gives them, its account, and the role. A role that does not exist is refused as if the
/// caller were not allowed.
fn find_role<'a>(
    world: &World,
    p: &Principal,
    arn: &'a str,
) -> Result<(&'a str, &'a str, AccountName, Role), Fail> {
    let not_found = || {
        Fail::new(
            403,
            "AccessDenied",
            &rules::R37,
            format!("{p} is not authorized to perform sts:AssumeRole on {arn} (no such role)"),
        )
    };
    let (id, name) = parse_role_arn(arn).ok_or_else(not_found)?;
    let account = world
        .account_by_id(id)
        .map(|a| a.name.clone())
        .ok_or_else(not_found)?;
    let role = world
        .account(&account)
        .and_then(|a| a.roles.get(name))
        .cloned()
        .ok_or_else(not_found)?;
    Ok((id, name, account, role))
}

/// RoleSessionName: 2–64 characters (STS API reference, AssumeRole).
fn validate_session_name(name: &str) -> Result<(), Fail> {
    if is_iam_name(name, 2..=64) {
        return Ok(());
    }
    Err(Fail::new(
        400,
        "ValidationError",
        &rules::X_SESSION_NAME,
        format!("RoleSessionName {name:?} is invalid"),
    ))
}
