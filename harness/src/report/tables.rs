//! Human-readable and JSON renderings of model replays.

use serde::Serialize;
use std::fmt::Write as _;
use xacct_model::replay::StepReport;
use xacct_model::{Scenario, World};

/// A replayed scenario, ready to print.
#[derive(Debug, Serialize)]
pub struct ScenarioReport {
    pub file: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub steps: Vec<StepReport>,
    pub passed: bool,
    /// Steps with an `expect`, and how many of them met it.
    pub checked: usize,
    pub met: usize,
}

/// Replays a scenario against the model; explanations are redacted to account placeholders.
pub fn replay_model(file: &str, s: &Scenario) -> ScenarioReport {
    let (world, mut steps) = xacct_model::replay::replay(s);
    redact(&world, &mut steps);
    let checked = steps.iter().filter(|r| r.checked).count();
    let met = steps.iter().filter(|r| r.checked && r.passed()).count();
    ScenarioReport {
        file: file.to_string(),
        name: s.name.clone(),
        description: s.description.clone(),
        passed: steps.iter().all(StepReport::passed),
        steps,
        checked,
        met,
    }
}

fn redact(world: &World, steps: &mut [StepReport]) {
    for r in steps {
        for l in &mut r.explanation.lines {
            l.detail = world.redact(&l.detail);
        }
        if let Some(o) = &mut r.outcome {
            if let Some(a) = &o.assumed_role_arn {
                o.assumed_role_arn = Some(world.redact(a));
            }
        }
    }
}

fn expected_text(s: &Scenario, i: usize) -> String {
    match s.steps.get(i).and_then(|st| st.expect.as_ref()) {
        None => "-".into(),
        Some(e) => {
            let mut t = e
                .status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "*".into());
            if let Some(c) = &e.code {
                t.push(' ');
                t.push_str(c);
            }
            if e.owner.is_some()
                || e.grants.is_some()
                || e.keys.is_some()
                || e.ownership.is_some()
                || e.assumed_role_arn.is_some()
                || e.buckets.is_some()
                || e.public_access_block.is_some()
            {
                t.push_str(" +state");
            }
            t
        }
    }
}

fn outcome_text(r: &StepReport) -> String {
    match &r.outcome {
        Some(o) => o.to_string(),
        None => "error".into(),
    }
}

/// The per-step table of `xacct replay --model-only`.
pub fn replay_table(s: &Scenario, rep: &ScenarioReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {} (model only)", rep.file, rep.name);
    let w_as = rep
        .steps
        .iter()
        .map(|r| r.as_.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let w_op = rep
        .steps
        .iter()
        .map(|r| r.op.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let _ = writeln!(
        out,
        "{:>3}  {:<w_as$}  {:<w_op$}  {:<34}  {:<34}  result",
        "#", "as", "op", "expected", "model"
    );
    for (i, r) in rep.steps.iter().enumerate() {
        let result = if let Some(e) = &r.error {
            format!("ERROR {e}")
        } else if !r.checked {
            "·".into()
        } else if r.mismatches.is_empty() {
            "ok".into()
        } else {
            format!(
                "MISMATCH {}",
                r.mismatches
                    .iter()
                    .map(|m| m.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        };
        let _ = writeln!(
            out,
            "{:>3}  {:<w_as$}  {:<w_op$}  {:<34}  {:<34}  {}",
            r.step,
            r.as_,
            r.op,
            expected_text(s, i),
            outcome_text(r),
            result
        );
    }
    let _ = writeln!(
        out,
        "{}: {} of {} expectations met, {} step(s) without expect{}",
        if rep.passed { "PASS" } else { "FAIL" },
        rep.met,
        rep.checked,
        rep.steps.len() - rep.checked,
        match rep.steps.iter().filter(|r| r.error.is_some()).count() {
            0 => String::new(),
            n => format!(", {n} step(s) could not be applied"),
        }
    );
    out
}

/// The step-by-step explanation of `xacct explain`.
pub fn explain_text(rep: &ScenarioReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", rep.file, rep.name);
    if let Some(d) = &rep.description {
        let _ = writeln!(out, "{d}");
    }
    for r in &rep.steps {
        let _ = writeln!(out);
        let outcome = match (&r.outcome, &r.error) {
            (Some(o), _) => o.to_string(),
            (None, Some(e)) => format!("not applied: {e}"),
            _ => String::new(),
        };
        let _ = writeln!(out, "step {}: {} {} → {}", r.step, r.as_, r.op, outcome);
        for l in &r.explanation.lines {
            let _ = writeln!(out, "    [{}] {}", l.rule, l.detail);
        }
        for m in &r.mismatches {
            let _ = writeln!(out, "    ! expect not met: {m}");
        }
    }
    out
}
