//! Harness overhead, as a benchmark that prints figures (not a timed test):
//! steps/s through xacct's step path (model step + executor + comparison, as `xacct run` does
//! for every step) versus a plain aws-sdk loop issuing the same requests with the same clients
//! against the same endpoint, interleaved in one run.
//!
//! `cargo run --release -p xacct-harness --example overhead -- rgw 600`
//! (`moto` instead of `rgw`; the backend must be running: scripts/backends/<name> up).

use std::time::{Duration, Instant};
use xacct_harness::compare::{compare, Level};
use xacct_harness::target::{TargetArgs, TargetKind};
use xacct_model::scenario::{Op, Step};
use xacct_model::World;

fn step(as_: &str, op: Op) -> Step {
    Step {
        as_: as_.into(),
        op,
        expected_bucket_owner: None,
        expect: None,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let kind = match args.next().as_deref() {
        Some("moto") => TargetKind::Moto,
        _ => TargetKind::Rgw,
    };
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(600);
    let targs = TargetArgs::local(kind);
    let mut target = targs
        .build(kind)
        .expect("backend running (scripts/backends/<name> up)");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let accounts = vec!["A".to_string(), "B".to_string()];
    let mut state = rt
        .block_on(target.provision(&accounts, vec!["b1".into()]))
        .expect("provision");
    let mut world = World::with_accounts(["A", "B"]);
    let setup = [
        step(
            "A.admin",
            Op::CreateBucket {
                bucket: "b1".into(),
                object_ownership: Some("ObjectWriter".into()),
                acl: None,
                grants: None,
                location_constraint: None,
            },
        ),
        step(
            "A.admin",
            Op::PutObject {
                bucket: "b1".into(),
                key: "k1".into(),
                acl: None,
                grants: None,
            },
        ),
    ];
    for s in &setup {
        xacct_model::step(&mut world, s).unwrap();
        rt.block_on(target.step(&mut state, s));
    }
    // The workload: reads that are allowed and denied, by the owner and another account.
    let workload: Vec<Step> = (0..n)
        .map(|i| match i % 4 {
            0 => step(
                "A.admin",
                Op::GetObject {
                    bucket: "b1".into(),
                    key: "k1".into(),
                },
            ),
            1 => step(
                "B.admin",
                Op::GetObject {
                    bucket: "b1".into(),
                    key: "k1".into(),
                },
            ),
            2 => step(
                "A.admin",
                Op::HeadObject {
                    bucket: "b1".into(),
                    key: "missing".into(),
                },
            ),
            _ => step(
                "A.admin",
                Op::ListObjects {
                    bucket: "b1".into(),
                    prefix: None,
                },
            ),
        })
        .collect();
    let a = state.principals["A.admin"].s3.clone();
    let b = state.principals["B.admin"].s3.clone();
    let real = state.mapping.real_bucket("b1");
    let cross = state.mapping.address(Some("B"), Some("A"), "b1");

    let mut harness = Duration::ZERO;
    let mut plain = Duration::ZERO;
    let mut divergences = 0;
    // Interleave blocks so both paths see the same endpoint conditions.
    for block in workload.chunks(50) {
        let t = Instant::now();
        for s in block {
            let (m, _ex) = xacct_model::step(&mut world, s).unwrap();
            let o = rt.block_on(target.step(&mut state, s));
            divergences += compare(&m, &o, Level::Code).is_some() as usize;
        }
        harness += t.elapsed();
        let t = Instant::now();
        for s in block {
            rt.block_on(async {
                match (&s.as_[..], &s.op) {
                    ("A.admin", Op::GetObject { .. }) => {
                        if let Ok(o) = a.get_object().bucket(&real).key("k1").send().await {
                            let _ = o.body.collect().await;
                        }
                    }
                    (_, Op::GetObject { .. }) => {
                        let _ = b.get_object().bucket(&cross).key("k1").send().await;
                    }
                    (_, Op::HeadObject { .. }) => {
                        let _ = a.head_object().bucket(&real).key("missing").send().await;
                    }
                    _ => {
                        let _ = a.list_objects_v2().bucket(&real).send().await;
                    }
                }
            });
        }
        plain += t.elapsed();
    }
    rt.block_on(target.cleanup(&state));
    let hs = n as f64 / harness.as_secs_f64();
    let ps = n as f64 / plain.as_secs_f64();
    println!(
        "target {}: {n} steps each way, interleaved in blocks of 50",
        target.name()
    );
    println!("  xacct step path (model + executor + compare): {hs:>8.1} steps/s");
    println!("  plain aws-sdk loop, same requests:            {ps:>8.1} steps/s");
    println!(
        "  ratio xacct / plain: {:.3}  (target: at least 0.9)",
        hs / ps
    );
    println!("  divergences seen in the workload: {divergences} (expected: the target's own)");
}
