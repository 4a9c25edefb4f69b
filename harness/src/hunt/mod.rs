//! Random runs: proptest generates step sequences from the model's state
//! machine; each case runs against the target and the model with its own prefix and is cleaned
//! up; the first divergence not yet known is shrunk by proptest to the fewest steps and simplest
//! values that still give the same signature, replayed once more to confirm, and written out.
//! The run then goes on hunting divergences it has not seen.

pub mod bench;
pub mod findings;

use crate::compare::{compare, Class, Level, Observed};
use crate::generate::{Model, ACCOUNTS, BUCKETS};
use crate::hunt::findings::{Divergence, Event, RunSummary, Signature};
use crate::target::execute::TargetState;
use crate::target::Target;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use proptest_state_machine::ReferenceStateMachine;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use xacct_model::outcome::{Expect, Outcome};
use xacct_model::scenario::{Scenario, Step};
use xacct_model::World;

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

/// What one case did on the target.
struct CaseResult {
    steps_run: usize,
    faults: u64,
    unsupported: u64,
    /// The divergence the case stopped at: step index, signature, model outcome and
    /// explanation, target answer, detail.
    hit: Option<(usize, Signature, Outcome, Vec<String>, Observed, String)>,
}

fn status_code(o: &Outcome) -> String {
    match &o.code {
        Some(c) => format!("{} {c}", o.status),
        None => o.status.to_string(),
    }
}

fn signature(class: Class, op: &str, model: &Outcome, target: &Observed, rule: &str) -> Signature {
    Signature {
        class,
        op: op.to_string(),
        model: status_code(model),
        target: match target {
            Observed::Answer { outcome, .. } => status_code(outcome),
            other => other.to_string(),
        },
        rule: rule.to_string(),
    }
}

/// Runs steps against the target (on the run's accounts, under a prefix of the case's own) and
/// the model, stopping at the first divergence `wanted` accepts; cleans up whatever happens.
#[allow(clippy::too_many_arguments)]
fn run_case(
    target: &mut Target,
    state: &mut TargetState,
    tag: &str,
    rt: &tokio::runtime::Runtime,
    steps: &[Step],
    level: Level,
    seen: Option<&AtomicUsize>,
    stop: &AtomicBool,
    wanted: &dyn Fn(&Signature) -> bool,
) -> Result<CaseResult, String> {
    rt.block_on(async {
        state.begin_case(tag);
        let mut world = World::with_accounts(ACCOUNTS.iter().copied());
        let mut r = CaseResult {
            steps_run: 0,
            faults: 0,
            unsupported: 0,
            hit: None,
        };
        for (i, st) in steps.iter().enumerate() {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            if let Some(s) = seen {
                s.fetch_add(1, Ordering::Relaxed);
            }
            r.steps_run += 1;
            let Ok((model, ex)) = xacct_model::step(&mut world, st) else {
                continue;
            };
            let observed = target.step(state, st).await;
            match compare(&model, &observed, level) {
                Some(d) if d.class == Class::EndpointFault => r.faults += 1,
                Some(d) if d.class == Class::Unsupported => r.unsupported += 1,
                Some(d) => {
                    let rule = ex.deciding_rule().unwrap_or("").to_string();
                    let sig = signature(d.class, st.op.name(), &model, &observed, &rule);
                    if wanted(&sig) {
                        let explanation = ex
                            .lines
                            .iter()
                            .map(|l| world.redact(&format!("[{}] {}", l.rule, l.detail)))
                            .collect();
                        r.hit = Some((i, sig, model, explanation, observed, d.detail));
                        break;
                    }
                }
                None => {}
            }
        }
        let cleanup = target.cleanup_case(state).await;
        if !cleanup.failed.is_empty() {
            return Err(format!(
                "clean-up could not remove: {}",
                cleanup.failed.join(", ")
            ));
        }
        Ok(r)
    })
}

fn rng_for(seed: u64, round: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&round.to_le_bytes());
    bytes[16..24].copy_from_slice(b"xacct-rn");
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// The divergence as a replayable scenario: its steps up to the diverging one, which carries the
/// model's answer as `expect`.
fn scenario_of(
    id: &str,
    sig: &Signature,
    steps: &[Step],
    at: usize,
    model: &Outcome,
    seed: u64,
) -> Scenario {
    let mut steps: Vec<Step> = steps[..=at].to_vec();
    if let Some(last) = steps.last_mut() {
        last.expect = Some(Expect {
            status: Some(model.status),
            code: model.code.clone(),
            ..Default::default()
        });
    }
    Scenario {
        name: id.to_string(),
        description: Some(format!(
            "{} (found by `xacct run --seed {seed}`; the last step diverges)",
            sig.key()
        )),
        steps,
    }
}

/// Runs random cases until the case count or time budget is spent.
pub fn run(
    target: &mut Target,
    rt: &tokio::runtime::Runtime,
    cfg: &RunConfig,
    stop: &AtomicBool,
    on_event: &mut dyn FnMut(&Event),
    on_progress: &mut dyn FnMut(Progress),
    on_divergence: &mut dyn FnMut(&Divergence),
) -> RunSummary {
    let started = Instant::now();
    let time_up =
        || stop.load(Ordering::Relaxed) || cfg.time_budget.is_some_and(|b| started.elapsed() >= b);
    let mut summary = RunSummary {
        target: target.name().to_string(),
        seed: cfg.seed,
        cases: 0,
        steps: 0,
        elapsed_ms: 0,
        divergences: Vec::new(),
        known: Vec::new(),
        not_seen: Vec::new(),
        unsupported: 0,
        faults: 0,
        flaky: Vec::new(),
    };
    on_event(&Event::RunStarted {
        target: summary.target.clone(),
        seed: cfg.seed,
        cases: cfg.cases,
        max_steps: cfg.max_steps,
    });
    // The run's accounts are provisioned once; every case gets its own bucket prefix and is
    // cleaned up after, and the accounts go at the end.
    let accounts: Vec<String> = ACCOUNTS.iter().map(|a| a.to_string()).collect();
    let buckets: Vec<String> = BUCKETS.iter().map(|b| b.to_string()).collect();
    let mut state = match rt.block_on(target.provision(&accounts, buckets)) {
        Ok(s) => s,
        Err(e) => {
            on_event(&Event::Fault {
                case: 0,
                step: 0,
                why: format!("provisioning: {e}"),
            });
            summary.elapsed_ms = started.elapsed().as_millis();
            return summary;
        }
    };
    let case_no = std::cell::Cell::new(0u64);
    // proptest's runner takes a `Fn`: the mutable pieces live in cells.
    let target = RefCell::new(target);
    let state_cell = RefCell::new(&mut state);
    let on_event = RefCell::new(on_event);
    let on_progress = RefCell::new(on_progress);
    let mut hunted_out: BTreeSet<String> = cfg.known.clone();
    let known_seen: RefCell<BTreeSet<String>> = RefCell::new(BTreeSet::new());
    let mut round = 0u64;
    let enough = |s: &RunSummary| cfg.stop_after.is_some_and(|n| s.divergences.len() >= n);
    while summary.cases < cfg.cases && !time_up() && !enough(&summary) {
        // Rounds of at most 25 cases, each seeded by its number: a spent time budget wastes at
        // most a round's generation, and the same seed still gives the same rounds.
        let remaining = (cfg.cases - summary.cases).min(25) as u32;
        let config = Config {
            cases: remaining,
            max_shrink_iters: cfg.max_shrink_iters,
            failure_persistence: None,
            max_global_rejects: 100_000,
            max_local_rejects: 100_000,
            ..Config::default()
        };
        let mut runner = TestRunner::new_with_rng(config, rng_for(cfg.seed, round));
        let hunt: RefCell<Option<Signature>> = RefCell::new(None);
        let first: RefCell<Option<(u64, usize, u128)>> = RefCell::new(None);
        let summary_cell = RefCell::new(&mut summary);
        let err: RefCell<Option<String>> = RefCell::new(None);
        let strategy = Model::sequential_strategy(1..=cfg.max_steps);
        let result = runner.run(&strategy, |(_init, steps, seen)| {
            if time_up() || err.borrow().is_some() {
                return Ok(());
            }
            let shrinking = hunt.borrow().is_some();
            let t0 = Instant::now();
            let hunted = hunt.borrow().clone();
            let wanted = |s: &Signature| match &hunted {
                Some(h) => h == s,
                None => {
                    let k = s.key();
                    if hunted_out.contains(&k) {
                        if cfg.known.contains(&k) {
                            known_seen.borrow_mut().insert(k);
                        }
                        false
                    } else {
                        true
                    }
                }
            };
            let tag = format!("c{}", case_no.get());
            case_no.set(case_no.get() + 1);
            let res = run_case(
                &mut target.borrow_mut(),
                &mut state_cell.borrow_mut(),
                &tag,
                rt,
                &steps,
                cfg.level,
                seen.as_deref(),
                stop,
                &wanted,
            );
            let res = match res {
                Ok(r) => r,
                Err(e) => {
                    *err.borrow_mut() = Some(e);
                    return Ok(());
                }
            };
            let mut s = summary_cell.borrow_mut();
            s.steps += res.steps_run as u64;
            s.faults += res.faults;
            s.unsupported += res.unsupported;
            if !shrinking {
                let case = s.cases;
                s.cases += 1;
                (on_event.borrow_mut())(&Event::CaseFinished {
                    case,
                    steps: res.steps_run,
                    divergent: res.hit.is_some(),
                    millis: t0.elapsed().as_millis(),
                });
            }
            (on_progress.borrow_mut())(Progress {
                cases: s.cases,
                steps: s.steps,
                divergences: s.divergences.len(),
                shrinking,
                elapsed: started.elapsed(),
            });
            match res.hit {
                Some((i, sig, ..)) => {
                    if hunt.borrow().is_none() {
                        *first.borrow_mut() =
                            Some((s.cases - 1, steps.len(), started.elapsed().as_millis()));
                        *hunt.borrow_mut() = Some(sig.clone());
                    }
                    Err(TestCaseError::fail(format!(
                        "step {}: {}",
                        i + 1,
                        sig.key()
                    )))
                }
                None => Ok(()),
            }
        });
        let _ = summary_cell.into_inner();
        if let Some(e) = err.into_inner() {
            (on_event.borrow_mut())(&Event::Fault {
                case: summary.cases,
                step: 0,
                why: e,
            });
            break;
        }
        match result {
            Ok(()) => {}
            Err(TestError::Fail(_, (_init, steps, _))) => {
                let Some(sig) = hunt.into_inner() else { break };
                hunted_out.insert(sig.key());
                let (case, original, found_after_ms) =
                    first.into_inner().unwrap_or((0, steps.len(), 0));
                // Confirm: the shrunk scenario must diverge the same way once more.
                let tag = format!("c{}", case_no.get());
                case_no.set(case_no.get() + 1);
                let again = run_case(
                    &mut target.borrow_mut(),
                    &mut state_cell.borrow_mut(),
                    &tag,
                    rt,
                    &steps,
                    cfg.level,
                    None,
                    stop,
                    &|s: &Signature| *s == sig,
                );
                let id = format!(
                    "d{:02}-{}-{}",
                    summary.divergences.len() + 1,
                    sig.class,
                    sig.op
                );
                match again {
                    Ok(CaseResult {
                        hit: Some((at, _, model, explanation, observed, detail)),
                        ..
                    }) => {
                        let scenario = scenario_of(&id, &sig, &steps, at, &model, cfg.seed);
                        let d = Divergence {
                            id: id.clone(),
                            signature: sig.clone(),
                            step: at + 1,
                            original_steps: original,
                            shrunk_steps: at + 1,
                            scenario,
                            model,
                            explanation,
                            target: observed,
                            detail,
                            confirmed: true,
                            case,
                            found_after_ms,
                        };
                        (on_event.borrow_mut())(&Event::DivergenceFound {
                            id,
                            signature: sig.key(),
                            original_steps: original,
                            shrunk_steps: d.shrunk_steps,
                            confirmed: true,
                        });
                        on_divergence(&d);
                        summary.divergences.push(d);
                    }
                    _ => {
                        (on_event.borrow_mut())(&Event::DivergenceFound {
                            id,
                            signature: sig.key(),
                            original_steps: original,
                            shrunk_steps: steps.len(),
                            confirmed: false,
                        });
                        summary.flaky.push(sig.key());
                    }
                }
            }
            Err(TestError::Abort(_)) => break,
        }
        round += 1;
    }
    let _ = state_cell.into_inner();
    let target = target.into_inner();
    let cleanup = rt.block_on(target.cleanup(&state));
    if !cleanup.failed.is_empty() {
        (on_event.borrow_mut())(&Event::Fault {
            case: summary.cases,
            step: 0,
            why: format!("clean-up could not remove: {}", cleanup.failed.join(", ")),
        });
    }
    summary.divergences.sort_by(|a, b| {
        a.signature
            .class
            .cmp(&b.signature.class)
            .then(a.id.cmp(&b.id))
    });
    summary.known = known_seen.into_inner().into_iter().collect();
    summary.not_seen = cfg
        .known
        .iter()
        .filter(|k| !summary.known.contains(k))
        .cloned()
        .collect();
    summary.elapsed_ms = started.elapsed().as_millis();
    (on_event.borrow_mut())(&Event::RunFinished {
        cases: summary.cases,
        steps: summary.steps,
        divergences: summary.divergences.len(),
        elapsed_ms: summary.elapsed_ms,
    });
    summary
}

/// The seen-counter type proptest-state-machine hands each case.
pub type Seen = Option<Arc<AtomicUsize>>;
