//! The search for the smallest set of deviations that explains a run's findings without
//! contradicting what the target got right.
//!
//! Greedy, deterministic and bounded: each round adds the deviation (or, when no single one
//! helps, the pair) that reproduces the most findings not yet explained, together with those
//! already chosen, provided that the chosen set still reproduces every finding it explained
//! and that no agreeing step of the evidence refutes it. Ties go to the candidate that gets
//! fewer of the evidence's answers wrong, then to one recorded on the run's target, then to the
//! narrower one (it changes fewer of the model's answers on a fixed probe of generated cases),
//! then to catalogue order. Triples and more arise as the rounds add to the set. The work is
//! bounded by a count of evidence replays, not by a clock, so the same run gives the same
//! table on any machine.

use super::replay::{name_of, Answered, Replayer};
use crate::hunt::evidence::Evidence;
use crate::hunt::findings::Refuted;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use xacct_model::deviation::Deviation;
use xacct_model::scenario::Step;

/// The most evidence replays (refutation checks and misfit counts) one search may do.
pub(crate) const MAX_EVIDENCE_REPLAYS: u32 = 400;

/// Pairs tried in a round where no single deviation helps, at most.
const MAX_PAIRS: usize = 2_000;

/// Deviations tried as the mask of a refuted candidate, at most, per candidate.
const MAX_REPAIRS: usize = 12;

/// A candidate the evidence refutes alone that stands with one more deviation.
#[derive(Debug, Clone)]
pub(crate) struct Repair {
    pub of: Vec<Deviation>,
    pub with: Deviation,
    /// The step that refutes it alone.
    pub refuted: Refuted,
}

/// What the search found.
#[derive(Debug, Default)]
pub(crate) struct Solution {
    /// The chosen deviations, in the order the rounds took them.
    pub chosen: Vec<Deviation>,
    /// Per finding: the smallest part of `chosen` that reproduces it; `None`: new.
    pub attribution: Vec<Option<Vec<Deviation>>>,
    /// Every single deviation that alone reproduces a finding: the findings it reproduces.
    pub singles: BTreeMap<Deviation, Vec<usize>>,
    /// Explanations the evidence refuted, by name, with the refuting step.
    pub refuted: BTreeMap<String, Refuted>,
    /// Whether the work bound stopped the search before it was done, and the evidence
    /// replays it made.
    pub bounded: bool,
    pub replays: u32,
    /// Chosen deviations that stand only with another one (its mask).
    pub repairs: Vec<Repair>,
    /// Parts of the chosen set that rows name and that the evidence refutes alone (they stand
    /// only with the rest of the set), with the refuting step.
    pub parts_refuted: BTreeMap<Vec<Deviation>, Refuted>,
}

/// A search under way.
pub(crate) struct Search<'a> {
    pub replayer: &'a Replayer<'a>,
    pub findings: &'a [Answered<'a>],
    pub evidence: &'a Evidence,
    pub target: &'a str,
    /// Generated cases, model only: how much a deviation changes is measured on them.
    pub probe: &'a [Vec<Step>],
    refutations: RefCell<HashMap<Vec<Deviation>, Option<Refuted>>>,
    misfits: RefCell<HashMap<Vec<Deviation>, usize>>,
    footprints: RefCell<HashMap<Deviation, usize>>,
    replays: RefCell<u32>,
    repairs: RefCell<Vec<Repair>>,
}

/// A candidate of a round and what decides between candidates.
struct Scored {
    add: Vec<Deviation>,
    gain: usize,
}

impl<'a> Search<'a> {
    pub fn new(
        replayer: &'a Replayer<'a>,
        findings: &'a [Answered<'a>],
        evidence: &'a Evidence,
        target: &'a str,
        probe: &'a [Vec<Step>],
    ) -> Search<'a> {
        Search {
            replayer,
            findings,
            evidence,
            target,
            probe,
            refutations: RefCell::default(),
            misfits: RefCell::default(),
            footprints: RefCell::default(),
            replays: RefCell::new(0),
            repairs: RefCell::default(),
        }
    }

    /// Runs the search.
    pub fn run(&self) -> Solution {
        let candidates: Vec<Deviation> = Deviation::all()
            .iter()
            .copied()
            .filter(|d| !self.replayer.assumed.contains(d))
            .collect();
        let touching: Vec<Vec<Deviation>> = self
            .findings
            .iter()
            .map(|f| {
                let base = self.replayer.outcomes(&self.replayer.with(&[]), f.steps);
                candidates
                    .iter()
                    .copied()
                    .filter(|d| self.replayer.changes(&[*d], f.steps, &base))
                    .collect()
            })
            .collect();
        let mut sol = Solution {
            singles: self.singles(&touching),
            ..Solution::default()
        };
        for d in sol.singles.keys() {
            self.refutation(&[*d]);
        }
        let mut covered = vec![false; self.findings.len()];
        while covered.iter().any(|c| !c) {
            let Some(add) = self.round(&sol.chosen, &covered, &touching) else {
                break;
            };
            sol.chosen.extend(add);
            for (i, f) in self.findings.iter().enumerate() {
                covered[i] = covered[i] || self.replayer.reproduces(&sol.chosen, f);
            }
        }
        sol.attribution = self.attribute(&sol.chosen, &covered);
        sol.parts_refuted = self.parts_refuted(&sol);
        sol.refuted = self.refuted_ones();
        sol.bounded = self.spent();
        sol.replays = *self.replays.borrow();
        sol.repairs = self.repairs.borrow().clone();
        sol
    }

    /// The single deviations that alone reproduce a finding, with the findings.
    fn singles(&self, touching: &[Vec<Deviation>]) -> BTreeMap<Deviation, Vec<usize>> {
        let mut singles: BTreeMap<Deviation, Vec<usize>> = BTreeMap::new();
        for (i, (f, ds)) in self.findings.iter().zip(touching).enumerate() {
            for d in ds {
                if self.replayer.reproduces(&[*d], f) {
                    singles.entry(*d).or_default().push(i);
                }
            }
        }
        singles
    }

    /// One round: the best single deviation to add to `chosen`, else the best pair.
    fn round(
        &self,
        chosen: &[Deviation],
        covered: &[bool],
        touching: &[Vec<Deviation>],
    ) -> Option<Vec<Deviation>> {
        let pool: BTreeSet<Deviation> = touching
            .iter()
            .zip(covered)
            .filter(|(_, c)| !**c)
            .flat_map(|(t, _)| t.iter().copied())
            .filter(|d| !chosen.contains(d))
            .collect();
        let singles = pool.iter().map(|d| vec![*d]);
        if let Some(add) = self.best(chosen, covered, singles) {
            return Some(add);
        }
        let pool: Vec<Deviation> = pool.into_iter().collect();
        let pairs = pool
            .iter()
            .enumerate()
            .flat_map(|(i, a)| pool[i + 1..].iter().map(move |b| vec![*a, *b]))
            .take(MAX_PAIRS);
        self.best(chosen, covered, pairs)
    }

    /// Among `adds`, the one that explains the most findings not yet covered, keeps the
    /// covered ones and is not refuted; ties as the module says.
    fn best(
        &self,
        chosen: &[Deviation],
        covered: &[bool],
        adds: impl Iterator<Item = Vec<Deviation>>,
    ) -> Option<Vec<Deviation>> {
        let mut scored: Vec<Scored> = adds
            .map(|add| {
                let set = [chosen, &add].concat();
                let gain = self
                    .findings
                    .iter()
                    .zip(covered)
                    .filter(|(f, c)| !**c && self.replayer.reproduces(&set, f))
                    .count();
                Scored { add, gain }
            })
            .filter(|s| s.gain > 0)
            .collect();
        scored.sort_by_key(|s| std::cmp::Reverse(s.gain));
        while let Some(top) = scored.first().map(|s| s.gain) {
            let mut tied: Vec<Scored> = Vec::new();
            while scored.first().is_some_and(|s| s.gain == top) {
                tied.push(scored.remove(0));
            }
            self.break_ties(chosen, &mut tied);
            for s in &tied {
                let set = [chosen, &s.add].concat();
                if self.keeps(&set, covered) && self.stands(&set) {
                    return Some(s.add.clone());
                }
            }
            for s in &tied {
                if let Some(add) = self.repaired(chosen, &s.add, covered) {
                    return Some(add);
                }
            }
        }
        None
    }

    /// `add` refuted, but standing together with one more deviation that gives the target's
    /// answer at the refuting step: another deviation of the target can mask this one there
    /// (the target refused for a reason of its own where AWS refuses for this one). The whole
    /// set must stand on all the evidence. Recorded, so the report says what the cause holds
    /// with.
    fn repaired(
        &self,
        chosen: &[Deviation],
        add: &[Deviation],
        covered: &[bool],
    ) -> Option<Vec<Deviation>> {
        let set = [chosen, add].concat();
        let refuted = self.refutation(&set)??;
        let case = self
            .evidence
            .cases()
            .iter()
            .find(|c| c.tag == refuted.case)?;
        let at = refuted.step.checked_sub(1)?;
        let masks = Deviation::all()
            .iter()
            .copied()
            .filter(|y| !self.replayer.assumed.contains(y) && !set.contains(y))
            .filter(|y| {
                let with = self.replayer.with(&[set.as_slice(), &[*y]].concat());
                let outcomes = self.replayer.outcomes(&with, &case.steps[..=at]);
                outcomes[at]
                    .as_ref()
                    .is_some_and(|m| self.replayer.agrees(m, &case.answers[at]))
            })
            .take(MAX_REPAIRS);
        for y in masks {
            let with = [set.as_slice(), &[y]].concat();
            if self.keeps(&with, covered) && self.stands(&with) {
                self.repairs.borrow_mut().push(Repair {
                    of: add.to_vec(),
                    with: y,
                    refuted: refuted.clone(),
                });
                return Some([add, &[y]].concat());
            }
        }
        None
    }

    /// Orders candidates of equal gain: fewer wrong answers on the evidence, recorded on the
    /// target, narrower, catalogue order.
    fn break_ties(&self, chosen: &[Deviation], tied: &mut [Scored]) {
        if tied.len() < 2 {
            return;
        }
        tied.sort_by_cached_key(|s| {
            let set = [chosen, &s.add].concat();
            (
                self.misfit(&set),
                !s.add.iter().all(|d| d.recorded_on(self.target)),
                s.add.iter().map(|d| self.footprint(*d)).sum::<usize>(),
                s.add.clone(),
            )
        });
    }

    /// Whether `set` still reproduces every covered finding.
    fn keeps(&self, set: &[Deviation], covered: &[bool]) -> bool {
        self.findings
            .iter()
            .zip(covered)
            .all(|(f, c)| !*c || self.replayer.reproduces(set, f))
    }

    /// Per covered finding, the smallest part of `chosen` that reproduces it: a single, then a
    /// pair, then an irreducible part of the whole set.
    fn attribute(&self, chosen: &[Deviation], covered: &[bool]) -> Vec<Option<Vec<Deviation>>> {
        self.findings
            .iter()
            .zip(covered)
            .map(|(f, c)| {
                if !*c {
                    return None;
                }
                let singles = chosen.iter().map(|d| vec![*d]);
                let pairs = chosen
                    .iter()
                    .enumerate()
                    .flat_map(|(i, a)| chosen[i + 1..].iter().map(move |b| vec![*a, *b]));
                let mut parts = singles.chain(pairs);
                let part = parts
                    .find(|p| self.replayer.reproduces(p, f))
                    .unwrap_or_else(|| self.irreducible(chosen, f));
                let mut part = part;
                part.sort();
                Some(part)
            })
            .collect()
    }

    /// The parts findings are attributed to that the evidence refutes alone: a row naming one
    /// must say that it holds only with the rest of the chosen set.
    fn parts_refuted(&self, sol: &Solution) -> BTreeMap<Vec<Deviation>, Refuted> {
        let parts: BTreeSet<&Vec<Deviation>> = sol.attribution.iter().flatten().collect();
        parts
            .into_iter()
            .filter(|p| p.len() < sol.chosen.len())
            .filter_map(|p| match self.refutation(p) {
                Some(Some(r)) => Some((p.clone(), r)),
                // Unchecked past the bound: said as refuted by nothing known, so kept.
                _ => None,
            })
            .collect()
    }

    /// A part of `chosen` that reproduces `f` and from which no deviation can be taken away
    /// (each is tried in turn, the last chosen first).
    fn irreducible(&self, chosen: &[Deviation], f: &Answered<'_>) -> Vec<Deviation> {
        let mut part = chosen.to_vec();
        for d in chosen.iter().rev() {
            let without: Vec<Deviation> = part.iter().copied().filter(|x| x != d).collect();
            if self.replayer.reproduces(&without, f) {
                part = without;
            }
        }
        part
    }

    /// Whether the evidence was checked against `set` and nothing refutes it: past the work
    /// bound an unchecked set never stands.
    fn stands(&self, set: &[Deviation]) -> bool {
        self.refutation(set).is_some_and(|r| r.is_none())
    }

    /// The step of the evidence that refutes `set` (`Some(None)`: none does); `None` when the
    /// bound left it unchecked. Cached; each check counts toward the bound.
    fn refutation(&self, set: &[Deviation]) -> Option<Option<Refuted>> {
        let mut key = set.to_vec();
        key.sort();
        if let Some(r) = self.refutations.borrow().get(&key) {
            return Some(r.clone());
        }
        if self.spent() {
            return None;
        }
        *self.replays.borrow_mut() += 1;
        let r = self.replayer.refutation(&key, self.evidence);
        self.refutations.borrow_mut().insert(key, r.clone());
        Some(r)
    }

    fn misfit(&self, set: &[Deviation]) -> usize {
        let mut key = set.to_vec();
        key.sort();
        if let Some(m) = self.misfits.borrow().get(&key) {
            return *m;
        }
        *self.replays.borrow_mut() += 1;
        let m = self.replayer.misfit(&key, self.evidence);
        self.misfits.borrow_mut().insert(key, m);
        m
    }

    /// How many of the model's answers on the probe `d` changes.
    fn footprint(&self, d: Deviation) -> usize {
        if let Some(n) = self.footprints.borrow().get(&d) {
            return *n;
        }
        let base = self.replayer.with(&[]);
        let with = self.replayer.with(&[d]);
        let n = self
            .probe
            .iter()
            .map(|steps| {
                let a = self.replayer.outcomes(&base, steps);
                let b = self.replayer.outcomes(&with, steps);
                a.iter().zip(&b).filter(|(x, y)| x != y).count()
            })
            .sum();
        self.footprints.borrow_mut().insert(d, n);
        n
    }

    fn spent(&self) -> bool {
        *self.replays.borrow() >= MAX_EVIDENCE_REPLAYS
    }

    /// The refuted explanations checked, by name.
    fn refuted_ones(&self) -> BTreeMap<String, Refuted> {
        self.refutations
            .borrow()
            .iter()
            .filter_map(|(k, r)| r.clone().map(|r| (name_of(k), r)))
            .collect()
    }
}
