//! Profiles: the deviations a target is known to have, so that a run assumes them (the model
//! gives the target's answer where they apply) and hunts the rest. `xacct run --write-profile`
//! writes the deviations a run identified; `--profile` reads them back.
//!
//! ```toml
//! # xacct profile: deviations the model assumes for this target.
//! target = "rgw"
//! assume = [
//!     "no-bpa-defaults", # 4 finding(s): the model, but new buckets ...
//! ]
//! ```

use crate::hunt::findings::RunSummary;
use crate::hunt::root_cause::deviations_in;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use xacct_model::deviation::Deviation;

/// A target's known deviations.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    /// The target it was written for (informative).
    pub target: Option<String>,
    pub assume: Vec<Deviation>,
}

/// Why a profile cannot be read or written; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read profile {path}: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("profile {path}: {error}")]
    Toml {
        path: PathBuf,
        error: toml::de::Error,
    },
    #[error("profile {path}: {error}")]
    Unknown {
        path: PathBuf,
        error: xacct_model::deviation::UnknownDeviation,
    },
    #[error("cannot write profile {path}: {error}")]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    target: Option<String>,
    #[serde(default)]
    assume: Vec<String>,
}

impl Profile {
    /// Reads a profile; an unknown deviation name is an error naming the file and the valid
    /// names.
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|error| ProfileError::Read {
            path: path.into(),
            error,
        })?;
        let file: File = toml::from_str(&text).map_err(|error| ProfileError::Toml {
            path: path.into(),
            error,
        })?;
        let assume = file
            .assume
            .iter()
            .map(|n| n.parse::<Deviation>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| ProfileError::Unknown {
                path: path.into(),
                error,
            })?;
        Ok(Profile {
            target: file.target,
            assume,
        })
    }

    /// The deviations a run identified: those it assumed and every deviation a root cause of
    /// its findings names (both of a pair).
    pub fn from_run(summary: &RunSummary, assumed: &[Deviation]) -> Profile {
        let mut assume = assumed.to_vec();
        let named = summary
            .root_causes
            .iter()
            .filter_map(|r| r.deviation.as_deref())
            .filter_map(deviations_in)
            .flatten();
        assume.extend(named);
        assume.sort();
        assume.dedup();
        Profile {
            target: Some(summary.target.clone()),
            assume,
        }
    }

    /// The profile as TOML, each deviation with its findings in `summary` and its sentence.
    pub fn to_toml(&self, summary: Option<&RunSummary>) -> String {
        let mut out = String::from(
            "# xacct profile: deviations the model assumes for this target (xacct run --profile FILE).\n",
        );
        if let Some(t) = &self.target {
            out.push_str(&format!("target = {t:?}\n"));
        }
        out.push_str("assume = [\n");
        for d in &self.assume {
            let findings = summary.map_or(0, |s| findings_of(s, *d));
            out.push_str(&format!(
                "    {:?}, # {findings} finding(s): {}\n",
                d.name(),
                d.description()
            ));
        }
        out.push_str("]\n");
        out
    }

    pub fn save(&self, path: &Path, summary: Option<&RunSummary>) -> Result<(), ProfileError> {
        std::fs::write(path, self.to_toml(summary)).map_err(|error| ProfileError::Write {
            path: path.into(),
            error,
        })
    }
}

/// How many findings a root cause naming `deviation` (alone or in a pair) explains.
fn findings_of(summary: &RunSummary, deviation: Deviation) -> usize {
    summary
        .root_causes
        .iter()
        .filter(|r| {
            r.deviation
                .as_deref()
                .and_then(deviations_in)
                .is_some_and(|v| v.contains(&deviation))
        })
        .map(|r| r.findings.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_profile_reads_back_and_bad_names_are_named() {
        let dir = std::env::temp_dir().join(format!("xacct-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("p.toml");
        let p = Profile {
            target: Some("rgw".into()),
            assume: Deviation::all().iter().take(2).copied().collect(),
        };
        p.save(&path, None).unwrap();
        assert_eq!(Profile::load(&path).unwrap(), p);
        std::fs::write(&path, "assume = [\"no-such-deviation\"]\n").unwrap();
        let err = Profile::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("p.toml") && err.contains("no-such-deviation"),
            "{err}"
        );
        std::fs::write(&path, "assume = [\n").unwrap();
        let err = Profile::load(&path).unwrap_err().to_string();
        assert!(err.contains("p.toml"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
