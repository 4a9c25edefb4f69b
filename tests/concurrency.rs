//! The embedded endpoint is serializable under concurrent clients (project issue #12, item 5): a
//! property test sends random S3 requests from several SDK clients at once, then checks that
//! the model, replaying the requests in the order the endpoint served them (its journal), gives
//! every answer the endpoint gave and ends in the endpoint's world, and that the clients saw
//! exactly those answers.

mod common;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ObjectCannedAcl, ObjectOwnership};
use common::runtime;
use proptest::prelude::*;
use std::collections::BTreeMap;
use xacct_endpoint::Endpoint;
use xacct_harness::target::sdk::{clients, EndpointConfig};

const BUCKETS: [&str; 2] = ["cc-b0", "cc-b1"];
const KEYS: [&str; 3] = ["k0", "k1", "dir/k2"];
const WHO: [&str; 2] = ["A.admin", "B.admin"];

/// One request of a client.
#[derive(Debug, Clone)]
enum Req {
    Put {
        who: usize,
        bucket: usize,
        key: usize,
        acl: bool,
    },
    Get {
        who: usize,
        bucket: usize,
        key: usize,
    },
    Head {
        who: usize,
        bucket: usize,
        key: usize,
    },
    Delete {
        who: usize,
        bucket: usize,
        key: usize,
    },
    GetAcl {
        who: usize,
        bucket: usize,
        key: usize,
    },
    List {
        who: usize,
        bucket: usize,
    },
    /// A's policy letting account B read and write the bucket's objects.
    AllowB {
        bucket: usize,
    },
    DeletePolicy {
        bucket: usize,
    },
}

fn req() -> impl Strategy<Value = Req> {
    let (w, b, k) = (0..WHO.len(), 0..BUCKETS.len(), 0..KEYS.len());
    prop_oneof![
        3 => (w.clone(), b.clone(), k.clone(), any::<bool>())
            .prop_map(|(who, bucket, key, acl)| Req::Put { who, bucket, key, acl }),
        2 => (w.clone(), b.clone(), k.clone()).prop_map(|(who, bucket, key)| Req::Get { who, bucket, key }),
        1 => (w.clone(), b.clone(), k.clone()).prop_map(|(who, bucket, key)| Req::Head { who, bucket, key }),
        2 => (w.clone(), b.clone(), k.clone()).prop_map(|(who, bucket, key)| Req::Delete { who, bucket, key }),
        1 => (w.clone(), b.clone(), k).prop_map(|(who, bucket, key)| Req::GetAcl { who, bucket, key }),
        1 => (w, b.clone()).prop_map(|(who, bucket)| Req::List { who, bucket }),
        1 => b.clone().prop_map(|bucket| Req::AllowB { bucket }),
        1 => b.prop_map(|bucket| Req::DeletePolicy { bucket }),
    ]
}

/// What a client saw of one request, as the journal names it: principal, op, and `ok` or the
/// refusal's HTTP status.
type Seen = (String, &'static str, String);

fn answer<T, E>(
    r: Result<
        T,
        aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::http::Response>,
    >,
) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => e
            .raw_response()
            .map(|r| r.status().as_u16().to_string())
            .unwrap_or_else(|| format!("no answer: {e}")),
    }
}

/// Sends a client's requests in order; returns what it saw of each.
async fn client(
    cfg: EndpointConfig,
    creds: [xacct_endpoint::Creds; 2],
    policy: [String; 2],
    reqs: Vec<Req>,
) -> Vec<Seen> {
    let s3 = [
        clients(&cfg, Some(&creds[0])).s3,
        clients(&cfg, Some(&creds[1])).s3,
    ];
    let mut seen = Vec::new();
    for r in reqs {
        let (who, op, a) = match r {
            Req::Put {
                who,
                bucket,
                key,
                acl,
            } => {
                let mut q = s3[who]
                    .put_object()
                    .bucket(BUCKETS[bucket])
                    .key(KEYS[key])
                    .body(ByteStream::from_static(b"x"));
                if acl {
                    q = q.acl(ObjectCannedAcl::BucketOwnerFullControl);
                }
                (who, "put_object", answer(q.send().await))
            }
            Req::Get { who, bucket, key } => (
                who,
                "get_object",
                answer(
                    s3[who]
                        .get_object()
                        .bucket(BUCKETS[bucket])
                        .key(KEYS[key])
                        .send()
                        .await,
                ),
            ),
            Req::Head { who, bucket, key } => (
                who,
                "head_object",
                answer(
                    s3[who]
                        .head_object()
                        .bucket(BUCKETS[bucket])
                        .key(KEYS[key])
                        .send()
                        .await,
                ),
            ),
            Req::Delete { who, bucket, key } => (
                who,
                "delete_object",
                answer(
                    s3[who]
                        .delete_object()
                        .bucket(BUCKETS[bucket])
                        .key(KEYS[key])
                        .send()
                        .await,
                ),
            ),
            Req::GetAcl { who, bucket, key } => (
                who,
                "get_object_acl",
                answer(
                    s3[who]
                        .get_object_acl()
                        .bucket(BUCKETS[bucket])
                        .key(KEYS[key])
                        .send()
                        .await,
                ),
            ),
            Req::List { who, bucket } => (
                who,
                "list_objects",
                answer(
                    s3[who]
                        .list_objects_v2()
                        .bucket(BUCKETS[bucket])
                        .send()
                        .await,
                ),
            ),
            Req::AllowB { bucket } => (
                0,
                "put_bucket_policy",
                answer(
                    s3[0]
                        .put_bucket_policy()
                        .bucket(BUCKETS[bucket])
                        .policy(&policy[bucket])
                        .send()
                        .await,
                ),
            ),
            Req::DeletePolicy { bucket } => (
                0,
                "delete_bucket_policy",
                answer(
                    s3[0]
                        .delete_bucket_policy()
                        .bucket(BUCKETS[bucket])
                        .send()
                        .await,
                ),
            ),
        };
        seen.push((WHO[who].to_string(), op, a));
    }
    seen
}

/// A policy of bucket `b` letting account `b_id` read and write its objects.
fn allow_b(bucket: &str, b_id: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{b_id}:root")},
                       "Action": ["s3:GetObject", "s3:PutObject"], "Resource": format!("arn:aws:s3:::{bucket}/*")}]
    })
    .to_string()
}

fn check(plan: Vec<Vec<Req>>) -> Result<(), TestCaseError> {
    let rt = runtime();
    let _in = rt.enter();
    let ep = Endpoint::start(None).expect("the endpoint starts");
    let creds = ep.provision(&["A".to_string(), "B".to_string()]);
    let creds = [creds["A.admin"].clone(), creds["B.admin"].clone()];
    let mut cfg = EndpointConfig::single(&ep.url());
    cfg.attempts = 1;
    let a = clients(&cfg, Some(&creds[0])).s3;
    for b in BUCKETS {
        let q = a
            .create_bucket()
            .bucket(b)
            .object_ownership(ObjectOwnership::BucketOwnerPreferred);
        rt.block_on(q.send()).expect("create a bucket");
    }
    let b_id = ep
        .world()
        .accounts
        .values()
        .find(|a| a.name.0 == "B")
        .expect("B")
        .id
        .clone();
    let policy = BUCKETS.map(|b| allow_b(b, &b_id));
    ep.start_journal();
    let tasks: Vec<_> = plan
        .into_iter()
        .map(|reqs| rt.spawn(client(cfg.clone(), creds.clone(), policy.clone(), reqs)))
        .collect();
    let mut seen: Vec<Seen> = Vec::new();
    for t in tasks {
        seen.extend(rt.block_on(t).expect("a client"));
    }
    let journal = ep.journal().expect("the journal was started");
    // The model, replaying the journal from its start, gives each answer and ends where the
    // endpoint did.
    let mut world = journal.start.clone();
    let mut served: Vec<Seen> = Vec::new();
    for (step, outcome) in &journal.entries {
        let (model, _) = xacct_model::deviation::step_literal_with(&[], &mut world, step)
            .map_err(|e| TestCaseError::fail(format!("{step:?}: {e}")))?;
        prop_assert_eq!(&model, outcome, "{:?}", step);
        let a = if outcome.allowed() {
            "ok".to_string()
        } else {
            outcome.status.to_string()
        };
        served.push((step.as_.clone(), step.op.name(), a));
    }
    prop_assert!(
        world == ep.world(),
        "the replayed world differs from the endpoint's"
    );
    // Every request a client sent was served once, with the answer the client saw.
    let count = |v: &[Seen]| {
        let mut m: BTreeMap<Seen, usize> = BTreeMap::new();
        for s in v {
            *m.entry(s.clone()).or_default() += 1;
        }
        m
    };
    prop_assert_eq!(count(&seen), count(&served));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn concurrent_clients_are_served_in_one_order_the_model_replays(
        plan in prop::collection::vec(prop::collection::vec(req(), 1..16), 2..12)
    ) {
        check(plan)?;
    }
}
