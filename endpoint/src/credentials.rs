//! Access keys: what a client signs with ([`Creds`], public), how the endpoint stores a key
//! ([`Key`]), why a request's key is refused ([`AuthError`]), and the generator of key ids,
//! secrets and session tokens ([`Rng`]).

use xacct_model::world::AccountName;

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

/// Access keys as the endpoint stores them.
#[derive(Clone)]
pub(crate) struct Key {
    pub(crate) secret: String,
    /// Role sessions: the session token requests must carry.
    pub(crate) token: Option<String>,
    /// The scenario principal the key acts as (`A.admin`, `A.root`, `A.u1`, a session name).
    pub(crate) principal: String,
    /// For IAM users' keys: the user (ListAccessKeys, DeleteAccessKey, DeleteUser).
    pub(crate) user: Option<(AccountName, String)>,
    /// Root and `admin` keys made by provisioning: kept across resets.
    pub(crate) provisioned: bool,
    pub(crate) created: String,
    /// With an IAM propagation delay: when a new user key starts to work.
    pub(crate) usable_from: Option<std::time::Instant>,
}

impl Key {
    /// The key as a client holds it, under its id.
    pub(crate) fn creds(&self, id: &str) -> Creds {
        Creds {
            access_key_id: id.to_string(),
            secret_access_key: self.secret.clone(),
            session_token: self.token.clone(),
        }
    }
}

/// Why a request's credentials are refused (before any authorization); the message is AWS's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AuthError {
    #[error("The AWS Access Key Id you provided does not exist in our records.")]
    UnknownKey,
    #[error("The provided token is malformed or otherwise invalid.")]
    BadToken,
}

impl AuthError {
    /// The S3 error code of the refusal.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            AuthError::UnknownKey => "InvalidAccessKeyId",
            AuthError::BadToken => "InvalidToken",
        }
    }
}

/// xorshift64*: unpredictable enough for local test credentials, no extra dependency.
pub(crate) struct Rng(u64);

impl Rng {
    /// Seeded from the clock and the process's hash keys: every endpoint hands out other keys.
    pub(crate) fn from_clock() -> Rng {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        Rng(h.finish() | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn string(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
            .collect()
    }

    /// A fresh key acting as `principal`, its id starting with `prefix` (`AKIA`, `ASIA`).
    pub(crate) fn new_key(&mut self, prefix: &str, principal: &str) -> (String, Key) {
        const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        const SECRET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let id = format!("{prefix}{}", self.string(UPPER, 16));
        let key = Key {
            secret: self.string(SECRET, 40),
            token: None,
            principal: principal.to_string(),
            user: None,
            provisioned: false,
            created: crate::clock::now_iso8601(),
            usable_from: None,
        };
        (id, key)
    }

    /// A role session's token.
    pub(crate) fn session_token(&mut self) -> String {
        const TOKEN: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        self.string(TOKEN, 96)
    }
}
