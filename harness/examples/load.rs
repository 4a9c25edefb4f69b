//! Load on the embedded endpoint, as a benchmark that prints figures (not a timed test): N
//! concurrent aws-sdk clients (N = 1, 4, 16, 64 by default) drive a mixed S3 workload against
//! the endpoint `xacct serve` runs, for a fixed time each; prints requests/s, p50 and p99
//! latency and every 5xx (there must be none: the exit status is 1 otherwise).
//!
//! `cargo run --release -p xacct-harness --example load -- [SECONDS_PER_N] [N,N,...]`
//!
//! The workload, per client, in a loop: PutObject, GetObject, HeadObject, ListObjectsV2 (its own
//! prefix), PutObjectAcl, GetObjectAcl, a cross-account GetObject by account B (refused: 403),
//! DeleteObject, in a bucket with ACLs enabled (ObjectWriter). SDK retries are off, so a 5xx is
//! seen, not retried away. The refused column counts the answers that are refused by design.

use aws_sdk_s3::primitives::ByteStream;
use std::time::{Duration, Instant};
use xacct_endpoint::{Creds, Endpoint};
use xacct_harness::target::sdk::{clients, EndpointConfig};

/// What one client saw: each request's latency, and the answers by kind.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    server_errors: Vec<String>,
    refused: u64,
}

impl Tally {
    fn add(&mut self, t0: Instant, status: Option<u16>, what: &str) {
        self.latencies.push(t0.elapsed());
        match status {
            Some(s) if s >= 500 => self.server_errors.push(format!("{what}: {s}")),
            Some(s) if s >= 400 => self.refused += 1,
            None => self.server_errors.push(format!("{what}: no answer")),
            _ => {}
        }
    }

    fn merge(&mut self, o: Tally) {
        self.latencies.extend(o.latencies);
        self.server_errors.extend(o.server_errors);
        self.refused += o.refused;
    }
}

/// The HTTP status of an SDK result (`None`: no answer at all).
fn status<T, E>(
    r: &Result<T, aws_sdk_s3::error::SdkError<E, aws_smithy_runtime_api::http::Response>>,
) -> Option<u16> {
    match r {
        Ok(_) => Some(200),
        Err(e) => e.raw_response().map(|r| r.status().as_u16()),
    }
}

async fn client_loop(
    ep: EndpointConfig,
    a: Creds,
    b: Creds,
    bucket: String,
    id: usize,
    until: Instant,
) -> Tally {
    let (ca, cb) = (clients(&ep, Some(&a)).s3, clients(&ep, Some(&b)).s3);
    let mut t = Tally::default();
    let mut j = 0u64;
    while Instant::now() < until {
        let key = format!("c{id}/k{j}");
        let t0 = Instant::now();
        let r = ca
            .put_object()
            .bucket(&bucket)
            .key(&key)
            .body(ByteStream::from_static(b"0123456789abcdef"))
            .send()
            .await;
        t.add(t0, status(&r), "put_object");
        let t0 = Instant::now();
        let r = ca.get_object().bucket(&bucket).key(&key).send().await;
        let s = status(&r);
        if let Ok(o) = r {
            let _ = o.body.collect().await;
        }
        t.add(t0, s, "get_object");
        let t0 = Instant::now();
        let r = ca.head_object().bucket(&bucket).key(&key).send().await;
        t.add(t0, status(&r), "head_object");
        let t0 = Instant::now();
        let r = ca
            .list_objects_v2()
            .bucket(&bucket)
            .prefix(format!("c{id}/"))
            .send()
            .await;
        t.add(t0, status(&r), "list_objects_v2");
        let t0 = Instant::now();
        let r = ca
            .put_object_acl()
            .bucket(&bucket)
            .key(&key)
            .acl(aws_sdk_s3::types::ObjectCannedAcl::Private)
            .send()
            .await;
        t.add(t0, status(&r), "put_object_acl");
        let t0 = Instant::now();
        let r = ca.get_object_acl().bucket(&bucket).key(&key).send().await;
        t.add(t0, status(&r), "get_object_acl");
        let t0 = Instant::now();
        let r = cb.get_object().bucket(&bucket).key(&key).send().await;
        t.add(t0, status(&r), "get_object (account B)");
        let t0 = Instant::now();
        let r = ca.delete_object().bucket(&bucket).key(&key).send().await;
        t.add(t0, status(&r), "delete_object");
        j += 1;
    }
    t
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let secs: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let ns: Vec<usize> = args
        .next()
        .map(|s| s.split(',').filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 4, 16, 64]);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let _in = rt.enter();
    let endpoint = Endpoint::start(None).expect("the embedded endpoint starts on 127.0.0.1");
    let creds = endpoint.provision(&["A".to_string(), "B".to_string()]);
    let (a, b) = (creds["A.admin"].clone(), creds["B.admin"].clone());
    let mut ep = EndpointConfig::single(&endpoint.url());
    ep.attempts = 1;
    let bucket = "xacct-load".to_string();
    let setup = clients(&ep, Some(&a)).s3;
    rt.block_on(
        setup
            .create_bucket()
            .bucket(&bucket)
            .object_ownership(aws_sdk_s3::types::ObjectOwnership::ObjectWriter)
            .send(),
    )
    .expect("create the load bucket");
    println!("xacct serve under load: {secs} s per N, 8-request mixed workload, SDK retries off");
    println!(
        "{:>4} {:>9} {:>10} {:>9} {:>9} {:>8} {:>5}",
        "N", "requests", "req/s", "p50", "p99", "refused", "5xx"
    );
    let mut failed = false;
    for &n in &ns {
        let until = Instant::now() + Duration::from_secs(secs);
        let started = Instant::now();
        let tasks: Vec<_> = (0..n)
            .map(|i| {
                rt.spawn(client_loop(
                    ep.clone(),
                    a.clone(),
                    b.clone(),
                    bucket.clone(),
                    i,
                    until,
                ))
            })
            .collect();
        let mut all = Tally::default();
        for t in tasks {
            all.merge(rt.block_on(t).expect("a client task"));
        }
        let elapsed = started.elapsed().as_secs_f64();
        all.latencies.sort();
        println!(
            "{:>4} {:>9} {:>10.0} {:>7.2}ms {:>7.2}ms {:>8} {:>5}",
            n,
            all.latencies.len(),
            all.latencies.len() as f64 / elapsed,
            percentile(&all.latencies, 0.50).as_secs_f64() * 1e3,
            percentile(&all.latencies, 0.99).as_secs_f64() * 1e3,
            all.refused,
            all.server_errors.len()
        );
        for e in all.server_errors.iter().take(5) {
            println!("     5xx: {e}");
        }
        failed |= !all.server_errors.is_empty();
    }
    if failed {
        std::process::exit(1);
    }
}
