//! The catalogue of deviations (`xacct_model::deviation`) against what was recorded:
//!
//! - every backend corpus file (`corpus/evidence/rgw`, `corpus/evidence/moto`) replayed with the deviations that
//!   explain it gives the target's recorded answer at its diverging step, and without any one
//!   of them does not;
//! - the replay baselines' entries (`baselines/rgw.json`, `baselines/moto.json`) the catalogue
//!   cites give the answer their reason records;
//! - each backend's profile (its deviations together) diverges from the model on the curated
//!   scenarios exactly where its baseline says, but for the entries listed as unexplained;
//! - the seeded mutants against every `corpus/mutants` file: which mutant fails which file;
//! - deviations compose, and the two that changed shape (principal-ignored,
//!   session-inherits-caller) do what they now say.

use std::collections::{BTreeMap, BTreeSet};
use xacct_model::deviation::{resolve_principal, step_with, Deviation};
use xacct_model::principal::Principal;
use xacct_model::{Outcome, Scenario, World};
use Deviation::*;

fn load(path: &str) -> Scenario {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    Scenario::from_json_str(&text, path).unwrap()
}

fn json_files(dir: &str) -> Vec<String> {
    let full = format!("{}/../{dir}", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(&full)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".json"))
        .map(|f| format!("{dir}/{f}"))
        .collect();
    files.sort();
    files
}

/// Every step's outcome with these deviations on (an error as its text).
fn outcomes(devs: &[Deviation], s: &Scenario) -> Vec<Result<Outcome, String>> {
    let mut w = s.world();
    s.steps
        .iter()
        .map(|st| {
            step_with(devs, &mut w, st)
                .map(|(o, _)| o)
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// Status and error code: what the baselines compare (`--compare code`).
type Answer = (u16, Option<String>);

fn answer(o: &Result<Outcome, String>) -> Option<Answer> {
    o.as_ref().ok().map(|o| (o.status, o.code.clone()))
}

fn ans(status: u16, code: Option<&str>) -> Answer {
    (status, code.map(str::to_string))
}

/// The target's answer a corpus file's description records: `target=STATUS [CODE] rule=`.
fn recorded_target(description: &str) -> Answer {
    let rest = description
        .split_once("target=")
        .unwrap_or_else(|| panic!("no target= in {description}"))
        .1;
    let rest = rest.split(" rule=").next().unwrap();
    let mut words = rest.split_whitespace();
    let status = words.next().unwrap().parse().unwrap();
    (status, words.next().map(str::to_string))
}

/// Which deviations give each backend corpus file the target's recorded answer at its last
/// step (the diverging one): the smallest sets found, several where several explain it.
const CORPUS: &[(&str, &[Deviation])] = &[
    (
        "rgw/d01-over-permissive-create_bucket",
        &[BucketNamesPerAccount],
    ),
    ("rgw/d02-over-permissive-put_bucket_acl", &[NoBpaDefaults]),
    (
        "rgw/d03-over-permissive-put_bucket_acl",
        &[OwnershipControlsAbsent],
    ),
    (
        "rgw/d04-over-permissive-put_bucket_policy",
        &[NoBpaDefaults],
    ),
    (
        "rgw/d06-over-permissive-put_object",
        &[OwnershipControlsAbsent],
    ),
    ("rgw/d07-over-permissive-get_object_acl", &[NoBpaDefaults]),
    ("rgw/d08-over-restrictive-put_object", &[NoBpaDefaults]),
    (
        "rgw/d09-over-restrictive-put_bucket_policy",
        &[BpaAnyAllowPublic],
    ),
    (
        "rgw/d10-wrong-error-get_object",
        &[
            NoBpaDefaults,
            OwnershipControlsAbsent,
            MissingKeyLookupFirst,
        ],
    ),
    ("rgw/d10-wrong-error-get_object", &[MissingKey404]),
    ("rgw/d11-wrong-error-put_object", &[OwnershipControlsAbsent]),
    (
        "rgw/d12-wrong-error-put_object_acl",
        &[OwnershipControlsAbsent],
    ),
    (
        "rgw/d13-over-restrictive-create_bucket",
        &[OwnershipControlsAbsent, NoBpaDefaults, RecreateAclConflict],
    ),
    (
        "rgw/d14-wrong-error-put_object_acl",
        &[OwnershipControlsAbsent],
    ),
    ("rgw/d15-wrong-error-head_object", &[MissingKeyLookupFirst]),
    ("rgw/d15-wrong-error-head_object", &[AbsentKeyFalse]),
    ("rgw/d15-wrong-error-head_object", &[MissingKey404]),
    ("rgw/d16-wrong-error-put_object", &[SessionForeignBucket404]),
    (
        "rgw/d17-wrong-state-delete_bucket_policy",
        &[DeleteConfig200],
    ),
    ("rgw/s2-d01-over-permissive-put_object", &[NoBpaDefaults]),
    (
        "rgw/s2-d02-over-permissive-head_object",
        &[OwnershipControlsAbsent],
    ),
    (
        "rgw/s2-d03-over-permissive-get_object",
        &[OwnershipControlsAbsent],
    ),
    (
        "rgw/s2-d04-over-permissive-list_objects",
        &[OwnershipControlsAbsent, NoBpaDefaults],
    ),
    (
        "rgw/s2-d05-over-permissive-get_object",
        &[OwnershipControlsAbsent],
    ),
    (
        "rgw/s2-d06-over-restrictive-get_object",
        &[NoBpaDefaults, NotPrincipalAccountExempts],
    ),
    (
        "rgw/s2-d07-over-restrictive-put_object",
        &[BucketNamesPerAccount],
    ),
    (
        "rgw/s2-d07-wrong-error-get_object",
        &[BucketNamesPerAccount],
    ),
    (
        "rgw/s2-d08-wrong-error-put_bucket_acl",
        &[BucketNamesPerAccount, OwnershipControlsAbsent],
    ),
    (
        "rgw/s2-d09-wrong-error-put_object_acl",
        &[MissingKeyLookupFirst],
    ),
    (
        "rgw/s2-d10-wrong-error-get_object_acl",
        &[BucketNamesPerAccount],
    ),
    (
        "rgw/s2-d11-wrong-error-head_object",
        &[
            NoBpaDefaults,
            OwnershipControlsAbsent,
            MissingKeyLookupFirst,
        ],
    ),
    ("rgw/s2-d11-wrong-error-head_object", &[MissingKey404]),
    ("moto/d01-over-permissive-put_object", &[CallerSideOnly]),
    ("moto/d02-over-permissive-put_object", &[AclsUnderEnforced]),
    (
        "moto/d03-over-permissive-put_object_acl",
        &[AclsUnderEnforced],
    ),
    ("moto/d04-over-permissive-delete_object", &[CallerSideOnly]),
    ("moto/d05-over-permissive-list_objects", &[CallerSideOnly]),
    (
        "moto/d06-over-permissive-put_bucket_policy",
        &[NoBpaDefaults, PutBucketPolicy200],
    ),
    (
        "moto/d07-over-restrictive-put_object",
        &[DenyIgnoresPrincipal],
    ),
    ("moto/d08-wrong-error-head_object", &[CallerSideOnly]),
    ("moto/d08-wrong-error-head_object", &[MissingKey404]),
    ("moto/d09-wrong-error-get_object_acl", &[CallerSideOnly]),
    ("moto/d10-wrong-error-get_object", &[CallerSideOnly]),
    ("moto/d10-wrong-error-get_object", &[MissingKey404]),
    ("moto/d11-wrong-error-put_object_acl", &[AclsUnderEnforced]),
    (
        "moto/d12-wrong-state-put_bucket_policy",
        &[PutBucketPolicy200],
    ),
];

/// With its deviations, each corpus file's last step gives the target's recorded answer;
/// without any one of them it does not; without all it passes on the model.
#[test]
fn corpus_files_replay_as_their_backend_answered() {
    for (file, devs) in CORPUS {
        let s = load(&format!("corpus/evidence/{file}.json"));
        let last = s.steps.len() - 1;
        let target = recorded_target(s.description.as_deref().unwrap_or_default());
        let (_, reps) = xacct_model::replay::replay(&s);
        assert!(reps.iter().all(|r| r.passed()), "{file}: {reps:?}");
        let got = answer(&outcomes(devs, &s)[last]);
        assert_eq!(got.as_ref(), Some(&target), "{file} with {devs:?}");
        for d in *devs {
            let without: Vec<Deviation> = devs.iter().copied().filter(|x| x != d).collect();
            let got = answer(&outcomes(&without, &s)[last]);
            assert_ne!(got.as_ref(), Some(&target), "{file}: {d} is not needed");
        }
    }
    // Every corpus file is explained.
    let explained: BTreeSet<String> = CORPUS
        .iter()
        .map(|(f, _)| format!("corpus/evidence/{f}.json"))
        .collect();
    for dir in ["corpus/evidence/rgw", "corpus/evidence/moto"] {
        for f in json_files(dir) {
            assert!(explained.contains(&f), "{f} has no deviation in CORPUS");
        }
    }
}

/// A replay baseline's entry and the answer its reason records.
struct Recorded {
    scenario: &'static str,
    step: usize,
    devs: &'static [Deviation],
    answer: (u16, Option<&'static str>),
}

const fn rec(
    scenario: &'static str,
    step: usize,
    devs: &'static [Deviation],
    answer: (u16, Option<&'static str>),
) -> Recorded {
    Recorded {
        scenario,
        step,
        devs,
        answer,
    }
}

/// Entries of `baselines/rgw.json` (Ceph RGW 16.2.15) and `baselines/moto.json` (moto 5.2.5)
/// the catalogue cites as evidence, with the answer each entry's reason records.
const BASELINE_ENTRIES: &[Recorded] = &[
    // rgw
    rec("assume-role", 7, &[AssumeIgnoresIdentity], (200, None)),
    rec("seed-example4", 11, &[AssumeIgnoresIdentity], (200, None)),
    rec("seed-example4", 4, &[AbsentKeyFalse], (200, None)),
    rec("block-public-access", 3, &[NoBpaDefaults], (200, None)),
    rec("block-public-access", 4, &[NoBpaDefaults], (204, None)),
    rec("block-public-access", 10, &[DeleteConfig200], (200, None)),
    rec(
        "block-public-access",
        11,
        &[PabMissingAnswers200],
        (200, None),
    ),
    rec(
        "block-public-access",
        20,
        &[RestrictPublicBucketsIgnored],
        (200, None),
    ),
    rec(
        "bucket-policy-management",
        13,
        &[ExpectedOwnerIgnored],
        (200, None),
    ),
    rec(
        "bucket-policy-management",
        14,
        &[ExpectedOwnerIgnored],
        (200, None),
    ),
    rec("ownership-toggle", 4, &[OwnerControlsForeign], (200, None)),
    rec("ownership-toggle", 12, &[OwnerControlsForeign], (200, None)),
    rec("ownership-toggle", 4, &[OwnerReadsForeign], (200, None)),
    rec(
        "ownership-toggle",
        10,
        &[OwnershipControlsAbsent, OwnerControlsForeign],
        (200, None),
    ),
    rec(
        "grants-and-sessions",
        13,
        &[SessionForeignBucket404],
        (404, Some("NoSuchBucket")),
    ),
    rec(
        "grants-and-sessions",
        18,
        &[SessionForeignBucket404],
        (404, Some("NoSuchBucket")),
    ),
    // moto
    rec("assume-role", 10, &[TrustUnchecked], (200, None)),
    rec("assume-role", 19, &[SessionPolicyIgnored], (200, None)),
    rec(
        "grants-and-sessions",
        18,
        &[SessionPolicyIgnored],
        (200, None),
    ),
    rec(
        "block-public-access",
        2,
        &[NoBpaDefaults],
        (404, Some("NoSuchPublicAccessBlockConfiguration")),
    ),
    rec("block-public-access", 3, &[BpaIgnored], (200, None)),
    rec(
        "block-public-access",
        4,
        &[BpaIgnored, PutBucketPolicy200],
        (200, None),
    ),
    rec(
        "bucket-policy-management",
        8,
        &[DenyIgnoresPrincipal],
        (200, None),
    ),
    rec("seed-example4", 4, &[DenyIgnoresPrincipal], (403, None)),
    rec("seed-example4", 9, &[DenyIgnoresPrincipal], (403, None)),
    rec(
        "seed-example4",
        19,
        &[CallerSideOnly],
        (404, Some("NoSuchKey")),
    ),
    rec("grants-and-sessions", 13, &[CallerSideOnly], (200, None)),
    rec("grants-and-sessions", 16, &[CallerSideOnly], (200, None)),
    rec("ownership-toggle", 4, &[CallerSideOnly], (200, None)),
    rec("ownership-toggle", 12, &[CallerSideOnly], (200, None)),
];

#[test]
fn baseline_entries_replay_as_their_backend_answered() {
    for r in BASELINE_ENTRIES {
        let s = load(&format!("scenarios/{}.json", r.scenario));
        let want = ans(r.answer.0, r.answer.1);
        let at = r.step - 1;
        let got = answer(&outcomes(r.devs, &s)[at]);
        assert_eq!(got.as_ref(), Some(&want), "{} step {}", r.scenario, r.step);
        for d in r.devs {
            let without: Vec<Deviation> = r.devs.iter().copied().filter(|x| x != d).collect();
            let got = answer(&outcomes(&without, &s)[at]);
            assert_ne!(
                got.as_ref(),
                Some(&want),
                "{} step {}: {d}",
                r.scenario,
                r.step
            );
        }
    }
}

/// Every observed deviation is evidenced by a corpus file or a baseline entry it reproduces.
#[test]
fn every_observed_deviation_reproduces_a_record() {
    let used: BTreeSet<Deviation> = CORPUS
        .iter()
        .flat_map(|(_, d)| d.iter().copied())
        .chain(BASELINE_ENTRIES.iter().flat_map(|r| r.devs.iter().copied()))
        .collect();
    let recorded = |d: &&Deviation| d.recorded_on("rgw") || d.recorded_on("moto");
    for d in Deviation::all().iter().filter(recorded) {
        assert!(used.contains(d), "{d} reproduces no record");
    }
}

/// A backend: its deviations together, the steps its target cannot run (skipped there, so
/// never recorded), and the baseline entries no deviation explains.
struct Profile {
    baseline: &'static str,
    devs: &'static [Deviation],
    skipped: fn(&xacct_model::Step) -> bool,
    unexplained: &'static [(&'static str, usize)],
}

const RGW: Profile = Profile {
    baseline: "baselines/rgw.json",
    devs: &[
        NoBpaDefaults,
        OwnershipControlsAbsent,
        BucketNamesPerAccount,
        RecreateAclConflict,
        BpaAnyAllowPublic,
        RestrictPublicBucketsIgnored,
        NotPrincipalAccountExempts,
        OwnerControlsForeign,
        SessionForeignBucket404,
        MissingKeyLookupFirst,
        ExpectedOwnerIgnored,
        DeleteConfig200,
        PabMissingAnswers200,
        AbsentKeyFalse,
        AssumeIgnoresIdentity,
    ],
    // RGW tenants have no root; xacct sends no ownership controls to RGW 16.
    skipped: |s| {
        s.as_.ends_with(".root")
            || matches!(
                s.op,
                xacct_model::Op::PutBucketOwnershipControls { .. }
                    | xacct_model::Op::GetBucketOwnershipControls { .. }
                    | xacct_model::Op::DeleteBucketOwnershipControls { .. }
            )
    },
    unexplained: &[
        // Error codes of STS: NoSuchEntity for a missing role, InvalidArgument for a bad
        // session name.
        ("assume-role", 11),
        ("assume-role", 12),
        // Policy validation: object actions on the bucket ARN, a principal that does not
        // exist — accepted (MalformedPolicy on AWS).
        ("bucket-policy-management", 3),
        ("bucket-policy-management", 4),
        // GetBucketPolicy by another tenant the policy allows: 200 (AWS: 405).
        ("bucket-policy-management", 7),
        // A Deny conditioned on aws:PrincipalAccount does not apply (key not evaluated).
        ("bucket-policy-management", 8),
        // Follows from root steps RGW cannot run.
        ("bucket-policy-management", 12),
        // Canonical ids are per RGW user: a mapping of xacct's, not a rule.
        ("grants-and-sessions", 8),
        // An identity policy naming another tenant's role is refused (400).
        ("seed-example4", 12),
        // The object's owner cannot read its object in another tenant's bucket.
        ("seed-example4", 20),
    ],
};

const MOTO: Profile = Profile {
    baseline: "baselines/moto.json",
    devs: &[
        CallerSideOnly,
        DenyIgnoresPrincipal,
        PutBucketPolicy200,
        NoBpaDefaults,
        AclsUnderEnforced,
        BpaIgnored,
        SessionPolicyIgnored,
        TrustUnchecked,
        ExpectedOwnerIgnored,
    ],
    // moto has no root credentials and answers unsigned requests with 500.
    skipped: |s| s.as_.ends_with(".root") || s.as_ == "anon",
    unexplained: &[
        // Same-account trust: a trust policy naming the user still needs its identity allow;
        // one naming the account is not honoured.
        ("assume-role", 6),
        ("assume-role", 8),
        // AssumeRole of a missing role succeeds; RoleSessionName is not validated.
        ("assume-role", 11),
        ("assume-role", 12),
        // Policy validation (as on RGW).
        ("bucket-policy-management", 3),
        ("bucket-policy-management", 4),
        // GetBucketPolicy by another account the policy allows: 200 (AWS: 405).
        ("bucket-policy-management", 7),
        // Follows from root steps moto cannot run.
        ("bucket-policy-management", 12),
    ],
};

/// The steps of each scenario a baseline records as divergent.
fn baseline_steps(path: &str) -> BTreeMap<String, BTreeSet<usize>> {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(full).unwrap()).unwrap();
    let mut out: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for d in v["divergences"].as_array().unwrap() {
        let scenario = d["scenario"].as_str().unwrap().to_string();
        let step = d["step"].as_u64().unwrap() as usize;
        out.entry(scenario).or_default().insert(step);
    }
    out
}

/// With all of a backend's deviations on, the model diverges from itself (status or code) on
/// the curated scenarios exactly at the steps the backend's baseline records, but for the
/// entries no deviation explains and the steps the backend cannot run.
#[test]
fn backend_profiles_diverge_where_their_baselines_say() {
    for p in [&RGW, &MOTO] {
        let recorded = baseline_steps(p.baseline);
        for file in json_files("scenarios") {
            let s = load(&file);
            let name = file
                .trim_start_matches("scenarios/")
                .trim_end_matches(".json");
            let (model, with) = (outcomes(&[], &s), outcomes(p.devs, &s));
            let diverging: BTreeSet<usize> = (0..s.steps.len())
                .filter(|&i| !(p.skipped)(&s.steps[i]))
                .filter(|&i| answer(&model[i]) != answer(&with[i]))
                .map(|i| i + 1)
                .collect();
            let expected: BTreeSet<usize> = recorded
                .get(name)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|step| !p.unexplained.contains(&(name, *step)))
                .collect();
            assert_eq!(diverging, expected, "{} on {name}", p.baseline);
        }
    }
}

/// Which seeded mutants change some outcome of each `corpus/mutants` file (model only, the
/// full outcome compared).
fn mutant_matrix() -> BTreeMap<String, Vec<&'static str>> {
    let mut out = BTreeMap::new();
    for file in json_files("corpus/mutants") {
        let s = load(&file);
        let model = outcomes(&[], &s);
        let failing: Vec<&'static str> = Deviation::seeded_ones()
            .filter(|m| outcomes(&[*m], &s) != model)
            .map(|m| m.name())
            .collect();
        let name = file
            .trim_start_matches("corpus/mutants/")
            .trim_end_matches(".json");
        out.insert(name.to_string(), failing);
    }
    out
}

/// Every seeded mutant against every mutant's scenario. Each file is failed by its own mutant,
/// at its last step (over HTTP, `tests/embedded.rs`, at that step only: an earlier difference
/// in the owner PutObject records is not in the HTTP answer); the others that fail it are
/// listed.
#[test]
fn every_mutant_against_every_mutant_scenario() {
    let want: BTreeMap<String, Vec<&str>> = [
        (
            "absent-key-false",
            vec!["deny-ignored", "absent-key-false", "missing-key-404"],
        ),
        ("acls-under-enforced", vec!["acls-under-enforced"]),
        ("assume-ignores-identity", vec!["assume-ignores-identity"]),
        ("bpa-ignored", vec!["bpa-ignored"]),
        ("cross-account-one-side", vec!["cross-account-one-side"]),
        ("deny-ignored", vec!["deny-ignored", "missing-key-404"]),
        ("enforced-keeps-uploader", vec!["enforced-keeps-uploader"]),
        ("missing-key-404", vec!["missing-key-404"]),
        (
            "owner-reads-foreign",
            vec!["absent-key-false", "owner-reads-foreign"],
        ),
        ("preferred-ignores-bofc", vec!["preferred-ignores-bofc"]),
        ("principal-ignored", vec!["principal-ignored"]),
        ("session-inherits-caller", vec!["session-inherits-caller"]),
        ("trust-unchecked", vec!["trust-unchecked"]),
    ]
    .into_iter()
    .map(|(f, m)| (f.to_string(), m))
    .collect();
    assert_eq!(mutant_matrix(), want);
    for m in Deviation::seeded_ones() {
        let s = load(&format!("corpus/mutants/{}.json", m.name()));
        let (model, with) = (outcomes(&[], &s), outcomes(&[m], &s));
        let steps: Vec<usize> = (0..s.steps.len())
            .filter(|&i| model[i] != with[i])
            .map(|i| i + 1)
            .collect();
        assert!(steps.contains(&s.steps.len()), "{m}: {steps:?}");
    }
}

/// Any pair of the historical deviations composes: every corpus file replays without a step
/// error the model does not have, the same whatever order the pair is given in (the families
/// compose in tests/catalogue.rs).
#[test]
fn pairs_of_deviations_compose() {
    let mut files = json_files("corpus/mutants");
    files.extend(json_files("corpus/evidence/rgw"));
    files.extend(json_files("corpus/evidence/moto"));
    let scenarios: Vec<(Scenario, Vec<Result<Outcome, String>>)> = files
        .iter()
        .map(|f| load(f))
        .map(|s| {
            let model = outcomes(&[], &s);
            (s, model)
        })
        .collect();
    let all = &Deviation::all()[..30];
    for (i, a) in all.iter().enumerate() {
        for b in &all[i..] {
            for (s, model) in &scenarios {
                let ab = outcomes(&[*a, *b], s);
                assert_eq!(ab, outcomes(&[*b, *a, *b], s), "{a} {b} on {:?}", s.name);
                for (x, m) in ab.iter().zip(model) {
                    assert_eq!(x.is_err(), m.is_err(), "{a} {b} on {:?}: {x:?}", s.name);
                }
            }
        }
    }
}

/// session-inherits-caller: the model records who assumed a role; the deviation resolves the
/// session (a chained one too) as that principal, in a step and for the endpoint's calls
/// outside the model.
#[test]
fn sessions_record_their_source_and_may_act_as_it() {
    let s = load("corpus/mutants/session-inherits-caller.json");
    let mut w = s.world();
    for st in &s.steps[..3] {
        step_with(&[], &mut w, st).unwrap();
    }
    assert_eq!(w.sessions["s3"].source, "A.admin");
    assert!(matches!(
        resolve_principal(&[], &w, "s3"),
        Ok(Principal::Session { .. })
    ));
    let as_source = resolve_principal(&[SessionInheritsCaller], &w, "s3").unwrap();
    assert_eq!(as_source.scenario_name(), "A.admin");
    // A session assumed by a session: its source is that session, which acts as A.admin.
    let mut chained = w.clone();
    chained.sessions.insert(
        "s4".into(),
        xacct_model::world::Session {
            source: "s3".into(),
            ..w.sessions["s3"].clone()
        },
    );
    let p = resolve_principal(&[SessionInheritsCaller], &chained, "s4").unwrap();
    assert_eq!(p.scenario_name(), "A.admin");
    let model = outcomes(&[], &s);
    let with = outcomes(&[SessionInheritsCaller], &s);
    assert_eq!(answer(&model[3]), Some(ans(403, Some("AccessDenied"))));
    assert_eq!(answer(&with[3]), Some(ans(200, None)));
}

/// principal-ignored: a statement names whoever asks, at request time; the stored document is
/// the one sent, so the policy is not public, RestrictPublicBuckets does not hide the bug, and
/// a cross-account caller the policy does not name is let in (over-permissive).
#[test]
fn principal_ignored_shows_as_over_permissive() {
    let s = load("corpus/mutants/principal-ignored.json");
    let mut w = s.world();
    let mut last = None;
    for st in &s.steps {
        last = Some(step_with(&[PrincipalIgnored], &mut w, st).unwrap().0);
    }
    let b = w.buckets.values().next().unwrap();
    let policy = b.policy.as_ref().unwrap();
    assert!(!policy.is_public());
    let b_id = w.id_of(&xacct_model::world::AccountName("B".into()));
    assert_eq!(policy.document["Statement"][0]["Principal"]["AWS"], b_id);
    let pab = b.public_access_block.unwrap();
    assert!(pab.restrict_public_buckets && pab.block_public_policy);
    assert_eq!(last.map(|o| o.status), Some(200));
    // The model refuses the same step.
    let model = outcomes(&[], &s);
    assert_eq!(
        answer(model.last().unwrap()),
        Some(ans(403, Some("AccessDenied")))
    );
}

/// Repeats and order do not matter; no deviation is the model itself.
#[test]
fn the_fold_follows_the_catalogue() {
    let s = load("scenarios/seed-example4.json");
    assert_eq!(outcomes(&[], &s), {
        let mut w: World = s.world();
        s.steps
            .iter()
            .map(|st| {
                xacct_model::step(&mut w, st)
                    .map(|(o, _)| o)
                    .map_err(|e| e.to_string())
            })
            .collect::<Vec<_>>()
    });
    let moto = MOTO.devs;
    let mut reversed = moto.to_vec();
    reversed.reverse();
    assert_eq!(outcomes(moto, &s), outcomes(&reversed, &s));
}

/// missing-key-lookup-first answers HEAD without an error code, as every HEAD; and it leaves
/// alone a bucket the caller cannot see at all (session-foreign-bucket-404 composed with it).
#[test]
fn missing_key_lookup_first_keeps_head_codeless_and_unseen_buckets_unseen() {
    let s = Scenario::from_json_str(
        r#"{"name": "head", "steps": [
            {"as": "A.admin", "op": "create_bucket", "bucket": "b3"},
            {"as": "B.admin", "op": "head_object", "bucket": "b3", "key": "k1"}
        ]}"#,
        "head",
    )
    .unwrap();
    let last = outcomes(&[MissingKeyLookupFirst], &s)
        .pop()
        .unwrap()
        .unwrap();
    assert_eq!((last.status, last.code), (403, None));
    let s = Scenario::from_json_str(
        r#"{"name": "session", "steps": [
            {"as": "A.admin", "op": "create_bucket", "bucket": "b1"},
            {"as": "B.admin", "op": "create_role", "name": "r2",
             "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
               "Principal": {"AWS": "arn:aws:iam::${B}:user/admin"}, "Action": "sts:AssumeRole"}]}},
            {"as": "B.admin", "op": "assume_role", "role_arn": "arn:aws:iam::${B}:role/r2",
             "session_name": "xacct-s3", "as_name": "s3"},
            {"as": "s3", "op": "get_object_acl", "bucket": "b1", "key": "k1"}
        ]}"#,
        "session",
    )
    .unwrap();
    let devs = [SessionForeignBucket404, MissingKeyLookupFirst];
    let last = outcomes(&devs, &s).pop().unwrap().unwrap();
    assert_eq!(
        (last.status, last.code.as_deref()),
        (404, Some("NoSuchBucket"))
    );
}
