//! Recording what a target answered (`xacct replay --record DIR`): each scenario again, every
//! step's `expect` replaced by the answer the target gave, stamped with where and when. A run
//! against real AWS accounts so becomes regression evidence: `xacct replay --model-only` checks
//! the model against it.

use crate::compare::replay::TargetReport;
use crate::compare::Observed;
use xacct_model::outcome::{Expect, Outcome};
use xacct_model::scenario::Scenario;

/// The expectation an answer makes: every field the target's answer carried.
pub fn expect_of(o: &Outcome) -> Expect {
    Expect {
        status: Some(o.status),
        code: o.code.clone(),
        owner: o.owner.clone(),
        grants: o.grants.clone(),
        ownership: o.ownership.clone(),
        keys: o.keys.clone(),
        buckets: o.buckets.clone(),
        public_access_block: o.public_access_block,
        assumed_role_arn: o.assumed_role_arn.clone(),
    }
}

/// `scenario` as `report` saw it on its target, recorded `at` (an ISO 8601 time): each answered
/// step expects its answer; a step without an answer (unsupported, a fault, skipped, not sent)
/// expects nothing, and the description says how many there were.
pub fn recorded(scenario: &Scenario, report: &TargetReport, at: &str) -> Scenario {
    let mut out = scenario.clone();
    let mut unanswered = 0;
    for (i, step) in out.steps.iter_mut().enumerate() {
        let row = report.rows.iter().find(|r| r.step == i + 1);
        step.expect = match row.map(|r| &r.target) {
            Some(Observed::Answer { outcome, .. }) => Some(expect_of(outcome)),
            _ => {
                unanswered += 1;
                None
            }
        };
    }
    let region = report.region.clone().unwrap_or_default();
    out.region = Some(region.clone());
    let mut stamp = format!(
        "Recorded against {} in {region} at {at} (xacct replay --record): every expect is the answer observed",
        report.target
    );
    if unanswered > 0 {
        stamp.push_str(&format!(
            "; {unanswered} step(s) had no answer to record and expect nothing"
        ));
    }
    out.description = Some(match &scenario.description {
        Some(d) => format!("{stamp}. {d}"),
        None => stamp,
    });
    out
}

/// Now, in ISO 8601 (UTC, whole seconds).
pub fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    aws_smithy_types::DateTime::from_secs(secs as i64)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| format!("{secs} s after the epoch"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_iso_8601() {
        let t = now();
        assert!(
            t.len() == 20 && t.ends_with('Z') && t.as_bytes()[10] == b'T',
            "{t}"
        );
    }

    #[test]
    fn an_answer_becomes_the_expectation() {
        let o = Outcome {
            status: 403,
            code: Some("AccessDenied".into()),
            ..Outcome::default()
        };
        let e = expect_of(&o);
        assert_eq!(
            (e.status, e.code.as_deref()),
            (Some(403), Some("AccessDenied"))
        );
        assert_eq!(e.owner, None);
    }
}
