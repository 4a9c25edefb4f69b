//! The regression corpus: every curated scenario in `scenarios/` replays against the model with
//! each `expect` met, in us-east-1 and in eu-west-1.
mod common;
use common::json_files;
use std::path::Path;
use xacct_model::{replay::replay, Region, Scenario};

/// The Regions every scenario that states none is replayed in: us-east-1, the default, and a
/// second one where CreateBucket needs a LocationConstraint and re-creation answers 409.
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

/// The scenario in each of [`REGIONS`], or in its own Region only when it states one.
fn in_regions(s: &Scenario) -> Vec<Scenario> {
    if s.region.is_some() {
        return vec![s.clone()];
    }
    REGIONS
        .iter()
        .map(|r| {
            let mut s = s.clone();
            s.set_region(&r.parse::<Region>().unwrap()).unwrap();
            s
        })
        .collect()
}

/// The regression corpus: shrunk divergences found by random runs (`corpus/<target>/*.json`).
/// Each ends with the diverging step, whose `expect` is the model's answer: against the model
/// every file passes; `xacct replay corpus/<target>/*.json --target <target>` shows which ones
/// the backend still gets wrong.
#[test]
fn every_corpus_scenario_meets_its_expectations_against_the_model() {
    let files = json_files("corpus");
    assert!(!files.is_empty(), "the corpus is empty");
    for f in &files {
        let label = f.display().to_string();
        let s = Scenario::from_json_str(&std::fs::read_to_string(f).unwrap(), &label).unwrap();
        for s in in_regions(&s) {
            let (_, reports) = replay(&s);
            let bad: Vec<_> = reports.iter().filter(|r| !r.passed()).collect();
            assert!(bad.is_empty(), "{label} in {:?}: {bad:#?}", s.region);
        }
    }
}

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
        assert!(
            s.region.is_none(),
            "{label}: curated scenarios hold in every Region"
        );
        for s in in_regions(&s) {
            let (_, reports) = replay(&s);
            assert!(
                reports.iter().all(|r| r.checked),
                "{label}: every curated step carries an expect"
            );
            for r in reports.iter().filter(|r| !r.passed()) {
                failures.push(format!(
                    "{label} in {:?} step {} ({} {}): {:?} {:?}\n{}",
                    s.region, r.step, r.as_, r.op, r.error, r.mismatches, r.explanation
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
