//! `xacct bench mutants`: the seeded-bug benchmark. For each mutant of the embedded endpoint
//! and each fixed seed, a random run until its first divergence: how many cases and how long it
//! took to find, and how short the shrunk scenario is. Targets (issue 5): every mutant found
//! within 60 s on a 2-core machine, median shrunk length at most 4 steps.

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
}

/// One mutant with one seed.
#[derive(Debug, Clone, Serialize)]
pub struct MutantRow {
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
    /// The deviations of the catalogue that explain the finding (its root causes), and whether
    /// the mutant itself is among them.
    pub explained_by: Vec<String>,
    pub names_mutant: bool,
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

/// Runs one mutant with one seed.
pub fn one(
    rt: &tokio::runtime::Runtime,
    m: Mutant,
    seed: u64,
    cfg: &MutantBench,
) -> Result<MutantRow, BenchError> {
    let mut target = {
        let _in_runtime = rt.enter();
        Target::Embedded(Embedded::start(Some(m), Region::default())?)
    };
    let rc = RunConfig {
        seed,
        cases: None,
        max_faults: None,
        max_steps: cfg.max_steps,
        time_budget: Some(cfg.budget),
        // The embedded endpoint has the model's ids: owners and grants compare exactly.
        level: Level::Full,
        known: Default::default(),
        max_shrink_iters: 128,
        stop_after: Some(1),
        assume: Vec::new(),
    };
    let stop = AtomicBool::new(false);
    let summary = hunt::run(&mut target, rt, &rc, &stop, &mut Quiet)?;
    let d = summary.divergences.first();
    Ok(MutantRow {
        mutant: m.name().to_string(),
        seed,
        found: d.is_some(),
        cases: d.map(|d| d.case + 1).unwrap_or(summary.cases),
        first_ms: d.map(|d| d.found_after_ms).unwrap_or(summary.elapsed_ms),
        original_steps: d.map(|d| d.original_steps),
        shrunk_steps: d.map(|d| d.shrunk_steps),
        total_ms: summary.elapsed_ms,
        signature: d.map(|d| d.signature.key()),
        explained_by: d.map(|d| d.explained_by.clone()).unwrap_or_default(),
        names_mutant: d.is_some_and(|d| d.explained_by.iter().any(|e| e == m.name())),
        scenario: d.and_then(|d| serde_json::from_str(&d.scenario.to_json_pretty()).ok()),
    })
}

/// Every mutant of `list` with every seed, reporting each row as it is done.
pub fn mutants(
    list: &[Mutant],
    cfg: &MutantBench,
    on_row: &mut dyn FnMut(&MutantRow),
) -> Result<Vec<MutantRow>, BenchError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut rows = Vec::new();
    for &m in list {
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
            match r.explained_by.as_slice() {
                [] => "new (NOT the mutant)".to_string(),
                e if r.names_mutant => e.join(" | "),
                e => format!("{} (NOT the mutant)", e.join(" | ")),
            }
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
            match (r.found, r.names_mutant) {
                (false, _) => "-".to_string(),
                (true, true) => format!("named ({})", r.explained_by.join(" | ")),
                (true, false) if r.explained_by.is_empty() => "NOT named: new".to_string(),
                (true, false) => format!("NOT named: {}", r.explained_by.join(" | ")),
            }
        ));
    }
    let named = rows.iter().filter(|r| r.names_mutant).count();
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
        "\n{always} of {} mutants found with every seed ({found} of {} runs; the mutant named as root cause in {named}); time to first divergence: median {}, slowest {} (budget {} per run, target 60 s); median shrunk length {} (target at most 4)\n",
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
    fn median_takes_the_lower_middle() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5]), Some(5));
        assert_eq!(median(vec![4, 1, 3]), Some(3));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
    }
}
