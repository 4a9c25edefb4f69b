//! Short random runs against real backends: divergences are found, shrunk, confirmed and
//! replayable; the same seed gives the same findings. Built only with the `rgw` / `moto`
//! feature (see tests/backends.rs): `scripts/test` turns each on when its backend is up.
#![cfg(any(feature = "rgw", feature = "moto"))]
use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use xacct_harness::compare::Level;
use xacct_harness::hunt::findings::{Divergence, RunSummary};
use xacct_harness::hunt::{run, Observer, RunConfig};
use xacct_harness::target::{Target, TargetArgs, TargetKind};

/// moto's authentication switch (reset-auth) is global to the server: runs that bootstrap or
/// clean up accounts must not overlap, so the moto tests take turns.
#[cfg(feature = "moto")]
static MOTO: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The target; its backend must be running (the suite is on only when it is).
fn target(kind: TargetKind, name: &str) -> Target {
    match TargetArgs::local(kind).build(kind) {
        Ok(t) => t,
        Err(e) => panic!("{name} is not running ({e}): start it with `scripts/backends/{name} up`"),
    }
}

fn short_run(t: &mut Target, seed: u64, cases: u64) -> RunSummary {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cfg = RunConfig {
        seed,
        cases: Some(cases),
        max_faults: None,
        max_steps: 12,
        time_budget: None,
        level: Level::Code,
        known: BTreeSet::new(),
        max_shrink_iters: 64,
        stop_after: None,
        assume: Vec::new(),
    };
    let stop = AtomicBool::new(false);
    match run(t, &rt, &cfg, &stop, &mut PrintFound) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

/// Prints every divergence a run finds.
struct PrintFound;

impl Observer for PrintFound {
    fn divergence(&mut self, d: &Divergence) {
        eprintln!(
            "found {} ({} -> {} steps)",
            d.signature.key(),
            d.original_steps,
            d.shrunk_steps
        )
    }
}

/// What every short run must show: some divergences, each confirmed, shrunk, and replayable
/// against the model with its expectations met.
fn check_findings(name: &str, s: &RunSummary) {
    eprintln!(
        "{} cases, {} steps, {} ms, {} divergences, {} faults ({} inconclusive cases)",
        s.cases,
        s.steps,
        s.elapsed_ms,
        s.divergences.len(),
        s.faults,
        s.inconclusive
    );
    for f in &s.fault_records {
        eprintln!("  fault: {f}");
    }
    assert!(s.left_behind.is_empty(), "left behind: {:?}", s.left_behind);
    assert!(
        !s.divergences.is_empty(),
        "{name} diverges from AWS in many ways; a short run must find some"
    );
    for d in &s.divergences {
        assert!(d.confirmed && d.shrunk_steps <= d.original_steps);
        let (_, reps) = xacct_model::replay::replay(&d.scenario);
        assert!(
            reps.iter().all(|r| r.passed()),
            "{}: {:?}",
            d.id,
            reps.last()
        );
    }
}

#[cfg(feature = "moto")]
#[test]
fn moto_random_run_finds_shrinks_and_reproduces() {
    let _turn = MOTO.lock().unwrap_or_else(|e| e.into_inner());
    let mut t = target(TargetKind::Moto, "moto");
    let s = short_run(&mut t, 1, 12);
    check_findings("moto", &s);
    for d in &s.divergences {
        assert_eq!(d.scenario.steps.len(), d.shrunk_steps);
    }
}

#[cfg(feature = "rgw")]
#[test]
fn rgw_random_run_finds_shrinks_and_reproduces() {
    let mut t = target(TargetKind::Rgw, "rgw");
    let s = short_run(&mut t, 1, 10);
    check_findings("RGW", &s);
    let left = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(t.leftovers())
        .unwrap()
        .unwrap();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[cfg(feature = "moto")]
#[test]
fn moto_runs_with_the_same_seed_find_the_same_shrunk_scenarios() {
    let _turn = MOTO.lock().unwrap_or_else(|e| e.into_inner());
    let mut t = target(TargetKind::Moto, "moto");
    let a = short_run(&mut t, 3, 6);
    let b = short_run(&mut t, 3, 6);
    let files = |s: &RunSummary| {
        s.divergences
            .iter()
            .map(|d| serde_json::to_string(&d.scenario).unwrap())
            .collect::<Vec<_>>()
    };
    assert!(!a.divergences.is_empty());
    assert_eq!(files(&a), files(&b), "same seed, same divergence files");
}
