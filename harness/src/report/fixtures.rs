//! Test fixtures shared by the report's outputs: a shrunk scenario, its divergences and a run
//! summary with new, known, unseen and flaky signatures.

use crate::compare::{Class, Observed};
use crate::hunt::findings::{
    Confidence, Divergence, FaultPhase, FaultRecord, Refuted, RootCause, RunSummary, Signature,
};
use crate::hunt::root_cause;
use std::path::PathBuf;
use xacct_model::outcome::Outcome;
use xacct_model::Scenario;

pub(super) fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "xacct-report-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn scenario() -> Scenario {
    Scenario::from_json_str(
        r#"{"name": "shrunk", "description": "B writes into A's bucket", "steps": [
            {"as": "A.admin", "op": "create_bucket", "bucket": "b1"},
            {"as": "B.admin", "op": "put_object", "bucket": "b1", "key": "it's|`k`",
             "expect": {"status": 403, "code": "AccessDenied"}}
        ]}"#,
        "t",
    )
    .expect("scenario")
}

pub(super) fn divergence(id: &str, class: Class, confirmed: bool) -> Divergence {
    let (model, target) = match class {
        Class::OverPermissive => (Outcome::error(403, "AccessDenied"), Outcome::status(200)),
        _ => (Outcome::status(200), Outcome::error(403, "AccessDenied")),
    };
    Divergence {
        id: id.into(),
        signature: Signature {
            class,
            op: "put_object".into(),
            model: model.to_string(),
            target: target.to_string(),
            rule: "R22".into(),
        },
        scenario: scenario(),
        step: 2,
        original_steps: 17,
        shrunk_steps: 2,
        model,
        explanation: vec![
            "[R20] B.admin's identity policy allows s3:PutObject".into(),
            "[R22] the bucket owner A grants nothing to B".into(),
        ],
        target: Observed::Answer {
            outcome: target,
            raw: "HTTP/1.1 200 OK\n```".into(),
        },
        detail: "model refuses (403 AccessDenied), target allows (200)".into(),
        confirmed,
        case: 3,
        found_after_ms: 1500,
        confidence: Confidence::Certain,
        explained_by: Vec::new(),
        refuted: Vec::new(),
        answers: Vec::new(),
    }
}

/// A refuted explanation, as the search reports it.
pub(super) fn refuted(explanation: &str) -> Refuted {
    Refuted {
        explanation: explanation.into(),
        case: "c12".into(),
        step: 4,
        op: "get_object".into(),
        as_: "B.admin".into(),
        target: "403 AccessDenied".into(),
        model: "200".into(),
    }
}

/// A table of every kind of row: a named cause with an alternative it beat and a refuted one,
/// and new findings (certain, uncertain) with their descriptions.
fn root_causes(d: &[Divergence]) -> Vec<RootCause> {
    let mut named = root_cause::row(Some("missing-key-404".into()), &[&d[0]], None);
    named.alternatives = vec!["missing-key-lookup-first".into()];
    named.refuted = vec![refuted("deny-ignored")];
    let new = |f: &[&Divergence], what: &str| {
        let mut r = root_cause::row(None, f, Some(what.into()));
        r.refuted = vec![refuted("caller-side-only")];
        r
    };
    vec![
        new(
            &[&d[1], &d[3]],
            "put_object lets through what AWS refuses: an explicit Deny by an IAM user of another account",
        ),
        new(&[&d[2]], "put_object lets through what AWS refuses: a policy condition"),
        named,
    ]
}

pub(super) fn summary() -> RunSummary {
    let mut d1 = divergence(
        "d02-over-restrictive-put_object",
        Class::OverRestrictive,
        true,
    );
    d1.explained_by = vec!["missing-key-404".into()];
    let d2 = divergence(
        "d01-over-permissive-put_object",
        Class::OverPermissive,
        true,
    );
    let mut d3 = divergence(
        "d03-over-permissive-put_object",
        Class::OverPermissive,
        false,
    );
    d3.signature.rule = "R23".into();
    d3.confidence = Confidence::Uncertain;
    let d4 = divergence("d04-wrong-error-x", Class::WrongError, true);
    let known = d4.signature.key();
    let divergences = vec![d1, d2, d3, d4];
    RunSummary {
        root_causes: root_causes(&divergences),
        security_bugs: divergences.iter().filter(|d| d.is_security_bug()).count(),
        assumed: vec!["deny-ignored".into()],
        stopped_at_known: 5,
        stopped_unsupported: 2,
        not_sent: 9,
        target: "moto".into(),
        seed: 7,
        cases: 100,
        steps: 1234,
        requests: 2000,
        elapsed_ms: 2468,
        divergences,
        known: vec![
            known,
            "wrong-state get_object_acl model=200 target=200 rule=R9".into(),
        ],
        not_seen: vec!["over-restrictive head_object model=200 target=403 rule=R1".into()],
        unsupported: 4,
        flaky: vec![
            "d03-over-permissive-put_object".into(),
            "wrong-state get_bucket_acl model=200 target=200 rule=R7".into(),
        ],
        reruns: 3,
        inconclusive: 1,
        requested_cases: Some(100),
        max_faults: 100,
        complete: true,
        ..with_fault(RunSummary::empty("moto", 7))
    }
}

/// `s` with one fault: a 503 at step 2 of case 4.
fn with_fault(mut s: RunSummary) -> RunSummary {
    s.add_fault(FaultRecord {
        case: 4,
        tag: "c9".into(),
        phase: FaultPhase::Step,
        step: Some(2),
        op: "put_object".into(),
        status: Some(503),
        why: "HTTP 503 SlowDown".into(),
        raw: "HTTP 503 <Error><Code>SlowDown</Code></Error>".into(),
    });
    s
}
