//! `xacct bench mutants`: the seeded-bug and generalization benchmark. For each injection (one
//! deviation of the catalogue, or a pair at once) into the embedded endpoint and each fixed
//! seed, a random run of a fixed number of cases (or until its budget is spent): how many cases and how long the first took to find, how short the shrunk
//! scenario is, and whether the root-cause table names each injected deviation as a row's
//! deviation (not as an alternative), and names nothing else. Targets: every deviation found and
//! named within 60 s on a 2-core machine, at least 90% of sampled pairs named as pairs, median
//! shrunk length at most 4 steps.

use crate::compare::Level;
use crate::hunt::{self, Quiet, RunConfig};
use crate::target::embedded::Embedded;
use crate::target::{Target, TargetError};
use serde::Serialize;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use xacct_endpoint::Mutant;
use xacct_model::Region;

/// Settings of the benchmark.
#[derive(Debug, Clone)]
pub struct MutantBench {
    pub seeds: Vec<u64>,
    /// Time allowed per mutant and seed (search and shrinking).
    pub budget: Duration,
    pub max_steps: usize,
    /// Generated cases per run: the run goes on past its first findings, so that its evidence
    /// can tell the injected deviation from others that explain the same findings.
    pub cases: u64,
}

/// One injection with one seed.
#[derive(Debug, Clone, Serialize)]
pub struct MutantRow {
    /// The injected deviation, or `a+b` for a pair.
    pub mutant: String,
    pub seed: u64,
    pub found: bool,
    /// Cases generated up to and including the first divergent one.
    pub cases: u64,
    /// Time to the first divergent case (before shrinking), milliseconds.
    pub first_ms: u128,
    /// Steps of the divergent case as generated, and after shrinking.
    pub original_steps: Option<usize>,
    pub shrunk_steps: Option<usize>,
    /// The whole run: search, shrinking and confirmation, milliseconds.
    pub total_ms: u128,
    pub signature: Option<String>,
    /// The root-cause table's rows: each row's deviation, `new` for new findings.
    pub explained_by: Vec<String>,
    /// Every injected deviation is a row's deviation (alone or in a composition).
    pub names_mutant: bool,
    /// Deviations the table names that were not injected.
    pub also_named: Vec<String>,
    /// Findings of the run.
    pub findings: usize,
    /// The shrunk scenario, as replayable JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<serde_json::Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("starting the async runtime: {0}")]
    Runtime(#[from] std::io::Error),
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(transparent)]
    Hunt(#[from] hunt::HuntError),
}

/// Runs one injection (one deviation or several at once) with one seed.
pub fn one(
    rt: &tokio::runtime::Runtime,
    injected: &[Mutant],
    seed: u64,
    cfg: &MutantBench,
) -> Result<MutantRow, BenchError> {
    let mut target = {
        let _in_runtime = rt.enter();
        Target::Embedded(Embedded::start_with(injected.to_vec(), Region::default())?)
    };
    let rc = RunConfig {
        seed,
        cases: Some(cfg.cases),
        max_faults: None,
        max_steps: cfg.max_steps,
        time_budget: Some(cfg.budget),
        // The embedded endpoint has the model's ids: owners and grants compare exactly.
        level: Level::Full,
        known: Default::default(),
        max_shrink_iters: 128,
        stop_after: None,
        assume: Vec::new(),
    };
    let stop = AtomicBool::new(false);
    let summary = hunt::run(&mut target, rt, &rc, &stop, &mut Quiet)?;
    let d = summary.divergences.iter().min_by_key(|d| d.found_after_ms);
    let rows: Vec<String> = summary
        .root_causes
        .iter()
        .map(|r| r.deviation.clone().unwrap_or_else(|| "new".into()))
        .collect();
    let named: Vec<&str> = rows.iter().flat_map(|r| r.split('+')).collect();
    let mut names: Vec<&str> = injected.iter().map(|m| m.name()).collect();
    names.sort();
    Ok(MutantRow {
        mutant: names.join("+"),
        seed,
        found: d.is_some(),
        cases: d.map(|d| d.case + 1).unwrap_or(summary.cases),
        first_ms: d.map(|d| d.found_after_ms).unwrap_or(summary.elapsed_ms),
        original_steps: d.map(|d| d.original_steps),
        shrunk_steps: d.map(|d| d.shrunk_steps),
        total_ms: summary.elapsed_ms,
        signature: d.map(|d| d.signature.key()),
        names_mutant: names.iter().all(|n| named.contains(n)),
        also_named: named
            .iter()
            .filter(|n| **n != "new" && !names.contains(n))
            .map(|n| n.to_string())
            .collect(),
        findings: summary.divergences.len(),
        explained_by: rows,
        scenario: d.and_then(|d| serde_json::from_str(&d.scenario.to_json_pretty()).ok()),
    })
}

/// Every injection of `list` with every seed, reporting each row as it is done.
pub fn mutants(
    list: &[Vec<Mutant>],
    cfg: &MutantBench,
    on_row: &mut dyn FnMut(&MutantRow),
) -> Result<Vec<MutantRow>, BenchError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut rows = Vec::new();
    for m in list {
        for &seed in &cfg.seeds {
            let r = one(&rt, m, seed, cfg)?;
            on_row(&r);
            rows.push(r);
        }
    }
    Ok(rows)
}

fn secs(ms: u128) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

/// One row as a progress line.
pub fn row_line(r: &MutantRow) -> String {
    match (&r.signature, r.shrunk_steps) {
        (Some(sig), Some(n)) => format!(
            "{} seed {}: found after {} case(s), {}; shrunk {} -> {} step(s): {sig}; root cause {}",
            r.mutant,
            r.seed,
            r.cases,
            secs(r.first_ms),
            r.original_steps.unwrap_or(n),
            n,
            verdict(r)
        ),
        _ => format!(
            "{} seed {}: NOT FOUND in {} case(s), {}",
            r.mutant,
            r.seed,
            r.cases,
            secs(r.total_ms)
        ),
    }
}

/// What the root-cause table said of the injection: `named`, with anything else it names.
fn verdict(r: &MutantRow) -> String {
    let rows = r.explained_by.join(" | ");
    match (r.names_mutant, r.also_named.is_empty()) {
        (true, true) => format!("named ({rows})"),
        (true, false) => format!("named, and also {} ({rows})", r.also_named.join(", ")),
        (false, _) => format!("NOT named: {rows}"),
    }
}

/// A deterministic sample of `n` pairs of distinct deviations of `from`, drawn by `seed`.
pub fn sample_pairs(from: &[Mutant], n: usize, seed: u64) -> Vec<Vec<Mutant>> {
    let mut all: Vec<Vec<Mutant>> = from
        .iter()
        .enumerate()
        .flat_map(|(i, a)| from[i + 1..].iter().map(move |b| vec![*a, *b]))
        .collect();
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut picked = Vec::new();
    while picked.len() < n && !all.is_empty() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        picked.push(all.swap_remove((x % all.len() as u64) as usize));
    }
    picked
}

/// The median of a list (the lower middle for an even count); `None` when empty.
pub fn median(mut v: Vec<usize>) -> Option<usize> {
    v.sort_unstable();
    if v.is_empty() {
        None
    } else {
        Some(v[(v.len() - 1) / 2])
    }
}

/// The rows as a table, with the figures the targets are about.
pub fn table(rows: &[MutantRow], cfg: &MutantBench) -> String {
    let mut s = format!(
        "{:<24} {:>5} {:>6} {:>6} {:>9} {:>8} {:>8}  {}\n",
        "mutant", "seed", "found", "cases", "to first", "shrunk", "total", "root cause"
    );
    for r in rows {
        s.push_str(&format!(
            "{:<24} {:>5} {:>6} {:>6} {:>9} {:>8} {:>8}  {}\n",
            r.mutant,
            r.seed,
            if r.found { "yes" } else { "NO" },
            r.cases,
            secs(r.first_ms),
            r.shrunk_steps
                .map(|n| format!("{n} steps"))
                .unwrap_or_else(|| "-".into()),
            secs(r.total_ms),
            if r.found { verdict(r) } else { "-".to_string() }
        ));
    }
    let named = rows.iter().filter(|r| r.names_mutant).count();
    let clean = rows
        .iter()
        .filter(|r| r.names_mutant && r.also_named.is_empty())
        .count();
    let pairs = rows.iter().filter(|r| r.mutant.contains('+')).count();
    let pairs_named = rows
        .iter()
        .filter(|r| r.mutant.contains('+') && r.names_mutant)
        .count();
    let mut mutants: Vec<&str> = rows.iter().map(|r| r.mutant.as_str()).collect();
    mutants.dedup();
    let always = mutants
        .iter()
        .filter(|m| rows.iter().filter(|r| r.mutant == **m).all(|r| r.found))
        .count();
    let found = rows.iter().filter(|r| r.found).count();
    let slowest = rows
        .iter()
        .filter(|r| r.found)
        .map(|r| r.first_ms)
        .max()
        .unwrap_or(0);
    let med = median(rows.iter().filter_map(|r| r.shrunk_steps).collect());
    let mut first: Vec<u128> = rows
        .iter()
        .filter(|r| r.found)
        .map(|r| r.first_ms)
        .collect();
    first.sort_unstable();
    let med_first = first
        .get(first.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(0);
    s.push_str(&format!(
        "\n{always} of {} injections found with every seed ({found} of {} runs; every injected deviation named as a row's root cause in {named}, and nothing else named in {clean}; pairs named as pairs: {pairs_named} of {pairs}); time to first divergence: median {}, slowest {} (budget {} per run, target 60 s); median shrunk length {} (target at most 4)\n",
        mutants.len(),
        rows.len(),
        secs(med_first),
        secs(slowest),
        secs(cfg.budget.as_millis()),
        med.map(|m| format!("{m} steps")).unwrap_or_else(|| "-".into())
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_distinct_deterministic_and_as_many_as_asked() {
        let all = xacct_model::deviation::Deviation::all();
        let a = sample_pairs(all, 10, 3);
        assert_eq!(a.len(), 10);
        assert_eq!(a, sample_pairs(all, 10, 3));
        assert!(a.iter().all(|p| p.len() == 2 && p[0] != p[1]));
        let mut keys: Vec<_> = a.clone();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 10);
    }

    #[test]
    fn median_takes_the_lower_middle() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5]), Some(5));
        assert_eq!(median(vec![4, 1, 3]), Some(3));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
    }
}
