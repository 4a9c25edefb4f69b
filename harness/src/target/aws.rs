//! The `aws` target: real AWS through named profiles, one per account (static keys, SSO, a
//! credential process, role chains: whatever the profile holds, and only that). Each account's
//! admin is an IAM user the run makes under `/xacct/<run>/` with the profile's credentials, and
//! removes with them at the end (an admin cannot remove itself), also when provisioning fails or
//! is interrupted; buckets get the run prefix.
//!
//! IAM is eventually consistent: provisioning waits until each new admin works, and a step
//! refused (403) before the run's latest IAM change has had `--aws-propagation-ms` to settle is
//! sent again once it has ([`Aws::settle`]). `xacct serve --fresh-accounts
//! --iam-propagation-ms N` stands in for AWS in the tests.
//!
//! The region is `--aws-region`, else the configuration chain's (AWS_REGION, AWS_DEFAULT_REGION,
//! the first profile's `region`), else us-east-1. The endpoints are the region's partition's
//! ([`Partition`]: aws, aws-cn, aws-us-gov), each overridable the SDK's way: AWS_ENDPOINT_URL_S3
//! / _IAM / _STS, AWS_ENDPOINT_URL, or the first profile's `endpoint_url` and `services`.

use super::provision::{create_admin, discover_canonical, run_id};
use super::{Capabilities, TargetError};
use crate::target::chain::{self, Configured};
use crate::target::cleanup::{cleanup_via_api, remove_user, Cleanup};
use crate::target::execute::TargetState;
use crate::target::failure::chain;
use crate::target::mapping::{AccountMap, CrossAddressing, Mapping};
use crate::target::sdk::{self, Clients, Creds, EndpointConfig};
use std::collections::BTreeMap;
use std::time::Duration;

pub struct Aws {
    /// Profile by scenario account.
    profiles: BTreeMap<String, String>,
    /// `--aws-region`; the chain's when `None`.
    region: Option<String>,
    /// The admins the run's provisioning made (or may have made, when it was cut short), each
    /// with the clients of the profile that made it: they remove it (an admin cannot remove
    /// itself: its policy goes first) at the run's end, or when provisioning fails or is
    /// interrupted ([`Aws::abandon_provisioning`]).
    made: Vec<(String, Clients)>,
    /// How long IAM changes take to take effect ([`DEFAULT_PROPAGATION`]).
    propagation: Duration,
}

/// How long IAM changes usually take to take effect on AWS ("usually within seconds").
pub const DEFAULT_PROPAGATION: Duration = Duration::from_secs(10);

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
        Aws {
            profiles,
            region,
            made: Vec::new(),
            propagation: DEFAULT_PROPAGATION,
        }
    }

    /// How long the accounts' IAM changes take to take effect (`--aws-propagation-ms`).
    pub fn set_propagation(&mut self, d: Duration) {
        self.propagation = d;
    }

    /// How long to wait before sending a step again that was refused (403) `since` the run's
    /// latest IAM change: until the change has propagated. `None`: it has.
    pub fn settle(&self, since: Duration) -> Option<Duration> {
        self.propagation.checked_sub(since).filter(|d| !d.is_zero())
    }

    pub fn capabilities(&self) -> Capabilities {
        Capabilities {
            root: false,
            anonymous: true,
            ownership_controls: true,
            distinct_canonical_ids: true,
            // Accounts are named by profile; their e-mail addresses are not known.
            email_grants: false,
            // IAM is eventually consistent.
            propagation_retries: 5,
            propagation_delay: (self.propagation / 5).max(Duration::from_millis(100)),
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
        // What an earlier run left (its clean-up was skipped) goes first.
        self.abandon_provisioning().await;
        for a in accounts {
            match self.provision_account(&ep, a, &path).await {
                Ok((account, admin)) => {
                    map.insert(a.clone(), account);
                    admins.push((a.clone(), admin));
                }
                Err(e) => {
                    let left = self.abandon_provisioning().await;
                    return Err(with_leftovers(e, &left));
                }
            }
        }
        let mapping = Mapping::new(format!("xacct-{run}-"), path, CrossAddressing::Global, map);
        let mut state = TargetState::new(ep, mapping, logical_buckets);
        for (a, c) in admins {
            state.add_principal(&format!("{a}.admin"), &c);
        }
        Ok(state)
    }

    /// Removes what the run created, then the admins (with the profiles that made them).
    pub async fn cleanup(&mut self, state: &TargetState) -> Cleanup {
        let mut report = cleanup_via_api(state).await;
        report.extend(self.abandon_provisioning().await);
        report
    }

    /// Removes the admins provisioning made (or may have made: it failed or was interrupted).
    pub async fn abandon_provisioning(&mut self) -> Cleanup {
        let mut report = Cleanup::default();
        for (account, c) in std::mem::take(&mut self.made).iter().rev() {
            let policies = ["AdministratorAccess".to_string()];
            remove_user(c, account, "admin", &policies, &mut report).await;
        }
        report
    }

    /// One account through its profile: its id, canonical id and a new admin (under `path`).
    async fn provision_account(
        &mut self,
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
        // From here the account may hold a new admin, even if the call is cut short.
        self.made.push((account.to_string(), clients.clone()));
        let admin = create_admin(&clients.iam, Some(path), &admin_of)
            .await
            .map_err(|e| admin_exists_hint(e, account))?;
        wait_until_usable(ep, &admin, &admin_of).await?;
        let map = AccountMap {
            id: id.account().unwrap_or_default().to_string(),
            canonical,
            email: None,
        };
        Ok((map, admin))
    }
}

/// A provisioning error, with what its clean-up could not remove.
fn with_leftovers(e: TargetError, left: &Cleanup) -> TargetError {
    if left.failed.is_empty() {
        return e;
    }
    TargetError::ProvisioningLeftBehind {
        error: Box::new(e),
        left: left.failed.join(", "),
    }
}

/// How long a new admin may take to become usable (IAM is eventually consistent: a new key
/// usually works within seconds), and the first wait between tries (doubling, at most 2 s).
const USABLE_WITHIN: Duration = Duration::from_secs(60);
const FIRST_WAIT: Duration = Duration::from_millis(100);

/// Waits until a new admin's key and policy work (ListBuckets answers), so the first step of
/// the run does not meet IAM's propagation delay; each refusal is logged at debug.
async fn wait_until_usable(
    ep: &EndpointConfig,
    admin: &Creds,
    principal: &str,
) -> Result<(), TargetError> {
    let c = sdk::clients(ep, Some(admin));
    let started = std::time::Instant::now();
    let mut wait = FIRST_WAIT;
    loop {
        let e = match c.s3.list_buckets().send().await {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        let refused = e.raw_response().is_some_and(|r| r.status().as_u16() == 403);
        if !refused || started.elapsed() + wait > USABLE_WITHIN {
            return Err(TargetError::call(
                principal,
                "ListBuckets (waiting for the new admin to work)",
                e,
            ));
        }
        tracing::debug!("{principal}: not usable yet; trying again in {wait:?}");
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(2));
    }
}

/// An `admin` user already in the account: say where it comes from and what to do.
fn admin_exists_hint(e: TargetError, account: &str) -> TargetError {
    match e {
        TargetError::ProvisioningCall { failure, .. }
            if failure.code.as_deref() == Some("EntityAlreadyExists") =>
        {
            TargetError::AdminExists {
                account: account.to_string(),
                failure,
            }
        }
        other => other,
    }
}

/// The credentials a named profile holds (files, SSO with `sso_session` or the legacy keys, a
/// credential process, role chains), from the profile alone: never the environment's keys
/// (AWS_ACCESS_KEY_ID would otherwise stand in for every account) nor the instance metadata
/// service.
async fn profile_credentials(profile: &str, region: &str) -> Result<Creds, TargetError> {
    use aws_config::profile::ProfileFileCredentialsProvider;
    use aws_config::provider_config::ProviderConfig;
    use aws_credential_types::provider::ProvideCredentials;
    let conf = ProviderConfig::without_region()
        .with_region(Some(aws_config::Region::new(region.to_string())))
        .with_http_client(sdk::https_client());
    let provider = ProfileFileCredentialsProvider::builder()
        .configure(&conf)
        .profile_name(profile)
        .build();
    let c = provider.provide_credentials().await.map_err(|error| {
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
