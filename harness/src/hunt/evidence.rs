//! A run's evidence: every case it ran, as the target answered it, diverging or not. A root
//! cause must not only reproduce what the target got wrong but also keep every answer the
//! target got right: an explanation under which the model would turn an agreeing step of the
//! evidence into a divergence is refuted (`root_cause`).
//!
//! The evidence is bounded: a case seen twice (same steps, same answers) is kept once, and past
//! [`Evidence::MAX_BYTES`] of cases a deterministic sample is kept (reservoir sampling seeded by
//! the run's seed), so a long run's evidence stays a few tens of megabytes. What was dropped is
//! counted, never hidden.

use crate::compare::Observed;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use xacct_model::scenario::Step;

/// One case as sent: its steps, the target's answer to each, and which of them agreed with
/// the model (at the run's comparison level, with its assumed deviations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceCase {
    /// The case's prefix (`c12`): where it ran on the target.
    pub tag: String,
    pub steps: Vec<Step>,
    pub answers: Vec<Observed>,
    /// One flag a step: the model gave the target's answer.
    pub agreed: Vec<bool>,
}

impl EvidenceCase {
    /// Whether any step agreed: a case with none cannot refute anything.
    pub fn refutes_anything(&self) -> bool {
        self.agreed.iter().any(|a| *a)
    }

    fn fingerprint(&self) -> u64 {
        // `DefaultHasher::new()` has fixed keys: the same case gives the same fingerprint in
        // every run, so sampling is deterministic.
        let mut h = DefaultHasher::new();
        serde_json::to_string(&self.steps)
            .unwrap_or_default()
            .hash(&mut h);
        for a in &self.answers {
            answer_key(a).hash(&mut h);
        }
        self.agreed.hash(&mut h);
        h.finish()
    }

    /// Bytes it takes, roughly: its JSON length.
    fn size(&self) -> usize {
        serde_json::to_string(self).map_or(0, |s| s.len())
    }
}

/// An answer without its raw text: what the comparison reads.
fn answer_key(a: &Observed) -> String {
    match a {
        Observed::Answer { outcome, .. } => serde_json::to_string(outcome).unwrap_or_default(),
        other => format!("{other:?}"),
    }
}

/// The cases a run keeps as evidence.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    cases: Vec<EvidenceCase>,
    sizes: Vec<usize>,
    bytes: usize,
    seen: HashSet<u64>,
    /// Cases offered, distinct cases among them, and distinct cases not kept (sampled out).
    pub offered: u64,
    pub distinct: u64,
    pub sampled_out: u64,
    limit: usize,
    rng: u64,
}

impl Evidence {
    /// The most a run keeps (about 40 MB of JSON); past it a sample is kept.
    pub const MAX_BYTES: usize = 40 << 20;

    /// Empty evidence bounded by [`Evidence::MAX_BYTES`], its sampling seeded by `seed`.
    pub fn new(seed: u64) -> Evidence {
        Evidence::bounded(seed, Self::MAX_BYTES)
    }

    /// Empty evidence that keeps at most about `limit` bytes of cases.
    pub fn bounded(seed: u64, limit: usize) -> Evidence {
        Evidence {
            rng: seed ^ 0x9e37_79b9_7f4a_7c15,
            limit,
            ..Evidence::default()
        }
    }

    pub fn cases(&self) -> &[EvidenceCase] {
        &self.cases
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Agreeing steps held.
    pub fn agreeing_steps(&self) -> usize {
        self.cases
            .iter()
            .map(|c| c.agreed.iter().filter(|a| **a).count())
            .sum()
    }

    /// Adds a case, unless the same case is held already; past the byte bound, it replaces a
    /// case drawn at random (or is dropped), so every distinct case has the same chance to be
    /// kept.
    pub fn add(&mut self, case: EvidenceCase) {
        self.offered += 1;
        if case.steps.is_empty() || !self.seen.insert(case.fingerprint()) {
            return;
        }
        self.distinct += 1;
        let size = case.size();
        if self.bytes + size <= self.limit {
            self.bytes += size;
            self.cases.push(case);
            self.sizes.push(size);
            return;
        }
        self.sampled_out += 1;
        let slot = (self.next_random() % self.distinct) as usize;
        if slot < self.cases.len() && self.bytes - self.sizes[slot] + size <= self.limit {
            self.bytes = self.bytes - self.sizes[slot] + size;
            self.cases[slot] = case;
            self.sizes[slot] = size;
        }
    }

    /// Adds every case of another job's evidence.
    pub fn merge(&mut self, other: Evidence) {
        for c in other.cases {
            self.add(c);
        }
        self.offered += other.offered.saturating_sub(other.distinct);
        self.sampled_out += other.sampled_out;
    }

    /// xorshift64*: small, deterministic, good enough to pick a slot.
    fn next_random(&mut self) -> u64 {
        let mut x = self.rng.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xacct_model::outcome::Outcome;
    use xacct_model::scenario::Op;

    fn case(tag: &str, bucket: &str, status: u16) -> EvidenceCase {
        EvidenceCase {
            tag: tag.into(),
            steps: vec![Step {
                as_: "A.admin".into(),
                op: Op::HeadBucket {
                    bucket: bucket.into(),
                },
                expected_bucket_owner: None,
                expect: None,
            }],
            answers: vec![Observed::answer(Outcome::status(status))],
            agreed: vec![true],
        }
    }

    #[test]
    fn a_case_seen_twice_is_kept_once_whatever_its_prefix() {
        let mut e = Evidence::new(1);
        e.add(case("c1", "b1", 200));
        e.add(case("c2", "b1", 200));
        e.add(case("c3", "b1", 404));
        assert_eq!(e.cases().len(), 2);
        assert_eq!((e.offered, e.distinct, e.sampled_out), (3, 2, 0));
        assert_eq!(e.agreeing_steps(), 2);
    }

    #[test]
    fn past_the_bound_a_sample_is_kept_and_counted() {
        let limit = 64 << 10;
        let mut e = Evidence::bounded(7, limit);
        let one = case("c0", "b0", 200).size();
        let fit = limit / one;
        for i in 0..fit + 500 {
            e.add(case(&format!("c{i}"), &format!("b{i}"), 200));
        }
        assert!(e.bytes() <= limit);
        assert!(e.sampled_out >= 400, "{}", e.sampled_out);
        assert_eq!(e.distinct as usize, fit + 500);
        assert!(
            e.cases().len() >= fit * 9 / 10,
            "{} of {fit}",
            e.cases().len()
        );
        // The same seed keeps the same sample.
        let mut again = Evidence::bounded(7, limit);
        for i in 0..fit + 500 {
            again.add(case(&format!("c{i}"), &format!("b{i}"), 200));
        }
        assert_eq!(again.cases(), e.cases());
    }
}
