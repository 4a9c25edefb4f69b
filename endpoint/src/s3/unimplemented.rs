//! Requests for S3 operations the endpoint does not serve are authorized before they are
//! answered `501 NotImplemented`, as AWS authorizes every request before acting on it: a caller
//! the bucket does not let in gets 403 (and a missing bucket 404), never a 501 that would tell
//! it nothing about access.
//!
//! The model knows no rule for these operations, so the check is a conservative stand-in: the
//! operation's own action (`s3:<OperationName>`) on the bucket's ARN, granted by the bucket
//! owner's policies only (the model's bucket-configuration scope, [R13]: ACLs grant nothing).

use super::error;
use crate::state::{lock, Shared};
use s3s::path::S3Path;
use s3s::S3Result;
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use xacct_model::authorize::{authorize_s3, s3_keys, S3Check, Scope};
use xacct_model::outcome::Explanation;

/// The operations `s3/mod.rs` serves (s3s's names); every other one is checked here.
const SERVED: &[&str] = &[
    "CreateBucket",
    "DeleteBucket",
    "HeadBucket",
    "ListBuckets",
    "PutBucketOwnershipControls",
    "GetBucketOwnershipControls",
    "DeleteBucketOwnershipControls",
    "PutPublicAccessBlock",
    "GetPublicAccessBlock",
    "DeletePublicAccessBlock",
    "PutBucketPolicy",
    "GetBucketPolicy",
    "DeleteBucketPolicy",
    "PutBucketAcl",
    "GetBucketAcl",
    "PutObjectAcl",
    "GetObjectAcl",
    "PutObject",
    "CreateMultipartUpload",
    "AbortMultipartUpload",
    "CopyObject",
    "GetObject",
    "HeadObject",
    "DeleteObject",
    "ListObjectsV2",
];

/// `s3:<name>` with a static lifetime, as the model's checks take it. Interned once per
/// operation name: s3s has a fixed, small set of them.
fn action(name: &str) -> &'static str {
    static ACTIONS: OnceLock<Mutex<BTreeMap<String, &'static str>>> = OnceLock::new();
    let mut m = ACTIONS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    m.entry(name.to_string())
        .or_insert_with(|| Box::leak(format!("s3:{name}").into_boxed_str()))
}

/// Authorizes a request for an operation the endpoint does not serve; served ones pass (the
/// model decides them).
pub(super) fn check(state: &Shared, cx: &s3s::access::S3AccessContext<'_>) -> S3Result<()> {
    let op = cx.s3_op().name();
    if SERVED.contains(&op) {
        return Ok(());
    }
    let (bucket, key) = match cx.s3_path() {
        S3Path::Root => return Ok(()),
        S3Path::Bucket { bucket } => (bucket.as_ref(), None),
        S3Path::Object { bucket, key } => (bucket.as_ref(), Some(key.as_ref())),
    };
    let st = lock(state);
    let name = match cx.credentials() {
        None => "anon".to_string(),
        Some(c) => {
            let token = cx
                .headers()
                .get("x-amz-security-token")
                .and_then(|v| v.to_str().ok());
            st.principal_of(&c.access_key, token)
                .map_err(|e| error(403, e.code(), e.to_string()))?
        }
    };
    let p = st
        .principal(&name)
        .map_err(|e| error(403, "AccessDenied", e.to_string()))?;
    let keys = s3_keys(&st.world, &p, st.world.buckets.get(bucket), &[]);
    let check = S3Check {
        action: action(op),
        bucket,
        key,
        scope: Scope::BucketConfig,
        keys: &keys,
    };
    authorize_s3(&st.world, &p, &check, &mut Explanation::default()).map_err(|f| {
        error(
            f.status,
            &f.code,
            st.real_ids(&format!("[{}] {}", f.rule.id, f.detail)),
        )
    })
}
