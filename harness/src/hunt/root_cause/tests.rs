//! The analysis against a simulated target: the model with chosen deviations answers generated
//! cases; each case's first divergence from the model is a finding, and every case is evidence.
//! No endpoint and no shrinking: what is checked is the search and the refutation.

use super::*;
use crate::compare::{compare, status_code, Class, Observed};
use crate::hunt::case::fresh_world;
use crate::hunt::evidence::{Evidence, EvidenceCase};
use crate::hunt::findings::{divergence_id, Signature};
use xacct_model::deviation::step_with;
use xacct_model::outcome::Outcome;
use xacct_model::Scenario;

/// Generated cases, the same for every test.
fn cases(seed: u8, n: usize) -> Vec<Vec<Step>> {
    let mut bytes = [seed; 32];
    bytes[..8].copy_from_slice(b"xacct-rc");
    generated(bytes, n, 10)
}

/// Runs `cases` against the model and against the model with `target`: a finding per case that
/// diverges (up to its first divergence, one per signature), and every case as evidence.
fn simulate(target: &[Deviation], cases: &[Vec<Step>]) -> RunSummary {
    let mut s = RunSummary::empty("simulated", 1);
    s.evidence = Evidence::new(1);
    for (n, steps) in cases.iter().enumerate() {
        let (mut model_w, mut target_w) = (
            fresh_world(Region::default()),
            fresh_world(Region::default()),
        );
        let (mut sent, mut answers, mut agreed) = (Vec::new(), Vec::new(), Vec::new());
        for st in steps {
            let (Ok((m, ex)), Ok((t, _))) = (
                step_with(&[], &mut model_w, st),
                step_with(target, &mut target_w, st),
            ) else {
                continue;
            };
            let observed = Observed::answer(t.clone());
            let diff = compare(&m, &observed, Level::Full);
            sent.push(st.clone());
            answers.push(observed);
            agreed.push(diff.is_none());
            let Some(diff) = diff else { continue };
            let signature = Signature {
                class: diff.class,
                op: st.op.name().into(),
                model: status_code(&m),
                target: status_code(&t),
                rule: ex.deciding_rule().unwrap_or("").into(),
            };
            if !s.divergences.iter().any(|d| d.signature == signature) {
                s.divergences
                    .push(finding(n, signature, &sent, &answers, m, ex));
            }
            break;
        }
        s.evidence.add(EvidenceCase {
            tag: format!("c{n}"),
            steps: sent,
            answers,
            agreed,
        });
    }
    s.region = Some(Region::default());
    s.number_divergences();
    s
}

fn finding(
    n: usize,
    signature: Signature,
    steps: &[Step],
    answers: &[Observed],
    model: Outcome,
    ex: xacct_model::outcome::Explanation,
) -> Divergence {
    let id = divergence_id(n, &signature);
    Divergence {
        scenario: Scenario {
            name: id.clone(),
            description: None,
            region: None,
            assume: Vec::new(),
            steps: steps.to_vec(),
        },
        id,
        step: steps.len(),
        original_steps: steps.len(),
        shrunk_steps: steps.len(),
        model,
        explanation: ex
            .lines
            .iter()
            .map(|l| format!("[{}] {}", l.rule, l.detail))
            .collect(),
        target: answers
            .last()
            .cloned()
            .unwrap_or(Observed::answer(Outcome::status(0))),
        detail: String::new(),
        confirmed: true,
        case: n as u64,
        found_after_ms: 0,
        confidence: Confidence::of_rule(&signature.rule),
        signature,
        explained_by: Vec::new(),
        refuted: Vec::new(),
        answers: answers.to_vec(),
    }
}

/// The analysis in us-east-1, at the full level, assuming nothing.
fn analyse_plain(s: &mut RunSummary) {
    analyse(
        s,
        &Params {
            region: Region::default(),
            level: Level::Full,
            assumed: &[],
        },
    );
}

fn analysed(target: &[Deviation], n: usize) -> RunSummary {
    let mut s = simulate(target, &cases(3, n));
    analyse_plain(&mut s);
    s
}

fn named(s: &RunSummary) -> Vec<String> {
    s.root_causes
        .iter()
        .filter_map(|r| r.deviation.clone())
        .collect()
}

#[test]
fn an_injected_deviation_is_named_and_no_named_cause_is_refuted() {
    for d in [
        Deviation::DenyIgnored,
        Deviation::MissingKey404,
        Deviation::AclsUnderEnforced,
        Deviation::NotPrincipalAccountExempts,
    ] {
        let s = analysed(&[d], 400);
        if s.divergences.is_empty() {
            continue;
        }
        assert_eq!(
            named(&s).first().map(String::as_str),
            Some(d.name()),
            "{d}: {:#?}",
            s.root_causes
        );
        for r in &s.root_causes {
            if let Some(name) = &r.deviation {
                let devs = deviations_in(name).unwrap_or_default();
                let replayer = Replayer {
                    region: Region::default(),
                    level: Level::Full,
                    assumed: &[],
                    steps_replayed: Cell::new(0),
                };
                assert!(
                    replayer.refutation(&devs, &s.evidence).is_none(),
                    "{name} is refuted"
                );
            }
        }
    }
}

fn steps(json: &str) -> Vec<Step> {
    let doc = format!(r#"{{"name": "t", "steps": {json}}}"#);
    Scenario::from_json_str(&doc, "t").expect("scenario").steps
}

#[test]
fn a_broader_explanation_the_evidence_contradicts_is_refuted_with_its_step() {
    // The target exempts a NotPrincipal's whole account from a Deny (AWS exempts only the ARNs
    // listed). deny-ignored reproduces that finding too, but the target applies a plain Deny
    // exactly as AWS does: the second case refutes it.
    let finding_case = steps(
        r#"[{"as": "A.admin", "op": "create_bucket", "bucket": "b1"},
            {"as": "A.admin", "op": "put_object", "bucket": "b1", "key": "k1"},
            {"as": "A.admin", "op": "put_bucket_policy", "bucket": "b1", "policy": {
              "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject",
              "Resource": "arn:aws:s3:::b1/*", "NotPrincipal": {"AWS": "arn:aws:iam::${A}:root"}}]}},
            {"as": "A.admin", "op": "get_object", "bucket": "b1", "key": "k1"}]"#,
    );
    let agreeing_case = steps(
        r#"[{"as": "A.admin", "op": "create_bucket", "bucket": "b2"},
            {"as": "A.admin", "op": "put_object", "bucket": "b2", "key": "k1"},
            {"as": "A.admin", "op": "put_bucket_policy", "bucket": "b2", "policy": {
              "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject",
              "Resource": "arn:aws:s3:::b2/*", "Principal": "*"}]}},
            {"as": "A.admin", "op": "get_object", "bucket": "b2", "key": "k1"}]"#,
    );
    let target = [Deviation::NotPrincipalAccountExempts];
    let mut s = simulate(&target, &[finding_case, agreeing_case]);
    assert_eq!(s.divergences.len(), 1, "{:#?}", s.divergences);
    analyse_plain(&mut s);
    assert_eq!(
        named(&s),
        vec![target[0].name().to_string()],
        "{:#?}",
        s.root_causes
    );
    let refuted = &s.root_causes[0].refuted;
    let deny = refuted
        .iter()
        .find(|r| r.explanation == "deny-ignored")
        .unwrap_or_else(|| panic!("deny-ignored is not refuted: {refuted:#?}"));
    assert_eq!((deny.case.as_str(), deny.step), ("c1", 4), "{deny:?}");
    assert_eq!(
        (deny.target.as_str(), deny.model.as_str()),
        ("403 AccessDenied", "200")
    );
    assert!(s.divergences[0]
        .refuted
        .iter()
        .any(|r| r.explanation == "deny-ignored"));
    assert!(!s.divergences[0]
        .explained_by
        .iter()
        .any(|e| e == "deny-ignored"));
}

#[test]
fn two_injected_deviations_are_both_named() {
    let pair = [Deviation::MissingKey404, Deviation::AclsUnderEnforced];
    let s = analysed(&pair, 600);
    let names = named(&s).join("+");
    for d in pair {
        assert!(
            names.contains(d.name()),
            "{d} not in {names}: {:#?}",
            s.root_causes
        );
    }
}

#[test]
fn findings_nothing_explains_are_new_groups_with_a_description() {
    // A target that answers every GetObject with 200, whatever it holds: no deviation of the
    // catalogue does that.
    let mut s = analysed(&[], 50);
    assert!(s.divergences.is_empty());
    let steps = cases(5, 1).remove(0);
    let mut d = finding(
        1,
        Signature {
            class: Class::OverPermissive,
            op: "get_object".into(),
            model: "403 AccessDenied".into(),
            target: "200".into(),
            rule: "R20".into(),
        },
        &steps[..1],
        &[Observed::answer(Outcome::status(299))],
        Outcome::error(403, "AccessDenied"),
        Default::default(),
    );
    d.id = "d01-over-permissive-get_object".into();
    s.divergences.push(d);
    analyse_plain(&mut s);
    assert_eq!(s.root_causes.len(), 1, "{:#?}", s.root_causes);
    let r = &s.root_causes[0];
    assert!(r.deviation.is_none());
    let why = r.description.as_deref().unwrap_or("");
    assert!(why.contains("lets through what AWS refuses"), "{why}");
    assert!(s.divergences[0].explained_by.is_empty());
}

/// A public bucket ACL a target without Block Public Access defaults lets through (the
/// finding), and a public-ACL upload it refuses because a condition on aws:PrincipalAccount,
/// a key it does not know, never holds (where AWS refuses by Block Public Access).
fn public_acl_cases() -> (Vec<Step>, Vec<Step>) {
    let finding = steps(
        r#"[{"as": "A.admin", "op": "create_bucket", "bucket": "b1", "object_ownership": "ObjectWriter"},
            {"as": "A.admin", "op": "put_bucket_acl", "bucket": "b1", "acl": "public-read"}]"#,
    );
    let masked = steps(
        r#"[{"as": "A.admin", "op": "create_bucket", "bucket": "b2", "object_ownership": "ObjectWriter"},
            {"as": "A.admin", "op": "put_bucket_policy", "bucket": "b2", "policy": {
              "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject",
              "Resource": "arn:aws:s3:::b2/*", "Principal": "*",
              "Condition": {"StringEquals": {"aws:PrincipalAccount": "${C}"}}}]}},
            {"as": "C.admin", "op": "put_object", "bucket": "b2", "key": "k1", "acl": "public-read"}]"#,
    );
    (finding, masked)
}

#[test]
fn a_cause_masked_at_its_refuting_step_holds_with_the_mask_and_says_so() {
    // The target has no Block Public Access defaults and does not know aws:PrincipalAccount.
    // Alone, no-bpa-defaults is refuted where the target refused for the second reason.
    let (finding_case, masked_case) = public_acl_cases();
    let mask: Deviation = "key-absent-aws-principalaccount"
        .parse()
        .expect("in the catalogue");
    let target = [Deviation::NoBpaDefaults, mask];
    let mut s = simulate(&target, &[finding_case, masked_case]);
    assert_eq!(s.divergences.len(), 1, "{:#?}", s.divergences);
    analyse_plain(&mut s);
    // The evidence cannot tell no-bpa-defaults from the other ways a public ACL gets through;
    // whichever is named, it holds with the mask, and the row says where it is refuted alone.
    assert_eq!(s.root_causes.len(), 1, "{:#?}", s.root_causes);
    let row = &s.root_causes[0];
    let cause = row.deviation.clone().unwrap_or_default();
    assert!(
        [
            "no-bpa-defaults",
            "bpa-ignored",
            "block-public-acls-misses-all-users"
        ]
        .contains(&cause.as_str()),
        "{row:#?}"
    );
    assert_eq!(row.holds_with.len(), 1, "{row:#?}");
    // The mask is one under which the model refuses there as the target did: the unknown
    // condition key, or another the evidence cannot tell from it (a `*` principal ignored).
    let masks = [mask.name(), "bucket-policy-ignores-wildcard"];
    assert!(
        masks.iter().any(|m| row.holds_with[0].starts_with(&format!(
            "{m} (without it, {cause}: case c1 step 3 (put_object as C.admin)"
        ))),
        "{row:#?}"
    );
}

#[test]
fn a_row_whose_cause_the_evidence_refutes_alone_says_it_holds_with_the_rest() {
    // Two findings come from the unknown condition key alone, so the search takes it (or what
    // the evidence cannot tell from it) first; no-bpa-defaults then stands beside it, though
    // refuted alone.
    let policy = r#"{"as": "A.admin", "op": "put_bucket_policy", "bucket": "b3", "policy": {
          "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "arn:aws:s3:::b3/*",
          "Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "${C}"}}}]}}"#;
    let key_cases = [
        format!(
            r#"[{{"as": "A.admin", "op": "create_bucket", "bucket": "b3"}}, {policy},
                {{"as": "C.admin", "op": "put_object", "bucket": "b3", "key": "k2"}}]"#
        ),
        format!(
            r#"[{{"as": "A.admin", "op": "create_bucket", "bucket": "b3"}}, {policy},
                {{"as": "A.admin", "op": "put_object", "bucket": "b3", "key": "k1"}},
                {{"as": "C.admin", "op": "get_object", "bucket": "b3", "key": "k1"}}]"#
        ),
    ];
    let (finding_case, masked_case) = public_acl_cases();
    let mask: Deviation = "key-absent-aws-principalaccount"
        .parse()
        .expect("in the catalogue");
    let mut cases: Vec<Vec<Step>> = key_cases.iter().map(|c| steps(c)).collect();
    cases.extend([finding_case, masked_case]);
    let mut s = simulate(&[Deviation::NoBpaDefaults, mask], &cases);
    assert_eq!(s.divergences.len(), 3, "{:#?}", s.divergences);
    analyse_plain(&mut s);
    assert!(
        s.root_causes.iter().all(|r| r.deviation.is_some()),
        "{:#?}",
        s.root_causes
    );
    let bpa = s
        .root_causes
        .iter()
        .find(|r| r.findings.iter().any(|f| f.contains("put_bucket_acl")))
        .unwrap_or_else(|| panic!("{:#?}", s.root_causes));
    assert_eq!(bpa.holds_with.len(), 1, "{bpa:#?}");
    assert!(
        bpa.holds_with[0].contains("the rest of the causes found; without them")
            && bpa.holds_with[0].contains("case c3 step 3 (put_object as C.admin)"),
        "{bpa:#?}"
    );
}
