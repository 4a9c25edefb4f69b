//! Clean-up through the APIs, with each account's admin: everything a run created (objects,
//! buckets, user policies, access keys, users, role policies, roles) and nothing else.
//! Targets with an admin tool of their own (RGW) or more to remove (moto) add to it.
//!
//! Each removal is sent up to [`ATTEMPTS`] times with a short backoff while the endpoint fails
//! (timeout, reset, 5xx); every failed attempt is recorded in [`Cleanup::faults`]. A 404 or
//! NoSuch* answer means the thing is not there: already removed by the scenario, never made (a
//! step that failed before the endpoint applied it), or removed by an earlier attempt whose
//! answer was lost. What still fails is left behind ([`Cleanup::failed`]).

use crate::compare::Observed;
use crate::target::answer::from_error;
use crate::target::execute::{IamKind, IamName, TargetState};
use crate::target::sdk::Clients;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde::Serialize;
use std::future::Future;
use std::time::Duration;
use xacct_model::outcome::Outcome;

/// Attempts per clean-up request while the endpoint fails.
pub const ATTEMPTS: u32 = 4;

/// The wait before the second attempt; it doubles for each further one (0.1, 0.2, 0.4 s).
const BACKOFF: Duration = Duration::from_millis(100);

/// What clean-up removed, and what it could not.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Cleanup {
    pub removed: Vec<String>,
    /// What is left behind (`bucket xacct-…`, `user A.u1`, …).
    pub failed: Vec<String>,
    /// Every clean-up request that failed as an endpoint fault, retried or not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<RequestFault>,
    /// The users and roles among `failed`: later cases must not create them again.
    #[serde(skip)]
    pub fenced: Vec<IamName>,
}

impl Cleanup {
    /// Adds what another clean-up did.
    pub fn extend(&mut self, other: Cleanup) {
        self.removed.extend(other.removed);
        self.failed.extend(other.failed);
        self.faults.extend(other.faults);
        self.fenced.extend(other.fenced);
    }
}

/// One request that failed as an endpoint fault (the fields of [`Observed::Fault`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestFault {
    /// The API call (`DeleteBucket`).
    pub op: String,
    pub status: Option<u16>,
    pub why: String,
    /// The raw answer, secrets never included.
    pub raw: String,
}

impl RequestFault {
    /// The fault `observed` is, if it is one, of a request `op`.
    pub fn of(op: &str, observed: &Observed) -> Option<RequestFault> {
        match observed {
            Observed::Fault { why, status, raw } => Some(RequestFault {
                op: op.to_string(),
                status: *status,
                why: why.clone(),
                raw: raw.clone(),
            }),
            _ => None,
        }
    }
}

/// How a clean-up request ended.
pub(crate) enum Sent<O> {
    Done(O),
    /// 404 / NoSuch*: not there.
    Gone,
    /// Refused (not a fault), or failing still after every attempt; says how.
    Failed(String),
}

/// The answer says the thing is not there.
fn not_there(o: &Outcome) -> bool {
    o.status == 404 || o.code.as_deref().is_some_and(|c| c.starts_with("NoSuch"))
}

/// Sends `request` until it is answered (up to [`ATTEMPTS`] times, backing off), recording each
/// fault in `report` under `op`.
pub(crate) async fn send<O, E, F, Fut>(op: &str, report: &mut Cleanup, mut request: F) -> Sent<O>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(BACKOFF * 2u32.pow(attempt - 1)).await;
        }
        let e = match request().await {
            Ok(o) => return Sent::Done(o),
            Err(e) => e,
        };
        let observed = from_error(e, false);
        if let Some(f) = RequestFault::of(op, &observed) {
            last = f.why.clone();
            report.faults.push(f);
            continue;
        }
        return match observed {
            Observed::Answer { outcome, .. } if not_there(&outcome) => Sent::Gone,
            other => Sent::Failed(other.to_string()),
        };
    }
    Sent::Failed(format!("{last} ({ATTEMPTS} attempts)"))
}

/// Removes what the run created, newest first, each with its account's admin.
pub async fn cleanup_via_api(state: &TargetState) -> Cleanup {
    let mut report = Cleanup::default();
    let admin = |account: &str| state.principals.get(&format!("{account}.admin"));
    for (account, logical) in state.created.buckets.iter().rev() {
        if let Some(c) = admin(account) {
            let bucket = state.mapping.real_bucket(logical);
            let root = state.principals.get(&format!("{account}.root"));
            remove_bucket(c, root, &bucket, &mut report).await;
        }
    }
    let users = &state.created.users;
    for (account, user, policy) in &state.created.user_policies {
        // The policies of the run's own users go with them (below).
        if !users.iter().any(|(a, u)| a == account && u == user) {
            if let Some(c) = admin(account) {
                let req = c
                    .iam
                    .delete_user_policy()
                    .user_name(user)
                    .policy_name(policy);
                send("DeleteUserPolicy", &mut report, || req.clone().send()).await;
            }
        }
    }
    for (account, user) in users.iter().rev() {
        if let Some(c) = admin(account) {
            let recorded = state.created.user_policies.iter();
            let policies = recorded.filter(|(a, u, _)| a == account && u == user);
            let policies: Vec<String> = policies.map(|(_, _, p)| p.clone()).collect();
            remove_user(c, account, user, &policies, &mut report).await;
        }
    }
    for (account, role, policies) in state.created.roles.iter().rev() {
        if let Some(c) = admin(account) {
            remove_role(c, account, role, policies, &mut report).await;
        }
    }
    report
}

/// A bucket and its objects; a bucket the scenario deleted itself is already gone.
async fn remove_bucket(c: &Clients, root: Option<&Clients>, bucket: &str, report: &mut Cleanup) {
    // The run's own bucket policy may deny the admin what clean-up needs: remove it first, as
    // the account's root if the admin may not (R29: the owning account's root always may).
    let policy = |c: &Clients| c.s3.delete_bucket_policy().bucket(bucket);
    let sent = send("DeleteBucketPolicy", report, || policy(c).send()).await;
    if let (Sent::Failed(_), Some(r)) = (sent, root) {
        send("DeleteBucketPolicy", report, || policy(r).send()).await;
    }
    let objects_removed = remove_objects(c, bucket, report).await;
    let delete = c.s3.delete_bucket().bucket(bucket);
    match send("DeleteBucket", report, || delete.clone().send()).await {
        Sent::Done(_) => report.removed.push(format!("bucket {bucket}")),
        Sent::Gone if objects_removed => report
            .removed
            .push(format!("bucket {bucket} (already gone)")),
        Sent::Gone => {}
        Sent::Failed(why) => report.failed.push(format!("bucket {bucket} ({why})")),
    }
}

/// The objects of a bucket; `false` when one could not be deleted.
async fn remove_objects(c: &Clients, bucket: &str, report: &mut Cleanup) -> bool {
    let list = c.s3.list_objects_v2().bucket(bucket);
    let Sent::Done(list) = send("ListObjectsV2", report, || list.clone().send()).await else {
        return true;
    };
    let mut ok = true;
    for k in list.contents().iter().filter_map(|o| o.key()) {
        let delete = c.s3.delete_object().bucket(bucket).key(k);
        if let Sent::Failed(why) = send("DeleteObject", report, || delete.clone().send()).await {
            ok = false;
            report.failed.push(format!("object {bucket}/{k} ({why})"));
        }
    }
    ok
}

/// A user with its inline policies (those the endpoint lists and those the run recorded: a
/// listing can fail) and access keys.
pub(crate) async fn remove_user(
    c: &Clients,
    account: &str,
    user: &str,
    recorded: &[String],
    report: &mut Cleanup,
) {
    let list = c.iam.list_user_policies().user_name(user);
    let mut policies = recorded.to_vec();
    if let Sent::Done(l) = send("ListUserPolicies", report, || list.clone().send()).await {
        policies.extend(l.policy_names().iter().cloned());
    }
    policies.sort();
    policies.dedup();
    for p in &policies {
        let req = c.iam.delete_user_policy().user_name(user).policy_name(p);
        send("DeleteUserPolicy", report, || req.clone().send()).await;
    }
    let list = c.iam.list_access_keys().user_name(user);
    if let Sent::Done(keys) = send("ListAccessKeys", report, || list.clone().send()).await {
        for id in keys
            .access_key_metadata()
            .iter()
            .filter_map(|k| k.access_key_id())
        {
            let req = c.iam.delete_access_key().user_name(user).access_key_id(id);
            send("DeleteAccessKey", report, || req.clone().send()).await;
        }
    }
    let delete = c.iam.delete_user().user_name(user);
    let sent = send("DeleteUser", report, || delete.clone().send()).await;
    removed_or_fenced(sent, IamKind::User, account, user, report);
}

/// A role and its inline policies (listed and recorded, as for users).
async fn remove_role(
    c: &Clients,
    account: &str,
    role: &str,
    recorded: &[String],
    report: &mut Cleanup,
) {
    let list = c.iam.list_role_policies().role_name(role);
    let mut policies = recorded.to_vec();
    if let Sent::Done(l) = send("ListRolePolicies", report, || list.clone().send()).await {
        policies.extend(l.policy_names().iter().cloned());
    }
    policies.sort();
    policies.dedup();
    for p in &policies {
        let req = c.iam.delete_role_policy().role_name(role).policy_name(p);
        send("DeleteRolePolicy", report, || req.clone().send()).await;
    }
    let delete = c.iam.delete_role().role_name(role);
    let sent = send("DeleteRole", report, || delete.clone().send()).await;
    removed_or_fenced(sent, IamKind::Role, account, role, report);
}

/// Records a user's or role's removal, or that it is left behind (and fenced off).
fn removed_or_fenced<O>(sent: Sent<O>, kind: IamKind, account: &str, name: &str, r: &mut Cleanup) {
    let iam = IamName {
        account: account.to_string(),
        kind,
        name: name.to_string(),
    };
    match sent {
        Sent::Failed(why) => {
            r.failed.push(format!("{iam} ({why})"));
            r.fenced.push(iam);
        }
        Sent::Done(_) | Sent::Gone => r.removed.push(iam.to_string()),
    }
}
