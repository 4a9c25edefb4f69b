//! `xacct completions SHELL`: the shell completion script clap_complete writes from the
//! command line's own definition.

use super::{Cli, CompletionsArgs};
use anyhow::Result;
use clap::CommandFactory;
use std::process::ExitCode;

pub(super) fn run(args: CompletionsArgs) -> Result<ExitCode> {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "xacct", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}
