//! AWS Signature Version 4 verification for the query APIs (STS, IAM), header form.
//!
//! Source: AWS, "Create a signed AWS API request" (IAM user guide, reference_sigv-create-signed-
//! request): canonical request → string to sign → HMAC-SHA256 chain over date, region, service
//! and `aws4_request`.
//!
//! Beyond the signature, as AWS checks it: the payload hash in the canonical request is the
//! hash of the body received (a client-sent `x-amz-content-sha256` must equal it), the
//! credential scope's date is the date of `X-Amz-Date`, and `X-Amz-Date` is within 15 minutes
//! of the endpoint's clock (AWS answers STS/IAM calls outside it with SignatureDoesNotMatch,
//! "Signature expired: … is now earlier than … (… - 15 min.)", as recorded in aws/aws-cli#6676).

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The parts of an `Authorization: AWS4-HMAC-SHA256 …` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Authorization {
    pub access_key: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SigError {
    #[error("Authorization header is not AWS4-HMAC-SHA256")]
    NotSigV4,
    #[error("malformed Authorization header: {0}")]
    Malformed(&'static str),
    #[error("missing X-Amz-Date")]
    NoDate,
    #[error("the signature does not match")]
    Mismatch,
    #[error("x-amz-content-sha256 {0} is not the SHA-256 of the body")]
    PayloadHash(String),
    #[error("X-Amz-Date {0:?} is not of the form YYYYMMDDTHHMMSSZ")]
    BadDate(String),
    #[error("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope}' != '{date}', from '{amz_date}'.")]
    ScopeDate {
        scope: String,
        date: String,
        amz_date: String,
    },
    #[error("Signature expired: {amz_date} is now earlier than {limit} ({now} - 15 min.)")]
    Expired {
        amz_date: String,
        limit: String,
        now: String,
    },
    #[error("Signature not yet current: {amz_date} is still later than {limit} ({now} + 15 min.)")]
    NotYetCurrent {
        amz_date: String,
        limit: String,
        now: String,
    },
}

/// How far `X-Amz-Date` may be from the endpoint's clock, either way: 15 minutes.
pub(crate) const MAX_SKEW_SECS: u64 = 15 * 60;

impl Authorization {
    pub(crate) fn parse(header: &str) -> Result<Authorization, SigError> {
        let rest = header
            .strip_prefix("AWS4-HMAC-SHA256")
            .ok_or(SigError::NotSigV4)?
            .trim_start();
        let mut credential = None;
        let mut signed = None;
        let mut signature = None;
        for part in rest.split(',') {
            let part = part.trim();
            if let Some(v) = part.strip_prefix("Credential=") {
                credential = Some(v);
            } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
                signed = Some(v);
            } else if let Some(v) = part.strip_prefix("Signature=") {
                signature = Some(v);
            }
        }
        let credential = credential.ok_or(SigError::Malformed("no Credential"))?;
        let scope: Vec<&str> = credential.split('/').collect();
        if scope.len() != 5 || scope[4] != "aws4_request" {
            return Err(SigError::Malformed("Credential scope"));
        }
        Ok(Authorization {
            access_key: scope[0].to_string(),
            date: scope[1].to_string(),
            region: scope[2].to_string(),
            service: scope[3].to_string(),
            signed_headers: signed
                .ok_or(SigError::Malformed("no SignedHeaders"))?
                .split(';')
                .map(str::to_string)
                .collect(),
            signature: signature
                .ok_or(SigError::Malformed("no Signature"))?
                .to_string(),
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length.
    let mut m =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// RFC 3986 percent-encoding of everything but unreserved characters (SigV4's UriEncode).
pub(crate) fn uri_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The query string in canonical form: decoded pairs re-encoded, sorted.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (uri_encode(&k), uri_encode(&v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The parts of a request the signature covers.
pub(crate) struct Signed<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a http::HeaderMap,
    pub body: &'a [u8],
}

/// Checks the request's signature with `secret`, its payload hash, its scope date and its
/// time against `now` (seconds since the epoch).
pub(crate) fn verify(
    auth: &Authorization,
    req: &Signed<'_>,
    secret: &str,
    now: u64,
) -> Result<(), SigError> {
    let amz_date = req
        .headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or(SigError::NoDate)?;
    check_time(auth, amz_date, now)?;
    let payload = hex(&Sha256::digest(req.body));
    if let Some(sent) = req.headers.get("x-amz-content-sha256") {
        if sent.as_bytes() != payload.as_bytes() {
            return Err(SigError::PayloadHash(
                String::from_utf8_lossy(sent.as_bytes()).into_owned(),
            ));
        }
    }
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{payload}",
        req.method,
        if req.path.is_empty() { "/" } else { req.path },
        canonical_query(req.query),
        canonical_headers(auth, req.headers),
        auth.signed_headers.join(";"),
    );
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let expected = hex(&hmac(&signing_key(auth, secret), string_to_sign.as_bytes()));
    if same_text(&expected, &auth.signature) {
        Ok(())
    } else {
        Err(SigError::Mismatch)
    }
}

/// The scope's date is `X-Amz-Date`'s, and `X-Amz-Date` is within [`MAX_SKEW_SECS`] of `now`.
fn check_time(auth: &Authorization, amz_date: &str, now: u64) -> Result<(), SigError> {
    let at = crate::clock::parse_amz_date(amz_date)
        .ok_or_else(|| SigError::BadDate(amz_date.to_string()))?;
    if auth.date != amz_date[..8] {
        return Err(SigError::ScopeDate {
            scope: auth.date.clone(),
            date: amz_date[..8].to_string(),
            amz_date: amz_date.to_string(),
        });
    }
    let stamp = crate::clock::amz_date;
    if at + MAX_SKEW_SECS < now {
        return Err(SigError::Expired {
            amz_date: amz_date.to_string(),
            limit: stamp(now - MAX_SKEW_SECS),
            now: stamp(now),
        });
    }
    if at > now + MAX_SKEW_SECS {
        return Err(SigError::NotYetCurrent {
            amz_date: amz_date.to_string(),
            limit: stamp(now + MAX_SKEW_SECS),
            now: stamp(now),
        });
    }
    Ok(())
}

/// The signed headers, one `name:value` line each (values trimmed, inner runs of spaces
/// folded, repeated headers joined by commas).
fn canonical_headers(auth: &Authorization, headers: &http::HeaderMap) -> String {
    let mut canonical = String::new();
    for name in &auth.signed_headers {
        let values: Vec<String> = headers
            .get_all(name.as_str())
            .iter()
            .map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        canonical.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    canonical
}

/// The key of the HMAC chain over the credential scope: date, region, service, `aws4_request`.
fn signing_key(auth: &Authorization, secret: &str) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), auth.date.as_bytes());
    let k_region = hmac(&k_date, auth.region.as_bytes());
    let k_service = hmac(&k_region, auth.service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// Compares two signatures without an early exit.
fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's own worked example (IAM ListUsers, GET with a query string; secret
    /// `wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY`), from the SigV4 documentation.
    #[test]
    fn aws_documented_example_verifies() {
        let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        let auth = Authorization::parse(header).expect("parses");
        assert_eq!(auth.service, "iam");
        let mut h = http::HeaderMap::new();
        h.insert(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        h.insert("host", "iam.amazonaws.com".parse().unwrap());
        h.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let q = "Action=ListUsers&Version=2010-05-08";
        let req = |query| Signed {
            method: "GET",
            path: "/",
            query,
            headers: &h,
            body: b"",
        };
        // The example's own time, 20150830T123600Z.
        let then = crate::clock::parse_amz_date("20150830T123600Z").unwrap();
        assert_eq!(verify(&auth, &req(q), secret, then + 60), Ok(()));
        let other = req("Action=ListRoles&Version=2010-05-08");
        assert_eq!(verify(&auth, &other, secret, then), Err(SigError::Mismatch));
        assert_eq!(
            verify(&auth, &req(q), "another secret", then),
            Err(SigError::Mismatch)
        );
        // 15 minutes either way is the limit.
        assert_eq!(verify(&auth, &req(q), secret, then + MAX_SKEW_SECS), Ok(()));
        assert!(matches!(
            verify(&auth, &req(q), secret, then + MAX_SKEW_SECS + 1),
            Err(SigError::Expired { .. })
        ));
        assert!(matches!(
            verify(&auth, &req(q), secret, then - MAX_SKEW_SECS - 1),
            Err(SigError::NotYetCurrent { .. })
        ));
    }

    #[test]
    fn malformed_headers_are_refused() {
        assert_eq!(
            Authorization::parse("AWS AKID:sig"),
            Err(SigError::NotSigV4)
        );
        assert!(matches!(
            Authorization::parse(
                "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=00"
            ),
            Err(SigError::Malformed(_))
        ));
    }
}
