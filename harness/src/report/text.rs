//! `summary.txt`: the run for a terminal, divergences by class (over-permissive first), the
//! baseline's signatures, unsupported steps and faults, then the totals.

use super::divergence::files_of;
use super::format::{by_class, class_meaning, is_flaky, is_known, millis, steps_per_s};
use crate::compare::Class;
use crate::hunt::findings::{Divergence, RunSummary};
use std::fmt::Write as _;

/// The run, for a terminal: divergences by class (over-permissive first), baseline
/// signatures, unsupported steps and faults, then the totals.
pub fn summary_text(s: &RunSummary) -> String {
    let mut t = String::new();
    let groups = by_class(s);
    headline(&mut t, s, &groups);
    for (c, v) in &groups {
        if !v.is_empty() {
            class_group(&mut t, s, *c, v);
        }
    }
    key_list(
        &mut t,
        "known divergences (in the baseline), seen again",
        &s.known,
    );
    key_list(
        &mut t,
        "baseline divergences not seen in this run",
        &s.not_seen,
    );
    key_list(
        &mut t,
        "flaky: seen once, but the shrunk scenario did not diverge the same way",
        &s.flaky,
    );
    totals(&mut t, s);
    t
}

/// The target, the seed, how many divergences, and how many in each class.
fn headline(t: &mut String, s: &RunSummary, groups: &[(Class, Vec<&Divergence>)]) {
    writeln!(
        t,
        "xacct run against {} (seed {}): {} divergence{}",
        s.target,
        s.seed,
        s.divergences.len(),
        if s.divergences.len() == 1 { "" } else { "s" }
    )
    .ok();
    let counts: Vec<String> = groups
        .iter()
        .map(|(c, v)| format!("{c} {}", v.len()))
        .collect();
    writeln!(t, "  {}", counts.join(", ")).ok();
}

/// One class's divergences: each id with its signature, then its size, status and files.
fn class_group(t: &mut String, s: &RunSummary, c: Class, v: &[&Divergence]) {
    writeln!(t, "\n{c} ({}): {}", v.len(), class_meaning(c)).ok();
    for d in v {
        writeln!(t, "  {}  {}", d.id, d.signature.key()).ok();
        writeln!(
            t,
            "      {} steps (from {}){}; {}",
            d.shrunk_steps,
            d.original_steps,
            match (is_flaky(s, d), is_known(s, d)) {
                (true, _) => ", FLAKY",
                (false, true) => ", confirmed, known (in the baseline)",
                (false, false) => ", confirmed",
            },
            files_of(&d.id)
        )
        .ok();
    }
}

/// A heading with a count, then one signature key (or id) a line; nothing when `keys` is empty.
fn key_list(t: &mut String, heading: &str, keys: &[String]) {
    if keys.is_empty() {
        return;
    }
    writeln!(t, "\n{heading} ({}):", keys.len()).ok();
    for k in keys {
        writeln!(t, "  {k}").ok();
    }
}

fn totals(t: &mut String, s: &RunSummary) {
    writeln!(
        t,
        "\nunsupported steps: {}; endpoint faults: {}",
        s.unsupported, s.faults
    )
    .ok();
    writeln!(
        t,
        "cases: {}; steps: {}; {} steps/s; elapsed {}",
        s.cases,
        s.steps,
        steps_per_s(s),
        millis(s.elapsed_ms)
    )
    .ok();
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::summary;
    use super::*;

    #[test]
    fn summary_text_lists_over_permissive_first() {
        let s = summary();
        let t = summary_text(&s);
        let p = t.find("\nover-permissive (2)").expect(&t);
        let r = t.find("\nover-restrictive (1)").expect(&t);
        let w = t.find("\nwrong-error (1)").expect(&t);
        assert!(p < r && r < w, "{t}");
        assert!(
            t.contains("over-permissive 2, over-restrictive 1, wrong-error 1, wrong-state 0"),
            "{t}"
        );
        assert!(
            t.find("d01-over-permissive").expect("d01")
                < t.find("d03-over-permissive").expect("d03")
        );
        assert!(
            t.contains("divergences/d01-over-permissive-put_object.{json,sh,md}"),
            "{t}"
        );
        assert!(t.contains("2 steps (from 17), confirmed"));
        assert!(t.contains("FLAKY"));
        assert!(t.contains("known divergences (in the baseline), seen again (2)"));
        assert!(t.contains("baseline divergences not seen in this run (1)"));
        assert!(t.contains("unsupported steps: 4; endpoint faults: 1"));
        assert!(
            t.contains("cases: 100; steps: 1234; 500.0 steps/s; elapsed 2.5 s"),
            "{t}"
        );
    }
}
