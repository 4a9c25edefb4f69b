//! The seed walkthrough replays against the model with every `expect` met.
use xacct_model::{replay::replay, Scenario};

#[test]
fn seed_example4_meets_every_expect() {
    let text = std::fs::read_to_string("scenarios/seed-example4.json").unwrap();
    let s = Scenario::from_json_str(&text, "scenarios/seed-example4.json").unwrap();
    let (world, reports) = replay(&s);
    for r in &reports {
        let o = r
            .outcome
            .as_ref()
            .map(|o| o.to_string())
            .unwrap_or_default();
        eprintln!(
            "{:>2} {:<10} {:<16} {:<40} {}",
            r.step,
            r.as_,
            r.op,
            o,
            world
                .redact(&r.explanation.to_string())
                .replace('\n', " | ")
        );
    }
    let failed: Vec<_> = reports.iter().filter(|r| !r.passed()).collect();
    assert!(failed.is_empty(), "{failed:#?}");
}
