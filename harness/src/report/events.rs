//! `events.jsonl`: the run's event log, one JSON object per line, written as the run goes.

use crate::hunt::findings::Event;
use std::io::{self, Write};
use std::path::Path;

/// The JSON-lines event log: one JSON object per line, flushed as it is written. A write
/// error stops the log (a run does not fail for it); [`EventLog::take_error`] reports it.
pub struct EventLog<W: Write = std::fs::File> {
    out: W,
    error: Option<io::Error>,
}

impl EventLog<std::fs::File> {
    /// Creates (or truncates) the log file.
    pub fn create(path: &Path) -> io::Result<EventLog<std::fs::File>> {
        Ok(EventLog::new(std::fs::File::create(path)?))
    }
}

impl<W: Write> EventLog<W> {
    pub fn new(out: W) -> EventLog<W> {
        EventLog { out, error: None }
    }

    /// Writes one event as a line of JSON and flushes it.
    pub fn emit(&mut self, e: &Event) {
        if self.error.is_some() {
            return;
        }
        let r = serde_json::to_vec(e)
            .map_err(io::Error::other)
            .and_then(|mut line| {
                line.push(b'\n');
                self.out.write_all(&line)?;
                self.out.flush()
            });
        if let Err(err) = r {
            self.error = Some(err);
        }
    }

    /// The first write error, if any (the log stopped there).
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::tmpdir;
    use super::*;
    use crate::hunt::findings::{FaultPhase, FaultRecord};

    #[test]
    fn event_log_writes_json_lines() {
        let mut log = EventLog::new(Vec::new());
        log.emit(&Event::RunStarted {
            target: "moto".into(),
            seed: 1,
            cases: Some(2),
            max_steps: 10,
        });
        log.emit(&Event::Fault(FaultRecord {
            case: 0,
            tag: "c0".into(),
            phase: FaultPhase::Step,
            step: Some(3),
            op: "put_object".into(),
            status: None,
            why: "timeout\nreset".into(),
            raw: String::new(),
        }));
        assert!(log.take_error().is_none());
        let text = String::from_utf8(log.into_inner()).expect("utf8");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["event"], "run_started");
        assert_eq!(lines[1]["event"], "fault");
        assert_eq!(lines[1]["why"], "timeout\nreset");
        assert_eq!(
            (&lines[1]["phase"], &lines[1]["step"], &lines[1]["status"]),
            (&"step".into(), &3.into(), &serde_json::Value::Null)
        );

        let dir = tmpdir("log");
        let path = dir.join("events.jsonl");
        let mut log = EventLog::create(&path).expect("create");
        log.emit(&Event::RunFinished {
            cases: 2,
            steps: 5,
            divergences: 0,
            faults: 0,
            inconclusive: 0,
            complete: true,
            elapsed_ms: 9,
        });
        // Flushed at once: readable before the log is dropped.
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.ends_with("}\n") && text.contains("run_finished"),
            "{text}"
        );
        drop(log);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
