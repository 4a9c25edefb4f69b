//! The `aws` target: real AWS through named profiles, one per account (static keys, SSO, a
//! credential process, role chains: whatever the profile holds). Each account's admin is an IAM
//! user the run makes under `/xacct/<run>/` with the profile's credentials (and removes in
//! clean-up); buckets get the run prefix.
//!
//! The region is `--aws-region`, else the configuration chain's (AWS_REGION, AWS_DEFAULT_REGION,
//! the first profile's `region`), else us-east-1. The endpoints are the region's partition's
//! ([`Partition`]: aws, aws-cn, aws-us-gov), each overridable the SDK's way: AWS_ENDPOINT_URL_S3
//! / _IAM / _STS, AWS_ENDPOINT_URL, or the first profile's `endpoint_url` and `services`.

use super::provision::{create_admin, discover_canonical, run_id};
use super::{Capabilities, TargetError};
use crate::target::chain::{self, Configured};
use crate::target::execute::TargetState;
use crate::target::failure::chain;
use crate::target::mapping::{AccountMap, CrossAddressing, Mapping};
use crate::target::sdk::{self, Creds, EndpointConfig};
use std::collections::BTreeMap;
use std::time::Duration;

pub struct Aws {
    /// Profile by scenario account.
    profiles: BTreeMap<String, String>,
    /// `--aws-region`; the chain's when `None`.
    region: Option<String>,
}

/// An AWS partition's endpoints: the DNS suffix of its regional endpoints and its IAM endpoint
/// (IAM is global to a partition). Source: AWS General Reference, "AWS service endpoints" and
/// "AWS Identity and Access Management endpoints and quotas".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    pub name: &'static str,
    pub dns_suffix: &'static str,
    pub iam_url: &'static str,
}

impl Partition {
    /// The partition a region belongs to, by its prefix; the standard one otherwise.
    pub fn of(region: &str) -> Partition {
        if region.starts_with("cn-") {
            Partition {
                name: "aws-cn",
                dns_suffix: "amazonaws.com.cn",
                iam_url: "https://iam.cn-north-1.amazonaws.com.cn",
            }
        } else if region.starts_with("us-gov-") {
            Partition {
                name: "aws-us-gov",
                dns_suffix: "amazonaws.com",
                iam_url: "https://iam.us-gov.amazonaws.com",
            }
        } else {
            Partition {
                name: "aws",
                dns_suffix: "amazonaws.com",
                iam_url: "https://iam.amazonaws.com",
            }
        }
    }
}

/// The endpoints of `region`'s partition, each replaced by what the configuration chain names.
pub fn endpoints(region: &str, chained: Configured) -> EndpointConfig {
    let p = Partition::of(region);
    let suffix = p.dns_suffix;
    let s3 = chained
        .s3_url
        .unwrap_or_else(|| format!("https://s3.{region}.{suffix}"));
    let mut ep = EndpointConfig::single(&s3);
    ep.iam_url = chained.iam_url.unwrap_or_else(|| p.iam_url.to_string());
    ep.sts_url = chained
        .sts_url
        .unwrap_or_else(|| format!("https://sts.{region}.{suffix}"));
    ep.region = region.to_string();
    ep
}

impl Aws {
    /// Real AWS through named profiles (`A=profile-a`). Callers must have checked the opt-in.
    pub fn new(profiles: BTreeMap<String, String>, region: Option<String>) -> Aws {
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

    /// The region's S3 and STS endpoints and its partition's IAM one, as the configuration
    /// chain of the first profile leaves them.
    async fn endpoints(&self) -> EndpointConfig {
        let first = self.profiles.values().next().map(String::as_str);
        let chained = chain::configured(first).await;
        let region = self
            .region
            .clone()
            .or_else(|| chained.region.clone())
            .unwrap_or_else(|| "us-east-1".into());
        endpoints(&region, chained)
    }

    pub async fn provision(
        &mut self,
        accounts: &[String],
        logical_buckets: Vec<String>,
    ) -> Result<TargetState, TargetError> {
        let run = run_id();
        let path = format!("/xacct/{run}/");
        let ep = self.endpoints().await;
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
        let creds = profile_credentials(profile, &ep.region).await?;
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
        let admin_of = format!("profile {profile}, the admin of {account}");
        let admin = create_admin(&clients.iam, Some(path), &admin_of).await?;
        let map = AccountMap {
            id: id.account().unwrap_or_default().to_string(),
            canonical,
            email: None,
        };
        Ok((map, admin))
    }
}

/// The credentials a named profile holds (files, SSO with `sso_session` or the legacy keys, a
/// credential process, …).
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
            .map_err(|error| {
                tracing::debug!("credentials of profile {profile}: {error:?}");
                TargetError::ProfileCredentials {
                    profile: profile.to_string(),
                    error: chain(&error),
                }
            })?;
    Ok(Creds {
        access_key_id: c.access_key_id().to_string(),
        secret_access_key: c.secret_access_key().to_string(),
        session_token: c.session_token().map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_follow_the_partition_and_the_chain() {
        let ep = endpoints("cn-northwest-1", Configured::default());
        assert_eq!(ep.s3_url, "https://s3.cn-northwest-1.amazonaws.com.cn");
        assert_eq!(ep.sts_url, "https://sts.cn-northwest-1.amazonaws.com.cn");
        assert_eq!(ep.iam_url, "https://iam.cn-north-1.amazonaws.com.cn");
        let ep = endpoints("us-gov-west-1", Configured::default());
        assert_eq!(ep.iam_url, "https://iam.us-gov.amazonaws.com");
        assert_eq!(ep.s3_url, "https://s3.us-gov-west-1.amazonaws.com");
        let ep = endpoints("eu-west-1", Configured::default());
        assert_eq!(ep.iam_url, "https://iam.amazonaws.com");
        assert_eq!(ep.region, "eu-west-1");
        let chained = Configured {
            iam_url: Some("https://iam.example".into()),
            ..Configured::default()
        };
        let ep = endpoints("eu-west-1", chained);
        assert_eq!(ep.iam_url, "https://iam.example");
        assert_eq!(ep.s3_url, "https://s3.eu-west-1.amazonaws.com");
    }
}
