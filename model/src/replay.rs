//! Replaying a whole scenario against the model: each step's outcome, explanation and the
//! check of its `expect`.

use crate::outcome::{Explanation, Mismatch, Outcome};
use crate::scenario::Scenario;
use crate::world::World;
use serde::Serialize;

/// One replayed step.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    /// 1-based step number.
    pub step: usize,
    #[serde(rename = "as")]
    pub as_: String,
    pub op: &'static str,
    /// The model's outcome; `None` when the step could not be applied (see `error`).
    pub outcome: Option<Outcome>,
    pub explanation: Explanation,
    /// Why the step could not be applied (unknown principal, unknown account placeholder).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whether the step had an `expect`.
    pub checked: bool,
    pub mismatches: Vec<Mismatch>,
}

impl StepReport {
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.mismatches.is_empty()
    }
}

/// Replays every step against a fresh world for the scenario's accounts.
pub fn replay(scenario: &Scenario) -> (World, Vec<StepReport>) {
    let mut world = scenario.world();
    let reports = replay_in(&mut world, scenario);
    (world, reports)
}

/// Replays every step against a given world.
pub fn replay_in(world: &mut World, scenario: &Scenario) -> Vec<StepReport> {
    let mut out = Vec::with_capacity(scenario.steps.len());
    for (i, s) in scenario.steps.iter().enumerate() {
        let mut r = StepReport {
            step: i + 1,
            as_: s.as_.clone(),
            op: s.op.name(),
            outcome: None,
            explanation: Explanation::default(),
            error: None,
            checked: s.expect.is_some(),
            mismatches: Vec::new(),
        };
        match crate::deviation::step_with(&scenario.assume, world, s) {
            Ok((o, ex)) => {
                if let Some(e) = &s.expect {
                    // `expect` may hold placeholders (e.g. an assumed-role ARN with `${A}`).
                    let mut e = e.clone();
                    if let Some(a) = &e.assumed_role_arn {
                        e.assumed_role_arn = Some(
                            crate::scenario::substitute(a, world).unwrap_or_else(|_| a.clone()),
                        );
                    }
                    r.mismatches = e.check(&o);
                }
                r.outcome = Some(o);
                r.explanation = ex;
            }
            Err(e) => r.error = Some(e.to_string()),
        }
        out.push(r);
    }
    out
}
