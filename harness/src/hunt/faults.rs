//! Endpoint faults as a run records them: every request that failed (timeout, reset, 5xx, an
//! answer that could not be read) while provisioning, in a case's steps, or cleaning up. A
//! fault in a step makes its case inconclusive: never a divergence, never a shrinking
//! candidate. Each is listed in `summary.json` and `events.jsonl`, and the summaries.

use crate::target::cleanup::RequestFault;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where in a run a fault happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultPhase {
    /// Provisioning the run's accounts: the run cannot start.
    Provisioning,
    /// A step of a case: the case stopped there, inconclusive.
    Step,
    /// Cleaning up after a case (the request is retried).
    Cleanup,
    /// Cleaning up the run's accounts at its end (the request is retried).
    RunCleanup,
}

impl FaultPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            FaultPhase::Provisioning => "provisioning",
            FaultPhase::Step => "step",
            FaultPhase::Cleanup => "cleanup",
            FaultPhase::RunCleanup => "run-cleanup",
        }
    }
}

/// One endpoint fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaultRecord {
    /// The generated case (from 0) it happened in: for a shrinking or confirmation attempt, the
    /// case whose divergence was being shrunk; for the run's clean-up, the number of cases run.
    pub case: u64,
    /// The prefix tag of the case's run (`c17`: every run of a case, a re-run or a shrinking
    /// attempt included, has its own); empty for provisioning and the run's clean-up.
    pub tag: String,
    pub phase: FaultPhase,
    /// The step (from 1) whose request failed, for a fault in a step.
    pub step: Option<usize>,
    /// The step's op (`put_object`) or the API call (`DeleteBucket`, `provision`).
    pub op: String,
    /// The HTTP status, when there was an answer.
    pub status: Option<u16>,
    pub why: String,
    /// The raw answer (status line, body excerpt), secrets never included.
    pub raw: String,
}

impl FaultRecord {
    /// A fault of one request of a case (its step, or its clean-up when `step` is `None`).
    pub fn of_request(case: u64, tag: &str, step: Option<usize>, f: &RequestFault) -> FaultRecord {
        FaultRecord {
            case,
            tag: tag.to_string(),
            phase: if step.is_some() {
                FaultPhase::Step
            } else {
                FaultPhase::Cleanup
            },
            step,
            op: f.op.clone(),
            status: f.status,
            why: f.why.clone(),
            raw: f.raw.clone(),
        }
    }
}

impl fmt::Display for FaultRecord {
    /// `case 12 (c14) step 3 put_object: HTTP 503 SlowDown`, on one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.phase {
            FaultPhase::Provisioning => write!(f, "provisioning")?,
            FaultPhase::RunCleanup => write!(f, "run clean-up")?,
            FaultPhase::Step | FaultPhase::Cleanup => {
                write!(f, "case {} ({})", self.case, self.tag)?
            }
        }
        match self.step {
            Some(n) => write!(f, " step {n}")?,
            None if self.phase == FaultPhase::Cleanup => write!(f, " clean-up")?,
            None => {}
        }
        let why = self.why.replace(['\n', '\r'], " ");
        write!(f, " {}: {why}", self.op)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_as_one_line() {
        let f = RequestFault {
            op: "put_object".into(),
            status: Some(503),
            why: "HTTP 503\nSlowDown".into(),
            raw: "HTTP 503 <Error/>".into(),
        };
        let step = FaultRecord::of_request(12, "c14", Some(3), &f);
        assert_eq!(step.phase, FaultPhase::Step);
        assert_eq!(
            step.to_string(),
            "case 12 (c14) step 3 put_object: HTTP 503 SlowDown"
        );
        let cleanup = FaultRecord {
            op: "DeleteBucket".into(),
            ..FaultRecord::of_request(12, "c15", None, &f)
        };
        assert_eq!(cleanup.phase, FaultPhase::Cleanup);
        assert!(cleanup
            .to_string()
            .starts_with("case 12 (c15) clean-up DeleteBucket: "));
        let run = FaultRecord {
            phase: FaultPhase::RunCleanup,
            ..cleanup
        };
        assert!(run.to_string().starts_with("run clean-up DeleteBucket: "));
    }
}
