//! What the endpoint keeps about IAM users and roles beside the model's world: their paths
//! ([`Paths`]) and, with a propagation delay, when their latest change takes effect
//! ([`Propagation`]).
//!
//! The model names users and roles without paths. On AWS a name is unique in its account
//! whatever the path, and ARNs carry the path (`arn:aws:iam::111122223333:user/xacct/r1/u1`):
//! the endpoint writes paths into the ARNs it answers with, and cuts the paths it knows out of
//! the ARNs it is sent before the model sees them.

use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use xacct_model::scenario::Op;
use xacct_model::world::AccountName;

/// An IAM user or a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    User,
    Role,
}

impl Kind {
    /// The resource type in ARNs.
    fn resource(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Role => "role",
        }
    }
}

/// A user or role of an account.
type Entity = (AccountName, Kind, String);

fn entity(account: &AccountName, kind: Kind, name: &str) -> Entity {
    (account.clone(), kind, name.to_string())
}

/// Why a `Path` or `PathPrefix` is refused (IAM API reference: 1 to 512 characters, `/` first
/// and last for a path, printable ASCII).
pub(crate) fn invalid_path(path: &str, prefix: bool) -> Option<String> {
    let printable = path.chars().all(|c| ('\u{21}'..='\u{7e}').contains(&c));
    let shaped = path.starts_with('/') && (prefix || path.ends_with('/'));
    if path.is_empty() || path.len() > 512 || !printable || !shaped {
        let what = if prefix {
            "a path prefix starts with /"
        } else {
            "a path starts and ends with /"
        };
        return Some(format!(
            "{path:?} is not a valid path: {what}, at most 512 printable ASCII characters"
        ));
    }
    None
}

/// The paths of users and roles not under `/`.
#[derive(Debug, Default)]
pub(crate) struct Paths(BTreeMap<Entity, String>);

impl Paths {
    pub(crate) fn set(&mut self, account: &AccountName, kind: Kind, name: &str, path: &str) {
        let e = entity(account, kind, name);
        if path == "/" {
            self.0.remove(&e);
        } else {
            self.0.insert(e, path.to_string());
        }
    }

    /// The path of a user or role: `/` unless it was made under another.
    pub(crate) fn of(&self, account: &AccountName, kind: Kind, name: &str) -> &str {
        self.0
            .get(&entity(account, kind, name))
            .map_or("/", String::as_str)
    }

    pub(crate) fn remove(&mut self, account: &AccountName, kind: Kind, name: &str) {
        self.0.remove(&entity(account, kind, name));
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// `arn` (a path-less user or role ARN the model wrote) with the entity's path in it.
    pub(crate) fn arn(&self, arn: &str, account: &AccountName, kind: Kind, name: &str) -> String {
        let path = self.of(account, kind, name);
        if path == "/" {
            return arn.to_string();
        }
        let plain = format!(":{}/{name}", kind.resource());
        match arn.strip_suffix(&plain) {
            Some(head) => format!("{head}:{}{path}{name}", kind.resource()),
            None => arn.to_string(),
        }
    }

    /// `text` with every known path cut out of user and role ARNs (`:user/xacct/r1/u1` →
    /// `:user/u1`; `:user/xacct/r1/*` → `:user/*`), longest path first.
    pub(crate) fn strip(&self, text: &str) -> String {
        let mut known: Vec<(Kind, &str)> = self
            .0
            .iter()
            .map(|((_, k, _), p)| (*k, p.as_str()))
            .collect();
        known.sort_by_key(|(_, p)| std::cmp::Reverse(p.len()));
        known.dedup();
        let mut out = text.to_string();
        for (kind, path) in known {
            let r = kind.resource();
            out = out.replace(&format!(":{r}{path}"), &format!(":{r}/"));
        }
        out
    }

    /// An operation with [`Paths::strip`] applied to every string in it (policies, role ARNs).
    pub(crate) fn strip_op(&self, op: Op) -> Op {
        if self.0.is_empty() {
            return op;
        }
        let Ok(v) = serde_json::to_value(&op) else {
            return op;
        };
        serde_json::from_value(self.strip_json(v)).unwrap_or(op)
    }

    fn strip_json(&self, v: Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.strip(&s)),
            Value::Array(a) => Value::Array(a.into_iter().map(|x| self.strip_json(x)).collect()),
            Value::Object(o) => Value::Object(
                o.into_iter()
                    .map(|(k, x)| (self.strip(&k), self.strip_json(x)))
                    .collect(),
            ),
            other => other,
        }
    }
}

/// IAM's eventual consistency, on request: a new user, role, inline policy or access key takes
/// effect only `delay` after it was made. Until then a request signed with the new key is
/// refused as an unknown key, a request by the changed user (or a session of the changed role)
/// is denied, and so is an AssumeRole of a new role.
#[derive(Debug, Default)]
pub(crate) struct Propagation {
    pub(crate) delay: Duration,
    /// When each user's or role's latest change (its creation included) takes effect.
    until: BTreeMap<Entity, Instant>,
    /// When each new user or role starts to exist for others (AssumeRole).
    born: BTreeMap<Entity, Instant>,
}

impl Propagation {
    /// When a change made now takes effect; `None` without a delay.
    pub(crate) fn effective_from_now(&self) -> Option<Instant> {
        (!self.delay.is_zero()).then(|| Instant::now() + self.delay)
    }

    /// Records a change of a user or role made now.
    pub(crate) fn changed(&mut self, account: &AccountName, kind: Kind, name: &str) {
        if let Some(t) = self.effective_from_now() {
            self.until.insert(entity(account, kind, name), t);
        }
    }

    /// Records a user or role made now (a change of it, too).
    pub(crate) fn made(&mut self, account: &AccountName, kind: Kind, name: &str) {
        self.changed(account, kind, name);
        if let Some(t) = self.effective_from_now() {
            self.born.insert(entity(account, kind, name), t);
        }
    }

    /// The latest change of the user or role has not taken effect yet.
    pub(crate) fn pending(&self, account: &AccountName, kind: Kind, name: &str) -> bool {
        before(self.until.get(&entity(account, kind, name)))
    }

    /// The user or role is too new to be seen by others yet.
    pub(crate) fn unborn(&self, account: &AccountName, kind: Kind, name: &str) -> bool {
        before(self.born.get(&entity(account, kind, name)))
    }

    pub(crate) fn clear(&mut self) {
        self.until.clear();
        self.born.clear();
    }
}

/// Now is before `t`.
fn before(t: Option<&Instant>) -> bool {
    t.is_some_and(|t| Instant::now() < *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a() -> AccountName {
        AccountName("A".into())
    }

    #[test]
    fn paths_go_into_answers_and_out_of_requests() {
        let mut p = Paths::default();
        p.set(&a(), Kind::User, "u1", "/xacct/r1/");
        assert_eq!(p.of(&a(), Kind::User, "u1"), "/xacct/r1/");
        assert_eq!(p.of(&a(), Kind::Role, "u1"), "/");
        let arn = "arn:aws:iam::111:user/u1";
        assert_eq!(
            p.arn(arn, &a(), Kind::User, "u1"),
            "arn:aws:iam::111:user/xacct/r1/u1"
        );
        let policy = r#"{"Principal":{"AWS":["arn:aws:iam::111:user/xacct/r1/u1","arn:aws:iam::111:user/xacct/r1/*","arn:aws:iam::111:role/xacct/r1/r"]}}"#;
        let stripped = p.strip(policy);
        assert!(stripped.contains(":user/u1\"") && stripped.contains(":user/*\""));
        // No role has that path: role ARNs keep it (and name no role the model has).
        assert!(stripped.contains(":role/xacct/r1/r"), "{stripped}");
        p.remove(&a(), Kind::User, "u1");
        assert_eq!(p.strip(policy), policy);
    }

    #[test]
    fn paths_are_checked_as_iam_does() {
        assert_eq!(invalid_path("/", false), None);
        assert_eq!(invalid_path("/xacct/ab12/", false), None);
        assert!(invalid_path("xacct/", false).is_some());
        assert!(invalid_path("/xacct", false).is_some());
        assert_eq!(invalid_path("/xacct", true), None);
        assert!(invalid_path("/a b/", false).is_some());
        assert!(invalid_path("", true).is_some());
        assert!(invalid_path(&format!("/{}/", "a".repeat(511)), false).is_some());
    }

    #[test]
    fn changes_take_effect_after_the_delay() {
        let mut p = Propagation::default();
        p.changed(&a(), Kind::User, "u1");
        assert!(!p.pending(&a(), Kind::User, "u1"), "no delay, no wait");
        p.delay = Duration::from_millis(150);
        p.changed(&a(), Kind::User, "u1");
        assert!(p.pending(&a(), Kind::User, "u1"));
        assert!(!p.pending(&a(), Kind::Role, "u1"));
        std::thread::sleep(Duration::from_millis(200));
        assert!(!p.pending(&a(), Kind::User, "u1"));
        // A policy change is not a new role: others see the role at once.
        p.made(&a(), Kind::Role, "r1");
        assert!(p.unborn(&a(), Kind::Role, "r1") && p.pending(&a(), Kind::Role, "r1"));
        p.clear();
        p.changed(&a(), Kind::Role, "r1");
        assert!(!p.unborn(&a(), Kind::Role, "r1") && p.pending(&a(), Kind::Role, "r1"));
    }
}
