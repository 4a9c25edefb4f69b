//! `xacct`: the command line of the conformance harness.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use xacct_harness::baseline::{Baseline, Found};
use xacct_harness::compare::Level;
use xacct_harness::report::tables;
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
        target: TargetFlags,
        /// How much of each answer to compare; default: full against the embedded endpoint
        /// (it has the model's own ids, so owners and grants compare exactly), code elsewhere.
        #[arg(long = "compare", value_name = "decision|code|full")]
        level: Option<Level>,
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
    /// Random runs: generate step sequences from the model's state machine, run each against a
    /// target and the model, shrink every divergence to a minimal replayable scenario.
    Run {
        #[command(flatten)]
        target: TargetFlags,
        /// Seed of the run (same seed, same sequences); random when not given, and printed.
        #[arg(long)]
        seed: Option<u64>,
        /// Number of generated cases (shrinking attempts are not counted).
        #[arg(long, default_value_t = 100)]
        cases: u64,
        /// Steps per case, at most.
        #[arg(long, default_value_t = 20)]
        max_steps: usize,
        /// Stop after this many seconds (whatever the case count).
        #[arg(long)]
        time_budget: Option<u64>,
        /// How much of each answer to compare; default: full against the embedded endpoint
        /// (it has the model's own ids, so owners and grants compare exactly), code elsewhere.
        #[arg(long = "compare", value_name = "decision|code|full")]
        level: Option<Level>,
        /// Known divergence signatures: not hunted; the run fails only on new ones.
        #[arg(long)]
        baseline: Option<PathBuf>,
        /// Write the signatures found to this file as a run baseline.
        #[arg(long)]
        write_baseline: Option<PathBuf>,
        /// Output directory: summary, events.jsonl, divergences/ (default out/run-<seed>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also write a JUnit XML report here.
        #[arg(long)]
        junit: Option<PathBuf>,
        /// Independent runs side by side (job i uses seed+i); each has its own accounts.
        #[arg(long, default_value_t = 1)]
        jobs: u64,
        /// Shrinking attempts per divergence.
        #[arg(long, default_value_t = 128)]
        max_shrink_iters: u32,
    },
    /// Print the model's decision tables (principal × operation × ownership × object owner).
    Decisions {
        /// Print JSON (every cell with its explanation) instead of Markdown tables.
        #[arg(long)]
        json: bool,
    },
    /// List the rules the model holds, with their sources.
    Rules,
    /// Run the embedded endpoint (the model over S3, STS and IAM) for other tools: aws-cli,
    /// boto3, the aws-cli scripts xacct writes. Writes an AWS CLI config and credentials file
    /// with a profile per principal, and serves until Ctrl-C.
    Serve {
        /// Port on 127.0.0.1 (0: a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Switch on one injected authorization bug.
        #[arg(long)]
        mutant: Option<xacct_endpoint::Mutant>,
        /// List the mutants, with a sentence each, and exit.
        #[arg(long)]
        list_mutants: bool,
        /// Accounts to provision, comma-separated.
        #[arg(long, default_value = "A,B,C", value_delimiter = ',')]
        accounts: Vec<String>,
        /// Where to write `config` and `credentials` (AWS CLI format, profiles xacct-A for
        /// A.admin and xacct-A-root for A.root).
        #[arg(long, default_value = "out/serve")]
        config_dir: PathBuf,
    },
    /// Benchmarks of the harness itself.
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
    /// Print an aws-cli script that replays a scenario without xacct (as written beside every
    /// divergence a run finds).
    Awscli {
        /// Scenario file (JSON).
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Seeded-bug benchmark: a random run against the embedded endpoint with each mutant, until
    /// the first divergence; prints time and cases to it and the shrunk scenario's length.
    Mutants {
        /// Seeds to run each mutant with, comma-separated.
        #[arg(long, default_value = "1,2,3", value_delimiter = ',')]
        seeds: Vec<u64>,
        /// Seconds allowed per mutant and seed.
        #[arg(long, default_value_t = 60)]
        budget: u64,
        /// Steps per generated case, at most.
        #[arg(long, default_value_t = 20)]
        max_steps: usize,
        /// Only these mutants (default: all).
        #[arg(long = "mutant")]
        mutants: Vec<xacct_endpoint::Mutant>,
        /// Also write the rows as JSON here.
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

/// Command-line options that say where a target is (`TargetArgs` for the library).
#[derive(Debug, Clone, clap::Args)]
struct TargetFlags {
    /// The endpoint to test (embedded, rgw, moto, generic, aws); default: the embedded endpoint
    /// (the model served in-process).
    #[arg(long, value_name = "embedded|rgw|moto|generic|aws")]
    target: Option<xacct_harness::target::TargetKind>,
    /// Embedded endpoint only: switch on one injected authorization bug (see
    /// `xacct serve --list-mutants`).
    #[arg(long)]
    mutant: Option<xacct_endpoint::Mutant>,
    /// Endpoint URL (rgw, moto); default: XACCT_RGW_ENDPOINT / XACCT_MOTO_ENDPOINT, else what
    /// `scripts/backends/<target> env` prints.
    #[arg(long)]
    endpoint: Option<String>,
    /// Ceph config of the RGW cluster (rgw); default: XACCT_RGW_CEPH_CONF, else the script's.
    #[arg(long)]
    ceph_conf: Option<String>,
    /// Target description (generic): a TOML file.
    #[arg(long)]
    target_file: Option<std::path::PathBuf>,
    /// AWS profile for an account (aws), as ACCOUNT=PROFILE; repeat for each account.
    #[arg(long = "aws-profile", value_parser = parse_profile)]
    aws_profiles: Vec<(String, String)>,
    /// AWS region (aws).
    #[arg(long, default_value = "us-east-1")]
    aws_region: String,
    /// Required with --target aws: the run creates and deletes real resources (buckets under
    /// its run prefix, IAM users and roles under /xacct/<run>/) in the named accounts.
    #[arg(long)]
    i_understand_this_uses_real_aws: bool,
}

impl From<TargetFlags> for TargetArgs {
    fn from(f: TargetFlags) -> TargetArgs {
        TargetArgs {
            target: f.target,
            mutant: f.mutant,
            endpoint: f.endpoint,
            ceph_conf: f.ceph_conf,
            target_file: f.target_file,
            aws_profiles: f.aws_profiles,
            aws_region: f.aws_region,
            i_understand_this_uses_real_aws: f.i_understand_this_uses_real_aws,
        }
    }
}

fn parse_profile(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(a, p)| (a.to_string(), p.to_string()))
        .ok_or_else(|| format!("{s:?} is not ACCOUNT=PROFILE"))
}

fn default_level(level: Option<Level>, kind: xacct_harness::target::TargetKind) -> Level {
    level.unwrap_or(match kind {
        xacct_harness::target::TargetKind::Embedded => Level::Full,
        _ => Level::Code,
    })
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
            let rep = tables::replay_model(&file.display().to_string(), &s);
            if json {
                println!("{}", serde_json::to_string_pretty(&rep)?);
            } else {
                print!("{}", tables::explain_text(&rep));
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
            let target = TargetArgs::from(target);
            // Load every file first: a bad file stops the run before anything is replayed.
            let scenarios = files
                .iter()
                .map(|f| load(f).map(|s| (f, s)))
                .collect::<Result<Vec<_>>>()?;
            let default_baseline = (!model_only)
                .then(|| PathBuf::from(format!("baselines/{}.json", target.kind().name())))
                .filter(|p| !no_baseline && p.exists());
            let baseline_path = baseline.or(default_baseline);
            if let (Some(p), false) = (&baseline_path, json) {
                eprintln!("baseline: {}", p.display());
            }
            let baseline = baseline_path.map(|b| Baseline::load(&b)).transpose()?;
            if !model_only {
                let kind = target.kind();
                return replay_target(
                    kind,
                    &target,
                    &scenarios,
                    default_level(level, kind),
                    baseline.as_ref(),
                    write_baseline.as_deref(),
                    json,
                );
            }
            let mut all_passed = true;
            let mut reports = Vec::new();
            for (f, s) in &scenarios {
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
            Ok(if all_passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Run {
            target,
            seed,
            cases,
            max_steps,
            time_budget,
            level,
            baseline,
            write_baseline,
            out,
            junit,
            jobs,
            max_shrink_iters,
        } => {
            let target = TargetArgs::from(target);
            let kind = target.kind();
            if jobs > 1 && matches!(kind, xacct_harness::target::TargetKind::Moto) {
                bail!("moto's authentication switch (reset-auth) is global to the server, so jobs would disturb each other's accounts: run moto with --jobs 1");
            }
            let seed = seed.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64 % 1_000_000)
                    .unwrap_or(1)
            });
            let known = match &baseline {
                Some(b) => xacct_harness::baseline::RunBaseline::load(b)?.keys(),
                None => Default::default(),
            };
            let cfg = xacct_harness::hunt::RunConfig {
                seed,
                cases,
                max_steps,
                time_budget: time_budget.map(std::time::Duration::from_secs),
                level: default_level(level, kind),
                known,
                max_shrink_iters,
                stop_after: None,
            };
            let out = out.unwrap_or_else(|| PathBuf::from(format!("out/run-{seed}")));
            random_run(
                kind,
                &target,
                cfg,
                jobs.max(1),
                &out,
                junit.as_deref(),
                write_baseline.as_deref(),
            )
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
        Command::Serve {
            port,
            mutant,
            list_mutants,
            accounts,
            config_dir,
        } => {
            if list_mutants {
                for m in xacct_endpoint::Mutant::ALL {
                    println!("{:<24} {}", m.name(), m.description());
                    println!("{:<24} (bug class seen in: {})", "", m.seen_in());
                }
                return Ok(ExitCode::SUCCESS);
            }
            serve(port, mutant, &accounts, &config_dir)
        }
        Command::Bench {
            what:
                BenchCommand::Mutants {
                    seeds,
                    budget,
                    max_steps,
                    mutants,
                    json,
                },
        } => {
            let mutants = if mutants.is_empty() {
                xacct_endpoint::Mutant::ALL.to_vec()
            } else {
                mutants
            };
            let cfg = xacct_harness::hunt::bench::MutantBench {
                seeds,
                budget: std::time::Duration::from_secs(budget),
                max_steps,
            };
            let rows = xacct_harness::hunt::bench::mutants(&mutants, &cfg, &mut |r| {
                eprintln!("{}", xacct_harness::hunt::bench::row_line(r));
            })?;
            print!("{}", xacct_harness::hunt::bench::table(&rows, &cfg));
            if let Some(j) = json {
                std::fs::write(&j, serde_json::to_string_pretty(&rows)? + "\n")
                    .with_context(|| format!("writing {}", j.display()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Awscli { file } => {
            let s = load(&file)?;
            print!("{}", xacct_harness::report::awscli::script(&s));
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

/// `xacct run`: random cases against a target, `jobs` independent runs side by side.
fn random_run(
    kind: xacct_harness::target::TargetKind,
    args: &TargetArgs,
    cfg: xacct_harness::hunt::RunConfig,
    jobs: u64,
    out: &std::path::Path,
    junit: Option<&std::path::Path>,
    write_baseline: Option<&std::path::Path>,
) -> Result<ExitCode> {
    use std::io::IsTerminal;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use xacct_harness::hunt::findings::Event;
    use xacct_harness::report;

    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let events = std::fs::File::create(out.join("events.jsonl"))
        .with_context(|| format!("creating {}/events.jsonl", out.display()))?;
    let log = Arc::new(Mutex::new(report::EventLog::new(events)));
    let stop = Arc::new(AtomicBool::new(false));
    {
        // Ctrl-C: stop starting steps; each job cleans up what it made.
        let stop = stop.clone();
        std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                if rt.block_on(tokio::signal::ctrl_c()).is_ok() {
                    eprintln!("\ninterrupted: finishing the current step and cleaning up");
                    stop.store(true, Ordering::Relaxed);
                }
            }
        });
    }
    let tty = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    eprintln!(
        "xacct run: target {}, seed {}, {} case(s), up to {} steps each, {} job(s); output in {}",
        kind.name(),
        cfg.seed,
        cfg.cases,
        cfg.max_steps,
        jobs,
        out.display()
    );
    // A bar per job on a terminal; plain lines (every 10 s) in CI and in logs.
    let bars = indicatif::MultiProgress::new();
    if !tty {
        bars.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let style =
        indicatif::ProgressStyle::with_template("{prefix}[{bar:30}] {pos}/{len} cases, {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> ");
    let per_job = cfg.cases.div_ceil(jobs);
    let results: Vec<Result<xacct_harness::hunt::findings::RunSummary>> =
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..jobs)
                .map(|j| {
                    let mut jcfg = cfg.clone();
                    jcfg.seed = cfg.seed + j;
                    jcfg.cases = per_job.min(cfg.cases.saturating_sub(per_job * j));
                    let log = log.clone();
                    let stop = stop.clone();
                    let bar = bars.add(indicatif::ProgressBar::new(jcfg.cases));
                    bar.set_style(style.clone());
                    bar.set_prefix(if jobs > 1 {
                        format!("job {j} ")
                    } else {
                        String::new()
                    });
                    let bars = bars.clone();
                    scope.spawn(
                        move || -> Result<xacct_harness::hunt::findings::RunSummary> {
                            let rt = tokio::runtime::Builder::new_multi_thread()
                                .worker_threads(2)
                                .enable_all()
                                .build()?;
                            let _in_runtime = rt.enter();
                            let mut target = args.build(kind)?;
                            let mut last = std::time::Instant::now();
                            let s = xacct_harness::hunt::run(
                                &mut target,
                                &rt,
                                &jcfg,
                                &stop,
                                &mut |e: &Event| {
                                    if let Ok(mut l) = log.lock() {
                                        l.emit(e);
                                    }
                                },
                                &mut |p| {
                                    let msg = format!(
                                        "{} steps, {:.1} steps/s, {} divergence(s){}",
                                        p.steps,
                                        p.steps as f64 / p.elapsed.as_secs_f64().max(0.001),
                                        p.divergences,
                                        if p.shrinking { ", shrinking" } else { "" }
                                    );
                                    bar.set_position(p.cases);
                                    if tty {
                                        bar.set_message(msg);
                                    } else if last.elapsed().as_secs() >= 10 {
                                        let job = if jobs > 1 {
                                            format!("[job {j}] ")
                                        } else {
                                            String::new()
                                        };
                                        eprintln!("{job}cases {}/{}, {msg}", p.cases, jcfg.cases);
                                        last = std::time::Instant::now();
                                    }
                                },
                                &mut |d| {
                                    let line = format!(
                                        "found {} ({} -> {} steps)",
                                        d.signature.key(),
                                        d.original_steps,
                                        d.shrunk_steps
                                    );
                                    if tty {
                                        let _ = bars.println(line);
                                    } else {
                                        eprintln!("{line}");
                                    }
                                },
                            );
                            bar.finish_and_clear();
                            Ok(s)
                        },
                    )
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("a job panicked")))
                })
                .collect()
        });
    // Merge the jobs in job order, one divergence per signature, renumbered.
    let mut summary: Option<xacct_harness::hunt::findings::RunSummary> = None;
    for r in results {
        let s = r?;
        match &mut summary {
            None => summary = Some(s),
            Some(m) => {
                m.cases += s.cases;
                m.steps += s.steps;
                m.elapsed_ms = m.elapsed_ms.max(s.elapsed_ms);
                m.unsupported += s.unsupported;
                m.faults += s.faults;
                m.flaky.extend(s.flaky);
                m.known.extend(s.known);
                for d in s.divergences {
                    if !m.divergences.iter().any(|x| x.signature == d.signature) {
                        m.divergences.push(d);
                    }
                }
            }
        }
    }
    let mut summary = summary.context("no job ran")?;
    summary.known.sort();
    summary.known.dedup();
    summary.not_seen = cfg
        .known
        .iter()
        .filter(|k| !summary.known.contains(k))
        .cloned()
        .collect();
    summary.divergences.sort_by(|a, b| {
        a.signature
            .class
            .cmp(&b.signature.class)
            .then(a.case.cmp(&b.case))
    });
    for (i, d) in summary.divergences.iter_mut().enumerate() {
        d.id = format!("d{:02}-{}-{}", i + 1, d.signature.class, d.signature.op);
        d.scenario.name = d.id.clone();
    }
    report::write_run(out, &summary, junit)
        .with_context(|| format!("writing the run's reports into {}", out.display()))?;
    if let Some(b) = write_baseline {
        let rb = xacct_harness::baseline::RunBaseline {
            target: kind.name().into(),
            signatures: summary
                .divergences
                .iter()
                .map(|d| xacct_harness::baseline::KnownSignature {
                    signature: d.signature.key(),
                    reason: d.detail.clone(),
                })
                .collect(),
        };
        std::fs::write(b, serde_json::to_string_pretty(&rb)? + "\n")
            .with_context(|| format!("writing {}", b.display()))?;
    }
    print!("{}", report::summary_text(&summary));
    let interrupted = stop.load(Ordering::Relaxed);
    Ok(if summary.divergences.is_empty() && !interrupted {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
    let _in_runtime = rt.enter();
    let mut target = args.build(kind)?;
    let mut reports = Vec::new();
    for (f, s) in scenarios {
        let rep = rt
            .block_on(xacct_harness::compare::replay::replay_against(
                &mut target,
                &f.display().to_string(),
                s,
                level,
            ))
            .with_context(|| format!("replaying {} against {}", f.display(), target.name()))?;
        if !json {
            print!("{}", xacct_harness::compare::replay::table(&rep));
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

/// `xacct serve`: the embedded endpoint in the foreground, with AWS CLI profiles written out.
fn serve(
    port: u16,
    mutant: Option<xacct_endpoint::Mutant>,
    accounts: &[String],
    config_dir: &std::path::Path,
) -> Result<ExitCode> {
    for a in accounts {
        if !xacct_model::world::AccountName::is_valid(a) {
            bail!("--accounts: {a:?} is not an account name (an upper-case letter, then upper-case letters or digits)");
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let _in_runtime = rt.enter();
    let endpoint = xacct_endpoint::Endpoint::start_on(
        std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        mutant,
    )
    .with_context(|| format!("listening on 127.0.0.1:{port}"))?;
    let creds = endpoint.provision(accounts);
    let (config, credentials) = xacct_endpoint::aws_cli_files(&endpoint.url(), &creds);
    std::fs::create_dir_all(config_dir)
        .with_context(|| format!("creating {}", config_dir.display()))?;
    let cfg_path = config_dir.join("config");
    let cred_path = config_dir.join("credentials");
    std::fs::write(&cfg_path, config).with_context(|| format!("writing {}", cfg_path.display()))?;
    write_private(&cred_path, &credentials)?;
    println!("xacct serve: the model at {}", endpoint.url());
    if let Some(m) = mutant {
        println!("mutant {m}: {}", m.description());
    }
    let world = endpoint.world();
    for a in world.accounts.values() {
        println!(
            "account {}: id {}, canonical id {}; profiles xacct-{} (admin), xacct-{}-root",
            a.name, a.id, a.canonical, a.name, a.name
        );
    }
    println!(
        "profiles: AWS_CONFIG_FILE={} AWS_SHARED_CREDENTIALS_FILE={} (secrets only in the latter, mode 0600)",
        cfg_path.display(),
        cred_path.display()
    );
    println!(
        "try:      AWS_CONFIG_FILE={} AWS_SHARED_CREDENTIALS_FILE={} aws --profile xacct-{} s3api list-buckets",
        cfg_path.display(),
        cred_path.display(),
        accounts.first().map(String::as_str).unwrap_or("A")
    );
    println!("ready; Ctrl-C stops");
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    rt.block_on(tokio::signal::ctrl_c())
        .context("waiting for Ctrl-C")?;
    eprintln!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Writes a file only its owner can read (credentials).
fn write_private(path: &std::path::Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    o.mode(0o600);
    let mut f = o
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("restricting {} to its owner", path.display()))?;
    }
    f.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
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
