//! JUnit XML for CI: one suite `xacct-<target>`; a failing case per distinct new divergence
//! signature, a passing case per known (baselined) one, JUnit's flaky failures for signatures
//! that did not reproduce, and a case for the cases run, failing when the run is incomplete.

use super::divergence::divergence_file;
use super::format::{is_flaky, steps_per_s, target_raw};
use crate::hunt::findings::{Divergence, RunSummary};
use quick_junit::{
    NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestRerun, TestSuite,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::Duration;

/// JUnit XML: one suite `xacct-<target>`; a failing case per distinct new divergence signature,
/// a passing case per known (baselined) one, and a passing case for the cases run.
pub fn junit(s: &RunSummary) -> String {
    let mut suite = run_suite(s);
    let known: BTreeSet<&str> = s.known.iter().map(String::as_str).collect();
    let sigs = signatures(s);
    for (key, d, n) in &sigs {
        suite.add_test_case(if known.contains(key.as_str()) {
            known_case(key, d, *n)
        } else {
            failure_case(s, key, d, *n)
        });
    }
    let mut seen: BTreeSet<&str> = sigs.iter().map(|(k, _, _)| k.as_str()).collect();
    for k in &s.known {
        if seen.insert(k.as_str()) {
            suite.add_test_case(known_key_case(k));
        }
    }
    // Signatures seen once whose shrunk scenario did not reproduce: JUnit's flaky failures.
    for k in &s.flaky {
        if s.divergences.iter().any(|d| d.id == *k) || !seen.insert(k.as_str()) {
            continue;
        }
        suite.add_test_case(flaky_case(k));
    }
    suite.add_test_case(run_case(s));
    let mut report = Report::new("xacct");
    report.add_test_suite(suite);
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- xacct: JUnit serialization failed: {e} -->\n"))
}

fn elapsed(s: &RunSummary) -> Duration {
    Duration::from_millis(u64::try_from(s.elapsed_ms).unwrap_or(u64::MAX))
}

/// The suite, with the run's time and its seed and counts as properties.
fn run_suite(s: &RunSummary) -> TestSuite {
    let mut suite = TestSuite::new(format!("xacct-{}", s.target));
    suite.set_time(elapsed(s));
    suite.add_properties([
        Property::new("seed", s.seed.to_string()),
        Property::new("cases", s.cases.to_string()),
        Property::new("steps", s.steps.to_string()),
        Property::new("unsupported", s.unsupported.to_string()),
        Property::new("faults", s.faults.to_string()),
        Property::new("inconclusive", s.inconclusive.to_string()),
        Property::new("complete", s.complete.to_string()),
    ]);
    suite
}

/// One entry per signature: its key, its first divergence (by class, then id), and how many
/// divergences have it; by class, then key.
fn signatures(s: &RunSummary) -> Vec<(String, &Divergence, usize)> {
    let mut firsts: BTreeMap<String, (&Divergence, usize)> = BTreeMap::new();
    let mut ordered: Vec<&Divergence> = s.divergences.iter().collect();
    ordered.sort_by(|a, b| (a.signature.class, &a.id).cmp(&(b.signature.class, &b.id)));
    for d in ordered {
        firsts
            .entry(d.signature.key())
            .and_modify(|e| e.1 += 1)
            .or_insert((d, 1));
    }
    let mut sigs: Vec<(String, &Divergence, usize)> =
        firsts.into_iter().map(|(k, (d, n))| (k, d, n)).collect();
    sigs.sort_by(|a, b| (a.1.signature.class, &a.0).cmp(&(b.1.signature.class, &b.0)));
    sigs
}

/// A signature in the baseline, seen again: it passes.
fn known_case(key: &str, d: &Divergence, n: usize) -> TestCase {
    let mut tc = TestCase::new(key.to_string(), TestCaseStatus::success());
    tc.set_classname(format!("xacct.{}", d.signature.class));
    tc.set_system_out(format!(
        "known divergence: listed in the baseline; seen again ({n}x), e.g. {}",
        divergence_file(&d.id, "json").display()
    ));
    tc
}

/// A new signature: it fails, with both answers, the difference and the model's reasons.
fn failure_case(s: &RunSummary, key: &str, d: &Divergence, n: usize) -> TestCase {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    let flaky = if is_flaky(s, d) {
        " (flaky: the shrunk scenario did not reproduce)"
    } else {
        ""
    };
    let path = divergence_file(&d.id, "json");
    status
        .set_message(format!("{key}{flaky}; shrunk scenario: {}", path.display()))
        .set_type(d.signature.class.as_str());
    let mut desc = format!(
        "{} at step {} of {} ({} steps before shrinking); divergences with this signature: {}.\n\
         model: {}\ntarget: {}\n{}\n",
        d.signature.class, d.step, d.shrunk_steps, d.original_steps, n, d.model, d.target, d.detail
    );
    for l in &d.explanation {
        writeln!(desc, "{l}").ok();
    }
    status.set_description(desc);
    let mut tc = TestCase::new(key.to_string(), status);
    tc.set_classname(format!("xacct.{}", d.signature.class));
    tc.set_system_out(target_raw(&d.target));
    tc
}

/// A baseline signature seen again that no divergence of this summary stands for.
fn known_key_case(key: &str) -> TestCase {
    let mut tc = TestCase::new(key.to_string(), TestCaseStatus::success());
    tc.set_classname("xacct.known");
    tc.set_system_out("known divergence: listed in the baseline and seen again");
    tc
}

/// A signature seen once whose shrunk scenario did not reproduce.
fn flaky_case(key: &str) -> TestCase {
    let mut status = TestCaseStatus::success();
    let mut rerun = TestRerun::new(NonSuccessKind::Failure);
    rerun.set_message(format!(
        "{key}: seen once, but the shrunk scenario did not diverge the same way when replayed"
    ));
    status.add_rerun(rerun);
    let mut tc = TestCase::new(key.to_string(), status);
    tc.set_classname("xacct.flaky");
    tc
}

/// The cases run, as one case with the run's time and totals: it fails when the run is
/// incomplete, with the reasons.
fn run_case(s: &RunSummary) -> TestCase {
    let status = if s.complete {
        TestCaseStatus::success()
    } else {
        let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
        st.set_message(format!("run incomplete: {}", s.incomplete.join("; ")))
            .set_type("incomplete");
        st
    };
    let mut cases = TestCase::new(format!("{} cases, {} steps", s.cases, s.steps), status);
    cases.set_classname("xacct.run");
    cases.set_time(elapsed(s));
    let mut out = format!(
        "{} cases, {} steps, {} steps/s; {} unsupported steps, {} endpoint faults, {} \
         inconclusive cases",
        s.cases,
        s.steps,
        steps_per_s(s),
        s.unsupported,
        s.faults,
        s.inconclusive
    );
    if !s.not_seen.is_empty() {
        write!(
            out,
            "\nbaseline divergences not seen: {}",
            s.not_seen.join("; ")
        )
        .ok();
    }
    cases.set_system_out(out);
    cases
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::summary;
    use super::*;

    #[test]
    fn junit_has_a_case_per_signature() {
        let s = summary();
        let x = junit(&s);
        assert!(x.contains("<testsuite name=\"xacct-moto\""), "{x}");
        // Three new signatures fail (d01, d02, d03: R23); d04's is known and passes.
        assert!(x.contains("failures=\"3\""), "{x}");
        assert!(x.contains("tests=\"7\""), "{x}");
        assert!(
            x.contains("<flakyFailure message=\"wrong-state get_bucket_acl"),
            "{x}"
        );
        assert!(
            x.contains("shrunk scenario: divergences/d01-over-permissive-put_object.json"),
            "{x}"
        );
        assert!(
            x.contains("known divergence: listed in the baseline"),
            "{x}"
        );
        assert!(x.contains("100 cases, 1234 steps"), "{x}");
        assert!(x.contains("flaky"), "{x}");
        assert!(
            x.contains("[R22] the bucket owner A grants nothing to B"),
            "{x}"
        );
        let empty = RunSummary {
            divergences: vec![],
            known: vec![],
            not_seen: vec![],
            flaky: vec![],
            ..s
        };
        let x = junit(&empty);
        assert!(
            x.contains("failures=\"0\"") && x.contains("tests=\"1\""),
            "{x}"
        );
        let incomplete = RunSummary {
            complete: false,
            incomplete: vec!["ran 3 of 100 cases: interrupted".into()],
            ..empty
        };
        let x = junit(&incomplete);
        assert!(
            x.contains("failures=\"1\"")
                && x.contains("message=\"run incomplete: ran 3 of 100 cases: interrupted\""),
            "{x}"
        );
    }
}
