//! `xacct`: the command line of the conformance harness. Parses the command line and runs the
//! subcommand (`cli/`); an error exits 2.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run(cli::Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xacct: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
