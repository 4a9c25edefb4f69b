//! One case of a random run: its steps against the target and the model side by side, under a
//! bucket prefix of the case's own, stopping at the first divergence the hunt wants or at the
//! first endpoint fault (the case is then inconclusive); whatever happens, the case is cleaned
//! up after.

use crate::compare::{compare, Class, Level, Observed};
use crate::generate::ACCOUNTS;
use crate::hunt::findings::Signature;
use crate::target::cleanup::{Cleanup, RequestFault};
use crate::target::execute::TargetState;
use crate::target::Target;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use xacct_model::outcome::Outcome;
use xacct_model::scenario::Step;
use xacct_model::World;

/// The divergence a case stopped at.
pub(crate) struct Hit {
    /// Index of the diverging step (from 0).
    pub at: usize,
    pub signature: Signature,
    /// What the model decided, and why (ids as placeholders).
    pub model: Outcome,
    pub explanation: Vec<String>,
    /// What the target answered, and how the two differ.
    pub target: Observed,
    pub detail: String,
}

/// What one case did on the target.
#[derive(Default)]
pub(crate) struct CaseResult {
    pub steps_run: usize,
    pub unsupported: u64,
    pub hit: Option<Hit>,
    /// The step (from 1) whose answer was a fault, and the fault: the case stopped there,
    /// inconclusive (the target's state is unknown from then on).
    pub fault: Option<(usize, RequestFault)>,
    /// The case's clean-up: its faults, and what it left behind.
    pub cleanup: Cleanup,
}

/// What every case of a run runs against: the target with the run's accounts provisioned, the
/// runtime its requests run on, how much of each answer to compare, and the run's stop switch.
pub(crate) struct CaseContext<'a> {
    pub target: &'a mut Target,
    pub state: TargetState,
    pub rt: &'a tokio::runtime::Runtime,
    pub level: Level,
    pub stop: &'a AtomicBool,
}

impl CaseContext<'_> {
    /// Runs `steps` under the prefix `tag` (new to the run), stopping at the first divergence
    /// `wanted` accepts or the first fault (`seen` counts the steps run, for
    /// proptest-state-machine); cleans up whatever happens. What clean-up leaves behind is
    /// fenced off: the prefix is never used again, and users and roles are not created again.
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
        let mut world = World::with_accounts(ACCOUNTS.iter().copied());
        world.region = self.state.region();
        let mut r = CaseResult::default();
        for (i, st) in steps.iter().enumerate() {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            if let Some(s) = seen {
                s.fetch_add(1, Ordering::Relaxed);
            }
            r.steps_run += 1;
            let Ok((model, ex)) = xacct_model::step(&mut world, st) else {
                continue;
            };
            let observed = self.target.step(&mut self.state, st).await;
            if let Some(f) = RequestFault::of(st.op.name(), &observed) {
                r.fault = Some((i + 1, f));
                break;
            }
            match compare(&model, &observed, self.level) {
                Some(d) if d.class == Class::Unsupported => r.unsupported += 1,
                Some(d) => {
                    let rule = ex.deciding_rule().unwrap_or("");
                    let signature = signature(d.class, st.op.name(), &model, &observed, rule);
                    if wanted(&signature) {
                        let explanation = ex
                            .lines
                            .iter()
                            .map(|l| world.redact(&format!("[{}] {}", l.rule, l.detail)))
                            .collect();
                        r.hit = Some(Hit {
                            at: i,
                            signature,
                            model,
                            explanation,
                            target: observed,
                            detail: d.detail,
                        });
                        break;
                    }
                }
                None => {}
            }
        }
        r
    }
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
