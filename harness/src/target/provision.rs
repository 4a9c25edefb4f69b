//! Provisioning shared by the targets: the run id, the `admin` user of an account made through
//! IAM (moto, real AWS), the canonical id found with ListBuckets (generic, real AWS), and
//! `create_user` steps carried out through the IAM API (every target but RGW).

use crate::compare::Observed;
use crate::target::answer::{from_error, success_status};
use crate::target::execute::TargetState;
use crate::target::sdk::{self, Clients, Creds, EndpointConfig};
use crate::target::TargetError;
use xacct_model::outcome::Outcome;
use xacct_model::scenario::Step;

/// The identity policy of every account's `admin`: everything, as A.admin has on AWS.
pub const ADMIN_POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// A short random run id (hex), different for every run in and across processes.
pub fn run_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.write_u32(std::process::id());
    format!("{:08x}", h.finish() as u32)
}

/// The `admin` IAM user of an account (under `path` when given), with [`ADMIN_POLICY`] and an
/// access key; `principal` names it in errors.
pub(crate) async fn create_admin(
    iam: &aws_sdk_iam::Client,
    path: Option<&str>,
    principal: &str,
) -> Result<Creds, TargetError> {
    iam.create_user()
        .user_name("admin")
        .set_path(path.map(str::to_string))
        .send()
        .await
        .map_err(|e| TargetError::call(principal, "CreateUser admin", e))?;
    iam.put_user_policy()
        .user_name("admin")
        .policy_name("AdministratorAccess")
        .policy_document(ADMIN_POLICY)
        .send()
        .await
        .map_err(|e| TargetError::call(principal, "PutUserPolicy", e))?;
    let key = iam
        .create_access_key()
        .user_name("admin")
        .send()
        .await
        .map_err(|e| TargetError::call(principal, "CreateAccessKey", e))?;
    let k = key.access_key().ok_or(TargetError::ProvisioningAnswer {
        principal: principal.to_string(),
        call: "CreateAccessKey",
        missing: "a key",
    })?;
    Ok(Creds {
        access_key_id: k.access_key_id().to_string(),
        secret_access_key: k.secret_access_key().to_string(),
        session_token: None,
    })
}

/// The canonical id of an account, from ListBuckets' Owner, as `principal` sees it.
pub(crate) async fn discover_canonical(
    ep: &EndpointConfig,
    creds: &Creds,
    principal: &str,
) -> Result<String, TargetError> {
    const CALL: &str = "ListBuckets (to find the canonical id)";
    let c = sdk::clients(ep, Some(creds));
    let out =
        c.s3.list_buckets()
            .send()
            .await
            .map_err(|e| TargetError::call(principal, CALL, e))?;
    out.owner()
        .and_then(|o| o.id())
        .map(str::to_string)
        .ok_or(TargetError::ProvisioningAnswer {
            principal: principal.to_string(),
            call: CALL,
            missing: "an Owner id",
        })
}

/// A `create_user` step's inline policy for the target, as compact JSON.
pub(crate) fn user_policy_document(state: &TargetState, policy: &serde_json::Value) -> String {
    serde_json::to_string(&state.mapping.rewrite_json(policy, &state.logical_buckets))
        .unwrap_or_default()
}

/// `create_user` through the IAM API as the step's caller: CreateUser (the compared answer),
/// then PutUserPolicy and CreateAccessKey, so later steps can act as the new user.
pub async fn create_user_via_iam(
    state: &mut TargetState,
    step: &Step,
    name: &str,
    policy: Option<&serde_json::Value>,
) -> Observed {
    let Some(c) = state.principals.get(&step.as_).cloned() else {
        return Observed::Skipped {
            why: format!("principal {} does not exist on the target", step.as_),
        };
    };
    let Some(account) = state.account_of(&step.as_) else {
        return Observed::Skipped {
            why: format!("the account of {} is not known", step.as_),
        };
    };
    let mut req = c.iam.create_user().user_name(name);
    let path = &state.mapping.iam_path;
    if path != "/" && !path.is_empty() {
        req = req.path(path);
    }
    // A fault may come after the endpoint made the user (or its policy): clean-up removes
    // them either way, and a NoSuch* answer then means they were never made.
    let status = match req.send().await {
        Ok(_) => success_status(&c, 200),
        Err(e) => {
            let r = from_error(e, false);
            if matches!(r, Observed::Fault { .. }) {
                state.created.users.push((account, name.to_string()));
            }
            return r;
        }
    };
    let user = (account.clone(), name.to_string());
    state.created.users.push(user);
    if let Some(p) = policy {
        let req = c
            .iam
            .put_user_policy()
            .user_name(name)
            .policy_name("inline")
            .policy_document(user_policy_document(state, p));
        let sent = req.send().await;
        let entry = (account.clone(), name.to_string(), "inline".to_string());
        if let Err(e) = sent {
            let r = from_error(e, false);
            if matches!(r, Observed::Fault { .. }) {
                state.created.user_policies.push(entry);
            }
            return r;
        }
        state.created.user_policies.push(entry);
    }
    match add_access_key(state, &c, &account, name).await {
        Some(failed) => failed,
        None => Observed::answer(Outcome::status(status)),
    }
}

/// A new access key of `account.name`, which becomes a principal; `Some`: what failed.
async fn add_access_key(
    state: &mut TargetState,
    c: &Clients,
    account: &str,
    name: &str,
) -> Option<Observed> {
    match c.iam.create_access_key().user_name(name).send().await {
        Ok(out) => {
            if let Some(k) = out.access_key() {
                let creds = Creds {
                    access_key_id: k.access_key_id().to_string(),
                    secret_access_key: k.secret_access_key().to_string(),
                    session_token: None,
                };
                state.add_principal(&format!("{account}.{name}"), &creds);
            }
            None
        }
        Err(e) => Some(from_error(e, false)),
    }
}
