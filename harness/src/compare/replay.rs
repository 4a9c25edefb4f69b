//! Replaying a scenario against a target and the model side by side:
//! every step goes to both; differences are classified; everything the run created is cleaned
//! up afterwards, also after an error or Ctrl-C.

use crate::baseline::Found;
use crate::compare::{compare, Class, Difference, Level, Observed};
use crate::target::execute::TargetState;
use crate::target::{Capabilities, Cleanup, Target, TargetError};
use serde::Serialize;
use std::fmt::Write as _;
use std::time::Instant;
use xacct_model::deviation::step_with;
use xacct_model::outcome::{Mismatch, Outcome};
use xacct_model::scenario::{Op, Scenario, Step};
use xacct_model::{Region, World};

/// One step, as both sides saw it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub step: usize,
    #[serde(rename = "as")]
    pub as_: String,
    pub op: &'static str,
    /// The model's outcome (`None` if the model could not apply the step, see `model_error`).
    pub model: Option<Outcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_error: Option<String>,
    /// The rule that decided, and the model's whole explanation (ids as placeholders).
    pub rule: Option<String>,
    pub explanation: Vec<String>,
    pub target: Observed,
    pub difference: Option<Difference>,
    /// The scenario's `expect` checked against the model.
    pub expect_mismatches: Vec<Mismatch>,
    /// Re-sends after an IAM/STS/policy change, waiting for the target to catch up.
    pub retries: u32,
    pub millis: u128,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetReport {
    pub file: String,
    pub scenario: String,
    pub target: String,
    /// The Region the target ran in (`None` when provisioning did not finish).
    pub region: Option<Region>,
    pub level: Level,
    pub capabilities: Capabilities,
    pub rows: Vec<Row>,
    pub cleanup: Cleanup,
    /// Set when the run stopped early (Ctrl-C, provisioning failure).
    pub interrupted: Option<String>,
    /// Set when a step's answer was an endpoint fault before the last step: the target's state
    /// is unknown from there, so the later steps were not sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inconclusive: Option<String>,
    pub millis: u128,
}

impl TargetReport {
    /// Divergences and other differences, as baselines identify them.
    pub fn found(&self) -> Vec<Found> {
        self.rows
            .iter()
            .filter_map(|r| {
                r.difference.as_ref().map(|d| Found {
                    scenario: self.scenario.clone(),
                    step: r.step,
                    op: r.op.to_string(),
                    class: d.class,
                    detail: d.detail.clone(),
                })
            })
            .collect()
    }

    pub fn count(&self, class: Class) -> usize {
        self.rows
            .iter()
            .filter(|r| r.difference.as_ref().is_some_and(|d| d.class == class))
            .count()
    }
}

/// Does this step change IAM, STS or policy state (after which targets may lag)?
fn changes_permissions(op: &Op) -> bool {
    matches!(
        op,
        Op::PutBucketPolicy { .. }
            | Op::DeleteBucketPolicy { .. }
            | Op::CreateUser { .. }
            | Op::PutUserPolicy { .. }
            | Op::CreateRole { .. }
            | Op::PutRolePolicy { .. }
            | Op::AssumeRole { .. }
            | Op::PutPublicAccessBlock { .. }
            | Op::DeletePublicAccessBlock { .. }
            | Op::PutBucketAcl { .. }
            | Op::PutObjectAcl { .. }
            | Op::PutBucketOwnershipControls { .. }
            | Op::DeleteBucketOwnershipControls { .. }
    )
}

/// Every logical bucket name the scenario uses.
pub fn logical_buckets(s: &Scenario) -> Vec<String> {
    let mut v: Vec<String> = s
        .steps
        .iter()
        .flat_map(|st| {
            let mut b: Vec<String> = st.op.bucket().map(str::to_string).into_iter().collect();
            if let Op::CopyObject { source_bucket, .. } = &st.op {
                b.push(source_bucket.clone());
            }
            b
        })
        .collect();
    v.sort();
    v.dedup();
    // Longest first, so `b10` is rewritten before `b1` could touch it.
    v.sort_by_key(|b| std::cmp::Reverse(b.len()));
    v
}

/// Replays `scenario` against `target` and the model.
pub async fn replay_against(
    target: &mut Target,
    file: &str,
    scenario: &Scenario,
    level: Level,
) -> Result<TargetReport, TargetError> {
    let started = Instant::now();
    let accounts: Vec<String> = scenario.accounts().into_iter().collect();
    let caps = target.capabilities();
    let stop = stop_signal();
    tokio::pin!(stop);
    let provisioned = tokio::select! {
        r = target.provision(&accounts, logical_buckets(scenario)) => Ok(r),
        why = &mut stop => Err(why),
    };
    let mut state = match provisioned {
        Ok(r) => r?,
        Err(why) => {
            let cleanup = target.abandon_provisioning().await;
            return Ok(TargetReport {
                file: file.to_string(),
                scenario: scenario.name.clone(),
                target: target.name().to_string(),
                region: None,
                level,
                capabilities: caps,
                rows: Vec::new(),
                cleanup,
                interrupted: Some(format!(
                    "{why} during provisioning; removed what it had made"
                )),
                inconclusive: None,
                millis: started.elapsed().as_millis(),
            });
        }
    };
    let mut world = scenario.world_in(&state.region())?;
    let mut rows = Vec::new();
    let mut interrupted = None;
    {
        let steps = async {
            let mut last_change: Option<usize> = None;
            for (i, st) in scenario.steps.iter().enumerate() {
                let t0 = Instant::now();
                let m = model_side(&scenario.assume, &mut world, st);
                let recent = last_change.is_some_and(|c| i - c <= 3);
                let resend = if recent { caps.propagation_retries } else { 0 };
                let (observed, difference, retries) = observe(
                    target,
                    &mut state,
                    st,
                    m.outcome.as_ref(),
                    level,
                    (resend, caps.propagation_delay),
                )
                .await;
                if changes_permissions(&st.op) {
                    last_change = Some(i);
                }
                let expect_mismatches = expect_mismatches(st, m.outcome.as_ref(), &world);
                let fault = matches!(observed, Observed::Fault { .. });
                rows.push(Row {
                    step: i + 1,
                    as_: st.as_.clone(),
                    op: st.op.name(),
                    model: m.outcome,
                    model_error: m.error,
                    rule: m.rule,
                    explanation: m.explanation,
                    target: observed,
                    difference,
                    expect_mismatches,
                    retries,
                    millis: t0.elapsed().as_millis(),
                });
                if fault {
                    break;
                }
            }
        };
        tokio::select! {
            _ = steps => {}
            why = &mut stop => {
                interrupted = Some(format!("{why}; cleaned up what the run created"));
            }
        }
    }
    let cleanup = target.cleanup(&state).await;
    let inconclusive = inconclusive(&rows, scenario.steps.len());
    Ok(TargetReport {
        file: file.to_string(),
        scenario: scenario.name.clone(),
        target: target.name().to_string(),
        region: Some(state.region()),
        level,
        capabilities: caps,
        rows,
        cleanup,
        interrupted,
        inconclusive,
        millis: started.elapsed().as_millis(),
    })
}

/// Resolves on Ctrl-C or SIGTERM, saying which (`interrupted (Ctrl-C)`, `terminated
/// (SIGTERM)`); where a signal cannot be watched, never.
pub async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    let term = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut t) => {
                t.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    let int = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await
        }
    };
    tokio::select! {
        () = int => "interrupted (Ctrl-C)",
        () = term => "terminated (SIGTERM)",
    }
}

/// What the model made of a step: its outcome and the rule that decided, with the explanation
/// (ids as placeholders); or why it could not apply the step.
struct ModelSide {
    outcome: Option<Outcome>,
    error: Option<String>,
    rule: Option<String>,
    explanation: Vec<String>,
}

fn model_side(
    assume: &[xacct_model::deviation::Deviation],
    world: &mut World,
    st: &Step,
) -> ModelSide {
    match step_with(assume, world, st) {
        Ok((o, ex)) => ModelSide {
            outcome: Some(o),
            error: None,
            rule: ex.deciding_rule().map(str::to_string),
            explanation: ex
                .lines
                .iter()
                .map(|l| world.redact(&format!("[{}] {}", l.rule, l.detail)))
                .collect(),
        },
        Err(e) => ModelSide {
            outcome: None,
            error: Some(e.to_string()),
            rule: None,
            explanation: Vec::new(),
        },
    }
}

/// Sends a step and compares the answer. A target may lag behind IAM/STS/policy changes: soon
/// after one, a step the model allows and the target denies is sent again, up to `resend.0`
/// times `resend.1` apart (the target's bound); every re-send is counted.
async fn observe(
    target: &mut Target,
    state: &mut TargetState,
    st: &Step,
    model: Option<&Outcome>,
    level: Level,
    resend: (u32, std::time::Duration),
) -> (Observed, Option<Difference>, u32) {
    let mut observed = target.step(state, st).await;
    let mut difference = model.and_then(|m| compare(m, &observed, level));
    let mut retries = 0;
    while difference
        .as_ref()
        .is_some_and(|d| d.class == Class::OverRestrictive)
        && retries < resend.0
    {
        tokio::time::sleep(resend.1).await;
        retries += 1;
        observed = target.step(state, st).await;
        difference = model.and_then(|m| compare(m, &observed, level));
    }
    (observed, difference, retries)
}

/// The step's `expect` checked against the model's outcome (an assumed-role ARN in it may hold
/// placeholders).
fn expect_mismatches(st: &Step, model: Option<&Outcome>, world: &World) -> Vec<Mismatch> {
    let (Some(e), Some(m)) = (&st.expect, model) else {
        return Vec::new();
    };
    let mut e = e.clone();
    if let Some(a) = &e.assumed_role_arn {
        e.assumed_role_arn = xacct_model::scenario::substitute(a, world).ok();
    }
    e.check(m)
}

/// Why a replay stopped before its last step: that step's answer was an endpoint fault, after
/// which the target's state is unknown (it may have applied the request).
fn inconclusive(rows: &[Row], steps: usize) -> Option<String> {
    let last = rows.last().filter(|_| rows.len() < steps)?;
    matches!(last.target, Observed::Fault { .. }).then(|| {
        format!(
            "inconclusive: step {} failed ({}), so the {} step(s) after it were not sent",
            last.step,
            last.target,
            steps - rows.len()
        )
    })
}

fn short(o: &Observed) -> String {
    match o {
        Observed::Answer { outcome, .. } => outcome.to_string(),
        other => other.to_string(),
    }
}

/// The model-vs-target table.
pub fn table(r: &TargetReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {} against {} (compare: {:?})",
        r.file, r.scenario, r.target, r.level
    );
    let w_as = r.rows.iter().map(|x| x.as_.len()).max().unwrap_or(2).max(2);
    let w_op = r.rows.iter().map(|x| x.op.len()).max().unwrap_or(2).max(2);
    let _ = writeln!(
        out,
        "{:>3}  {:<w_as$}  {:<w_op$}  {:<32}  {:<32}  result",
        "#", "as", "op", "model", "target"
    );
    for row in &r.rows {
        let model = match (&row.model, &row.model_error) {
            (Some(m), _) => format!("{m} {}", row.rule.as_deref().unwrap_or("")),
            (None, Some(e)) => format!("not applied: {e}"),
            _ => String::new(),
        };
        let result = match &row.difference {
            None => "ok".to_string(),
            Some(d) => format!("{}: {}", d.class.as_str().to_uppercase(), d.detail),
        };
        let retry = if row.retries > 0 {
            format!(" (after {} retries)", row.retries)
        } else {
            String::new()
        };
        let mut target = short(&row.target);
        target.truncate(200);
        let _ = writeln!(
            out,
            "{:>3}  {:<w_as$}  {:<w_op$}  {:<32}  {:<32}  {result}{retry}",
            row.step, row.as_, row.op, model, target
        );
    }
    let div: usize = [
        Class::OverPermissive,
        Class::OverRestrictive,
        Class::WrongError,
        Class::WrongState,
    ]
    .iter()
    .map(|c| r.count(*c))
    .sum();
    let _ = writeln!(
        out,
        "{} divergence(s): {} over-permissive, {} over-restrictive, {} wrong-error, {} wrong-state; {} unsupported, {} endpoint fault(s); {} ms",
        div,
        r.count(Class::OverPermissive),
        r.count(Class::OverRestrictive),
        r.count(Class::WrongError),
        r.count(Class::WrongState),
        r.count(Class::Unsupported),
        r.count(Class::EndpointFault),
        r.millis
    );
    if let Some(i) = &r.interrupted {
        let _ = writeln!(out, "{i}");
    }
    if let Some(i) = &r.inconclusive {
        let _ = writeln!(out, "{i}");
    }
    if !r.cleanup.failed.is_empty() {
        let _ = writeln!(
            out,
            "clean-up could not remove: {}",
            r.cleanup.failed.join(", ")
        );
    }
    out
}
