//! The `moto` target: moto server (PyPI, started by `scripts/backends/moto`).
//!
//! Accounts are fresh 12-digit ids for every run. While authentication is off
//! (`POST /moto-api/reset-auth` with `inf`), each account gets an `admin` IAM user with an
//! allow-all inline policy and an access key, created with the `x-moto-account-id` header;
//! then authentication is switched on (`reset-auth` `0`) and each key acts in its account.
//! The moto-api needs a `text/plain` body (a form body makes it answer 500).

use super::cleanup::{send, Sent};
use super::provision::{create_admin, run_id};
use super::{cleanup_via_api, Capabilities, Cleanup, TargetError};
use crate::target::execute::TargetState;
use crate::target::mapping::{AccountMap, CrossAddressing, Mapping};
use crate::target::sdk::{Creds, EndpointConfig};
use aws_credential_types::Credentials;
use aws_sdk_iam::config::{BehaviorVersion, Region};
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The canonical id moto gives every account's buckets and objects (moto/s3/models.py OWNER):
/// moto does not tell accounts apart in ACLs.
pub const MOTO_CANONICAL: &str = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";

pub struct Moto {
    endpoint: String,
    /// Account ids of the current run.
    ids: Vec<String>,
    /// Every account id this target ever made, for the leftover check.
    history: Vec<String>,
}

#[derive(Debug)]
struct AccountHeader(String);

impl Intercept for AccountHeader {
    fn name(&self) -> &'static str {
        "xacct-moto-account"
    }

    fn modify_before_signing(
        &self,
        ctx: &mut BeforeTransmitInterceptorContextMut<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        ctx.request_mut()
            .headers_mut()
            .insert("x-moto-account-id", self.0.clone());
        Ok(())
    }
}

/// Any signature does while moto's authentication is off; the account comes from the header.
fn bootstrap_credentials() -> Credentials {
    Credentials::new("bootstrap", "bootstrap", None, None, "xacct")
}

impl Moto {
    pub fn new(endpoint: &str) -> Moto {
        Moto {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            ids: Vec::new(),
            history: Vec::new(),
        }
    }

    pub fn capabilities(&self) -> Capabilities {
        Capabilities {
            root: false,
            // moto answers unsigned requests with 500 while authentication is on.
            anonymous: false,
            ownership_controls: true,
            distinct_canonical_ids: false,
            email_grants: false,
            propagation_retries: 0,
            propagation_delay: Duration::ZERO,
            notes: vec![
                "accounts: fresh 12-digit ids per run, bootstrapped with x-moto-account-id while auth is off".into(),
                format!("canonical ids: moto shows one id ({MOTO_CANONICAL}) for every account; owner and grantee comparisons cannot tell accounts apart"),
                "root: moto has no root credentials; A.root steps are unsupported".into(),
                "anonymous: moto answers unsigned requests with 500 while auth is on; anon steps are unsupported".into(),
            ],
        }
    }

    /// A plain HTTP/1.1 POST to the moto-api (no SDK involved).
    async fn moto_api(&self, path: &str, body: &str) -> Result<(), TargetError> {
        let hostport = self.endpoint.strip_prefix("http://").ok_or_else(|| {
            TargetError::MotoEndpointNotHttp {
                endpoint: self.endpoint.clone(),
            }
        })?;
        let fut = async {
            let mut s = tokio::net::TcpStream::connect(hostport).await?;
            let req = format!(
                "POST {path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            s.write_all(req.as_bytes()).await?;
            let mut resp = Vec::new();
            s.read_to_end(&mut resp).await?;
            Ok::<_, std::io::Error>(resp)
        };
        // Errors name the whole URL: the endpoint may come from an environment variable.
        let url = format!("{}{path}", self.endpoint);
        let resp = tokio::time::timeout(Duration::from_secs(10), fut)
            .await
            .map_err(|_| TargetError::MotoApiTimeout { path: url.clone() })?
            .map_err(|error| TargetError::MotoApiUnreachable {
                path: url.clone(),
                error,
            })?;
        let head = String::from_utf8_lossy(&resp[..resp.len().min(64)]).to_string();
        if head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200") {
            Ok(())
        } else {
            Err(TargetError::MotoApiRefused {
                path: url,
                status_line: head.lines().next().unwrap_or("").to_string(),
            })
        }
    }

    pub async fn provision(
        &mut self,
        accounts: &[String],
        logical_buckets: Vec<String>,
    ) -> Result<TargetState, TargetError> {
        let run = run_id();
        let ep = EndpointConfig::single(&self.endpoint);
        let run_num = u32::from_str_radix(&run[..5], 16).unwrap_or(0) % 100_000;
        let ids: Vec<String> = (0..accounts.len())
            .map(|i| format!("9{run_num:05}{:06}", i + 1))
            .collect();

        self.ids = ids.clone();
        self.history.extend(ids.iter().cloned());
        self.moto_api("/moto-api/reset-auth", "inf").await?;
        let result = self.bootstrap(accounts, &ids).await;
        // Authentication goes back on whatever happened.
        let on = self.moto_api("/moto-api/reset-auth", "0").await;
        let creds = result?;
        on?;

        let mut map = BTreeMap::new();
        for (name, id) in accounts.iter().zip(&ids) {
            map.insert(
                name.clone(),
                AccountMap {
                    id: id.clone(),
                    canonical: MOTO_CANONICAL.into(),
                    email: None,
                },
            );
        }
        let mapping = Mapping::new(
            format!("xacct-{run}-"),
            "/".into(),
            CrossAddressing::Global,
            map,
        );
        let mut state = TargetState::new(ep, mapping, logical_buckets);
        for (name, c) in accounts.iter().zip(&creds) {
            state.add_principal(&format!("{name}.admin"), c);
        }
        Ok(state)
    }

    fn ep(&self) -> EndpointConfig {
        EndpointConfig::single(&self.endpoint)
    }

    fn iam_as(&self, id: &str) -> aws_sdk_iam::Client {
        let ep = self.ep();
        aws_sdk_iam::Client::from_conf(
            aws_sdk_iam::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(ep.region.clone()))
                .endpoint_url(&ep.iam_url)
                .credentials_provider(bootstrap_credentials())
                .http_client(crate::target::sdk::https_client())
                .interceptor(AccountHeader(id.to_string()))
                .build(),
        )
    }

    fn s3_as(&self, id: &str) -> aws_sdk_s3::Client {
        let ep = self.ep();
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(ep.region.clone()))
                .endpoint_url(&ep.s3_url)
                .force_path_style(true)
                .credentials_provider(bootstrap_credentials())
                .http_client(crate::target::sdk::https_client())
                .interceptor(AccountHeader(id.to_string()))
                .build(),
        )
    }

    /// Removes everything left in the run's accounts (the admins included), with
    /// authentication off for the moment it takes.
    pub async fn cleanup(&mut self, state: &TargetState) -> Cleanup {
        let mut report = cleanup_via_api(state).await;
        if let Err(e) = self.moto_api("/moto-api/reset-auth", "inf").await {
            report
                .failed
                .push(format!("admins of the run's accounts: {e}"));
            return report;
        }
        for id in std::mem::take(&mut self.ids) {
            let iam = self.iam_as(&id);
            if let Ok(users) = iam.list_users().send().await {
                for u in users.users() {
                    remove_user(&iam, &id, u.user_name(), &mut report).await;
                }
            }
        }
        if let Err(e) = self.moto_api("/moto-api/reset-auth", "0").await {
            report
                .failed
                .push(format!("switching authentication back on: {e}"));
        }
        report
    }

    /// Users, roles and buckets still in any account this target made.
    pub async fn leftovers(&self) -> Result<Vec<String>, TargetError> {
        self.moto_api("/moto-api/reset-auth", "inf").await?;
        let mut left = Vec::new();
        for id in &self.history {
            let iam = self.iam_as(id);
            if let Ok(u) = iam.list_users().send().await {
                left.extend(
                    u.users()
                        .iter()
                        .map(|u| format!("user {id}:{}", u.user_name())),
                );
            }
            if let Ok(r) = iam.list_roles().send().await {
                left.extend(
                    r.roles()
                        .iter()
                        .map(|r| format!("role {id}:{}", r.role_name())),
                );
            }
            if let Ok(b) = self.s3_as(id).list_buckets().send().await {
                left.extend(
                    b.buckets()
                        .iter()
                        .filter_map(|b| b.name())
                        .map(|n| format!("bucket {id}:{n}")),
                );
            }
        }
        self.moto_api("/moto-api/reset-auth", "0").await?;
        Ok(left)
    }

    /// The `admin` of each account, made while authentication is off.
    async fn bootstrap(
        &self,
        accounts: &[String],
        ids: &[String],
    ) -> Result<Vec<Creds>, TargetError> {
        let mut out = Vec::new();
        for (name, id) in accounts.iter().zip(ids) {
            let principal = format!("account {name} ({id})");
            out.push(create_admin(&self.iam_as(id), None, &principal).await?);
        }
        Ok(out)
    }
}

/// An IAM user of a run's account, with its inline policies and access keys (each removal
/// retried while moto fails, as in [`crate::target::cleanup`]).
async fn remove_user(iam: &aws_sdk_iam::Client, id: &str, name: &str, report: &mut Cleanup) {
    let list = iam.list_user_policies().user_name(name);
    if let Sent::Done(p) = send("ListUserPolicies", report, || list.clone().send()).await {
        for pn in p.policy_names() {
            let req = iam.delete_user_policy().user_name(name).policy_name(pn);
            send("DeleteUserPolicy", report, || req.clone().send()).await;
        }
    }
    let list = iam.list_access_keys().user_name(name);
    if let Sent::Done(k) = send("ListAccessKeys", report, || list.clone().send()).await {
        for kid in k
            .access_key_metadata()
            .iter()
            .filter_map(|m| m.access_key_id())
        {
            let req = iam.delete_access_key().user_name(name).access_key_id(kid);
            send("DeleteAccessKey", report, || req.clone().send()).await;
        }
    }
    let delete = iam.delete_user().user_name(name);
    match send("DeleteUser", report, || delete.clone().send()).await {
        Sent::Failed(why) => report.failed.push(format!("user {id}:{name} ({why})")),
        Sent::Done(_) | Sent::Gone => report.removed.push(format!("user {id}:{name}")),
    }
}
