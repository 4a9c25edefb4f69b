//! Property test of the STS/IAM SigV4 verifier (`sigv4.rs`) against the AWS SDK's own signer,
//! `aws-sigv4`: over random bodies, extra headers, query parameters and dates, what the SDK
//! signs the verifier accepts (up to 15 minutes either way of the signing time); a tampered
//! body, a tampered date, a client-sent payload hash that lies, or a clock past the skew
//! limit is refused.

use crate::sigv4::{verify, Authorization, SigError, Signed, MAX_SKEW_SECS};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings,
};
use aws_sigv4::sign::v4;
use proptest::prelude::*;
use std::time::{Duration, UNIX_EPOCH};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// One request as the SDK would send it.
#[derive(Debug, Clone)]
struct Case {
    body: Vec<u8>,
    headers: Vec<(String, String)>,
    query: String,
    /// Signing time, seconds since the epoch.
    time: u64,
    /// Whether the client sends `x-amz-content-sha256` (as S3 clients do).
    sha_header: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec(any::<u8>(), 0..600),
        proptest::collection::btree_map("x-test-[a-z]{1,8}", "[a-zA-Z0-9=/+,.-]{1,24}", 0..4),
        proptest::option::of("[A-Za-z]{1,12}"),
        1_500_000_000u64..2_000_000_000,
        any::<bool>(),
    )
        .prop_map(|(body, headers, action, time, sha_header)| Case {
            body,
            headers: headers.into_iter().collect(),
            query: action.map(|a| format!("Action={a}")).unwrap_or_default(),
            time,
            sha_header,
        })
}

/// The request signed by `aws-sigv4` for service `iam`: its headers, Authorization included.
fn signed(c: &Case) -> http::HeaderMap {
    let identity = Credentials::new("AKIDEXAMPLE", SECRET, None, None, "test").into();
    let mut settings = SigningSettings::default();
    if c.sha_header {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("iam")
        .time(UNIX_EPOCH + Duration::from_secs(c.time))
        .settings(settings)
        .build()
        .expect("signing parameters")
        .into();
    let uri = format!("http://127.0.0.1:9000/?{}", c.query);
    let mut headers = vec![
        ("host", "127.0.0.1:9000"),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    headers.extend(c.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let signable = SignableRequest::new(
        "POST",
        uri.as_str(),
        headers.clone().into_iter(),
        SignableBody::Bytes(&c.body),
    )
    .expect("signable request");
    let (instructions, _) = sign(signable, &params).expect("signs").into_parts();
    let mut req = http::Request::new(());
    for (k, v) in headers {
        let name = http::HeaderName::from_bytes(k.as_bytes()).expect("valid header name");
        req.headers_mut().insert(name, v.parse().unwrap());
    }
    instructions.apply_to_request_http1x(&mut req);
    req.headers().clone()
}

fn check(c: &Case, headers: &http::HeaderMap, body: &[u8], now: u64) -> Result<(), SigError> {
    let header = headers["authorization"].to_str().unwrap();
    let auth = Authorization::parse(header)?;
    let req = Signed {
        method: "POST",
        path: "/",
        query: &c.query,
        headers,
        body,
    };
    verify(&auth, &req, SECRET, now)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn what_aws_sigv4_signs_is_accepted(c in case(), drift in -(MAX_SKEW_SECS as i64)..=(MAX_SKEW_SECS as i64)) {
        let h = signed(&c);
        let now = c.time.checked_add_signed(drift).unwrap();
        prop_assert_eq!(check(&c, &h, &c.body, now), Ok(()));
    }

    #[test]
    fn a_tampered_body_is_refused(c in case(), extra in any::<u8>()) {
        let h = signed(&c);
        let mut body = c.body.clone();
        body.push(extra);
        let r = check(&c, &h, &body, c.time);
        if c.sha_header {
            prop_assert!(matches!(r, Err(SigError::PayloadHash(_))), "{:?}", r);
        } else {
            prop_assert_eq!(r, Err(SigError::Mismatch));
        }
    }

    #[test]
    fn a_lying_payload_hash_is_refused(c in case()) {
        let mut h = signed(&c);
        let other = "0".repeat(64);
        h.insert("x-amz-content-sha256", other.parse().unwrap());
        prop_assert!(matches!(check(&c, &h, &c.body, c.time), Err(SigError::PayloadHash(_))));
    }

    #[test]
    fn a_tampered_date_is_refused(c in case(), shift in 1u64..600) {
        let mut h = signed(&c);
        let later = crate::clock::amz_date(c.time + shift);
        h.insert("x-amz-date", later.parse().unwrap());
        let r = check(&c, &h, &c.body, c.time);
        // The same day: the signature no longer matches; the next day: the scope is wrong.
        prop_assert!(
            matches!(r, Err(SigError::Mismatch) | Err(SigError::ScopeDate { .. })),
            "{:?}", r
        );
    }

    #[test]
    fn a_clock_past_the_skew_is_refused(c in case(), past in 1u64..100_000) {
        let h = signed(&c);
        let late = check(&c, &h, &c.body, c.time + MAX_SKEW_SECS + past);
        prop_assert!(matches!(late, Err(SigError::Expired { .. })), "{:?}", late);
        let early = check(&c, &h, &c.body, c.time - MAX_SKEW_SECS - past);
        prop_assert!(matches!(early, Err(SigError::NotYetCurrent { .. })), "{:?}", early);
    }
}
