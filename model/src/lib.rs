//! # xacct-model — the reference model of AWS S3 ownership and cross-account access
//!
//! A pure, synchronous specification: [`World`] holds accounts, IAM users, roles, role
//! sessions, buckets and objects; [`step`] applies one scenario [`Step`] and returns the
//! [`Outcome`] AWS would give plus an [`Explanation`] naming the rules that decided it.
//! Every rule is declared once in [`rules`] with its source.
//!
//! Modules, in reading order:
//!
//! 1. `rules`: every rule once, with its source.
//! 2. `account` (account names, owners), `region` (the Region requests go to), `world` (the state), `principal` (who makes a request).
//! 3. `policy`: the IAM policy language.
//! 4. `acl` (grants, canned ACLs, the ACL a request asks for), `ownership` (Object Ownership).
//! 5. `authorize`: S3's user, bucket and object contexts; identity-only checks; STS trust.
//! 6. `ops`: `step` and the check order (`ops/mod.rs`), then one file per operation family —
//!    `bucket`, `bucket_config`, `acl`, `object`, `iam`, `sts` — and `acl_request`, the
//!    validation of a request's ACL.
//! 7. `outcome` (results, explanations and the rule that decided, `expect` checks),
//!    `scenario` (the file format), `replay`, `tables`.
//! 8. `deviation`: the catalogue of deviations, "the model, but X" ([`deviation::step_with`]):
//!    the embedded endpoint's injectable bugs and what RGW and moto were recorded doing.

pub mod account;
pub mod acl;
pub mod authorize;
pub mod deviation;
pub mod ops;
pub mod outcome;
pub mod ownership;
pub mod policy;
pub mod principal;
pub mod region;
pub mod replay;
pub mod rules;
pub mod scenario;
pub mod tables;
pub mod world;

pub use ops::{step, step_literal, StepError};
pub use outcome::{Expect, Explanation, Outcome};
pub use region::Region;
pub use scenario::{Op, PlaceholderError, Scenario, ScenarioError, Step, StepParseError};
pub use world::World;
