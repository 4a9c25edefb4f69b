//! `xacct bench mutants`: the seeded-bug benchmark (`hunt::bench`), a line per mutant and seed
//! on stderr as each is done, the table on stdout.

use super::{write_json, Format, MutantsArgs};
use anyhow::Result;
use std::process::ExitCode;
use std::time::Duration;
use xacct_harness::hunt::bench::{self, MutantBench};
use xacct_model::deviation::Deviation;

pub(super) fn mutants(args: MutantsArgs) -> Result<ExitCode> {
    let singles: Vec<Deviation> = if args.all {
        Deviation::all().to_vec()
    } else if args.mutants.is_empty() {
        Deviation::seeded_ones().collect()
    } else {
        args.mutants
    };
    let mut mutants: Vec<Vec<Deviation>> = singles.iter().map(|d| vec![*d]).collect();
    let seed = args.seeds.first().copied().unwrap_or(1);
    mutants.extend(bench::sample_pairs(&singles, args.pairs, seed));
    let cfg = MutantBench {
        seeds: args.seeds,
        budget: Duration::from_secs(args.budget),
        max_steps: args.max_steps,
        cases: args.cases,
    };
    let rows = bench::mutants(&mutants, &cfg, &mut |r| {
        eprintln!("{}", bench::row_line(r));
    })?;
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        print!("{}", bench::table(&rows, &cfg));
    }
    if let Some(j) = args.json_out {
        write_json(&j, &rows, "")?;
    }
    Ok(ExitCode::SUCCESS)
}
