//! Markdown: `summary.md` (the run's totals and whether it is complete, a table per class, the
//! divergences by deciding rule, the baseline's signatures, the faults and what clean-up left
//! behind) and each divergence's `divergences/<id>.md` (what
//! diverged, why the model decided so, what the target answered, how to reproduce it).

use super::divergence::{divergence_file, file_stem};
use super::format::{
    by_class, class_meaning, is_flaky, millis, steps_per_s, target_raw, CLASSES, LISTED_FAULTS,
};
use crate::compare::Class;
use crate::hunt::findings::{Confidence, Divergence, Refuted, RootCause, RunSummary};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A fenced Markdown code block that `text` cannot close early.
fn fenced(text: &str, lang: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}{lang}\n{}\n{fence}\n", text.trim_end_matches('\n'))
}

/// Text for one Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// Code in a table cell.
fn code_cell(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let s = cell(s).replace('`', "'");
    format!("`{s}`")
}

/// A two-column table without headings, one row per `(key, value)`.
fn facts_table(m: &mut String, rows: &[(&str, String)]) {
    m.push_str("| | |\n|---|---|\n");
    for (k, v) in rows {
        writeln!(m, "| {k} | {v} |").ok();
    }
}

/// The explanation of one divergence, as Markdown.
pub fn divergence_markdown(d: &Divergence) -> String {
    let mut m = String::new();
    divergence_intro(&mut m, d);
    facts_table(&mut m, &divergence_facts(d));
    if let Some(st) = d.step.checked_sub(1).and_then(|i| d.scenario.steps.get(i)) {
        m.push_str("\n## The diverging step\n\n");
        m.push_str(&fenced(
            &serde_json::to_string_pretty(st).unwrap_or_default(),
            "json",
        ));
    }
    m.push_str("\n## Why the model decided so\n\n");
    if d.explanation.is_empty() {
        m.push_str("(no explanation recorded)\n");
    }
    for l in &d.explanation {
        writeln!(m, "- {}", l.replace('\n', " ")).ok();
    }
    m.push_str("\n## What the target answered\n\n");
    m.push_str(&fenced(&target_raw(&d.target), "text"));
    reproduce(&mut m, d);
    scenario_table(&mut m, d);
    m
}

/// The title, the class and the diverging step, and the signature.
fn divergence_intro(m: &mut String, d: &Divergence) {
    let sig = &d.signature;
    writeln!(m, "# Divergence {}\n", d.id).ok();
    writeln!(
        m,
        "**{}**: {}. Step {} of {} (`{}`) of the shrunk scenario.\n",
        sig.class,
        class_meaning(sig.class),
        d.step,
        d.scenario.steps.len(),
        sig.op
    )
    .ok();
    m.push_str("Signature:\n\n");
    m.push_str(&fenced(&sig.key(), "text"));
    m.push('\n');
}

/// The rows of a divergence's table: both answers, the rule, shrinking, confirmation.
fn divergence_facts(d: &Divergence) -> [(&'static str, String); 11] {
    let sig = &d.signature;
    [
        (
            "root cause",
            match d.explained_by.as_slice() {
                [] => "**new**: no deviation of the catalogue explains it".into(),
                names => format!("explained by {}", code_cell(&names.join(" | "))),
            },
        ),
        (
            "refuted",
            match d.refuted.as_slice() {
                [] => "none".into(),
                r => r
                    .iter()
                    .map(|x| cell(&x.sentence()))
                    .collect::<Vec<_>>()
                    .join("; "),
            },
        ),
        (
            "confidence",
            match d.confidence {
                Confidence::Certain => "certain".into(),
                Confidence::Uncertain => format!(
                    "**uncertain**: rule {} is one the model marks uncertain; not counted as a security bug",
                    code_cell(&sig.rule)
                ),
            },
        ),
        (
            "classification",
            format!("**{}**: {}", sig.class, class_meaning(sig.class)),
        ),
        ("model (AWS's rules)", code_cell(&d.model.to_string())),
        ("target", code_cell(&d.target.to_string())),
        ("deciding rule", code_cell(&sig.rule)),
        ("difference", cell(&d.detail)),
        (
            "shrunk",
            format!("{} steps, from {}", d.shrunk_steps, d.original_steps),
        ),
        (
            "confirmed",
            if d.confirmed {
                "yes: the shrunk scenario was replayed again and diverged the same way".into()
            } else {
                "**no (flaky)**: the shrunk scenario did not diverge the same way when replayed"
                    .into()
            },
        ),
        (
            "found",
            format!("case {}, after {}", d.case, millis(d.found_after_ms)),
        ),
    ]
}

/// How to reproduce a divergence, with xacct and without.
fn reproduce(m: &mut String, d: &Divergence) {
    let stem = file_stem(&d.id);
    writeln!(
        m,
        "\n## Reproduce\n\n\
         - With xacct: `xacct replay {stem}.json --target <target>` (the last step's `expect` is the \
         model's answer), or `xacct explain {stem}.json` for the model's reasons at each step.\n\
         - Without xacct, with the AWS CLI v2 and one profile per account: \
         `XACCT_PROFILE_A=<profile> … bash {stem}.sh` (see the script's header).\n"
    )
    .ok();
}

/// The shrunk scenario: its description and a row per step, the diverging one marked.
fn scenario_table(m: &mut String, d: &Divergence) {
    m.push_str("## The scenario\n\n");
    if let Some(desc) = &d.scenario.description {
        writeln!(m, "{desc}\n").ok();
    }
    m.push_str("| step | as | op | expect |\n|---|---|---|---|\n");
    for (i, st) in d.scenario.steps.iter().enumerate() {
        let expect = st
            .expect
            .as_ref()
            .and_then(|e| serde_json::to_string(e).ok())
            .unwrap_or_default();
        let mark = if i + 1 == d.step { " ⟵ diverges" } else { "" };
        writeln!(
            m,
            "| {}{mark} | {} | `{}` | {} |",
            i + 1,
            cell(&st.as_),
            st.op.name(),
            code_cell(&expect)
        )
        .ok();
    }
}

/// The run as a Markdown document: totals, a table per class, the divergences by deciding
/// rule, and the baseline's signatures.
pub fn summary_markdown(s: &RunSummary) -> String {
    let mut m = String::new();
    let groups = by_class(s);
    writeln!(m, "# xacct run against {}\n", cell(&s.target)).ok();
    root_cause_table(&mut m, s);
    facts_table(&mut m, &run_facts(s));
    if !s.complete {
        m.push_str("\n**Run incomplete:**\n\n");
        for r in &s.incomplete {
            writeln!(m, "- {}", cell(r)).ok();
        }
    }
    m.push_str("\n## Divergences by class\n\n| class | count | meaning |\n|---|---|---|\n");
    for (c, v) in &groups {
        writeln!(m, "| {c} | {} | {} |", v.len(), class_meaning(*c)).ok();
    }
    for (c, v) in &groups {
        if !v.is_empty() {
            class_section(&mut m, s, *c, v);
        }
    }
    if !s.divergences.is_empty() {
        rule_table(&mut m, s);
    }
    key_list(
        &mut m,
        "\n## Known divergences (in the baseline), seen again\n\n",
        &s.known,
    );
    key_list(
        &mut m,
        "\n## Baseline divergences not seen in this run\n\n",
        &s.not_seen,
    );
    key_list(
        &mut m,
        "\n## Flaky\n\nSeen once, but the shrunk scenario did not diverge the same way when \
         replayed:\n\n",
        &s.flaky,
    );
    fault_table(&mut m, s);
    key_list(
        &mut m,
        "\n## Left behind\n\nClean-up could not remove these:\n\n",
        &s.left_behind,
    );
    m
}

/// The root-cause table, first: new findings (each group described), then each deviation of
/// the catalogue that explains findings, with the shortest reproduction; under it the
/// explanations each row beat and those the run's agreeing steps refuted.
fn root_cause_table(m: &mut String, s: &RunSummary) {
    m.push_str("## Root causes\n\n");
    if s.root_causes.is_empty() {
        m.push_str("No findings.\n\n");
        return;
    }
    m.push_str(
        "| root cause | severity | confidence | findings | shortest reproduction |\n\
         |---|---|---|---|---|\n",
    );
    for r in &s.root_causes {
        let ids: Vec<String> = r.findings.iter().map(|f| cell(f)).collect();
        writeln!(
            m,
            "| {} | {} | {} | {} ({}) | [{}]({}) ({} steps) |",
            root_cause_cell(r),
            r.severity,
            r.confidence.as_str(),
            r.findings.len(),
            ids.join(", "),
            cell(&r.shortest),
            divergence_file(&r.shortest, "md").display(),
            r.shortest_steps
        )
        .ok();
    }
    refuted_list(m, s);
    if !s.assumed.is_empty() {
        writeln!(m, "\nAssumed deviations: {}.", s.assumed.join(", ")).ok();
    }
    m.push('\n');
}

/// A row's first cell: its deviation and the ones it beat, or "new" and what the group shares.
fn root_cause_cell(r: &RootCause) -> String {
    let cause = cause_cell(r);
    if r.holds_with.is_empty() {
        return cause;
    }
    format!("{cause}, holding with {}", cell(&r.holds_with.join("; ")))
}

fn cause_cell(r: &RootCause) -> String {
    match &r.deviation {
        Some(d) if r.alternatives.is_empty() => code_cell(d),
        Some(d) => format!(
            "{} (beat {})",
            code_cell(d),
            r.alternatives
                .iter()
                .map(|a| code_cell(a))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => match &r.description {
            Some(why) => format!("**new**: {}", cell(why)),
            None => "**new**".into(),
        },
    }
}

/// The explanations the run refuted, each with the agreeing step that refutes it.
fn refuted_list(m: &mut String, s: &RunSummary) {
    let refuted: Vec<&Refuted> = s.root_causes.iter().flat_map(|r| &r.refuted).collect();
    if refuted.is_empty() {
        return;
    }
    m.push_str("\nRefuted explanations (each reproduces a finding, but the target got this step right):\n\n");
    let mut seen = std::collections::BTreeSet::new();
    for x in refuted.into_iter().filter(|x| seen.insert(&x.explanation)) {
        writeln!(m, "- {}", cell(&x.sentence())).ok();
    }
}

/// The first faults, a row each (all are in summary.json and events.jsonl).
fn fault_table(m: &mut String, s: &RunSummary) {
    if s.fault_records.is_empty() {
        return;
    }
    writeln!(
        m,
        "\n## Endpoint faults ({})\n\nA fault in a step makes its case inconclusive (never a \
         divergence); clean-up retries.\n\n| case | phase | step | op | status | why | raw |\n\
         |---|---|---|---|---|---|---|",
        s.faults
    )
    .ok();
    for f in s.fault_records.iter().take(LISTED_FAULTS) {
        let status = f.status.map(|x| x.to_string()).unwrap_or_default();
        let step = f.step.map(|x| x.to_string()).unwrap_or_default();
        writeln!(
            m,
            "| {} {} | {} | {step} | `{}` | {status} | {} | {} |",
            f.case,
            cell(&f.tag),
            f.phase.as_str(),
            cell(&f.op),
            cell(&f.why),
            code_cell(&f.raw)
        )
        .ok();
    }
    let more = s.fault_records.len().saturating_sub(LISTED_FAULTS);
    if more > 0 {
        writeln!(m, "\n… and {more} more in summary.json and events.jsonl.").ok();
    }
}

/// The rows of the run's table: what ran, how fast, and how many of each finding.
fn run_facts(s: &RunSummary) -> [(&'static str, String); 19] {
    let asked = s
        .requested_cases
        .map_or("as many as the time budget allowed".into(), |n| {
            n.to_string()
        });
    [
        ("target", cell(&s.target)),
        ("seed", s.seed.to_string()),
        (
            "complete",
            if s.complete {
                "yes".into()
            } else {
                "**no**".into()
            },
        ),
        ("cases (asked for)", format!("{} ({asked})", s.cases)),
        ("steps", s.steps.to_string()),
        ("requests", s.requests.to_string()),
        ("steps/s", steps_per_s(s)),
        ("elapsed", millis(s.elapsed_ms)),
        ("divergences", s.divergences.len().to_string()),
        ("known (baselined), seen again", s.known.len().to_string()),
        ("baseline signatures not seen", s.not_seen.len().to_string()),
        ("flaky", s.flaky.len().to_string()),
        ("unsupported steps", s.unsupported.to_string()),
        (
            "security bugs (over-permissive, certain)",
            s.security_bugs.to_string(),
        ),
        (
            "cases ended at a known divergence",
            s.stopped_at_known.to_string(),
        ),
        (
            "cases ended by an unsupported step",
            s.stopped_unsupported.to_string(),
        ),
        (
            "endpoint faults",
            format!("{} (at most {} for a complete run)", s.faults, s.max_faults),
        ),
        (
            "inconclusive cases (re-run after a fault)",
            format!("{} ({})", s.inconclusive, s.reruns),
        ),
        ("left behind", s.left_behind.len().to_string()),
    ]
}

/// One class's divergences, a row each with links to its files.
fn class_section(m: &mut String, s: &RunSummary, c: Class, v: &[&Divergence]) {
    writeln!(m, "\n## {c} ({})\n", v.len()).ok();
    m.push_str(
        "| id | op | model | target | rule | steps (shrunk / original) | confirmed | files |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for d in v {
        let sig = &d.signature;
        writeln!(
            m,
            "| {} | `{}` | {} | {} | {} | {} / {} | {} | [json]({}) [sh]({}) [md]({}) |",
            cell(&d.id),
            cell(&sig.op),
            code_cell(&sig.model),
            code_cell(&sig.target),
            code_cell(&sig.rule),
            d.shrunk_steps,
            d.original_steps,
            if is_flaky(s, d) { "**flaky**" } else { "yes" },
            divergence_file(&d.id, "json").display(),
            divergence_file(&d.id, "sh").display(),
            divergence_file(&d.id, "md").display(),
        )
        .ok();
    }
}

/// The conformance table: deciding rule × class.
fn rule_table(m: &mut String, s: &RunSummary) {
    let mut rules: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for d in &s.divergences {
        if let Some(i) = CLASSES.iter().position(|c| *c == d.signature.class) {
            rules.entry(d.signature.rule.as_str()).or_default()[i] += 1;
        }
    }
    m.push_str("\n## Divergences by deciding rule\n\n| rule |");
    for c in CLASSES {
        write!(m, " {c} |").ok();
    }
    m.push_str("\n|---|---|---|---|---|\n");
    for (r, n) in rules {
        writeln!(
            m,
            "| {} | {} | {} | {} | {} |",
            code_cell(r),
            n[0],
            n[1],
            n[2],
            n[3]
        )
        .ok();
    }
}

/// `section`, then a bullet per signature key (or id); nothing when `keys` is empty.
fn key_list(m: &mut String, section: &str, keys: &[String]) {
    if keys.is_empty() {
        return;
    }
    m.push_str(section);
    for k in keys {
        writeln!(m, "- `{}`", k.replace('`', "'")).ok();
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::summary;
    use super::*;

    #[test]
    fn summary_markdown_lists_over_permissive_first() {
        let s = summary();
        let m = summary_markdown(&s);
        let p = m.find("## over-permissive (2)").expect(&m);
        let r = m.find("## over-restrictive (1)").expect(&m);
        assert!(p < r);
        assert!(
            m.contains("[json](divergences/d01-over-permissive-put_object.json)"),
            "{m}"
        );
        assert!(m.contains("| `R22` | 1 | 1 | 1 | 0 |"), "{m}");
        assert!(m.contains("| complete | yes |"), "{m}");
        assert!(m.contains("## Endpoint faults (1)"), "{m}");
        assert!(
            m.contains("| 4 c9 | step | 2 | `put_object` | 503 | HTTP 503 SlowDown | `HTTP 503 <Error><Code>SlowDown</Code></Error>` |"),
            "{m}"
        );
        assert!(
            !m.contains("Run incomplete") && !m.contains("## Left behind"),
            "{m}"
        );
    }

    #[test]
    fn the_root_cause_table_shows_what_each_row_beat_was_refuted_and_new_groups() {
        let m = summary_markdown(&summary());
        assert!(
            m.contains("| `missing-key-404` (beat `missing-key-lookup-first`) |"),
            "{m}"
        );
        assert!(
            m.contains("| **new**: put_object lets through what AWS refuses: an explicit Deny by an IAM user of another account |"),
            "{m}"
        );
        assert!(m.contains("Refuted explanations"), "{m}");
        assert!(
            m.contains("- deny-ignored: case c12 step 4 (get_object as B.admin): the target answered 403 AccessDenied, as AWS does; with it the model answers 200"),
            "{m}"
        );
    }
}
