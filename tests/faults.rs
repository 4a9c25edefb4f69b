//! Random runs through a fault-injecting proxy (`common/proxy.rs`) in front of the embedded
//! endpoint: connections reset, 500 and 503 answers, stalls past the client's timeout, before
//! and after the endpoint applied the request. A run must still do every case it was asked for,
//! find nothing (the endpoint is the model itself), account for every fault the proxy injected,
//! and leave nothing behind; clean-up that cannot remove a bucket leaves the run incomplete.
//!
//! How proxy counts and summary counts match: the harness sends every request once (no SDK
//! retries: a step's clients have none, clean-up retries by itself and records each failed
//! attempt), so each injected fault is exactly one failed request the harness sees and records
//! as one `FaultRecord`: a 500 or 503 as a fault with that status, a reset as "request not
//! delivered" without one, a stall as a timeout. The suite checks the totals and each of those
//! three groups, and that `events.jsonl`'s fault events are the same records.

mod common;
#[path = "common/proxy.rs"]
mod proxy;

use common::runtime;
use proxy::{Kind, Plan, Proxy};
use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};
use xacct_harness::compare::replay::replay_against;
use xacct_harness::compare::{Class, Level};
use xacct_harness::hunt::findings::{Event, FaultRecord, RunSummary};
use xacct_harness::hunt::verdict::exit_code;
use xacct_harness::hunt::{run, Observer, RunConfig};
use xacct_harness::target::embedded::Embedded;
use xacct_harness::target::Target;
use xacct_model::Region;

/// The harness's timeout per request through the proxy; its stalls last longer.
const TIMEOUT: Duration = Duration::from_secs(2);

/// The embedded endpoint behind a proxy with `plan`; the target sends everything through it.
fn proxied(rt: &tokio::runtime::Runtime, plan: Plan) -> (Target, Proxy) {
    let _in_runtime = rt.enter();
    let embedded = Embedded::start(None, Region::default()).expect("embedded endpoint");
    let proxy = Proxy::start(embedded.endpoint().addr(), plan).expect("proxy");
    let target = Target::Embedded(embedded.fronted(&proxy.url(), TIMEOUT));
    (target, proxy)
}

fn config(seed: u64, cases: u64) -> RunConfig {
    RunConfig {
        seed,
        cases: Some(cases),
        max_faults: None,
        max_steps: 8,
        time_budget: None,
        level: Level::Full,
        known: BTreeSet::new(),
        max_shrink_iters: 32,
        stop_after: None,
        assume: Vec::new(),
    }
}

/// The fault events of the event log.
#[derive(Default)]
struct Faults(Vec<FaultRecord>);

impl Observer for Faults {
    fn event(&mut self, event: &Event) {
        if let Event::Fault(f) = event {
            self.0.push(f.clone());
        }
    }
}

/// Every fault the proxy injected is one the run recorded, group by group.
fn accounted_for(s: &RunSummary, proxy: &Proxy, logged: &[FaultRecord]) {
    let injected = proxy.injected();
    eprintln!(
        "{} requests; injected {injected:?}; recorded {} faults",
        proxy.requests(),
        s.faults
    );
    assert_eq!(proxy.upstream_failures(), 0);
    assert_eq!(
        s.requests,
        proxy.requests(),
        "the run counts the requests the proxy saw"
    );
    assert_eq!(s.faults, proxy.injected_total(), "{:#?}", s.fault_records);
    assert_eq!(s.fault_records.len() as u64, s.faults);
    assert_eq!(
        logged,
        s.fault_records.as_slice(),
        "events.jsonl lists the same faults"
    );
    let injected_with = |pick: &dyn Fn(Kind) -> bool| -> u64 {
        injected
            .iter()
            .filter(|(k, _)| pick(**k))
            .map(|(_, n)| n)
            .sum()
    };
    let recorded_with = |pick: &dyn Fn(&FaultRecord) -> bool| -> u64 {
        s.fault_records.iter().filter(|f| pick(f)).count() as u64
    };
    for status in [500, 503] {
        assert_eq!(
            recorded_with(&|f| f.status == Some(status)),
            injected_with(&|k| k.status() == Some(status)),
            "HTTP {status}"
        );
    }
    assert_eq!(
        recorded_with(&|f| f.status.is_none() && f.why == "timeout"),
        injected_with(&|k| k.is_stall()),
        "stalls"
    );
    assert_eq!(
        recorded_with(&|f| f.status.is_none() && f.why.starts_with("request not delivered")),
        injected_with(&|k| k.status().is_none() && !k.is_stall()),
        "resets"
    );
}

#[test]
fn a_run_through_a_faulty_proxy_does_every_case_finds_nothing_and_accounts_for_every_fault() {
    let rt = runtime();
    let plan = Plan {
        seed: 7,
        rate: 300,
        mix: Kind::MIX.to_vec(),
        stall: TIMEOUT + Duration::from_secs(1),
        fail_bucket_deletes: false,
    };
    let (mut t, proxy) = proxied(&rt, plan);
    let stop = AtomicBool::new(false);
    let mut logged = Faults::default();
    let started = Instant::now();
    let s = run(&mut t, &rt, &config(5, 200), &stop, &mut logged).expect("provisioned");
    eprintln!(
        "{} cases, {} steps in {:.1} s: {} faults ({} in steps), {} re-run, {} inconclusive",
        s.cases,
        s.steps,
        started.elapsed().as_secs_f64(),
        s.faults,
        s.fault_records.iter().filter(|f| f.step.is_some()).count(),
        s.reruns,
        s.inconclusive
    );
    assert_eq!(s.cases, 200);
    let found: Vec<String> = s.divergences.iter().map(|d| d.signature.key()).collect();
    assert!(
        found.is_empty() && s.flaky.is_empty(),
        "{found:#?} {:?}",
        s.flaky
    );
    accounted_for(&s, &proxy, &logged.0);
    assert!(s.faults >= 20, "a few % of the requests fail: {}", s.faults);
    assert!(s.reruns > 0 && s.inconclusive <= s.reruns);
    assert!(s.left_behind.is_empty(), "{:?}", s.left_behind);
    let left = rt
        .block_on(t.leftovers())
        .expect("embedded")
        .expect("world");
    assert!(left.is_empty(), "left on the endpoint: {left:?}");
    assert!(s.complete, "{:?}", s.incomplete);
    assert_eq!(exit_code(&s, None), 0);
}

#[test]
fn a_bucket_clean_up_cannot_remove_is_left_behind_fenced_off_and_the_run_incomplete() {
    let rt = runtime();
    let plan = Plan {
        seed: 1,
        rate: 0,
        mix: Vec::new(),
        stall: TIMEOUT,
        fail_bucket_deletes: true,
    };
    let (mut t, proxy) = proxied(&rt, plan);
    let stop = AtomicBool::new(false);
    let mut logged = Faults::default();
    let s = run(&mut t, &rt, &config(3, 40), &stop, &mut logged).expect("provisioned");
    // The run goes on after the failed clean-up and finds nothing: later cases never see the
    // bucket left behind (their prefixes differ).
    assert_eq!(s.cases, 40);
    assert!(s.divergences.is_empty() && s.flaky.is_empty());
    accounted_for(&s, &proxy, &logged.0);
    let doomed = proxy.doomed_bucket().expect("a bucket was deleted");
    assert_eq!(s.left_behind.len(), 1, "{:?}", s.left_behind);
    assert!(
        s.left_behind[0].starts_with(&format!("bucket {doomed} (HTTP 500 InternalError")),
        "{:?}",
        s.left_behind
    );
    let left = rt
        .block_on(t.leftovers())
        .expect("embedded")
        .expect("world");
    assert_eq!(left, vec![format!("bucket {doomed}")]);
    assert!(!s.complete);
    assert_eq!(s.incomplete.len(), 1, "{:?}", s.incomplete);
    assert!(s.incomplete[0].starts_with(&format!("left behind: bucket {doomed} ")));
    assert_eq!(exit_code(&s, None), 3);
}

/// A replay stops at a step whose answer is a fault: the target may have applied it, so the
/// later steps would compare against a state nobody knows.
#[test]
fn a_replay_stops_at_a_fault_and_says_it_is_inconclusive() {
    let rt = runtime();
    let plan = Plan {
        seed: 1,
        rate: 10_000,
        mix: vec![(Kind::InternalErrorAfter, 1)],
        stall: TIMEOUT,
        fail_bucket_deletes: false,
    };
    let (mut t, proxy) = proxied(&rt, plan);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/seed-example4.json");
    let text = std::fs::read_to_string(path).expect("the seed scenario");
    let scenario = xacct_model::Scenario::from_json_str(&text, path).expect("a scenario");
    let rep = rt
        .block_on(replay_against(&mut t, path, &scenario, Level::Full))
        .expect("provisioned");
    assert!(scenario.steps.len() > 1);
    assert_eq!(rep.rows.len(), 1, "only the first step was sent");
    let found: Vec<(usize, Class)> = rep.found().iter().map(|f| (f.step, f.class)).collect();
    assert_eq!(found, vec![(1, Class::EndpointFault)]);
    let note = rep.inconclusive.as_deref().expect("inconclusive");
    assert_eq!(
        note,
        format!(
            "inconclusive: step 1 failed (endpoint fault: HTTP 500 InternalError), so the {} \
             step(s) after it were not sent",
            scenario.steps.len() - 1
        )
    );
    assert!(proxy.injected_total() > 1);
}
