//! The STS actions: AssumeRole (a model step; the session's keys are issued here) and
//! GetCallerIdentity.

use super::{escape, model_step, resolve, unknown_action, Answer, Params};
use crate::clock::{iso8601, now_secs};
use crate::iam_meta::Kind;
use crate::state::State;
use xacct_model::principal::parse_role_arn;
use xacct_model::principal::Principal;
use xacct_model::scenario::Op;

/// Actions answered by STS: a request for one of them that is not signed yet is refused in
/// STS's XML.
pub(super) fn is_sts_action(a: &str) -> bool {
    matches!(
        a,
        "AssumeRole" | "GetCallerIdentity" | "GetSessionToken" | "AssumeRoleWithWebIdentity"
    )
}

/// Answers one STS action.
pub(super) fn call(st: &mut State, principal: &str, action: &str, p: &Params) -> Answer {
    match action {
        "AssumeRole" => assume_role(st, principal, p),
        "GetCallerIdentity" => get_caller_identity(st, principal),
        other => Err(unknown_action(other)),
    }
}

fn assume_role(st: &mut State, principal: &str, p: &Params) -> Answer {
    let role_arn = p.get("RoleArn")?.to_string();
    let session_name = p.get("RoleSessionName")?.to_string();
    let session_policy = p
        .opt("Policy")
        .map(|s| serde_json::Value::String(s.to_string()));
    // The session's keys are made first: the model names the session by its key id.
    let (key_id, key) = st.issue_session_key();
    let op = Op::AssumeRole {
        role_arn: role_arn.clone(),
        session_name: session_name.clone(),
        session_policy,
        as_name: key_id.clone(),
    };
    model_step(st, principal, op, |st, o| {
        st.keys.insert(key_id.clone(), key.clone());
        let role_id = parse_role_arn(&role_arn)
            .and_then(|(id, name)| {
                st.world
                    .account_by_id(id)
                    .and_then(|a| a.roles.get(name))
                    .map(|r| r.id.clone())
            })
            .unwrap_or_default();
        Ok(format!(
            "<Credentials><AccessKeyId>{key_id}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey><SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>{role_id}:{}</AssumedRoleId><Arn>{}</Arn></AssumedRoleUser>",
            escape(&key.secret),
            escape(key.token.as_deref().unwrap_or_default()),
            iso8601(now_secs() + 3600),
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
    let mut arn = p.arn(&st.world).unwrap_or_default();
    if let Principal::User { account, name } = &p {
        arn = st.paths.arn(&arn, account, Kind::User, name);
    }
    Ok(format!(
        "<Arn>{}</Arn><UserId>{}</UserId><Account>{account}</Account>",
        escape(&arn),
        escape(&p.userid(&st.world))
    ))
}
