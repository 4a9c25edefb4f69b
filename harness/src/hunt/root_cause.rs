//! Root causes: which deviation of the catalogue explains a finding. A deviation explains a
//! shrunk scenario when the model, with it switched on (beside the run's assumed ones),
//! reproduces every answer the target gave at the run's comparison level. Single deviations are
//! tried first, then pairs (a catalogue of n gives n(n-1)/2, each a replay of a few steps).
//! Findings are then grouped: each deviation in turn takes the findings it explains, the one
//! explaining most first; what none explains is "new".

use crate::compare::{compare, Class, Level, Observed};
use crate::hunt::case::fresh_world;
use crate::hunt::findings::{Confidence, Divergence};
use serde::Serialize;
use xacct_model::deviation::{step_with, Deviation, Severity};
use xacct_model::scenario::Step;
use xacct_model::Region;

/// A finding as the target answered it: the steps run and each answer.
pub(crate) struct Answered<'a> {
    pub steps: &'a [Step],
    pub answers: &'a [Observed],
    pub region: Region,
    pub level: Level,
}

impl Answered<'_> {
    /// Whether the model with `devs` gives every answer the target gave.
    fn reproduced_by(&self, devs: &[Deviation]) -> bool {
        let mut world = fresh_world(self.region.clone());
        for (st, observed) in self.steps.iter().zip(self.answers) {
            let Ok((model, _)) = step_with(devs, &mut world, st) else {
                return false;
            };
            if compare(&model, observed, self.level).is_some_and(|d| d.class.is_divergence()) {
                return false;
            }
        }
        true
    }

    /// The explanations of this finding beyond `assumed`: every single deviation that
    /// reproduces it, or if none does, every pair. Each is written `a` or `a+b`.
    pub fn explained_by(&self, assumed: &[Deviation]) -> Vec<String> {
        let candidates: Vec<Deviation> = Deviation::all()
            .iter()
            .copied()
            .filter(|d| !assumed.contains(d))
            .collect();
        let with = |extra: &[Deviation]| {
            let mut devs = assumed.to_vec();
            devs.extend_from_slice(extra);
            devs.sort();
            self.reproduced_by(&devs)
        };
        let singles: Vec<String> = candidates
            .iter()
            .filter(|d| with(&[**d]))
            .map(|d| d.name().to_string())
            .collect();
        if !singles.is_empty() {
            return singles;
        }
        let mut pairs = Vec::new();
        for (i, a) in candidates.iter().enumerate() {
            for b in &candidates[i + 1..] {
                if with(&[*a, *b]) {
                    pairs.push(format!("{a}+{b}"));
                }
            }
        }
        pairs
    }
}

/// One row of the root-cause table.
#[derive(Debug, Clone, Serialize)]
pub struct RootCause {
    /// The catalogue's name (`a+b` for a pair); `None` for findings no deviation explains.
    pub deviation: Option<String>,
    pub severity: Severity,
    pub confidence: Confidence,
    /// The ids of the findings it explains, in report order.
    pub findings: Vec<String>,
    /// Other explanations of every one of these findings: the run cannot tell them apart.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
    /// The id of the finding with the fewest steps: the shortest reproduction.
    pub shortest: String,
    /// Its number of steps.
    pub shortest_steps: usize,
}

/// Groups findings by root cause: new (unexplained) findings first, split by confidence; then
/// each explanation in turn takes the findings it explains, the one explaining most first. Ties
/// go to a deviation recorded on the run's `target` (its evidence names the backend), then to
/// catalogue order (single deviations before pairs); a row lists the explanations it could not
/// tell from its own as alternatives. Every finding lands in exactly one row.
pub fn group(divergences: &[Divergence], target: &str) -> Vec<RootCause> {
    let mut rows = Vec::new();
    for confidence in [Confidence::Certain, Confidence::Uncertain] {
        let new: Vec<&Divergence> = divergences
            .iter()
            .filter(|d| d.explained_by.is_empty() && d.confidence == confidence)
            .collect();
        if !new.is_empty() {
            rows.push(row(None, &new, Vec::new()));
        }
    }
    let mut left: Vec<&Divergence> = divergences
        .iter()
        .filter(|d| !d.explained_by.is_empty())
        .collect();
    while let Some(best) = most_explaining(&left, target) {
        let (taken, rest): (Vec<&Divergence>, Vec<&Divergence>) = left
            .into_iter()
            .partition(|d| d.explained_by.contains(&best));
        let alternatives = shared_explanations(&taken, &best);
        rows.push(row(Some(best), &taken, alternatives));
        left = rest;
    }
    rows
}

/// The explanations, other than `best`, of every finding of a row.
fn shared_explanations(taken: &[&Divergence], best: &str) -> Vec<String> {
    let Some(first) = taken.first() else {
        return Vec::new();
    };
    first
        .explained_by
        .iter()
        .filter(|e| *e != best && taken.iter().all(|d| d.explained_by.contains(e)))
        .cloned()
        .collect()
}

/// The explanation shared by most of `left`; ties go to one recorded on `target`, then to the
/// one named first in the catalogue.
fn most_explaining(left: &[&Divergence], target: &str) -> Option<String> {
    let mut names: Vec<&String> = left.iter().flat_map(|d| &d.explained_by).collect();
    names.sort_by_key(|n| (!recorded_on(n, target), catalogue_order(n)));
    names.dedup();
    let count = |n: &String| left.iter().filter(|d| d.explained_by.contains(n)).count();
    let mut best: Option<(&String, usize)> = None;
    for n in names {
        let c = count(n);
        if best.is_none_or(|(_, b)| c > b) {
            best = Some((n, c));
        }
    }
    best.map(|(n, _)| n.clone())
}

/// The deviations an explanation names (`a`, or `a+b` for a pair); `None` when a name is not
/// one of the catalogue's.
pub(crate) fn deviations_in(explanation: &str) -> Option<Vec<Deviation>> {
    explanation.split('+').map(|n| n.parse().ok()).collect()
}

/// Whether every deviation of an explanation was recorded on `target`.
fn recorded_on(name: &str, target: &str) -> bool {
    deviations_in(name).is_some_and(|v| v.iter().all(|d| d.recorded_on(target)))
}

/// Position of an explanation's first deviation in the catalogue, then its length (pairs
/// after singles).
fn catalogue_order(name: &str) -> (usize, usize) {
    let first = name
        .split('+')
        .next()
        .and_then(|n| n.parse::<Deviation>().ok());
    (first.map_or(usize::MAX, |d| d.position()), name.len())
}

fn row(
    deviation: Option<String>,
    findings: &[&Divergence],
    alternatives: Vec<String>,
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
        alternatives,
        findings: findings.iter().map(|d| d.id.clone()).collect(),
        shortest: shortest.0,
        shortest_steps: shortest.1,
    }
}

/// A deviation's own severity (the higher of a pair's); for new findings, security when one
/// of them is an over-permissive finding the model is certain of.
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

/// Whether a finding counts as a security bug: over-permissive, decided by a certain rule.
pub(crate) fn is_security(class: Class, confidence: Confidence) -> bool {
    class == Class::OverPermissive && confidence == Confidence::Certain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hunt::findings::{divergence_id, Signature};
    use xacct_model::outcome::Outcome;
    use xacct_model::Scenario;

    fn finding(n: usize, class: Class, steps: usize, explained_by: &[&str]) -> Divergence {
        let signature = Signature {
            class,
            op: format!("op{n}"),
            model: "403 AccessDenied".into(),
            target: "200".into(),
            rule: "R22".into(),
        };
        let id = divergence_id(n, &signature);
        Divergence {
            scenario: Scenario {
                name: id.clone(),
                description: None,
                region: None,
                assume: Vec::new(),
                steps: Vec::new(),
            },
            id,
            signature,
            step: steps,
            original_steps: 9,
            shrunk_steps: steps,
            model: Outcome::error(403, "AccessDenied"),
            explanation: Vec::new(),
            target: Observed::answer(Outcome::status(200)),
            detail: String::new(),
            confirmed: true,
            case: n as u64,
            found_after_ms: 0,
            confidence: Confidence::Certain,
            explained_by: explained_by.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn new_findings_come_first_and_each_finding_lands_in_one_row() {
        let d = Deviation::all()[0].name();
        let mut uncertain = finding(4, Class::OverPermissive, 2, &[]);
        uncertain.confidence = Confidence::Uncertain;
        let findings = vec![
            finding(1, Class::OverPermissive, 3, &[d]),
            finding(2, Class::WrongError, 2, &[d, "x+y"]),
            finding(3, Class::OverPermissive, 5, &[]),
            uncertain,
            finding(5, Class::OverRestrictive, 1, &["x+y"]),
        ];
        let rows = group(&findings, "embedded");
        let names: Vec<Option<&str>> = rows.iter().map(|r| r.deviation.as_deref()).collect();
        assert_eq!(names, vec![None, None, Some(d), Some("x+y")]);
        assert_eq!(rows[0].confidence, Confidence::Certain);
        assert_eq!(rows[0].severity, Severity::Security);
        assert_eq!(rows[1].confidence, Confidence::Uncertain);
        assert_eq!(
            rows[1].severity,
            Severity::Compatibility,
            "an uncertain finding is never a security bug"
        );
        assert_eq!(rows[2].findings.len(), 2, "{rows:?}");
        assert!(rows[2].alternatives.is_empty(), "{rows:?}");
        assert_eq!(rows[2].shortest, findings[1].id);
        assert_eq!(rows[3].findings, vec![findings[4].id.clone()]);
        let total: usize = rows.iter().map(|r| r.findings.len()).sum();
        assert_eq!(total, findings.len());
    }

    #[test]
    fn ties_go_to_what_was_recorded_on_the_target_and_the_others_are_alternatives() {
        let (seeded, observed) = ("bpa-ignored", "no-bpa-defaults");
        let findings = vec![
            finding(1, Class::OverPermissive, 2, &[seeded, observed]),
            finding(2, Class::OverPermissive, 2, &[seeded, observed]),
        ];
        let on = |target| {
            let rows = group(&findings, target);
            assert_eq!(rows.len(), 1, "{rows:?}");
            (
                rows[0].deviation.clone().unwrap(),
                rows[0].alternatives.clone(),
            )
        };
        assert_eq!(on("rgw"), (observed.to_string(), vec![seeded.to_string()]));
        assert_eq!(
            on("embedded"),
            (seeded.to_string(), vec![observed.to_string()])
        );
    }
}
