//! One case of a random run: its steps against the target and the model side by side, under a
//! bucket prefix of the case's own, ending at the case's first divergence (at the run's
//! comparison level; the model runs with the run's assumed deviations, so what they explain does
//! not diverge); whatever happens, the case is cleaned up after.
//!
//! Steps the target cannot run are never sent (`Capabilities::allows`); a step that turns out
//! unsupported and would have changed state ends the case, since the model's state would no
//! longer be the target's. A fault ends the case as inconclusive (the target's state is unknown
//! from then on). What clean-up leaves behind is fenced off: the prefix is never used again, and
//! users and roles are not created again.

use crate::compare::{compare, status_code, Class, Difference, Level, Observed};
use crate::generate::ACCOUNTS;
use crate::hunt::evidence::EvidenceCase;
use crate::hunt::findings::Signature;
use crate::target::cleanup::{Cleanup, RequestFault};
use crate::target::execute::TargetState;
use crate::target::Target;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use xacct_model::deviation::{step_with, Deviation};
use xacct_model::outcome::{Explanation, Outcome};
use xacct_model::scenario::Step;
use xacct_model::{Region, World};

/// The divergence a case stopped at.
pub(crate) struct Hit {
    /// Index of the diverging step (from 0) in `steps`.
    pub at: usize,
    pub signature: Signature,
    /// What the model decided, and why (ids as placeholders).
    pub model: Outcome,
    pub explanation: Vec<String>,
    /// What the target answered, and how the two differ.
    pub target: Observed,
    pub detail: String,
    /// The steps the case ran, up to and including the diverging one, and what the target
    /// answered to each: what a root cause must reproduce.
    pub steps: Vec<Step>,
    pub answers: Vec<Observed>,
}

/// How a case ended, when it did not run all its steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stopped {
    /// Its first divergence was one the run does not hunt (known or already found).
    Known(String),
    /// A step the target does not support would have changed state.
    Unsupported { step: usize, op: &'static str },
}

/// What one case did on the target.
#[derive(Default)]
pub(crate) struct CaseResult {
    pub steps_run: usize,
    pub unsupported: u64,
    /// Generated steps not sent because the target cannot run them.
    pub not_sent: u64,
    pub hit: Option<Hit>,
    pub stopped: Option<Stopped>,
    /// The step (from 1) whose answer was a fault, and the fault: the case stopped there,
    /// inconclusive.
    pub fault: Option<(usize, RequestFault)>,
    /// The case's clean-up: its faults, and what it left behind.
    pub cleanup: Cleanup,
    /// The steps sent and the target's answers, diverging or not: the run's evidence.
    pub evidence: Option<EvidenceCase>,
}

/// What every case of a run runs against: the target with the run's accounts provisioned, the
/// runtime its requests run on, how much of each answer to compare, the deviations the model
/// assumes, and the run's stop switch.
pub(crate) struct CaseContext<'a> {
    pub target: &'a mut Target,
    pub state: TargetState,
    pub rt: &'a tokio::runtime::Runtime,
    pub level: Level,
    pub assume: Vec<Deviation>,
    pub stop: &'a AtomicBool,
}

/// The world a case (or a root-cause replay) starts from: the run's accounts, in its Region.
pub(crate) fn fresh_world(region: Region) -> World {
    let mut world = World::with_accounts(ACCOUNTS.iter().copied());
    world.region = region;
    world
}

/// One step of a case, as both sides saw it.
struct Seen<'s> {
    index: usize,
    step: &'s Step,
    model: Outcome,
    explanation: Explanation,
    observed: Observed,
}

impl CaseContext<'_> {
    /// Runs `steps` under the prefix `tag` (new to the run), ending at the first divergence (a
    /// hit when `wanted` accepts its signature) or the first fault; `seen` counts the steps run,
    /// for proptest-state-machine. Cleans up whatever happens and fences off what clean-up
    /// leaves behind.
    pub fn run(
        &mut self,
        tag: &str,
        steps: &[Step],
        seen: Option<&AtomicUsize>,
        wanted: &mut dyn FnMut(&Signature) -> bool,
    ) -> CaseResult {
        let rt = self.rt;
        rt.block_on(async {
            self.state.begin_case(tag);
            let mut result = self.steps(steps, seen, wanted).await;
            if let Some(e) = &mut result.evidence {
                e.tag = tag.to_string();
            }
            result.cleanup = self.target.cleanup_case(&self.state).await;
            let fenced = result.cleanup.fenced.iter().cloned();
            self.state.fenced.extend(fenced);
            result
        })
    }

    async fn steps(
        &mut self,
        steps: &[Step],
        seen: Option<&AtomicUsize>,
        wanted: &mut dyn FnMut(&Signature) -> bool,
    ) -> CaseResult {
        let mut world = fresh_world(self.state.region());
        let caps = self.target.capabilities();
        let mut r = CaseResult::default();
        let (mut sent, mut answers, mut agreed) = (Vec::new(), Vec::new(), Vec::new());
        for st in steps {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            if let Some(s) = seen {
                s.fetch_add(1, Ordering::Relaxed);
            }
            if caps.allows(st).is_err() {
                r.not_sent += 1;
                continue;
            }
            r.steps_run += 1;
            let Ok((model, explanation)) = step_with(&self.assume, &mut world, st) else {
                continue;
            };
            let observed = self.target.step(&mut self.state, st).await;
            if let Some(f) = RequestFault::of(st.op.name(), &observed) {
                r.fault = Some((sent.len() + 1, f));
                break;
            }
            sent.push(st.clone());
            answers.push(observed.clone());
            agreed.push(compare(&model, &observed, self.level).is_none());
            let s = Seen {
                index: sent.len() - 1,
                step: st,
                model,
                explanation,
                observed,
            };
            if judge(&mut r, &world, s, self.level, wanted).is_break() {
                break;
            }
        }
        if let Some(hit) = &mut r.hit {
            hit.steps = sent.clone();
            hit.answers = answers.clone();
        }
        r.evidence = Some(EvidenceCase {
            tag: String::new(),
            steps: sent,
            answers,
            agreed,
        });
        r
    }
}

/// Whether a case goes on after this step; a divergence and an unsupported step that changes
/// state end it (a fault has ended it before).
fn judge(
    r: &mut CaseResult,
    world: &World,
    s: Seen<'_>,
    level: Level,
    wanted: &mut dyn FnMut(&Signature) -> bool,
) -> ControlFlow<()> {
    let Some(d) = compare(&s.model, &s.observed, level) else {
        return ControlFlow::Continue(());
    };
    let op = s.step.op.name();
    match d.class {
        Class::EndpointFault => ControlFlow::Break(()),
        Class::Unsupported => {
            r.unsupported += 1;
            if changes_state(op, &s.model) {
                r.stopped = Some(Stopped::Unsupported { step: s.index, op });
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
        _ => {
            let signature = signature_of(&d, op, &s);
            if wanted(&signature) {
                r.hit = Some(hit(world, s, signature, d));
            } else {
                r.stopped = Some(Stopped::Known(signature.key()));
            }
            ControlFlow::Break(())
        }
    }
}

/// Whether a step the model allowed changed what later steps see: everything but reads.
fn changes_state(op: &str, model: &Outcome) -> bool {
    let read = ["get_", "head_", "list_"].iter().any(|p| op.starts_with(p));
    model.allowed() && !read
}

fn hit(world: &World, s: Seen<'_>, signature: Signature, d: Difference) -> Hit {
    let explanation = s
        .explanation
        .lines
        .iter()
        .map(|l| world.redact(&format!("[{}] {}", l.rule, l.detail)))
        .collect();
    Hit {
        at: s.index,
        signature,
        model: s.model,
        explanation,
        target: s.observed,
        detail: d.detail,
        steps: Vec::new(),
        answers: Vec::new(),
    }
}

fn signature_of(d: &Difference, op: &str, s: &Seen<'_>) -> Signature {
    Signature {
        class: d.class,
        op: op.to_string(),
        model: status_code(&s.model),
        target: match &s.observed {
            Observed::Answer { outcome, .. } => status_code(outcome),
            other => other.to_string(),
        },
        rule: s.explanation.deciding_rule().unwrap_or("").to_string(),
    }
}
