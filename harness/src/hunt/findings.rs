//! What a random run finds: each divergence shrunk to a minimal,
//! replayable scenario, and the run's totals. Reports (`report.rs`, `awscli.rs`) render these.

use crate::compare::{Class, Observed};
use serde::{Deserialize, Serialize};
use xacct_model::outcome::Outcome;
use xacct_model::Scenario;

/// The identity of a divergence across runs and shrinking: the same class at the same kind of
/// step, with the same answers on both sides and the same deciding rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Signature {
    pub class: Class,
    /// The op of the diverging step (`put_object`).
    pub op: String,
    /// `403 AccessDenied`, `200`, …
    pub model: String,
    pub target: String,
    /// The model's deciding rule (`R22`).
    pub rule: String,
}

impl Signature {
    /// `over-permissive put_object model=403 AccessDenied target=200 rule=R22`.
    pub fn key(&self) -> String {
        format!(
            "{} {} model={} target={} rule={}",
            self.class, self.op, self.model, self.target, self.rule
        )
    }
}

/// One divergence, shrunk.
#[derive(Debug, Clone, Serialize)]
pub struct Divergence {
    /// Stable within a run: `d01-over-permissive-put_object`; names the report files.
    pub id: String,
    pub signature: Signature,
    /// The minimal scenario; its last step is the diverging one, carrying the model's answer
    /// as `expect`, so `xacct replay` of the file shows the divergence.
    pub scenario: Scenario,
    /// 1-based number of the diverging step in `scenario`.
    pub step: usize,
    /// Steps of the generated case before and after shrinking.
    pub original_steps: usize,
    pub shrunk_steps: usize,
    /// What the model decided at the diverging step, and why (ids as placeholders).
    pub model: Outcome,
    pub explanation: Vec<String>,
    /// What the target answered (its raw answer inside, secrets never included).
    pub target: Observed,
    pub detail: String,
    /// The shrunk scenario was replayed once more and diverged the same way.
    pub confirmed: bool,
    /// The case number (from 0) and the time into the run when it was first seen.
    pub case: u64,
    pub found_after_ms: u128,
}

/// A whole random run.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub target: String,
    pub seed: u64,
    pub cases: u64,
    pub steps: u64,
    pub elapsed_ms: u128,
    /// Divergences, over-permissive first.
    pub divergences: Vec<Divergence>,
    /// Signatures a baseline knew and the run saw again, and baseline signatures not seen.
    pub known: Vec<String>,
    pub not_seen: Vec<String>,
    /// Steps the target could not do, and endpoint faults (never divergences).
    pub unsupported: u64,
    pub faults: u64,
    /// Divergences whose shrunk scenario did not reproduce (flaky).
    pub flaky: Vec<String>,
}

/// One line of the JSON-lines event log.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    RunStarted {
        target: String,
        seed: u64,
        cases: u64,
        max_steps: usize,
    },
    CaseFinished {
        case: u64,
        steps: usize,
        divergent: bool,
        millis: u128,
    },
    DivergenceFound {
        id: String,
        signature: String,
        original_steps: usize,
        shrunk_steps: usize,
        confirmed: bool,
    },
    Fault {
        case: u64,
        step: usize,
        why: String,
    },
    RunFinished {
        cases: u64,
        steps: u64,
        divergences: usize,
        elapsed_ms: u128,
    },
}
