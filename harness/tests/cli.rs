//! The `xacct` binary as a user runs it: exit codes, error messages naming file/step/field,
//! JSON output.
use std::path::PathBuf;
use std::process::{Command, Output};

fn xacct(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xacct"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("run xacct")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn temp_file(name: &str, body: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xacct-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

#[test]
fn replay_model_only_passes_the_seed_and_prints_a_table() {
    let o = xacct(&["replay", "scenarios/seed-example4.json", "--model-only"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", text(&o.stderr));
    assert!(out.contains("PASS: 22 of 22 expectations met"), "{out}");
    assert!(out.contains("dave-in-A  get_object_acl"), "{out}");
}

#[test]
fn replay_exits_1_on_a_mismatch_and_names_it() {
    let f = temp_file(
        "mismatch.json",
        r#"{"name": "m", "steps": [
            {"as": "A.admin", "op": "create_bucket", "bucket": "b1", "expect": {"status": 200}},
            {"as": "B.admin", "op": "get_object", "bucket": "b1", "key": "k", "expect": {"status": 404}}]}"#,
    );
    let o = xacct(&["replay", f.to_str().unwrap(), "--model-only"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("MISMATCH status: expected 404, got 403"),
        "{out}"
    );
    assert!(out.contains("FAIL: 1 of 2"), "{out}");
}

#[test]
fn bad_files_exit_2_with_file_step_and_field() {
    let f = temp_file(
        "typo.json",
        r#"{"name": "t", "steps": [{"as": "A.admin", "op": "create_bucket", "bucket": "b1"},
            {"as": "A.admin", "op": "put_object", "bucket": "b1", "key": "k", "acll": "private"}]}"#,
    );
    let o = xacct(&["replay", f.to_str().unwrap(), "--model-only"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("typo.json: step 2 (put_object): unknown field `acll`"),
        "{err}"
    );
    let o = xacct(&["explain", "does/not/exist.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("cannot read scenario file does/not/exist.json"));
}

#[test]
fn replay_without_a_target_uses_the_embedded_endpoint() {
    let o = xacct(&["replay", "scenarios/seed-example4.json"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", text(&o.stderr));
    assert!(
        out.contains("seed-example4 against embedded (compare: Full)"),
        "{out}"
    );
    assert!(out.contains("0 divergence(s)"), "{out}");
    // A mutant is for the embedded endpoint only.
    let o = xacct(&[
        "replay",
        "scenarios/seed-example4.json",
        "--target",
        "moto",
        "--mutant",
        "deny-ignored",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--mutant injects a bug into the embedded endpoint"));
}

#[test]
fn explain_shows_rules_and_json_is_parseable() {
    let o = xacct(&["explain", "scenarios/seed-example4.json"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        out.contains("step 4: B.admin put_object → 403 AccessDenied"),
        "{out}"
    );
    assert!(
        out.contains("[R22] explicit Deny in bucket policy statement Sid \"112\""),
        "{out}"
    );
    // Ids are shown as placeholders, never raw.
    assert!(!out.contains("111111111111"), "{out}");
    let o = xacct(&["explain", "scenarios/seed-example4.json", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["steps"].as_array().unwrap().len(), 22);
    assert_eq!(v["steps"][3]["outcome"]["status"], 403);
    let o = xacct(&[
        "replay",
        "scenarios/seed-example4.json",
        "--model-only",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["passed"], true);
}

#[test]
fn decisions_and_rules_print() {
    let o = xacct(&["decisions"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        out.contains("### ObjectWriter, object written by B"),
        "{out}"
    );
    assert!(out.contains("| owner root | 403 AccessDenied R16"), "{out}");
    let o = xacct(&["rules"]);
    assert!(text(&o.stdout).contains("R20"));
}

/// `--region` sets the Region of scenarios that state none (`--aws-region` is its alias); a
/// scenario stating another is refused with exit 2; against a target, the Region the files
/// state is the run's.
#[test]
fn region_flag_sets_unstated_regions_and_refuses_conflicts() {
    let recreate = |region: &str, status: u16| {
        let region = if region.is_empty() {
            String::new()
        } else {
            format!(r#""region": "{region}","#)
        };
        format!(
            r#"{{"name": "r", {region} "steps": [
            {{"as": "A.admin", "op": "create_bucket", "bucket": "b1"}},
            {{"as": "A.admin", "op": "create_bucket", "bucket": "b1", "expect": {{"status": {status}}}}}]}}"#
        )
    };
    let unstated_409 = temp_file("unstated-409.json", &recreate("", 409));
    let unstated_409 = unstated_409.to_str().unwrap();
    // us-east-1 by default: the re-create answers 200, so expecting 409 fails.
    let o = xacct(&["replay", unstated_409, "--model-only"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    for flag in ["--region", "--aws-region"] {
        let o = xacct(&["replay", unstated_409, "--model-only", flag, "eu-west-1"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{flag}: {}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
    }
    let stated = temp_file("stated-eu.json", &recreate("eu-west-1", 409));
    let stated = stated.to_str().unwrap();
    let o = xacct(&["replay", stated, "--model-only"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let o = xacct(&["replay", stated, "--model-only", "--region", "us-east-1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("states region eu-west-1"),
        "{}",
        text(&o.stderr)
    );
    // Against the embedded endpoint the stated Region is the run's.
    let o = xacct(&["replay", stated]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let o = xacct(&["replay", unstated_409, "--region", "mars-1", "--model-only"]);
    assert_eq!(o.status.code(), Some(2));
    let o = xacct(&[
        "replay",
        stated,
        "--target",
        "moto",
        "--region",
        "eu-west-1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("us-east-1 only"),
        "{}",
        text(&o.stderr)
    );
}
