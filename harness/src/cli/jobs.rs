//! The jobs of `xacct run`: independent random runs side by side (job i with seed+i and its
//! share of the cases, each with its own accounts), a progress bar each on a terminal and a
//! plain line every 10 s in CI and in logs; Ctrl-C or SIGTERM stops them between steps, and
//! they clean up.

use super::runtime;
use anyhow::{Context, Result};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use xacct_harness::hunt::findings::{Divergence, Event, RunSummary};
use xacct_harness::hunt::verdict::Signal;
use xacct_harness::hunt::{self, Observer, Progress, RunConfig};
use xacct_harness::report::EventLog;
use xacct_harness::target::{TargetArgs, TargetKind};

/// The switch Ctrl-C (SIGINT) or SIGTERM turns on: jobs stop starting steps, and each cleans
/// up what it made; the signal sets the exit code (130, 143). A second signal exits at once,
/// without cleaning up.
pub(super) struct StopSwitch {
    pub flag: Arc<AtomicBool>,
    /// 0: none yet; 1: SIGINT; 2: SIGTERM.
    signal: Arc<AtomicU8>,
}

impl StopSwitch {
    /// The signal that turned the switch on, if one did.
    pub fn signal(&self) -> Option<Signal> {
        match self.signal.load(Ordering::Relaxed) {
            1 => Some(Signal::Interrupt),
            2 => Some(Signal::Terminate),
            _ => None,
        }
    }
}

/// Watches for SIGINT and SIGTERM on a thread of its own.
pub(super) fn stop_on_signals() -> StopSwitch {
    let switch = StopSwitch {
        flag: Arc::new(AtomicBool::new(false)),
        signal: Arc::new(AtomicU8::new(0)),
    };
    let (flag, signal) = (switch.flag.clone(), switch.signal.clone());
    std::thread::spawn(move || {
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            rt.block_on(watch_signals(&flag, &signal));
        }
    });
    switch
}

/// The first signal turns the switch on; the next one exits at once.
async fn watch_signals(flag: &AtomicBool, signal: &AtomicU8) {
    let mut term = terminate_signal();
    loop {
        let which = tokio::select! {
            r = tokio::signal::ctrl_c() => match r {
                Ok(()) => Signal::Interrupt,
                Err(_) => return,
            },
            () = terminated(&mut term) => Signal::Terminate,
        };
        let (code, name) = match which {
            Signal::Interrupt => (1, "interrupted"),
            Signal::Terminate => (2, "terminated"),
        };
        if signal.swap(code, Ordering::Relaxed) != 0 {
            eprintln!("\n{name} again: exiting without cleaning up");
            std::process::exit(i32::from(which.exit_code()));
        }
        flag.store(true, Ordering::Relaxed);
        eprintln!("\n{name}: finishing the current step and cleaning up (again to exit at once)");
    }
}

#[cfg(unix)]
type Terminate = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Terminate = ();

#[cfg(unix)]
fn terminate_signal() -> Terminate {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok()
}

#[cfg(not(unix))]
fn terminate_signal() -> Terminate {}

/// Resolves on SIGTERM (never where there is none).
#[cfg(unix)]
async fn terminated(term: &mut Terminate) {
    match term {
        Some(t) => {
            if t.recv().await.is_none() {
                std::future::pending::<()>().await
            }
        }
        None => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn terminated(_: &mut Terminate) {
    std::future::pending().await
}

/// Writes events to the run's log, and nothing else.
struct LogOnly<'a> {
    log: &'a Mutex<EventLog>,
}

impl Observer for LogOnly<'_> {
    fn event(&mut self, e: &Event) {
        if let Ok(mut log) = self.log.lock() {
            log.emit(e);
        }
    }
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
    /// Runs the jobs and merges their summaries in job order, divergences numbered and the run
    /// judged once all are in. The first job that failed (in job order) fails the run.
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
        summary.judge(self.cfg.cases, self.cfg.max_faults);
        let mut log = LogOnly { log: self.log };
        hunt::explain(&mut summary, self.cfg, &mut log);
        Ok(summary)
    }

    /// Job `j` runs with seed+j and its share of the cases (all of the time budget).
    fn job_config(&self, j: u64) -> RunConfig {
        let mut cfg = self.cfg.clone();
        cfg.seed = self.cfg.seed + j;
        cfg.cases = self.cfg.cases.map(|n| {
            let per_job = n.div_ceil(self.count);
            per_job.min(n.saturating_sub(per_job * j))
        });
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
        let s = hunt::run_job(&mut target, &rt, &cfg, self.stop, &mut observer);
        observer.bar.finish_and_clear();
        if s.is_err() {
            // The run cannot be whole: the other jobs stop and clean up.
            self.stop.store(true, Ordering::Relaxed);
        }
        Ok(s?)
    }
}

/// The progress bars of the jobs: drawn on a terminal only (not in CI).
struct Bars {
    bars: MultiProgress,
    style: ProgressStyle,
    /// Without a case count.
    counter: ProgressStyle,
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
        let counter = ProgressStyle::with_template("{prefix}{pos} cases, {elapsed}, {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        Bars {
            bars,
            style,
            counter,
            tty,
        }
    }

    /// A bar for `cases` cases; a counter when there is no case count (a time budget only).
    fn add(&self, prefix: String, cases: Option<u64>) -> ProgressBar {
        let Some(n) = cases else {
            let bar = self.bars.add(ProgressBar::no_length());
            bar.set_style(self.counter.clone());
            bar.set_prefix(prefix);
            return bar;
        };
        let bar = self.bars.add(ProgressBar::new(n));
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
    /// The job's cases (`None`: until the time budget is spent).
    cases: Option<u64>,
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
            let of = self.cases.map(|n| format!("/{n}")).unwrap_or_default();
            eprintln!("{}cases {}{of}, {msg}", self.label, p.cases);
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
