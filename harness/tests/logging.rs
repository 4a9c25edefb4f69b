//! The `xacct` binary's logs: on stderr, `RUST_LOG` shows the SDK's requests, `-q`/`-v`/`-vv`
//! pick the level, and no credential is printed.
use std::process::{Command, Output};

const SCENARIO: &str = "scenarios/assume-role.json";

fn xacct(args: &[&str], rust_log: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xacct"));
    c.args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env_remove("RUST_LOG");
    if let Some(l) = rust_log {
        c.env("RUST_LOG", l);
    }
    let o = c.output().expect("run xacct");
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    o
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn rust_log_debug_shows_the_sdk_requests_without_credentials() {
    let log = stderr(&xacct(&["replay", SCENARIO], Some("debug")));
    assert!(log.contains("DEBUG S3.CreateBucket"), "{log}");
    assert!(
        log.contains("aws_smithy_runtime::client::orchestrator"),
        "{log}"
    );
    assert!(log.contains("STS.AssumeRole"), "{log}");
    // The SDK redacts secrets; the endpoint's request dumps (session token header) stay off.
    assert!(!log.contains("s3s::service: req="), "{log}");
    assert!(!log.contains("x-amz-security-token\": \""), "{log}");
    for (i, _) in log.match_indices("secret_access_key: ") {
        let rest = &log[i + "secret_access_key: ".len()..];
        assert!(rest.starts_with("\"** redacted **\""), "{}", &rest[..40]);
    }
}

#[test]
fn the_flags_pick_the_level_and_rust_log_wins() {
    assert_eq!(stderr(&xacct(&["-q", "replay", SCENARIO], None)), "");
    let v = stderr(&xacct(&["replay", SCENARIO, "-v"], None));
    assert!(!v.contains("aws_smithy"), "{v}");
    let vv = stderr(&xacct(&["replay", SCENARIO, "-vv"], None));
    assert!(
        vv.contains("DEBUG") && vv.contains("aws_smithy_runtime"),
        "{vv}"
    );
    let q = stderr(&xacct(&["-q", "replay", SCENARIO], Some("debug")));
    assert!(q.contains("aws_smithy_runtime"), "{q}");
}
