//! `--target aws` end to end, against `xacct serve` standing in for AWS: fresh accounts (root
//! profiles only), an IAM propagation delay, and the profiles reached through the AWS
//! configuration chain (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`) as a user's would be.
//! The seed walkthrough and a short random run answer as on the embedded target; an interrupted
//! run (SIGTERM while provisioning) cleans up; afterwards nothing is left under `/xacct/` or the
//! `xacct-` bucket prefix. Failures print one readable line, never the SDK's debug dump.
//!
//! Loopback only: the instance metadata service is switched off, and no AWS_* variable of the
//! caller's environment reaches the binary.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use xacct_harness::target::sdk::{self, Creds, EndpointConfig};

/// The propagation delay the stand-in applies in these tests.
const PROPAGATION_MS: &str = "300";

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xacct-aws-standin-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `xacct serve` as AWS: stopped when dropped.
struct Serve {
    child: Child,
    url: String,
    dir: PathBuf,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Serve {
    fn start(name: &str, propagation_ms: &str) -> Serve {
        let dir = temp_dir(name);
        let mut child = Command::new(env!("CARGO_BIN_EXE_xacct"))
            .args(["serve", "--fresh-accounts", "--format", "json"])
            .args(["--iam-propagation-ms", propagation_ms, "--config-dir"])
            .arg(&dir)
            .current_dir(repo())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start xacct serve");
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let ready: Value = serde_json::from_str(&line).expect("serve's ready line");
        let url = ready["url"].as_str().unwrap().to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        assert_eq!(ready["accounts"][0]["profiles"]["admin"], Value::Null);
        Serve { child, url, dir }
    }

    /// `xacct ARGS` with the stand-in's files as the AWS configuration, nothing else of AWS's.
    fn xacct(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_xacct"));
        c.args(args).current_dir(repo());
        aws_env(&mut c, &self.dir);
        c
    }

    /// Root keys of each account, from the credentials file serve wrote.
    fn root_creds(&self) -> Vec<Creds> {
        let text = std::fs::read_to_string(self.dir.join("credentials")).unwrap();
        let mut out = Vec::new();
        let (mut root, mut id) = (false, None);
        for line in text.lines() {
            if line.starts_with('[') {
                root = line.starts_with("[xacct-") && line.ends_with("-root]");
            }
            if let Some(v) = line.strip_prefix("aws_access_key_id = ") {
                id = Some(v.to_string());
            }
            let secret = line.strip_prefix("aws_secret_access_key = ");
            if let (true, Some(v)) = (root, secret) {
                out.push(Creds {
                    access_key_id: id.take().unwrap_or_default(),
                    secret_access_key: v.to_string(),
                    session_token: None,
                });
            }
        }
        assert_eq!(out.len(), 3, "three root profiles");
        out
    }

    /// Every user and role under `/xacct/`, and every bucket named `xacct-…`, in every account.
    fn leftovers(&self) -> Vec<String> {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let ep = EndpointConfig::single(&self.url);
        let mut out = Vec::new();
        for creds in self.root_creds() {
            let c = sdk::clients(&ep, Some(&creds));
            rt.block_on(async {
                let users = c.iam.list_users().path_prefix("/xacct/").send().await;
                for u in users.expect("ListUsers").users() {
                    out.push(format!("user {}", u.arn()));
                }
                let roles = c.iam.list_roles().path_prefix("/xacct/").send().await;
                for r in roles.expect("ListRoles").roles() {
                    out.push(format!("role {}", r.arn()));
                }
                let buckets = c.s3.list_buckets().send().await.expect("ListBuckets");
                for b in buckets.buckets().iter().filter_map(|b| b.name()) {
                    if b.starts_with("xacct-") {
                        out.push(format!("bucket {b}"));
                    }
                }
            });
        }
        out
    }
}

/// The AWS configuration of a user of the stand-in's files: profiles and endpoints from them,
/// the Region from the profile, no metadata service, no keys of the caller's.
fn aws_env(c: &mut Command, dir: &Path) {
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AWS_") {
            c.env_remove(k);
        }
    }
    c.env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("RUST_LOG");
}

/// `--target aws` with the stand-in's root profiles; IAM changes settle within a second there.
const AWS_ARGS: [&str; 11] = [
    "--target",
    "aws",
    "--aws-profile",
    "A=xacct-A-root",
    "--aws-profile",
    "B=xacct-B-root",
    "--aws-profile",
    "C=xacct-C-root",
    "--i-understand-this-uses-real-aws",
    "--aws-propagation-ms",
    "1000",
];

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// What xacct printed, checked for Rust debug dumps of SDK types.
fn no_debug_dump(o: &Output) {
    let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
    for dump in [
        "ServiceError {",
        "Unhandled",
        "ErrorMetadata",
        "SdkBody",
        "DispatchFailure(",
        "ConnectorError",
        "Some(\"",
    ] {
        assert!(!all.contains(dump), "{dump} printed:\n{all}");
    }
}

/// The target's answer to each step of each report: step, status and error code.
fn answers(report: &Value) -> Vec<(u64, String)> {
    let rows = report["reports"][0]["rows"].as_array().expect("rows");
    rows.iter()
        .map(|r| {
            let t = &r["target"];
            let o = &t["outcome"];
            let answer = match t["kind"].as_str() {
                Some("answer") => format!("{} {}", o["status"], o["code"].as_str().unwrap_or("")),
                other => format!("{other:?}: {}", t["why"]),
            };
            (r["step"].as_u64().unwrap(), answer)
        })
        .collect()
}

fn replay_json(serve: &Serve, target: &[&str]) -> Value {
    let o = serve
        .xacct(&[
            "replay",
            "scenarios/seed-example4.json",
            "--compare",
            "code",
        ])
        .args(target)
        .args(["--no-baseline", "--format", "json"])
        .output()
        .unwrap();
    no_debug_dump(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("replay's JSON")
}

#[test]
fn the_seed_walkthrough_on_aws_answers_as_on_the_embedded_target_and_leaves_nothing() {
    let serve = Serve::start("seed", PROPAGATION_MS);
    let aws = replay_json(&serve, &AWS_ARGS);
    let embedded = replay_json(&serve, &["--target", "embedded"]);
    let report = &aws["reports"][0];
    assert_eq!(report["target"], "aws");
    assert_eq!(report["interrupted"], Value::Null, "{report}");
    assert_eq!(
        report["cleanup"]["failed"],
        serde_json::json!([]),
        "{report}"
    );
    let removed = report["cleanup"]["removed"].to_string();
    assert!(removed.contains("user A.admin"), "{removed}");
    assert_eq!(answers(&aws).len(), 22);
    assert_eq!(answers(&aws), answers(&embedded));
    assert_eq!(serve.leftovers(), Vec::<String>::new());
}

#[test]
fn a_recorded_run_is_evidence_the_model_only_replay_checks() {
    let serve = Serve::start("record", PROPAGATION_MS);
    let dir = serve.dir.join("recorded");
    let o = serve
        .xacct(&[
            "replay",
            "scenarios/seed-example4.json",
            "--no-baseline",
            "--record",
        ])
        .arg(&dir)
        .args(AWS_ARGS)
        .output()
        .unwrap();
    no_debug_dump(&o);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let file = dir.join("seed-example4.json");
    let recorded: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(recorded["region"], "us-east-1");
    let stamp = recorded["description"].as_str().unwrap();
    assert!(
        stamp.starts_with("Recorded against aws in us-east-1 at 20"),
        "{stamp}"
    );
    let steps = recorded["steps"].as_array().unwrap();
    assert!(
        steps.iter().all(|s| s["expect"]["status"].is_u64()),
        "{recorded}"
    );
    assert_eq!(steps[3]["expect"]["code"], "AccessDenied", "{recorded}");
    let check = serve
        .xacct(&["replay", "--model-only"])
        .arg(&file)
        .output()
        .unwrap();
    let out = text(&check.stdout);
    assert_eq!(check.status.code(), Some(0), "{out}");
    assert!(out.contains("PASS: 22 of 22 expectations met"), "{out}");
    // Evidence that disagrees with the model fails the check.
    let mut wrong = recorded.clone();
    wrong["steps"][3]["expect"]["status"] = 200.into();
    let wrong_file = dir.join("wrong.json");
    std::fs::write(&wrong_file, wrong.to_string()).unwrap();
    let check = serve
        .xacct(&["replay", "--model-only"])
        .arg(&wrong_file)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stdout));
}

/// The summary of `xacct run --format json`, and the run's exit code.
fn random_run(serve: &Serve, target: &[&str], out: &Path) -> (Value, Option<i32>) {
    let o = serve
        .xacct(&["run", "--seed", "7", "--cases", "4", "--max-steps", "8"])
        .args(target)
        .arg("--out-dir")
        .arg(out)
        .args(["--format", "json"])
        .output()
        .unwrap();
    no_debug_dump(&o);
    let summary = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&o.stdout), text(&o.stderr)));
    (summary, o.status.code())
}

#[test]
fn a_short_random_run_on_aws_finds_what_the_embedded_target_finds_and_leaves_nothing() {
    let serve = Serve::start("run", PROPAGATION_MS);
    let (aws, aws_code) = random_run(&serve, &AWS_ARGS, &serve.dir.join("run-aws"));
    let (embedded, code) = random_run(&serve, &["--target", "embedded"], &serve.dir.join("e"));
    assert_eq!(code, Some(0), "{embedded}");
    assert_eq!(aws_code, Some(0), "{aws}");
    assert_eq!(aws["divergences"], embedded["divergences"], "{aws}");
    assert_eq!(
        (aws["cases"].as_u64(), aws["faults"].as_u64()),
        (Some(4), Some(0)),
        "{aws}"
    );
    assert_eq!(serve.leftovers(), Vec::<String>::new());
}

#[test]
fn a_run_terminated_while_provisioning_removes_what_it_made() {
    // A long delay: provisioning waits for the first admin while the signal comes.
    let serve = Serve::start("sigterm", "20000");
    let mut child = serve
        .xacct(&["-v", "replay", "scenarios/seed-example4.json"])
        .args(AWS_ARGS)
        .args(["--no-baseline", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let started = Instant::now();
    let mut log = String::new();
    while !log.contains("not usable yet") {
        assert!(started.elapsed() < Duration::from_secs(60), "{log}");
        if let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
            log.push_str(&line);
            log.push('\n');
        }
    }
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    log.extend(rx.try_iter().map(|l| l + "\n"));
    assert_eq!(o.status.code(), Some(143), "{log}");
    let out: Value = serde_json::from_slice(&o.stdout).expect("replay's JSON");
    let report = &out["reports"][0];
    let why = report["interrupted"].as_str().unwrap_or_default();
    assert!(
        why.starts_with("terminated (SIGTERM) during provisioning"),
        "{report}"
    );
    assert!(
        report["cleanup"]["removed"]
            .to_string()
            .contains("user A.admin"),
        "{report}"
    );
    assert_eq!(serve.leftovers(), Vec::<String>::new());
}

/// A profile of the stand-in's config pointing at `url`, with the given keys.
fn extra_profile(serve: &Serve, name: &str, url: &str, key: &str) {
    use std::io::Write;
    let append = |file: &str, text: String| {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(serve.dir.join(file))
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    };
    append(
        "config",
        format!("\n[profile {name}]\nregion = us-east-1\nendpoint_url = {url}\n"),
    );
    append(
        "credentials",
        format!("\n[{name}]\naws_access_key_id = {key}\naws_secret_access_key = nope\n"),
    );
}

fn failing_replay(serve: &Serve, profile_a: &str) -> String {
    let mut args = AWS_ARGS;
    args[3] = profile_a;
    let o = serve
        .xacct(&["replay", "scenarios/seed-example4.json"])
        .args(args)
        .args(["--no-baseline"])
        .output()
        .unwrap();
    no_debug_dump(&o);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    text(&o.stderr)
}

#[test]
fn failures_print_one_readable_line() {
    let serve = Serve::start("errors", "0");
    // Refused credentials.
    extra_profile(&serve, "refused", &serve.url, "AKIAUNKNOWN");
    let err = failing_replay(&serve, "A=refused");
    assert!(
        err.contains("GetCallerIdentity (profile refused): 403 InvalidClientTokenId: The security token included in the request is invalid. (request id xacct-"),
        "{err}"
    );
    // Nothing listening.
    extra_profile(&serve, "nowhere", "http://127.0.0.1:9", "AKIAUNKNOWN");
    let err = failing_replay(&serve, "A=nowhere");
    assert!(
        err.contains("GetCallerIdentity (profile nowhere): no answer: "),
        "{err}"
    );
    // A profile that does not exist.
    let err = failing_replay(&serve, "A=missing");
    assert!(err.contains("profile missing: no credentials: "), "{err}");
    assert_eq!(serve.leftovers(), Vec::<String>::new());
}

#[test]
fn an_admin_already_in_the_account_is_named_as_such() {
    let dir = temp_dir("not-fresh");
    let mut child = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .args(["serve", "--format", "json", "--config-dir"])
        .arg(&dir)
        .current_dir(repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let serve = Serve {
        child,
        url: String::new(),
        dir,
    };
    let o = serve
        .xacct(&["replay", "scenarios/seed-example4.json"])
        .args(AWS_ARGS)
        .output()
        .unwrap();
    no_debug_dump(&o);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("account A already has an IAM user named admin")
            && err.contains("--fresh-accounts")
            && err.contains("409 EntityAlreadyExists"),
        "{err}"
    );
}

/// The shell block of the README's "Against the stand-in", with `xacct` on the PATH.
fn readme_standin_block() -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let from = readme
        .find("**Against the stand-in.**")
        .expect("the README's stand-in walkthrough");
    let rest = &readme[from..];
    let start = rest.find("```sh\n").expect("its shell block") + "```sh\n".len();
    let end = rest[start..].find("```").expect("the block's end") + start;
    rest[start..end].to_string()
}

#[test]
fn the_readme_stand_in_walkthrough_runs_as_written() {
    let dir = temp_dir("readme");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_xacct"), bin.join("xacct")).unwrap();
    std::os::unix::fs::symlink(repo().join("scenarios"), dir.join("scenarios")).unwrap();
    let script = format!(
        "set -e\ntrap 'kill $(jobs -p) 2>/dev/null' EXIT\n{}",
        readme_standin_block()
    );
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut c = Command::new("bash");
    c.arg("-c").arg(&script).current_dir(&dir);
    aws_env(&mut c, &dir);
    let o = c.env("PATH", path).output().unwrap();
    no_debug_dump(&o);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", text(&o.stderr));
    assert!(out.contains("0 divergence(s)"), "{out}");
    assert!(out.contains("PASS: 22 of 22 expectations met"), "{out}");
    assert!(dir.join("out/aws-evidence/seed-example4.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_stand_in_keeps_paths_lists_by_prefix_and_delays_new_keys() {
    let serve = Serve::start("paths", "2000");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ep = EndpointConfig::single(&serve.url);
    let root = sdk::clients(&ep, Some(&serve.root_creds()[0]));
    rt.block_on(async {
        let made = root.iam.create_user().user_name("u1").path("/xacct/t1/");
        let u = made.send().await.expect("CreateUser under a path");
        let arn = u.user().map(|u| u.arn().to_string()).unwrap_or_default();
        assert_eq!(arn, "arn:aws:iam::111111111111:user/xacct/t1/u1");
        root.iam.create_user().user_name("u2").send().await.unwrap();
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/xacct/t1/u1"},"Action":"sts:AssumeRole"}]}"#;
        let role = root.iam.create_role().role_name("r1").path("/xacct/t1/");
        role.assume_role_policy_document(trust).send().await.unwrap();
        let under = root.iam.list_users().path_prefix("/xacct/").send().await;
        let names: Vec<String> = under.unwrap().users().iter().map(|u| u.arn().into()).collect();
        assert_eq!(names, ["arn:aws:iam::111111111111:user/xacct/t1/u1"]);
        let all = root.iam.list_users().send().await.unwrap();
        assert_eq!(all.users().len(), 2, "{all:?}");
        let roles = root.iam.list_roles().path_prefix("/xacct/t1/").send().await;
        assert_eq!(roles.unwrap().roles()[0].arn(), "arn:aws:iam::111111111111:role/xacct/t1/r1");
        let elsewhere = root.iam.list_roles().path_prefix("/other/").send().await;
        assert!(elsewhere.unwrap().roles().is_empty());

        // A new key works only after the delay.
        let key = root.iam.create_access_key().user_name("u1").send().await.unwrap();
        let k = key.access_key().unwrap();
        let creds = Creds {
            access_key_id: k.access_key_id().into(),
            secret_access_key: k.secret_access_key().into(),
            session_token: None,
        };
        let u1 = sdk::clients(&ep, Some(&creds));
        let early = u1.sts.get_caller_identity().send().await.unwrap_err();
        let code = early.as_service_error().and_then(|e| e.meta().code());
        assert_eq!(code, Some("InvalidClientTokenId"));
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let who = u1.sts.get_caller_identity().send().await.expect("the key works");
        assert_eq!(who.arn(), Some("arn:aws:iam::111111111111:user/xacct/t1/u1"));
        // The trust policy names u1 by its path: u1 may assume r1 once r1 has propagated.
        let arn = "arn:aws:iam::111111111111:role/xacct/t1/r1";
        let assumed = u1.sts.assume_role().role_arn(arn).role_session_name("s1");
        assumed.send().await.expect("AssumeRole of a role under a path");
    });
}
