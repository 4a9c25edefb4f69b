//! Gaps of the embedded endpoint that an S3/IAM user hits at once, each checked over real HTTP
//! on 127.0.0.1 with the SDK clients every target uses (project issue #12, item 4).

mod common;
use common::{code_of, runtime};
use xacct_endpoint::Endpoint;
use xacct_harness::target::sdk::{self, Clients, Creds, EndpointConfig};

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

/// A new access key of IAM user `user`, made by `c`.
async fn access_key(c: &Clients, user: &str) -> Creds {
    let k = c
        .iam
        .create_access_key()
        .user_name(user)
        .send()
        .await
        .unwrap();
    let k = k.access_key().unwrap();
    Creds {
        access_key_id: k.access_key_id().into(),
        secret_access_key: k.secret_access_key().into(),
        session_token: None,
    }
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

/// One HTTP/1.1 exchange on a fresh connection: the status and the body of the answer.
fn raw(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &http::HeaderMap,
    body: &[u8],
) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {}\r\n", v.to_str().unwrap()));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    // The server may answer (and stop reading) before a refused body is all sent.
    let _ = s.write_all(body);
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Headers of an STS form POST of `body`, signed by `aws-sigv4` at `time` for `creds`, with
/// `x-amz-content-sha256` when `sha_header`.
fn sts_signed(
    host: &str,
    creds: &Creds,
    body: &[u8],
    time: std::time::SystemTime,
    sha_header: bool,
) -> http::HeaderMap {
    use aws_sigv4::http_request::{
        sign, PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings,
    };
    let mut settings = SigningSettings::default();
    if sha_header {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    let identity = aws_credential_types::Credentials::new(
        &creds.access_key_id,
        &creds.secret_access_key,
        None,
        None,
        "test",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("sts")
        .time(time)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let base = [
        ("host", host),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let uri = format!("http://{host}/");
    let signable = SignableRequest::new(
        "POST",
        uri.as_str(),
        base.into_iter(),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::new(());
    for (k, v) in base {
        req.headers_mut().insert(k, v.parse().unwrap());
    }
    instructions.apply_to_request_http1x(&mut req);
    req.headers().clone()
}

#[test]
fn iam_and_sts_signatures_cover_the_body_and_the_clock() {
    let rt = runtime();
    let (ep, _cfg, a, _) = endpoint(&rt);
    let host = ep.addr().to_string();
    let body = b"Action=GetCallerIdentity&Version=2011-06-15";
    let now = std::time::SystemTime::now();
    let h = sts_signed(&host, &a, body, now, false);
    let (status, text) = raw(ep.addr(), "POST", "/", &h, body);
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains("<Arn>arn:aws:iam::111111111111:user/admin</Arn>"),
        "{text}"
    );

    // Another body under the same signature, its client-sent hash the signed body's.
    let h_sha = sts_signed(&host, &a, body, now, true);
    let (status, text) = raw(ep.addr(), "POST", "/", &h_sha, body);
    assert_eq!(status, 200, "{text}");
    let (status, text) = raw(
        ep.addr(),
        "POST",
        "/",
        &h_sha,
        b"Action=GetCallerIdentity&Version=2011-06-16",
    );
    assert_eq!(
        (status, text.contains("<Code>SignatureDoesNotMatch</Code>")),
        (403, true),
        "{text}"
    );

    // A client-sent payload hash that is not the body's.
    let mut lying = h.clone();
    lying.insert("x-amz-content-sha256", "UNSIGNED-PAYLOAD".parse().unwrap());
    let (status, text) = raw(ep.addr(), "POST", "/", &lying, body);
    assert_eq!(
        (status, text.contains("<Code>SignatureDoesNotMatch</Code>")),
        (403, true),
        "{text}"
    );

    // Signed 20 minutes ago: expired, as AWS words it.
    let old = sts_signed(
        &host,
        &a,
        body,
        now - std::time::Duration::from_secs(20 * 60),
        false,
    );
    let (status, text) = raw(ep.addr(), "POST", "/", &old, body);
    assert_eq!(status, 403, "{text}");
    assert!(
        text.contains("<Code>SignatureDoesNotMatch</Code>") && text.contains("Signature expired"),
        "{text}"
    );
    let ahead = sts_signed(
        &host,
        &a,
        body,
        now + std::time::Duration::from_secs(20 * 60),
        false,
    );
    let (status, text) = raw(ep.addr(), "POST", "/", &ahead, body);
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("Signature not yet current"), "{text}");
}

/// RFC 3986 percent-decoding, as botocore applies to AssumeRolePolicyDocument (`+` stays `+`).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn iam_reads_users_and_roles_with_trust_policies_percent_encoded() {
    let rt = runtime();
    let (_ep, cfg, a, b) = endpoint(&rt);
    rt.block_on(async {
        let c = sdk::clients(&cfg, Some(&a));
        c.iam.create_user().user_name("u1").send().await.unwrap();
        let trust = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]}"#;
        let created = c
            .iam
            .create_role()
            .role_name("r1")
            .assume_role_policy_document(trust)
            .send()
            .await
            .unwrap();
        let doc = created.role().unwrap().assume_role_policy_document().unwrap();
        assert!(doc.contains("%20") && !doc.contains('+'), "{doc}");
        assert_eq!(percent_decode(doc), trust);

        let role = c.iam.get_role().role_name("r1").send().await.unwrap();
        let role = role.role().unwrap();
        assert_eq!(role.arn(), "arn:aws:iam::111111111111:role/r1");
        let got = percent_decode(role.assume_role_policy_document().unwrap());
        let json = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap();
        assert_eq!(json(&got), json(trust));
        let user = c.iam.get_user().user_name("u1").send().await.unwrap();
        assert_eq!(user.user().unwrap().arn(), "arn:aws:iam::111111111111:user/u1");
        let me = c.iam.get_user().send().await.unwrap();
        assert_eq!(me.user().unwrap().user_name(), "admin");

        let users = c.iam.list_users().send().await.unwrap();
        let names: Vec<&str> = users.users().iter().map(|u| u.user_name()).collect();
        assert_eq!(names, ["admin", "u1"]);
        let roles = c.iam.list_roles().send().await.unwrap();
        let names: Vec<&str> = roles.roles().iter().map(|r| r.role_name()).collect();
        assert_eq!(names, ["r1"]);

        let e = c.iam.get_role().role_name("nope").send().await.unwrap_err();
        assert_eq!(code_of(&e), "NoSuchEntity");
        // B's admin sees only B's users; A's role is not B's.
        let cb = sdk::clients(&cfg, Some(&b));
        let users = cb.iam.list_users().send().await.unwrap();
        let names: Vec<&str> = users.users().iter().map(|u| u.user_name()).collect();
        assert_eq!(names, ["admin"]);
        let e = cb.iam.get_role().role_name("r1").send().await.unwrap_err();
        assert_eq!(code_of(&e), "NoSuchEntity");

        // A user without policy may not read users.
        let u1 = access_key(&c, "u1").await;
        let cu = sdk::clients(&cfg, Some(&u1));
        let e = cu.iam.list_users().send().await.unwrap_err();
        assert_eq!(code_of(&e), "AccessDenied");
        let e = cu.iam.get_role().role_name("r1").send().await.unwrap_err();
        assert_eq!(code_of(&e), "AccessDenied");
    });
}

#[test]
fn multipart_uploads_belong_to_the_principal_not_the_key() {
    let rt = runtime();
    let (_ep, cfg, a, b) = endpoint(&rt);
    rt.block_on(async {
        let ca = sdk::clients(&cfg, Some(&a));
        bucket(&ca, "xacct-mp").await;
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
        ca.iam.create_user().user_name("u1").send().await.unwrap();
        ca.iam
            .put_user_policy()
            .user_name("u1")
            .policy_name("s3")
            .policy_document(policy)
            .send()
            .await
            .unwrap();
        let keys = [access_key(&ca, "u1").await, access_key(&ca, "u1").await];
        let (k1, k2) = (sdk::clients(&cfg, Some(&keys[0])), sdk::clients(&cfg, Some(&keys[1])));
        let start = |c: &Clients| c.s3.create_multipart_upload().bucket("xacct-mp").key("k").send();
        let abort = |c: &Clients, id: &str| {
            c.s3.abort_multipart_upload().bucket("xacct-mp").key("k").upload_id(id).send()
        };
        let up = start(&k1).await.unwrap();
        let id = up.upload_id().unwrap().to_string();
        // Another principal cannot abort it; the same user with its other key can.
        let cb = sdk::clients(&cfg, Some(&b));
        let e = abort(&cb, &id).await.unwrap_err();
        assert_eq!(code_of(&e), "NoSuchUpload");
        let e = abort(&ca, &id).await.unwrap_err();
        assert_eq!(code_of(&e), "NoSuchUpload");
        abort(&k2, &id).await.unwrap();
        let e = abort(&k1, &id).await.unwrap_err();
        assert_eq!(code_of(&e), "NoSuchUpload");
    });
}

#[test]
fn error_messages_name_real_ids_not_placeholders() {
    let rt = runtime();
    let (_ep, cfg, a, _) = endpoint(&rt);
    rt.block_on(async {
        let ca = sdk::clients(&cfg, Some(&a));
        bucket(&ca, "xacct-msg").await;
        let e = ca
            .s3
            .list_objects_v2()
            .bucket("xacct-msg")
            .expected_bucket_owner("222222222222")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&e), "AccessDenied");
        let message = e
            .as_service_error()
            .and_then(|s| s.meta().message())
            .unwrap_or("");
        assert!(message.contains("222222222222"), "{message}");
        assert!(!message.contains("${"), "{message}");
    });
}

#[test]
fn unserved_operations_are_authorized_before_501() {
    let rt = runtime();
    let (_ep, cfg, a, b) = endpoint(&rt);
    rt.block_on(async {
        let ca = sdk::clients(&cfg, Some(&a));
        bucket(&ca, "xacct-ni").await;
        for c in [sdk::clients(&cfg, None), sdk::clients(&cfg, Some(&b))] {
            let e =
                c.s3.get_bucket_versioning()
                    .bucket("xacct-ni")
                    .send()
                    .await
                    .unwrap_err();
            assert_eq!((status_of(&e), code_of(&e).as_str()), (403, "AccessDenied"));
            let e =
                c.s3.get_object_tagging()
                    .bucket("xacct-ni")
                    .key("k")
                    .send()
                    .await
                    .unwrap_err();
            assert_eq!(status_of(&e), 403);
        }
        let e = ca
            .s3
            .get_bucket_versioning()
            .bucket("xacct-none")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&e), "NoSuchBucket");
        // The owner passes the check and learns the endpoint does not serve it.
        let e = ca
            .s3
            .get_bucket_versioning()
            .bucket("xacct-ni")
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            (status_of(&e), code_of(&e).as_str()),
            (501, "NotImplemented")
        );
    });
}

#[test]
fn objects_keep_their_bytes_with_md5_etags_digests_and_ranges() {
    use aws_smithy_types::byte_stream::ByteStream;
    let rt = runtime();
    let (ep, cfg, a, _) = endpoint(&rt);
    rt.block_on(async {
        let c = sdk::clients(&cfg, Some(&a));
        bucket(&c, "xacct-obj").await;
        let put = |key: &str, body: &'static [u8]| {
            c.s3.put_object()
                .bucket("xacct-obj")
                .key(key)
                .body(ByteStream::from_static(body))
        };
        let r = put("k", b"hello, world").send().await.unwrap();
        // MD5("hello, world") = e4d7f1b4ed2e42d15898f4b27b019da4
        assert_eq!(r.e_tag(), Some("\"e4d7f1b4ed2e42d15898f4b27b019da4\""));
        let got =
            c.s3.get_object()
                .bucket("xacct-obj")
                .key("k")
                .send()
                .await
                .unwrap();
        assert_eq!(got.content_length(), Some(12));
        assert_eq!(
            got.body.collect().await.unwrap().into_bytes().as_ref(),
            b"hello, world"
        );
        let head =
            c.s3.head_object()
                .bucket("xacct-obj")
                .key("k")
                .send()
                .await
                .unwrap();
        assert_eq!((head.content_length(), head.e_tag()), (Some(12), r.e_tag()));

        // Ranges: 206 with Content-Range; past the end, 416 InvalidRange.
        let part =
            c.s3.get_object()
                .bucket("xacct-obj")
                .key("k")
                .range("bytes=7-")
                .send()
                .await
                .unwrap();
        assert_eq!(part.content_range(), Some("bytes 7-11/12"));
        assert_eq!(
            part.body.collect().await.unwrap().into_bytes().as_ref(),
            b"world"
        );
        let part =
            c.s3.get_object()
                .bucket("xacct-obj")
                .key("k")
                .range("bytes=-5")
                .send()
                .await
                .unwrap();
        assert_eq!(
            part.body.collect().await.unwrap().into_bytes().as_ref(),
            b"world"
        );
        let e =
            c.s3.get_object()
                .bucket("xacct-obj")
                .key("k")
                .range("bytes=12-")
                .send()
                .await
                .unwrap_err();
        assert_eq!((status_of(&e), code_of(&e).as_str()), (416, "InvalidRange"));

        // Content-MD5: the body's passes, another's is BadDigest, garbage is InvalidDigest.
        put("m", b"hello, world")
            .content_md5("5NfxtO0uQtFYmPSyewGdpA==")
            .send()
            .await
            .unwrap();
        let e = put("m", b"hello, world!")
            .content_md5("5NfxtO0uQtFYmPSyewGdpA==")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&e), "BadDigest");
        let e = put("m", b"x")
            .content_md5("not-base64!")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&e), "InvalidDigest");

        // Copies carry the bytes; a deleted object's bytes are gone with it.
        c.s3.copy_object()
            .bucket("xacct-obj")
            .key("c")
            .copy_source("xacct-obj/k")
            .send()
            .await
            .unwrap();
        let got =
            c.s3.get_object()
                .bucket("xacct-obj")
                .key("c")
                .send()
                .await
                .unwrap();
        assert_eq!(
            got.body.collect().await.unwrap().into_bytes().as_ref(),
            b"hello, world"
        );
        c.s3.delete_object()
            .bucket("xacct-obj")
            .key("k")
            .send()
            .await
            .unwrap();
        put("k", b"").send().await.unwrap();
        let got =
            c.s3.get_object()
                .bucket("xacct-obj")
                .key("k")
                .send()
                .await
                .unwrap();
        assert_eq!(got.content_length(), Some(0));
    });
    // Past the per-object cap: 400 EntityTooLarge (raw request, the SDK would stream it).
    let big = vec![b'x'; 16 * 1024 * 1024 + 1];
    let mut h = http::HeaderMap::new();
    h.insert("host", ep.addr().to_string().parse().unwrap());
    let (status, text) = raw(ep.addr(), "PUT", "/xacct-obj/big", &h, &big);
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("<Code>EntityTooLarge</Code>"), "{text}");
}
