//! The AWS SDK's standard configuration chain, where a user expects it: endpoint URLs
//! (`AWS_ENDPOINT_URL_S3` / `_IAM` / `_STS`, then `AWS_ENDPOINT_URL`, then the profile's
//! `services` section and its `endpoint_url`; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` switches them
//! off) and the region (`AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`; never
//! the instance metadata service, so a laptop does not wait on it). The profile is `AWS_PROFILE`
//! unless one is named. The values are read the way the SDK's own clients read them
//! (`aws_config` and each service's `from(&SdkConfig)`), so xacct agrees with the AWS CLI.

use aws_config::environment::EnvironmentVariableRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::ProfileFileRegionProvider;
use aws_config::Region;
use aws_types::service_config::ServiceConfigKey;

/// What the configuration chain says, each `None` where it says nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Configured {
    pub s3_url: Option<String>,
    pub iam_url: Option<String>,
    pub sts_url: Option<String>,
    pub region: Option<String>,
}

/// Reads the chain for `profile` (else `AWS_PROFILE`, else `default`).
pub async fn configured(profile: Option<&str>) -> Configured {
    let region = region(profile).await;
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(super::sdk::https_client())
        .region(RegionProviderChain::first_try(region.clone()));
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    let sdk = loader.load().await;
    // As each service's `Config::from(&SdkConfig)` does: the service's own setting
    // (AWS_ENDPOINT_URL_<ID>, the profile's `services` section), else the global one.
    let url = |service_id: &str| {
        let key = ServiceConfigKey::builder()
            .service_id(service_id)
            .env("AWS_ENDPOINT_URL")
            .profile("endpoint_url")
            .build()
            .ok()?;
        sdk.service_config()
            .and_then(|c| c.load_config(key))
            .or_else(|| sdk.endpoint_url().map(str::to_string))
    };
    Configured {
        s3_url: url("S3"),
        iam_url: url("IAM"),
        sts_url: url("STS"),
        region: region.map(|r| r.to_string()),
    }
}

/// The region from the environment, else the profile; IMDS is never asked.
async fn region(profile: Option<&str>) -> Option<Region> {
    let mut file = ProfileFileRegionProvider::builder();
    if let Some(p) = profile {
        file = file.profile_name(p);
    }
    RegionProviderChain::first_try(EnvironmentVariableRegionProvider::new())
        .or_else(file.build())
        .region()
        .await
}
