//! The STS and IAM query APIs of the embedded endpoint: `Action=…` requests (form POST or GET),
//! SigV4-signed for the `sts` or `iam` scope, answered in AWS's XML, errors included
//! (`<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`).
//!
//! This file reads the form, checks the signature and dispatches on the signing scope to
//! [`sts`] or [`iam`]; it also writes the XML envelopes of answers and errors.
//!
//! The calls the model knows (CreateUser, PutUserPolicy, CreateRole, PutRolePolicy, AssumeRole)
//! are model steps. The bookkeeping calls around them (access keys, deletes, GetCallerIdentity)
//! are authorized with the model's identity-policy check, as AWS does for IAM actions, and
//! change the world directly.

mod iam;
mod sts;

use crate::sigv4::{self, Authorization};
use crate::state::{lock, Shared, State};
use bytes::Bytes;
use std::collections::BTreeMap;
use xacct_model::outcome::{Explanation, Outcome};
use xacct_model::principal::Principal;
use xacct_model::scenario::Op;

/// Query API bodies are small: policies are at most a few KiB.
pub(crate) const MAX_BODY: usize = 1 << 20;

/// An `Action=` request: a form POST to `/`, or any request with `Action` in its query.
pub(crate) fn is_query_api<B>(req: &http::Request<B>) -> bool {
    let form = req.method() == http::Method::POST
        && req.uri().path() == "/"
        && req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let action_query = req.uri().path() == "/"
        && req
            .uri()
            .query()
            .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "Action"));
    form || action_query
}

/// The API a request is for: its SigV4 scope.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Service {
    Sts,
    Iam,
}

impl Service {
    /// The XML namespace of the service's answers.
    fn ns(self) -> &'static str {
        match self {
            Service::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
            Service::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
        }
    }
}

/// Authenticates and answers one query-API request.
pub(crate) fn handle(
    state: &Shared,
    parts: &http::request::Parts,
    body: &Bytes,
) -> http::Response<s3s::Body> {
    let params = Params::read(parts, body);
    let action = params.opt("Action").unwrap_or_default().to_string();
    let mut st = lock(state);
    let (service, principal) = match authenticate(&st, parts, body, &action) {
        Ok(caller) => caller,
        Err((service, e)) => return e.into_response(service),
    };
    let result = match service {
        Service::Sts => sts::call(&mut st, &principal, &action, &params),
        Service::Iam => iam::call(&mut st, &principal, &action, &params),
    };
    match result {
        Ok(body) => ok(service, &action, &body),
        Err(e) => e.into_response(service),
    }
}

/// The service a request is signed for and the principal its key acts as; a refusal is
/// answered in the XML of the service (guessed from the action until the scope is known).
fn authenticate(
    st: &State,
    parts: &http::request::Parts,
    body: &Bytes,
    action: &str,
) -> Result<(Service, String), (Service, QueryError)> {
    let guess = if sts::is_sts_action(action) {
        Service::Sts
    } else {
        Service::Iam
    };
    let (auth, service) = signing_scope(parts).map_err(|e| (guess, e))?;
    let principal = verify(st, parts, body, &auth).map_err(|e| (service, e))?;
    Ok((service, principal))
}

/// The request's `Authorization` header and the service it is signed for.
fn signing_scope(parts: &http::request::Parts) -> Result<(Authorization, Service), QueryError> {
    let header = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            QueryError::new(
                403,
                "MissingAuthenticationToken",
                "Request is missing Authentication Token",
            )
        })?;
    let auth = Authorization::parse(header)
        .map_err(|e| QueryError::new(400, "IncompleteSignature", e.to_string()))?;
    let service = match auth.service.as_str() {
        "sts" => Service::Sts,
        "iam" => Service::Iam,
        other => {
            return Err(QueryError::new(
                400,
                "InvalidClientTokenId",
                format!("this endpoint serves sts and iam query calls, not {other:?}"),
            ))
        }
    };
    Ok((auth, service))
}

/// Checks the signature with the key's secret and the session token; returns the principal.
fn verify(
    st: &State,
    parts: &http::request::Parts,
    body: &Bytes,
    auth: &Authorization,
) -> Result<String, QueryError> {
    let Some(secret) = st.secret_of(&auth.access_key) else {
        return Err(QueryError::new(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ));
    };
    let req = sigv4::Signed {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
        body,
    };
    // AWS answers every SigV4 failure of these APIs, clock skew included, with
    // SignatureDoesNotMatch (see `sigv4.rs`).
    sigv4::verify(auth, &req, &secret, crate::clock::now_secs())
        .map_err(|e| QueryError::new(403, "SignatureDoesNotMatch", e.to_string()))?;
    let token = parts
        .headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok());
    st.principal_of(&auth.access_key, token)
        .map_err(|e| QueryError::new(403, "InvalidClientTokenId", e.to_string()))
}

/// An action the service does not serve.
fn unknown_action(action: &str) -> QueryError {
    if action.is_empty() {
        QueryError::new(400, "MissingAction", "no Action given")
    } else {
        QueryError::new(
            400,
            "InvalidAction",
            format!("the embedded endpoint does not implement {action}"),
        )
    }
}

/// The request's parameters: the query string's, then (POST) the form body's.
struct Params(BTreeMap<String, String>);

impl Params {
    fn read(parts: &http::request::Parts, body: &Bytes) -> Params {
        let query = parts.uri.query().unwrap_or("");
        let mut params: BTreeMap<String, String> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        if parts.method == http::Method::POST {
            params.extend(form_urlencoded::parse(body).into_owned());
        }
        Params(params)
    }

    fn get(&self, name: &str) -> Result<&str, QueryError> {
        self.0.get(name).map(String::as_str).ok_or_else(|| {
            QueryError::new(
                400,
                "MissingParameter",
                format!("The request must contain the parameter {name}"),
            )
        })
    }

    fn opt(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// The `<…Result>` content of a successful call, or its error.
type Answer = Result<String, QueryError>;

/// A model step as a query-API answer: the error, or `then` on success.
fn model_step(
    st: &mut State,
    principal: &str,
    op: Op,
    then: impl FnOnce(&mut State, &Outcome) -> Answer,
) -> Answer {
    match st.apply(principal, op, None) {
        Ok((o, _)) if o.allowed() => then(st, &o),
        Ok((o, ex)) => Err(QueryError::from_outcome(&o, &ex, st)),
        Err(e) => Err(QueryError::new(403, "InvalidClientTokenId", e.to_string())),
    }
}

/// The model's principal of the caller.
fn resolve(st: &State, principal: &str) -> Result<Principal, QueryError> {
    st.principal(principal)
        .map_err(|e| QueryError::new(403, "InvalidClientTokenId", e.to_string()))
}

/// Text escaped for XML content.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    format!("xacct-{:016x}", N.fetch_add(1, Ordering::Relaxed))
}

/// An answer, its request id also in `x-amzn-RequestId` (where AWS's query APIs put it and the
/// SDKs read it).
fn response(status: u16, body: String, request_id: &str) -> http::Response<s3s::Body> {
    let mut r = http::Response::new(s3s::Body::from(body));
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/xml"),
    );
    if let Ok(v) = http::HeaderValue::from_str(request_id) {
        r.headers_mut().insert("x-amzn-requestid", v);
    }
    r
}

/// An AWS query-API error.
#[derive(Debug, thiserror::Error)]
#[error("{status} {code}: {message}")]
struct QueryError {
    status: u16,
    code: String,
    message: String,
}

impl QueryError {
    fn new(status: u16, code: &str, message: impl Into<String>) -> QueryError {
        QueryError {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    /// The model's refusal; the message is the deciding explanation line.
    fn from_outcome(o: &Outcome, ex: &Explanation, st: &State) -> QueryError {
        let message = ex
            .lines
            .last()
            .map(|l| st.real_ids(&format!("[{}] {}", l.rule, l.detail)))
            .unwrap_or_default();
        QueryError::new(
            o.status,
            o.code.as_deref().unwrap_or("AccessDenied"),
            message,
        )
    }

    fn not_found(what: &str) -> QueryError {
        QueryError::new(404, "NoSuchEntity", format!("The {what} cannot be found."))
    }

    fn into_response(self, service: Service) -> http::Response<s3s::Body> {
        let kind = if self.status >= 500 {
            "Receiver"
        } else {
            "Sender"
        };
        let rid = request_id();
        response(
            self.status,
            format!(
                "<ErrorResponse xmlns=\"{}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>",
                service.ns(),
                escape(&self.code),
                escape(&self.message),
            ),
            &rid,
        )
    }
}

/// A successful answer: `result` in the action's `<…Result>` envelope.
fn ok(service: Service, action: &str, result: &str) -> http::Response<s3s::Body> {
    let result = if result.is_empty() {
        String::new()
    } else {
        format!("<{action}Result>{result}</{action}Result>")
    };
    let rid = request_id();
    response(
        200,
        format!(
            "<{action}Response xmlns=\"{}\">{result}<ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata></{action}Response>",
            service.ns(),
        ),
        &rid,
    )
}

/// The answer to a body over [`MAX_BODY`].
pub(crate) fn too_large() -> http::Response<s3s::Body> {
    QueryError::new(
        413,
        "RequestEntityTooLarge",
        "the request body is too large",
    )
    .into_response(Service::Iam)
}
