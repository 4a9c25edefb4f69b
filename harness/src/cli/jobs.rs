//! The jobs of `xacct run`: independent random runs side by side (job i with seed+i and its
//! share of the cases, each with its own accounts), a progress bar each on a terminal and a
//! plain line every 10 s in CI and in logs; Ctrl-C stops them between steps.

use super::runtime;
use anyhow::{Context, Result};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use xacct_harness::hunt::findings::{Divergence, Event, RunSummary};
use xacct_harness::hunt::{self, Observer, Progress, RunConfig};
use xacct_harness::report::EventLog;
use xacct_harness::target::{TargetArgs, TargetKind};

/// The switch Ctrl-C turns on: jobs stop starting steps, and each cleans up what it made.
pub(super) fn stop_on_ctrl_c() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let switch = stop.clone();
    std::thread::spawn(move || {
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            if rt.block_on(tokio::signal::ctrl_c()).is_ok() {
                eprintln!("\ninterrupted: finishing the current step and cleaning up");
                switch.store(true, Ordering::Relaxed);
            }
        }
    });
    stop
}

/// The jobs of one run.
pub(super) struct Jobs<'a> {
    pub kind: TargetKind,
    pub target: &'a TargetArgs,
    pub cfg: &'a RunConfig,
    pub count: u64,
    /// The run's event log, shared by the jobs.
    pub log: &'a Mutex<EventLog>,
    pub stop: &'a AtomicBool,
}

impl Jobs<'_> {
    /// Runs the jobs and merges their summaries in job order, divergences numbered once all are
    /// in. The first job that failed (in job order) fails the run.
    pub fn run(&self) -> Result<RunSummary> {
        let bars = Bars::new();
        let results: Vec<Result<RunSummary>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..self.count)
                .map(|j| {
                    let cfg = self.job_config(j);
                    let prefix = self.job_name(j).map(|n| format!("{n} "));
                    let bar = bars.add(prefix.unwrap_or_default(), cfg.cases);
                    let bars = &bars;
                    scope.spawn(move || self.run_job(j, cfg, bar, bars))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("a job panicked")))
                })
                .collect()
        });
        let mut summary: Option<RunSummary> = None;
        for r in results {
            let s = r?;
            match &mut summary {
                None => summary = Some(s),
                Some(m) => m.merge(s),
            }
        }
        let mut summary = summary.context("no job ran")?;
        summary.number_divergences();
        Ok(summary)
    }

    /// Job `j` runs with seed+j and its share of the cases.
    fn job_config(&self, j: u64) -> RunConfig {
        let per_job = self.cfg.cases.div_ceil(self.count);
        let mut cfg = self.cfg.clone();
        cfg.seed = self.cfg.seed + j;
        cfg.cases = per_job.min(self.cfg.cases.saturating_sub(per_job * j));
        cfg
    }

    /// `job 1` when there are several jobs: progress names the job only then.
    fn job_name(&self, j: u64) -> Option<String> {
        (self.count > 1).then(|| format!("job {j}"))
    }

    /// One job, on a runtime of its own.
    fn run_job(&self, j: u64, cfg: RunConfig, bar: ProgressBar, bars: &Bars) -> Result<RunSummary> {
        let rt = runtime()?;
        let _in_runtime = rt.enter();
        let mut target = self.target.build(self.kind)?;
        let mut observer = JobObserver {
            log: self.log,
            bar,
            bars,
            label: self
                .job_name(j)
                .map(|n| format!("[{n}] "))
                .unwrap_or_default(),
            cases: cfg.cases,
            last: Instant::now(),
        };
        let s = hunt::run(&mut target, &rt, &cfg, self.stop, &mut observer);
        observer.bar.finish_and_clear();
        Ok(s)
    }
}

/// The progress bars of the jobs: drawn on a terminal only (not in CI).
struct Bars {
    bars: MultiProgress,
    style: ProgressStyle,
    tty: bool,
}

impl Bars {
    fn new() -> Bars {
        let tty = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let bars = MultiProgress::new();
        if !tty {
            bars.set_draw_target(ProgressDrawTarget::hidden());
        }
        let style = ProgressStyle::with_template("{prefix}[{bar:30}] {pos}/{len} cases, {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        Bars { bars, style, tty }
    }

    fn add(&self, prefix: String, cases: u64) -> ProgressBar {
        let bar = self.bars.add(ProgressBar::new(cases));
        bar.set_style(self.style.clone());
        bar.set_prefix(prefix);
        bar
    }

    /// A line above the bars on a terminal, on stderr elsewhere.
    fn println(&self, line: String) {
        if self.tty {
            let _ = self.bars.println(line);
        } else {
            eprintln!("{line}");
        }
    }
}

/// What a job shows as it runs: events into the log, progress on its bar (or a line every
/// 10 s), and a line for every divergence found.
struct JobObserver<'a> {
    log: &'a Mutex<EventLog>,
    bar: ProgressBar,
    bars: &'a Bars,
    /// `[job 1] ` before its plain progress lines when there are several jobs.
    label: String,
    /// The job's cases.
    cases: u64,
    /// When the last plain progress line was printed.
    last: Instant,
}

impl Observer for JobObserver<'_> {
    fn event(&mut self, event: &Event) {
        if let Ok(mut l) = self.log.lock() {
            l.emit(event);
        }
    }

    fn progress(&mut self, p: Progress) {
        let msg = format!(
            "{} steps, {:.1} steps/s, {} divergence(s){}",
            p.steps,
            p.steps as f64 / p.elapsed.as_secs_f64().max(0.001),
            p.divergences,
            if p.shrinking { ", shrinking" } else { "" }
        );
        self.bar.set_position(p.cases);
        if self.bars.tty {
            self.bar.set_message(msg);
        } else if self.last.elapsed().as_secs() >= 10 {
            eprintln!("{}cases {}/{}, {msg}", self.label, p.cases, self.cases);
            self.last = Instant::now();
        }
    }

    fn divergence(&mut self, d: &Divergence) {
        self.bars.println(format!(
            "found {} ({} -> {} steps)",
            d.signature.key(),
            d.original_steps,
            d.shrunk_steps
        ));
    }
}
