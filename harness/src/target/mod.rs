//! Targets: the endpoints a scenario runs against. Each provisions the
//! scenario's accounts, carries out steps (most through the shared executor), and cleans up
//! everything it created under the run prefix.

pub mod answer;
pub mod embedded;
pub mod execute;
pub mod generic;
pub mod mapping;
pub mod moto;
pub mod rgw;
pub mod sdk;

use crate::compare::Observed;
use execute::TargetState;
use sdk::Creds;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;
use xacct_endpoint::Mutant;
use xacct_model::outcome::Outcome;
use xacct_model::scenario::{Op, Step};

/// What a target declares about itself; steps needing what it lacks are `unsupported`.
#[derive(Debug, Clone, Serialize)]
pub struct Capabilities {
    /// Credentials for `A.root`.
    pub root: bool,
    /// Unsigned requests are answered (not refused wholesale).
    pub anonymous: bool,
    /// Put/Get/DeleteBucketOwnershipControls exist.
    pub ownership_controls: bool,
    /// Canonical ids tell accounts apart (owner / grantee comparisons mean something).
    pub distinct_canonical_ids: bool,
    /// After IAM / STS / policy changes, how often and how long to retry a step the model
    /// allows and the target denies (eventual consistency); every retry is recorded.
    pub propagation_retries: u32,
    pub propagation_delay: Duration,
    /// Facts a reader of the report should know (how accounts are mapped, …).
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("{0}")]
    Setup(String),
    #[error("the endpoint failed during provisioning: {0}")]
    Endpoint(String),
}

/// What clean-up removed, and what it could not.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Cleanup {
    pub removed: Vec<String>,
    pub failed: Vec<String>,
}

pub enum Target {
    Embedded(embedded::Embedded),
    Moto(moto::Moto),
    Rgw(rgw::Rgw),
    Generic(generic::Generic),
}

impl Target {
    pub fn name(&self) -> &str {
        match self {
            Target::Embedded(e) => e.name(),
            Target::Moto(_) => "moto",
            Target::Rgw(_) => "rgw",
            Target::Generic(g) => g.name(),
        }
    }

    pub fn capabilities(&self) -> Capabilities {
        match self {
            Target::Embedded(e) => e.capabilities(),
            Target::Moto(m) => m.capabilities(),
            Target::Rgw(r) => r.capabilities(),
            Target::Generic(g) => g.capabilities(),
        }
    }

    /// Provisions the scenario's accounts (each with an `admin`) under a fresh run prefix.
    pub async fn provision(
        &mut self,
        accounts: &[String],
        logical_buckets: Vec<String>,
    ) -> Result<TargetState, TargetError> {
        match self {
            Target::Embedded(e) => e.provision(accounts, logical_buckets).await,
            Target::Moto(m) => m.provision(accounts, logical_buckets).await,
            Target::Rgw(r) => r.provision(accounts, logical_buckets).await,
            Target::Generic(g) => g.provision(accounts, logical_buckets).await,
        }
    }

    /// Carries out one step.
    pub async fn step(&mut self, state: &mut TargetState, step: &Step) -> Observed {
        let caps = self.capabilities();
        if step.as_ == "anon" && !caps.anonymous {
            return Observed::Unsupported {
                why: format!("{} does not answer unsigned requests", self.name()),
            };
        }
        match &step.op {
            Op::CreateUser { name, policy } => match self {
                Target::Rgw(r) => r.create_user(state, step, name, policy.as_ref()).await,
                _ => create_user_via_iam(state, step, name, policy.as_ref()).await,
            },
            Op::GetBucketOwnershipControls { .. }
            | Op::PutBucketOwnershipControls { .. }
            | Op::DeleteBucketOwnershipControls { .. }
                if !caps.ownership_controls =>
            {
                Observed::Unsupported {
                    why: format!("{} has no ownership controls", self.name()),
                }
            }
            _ => execute::execute(state, step).await,
        }
    }

    /// Removes everything the run created; called after success, failure or Ctrl-C.
    pub async fn cleanup(&mut self, state: &TargetState) -> Cleanup {
        match self {
            Target::Embedded(e) => e.cleanup_case(state).await,
            Target::Rgw(r) => r.cleanup(state).await,
            Target::Moto(m) => m.cleanup(state).await,
            Target::Generic(_) => cleanup_via_api(state).await,
        }
    }

    /// Removes what one case of a random run created (buckets, users, roles), keeping the run's
    /// accounts for the next case.
    pub async fn cleanup_case(&mut self, state: &TargetState) -> Cleanup {
        match self {
            Target::Embedded(e) => e.cleanup_case(state).await,
            Target::Rgw(r) => r.cleanup_case(state).await,
            _ => cleanup_via_api(state).await,
        }
    }

    /// What this target made that is still there after clean-up (for tests and reports);
    /// `None` where the target cannot tell.
    pub async fn leftovers(&self) -> Option<Result<Vec<String>, TargetError>> {
        match self {
            Target::Embedded(e) => Some(e.leftovers().await),
            Target::Rgw(r) => Some(r.leftovers().await),
            Target::Moto(m) => Some(m.leftovers().await),
            Target::Generic(_) => None,
        }
    }
}

/// A short random run id (hex), different for every run in and across processes.
pub fn run_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.write_u32(std::process::id());
    format!("{:08x}", h.finish() as u32)
}

/// `create_user` through the IAM API as the step's caller: CreateUser (the compared answer),
/// then PutUserPolicy and CreateAccessKey, so later steps can act as the new user.
pub async fn create_user_via_iam(
    state: &mut TargetState,
    step: &Step,
    name: &str,
    policy: Option<&serde_json::Value>,
) -> Observed {
    let Some(c) = state.principals.get(&step.as_).cloned() else {
        return Observed::Skipped {
            why: format!("principal {} does not exist on the target", step.as_),
        };
    };
    let Some(account) = state.account_of(&step.as_) else {
        return Observed::Skipped {
            why: format!("the account of {} is not known", step.as_),
        };
    };
    let mut req = c.iam.create_user().user_name(name);
    let path = state.mapping.iam_path.clone();
    if path != "/" && !path.is_empty() {
        req = req.path(path);
    }
    let status = match req.send().await {
        Ok(_) => answer::success_status(&c, 200),
        Err(e) => return answer::from_error(e, false),
    };
    state
        .created
        .users
        .push((account.clone(), name.to_string()));
    if let Some(p) = policy {
        let doc = serde_json::to_string(&state.mapping.rewrite_json(p, &state.logical_buckets))
            .unwrap_or_default();
        if let Err(e) = c
            .iam
            .put_user_policy()
            .user_name(name)
            .policy_name("inline")
            .policy_document(doc)
            .send()
            .await
        {
            return answer::from_error(e, false);
        }
        state
            .created
            .user_policies
            .push((account.clone(), name.to_string(), "inline".into()));
    }
    match c.iam.create_access_key().user_name(name).send().await {
        Ok(out) => {
            if let Some(k) = out.access_key() {
                let creds = Creds {
                    access_key_id: k.access_key_id().to_string(),
                    secret_access_key: k.secret_access_key().to_string(),
                    session_token: None,
                };
                state.add_principal(&format!("{account}.{name}"), &creds);
            }
        }
        Err(e) => return answer::from_error(e, false),
    }
    Observed::answer(Outcome::status(status))
}

/// Clean-up through the APIs, with each account's admin: objects, buckets, user policies,
/// access keys, users, role policies, roles — only what this run created.
pub async fn cleanup_via_api(state: &TargetState) -> Cleanup {
    let mut report = Cleanup::default();
    for (account, logical) in state.created.buckets.iter().rev() {
        let Some(c) = state.principals.get(&format!("{account}.admin")) else {
            continue;
        };
        let bucket = state.mapping.real_bucket(logical);
        // The run's own bucket policy may deny the admin what clean-up needs: remove it first.
        let _ = c.s3.delete_bucket_policy().bucket(&bucket).send().await;
        let mut ok = true;
        if let Ok(list) = c.s3.list_objects_v2().bucket(&bucket).send().await {
            for o in list.contents() {
                if let Some(k) = o.key() {
                    if c.s3
                        .delete_object()
                        .bucket(&bucket)
                        .key(k)
                        .send()
                        .await
                        .is_err()
                    {
                        ok = false;
                        report.failed.push(format!("object {bucket}/{k}"));
                    }
                }
            }
        }
        match c.s3.delete_bucket().bucket(&bucket).send().await {
            Ok(_) => report.removed.push(format!("bucket {bucket}")),
            Err(e) => {
                // Already deleted by the scenario: nothing left behind.
                let gone = e.raw_response().is_some_and(|r| r.status().as_u16() == 404);
                if !gone {
                    report.failed.push(format!("bucket {bucket}"));
                } else if ok {
                    report
                        .removed
                        .push(format!("bucket {bucket} (already gone)"));
                }
            }
        }
    }
    for (account, user, policy) in &state.created.user_policies {
        if let Some(c) = state.principals.get(&format!("{account}.admin")) {
            let _ = c
                .iam
                .delete_user_policy()
                .user_name(user)
                .policy_name(policy)
                .send()
                .await;
        }
    }
    for (account, user) in state.created.users.iter().rev() {
        let Some(c) = state.principals.get(&format!("{account}.admin")) else {
            continue;
        };
        if let Ok(keys) = c.iam.list_access_keys().user_name(user).send().await {
            for k in keys.access_key_metadata() {
                if let Some(id) = k.access_key_id() {
                    let _ = c
                        .iam
                        .delete_access_key()
                        .user_name(user)
                        .access_key_id(id)
                        .send()
                        .await;
                }
            }
        }
        match c.iam.delete_user().user_name(user).send().await {
            Ok(_) => report.removed.push(format!("user {account}.{user}")),
            Err(_) => report.failed.push(format!("user {account}.{user}")),
        }
    }
    for (account, role, policies) in state.created.roles.iter().rev() {
        let Some(c) = state.principals.get(&format!("{account}.admin")) else {
            continue;
        };
        for p in policies {
            let _ = c
                .iam
                .delete_role_policy()
                .role_name(role)
                .policy_name(p)
                .send()
                .await;
        }
        match c.iam.delete_role().role_name(role).send().await {
            Ok(_) => report.removed.push(format!("role {account}:{role}")),
            Err(_) => report.failed.push(format!("role {account}:{role}")),
        }
    }
    report
}

/// Which kind of target to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// The in-process endpoint serving the model (the default).
    Embedded,
    Rgw,
    Moto,
    Generic,
    Aws,
}

/// A target name that is not one; the message lists the valid ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no target is named {0:?}; the targets are: embedded, rgw, moto, generic, aws")]
pub struct UnknownTarget(pub String);

impl std::str::FromStr for TargetKind {
    type Err = UnknownTarget;

    fn from_str(s: &str) -> Result<TargetKind, UnknownTarget> {
        TargetKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| UnknownTarget(s.into()))
    }
}

impl TargetKind {
    pub const ALL: [TargetKind; 5] = [
        TargetKind::Embedded,
        TargetKind::Rgw,
        TargetKind::Moto,
        TargetKind::Generic,
        TargetKind::Aws,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TargetKind::Embedded => "embedded",
            TargetKind::Rgw => "rgw",
            TargetKind::Moto => "moto",
            TargetKind::Generic => "generic",
            TargetKind::Aws => "aws",
        }
    }
}

/// Where a target is and how to reach it; the CLI's `--target`, `--endpoint`, … flags fill it.
#[derive(Debug, Clone)]
pub struct TargetArgs {
    /// The endpoint to test; `None`: the embedded endpoint (the model served in-process).
    pub target: Option<TargetKind>,
    /// Embedded endpoint only: one injected authorization bug.
    pub mutant: Option<Mutant>,
    /// Endpoint URL (rgw, moto); default: XACCT_RGW_ENDPOINT / XACCT_MOTO_ENDPOINT, else what
    /// `scripts/backends/<target> env` prints.
    pub endpoint: Option<String>,
    /// Ceph config of the RGW cluster (rgw); default: XACCT_RGW_CEPH_CONF, else the script's.
    pub ceph_conf: Option<String>,
    /// Target description (generic): a TOML file.
    pub target_file: Option<std::path::PathBuf>,
    /// AWS profile per account (aws), as (ACCOUNT, PROFILE).
    pub aws_profiles: Vec<(String, String)>,
    /// AWS region (aws).
    pub aws_region: String,
    /// Required with --target aws: the run creates and deletes real resources.
    pub i_understand_this_uses_real_aws: bool,
}

/// `KEY=value` lines printed by `scripts/backends/<name> env`.
fn script_env(name: &str) -> BTreeMap<String, String> {
    let out = std::process::Command::new(format!("scripts/backends/{name}"))
        .arg("env")
        .output();
    let mut m = BTreeMap::new();
    if let Ok(o) = out {
        for line in String::from_utf8_lossy(&o.stdout).lines() {
            if let Some((k, v)) = line.split_once('=') {
                m.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
    }
    m
}

fn setting(flag: &Option<String>, var: &str, script: &str) -> Option<String> {
    flag.clone()
        .or_else(|| std::env::var(var).ok())
        .or_else(|| script_env(script).remove(var))
}

impl TargetArgs {
    /// Options for a local target found the usual way (environment, then the backend script).
    pub fn local(kind: TargetKind) -> TargetArgs {
        TargetArgs {
            target: Some(kind),
            mutant: None,
            endpoint: None,
            ceph_conf: None,
            target_file: None,
            aws_profiles: vec![],
            aws_region: "us-east-1".into(),
            i_understand_this_uses_real_aws: false,
        }
    }

    /// The target kind asked for; the embedded endpoint when none is.
    pub fn kind(&self) -> TargetKind {
        self.target.unwrap_or(TargetKind::Embedded)
    }

    /// Builds the target. The embedded endpoint starts listening here, so this must run
    /// inside a Tokio runtime context (`Runtime::enter`).
    pub fn build(&self, kind: TargetKind) -> Result<Target, TargetError> {
        if self.mutant.is_some() && kind != TargetKind::Embedded {
            return Err(TargetError::Setup(format!(
                "--mutant injects a bug into the embedded endpoint; it cannot apply to --target {}",
                kind.name()
            )));
        }
        match kind {
            TargetKind::Embedded => Ok(Target::Embedded(embedded::Embedded::start(self.mutant)?)),
            TargetKind::Rgw => {
                let ep = setting(&self.endpoint, "XACCT_RGW_ENDPOINT", "rgw").ok_or_else(|| {
                    TargetError::Setup("no RGW endpoint: start one with `scripts/backends/rgw up`, or pass --endpoint".into())
                })?;
                let conf = setting(&self.ceph_conf, "XACCT_RGW_CEPH_CONF", "rgw").ok_or_else(|| {
                    TargetError::Setup("no Ceph config for radosgw-admin: pass --ceph-conf or set XACCT_RGW_CEPH_CONF".into())
                })?;
                Ok(Target::Rgw(rgw::Rgw::new(&ep, &conf)))
            }
            TargetKind::Moto => {
                let ep = setting(&self.endpoint, "XACCT_MOTO_ENDPOINT", "moto").ok_or_else(|| {
                    TargetError::Setup("no moto endpoint: start one with `scripts/backends/moto up`, or pass --endpoint".into())
                })?;
                Ok(Target::Moto(moto::Moto::new(&ep)))
            }
            TargetKind::Generic => {
                let f = self.target_file.as_ref().ok_or_else(|| {
                    TargetError::Setup("--target generic needs --target-file FILE.toml".into())
                })?;
                Ok(Target::Generic(generic::Generic::from_file(f)?))
            }
            TargetKind::Aws => {
                if !self.i_understand_this_uses_real_aws {
                    return Err(TargetError::Setup(
                        "--target aws creates and deletes real resources in your AWS accounts; add --i-understand-this-uses-real-aws to go ahead".into(),
                    ));
                }
                if self.aws_profiles.is_empty() {
                    return Err(TargetError::Setup(
                        "--target aws needs --aws-profile ACCOUNT=PROFILE for each account".into(),
                    ));
                }
                Ok(Target::Generic(generic::Generic::aws(
                    self.aws_profiles.iter().cloned().collect(),
                    self.aws_region.clone(),
                )))
            }
        }
    }
}
