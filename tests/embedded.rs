//! End-to-end tests over real HTTP against the embedded endpoint (the model served on
//! 127.0.0.1 by s3s and the STS/IAM query APIs), with the same SDK executor every target uses.
//! They need no external backend, so they always run.
//!
//! - the seed walkthrough and every curated scenario replay without a divergence, at the
//!   strictest comparison (owners and grants included);
//! - a random run against the unmutated endpoint finds nothing;
//! - a bounded run against mutated endpoints finds each chosen bug, shrinks it, and the shrunk
//!   scenario diverges again on a fresh endpoint with the same bug and passes on the model;
//! - what an endpoint must refuse before the model is asked (bad signatures, unknown keys,
//!   missing session tokens) is refused, in AWS's error format.

mod common;
use common::{code_of, json_files, runtime};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use xacct_endpoint::Endpoint;
use xacct_harness::compare::replay::replay_against;
use xacct_harness::compare::Level;
use xacct_harness::hunt::bench::{self, MutantBench};
use xacct_harness::hunt::{run, Quiet, RunConfig};
use xacct_harness::target::embedded::Embedded;
use xacct_harness::target::sdk::{self, Creds, EndpointConfig};
use xacct_harness::target::Target;
use xacct_model::deviation::Deviation;
use xacct_model::{Region, Scenario};

fn load(path: &PathBuf) -> Scenario {
    Scenario::from_json_str(
        &std::fs::read_to_string(path).unwrap(),
        &path.display().to_string(),
    )
    .unwrap()
}

/// The shrunk divergences found on the backends: the corpus of first divergences, and the
/// earlier recordings the catalogue of deviations cites as evidence.
const BACKEND_CORPORA: [&str; 4] = [
    "corpus/rgw",
    "corpus/moto",
    "corpus/evidence/rgw",
    "corpus/evidence/moto",
];

fn embedded(rt: &tokio::runtime::Runtime, mutant: Option<Deviation>) -> Target {
    embedded_in(rt, mutant, Region::default())
}

fn embedded_in(rt: &tokio::runtime::Runtime, mutant: Option<Deviation>, region: Region) -> Target {
    let _in_runtime = rt.enter();
    Target::Embedded(Embedded::start(mutant, region).unwrap())
}

/// Replays each file against one endpoint; returns the differences found, per file.
fn replay_files(files: &[PathBuf], mutant: Option<Deviation>) -> Vec<(String, usize, Vec<String>)> {
    let scenarios: Vec<(String, Scenario)> = files
        .iter()
        .map(|f| (f.display().to_string(), load(f)))
        .collect();
    replay_scenarios(&scenarios, mutant, Region::default())
}

/// Replays each scenario against one endpoint answering for `region`; returns the differences
/// found, per scenario.
fn replay_scenarios(
    scenarios: &[(String, Scenario)],
    mutant: Option<Deviation>,
    region: Region,
) -> Vec<(String, usize, Vec<String>)> {
    let rt = runtime();
    let mut t = embedded_in(&rt, mutant, region);
    let mut out = Vec::new();
    for (f, s) in scenarios {
        let rep = rt
            .block_on(replay_against(&mut t, f, s, Level::Full))
            .unwrap();
        assert!(rep.interrupted.is_none(), "{f}: {:?}", rep.interrupted);
        assert!(rep.cleanup.failed.is_empty(), "{:?}", rep.cleanup);
        let found = rep
            .found()
            .iter()
            .map(|d| format!("step {} {} {}: {}", d.step, d.op, d.class, d.detail))
            .collect();
        out.push((f.clone(), rep.rows.len(), found));
    }
    let leftovers = rt.block_on(t.leftovers()).unwrap().unwrap();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
    out
}

#[test]
fn seed_walkthrough_over_http_matches_the_model_step_by_step() {
    let r = replay_files(&[PathBuf::from("scenarios/seed-example4.json")], None);
    let (_, steps, found) = &r[0];
    assert_eq!(*steps, 22);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn curated_scenarios_and_the_backend_corpora_replay_without_divergence() {
    let mut files = json_files("scenarios");
    for dir in BACKEND_CORPORA {
        files.extend(json_files(dir));
    }
    assert!(files.len() >= 6 + 28 + 12, "{}", files.len());
    for (f, steps, found) in replay_files(&files, None) {
        assert!(steps > 0, "{f}");
        assert!(found.is_empty(), "{f}: {found:#?}");
    }
}

/// The same files in a second Region: CreateBucket carries eu-west-1's LocationConstraint (the
/// endpoint refuses it without), and every file that states no Region of its own passes there.
#[test]
fn curated_scenarios_and_the_backend_corpora_replay_without_divergence_in_eu_west_1() {
    let eu: Region = "eu-west-1".parse().unwrap();
    let mut files = json_files("scenarios");
    for dir in BACKEND_CORPORA {
        files.extend(json_files(dir));
    }
    let scenarios: Vec<(String, Scenario)> = files
        .iter()
        .map(|f| (f.display().to_string(), load(f)))
        .filter(|(_, s)| s.region.is_none())
        .collect();
    assert!(scenarios.len() >= 6 + 27 + 12, "{}", scenarios.len());
    for (f, steps, found) in replay_scenarios(&scenarios, None, eu) {
        assert!(steps > 0, "{f}");
        assert!(found.is_empty(), "{f}: {found:#?}");
    }
}

/// CreateBucket's Region rules over HTTP, in us-east-1 and eu-west-1: what the SDK sends and
/// the endpoint answers agree with the model step by step, and each step meets its `expect`.
#[test]
fn create_bucket_region_rules_over_http_match_the_model() {
    let create = |extra: serde_json::Value, expect: serde_json::Value| {
        let mut v = serde_json::json!({"as": "A.admin", "op": "create_bucket", "bucket": "b1", "expect": expect});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    let scenario = |region: &str, steps: Vec<serde_json::Value>| {
        let v = serde_json::json!({"name": region, "region": region, "steps": steps});
        (
            region.to_string(),
            Scenario::from_value(&v, region).unwrap(),
        )
    };
    let err = |code: &str| serde_json::json!({"status": 400, "code": code});
    let ok = serde_json::json!({"status": 200});
    let us = scenario(
        "us-east-1",
        vec![
            create(
                serde_json::json!({"location_constraint": "us-east-1"}),
                err("InvalidLocationConstraint"),
            ),
            create(
                serde_json::json!({"location_constraint": "eu-west-1"}),
                err("IllegalLocationConstraintException"),
            ),
            create(serde_json::json!({}), ok.clone()),
            create(serde_json::json!({}), ok.clone()),
        ],
    );
    let eu = scenario(
        "eu-west-1",
        vec![
            create(
                serde_json::json!({"location_constraint": null}),
                err("IllegalLocationConstraintException"),
            ),
            create(
                serde_json::json!({"location_constraint": "eu-west-2"}),
                err("IllegalLocationConstraintException"),
            ),
            create(
                serde_json::json!({"location_constraint": "mars-1"}),
                err("InvalidLocationConstraint"),
            ),
            create(serde_json::json!({"location_constraint": "EU"}), ok.clone()),
            create(
                serde_json::json!({}),
                serde_json::json!({"status": 409, "code": "BucketAlreadyOwnedByYou"}),
            ),
        ],
    );
    for (s, region) in [(us, "us-east-1"), (eu, "eu-west-1")] {
        let (_, reports) = xacct_model::replay::replay(&s.1);
        assert!(reports.iter().all(|r| r.passed()), "{region}: {reports:#?}");
        let r = replay_scenarios(&[s], None, region.parse().unwrap());
        assert!(r[0].2.is_empty(), "{region}: {:#?}", r[0].2);
    }
}

fn config(seed: u64, cases: u64, stop_after: Option<usize>) -> RunConfig {
    RunConfig {
        seed,
        cases: Some(cases),
        max_faults: None,
        max_steps: 20,
        time_budget: Some(Duration::from_secs(120)),
        level: Level::Full,
        known: BTreeSet::new(),
        max_shrink_iters: 128,
        stop_after,
        assume: Vec::new(),
    }
}

#[test]
fn a_random_run_against_the_unmutated_endpoint_finds_nothing() {
    let rt = runtime();
    let mut t = embedded(&rt, None);
    let stop = AtomicBool::new(false);
    let s = run(&mut t, &rt, &config(11, 400, None), &stop, &mut Quiet).unwrap();
    assert_eq!(s.cases, 400);
    assert!(s.steps > 2000, "only {} steps", s.steps);
    assert!(
        s.divergences.is_empty(),
        "{:#?}",
        s.divergences
            .iter()
            .map(|d| (&d.signature, &d.scenario))
            .collect::<Vec<_>>()
    );
    assert_eq!((s.faults, s.unsupported, s.reruns), (0, 0, 0));
    assert!(s.flaky.is_empty() && s.left_behind.is_empty());
    assert!(s.complete, "{:?}", s.incomplete);
    let leftovers = rt.block_on(t.leftovers()).unwrap().unwrap();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_bounded_run_finds_and_shrinks_chosen_mutants() {
    // Bugs of different kinds: policy evaluation, existence leak, ownership, BPA, STS trust.
    let chosen = [
        Deviation::DenyIgnored,
        Deviation::MissingKey404,
        Deviation::AclsUnderEnforced,
        Deviation::BpaIgnored,
        Deviation::TrustUnchecked,
    ];
    let cfg = MutantBench {
        seeds: vec![1],
        budget: Duration::from_secs(30),
        max_steps: 20,
        cases: 150,
    };
    let rt = runtime();
    let mut found = 0;
    for m in chosen {
        let row = bench::one(&rt, &[m], 1, &cfg).unwrap();
        eprintln!("{}", bench::row_line(&row));
        if !row.found {
            continue;
        }
        found += 1;
        // The catalogue lookup names the bug that was injected as the finding's root cause.
        assert!(row.names_mutant, "{m}: explained by {:?}", row.explained_by);
        assert!(
            row.also_named.is_empty(),
            "{m}: also named {:?}",
            row.also_named
        );
        let (orig, shrunk) = (row.original_steps.unwrap(), row.shrunk_steps.unwrap());
        assert!(shrunk <= orig && shrunk <= 8, "{m}: {orig} -> {shrunk}");
        let scenario: Scenario =
            Scenario::from_value(row.scenario.as_ref().unwrap(), m.name()).unwrap();
        // The shrunk scenario states the model's answer, and the model agrees with itself.
        let (_, reps) = xacct_model::replay::replay(&scenario);
        assert!(reps.iter().all(|r| r.passed()), "{m}: {reps:?}");
        // Replayed on a fresh endpoint with the same bug, it diverges at its last step; on an
        // unmutated endpoint it does not.
        let mut bad = embedded(&rt, Some(m));
        let rep = rt
            .block_on(replay_against(&mut bad, m.name(), &scenario, Level::Full))
            .unwrap();
        let last = rep.found();
        assert_eq!(
            last.iter().map(|d| d.step).collect::<Vec<_>>(),
            vec![shrunk],
            "{m}: {last:?}"
        );
        let mut good = embedded(&rt, None);
        let rep = rt
            .block_on(replay_against(&mut good, m.name(), &scenario, Level::Full))
            .unwrap();
        assert!(rep.found().is_empty(), "{m}: {:?}", rep.found());
    }
    assert!(found >= 3, "only {found} of {} mutants found", chosen.len());
}

/// A run that assumes the very deviation the endpoint has finds nothing: the model gives the
/// endpoint's answers, so the run hunts past it (what `--assume` and `--profile` are for).
#[test]
fn assuming_the_injected_deviation_leaves_nothing_to_find() {
    let rt = runtime();
    for m in [
        Deviation::DenyIgnored,
        Deviation::NoBpaDefaults,
        Deviation::MissingKey404,
    ] {
        let mut t = embedded(&rt, Some(m));
        let stop = AtomicBool::new(false);
        let mut cfg = config(3, 150, None);
        cfg.assume = vec![m];
        let s = run(&mut t, &rt, &cfg, &stop, &mut Quiet).unwrap();
        assert_eq!(s.cases, 150);
        assert_eq!(s.assumed, vec![m.name().to_string()]);
        let found: Vec<String> = s.divergences.iter().map(|d| d.signature.key()).collect();
        assert!(found.is_empty(), "{m} assumed, yet found {found:#?}");
    }
}

/// Admin credentials of account A on a fresh endpoint.
fn endpoint_with_a(rt: &tokio::runtime::Runtime) -> (Endpoint, Creds, EndpointConfig) {
    let _in_runtime = rt.enter();
    let ep = Endpoint::start(None).unwrap();
    let creds = ep.provision(&["A".to_string(), "B".to_string()]);
    let mut cfg = EndpointConfig::single(&ep.url());
    cfg.attempts = 1;
    (ep, creds["A.admin"].clone(), cfg)
}

#[test]
fn requests_with_bad_credentials_are_refused_before_the_model() {
    let rt = runtime();
    let (_ep, admin, cfg) = endpoint_with_a(&rt);
    rt.block_on(async {
        let good = sdk::clients(&cfg, Some(&admin));
        good.s3
            .create_bucket()
            .bucket("xacct-auth-b1")
            .send()
            .await
            .unwrap();

        let wrong_secret = Creds {
            secret_access_key: "not-the-secret-not-the-secret-not-the-se".into(),
            ..admin.clone()
        };
        let c = sdk::clients(&cfg, Some(&wrong_secret));
        let e = c.s3.list_buckets().send().await.unwrap_err();
        assert_eq!(code_of(&e), "SignatureDoesNotMatch");
        let e = c.iam.create_user().user_name("x").send().await.unwrap_err();
        assert_eq!(code_of(&e), "SignatureDoesNotMatch");

        let unknown = Creds {
            access_key_id: "AKIAUNKNOWNUNKNOWN00".into(),
            ..admin.clone()
        };
        let c = sdk::clients(&cfg, Some(&unknown));
        let e = c.s3.list_buckets().send().await.unwrap_err();
        assert_eq!(code_of(&e), "InvalidAccessKeyId");
        let e = c.sts.get_caller_identity().send().await.unwrap_err();
        assert_eq!(code_of(&e), "InvalidClientTokenId");

        // Unsigned requests are the anonymous principal: the model refuses this one.
        let anon = sdk::clients(&cfg, None);
        let e = anon
            .s3
            .list_objects_v2()
            .bucket("xacct-auth-b1")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&e), "AccessDenied");
    });
}

#[test]
fn iam_and_sts_answer_in_aws_format() {
    let rt = runtime();
    let (_ep, admin, cfg) = endpoint_with_a(&rt);
    rt.block_on(async {
        let c = sdk::clients(&cfg, Some(&admin));
        let id = c.sts.get_caller_identity().send().await.unwrap();
        assert_eq!(id.account(), Some("111111111111"));
        assert_eq!(id.arn(), Some("arn:aws:iam::111111111111:user/admin"));

        let u = c.iam.create_user().user_name("u1").send().await.unwrap();
        assert_eq!(u.user().unwrap().arn(), "arn:aws:iam::111111111111:user/u1");
        let e = c.iam.create_user().user_name("u1").send().await.unwrap_err();
        assert_eq!(code_of(&e), "EntityAlreadyExists");
        let e = c.iam.delete_user().user_name("nobody").send().await.unwrap_err();
        assert_eq!(code_of(&e), "NoSuchEntity");

        // A new user's key works, and is that user: it has no policy, so S3 refuses it.
        let k = c.iam.create_access_key().user_name("u1").send().await.unwrap();
        let k = k.access_key().unwrap();
        let u1 = Creds {
            access_key_id: k.access_key_id().into(),
            secret_access_key: k.secret_access_key().into(),
            session_token: None,
        };
        let cu = sdk::clients(&cfg, Some(&u1));
        let who = cu.sts.get_caller_identity().send().await.unwrap();
        assert_eq!(who.arn(), Some("arn:aws:iam::111111111111:user/u1"));
        let e = cu.s3.list_buckets().send().await.unwrap_err();
        assert_eq!(code_of(&e), "AccessDenied");
        let e = cu.iam.create_user().user_name("u2").send().await.unwrap_err();
        assert_eq!(code_of(&e), "AccessDenied");

        // A user with a key cannot be deleted; without it, it can.
        let e = c.iam.delete_user().user_name("u1").send().await.unwrap_err();
        assert_eq!(code_of(&e), "DeleteConflict");
        c.iam
            .delete_access_key()
            .user_name("u1")
            .access_key_id(&u1.access_key_id)
            .send()
            .await
            .unwrap();
        c.iam.delete_user().user_name("u1").send().await.unwrap();

        // A role session: its keys need the session token, and act as the session.
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}"#;
        c.iam
            .create_role()
            .role_name("r1")
            .assume_role_policy_document(trust)
            .send()
            .await
            .unwrap();
        let s = c
            .sts
            .assume_role()
            .role_arn("arn:aws:iam::111111111111:role/r1")
            .role_session_name("s1")
            .send()
            .await
            .unwrap();
        assert_eq!(
            s.assumed_role_user().unwrap().arn(),
            "arn:aws:sts::111111111111:assumed-role/r1/s1"
        );
        let cr = s.credentials().unwrap();
        let with_token = Creds {
            access_key_id: cr.access_key_id().into(),
            secret_access_key: cr.secret_access_key().into(),
            session_token: Some(cr.session_token().into()),
        };
        let cs = sdk::clients(&cfg, Some(&with_token));
        let who = cs.sts.get_caller_identity().send().await.unwrap();
        assert_eq!(who.arn(), Some("arn:aws:sts::111111111111:assumed-role/r1/s1"));
        let no_token = Creds {
            session_token: None,
            ..with_token
        };
        let cn = sdk::clients(&cfg, Some(&no_token));
        let e = cn.s3.list_buckets().send().await.unwrap_err();
        assert_eq!(code_of(&e), "InvalidToken");
    });
}

/// Every seeded mutant has a shrunk scenario in `corpus/mutants/<name>.json` (from `xacct
/// bench mutants`). Deterministically, over HTTP: it passes on the model, matches the
/// unmutated endpoint, and diverges from the endpoint with its mutant — at its last step, with
/// the recorded signature's class. Other mutants may fail it too: the model-only matrix in
/// `model/tests/deviations.rs` says which.
#[test]
fn each_mutant_fails_its_own_corpus_scenario_over_http() {
    let rt = runtime();
    for m in Deviation::seeded_ones() {
        let path = PathBuf::from(format!("corpus/mutants/{}.json", m.name()));
        assert!(path.exists(), "no corpus scenario for mutant {m}");
        let s = load(&path);
        let (_, reps) = xacct_model::replay::replay(&s);
        assert!(reps.iter().all(|r| r.passed()), "{m}: {reps:?}");
        let mut good = embedded(&rt, None);
        let rep = rt
            .block_on(replay_against(&mut good, m.name(), &s, Level::Full))
            .unwrap();
        assert!(
            rep.found().is_empty(),
            "{m} without the bug: {:?}",
            rep.found()
        );
        assert_last_step_diverges(&rt, m, &s, &s.description.clone().unwrap_or_default());
    }
}

/// Replayed against the endpoint with deviation `d`, scenario `s` diverges at its last step
/// only, with the class `recorded` names (`(over-permissive …` or `over-permissive …`).
fn assert_last_step_diverges(
    rt: &tokio::runtime::Runtime,
    d: Deviation,
    s: &Scenario,
    recorded: &str,
) {
    let mut bad = embedded(rt, Some(d));
    let rep = rt
        .block_on(replay_against(&mut bad, d.name(), s, Level::Full))
        .unwrap();
    let found = rep.found();
    assert_eq!(
        found.iter().map(|x| x.step).collect::<Vec<_>>(),
        vec![s.steps.len()],
        "{d}: {found:?}"
    );
    let class = found[0].class.to_string();
    assert!(
        recorded.starts_with(&format!("{class} ")) || recorded.contains(&format!("({class} ")),
        "{d}: diverges as {class}, recorded: {recorded}"
    );
}

/// An observed deviation injected with `--mutant` makes the embedded endpoint answer the
/// backend's recorded scenario as the backend did: the divergence is at the last step, of the
/// recorded class (the catalogue's single-deviation corpus files whose earlier steps the
/// deviation leaves alone).
#[test]
fn observed_deviations_reproduce_their_backend_corpus_over_http() {
    let rt = runtime();
    for (d, file) in [
        (
            Deviation::BucketNamesPerAccount,
            "corpus/evidence/rgw/d01-over-permissive-create_bucket.json",
        ),
        (
            Deviation::NoBpaDefaults,
            "corpus/evidence/rgw/d02-over-permissive-put_bucket_acl.json",
        ),
        (
            Deviation::OwnershipControlsAbsent,
            "corpus/evidence/rgw/d03-over-permissive-put_bucket_acl.json",
        ),
        (
            Deviation::BpaAnyAllowPublic,
            "corpus/evidence/rgw/d09-over-restrictive-put_bucket_policy.json",
        ),
        (
            Deviation::SessionForeignBucket404,
            "corpus/evidence/rgw/d16-wrong-error-put_object.json",
        ),
        (
            Deviation::DeleteConfig200,
            "corpus/evidence/rgw/d17-wrong-state-delete_bucket_policy.json",
        ),
        (
            Deviation::MissingKeyLookupFirst,
            "corpus/evidence/rgw/s2-d09-wrong-error-put_object_acl.json",
        ),
        (
            Deviation::CallerSideOnly,
            "corpus/evidence/moto/d01-over-permissive-put_object.json",
        ),
        (
            Deviation::DenyIgnoresPrincipal,
            "corpus/evidence/moto/d07-over-restrictive-put_object.json",
        ),
        (
            Deviation::PutBucketPolicy200,
            "corpus/evidence/moto/d12-wrong-state-put_bucket_policy.json",
        ),
    ] {
        let s = load(&PathBuf::from(file));
        assert_last_step_diverges(&rt, d, &s, &s.description.clone().unwrap_or_default());
    }
}
