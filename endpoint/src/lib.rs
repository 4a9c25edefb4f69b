//! xacct-endpoint: an in-process S3 + STS + IAM server on 127.0.0.1 that serves the reference
//! model over real HTTP (docs/ARCHITECTURE.md, "endpoint/").
//!
//! - S3 goes through `s3s` (request parsing, SigV4 verification, XML answers); each call becomes
//!   a scenario [`Step`] for the model, and the model's [`Outcome`] becomes the HTTP answer.
//! - The STS and IAM query APIs (`Action=…` form posts) are served by [`query`], with their own
//!   SigV4 check ([`sigv4`]) — `s3s` only knows the `s3` and `sts` signing scopes.
//! - Accounts are provisioned in-process ([`Endpoint::provision`]); each gets root and `admin`
//!   keys. Keys of IAM users and role sessions are issued by the APIs, as on AWS.
//! - `--mutant NAME` ([`mutants`]) switches on one realistic authorization bug.

pub mod mutants;
mod query;
mod s3;
mod sigv4;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use xacct_model::ops::StepError;
use xacct_model::outcome::{Explanation, Outcome};
use xacct_model::scenario::{Op, Step};
use xacct_model::world::AccountName;
use xacct_model::World;

pub use mutants::{Mutant, UnknownMutant};

/// Access keys the endpoint issued to a principal: what a client signs with. The secret is
/// never printed (`Debug` redacts it).
#[derive(Clone, PartialEq, Eq)]
pub struct Creds {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Creds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Creds")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// The canonical id AWS gives the anonymous user, shown as the owner of objects written by
/// unsigned requests. Recorded AWS behaviour: it is the requester of unsigned requests in S3
/// server access logs, and client libraries carry it (e.g. PEAR Services_Amazon_S3
/// `ID_ANONYMOUS`); AWS's ACL pages do not print it.
pub const ANONYMOUS_CANONICAL: &str = "65a011a29cdf8ec533ec3d1ccaae921c";

/// Access keys as the endpoint stores them.
#[derive(Clone)]
struct Key {
    secret: String,
    /// Role sessions: the session token requests must carry.
    token: Option<String>,
    /// The scenario principal the key acts as (`A.admin`, `A.root`, `A.u1`, a session name).
    principal: String,
    /// For IAM users' keys: the user (ListAccessKeys, DeleteAccessKey, DeleteUser).
    user: Option<(AccountName, String)>,
    /// Root and `admin` keys made by provisioning: kept across resets.
    provisioned: bool,
    created: String,
}

/// Why a request's credentials are refused (before any authorization).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    UnknownKey,
    BadToken,
}

impl AuthError {
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::UnknownKey => "InvalidAccessKeyId",
            AuthError::BadToken => "InvalidToken",
        }
    }

    pub fn message(&self) -> &'static str {
        match self {
            AuthError::UnknownKey => {
                "The AWS Access Key Id you provided does not exist in our records."
            }
            AuthError::BadToken => "The provided token is malformed or otherwise invalid.",
        }
    }
}

/// Everything the endpoint holds: the model's world, keys, open multipart uploads.
pub struct State {
    pub world: World,
    keys: BTreeMap<String, Key>,
    mutant: Option<Mutant>,
    /// Upload id → (bucket, key, initiator).
    uploads: BTreeMap<String, (String, String, String)>,
    rng: u64,
    /// Accounts provisioned so far, in order.
    accounts: Vec<String>,
}

impl State {
    fn new(mutant: Option<Mutant>) -> State {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        State {
            world: World::default(),
            keys: BTreeMap::new(),
            mutant,
            uploads: BTreeMap::new(),
            rng: h.finish() | 1,
            accounts: Vec::new(),
        }
    }

    pub fn mutant(&self) -> Option<Mutant> {
        self.mutant
    }

    /// xorshift64*: unpredictable enough for local test credentials, no extra dependency.
    fn next(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn random(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
            .collect()
    }

    fn new_key(&mut self, prefix: &str, principal: &str) -> (String, Key) {
        const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        const SECRET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let id = format!("{prefix}{}", self.random(UPPER, 16));
        let key = Key {
            secret: self.random(SECRET, 40),
            token: None,
            principal: principal.to_string(),
            user: None,
            provisioned: false,
            created: now_iso8601(),
        };
        (id, key)
    }

    fn creds(id: &str, k: &Key) -> Creds {
        Creds {
            access_key_id: id.to_string(),
            secret_access_key: k.secret.clone(),
            session_token: k.token.clone(),
        }
    }

    /// Adds an account (idempotent) with root and `admin` keys; returns both.
    pub fn add_account(&mut self, name: &str) -> BTreeMap<String, Creds> {
        self.world.add_account(name);
        if !self.accounts.iter().any(|a| a == name) {
            self.accounts.push(name.to_string());
        }
        let mut out = BTreeMap::new();
        for who in ["root", "admin"] {
            let principal = format!("{name}.{who}");
            let existing = self
                .keys
                .iter()
                .find(|(_, k)| k.provisioned && k.principal == principal)
                .map(|(id, k)| Self::creds(id, k));
            let creds = match existing {
                Some(c) => c,
                None => {
                    let (id, mut key) = self.new_key("AKIA", &principal);
                    key.provisioned = true;
                    if who == "admin" {
                        key.user = Some((AccountName(name.to_string()), "admin".into()));
                    }
                    let c = Self::creds(&id, &key);
                    self.keys.insert(id, key);
                    c
                }
            };
            out.insert(principal, creds);
        }
        out
    }

    /// The secret of an access key (for SigV4 verification).
    pub fn secret_of(&self, access_key: &str) -> Option<String> {
        self.keys.get(access_key).map(|k| k.secret.clone())
    }

    /// The principal a signed request acts as, after the session-token check.
    pub fn principal_of(&self, access_key: &str, token: Option<&str>) -> Result<String, AuthError> {
        let k = self.keys.get(access_key).ok_or(AuthError::UnknownKey)?;
        if k.token.as_deref() != token {
            return Err(AuthError::BadToken);
        }
        Ok(k.principal.clone())
    }

    /// One request through the model (or the mutant wrapping it).
    pub fn apply(
        &mut self,
        principal: &str,
        op: Op,
        expected_bucket_owner: Option<String>,
    ) -> Result<(Outcome, Explanation), StepError> {
        let step = Step {
            as_: principal.to_string(),
            op,
            expected_bucket_owner,
            expect: None,
        };
        match self.mutant {
            Some(m) => mutants::step(m, &mut self.world, &step),
            None => xacct_model::step(&mut self.world, &step),
        }
    }

    /// Credentials for a new key of IAM user `user` of `account`.
    fn issue_user_key(&mut self, account: &AccountName, user: &str) -> (String, Key) {
        let (id, mut key) = self.new_key("AKIA", &format!("{account}.{user}"));
        key.user = Some((account.clone(), user.to_string()));
        self.keys.insert(id.clone(), key.clone());
        (id, key)
    }

    /// Keys of a new role session. The model names sessions by their key id.
    fn issue_session_key(&mut self, caller: &str) -> (String, Key) {
        const TOKEN: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let (id, mut key) = self.new_key("ASIA", "");
        key.principal = match self.mutant {
            // The bug: temporary credentials act as whoever asked for them.
            Some(Mutant::SessionInheritsCaller) => caller.to_string(),
            _ => id.clone(),
        };
        key.token = Some(self.random(TOKEN, 96));
        (id, key)
    }

    /// Access keys of IAM user `user` (ListAccessKeys).
    fn user_keys(&self, account: &AccountName, user: &str) -> Vec<(String, String)> {
        self.keys
            .iter()
            .filter(|(_, k)| {
                k.user
                    .as_ref()
                    .is_some_and(|(a, u)| a == account && u == user)
            })
            .map(|(id, k)| (id.clone(), k.created.clone()))
            .collect()
    }

    /// Back to the provisioned accounts with nothing else: what a random-run case leaves is
    /// gone, root and `admin` keys stay. Returns what was removed.
    pub fn reset(&mut self) -> Vec<String> {
        let mut removed = self.leftovers();
        let fresh = World::with_accounts(&self.accounts);
        let env = self.world.env.clone();
        self.world = fresh;
        self.world.env = env;
        let before = self.keys.len();
        self.keys.retain(|_, k| k.provisioned);
        let keys = before - self.keys.len();
        if keys > 0 {
            removed.push(format!("{keys} access key(s)"));
        }
        self.uploads.clear();
        removed
    }

    /// Buckets, non-admin users, roles and sessions in the world.
    pub fn leftovers(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .world
            .buckets
            .keys()
            .map(|b| format!("bucket {b}"))
            .collect();
        for a in self.world.accounts.values() {
            for u in a.users.keys().filter(|u| *u != "admin") {
                out.push(format!("user {}.{u}", a.name));
            }
            for r in a.roles.keys() {
                out.push(format!("role {}:{r}", a.name));
            }
        }
        out.extend(self.world.sessions.keys().map(|s| format!("session {s}")));
        out
    }
}

/// The current time as AWS's ISO 8601 (`2026-11-28T10:00:00Z`).
pub fn now_iso8601() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    iso8601(secs)
}

/// Seconds since the epoch as ISO 8601 UTC (civil-from-days, H. Hinnant's algorithm).
pub fn iso8601(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// AWS CLI `config` and `credentials` files for the provisioned principals: profile `xacct-A`
/// for `A.admin`, `xacct-A-root` for `A.root` (the names the aws-cli scripts default to).
pub fn aws_cli_files(url: &str, creds: &BTreeMap<String, Creds>) -> (String, String) {
    let mut config = String::new();
    let mut credentials = String::new();
    for (principal, c) in creds {
        let Some((account, who)) = principal.split_once('.') else {
            continue;
        };
        let profile = match who {
            "admin" => format!("xacct-{account}"),
            other => format!("xacct-{account}-{other}"),
        };
        config.push_str(&format!(
            "[profile {profile}]\nregion = us-east-1\nendpoint_url = {url}\ns3 =\n    addressing_style = path\n\n"
        ));
        credentials.push_str(&format!(
            "[{profile}]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n",
            c.access_key_id, c.secret_access_key
        ));
    }
    (config, credentials)
}

type Shared = Arc<Mutex<State>>;

fn lock(s: &Shared) -> MutexGuard<'_, State> {
    // A panic while holding the lock cannot leave the world half-changed in a way later
    // requests should not see more than the model's own answer: carry on with it.
    s.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running embedded endpoint. Dropping it stops accepting connections.
pub struct Endpoint {
    addr: SocketAddr,
    state: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Endpoint {
    /// Starts on 127.0.0.1 with a free port. Must be called inside a Tokio runtime.
    pub fn start(mutant: Option<Mutant>) -> std::io::Result<Endpoint> {
        Endpoint::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), mutant)
    }

    /// Starts on a given address (loopback only).
    pub fn start_on(addr: SocketAddr, mutant: Option<Mutant>) -> std::io::Result<Endpoint> {
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
        let state: Shared = Arc::new(Mutex::new(State::new(mutant)));
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

    pub fn mutant(&self) -> Option<Mutant> {
        lock(&self.state).mutant
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

    /// Removes everything but the provisioned accounts and their root and admin keys.
    pub fn reset(&self) -> Vec<String> {
        lock(&self.state).reset()
    }

    pub fn leftovers(&self) -> Vec<String> {
        lock(&self.state).leftovers()
    }

    /// A copy of the endpoint's world (tests, `serve` diagnostics).
    pub fn world(&self) -> World {
        lock(&self.state).world.clone()
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

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
        let service = service.clone();
        let state = state.clone();
        tokio::spawn(async move {
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
        });
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
        Ok(r) => r,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(1_795_867_200), "2026-11-28T12:00:00Z");
    }

    #[test]
    fn provisioned_keys_survive_a_reset_and_others_do_not() {
        let mut st = State::new(None);
        let creds = st.add_account("A");
        let admin = &creds["A.admin"];
        assert!(admin.access_key_id.starts_with("AKIA"));
        assert_eq!(admin.secret_access_key.len(), 40);
        let (uid, _) = st.issue_user_key(&AccountName("A".into()), "u1");
        let (sid, skey) = st.issue_session_key("A.admin");
        st.keys.insert(sid.clone(), skey.clone());
        assert_eq!(
            st.principal_of(&sid, skey.token.as_deref()),
            Ok(sid.clone())
        );
        assert_eq!(st.principal_of(&sid, None), Err(AuthError::BadToken));
        let removed = st.reset();
        assert!(removed.iter().any(|r| r.contains("access key")));
        assert_eq!(st.principal_of(&uid, None), Err(AuthError::UnknownKey));
        assert_eq!(
            st.principal_of(&admin.access_key_id, None),
            Ok("A.admin".into())
        );
        // Provisioning again hands out the same keys.
        assert_eq!(st.add_account("A")["A.admin"], *admin);
    }
}
