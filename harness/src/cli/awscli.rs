//! `xacct awscli`: an aws-cli script that replays a scenario without xacct.

use super::{load, AwscliArgs};
use anyhow::Result;
use std::process::ExitCode;

pub(super) fn run(args: AwscliArgs) -> Result<ExitCode> {
    let s = load(&args.file)?;
    print!("{}", xacct_harness::report::awscli::script(&s));
    Ok(ExitCode::SUCCESS)
}
