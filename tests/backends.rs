//! End-to-end replays against real backends started by the project's own scripts
//! (`scripts/backends/rgw up`, `scripts/backends/moto up`): every curated scenario runs against
//! the backend and the model side by side, the divergences must be exactly those the
//! backend's baseline lists, and the run must leave nothing behind.
//!
//! Each backend's tests are built only with its feature (`rgw`, `moto`): `scripts/test` turns
//! it on when the backend is up (in CI always, `.ci/run` starts both) and otherwise names the
//! suite as not run. A test whose feature is on and whose backend is down fails.
#![cfg(any(feature = "rgw", feature = "moto"))]

use std::path::{Path, PathBuf};
use xacct_harness::baseline::Baseline;
use xacct_harness::compare::replay::replay_against;
use xacct_harness::compare::{Class, Level};
use xacct_harness::target::{Target, TargetArgs, TargetKind};
use xacct_model::Scenario;

fn scenarios() -> Vec<(PathBuf, Scenario)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let s = Scenario::from_json_str(
                &std::fs::read_to_string(&f).unwrap(),
                &f.display().to_string(),
            )
            .unwrap();
            (f, s)
        })
        .collect()
}

/// moto's authentication switch (reset-auth) is global to the server: tests that bootstrap or
/// clean up moto accounts take turns.
#[cfg(feature = "moto")]
static MOTO: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The target; its backend must be running (the suite is on only when it is).
fn target(kind: TargetKind, name: &str) -> Target {
    match TargetArgs::local(kind).build(kind) {
        Ok(t) => t,
        Err(e) => panic!(
            "{name} is not running ({e}): start it with `scripts/backends/{name} up`, or run \
             the tests with `scripts/test`, which builds this suite only when {name} is up"
        ),
    }
}

fn replay_all_by_baseline(kind: TargetKind, name: &str) {
    let mut t = target(kind, name);
    let baseline = Baseline::load(Path::new(&format!("baselines/{name}.json"))).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut found = Vec::new();
    let mut names = Vec::new();
    for (f, s) in scenarios() {
        let rep = rt
            .block_on(replay_against(
                &mut t,
                &f.display().to_string(),
                &s,
                Level::Code,
            ))
            .unwrap_or_else(|e| panic!("{name}: {}: {e}", f.display()));
        eprintln!("{}", xacct_harness::compare::replay::table(&rep));
        assert!(
            rep.cleanup.failed.is_empty(),
            "{name}: clean-up failed: {:?}",
            rep.cleanup.failed
        );
        assert_eq!(
            rep.count(Class::EndpointFault),
            0,
            "{name}: endpoint faults in {}",
            f.display()
        );
        names.push(rep.scenario.clone());
        found.extend(rep.found());
    }
    let j = baseline.judge(&names, &found);
    assert!(
        j.new.is_empty(),
        "{name}: divergences not in baselines/{name}.json: {:#?}",
        j.new
    );
    assert!(
        j.gone.is_empty(),
        "{name}: baselined divergences that no longer occur (update the baseline): {:#?}",
        j.gone
    );
    // Nothing this target made is left: buckets, users, roles.
    let left = rt
        .block_on(t.leftovers())
        .expect("target can list leftovers")
        .unwrap();
    assert!(left.is_empty(), "{name}: left behind: {left:?}");
}

#[cfg(feature = "rgw")]
#[test]
fn rgw_replays_the_curated_scenarios_as_baselined_and_leaves_nothing() {
    replay_all_by_baseline(TargetKind::Rgw, "rgw");
}

#[cfg(feature = "moto")]
#[test]
fn moto_replays_the_curated_scenarios_as_baselined_and_leaves_nothing() {
    let _turn = MOTO.lock().unwrap_or_else(|e| e.into_inner());
    replay_all_by_baseline(TargetKind::Moto, "moto");
}

/// The regression corpus against its backend: every shrunk divergence in `corpus/<name>/`
/// still diverges at its last step only (a first divergence), in the class its description names (the backends are
/// pinned: Debian's radosgw 16.2, moto 5.2.5; a change here is a change in them or in xacct).
fn corpus_still_diverges(kind: TargetKind, name: &str) {
    let mut t = target(kind, name);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(format!("corpus/{name}"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for f in &files {
        let s = Scenario::from_json_str(
            &std::fs::read_to_string(f).unwrap(),
            &f.display().to_string(),
        )
        .unwrap();
        let want = s
            .description
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string();
        let rep = rt
            .block_on(replay_against(
                &mut t,
                &f.display().to_string(),
                &s,
                Level::Code,
            ))
            .unwrap();
        assert!(
            rep.cleanup.failed.is_empty(),
            "{}: clean-up failed: {:?}",
            f.display(),
            rep.cleanup.failed
        );
        // A first divergence: every earlier step agrees, the last one diverges as recorded.
        let diverging: Vec<(usize, &str)> = rep
            .rows
            .iter()
            .filter_map(|r| r.difference.as_ref().map(|d| (r.step, d.class.as_str())))
            .collect();
        if diverging != [(rep.rows.len(), want.as_str())] {
            failures.push(format!(
                "{}: expected {want} at step {} only, got {diverging:?}",
                f.display(),
                rep.rows.len()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{name}: corpus divergences that no longer reproduce:\n{}",
        failures.join("\n")
    );
}

#[cfg(feature = "rgw")]
#[test]
fn rgw_corpus_divergences_still_reproduce() {
    corpus_still_diverges(TargetKind::Rgw, "rgw");
}

#[cfg(feature = "moto")]
#[test]
fn moto_corpus_divergences_still_reproduce() {
    let _turn = MOTO.lock().unwrap_or_else(|e| e.into_inner());
    corpus_still_diverges(TargetKind::Moto, "moto");
}

/// The `generic` target, described by a TOML file, against RGW tenants made here with
/// radosgw-admin (keys passed through environment variables, as the file format asks): it must
/// classify a curated scenario exactly as the `rgw` target does, and clean up its buckets.
#[cfg(feature = "rgw")]
#[test]
fn generic_target_from_toml_matches_the_rgw_target() {
    let mut rgw = target(TargetKind::Rgw, "rgw");
    let conf = std::env::var("XACCT_RGW_CEPH_CONF").ok().or_else(|| {
        let out = std::process::Command::new("scripts/backends/rgw")
            .arg("env")
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("XACCT_RGW_CEPH_CONF=").map(str::to_string))
    });
    let endpoint = std::env::var("XACCT_RGW_ENDPOINT").ok().or_else(|| {
        let out = std::process::Command::new("scripts/backends/rgw")
            .arg("env")
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("XACCT_RGW_ENDPOINT=").map(str::to_string))
    });
    let (conf, endpoint) = (conf.expect("ceph conf"), endpoint.expect("endpoint"));
    let tag = format!("g{}", std::process::id());
    let admin = |args: &[&str]| {
        let out = std::process::Command::new("radosgw-admin")
            .args(args)
            .env("CEPH_CONF", &conf)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "radosgw-admin {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap_or(serde_json::Value::Null)
    };
    let mut toml = format!("name = \"rgw-as-generic\"\nendpoint = \"{endpoint}\"\ncross_addressing = \"tenant-colon\"\n[capabilities]\nownership_controls = false\n");
    for a in ["A", "B"] {
        let tenant = format!("{tag}{a}");
        let v = admin(&[
            "user",
            "create",
            "--tenant",
            &tenant,
            "--uid",
            "admin",
            "--display-name",
            "generic test",
        ]);
        let key = &v["keys"][0];
        std::env::set_var(
            format!("XACCT_TEST_{tag}_{a}_KEY"),
            key["access_key"].as_str().unwrap(),
        );
        std::env::set_var(
            format!("XACCT_TEST_{tag}_{a}_SECRET"),
            key["secret_key"].as_str().unwrap(),
        );
        toml.push_str(&format!(
            "[accounts.{a}]\nid = \"{tenant}\"\ncanonical = \"{tenant}$admin\"\nadmin = {{ access_key_id_env = \"XACCT_TEST_{tag}_{a}_KEY\", secret_access_key_env = \"XACCT_TEST_{tag}_{a}_SECRET\" }}\n"
        ));
    }
    let file = std::env::temp_dir().join(format!("xacct-{tag}.toml"));
    std::fs::write(&file, toml).unwrap();
    let args = TargetArgs {
        target: Some(TargetKind::Generic),
        mutant: None,
        endpoint: None,
        ceph_conf: None,
        target_file: Some(file.clone()),
        aws_profiles: vec![],
        region: None,
        i_understand_this_uses_real_aws: false,
        aws_propagation_ms: None,
    };
    let mut generic = args.build(TargetKind::Generic).unwrap();
    let path = "scenarios/block-public-access.json";
    let s = Scenario::from_json_str(&std::fs::read_to_string(path).unwrap(), path).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let g = rt
        .block_on(replay_against(&mut generic, path, &s, Level::Code))
        .unwrap();
    let r = rt
        .block_on(replay_against(&mut rgw, path, &s, Level::Code))
        .unwrap();
    eprintln!("{}", xacct_harness::compare::replay::table(&g));
    let classes = |rep: &xacct_harness::compare::replay::TargetReport| {
        rep.rows
            .iter()
            .map(|x| x.difference.as_ref().map(|d| d.class))
            .collect::<Vec<_>>()
    };
    let cleaned = g.cleanup.failed.is_empty();
    for a in ["A", "B"] {
        admin(&[
            "user",
            "rm",
            "--tenant",
            &format!("{tag}{a}"),
            "--uid",
            "admin",
            "--purge-data",
        ]);
    }
    let _ = std::fs::remove_file(&file);
    assert!(cleaned, "generic clean-up failed: {:?}", g.cleanup.failed);
    assert_eq!(
        classes(&g),
        classes(&r),
        "generic and rgw targets classify the same scenario differently"
    );
}
