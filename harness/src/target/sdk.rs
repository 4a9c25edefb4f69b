//! The executor: scenario steps sent to a real endpoint with aws-sdk-s3 / -iam / -sts, and the
//! answers normalised into the model's `Outcome`.
//!
//! Answers are untrusted: an answer the executor cannot read is an endpoint fault, never a
//! divergence; nothing here panics on what an endpoint sends.

use crate::compare::Observed;
use aws_credential_types::Credentials;
use aws_sdk_s3::config::{BehaviorVersion, Region};
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use xacct_model::outcome::Outcome;

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
    /// Attempts per request for transient faults (5xx, timeouts), SDK standard retry.
    pub attempts: u32,
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
        }
    }
}

/// An HTTP status and, when it was in memory, the body.
pub type Answer = (u16, Option<Vec<u8>>);

/// The last HTTP answer a client received.
#[derive(Debug, Clone, Default)]
pub struct Capture(Arc<Mutex<Option<Answer>>>);

impl Capture {
    pub fn take(&self) -> Option<Answer> {
        self.0.lock().ok().and_then(|mut g| g.take())
    }
}

#[derive(Debug)]
struct CaptureInterceptor(Capture);

impl Intercept for CaptureInterceptor {
    fn name(&self) -> &'static str {
        "xacct-capture"
    }

    fn read_after_deserialization(
        &self,
        ctx: &AfterDeserializationInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let r = ctx.response();
        if let Ok(mut g) = (self.0).0.lock() {
            *g = Some((r.status().as_u16(), r.body().bytes().map(|b| b.to_vec())));
        }
        Ok(())
    }
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
    http: Option<aws_smithy_runtime_api::client::http::SharedHttpClient>,
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
        .interceptor(CaptureInterceptor(capture.clone()));
    let mut iam = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region.clone())
        .endpoint_url(&ep.iam_url)
        .timeout_config(timeout.clone())
        .retry_config(retry.clone())
        .interceptor(CaptureInterceptor(capture.clone()));
    let mut sts = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region)
        .endpoint_url(&ep.sts_url)
        .timeout_config(timeout)
        .retry_config(retry)
        .interceptor(CaptureInterceptor(capture.clone()));
    if let Some(h) = http {
        s3 = s3.http_client(h.clone());
        iam = iam.http_client(h.clone());
        sts = sts.http_client(h);
    }
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

/// `<Code>…</Code>` from an XML error body (RGW's IAM/STS errors are not in the shape the SDK
/// parses: recorded RGW 16 behaviour).
pub fn code_from_body(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("<Code>")? + "<Code>".len();
    let end = text[start..].find("</Code>")? + start;
    let code = text[start..end].trim();
    (!code.is_empty() && code.len() < 100).then(|| code.to_string())
}

/// A short printable excerpt of a body, for reports.
fn excerpt(body: &[u8]) -> String {
    let t = String::from_utf8_lossy(body);
    let t: String = t.chars().filter(|c| !c.is_control()).take(300).collect();
    t
}

/// Normalises an SDK error into what the target did.
pub fn from_error<E: ProvideErrorMetadata + fmt::Debug>(
    err: SdkError<E, HttpResponse>,
    head: bool,
) -> Observed {
    let answer = |status: u16, code: Option<String>, raw: String| {
        if status >= 500 && status != 501 {
            return Observed::Fault {
                why: format!(
                    "HTTP {status}{}",
                    code.map(|c| format!(" {c}")).unwrap_or_default()
                ),
            };
        }
        Observed::Answer {
            outcome: Outcome {
                status,
                // HEAD answers have no body, hence no code.
                code: if head { None } else { code },
                ..Default::default()
            },
            raw,
        }
    };
    match err {
        SdkError::ServiceError(e) => {
            let raw = e.raw();
            let status = raw.status().as_u16();
            let body = raw.body().bytes().unwrap_or_default();
            let code = e
                .err()
                .code()
                .map(str::to_string)
                .filter(|c| !c.is_empty() && c != "Unknown")
                .or_else(|| code_from_body(body));
            answer(status, code, format!("HTTP {status} {}", excerpt(body)))
        }
        SdkError::ResponseError(e) => {
            let raw = e.raw();
            let status = raw.status().as_u16();
            let body = raw.body().bytes().unwrap_or_default();
            if (200..300).contains(&status) {
                return Observed::Fault {
                    why: format!(
                        "HTTP {status} with an answer the SDK cannot read: {}",
                        excerpt(body)
                    ),
                };
            }
            answer(
                status,
                code_from_body(body),
                format!("HTTP {status} {}", excerpt(body)),
            )
        }
        SdkError::TimeoutError(_) => Observed::Fault {
            why: "timeout".into(),
        },
        SdkError::DispatchFailure(e) => Observed::Fault {
            why: format!("request not delivered: {e:?}")
                .chars()
                .take(300)
                .collect(),
        },
        SdkError::ConstructionFailure(e) => Observed::Fault {
            why: format!("the request could not be built: {e:?}")
                .chars()
                .take(300)
                .collect(),
        },
        other => Observed::Fault {
            why: format!("{other:?}").chars().take(300).collect(),
        },
    }
}

/// The success status the client saw (the SDK does not expose it on outputs).
pub fn success_status(c: &Clients, default: u16) -> u16 {
    c.capture.take().map(|(s, _)| s).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_come_from_raw_bodies() {
        let body = br#"<?xml version="1.0"?><ErrorResponse><Error><Code>AccessDenied</Code><Message/></Error></ErrorResponse>"#;
        assert_eq!(code_from_body(body).as_deref(), Some("AccessDenied"));
        assert_eq!(code_from_body(b"<Code></Code>"), None);
        assert_eq!(code_from_body(b"\xff\xfe"), None);
        assert_eq!(code_from_body(b"no xml"), None);
    }

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
