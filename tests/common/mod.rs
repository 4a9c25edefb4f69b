//! Helpers shared by the end-to-end suites: a runtime and error codes for those that talk to the
//! embedded endpoint over HTTP, and the scenario files under a folder. Each suite compiles this
//! module and uses some of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A Tokio runtime with two workers, as the harness uses.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime")
}

/// The AWS error code of a refused SDK call ("" when the answer carries none).
pub fn code_of<E, R>(e: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    e.as_service_error()
        .and_then(|s| s.code())
        .unwrap_or("")
        .to_string()
}

/// The `.json` files under `dir` (relative to the package root), at any depth, sorted.
pub fn json_files(dir: impl AsRef<Path>) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir.as_ref(), &mut out);
    out.sort();
    out
}
