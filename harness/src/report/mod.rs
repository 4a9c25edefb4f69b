//! A run's outputs: per divergence, the minimal scenario
//! (`divergences/<id>.json`, replayable), an AWS CLI script reproducing it without xacct
//! (`<id>.sh`) and a human explanation (`<id>.md`); per run, a text summary, a Markdown summary,
//! JUnit XML and a JSON-lines event log.
//!
//! One file per output: `divergence.rs` (the per-divergence files), `text.rs` (`summary.txt`),
//! `markdown.rs` (`summary.md` and each divergence's `.md`), `junit.rs` (JUnit XML), `events.rs`
//! (`events.jsonl`) and [`awscli`] (the reproduction scripts); [`write_run`] writes them all.
//! What they share (the classes in order, durations, rates) is in `format`.
//!
//! Paths in summaries are relative to the output directory.

pub mod awscli;
mod divergence;
mod events;
mod format;
mod junit;
mod markdown;
pub mod tables;
mod text;

#[cfg(test)]
mod fixtures;

pub use divergence::{divergence_file, write_divergence};
pub use events::EventLog;
pub use junit::junit;
pub use markdown::{divergence_markdown, summary_markdown};
pub use text::summary_text;

use crate::hunt::findings::RunSummary;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// A report file that could not be written, with its path.
#[derive(Debug, thiserror::Error)]
#[error("writing {path}: {source}")]
pub struct ReportError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

fn at(path: &Path) -> impl FnOnce(io::Error) -> ReportError + '_ {
    move |source| ReportError {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes a run's files into `dir`: `divergences/` afresh (each divergence's `.json`, `.sh`
/// and `.md`), `summary.txt`, `summary.md` and `summary.json`; and JUnit XML at `junit` when
/// asked for.
pub fn write_run(dir: &Path, s: &RunSummary, junit_xml: Option<&Path>) -> Result<(), ReportError> {
    std::fs::create_dir_all(dir).map_err(at(dir))?;
    let divergences = dir.join("divergences");
    match std::fs::remove_dir_all(&divergences) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(at(&divergences)(e)),
        _ => {}
    }
    for d in &s.divergences {
        write_divergence(dir, d).map_err(at(&dir.join(divergence_file(&d.id, "json"))))?;
    }
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(at(&path))
    };
    write("summary.txt", summary_text(s))?;
    write("summary.md", summary_markdown(s))?;
    let json =
        serde_json::to_string_pretty(s).map_err(|e| at(&dir.join("summary.json"))(e.into()))?;
    write("summary.json", json + "\n")?;
    write_evidence(&dir.join("evidence.jsonl"), s)?;
    if let Some(path) = junit_xml {
        std::fs::write(path, junit(s)).map_err(at(path))?;
    }
    Ok(())
}

/// `evidence.jsonl`: the cases the run kept as evidence, one JSON object a line (what refuted
/// the explanations its root-cause table names as refuted).
fn write_evidence(path: &Path, s: &RunSummary) -> Result<(), ReportError> {
    let mut out = io::BufWriter::new(std::fs::File::create(path).map_err(at(path))?);
    for c in s.evidence.cases() {
        serde_json::to_writer(&mut out, c).map_err(|e| at(path)(e.into()))?;
        out.write_all(b"\n").map_err(at(path))?;
    }
    out.flush().map_err(at(path))
}

#[cfg(test)]
mod tests {
    use super::fixtures::{summary, tmpdir};
    use super::*;

    #[test]
    fn write_run_writes_everything() {
        let dir = tmpdir("run");
        let s = summary();
        let junit_xml = dir.join("junit.xml");
        write_run(&dir, &s, Some(&junit_xml)).expect("write run");
        for f in [
            "summary.txt",
            "summary.md",
            "summary.json",
            "evidence.jsonl",
            "junit.xml",
        ] {
            assert!(dir.join(f).is_file(), "{f}");
        }
        for d in &s.divergences {
            for ext in ["json", "sh", "md"] {
                assert!(dir.join(divergence_file(&d.id, ext)).is_file());
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
