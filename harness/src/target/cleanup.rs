//! Clean-up through the APIs, with each account's admin: everything a run created (objects,
//! buckets, user policies, access keys, users, role policies, roles) and nothing else.
//! Targets with an admin tool of their own (RGW) or more to remove (moto) add to it.

use crate::target::execute::TargetState;
use crate::target::sdk::Clients;
use serde::Serialize;

/// What clean-up removed, and what it could not.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Cleanup {
    pub removed: Vec<String>,
    pub failed: Vec<String>,
}

/// Removes what the run created, newest first, each with its account's admin.
pub async fn cleanup_via_api(state: &TargetState) -> Cleanup {
    let mut report = Cleanup::default();
    let admin = |account: &str| state.principals.get(&format!("{account}.admin"));
    for (account, logical) in state.created.buckets.iter().rev() {
        if let Some(c) = admin(account) {
            let bucket = state.mapping.real_bucket(logical);
            remove_bucket(c, &bucket, &mut report).await;
        }
    }
    for (account, user, policy) in &state.created.user_policies {
        if let Some(c) = admin(account) {
            let req = c.iam.delete_user_policy().user_name(user);
            let _ = req.policy_name(policy).send().await;
        }
    }
    for (account, user) in state.created.users.iter().rev() {
        if let Some(c) = admin(account) {
            remove_user(c, account, user, &mut report).await;
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
async fn remove_bucket(c: &Clients, bucket: &str, report: &mut Cleanup) {
    // The run's own bucket policy may deny the admin what clean-up needs: remove it first.
    let _ = c.s3.delete_bucket_policy().bucket(bucket).send().await;
    let objects_removed = remove_objects(c, bucket, report).await;
    match c.s3.delete_bucket().bucket(bucket).send().await {
        Ok(_) => report.removed.push(format!("bucket {bucket}")),
        Err(e) => {
            // Already deleted by the scenario: nothing left behind.
            let gone = e.raw_response().is_some_and(|r| r.status().as_u16() == 404);
            if !gone {
                report.failed.push(format!("bucket {bucket}"));
            } else if objects_removed {
                report
                    .removed
                    .push(format!("bucket {bucket} (already gone)"));
            }
        }
    }
}

/// The objects of a bucket; `false` when one could not be deleted.
async fn remove_objects(c: &Clients, bucket: &str, report: &mut Cleanup) -> bool {
    let Ok(list) = c.s3.list_objects_v2().bucket(bucket).send().await else {
        return true;
    };
    let mut ok = true;
    for k in list.contents().iter().filter_map(|o| o.key()) {
        let deleted = c.s3.delete_object().bucket(bucket).key(k).send().await;
        if deleted.is_err() {
            ok = false;
            report.failed.push(format!("object {bucket}/{k}"));
        }
    }
    ok
}

/// A user and its access keys (its inline policies are gone by then).
async fn remove_user(c: &Clients, account: &str, user: &str, report: &mut Cleanup) {
    if let Ok(keys) = c.iam.list_access_keys().user_name(user).send().await {
        for id in keys
            .access_key_metadata()
            .iter()
            .filter_map(|k| k.access_key_id())
        {
            let req = c.iam.delete_access_key().user_name(user);
            let _ = req.access_key_id(id).send().await;
        }
    }
    match c.iam.delete_user().user_name(user).send().await {
        Ok(_) => report.removed.push(format!("user {account}.{user}")),
        Err(_) => report.failed.push(format!("user {account}.{user}")),
    }
}

/// A role and the inline policies the run put on it.
async fn remove_role(
    c: &Clients,
    account: &str,
    role: &str,
    policies: &[String],
    report: &mut Cleanup,
) {
    for p in policies {
        let req = c.iam.delete_role_policy().role_name(role);
        let _ = req.policy_name(p).send().await;
    }
    match c.iam.delete_role().role_name(role).send().await {
        Ok(_) => report.removed.push(format!("role {account}:{role}")),
        Err(_) => report.failed.push(format!("role {account}:{role}")),
    }
}
