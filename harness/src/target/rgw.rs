//! The `rgw` target: Ceph RGW (Debian's packages, started by `scripts/backends/rgw`).
//!
//! Tenants stand in for accounts: every run makes fresh tenants `x<run><A>`, each with an
//! `admin` user (caps `roles=*;user-policy=*` so it may use RGW's IAM API), made with
//! `radosgw-admin` against the cluster's `CEPH_CONF`. `${A}` is the tenant, `${A.canonical}`
//! the canonical id of `<tenant>$admin` (RGW's canonical ids are per user, not per account),
//! and another tenant's bucket is addressed as `<tenant>:<bucket>`. RGW's IAM API has no
//! CreateUser (405), so `create_user` steps are carried out with radosgw-admin.

use super::provision::{run_id, user_policy_document, ADMIN_POLICY};
use super::{cleanup_via_api, Capabilities, Cleanup, TargetError};
use crate::compare::Observed;
use crate::target::answer;
use crate::target::execute::{IamKind, IamName, TargetState};
use crate::target::mapping::{AccountMap, CrossAddressing, Mapping};
use crate::target::sdk::{self, Creds, EndpointConfig};
use std::collections::BTreeMap;
use std::time::Duration;
use xacct_model::outcome::Outcome;
use xacct_model::scenario::Step;

pub struct Rgw {
    endpoint: String,
    ceph_conf: String,
    /// Tenants of the current run (account → tenant), for clean-up.
    tenants: BTreeMap<String, String>,
    /// Every tenant this target ever made, for the leftover check.
    history: Vec<String>,
    /// Users made by `create_user` since the last case clean-up: (tenant, uid).
    case_users: Vec<(String, String)>,
}

impl Rgw {
    pub fn new(endpoint: &str, ceph_conf: &str) -> Rgw {
        Rgw {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            ceph_conf: ceph_conf.to_string(),
            tenants: BTreeMap::new(),
            history: Vec::new(),
            case_users: Vec::new(),
        }
    }

    pub fn capabilities(&self) -> Capabilities {
        Capabilities {
            root: false,
            anonymous: true,
            // RGW 16 has none: Put answers 400 InvalidArgument, Get a bogus 200 (a listing),
            // and Delete deletes the bucket itself when it is empty. Never sent.
            ownership_controls: false,
            distinct_canonical_ids: true,
            email_grants: false,
            propagation_retries: 0,
            propagation_delay: Duration::ZERO,
            notes: vec![
                "accounts: RGW tenants (x<run><A>); ${A} is the tenant name".into(),
                "canonical ids are per user on RGW: ${A.canonical} is <tenant>$admin, so a grant to it covers only the admin user, not the whole account".into(),
                "root: RGW tenants have no root user; A.root steps are unsupported".into(),
                "create_user is provisioned with radosgw-admin (RGW's IAM API has no CreateUser)".into(),
                "ownership controls: absent on RGW 16 (DeleteBucketOwnershipControls would delete the bucket); those steps are unsupported".into(),
            ],
        }
    }

    /// Runs radosgw-admin with the cluster's config; JSON output parsed.
    async fn admin(&self, args: &[&str]) -> Result<serde_json::Value, TargetError> {
        let command = || args.join(" ");
        let out = tokio::time::timeout(
            Duration::from_secs(30),
            tokio::process::Command::new("radosgw-admin")
                .args(args)
                .env("CEPH_CONF", &self.ceph_conf)
                .kill_on_drop(true)
                .output(),
        )
        .await
        .map_err(|_| TargetError::RadosgwAdminTimeout { command: command() })?
        .map_err(|error| TargetError::RadosgwAdminNotRun { error })?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(TargetError::RadosgwAdminFailed {
                command: command(),
                stderr: err.lines().last().unwrap_or("").to_string(),
            });
        }
        if out.stdout.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        // Some subcommands (role delete, …) print text, not JSON; their output is not needed.
        Ok(serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(&out.stdout).trim().to_string())
        }))
    }

    /// Creates `<tenant>$<uid>` and returns its keys.
    async fn make_user(
        &self,
        tenant: &str,
        uid: &str,
        caps: Option<&str>,
    ) -> Result<Creds, TargetError> {
        let display_name = format!("xacct {tenant} {uid}");
        let v = self
            .admin(&[
                "user",
                "create",
                "--tenant",
                tenant,
                "--uid",
                uid,
                "--display-name",
                &display_name,
            ])
            .await?;
        if let Some(c) = caps {
            let user = format!("{tenant}${uid}");
            self.admin(&["caps", "add", "--uid", &user, "--caps", c])
                .await?;
        }
        let no = |missing| TargetError::RadosgwAdminAnswer {
            command: "user create".into(),
            missing,
        };
        let k = v.get("keys").and_then(|k| k.get(0)).ok_or(no("keys"))?;
        let field = |f: &'static str| k.get(f).and_then(|x| x.as_str()).map(str::to_string);
        Ok(Creds {
            access_key_id: field("access_key").ok_or(no("access_key"))?,
            secret_access_key: field("secret_key").ok_or(no("secret_key"))?,
            session_token: None,
        })
    }

    pub async fn provision(
        &mut self,
        accounts: &[String],
        logical_buckets: Vec<String>,
    ) -> Result<TargetState, TargetError> {
        let result = self.provision_tenants(accounts, logical_buckets).await;
        if result.is_err() {
            // Nothing half-made stays behind.
            let _ = self.remove_tenants().await;
        }
        result
    }

    async fn provision_tenants(
        &mut self,
        accounts: &[String],
        logical_buckets: Vec<String>,
    ) -> Result<TargetState, TargetError> {
        let run = run_id();
        let ep = EndpointConfig::single(&self.endpoint);
        let mut map = BTreeMap::new();
        let mut admins = Vec::new();
        for a in accounts {
            let tenant = format!("x{run}{a}");
            self.tenants.insert(a.clone(), tenant.clone());
            self.history.push(tenant.clone());
            let creds = self.provision_admin(&ep, &tenant).await?;
            let account = AccountMap {
                id: tenant.clone(),
                canonical: format!("{tenant}$admin"),
                email: None,
            };
            map.insert(a.clone(), account);
            admins.push((a.clone(), creds));
        }
        let mapping = Mapping::new(
            format!("xacct-{run}-"),
            "/".into(),
            CrossAddressing::TenantColon,
            map,
        );
        let mut state = TargetState::new(ep, mapping, logical_buckets);
        for (a, c) in admins {
            state.add_principal(&format!("{a}.admin"), &c);
        }
        Ok(state)
    }

    /// `<tenant>$admin`, allowed RGW's IAM API (caps) and, through an identity policy,
    /// everything, as A.admin has on AWS.
    async fn provision_admin(
        &self,
        ep: &EndpointConfig,
        tenant: &str,
    ) -> Result<Creds, TargetError> {
        let creds = self
            .make_user(tenant, "admin", Some("roles=*;user-policy=*"))
            .await?;
        let admin = format!("{tenant}$admin");
        let c = sdk::clients(ep, Some(&creds));
        c.iam
            .put_user_policy()
            .user_name(&admin)
            .policy_name("AdministratorAccess")
            .policy_document(ADMIN_POLICY)
            .send()
            .await
            .map_err(|e| TargetError::call(admin, "PutUserPolicy", e))?;
        Ok(creds)
    }

    /// `create_user`: radosgw-admin makes the user; its inline policy goes through RGW's IAM
    /// API as the step's caller (that answer is the one compared).
    pub async fn create_user(
        &mut self,
        state: &mut TargetState,
        step: &Step,
        name: &str,
        policy: Option<&serde_json::Value>,
    ) -> Observed {
        let Some(account) = state.account_of(&step.as_) else {
            return Observed::Skipped {
                why: format!("the account of {} is not known", step.as_),
            };
        };
        let Some(tenant) = self.tenants.get(&account).cloned() else {
            return Observed::Skipped {
                why: format!("account {account} was not provisioned"),
            };
        };
        // A user this case already made: an IAM API would answer 409 EntityAlreadyExists, and
        // nothing changes; radosgw-admin can only refuse, which says nothing about RGW's rules.
        if self
            .case_users
            .iter()
            .any(|(t, n)| *t == tenant && n == name)
        {
            return Observed::Provisioned {
                how: format!("{tenant}${name} was already made in this case; nothing sent"),
            };
        }
        let creds = match self.make_user(&tenant, name, None).await {
            Ok(c) => c,
            Err(e) => return Observed::fault(e.to_string()),
        };
        state.add_principal(&format!("{account}.{name}"), &creds);
        self.case_users.push((tenant.clone(), name.to_string()));
        let Some(p) = policy else {
            return Observed::Provisioned {
                how: format!("radosgw-admin user create --tenant {tenant} --uid {name}"),
            };
        };
        let Some(c) = state.principals.get(&step.as_).cloned() else {
            return Observed::Skipped {
                why: format!("principal {} does not exist on the target", step.as_),
            };
        };
        let doc = user_policy_document(state, p);
        match c
            .iam
            .put_user_policy()
            .user_name(format!("{tenant}${name}"))
            .policy_name("inline")
            .policy_document(doc)
            .send()
            .await
        {
            Ok(_) => Observed::answer(Outcome::status(answer::success_status(&c, 200))),
            Err(e) => answer::from_error(e, false),
        }
    }

    /// Removes what a case made: buckets and roles through the API (radosgw-admin for buckets
    /// the admins cannot delete, e.g. those role sessions made), users with radosgw-admin.
    pub async fn cleanup_case(&mut self, state: &TargetState) -> Cleanup {
        let mut report = cleanup_via_api(state).await;
        // What the API could not remove (a case's policy may deny it even the bucket owner):
        // purge those buckets, objects included, with radosgw-admin.
        let (purge, mut still) = buckets_to_purge(std::mem::take(&mut report.failed));
        for bucket in purge {
            if self.purge_bucket(state, &bucket).await {
                report
                    .removed
                    .push(format!("bucket {bucket} (purged with radosgw-admin)"));
            } else {
                still.push(format!("bucket {bucket}"));
            }
        }
        report.failed = still;
        for (t, uid) in std::mem::take(&mut self.case_users) {
            match self.remove_user(&t, &uid).await {
                Ok(_) => report.removed.push(format!("user {t}${uid}")),
                Err(e) => {
                    report.failed.push(format!("user {t}${uid}: {e}"));
                    // Later cases must not create it again.
                    let account = self.tenants.iter().find(|(_, x)| **x == t);
                    if let Some((a, _)) = account {
                        report.fenced.push(IamName {
                            account: a.clone(),
                            kind: IamKind::User,
                            name: uid,
                        });
                    }
                }
            }
        }
        report
    }

    /// A bucket of the run, objects included, with radosgw-admin; `false` when it stays.
    async fn purge_bucket(&self, state: &TargetState, bucket: &str) -> bool {
        let owner = state
            .created
            .buckets
            .iter()
            .find(|(_, l)| state.mapping.real_bucket(l) == bucket)
            .map(|(a, _)| a.clone());
        let tenant = owner.and_then(|a| state.mapping.accounts.get(&a).map(|m| m.id.clone()));
        let Some(t) = tenant else {
            return false;
        };
        let tenant_bucket = format!("{t}/{bucket}");
        self.admin(&[
            "bucket",
            "rm",
            "--bucket",
            &tenant_bucket,
            "--purge-objects",
        ])
        .await
        .is_ok()
    }

    async fn remove_user(&self, tenant: &str, uid: &str) -> Result<serde_json::Value, TargetError> {
        self.admin(&[
            "user",
            "rm",
            "--tenant",
            tenant,
            "--uid",
            uid,
            "--purge-data",
        ])
        .await
    }

    /// Removes this run's tenants: their buckets (with objects), roles and users.
    pub async fn cleanup(&mut self, _state: &TargetState) -> Cleanup {
        self.remove_tenants().await
    }

    async fn remove_tenants(&mut self) -> Cleanup {
        let mut report = Cleanup::default();
        let tenants: Vec<String> = self.tenants.values().cloned().collect();
        self.remove_tenant_buckets(&tenants, &mut report).await;
        for t in &tenants {
            self.remove_tenant_roles(t, &mut report).await;
        }
        self.remove_tenant_users(&tenants, &mut report).await;
        self.tenants.clear();
        report
    }

    async fn remove_tenant_buckets(&self, tenants: &[String], report: &mut Cleanup) {
        let Ok(serde_json::Value::Array(buckets)) = self.admin(&["bucket", "list"]).await else {
            return;
        };
        for b in buckets.iter().filter_map(|b| b.as_str()) {
            if tenants.iter().any(|t| b.starts_with(&format!("{t}/"))) {
                match self
                    .admin(&["bucket", "rm", "--bucket", b, "--purge-objects"])
                    .await
                {
                    Ok(_) => report.removed.push(format!("bucket {b}")),
                    Err(e) => report.failed.push(format!("bucket {b}: {e}")),
                }
            }
        }
    }

    /// The roles of a tenant, with their policies.
    async fn remove_tenant_roles(&self, t: &str, report: &mut Cleanup) {
        let Ok(serde_json::Value::Array(roles)) =
            self.admin(&["role", "list", "--tenant", t]).await
        else {
            return;
        };
        for name in roles.iter().filter_map(|r| r.get("RoleName")?.as_str()) {
            if let Ok(serde_json::Value::Array(pols)) = self
                .admin(&["role-policy", "list", "--role-name", name, "--tenant", t])
                .await
            {
                for p in pols.iter().filter_map(|p| p.as_str()) {
                    let _ = self
                        .admin(&[
                            "role-policy",
                            "delete",
                            "--role-name",
                            name,
                            "--policy-name",
                            p,
                            "--tenant",
                            t,
                        ])
                        .await;
                }
            }
            match self
                .admin(&["role", "delete", "--role-name", name, "--tenant", t])
                .await
            {
                Ok(_) => report.removed.push(format!("role {t}:{name}")),
                Err(e) => report.failed.push(format!("role {t}:{name}: {e}")),
            }
        }
    }

    async fn remove_tenant_users(&self, tenants: &[String], report: &mut Cleanup) {
        let Ok(serde_json::Value::Array(users)) = self.admin(&["user", "list"]).await else {
            return;
        };
        for u in users.iter().filter_map(|u| u.as_str()) {
            let Some((t, uid)) = u.split_once('$') else {
                continue;
            };
            if tenants.iter().any(|x| x == t) {
                match self.remove_user(t, uid).await {
                    Ok(_) => report.removed.push(format!("user {u}")),
                    Err(e) => report.failed.push(format!("user {u}: {e}")),
                }
            }
        }
    }

    /// Everything this target made that is still on the cluster (for the no-leftovers test).
    pub async fn leftovers(&self) -> Result<Vec<String>, TargetError> {
        let tenants: Vec<&String> = self.history.iter().collect();
        let mut left = Vec::new();
        if let serde_json::Value::Array(b) = self.admin(&["bucket", "list"]).await? {
            left.extend(
                b.iter()
                    .filter_map(|x| x.as_str())
                    .filter(|x| tenants.iter().any(|t| x.starts_with(&format!("{t}/"))))
                    .map(|x| format!("bucket {x}")),
            );
        }
        if let serde_json::Value::Array(u) = self.admin(&["user", "list"]).await? {
            left.extend(
                u.iter()
                    .filter_map(|x| x.as_str())
                    .filter(|x| tenants.iter().any(|t| x.starts_with(&format!("{t}$"))))
                    .map(|x| format!("user {x}")),
            );
        }
        Ok(left)
    }
}

/// Splits clean-up failures into the buckets to purge (those of failed buckets and failed
/// objects, once each) and the rest.
fn buckets_to_purge(failed: Vec<String>) -> (Vec<String>, Vec<String>) {
    let mut purge: Vec<String> = Vec::new();
    let mut rest = Vec::new();
    for f in failed {
        // `bucket NAME (why)`, `object NAME/KEY (why)`.
        let bucket = f
            .strip_prefix("bucket ")
            .and_then(|b| b.split(' ').next())
            .or_else(|| f.strip_prefix("object ").and_then(|o| o.split('/').next()));
        match bucket {
            Some(b) => {
                if !purge.iter().any(|x| x == b) {
                    purge.push(b.to_string());
                }
            }
            None => rest.push(f),
        }
    }
    (purge, rest)
}
