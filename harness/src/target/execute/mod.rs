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
use std::collections::{BTreeMap, BTreeSet};
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
    /// IAM users and roles an earlier case's clean-up left behind: later cases of the run must
    /// not create them again (the endpoint would answer EntityAlreadyExists, which says nothing
    /// about its rules). Buckets need no fence: every case has a prefix of its own.
    pub fenced: BTreeSet<IamName>,
    /// When the run's latest IAM change (a user, role or inline policy made) was answered.
    pub iam_changed: Option<std::time::Instant>,
}

/// An IAM user or role of one of the run's accounts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IamName {
    pub account: String,
    pub kind: IamKind,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IamKind {
    User,
    Role,
}

impl fmt::Display for IamName {
    /// `user A.u1`, `role A:r1`: as clean-up names them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            IamKind::User => write!(f, "user {}.{}", self.account, self.name),
            IamKind::Role => write!(f, "role {}:{}", self.account, self.name),
        }
    }
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

    /// The state of a run on a target. Every principal's clients send each request once (no
    /// SDK retries, whatever `ep.attempts` says): a step the endpoint may have applied before
    /// failing must not be sent again, since the retry's answer would then differ (409
    /// EntityAlreadyExists, …). The harness decides instead: a failed step makes its case
    /// inconclusive, and clean-up retries its removals itself (`cleanup`).
    pub fn new(ep: EndpointConfig, mapping: Mapping, logical_buckets: Vec<String>) -> TargetState {
        let ep = EndpointConfig { attempts: 1, ..ep };
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
            fenced: BTreeSet::new(),
            iam_changed: None,
        }
    }

    /// Starts a case of a random run on the run's accounts: its own bucket prefix, and none of
    /// the users, roles, sessions or buckets of earlier cases (which were cleaned up, or are
    /// fenced off: a left-behind bucket has a prefix no later case uses, a left-behind user or
    /// role is in [`TargetState::fenced`]). `tag` must be new to the run.
    pub fn begin_case(&mut self, tag: &str) {
        self.mapping.bucket_prefix = format!("{}{tag}-", self.run_prefix);
        self.principals.retain(|name, _| {
            name == "anon" || name.ends_with(".admin") || name.ends_with(".root")
        });
        self.session_accounts.clear();
        self.bucket_owner.clear();
        self.created = Created::default();
    }

    /// Why `step` cannot run on this target: it creates a user or role that an earlier case
    /// left behind ([`TargetState::fenced`]).
    pub fn fenced_off(&self, step: &Step) -> Option<String> {
        let (kind, name) = match &step.op {
            Op::CreateUser { name, .. } => (IamKind::User, name),
            Op::CreateRole { name, .. } => (IamKind::Role, name),
            _ => return None,
        };
        let iam = IamName {
            account: self.account_of(&step.as_)?,
            kind,
            name: name.clone(),
        };
        self.fenced.contains(&iam).then(|| {
            format!(
                "{iam} was left behind by an earlier case's clean-up: it cannot be created afresh"
            )
        })
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
        E: ProvideErrorMetadata + std::error::Error + 'static,
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
        E: ProvideErrorMetadata + std::error::Error + 'static,
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

/// What the request makes may exist on the target: it was allowed, or it failed as a fault,
/// which may come after the endpoint applied it (a reset or a 5xx on the way back). Clean-up
/// removes it either way; a NoSuch* answer then means it was never made.
fn may_have_made(r: &Observed) -> bool {
    allowed(r) || matches!(r, Observed::Fault { .. })
}

/// A request the SDK's builders refused to build: an endpoint-side fault of the step.
fn not_built(e: aws_smithy_types::error::operation::BuildError) -> Observed {
    Observed::fault(format!("the request could not be built: {e}"))
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
    Observed::fault(format!(
        "the executor handed {} to the {family} operations",
        op.name()
    ))
}
