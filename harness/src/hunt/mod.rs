//! Random runs: proptest generates step sequences from the model's state
//! machine; each case runs against the target and the model with its own prefix and is cleaned
//! up; the first divergence not yet known is shrunk by proptest to the fewest steps and simplest
//! values that still give the same signature, replayed once more to confirm, and written out.
//! The run then goes on hunting divergences it has not seen.
//!
//! `rounds.rs` holds a run's state and its phases, `case.rs` one case, `findings.rs` what a run
//! finds, `bench.rs` the seeded-bug benchmark. Callers watch a run through an [`Observer`].

pub mod bench;
mod case;
pub mod findings;
pub mod root_cause;
mod rounds;

use crate::compare::Level;
use crate::generate::{ACCOUNTS, BUCKETS};
use crate::hunt::case::CaseContext;
use crate::hunt::findings::{Divergence, Event, RunSummary};
use crate::hunt::rounds::Hunt;
use crate::target::{Target, TargetError};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use xacct_model::deviation::Deviation;

/// Settings of a random run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub seed: u64,
    pub cases: u64,
    pub max_steps: usize,
    pub time_budget: Option<Duration>,
    pub level: Level,
    /// Signature keys already known (from a baseline): not hunted, counted as known.
    pub known: BTreeSet<String>,
    /// Shrink attempts per divergence.
    pub max_shrink_iters: u32,
    /// Stop once this many divergences are found (the seeded-bug benchmark stops at the first).
    pub stop_after: Option<usize>,
    /// Deviations the model assumes the target has (`--assume`, `--profile`): what they explain
    /// is not a divergence, so the run hunts past them.
    pub assume: Vec<Deviation>,
}

/// Progress, as the run goes.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub cases: u64,
    pub steps: u64,
    pub divergences: usize,
    pub shrinking: bool,
    pub elapsed: Duration,
}

/// What a run tells as it goes: every event of the event log, progress after every case
/// (shrinking attempts included), and every confirmed divergence. Each does nothing unless
/// implemented.
pub trait Observer {
    fn event(&mut self, _event: &Event) {}
    fn progress(&mut self, _progress: Progress) {}
    fn divergence(&mut self, _divergence: &Divergence) {}
}

/// An observer that observes nothing: for callers that want only the summary.
pub struct Quiet;

impl Observer for Quiet {}

/// What stops a run early; reported in the event log as a fault.
#[derive(Debug, thiserror::Error)]
pub enum HuntError {
    #[error("provisioning: {0}")]
    Provision(TargetError),
    #[error("clean-up could not remove: {}", .0.join(", "))]
    Cleanup(Vec<String>),
}

/// Runs random cases until the case count or time budget is spent.
pub fn run(
    target: &mut Target,
    rt: &tokio::runtime::Runtime,
    cfg: &RunConfig,
    stop: &AtomicBool,
    observer: &mut dyn Observer,
) -> RunSummary {
    let started = Instant::now();
    let mut summary = RunSummary::empty(target.name(), cfg.seed);
    summary.assumed = cfg.assume.iter().map(|d| d.name().to_string()).collect();
    observer.event(&Event::RunStarted {
        target: summary.target.clone(),
        seed: cfg.seed,
        cases: cfg.cases,
        max_steps: cfg.max_steps,
    });
    // The run's accounts are provisioned once; every case gets its own bucket prefix and is
    // cleaned up after, and the accounts go at the end.
    let accounts: Vec<String> = ACCOUNTS.iter().map(|a| a.to_string()).collect();
    let buckets: Vec<String> = BUCKETS.iter().map(|b| b.to_string()).collect();
    let state = match rt.block_on(target.provision(&accounts, buckets)) {
        Ok(s) => s,
        Err(e) => {
            observer.event(&Event::Fault {
                case: 0,
                step: 0,
                why: HuntError::Provision(e).to_string(),
            });
            summary.not_seen = cfg.known.iter().cloned().collect();
            summary.elapsed_ms = started.elapsed().as_millis();
            return summary;
        }
    };
    let cases = CaseContext {
        target,
        state,
        rt,
        level: cfg.level,
        assume: cfg.assume.clone(),
        stop,
    };
    Hunt::new(cfg, started, observer, cases, summary).run()
}

/// The seen-counter type proptest-state-machine hands each case.
pub type Seen = Option<Arc<AtomicUsize>>;
