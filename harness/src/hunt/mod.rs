//! Random runs: proptest generates step sequences from the model's state
//! machine; each case runs against the target and the model with its own prefix and is cleaned
//! up; the first divergence not yet known is shrunk by proptest to the fewest steps and simplest
//! values that still give the same signature, replayed once more to confirm, and written out.
//! The run then goes on hunting divergences it has not seen.
//!
//! An endpoint fault in a step makes its case inconclusive (never a divergence), and the case
//! runs once more under a fresh prefix; what clean-up cannot remove is left behind and fenced
//! off, and the run goes on. Every fault is recorded.
//!
//! `rounds.rs` holds a run's state and its phases, `case.rs` one case, `findings.rs` what a run
//! finds, `faults.rs` the faults it records, `verdict.rs` whether it is complete and its exit
//! code, `bench.rs` the seeded-bug benchmark. Callers watch a run through an [`Observer`].

pub mod bench;
mod case;
pub mod evidence;
pub mod faults;
pub mod findings;
pub mod root_cause;
mod rounds;
pub mod verdict;

use crate::compare::Level;
use crate::generate::{ACCOUNTS, BUCKETS};
use crate::hunt::case::CaseContext;
use crate::hunt::faults::{FaultPhase, FaultRecord};
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
    /// Generated cases to run; `None`: until the time budget is spent or the run is stopped
    /// (give one of them).
    pub cases: Option<u64>,
    /// The most endpoint faults a complete run may have; `None`:
    /// [`verdict::default_max_faults`].
    pub max_faults: Option<u64>,
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

/// What keeps a run from starting.
#[derive(Debug, thiserror::Error)]
pub enum HuntError {
    #[error("provisioning the run's accounts on {target}: {error}")]
    Provision {
        target: String,
        error: Box<TargetError>,
    },
}

/// Runs random cases until the case count or time budget is spent, or the run is stopped; the
/// summary says whether the run is complete ([`RunSummary::judge`]) and holds the root causes
/// of its findings ([`explain`]). A provisioning failure is an error (it is also in the event
/// log, as a fault).
pub fn run(
    target: &mut Target,
    rt: &tokio::runtime::Runtime,
    cfg: &RunConfig,
    stop: &AtomicBool,
    observer: &mut dyn Observer,
) -> Result<RunSummary, HuntError> {
    let mut summary = run_job(target, rt, cfg, stop, observer)?;
    explain(&mut summary, cfg, observer);
    Ok(summary)
}

/// Decides the root causes of a run's findings from all its evidence (after the jobs of a run
/// are merged) and tells the observer the table.
pub fn explain(summary: &mut RunSummary, cfg: &RunConfig, observer: &mut dyn Observer) {
    let region = summary.region.clone().unwrap_or_default();
    root_cause::analyse(
        summary,
        &root_cause::Params {
            region,
            level: cfg.level,
            assumed: &cfg.assume,
        },
    );
    observer.event(&Event::RootCauses {
        analysis: summary.analysis.clone(),
        root_causes: summary.root_causes.clone(),
    });
}

/// [`run`] without the root causes: one job of a run whose jobs are merged before
/// [`explain`] decides them.
pub fn run_job(
    target: &mut Target,
    rt: &tokio::runtime::Runtime,
    cfg: &RunConfig,
    stop: &AtomicBool,
    observer: &mut dyn Observer,
) -> Result<RunSummary, HuntError> {
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
        Err(error) => {
            let error = HuntError::Provision {
                target: summary.target.clone(),
                error: Box::new(error),
            };
            observer.event(&Event::Fault(FaultRecord {
                case: 0,
                tag: String::new(),
                phase: FaultPhase::Provisioning,
                step: None,
                op: "provision".into(),
                status: None,
                why: error.to_string(),
                raw: String::new(),
            }));
            return Err(error);
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
    Ok(Hunt::new(cfg, started, observer, cases, summary).run())
}

/// The seen-counter type proptest-state-machine hands each case.
pub type Seen = Option<Arc<AtomicUsize>>;
