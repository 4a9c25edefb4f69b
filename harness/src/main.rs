//! `xacct`: the command line of the conformance harness.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use xacct_harness::baseline::{Baseline, Found};
use xacct_harness::compare::Level;
use xacct_harness::render;
use xacct_harness::target::TargetArgs;
use xacct_model::Scenario;

/// Property-based conformance harness for S3 object ownership and cross-account access.
#[derive(Parser)]
#[command(name = "xacct", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show, step by step, what the model decides for a scenario and which rules decided it.
    Explain {
        /// Scenario file (JSON).
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Replay scenarios: against the model only (checking every `expect`), or against a
    /// target and the model side by side, classifying every difference.
    Replay {
        /// Scenario files (JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Check the expectations against the model only (no endpoint).
        #[arg(long, conflicts_with = "target")]
        model_only: bool,
        #[command(flatten)]
        target: TargetArgs,
        /// How much of each answer to compare.
        #[arg(long = "compare", value_enum, default_value_t = Level::Code)]
        level: Level,
        /// Known divergences: fail only on divergences this file does not list. Default with
        /// --target: baselines/<target>.json when it exists.
        #[arg(long, conflicts_with = "no_baseline")]
        baseline: Option<PathBuf>,
        /// Judge every divergence as new, even when baselines/<target>.json exists.
        #[arg(long)]
        no_baseline: bool,
        /// Write the divergences found to this file as a baseline (reasons to be edited).
        #[arg(long)]
        write_baseline: Option<PathBuf>,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Print the model's decision tables (principal × operation × ownership × object owner).
    Decisions {
        /// Print JSON (every cell with its explanation) instead of Markdown tables.
        #[arg(long)]
        json: bool,
    },
    /// List the rules the model holds, with their sources.
    Rules,
}

fn load(path: &PathBuf) -> Result<Scenario> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read scenario file {label}"))?;
    Ok(Scenario::from_json_str(&text, &label)?)
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Explain { file, json } => {
            let s = load(&file)?;
            let rep = render::replay_model(&file.display().to_string(), &s);
            if json {
                println!("{}", serde_json::to_string_pretty(&rep)?);
            } else {
                print!("{}", render::explain_text(&rep));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Replay {
            files,
            model_only,
            target,
            level,
            baseline,
            no_baseline,
            write_baseline,
            json,
        } => {
            // Load every file first: a bad file stops the run before anything is replayed.
            let scenarios = files
                .iter()
                .map(|f| load(f).map(|s| (f, s)))
                .collect::<Result<Vec<_>>>()?;
            let default_baseline = target
                .target
                .map(|k| PathBuf::from(format!("baselines/{}.json", k.name())))
                .filter(|p| !no_baseline && p.exists());
            let baseline_path = baseline.or(default_baseline);
            if let (Some(p), false) = (&baseline_path, json) {
                eprintln!("baseline: {}", p.display());
            }
            let baseline = baseline_path.map(|b| Baseline::load(&b)).transpose()?;
            if !model_only {
                let Some(kind) = target.target else {
                    bail!("say where to replay: --model-only, or --target rgw|moto|generic|aws");
                };
                return replay_target(
                    kind,
                    &target,
                    &scenarios,
                    level,
                    baseline.as_ref(),
                    write_baseline.as_deref(),
                    json,
                );
            }
            let mut all_passed = true;
            let mut reports = Vec::new();
            for (f, s) in &scenarios {
                let rep = render::replay_model(&f.display().to_string(), s);
                all_passed &= rep.passed;
                if !json {
                    print!("{}", render::replay_table(s, &rep));
                }
                reports.push(rep);
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&reports)?);
            }
            Ok(if all_passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Decisions { json } => {
            let cells = xacct_model::tables::decision_table();
            if json {
                println!("{}", serde_json::to_string_pretty(&cells)?);
            } else {
                println!("# Decision tables of the xacct model\n\nCells: status, error code, deciding rule (see `xacct rules`).");
                print!("{}", xacct_model::tables::render_markdown(&cells));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules => {
            for r in xacct_model::rules::ALL {
                println!(
                    "{:<20} {}{}\n{:<20} source: {}",
                    r.id,
                    r.title,
                    if r.uncertain { " (uncertain)" } else { "" },
                    "",
                    r.source
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `replay --target`: each scenario against the target and the model, judged by the baseline.
fn replay_target(
    kind: xacct_harness::target::TargetKind,
    args: &TargetArgs,
    scenarios: &[(&PathBuf, Scenario)],
    level: Level,
    baseline: Option<&Baseline>,
    write_baseline: Option<&std::path::Path>,
    json: bool,
) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let mut target = args.build(kind)?;
    let mut reports = Vec::new();
    for (f, s) in scenarios {
        let rep = rt
            .block_on(xacct_harness::replay::replay_against(
                &mut target,
                &f.display().to_string(),
                s,
                level,
            ))
            .with_context(|| format!("replaying {} against {}", f.display(), target.name()))?;
        if !json {
            print!("{}", xacct_harness::replay::table(&rep));
        }
        let interrupted = rep.interrupted.is_some();
        reports.push(rep);
        if interrupted {
            break;
        }
    }
    let found: Vec<Found> = reports.iter().flat_map(|r| r.found()).collect();
    if let Some(path) = write_baseline {
        let b = Baseline::from_found(target.name(), &found);
        std::fs::write(path, serde_json::to_string_pretty(&b)? + "\n")
            .with_context(|| format!("writing baseline {}", path.display()))?;
        eprintln!(
            "wrote {} divergence(s) to {}",
            b.divergences.len(),
            path.display()
        );
    }
    let names: Vec<String> = reports.iter().map(|r| r.scenario.clone()).collect();
    let judgement = baseline.cloned().unwrap_or_default().judge(&names, &found);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"reports": reports, "baseline": judgement})
            )?
        );
    } else {
        if baseline.is_some() {
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
    let interrupted = reports.iter().any(|r| r.interrupted.is_some());
    Ok(if judgement.new.is_empty() && !interrupted {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xacct: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
