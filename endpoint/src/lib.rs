//! xacct-endpoint: an in-process S3 + STS + IAM server on 127.0.0.1 that serves the reference
//! model over real HTTP (docs/ARCHITECTURE.md, "endpoint/").
//!
//! # API
//! - [`Endpoint`]: start one ([`Endpoint::start`], [`Endpoint::start_on`]), provision accounts
//!   ([`Endpoint::provision`], which returns each account's root and `admin` [`Creds`]), reset
//!   it between cases, read its world.
//! - [`Mutant`]: what `--mutant NAME` injects, one deviation of the model's catalogue
//!   (`xacct_model::deviation`: the seeded bugs and the behaviours recorded on RGW and moto).
//! - [`ANONYMOUS_CANONICAL`]: the owner shown for objects written by unsigned requests.
//! - [`aws_cli_files`]: AWS CLI profiles for the provisioned principals (`xacct serve`).
//!
//! # How it works, file by file
//! - `server.rs`: the listener and the router between the two APIs below.
//! - `s3/`: S3 goes through `s3s` (request parsing, SigV4 verification, XML answers); each call
//!   becomes a scenario step for the model, and the model's outcome becomes the HTTP answer.
//!   One file per operation family, as in the model.
//! - `query/`: the STS and IAM query APIs (`Action=…` form posts), with their own SigV4 check
//!   (`sigv4.rs`) — `s3s` only knows the `s3` and `sts` signing scopes.
//! - `state.rs`: the world, the issued keys (`credentials.rs`) and open uploads behind one lock;
//!   `iam_meta.rs`: IAM paths and the optional propagation delay, which the model has no word
//!   for.
//!   Accounts are provisioned in-process; keys of IAM users and role sessions are issued by the
//!   APIs, as on AWS.
//!
//! The endpoint holds no bug of its own: with a mutant, every request goes through
//! `xacct_model::deviation::step_literal_with`, and the principal a key acts as through
//! `xacct_model::deviation::resolve_principal`.

mod aws_cli;
mod clock;
mod credentials;
mod iam_meta;
mod query;
mod s3;
mod server;
mod sigv4;
#[cfg(test)]
mod sigv4_props;
mod state;

pub use aws_cli::aws_cli_files;
pub use credentials::Creds;
pub use xacct_model::deviation::{Deviation, UnknownDeviation};

/// What `--mutant NAME` injects: any deviation of the model's catalogue (the 13 seeded ones
/// keep their historical mutant names).
pub type Mutant = Deviation;
pub use server::Endpoint;
pub use state::Journal;

/// The canonical id AWS gives the anonymous user, shown as the owner of objects written by
/// unsigned requests. Recorded AWS behaviour: it is the requester of unsigned requests in S3
/// server access logs, and client libraries carry it (e.g. PEAR Services_Amazon_S3
/// `ID_ANONYMOUS`); AWS's ACL pages do not print it.
pub const ANONYMOUS_CANONICAL: &str = "65a011a29cdf8ec533ec3d1ccaae921c";
