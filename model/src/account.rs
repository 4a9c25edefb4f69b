//! Who the rules name: accounts by their logical name (`A`, `B`, …) and the owner of a bucket or
//! object (an account, or the anonymous user). A leaf module: `acl` and `world` both build on it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A logical account name from a scenario (`A`, `B`, …).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountName(pub String);

impl fmt::Display for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AccountName {
    /// Account names are an upper-case letter followed by upper-case letters or digits.
    pub fn is_valid(s: &str) -> bool {
        let mut c = s.chars();
        c.next().is_some_and(|f| f.is_ascii_uppercase())
            && c.all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())
    }
}

/// Who owns a bucket or object: an account, or — for objects written by unsigned requests into
/// a public-read-write bucket — the anonymous user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Owner {
    Account(AccountName),
    Anonymous,
}

impl Owner {
    pub fn name(&self) -> String {
        match self {
            Owner::Account(a) => a.0.clone(),
            Owner::Anonymous => "anon".into(),
        }
    }

    pub fn is(&self, account: &AccountName) -> bool {
        matches!(self, Owner::Account(a) if a == account)
    }
}
