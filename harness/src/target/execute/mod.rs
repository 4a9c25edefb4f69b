//! The shared executor: one scenario step sent to a target with the right principal's clients,
//! and the answer read back into the model's terms.
//!
//! [`execute`] only dispatches. Each operation family has its own file, the same families as
//! the model's rules and the aws-cli writer: `bucket`, `bucket_config`, `acl`, `object`, `iam`,
//! `sts`. What every request of a step needs travels in a [`StepCx`].

mod acl;
mod bucket;
mod bucket_config;
mod iam;
mod object;
mod sts;

use crate::compare::Observed;
use crate::target::answer::{from_error, success_status};
use crate::target::mapping::Mapping;
use crate::target::sdk::{self, Clients, Creds, EndpointConfig};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::collections::BTreeMap;
use std::fmt;
use xacct_model::outcome::Outcome;
use xacct_model::scenario::{Op, Step};
use xacct_model::Region;

/// An S3 request on one of the scenario's buckets, addressed as the caller addresses it and
/// with the step's `x-amz-expected-bucket-owner` (every bucket-scoped S3 operation takes both).
macro_rules! s3_bucket_request {
    ($cx:expr, $operation:ident, $bucket:expr) => {
        $cx.clients
            .s3
            .$operation()
            .bucket($cx.bucket($bucket))
            .set_expected_bucket_owner($cx.expected_owner())
    };
}
use s3_bucket_request;

/// Everything a run knows about the target's side of a scenario.
#[derive(Debug)]
pub struct TargetState {
    pub ep: EndpointConfig,
    pub mapping: Mapping,
    /// Clients by scenario principal name (`A.admin`, `A.root` where the target has root
    /// credentials, users, sessions, `anon`).
    pub principals: BTreeMap<String, Clients>,
    /// The account of each role session, by `as_name`.
    pub session_accounts: BTreeMap<String, String>,
    /// Logical bucket → owning account, for buckets this run created.
    pub bucket_owner: BTreeMap<String, String>,
    /// Every logical bucket name the scenario uses (for rewriting ARNs).
    pub logical_buckets: Vec<String>,
    /// What this run created, for clean-up.
    pub created: Created,
    /// The run's bucket prefix; each case adds its own tag to it.
    pub run_prefix: String,
}

/// Resources a run created on the target.
#[derive(Debug, Default, Clone)]
pub struct Created {
    /// (account, logical bucket).
    pub buckets: Vec<(String, String)>,
    /// (account, user name).
    pub users: Vec<(String, String)>,
    /// (account, role name, inline policy names).
    pub roles: Vec<(String, String, Vec<String>)>,
    /// (account, user name, inline policy name).
    pub user_policies: Vec<(String, String, String)>,
}

impl TargetState {
    /// The Region the clients sign for and CreateBucket's LocationConstraint follows; a name
    /// S3 does not know (a generic target's) is taken as us-east-1, the model's default.
    pub fn region(&self) -> Region {
        Region::parse(&self.ep.region).unwrap_or_default()
    }

    pub fn new(ep: EndpointConfig, mapping: Mapping, logical_buckets: Vec<String>) -> TargetState {
        let mut principals = BTreeMap::new();
        principals.insert("anon".to_string(), sdk::clients(&ep, None));
        let run_prefix = mapping.bucket_prefix.clone();
        TargetState {
            run_prefix,
            ep,
            mapping,
            principals,
            session_accounts: BTreeMap::new(),
            bucket_owner: BTreeMap::new(),
            logical_buckets,
            created: Created::default(),
        }
    }

    /// Starts a case of a random run on the run's accounts: its own bucket prefix, and none of
    /// the users, roles, sessions or buckets of earlier cases (which were cleaned up).
    pub fn begin_case(&mut self, tag: &str) {
        self.mapping.bucket_prefix = format!("{}{tag}-", self.run_prefix);
        self.principals.retain(|name, _| {
            name == "anon" || name.ends_with(".admin") || name.ends_with(".root")
        });
        self.session_accounts.clear();
        self.bucket_owner.clear();
        self.created = Created::default();
    }

    pub fn add_principal(&mut self, name: &str, creds: &Creds) {
        self.principals
            .insert(name.to_string(), sdk::clients(&self.ep, Some(creds)));
    }

    /// Sets a principal's clients directly (tests: clients over a recorded HTTP exchange).
    pub fn set_clients(&mut self, name: &str, clients: Clients) {
        self.principals.insert(name.to_string(), clients);
    }

    /// The account of a scenario principal (`A.x` → A; session → its role's account).
    pub fn account_of(&self, principal: &str) -> Option<String> {
        match principal.split_once('.') {
            Some((a, _)) => Some(a.to_string()),
            None => self.session_accounts.get(principal).cloned(),
        }
    }

    fn rewrite(&self, s: &str) -> String {
        self.mapping.rewrite(s, &self.logical_buckets)
    }

    fn bucket(&self, caller: Option<&str>, logical: &str) -> String {
        let owner = self.bucket_owner.get(logical).map(String::as_str);
        self.mapping.address(caller, owner, logical)
    }
}

/// What every request of one step needs: the run's state, the caller's clients and account,
/// and the `expected_bucket_owner` the step names.
struct StepCx<'s> {
    state: &'s mut TargetState,
    clients: Clients,
    /// The caller's account (`None`: a session whose role account is not known).
    caller: Option<String>,
    /// `x-amz-expected-bucket-owner`, placeholders resolved.
    expected_owner: Option<String>,
    /// The request is a HEAD: its error answers have no body, hence no code.
    head: bool,
}

impl StepCx<'_> {
    fn caller(&self) -> Option<&str> {
        self.caller.as_deref()
    }

    /// The caller's address of a logical bucket (another account's needs `tenant:` on RGW).
    fn bucket(&self, logical: &str) -> String {
        self.state.bucket(self.caller(), logical)
    }

    fn expected_owner(&self) -> Option<String> {
        self.expected_owner.clone()
    }

    fn rewrite(&self, s: &str) -> String {
        self.state.rewrite(s)
    }

    /// A policy document for the target: placeholders and bucket names rewritten.
    fn policy_text(&self, v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::String(s) => self.rewrite(s),
            other => {
                let rewritten = self
                    .state
                    .mapping
                    .rewrite_json(other, &self.state.logical_buckets);
                // Compact JSON: RGW's IAM API refuses pretty-printed documents.
                serde_json::to_string(&rewritten).unwrap_or_default()
            }
        }
    }

    /// An answer with nothing but its status: `status` when the client saw none.
    fn answered<O, E>(&self, result: Result<O, SdkError<E, HttpResponse>>, status: u16) -> Observed
    where
        E: ProvideErrorMetadata + fmt::Debug,
    {
        self.answer(result, status, |_| Outcome::default())
    }

    /// An answer whose success output `read` turns into an outcome (the status is set here).
    fn answer<O, E>(
        &self,
        result: Result<O, SdkError<E, HttpResponse>>,
        status: u16,
        read: impl FnOnce(O) -> Outcome,
    ) -> Observed
    where
        E: ProvideErrorMetadata + fmt::Debug,
    {
        match result {
            Ok(out) => {
                let status = success_status(&self.clients, status);
                let mut o = read(out);
                o.status = status;
                Observed::answer(o)
            }
            Err(e) => from_error(e, self.head),
        }
    }
}

/// The target allowed the request (so what it made must be remembered for clean-up).
fn allowed(r: &Observed) -> bool {
    r.outcome().is_some_and(Outcome::allowed)
}

/// A request the SDK's builders refused to build: an endpoint-side fault of the step.
fn not_built(e: aws_smithy_types::error::operation::BuildError) -> Observed {
    Observed::Fault {
        why: format!("the request could not be built: {e}"),
    }
}

/// A step whose principal has no clients on the target.
fn missing_principal(principal: &str) -> Observed {
    if principal.ends_with(".root") {
        Observed::Unsupported {
            why: "the target has no root credentials".into(),
        }
    } else {
        Observed::Skipped {
            why: format!("principal {principal} does not exist on the target"),
        }
    }
}

/// Runs one S3 / IAM / STS step (all but create_user, which targets provision their own way).
pub async fn execute(state: &mut TargetState, step: &Step) -> Observed {
    let Some(clients) = state.principals.get(&step.as_).cloned() else {
        return missing_principal(&step.as_);
    };
    let caller = state.account_of(&step.as_);
    let expected_owner = step
        .expected_bucket_owner
        .as_ref()
        .map(|e| state.mapping.placeholders(e));
    let head = matches!(step.op, Op::HeadObject { .. } | Op::HeadBucket { .. });
    let cx = &mut StepCx {
        state,
        clients,
        caller,
        expected_owner,
        head,
    };
    dispatch(cx, &step.op).await
}

/// Hands the step to its operation's family.
async fn dispatch(cx: &mut StepCx<'_>, op: &Op) -> Observed {
    match op {
        Op::CreateBucket { .. }
        | Op::DeleteBucket { .. }
        | Op::ListBuckets {}
        | Op::HeadBucket { .. } => bucket::execute(cx, op).await,
        Op::PutBucketOwnershipControls { .. }
        | Op::GetBucketOwnershipControls { .. }
        | Op::DeleteBucketOwnershipControls { .. }
        | Op::PutPublicAccessBlock { .. }
        | Op::GetPublicAccessBlock { .. }
        | Op::DeletePublicAccessBlock { .. }
        | Op::PutBucketPolicy { .. }
        | Op::GetBucketPolicy { .. }
        | Op::DeleteBucketPolicy { .. } => bucket_config::execute(cx, op).await,
        Op::PutBucketAcl { .. }
        | Op::GetBucketAcl { .. }
        | Op::PutObjectAcl { .. }
        | Op::GetObjectAcl { .. } => acl::execute(cx, op).await,
        Op::PutObject { .. }
        | Op::GetObject { .. }
        | Op::HeadObject { .. }
        | Op::DeleteObject { .. }
        | Op::CopyObject { .. }
        | Op::ListObjects { .. }
        | Op::CreateMultipartUpload { .. } => object::execute(cx, op).await,
        Op::CreateUser { .. }
        | Op::PutUserPolicy { .. }
        | Op::CreateRole { .. }
        | Op::PutRolePolicy { .. } => iam::execute(cx, op).await,
        Op::AssumeRole { .. } => sts::execute(cx, op).await,
    }
}

/// An operation handed to a family it is not in: a bug in [`dispatch`], reported as a fault of
/// the step rather than a panic.
fn misrouted(op: &Op, family: &str) -> Observed {
    Observed::Fault {
        why: format!(
            "the executor handed {} to the {family} operations",
            op.name()
        ),
    }
}
