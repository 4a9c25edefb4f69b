//! `xacct replay`: scenario files against the model only (checking every `expect`), or against
//! a target and the model side by side, judged by a baseline of known divergences.

use super::{default_level, load, passed, runtime, write_json, ReplayArgs};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xacct_harness::baseline::{Baseline, Found, Judgement};
use xacct_harness::compare::replay::{replay_against, stop_signal, table, TargetReport};
use xacct_harness::compare::Level;
use xacct_harness::report::tables;
use xacct_harness::target::TargetArgs;
use xacct_model::{Region, Scenario};

pub(super) fn run(args: ReplayArgs) -> Result<ExitCode> {
    let mut target = TargetArgs::from(args.target);
    // Load every file first: a bad file stops the run before anything is replayed.
    let mut scenarios = args
        .files
        .iter()
        .map(|f| load(f).map(|s| (f, s)))
        .collect::<Result<Vec<_>>>()?;
    // `--assume` / `--profile` add to the deviations each file assumes.
    let extra = args.assume.deviations()?;
    for (_, s) in &mut scenarios {
        s.assume.extend(extra.iter().copied());
        s.assume.sort();
        s.assume.dedup();
    }
    if !args.model_only && target.region.is_none() {
        target.region = stated_region(&scenarios)?;
    }
    if let Some(r) = &target.region {
        for (f, s) in &mut scenarios {
            s.set_region(r).with_context(|| f.display().to_string())?;
        }
    }
    let default_baseline = (!args.model_only)
        .then(|| PathBuf::from(format!("baselines/{}.json", target.kind().name())))
        .filter(|p| !args.no_baseline && p.exists());
    let baseline_path = args.baseline.or(default_baseline);
    if let (Some(p), false) = (&baseline_path, args.format.json()) {
        eprintln!("baseline: {}", p.display());
    }
    let baseline = baseline_path.map(|b| Baseline::load(&b)).transpose()?;
    if args.model_only {
        return model_only(&scenarios, args.format.json());
    }
    let kind = target.kind();
    let (target_name, reports) = replay_all(
        &target,
        &scenarios,
        default_level(args.level, kind),
        args.format.json(),
    )?;
    if let Some(dir) = &args.record {
        record(dir, &scenarios, &reports)?;
    }
    let found: Vec<Found> = reports.iter().flat_map(|r| r.found()).collect();
    if let Some(path) = &args.write_baseline {
        write_baseline(path, &Baseline::from_found(&target_name, &found))?;
    }
    let names: Vec<String> = reports.iter().map(|r| r.scenario.clone()).collect();
    let judgement = baseline.clone().unwrap_or_default().judge(&names, &found);
    if args.format.json() {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"reports": reports, "baseline": judgement})
            )?
        );
    } else {
        print_judgement(&judgement, baseline.is_some());
    }
    // As for runs: interrupted 130 (SIGTERM 143), incomplete 3 (a step's fault left a scenario inconclusive),
    // then 1 for new divergences.
    if let Some(why) = reports.iter().find_map(|r| r.interrupted.as_ref()) {
        let code = if why.starts_with("terminated") {
            143
        } else {
            130
        };
        return Ok(ExitCode::from(code));
    }
    if let Some(why) = reports.iter().find_map(|r| r.inconclusive.as_ref()) {
        eprintln!("replay incomplete: {why}");
        return Ok(ExitCode::from(3));
    }
    Ok(passed(judgement.new.is_empty()))
}

/// The first Ctrl-C or SIGTERM stops the replay, which cleans up; the second exits at once
/// (130, or 143 for SIGTERM), without cleaning up.
async fn exit_on_second_signal() {
    stop_signal().await;
    let why = stop_signal().await;
    eprintln!("\n{why} again: exiting without cleaning up");
    let code = if why.starts_with("terminated") {
        143
    } else {
        130
    };
    std::process::exit(code);
}

/// `--record DIR`: each replayed scenario with the answers as its expectations.
fn record(dir: &Path, scenarios: &[(&PathBuf, Scenario)], reports: &[TargetReport]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let at = xacct_harness::compare::record::now();
    for ((f, s), rep) in scenarios.iter().zip(reports) {
        if rep.interrupted.is_some() {
            eprintln!("not recorded (interrupted): {}", f.display());
            continue;
        }
        let name = f.file_name().unwrap_or(f.as_os_str());
        let path = dir.join(name);
        let recorded = xacct_harness::compare::record::recorded(s, rep, &at);
        write_json(&path, &recorded, "the recording ")?;
        eprintln!("recorded: {}", path.display());
    }
    Ok(())
}

/// The one Region the files state (`None` when none states one): a target runs in one Region.
fn stated_region(scenarios: &[(&PathBuf, Scenario)]) -> Result<Option<Region>> {
    let mut stated: Option<(&PathBuf, &Region)> = None;
    for (f, s) in scenarios {
        let Some(r) = &s.region else { continue };
        match stated {
            Some((g, q)) if q != r => bail!(
                "{} states region {q} and {} states {r}: a target runs in one Region; replay them separately",
                g.display(),
                f.display()
            ),
            _ => stated = Some((f, r)),
        }
    }
    Ok(stated.map(|(_, r)| r.clone()))
}

/// `--model-only`: each scenario against the model, its expectations checked.
fn model_only(scenarios: &[(&PathBuf, Scenario)], json: bool) -> Result<ExitCode> {
    let mut all_passed = true;
    let mut reports = Vec::new();
    for (f, s) in scenarios {
        let rep = tables::replay_model(&f.display().to_string(), s);
        all_passed &= rep.passed;
        if !json {
            print!("{}", tables::replay_table(s, &rep));
        }
        reports.push(rep);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    }
    Ok(passed(all_passed))
}

/// Each scenario against the target and the model, a table each unless `json`; stops after a
/// scenario the target interrupted. Returns the target's name and the reports.
fn replay_all(
    args: &TargetArgs,
    scenarios: &[(&PathBuf, Scenario)],
    level: Level,
    json: bool,
) -> Result<(String, Vec<TargetReport>)> {
    let rt = runtime().context("starting the async runtime")?;
    let _in_runtime = rt.enter();
    rt.spawn(exit_on_second_signal());
    let mut target = args.build(args.kind())?;
    let mut reports = Vec::new();
    for (f, s) in scenarios {
        let rep = rt
            .block_on(replay_against(
                &mut target,
                &f.display().to_string(),
                s,
                level,
            ))
            .with_context(|| format!("replaying {} against {}", f.display(), target.name()))?;
        if !json {
            print!("{}", table(&rep));
        }
        let interrupted = rep.interrupted.is_some();
        reports.push(rep);
        if interrupted {
            break;
        }
    }
    Ok((target.name().to_string(), reports))
}

fn write_baseline(path: &Path, b: &Baseline) -> Result<()> {
    write_json(path, b, "baseline ")?;
    eprintln!(
        "wrote {} divergence(s) to {}",
        b.divergences.len(),
        path.display()
    );
    Ok(())
}

/// The baseline's verdict: counts and what is gone when there is a baseline, every new one.
fn print_judgement(judgement: &Judgement, with_baseline: bool) {
    if with_baseline {
        println!(
            "baseline: {} known divergence(s) seen again, {} new, {} listed but gone",
            judgement.known.len(),
            judgement.new.len(),
            judgement.gone.len()
        );
        for g in &judgement.gone {
            println!(
                "  gone: {} step {} {} {} ({})",
                g.scenario, g.step, g.op, g.class, g.reason
            );
        }
    }
    for n in &judgement.new {
        println!(
            "  NEW: {} step {} {} {}: {}",
            n.scenario, n.step, n.op, n.class, n.detail
        );
    }
}
