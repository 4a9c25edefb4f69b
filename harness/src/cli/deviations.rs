//! `xacct deviations`: the catalogue of deviations (`xacct_model::deviation`), each with its
//! severity, its family (the dimension of the rules it changes), whether it is a seeded
//! mutant, was observed on a backend or is derived from the rules, what it does and the
//! evidence for it; `--format json` gives a list of objects (name, severity, family, kind,
//! description, evidence) for tools. `xacct serve --list-mutants` prints the same text.

use super::DeviationsArgs;
use anyhow::Result;
use std::process::ExitCode;
use xacct_model::deviation::Deviation;

pub(super) fn run(args: DeviationsArgs) -> Result<ExitCode> {
    if args.format.json() {
        let list: Vec<_> = Deviation::all()
            .iter()
            .map(|d| {
                serde_json::json!({
                    "name": d.name(),
                    "severity": d.severity(),
                    "family": d.family(),
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

/// `seeded` (a historical mutant), `observed` (recorded on a backend) or `derived` (a family
/// member written from AWS's rules, recorded nowhere yet).
fn kind(d: Deviation) -> &'static str {
    if d.seeded() {
        "seeded"
    } else if d.recorded_on("rgw") || d.recorded_on("moto") {
        "observed"
    } else {
        "derived"
    }
}

/// The catalogue as text: a line with name, severity, family and kind, then the description
/// and the evidence, indented.
pub(super) fn text() -> String {
    let width = Deviation::all()
        .iter()
        .map(|d| d.name().len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for d in Deviation::all().iter().copied() {
        out.push_str(&format!(
            "{:<width$} {:<13} {:<16} {}\n{:<width$} {}\n{:<width$} evidence: {}\n",
            d.name(),
            d.severity(),
            d.family(),
            kind(d),
            "",
            d.description(),
            "",
            d.evidence()
        ));
    }
    out
}
