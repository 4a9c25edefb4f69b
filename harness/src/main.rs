//! `xacct`: the command line of the conformance harness.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use xacct_harness::render;
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
    /// Replay scenarios and check every step's `expect`.
    Replay {
        /// Scenario files (JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Check the expectations against the model only (no endpoint).
        #[arg(long)]
        model_only: bool,
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
            json,
        } => {
            if !model_only {
                bail!("replaying against an endpoint is not available yet (targets are being built); use --model-only to check the expectations against the model");
            }
            // Load every file first: a bad file stops the run before anything is replayed.
            let scenarios = files
                .iter()
                .map(|f| load(f).map(|s| (f, s)))
                .collect::<Result<Vec<_>>>()?;
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

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xacct: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
