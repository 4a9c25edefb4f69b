//! Reading what an endpoint answered into the model's `Outcome`: the status of a success (which
//! the SDK does not expose, so an interceptor captures it), and SDK errors normalised into an
//! answer (status and error code) or an endpoint fault.
//!
//! Answers are untrusted: an answer the executor cannot read is an endpoint fault, never a
//! divergence; nothing here panics on what an endpoint sends.

use crate::compare::Observed;
use crate::target::sdk::Clients;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::sync::{Arc, Mutex};
use xacct_model::outcome::Outcome;

/// An HTTP status and, when it was in memory, the body.
pub type Answer = (u16, Option<Vec<u8>>);

/// The last HTTP answer a client received.
#[derive(Debug, Clone, Default)]
pub struct Capture(Arc<Mutex<Option<Answer>>>);

impl Capture {
    pub fn take(&self) -> Option<Answer> {
        self.0.lock().ok().and_then(|mut g| g.take())
    }

    /// The interceptor that fills this capture; every client of a principal gets one.
    pub(crate) fn interceptor(&self) -> CaptureInterceptor {
        CaptureInterceptor(self.clone())
    }
}

#[derive(Debug)]
pub(crate) struct CaptureInterceptor(Capture);

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

/// The success status the client saw (the SDK does not expose it on outputs).
pub fn success_status(c: &Clients, default: u16) -> u16 {
    c.capture.take().map(|(s, _)| s).unwrap_or(default)
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

/// A short printable excerpt of a body, for reports, secrets blanked out.
fn excerpt(body: &[u8]) -> String {
    let t = redact_secrets(&String::from_utf8_lossy(body));
    let t: String = t.chars().filter(|c| !c.is_control()).take(300).collect();
    t
}

/// The elements of an answer that hold secrets (a new access key's, a role session's).
const SECRET_ELEMENTS: [&str; 2] = ["SecretAccessKey", "SessionToken"];

/// `text` with the content of every secret-holding XML element replaced by `***`; an element
/// cut off by the end of the answer loses everything after its opening tag.
pub fn redact_secrets(text: &str) -> String {
    let mut out = text.to_string();
    for name in SECRET_ELEMENTS {
        let (open, close) = (format!("<{name}>"), format!("</{name}>"));
        let mut from = 0;
        while let Some(i) = out[from..].find(&open) {
            let start = from + i + open.len();
            let end = out[start..].find(&close).map_or(out.len(), |j| start + j);
            out.replace_range(start..end, "***");
            from = start + 3;
        }
    }
    out
}

/// At most 300 characters of a description, for reports.
fn short(text: String) -> String {
    text.chars().take(300).collect()
}

/// An error status as an answer; a 5xx other than 501 (Not Implemented) is an endpoint fault.
fn error_answer(status: u16, code: Option<String>, raw: String, head: bool) -> Observed {
    if status >= 500 && status != 501 {
        return Observed::Fault {
            why: format!(
                "HTTP {status}{}",
                code.map(|c| format!(" {c}")).unwrap_or_default()
            ),
            status: Some(status),
            raw,
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
}

/// Why a request got no answer, in words (the SDK's detail is logged at debug, `-v`).
fn unanswered<E>(err: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    tracing::debug!("request failed: {err:?}");
    crate::target::failure::chain(err)
}

/// Normalises an SDK error into what the target did; `head`: the request was a HEAD.
pub fn from_error<E>(err: SdkError<E, HttpResponse>, head: bool) -> Observed
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match &err {
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
            let raw = format!("HTTP {status} {}", excerpt(body));
            error_answer(status, code, raw, head)
        }
        SdkError::ResponseError(e) => {
            let raw = e.raw();
            let status = raw.status().as_u16();
            let body = raw.body().bytes().unwrap_or_default();
            let raw = format!("HTTP {status} {}", excerpt(body));
            if (200..300).contains(&status) {
                return Observed::Fault {
                    why: format!("HTTP {status} with an answer the SDK cannot read"),
                    status: Some(status),
                    raw,
                };
            }
            error_answer(status, code_from_body(body), raw, head)
        }
        SdkError::TimeoutError(_) => Observed::fault("timeout"),
        SdkError::DispatchFailure(_) => Observed::fault(short(format!(
            "request not delivered: {}",
            unanswered(&err)
        ))),
        SdkError::ConstructionFailure(_) => Observed::fault(short(format!(
            "the request could not be built: {}",
            unanswered(&err)
        ))),
        _ => Observed::fault(short(unanswered(&err))),
    }
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
    fn secrets_are_blanked_out_of_raw_answers() {
        let body =
            "<AccessKey><AccessKeyId>AKIA1</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey>\
                    </AccessKey><SessionToken>tok</SessionToken><SessionToken>cut off";
        let r = redact_secrets(body);
        assert!(
            !r.contains("s3cr3t") && !r.contains("tok<") && !r.contains("cut off"),
            "{r}"
        );
        assert!(
            r.contains("<AccessKeyId>AKIA1</AccessKeyId><SecretAccessKey>***</SecretAccessKey>")
        );
        assert_eq!(redact_secrets("no secrets"), "no secrets");
    }
}
