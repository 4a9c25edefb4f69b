//! `xacct schema`: the JSON Schema of scenario files and of generic target files, generated from
//! the types they are read into (`xacct_harness::schema`).

use super::{SchemaArgs, SchemaKind};
use anyhow::Result;
use std::process::ExitCode;

pub(super) fn run(args: SchemaArgs) -> Result<ExitCode> {
    let schema = match args.which {
        SchemaKind::Scenario => xacct_harness::schema::scenario(),
        SchemaKind::Target => xacct_harness::schema::target(),
    };
    println!("{}", serde_json::to_string_pretty(&schema)?);
    Ok(ExitCode::SUCCESS)
}
