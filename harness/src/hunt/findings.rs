//! What a random run finds: each divergence shrunk to a minimal, replayable scenario, and the
//! run's totals, merged over its jobs. The `report` module renders these.

use crate::compare::{Class, Observed};
use crate::hunt::evidence::Evidence;
pub use crate::hunt::faults::{FaultPhase, FaultRecord};
pub use crate::hunt::verdict::Ended;
use serde::{Deserialize, Serialize};
use xacct_model::deviation::Severity;
use xacct_model::outcome::Outcome;
use xacct_model::{Region, Scenario};

/// The identity of a divergence across runs and shrinking: the same class at the same kind of
/// step, with the same answers on both sides and the same deciding rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Signature {
    pub class: Class,
    /// The op of the diverging step (`put_object`).
    pub op: String,
    /// `403 AccessDenied`, `200`, …
    pub model: String,
    pub target: String,
    /// The model's deciding rule (`R22`).
    pub rule: String,
}

impl Signature {
    /// `over-permissive put_object model=403 AccessDenied target=200 rule=R22`.
    pub fn key(&self) -> String {
        format!(
            "{} {} model={} target={} rule={}",
            self.class, self.op, self.model, self.target, self.rule
        )
    }
}

/// How sure the model is of the answer it gave: `uncertain` when the rule that decided is one
/// the model marks uncertain (`xacct rules`); such a finding is never counted as a security bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Certain,
    Uncertain,
}

impl Confidence {
    /// The confidence of a finding decided by rule `id`.
    pub fn of_rule(id: &str) -> Confidence {
        match xacct_model::rules::by_id(id) {
            Some(r) if r.uncertain => Confidence::Uncertain,
            _ => Confidence::Certain,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Certain => "certain",
            Confidence::Uncertain => "uncertain",
        }
    }
}

/// One divergence, shrunk.
#[derive(Debug, Clone, Serialize)]
pub struct Divergence {
    /// Stable within a run: `d01-over-permissive-put_object`; names the report files.
    pub id: String,
    pub signature: Signature,
    /// The minimal scenario; its last step is the diverging one, carrying the model's answer
    /// as `expect`, so `xacct replay` of the file shows the divergence.
    pub scenario: Scenario,
    /// 1-based number of the diverging step in `scenario`.
    pub step: usize,
    /// Steps of the generated case before and after shrinking.
    pub original_steps: usize,
    pub shrunk_steps: usize,
    /// What the model decided at the diverging step, and why (ids as placeholders).
    pub model: Outcome,
    pub explanation: Vec<String>,
    /// What the target answered (its raw answer inside, secrets never included).
    pub target: Observed,
    pub detail: String,
    /// The shrunk scenario was replayed once more and diverged the same way.
    pub confirmed: bool,
    /// The case number (from 0) and the time into the run when it was first seen.
    pub case: u64,
    pub found_after_ms: u128,
    /// `uncertain` when the deciding rule is one the model marks uncertain.
    pub confidence: Confidence,
    /// The explanations (a deviation, or a composition `a+b+…`) under which the model gives
    /// every answer the target gave for the scenario and that nothing the target got right in
    /// the run refutes; its root cause first. Empty for a new finding.
    pub explained_by: Vec<String>,
    /// Explanations that reproduce the finding but that an agreeing step of the run refutes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refuted: Vec<Refuted>,
    /// The target's answer to every step of `scenario`, the last one included: what a root
    /// cause must reproduce.
    #[serde(skip)]
    pub answers: Vec<Observed>,
}

impl Divergence {
    /// Over-permissive and decided by a rule the model is certain of.
    pub fn is_security_bug(&self) -> bool {
        is_security(self.signature.class, self.confidence)
    }
}

/// Whether a finding counts as a security bug: over-permissive, decided by a certain rule.
pub(crate) fn is_security(class: Class, confidence: Confidence) -> bool {
    class == Class::OverPermissive && confidence == Confidence::Certain
}

/// An explanation that the run's evidence refutes, and the step that refutes it: the target
/// answered as AWS does there, and the model with the explanation would not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refuted {
    /// The deviation, or composition `a+b`.
    pub explanation: String,
    /// The case (its prefix, `c12`) and the step (from 1) that refute it.
    pub case: String,
    pub step: usize,
    pub op: String,
    #[serde(rename = "as")]
    pub as_: String,
    /// What the target answered there (as the model does), and what the model with the
    /// explanation would answer.
    pub target: String,
    pub model: String,
}

impl Refuted {
    /// `deny-ignored: case c12 step 4 (get_object as B.admin): the target answered 403
    /// AccessDenied, as AWS does; with it the model answers 200`.
    pub fn sentence(&self) -> String {
        format!(
            "{}: case {} step {} ({} as {}): the target answered {}, as AWS does; with it the model answers {}",
            self.explanation, self.case, self.step, self.op, self.as_, self.target, self.model
        )
    }
}

/// One row of the root-cause table.
#[derive(Debug, Clone, Serialize)]
pub struct RootCause {
    /// The catalogue's name (`a+b` for a composition); `None` for findings no deviation
    /// explains.
    pub deviation: Option<String>,
    pub severity: Severity,
    pub confidence: Confidence,
    /// The ids of the findings it explains, in report order.
    pub findings: Vec<String>,
    /// Competing explanations it beat: they too reproduce every one of these findings and
    /// nothing refutes them, but they explain fewer of the run's findings or less of its
    /// evidence, or are broader.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
    /// Explanations of some of these findings that an agreeing step of the run refutes, each
    /// with that step.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refuted: Vec<Refuted>,
    /// Deviations this cause stands only with: alone, an agreeing step refutes it, and with
    /// each of these the target's answer there is reproduced (the target refused there for a
    /// reason of its own). Each a sentence naming the deviation and the step.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub holds_with: Vec<String>,
    /// For new findings: what the group has in common, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The id of the finding with the fewest steps: the shortest reproduction.
    pub shortest: String,
    /// Its number of steps.
    pub shortest_steps: usize,
}

/// What the root causes were decided on: the run's evidence, and the search over the
/// catalogue.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Analysis {
    /// Cases offered as evidence, distinct ones, those kept (the rest sampled out), and the
    /// agreeing steps and bytes held.
    pub evidence_cases: u64,
    pub evidence_distinct: u64,
    pub evidence_kept: usize,
    pub agreeing_steps: usize,
    pub evidence_bytes: usize,
    /// Catalogue deviations tried (those not assumed), evidence replays the search made, and
    /// whether its work bound stopped it (then some explanations were left unchecked, and
    /// findings they would explain are new).
    pub candidates: usize,
    pub evidence_replays: u32,
    pub bounded: bool,
    pub millis: u128,
    /// What refutation changed: findings a single deviation reproduces but every such one is
    /// refuted (named without refutation, new now), and findings no single deviation
    /// reproduces that a composition explains (new without compositions, named now).
    pub moved_to_new: usize,
    pub moved_to_named: usize,
}

/// The id of a run's `number`-th divergence (from 1): `d01-over-permissive-put_object`. The one
/// naming scheme of divergences: the hunt names each as it is found (in the event log), and
/// [`RunSummary::number_divergences`] renumbers them in report order.
pub fn divergence_id(number: usize, signature: &Signature) -> String {
    format!("d{number:02}-{}-{}", signature.class, signature.op)
}

/// A whole random run.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub target: String,
    pub seed: u64,
    /// The Region the run's requests were signed for (set when the run ends).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    pub cases: u64,
    pub steps: u64,
    /// HTTP requests the run sent through its clients (every attempt, faults included).
    pub requests: u64,
    pub elapsed_ms: u128,
    /// Divergences, over-permissive first.
    pub divergences: Vec<Divergence>,
    /// Signatures a baseline knew and the run saw again, and baseline signatures not seen.
    pub known: Vec<String>,
    pub not_seen: Vec<String>,
    /// Steps the target could not do, and endpoint faults (never divergences): `faults` counts
    /// `fault_records`.
    pub unsupported: u64,
    pub faults: u64,
    /// Divergences whose shrunk scenario did not reproduce (flaky).
    pub flaky: Vec<String>,
    /// The deviations the model assumed (`--assume`, `--profile`).
    pub assumed: Vec<String>,
    /// The findings grouped by root cause, new ones first.
    pub root_causes: Vec<RootCause>,
    /// What the root causes were decided on.
    pub analysis: Analysis,
    /// Every case the run ran, as the target answered it (bounded): what refutes an
    /// explanation.
    #[serde(skip)]
    pub evidence: Evidence,
    /// Over-permissive findings decided by a rule the model is certain of.
    pub security_bugs: usize,
    /// Cases that ended at a first divergence the run does not hunt (baseline or found).
    pub stopped_at_known: u64,
    /// Cases ended by an unsupported step that would have changed state, and generated steps
    /// not sent because the target cannot run them.
    pub stopped_unsupported: u64,
    pub not_sent: u64,
    /// Generated cases a fault made inconclusive, each run once more under a fresh prefix; and
    /// those inconclusive again (their coverage is lost). Both are among `cases`.
    pub reruns: u64,
    pub inconclusive: u64,
    /// Every endpoint fault of the run (provisioning, steps, clean-up), in order.
    pub fault_records: Vec<FaultRecord>,
    /// What clean-up could not remove.
    pub left_behind: Vec<String>,
    /// Why the run stopped starting cases.
    pub ended: Ended,
    /// Cases asked for (`None`: as many as the time budget allows), the most faults a complete
    /// run may have, and whether the run is complete, with the reasons it is not (set by
    /// [`RunSummary::judge`]).
    pub requested_cases: Option<u64>,
    pub max_faults: u64,
    pub complete: bool,
    pub incomplete: Vec<String>,
}

impl RunSummary {
    /// A run against `target` with `seed` that has done nothing yet.
    pub fn empty(target: &str, seed: u64) -> RunSummary {
        RunSummary {
            target: target.to_string(),
            seed,
            region: None,
            cases: 0,
            steps: 0,
            requests: 0,
            elapsed_ms: 0,
            divergences: Vec::new(),
            known: Vec::new(),
            not_seen: Vec::new(),
            unsupported: 0,
            faults: 0,
            flaky: Vec::new(),
            assumed: Vec::new(),
            root_causes: Vec::new(),
            analysis: Analysis::default(),
            evidence: Evidence::new(seed),
            security_bugs: 0,
            stopped_at_known: 0,
            stopped_unsupported: 0,
            not_sent: 0,
            reruns: 0,
            inconclusive: 0,
            fault_records: Vec::new(),
            left_behind: Vec::new(),
            ended: Ended::Cases,
            requested_cases: None,
            max_faults: 0,
            complete: false,
            incomplete: Vec::new(),
        }
    }

    /// Records a fault (`faults` counts them).
    pub fn add_fault(&mut self, f: FaultRecord) {
        self.faults += 1;
        self.fault_records.push(f);
    }

    /// Adds the summary of another job of the same run (jobs run side by side): totals add up,
    /// the run took as long as its slowest job, a divergence is kept once per signature (the
    /// first job's), and a baseline signature is not seen only when no job saw it; the run
    /// ended as its most cut-short job. Call [`RunSummary::number_divergences`] and
    /// [`RunSummary::judge`] once every job is in.
    pub fn merge(&mut self, other: RunSummary) {
        self.cases += other.cases;
        self.steps += other.steps;
        self.requests += other.requests;
        self.elapsed_ms = self.elapsed_ms.max(other.elapsed_ms);
        self.unsupported += other.unsupported;
        self.faults += other.faults;
        self.fault_records.extend(other.fault_records);
        self.reruns += other.reruns;
        self.inconclusive += other.inconclusive;
        self.left_behind.extend(other.left_behind);
        self.ended = self.ended.max(other.ended);
        self.flaky.extend(other.flaky);
        self.stopped_at_known += other.stopped_at_known;
        self.stopped_unsupported += other.stopped_unsupported;
        self.not_sent += other.not_sent;
        self.known.extend(other.known);
        self.known.sort();
        self.known.dedup();
        self.not_seen.retain(|k| other.not_seen.contains(k));
        self.evidence.merge(other.evidence);
        for d in other.divergences {
            if !self.divergences.iter().any(|x| x.signature == d.signature) {
                self.divergences.push(d);
            }
        }
    }

    /// Puts the divergences in report order (by class, over-permissive first, then by the case
    /// that found them) and names them by [`divergence_id`] in that order; the scenario of each
    /// carries its name. Counts the security bugs. Root causes are `root_cause::analyse`'s.
    pub fn number_divergences(&mut self) {
        self.divergences.sort_by(|a, b| {
            a.signature
                .class
                .cmp(&b.signature.class)
                .then(a.case.cmp(&b.case))
        });
        for (i, d) in self.divergences.iter_mut().enumerate() {
            d.id = divergence_id(i + 1, &d.signature);
            d.scenario.name = d.id.clone();
        }
        self.security_bugs = self
            .divergences
            .iter()
            .filter(|d| d.is_security_bug())
            .count();
    }
}

/// One line of the JSON-lines event log.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    RunStarted {
        target: String,
        seed: u64,
        /// `null`: as many as the time budget allows.
        cases: Option<u64>,
        max_steps: usize,
    },
    /// A generated case; `rerun`: a fault made its first run inconclusive, so it ran again;
    /// `inconclusive`: its (last) run stopped at a fault.
    CaseFinished {
        case: u64,
        steps: usize,
        divergent: bool,
        inconclusive: bool,
        rerun: bool,
        millis: u128,
    },
    DivergenceFound {
        id: String,
        signature: String,
        original_steps: usize,
        shrunk_steps: usize,
        confirmed: bool,
        /// Confirmed findings only: how sure the model is. Root causes come at the end of
        /// the run (`root_causes`), once the whole run's evidence can refute explanations.
        #[serde(skip_serializing_if = "Option::is_none")]
        confidence: Option<Confidence>,
    },
    /// The root-cause table, decided at the end of the run (or of the merge of its jobs): each
    /// row with the competing explanations it beat and the refuted ones with their refuting
    /// step; new findings in groups, with their description.
    RootCauses {
        analysis: Analysis,
        root_causes: Vec<RootCause>,
    },
    Fault(FaultRecord),
    /// What a clean-up could not remove (`tag` empty: the run's clean-up).
    LeftBehind {
        case: u64,
        tag: String,
        what: Vec<String>,
    },
    RunFinished {
        cases: u64,
        steps: u64,
        divergences: usize,
        faults: u64,
        inconclusive: u64,
        complete: bool,
        elapsed_ms: u128,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use xacct_model::outcome::Outcome;

    fn divergence(class: Class, op: &str, case: u64) -> Divergence {
        let signature = Signature {
            class,
            op: op.into(),
            model: "403 AccessDenied".into(),
            target: "200".into(),
            rule: "R22".into(),
        };
        Divergence {
            id: divergence_id(9, &signature),
            scenario: Scenario {
                name: divergence_id(9, &signature),
                description: None,
                region: None,
                assume: Vec::new(),
                steps: Vec::new(),
            },
            signature,
            step: 1,
            original_steps: 5,
            shrunk_steps: 1,
            model: Outcome::error(403, "AccessDenied"),
            explanation: Vec::new(),
            target: Observed::Answer {
                outcome: Outcome::status(200),
                raw: String::new(),
            },
            detail: String::new(),
            confirmed: true,
            case,
            found_after_ms: 0,
            confidence: Confidence::Certain,
            explained_by: Vec::new(),
            refuted: Vec::new(),
            answers: Vec::new(),
        }
    }

    fn job(divergences: Vec<Divergence>, known: &[&str], not_seen: &[&str]) -> RunSummary {
        RunSummary {
            cases: 10,
            steps: 100,
            elapsed_ms: 1000 + divergences.len() as u128,
            divergences,
            known: known.iter().map(|k| k.to_string()).collect(),
            not_seen: not_seen.iter().map(|k| k.to_string()).collect(),
            unsupported: 1,
            faults: 2,
            flaky: vec!["f".into()],
            ..RunSummary::empty("embedded", 1)
        }
    }

    #[test]
    fn ids_name_number_class_and_op() {
        let d = divergence(Class::OverPermissive, "put_object", 0);
        assert_eq!(
            divergence_id(3, &d.signature),
            "d03-over-permissive-put_object"
        );
    }

    #[test]
    fn merged_jobs_add_up_keep_each_signature_once_and_number_in_report_order() {
        let mut run = job(
            vec![
                divergence(Class::WrongError, "get_object", 2),
                divergence(Class::OverPermissive, "put_object", 7),
            ],
            &["k2"],
            &["k1", "k3"],
        );
        run.merge(job(
            vec![
                divergence(Class::OverPermissive, "put_object", 1),
                divergence(Class::OverPermissive, "copy_object", 4),
            ],
            &["k1", "k2"],
            &["k3"],
        ));
        assert_eq!((run.cases, run.steps, run.elapsed_ms), (20, 200, 1002));
        assert_eq!((run.unsupported, run.faults, run.flaky.len()), (2, 4, 2));
        assert_eq!(run.known, vec!["k1", "k2"]);
        assert_eq!(run.not_seen, vec!["k3"]);
        run.number_divergences();
        let ids: Vec<(&str, u64)> = run
            .divergences
            .iter()
            .map(|d| (d.id.as_str(), d.case))
            .collect();
        assert_eq!(
            ids,
            vec![
                ("d01-over-permissive-copy_object", 4),
                ("d02-over-permissive-put_object", 7),
                ("d03-wrong-error-get_object", 2),
            ]
        );
        assert!(run.divergences.iter().all(|d| d.scenario.name == d.id));
    }
}
