//! The S3 side of the embedded endpoint: `s3s` parses and SigV4-verifies each request; every
//! call becomes one model step for the authenticated principal, and the model's outcome becomes
//! the answer (error code and status, or the operation's output).
//!
//! This file wires `s3s` to the state (keys for SigV4, no access check of its own), runs a
//! step for a request ([`EmbeddedS3::call`]) and lists the operations served, each answered by
//! its family's file: [`bucket`], [`bucket_config`] (ownership controls, public access block,
//! bucket policy), [`acl`], [`object`].

mod acl;
mod bucket;
mod bucket_config;
mod object;
mod unimplemented;

use crate::state::{lock, Shared, State};
use s3s::dto::*;
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result};
use xacct_model::outcome::{Explanation, Outcome};
use xacct_model::scenario::Op;

/// The s3s service answering S3 requests from the shared state.
pub(crate) fn service(state: Shared) -> s3s::service::S3Service {
    let mut b = s3s::service::S3ServiceBuilder::new(EmbeddedS3 {
        state: state.clone(),
    });
    b.set_auth(Auth {
        state: state.clone(),
    });
    // Authorization is the model's: s3s must let every request through to it, unsigned ones
    // included (they are the `anon` principal); operations not served are authorized first.
    b.set_access(ModelDecides { state });
    b.build()
}

/// SigV4 secrets for s3s: the keys the endpoint issued.
struct Auth {
    state: Shared,
}

#[async_trait::async_trait]
impl s3s::auth::S3Auth for Auth {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<s3s::auth::SecretKey> {
        lock(&self.state)
            .secret_of(access_key)
            .map(s3s::auth::SecretKey::from)
            .ok_or_else(|| {
                S3Error::with_message(
                    S3ErrorCode::InvalidAccessKeyId,
                    "The AWS Access Key Id you provided does not exist in our records.",
                )
            })
    }
}

/// Access before the operation: none of its own for the operations served (the model
/// decides them), an authorization for the others ([`unimplemented`]).
struct ModelDecides {
    state: Shared,
}

#[async_trait::async_trait]
impl s3s::access::S3Access for ModelDecides {
    async fn check(&self, cx: &mut s3s::access::S3AccessContext<'_>) -> S3Result<()> {
        unimplemented::check(&self.state, cx)
    }
}

/// The S3 API over the shared state.
pub(crate) struct EmbeddedS3 {
    state: Shared,
}

/// What every S3 operation returns.
type Reply<T> = S3Result<S3Response<T>>;

fn error(status: u16, code: &str, message: String) -> S3Error {
    let c = S3ErrorCode::from_bytes(code.as_bytes())
        .unwrap_or_else(|| S3ErrorCode::Custom(code.to_string().into()));
    let mut e = S3Error::with_message(c, message);
    if let Ok(s) = http::StatusCode::from_u16(status) {
        e.set_status_code(s);
    }
    e
}

/// The model's refusal as an S3 error; the message is the deciding explanation line, naming
/// real account ids and canonical ids (as AWS's messages do), never scenario placeholders.
fn refusal(o: &Outcome, ex: &Explanation, st: &State) -> S3Error {
    let code = o.code.clone().unwrap_or_else(|| {
        match o.status {
            403 => "AccessDenied",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            409 => "Conflict",
            _ => "BadRequest",
        }
        .to_string()
    });
    let message = ex
        .lines
        .last()
        .map(|l| st.real_ids(&format!("[{}] {}", l.rule, l.detail)))
        .unwrap_or_default();
    error(o.status, &code, message)
}

/// The model's success status, carried in the response's extensions to `server::route`: s3s
/// 0.14 gives each operation a fixed success status and ignores `S3Response::status`, so a
/// model (or deviation) answering 200 where the operation's usual answer is 204, or the other
/// way round, is applied there.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ModelStatus(pub(crate) http::StatusCode);

fn answer<T>(o: &Outcome, output: T) -> S3Response<T> {
    let mut r = S3Response::new(output);
    r.status = http::StatusCode::from_u16(o.status).ok();
    if let Some(s) = r.status {
        r.extensions.insert(ModelStatus(s));
    }
    r
}

impl EmbeddedS3 {
    /// Runs `op` as the request's principal; on success `then` builds the output from the
    /// state and the outcome (and may keep an object's body), with the lock held (one request
    /// at a time sees the world).
    fn call<T, R>(
        &self,
        req: &S3Request<T>,
        op: Op,
        expected_bucket_owner: Option<String>,
        then: impl FnOnce(&mut State, &Outcome) -> R,
    ) -> Reply<R> {
        let mut st = lock(&self.state);
        let principal = principal(&st, req)?;
        let (o, ex) = st
            .apply(&principal, op, expected_bucket_owner)
            .map_err(|e| error(403, "InvalidAccessKeyId", e.to_string()))?;
        if !o.allowed() {
            return Err(refusal(&o, &ex, &st));
        }
        let out = then(&mut st, &o);
        Ok(answer(&o, out))
    }
}

/// The principal a request acts as: `anon` when unsigned, else the key's, after the
/// session-token check.
fn principal<T>(st: &State, req: &S3Request<T>) -> S3Result<String> {
    match &req.credentials {
        None => Ok("anon".to_string()),
        Some(c) => {
            let token = req
                .headers
                .get("x-amz-security-token")
                .and_then(|v| v.to_str().ok());
            st.principal_of(&c.access_key, token)
                .map_err(|e| error(403, e.code(), e.to_string()))
        }
    }
}

/// The operations served, by family; any other answers `NotImplemented` (s3s's default).
#[async_trait::async_trait]
impl s3s::S3 for EmbeddedS3 {
    // Buckets.
    async fn create_bucket(&self, req: S3Request<CreateBucketInput>) -> Reply<CreateBucketOutput> {
        bucket::create(self, req)
    }

    async fn delete_bucket(&self, req: S3Request<DeleteBucketInput>) -> Reply<DeleteBucketOutput> {
        bucket::delete(self, req)
    }

    async fn head_bucket(&self, req: S3Request<HeadBucketInput>) -> Reply<HeadBucketOutput> {
        bucket::head(self, req)
    }

    async fn list_buckets(&self, req: S3Request<ListBucketsInput>) -> Reply<ListBucketsOutput> {
        bucket::list(self, req)
    }

    // Bucket configuration: ownership controls, public access block, bucket policy.
    async fn put_bucket_ownership_controls(
        &self,
        req: S3Request<PutBucketOwnershipControlsInput>,
    ) -> Reply<PutBucketOwnershipControlsOutput> {
        bucket_config::put_ownership_controls(self, req)
    }

    async fn get_bucket_ownership_controls(
        &self,
        req: S3Request<GetBucketOwnershipControlsInput>,
    ) -> Reply<GetBucketOwnershipControlsOutput> {
        bucket_config::get_ownership_controls(self, req)
    }

    async fn delete_bucket_ownership_controls(
        &self,
        req: S3Request<DeleteBucketOwnershipControlsInput>,
    ) -> Reply<DeleteBucketOwnershipControlsOutput> {
        bucket_config::delete_ownership_controls(self, req)
    }

    async fn put_public_access_block(
        &self,
        req: S3Request<PutPublicAccessBlockInput>,
    ) -> Reply<PutPublicAccessBlockOutput> {
        bucket_config::put_public_access_block(self, req)
    }

    async fn get_public_access_block(
        &self,
        req: S3Request<GetPublicAccessBlockInput>,
    ) -> Reply<GetPublicAccessBlockOutput> {
        bucket_config::get_public_access_block(self, req)
    }

    async fn delete_public_access_block(
        &self,
        req: S3Request<DeletePublicAccessBlockInput>,
    ) -> Reply<DeletePublicAccessBlockOutput> {
        bucket_config::delete_public_access_block(self, req)
    }

    async fn put_bucket_policy(
        &self,
        req: S3Request<PutBucketPolicyInput>,
    ) -> Reply<PutBucketPolicyOutput> {
        bucket_config::put_policy(self, req)
    }

    async fn get_bucket_policy(
        &self,
        req: S3Request<GetBucketPolicyInput>,
    ) -> Reply<GetBucketPolicyOutput> {
        bucket_config::get_policy(self, req)
    }

    async fn delete_bucket_policy(
        &self,
        req: S3Request<DeleteBucketPolicyInput>,
    ) -> Reply<DeleteBucketPolicyOutput> {
        bucket_config::delete_policy(self, req)
    }

    // ACLs.
    async fn put_bucket_acl(&self, req: S3Request<PutBucketAclInput>) -> Reply<PutBucketAclOutput> {
        acl::put_bucket_acl(self, req)
    }

    async fn get_bucket_acl(&self, req: S3Request<GetBucketAclInput>) -> Reply<GetBucketAclOutput> {
        acl::get_bucket_acl(self, req)
    }

    async fn put_object_acl(&self, req: S3Request<PutObjectAclInput>) -> Reply<PutObjectAclOutput> {
        acl::put_object_acl(self, req)
    }

    async fn get_object_acl(&self, req: S3Request<GetObjectAclInput>) -> Reply<GetObjectAclOutput> {
        acl::get_object_acl(self, req)
    }

    // Objects.
    async fn put_object(&self, req: S3Request<PutObjectInput>) -> Reply<PutObjectOutput> {
        object::put(self, req).await
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> Reply<CreateMultipartUploadOutput> {
        object::create_multipart_upload(self, req)
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> Reply<AbortMultipartUploadOutput> {
        object::abort_multipart_upload(self, req)
    }

    async fn copy_object(&self, req: S3Request<CopyObjectInput>) -> Reply<CopyObjectOutput> {
        object::copy(self, req)
    }

    async fn get_object(&self, req: S3Request<GetObjectInput>) -> Reply<GetObjectOutput> {
        object::get(self, req)
    }

    async fn head_object(&self, req: S3Request<HeadObjectInput>) -> Reply<HeadObjectOutput> {
        object::head(self, req)
    }

    async fn delete_object(&self, req: S3Request<DeleteObjectInput>) -> Reply<DeleteObjectOutput> {
        object::delete(self, req)
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> Reply<ListObjectsV2Output> {
        object::list(self, req)
    }
}
