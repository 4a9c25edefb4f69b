//! The IAM actions, in the caller's account: users, their access keys and inline policies;
//! roles and their inline policies; GetUser, GetRole, ListUsers and ListRoles (by path prefix).
//! Users and roles may be made under a path (`/xacct/<run>/`): their ARNs carry it
//! (`iam_meta.rs`).
//!
//! CreateUser, PutUserPolicy, CreateRole and PutRolePolicy are model steps. The others are
//! authorized here with the model's identity-policy check for the IAM action on the user's or
//! role's ARN (as AWS authorizes IAM actions), then change the world or the key store directly.

use super::{escape, model_step, resolve, unknown_action, Answer, Params, QueryError};
use crate::clock::now_iso8601;
use crate::iam_meta::{invalid_path, Kind};
use crate::state::State;
use std::collections::BTreeMap;
use xacct_model::authorize::{authorize_identity, base_keys};
use xacct_model::outcome::Explanation;
use xacct_model::policy::Policy;
use xacct_model::principal::{role_arn, user_arn, Principal};
use xacct_model::scenario::Op;
use xacct_model::world::AccountName;

/// Answers one IAM action.
pub(super) fn call(st: &mut State, principal: &str, action: &str, p: &Params) -> Answer {
    match action {
        "CreateUser" => create_user(st, principal, p),
        "DeleteUser" => delete_user(st, principal, p),
        "CreateAccessKey" => create_access_key(st, principal, p),
        "ListAccessKeys" => list_access_keys(st, principal, p),
        "DeleteAccessKey" => delete_access_key(st, principal, p),
        "PutUserPolicy" => put_user_policy(st, principal, p),
        "DeleteUserPolicy" => delete_policy(st, principal, p, Holder::User, "iam:DeleteUserPolicy"),
        "ListUserPolicies" => list_policies(st, principal, p, Holder::User, "iam:ListUserPolicies"),
        "CreateRole" => create_role(st, principal, p),
        "PutRolePolicy" => put_role_policy(st, principal, p),
        "DeleteRolePolicy" => delete_policy(st, principal, p, Holder::Role, "iam:DeleteRolePolicy"),
        "ListRolePolicies" => list_policies(st, principal, p, Holder::Role, "iam:ListRolePolicies"),
        "DeleteRole" => delete_role(st, principal, p),
        "GetUser" => get_user(st, principal, p),
        "GetRole" => get_role(st, principal, p),
        "ListUsers" => list_entities(st, principal, p, Holder::User),
        "ListRoles" => list_entities(st, principal, p, Holder::Role),
        other => Err(unknown_action(other)),
    }
}

/// The caller and its account (an IAM call acts in the caller's account).
fn account_of(st: &State, principal: &str) -> Result<(Principal, AccountName), QueryError> {
    let p = resolve(st, principal)?;
    let a = p
        .account()
        .cloned()
        .ok_or_else(|| QueryError::new(403, "AccessDenied", "anonymous callers cannot use IAM"))?;
    Ok((p, a))
}

/// The model's identity-policy check for an IAM action on a resource ([X-iam]).
fn authorize(st: &State, p: &Principal, action: &str, resource: &str) -> Result<(), QueryError> {
    if st.pending(p) {
        return Err(QueryError::new(
            403,
            "AccessDenied",
            "the caller's latest IAM change has not propagated yet",
        ));
    }
    let keys = base_keys(&st.world, p);
    let mut ex = Explanation::default();
    authorize_identity(&st.world, p, action, resource, &keys, &mut ex)
        .map_err(|f| QueryError::new(f.status, &f.code, format!("[{}] {}", f.rule.id, f.detail)))
}

/// What inline policies are attached to: an IAM user or a role.
#[derive(Clone, Copy)]
enum Holder {
    User,
    Role,
}

impl Holder {
    fn noun(self) -> &'static str {
        match self {
            Holder::User => "user",
            Holder::Role => "role",
        }
    }

    /// The request parameter naming it.
    fn param(self) -> &'static str {
        match self {
            Holder::User => "UserName",
            Holder::Role => "RoleName",
        }
    }

    fn arn(self, account_id: &str, name: &str) -> String {
        match self {
            Holder::User => user_arn(account_id, name),
            Holder::Role => role_arn(account_id, name),
        }
    }

    fn kind(self) -> Kind {
        match self {
            Holder::User => Kind::User,
            Holder::Role => Kind::Role,
        }
    }

    /// Its inline policies; `None` when there is no such user or role.
    fn policies<'w>(
        self,
        st: &'w State,
        account: &AccountName,
        name: &str,
    ) -> Option<&'w BTreeMap<String, Policy>> {
        let a = st.world.account(account)?;
        match self {
            Holder::User => a.users.get(name).map(|u| &u.policies),
            Holder::Role => a.roles.get(name).map(|r| &r.policies),
        }
    }

    fn policies_mut<'w>(
        self,
        st: &'w mut State,
        account: &AccountName,
        name: &str,
    ) -> Option<&'w mut BTreeMap<String, Policy>> {
        let a = st.world.accounts.get_mut(account)?;
        match self {
            Holder::User => a.users.get_mut(name).map(|u| &mut u.policies),
            Holder::Role => a.roles.get_mut(name).map(|r| &mut r.policies),
        }
    }

    /// The caller may do `action` on the user or role `name` of `account`, and it exists.
    fn check(
        self,
        st: &State,
        caller: &Principal,
        account: &AccountName,
        action: &str,
        name: &str,
    ) -> Result<(), QueryError> {
        authorize(st, caller, action, &self.arn(st.world.id_of(account), name))?;
        match self.policies(st, account, name) {
            Some(_) => Ok(()),
            None => Err(QueryError::not_found(&format!(
                "{} with name {name}",
                self.noun()
            ))),
        }
    }
}

/// The `Path` of a new user or role (`/` when none is given), checked as IAM does.
fn new_path(p: &Params) -> Result<String, QueryError> {
    let path = p.opt("Path").unwrap_or("/");
    match invalid_path(path, false) {
        Some(why) => Err(QueryError::new(400, "ValidationError", why)),
        None => Ok(path.to_string()),
    }
}

/// The user an access-key call is about: `UserName`, else the calling user.
fn target_user(caller: &Principal, p: &Params) -> Result<String, QueryError> {
    match (p.opt("UserName"), caller) {
        (Some(u), _) => Ok(u.to_string()),
        (None, Principal::User { name, .. }) => Ok(name.clone()),
        _ => Err(QueryError::new(
            400,
            "ValidationError",
            "UserName is required when the caller is not an IAM user",
        )),
    }
}

/// The `PolicyNames` of List{User,Role}Policies.
fn policy_names(policies: Option<&BTreeMap<String, Policy>>) -> String {
    let names: String = policies
        .into_iter()
        .flat_map(|p| p.keys())
        .map(|n| format!("<member>{}</member>", escape(n)))
        .collect();
    format!("<PolicyNames>{names}</PolicyNames><IsTruncated>false</IsTruncated>")
}

fn user_xml(st: &State, account: &AccountName, name: &str) -> String {
    format!("<User>{}</User>", user_fields(st, account, name))
}

/// The fields of a `User` (or of a `member` of ListUsers).
fn user_fields(st: &State, account: &AccountName, name: &str) -> String {
    let id = st
        .world
        .account(account)
        .and_then(|a| a.users.get(name))
        .map(|u| u.id.clone())
        .unwrap_or_default();
    let arn = user_arn(st.world.id_of(account), name);
    format!(
        "<Path>{}</Path><UserName>{}</UserName><UserId>{id}</UserId><Arn>{}</Arn><CreateDate>{}</CreateDate>",
        escape(st.paths.of(account, Kind::User, name)),
        escape(name),
        escape(&st.paths.arn(&arn, account, Kind::User, name)),
        now_iso8601()
    )
}

fn create_user(st: &mut State, principal: &str, p: &Params) -> Answer {
    let name = p.get("UserName")?.to_string();
    let path = new_path(p)?;
    let (_, account) = account_of(st, principal)?;
    let op = Op::CreateUser {
        name: name.clone(),
        policy: None,
    };
    model_step(st, principal, op, |st, _| {
        st.paths.set(&account, Kind::User, &name, &path);
        st.propagation.made(&account, Kind::User, &name);
        Ok(user_xml(st, &account, &name))
    })
}

fn delete_user(st: &mut State, principal: &str, p: &Params) -> Answer {
    let name = p.get("UserName")?;
    let (caller, account) = account_of(st, principal)?;
    Holder::User.check(st, &caller, &account, "iam:DeleteUser", name)?;
    let has_policies = st
        .world
        .account(&account)
        .and_then(|a| a.users.get(name))
        .is_some_and(|u| !u.policies.is_empty());
    if has_policies || !st.user_keys(&account, name).is_empty() {
        return Err(QueryError::new(
            409,
            "DeleteConflict",
            "Cannot delete entity, must delete policies and access keys first.",
        ));
    }
    if let Some(a) = st.world.accounts.get_mut(&account) {
        a.users.remove(name);
    }
    st.paths.remove(&account, Kind::User, name);
    Ok(String::new())
}

fn create_access_key(st: &mut State, principal: &str, p: &Params) -> Answer {
    let (caller, account) = account_of(st, principal)?;
    let user = target_user(&caller, p)?;
    Holder::User.check(st, &caller, &account, "iam:CreateAccessKey", &user)?;
    // AWS allows two keys per user (IAM quotas).
    if st.user_keys(&account, &user).len() >= 2 {
        return Err(QueryError::new(
            409,
            "LimitExceeded",
            "Cannot exceed quota for AccessKeysPerUser: 2",
        ));
    }
    let (id, key) = st.issue_user_key(&account, &user);
    Ok(format!(
        "<AccessKey><UserName>{}</UserName><AccessKeyId>{id}</AccessKeyId><Status>Active</Status><SecretAccessKey>{}</SecretAccessKey><CreateDate>{}</CreateDate></AccessKey>",
        escape(&user),
        escape(&key.secret),
        key.created
    ))
}

fn list_access_keys(st: &State, principal: &str, p: &Params) -> Answer {
    let (caller, account) = account_of(st, principal)?;
    let user = target_user(&caller, p)?;
    Holder::User.check(st, &caller, &account, "iam:ListAccessKeys", &user)?;
    let members: String = st
        .user_keys(&account, &user)
        .iter()
        .map(|(id, created)| {
            format!(
                "<member><UserName>{}</UserName><AccessKeyId>{id}</AccessKeyId><Status>Active</Status><CreateDate>{created}</CreateDate></member>",
                escape(&user)
            )
        })
        .collect();
    Ok(format!(
        "<AccessKeyMetadata>{members}</AccessKeyMetadata><IsTruncated>false</IsTruncated>"
    ))
}

fn delete_access_key(st: &mut State, principal: &str, p: &Params) -> Answer {
    let (caller, account) = account_of(st, principal)?;
    let user = target_user(&caller, p)?;
    let key_id = p.get("AccessKeyId")?.to_string();
    authorize(
        st,
        &caller,
        "iam:DeleteAccessKey",
        &user_arn(st.world.id_of(&account), &user),
    )?;
    let owned = st
        .keys
        .get(&key_id)
        .and_then(|k| k.user.as_ref())
        .is_some_and(|(a, u)| *a == account && *u == user);
    if !owned || st.keys.get(&key_id).is_some_and(|k| k.provisioned) {
        return Err(QueryError::not_found(&format!(
            "Access Key with id {key_id}"
        )));
    }
    st.keys.remove(&key_id);
    Ok(String::new())
}

fn put_user_policy(st: &mut State, principal: &str, p: &Params) -> Answer {
    let user = p.get("UserName")?.to_string();
    let op = Op::PutUserPolicy {
        user: user.clone(),
        policy_name: Some(p.get("PolicyName")?.to_string()),
        policy: serde_json::Value::String(p.get("PolicyDocument")?.to_string()),
    };
    let (_, account) = account_of(st, principal)?;
    model_step(st, principal, op, |st, _| {
        st.propagation.changed(&account, Kind::User, &user);
        Ok(String::new())
    })
}

/// Delete{User,Role}Policy.
fn delete_policy(
    st: &mut State,
    principal: &str,
    p: &Params,
    holder: Holder,
    action: &str,
) -> Answer {
    let holder_name = p.get(holder.param())?;
    let name = p.get("PolicyName")?;
    let (caller, account) = account_of(st, principal)?;
    holder.check(st, &caller, &account, action, holder_name)?;
    let removed = holder
        .policies_mut(st, &account, holder_name)
        .and_then(|policies| policies.remove(name));
    match removed {
        Some(_) => Ok(String::new()),
        None => Err(QueryError::not_found(&format!(
            "{} policy with name {name}",
            holder.noun()
        ))),
    }
}

/// List{User,Role}Policies.
fn list_policies(st: &State, principal: &str, p: &Params, holder: Holder, action: &str) -> Answer {
    let holder_name = p.get(holder.param())?;
    let (caller, account) = account_of(st, principal)?;
    holder.check(st, &caller, &account, action, holder_name)?;
    Ok(policy_names(holder.policies(st, &account, holder_name)))
}

fn role_xml(st: &State, account: &AccountName, name: &str, trust: &str) -> String {
    format!("<Role>{}</Role>", role_fields(st, account, name, trust))
}

/// The fields of a `Role` (or of a `member` of ListRoles). AWS returns the trust policy
/// URL-encoded per RFC 3986 (IAM API reference, Role data type: AssumeRolePolicyDocument), so
/// a space is `%20`, never the form encoding's `+`.
fn role_fields(st: &State, account: &AccountName, name: &str, trust: &str) -> String {
    let id = st
        .world
        .account(account)
        .and_then(|a| a.roles.get(name))
        .map(|r| r.id.clone())
        .unwrap_or_default();
    let arn = role_arn(st.world.id_of(account), name);
    format!(
        "<Path>{}</Path><RoleName>{}</RoleName><RoleId>{id}</RoleId><Arn>{}</Arn><CreateDate>{}</CreateDate><AssumeRolePolicyDocument>{}</AssumeRolePolicyDocument>",
        escape(st.paths.of(account, Kind::Role, name)),
        escape(name),
        escape(&st.paths.arn(&arn, account, Kind::Role, name)),
        now_iso8601(),
        escape(&crate::sigv4::uri_encode(trust))
    )
}

/// A stored policy document as text (the JSON string given, or the JSON written).
fn document_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// GetUser: `UserName`, else the calling user.
fn get_user(st: &State, principal: &str, p: &Params) -> Answer {
    let (caller, account) = account_of(st, principal)?;
    let user = target_user(&caller, p)?;
    Holder::User.check(st, &caller, &account, "iam:GetUser", &user)?;
    Ok(user_xml(st, &account, &user))
}

/// GetRole.
fn get_role(st: &State, principal: &str, p: &Params) -> Answer {
    let role = p.get("RoleName")?;
    let (caller, account) = account_of(st, principal)?;
    Holder::Role.check(st, &caller, &account, "iam:GetRole", role)?;
    let trust = st
        .world
        .account(&account)
        .and_then(|a| a.roles.get(role))
        .map(|r| document_text(&r.trust.document))
        .unwrap_or_default();
    Ok(role_xml(st, &account, role, &trust))
}

/// ListUsers / ListRoles: the users or roles of the caller's account whose path starts with
/// `PathPrefix` (default `/`), one page. Both actions take no resource type (IAM service
/// authorization reference), so they are checked on `*`.
fn list_entities(st: &State, principal: &str, p: &Params, holder: Holder) -> Answer {
    let prefix = p.opt("PathPrefix").unwrap_or("/");
    if let Some(why) = invalid_path(prefix, true) {
        return Err(QueryError::new(400, "ValidationError", why));
    }
    let (caller, account) = account_of(st, principal)?;
    let action = match holder {
        Holder::User => "iam:ListUsers",
        Holder::Role => "iam:ListRoles",
    };
    authorize(st, &caller, action, "*")?;
    let Some(a) = st.world.account(&account) else {
        return Err(QueryError::not_found("account"));
    };
    let under = |name: &str| {
        st.paths
            .of(&account, holder.kind(), name)
            .starts_with(prefix)
    };
    let members: String = match holder {
        Holder::User => a
            .users
            .keys()
            .filter(|u| under(u))
            .map(|u| format!("<member>{}</member>", user_fields(st, &account, u)))
            .collect(),
        Holder::Role => a
            .roles
            .iter()
            .filter(|(n, _)| under(n))
            .map(|(n, r)| {
                let trust = document_text(&r.trust.document);
                format!("<member>{}</member>", role_fields(st, &account, n, &trust))
            })
            .collect(),
    };
    let list = match holder {
        Holder::User => "Users",
        Holder::Role => "Roles",
    };
    Ok(format!(
        "<{list}>{members}</{list}><IsTruncated>false</IsTruncated>"
    ))
}

fn create_role(st: &mut State, principal: &str, p: &Params) -> Answer {
    let name = p.get("RoleName")?.to_string();
    let trust = p.get("AssumeRolePolicyDocument")?.to_string();
    let path = new_path(p)?;
    let (_, account) = account_of(st, principal)?;
    let op = Op::CreateRole {
        name: name.clone(),
        trust_policy: serde_json::Value::String(trust.clone()),
        policy: None,
    };
    model_step(st, principal, op, |st, _| {
        st.paths.set(&account, Kind::Role, &name, &path);
        st.propagation.made(&account, Kind::Role, &name);
        Ok(role_xml(st, &account, &name, &trust))
    })
}

fn put_role_policy(st: &mut State, principal: &str, p: &Params) -> Answer {
    let role = p.get("RoleName")?.to_string();
    let op = Op::PutRolePolicy {
        role: role.clone(),
        policy_name: Some(p.get("PolicyName")?.to_string()),
        policy: serde_json::Value::String(p.get("PolicyDocument")?.to_string()),
    };
    let (_, account) = account_of(st, principal)?;
    model_step(st, principal, op, |st, _| {
        st.propagation.changed(&account, Kind::Role, &role);
        Ok(String::new())
    })
}

fn delete_role(st: &mut State, principal: &str, p: &Params) -> Answer {
    let role = p.get("RoleName")?;
    let (caller, account) = account_of(st, principal)?;
    Holder::Role.check(st, &caller, &account, "iam:DeleteRole", role)?;
    let has_policies = st
        .world
        .account(&account)
        .and_then(|a| a.roles.get(role))
        .is_some_and(|r| !r.policies.is_empty());
    if has_policies {
        return Err(QueryError::new(
            409,
            "DeleteConflict",
            "Cannot delete entity, must delete policies first.",
        ));
    }
    if let Some(a) = st.world.accounts.get_mut(&account) {
        a.roles.remove(role);
    }
    st.paths.remove(&account, Kind::Role, role);
    end_sessions(st, &account, role);
    Ok(String::new())
}

/// Sessions of a deleted role stop working (AWS: their next request fails).
fn end_sessions(st: &mut State, account: &AccountName, role: &str) {
    let gone: Vec<String> = st
        .world
        .sessions
        .iter()
        .filter(|(_, s)| s.account == *account && s.role == role)
        .map(|(n, _)| n.clone())
        .collect();
    for n in gone {
        st.world.sessions.remove(&n);
        st.keys.remove(&n);
    }
}
