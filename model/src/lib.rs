//! # xacct-model — the reference model of AWS S3 ownership and cross-account access
//!
//! A pure, synchronous specification: [`World`] holds accounts, IAM users, roles, role
//! sessions, buckets and objects; [`step`] applies one scenario [`Step`] and returns the
//! [`Outcome`] AWS would give plus an [`Explanation`] naming the rules that decided it.
//! Every rule is declared once in [`rules`] with its source.
//!
//! Modules, in reading order: `rules` (the rule table), `world` (state), `principal`,
//! `policy` (the IAM policy language), `acl`, `ownership`, `authorize` (S3's user, bucket and
//! object contexts; STS trust), `ops` (each operation, in AWS's check order), `scenario` (the
//! file format), `outcome` (results, explanations, `expect` checks), `replay`.

pub mod account;
pub mod acl;
pub mod authorize;
pub mod ops;
pub mod outcome;
pub mod ownership;
pub mod policy;
pub mod principal;
pub mod replay;
pub mod rules;
pub mod scenario;
pub mod tables;
pub mod world;

pub use ops::{step, StepError};
pub use outcome::{Expect, Explanation, Outcome};
pub use scenario::{Op, PlaceholderError, Scenario, ScenarioError, Step, StepParseError};
pub use world::World;
