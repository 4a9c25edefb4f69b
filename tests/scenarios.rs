//! The regression corpus: every curated scenario in `scenarios/` replays against the model with
//! each `expect` met.
use std::path::Path;
use xacct_model::{replay::replay, Scenario};

#[test]
fn every_curated_scenario_meets_its_expectations() {
    let mut files: Vec<_> = std::fs::read_dir(Path::new("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "expected the curated scenarios, found {files:?}"
    );
    let mut failures = Vec::new();
    for f in &files {
        let label = f.display().to_string();
        let s = Scenario::from_json_str(&std::fs::read_to_string(f).unwrap(), &label).unwrap();
        let (_, reports) = replay(&s);
        assert!(
            reports.iter().all(|r| r.checked),
            "{label}: every curated step carries an expect"
        );
        for r in reports.iter().filter(|r| !r.passed()) {
            failures.push(format!(
                "{label} step {} ({} {}): {:?} {:?}\n{}",
                r.step, r.as_, r.op, r.error, r.mismatches, r.explanation
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
