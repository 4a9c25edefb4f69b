//! `xacct explain`: what the model decides for a scenario, step by step, and which rules decided.

use super::{load, ExplainArgs};
use anyhow::Result;
use std::process::ExitCode;
use xacct_harness::report::tables;

pub(super) fn run(args: ExplainArgs) -> Result<ExitCode> {
    let s = load(&args.file)?;
    let rep = tables::replay_model(&args.file.display().to_string(), &s);
    if args.format.json() {
        println!("{}", serde_json::to_string_pretty(&rep)?);
    } else {
        print!("{}", tables::explain_text(&rep));
    }
    Ok(ExitCode::SUCCESS)
}
