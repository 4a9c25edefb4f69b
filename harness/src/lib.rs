//! xacct-harness: the `xacct` command line and the flow from scenario to report, one folder per
//! stage (docs/ARCHITECTURE.md): `generate` draws random scenarios from the model, `target`
//! sends steps to endpoints, `compare` classifies what they answered against the model, `hunt`
//! runs random cases and shrinks what diverges, `report` writes what a run found, and
//! `baseline` holds the divergences already known.

pub mod baseline;
pub mod compare;
pub mod generate;
pub mod hunt;
pub mod profile;
pub mod report;
pub mod schema;
pub mod target;

// The entry points most callers need, by stage.
pub use baseline::{Baseline, RunBaseline};
pub use compare::replay::replay_against;
pub use compare::{compare, Class, Level, Observed};
pub use hunt::findings::{Divergence, RunSummary, Signature};
pub use hunt::{run, Observer, RunConfig};
pub use report::write_run;
pub use target::{Target, TargetArgs, TargetError, TargetKind};
