//! `xacct run`: random runs against a target (`hunt`), several jobs side by side, then the
//! run's reports written (`report::write_run`), its summary printed, and optionally its
//! signatures written as a run baseline.

use super::jobs::{stop_on_signals, Jobs};
use super::{default_level, write_json, Format, RunArgs, DEFAULT_CASES};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use xacct_harness::baseline::RunBaseline;
use xacct_harness::hunt::verdict::exit_code;
use xacct_harness::hunt::RunConfig;
use xacct_harness::profile::Profile;
use xacct_harness::report::{self, EventLog};
use xacct_harness::target::{TargetArgs, TargetKind};

pub(super) fn run(args: RunArgs) -> Result<ExitCode> {
    let target = TargetArgs::from(args.target);
    let kind = target.kind();
    if args.jobs > 1 && matches!(kind, TargetKind::Moto) {
        bail!("moto's authentication switch (reset-auth) is global to the server, so jobs would disturb each other's accounts: run moto with --jobs 1");
    }
    let seed = args.seed.unwrap_or_else(seed_from_clock);
    let known = match &args.baseline {
        Some(b) => RunBaseline::load(b)?.keys(),
        None => Default::default(),
    };
    // `--time-budget` alone runs until the budget is spent.
    let cases = match (args.cases, args.time_budget) {
        (None, Some(_)) => None,
        (n, _) => Some(n.unwrap_or(DEFAULT_CASES)),
    };
    let cfg = RunConfig {
        seed,
        cases,
        max_faults: args.max_faults,
        max_steps: args.max_steps,
        time_budget: args.time_budget.map(std::time::Duration::from_secs),
        level: default_level(args.level, kind),
        known,
        max_shrink_iters: args.max_shrink_iters,
        stop_after: None,
        assume: args.assume.deviations()?,
    };
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("out/run-{seed}")));
    let jobs = args.jobs.max(1);
    let outputs = Outputs {
        dir: &out,
        junit: args.junit.as_deref(),
        baseline: args.write_baseline.as_deref(),
        profile: args.write_profile.as_deref(),
        format: args.format,
    };
    random_run(kind, &target, &cfg, jobs, &outputs)
}

/// Where a run's results go.
struct Outputs<'a> {
    dir: &'a Path,
    junit: Option<&'a Path>,
    baseline: Option<&'a Path>,
    profile: Option<&'a Path>,
    format: Format,
}

/// A seed when none is given: from the clock, small enough to type again.
fn seed_from_clock() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64 % 1_000_000)
        .unwrap_or(1)
}

/// The jobs, their events logged to `events.jsonl`, then the reports; the exit code says
/// whether the run is complete and found anything (`verdict::exit_code`).
fn random_run(
    kind: TargetKind,
    target: &TargetArgs,
    cfg: &RunConfig,
    jobs: u64,
    out: &Outputs<'_>,
) -> Result<ExitCode> {
    let dir = out.dir;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let events = std::fs::File::create(dir.join("events.jsonl"))
        .with_context(|| format!("creating {}/events.jsonl", dir.display()))?;
    let log = Mutex::new(EventLog::new(events));
    let stop = stop_on_signals();
    let cases = match cfg.cases {
        Some(n) => format!("{n} case(s)"),
        None => "cases until the time budget is spent".into(),
    };
    eprintln!(
        "xacct run: target {}, seed {}, {cases}, up to {} steps each, {} job(s); output in {}",
        kind.name(),
        cfg.seed,
        cfg.max_steps,
        jobs,
        dir.display()
    );
    let summary = Jobs {
        kind,
        target,
        cfg,
        count: jobs,
        log: &log,
        stop: &stop.flag,
    }
    .run()?;
    report::write_run(dir, &summary, out.junit)
        .with_context(|| format!("writing the run's reports into {}", dir.display()))?;
    if let Some(b) = out.baseline {
        write_json(b, &RunBaseline::from_run(kind.name(), &summary), "")?;
    }
    if let Some(p) = out.profile {
        Profile::from_run(&summary, &cfg.assume).save(p, Some(&summary))?;
    }
    match out.format {
        Format::Text => print!("{}", report::summary_text(&summary)),
        Format::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
    }
    Ok(ExitCode::from(exit_code(&summary, stop.signal())))
}
