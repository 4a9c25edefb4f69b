//! What the endpoint holds behind one lock ([`State`]): the model's world, the access keys it
//! issued, open multipart uploads; and the three things done with it — provisioning accounts,
//! applying one request to the model (with the injected deviation, if any), resetting between
//! cases.

use crate::credentials::{AuthError, Creds, Key, Rng};
use crate::iam_meta::{Kind, Paths, Propagation};
use crate::Mutant;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use xacct_model::deviation;
use xacct_model::ops::StepError;
use xacct_model::outcome::{Because, Explanation, Outcome};
use xacct_model::principal::{parse_role_arn, Principal, PrincipalError};
use xacct_model::scenario::{Op, Step};
use xacct_model::world::AccountName;
use xacct_model::World;

/// The state as the server's tasks share it.
pub(crate) type Shared = Arc<Mutex<State>>;

pub(crate) fn lock(s: &Shared) -> MutexGuard<'_, State> {
    // A panic while holding the lock cannot leave the world half-changed in a way later
    // requests should not see more than the model's own answer: carry on with it.
    s.lock().unwrap_or_else(|p| p.into_inner())
}

/// An open multipart upload: what CreateMultipartUpload started, for AbortMultipartUpload.
pub(crate) struct Upload {
    pub(crate) bucket: String,
    pub(crate) key: String,
    /// The principal that started it (`anon` for unsigned requests), whichever of its keys
    /// signed the request.
    pub(crate) initiator: String,
}

/// Largest object body kept (16 MiB): a bigger PutObject is refused with 400 EntityTooLarge.
pub(crate) const MAX_OBJECT_BYTES: usize = 16 << 20;
/// Largest total of object bodies kept (256 MiB), past which a PutObject is refused the same way.
pub(crate) const MAX_TOTAL_BYTES: usize = 256 << 20;

/// An object's content and its ETag (the MD5 of the content, hex).
#[derive(Clone)]
pub(crate) struct Body {
    pub(crate) bytes: bytes::Bytes,
    pub(crate) etag: String,
}

impl Body {
    pub(crate) fn new(bytes: bytes::Bytes) -> Body {
        use md5::Digest;
        let etag = md5::Md5::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Body { bytes, etag }
    }
}

/// Everything the endpoint holds: the model's world, keys, open multipart uploads, object
/// bodies.
///
/// Object bodies live here, keyed by bucket and key, not in the model: the model's world says
/// which objects exist and who owns them, never what they hold. A body is dropped as soon as
/// the model no longer has its object (DeleteObject, DeleteBucket, reset).
pub(crate) struct State {
    pub(crate) world: World,
    /// Access key id → key.
    pub(crate) keys: BTreeMap<String, Key>,
    pub(crate) mutants: Vec<Mutant>,
    /// Upload id → upload.
    pub(crate) uploads: BTreeMap<String, Upload>,
    /// (bucket, key) → body of the objects the model holds.
    pub(crate) bodies: BTreeMap<(String, String), Body>,
    pub(crate) rng: Rng,
    /// Accounts provisioned so far, in order.
    accounts: Vec<String>,
    /// Every request applied to the model since [`State::start_journal`], in the order served.
    pub(crate) journal: Option<Journal>,
    /// The paths of users and roles made under one.
    pub(crate) paths: Paths,
    /// When IAM changes take effect (at once unless a delay is set).
    pub(crate) propagation: Propagation,
    /// Accounts start as new AWS accounts do: the root user only, no `admin`.
    pub(crate) fresh_accounts: bool,
}

/// The requests the endpoint applied to the model, in the order it served them, from a known
/// world: the model replaying `entries` on `start` must give each outcome and end in the
/// endpoint's world, however many clients sent them at once (the lock serializes them).
#[derive(Debug, Clone)]
pub struct Journal {
    pub start: World,
    /// Each request as the model saw it (its principal, op and header), and its outcome.
    pub entries: Vec<(Step, Outcome)>,
}

impl State {
    pub(crate) fn new(mut mutants: Vec<Mutant>) -> State {
        mutants.sort();
        mutants.dedup();
        State {
            world: World::default(),
            keys: BTreeMap::new(),
            mutants,
            uploads: BTreeMap::new(),
            bodies: BTreeMap::new(),
            rng: Rng::from_clock(),
            accounts: Vec::new(),
            journal: None,
            paths: Paths::default(),
            propagation: Propagation::default(),
            fresh_accounts: false,
        }
    }

    /// Starts recording every request applied to the model, from the world as it is now.
    pub(crate) fn start_journal(&mut self) {
        self.journal = Some(Journal {
            start: self.world.clone(),
            entries: Vec::new(),
        });
    }

    /// Adds an account (idempotent) with root and `admin` keys (root only with fresh accounts);
    /// returns them.
    pub(crate) fn add_account(&mut self, name: &str) -> BTreeMap<String, Creds> {
        self.world.add_account(name);
        if !self.accounts.iter().any(|a| a == name) {
            self.accounts.push(name.to_string());
        }
        let who: &[&str] = if self.fresh_accounts {
            self.drop_admin(name);
            &["root"]
        } else {
            &["root", "admin"]
        };
        who.iter()
            .copied()
            .map(|who| {
                let principal = format!("{name}.{who}");
                let creds = self.provisioned_key(name, who, &principal);
                (principal, creds)
            })
            .collect()
    }

    /// Removes the `admin` user the model gives every account, unless one was made through
    /// IAM since (fresh accounts).
    fn drop_admin(&mut self, name: &str) {
        let account = AccountName(name.to_string());
        let made = self.keys.values().any(|k| {
            !k.provisioned
                && k.user
                    .as_ref()
                    .is_some_and(|(a, u)| *a == account && u == "admin")
        });
        if made {
            return;
        }
        if let Some(a) = self.world.accounts.get_mut(&account) {
            a.users.remove("admin");
        }
    }

    /// The provisioned key of `principal` (`who` of account `name`): the one made before, or a
    /// new one.
    fn provisioned_key(&mut self, name: &str, who: &str, principal: &str) -> Creds {
        let existing = self
            .keys
            .iter()
            .find(|(_, k)| k.provisioned && k.principal == principal);
        if let Some((id, k)) = existing {
            return k.creds(id);
        }
        let (id, mut key) = self.rng.new_key("AKIA", principal);
        key.provisioned = true;
        if who == "admin" {
            key.user = Some((AccountName(name.to_string()), "admin".into()));
        }
        let creds = key.creds(&id);
        self.keys.insert(id, key);
        creds
    }

    /// The secret of an access key (for SigV4 verification).
    /// A new key does not work before its IAM propagation delay is over.
    pub(crate) fn secret_of(&self, access_key: &str) -> Option<String> {
        let k = self.keys.get(access_key)?;
        if k.usable_from.is_some_and(|t| std::time::Instant::now() < t) {
            return None;
        }
        Some(k.secret.clone())
    }

    /// The principal a signed request acts as, after the session-token check.
    pub(crate) fn principal_of(
        &self,
        access_key: &str,
        token: Option<&str>,
    ) -> Result<String, AuthError> {
        let k = self.keys.get(access_key).ok_or(AuthError::UnknownKey)?;
        if k.token.as_deref() != token {
            return Err(AuthError::BadToken);
        }
        Ok(k.principal.clone())
    }

    /// One request through the model with the injected deviation, if any. Wire input is
    /// literal: no scenario placeholder in it is resolved.
    pub(crate) fn apply(
        &mut self,
        principal: &str,
        op: Op,
        expected_bucket_owner: Option<String>,
    ) -> Result<(Outcome, Explanation), StepError> {
        let op = self.paths.strip_op(op);
        if let Some(denied) = self.not_yet_propagated(principal, &op) {
            return Ok(denied);
        }
        let step = Step {
            as_: principal.to_string(),
            op,
            expected_bucket_owner,
            expect: None,
        };
        let r = deviation::step_literal_with(&self.mutants, &mut self.world, &step);
        self.drop_gone_bodies();
        if let (Some(j), Ok((outcome, _))) = (&mut self.journal, &r) {
            j.entries.push((step, outcome.clone()));
        }
        r
    }

    /// With a propagation delay: the refusal of a request by a user or role session whose
    /// user or role changed too recently, or of an AssumeRole of a role that did.
    fn not_yet_propagated(&self, principal: &str, op: &Op) -> Option<(Outcome, Explanation)> {
        if self.propagation.delay.is_zero() {
            return None;
        }
        let caller = self
            .principal(principal)
            .ok()
            .and_then(|p| changed_entity(&p));
        let assumed = match op {
            Op::AssumeRole { role_arn, .. } => parse_role_arn(role_arn).and_then(|(id, name)| {
                let a = self.world.account_by_id(id)?;
                Some((a.name.clone(), Kind::Role, name.to_string()))
            }),
            _ => None,
        };
        let caller = caller.filter(|(a, k, n)| self.propagation.pending(a, *k, n));
        let assumed = assumed.filter(|(a, k, n)| self.propagation.unborn(a, *k, n));
        let (account, kind, name) = caller.or(assumed)?;
        let mut ex = Explanation::default();
        ex.lines.push(Because {
            rule: "propagation",
            detail: format!(
                "the latest change of {account}'s {} {name} has not propagated yet (IAM is eventually consistent)",
                if kind == Kind::User { "user" } else { "role" }
            ),
        });
        Some((Outcome::error(403, "AccessDenied"), ex))
    }

    /// A user, or a session of a role, whose latest IAM change has not propagated yet.
    pub(crate) fn pending(&self, p: &Principal) -> bool {
        changed_entity(p).is_some_and(|(a, k, n)| self.propagation.pending(&a, k, &n))
    }

    /// Forgets the bodies of objects the model no longer has.
    fn drop_gone_bodies(&mut self) {
        let buckets = &self.world.buckets;
        self.bodies
            .retain(|(b, k), _| buckets.get(b).is_some_and(|b| b.objects.contains_key(k)));
    }

    /// Total bytes of the bodies kept.
    pub(crate) fn body_bytes(&self) -> usize {
        self.bodies.values().map(|b| b.bytes.len()).sum()
    }

    /// The body of an object (empty when none was kept).
    pub(crate) fn body(&self, bucket: &str, key: &str) -> Body {
        self.bodies
            .get(&(bucket.to_string(), key.to_string()))
            .cloned()
            .unwrap_or_else(|| Body::new(bytes::Bytes::new()))
    }

    /// `text` (a model explanation line) with the account placeholders the model writes for
    /// stable snapshots (`${A}`, `${A.canonical}`, `${A.email}`) replaced by the real ids, as
    /// AWS's messages name them.
    pub(crate) fn real_ids(&self, text: &str) -> String {
        let mut out = text.to_string();
        for a in self.world.accounts.values() {
            out = out
                .replace(&format!("${{{}.canonical}}", a.name), &a.canonical)
                .replace(&format!("${{{}.email}}", a.name), &a.email)
                .replace(&format!("${{{}}}", a.name), &a.id);
        }
        out
    }

    /// Credentials for a new key of IAM user `user` of `account`.
    pub(crate) fn issue_user_key(&mut self, account: &AccountName, user: &str) -> (String, Key) {
        let (id, mut key) = self.rng.new_key("AKIA", &format!("{account}.{user}"));
        key.user = Some((account.clone(), user.to_string()));
        key.usable_from = self.propagation.effective_from_now();
        self.keys.insert(id.clone(), key.clone());
        (id, key)
    }

    /// The principal a request by `name` (a key's principal) acts as: the model's, as the
    /// injected deviation sees it (a role session may act as who assumed the role).
    pub(crate) fn principal(&self, name: &str) -> Result<Principal, PrincipalError> {
        deviation::resolve_principal(&self.mutants, &self.world, name)
    }

    /// Keys of a new role session (not stored yet). The model names sessions by their key id.
    pub(crate) fn issue_session_key(&mut self) -> (String, Key) {
        let (id, mut key) = self.rng.new_key("ASIA", "");
        key.principal = id.clone();
        key.token = Some(self.rng.session_token());
        (id, key)
    }

    /// Access keys of IAM user `user` (ListAccessKeys): id and creation date.
    pub(crate) fn user_keys(&self, account: &AccountName, user: &str) -> Vec<(String, String)> {
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
    pub(crate) fn reset(&mut self) -> Vec<String> {
        let mut removed = self.leftovers();
        let fresh = World::with_accounts(&self.accounts);
        let env = self.world.env.clone();
        let region = self.world.region.clone();
        self.world = fresh;
        self.world.env = env;
        self.world.region = region;
        let before = self.keys.len();
        self.keys.retain(|_, k| k.provisioned);
        let keys = before - self.keys.len();
        if keys > 0 {
            removed.push(format!("{keys} access key(s)"));
        }
        self.uploads.clear();
        self.bodies.clear();
        self.paths.clear();
        self.propagation.clear();
        if self.fresh_accounts {
            for a in self.accounts.clone() {
                self.drop_admin(&a);
            }
        }
        removed
    }

    /// Buckets, non-admin users, roles and sessions in the world.
    pub(crate) fn leftovers(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .world
            .buckets
            .keys()
            .map(|b| format!("bucket {b}"))
            .collect();
        for a in self.world.accounts.values() {
            let fresh = self.fresh_accounts;
            for u in a.users.keys().filter(|u| fresh || *u != "admin") {
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

/// The user or role whose changes decide what a principal may do.
fn changed_entity(p: &Principal) -> Option<(AccountName, Kind, String)> {
    match p {
        Principal::User { account, name } => Some((account.clone(), Kind::User, name.clone())),
        Principal::Session { account, role, .. } => {
            Some((account.clone(), Kind::Role, role.clone()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provisioned_keys_survive_a_reset_and_others_do_not() {
        let mut st = State::new(Vec::new());
        let creds = st.add_account("A");
        let admin = &creds["A.admin"];
        assert!(admin.access_key_id.starts_with("AKIA"));
        assert_eq!(admin.secret_access_key.len(), 40);
        let (uid, _) = st.issue_user_key(&AccountName("A".into()), "u1");
        let (sid, skey) = st.issue_session_key();
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
