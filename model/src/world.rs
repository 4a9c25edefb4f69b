//! The state the model keeps: accounts with their IAM users and roles, role sessions, buckets
//! and objects. Plain data; the rules live in `authorize`, `ownership`, `ops`.

use crate::acl::Acl;
use crate::policy::Policy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::account::{AccountName, Owner};
pub use crate::region::Region;

/// Object Ownership settings ([R2]); `None` on a bucket means the controls were deleted ([R8]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectOwnership {
    BucketOwnerEnforced,
    BucketOwnerPreferred,
    ObjectWriter,
}

impl ObjectOwnership {
    pub fn parse(s: &str) -> Option<ObjectOwnership> {
        Some(match s {
            "BucketOwnerEnforced" => ObjectOwnership::BucketOwnerEnforced,
            "BucketOwnerPreferred" => ObjectOwnership::BucketOwnerPreferred,
            "ObjectWriter" => ObjectOwnership::ObjectWriter,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectOwnership::BucketOwnerEnforced => "BucketOwnerEnforced",
            ObjectOwnership::BucketOwnerPreferred => "BucketOwnerPreferred",
            ObjectOwnership::ObjectWriter => "ObjectWriter",
        }
    }
}

/// The four bucket-level Block Public Access flags ([R31]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    pub const ALL_ON: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub name: String,
    /// The unique id (`AIDA…`), the value of `aws:userid`.
    pub id: String,
    /// Inline policies by name.
    pub policies: BTreeMap<String, Policy>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub name: String,
    /// The unique id (`AROA…`); sessions' `aws:userid` is `<id>:<session name>` ([R41]).
    pub id: String,
    pub trust: Policy,
    pub policies: BTreeMap<String, Policy>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub name: AccountName,
    /// 12-digit account id.
    pub id: String,
    /// 64-hex-digit canonical user id.
    pub canonical: String,
    pub email: String,
    pub users: BTreeMap<String, User>,
    pub roles: BTreeMap<String, Role>,
}

/// A role session from `assume_role`, named by its step's `as_name`.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// The role's account: the session is that account's principal ([R40]).
    pub account: AccountName,
    pub role: String,
    pub session_name: String,
    pub session_policy: Option<Policy>,
    /// The scenario name of the principal that assumed the role (`A.admin`, or another
    /// session's `as_name` for a chained session). Only deviations read it: on AWS the session
    /// acts as the role, never as who asked ([R40]).
    pub source: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// The owner recorded when the object was written. Under BucketOwnerEnforced the bucket
    /// owner owns every object whatever is recorded here ([R7a]); see `ownership::effective_*`.
    pub owner: Owner,
    pub acl: Acl,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub owner: AccountName,
    /// The scenario name of the principal that created the bucket (`A.admin`, a session's
    /// `as_name`). AWS decides by the owning account alone; only deviations read it.
    pub creator: String,
    pub ownership: Option<ObjectOwnership>,
    pub acl: Acl,
    pub policy: Option<Policy>,
    pub public_access_block: Option<PublicAccessBlock>,
    pub objects: BTreeMap<String, Object>,
}

/// Facts about how requests reach the endpoint, which AWS exposes as condition keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestEnv {
    /// `aws:SecureTransport`: false for the plain-HTTP loopback endpoints xacct tests.
    pub secure_transport: bool,
    /// `aws:SourceIp`.
    pub source_ip: String,
}

impl Default for RequestEnv {
    fn default() -> Self {
        RequestEnv {
            secure_transport: false,
            source_ip: "127.0.0.1".into(),
        }
    }
}

/// The whole model state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct World {
    pub accounts: BTreeMap<AccountName, Account>,
    /// Role sessions by their scenario name (`as_name`).
    pub sessions: BTreeMap<String, Session>,
    pub buckets: BTreeMap<String, Bucket>,
    pub env: RequestEnv,
    /// The Region requests are sent to (default us-east-1): it decides CreateBucket's
    /// LocationConstraint and the re-creation of an owned bucket ([X-bucket-owned]).
    pub region: Region,
}

/// A deterministic id for an account name: `A` → `111111111111`, …, `I` → `999999999999`;
/// other names hash to a 12-digit number starting with 1.
pub fn account_id_for(name: &str) -> String {
    let b = name.as_bytes();
    if b.len() == 1 && (b'A'..=b'I').contains(&b[0]) {
        let d = (b[0] - b'A' + 1) as u64;
        return format!("{:012}", d * 111_111_111_111);
    }
    // FNV-1a, folded into 11 digits after a leading 1.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in b {
        h ^= c as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    format!("1{:011}", h % 100_000_000_000)
}

/// A deterministic unique id such as `AIDA…` / `AROA…` (21 characters, upper-case alphanumeric).
fn unique_id(prefix: &str, account: &str, name: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in account.as_bytes().iter().chain(b"/").chain(name.as_bytes()) {
        h ^= c as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    let mut s = String::from(prefix);
    for i in 0..17 {
        let v = (h.rotate_left(i * 7) ^ (i as u64 * 0x9e37_79b9)) & 31;
        s.push(ALPHABET[v as usize] as char);
    }
    s
}

pub fn user_id_for(account: &str, user: &str) -> String {
    unique_id("AIDA", account, user)
}

pub fn role_id_for(account: &str, role: &str) -> String {
    unique_id("AROA", account, role)
}

/// The policy of the auto-provisioned `admin` user: full administrator access.
pub fn administrator_access() -> Policy {
    Policy::parse_identity(&serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "AdministratorAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}]
    }))
    .expect("the built-in administrator policy is valid")
}

impl World {
    /// A world with the named accounts, each with its root and an `admin` user holding
    /// administrator access (the scenario format of the README).
    pub fn with_accounts<I, S>(names: I) -> World
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut w = World::default();
        for n in names {
            w.add_account(n.as_ref());
        }
        w
    }

    /// Adds an account (idempotent).
    pub fn add_account(&mut self, name: &str) {
        let key = AccountName(name.to_string());
        if self.accounts.contains_key(&key) {
            return;
        }
        let id = account_id_for(name);
        let canonical = format!("{}{:0>16}", "ca11ab1e".repeat(6), id);
        let mut users = BTreeMap::new();
        users.insert(
            "admin".to_string(),
            User {
                name: "admin".into(),
                id: user_id_for(name, "admin"),
                policies: BTreeMap::from([(
                    "AdministratorAccess".to_string(),
                    administrator_access(),
                )]),
            },
        );
        self.accounts.insert(
            key.clone(),
            Account {
                name: key,
                id,
                canonical,
                email: format!("{}@xacct.example", name.to_ascii_lowercase()),
                users,
                roles: BTreeMap::new(),
            },
        );
    }

    pub fn account(&self, name: &AccountName) -> Option<&Account> {
        self.accounts.get(name)
    }

    pub fn account_by_id(&self, id: &str) -> Option<&Account> {
        self.accounts.values().find(|a| a.id == id)
    }

    pub fn account_by_canonical(&self, canonical: &str) -> Option<&Account> {
        self.accounts.values().find(|a| a.canonical == canonical)
    }

    pub fn account_by_email(&self, email: &str) -> Option<&Account> {
        self.accounts
            .values()
            .find(|a| a.email.eq_ignore_ascii_case(email))
    }

    /// The account id of a logical account name; empty for an unknown name (never expected:
    /// every name the model handles comes from `accounts`).
    pub fn id_of(&self, name: &AccountName) -> &str {
        self.accounts.get(name).map(|a| a.id.as_str()).unwrap_or("")
    }

    /// Replaces volatile ids in `text` by stable placeholders (`${A.canonical}`, `${A}`), so
    /// explanations and snapshots read the same whatever ids a world uses.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for a in self.accounts.values() {
            out = out.replace(&a.canonical, &format!("${{{}.canonical}}", a.name));
            out = out.replace(&a.email, &format!("${{{}.email}}", a.name));
        }
        for a in self.accounts.values() {
            out = out.replace(&a.id, &format!("${{{}}}", a.name));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deterministic_and_well_formed() {
        assert_eq!(account_id_for("A"), "111111111111");
        assert_eq!(account_id_for("C"), "333333333333");
        let j = account_id_for("J");
        assert_eq!(j.len(), 12);
        assert!(j.chars().all(|c| c.is_ascii_digit()));
        assert_eq!(j, account_id_for("J"));
        let w = World::with_accounts(["A", "B"]);
        let a = &w.accounts[&AccountName("A".into())];
        assert_eq!(a.canonical.len(), 64);
        assert!(a.canonical.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(user_id_for("A", "admin").len(), 21);
        assert_ne!(user_id_for("A", "admin"), user_id_for("B", "admin"));
    }

    #[test]
    fn redact_names_accounts() {
        let w = World::with_accounts(["A", "B"]);
        let a = &w.accounts[&AccountName("A".into())];
        let text = format!("arn:aws:iam::{}:root id={}", a.id, a.canonical);
        assert_eq!(w.redact(&text), "arn:aws:iam::${A}:root id=${A.canonical}");
    }
}
