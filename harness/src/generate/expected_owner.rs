//! `x-amz-expected-bucket-owner` on a share of the requests that take it (bucket-addressed S3
//! calls but CreateBucket): the bucket owner's account id, another account's id, or a value
//! that is not an account id at all. Most requests carry none.

use super::{owner_of, ACCOUNTS};
use proptest::prelude::*;
use xacct_model::scenario::Step;
use xacct_model::World;

/// What a step's expected-owner header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expected {
    Absent,
    /// The bucket owner's account id.
    Owner,
    /// The id of the account `n` places after the owner's in [`ACCOUNTS`] (1 or 2).
    Other(usize),
    /// Not a 12-digit account id.
    Malformed,
}

/// A malformed header: eleven digits.
pub(super) const MALFORMED: &str = "12345678901";

pub(super) fn expected() -> impl Strategy<Value = Expected> {
    prop_oneof![
        27 => Just(Expected::Absent),
        3 => Just(Expected::Owner),
        1 => (1..ACCOUNTS.len()).prop_map(Expected::Other),
        1 => Just(Expected::Malformed),
    ]
}

/// `step` with the header `e` says, if its operation takes one (the owner of a bucket that does
/// not exist is taken as the first account).
pub(super) fn with_expected_owner(w: &World, mut step: Step, e: Expected) -> Step {
    let Some(bucket) = step
        .op
        .bucket()
        .filter(|_| step.op.takes_expected_bucket_owner())
    else {
        return step;
    };
    let owner = owner_of(w, bucket);
    let at = ACCOUNTS.iter().position(|a| *a == owner).unwrap_or(0);
    let id = |i: usize| format!("${{{}}}", ACCOUNTS[i % ACCOUNTS.len()]);
    step.expected_bucket_owner = match e {
        Expected::Absent => None,
        Expected::Owner => Some(id(at)),
        Expected::Other(n) => Some(id(at + n)),
        Expected::Malformed => Some(MALFORMED.to_string()),
    };
    step
}
