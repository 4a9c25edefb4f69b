//! xacct-endpoint: an in-process S3 + STS + IAM server on 127.0.0.1 that serves the reference
//! model over real HTTP (docs/ARCHITECTURE.md, "endpoint/").
//!
//! # API
//! - [`Endpoint`]: start one ([`Endpoint::start`], [`Endpoint::start_on`]), provision accounts
//!   ([`Endpoint::provision`], which returns each account's root and `admin` [`Creds`]), reset
//!   it between cases, read its world.
//! - [`Mutant`]: `--mutant NAME` switches on one realistic authorization bug
//!   ([`UnknownMutant`] when the name is not one).
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
//! - `state.rs`: the world, the issued keys (`credentials.rs`) and open uploads behind one lock.
//!   Accounts are provisioned in-process; keys of IAM users and role sessions are issued by the
//!   APIs, as on AWS.
//! - `mutants.rs`: the catalogue of injectable bugs, each a wrapper around the model's step.

mod aws_cli;
mod clock;
mod credentials;
mod mutants;
mod query;
mod s3;
mod server;
mod sigv4;
#[cfg(test)]
mod sigv4_props;
mod state;

pub use aws_cli::aws_cli_files;
pub use credentials::Creds;
pub use mutants::{Mutant, UnknownMutant};
pub use server::Endpoint;

/// The canonical id AWS gives the anonymous user, shown as the owner of objects written by
/// unsigned requests. Recorded AWS behaviour: it is the requester of unsigned requests in S3
/// server access logs, and client libraries carry it (e.g. PEAR Services_Amazon_S3
/// `ID_ANONYMOUS`); AWS's ACL pages do not print it.
pub const ANONYMOUS_CANONICAL: &str = "65a011a29cdf8ec533ec3d1ccaae921c";
