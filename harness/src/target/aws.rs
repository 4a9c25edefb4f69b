//! The `aws` target: real AWS through named profiles, one per account. Each account's admin is
//! an IAM user the run makes under `/xacct/<run>/` with the profile's credentials (and removes
//! in clean-up); buckets get the run prefix.

use super::provision::{create_admin, discover_canonical, run_id};
use super::{Capabilities, TargetError};
use crate::target::execute::TargetState;
use crate::target::mapping::{AccountMap, CrossAddressing, Mapping};
use crate::target::sdk::{self, Creds, EndpointConfig};
use std::collections::BTreeMap;
use std::time::Duration;

pub struct Aws {
    /// Profile by scenario account.
    profiles: BTreeMap<String, String>,
    region: String,
}

impl Aws {
    /// Real AWS through named profiles (`A=profile-a`). Callers must have checked the opt-in.
    pub fn new(profiles: BTreeMap<String, String>, region: String) -> Aws {
        Aws { profiles, region }
    }

    pub fn capabilities(&self) -> Capabilities {
        Capabilities {
            root: false,
            anonymous: true,
            ownership_controls: true,
            distinct_canonical_ids: true,
            // IAM is eventually consistent.
            propagation_retries: 5,
            propagation_delay: Duration::from_secs(2),
            notes: vec![
                "real AWS: admins are IAM users made under /xacct/<run>/ with each profile".into(),
            ],
        }
    }

    /// The regional S3 and STS endpoints and the global IAM one.
    fn endpoints(&self) -> EndpointConfig {
        let region = &self.region;
        let mut ep = EndpointConfig::single(&format!("https://s3.{region}.amazonaws.com"));
        ep.iam_url = "https://iam.amazonaws.com".into();
        ep.sts_url = format!("https://sts.{region}.amazonaws.com");
        ep.region = region.to_string();
        ep
    }

    pub async fn provision(
        &mut self,
        accounts: &[String],
        logical_buckets: Vec<String>,
    ) -> Result<TargetState, TargetError> {
        let run = run_id();
        let path = format!("/xacct/{run}/");
        let ep = self.endpoints();
        let mut map = BTreeMap::new();
        let mut admins = Vec::new();
        for a in accounts {
            let (account, admin) = self.provision_account(&ep, a, &path).await?;
            map.insert(a.clone(), account);
            admins.push((a.clone(), admin));
        }
        let mapping = Mapping::new(format!("xacct-{run}-"), path, CrossAddressing::Global, map);
        let mut state = TargetState::new(ep, mapping, logical_buckets);
        for (a, c) in admins {
            state.add_principal(&format!("{a}.admin"), &c);
            state.created.users.push((a.clone(), "admin".into()));
            state
                .created
                .user_policies
                .push((a, "admin".into(), "AdministratorAccess".into()));
        }
        Ok(state)
    }

    /// One account through its profile: its id, canonical id and a new admin (under `path`).
    async fn provision_account(
        &self,
        ep: &EndpointConfig,
        account: &str,
        path: &str,
    ) -> Result<(AccountMap, Creds), TargetError> {
        let profile = self
            .profiles
            .get(account)
            .ok_or_else(|| TargetError::NoAwsProfileFor {
                account: account.to_string(),
            })?;
        let creds = profile_credentials(profile, &self.region).await?;
        let clients = sdk::clients(ep, Some(&creds));
        let principal = format!("profile {profile}");
        let id = clients
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| TargetError::call(&principal, "GetCallerIdentity", e))?;
        let canonical = discover_canonical(ep, &creds, &principal).await?;
        // The scenario's A.admin: an IAM user under the run's path with full access.
        let admin_of = format!("the admin of {account} (profile {profile})");
        let admin = create_admin(&clients.iam, Some(path), &admin_of).await?;
        let map = AccountMap {
            id: id.account().unwrap_or_default().to_string(),
            canonical,
            email: None,
        };
        Ok((map, admin))
    }
}

/// The credentials a named profile holds (files, SSO, a credential process, …).
async fn profile_credentials(profile: &str, region: &str) -> Result<Creds, TargetError> {
    use aws_credential_types::provider::ProvideCredentials;
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(sdk::https_client())
        .profile_name(profile)
        .region(aws_config::Region::new(region.to_string()))
        .load()
        .await;
    let provider =
        conf.credentials_provider()
            .ok_or_else(|| TargetError::ProfileWithoutCredentials {
                profile: profile.to_string(),
            })?;
    let c =
        provider
            .provide_credentials()
            .await
            .map_err(|error| TargetError::ProfileCredentials {
                profile: profile.to_string(),
                error,
            })?;
    Ok(Creds {
        access_key_id: c.access_key_id().to_string(),
        secret_access_key: c.secret_access_key().to_string(),
        session_token: c.session_token().map(str::to_string),
    })
}
