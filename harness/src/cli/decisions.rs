//! `xacct decisions`: the model's decision tables, as Markdown or JSON.

use super::DecisionsArgs;
use anyhow::Result;
use std::process::ExitCode;

pub(super) fn run(args: DecisionsArgs) -> Result<ExitCode> {
    let cells = xacct_model::tables::decision_table();
    if args.format.json() {
        println!("{}", serde_json::to_string_pretty(&cells)?);
    } else {
        println!("# Decision tables of the xacct model\n\nCells: status, error code, deciding rule (see `xacct rules`).");
        print!("{}", xacct_model::tables::render_markdown(&cells));
    }
    Ok(ExitCode::SUCCESS)
}
