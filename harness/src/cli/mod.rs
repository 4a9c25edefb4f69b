//! The command line of `xacct`: the clap types of every subcommand, and the dispatch to the
//! file of each (`explain.rs`, `replay.rs`, `run.rs`, …), which does its one thing with the
//! library and prints the outcome.

mod awscli;
mod bench;
mod completions;
mod decisions;
mod deviations;
mod explain;
mod jobs;
mod replay;
mod rules;
mod run;
mod schema;
mod serve;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xacct_harness::compare::Level;
use xacct_harness::profile::Profile;
use xacct_harness::target::{TargetArgs, TargetKind};
use xacct_model::deviation::Deviation;
use xacct_model::Region;
use xacct_model::Scenario;

/// Property-based conformance harness for S3 object ownership and cross-account access.
#[derive(Parser)]
#[command(name = "xacct", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show, step by step, what the model decides for a scenario and which rules decided it.
    #[command(after_help = "Example:\n  xacct explain scenarios/seed-example4.json --format json")]
    Explain(ExplainArgs),
    /// Replay scenarios: against the model only (checking every `expect`), or against a
    /// target and the model side by side, classifying every difference.
    #[command(
        after_help = "Examples:\n  xacct replay scenarios/*.json --model-only\n  AWS_ENDPOINT_URL=http://127.0.0.1:9000 xacct replay --target generic --target-file minio.toml scenarios/seed-example4.json"
    )]
    Replay(ReplayArgs),
    /// Random runs: generate step sequences from the model's state machine, run each against a
    /// target and the model, shrink every divergence to a minimal replayable scenario.
    #[command(after_help = RUN_AFTER_HELP)]
    Run(RunArgs),
    /// Print the model's decision tables (principal × operation × ownership × object owner).
    #[command(after_help = "Example:\n  xacct decisions --format json > decisions.json")]
    Decisions(DecisionsArgs),
    /// List the rules the model holds, with their sources.
    #[command(after_help = "Example:\n  xacct rules --format json")]
    Rules(RulesArgs),
    /// List the catalogue of deviations ("the model, but X"): the injectable mutants and what
    /// RGW and moto were recorded doing, each with its severity and evidence.
    #[command(after_help = "Example:\n  xacct deviations --format json")]
    Deviations(DeviationsArgs),
    /// Run the embedded endpoint (the model over S3, STS and IAM) for other tools: aws-cli,
    /// boto3, the aws-cli scripts xacct writes. Writes an AWS CLI config and credentials file
    /// with a profile per principal, and serves until Ctrl-C.
    #[command(
        after_help = "Examples:\n  xacct serve --port 9000 --accounts A,B\n  xacct serve --format json   # one JSON object on the first line, for tools"
    )]
    Serve(ServeArgs),
    /// Benchmarks of the harness itself.
    #[command(
        after_help = "Example:\n  xacct bench mutants --seeds 1,2 --json-out out/bench.json"
    )]
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
    /// Print an aws-cli script that replays a scenario without xacct (as written beside every
    /// divergence a run finds).
    #[command(after_help = "Example:\n  xacct awscli scenarios/seed-example4.json > seed.sh")]
    Awscli(AwscliArgs),
    /// Print the JSON Schema of scenario files (`scenario`) or generic target files (`target`),
    /// generated from the types xacct reads them into.
    #[command(after_help = "Example:\n  xacct schema scenario > scenario.schema.json")]
    Schema(SchemaArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  xacct completions bash > ~/.local/share/bash-completion/completions/xacct\n  xacct completions zsh > ~/.zfunc/_xacct"
    )]
    Completions(CompletionsArgs),
}

/// What a command prints on stdout: text for people, JSON for tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// `--format text|json`; `--json` is kept as a hidden alias of `--format json`.
#[derive(Debug, Clone, Copy, Args)]
struct FormatFlag {
    /// Output on stdout: text for people, json for tools.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Same as --format json (kept for older scripts).
    #[arg(long, hide = true)]
    json: bool,
}

impl FormatFlag {
    /// True when JSON was asked for, by `--format json` or the older `--json`.
    fn json(self) -> bool {
        self.json || self.format == Format::Json
    }
}

/// The deviations the model assumes the target has: what they explain is not reported, so a run
/// hunts past what is already known.
#[derive(Args, Default)]
struct AssumeFlags {
    /// Deviations to assume, comma-separated (`xacct deviations` lists them).
    #[arg(long, value_delimiter = ',', value_name = "DEVIATION,...")]
    assume: Vec<Deviation>,
    /// A profile (TOML, as `xacct run --profile-out` writes) whose deviations are assumed too.
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,
}

impl AssumeFlags {
    /// `--assume` and the profile's, sorted, each once.
    fn deviations(&self) -> Result<Vec<Deviation>> {
        let mut all = self.assume.clone();
        if let Some(p) = &self.profile {
            all.extend(Profile::load(p)?.assume);
        }
        all.sort();
        all.dedup();
        Ok(all)
    }
}

#[derive(Args)]
struct RulesArgs {
    #[command(flatten)]
    format: FormatFlag,
}

#[derive(Args)]
struct DeviationsArgs {
    #[command(flatten)]
    format: FormatFlag,
}

#[derive(Args)]
struct SchemaArgs {
    /// Which file's schema: scenario (scenarios/, corpus/) or target (--target-file, generic).
    #[arg(value_enum, default_value_t = SchemaKind::Scenario)]
    which: SchemaKind,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SchemaKind {
    Scenario,
    Target,
}

#[derive(Args)]
struct CompletionsArgs {
    /// The shell.
    shell: clap_complete::Shell,
}

#[derive(Args)]
struct ExplainArgs {
    /// Scenario file (JSON).
    file: PathBuf,
    #[command(flatten)]
    format: FormatFlag,
}

#[derive(Args)]
struct ReplayArgs {
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
    #[command(flatten)]
    assume: AssumeFlags,
    /// Write the divergences found to this file as a baseline (reasons to be edited).
    #[arg(
        long = "baseline-out",
        visible_alias = "write-baseline",
        value_name = "FILE"
    )]
    write_baseline: Option<PathBuf>,
    #[command(flatten)]
    format: FormatFlag,
    /// Write each scenario again into DIR (same file name), every step's `expect` the answer
    /// the target gave, stamped with the target, its Region and the time: a run against real
    /// accounts becomes evidence `replay --model-only` checks. Interrupted scenarios are not
    /// written.
    #[arg(long, value_name = "DIR", conflicts_with = "model_only")]
    record: Option<PathBuf>,
}

/// Generated cases of `xacct run` when neither `--cases` nor `--time-budget` is given.
const DEFAULT_CASES: u64 = 100;

const RUN_AFTER_HELP: &str = "\
Exit codes:
  0    the run is complete and found no new divergence
  1    the run is complete and found new divergences
  2    usage or set-up error (the target could not be built or provisioned): nothing ran
  3    the run is incomplete: fewer cases than asked, more faults than --max-faults, or
       resources left behind (the summary still lists its findings)
  130  interrupted by Ctrl-C, after cleaning up (a second Ctrl-C exits at once)
  143  stopped by SIGTERM, after cleaning up as for Ctrl-C

An endpoint fault (timeout, reset, 5xx, unreadable answer) makes its case inconclusive: never
a divergence. The case runs once more under a fresh prefix; every fault is listed in the
summary and events.jsonl.

Example:
  xacct run --target moto --seed 7 --cases 200 --out-dir out/moto --junit-out out/moto.xml";

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    target: TargetFlags,
    /// Seed of the run (same seed, same sequences); random when not given, and printed.
    #[arg(long)]
    seed: Option<u64>,
    /// Number of generated cases (shrinking attempts and re-runs after a fault are not
    /// counted); default 100, or as many as --time-budget allows when only it is given.
    #[arg(long)]
    cases: Option<u64>,
    /// Steps per case, at most.
    #[arg(long, default_value_t = 20)]
    max_steps: usize,
    /// Stop after this many seconds (whatever the case count); alone, run until it is spent.
    #[arg(long)]
    time_budget: Option<u64>,
    /// A run with more endpoint faults than this is incomplete (exit 3); default: 5% of the
    /// requests it sends, at least 10.
    #[arg(long, value_name = "N")]
    max_faults: Option<u64>,
    /// How much of each answer to compare; default: full against the embedded endpoint
    /// (it has the model's own ids, so owners and grants compare exactly), code elsewhere.
    #[arg(long = "compare", value_name = "decision|code|full")]
    level: Option<Level>,
    /// Known divergence signatures: not hunted; the run fails only on new ones.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Write the signatures found to this file as a run baseline.
    #[arg(
        long = "baseline-out",
        visible_alias = "write-baseline",
        value_name = "FILE"
    )]
    write_baseline: Option<PathBuf>,
    /// Output directory: summary, events.jsonl, divergences/ (default out/run-<seed>).
    #[arg(long = "out-dir", visible_alias = "out", value_name = "DIR")]
    out: Option<PathBuf>,
    /// Also write a JUnit XML report here.
    #[arg(long = "junit-out", visible_alias = "junit", value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Independent runs side by side (job i uses seed+i); each has its own accounts.
    #[arg(long, default_value_t = 1)]
    jobs: u64,
    /// Shrinking attempts per divergence.
    #[arg(long, default_value_t = 128)]
    max_shrink_iters: u32,
    #[command(flatten)]
    assume: AssumeFlags,
    /// Write the deviations the run identified (assumed ones and the root causes of its
    /// findings) to this profile, for `--profile` on the next run.
    #[arg(
        long = "profile-out",
        visible_alias = "write-profile",
        value_name = "FILE"
    )]
    write_profile: Option<PathBuf>,
    /// The summary on stdout: text, or the JSON of summary.json.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Args)]
struct DecisionsArgs {
    /// text: Markdown tables; json: every cell with its explanation.
    #[command(flatten)]
    format: FormatFlag,
}

#[derive(Args)]
struct ServeArgs {
    /// Port on 127.0.0.1 (0: a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Switch on one deviation of the catalogue (`xacct deviations`): a seeded bug or a
    /// behaviour recorded on RGW or moto.
    #[arg(long, value_name = "NAME")]
    mutant: Option<Deviation>,
    /// List the deviations --mutant takes (the catalogue), with severity and evidence, and exit.
    #[arg(long)]
    list_mutants: bool,
    /// The Region the endpoint answers for (CreateBucket's LocationConstraint, the re-creation
    /// of an owned bucket) and the profiles name.
    #[arg(long, default_value = "us-east-1", value_name = "REGION")]
    region: Region,
    /// Accounts to provision, comma-separated.
    #[arg(long, default_value = "A,B,C", value_delimiter = ',')]
    accounts: Vec<String>,
    /// Where to write `config` and `credentials` (AWS CLI format, profiles xacct-A for
    /// A.admin and xacct-A-root for A.root).
    #[arg(long, default_value = "out/serve")]
    config_dir: PathBuf,
    /// text: prose for people; json: one line holding a JSON object (URL, accounts with ids,
    /// canonical ids and profile names, the files) for tools, then nothing more.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Accounts start as new AWS accounts do: the root user only (profiles xacct-A-root), no
    /// admin user; for `--target aws`, which makes its own.
    #[arg(long)]
    fresh_accounts: bool,
    /// IAM's eventual consistency: a new user, role, inline policy or access key takes effect
    /// only N milliseconds after it was made, as on AWS (0: at once).
    #[arg(long, value_name = "N", default_value_t = 0)]
    iam_propagation_ms: u64,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Seeded-bug and generalization benchmark: a random run against the embedded endpoint with
    /// each deviation (or pair) injected, for a fixed number of cases; prints time and
    /// cases to the first, the shrunk length, and whether the root-cause table names each
    /// injected deviation and nothing else.
    Mutants(MutantsArgs),
}

#[derive(Args)]
struct MutantsArgs {
    /// Seeds to run each mutant with, comma-separated.
    #[arg(long, default_value = "1,2,3", value_delimiter = ',')]
    seeds: Vec<u64>,
    /// Seconds allowed per mutant and seed.
    #[arg(long, default_value_t = 60)]
    budget: u64,
    /// Generated cases per run (it goes on past its first findings, so that its evidence can
    /// tell the injected deviation from others that explain the same findings).
    #[arg(long, default_value_t = 300)]
    cases: u64,
    /// Steps per generated case, at most.
    #[arg(long, default_value_t = 20)]
    max_steps: usize,
    /// Only these deviations (default: the 13 seeded mutants; any catalogue name is taken).
    #[arg(long = "mutant", value_name = "NAME")]
    mutants: Vec<Deviation>,
    /// Every deviation of the catalogue, one at a time (instead of the seeded mutants).
    #[arg(long, conflicts_with = "mutants")]
    all: bool,
    /// Also this many pairs of those deviations injected at once, sampled by the first seed.
    #[arg(long, default_value_t = 0)]
    pairs: usize,
    /// Also write the rows as JSON to this file (`--json FILE`, the older spelling, is kept
    /// as a hidden alias).
    #[arg(long = "json-out", alias = "json", value_name = "FILE")]
    json_out: Option<PathBuf>,
    /// The table on stdout as text, or the rows as JSON.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Args)]
struct AwscliArgs {
    /// Scenario file (JSON).
    file: PathBuf,
}

/// Command-line options that say where a target is (`TargetArgs` for the library).
#[derive(Debug, Clone, Args)]
struct TargetFlags {
    /// The endpoint to test (embedded, rgw, moto, generic, aws); default: the embedded endpoint
    /// (the model served in-process).
    #[arg(long, value_name = "embedded|rgw|moto|generic|aws")]
    target: Option<TargetKind>,
    /// Embedded endpoint only: switch on one deviation of the catalogue, a seeded bug or a
    /// behaviour recorded on RGW or moto (see `xacct deviations`).
    #[arg(long, value_name = "NAME")]
    mutant: Option<Deviation>,
    /// Endpoint URL (rgw, moto, generic); default: XACCT_RGW_ENDPOINT / XACCT_MOTO_ENDPOINT,
    /// else what `scripts/backends/<target> env` prints; for generic, the target file's
    /// `endpoint`, else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, else the AWS config profile's
    /// `endpoint_url`. `--endpoint` is an alias.
    #[arg(long = "endpoint-url", visible_alias = "endpoint", value_name = "URL")]
    endpoint: Option<String>,
    /// Ceph config of the RGW cluster (rgw).
    #[arg(long, env = "XACCT_RGW_CEPH_CONF")]
    ceph_conf: Option<String>,
    /// Target description (generic): a TOML file (`xacct schema target` describes it).
    #[arg(long, env = "XACCT_TARGET_FILE")]
    target_file: Option<PathBuf>,
    /// AWS profile for an account (aws), as ACCOUNT=PROFILE; repeat for each account.
    #[arg(long = "aws-profile", value_parser = parse_profile)]
    aws_profiles: Vec<(String, String)>,
    /// The Region of the run (default: the one the files state, else us-east-1; --aws-region
    /// is an alias). A scenario stating another Region is refused. The embedded endpoint and
    /// aws take any Region; rgw and moto run in us-east-1 only, generic in its file's.
    #[arg(long, alias = "aws-region", value_name = "REGION")]
    region: Option<Region>,
    /// Required with --target aws: the run creates and deletes real resources (buckets under
    /// its run prefix, IAM users and roles under /xacct/<run>/) in the named accounts.
    #[arg(long)]
    i_understand_this_uses_real_aws: bool,
    /// aws: how long IAM changes take to take effect in the accounts (default 10000 ms). A step
    /// refused (403) sooner than that after one of the run's IAM changes is sent again once
    /// it has passed.
    #[arg(long, value_name = "N")]
    aws_propagation_ms: Option<u64>,
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
            region: f.region,
            i_understand_this_uses_real_aws: f.i_understand_this_uses_real_aws,
            aws_propagation_ms: f.aws_propagation_ms,
        }
    }
}

fn parse_profile(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(a, p)| (a.to_string(), p.to_string()))
        .ok_or_else(|| format!("{s:?} is not ACCOUNT=PROFILE"))
}

/// Runs the subcommand the command line names.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Explain(args) => explain::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Run(args) => run::run(args),
        Command::Decisions(args) => decisions::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Deviations(args) => deviations::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Bench {
            what: BenchCommand::Mutants(args),
        } => bench::mutants(args),
        Command::Awscli(args) => awscli::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Completions(args) => completions::run(args),
    }
}

/// The comparison level asked for; by default full against the embedded endpoint (it has the
/// model's own ids, so owners and grants compare exactly), status and error code elsewhere.
fn default_level(level: Option<Level>, kind: TargetKind) -> Level {
    level.unwrap_or(match kind {
        TargetKind::Embedded => Level::Full,
        _ => Level::Code,
    })
}

/// Reads a scenario file; errors name the file (and the step and field at fault).
fn load(path: &Path) -> Result<Scenario> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read scenario file {label}"))?;
    Ok(Scenario::from_json_str(&text, &label)?)
}

/// Writes `value` as pretty JSON with a final newline; an error says `writing {file_kind}{path}`.
fn write_json(path: &Path, value: &impl serde::Serialize, file_kind: &str) -> Result<()> {
    std::fs::write(path, serde_json::to_string_pretty(value)? + "\n")
        .with_context(|| format!("writing {file_kind}{}", path.display()))
}

/// A multi-threaded runtime of two workers for the targets' requests (the caller enters it).
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// The exit code of a command: 0 when it passed, 1 when it found what fails it.
fn passed(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
