//! `xacct`: the command line of the conformance harness. Parses the command line, sets up the
//! logs (stderr; `RUST_LOG`, else `-v`/`-vv`/`-q`) and runs the subcommand (`cli/`); an error
//! exits 2.

mod cli;

use clap::{Arg, ArgAction, ArgMatches, CommandFactory, FromArgMatches};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

/// The log filter when `RUST_LOG` is not set: warnings by default, errors only with `-q`,
/// debug for xacct's own crates with `-v`, debug for everything (the SDK's requests included)
/// with `-vv` (no further: trace would dump the STS answers, keys included).
fn default_filter(verbose: u8, quiet: bool) -> &'static str {
    match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "warn,xacct=debug,xacct_harness=debug,xacct_endpoint=debug,xacct_model=debug",
        (false, _) => "debug",
    }
}

/// s3s (the embedded endpoint's S3 server) logs each request's headers at debug, the session
/// token among them: it stays at info unless the filter names it. It also logs every request it
/// refuses (an unknown key, …) as an error, with the Rust debug dump of its error type: those
/// are answers, not failures of xacct, and show only at `-vv` (or when the filter names s3s).
fn redacting(filter: EnvFilter, spec: &str, verbose: u8) -> EnvFilter {
    if spec.contains("s3s") {
        return filter;
    }
    let quiet_ops = (verbose < 2).then_some("s3s::ops=off");
    ["s3s=info"]
        .into_iter()
        .chain(quiet_ops)
        .filter_map(|d| d.parse().ok())
        .fold(filter, EnvFilter::add_directive)
}

/// Logs go to stderr, filtered by `RUST_LOG` when it is set (it wins over the flags). The SDK
/// redacts credentials in its own logs (checked by harness/tests/logging.rs).
fn init_logs(m: &ArgMatches) {
    let verbose = m.get_count("verbose");
    let flags = default_filter(verbose, m.get_flag("quiet"));
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => match EnvFilter::try_new(&v) {
            Ok(f) => redacting(f, &v, verbose),
            Err(e) => {
                eprintln!("xacct: RUST_LOG ignored ({e}); using {flags}");
                redacting(EnvFilter::new(flags), flags, verbose)
            }
        },
        _ => redacting(EnvFilter::new(flags), flags, verbose),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// The subcommands' command line plus the global logging flags.
fn command() -> clap::Command {
    cli::Cli::command()
        .arg(
            Arg::new("verbose")
                .short('v')
                .long("verbose")
                .action(ArgAction::Count)
                .global(true)
                .help("More logs on stderr: -v debug for xacct, -vv debug for everything (RUST_LOG wins)"),
        )
        .arg(
            Arg::new("quiet")
                .short('q')
                .long("quiet")
                .action(ArgAction::SetTrue)
                .global(true)
                .conflicts_with("verbose")
                .help("Errors only on stderr (RUST_LOG wins)"),
        )
}

fn main() -> ExitCode {
    let m = command().get_matches();
    init_logs(&m);
    let parsed = match cli::Cli::from_arg_matches(&m) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    match cli::run(parsed) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xacct: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_logging_flags_parse_anywhere_and_exclude_each_other() {
        command().debug_assert();
        let m = command()
            .try_get_matches_from(["xacct", "rules", "-vv"])
            .unwrap();
        assert_eq!(m.get_count("verbose"), 2);
        let m = command()
            .try_get_matches_from(["xacct", "-q", "rules"])
            .unwrap();
        assert!(m.get_flag("quiet"));
        assert!(command()
            .try_get_matches_from(["xacct", "-q", "-v", "rules"])
            .is_err());
    }

    #[test]
    fn each_level_has_its_filter() {
        for (v, q) in [(0, false), (1, false), (2, false), (0, true)] {
            let f = default_filter(v, q);
            assert!(EnvFilter::try_new(f).is_ok(), "{f}");
        }
        assert_eq!(default_filter(0, true), "error");
        assert!(default_filter(1, false).contains("xacct_harness=debug"));
        assert_eq!(default_filter(2, false), "debug");
        assert_eq!(default_filter(5, false), "debug");
    }
}
