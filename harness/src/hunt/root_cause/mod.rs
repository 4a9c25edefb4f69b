//! Root causes: which deviations of the catalogue explain a run's findings.
//!
//! A deviation (or composition) *reproduces* a finding when the model, with it switched on
//! beside the run's assumed ones, gives every answer the target gave in the finding's shrunk
//! scenario. It is *refuted* when it would turn a step the target got right — an agreeing step
//! of the run's evidence — into a divergence. Root causes are the smallest set of unrefuted
//! deviations that explains the findings (`search.rs`); each finding is then attributed to the
//! smallest part of that set that reproduces it, and the findings attributed alike form a row.
//! A row names the competing explanations it beat and those the evidence refuted, with the
//! refuting step. Findings nothing explains are new, grouped by what they have in common and
//! described in words (`groups.rs`).
//!
//! Files: `replay.rs` replays the model over a target's answers (below both others),
//! `search.rs` the search, `groups.rs` the new findings.

mod groups;
mod replay;
mod search;
#[cfg(test)]
mod tests;

pub(crate) use replay::Answered;
use replay::{name_of, Replayer};
use search::{Search, Solution};

use crate::compare::Level;
use crate::generate::Model;
use crate::hunt::findings::{Analysis, Confidence, Divergence, Refuted, RootCause, RunSummary};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use proptest_state_machine::ReferenceStateMachine;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::time::Instant;
use xacct_model::deviation::{Deviation, Severity};
use xacct_model::scenario::Step;
use xacct_model::Region;

/// What the analysis of a run needs besides its summary.
pub struct Params<'a> {
    pub region: Region,
    pub level: Level,
    pub assumed: &'a [Deviation],
}

/// Decides the root causes of a run's findings from its evidence: fills each finding's
/// explanations and refuted ones, the summary's root-cause table and its analysis figures.
pub fn analyse(summary: &mut RunSummary, p: &Params<'_>) {
    let started = Instant::now();
    let replayer = Replayer {
        region: p.region.clone(),
        level: p.level,
        assumed: p.assumed,
        steps_replayed: Cell::new(0),
    };
    let answered: Vec<Answered<'_>> = summary
        .divergences
        .iter()
        .map(|d| Answered {
            steps: &d.scenario.steps,
            answers: &d.answers,
        })
        .collect();
    let probe = probe();
    let search = Search::new(
        &replayer,
        &answered,
        &summary.evidence,
        &summary.target,
        &probe,
    );
    let sol = search.run();
    let rows = rows(&sol, &summary.divergences);
    let groups: Vec<RootCause> =
        groups::new_findings(&replayer, &summary.divergences, &sol.attribution)
            .into_iter()
            .map(|(idx, mut r)| {
                r.refuted = refuted_for(&sol, &idx);
                r
            })
            .collect();
    let per_finding = per_finding(&sol, summary.divergences.len());
    drop(answered);
    for (d, (explained_by, refuted)) in summary.divergences.iter_mut().zip(per_finding) {
        d.explained_by = explained_by;
        d.refuted = refuted;
    }
    summary.root_causes = groups.into_iter().chain(rows).collect();
    let e = &summary.evidence;
    summary.analysis = Analysis {
        evidence_cases: e.offered,
        evidence_distinct: e.distinct,
        evidence_kept: e.cases().len(),
        agreeing_steps: e.agreeing_steps(),
        evidence_bytes: e.bytes(),
        candidates: Deviation::all().len() - p.assumed.len(),
        evidence_replays: sol.replays,
        bounded: sol.bounded,
        millis: started.elapsed().as_millis(),
        moved_to_new: moved(&sol, |single, named| single && !named),
        moved_to_named: moved(&sol, |single, named| !single && named),
    };
}

/// Findings for which `pick(a single deviation reproduces it, it has a root cause)` holds.
fn moved(sol: &Solution, pick: impl Fn(bool, bool) -> bool) -> usize {
    sol.attribution
        .iter()
        .enumerate()
        .filter(|(i, part)| pick(sol.singles.values().any(|f| f.contains(i)), part.is_some()))
        .count()
}

/// Generated cases, the model alone decides: the probe on which the search measures how much
/// a deviation changes (the narrower of two equal explanations wins). Fixed: the same for
/// every run.
fn probe() -> Vec<Vec<Step>> {
    let mut seed = [0u8; 32];
    seed[..24].copy_from_slice(b"xacct-root-cause-probe-1");
    generated(seed, PROBE_CASES, 12)
}

/// `n` cases of at most `max_steps` steps from the run's generator, drawn by `seed`.
pub(crate) fn generated(seed: [u8; 32], n: usize, max_steps: usize) -> Vec<Vec<Step>> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
    );
    let strategy = Model::sequential_strategy(1..=max_steps);
    (0..n)
        .filter_map(|_| strategy.new_tree(&mut runner).ok())
        .map(|t| t.current().1)
        .collect()
}

/// Cases in the probe.
const PROBE_CASES: usize = 120;

/// The rows of the explained findings: one per part of the chosen set, the one explaining
/// most first.
fn rows(sol: &Solution, divergences: &[Divergence]) -> Vec<RootCause> {
    let mut by_part: BTreeMap<Vec<Deviation>, Vec<usize>> = BTreeMap::new();
    for (i, part) in sol.attribution.iter().enumerate() {
        if let Some(part) = part {
            by_part.entry(part.clone()).or_default().push(i);
        }
    }
    let mut rows: Vec<(Vec<Deviation>, Vec<usize>)> = by_part.into_iter().collect();
    rows.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    rows.into_iter()
        .map(|(part, idx)| {
            let taken: Vec<&Divergence> = idx.iter().map(|i| &divergences[*i]).collect();
            let mut r = row(Some(name_of(&part)), &taken, None);
            r.holds_with = holds_with(sol, &part);
            if r.holds_with.is_empty() {
                r.holds_with = holds_with_the_rest(sol, &part);
            }
            r.alternatives = beaten(sol, &part, &idx);
            r.refuted = refuted_for(sol, &idx);
            r
        })
        .collect()
}

/// The masks a row's deviations stand with, each with the step that refutes the deviation
/// alone.
fn holds_with(sol: &Solution, part: &[Deviation]) -> Vec<String> {
    sol.repairs
        .iter()
        .filter(|r| r.of.iter().any(|d| part.contains(d)))
        .map(|r| format!("{} (without it, {})", r.with, r.refuted.sentence()))
        .collect()
}

/// For a part the evidence refutes alone: the rest of the chosen set, which it stands with.
fn holds_with_the_rest(sol: &Solution, part: &[Deviation]) -> Vec<String> {
    let Some(r) = sol.parts_refuted.get(part) else {
        return Vec::new();
    };
    let rest: Vec<&str> = sol
        .chosen
        .iter()
        .filter(|d| !part.contains(d))
        .map(|d| d.name())
        .collect();
    vec![format!(
        "{} (the rest of the causes found; without them, {})",
        rest.join(", "),
        r.sentence()
    )]
}

/// The unrefuted single deviations, other than the row's, that alone reproduce every finding
/// of the row.
fn beaten(sol: &Solution, part: &[Deviation], idx: &[usize]) -> Vec<String> {
    sol.singles
        .iter()
        .filter(|(d, found)| {
            !part.contains(d)
                && idx.iter().all(|i| found.contains(i))
                && !sol.refuted.contains_key(d.name())
        })
        .map(|(d, _)| d.name().to_string())
        .collect()
}

/// The refuted single deviations that alone reproduce one of these findings, with their
/// refuting step.
fn refuted_for(sol: &Solution, idx: &[usize]) -> Vec<Refuted> {
    sol.singles
        .iter()
        .filter(|(_, found)| idx.iter().any(|i| found.contains(i)))
        .filter_map(|(d, _)| sol.refuted.get(d.name()).cloned())
        .collect()
}

/// Per finding: its unrefuted explanations (its root cause first) and the refuted ones.
fn per_finding(sol: &Solution, n: usize) -> Vec<(Vec<String>, Vec<Refuted>)> {
    (0..n)
        .map(|i| {
            let mut explained: Vec<String> =
                sol.attribution[i].iter().map(|p| name_of(p)).collect();
            let mut refuted = Vec::new();
            for d in sol
                .singles
                .iter()
                .filter(|(_, f)| f.contains(&i))
                .map(|(d, _)| d)
            {
                match sol.refuted.get(d.name()) {
                    Some(r) => refuted.push(r.clone()),
                    None if !explained.iter().any(|e| e == d.name()) => {
                        explained.push(d.name().to_string())
                    }
                    None => {}
                }
            }
            (explained, refuted)
        })
        .collect()
}

/// A row of the table over `findings`.
pub(crate) fn row(
    deviation: Option<String>,
    findings: &[&Divergence],
    description: Option<String>,
) -> RootCause {
    let shortest = findings
        .iter()
        .min_by_key(|d| (d.shrunk_steps, d.id.clone()))
        .map(|d| (d.id.clone(), d.shrunk_steps))
        .unwrap_or_default();
    let confidence = if findings
        .iter()
        .all(|d| d.confidence == Confidence::Uncertain)
    {
        Confidence::Uncertain
    } else {
        Confidence::Certain
    };
    RootCause {
        severity: severity_of(deviation.as_deref(), findings),
        deviation,
        confidence,
        alternatives: Vec::new(),
        refuted: Vec::new(),
        holds_with: Vec::new(),
        description,
        findings: findings.iter().map(|d| d.id.clone()).collect(),
        shortest: shortest.0,
        shortest_steps: shortest.1,
    }
}

/// A deviation's own severity (the highest of a composition's); for new findings, security
/// when one of them is an over-permissive finding the model is certain of.
fn severity_of(deviation: Option<&str>, findings: &[&Divergence]) -> Severity {
    match deviation {
        Some(name) => {
            let security = deviations_in(name)
                .is_some_and(|v| v.iter().any(|d| d.severity() == Severity::Security));
            if security {
                Severity::Security
            } else {
                Severity::Compatibility
            }
        }
        None if findings.iter().any(|d| d.is_security_bug()) => Severity::Security,
        None => Severity::Compatibility,
    }
}

/// The deviations an explanation names (`a`, or `a+b+…` for a composition); `None` when a
/// name is not one of the catalogue's.
pub(crate) fn deviations_in(explanation: &str) -> Option<Vec<Deviation>> {
    explanation.split('+').map(|n| n.parse().ok()).collect()
}
