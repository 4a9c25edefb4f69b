//! `xacct rules`: the rules the model holds, each with its source; `--format json` gives a list
//! of objects (id, title, source, uncertain) for tools.

use super::RulesArgs;
use anyhow::Result;
use std::process::ExitCode;

pub(super) fn run(args: RulesArgs) -> Result<ExitCode> {
    if args.format.json() {
        let rules: Vec<_> = xacct_model::rules::ALL
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id,
                    "title": r.title,
                    "source": r.source,
                    "uncertain": r.uncertain,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rules)?);
        return Ok(ExitCode::SUCCESS);
    }
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
