//! `xacct serve` used by another tool: the AWS CLI runs the seed walkthrough against it through
//! the aws-cli script `xacct awscli` writes, with the profiles `serve` wrote, and every step
//! answers as the model expects.
//!
//! Built with the feature `xacct-harness/awscli` only (scripts/test turns it on when it finds
//! the AWS CLI, and always in CI), so that without a CLI the suite is absent rather than passed.
//! Needs the AWS CLI (`aws` on PATH, or `XACCT_AWS_CLI` naming it); `.ci/run` installs it into
//! `.venv/awscli`. With the feature on, a missing CLI fails the test.
#![cfg(feature = "awscli")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The directory holding `aws`, if there is one.
fn aws_cli_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("XACCT_AWS_CLI") {
        return PathBuf::from(p).parent().map(Path::to_path_buf);
    }
    let venv = repo().join(".venv/awscli/bin");
    if venv.join("aws").exists() {
        return Some(venv);
    }
    std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).find(|d| d.join("aws").is_file()))
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_aws_cli_runs_the_seed_walkthrough_against_xacct_serve() {
    seed_walkthrough_with_the_aws_cli("us-east-1");
}

/// Outside us-east-1 the profiles name the Region, and the script's create-bucket calls carry
/// its LocationConstraint, which the endpoint requires.
#[test]
fn the_aws_cli_runs_the_seed_walkthrough_against_xacct_serve_in_eu_west_1() {
    seed_walkthrough_with_the_aws_cli("eu-west-1");
}

fn seed_walkthrough_with_the_aws_cli(region: &str) {
    let Some(aws_dir) = aws_cli_dir() else {
        panic!("the AWS CLI is not installed (.ci/run installs it into .venv/awscli; or pip install awscli, or set XACCT_AWS_CLI); build without the feature xacct-harness/awscli to leave this suite out");
    };
    let dir =
        std::env::temp_dir().join(format!("xacct-serve-test-{}-{region}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .args(["serve", "--region", region, "--config-dir"])
        .arg(&dir)
        .current_dir(repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start xacct serve");
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut url = None;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) else {
            break;
        };
        if let Some(u) = line.strip_prefix("xacct serve: the model at ") {
            url = Some(u.to_string());
        }
        if line == "ready; Ctrl-C stops" {
            break;
        }
    }
    let url = url.expect("xacct serve printed its URL");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let config = std::fs::read_to_string(dir.join("config")).unwrap();
    assert!(config.contains(&format!("region = {region}\n")), "{config}");
    let creds = std::fs::read_to_string(dir.join("credentials")).unwrap();
    assert!(creds.contains("[xacct-A-root]") && creds.contains("[xacct-C]"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("credentials"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "credentials readable by others: {mode:o}");
    }

    let script = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .args(["awscli", "scenarios/seed-example4.json"])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(script.status.success());
    let script_path = dir.join("seed.sh");
    std::fs::write(&script_path, &script.stdout).unwrap();

    let path = format!(
        "{}:{}",
        aws_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg(&script_path)
        .env("PATH", path)
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .env("XACCT_ENDPOINT_URL", &url)
        .env("XACCT_IAM_SLEEP", "0")
        .env("XACCT_BUCKET_PREFIX", "xacct-serve-test-")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("22 steps as expected, 0 different, 0 not run"),
        "{stdout}\n{stderr}"
    );
    assert!(!stdout.contains("left behind"), "{stdout}");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_lists_its_mutants() {
    let o = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .args(["serve", "--list-mutants"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    for name in [
        "deny-ignored",
        "missing-key-404",
        "session-inherits-caller",
        "bpa-ignored",
        "no-bpa-defaults",
        "caller-side-only",
    ] {
        assert!(text.contains(name), "{text}");
    }
    // Three lines a deviation: name, severity and kind; the description; the evidence.
    assert_eq!(
        text.lines().count(),
        3 * xacct_model::deviation::Deviation::all().len(),
        "{text}"
    );
    assert!(text.contains("evidence: "), "{text}");
    let bad = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .args(["run", "--mutant", "no-such-bug"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("deny-ignored"));
}
