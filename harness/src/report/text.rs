//! `summary.txt`: the run for a terminal, divergences by class (over-permissive first), the
//! baseline's signatures, the endpoint's faults and what clean-up left behind, the totals, and
//! last whether the run is complete (and why not).

use super::divergence::files_of;
use super::format::{
    by_class, class_meaning, is_flaky, is_known, millis, steps_per_s, LISTED_FAULTS,
};
use crate::compare::Class;
use crate::hunt::findings::{Confidence, Divergence, RunSummary};
use std::fmt::Write as _;

/// The run, for a terminal: divergences by class (over-permissive first), baseline
/// signatures, faults and left-behind resources, the totals, then whether it is complete.
pub fn summary_text(s: &RunSummary) -> String {
    let mut t = String::new();
    let groups = by_class(s);
    headline(&mut t, s, &groups);
    root_causes(&mut t, s);
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
    faults(&mut t, s);
    key_list(
        &mut t,
        "left behind: clean-up could not remove these",
        &s.left_behind,
    );
    totals(&mut t, s);
    completeness(&mut t, s);
    t
}

/// The first faults, one line each (all are in summary.json and events.jsonl).
fn faults(t: &mut String, s: &RunSummary) {
    if s.fault_records.is_empty() {
        return;
    }
    writeln!(
        t,
        "
endpoint faults ({}): a fault in a step makes its case inconclusive; clean-up retries",
        s.faults
    )
    .ok();
    for f in s.fault_records.iter().take(LISTED_FAULTS) {
        writeln!(t, "  {f}").ok();
    }
    let more = s.fault_records.len().saturating_sub(LISTED_FAULTS);
    if more > 0 {
        writeln!(t, "  … and {more} more (summary.json, events.jsonl)").ok();
    }
}

/// Whether the run is complete; if not, why.
fn completeness(t: &mut String, s: &RunSummary) {
    if s.complete {
        let asked = s
            .requested_cases
            .map(|n| format!(" of {n}"))
            .unwrap_or_default();
        writeln!(
            t,
            "
run complete: {}{asked} cases",
            s.cases
        )
        .ok();
        return;
    }
    writeln!(
        t,
        "
run incomplete:"
    )
    .ok();
    for r in &s.incomplete {
        writeln!(t, "  - {r}").ok();
    }
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
    let uncertain = s
        .divergences
        .iter()
        .filter(|d| d.confidence == Confidence::Uncertain)
        .count();
    writeln!(
        t,
        "  security bugs (over-permissive, certain): {}; decided by an uncertain rule: {uncertain}",
        s.security_bugs
    )
    .ok();
    if !s.assumed.is_empty() {
        writeln!(t, "  assumed deviations: {}", s.assumed.join(", ")).ok();
    }
}

/// The root-cause table: new findings first (each group with its description), then each
/// deviation that explains findings, with the explanations it beat and those the run refuted.
fn root_causes(t: &mut String, s: &RunSummary) {
    if s.root_causes.is_empty() {
        return;
    }
    writeln!(t, "\nroot causes ({}):", s.root_causes.len()).ok();
    for r in &s.root_causes {
        writeln!(
            t,
            "  {:<32} {:<13} {:<9} {:>3} finding(s); shortest {} ({} steps)",
            r.deviation.as_deref().unwrap_or("new"),
            r.severity.to_string(),
            r.confidence.as_str(),
            r.findings.len(),
            r.shortest,
            r.shortest_steps
        )
        .ok();
        if let Some(d) = &r.description {
            writeln!(t, "    {d}").ok();
        }
        if !r.alternatives.is_empty() {
            writeln!(
                t,
                "    beat {} (they explain these findings too, but fewer of the run's or less of its evidence, or are broader)",
                r.alternatives.join(", ")
            )
            .ok();
        }
        for h in &r.holds_with {
            writeln!(t, "    holds with {h}").ok();
        }
        for x in &r.refuted {
            writeln!(t, "    refuted {}", x.sentence()).ok();
        }
    }
    let a = &s.analysis;
    writeln!(
        t,
        "  (decided on {} distinct cases of evidence, {} agreeing steps; {} evidence replays; refutation made {} finding(s) new, compositions named {}{})",
        a.evidence_kept,
        a.agreeing_steps,
        a.evidence_replays,
        a.moved_to_new,
        a.moved_to_named,
        if a.bounded {
            "; the search reached its bound: explanations left unchecked count as none"
        } else {
            ""
        }
    )
    .ok();
}

/// One class's divergences: each id with its signature, then its size, status and files.
fn class_group(t: &mut String, s: &RunSummary, c: Class, v: &[&Divergence]) {
    writeln!(t, "\n{c} ({}): {}", v.len(), class_meaning(c)).ok();
    for d in v {
        let uncertain = match d.confidence {
            Confidence::Uncertain => "  [uncertain rule]",
            Confidence::Certain => "",
        };
        writeln!(t, "  {}  {}{uncertain}", d.id, d.signature.key()).ok();
        let cause = match d.explained_by.as_slice() {
            [] => "new (no deviation of the catalogue explains it)".to_string(),
            names => format!("explained by {}", names.join(" | ")),
        };
        writeln!(t, "      root cause: {cause}").ok();
        for x in &d.refuted {
            writeln!(t, "      refuted {}", x.sentence()).ok();
        }
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
        "\nunsupported steps: {}; endpoint faults: {}; inconclusive cases: {} (re-run after a fault: {})",
        s.unsupported, s.faults, s.inconclusive, s.reruns
    )
    .ok();
    writeln!(
        t,
        "cases ended at a known divergence: {}; ended by an unsupported step that changes state: {}; steps not sent (beyond the target's capabilities): {}",
        s.stopped_at_known, s.stopped_unsupported, s.not_sent
    )
    .ok();
    writeln!(
        t,
        "cases: {}; steps: {}; requests: {}; {} steps/s; elapsed {}",
        s.cases,
        s.steps,
        s.requests,
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
        assert!(t.contains(
            "unsupported steps: 4; endpoint faults: 1; inconclusive cases: 1 (re-run after a fault: 3)"
        ));
        assert!(
            t.contains("cases: 100; steps: 1234; requests: 2000; 500.0 steps/s; elapsed 2.5 s"),
            "{t}"
        );
        assert!(
            t.contains("endpoint faults (1): ")
                && t.contains("\n  case 4 (c9) step 2 put_object: HTTP 503 SlowDown\n"),
            "{t}"
        );
        assert!(t.ends_with("\nrun complete: 100 of 100 cases\n"), "{t}");
    }

    #[test]
    fn the_root_cause_table_shows_new_groups_what_a_row_beat_and_the_refuting_steps() {
        let mut s = summary();
        s.divergences[0].refuted = vec![super::super::fixtures::refuted("caller-side-only")];
        let t = summary_text(&s);
        assert!(
            t.contains("\n    put_object lets through what AWS refuses: an explicit Deny by an IAM user of another account\n"),
            "{t}"
        );
        assert!(
            t.contains("    beat missing-key-lookup-first (they explain these findings too"),
            "{t}"
        );
        assert!(
            t.contains("    refuted deny-ignored: case c12 step 4 (get_object as B.admin): the target answered 403 AccessDenied, as AWS does; with it the model answers 200\n"),
            "{t}"
        );
        assert!(
            t.contains("      refuted caller-side-only: case c12 step 4"),
            "{t}"
        );
    }

    #[test]
    fn an_incomplete_run_ends_with_its_reasons_and_lists_what_it_left() {
        let mut s = summary();
        s.left_behind = vec!["bucket xacct-1-c3-b1 (HTTP 500 InternalError (4 attempts))".into()];
        s.judge(Some(200), None);
        let t = summary_text(&s);
        assert!(
            t.contains("left behind: clean-up could not remove these (1):\n  bucket xacct-1-c3-b1"),
            "{t}"
        );
        assert!(
            t.ends_with(
                "\nrun incomplete:\n  - ran 100 of 200 cases: the run stopped early\n  \
                 - left behind: bucket xacct-1-c3-b1 (HTTP 500 InternalError (4 attempts))\n"
            ),
            "{t}"
        );
    }
}
