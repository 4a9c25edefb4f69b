//! TEMPORARY interim stub so the harness compiles while the catalogue is written on its own
//! branch; replaced wholesale by the catalogue at merge.
use crate::ops::StepError;
use crate::outcome::{Explanation, Outcome};
use crate::scenario::Step;
use crate::world::World;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Deviation {
    MissingKey404,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Security,
    Compatibility,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Security => "security",
            Severity::Compatibility => "compatibility",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no deviation is named {name:?}")]
pub struct UnknownDeviation {
    pub name: String,
}

impl Deviation {
    pub const ALL: &'static [Deviation] = &[Deviation::MissingKey404];
    pub fn name(self) -> &'static str {
        "missing-key-404"
    }
    pub fn description(self) -> &'static str {
        "stub"
    }
    pub fn severity(self) -> Severity {
        Severity::Compatibility
    }
}

impl std::str::FromStr for Deviation {
    type Err = UnknownDeviation;
    fn from_str(s: &str) -> Result<Deviation, UnknownDeviation> {
        Deviation::ALL
            .iter()
            .copied()
            .find(|d| d.name() == s)
            .ok_or_else(|| UnknownDeviation { name: s.into() })
    }
}

impl std::fmt::Display for Deviation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

pub fn step_with(
    _devs: &[Deviation],
    world: &mut World,
    step: &Step,
) -> Result<(Outcome, Explanation), StepError> {
    crate::ops::step(world, step)
}
