//! A fault-injecting HTTP proxy on 127.0.0.1 for the end-to-end suites: every request goes to
//! an upstream endpoint, except that, seeded and deterministic (by the request's number), a
//! share of them fail the way real endpoints and networks fail:
//! - the connection is reset (closed with RST, no answer), before or after forwarding;
//! - the answer is 500 InternalError or 503 SlowDown, before or after forwarding;
//! - the answer never comes (the proxy holds it past the client's timeout, then resets),
//!   before or after forwarding.
//!
//! "After forwarding" means the endpoint has applied the request: the client cannot tell that
//! from the failure. A stall before forwarding never forwards, so nothing lands late.
//! [`Plan::fail_bucket_deletes`] also fails every DeleteBucket of one bucket (the first one
//! asked for), for tests of what clean-up leaves behind. The proxy counts what it injected.

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does to the requests.
#[derive(Debug, Clone)]
pub struct Plan {
    pub seed: u64,
    /// Requests that fail, per 10,000.
    pub rate: u64,
    /// The kinds of the failures, with their weights ([`Kind::MIX`] for all of them).
    pub mix: Vec<(Kind, u64)>,
    /// How long a stalled request is held (longer than the client's timeout).
    pub stall: Duration,
    /// Every DeleteBucket of the first bucket one is asked for answers 500.
    pub fail_bucket_deletes: bool,
}

/// One kind of injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    ResetBefore,
    ResetAfter,
    InternalErrorBefore,
    InternalErrorAfter,
    SlowDownBefore,
    SlowDownAfter,
    StallBefore,
    StallAfter,
    /// A DeleteBucket of the bucket [`Plan::fail_bucket_deletes`] picked (500, not forwarded).
    BucketDelete,
}

impl Kind {
    /// All of them: resets and 5xx answers four times as often as stalls (which cost a
    /// timeout each).
    pub const MIX: [(Kind, u64); 8] = [
        (Kind::ResetBefore, 4),
        (Kind::ResetAfter, 4),
        (Kind::InternalErrorBefore, 4),
        (Kind::InternalErrorAfter, 4),
        (Kind::SlowDownBefore, 4),
        (Kind::SlowDownAfter, 4),
        (Kind::StallBefore, 1),
        (Kind::StallAfter, 1),
    ];

    fn forwards(self) -> bool {
        matches!(
            self,
            Kind::ResetAfter | Kind::InternalErrorAfter | Kind::SlowDownAfter | Kind::StallAfter
        )
    }

    /// The HTTP status the client sees, if it sees an answer.
    pub fn status(self) -> Option<u16> {
        match self {
            Kind::InternalErrorBefore | Kind::InternalErrorAfter | Kind::BucketDelete => Some(500),
            Kind::SlowDownBefore | Kind::SlowDownAfter => Some(503),
            _ => None,
        }
    }

    pub fn is_stall(self) -> bool {
        matches!(self, Kind::StallBefore | Kind::StallAfter)
    }
}

/// The proxy's counts.
#[derive(Default)]
struct Counts {
    requests: AtomicU64,
    injected: Mutex<BTreeMap<Kind, u64>>,
    /// Requests the upstream did not answer (never expected: a proxy bug or a dead endpoint).
    upstream_failures: AtomicU64,
    /// The bucket whose DeleteBucket requests fail.
    doomed: Mutex<Option<String>>,
}

struct Shared {
    upstream: SocketAddr,
    plan: Plan,
    counts: Counts,
}

/// A running proxy; dropping it stops accepting connections.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Why a request got no answer: the proxy closes the connection (hyper does on a service error).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the fault-injecting proxy")
    }
}

impl std::error::Error for Dropped {}

type Answer = Result<Response<Full<Bytes>>, Dropped>;

impl Proxy {
    /// Starts on a free loopback port, in front of `upstream`. Needs a Tokio runtime context.
    pub fn start(upstream: SocketAddr, plan: Plan) -> std::io::Result<Proxy> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let shared = Arc::new(Shared {
            upstream,
            plan,
            counts: Counts::default(),
        });
        let task = tokio::spawn(accept(listener, shared.clone()));
        Ok(Proxy { addr, shared, task })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> u64 {
        self.shared.counts.requests.load(Ordering::Relaxed)
    }

    /// What was injected, by kind.
    pub fn injected(&self) -> BTreeMap<Kind, u64> {
        self.shared.counts.injected.lock().unwrap().clone()
    }

    pub fn injected_total(&self) -> u64 {
        self.injected().values().sum()
    }

    pub fn upstream_failures(&self) -> u64 {
        self.shared.counts.upstream_failures.load(Ordering::Relaxed)
    }

    /// The bucket whose DeleteBucket requests fail ([`Plan::fail_bucket_deletes`]).
    pub fn doomed_bucket(&self) -> Option<String> {
        self.shared.counts.doomed.lock().unwrap().clone()
    }
}

async fn accept(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        // Closing a connection the proxy drops sends RST, as a reset does.
        let _ = stream.set_zero_linger();
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(req, shared.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// splitmix64: a well-mixed 64-bit value of `x`.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl Shared {
    /// The fault for request number `n`, if any (the same seed, the same faults).
    fn decide(&self, n: u64, req: &Request<Incoming>) -> Option<Kind> {
        if self.plan.fail_bucket_deletes && self.doomed(req) {
            return Some(Kind::BucketDelete);
        }
        let r = mix(self.plan.seed ^ mix(n));
        if r % 10_000 >= self.plan.rate {
            return None;
        }
        let total: u64 = self.plan.mix.iter().map(|(_, w)| w).sum();
        let mut pick = (r >> 32) % total.max(1);
        for &(kind, weight) in &self.plan.mix {
            if pick < weight {
                return Some(kind);
            }
            pick -= weight;
        }
        None
    }

    /// A DeleteBucket (`DELETE /<bucket>`, path style, no sub-resource) of the doomed bucket;
    /// the first one asked for becomes it.
    fn doomed(&self, req: &Request<Incoming>) -> bool {
        if req.method() != hyper::Method::DELETE || req.uri().query().is_some() {
            return false;
        }
        let path = req.uri().path().trim_matches('/');
        if path.is_empty() || path.contains('/') {
            return false;
        }
        let mut doomed = self.counts.doomed.lock().unwrap();
        doomed.get_or_insert_with(|| path.to_string()) == path
    }

    fn count(&self, kind: Kind) {
        *self
            .counts
            .injected
            .lock()
            .unwrap()
            .entry(kind)
            .or_default() += 1;
    }
}

async fn handle(req: Request<Incoming>, shared: Arc<Shared>) -> Answer {
    let n = shared.counts.requests.fetch_add(1, Ordering::Relaxed);
    let Some(kind) = shared.decide(n, &req) else {
        return forward(req, &shared).await;
    };
    shared.count(kind);
    if kind.forwards() {
        forward(req, &shared).await?;
    }
    match kind {
        Kind::StallBefore | Kind::StallAfter => {
            tokio::time::sleep(shared.plan.stall).await;
            Err(Dropped)
        }
        Kind::ResetBefore | Kind::ResetAfter => Err(Dropped),
        Kind::SlowDownBefore | Kind::SlowDownAfter => Ok(error(503, "SlowDown")),
        _ => Ok(error(500, "InternalError")),
    }
}

/// An S3 error answer.
fn error(status: u16, code: &str) -> Response<Full<Bytes>> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code>\
         <Message>injected by the test proxy</Message></Error>"
    );
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/xml"),
    );
    r
}

/// The request sent on to the upstream over a connection of its own, its whole answer read.
async fn forward(req: Request<Incoming>, shared: &Shared) -> Answer {
    match send_upstream(req, shared.upstream).await {
        Ok(r) => Ok(r),
        Err(e) => {
            shared
                .counts
                .upstream_failures
                .fetch_add(1, Ordering::Relaxed);
            eprintln!("proxy: the upstream did not answer: {e}");
            Err(Dropped)
        }
    }
}

async fn send_upstream(
    req: Request<Incoming>,
    upstream: SocketAddr,
) -> Result<Response<Full<Bytes>>, Box<dyn std::error::Error + Send + Sync>> {
    let stream = tokio::net::TcpStream::connect(upstream).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let answer = sender.send_request(req).await?;
    let (mut parts, body) = answer.into_parts();
    let bytes = body.collect().await?.to_bytes();
    // The body goes back whole, with its length.
    parts.headers.remove(hyper::header::TRANSFER_ENCODING);
    Ok(Response::from_parts(parts, Full::new(bytes)))
}
