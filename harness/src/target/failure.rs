//! One readable line for a call an endpoint refused or never answered, for every target:
//! `CreateUser (profile xacct-A-root): 400 ValidationError: … (request id …)`, or
//! `… : no answer: … Connection refused (os error 111)`.
//!
//! The SDK's own types never reach a message: what they hold is read into a [`Failure`] (status,
//! AWS error code, message, request id; else why there was no answer). Their full detail goes to
//! the debug log, which `-v` shows.

use crate::target::answer::code_from_body;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::error::Error;
use std::fmt;

/// What is known of a failed call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Failure {
    /// The HTTP status of the answer; `None` when there was none.
    pub status: Option<u16>,
    /// The AWS error code (`AccessDenied`).
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
    /// Why there was no answer, or why it could not be read (timeout, connection refused, …).
    pub why: Option<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(s) => write!(f, "{s}")?,
            None => write!(f, "no answer")?,
        }
        if let Some(c) = &self.code {
            write!(f, " {c}")?;
        }
        let text = [&self.message, &self.why].into_iter().flatten();
        for (i, t) in text.enumerate() {
            let sep = if i == 0 { ": " } else { "; " };
            write!(f, "{sep}{t}")?;
        }
        if let Some(r) = &self.request_id {
            write!(f, " (request id {r})")?;
        }
        Ok(())
    }
}

/// The header AWS names an answer's request id in (IAM, STS: `x-amzn-RequestId`; S3:
/// `x-amz-request-id`).
const REQUEST_ID_HEADERS: [&str; 2] = ["x-amzn-requestid", "x-amz-request-id"];

impl Failure {
    /// Reads an SDK error; logs its full detail at debug (`-v`) under `op`.
    pub fn of<E>(op: &str, err: &SdkError<E, HttpResponse>) -> Failure
    where
        E: ProvideErrorMetadata + Error + 'static,
    {
        tracing::debug!("{op} failed: {err:?}");
        let mut f = match err.raw_response() {
            Some(raw) => Failure::answered(raw),
            None => Failure {
                why: Some(chain(err)),
                ..Failure::default()
            },
        };
        if let Some(e) = err.as_service_error() {
            let meta = e.meta();
            let known = |s: &&str| !s.is_empty() && *s != "Unknown";
            if let Some(c) = meta.code().filter(known) {
                f.code = Some(c.to_string());
            }
            if let Some(m) = meta.message().filter(|m| !m.is_empty()) {
                f.message = Some(m.to_string());
            }
            if let Some(r) = meta.extra("aws_request_id").filter(|r| !r.is_empty()) {
                f.request_id = Some(r.to_string());
            }
        } else if f.status.is_some_and(|s| (200..300).contains(&s)) {
            f.why = Some(format!("the answer could not be read ({})", chain(err)));
        }
        f
    }

    /// What an HTTP answer says: status, and the code, message and request id of its body or
    /// headers.
    fn answered(raw: &HttpResponse) -> Failure {
        let body = raw.body().bytes().unwrap_or_default();
        let header = REQUEST_ID_HEADERS
            .iter()
            .find_map(|h| raw.headers().get(*h))
            .map(str::to_string);
        Failure {
            status: Some(raw.status().as_u16()),
            code: code_from_body(body),
            message: element(body, "Message"),
            request_id: header.or_else(|| element(body, "RequestId")),
            why: None,
        }
    }
}

/// The text of the first `<name>` element of an XML body, if short and non-empty.
fn element(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let open = format!("<{name}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&format!("</{name}>"))? + start;
    let t = text[start..end].trim();
    (!t.is_empty() && t.len() <= 1000).then(|| unescape(t))
}

/// XML text with its five predefined entities read.
fn unescape(t: &str) -> String {
    t.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// An error and its sources, each as it displays itself, `: `-separated (a message repeated by
/// its source once).
pub fn chain(err: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// `op (who): failure`, the line every target prints for a failed call.
pub fn line<E>(op: &str, who: &str, err: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + Error + 'static,
{
    format!("{op} ({who}): {}", Failure::of(op, err))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_one_line() {
        let f = Failure {
            status: Some(400),
            code: Some("ValidationError".into()),
            message: Some("bad path".into()),
            request_id: Some("r-1".into()),
            why: None,
        };
        assert_eq!(
            f.to_string(),
            "400 ValidationError: bad path (request id r-1)"
        );
        let f = Failure {
            why: Some("timeout".into()),
            ..Failure::default()
        };
        assert_eq!(f.to_string(), "no answer: timeout");
    }

    #[test]
    fn elements_come_from_xml_bodies() {
        let body = b"<ErrorResponse><Error><Code>X</Code><Message>m &amp; n</Message></Error><RequestId>id-1</RequestId></ErrorResponse>";
        assert_eq!(element(body, "Message").as_deref(), Some("m & n"));
        assert_eq!(element(body, "RequestId").as_deref(), Some("id-1"));
        assert_eq!(element(b"<Message></Message>", "Message"), None);
        assert_eq!(element(b"\xff", "Message"), None);
    }

    /// Markers of a Rust debug dump of the SDK's types.
    const DUMPS: [&str; 6] = [
        "ServiceError {",
        "Unhandled",
        "ErrorMetadata",
        "SdkBody",
        "DispatchFailure",
        "Some(",
    ];

    fn readable(line: &str) {
        for d in DUMPS {
            assert!(!line.contains(d), "{d} in {line}");
        }
    }

    #[tokio::test]
    async fn the_usual_failures_read_as_one_line() {
        use crate::target::sdk::{clients, Creds, EndpointConfig};
        let endpoint = xacct_endpoint::Endpoint::start(None).unwrap();
        let creds = endpoint.provision(&["A".to_string()]);
        let ep = EndpointConfig::single(&endpoint.url());
        let admin = clients(&ep, Some(&creds["A.admin"]));

        // A validation error.
        let err = admin
            .iam
            .create_user()
            .user_name("u1")
            .path("no-slash")
            .send()
            .await
            .unwrap_err();
        let l = line("CreateUser", "profile p", &err);
        readable(&l);
        assert!(
            l.starts_with(
                "CreateUser (profile p): 400 ValidationError: \"no-slash\" is not a valid path"
            ) && l.contains(" (request id xacct-"),
            "{l}"
        );

        // Refused credentials.
        let stranger = Creds {
            access_key_id: "AKIAUNKNOWN".into(),
            secret_access_key: "nope".into(),
            session_token: None,
        };
        let c = clients(&ep, Some(&stranger));
        let err = c.sts.get_caller_identity().send().await.unwrap_err();
        let l = line("GetCallerIdentity", "profile p", &err);
        readable(&l);
        assert!(l.contains("): 403 InvalidClientTokenId: "), "{l}");
        let err = c.s3.list_buckets().send().await.unwrap_err();
        let l = line("ListBuckets", "A.u1", &err);
        readable(&l);
        assert!(
            l.starts_with("ListBuckets (A.u1): 403 InvalidAccessKeyId"),
            "{l}"
        );

        // An S3 refusal with the model's reason.
        let err = admin
            .s3
            .get_object()
            .bucket("nope")
            .key("k")
            .send()
            .await
            .unwrap_err();
        let l = line("GetObject", "A.admin", &err);
        readable(&l);
        assert!(
            l.starts_with("GetObject (A.admin): 404 NoSuchBucket"),
            "{l}"
        );

        // Nothing listening.
        let mut nowhere = EndpointConfig::single("http://127.0.0.1:9");
        nowhere.attempts = 1;
        let c = clients(&nowhere, Some(&stranger));
        let err = c.iam.list_users().send().await.unwrap_err();
        let l = line("ListUsers", "profile p", &err);
        readable(&l);
        assert!(l.starts_with("ListUsers (profile p): no answer: "), "{l}");
        let fault = crate::target::answer::from_error(err, false).to_string();
        readable(&fault);
        assert!(fault.contains("request not delivered: "), "{fault}");
    }
}
