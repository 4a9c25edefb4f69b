//! Baselines of known divergences: a run fails only on divergences its
//! baseline does not list, and reports listed ones that no longer occur.
//!
//! ```json
//! {"target": "rgw", "divergences": [
//!   {"scenario": "seed-example4", "step": 4, "op": "put_object", "class": "over-permissive",
//!    "reason": "a StringNotEquals condition on an absent header never fires"}]}
//! ```

use crate::compare::Class;
use crate::hunt::findings::RunSummary;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One known divergence, with a one-line reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Known {
    pub scenario: String,
    /// 1-based step number.
    pub step: usize,
    pub op: String,
    pub class: Class,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// The target the baseline was recorded against (informative).
    #[serde(default)]
    pub target: String,
    pub divergences: Vec<Known>,
}

/// A divergence found by a run, as the baseline identifies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    pub scenario: String,
    pub step: usize,
    pub op: String,
    pub class: Class,
    pub detail: String,
}

/// The verdict of a run against its baseline.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Judgement {
    /// Divergences the baseline does not know: these fail the run.
    pub new: Vec<Found>,
    /// Divergences the baseline lists and the run found again.
    pub known: Vec<Found>,
    /// Baseline entries for the scenarios that ran which no longer occur.
    pub gone: Vec<Known>,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("baseline {file} is not valid: {source}")]
    Parse {
        file: String,
        source: serde_json::Error,
    },
}

/// Reads a JSON baseline file; errors name the file.
fn load_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, BaselineError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
        file: file.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| BaselineError::Parse { file, source })
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        load_json(path)
    }

    fn matches(k: &Known, f: &Found) -> bool {
        k.scenario == f.scenario && k.step == f.step && k.op == f.op && k.class == f.class
    }

    /// Splits what a run found into new and known divergences, and lists the entries for the
    /// scenarios that ran that did not occur.
    pub fn judge(&self, scenarios_run: &[String], found: &[Found]) -> Judgement {
        let mut j = Judgement::default();
        for f in found.iter().filter(|f| f.class.is_divergence()) {
            if self.divergences.iter().any(|k| Self::matches(k, f)) {
                j.known.push(f.clone());
            } else {
                j.new.push(f.clone());
            }
        }
        for k in &self.divergences {
            if scenarios_run.contains(&k.scenario) && !found.iter().any(|f| Self::matches(k, f)) {
                j.gone.push(k.clone());
            }
        }
        j
    }

    /// A baseline listing exactly the given divergences, reasons taken from their details (to be
    /// edited into one-line explanations by a person).
    pub fn from_found(target: &str, found: &[Found]) -> Baseline {
        Baseline {
            target: target.to_string(),
            divergences: found
                .iter()
                .filter(|f| f.class.is_divergence())
                .map(|f| Known {
                    scenario: f.scenario.clone(),
                    step: f.step,
                    op: f.op.clone(),
                    class: f.class,
                    reason: f.detail.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(step: usize, class: Class) -> Found {
        Found {
            scenario: "s".into(),
            step,
            op: "put_object".into(),
            class,
            detail: "d".into(),
        }
    }

    #[test]
    fn judges_new_known_and_gone() {
        let b = Baseline::from_found(
            "rgw",
            &[found(1, Class::OverPermissive), found(2, Class::WrongError)],
        );
        let run = vec![
            found(1, Class::OverPermissive),
            found(3, Class::OverRestrictive),
            found(4, Class::Unsupported),
        ];
        let j = b.judge(&["s".into()], &run);
        assert_eq!(j.known.len(), 1);
        assert_eq!(j.new, vec![found(3, Class::OverRestrictive)]);
        assert_eq!(j.gone.len(), 1);
        assert_eq!(j.gone[0].step, 2);
        // Entries of scenarios that did not run are not reported as gone.
        assert!(b.judge(&["other".into()], &[]).gone.is_empty());
        let text = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<Baseline>(&text).unwrap(), b);
    }
}

/// A baseline for random runs: known divergence signatures (`Signature::key`), each with a
/// one-line reason. `xacct run --baseline FILE` hunts only signatures it does not list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunBaseline {
    #[serde(default)]
    pub target: String,
    pub signatures: Vec<KnownSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownSignature {
    pub signature: String,
    pub reason: String,
}

impl RunBaseline {
    pub fn load(path: &Path) -> Result<RunBaseline, BaselineError> {
        load_json(path)
    }

    /// A run baseline listing the signatures of a run's divergences, each reason its root cause
    /// (the deviations that explain it, or "new") and its detail, to be edited by a person.
    pub fn from_run(target: &str, run: &RunSummary) -> RunBaseline {
        RunBaseline {
            target: target.to_string(),
            signatures: run
                .divergences
                .iter()
                .map(|d| KnownSignature {
                    signature: d.signature.key(),
                    reason: match d.explained_by.as_slice() {
                        [] => format!("new: {}", d.detail),
                        e => format!("explained by {}: {}", e.join(" | "), d.detail),
                    },
                })
                .collect(),
        }
    }

    pub fn keys(&self) -> std::collections::BTreeSet<String> {
        self.signatures
            .iter()
            .map(|s| s.signature.clone())
            .collect()
    }
}
