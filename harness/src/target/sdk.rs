//! The SDK side of a target: where its APIs are ([`EndpointConfig`]) and the aws-sdk-s3 / -iam /
//! -sts clients of one principal ([`Clients`]). Reading their answers is [`super::answer`]'s.

use aws_credential_types::Credentials;
use aws_sdk_s3::config::{BehaviorVersion, Region};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What a client captures of each answer (the success status the SDK hides).
pub use crate::target::answer::{Answer, Capture};

/// Access keys of one principal (Debug never shows the secret): one type, shared with the
/// embedded endpoint that issues them.
pub use xacct_endpoint::Creds;

/// Where a target's APIs are.
#[derive(Debug, Clone)]
pub struct EndpointConfig {
    pub s3_url: String,
    pub iam_url: String,
    pub sts_url: String,
    pub region: String,
    /// Whole-operation timeout; past it the step is an endpoint fault.
    pub timeout: Duration,
    /// Attempts per request for transient faults (5xx, timeouts), SDK standard retry. The
    /// clients of a run's principals send each request once ([`TargetState::new`]).
    ///
    /// [`TargetState::new`]: crate::target::execute::TargetState::new
    pub attempts: u32,
    /// Counts the requests every client made with this configuration (or a clone) sends.
    pub requests: RequestCounter,
}

/// A count of HTTP requests sent (each attempt of an SDK call is one), shared by clones.
#[derive(Debug, Clone, Default)]
pub struct RequestCounter(Arc<AtomicU64>);

impl RequestCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "xacct-request-counter"
    }

    fn read_before_transmit(
        &self,
        _ctx: &BeforeTransmitInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

impl EndpointConfig {
    pub fn single(url: &str) -> EndpointConfig {
        EndpointConfig {
            s3_url: url.to_string(),
            iam_url: url.to_string(),
            sts_url: url.to_string(),
            region: "us-east-1".into(),
            timeout: Duration::from_secs(15),
            attempts: 3,
            requests: RequestCounter::default(),
        }
    }
}

/// The HTTP client every SDK client and aws-config's loader uses: hyper 1 with rustls over
/// ring (the crates' own default would build aws-lc-sys, their `rustls` feature the legacy
/// hyper 0.14 stack). Its connections are made on first use, in the caller's runtime.
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// The three API clients of one principal.
#[derive(Clone, Debug)]
pub struct Clients {
    pub s3: aws_sdk_s3::Client,
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
    pub capture: Capture,
}

/// Builds the clients for a principal; `None` creds make unsigned (anonymous) requests.
pub fn clients(ep: &EndpointConfig, creds: Option<&Creds>) -> Clients {
    clients_with(ep, creds, None)
}

/// As [`clients`], over a given HTTP client (tests replay recorded answers through it).
pub fn clients_with(
    ep: &EndpointConfig,
    creds: Option<&Creds>,
    http: Option<SharedHttpClient>,
) -> Clients {
    let capture = Capture::default();
    let region = Region::new(ep.region.clone());
    let timeout = TimeoutConfig::builder()
        .operation_timeout(ep.timeout)
        .connect_timeout(Duration::from_secs(3))
        .build();
    let retry = RetryConfig::standard().with_max_attempts(ep.attempts.max(1));
    let provider = creds.map(|c| {
        Credentials::new(
            c.access_key_id.clone(),
            c.secret_access_key.clone(),
            c.session_token.clone(),
            None,
            "xacct",
        )
    });

    let mut s3 = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region.clone())
        .endpoint_url(&ep.s3_url)
        .force_path_style(true)
        .timeout_config(timeout.clone())
        .retry_config(retry.clone())
        .interceptor(capture.interceptor())
        .interceptor(ep.requests.clone());
    let mut iam = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region.clone())
        .endpoint_url(&ep.iam_url)
        .timeout_config(timeout.clone())
        .retry_config(retry.clone())
        .interceptor(capture.interceptor())
        .interceptor(ep.requests.clone());
    let mut sts = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region)
        .endpoint_url(&ep.sts_url)
        .timeout_config(timeout)
        .retry_config(retry)
        .interceptor(capture.interceptor())
        .interceptor(ep.requests.clone());
    let http = http.unwrap_or_else(https_client);
    s3 = s3.http_client(http.clone());
    iam = iam.http_client(http.clone());
    sts = sts.http_client(http);
    match provider {
        Some(p) => {
            s3 = s3.credentials_provider(p.clone());
            iam = iam.credentials_provider(p.clone());
            sts = sts.credentials_provider(p);
        }
        None => {
            s3 = s3.allow_no_auth();
            iam = iam.allow_no_auth();
            sts = sts.allow_no_auth();
        }
    }
    Clients {
        s3: aws_sdk_s3::Client::from_conf(s3.build()),
        iam: aws_sdk_iam::Client::from_conf(iam.build()),
        sts: aws_sdk_sts::Client::from_conf(sts.build()),
        capture,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creds_debug_hides_secrets() {
        let c = Creds {
            access_key_id: "AKIA".into(),
            secret_access_key: "very-secret".into(),
            session_token: Some("tok".into()),
        };
        let d = format!("{c:?}");
        assert!(!d.contains("very-secret") && !d.contains("tok\""), "{d}");
    }
}
