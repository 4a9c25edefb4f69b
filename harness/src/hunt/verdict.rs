//! Whether a run is complete, and the exit code of `xacct run`.
//!
//! | code | the run |
//! |---|---|
//! | 0 | complete, no new divergence |
//! | 1 | complete, with new divergences |
//! | 2 | never ran: a usage or set-up error, provisioning included (the CLI's) |
//! | 3 | incomplete: fewer cases than asked, more faults than `--max-faults`, or resources left behind (findings are still listed) |
//! | 130 | interrupted by Ctrl-C (SIGINT), after cleaning up |
//! | 143 | stopped by SIGTERM, after cleaning up as for Ctrl-C |

use crate::hunt::findings::RunSummary;
use serde::{Deserialize, Serialize};

/// Why a run (or one of its jobs) stopped starting cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ended {
    /// Every case asked for ran.
    #[default]
    Cases,
    /// Enough divergences were found (`RunConfig::stop_after`, the seeded-bug benchmark).
    StopAfter,
    /// The time budget was spent.
    TimeBudget,
    /// proptest gave up generating cases (too many rejected).
    Aborted,
    /// The stop switch was turned on (Ctrl-C, SIGTERM).
    Interrupted,
}

impl Ended {
    /// Why a run ran fewer cases than asked.
    fn why(self) -> &'static str {
        match self {
            Ended::Cases => "the run stopped early",
            Ended::StopAfter => "stopped at the divergences asked for",
            Ended::TimeBudget => "time budget spent",
            Ended::Aborted => "the generator gave up",
            Ended::Interrupted => "interrupted",
        }
    }
}

/// The signal that stopped a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C.
    Interrupt,
    Terminate,
}

impl Signal {
    /// 128 + the signal's number, as shells report it.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

/// Faults a run may have and still be complete when `--max-faults` is not given: one per 20
/// requests sent (5%), and at least 10. Past it, the endpoint failed too often for the run's
/// coverage to be trusted even with its inconclusive cases run again.
pub fn default_max_faults(requests: u64) -> u64 {
    (requests / 20).max(10)
}

/// Left-behind resources named in an incompleteness reason; the rest are counted.
const NAMED_LEFT_BEHIND: usize = 5;

impl RunSummary {
    /// Settles whether the run is complete: it ran the cases asked for (`requested`; `None`:
    /// as many as its time budget allowed, so only an interruption cuts it short), had at most
    /// `max_faults` faults ([`default_max_faults`] when `None`) and left nothing behind. The
    /// reasons it is not go into `incomplete`, for people.
    pub fn judge(&mut self, requested: Option<u64>, max_faults: Option<u64>) {
        self.requested_cases = requested;
        self.max_faults = max_faults.unwrap_or_else(|| default_max_faults(self.requests));
        let mut reasons = Vec::new();
        match requested {
            Some(n) if self.cases < n => reasons.push(format!(
                "ran {} of {n} cases: {}",
                self.cases,
                self.ended.why()
            )),
            None if self.ended == Ended::Interrupted => {
                reasons.push(format!("interrupted after {} cases", self.cases))
            }
            _ => {}
        }
        if self.faults > self.max_faults {
            let limit = match max_faults {
                Some(m) => format!("--max-faults {m}"),
                None => format!(
                    "{} (default --max-faults: 5% of {} requests, at least 10)",
                    self.max_faults, self.requests
                ),
            };
            reasons.push(format!("faults {} > {limit}", self.faults));
        }
        if !self.left_behind.is_empty() {
            let named = &self.left_behind[..self.left_behind.len().min(NAMED_LEFT_BEHIND)];
            let more = self.left_behind.len() - named.len();
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            reasons.push(format!("left behind: {}{more}", named.join(", ")));
        }
        self.complete = reasons.is_empty();
        self.incomplete = reasons;
    }
}

/// The exit code of `xacct run` once its summary is judged ([`RunSummary::judge`]): a signal's
/// code, else 3 when incomplete (findings or not), else 1 when a divergence is new, else 0.
/// Code 2 (usage or set-up error) is the CLI's: such a run has no summary.
pub fn exit_code(s: &RunSummary, signal: Option<Signal>) -> u8 {
    match signal {
        Some(sig) => sig.exit_code(),
        None if !s.complete => 3,
        None if !s.divergences.is_empty() => 1,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{Class, Observed};
    use crate::hunt::findings::{Divergence, Signature};
    use xacct_model::outcome::Outcome;
    use xacct_model::Scenario;

    fn divergence() -> Divergence {
        Divergence {
            id: "d01-over-permissive-put_object".into(),
            signature: Signature {
                class: Class::OverPermissive,
                op: "put_object".into(),
                model: "403 AccessDenied".into(),
                target: "200".into(),
                rule: "R22".into(),
            },
            scenario: Scenario {
                name: "d01".into(),
                description: None,
                region: None,
                assume: Vec::new(),
                steps: Vec::new(),
            },
            step: 1,
            original_steps: 1,
            shrunk_steps: 1,
            model: Outcome::error(403, "AccessDenied"),
            explanation: Vec::new(),
            target: Observed::answer(Outcome::status(200)),
            detail: String::new(),
            confirmed: true,
            case: 0,
            found_after_ms: 0,
            confidence: crate::hunt::findings::Confidence::Certain,
            explained_by: Vec::new(),
            refuted: Vec::new(),
            answers: Vec::new(),
        }
    }

    /// A run of `cases` cases and 400 requests that ended as `ended`.
    fn run(cases: u64, ended: Ended) -> RunSummary {
        RunSummary {
            cases,
            requests: 400,
            ended,
            ..RunSummary::empty("embedded", 1)
        }
    }

    #[test]
    fn a_run_is_complete_when_it_ran_what_was_asked_within_its_faults_leaving_nothing() {
        let mut s = run(200, Ended::Cases);
        s.judge(Some(200), None);
        assert!(s.complete && s.incomplete.is_empty());
        assert_eq!((s.requested_cases, s.max_faults), (Some(200), 20));

        let mut s = run(150, Ended::TimeBudget);
        s.judge(Some(200), None);
        assert_eq!(
            s.incomplete,
            vec!["ran 150 of 200 cases: time budget spent"]
        );

        // A time budget alone: complete once spent, not when interrupted.
        let mut s = run(150, Ended::TimeBudget);
        s.judge(None, None);
        assert!(s.complete, "{:?}", s.incomplete);
        let mut s = run(150, Ended::Interrupted);
        s.judge(None, None);
        assert_eq!(s.incomplete, vec!["interrupted after 150 cases"]);

        let mut s = run(200, Ended::Cases);
        s.faults = 21;
        s.judge(Some(200), None);
        assert_eq!(
            s.incomplete,
            vec!["faults 21 > 20 (default --max-faults: 5% of 400 requests, at least 10)"]
        );
        s.judge(Some(200), Some(21));
        assert!(s.complete);
        s.faults = 31;
        s.judge(Some(200), Some(20));
        assert_eq!(s.incomplete, vec!["faults 31 > --max-faults 20"]);

        let mut s = run(200, Ended::Cases);
        s.left_behind = (1..=7).map(|i| format!("bucket b{i}")).collect();
        s.judge(Some(200), None);
        assert_eq!(
            s.incomplete,
            vec!["left behind: bucket b1, bucket b2, bucket b3, bucket b4, bucket b5 and 2 more"]
        );
        assert_eq!(default_max_faults(0), 10);
        assert_eq!(default_max_faults(1000), 50);
    }

    #[test]
    fn exit_codes_cover_every_case() {
        use Signal::*;
        for signal in [None, Some(Interrupt), Some(Terminate)] {
            for complete in [true, false] {
                for findings in [false, true] {
                    let mut s = run(10, Ended::Cases);
                    s.judge(Some(if complete { 10 } else { 11 }), None);
                    if findings {
                        s.divergences.push(divergence());
                    }
                    let want = match (signal, complete, findings) {
                        (Some(Interrupt), _, _) => 130,
                        (Some(Terminate), _, _) => 143,
                        (None, false, _) => 3,
                        (None, true, true) => 1,
                        (None, true, false) => 0,
                    };
                    assert_eq!(
                        exit_code(&s, signal),
                        want,
                        "{signal:?} complete={complete} findings={findings}"
                    );
                }
            }
        }
    }
}
