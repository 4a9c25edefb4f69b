//! How a scenario's abstract names map onto one target: accounts (the ids and canonical ids
//! placeholders stand for), buckets (logical `b1` → a real name under the run prefix), IAM
//! names (an optional path for shared accounts), and back again for outcomes.

use serde_json::Value;
use std::collections::BTreeMap;
use xacct_model::World;

/// How a caller addresses another account's bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossAddressing {
    /// The bucket name alone (AWS, moto: bucket names are global).
    Global,
    /// `<tenant>:<bucket>` (Ceph RGW tenants).
    TenantColon,
}

/// One account as a target knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountMap {
    /// What stands in the account field of ARNs and for `${A}` (account id; RGW: tenant).
    pub id: String,
    /// Canonical user id (`${A.canonical}`) as the target's ACLs show it.
    pub canonical: String,
    /// E-mail address for `emailAddress=` grants, where the target has one.
    pub email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Mapping {
    /// Prefix of every real bucket name of this run (`xacct-<run>-`).
    pub bucket_prefix: String,
    /// IAM path of users and roles made by this run (`/` or `/xacct/<run>/`).
    pub iam_path: String,
    pub accounts: BTreeMap<String, AccountMap>,
    pub cross: CrossAddressing,
    /// The model's ids, to translate target answers back (`arn:…::<model id>:…`).
    model: World,
}

fn replace_placeholders(s: &str, f: &dyn Fn(&str, &str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let inner = &after[..j];
        let (name, field) = inner.split_once('.').unwrap_or((inner, "id"));
        match f(name, field) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[i..i + 2 + j + 1]),
        }
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    out
}

impl Mapping {
    pub fn new(
        bucket_prefix: String,
        iam_path: String,
        cross: CrossAddressing,
        accounts: BTreeMap<String, AccountMap>,
    ) -> Mapping {
        let model = World::with_accounts(accounts.keys());
        Mapping {
            bucket_prefix,
            iam_path,
            accounts,
            cross,
            model,
        }
    }

    pub fn real_bucket(&self, logical: &str) -> String {
        format!("{}{}", self.bucket_prefix, logical)
    }

    pub fn logical_bucket(&self, real: &str) -> Option<String> {
        real.strip_prefix(&self.bucket_prefix).map(str::to_string)
    }

    /// The bucket name a caller of `caller` sends for a bucket owned by `owner`.
    pub fn address(&self, caller: Option<&str>, owner: Option<&str>, logical: &str) -> String {
        let real = self.real_bucket(logical);
        match (self.cross, owner) {
            (CrossAddressing::TenantColon, Some(o)) if caller != Some(o) => {
                match self.accounts.get(o) {
                    Some(a) => format!("{}:{real}", a.id),
                    None => real,
                }
            }
            _ => real,
        }
    }

    /// The `UserName` IAM calls take for a user of `account`: RGW wants `<tenant>$<user>`.
    pub fn iam_user_name(&self, account: &str, user: &str) -> String {
        match (self.cross, self.accounts.get(account)) {
            (CrossAddressing::TenantColon, Some(a)) => format!("{}${user}", a.id),
            _ => user.to_string(),
        }
    }

    /// `${A}`, `${A.canonical}`, `${A.email}` with the target's values; others left alone.
    pub fn placeholders(&self, s: &str) -> String {
        replace_placeholders(s, &|name, field| {
            let a = self.accounts.get(name)?;
            match field {
                "id" => Some(a.id.clone()),
                "canonical" => Some(a.canonical.clone()),
                "email" => a.email.clone(),
                _ => None,
            }
        })
    }

    /// A string of a policy or header: placeholders, bucket names in S3 ARNs, IAM paths.
    pub fn rewrite(&self, s: &str, logical_buckets: &[String]) -> String {
        let mut out = self.placeholders(s);
        for b in logical_buckets {
            let from = format!("arn:aws:s3:::{b}");
            let to = format!("arn:aws:s3:::{}", self.real_bucket(b));
            out = replace_bounded(&out, &from, &to);
        }
        if self.iam_path != "/" && !self.iam_path.is_empty() {
            let path = self.iam_path.trim_start_matches('/');
            out = out.replace(":user/", &format!(":user/{path}"));
            out = out.replace(":role/", &format!(":role/{path}"));
        }
        out
    }

    /// Rewrites every string of a JSON document (policies).
    pub fn rewrite_json(&self, v: &Value, logical_buckets: &[String]) -> Value {
        match v {
            Value::String(s) => Value::String(self.rewrite(s, logical_buckets)),
            Value::Array(a) => Value::Array(
                a.iter()
                    .map(|x| self.rewrite_json(x, logical_buckets))
                    .collect(),
            ),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| {
                        (
                            self.rewrite(k, logical_buckets),
                            self.rewrite_json(x, logical_buckets),
                        )
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// The account a canonical id belongs to.
    pub fn account_of_canonical(&self, canonical: &str) -> Option<&str> {
        if canonical == xacct_endpoint::ANONYMOUS_CANONICAL {
            return Some("anon");
        }
        self.accounts
            .iter()
            .find(|(_, a)| a.canonical == canonical)
            .map(|(n, _)| n.as_str())
    }

    /// An ARN from the target, in the model's terms: the account field mapped to the model's
    /// id of that account, IAM paths removed.
    pub fn arn_to_model(&self, arn: &str) -> String {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() != 6 {
            return arn.to_string();
        }
        let acct = self
            .accounts
            .iter()
            .find(|(_, a)| a.id == parts[4])
            .and_then(|(n, _)| {
                self.model
                    .accounts
                    .get(&xacct_model::world::AccountName(n.clone()))
            })
            .map(|a| a.id.clone())
            .unwrap_or_else(|| parts[4].to_string());
        let mut res = parts[5].to_string();
        if self.iam_path != "/" && !self.iam_path.is_empty() {
            res = res.replacen(self.iam_path.trim_start_matches('/'), "", 1);
        }
        format!(
            "{}:{}:{}:{}:{}:{}",
            parts[0], parts[1], parts[2], parts[3], acct, res
        )
    }
}

/// Replaces `from` where it is followed by the end, `/`, `*`, `?` or `"`, so `b1` does not
/// rewrite `b10`.
fn replace_bounded(s: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(from) {
        let after = &rest[i + from.len()..];
        out.push_str(&rest[..i]);
        if after.is_empty() || after.starts_with(['/', '*', '?', '"']) {
            out.push_str(to);
        } else {
            out.push_str(from);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(cross: CrossAddressing, path: &str) -> Mapping {
        let mut accounts = BTreeMap::new();
        accounts.insert(
            "A".into(),
            AccountMap {
                id: "xa1A".into(),
                canonical: "xa1A$admin".into(),
                email: None,
            },
        );
        accounts.insert(
            "B".into(),
            AccountMap {
                id: "xa1B".into(),
                canonical: "xa1B$admin".into(),
                email: None,
            },
        );
        Mapping::new("xacct-r1-".into(), path.into(), cross, accounts)
    }

    #[test]
    fn rewrites_placeholders_buckets_and_paths() {
        let m = mapping(CrossAddressing::TenantColon, "/");
        let b = vec!["b1".to_string()];
        assert_eq!(
            m.rewrite("arn:aws:iam::${B}:user/admin", &b),
            "arn:aws:iam::xa1B:user/admin"
        );
        assert_eq!(
            m.rewrite("arn:aws:s3:::b1/*", &b),
            "arn:aws:s3:::xacct-r1-b1/*"
        );
        assert_eq!(m.rewrite("arn:aws:s3:::b1", &b), "arn:aws:s3:::xacct-r1-b1");
        assert_eq!(m.rewrite("arn:aws:s3:::b10", &b), "arn:aws:s3:::b10");
        assert_eq!(
            m.rewrite("id=${A.canonical} ${aws:username} ${Z}", &b),
            "id=xa1A$admin ${aws:username} ${Z}"
        );
        assert_eq!(m.address(Some("B"), Some("A"), "b1"), "xa1A:xacct-r1-b1");
        assert_eq!(m.address(Some("A"), Some("A"), "b1"), "xacct-r1-b1");
        assert_eq!(m.logical_bucket("xacct-r1-b1").as_deref(), Some("b1"));
        let p = mapping(CrossAddressing::Global, "/xacct/r1/");
        assert_eq!(
            p.rewrite("arn:aws:iam::${A}:user/admin", &b),
            "arn:aws:iam::xa1A:user/xacct/r1/admin"
        );
        assert_eq!(
            p.arn_to_model("arn:aws:iam::xa1A:user/xacct/r1/admin"),
            "arn:aws:iam::111111111111:user/admin"
        );
        assert_eq!(
            m.arn_to_model("arn:aws:sts::xa1B:assumed-role/r/s"),
            "arn:aws:sts::222222222222:assumed-role/r/s"
        );
        assert_eq!(m.account_of_canonical("xa1B$admin"), Some("B"));
    }
}
