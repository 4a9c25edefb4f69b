//! The STS and IAM query APIs of the embedded endpoint: `Action=…` requests (form POST or GET),
//! SigV4-signed for the `sts` or `iam` scope, answered in AWS's XML, errors included
//! (`<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`).
//!
//! The calls the model knows (CreateUser, PutUserPolicy, CreateRole, PutRolePolicy, AssumeRole)
//! are model steps. The bookkeeping calls around them (access keys, deletes, GetCallerIdentity)
//! are authorized here with the model's identity-policy check ([`authorize_identity`]), as AWS
//! does for IAM actions, and change the world directly.

use super::sigv4::{self, Authorization};
use super::{lock, now_iso8601, Shared, State};
use bytes::Bytes;
use std::collections::BTreeMap;
use xacct_model::authorize::{authorize_identity, base_keys};
use xacct_model::outcome::{Explanation, Outcome};
use xacct_model::principal::{parse_role_arn, role_arn, user_arn, Principal};
use xacct_model::scenario::Op;
use xacct_model::world::AccountName;

/// Query API bodies are small: policies are at most a few KiB.
pub const MAX_BODY: usize = 1 << 20;

const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// An `Action=` request: a form POST to `/`, or any request with `Action` in its query.
pub fn is_query_api<B>(req: &http::Request<B>) -> bool {
    let form = req.method() == http::Method::POST
        && req.uri().path() == "/"
        && req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let action_query = req.uri().path() == "/"
        && req
            .uri()
            .query()
            .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "Action"));
    form || action_query
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Service {
    Sts,
    Iam,
}

impl Service {
    fn ns(self) -> &'static str {
        match self {
            Service::Sts => STS_NS,
            Service::Iam => IAM_NS,
        }
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    format!("xacct-{:016x}", N.fetch_add(1, Ordering::Relaxed))
}

fn response(status: u16, body: String) -> http::Response<s3s::Body> {
    let mut r = http::Response::new(s3s::Body::from(body));
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/xml"),
    );
    r
}

/// An AWS query-API error.
struct QueryError {
    status: u16,
    code: String,
    message: String,
}

impl QueryError {
    fn new(status: u16, code: &str, message: impl Into<String>) -> QueryError {
        QueryError {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    fn from_outcome(o: &Outcome, ex: &Explanation) -> QueryError {
        let message = ex
            .lines
            .last()
            .map(|l| format!("[{}] {}", l.rule, l.detail))
            .unwrap_or_default();
        QueryError::new(
            o.status,
            o.code.as_deref().unwrap_or("AccessDenied"),
            message,
        )
    }

    fn into_response(self, service: Service) -> http::Response<s3s::Body> {
        let kind = if self.status >= 500 {
            "Receiver"
        } else {
            "Sender"
        };
        response(
            self.status,
            format!(
                "<ErrorResponse xmlns=\"{}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
                service.ns(),
                escape(&self.code),
                escape(&self.message),
                request_id()
            ),
        )
    }
}

fn ok(service: Service, action: &str, result: &str) -> http::Response<s3s::Body> {
    let result = if result.is_empty() {
        String::new()
    } else {
        format!("<{action}Result>{result}</{action}Result>")
    };
    response(
        200,
        format!(
            "<{action}Response xmlns=\"{}\">{result}<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{action}Response>",
            service.ns(),
            request_id()
        ),
    )
}

pub fn too_large() -> http::Response<s3s::Body> {
    QueryError::new(
        413,
        "RequestEntityTooLarge",
        "the request body is too large",
    )
    .into_response(Service::Iam)
}

/// Authenticates and answers one query-API request.
pub fn handle(
    state: &Shared,
    parts: &http::request::Parts,
    body: &Bytes,
) -> http::Response<s3s::Body> {
    let query = parts.uri.query().unwrap_or("");
    let mut params: BTreeMap<String, String> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    if parts.method == http::Method::POST {
        params.extend(form_urlencoded::parse(body).into_owned());
    }
    let action = params.get("Action").cloned().unwrap_or_default();
    let header = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let guess = if is_sts_action(&action) {
        Service::Sts
    } else {
        Service::Iam
    };
    let Some(header) = header else {
        return QueryError::new(
            403,
            "MissingAuthenticationToken",
            "Request is missing Authentication Token",
        )
        .into_response(guess);
    };
    let auth = match Authorization::parse(header) {
        Ok(a) => a,
        Err(e) => {
            return QueryError::new(400, "IncompleteSignature", e.to_string()).into_response(guess)
        }
    };
    let service = match auth.service.as_str() {
        "sts" => Service::Sts,
        "iam" => Service::Iam,
        other => {
            return QueryError::new(
                400,
                "InvalidClientTokenId",
                format!("this endpoint serves sts and iam query calls, not {other:?}"),
            )
            .into_response(guess)
        }
    };
    let mut st = lock(state);
    let Some(secret) = st.secret_of(&auth.access_key) else {
        return QueryError::new(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        )
        .into_response(service);
    };
    if let Err(e) = sigv4::verify(
        &auth,
        parts.method.as_str(),
        parts.uri.path(),
        query,
        &parts.headers,
        body,
        &secret,
    ) {
        return QueryError::new(403, "SignatureDoesNotMatch", e.to_string()).into_response(service);
    }
    let token = parts
        .headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok());
    let principal = match st.principal_of(&auth.access_key, token) {
        Ok(p) => p,
        Err(e) => {
            return QueryError::new(403, "InvalidClientTokenId", e.message()).into_response(service)
        }
    };
    let p = Params(&params);
    let result = match (service, action.as_str()) {
        (Service::Sts, "AssumeRole") => assume_role(&mut st, &principal, &p),
        (Service::Sts, "GetCallerIdentity") => get_caller_identity(&st, &principal),
        (Service::Iam, "CreateUser") => create_user(&mut st, &principal, &p),
        (Service::Iam, "DeleteUser") => delete_user(&mut st, &principal, &p),
        (Service::Iam, "CreateAccessKey") => create_access_key(&mut st, &principal, &p),
        (Service::Iam, "ListAccessKeys") => list_access_keys(&st, &principal, &p),
        (Service::Iam, "DeleteAccessKey") => delete_access_key(&mut st, &principal, &p),
        (Service::Iam, "PutUserPolicy") => put_user_policy(&mut st, &principal, &p),
        (Service::Iam, "DeleteUserPolicy") => delete_user_policy(&mut st, &principal, &p),
        (Service::Iam, "ListUserPolicies") => list_user_policies(&st, &principal, &p),
        (Service::Iam, "CreateRole") => create_role(&mut st, &principal, &p),
        (Service::Iam, "PutRolePolicy") => put_role_policy(&mut st, &principal, &p),
        (Service::Iam, "DeleteRolePolicy") => delete_role_policy(&mut st, &principal, &p),
        (Service::Iam, "ListRolePolicies") => list_role_policies(&st, &principal, &p),
        (Service::Iam, "DeleteRole") => delete_role(&mut st, &principal, &p),
        (_, "") => Err(QueryError::new(400, "MissingAction", "no Action given")),
        (_, other) => Err(QueryError::new(
            400,
            "InvalidAction",
            format!("the embedded endpoint does not implement {other}"),
        )),
    };
    match result {
        Ok(body) => ok(service, &action, &body),
        Err(e) => e.into_response(service),
    }
}

fn is_sts_action(a: &str) -> bool {
    matches!(
        a,
        "AssumeRole" | "GetCallerIdentity" | "GetSessionToken" | "AssumeRoleWithWebIdentity"
    )
}

struct Params<'a>(&'a BTreeMap<String, String>);

impl Params<'_> {
    fn get(&self, name: &str) -> Result<&str, QueryError> {
        self.0.get(name).map(String::as_str).ok_or_else(|| {
            QueryError::new(
                400,
                "MissingParameter",
                format!("The request must contain the parameter {name}"),
            )
        })
    }

    fn opt(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

type Answer = Result<String, QueryError>;

/// A model step as a query-API answer: the error, or `then` on success.
fn model_step(
    st: &mut State,
    principal: &str,
    op: Op,
    then: impl FnOnce(&mut State, &Outcome) -> Answer,
) -> Answer {
    match st.apply(principal, op, None) {
        Ok((o, _)) if o.allowed() => then(st, &o),
        Ok((o, ex)) => Err(QueryError::from_outcome(&o, &ex)),
        Err(e) => Err(QueryError::new(403, "InvalidClientTokenId", e.to_string())),
    }
}

fn resolve(st: &State, principal: &str) -> Result<Principal, QueryError> {
    Principal::resolve(&st.world, principal)
        .map_err(|e| QueryError::new(403, "InvalidClientTokenId", e.to_string()))
}

/// The caller's account, for IAM calls (an IAM call acts in the caller's account).
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
    let keys = base_keys(&st.world, p);
    let mut ex = Explanation::default();
    authorize_identity(&st.world, p, action, resource, &keys, &mut ex).map_err(|f| {
        QueryError::new(
            f.status,
            &f.code,
            format!("[{}] {}", f.rule.id, st.world.redact(&f.detail)),
        )
    })
}

fn no_such_entity(what: &str) -> QueryError {
    QueryError::new(404, "NoSuchEntity", format!("The {what} cannot be found."))
}

fn user_xml(st: &State, account: &AccountName, name: &str) -> String {
    let id = st
        .world
        .account(account)
        .and_then(|a| a.users.get(name))
        .map(|u| u.id.clone())
        .unwrap_or_default();
    format!(
        "<User><Path>/</Path><UserName>{}</UserName><UserId>{id}</UserId><Arn>{}</Arn><CreateDate>{}</CreateDate></User>",
        escape(name),
        escape(&user_arn(st.world.id_of(account), name)),
        now_iso8601()
    )
}

fn create_user(st: &mut State, principal: &str, p: &Params) -> Answer {
    let name = p.get("UserName")?.to_string();
    if p.opt("Path").is_some_and(|x| x != "/") {
        return Err(QueryError::new(
            400,
            "ValidationError",
            "the embedded endpoint keeps every user under the path /",
        ));
    }
    let (_, account) = account_of(st, principal)?;
    model_step(
        st,
        principal,
        Op::CreateUser {
            name: name.clone(),
            policy: None,
        },
        |st, _| Ok(user_xml(st, &account, &name)),
    )
}

fn existing_user(st: &State, account: &AccountName, name: &str) -> Result<(), QueryError> {
    match st
        .world
        .account(account)
        .map(|a| a.users.contains_key(name))
    {
        Some(true) => Ok(()),
        _ => Err(no_such_entity(&format!("user with name {name}"))),
    }
}

fn delete_user(st: &mut State, principal: &str, p: &Params) -> Answer {
    let name = p.get("UserName")?;
    let (caller, account) = account_of(st, principal)?;
    authorize(
        st,
        &caller,
        "iam:DeleteUser",
        &user_arn(st.world.id_of(&account), name),
    )?;
    existing_user(st, &account, name)?;
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
    Ok(String::new())
}

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

fn create_access_key(st: &mut State, principal: &str, p: &Params) -> Answer {
    let (caller, account) = account_of(st, principal)?;
    let user = target_user(&caller, p)?;
    authorize(
        st,
        &caller,
        "iam:CreateAccessKey",
        &user_arn(st.world.id_of(&account), &user),
    )?;
    existing_user(st, &account, &user)?;
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
    authorize(
        st,
        &caller,
        "iam:ListAccessKeys",
        &user_arn(st.world.id_of(&account), &user),
    )?;
    existing_user(st, &account, &user)?;
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
        return Err(no_such_entity(&format!("Access Key with id {key_id}")));
    }
    st.keys.remove(&key_id);
    Ok(String::new())
}

fn put_user_policy(st: &mut State, principal: &str, p: &Params) -> Answer {
    let op = Op::PutUserPolicy {
        user: p.get("UserName")?.to_string(),
        policy_name: Some(p.get("PolicyName")?.to_string()),
        policy: serde_json::Value::String(p.get("PolicyDocument")?.to_string()),
    };
    model_step(st, principal, op, |_, _| Ok(String::new()))
}

fn delete_user_policy(st: &mut State, principal: &str, p: &Params) -> Answer {
    let user = p.get("UserName")?;
    let name = p.get("PolicyName")?;
    let (caller, account) = account_of(st, principal)?;
    authorize(
        st,
        &caller,
        "iam:DeleteUserPolicy",
        &user_arn(st.world.id_of(&account), user),
    )?;
    existing_user(st, &account, user)?;
    let removed = st
        .world
        .accounts
        .get_mut(&account)
        .and_then(|a| a.users.get_mut(user))
        .and_then(|u| u.policies.remove(name));
    match removed {
        Some(_) => Ok(String::new()),
        None => Err(no_such_entity(&format!("user policy with name {name}"))),
    }
}

/// The `PolicyNames` of List{User,Role}Policies.
fn policy_names(policies: Option<&BTreeMap<String, xacct_model::policy::Policy>>) -> String {
    let names: String = policies
        .into_iter()
        .flat_map(|p| p.keys())
        .map(|n| format!("<member>{}</member>", escape(n)))
        .collect();
    format!("<PolicyNames>{names}</PolicyNames><IsTruncated>false</IsTruncated>")
}

fn list_user_policies(st: &State, principal: &str, p: &Params) -> Answer {
    let user = p.get("UserName")?;
    let (caller, account) = account_of(st, principal)?;
    authorize(
        st,
        &caller,
        "iam:ListUserPolicies",
        &user_arn(st.world.id_of(&account), user),
    )?;
    existing_user(st, &account, user)?;
    let policies = st
        .world
        .account(&account)
        .and_then(|a| a.users.get(user))
        .map(|u| &u.policies);
    Ok(policy_names(policies))
}

fn list_role_policies(st: &State, principal: &str, p: &Params) -> Answer {
    let role = p.get("RoleName")?;
    let (caller, account) = account_of(st, principal)?;
    authorize(
        st,
        &caller,
        "iam:ListRolePolicies",
        &role_arn(st.world.id_of(&account), role),
    )?;
    existing_role(st, &account, role)?;
    let policies = st
        .world
        .account(&account)
        .and_then(|a| a.roles.get(role))
        .map(|r| &r.policies);
    Ok(policy_names(policies))
}

fn create_role(st: &mut State, principal: &str, p: &Params) -> Answer {
    let name = p.get("RoleName")?.to_string();
    let trust = p.get("AssumeRolePolicyDocument")?.to_string();
    if p.opt("Path").is_some_and(|x| x != "/") {
        return Err(QueryError::new(
            400,
            "ValidationError",
            "the embedded endpoint keeps every role under the path /",
        ));
    }
    let (_, account) = account_of(st, principal)?;
    let op = Op::CreateRole {
        name: name.clone(),
        trust_policy: serde_json::Value::String(trust.clone()),
        policy: None,
    };
    model_step(st, principal, op, |st, _| {
        let id = st
            .world
            .account(&account)
            .and_then(|a| a.roles.get(&name))
            .map(|r| r.id.clone())
            .unwrap_or_default();
        Ok(format!(
            "<Role><Path>/</Path><RoleName>{}</RoleName><RoleId>{id}</RoleId><Arn>{}</Arn><CreateDate>{}</CreateDate><AssumeRolePolicyDocument>{}</AssumeRolePolicyDocument></Role>",
            escape(&name),
            escape(&role_arn(st.world.id_of(&account), &name)),
            now_iso8601(),
            escape(&form_urlencoded::byte_serialize(trust.as_bytes()).collect::<String>())
        ))
    })
}

fn put_role_policy(st: &mut State, principal: &str, p: &Params) -> Answer {
    let op = Op::PutRolePolicy {
        role: p.get("RoleName")?.to_string(),
        policy_name: Some(p.get("PolicyName")?.to_string()),
        policy: serde_json::Value::String(p.get("PolicyDocument")?.to_string()),
    };
    model_step(st, principal, op, |_, _| Ok(String::new()))
}

fn existing_role(st: &State, account: &AccountName, name: &str) -> Result<(), QueryError> {
    match st
        .world
        .account(account)
        .map(|a| a.roles.contains_key(name))
    {
        Some(true) => Ok(()),
        _ => Err(no_such_entity(&format!("role with name {name}"))),
    }
}

fn delete_role_policy(st: &mut State, principal: &str, p: &Params) -> Answer {
    let role = p.get("RoleName")?;
    let name = p.get("PolicyName")?;
    let (caller, account) = account_of(st, principal)?;
    authorize(
        st,
        &caller,
        "iam:DeleteRolePolicy",
        &role_arn(st.world.id_of(&account), role),
    )?;
    existing_role(st, &account, role)?;
    let removed = st
        .world
        .accounts
        .get_mut(&account)
        .and_then(|a| a.roles.get_mut(role))
        .and_then(|r| r.policies.remove(name));
    match removed {
        Some(_) => Ok(String::new()),
        None => Err(no_such_entity(&format!("role policy with name {name}"))),
    }
}

fn delete_role(st: &mut State, principal: &str, p: &Params) -> Answer {
    let role = p.get("RoleName")?;
    let (caller, account) = account_of(st, principal)?;
    authorize(
        st,
        &caller,
        "iam:DeleteRole",
        &role_arn(st.world.id_of(&account), role),
    )?;
    existing_role(st, &account, role)?;
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
    // Sessions of the role stop working (AWS: their next request fails).
    let role = role.to_string();
    let gone: Vec<String> = st
        .world
        .sessions
        .iter()
        .filter(|(_, s)| s.account == account && s.role == role)
        .map(|(n, _)| n.clone())
        .collect();
    for n in gone {
        st.world.sessions.remove(&n);
        st.keys.remove(&n);
    }
    Ok(String::new())
}

fn assume_role(st: &mut State, principal: &str, p: &Params) -> Answer {
    let role_arn_param = p.get("RoleArn")?.to_string();
    let session_name = p.get("RoleSessionName")?.to_string();
    let session_policy = p
        .opt("Policy")
        .map(|s| serde_json::Value::String(s.to_string()));
    // The session's keys are made first: the model names the session by its key id.
    let (key_id, key) = st.issue_session_key(principal);
    let op = Op::AssumeRole {
        role_arn: role_arn_param.clone(),
        session_name: session_name.clone(),
        session_policy,
        as_name: key_id.clone(),
    };
    model_step(st, principal, op, |st, o| {
        st.keys.insert(key_id.clone(), key.clone());
        let role_id = parse_role_arn(&role_arn_param)
            .and_then(|(id, name)| {
                st.world
                    .account_by_id(id)
                    .and_then(|a| a.roles.get(name))
                    .map(|r| r.id.clone())
            })
            .unwrap_or_default();
        let expires = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() + 3600)
            .unwrap_or(0);
        Ok(format!(
            "<Credentials><AccessKeyId>{key_id}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey><SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>{role_id}:{}</AssumedRoleId><Arn>{}</Arn></AssumedRoleUser>",
            escape(&key.secret),
            escape(key.token.as_deref().unwrap_or_default()),
            super::iso8601(expires),
            escape(&session_name),
            escape(o.assumed_role_arn.as_deref().unwrap_or_default())
        ))
    })
}

fn get_caller_identity(st: &State, principal: &str) -> Answer {
    let p = resolve(st, principal)?;
    let account = p
        .account()
        .map(|a| st.world.id_of(a).to_string())
        .unwrap_or_default();
    Ok(format!(
        "<Arn>{}</Arn><UserId>{}</UserId><Account>{account}</Account>",
        escape(&p.arn(&st.world).unwrap_or_default()),
        escape(&p.userid(&st.world))
    ))
}
