//! The model with a set of deviations, replayed over what a target answered: does it give every
//! answer of a finding (it reproduces the finding), and does it keep every answer the target
//! got right (else the first agreeing step it turns into a divergence refutes it). The search
//! (`search.rs`) and the description of new findings (`groups.rs`) both stand on this file.

use crate::compare::{compare, status_code, Level, Observed};
use crate::hunt::case::fresh_world;
use crate::hunt::evidence::Evidence;
use crate::hunt::findings::Refuted;
use std::cell::Cell;
use xacct_model::deviation::{step_with, Deviation};
use xacct_model::outcome::Outcome;
use xacct_model::scenario::Step;
use xacct_model::{Region, World};

/// How the model is replayed: the run's Region, comparison level and assumed deviations; it
/// counts the steps it replays (the search's work bound).
pub(crate) struct Replayer<'a> {
    pub region: Region,
    pub level: Level,
    pub assumed: &'a [Deviation],
    pub steps_replayed: Cell<u64>,
}

/// A finding as the target answered it: the steps of its shrunk scenario and each answer.
pub(crate) struct Answered<'a> {
    pub steps: &'a [Step],
    pub answers: &'a [Observed],
}

impl Replayer<'_> {
    /// `extra` beside the assumed deviations, in catalogue order, each once.
    pub fn with(&self, extra: &[Deviation]) -> Vec<Deviation> {
        let mut devs = self.assumed.to_vec();
        devs.extend_from_slice(extra);
        devs.sort();
        devs.dedup();
        devs
    }

    /// The model's answer to each step under `devs` (`None` where the model cannot take the
    /// step), on a fresh world.
    pub fn outcomes(&self, devs: &[Deviation], steps: &[Step]) -> Vec<Option<Outcome>> {
        let mut world = fresh_world(self.region.clone());
        steps
            .iter()
            .map(|st| self.one(devs, &mut world, st))
            .collect()
    }

    fn one(&self, devs: &[Deviation], world: &mut World, st: &Step) -> Option<Outcome> {
        self.steps_replayed.set(self.steps_replayed.get() + 1);
        step_with(devs, world, st).ok().map(|(o, _)| o)
    }

    /// Whether the model with `extra` gives every answer the target gave.
    pub fn reproduces(&self, extra: &[Deviation], f: &Answered<'_>) -> bool {
        let devs = self.with(extra);
        let mut world = fresh_world(self.region.clone());
        f.steps.iter().zip(f.answers).all(|(st, observed)| {
            self.one(&devs, &mut world, st)
                .is_some_and(|model| !self.diverges(&model, observed))
        })
    }

    /// Whether `extra` changes any of the model's answers to `steps` from `base` (the answers
    /// without it): a deviation that changes nothing there can take no part in explaining them.
    pub fn changes(&self, extra: &[Deviation], steps: &[Step], base: &[Option<Outcome>]) -> bool {
        self.outcomes(&self.with(extra), steps) != base
    }

    /// Whether the model's answer agrees with the target's, at the run's level.
    pub fn agrees(&self, model: &Outcome, observed: &Observed) -> bool {
        !self.diverges(model, observed)
    }

    fn diverges(&self, model: &Outcome, observed: &Observed) -> bool {
        compare(model, observed, self.level).is_some_and(|d| d.class.is_divergence())
    }

    /// The first agreeing step of the evidence that the model with `extra` turns into a
    /// divergence: the step that refutes `extra` as an explanation. `None`: nothing the target
    /// got right contradicts it.
    pub fn refutation(&self, extra: &[Deviation], evidence: &Evidence) -> Option<Refuted> {
        let devs = self.with(extra);
        let explanation = name_of(extra);
        evidence
            .cases()
            .iter()
            .filter(|c| c.refutes_anything())
            .find_map(|c| {
                let mut world = fresh_world(self.region.clone());
                let last_agreeing = c.agreed.iter().rposition(|a| *a)?;
                (0..=last_agreeing).find_map(|i| {
                    let model = self.one(&devs, &mut world, &c.steps[i]);
                    let refutes = c.agreed[i]
                        && model
                            .as_ref()
                            .is_none_or(|m| self.diverges(m, &c.answers[i]));
                    refutes.then(|| Refuted {
                        explanation: explanation.clone(),
                        case: c.tag.clone(),
                        step: i + 1,
                        op: c.steps[i].op.name().to_string(),
                        as_: c.steps[i].as_.clone(),
                        target: answer_text(&c.answers[i]),
                        model: model.map_or_else(|| "no answer".into(), |m| status_code(&m)),
                    })
                })
            })
    }

    /// How many answers of `steps` the model with `extra` gets wrong: the fewer, the more of
    /// what the target did it explains.
    pub fn misfit(&self, extra: &[Deviation], evidence: &Evidence) -> usize {
        let devs = self.with(extra);
        evidence
            .cases()
            .iter()
            .map(|c| {
                let outcomes = self.outcomes(&devs, &c.steps);
                outcomes
                    .iter()
                    .zip(&c.answers)
                    .filter(|(m, o)| m.as_ref().is_none_or(|m| self.diverges(m, o)))
                    .count()
            })
            .sum()
    }
}

/// An explanation's name: its deviations joined by `+`, in catalogue order.
pub(crate) fn name_of(devs: &[Deviation]) -> String {
    let mut v = devs.to_vec();
    v.sort();
    v.iter().map(|d| d.name()).collect::<Vec<_>>().join("+")
}

/// A target's answer in a few words: `403 AccessDenied`, or what kept it from answering.
pub(crate) fn answer_text(o: &Observed) -> String {
    match o {
        Observed::Answer { outcome, .. } => status_code(outcome),
        Observed::Unsupported { why } => format!("unsupported ({why})"),
        Observed::Fault { why, .. } => format!("fault ({why})"),
        Observed::Skipped { why } => format!("skipped ({why})"),
        Observed::Provisioned { how } => format!("provisioned ({how})"),
    }
}
