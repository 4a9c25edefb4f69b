//! Expected decisions under review (docs/ARCHITECTURE.md, "snapshots/"): the seed walkthrough step by step and
//! the decision tables, with explanations. Ids are redacted to placeholders (`${A}`,
//! `${A.canonical}`). A rule change shows up here as a snapshot diff: review it with
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test --test snapshots` and `git diff`).

use std::fmt::Write as _;
use xacct_model::{replay::replay, tables, Scenario};

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!(name, text);
    });
}

fn walkthrough(path: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let s = Scenario::from_json_str(&text, path).unwrap();
    let (world, reports) = replay(&s);
    let mut out = String::new();
    for r in &reports {
        let outcome = r
            .outcome
            .as_ref()
            .map(|o| world.redact(&o.to_string()))
            .unwrap_or_else(|| format!("not applied: {}", r.error.clone().unwrap_or_default()));
        writeln!(
            out,
            "step {:>2}  {} {}  →  {}",
            r.step, r.as_, r.op, outcome
        )
        .unwrap();
        for l in &r.explanation.lines {
            writeln!(out, "          [{}] {}", l.rule, world.redact(&l.detail)).unwrap();
        }
    }
    out
}

#[test]
fn seed_example4_walkthrough() {
    snapshot(
        "seed-example4",
        &walkthrough("scenarios/seed-example4.json"),
    );
}

#[test]
fn decision_tables() {
    let cells = tables::decision_table();
    snapshot("decision-tables", &tables::render_markdown(&cells));
}

#[test]
fn decision_table_explanations() {
    let cells = tables::decision_table();
    let mut out = String::new();
    for c in &cells {
        writeln!(
            out,
            "{} / object by {} / {} / {}  →  {}",
            c.ownership, c.object_writer, c.principal, c.operation, c.outcome
        )
        .unwrap();
        for l in &c.explanation {
            writeln!(out, "    {l}").unwrap();
        }
    }
    snapshot("decision-table-explanations", &out);
}
