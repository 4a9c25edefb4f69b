//! Whole scripts: valid bash, one `step` per step, placeholders resolved, scenario strings
//! quoted, and every operation's CLI call, run against a fake `aws` that records its arguments.

use super::script;
use crate::report::fixtures::tmpdir;
use serde_json::{json, Value};
use std::process::Command;
use xacct_model::Scenario;

fn seed() -> Scenario {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/seed-example4.json"
    );
    let text = std::fs::read_to_string(path).expect("seed scenario");
    Scenario::from_json_str(&text, path).expect("seed parses")
}

fn scenario(v: Value) -> Scenario {
    Scenario::from_value(&v, "test").expect("scenario")
}

fn bash_n(script: &str) {
    let dir = tmpdir("syntax");
    let f = dir.join("s.sh");
    std::fs::write(&f, script).expect("write");
    let out = Command::new("bash")
        .arg("-n")
        .arg(&f)
        .output()
        .expect("bash");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "bash -n: {}\n{script}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `bash -c` with the given text and returns its stdout.
fn bash_out(cmd: &str) -> String {
    let out = Command::new("bash")
        .arg("-c")
        .arg(cmd)
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn step_lines(script: &str) -> usize {
    script.lines().filter(|l| l.starts_with("step ")).count()
}

#[test]
fn seed_script_is_valid_bash_with_one_step_per_step() {
    let sc = seed();
    let s = script(&sc);
    bash_n(&s);
    assert_eq!(step_lines(&s), sc.steps.len(), "{s}");
    for i in 1..=sc.steps.len() {
        assert!(
            s.contains(&format!("\n# step {i}: ")),
            "comment of step {i}"
        );
    }
    assert!(s.contains("# clean-up: everything this script created"));
    // Placeholders become the resolved shell variables; bucket ARNs get the prefix.
    assert!(s.contains("arn:aws:iam::${ACCT_C}:root"), "{s}");
    assert!(s.contains("${ADMIN_ARN_B}"), "{s}");
    assert!(s.contains("arn:aws:s3:::${XACCT_BUCKET_PREFIX}b1/*"), "{s}");
    assert!(s.contains("--grant-full-control id=\"${CANON_A}\""), "{s}");
    assert!(s.contains("--bucket \"${XACCT_BUCKET_PREFIX}\"b1"), "{s}");
    assert!(s.contains("'C.dave')"), "C.dave gets a profile: {s}");
    assert!(
        s.contains("'dave-in-A')"),
        "the session gets a profile: {s}"
    );
    assert!(!s.contains("set -e"));
}

#[test]
fn policy_variables_stay_literal() {
    let sc = scenario(json!({"name": "vars", "steps": [
        {"as": "A.admin", "op": "create_bucket", "bucket": "b1"},
        {"as": "A.admin", "op": "put_bucket_policy", "bucket": "b1", "policy": {"Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${A}:root"}, "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b1/home/${aws:username}/*",
            "Condition": {"StringLike": {"s3:prefix": "${aws:username, 'x'}`$(id)`\\"}}}]}}
    ]}));
    let s = script(&sc);
    bash_n(&s);
    assert!(s.contains(r"\${aws:username}"), "{s}");
    // The heredoc expands to the policy with the placeholders resolved.
    let start = s.find("cat >\"$WORK/doc\" <<XACCT_EOF").expect("heredoc");
    let end = s[start..].find("\nXACCT_EOF\n").expect("end") + start + "\nXACCT_EOF\n".len();
    let heredoc = s[start..end].replace("cat >\"$WORK/doc\" ", "cat ");
    let got = bash_out(&format!(
        "ACCT_A=111122223333 XACCT_BUCKET_PREFIX=p-\n{heredoc}"
    ));
    let v: Value = serde_json::from_str(got.trim()).expect("JSON");
    let st = &v["Statement"][0];
    assert_eq!(st["Principal"]["AWS"], "arn:aws:iam::111122223333:root");
    assert_eq!(st["Resource"], "arn:aws:s3:::p-b1/home/${aws:username}/*");
    assert_eq!(
        st["Condition"]["StringLike"]["s3:prefix"],
        "${aws:username, 'x'}`$(id)`\\"
    );
}

#[test]
fn keys_with_quotes_and_dollars_are_escaped() {
    for key in ["it's.txt", "$HOME/x", "a b`id`\"\\", "-dash", "${A}"] {
        let sc = scenario(json!({"name": "k", "steps": [
            {"as": "A.admin", "op": "create_bucket", "bucket": "b1"},
            {"as": "A.admin", "op": "put_object", "bucket": "b1", "key": key}
        ]}));
        let s = script(&sc);
        bash_n(&s);
        let line = s
            .lines()
            .find(|l| l.starts_with("step 2 "))
            .expect("step 2");
        let at = line.find("--key").expect("--key") + "--key".len();
        let rest = &line[at..];
        let w = rest
            .strip_prefix(' ')
            .or_else(|| rest.strip_prefix('='))
            .unwrap_or(rest);
        let w = &w[..w.find(" --body").expect("--body")];
        // The word, evaluated by bash (with a variable ACCT_A set), is the key verbatim.
        let got = bash_out(&format!("ACCT_A=1; printf %s {w}"));
        // Keys are sent verbatim, as xacct sends them: `${A}` in a key is no placeholder.
        assert_eq!(got, key, "{line}");
    }
}

/// Every op maps to a CLI call; the whole script runs against a fake `aws` that records
/// its arguments and answers as a real one would.
#[test]
fn runs_every_op_against_a_fake_cli() {
    let sc = scenario(
        json!({"name": "all ops", "description": "every op once", "steps": [
            {"as": "A.admin", "op": "create_bucket", "bucket": "b1", "object_ownership": "ObjectWriter", "acl": "private",
             "grants": {"write": "id=${B.canonical}"}, "expect": {"status": 200}},
            {"as": "A.admin", "op": "put_bucket_ownership_controls", "bucket": "b1", "object_ownership": "BucketOwnerPreferred"},
            {"as": "A.admin", "op": "get_bucket_ownership_controls", "bucket": "b1"},
            {"as": "A.admin", "op": "delete_bucket_ownership_controls", "bucket": "b1"},
            {"as": "A.admin", "op": "put_public_access_block", "bucket": "b1", "block_public_acls": true},
            {"as": "A.admin", "op": "get_public_access_block", "bucket": "b1"},
            {"as": "A.admin", "op": "delete_public_access_block", "bucket": "b1"},
            {"as": "A.admin", "op": "put_bucket_policy", "bucket": "b1", "policy": {"Statement": [{"Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::${B}:user/admin"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b1/${aws:username}/*"}]}},
            {"as": "A.admin", "op": "get_bucket_policy", "bucket": "b1"},
            {"as": "A.admin", "op": "delete_bucket_policy", "bucket": "b1"},
            {"as": "A.admin", "op": "put_bucket_acl", "bucket": "b1", "access_control_policy": {"owner": "id=${A.canonical}",
              "grants": [{"grantee": "uri=http://acs.amazonaws.com/groups/global/AllUsers", "permission": "READ"}]}},
            {"as": "A.admin", "op": "get_bucket_acl", "bucket": "b1"},
            {"as": "B.admin", "op": "put_object", "bucket": "b1", "key": "k'1", "grants": {"full_control": "id=${A.canonical}"},
             "expected_bucket_owner": "${A}", "expect": {"status": 200}},
            {"as": "B.admin", "op": "put_object", "bucket": "b1", "key": "denied", "expect": {"status": 403, "code": "AccessDenied"}},
            {"as": "A.admin", "op": "get_object", "bucket": "b1", "key": "k'1"},
            {"as": "A.admin", "op": "head_object", "bucket": "b1", "key": "k'1"},
            {"as": "A.admin", "op": "get_object_acl", "bucket": "b1", "key": "k'1"},
            {"as": "A.admin", "op": "put_object_acl", "bucket": "b1", "key": "k'1", "acl": "bucket-owner-full-control"},
            {"as": "A.admin", "op": "put_object_acl", "bucket": "b1", "key": "k'1", "grants": {"write": "id=${B.canonical}"}},
            {"as": "A.admin", "op": "copy_object", "bucket": "b1", "key": "copy", "source_bucket": "b1", "source_key": "k'1"},
            {"as": "A.admin", "op": "list_objects", "bucket": "b1", "prefix": "k"},
            {"as": "anon", "op": "list_buckets"},
            {"as": "A.admin", "op": "create_multipart_upload", "bucket": "b1", "key": "mpu"},
            {"as": "A.admin", "op": "create_user", "name": "eve", "policy": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}},
            {"as": "A.admin", "op": "put_user_policy", "user": "eve", "policy_name": "more", "policy": {"Statement": []}},
            {"as": "A.eve", "op": "get_object", "bucket": "b1", "key": "k'1"},
            {"as": "A.admin", "op": "create_role", "name": "r", "trust_policy": {"Statement": [{"Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::${B}:root"}, "Action": "sts:AssumeRole"}]}},
            {"as": "A.admin", "op": "put_role_policy", "role": "r", "policy": {"Statement": []}},
            {"as": "B.admin", "op": "assume_role", "role_arn": "arn:aws:iam::${A}:role/r", "session_name": "s",
             "session_policy": {"Statement": []}, "as_name": "b-in-a", "expect": {"status": 200}},
            {"as": "b-in-a", "op": "head_object", "bucket": "b1", "key": "nope", "expect": {"status": 404}},
            {"as": "A.root", "op": "delete_object", "bucket": "b1", "key": "copy"},
            {"as": "A.admin", "op": "delete_bucket", "bucket": "b1", "expect": {"status": 204}}
        ]}),
    );
    let s = script(&sc);
    bash_n(&s);
    assert_eq!(step_lines(&s), sc.steps.len());
    let dir = tmpdir("fake");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let fake = r#"#!/usr/bin/env bash
printf '%s\x1f' "$@" >>"$FAKE_LOG"; printf '\n' >>"$FAKE_LOG"
all="$*"
profile=none
while [ $# -gt 0 ]; do [ "$1" = --profile ] && profile=$2; shift; done
case $all in
  *"configure get"*) exit 1 ;;
  *"configure set"*) exit 0 ;;
  *get-caller-identity*) case $profile in
  xacct-A) printf '111111111111\tarn:aws:iam::111111111111:user/admin\n' ;;
  *) printf '222222222222\tarn:aws:iam::222222222222:user/admin\n' ;; esac ;;
  *"list-buckets --query Owner.ID"*) echo "canon-$profile" ;;
  *create-access-key*) printf 'AKIAFAKE\tsecret\n' ;;
  *assume-role*) printf 'ASIAFAKE\tsecret\ttoken\tarn:aws:sts::111111111111:assumed-role/r/s\n' ;;
  *create-multipart-upload*) echo upload-1 ;;
  *"--key denied"*) printf '\nAn error occurred (AccessDenied) when calling the PutObject operation: Access Denied\n' >&2; exit 254 ;;
  *"--key nope"*) printf '\nAn error occurred (404) when calling the HeadObject operation: Not Found\n' >&2; exit 254 ;;
  *list-objects-v2*) echo '["k'"'"'1"]' ;;
  *) echo '{}' ;;
esac
"#;
    let fake_path = bin.join("aws");
    std::fs::write(&fake_path, fake).expect("fake aws");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake_path, std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
    }
    let script_path = dir.join("repro.sh");
    std::fs::write(&script_path, &s).expect("script");
    let log = dir.join("log");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg(&script_path)
        .env("PATH", path)
        .env("HOME", &dir)
        .env("TMPDIR", &dir)
        .env("FAKE_LOG", &log)
        .env("XACCT_BUCKET_PREFIX", "pfx-")
        .env("XACCT_IAM_SLEEP", "0")
        .env_remove("XACCT_ENDPOINT_URL")
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE")
        .output()
        .expect("run script");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let calls: Vec<Vec<String>> = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            l.split('\u{1f}')
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    // A.root has no profile: that step is not run, so the exit status is 1.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for i in 1..=sc.steps.len() {
        assert!(
            stdout.contains(&format!("\n[{i}] ")),
            "step {i} printed:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("XACCT_ROOT_PROFILE_A is not set"),
        "{stdout}"
    );
    assert!(
        stdout.contains("An error occurred (AccessDenied)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("6 steps as expected, 0 different, 1 not run, 25 without expectation"),
        "{stdout}"
    );
    let find = |sub: &str| -> &Vec<String> {
        calls
            .iter()
            .find(|c| c.iter().any(|a| a == sub))
            .unwrap_or_else(|| panic!("no call {sub}: {calls:?}"))
    };
    let arg = |c: &Vec<String>, flag: &str| -> String {
        let i = c
            .iter()
            .position(|a| a == flag)
            .unwrap_or_else(|| panic!("{flag} in {c:?}"));
        c[i + 1].clone()
    };
    let pol = find("put-bucket-policy");
    let doc: Value = serde_json::from_str(&arg(pol, "--policy")).expect("policy JSON");
    assert_eq!(
        doc["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::222222222222:user/admin"
    );
    assert_eq!(
        doc["Statement"][0]["Resource"],
        "arn:aws:s3:::pfx-b1/${aws:username}/*"
    );
    let put = calls
        .iter()
        .find(|c| c.iter().any(|a| a == "put-object") && c.iter().any(|a| a == "k'1"))
        .expect("put-object");
    assert_eq!(arg(put, "--grant-full-control"), "id=canon-xacct-A");
    assert_eq!(arg(put, "--expected-bucket-owner"), "111111111111");
    assert_eq!(arg(put, "--bucket"), "pfx-b1");
    assert_eq!(arg(put, "--profile"), "xacct-B");
    let acp: Value =
        serde_json::from_str(&arg(find("put-bucket-acl"), "--access-control-policy")).expect("acp");
    assert_eq!(acp["Owner"]["ID"], "canon-xacct-A");
    assert_eq!(acp["Grants"][0]["Grantee"]["Type"], "Group");
    assert_eq!(arg(find("copy-object"), "--copy-source"), "pfx-b1/k'1");
    assert_eq!(
        arg(find("abort-multipart-upload"), "--upload-id"),
        "upload-1"
    );
    let anon = find("--no-sign-request");
    assert!(anon.iter().any(|a| a == "list-buckets"), "{anon:?}");
    let cb = find("create-bucket");
    assert_eq!(arg(cb, "--grant-write"), "id=canon-xacct-B");
    // PutObjectAcl takes x-amz-grant-write too.
    let poa = calls
        .iter()
        .find(|c| c.iter().any(|a| a == "put-object-acl") && c.iter().any(|a| a == "--grant-write"))
        .expect("put-object-acl --grant-write");
    assert_eq!(arg(poa, "--grant-write"), "id=canon-xacct-B");
    assert_eq!(arg(cb, "--object-ownership"), "ObjectWriter");
    // The user and the session act through their own profiles.
    assert!(
        calls
            .iter()
            .any(|c| c.iter().any(|a| a == "xacct-repro-A-eve")
                && c.iter().any(|a| a == "get-object"))
    );
    assert!(calls
        .iter()
        .any(|c| c.iter().any(|a| a == "xacct-repro-session-b-in-a")
            && c.iter().any(|a| a == "head-object")));
    let trust: Value =
        serde_json::from_str(&arg(find("create-role"), "--assume-role-policy-document"))
            .expect("trust");
    assert_eq!(
        trust["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::222222222222:root"
    );
    // Clean-up deletes what was created.
    find("delete-role");
    find("delete-user");
    assert!(calls
        .iter()
        .any(|c| c.iter().any(|a| a == "rm") && c.iter().any(|a| a == "s3://pfx-b1")));
}

/// A script defines the helper functions its steps call (and what they call), and no others:
/// shellcheck reports functions nothing calls.
#[test]
fn defines_only_the_helpers_its_steps_call() {
    let defines = |s: &str, f: &str| s.contains(&format!("\n{f}() {{"));
    let plain = script(&scenario(json!({"name": "plain", "steps": [
        {"as": "A.admin", "op": "put_object", "bucket": "b1", "key": "k"}
    ]})));
    for f in [
        "aux",
        "register_bucket",
        "settle",
        "user_profile",
        "session_profile",
    ] {
        assert!(!defines(&plain, f), "{f}: {plain}");
    }
    assert!(defines(&plain, "step") && defines(&plain, "principal_args"));
    assert!(!plain.contains("IAM_SLEEP=") && !plain.contains("CBC="));
    assert!(!plain.contains("EMAIL_A="), "{plain}");
    let user = script(&scenario(json!({"name": "user", "steps": [
        {"as": "A.admin", "op": "create_bucket", "bucket": "b1"},
        {"as": "A.admin", "op": "create_user", "name": "eve"}
    ]})));
    bash_n(&user);
    for f in ["aux", "register_bucket", "settle", "user_profile"] {
        assert!(defines(&user, f), "{f}: {user}");
    }
    assert!(!defines(&user, "session_profile"));
    assert!(user.contains("\n  IAM_SLEEP=") && user.contains("\nCBC=()"));
    // The helpers come before the setup that runs the steps.
    assert!(user.find("\naux() {") < user.find("\nstep 1 "));
}

#[test]
fn the_scenario_region_and_location_constraints_reach_create_bucket() {
    let sc = scenario(json!({"name": "regions", "region": "eu-west-1", "steps": [
        {"as": "A.admin", "op": "create_bucket", "bucket": "b1"},
        {"as": "A.admin", "op": "create_bucket", "bucket": "b2", "location_constraint": null},
        {"as": "A.admin", "op": "create_bucket", "bucket": "b3", "location_constraint": "EU"}
    ]}));
    let s = script(&sc);
    bash_n(&s);
    assert!(
        s.contains("XACCT_REGION=\"${XACCT_REGION:-eu-west-1}\""),
        "{s}"
    );
    let creates: Vec<&str> = s.lines().filter(|l| l.contains("create-bucket ")).collect();
    assert_eq!(creates.len(), 3, "{creates:#?}");
    assert!(creates[0].contains("${CBC[@]"), "{}", creates[0]);
    assert!(
        !creates[1].contains("CBC") && !creates[1].contains("LocationConstraint"),
        "{}",
        creates[1]
    );
    assert!(
        creates[2].contains("--create-bucket-configuration LocationConstraint=EU"),
        "{}",
        creates[2]
    );
    // A scenario that states no Region leaves it to the profile, as before.
    let plain = script(&scenario(
        json!({"name": "p", "steps": [{"as": "A.admin", "op": "create_bucket", "bucket": "b1"}]}),
    ));
    assert!(
        plain.contains("XACCT_REGION=\"${XACCT_REGION:-}\""),
        "{plain}"
    );
}
