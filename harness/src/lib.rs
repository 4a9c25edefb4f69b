//! xacct-harness: the `xacct` command line and the flow from scenario to report, one folder per
//! stage (docs/ARCHITECTURE.md): `generate` draws random scenarios from the model, `target`
//! sends steps to endpoints, `compare` classifies what they answered against the model, `hunt`
//! runs random cases and shrinks what diverges, `report` writes what a run found, and
//! `baseline` holds the divergences already known.

pub mod baseline;
pub mod compare;
pub mod generate;
pub mod hunt;
pub mod report;
pub mod schema;
pub mod target;
