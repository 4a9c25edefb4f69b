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

/// `xacct deviations` lists the catalogue: every deviation with its severity, kind,
/// description and evidence; as JSON, one object each.
#[test]
fn deviations_list_the_catalogue() {
    let o = xacct(&["deviations"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for d in xacct_model::deviation::Deviation::all() {
        assert!(out.contains(d.name()), "{d} missing: {out}");
        assert!(out.contains(d.evidence()), "{d}'s evidence missing");
    }
    assert!(out.contains("no-bpa-defaults"), "{out}");
    let o = xacct(&["deviations", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), xacct_model::deviation::Deviation::all().len());
    let first = &list[0];
    assert_eq!(first["name"], "deny-ignored");
    assert_eq!(first["severity"], "security");
    assert_eq!(first["kind"], "seeded");
    let observed = list.iter().filter(|d| d["kind"] == "observed").count();
    assert_eq!(observed, 17);
    let derived = list.iter().filter(|d| d["kind"] == "derived").count();
    assert_eq!(derived, list.len() - 30);
    assert!(list.iter().all(|d| d["family"].as_str().is_some()), "{v}");
    for d in list {
        for field in ["description", "evidence"] {
            assert!(d[field].as_str().is_some_and(|s| !s.is_empty()), "{d}");
        }
        assert!(
            matches!(d["severity"].as_str(), Some("security" | "compatibility")),
            "{d}"
        );
    }
    // --mutant takes every catalogue name, the observed ones too.
    let o = xacct(&[
        "replay",
        "corpus/evidence/moto/d12-wrong-state-put_bucket_policy.json",
        "--mutant",
        "put-bucket-policy-200",
    ]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", text(&o.stderr));
    assert!(out.contains("wrong-state"), "{out}");
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

#[test]
fn format_json_is_parseable_and_json_stays_an_alias() {
    for args in [
        &["rules", "--format", "json"][..],
        &["rules", "--json"][..],
        &["decisions", "--format", "json"][..],
        &[
            "explain",
            "scenarios/seed-example4.json",
            "--format",
            "json",
        ][..],
        &[
            "replay",
            "scenarios/seed-example4.json",
            "--model-only",
            "--format",
            "json",
        ][..],
    ] {
        let o = xacct(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", text(&o.stdout)));
        assert!(v.is_array() || v.is_object(), "{args:?}");
    }
    let o = xacct(&["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let r20 = v.as_array().unwrap().iter().find(|r| r["id"] == "R20");
    let r20 = r20.expect("R20 listed");
    assert!(
        r20["source"].as_str().is_some_and(|s| !s.is_empty()),
        "{r20}"
    );
    assert!(r20["uncertain"].is_boolean(), "{r20}");
}

#[test]
fn help_shows_env_hints_examples_and_the_new_spellings() {
    // Help wraps at the terminal's width when clap's `wrap_help` is on: compare words.
    let words = |b: &[u8]| text(b).split_whitespace().collect::<Vec<_>>().join(" ");
    let out = words(&xacct(&["replay", "--help"]).stdout);
    for s in [
        "--endpoint-url <URL>",
        "[alias: --endpoint]",
        "--region <REGION>",
        "[env: XACCT_TARGET_FILE=",
        "AWS_ENDPOINT_URL",
        "Examples:",
        "--format <FORMAT>",
        "--baseline-out <FILE>",
    ] {
        assert!(out.contains(s), "{s} not in:\n{out}");
    }
    assert!(!out.contains("--json"), "--json is hidden:\n{out}");
    let out = words(&xacct(&["bench", "mutants", "--help"]).stdout);
    assert!(out.contains("--json-out <FILE>"), "{out}");
    let out = words(&xacct(&["run", "--help"]).stdout);
    assert!(
        out.contains("--junit-out <FILE>") && out.contains("--out-dir <DIR>"),
        "{out}"
    );
    for s in [
        "--max-faults <N>",
        "Exit codes:",
        "3 the run is incomplete",
        "130 interrupted by Ctrl-C",
        "143 stopped by SIGTERM",
    ] {
        assert!(out.contains(s), "{s} not in:\n{out}");
    }
    // The old spellings still parse (`--help` after them: nothing runs).
    let o = xacct(&["bench", "mutants", "--json", "x.json", "--help"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = xacct(&["replay", "--endpoint", "http://127.0.0.1:1", "--help"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn completions_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let o = xacct(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", text(&o.stderr));
        let out = text(&o.stdout);
        for sub in ["replay", "explain", "serve", "schema", "completions"] {
            assert!(out.contains(sub), "{shell} completion lacks {sub}");
        }
    }
}

/// The scenario schema `xacct schema` prints, compiled by the `jsonschema` crate.
fn scenario_validator() -> jsonschema::Validator {
    let o = xacct(&["schema", "scenario"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(schema, xacct_harness::schema::scenario());
    jsonschema::draft202012::new(&schema).expect("a valid draft 2020-12 schema")
}

fn json_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

#[test]
fn the_schema_validates_every_scenario_and_corpus_file() {
    let v = scenario_validator();
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let mut files = vec![];
    json_files(&root.join("scenarios"), &mut files);
    json_files(&root.join("corpus"), &mut files);
    assert!(files.len() > 20, "{files:?}");
    for f in &files {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", f.display());
    }
}

#[test]
fn the_schema_rejects_what_the_parser_rejects() {
    let v = scenario_validator();
    let step = serde_json::json!({"as": "A.admin", "op": "get_object", "bucket": "b", "key": "k",
        "expected_bucket_owner": "${A}", "expect": {"status": 200}});
    let ok = serde_json::json!({"name": "s", "steps": [step]});
    assert!(v.is_valid(&ok));
    xacct_model::Scenario::from_value(&ok, "ok").unwrap();
    let mut unknown_top = ok.clone();
    unknown_top["colour"] = "red".into();
    let mut unknown_step = ok.clone();
    unknown_step["steps"][0]["colour"] = "red".into();
    let mut unknown_expect = ok.clone();
    unknown_expect["steps"][0]["expect"]["colour"] = "red".into();
    let mut no_as = ok.clone();
    no_as["steps"][0].as_object_mut().unwrap().remove("as");
    let mut unknown_op = ok.clone();
    unknown_op["steps"][0]["op"] = "get_object_colour".into();
    let owner_on_create = serde_json::json!({"name": "s", "steps": [
        {"as": "A.admin", "op": "create_bucket", "bucket": "b", "expected_bucket_owner": "${A}"}]});
    for (what, bad) in [
        ("unknown top field", unknown_top),
        ("unknown step field", unknown_step),
        ("unknown expect field", unknown_expect),
        ("no as", no_as),
        ("unknown op", unknown_op),
        ("expected_bucket_owner on create_bucket", owner_on_create),
    ] {
        assert!(!v.is_valid(&bad), "{what}: the schema accepts {bad}");
        assert!(
            xacct_model::Scenario::from_value(&bad, what).is_err(),
            "{what}: the parser accepts {bad}"
        );
    }
}

#[test]
fn the_target_schema_validates_the_documented_target_file() {
    let o = xacct(&["schema", "target"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let v = jsonschema::draft202012::new(&schema).unwrap();
    let file = r#"
name = "minio-local"
endpoint = "http://127.0.0.1:9000"
cross_addressing = "global"
[capabilities]
root = false
propagation_retries = 0
[accounts.A]
id = "111122223333"
admin = { access_key_id_env = "A_KEY", secret_access_key_env = "A_SECRET" }
"#;
    let doc: serde_json::Value = toml::from_str(file).unwrap();
    assert!(
        v.is_valid(&doc),
        "{:?}",
        v.iter_errors(&doc)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    let mut bad = doc.clone();
    bad["accounts"]["A"]["secret"] = "x".into();
    assert!(!v.is_valid(&bad));
}

/// Kills `xacct serve` when the test ends, however it ends.
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `[profile]` → (access key id, secret) from an AWS CLI credentials file.
fn credentials(path: &std::path::Path) -> std::collections::BTreeMap<String, (String, String)> {
    let mut out = std::collections::BTreeMap::new();
    let (mut name, mut id) = (String::new(), String::new());
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let line = line.trim();
        if let Some(n) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            name = n.to_string();
        } else if let Some((k, v)) = line.split_once('=') {
            match k.trim() {
                "aws_access_key_id" => id = v.trim().to_string(),
                "aws_secret_access_key" => {
                    out.insert(name.clone(), (id.clone(), v.trim().to_string()));
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn serve_json_describes_the_endpoint_and_aws_endpoint_url_reaches_the_generic_target() {
    use std::io::BufRead as _;
    let dir = std::env::temp_dir().join(format!("xacct-cli-serve-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .args(["serve", "--format", "json", "--config-dir"])
        .arg(&dir)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start xacct serve");
    let stdout = child.stdout.take().unwrap();
    let _served = Served(child);
    let mut first = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut first)
        .unwrap();
    let ready: serde_json::Value = serde_json::from_str(&first).expect(&first);
    let url = ready["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{ready}");
    let accounts = ready["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 3, "{ready}");
    assert_eq!(accounts[0]["profiles"]["admin"], "xacct-A");
    assert!(accounts[0]["canonical_id"]
        .as_str()
        .is_some_and(|c| c.len() == 64));
    let creds = credentials(std::path::Path::new(
        ready["credentials_file"].as_str().unwrap(),
    ));

    // A generic target file without `endpoint`: the endpoint comes from AWS_ENDPOINT_URL.
    let mut toml = String::from("name = \"served\"\n");
    let mut replay = Command::new(env!("CARGO_BIN_EXE_xacct"));
    for a in accounts {
        let n = a["name"].as_str().unwrap();
        toml += &format!(
            "[accounts.{n}]\nid = \"{}\"\ncanonical = \"{}\"\nadmin = {{ access_key_id_env = \"K_{n}\", secret_access_key_env = \"S_{n}\" }}\nroot = {{ access_key_id_env = \"K_{n}_ROOT\", secret_access_key_env = \"S_{n}_ROOT\" }}\n",
            a["id"].as_str().unwrap(),
            a["canonical_id"].as_str().unwrap()
        );
        let (k, s) = &creds[&format!("xacct-{n}")];
        replay.env(format!("K_{n}"), k).env(format!("S_{n}"), s);
        let (k, s) = &creds[&format!("xacct-{n}-root")];
        replay
            .env(format!("K_{n}_ROOT"), k)
            .env(format!("S_{n}_ROOT"), s);
    }
    let target = temp_file("served.toml", &toml);
    replay
        .args(["replay", "--target", "generic", "--target-file"])
        .arg(&target)
        .arg("scenarios/seed-example4.json")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env("AWS_CONFIG_FILE", dir.join("no-such-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("no-such-credentials"),
        )
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL_S3")
        .env_remove("AWS_ENDPOINT_URL_IAM")
        .env_remove("AWS_ENDPOINT_URL_STS");
    let without = replay.output().unwrap();
    assert_eq!(without.status.code(), Some(2), "{}", text(&without.stdout));
    assert!(
        text(&without.stderr).contains("no endpoint for the generic target"),
        "{}",
        text(&without.stderr)
    );
    let with = replay.env("AWS_ENDPOINT_URL", &url).output().unwrap();
    let out = text(&with.stdout);
    assert_eq!(with.status.code(), Some(0), "{out}{}", text(&with.stderr));
    assert!(out.contains("seed-example4"), "{out}");
}

/// RGW and moto take their endpoint from AWS_ENDPOINT_URL when neither the flag nor their own
/// variable names one (and no backend script is found: the command runs outside the checkout).
#[test]
fn aws_endpoint_url_names_the_moto_endpoint() {
    let dir = std::env::temp_dir().join(format!("xacct-cli-endpoint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/seed-example4.json"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .args(["replay", scenario, "--target", "moto"])
        .current_dir(&dir)
        .env_remove("XACCT_MOTO_ENDPOINT")
        .env_remove("AWS_ENDPOINT_URL_S3")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("http://127.0.0.1:9/moto-api/reset-auth"),
        "{err}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .args(["replay", scenario, "--target", "moto"])
        .current_dir(&dir)
        .env_remove("XACCT_MOTO_ENDPOINT")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("http://127.0.0.1:9/"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A run's exit code says whether it is complete: a time budget alone runs until it is spent
/// (complete, 0); one that cuts the cases asked for short is incomplete (3) and says so last.
#[test]
fn run_exit_codes_say_whether_the_run_is_complete() {
    let dir = std::env::temp_dir().join(format!("xacct-cli-run-{}", std::process::id()));
    let out_dir = |n: &str| dir.join(n).display().to_string();
    let budget_only = out_dir("budget");
    let o = xacct(&[
        "run",
        "--time-budget",
        "1",
        "--max-steps",
        "4",
        "--seed",
        "1",
        "--out-dir",
        &budget_only,
    ]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", text(&o.stderr));
    assert!(
        out.contains("\nrun complete: ") && !out.contains(" of "),
        "{out}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("budget/summary.json")).unwrap())
            .unwrap();
    assert_eq!(json["requested_cases"], serde_json::Value::Null);
    assert_eq!(
        (&json["complete"], &json["ended"]),
        (&true.into(), &"time-budget".into())
    );

    let cut_short = out_dir("short");
    let o = xacct(&[
        "run",
        "--cases",
        "1000000",
        "--time-budget",
        "1",
        "--max-steps",
        "4",
        "--seed",
        "1",
        "--out-dir",
        &cut_short,
    ]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(3), "{out}{}", text(&o.stderr));
    assert!(out.contains("\nrun incomplete:\n  - ran "), "{out}");
    assert!(
        out.ends_with(" of 1000000 cases: time budget spent\n"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Provisioning that fails is a set-up error: exit 2, naming the target and what failed.
#[test]
fn a_run_whose_provisioning_fails_exits_2_naming_what_failed() {
    let account = |a: &str, id: &str| {
        format!(
            "[accounts.{a}]\nid = \"{id}\"\ncanonical = \"c{a}\"\n\
             admin = {{ access_key_id_env = \"XACCT_CLI_TEST_UNSET_{a}\", \
             secret_access_key_env = \"XACCT_CLI_TEST_UNSET_{a}_SECRET\" }}\n"
        )
    };
    let file = temp_file(
        "unprovisionable.toml",
        &format!(
            "name = \"nowhere\"\nendpoint = \"http://127.0.0.1:1\"\nregion = \"us-east-1\"\n{}{}{}",
            account("A", "111111111111"),
            account("B", "222222222222"),
            account("C", "333333333333")
        ),
    );
    let dir = std::env::temp_dir().join(format!("xacct-cli-prov-{}", std::process::id()));
    let o = xacct(&[
        "run",
        "--target",
        "generic",
        "--target-file",
        &file.display().to_string(),
        "--cases",
        "1",
        "--out-dir",
        &dir.display().to_string(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "xacct: error: provisioning the run's accounts on nowhere: account A admin: \
                      environment variable XACCT_CLI_TEST_UNSET_A is not set"
        ),
        "{err}"
    );
    let events = std::fs::read_to_string(dir.join("events.jsonl")).unwrap();
    assert!(events.contains("\"phase\":\"provisioning\""), "{events}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// SIGINT and SIGTERM stop a run between steps; it cleans up, writes its reports (incomplete)
/// and exits 130 or 143.
#[cfg(unix)]
#[test]
fn signals_stop_a_run_which_cleans_up_reports_and_exits_130_or_143() {
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let dir =
            std::env::temp_dir().join(format!("xacct-cli-signal-{}{signal}", std::process::id()));
        let child = Command::new(env!("CARGO_BIN_EXE_xacct"))
            .args([
                "run",
                "--time-budget",
                "60",
                "--max-steps",
                "4",
                "--seed",
                "1",
            ])
            .arg("--out-dir")
            .arg(&dir)
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run xacct");
        // Cases are running once the event log has one: the signal watcher is up by then.
        let events = dir.join("events.jsonl");
        let started = std::time::Instant::now();
        while !std::fs::read_to_string(&events).is_ok_and(|e| e.contains("case_finished")) {
            assert!(started.elapsed().as_secs() < 30, "no case ran");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let kill = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(kill.success());
        let o = child.wait_with_output().expect("xacct ends");
        let out = text(&o.stdout);
        assert_eq!(o.status.code(), Some(code), "{out}{}", text(&o.stderr));
        assert!(
            out.contains("\nrun incomplete:\n  - interrupted after "),
            "{out}"
        );
        assert!(
            text(&o.stderr).contains("cleaning up"),
            "{}",
            text(&o.stderr)
        );
        let summary = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json");
        assert!(summary.contains("\"ended\": \"interrupted\""), "{summary}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A run writes the deviations it identified to a profile; a second run with that profile
/// assumes them and finds nothing the first one explained; a replay honours `--assume`.
#[test]
fn a_written_profile_lets_the_next_run_hunt_past_what_it_explains() {
    let dir = std::env::temp_dir().join(format!("xacct-cli-profile-{}", std::process::id()));
    let (first, second) = (dir.join("first"), dir.join("second"));
    let profile = dir.join("profile.toml");
    let p = profile.display().to_string();
    let run = |out: &PathBuf, extra: &[&str]| {
        let out = out.display().to_string();
        let mut args = vec![
            "run",
            "--mutant",
            "deny-ignored",
            "--seed",
            "1",
            "--cases",
            "60",
            "--out-dir",
            &out,
        ];
        args.extend_from_slice(extra);
        xacct(&args)
    };
    let o = run(&first, &["--profile-out", &p]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let written = std::fs::read_to_string(&profile).unwrap();
    assert!(written.contains("\"deny-ignored\", #"), "{written}");
    let o = run(&second, &["--profile", &p]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("assumed deviations: deny-ignored"), "{out}");
    // The first run's finding, replayed against the same bug: a divergence, unless assumed.
    let finding = std::fs::read_dir(first.join("divergences"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|f| f.extension().is_some_and(|x| x == "json"))
        .unwrap();
    let f = finding.display().to_string();
    let o = xacct(&["replay", &f, "--mutant", "deny-ignored"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let o = xacct(&[
        "replay",
        &f,
        "--mutant",
        "deny-ignored",
        "--assume",
        "deny-ignored",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    std::fs::remove_dir_all(&dir).unwrap();
}
