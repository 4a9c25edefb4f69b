//! `xacct rules`: the rules the model holds, each with its source.

use anyhow::Result;
use std::process::ExitCode;

pub(super) fn run() -> Result<ExitCode> {
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
