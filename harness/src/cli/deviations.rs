//! `xacct deviations`: the catalogue of deviations (`xacct_model::deviation`), each with its
//! severity, whether it is a seeded mutant or was observed on a backend, what it does and the
//! evidence for it; `--format json` gives a list of objects (name, severity, kind,
//! description, evidence) for tools. `xacct serve --list-mutants` prints the same text.

use super::DeviationsArgs;
use anyhow::Result;
use std::process::ExitCode;
use xacct_model::deviation::Deviation;

pub(super) fn run(args: DeviationsArgs) -> Result<ExitCode> {
    if args.format.json() {
        let list: Vec<_> = Deviation::ALL
            .iter()
            .map(|d| {
                serde_json::json!({
                    "name": d.name(),
                    "severity": d.severity(),
                    "kind": kind(*d),
                    "description": d.description(),
                    "evidence": d.evidence(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", text());
    Ok(ExitCode::SUCCESS)
}

/// `seeded` (a historical mutant) or `observed` (recorded on a backend).
fn kind(d: Deviation) -> &'static str {
    if d.seeded() {
        "seeded"
    } else {
        "observed"
    }
}

/// The catalogue as text: a line with name, severity and kind, then the description and the
/// evidence, indented.
pub(super) fn text() -> String {
    let mut out = String::new();
    for d in Deviation::ALL.iter().copied() {
        out.push_str(&format!(
            "{:<32} {:<13} {}\n{:<32} {}\n{:<32} evidence: {}\n",
            d.name(),
            d.severity(),
            kind(d),
            "",
            d.description(),
            "",
            d.evidence()
        ));
    }
    out
}
