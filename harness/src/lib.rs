//! xacct-harness: the `xacct` command line, the executor that sends scenario steps to real
//! endpoints (aws-sdk-s3 / -iam / -sts), the targets and their provisioning, the comparison
//! with the model, baselines and reports (DESIGN.md sections 4–7).

pub mod awscli;
pub mod baseline;
pub mod bench;
pub mod compare;
pub mod embedded;
pub mod exec;
pub mod execute;
pub mod findings;
pub mod gen;
pub mod mapping;
pub mod render;
pub mod replay;
pub mod report;
pub mod run;
pub mod target;
