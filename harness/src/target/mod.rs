//! Targets: the endpoints a scenario runs against. Each provisions the
//! scenario's accounts, carries out steps (most through the shared executor), and cleans up
//! everything it created under the run prefix.
//!
//! [`Target`] is the contract the stages use; one file per backend (`embedded`, `rgw`, `moto`,
//! `generic`, `aws`) carries it out. [`TargetArgs`] says which target and where
//! (`args`), `build` makes it, `provision` and `cleanup` hold what the backends share.

pub mod answer;
mod args;
pub mod aws;
mod build;
pub mod chain;
pub mod cleanup;
pub mod embedded;
mod error;
pub mod execute;
pub mod failure;
pub mod generic;
pub mod mapping;
pub mod moto;
pub mod provision;
pub mod rgw;
pub mod sdk;

pub use args::{TargetArgs, TargetKind, UnknownTarget};
pub use cleanup::{cleanup_via_api, Cleanup};
pub use error::TargetError;
pub use provision::{create_user_via_iam, run_id};

use crate::compare::Observed;
use execute::TargetState;
use serde::Serialize;
use std::time::Duration;
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
    /// Accounts have e-mail addresses for `emailAddress=` grantees (`${A.email}`).
    pub email_grants: bool,
    /// After IAM / STS / policy changes, how often and how long to retry a step the model
    /// allows and the target denies (eventual consistency); every retry is recorded.
    pub propagation_retries: u32,
    pub propagation_delay: Duration,
    /// Facts a reader of the report should know (how accounts are mapped, …).
    pub notes: Vec<String>,
}

impl Capabilities {
    /// Whether the target can run `step` at all; if not, why. Random runs generate only steps
    /// it allows, and a replay reports the others as unsupported.
    pub fn allows(&self, step: &Step) -> Result<(), &'static str> {
        if step.as_ == "anon" && !self.anonymous {
            return Err("it does not answer unsigned requests");
        }
        if step.as_.ends_with(".root") && !self.root {
            return Err("it has no root credentials");
        }
        let ownership = matches!(
            step.op,
            Op::GetBucketOwnershipControls { .. }
                | Op::PutBucketOwnershipControls { .. }
                | Op::DeleteBucketOwnershipControls { .. }
        );
        if ownership && !self.ownership_controls {
            return Err("it has no ownership controls");
        }
        if !self.email_grants && grants_by_email(&step.op) {
            return Err("its accounts have no e-mail addresses for grants");
        }
        Ok(())
    }
}

/// Does the ACL a request carries name a grantee by e-mail address?
fn grants_by_email(op: &Op) -> bool {
    let req = op.acl_request();
    let headers = req.grants.into_iter().flat_map(|g| g.entries());
    let bodies = req.policy.into_iter().flat_map(|p| &p.grants);
    headers
        .map(|(_, v, _)| v)
        .chain(bodies.map(|g| g.grantee.as_str()))
        .any(|v| v.contains("emailAddress="))
}

/// A target, by backend.
pub enum Target {
    Embedded(embedded::Embedded),
    Moto(moto::Moto),
    Rgw(rgw::Rgw),
    Generic(generic::Generic),
    /// Real AWS (`--target aws`).
    Aws(aws::Aws),
}

impl Target {
    pub fn name(&self) -> &str {
        match self {
            Target::Embedded(e) => e.name(),
            Target::Moto(_) => "moto",
            Target::Rgw(_) => "rgw",
            Target::Generic(g) => g.name(),
            Target::Aws(_) => "aws",
        }
    }

    pub fn capabilities(&self) -> Capabilities {
        match self {
            Target::Embedded(e) => e.capabilities(),
            Target::Moto(m) => m.capabilities(),
            Target::Rgw(r) => r.capabilities(),
            Target::Generic(g) => g.capabilities(),
            Target::Aws(a) => a.capabilities(),
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
            Target::Aws(a) => a.provision(accounts, logical_buckets).await,
        }
    }

    /// Removes what a provisioning cut short (interrupted) may have made; nothing for targets
    /// whose provisioning makes nothing to remove.
    pub async fn abandon_provisioning(&mut self) -> Cleanup {
        match self {
            Target::Aws(a) => a.abandon_provisioning().await,
            _ => Cleanup::default(),
        }
    }

    /// Carries out one step; a step the target's capabilities exclude is not sent. On AWS, a
    /// step refused (403) before the run's latest IAM change has propagated is sent again once
    /// it has (IAM is eventually consistent).
    pub async fn step(&mut self, state: &mut TargetState, step: &Step) -> Observed {
        let mut observed = self.send(state, step).await;
        if let Some(wait) = self.settle(state, &observed) {
            tracing::debug!(
                "{}: refused {wait:?} before IAM settles; sending it again then",
                step.op.name()
            );
            tokio::time::sleep(wait).await;
            observed = self.send(state, step).await;
        }
        let changed = matches!(
            step.op,
            Op::CreateUser { .. }
                | Op::PutUserPolicy { .. }
                | Op::CreateRole { .. }
                | Op::PutRolePolicy { .. }
        );
        if changed && matches!(&observed, Observed::Answer { outcome, .. } if outcome.allowed()) {
            state.iam_changed = Some(std::time::Instant::now());
        }
        observed
    }

    /// How long to wait before sending a refused step again, if at all.
    fn settle(&self, state: &TargetState, observed: &Observed) -> Option<Duration> {
        let Target::Aws(a) = self else { return None };
        let refused = matches!(observed, Observed::Answer { outcome, .. } if outcome.status == 403);
        a.settle(state.iam_changed?.elapsed()).filter(|_| refused)
    }

    async fn send(&mut self, state: &mut TargetState, step: &Step) -> Observed {
        if let Some(why) = state.fenced_off(step) {
            return Observed::fault(why);
        }
        if let Err(why) = self.capabilities().allows(step) {
            return Observed::Unsupported {
                why: format!("{}: {why}", self.name()),
            };
        }
        match &step.op {
            Op::CreateUser { name, policy } => match self {
                Target::Rgw(r) => r.create_user(state, step, name, policy.as_ref()).await,
                _ => create_user_via_iam(state, step, name, policy.as_ref()).await,
            },
            _ => execute::execute(state, step).await,
        }
    }

    /// Removes everything the run created; called after success, failure or Ctrl-C.
    pub async fn cleanup(&mut self, state: &TargetState) -> Cleanup {
        match self {
            Target::Embedded(e) => e.cleanup_case(state).await,
            Target::Rgw(r) => r.cleanup(state).await,
            Target::Moto(m) => m.cleanup(state).await,
            Target::Aws(a) => a.cleanup(state).await,
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
            Target::Generic(_) | Target::Aws(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xacct_model::acl::GrantHeaders;

    fn caps(email_grants: bool) -> Capabilities {
        Capabilities {
            root: true,
            anonymous: true,
            ownership_controls: true,
            distinct_canonical_ids: true,
            email_grants,
            propagation_retries: 0,
            propagation_delay: Duration::ZERO,
            notes: Vec::new(),
        }
    }

    #[test]
    fn grants_by_email_need_a_target_that_knows_the_addresses() {
        let grants = GrantHeaders {
            read: Some("id=${A.canonical}, emailAddress=${B.email}".into()),
            ..Default::default()
        };
        let step = Step {
            as_: "A.admin".into(),
            op: Op::PutObject {
                bucket: "b1".into(),
                key: "k".into(),
                acl: None,
                grants: Some(grants),
            },
            expected_bucket_owner: None,
            expect: None,
        };
        assert!(caps(true).allows(&step).is_ok());
        assert!(caps(false).allows(&step).is_err());
        let canned = Step {
            op: Op::PutObject {
                bucket: "b1".into(),
                key: "k".into(),
                acl: Some("private".into()),
                grants: None,
            },
            ..step
        };
        assert!(caps(false).allows(&canned).is_ok());
    }
}
