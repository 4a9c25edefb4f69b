//! Gaps of the embedded endpoint that an S3/IAM user hits at once, each checked over real HTTP
//! on 127.0.0.1 with the SDK clients every target uses (project issue #12, item 4).

use xacct_endpoint::Endpoint;
use xacct_harness::target::sdk::{self, Clients, Creds, EndpointConfig};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A fresh endpoint with accounts A and B: the endpoint, A's admin and B's admin credentials.
fn endpoint(rt: &tokio::runtime::Runtime) -> (Endpoint, EndpointConfig, Creds, Creds) {
    let _in_runtime = rt.enter();
    let ep = Endpoint::start(None).unwrap();
    let creds = ep.provision(&["A".to_string(), "B".to_string()]);
    let mut cfg = EndpointConfig::single(&ep.url());
    cfg.attempts = 1;
    (ep, cfg, creds["A.admin"].clone(), creds["B.admin"].clone())
}

type SdkError<E> = aws_smithy_runtime_api::client::result::SdkError<
    E,
    aws_smithy_runtime_api::client::orchestrator::HttpResponse,
>;

/// The HTTP status of a refused SDK call (HEAD answers carry no error code).
fn status_of<E>(e: &SdkError<E>) -> u16 {
    e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0)
}

async fn bucket(c: &Clients, name: &str) {
    c.s3.create_bucket().bucket(name).send().await.unwrap();
}

#[test]
fn head_bucket_is_authorized_as_list_bucket() {
    let rt = runtime();
    let (_ep, cfg, a, b) = endpoint(&rt);
    rt.block_on(async {
        let ca = sdk::clients(&cfg, Some(&a));
        bucket(&ca, "xacct-hb").await;
        ca.s3.head_bucket().bucket("xacct-hb").send().await.unwrap();
        let anon = sdk::clients(&cfg, None);
        let e = anon
            .s3
            .head_bucket()
            .bucket("xacct-hb")
            .send()
            .await
            .unwrap_err();
        assert_eq!(status_of(&e), 403);
        let cb = sdk::clients(&cfg, Some(&b));
        let e = cb
            .s3
            .head_bucket()
            .bucket("xacct-hb")
            .send()
            .await
            .unwrap_err();
        assert_eq!(status_of(&e), 403);
        let e = ca
            .s3
            .head_bucket()
            .bucket("xacct-none")
            .send()
            .await
            .unwrap_err();
        assert_eq!(status_of(&e), 404);
    });
}

#[test]
fn placeholders_in_wire_input_are_taken_literally() {
    let rt = runtime();
    let (_ep, cfg, a, _) = endpoint(&rt);
    rt.block_on(async {
        let ca = sdk::clients(&cfg, Some(&a));
        bucket(&ca, "xacct-ph").await;
        for key in ["${A}", "${Q}", "x-${A.canonical}"] {
            ca.s3
                .put_object()
                .bucket("xacct-ph")
                .key(key)
                .send()
                .await
                .unwrap();
        }
        let listed = ca.s3.list_objects_v2().bucket("xacct-ph").send().await.unwrap();
        let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
        assert_eq!(keys, ["${A}", "${Q}", "x-${A.canonical}"]);
        ca.s3
            .get_object()
            .bucket("xacct-ph")
            .key("${Q}")
            .send()
            .await
            .unwrap();

        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::xacct-ph","Condition":{"StringEquals":{"s3:prefix":"${A}"}}}]}"#;
        ca.s3
            .put_bucket_policy()
            .bucket("xacct-ph")
            .policy(policy)
            .send()
            .await
            .unwrap();
        let got = ca.s3.get_bucket_policy().bucket("xacct-ph").send().await.unwrap();
        let got: serde_json::Value = serde_json::from_str(got.policy().unwrap()).unwrap();
        assert_eq!(
            got["Statement"][0]["Condition"]["StringEquals"]["s3:prefix"],
            "${A}"
        );
    });
}
