//! The state of one random run and its phases: rounds of generated cases, the shrinking of the
//! first new divergence of a round, its confirmation, and the record of what was found: the
//! divergences, and every fault, inconclusive case and left-behind resource.

use crate::generate::Model;
use crate::hunt::case::{CaseContext, CaseResult, Hit, Stopped};
use crate::hunt::faults::{FaultPhase, FaultRecord};
use crate::hunt::findings::{divergence_id, Confidence, Divergence, Event, RunSummary, Signature};
use crate::hunt::verdict::Ended;
use crate::hunt::{Observer, Progress, RunConfig, Seen};
use crate::target::Cleanup;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use proptest_state_machine::ReferenceStateMachine;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use xacct_model::outcome::Expect;
use xacct_model::scenario::{Scenario, Step};
use xacct_model::World;

/// Cases per round: a spent time budget wastes at most a round's generation.
const ROUND_CASES: u64 = 25;

/// A random run under way.
pub(crate) struct Hunt<'a> {
    cfg: &'a RunConfig,
    started: Instant,
    observer: &'a mut dyn Observer,
    cases: CaseContext<'a>,
    summary: RunSummary,
    /// Cases run so far, shrinking and confirmation included: each gets the prefix `c<n>`.
    case_no: u64,
    /// Signatures not hunted: the baseline's and those already found.
    not_hunted: BTreeSet<String>,
    /// Baseline signatures the run saw again.
    known_seen: BTreeSet<String>,
}

/// Where the divergence being shrunk was first seen.
#[derive(Clone, Copy)]
struct FirstSeen {
    /// Case number (from 0), steps of the case as generated, time into the run.
    case: u64,
    steps: usize,
    after_ms: u128,
}

/// One round: proptest's runner over its cases; the first new divergence is shrunk in it.
/// proptest's runner takes a `Fn`, so the round lives in a `RefCell` while it runs.
struct Round<'h, 'a> {
    hunt: &'h mut Hunt<'a>,
    /// The signature being shrunk, once a case of the round found a new one.
    hunting: Option<Signature>,
    first: Option<FirstSeen>,
}

impl<'a> Hunt<'a> {
    pub fn new(
        cfg: &'a RunConfig,
        started: Instant,
        observer: &'a mut dyn Observer,
        cases: CaseContext<'a>,
        summary: RunSummary,
    ) -> Hunt<'a> {
        Hunt {
            cfg,
            started,
            observer,
            cases,
            summary,
            case_no: 0,
            not_hunted: cfg.known.clone(),
            known_seen: BTreeSet::new(),
        }
    }

    /// Rounds until the case count or the time budget is spent, or enough divergences are found,
    /// or the run is stopped; then the run's accounts are cleaned up.
    pub fn run(mut self) -> RunSummary {
        let mut round = 0u64;
        while self.cases_left() > 0 && !self.time_up() && !self.enough() {
            if self.round(round).is_break() {
                break;
            }
            round += 1;
        }
        self.summary.ended = self.ended();
        self.finish()
    }

    /// Generated cases still to run (`u64::MAX` without a case count).
    fn cases_left(&self) -> u64 {
        let asked = self.cfg.cases.unwrap_or(u64::MAX);
        asked.saturating_sub(self.summary.cases)
    }

    /// Why the run stopped starting cases.
    fn ended(&self) -> Ended {
        if self.cases.stop.load(Ordering::Relaxed) {
            Ended::Interrupted
        } else if self.cases_left() == 0 {
            Ended::Cases
        } else if self.enough() {
            Ended::StopAfter
        } else if self.time_up() {
            Ended::TimeBudget
        } else {
            Ended::Aborted
        }
    }

    fn time_up(&self) -> bool {
        self.cases.stop.load(Ordering::Relaxed)
            || self
                .cfg
                .time_budget
                .is_some_and(|b| self.started.elapsed() >= b)
    }

    fn enough(&self) -> bool {
        self.cfg
            .stop_after
            .is_some_and(|n| self.summary.divergences.len() >= n)
    }

    /// One round of at most 25 cases, seeded by its number: the same seed gives the same rounds.
    fn round(&mut self, number: u64) -> ControlFlow<()> {
        let config = Config {
            cases: self.cases_left().min(ROUND_CASES) as u32,
            max_shrink_iters: self.cfg.max_shrink_iters,
            failure_persistence: None,
            max_global_rejects: 100_000,
            max_local_rejects: 100_000,
            ..Config::default()
        };
        let mut runner = TestRunner::new_with_rng(config, rng_for(self.cfg.seed, number));
        let strategy = Model::sequential_strategy(1..=self.cfg.max_steps);
        let round = RefCell::new(Round {
            hunt: self,
            hunting: None,
            first: None,
        });
        let result = runner.run(&strategy, |(_init, steps, seen)| {
            round.borrow_mut().case(&steps, seen.as_deref())
        });
        round.into_inner().end(result)
    }

    /// Runs a case of generated case `case` (hunting nothing, or shrinking its divergence), and
    /// once more under a fresh prefix when a fault made it inconclusive, so that its coverage
    /// is not lost; says whether it ran again. Both runs are tallied.
    fn run_case(
        &mut self,
        case: u64,
        steps: &[Step],
        seen: Option<&AtomicUsize>,
        hunting: Option<&Signature>,
    ) -> (CaseResult, bool) {
        let res = self.run_once(case, steps, seen, hunting);
        if res.fault.is_none() || self.time_up() {
            return (res, false);
        }
        if let Some(s) = seen {
            s.store(0, Ordering::Relaxed);
        }
        (self.run_once(case, steps, seen, hunting), true)
    }

    /// Runs a case under the next prefix. Hunting nothing, it stops at any divergence not yet
    /// found (noting baseline signatures seen again); hunting a signature, only at that one.
    fn run_once(
        &mut self,
        case: u64,
        steps: &[Step],
        seen: Option<&AtomicUsize>,
        hunting: Option<&Signature>,
    ) -> CaseResult {
        let tag = format!("c{}", self.case_no);
        self.case_no += 1;
        let (not_hunted, baseline) = (&self.not_hunted, &self.cfg.known);
        let known_seen = &mut self.known_seen;
        let mut wanted = |s: &Signature| match hunting {
            Some(h) => h == s,
            None => {
                let k = s.key();
                if not_hunted.contains(&k) {
                    if baseline.contains(&k) {
                        known_seen.insert(k);
                    }
                    false
                } else {
                    true
                }
            }
        };
        let mut res = self.cases.run(&tag, steps, seen, &mut wanted);
        self.tally(case, &tag, &mut res);
        res
    }

    /// Adds what one run of a case did to the totals: its steps, its faults (the step's and
    /// the clean-up's) and what it left behind, each also an event.
    fn tally(&mut self, case: u64, tag: &str, res: &mut CaseResult) {
        if let Some(e) = res.evidence.take() {
            self.summary.evidence.add(e);
        }
        self.summary.steps += res.steps_run as u64;
        self.summary.unsupported += res.unsupported;
        self.summary.not_sent += res.not_sent;
        if let Some((step, f)) = &res.fault {
            self.fault(FaultRecord::of_request(case, tag, Some(*step), f));
        }
        self.cleaned(case, tag, &res.cleanup, FaultPhase::Cleanup);
    }

    /// Records a clean-up's faults and what it left behind.
    fn cleaned(&mut self, case: u64, tag: &str, cleanup: &Cleanup, phase: FaultPhase) {
        for f in &cleanup.faults {
            let record = FaultRecord::of_request(case, tag, None, f);
            self.fault(FaultRecord { phase, ..record });
        }
        if !cleanup.failed.is_empty() {
            self.observer.event(&Event::LeftBehind {
                case,
                tag: tag.to_string(),
                what: cleanup.failed.clone(),
            });
            self.summary
                .left_behind
                .extend(cleanup.failed.iter().cloned());
        }
    }

    fn fault(&mut self, f: FaultRecord) {
        self.observer.event(&Event::Fault(f.clone()));
        self.summary.add_fault(f);
    }

    /// Counts a generated case (not a shrinking attempt): `rerun` when it ran twice; it stays
    /// inconclusive when its last run stopped at a fault.
    fn count(&mut self, res: &CaseResult, rerun: bool, shrinking: bool, started: Instant) {
        let s = &mut self.summary;
        if !shrinking {
            match res.stopped {
                Some(Stopped::Known(_)) => s.stopped_at_known += 1,
                Some(Stopped::Unsupported { .. }) => s.stopped_unsupported += 1,
                None => {}
            }
        }
        if !shrinking {
            let case = s.cases;
            s.cases += 1;
            s.reruns += u64::from(rerun);
            s.inconclusive += u64::from(res.fault.is_some());
            self.observer.event(&Event::CaseFinished {
                case,
                steps: res.steps_run,
                divergent: res.hit.is_some(),
                inconclusive: res.fault.is_some(),
                rerun,
                millis: started.elapsed().as_millis(),
            });
        }
        self.observer.progress(Progress {
            cases: s.cases,
            steps: s.steps,
            divergences: s.divergences.len(),
            shrinking,
            elapsed: self.started.elapsed(),
        });
    }

    /// Confirms a shrunk divergence: the scenario must diverge the same way once more. Recorded
    /// as a divergence if it does, as flaky if not (or if faults left it inconclusive twice);
    /// either way it is not hunted again.
    fn confirm(&mut self, signature: Signature, first: FirstSeen, steps: &[Step]) {
        self.not_hunted.insert(signature.key());
        let (again, _) = self.run_case(first.case, steps, None, Some(&signature));
        let id = divergence_id(self.summary.divergences.len() + 1, &signature);
        match again {
            CaseResult { hit: Some(hit), .. } => self.record(id, hit, first),
            _ => {
                self.observer.event(&Event::DivergenceFound {
                    id,
                    signature: signature.key(),
                    original_steps: first.steps,
                    shrunk_steps: steps.len(),
                    confirmed: false,
                    confidence: None,
                });
                self.summary.flaky.push(signature.key());
            }
        }
    }

    /// Records a confirmed divergence: its scenario is the steps the case ran up to the
    /// diverging one, with the run's Region and assumed deviations, and the target's answers;
    /// its root cause is decided at the end of the run, from all the run's evidence.
    fn record(&mut self, id: String, hit: Hit, first: FirstSeen) {
        let region = self.cases.state.region();
        let mut scenario = scenario_of(&id, &hit, &self.summary.target, self.cfg.seed);
        // The shrunk scenario states its Region: its `expect` may hold there only (a re-create
        // of one's own bucket answers 200 in us-east-1 and 409 elsewhere).
        scenario.region = Some(region);
        scenario.assume = self.cfg.assume.clone();
        let d = Divergence {
            id,
            confidence: Confidence::of_rule(&hit.signature.rule),
            signature: hit.signature,
            step: hit.at + 1,
            original_steps: first.steps,
            shrunk_steps: hit.at + 1,
            scenario,
            model: hit.model,
            explanation: hit.explanation,
            target: hit.target,
            detail: hit.detail,
            confirmed: true,
            case: first.case,
            found_after_ms: first.after_ms,
            explained_by: Vec::new(),
            refuted: Vec::new(),
            answers: hit.answers[..=hit.at].to_vec(),
        };
        self.observer.event(&Event::DivergenceFound {
            id: d.id.clone(),
            signature: d.signature.key(),
            original_steps: d.original_steps,
            shrunk_steps: d.shrunk_steps,
            confirmed: true,
            confidence: Some(d.confidence),
        });
        self.observer.divergence(&d);
        self.summary.divergences.push(d);
    }

    /// Cleans up the run's accounts and completes the summary.
    fn finish(mut self) -> RunSummary {
        let cleanup = self
            .cases
            .rt
            .block_on(self.cases.target.cleanup(&self.cases.state));
        self.cleaned(self.summary.cases, "", &cleanup, FaultPhase::RunCleanup);
        self.summary.requests = self.cases.state.ep.requests.get();
        self.summary.judge(self.cfg.cases, self.cfg.max_faults);
        self.summary.region = Some(self.cases.state.region());
        let s = &mut self.summary;
        s.number_divergences();
        s.known = self.known_seen.into_iter().collect();
        s.not_seen = self
            .cfg
            .known
            .iter()
            .filter(|k| !s.known.contains(k))
            .cloned()
            .collect();
        s.elapsed_ms = self.started.elapsed().as_millis();
        self.observer.event(&Event::RunFinished {
            cases: s.cases,
            steps: s.steps,
            divergences: s.divergences.len(),
            faults: s.faults,
            inconclusive: s.inconclusive,
            complete: s.complete,
            elapsed_ms: s.elapsed_ms,
        });
        self.summary
    }
}

impl Round<'_, '_> {
    /// One case of the round (proptest's test): fails when it stops at a divergence, so that
    /// proptest shrinks it; an inconclusive case passes (a fault is never a candidate).
    fn case(&mut self, steps: &[Step], seen: Option<&AtomicUsize>) -> Result<(), TestCaseError> {
        if self.hunt.time_up() {
            return Ok(());
        }
        let shrinking = self.hunting.is_some();
        let started = Instant::now();
        let case = match self.first {
            Some(f) if shrinking => f.case,
            _ => self.hunt.summary.cases,
        };
        let (res, rerun) = self.hunt.run_case(case, steps, seen, self.hunting.as_ref());
        self.hunt.count(&res, rerun, shrinking, started);
        let Some(hit) = res.hit else { return Ok(()) };
        if self.hunting.is_none() {
            self.first = Some(FirstSeen {
                case: self.hunt.summary.cases - 1,
                steps: steps.len(),
                after_ms: self.hunt.started.elapsed().as_millis(),
            });
            self.hunting = Some(hit.signature.clone());
        }
        Err(TestCaseError::fail(format!(
            "step {}: {}",
            hit.at + 1,
            hit.signature.key()
        )))
    }

    /// After the round: a shrunk divergence is confirmed and recorded.
    fn end(self, result: Result<(), TestError<(World, Vec<Step>, Seen)>>) -> ControlFlow<()> {
        let Round {
            hunt,
            hunting,
            first,
        } = self;
        match result {
            Ok(()) => ControlFlow::Continue(()),
            Err(TestError::Fail(_, (_init, steps, _))) => {
                let Some(signature) = hunting else {
                    return ControlFlow::Break(());
                };
                let first = first.unwrap_or(FirstSeen {
                    case: 0,
                    steps: steps.len(),
                    after_ms: 0,
                });
                hunt.confirm(signature, first, &steps);
                ControlFlow::Continue(())
            }
            Err(TestError::Abort(_)) => ControlFlow::Break(()),
        }
    }
}

fn rng_for(seed: u64, round: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&round.to_le_bytes());
    bytes[16..24].copy_from_slice(b"xacct-rn");
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// The divergence as a replayable scenario: the steps the case ran up to the diverging one,
/// which carries the model's answer as `expect`.
fn scenario_of(id: &str, hit: &Hit, target: &str, seed: u64) -> Scenario {
    let mut steps: Vec<Step> = hit.steps[..=hit.at].to_vec();
    if let Some(last) = steps.last_mut() {
        last.expect = Some(Expect {
            status: Some(hit.model.status),
            code: hit.model.code.clone(),
            ..Default::default()
        });
    }
    Scenario {
        name: id.to_string(),
        description: Some(format!(
            "{} (found by `xacct run --target {target} --seed {seed}`; every earlier step agrees, the last step diverges)",
            hit.signature.key()
        )),
        region: None,
        assume: Vec::new(),
        steps,
    }
}
