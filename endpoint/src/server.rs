//! The running endpoint ([`Endpoint`]): a loopback listener whose connections are served by
//! hyper; each request goes to the STS/IAM query APIs ([`crate::query`]) or to S3 ([`crate::s3`]).

use crate::state::{lock, Journal, Shared, State};
use crate::{query, s3, Creds, Mutant};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use xacct_model::{Region, World};

/// A running embedded endpoint. Dropping it stops accepting connections.
pub struct Endpoint {
    addr: SocketAddr,
    state: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Endpoint {
    /// Starts on 127.0.0.1 with a free port. Must be called inside a Tokio runtime.
    pub fn start(mutant: Option<Mutant>) -> std::io::Result<Endpoint> {
        Endpoint::start_with(mutant.into_iter().collect())
    }

    /// Starts on 127.0.0.1 with a free port, with several deviations injected at once (they
    /// compose as the catalogue folds them). Must be called inside a Tokio runtime.
    pub fn start_with(mutants: Vec<Mutant>) -> std::io::Result<Endpoint> {
        Endpoint::start_on_with(SocketAddr::from(([127, 0, 0, 1], 0)), mutants)
    }

    /// Starts on a given address (loopback only).
    pub fn start_on(addr: SocketAddr, mutant: Option<Mutant>) -> std::io::Result<Endpoint> {
        Endpoint::start_on_with(addr, mutant.into_iter().collect())
    }

    fn start_on_with(addr: SocketAddr, mutants: Vec<Mutant>) -> std::io::Result<Endpoint> {
        if !addr.ip().is_loopback() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("the embedded endpoint listens on loopback only, not {addr}"),
            ));
        }
        let std_listener = std::net::TcpListener::bind(addr)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let listener = tokio::net::TcpListener::from_std(std_listener)?;
        let state: Shared = Arc::new(Mutex::new(State::new(mutants)));
        let service = s3::service(state.clone());
        let task = tokio::spawn(serve(listener, service, state.clone()));
        Ok(Endpoint { addr, state, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The deviations injected, in catalogue order.
    pub fn mutants(&self) -> Vec<Mutant> {
        lock(&self.state).mutants.clone()
    }

    /// Adds the accounts (idempotent); returns the credentials of their root and `admin`.
    pub fn provision(&self, accounts: &[String]) -> BTreeMap<String, Creds> {
        let mut st = lock(&self.state);
        let mut out = BTreeMap::new();
        for a in accounts {
            out.extend(st.add_account(a));
        }
        out
    }

    /// Accounts provisioned from now on start as new AWS accounts do: the root user only, with
    /// no `admin` user ([`Endpoint::provision`] returns root keys only). For clients that make
    /// their own IAM users, as the `aws` target does.
    pub fn set_fresh_accounts(&self, fresh: bool) {
        lock(&self.state).fresh_accounts = fresh;
    }

    /// IAM's eventual consistency: a new user, role, inline policy or access key takes effect
    /// only `delay` after it was made (zero, the default: at once).
    pub fn set_iam_propagation(&self, delay: std::time::Duration) {
        lock(&self.state).propagation.delay = delay;
    }

    /// Removes everything but the provisioned accounts and their root and admin keys; returns
    /// what was removed.
    pub fn reset(&self) -> Vec<String> {
        lock(&self.state).reset()
    }

    /// Buckets, non-admin users, roles and sessions left in the world.
    pub fn leftovers(&self) -> Vec<String> {
        lock(&self.state).leftovers()
    }

    /// The Region the endpoint answers for (default us-east-1).
    pub fn region(&self) -> Region {
        lock(&self.state).world.region.clone()
    }

    /// Sets the Region the endpoint answers for: CreateBucket's LocationConstraint must name
    /// it, and an owned bucket's re-creation answers as AWS does there. Kept across resets.
    pub fn set_region(&self, region: Region) {
        lock(&self.state).world.region = region;
    }

    /// A copy of the endpoint's world (tests, `serve` diagnostics).
    /// Starts a journal of the requests applied to the model (none is kept otherwise: `serve`
    /// runs for long), from the world as it is now.
    pub fn start_journal(&self) {
        lock(&self.state).start_journal();
    }

    /// The journal since [`Endpoint::start_journal`], if one was started.
    pub fn journal(&self) -> Option<Journal> {
        lock(&self.state).journal.clone()
    }

    pub fn world(&self) -> World {
        lock(&self.state).world.clone()
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Accepts connections until the endpoint is dropped; one task per connection.
async fn serve(listener: tokio::net::TcpListener, service: s3s::service::S3Service, state: Shared) {
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(e) => {
                tracing::warn!("embedded endpoint: accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve_connection(stream, service.clone(), state.clone()));
    }
}

/// Serves the requests of one HTTP/1 connection.
async fn serve_connection(
    stream: tokio::net::TcpStream,
    service: s3s::service::S3Service,
    state: Shared,
) {
    let io = hyper_util::rt::TokioIo::new(stream);
    let handler = hyper::service::service_fn(move |req| {
        let service = service.clone();
        let state = state.clone();
        async move { Ok::<_, std::convert::Infallible>(route(req, service, state).await) }
    });
    if let Err(e) = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, handler)
        .await
    {
        tracing::debug!("embedded endpoint: connection ended: {e}");
    }
}

/// STS and IAM query calls go to [`query`]; everything else is S3.
async fn route(
    req: http::Request<hyper::body::Incoming>,
    service: s3s::service::S3Service,
    state: Shared,
) -> http::Response<s3s::Body> {
    if query::is_query_api(&req) {
        use http_body_util::BodyExt;
        let (parts, body) = req.into_parts();
        let limited = http_body_util::Limited::new(body, query::MAX_BODY);
        return match limited.collect().await {
            Ok(b) => query::handle(&state, &parts, &b.to_bytes()),
            Err(_) => query::too_large(),
        };
    }
    match service.call(req.map(s3s::Body::from)).await {
        Ok(r) => with_model_status(r),
        Err(e) => {
            tracing::warn!("embedded endpoint: S3 service error: {e:?}");
            let mut r = http::Response::new(s3s::Body::from(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InternalError</Code><Message>the embedded endpoint failed</Message></Error>".to_string(),
            ));
            *r.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
            r
        }
    }
}

/// A 200 or 204 answer takes the model's status when that is 200 or 204 ([`s3::ModelStatus`]);
/// other statuses (206 of a ranged GET, errors) are s3s's.
fn with_model_status(mut r: http::Response<s3s::Body>) -> http::Response<s3s::Body> {
    let model = r.extensions().get::<s3::ModelStatus>().map(|m| m.0);
    let no_content_or_ok = |s: http::StatusCode| matches!(s.as_u16(), 200 | 204);
    if let Some(s) = model.filter(|s| no_content_or_ok(*s) && no_content_or_ok(r.status())) {
        *r.status_mut() = s;
    }
    r
}
