//! The executor without a network: recorded HTTP answers (aws-smithy's StaticReplayClient) go
//! through the real SDK clients, and the executor must read them into the model's terms — or
//! call them endpoint faults — exactly.

use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_types::body::SdkBody;
use std::collections::BTreeMap;
use xacct_harness::compare::Observed;
use xacct_harness::target::cleanup_via_api;
use xacct_harness::target::execute::{execute, IamKind, IamName, TargetState};
use xacct_harness::target::mapping::{AccountMap, CrossAddressing, Mapping};
use xacct_harness::target::sdk::{clients_with, Creds, EndpointConfig};
use xacct_model::outcome::GrantView;
use xacct_model::Step;

fn state() -> TargetState {
    let mut accounts = BTreeMap::new();
    accounts.insert(
        "A".to_string(),
        AccountMap {
            id: "tA".into(),
            canonical: "tA$admin".into(),
            email: None,
        },
    );
    accounts.insert(
        "B".to_string(),
        AccountMap {
            id: "tB".into(),
            canonical: "tB$admin".into(),
            email: None,
        },
    );
    let mapping = Mapping::new(
        "xacct-r-".into(),
        "/".into(),
        CrossAddressing::TenantColon,
        accounts,
    );
    let mut ep = EndpointConfig::single("http://127.0.0.1:1");
    ep.attempts = 1;
    TargetState::new(ep, mapping, vec!["b1".into()])
}

fn creds() -> Creds {
    Creds {
        access_key_id: "AKIDTEST".into(),
        secret_access_key: "secret".into(),
        session_token: None,
    }
}

fn replay(events: Vec<(u16, &str)>) -> StaticReplayClient {
    StaticReplayClient::new(
        events
            .into_iter()
            .map(|(status, body)| {
                ReplayEvent::new(
                    http::Request::builder()
                        .uri("http://127.0.0.1:1/")
                        .body(SdkBody::empty())
                        .unwrap(),
                    http::Response::builder()
                        .status(status)
                        .body(SdkBody::from(body.to_string()))
                        .unwrap(),
                )
            })
            .collect(),
    )
}

fn step(v: serde_json::Value) -> Step {
    Step::from_value(&v).unwrap()
}

async fn run(
    as_: &str,
    http: &StaticReplayClient,
    s: Step,
    anonymous: bool,
) -> (Observed, TargetState) {
    let mut st = state();
    st.bucket_owner.insert("b1".into(), "A".into());
    let c = clients_with(
        &st.ep,
        (!anonymous).then(creds).as_ref(),
        Some(SharedHttpClient::new(http.clone())),
    );
    st.set_clients(as_, c);
    let o = execute(&mut st, &s).await;
    (o, st)
}

#[tokio::test]
async fn object_acl_answers_map_back_to_accounts_and_cross_tenant_paths_are_used() {
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>tB$admin</ID></Owner><AccessControlList>
<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>tA$admin</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>
<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>
</AccessControlList></AccessControlPolicy>"#;
    let http = replay(vec![(200, body)]);
    let (o, _) = run("B.admin", &http, step(serde_json::json!({"as": "B.admin", "op": "get_object_acl", "bucket": "b1", "key": "k"})), false).await;
    let out = o.outcome().expect("an answer").clone();
    assert_eq!(out.status, 200);
    assert_eq!(out.owner.as_deref(), Some("B"));
    assert_eq!(
        out.grants.unwrap(),
        vec![
            GrantView {
                grantee: "A".into(),
                permission: "FULL_CONTROL".into()
            },
            GrantView {
                grantee: "AllUsers".into(),
                permission: "READ".into()
            },
        ]
    );
    // B addresses A's bucket as tenant:bucket, and signs the request.
    let req = http.actual_requests().next().unwrap();
    assert!(
        req.uri().contains("tA:xacct-r-b1/k") || req.uri().contains("tA%3Axacct-r-b1/k"),
        "{}",
        req.uri()
    );
    assert!(req.headers().get("authorization").is_some());
}

#[tokio::test]
async fn errors_are_read_from_bodies_and_5xx_is_an_endpoint_fault() {
    // RGW's IAM errors come in a shape the SDK does not parse: the code is read from the body.
    let http = replay(vec![(
        400,
        "<ErrorResponse><Error><Code>MalformedPolicyDocument</Code></Error></ErrorResponse>",
    )]);
    let (o, _) = run("A.admin", &http, step(serde_json::json!({"as": "A.admin", "op": "put_user_policy", "user": "dave", "policy": {"Statement": []}})), false).await;
    let out = o.outcome().expect("an answer");
    assert_eq!(
        (out.status, out.code.as_deref()),
        (400, Some("MalformedPolicyDocument"))
    );

    let http = replay(vec![(503, "<Error><Code>SlowDown</Code></Error>")]);
    let (o, _) = run(
        "A.admin",
        &http,
        step(serde_json::json!({"as": "A.admin", "op": "get_object", "bucket": "b1", "key": "k"})),
        false,
    )
    .await;
    match &o {
        Observed::Fault { why, status, raw } => {
            assert_eq!((why.as_str(), *status), ("HTTP 503 SlowDown", Some(503)));
            assert_eq!(raw, "HTTP 503 <Error><Code>SlowDown</Code></Error>");
        }
        other => panic!("{other:?}"),
    }

    // A fault may come after the endpoint made the bucket: clean-up must remove it.
    let http = replay(vec![(500, "<Error><Code>InternalError</Code></Error>")]);
    let s = step(serde_json::json!({"as": "A.admin", "op": "create_bucket", "bucket": "b2"}));
    let (o, st) = run("A.admin", &http, s, false).await;
    assert!(
        matches!(
            o,
            Observed::Fault {
                status: Some(500),
                ..
            }
        ),
        "{o:?}"
    );
    assert_eq!(
        st.created.buckets,
        vec![("A".to_string(), "b2".to_string())]
    );

    let http = replay(vec![(403, "<Error><Code>AccessDenied</Code></Error>")]);
    let (o, _) = run(
        "A.admin",
        &http,
        step(serde_json::json!({"as": "A.admin", "op": "head_object", "bucket": "b1", "key": "k"})),
        false,
    )
    .await;
    let out = o.outcome().expect("an answer");
    assert_eq!(
        (out.status, out.code.as_deref()),
        (403, None),
        "HEAD answers carry no code"
    );
}

#[tokio::test]
async fn success_status_policy_rewriting_and_anonymous_requests() {
    let http = replay(vec![(204, "")]);
    let s = step(
        serde_json::json!({"as": "A.admin", "op": "put_bucket_policy", "bucket": "b1", "policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${B}:user/admin"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b1/*"}]}}),
    );
    let (o, _) = run("A.admin", &http, s, false).await;
    assert_eq!(o.outcome().map(|o| o.status), Some(204));
    let req = http.actual_requests().next().unwrap();
    let body = std::str::from_utf8(req.body().bytes().unwrap()).unwrap();
    assert!(
        body.contains("arn:aws:iam::tB:user/admin") && body.contains("arn:aws:s3:::xacct-r-b1/*"),
        "{body}"
    );
    assert!(!body.contains('\n'), "policies are sent compact");

    let http = replay(vec![(200, "")]);
    let (o, _) = run(
        "anon",
        &http,
        step(serde_json::json!({"as": "anon", "op": "get_object", "bucket": "b1", "key": "k"})),
        true,
    )
    .await;
    assert_eq!(o.outcome().map(|o| o.status), Some(200));
    let req = http.actual_requests().next().unwrap();
    assert!(
        req.headers().get("authorization").is_none(),
        "anonymous requests are unsigned"
    );
}

#[tokio::test]
async fn unknown_principals_are_skipped_and_root_is_unsupported() {
    let http = replay(vec![]);
    let (o, _) = run(
        "A.admin",
        &http,
        step(serde_json::json!({"as": "A.dave", "op": "list_buckets"})),
        false,
    )
    .await;
    assert!(matches!(o, Observed::Skipped { .. }), "{o:?}");
    let (o, _) = run(
        "A.admin",
        &http,
        step(serde_json::json!({"as": "A.root", "op": "list_buckets"})),
        false,
    )
    .await;
    assert!(matches!(o, Observed::Unsupported { .. }), "{o:?}");
}

/// A user or role an earlier case left behind cannot be created again on that account.
#[test]
fn left_behind_users_and_roles_are_fenced_off_on_their_account_only() {
    let mut st = state();
    st.fenced.insert(IamName {
        account: "A".into(),
        kind: IamKind::User,
        name: "u1".into(),
    });
    let create = |as_: &str, op: &str, name: &str| {
        let mut v = serde_json::json!({"as": as_, "op": op, "name": name});
        if op == "create_role" {
            v["trust_policy"] = serde_json::json!({"Version": "2012-10-17", "Statement": []});
        }
        step(v)
    };
    let why = st.fenced_off(&create("A.admin", "create_user", "u1"));
    assert_eq!(
        why.as_deref(),
        Some(
            "user A.u1 was left behind by an earlier case's clean-up: it cannot be created afresh"
        )
    );
    assert_eq!(st.fenced_off(&create("B.admin", "create_user", "u1")), None);
    assert_eq!(st.fenced_off(&create("A.admin", "create_user", "u2")), None);
    assert_eq!(st.fenced_off(&create("A.admin", "create_role", "u1")), None);
}

/// Clean-up retries a removal while the endpoint fails, takes a NoSuch* answer on a retry as
/// done (the earlier attempt took effect), and records every fault; what still fails is left
/// behind, and a user is fenced off.
#[tokio::test]
async fn clean_up_retries_takes_nosuch_on_a_retry_as_done_and_fences_what_stays() {
    const IAM_500: &str =
        "<ErrorResponse><Error><Code>ServiceFailure</Code></Error></ErrorResponse>";
    let http = replay(vec![
        // Bucket b1: its policy, its (no) objects, then the delete fails once and the retry
        // finds it gone.
        (204, ""),
        (
            200,
            "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <Name>xacct-r-b1</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>\
             </ListBucketResult>",
        ),
        (503, "<Error><Code>SlowDown</Code></Error>"),
        (404, "<Error><Code>NoSuchBucket</Code></Error>"),
        // User u1: no policies, no keys, then every delete fails.
        (
            200,
            "<ListUserPoliciesResponse><ListUserPoliciesResult><PolicyNames/>\
             <IsTruncated>false</IsTruncated></ListUserPoliciesResult></ListUserPoliciesResponse>",
        ),
        (
            200,
            "<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata/>\
             <IsTruncated>false</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>",
        ),
        (500, IAM_500),
        (500, IAM_500),
        (500, IAM_500),
        (500, IAM_500),
    ]);
    let mut st = state();
    let c = clients_with(
        &st.ep,
        Some(&creds()),
        Some(SharedHttpClient::new(http.clone())),
    );
    st.set_clients("A.admin", c);
    st.created.buckets.push(("A".into(), "b1".into()));
    st.created.users.push(("A".into(), "u1".into()));
    let report = cleanup_via_api(&st).await;
    assert_eq!(http.actual_requests().count(), 10);
    assert_eq!(report.removed, vec!["bucket xacct-r-b1 (already gone)"]);
    assert_eq!(
        report.failed,
        vec!["user A.u1 (HTTP 500 ServiceFailure (4 attempts))"]
    );
    let faults: Vec<(&str, Option<u16>)> = report
        .faults
        .iter()
        .map(|f| (f.op.as_str(), f.status))
        .collect();
    assert_eq!(
        faults,
        vec![
            ("DeleteBucket", Some(503)),
            ("DeleteUser", Some(500)),
            ("DeleteUser", Some(500)),
            ("DeleteUser", Some(500)),
            ("DeleteUser", Some(500)),
        ]
    );
    assert_eq!(
        report.fenced,
        vec![IamName {
            account: "A".into(),
            kind: IamKind::User,
            name: "u1".into(),
        }]
    );
}
