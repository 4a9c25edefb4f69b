//! The S3 side of the embedded endpoint: `s3s` parses and SigV4-verifies each request; every
//! call becomes one model step for the authenticated principal, and the model's outcome becomes
//! the answer (error code and status, or the operation's output).

use super::{lock, Shared, State, ANONYMOUS_CANONICAL};
use s3s::dto::*;
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result};
use xacct_model::acl::{AccessControlPolicy as ModelAcp, GrantHeaders, XmlGrant};
use xacct_model::outcome::{Explanation, GrantView, Outcome};
use xacct_model::scenario::Op;
use xacct_model::world::AccountName;

pub fn service(state: Shared) -> s3s::service::S3Service {
    let mut b = s3s::service::S3ServiceBuilder::new(EmbeddedS3 {
        state: state.clone(),
    });
    b.set_auth(Auth { state });
    // Authorization is the model's: s3s must let every request through to it, unsigned ones
    // included (they are the `anon` principal).
    b.set_access(ModelDecides);
    b.build()
}

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

struct ModelDecides;

#[async_trait::async_trait]
impl s3s::access::S3Access for ModelDecides {
    async fn check(&self, _cx: &mut s3s::access::S3AccessContext<'_>) -> S3Result<()> {
        Ok(())
    }
}

struct EmbeddedS3 {
    state: Shared,
}

fn error(status: u16, code: &str, message: String) -> S3Error {
    let c = S3ErrorCode::from_bytes(code.as_bytes())
        .unwrap_or_else(|| S3ErrorCode::Custom(code.to_string().into()));
    let mut e = S3Error::with_message(c, message);
    if let Ok(s) = http::StatusCode::from_u16(status) {
        e.set_status_code(s);
    }
    e
}

/// The model's refusal as an S3 error; the message is the deciding explanation line.
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
        .map(|l| st.world.redact(&format!("[{}] {}", l.rule, l.detail)))
        .unwrap_or_default();
    error(o.status, &code, message)
}

fn answer<T>(o: &Outcome, output: T) -> S3Response<T> {
    let mut r = S3Response::new(output);
    r.status = http::StatusCode::from_u16(o.status).ok();
    r
}

fn grant_headers(
    read: Option<String>,
    write: Option<String>,
    read_acp: Option<String>,
    write_acp: Option<String>,
    full_control: Option<String>,
) -> Option<GrantHeaders> {
    let g = GrantHeaders {
        read,
        write,
        read_acp,
        write_acp,
        full_control,
    };
    (!g.is_empty()).then_some(g)
}

/// The `x-amz-grant-*` headers of an s3s input; `write` for the operations that have
/// `x-amz-grant-write` (bucket ACLs, PutObjectAcl).
macro_rules! grants_of {
    ($i:expr) => {
        grant_headers(
            $i.grant_read.clone(),
            None,
            $i.grant_read_acp.clone(),
            $i.grant_write_acp.clone(),
            $i.grant_full_control.clone(),
        )
    };
    ($i:expr, write) => {
        grant_headers(
            $i.grant_read.clone(),
            $i.grant_write.clone(),
            $i.grant_read_acp.clone(),
            $i.grant_write_acp.clone(),
            $i.grant_full_control.clone(),
        )
    };
}

/// An `AccessControlPolicy` body in the scenario format (`id=…`, `uri=…`, `emailAddress=…`).
fn model_acp(p: AccessControlPolicy) -> ModelAcp {
    ModelAcp {
        owner: p.owner.and_then(|o| o.id).map(|id| format!("id={id}")),
        grants: p
            .grants
            .unwrap_or_default()
            .into_iter()
            .map(|g| {
                let grantee = g.grantee.map(|ge| {
                    match (ge.type_.as_str(), ge.id, ge.uri, ge.email_address) {
                        ("Group", _, Some(u), _) => format!("uri={u}"),
                        ("AmazonCustomerByEmail", _, _, Some(e)) => format!("emailAddress={e}"),
                        (_, Some(id), _, _) => format!("id={id}"),
                        (_, _, Some(u), _) => format!("uri={u}"),
                        (_, _, _, Some(e)) => format!("emailAddress={e}"),
                        _ => String::new(),
                    }
                });
                XmlGrant {
                    grantee: grantee.unwrap_or_default(),
                    permission: g
                        .permission
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default(),
                }
            })
            .collect(),
    }
}

fn canonical_of(st: &State, name: &str) -> String {
    if name == "anon" {
        return ANONYMOUS_CANONICAL.to_string();
    }
    st.world
        .account(&AccountName(name.to_string()))
        .map(|a| a.canonical.clone())
        .unwrap_or_else(|| name.to_string())
}

fn owner_dto(st: &State, name: &str) -> Owner {
    Owner {
        display_name: Some(name.to_ascii_lowercase()),
        id: Some(canonical_of(st, name)),
    }
}

fn grants_dto(st: &State, grants: &[GrantView]) -> Vec<Grant> {
    grants
        .iter()
        .map(|g| {
            let grantee = match g.grantee.as_str() {
                "AllUsers" | "AuthenticatedUsers" | "LogDelivery" => {
                    let uri = match g.grantee.as_str() {
                        "AllUsers" => "http://acs.amazonaws.com/groups/global/AllUsers",
                        "AuthenticatedUsers" => {
                            "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
                        }
                        _ => "http://acs.amazonaws.com/groups/s3/LogDelivery",
                    };
                    Grantee {
                        display_name: None,
                        email_address: None,
                        id: None,
                        type_: Type::from_static(Type::GROUP),
                        uri: Some(uri.to_string()),
                    }
                }
                name => Grantee {
                    display_name: Some(name.to_ascii_lowercase()),
                    email_address: None,
                    id: Some(canonical_of(st, name)),
                    type_: Type::from_static(Type::CANONICAL_USER),
                    uri: None,
                },
            };
            Grant {
                grantee: Some(grantee),
                permission: Some(Permission::from(g.permission.clone())),
            }
        })
        .collect()
}

const BODY: &[u8] = b"xacct";
/// MD5 of `xacct`, the content of every object the endpoint serves.
const ETAG: &str = "2447c37a855fac9c3b53bcd710bc7e45";

fn etag() -> ETag {
    ETag::Strong(ETAG.to_string())
}

impl EmbeddedS3 {
    /// Runs `op` as the request's principal; on success `then` builds the output from the
    /// state and the outcome, with the lock held (one request at a time sees the world).
    fn call<T, R>(
        &self,
        req: &S3Request<T>,
        op: Op,
        expected_bucket_owner: Option<String>,
        then: impl FnOnce(&State, &Outcome) -> R,
    ) -> S3Result<S3Response<R>> {
        let mut st = lock(&self.state);
        let principal = principal(&st, req)?;
        let (o, ex) = st
            .apply(&principal, op, expected_bucket_owner)
            .map_err(|e| error(403, "InvalidAccessKeyId", e.to_string()))?;
        if !o.allowed() {
            return Err(refusal(&o, &ex, &st));
        }
        let out = then(&st, &o);
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
                .map_err(|e| error(403, e.code(), e.message().into()))
        }
    }
}

/// Reads a request body to its end (the model keeps no content; the connection stays usable).
async fn drain(body: Option<StreamingBlob>) -> S3Result<()> {
    use futures_util::StreamExt;
    if let Some(mut b) = body {
        while let Some(chunk) = b.next().await {
            chunk.map_err(|e| error(400, "IncompleteBody", e.to_string()))?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl s3s::S3 for EmbeddedS3 {
    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        let i = &req.input;
        let op = Op::CreateBucket {
            bucket: i.bucket.clone(),
            object_ownership: i.object_ownership.as_ref().map(|o| o.as_str().to_string()),
            acl: i.acl.as_ref().map(|a| a.as_str().to_string()),
            grants: grants_of!(i, write),
        };
        let location = format!("/{}", i.bucket);
        self.call(&req, op, None, |_, _| CreateBucketOutput {
            location: Some(location),
        })
    }

    async fn delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        let op = Op::DeleteBucket {
            bucket: req.input.bucket.clone(),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, _| DeleteBucketOutput::default())
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        // Not a scenario operation: answered from the world, for tools that probe buckets.
        let st = lock(&self.state);
        if st.world.buckets.contains_key(&req.input.bucket) {
            Ok(S3Response::new(HeadBucketOutput::default()))
        } else {
            Err(error(
                404,
                "NoSuchBucket",
                "The specified bucket does not exist".into(),
            ))
        }
    }

    async fn put_bucket_ownership_controls(
        &self,
        req: S3Request<PutBucketOwnershipControlsInput>,
    ) -> S3Result<S3Response<PutBucketOwnershipControlsOutput>> {
        let rules = &req.input.ownership_controls.rules;
        if rules.len() != 1 {
            return Err(error(
                400,
                "MalformedXML",
                "OwnershipControls takes exactly one rule".into(),
            ));
        }
        let op = Op::PutBucketOwnershipControls {
            bucket: req.input.bucket.clone(),
            object_ownership: rules[0].object_ownership.as_str().to_string(),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, _| {
            PutBucketOwnershipControlsOutput::default()
        })
    }

    async fn get_bucket_ownership_controls(
        &self,
        req: S3Request<GetBucketOwnershipControlsInput>,
    ) -> S3Result<S3Response<GetBucketOwnershipControlsOutput>> {
        let op = Op::GetBucketOwnershipControls {
            bucket: req.input.bucket.clone(),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, o| GetBucketOwnershipControlsOutput {
            ownership_controls: o.ownership.as_ref().map(|v| OwnershipControls {
                rules: vec![OwnershipControlsRule {
                    object_ownership: ObjectOwnership::from(v.clone()),
                }],
            }),
        })
    }

    async fn delete_bucket_ownership_controls(
        &self,
        req: S3Request<DeleteBucketOwnershipControlsInput>,
    ) -> S3Result<S3Response<DeleteBucketOwnershipControlsOutput>> {
        let op = Op::DeleteBucketOwnershipControls {
            bucket: req.input.bucket.clone(),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, _| {
            DeleteBucketOwnershipControlsOutput::default()
        })
    }

    async fn put_public_access_block(
        &self,
        req: S3Request<PutPublicAccessBlockInput>,
    ) -> S3Result<S3Response<PutPublicAccessBlockOutput>> {
        let c = &req.input.public_access_block_configuration;
        let op = Op::PutPublicAccessBlock {
            bucket: req.input.bucket.clone(),
            block_public_acls: c.block_public_acls.unwrap_or(false),
            ignore_public_acls: c.ignore_public_acls.unwrap_or(false),
            block_public_policy: c.block_public_policy.unwrap_or(false),
            restrict_public_buckets: c.restrict_public_buckets.unwrap_or(false),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, _| PutPublicAccessBlockOutput::default())
    }

    async fn get_public_access_block(
        &self,
        req: S3Request<GetPublicAccessBlockInput>,
    ) -> S3Result<S3Response<GetPublicAccessBlockOutput>> {
        let op = Op::GetPublicAccessBlock {
            bucket: req.input.bucket.clone(),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, o| GetPublicAccessBlockOutput {
            public_access_block_configuration: o.public_access_block.map(|p| {
                PublicAccessBlockConfiguration {
                    block_public_acls: Some(p.block_public_acls),
                    ignore_public_acls: Some(p.ignore_public_acls),
                    block_public_policy: Some(p.block_public_policy),
                    restrict_public_buckets: Some(p.restrict_public_buckets),
                }
            }),
        })
    }

    async fn delete_public_access_block(
        &self,
        req: S3Request<DeletePublicAccessBlockInput>,
    ) -> S3Result<S3Response<DeletePublicAccessBlockOutput>> {
        let op = Op::DeletePublicAccessBlock {
            bucket: req.input.bucket.clone(),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, _| {
            DeletePublicAccessBlockOutput::default()
        })
    }

    async fn put_bucket_policy(
        &self,
        req: S3Request<PutBucketPolicyInput>,
    ) -> S3Result<S3Response<PutBucketPolicyOutput>> {
        let op = Op::PutBucketPolicy {
            bucket: req.input.bucket.clone(),
            policy: serde_json::Value::String(req.input.policy.clone()),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, _| PutBucketPolicyOutput::default())
    }

    async fn get_bucket_policy(
        &self,
        req: S3Request<GetBucketPolicyInput>,
    ) -> S3Result<S3Response<GetBucketPolicyOutput>> {
        let bucket = req.input.bucket.clone();
        let op = Op::GetBucketPolicy {
            bucket: bucket.clone(),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |st, _| GetBucketPolicyOutput {
            policy: st
                .world
                .buckets
                .get(&bucket)
                .and_then(|b| b.policy.as_ref())
                .map(|p| match &p.document {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                }),
        })
    }

    async fn delete_bucket_policy(
        &self,
        req: S3Request<DeleteBucketPolicyInput>,
    ) -> S3Result<S3Response<DeleteBucketPolicyOutput>> {
        let op = Op::DeleteBucketPolicy {
            bucket: req.input.bucket.clone(),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, _| DeleteBucketPolicyOutput::default())
    }

    async fn put_bucket_acl(
        &self,
        req: S3Request<PutBucketAclInput>,
    ) -> S3Result<S3Response<PutBucketAclOutput>> {
        let i = req.input.clone();
        let op = Op::PutBucketAcl {
            bucket: i.bucket,
            acl: i.acl.map(|a| a.as_str().to_string()),
            grants: grants_of!(i, write),
            access_control_policy: i.access_control_policy.map(model_acp),
        };
        self.call(&req, op, i.expected_bucket_owner, |_, _| {
            PutBucketAclOutput::default()
        })
    }

    async fn get_bucket_acl(
        &self,
        req: S3Request<GetBucketAclInput>,
    ) -> S3Result<S3Response<GetBucketAclOutput>> {
        let op = Op::GetBucketAcl {
            bucket: req.input.bucket.clone(),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |st, o| GetBucketAclOutput {
            owner: o.owner.as_deref().map(|n| owner_dto(st, n)),
            grants: o.grants.as_deref().map(|g| grants_dto(st, g)),
        })
    }

    async fn put_object(
        &self,
        mut req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        drain(req.input.body.take()).await?;
        let i = &req.input;
        let op = Op::PutObject {
            bucket: i.bucket.clone(),
            key: i.key.clone(),
            acl: i.acl.as_ref().map(|a| a.as_str().to_string()),
            grants: grants_of!(i),
        };
        let ebo = i.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, _| PutObjectOutput {
            e_tag: Some(etag()),
            ..Default::default()
        })
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let i = &req.input;
        let (bucket, key) = (i.bucket.clone(), i.key.clone());
        let op = Op::CreateMultipartUpload {
            bucket: bucket.clone(),
            key: key.clone(),
            acl: i.acl.as_ref().map(|a| a.as_str().to_string()),
            grants: grants_of!(i),
        };
        let ebo = i.expected_bucket_owner.clone();
        let mut r = self.call(&req, op, ebo, |_, _| CreateMultipartUploadOutput {
            bucket: Some(bucket.clone()),
            key: Some(key.clone()),
            ..Default::default()
        })?;
        let mut st = lock(&self.state);
        let id = format!("xacct-upload-{}", st.next());
        let initiator = match &req.credentials {
            Some(c) => c.access_key.clone(),
            None => "anon".into(),
        };
        st.uploads.insert(id.clone(), (bucket, key, initiator));
        r.output.upload_id = Some(id);
        Ok(r)
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        // Not a scenario operation: the model keeps no uploads. The initiator may abort its
        // own upload; anyone else gets NoSuchUpload, as if it were not there.
        let mut st = lock(&self.state);
        let caller = match &req.credentials {
            Some(c) => c.access_key.clone(),
            None => "anon".into(),
        };
        let i = &req.input;
        match st.uploads.get(&i.upload_id) {
            Some((b, k, who)) if *b == i.bucket && *k == i.key && *who == caller => {
                st.uploads.remove(&i.upload_id);
                let mut r = S3Response::new(AbortMultipartUploadOutput::default());
                r.status = Some(http::StatusCode::NO_CONTENT);
                Ok(r)
            }
            _ => Err(error(
                404,
                "NoSuchUpload",
                "The specified upload does not exist.".into(),
            )),
        }
    }

    async fn copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        let i = &req.input;
        let CopySource::Bucket {
            bucket: src_bucket,
            key: src_key,
            ..
        } = &i.copy_source
        else {
            return Err(error(
                400,
                "InvalidArgument",
                "the embedded endpoint copies from buckets only, not access points".into(),
            ));
        };
        let op = Op::CopyObject {
            bucket: i.bucket.clone(),
            key: i.key.clone(),
            source_bucket: src_bucket.to_string(),
            source_key: src_key.to_string(),
            acl: i.acl.as_ref().map(|a| a.as_str().to_string()),
            grants: grants_of!(i),
        };
        let ebo = i.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, _| CopyObjectOutput {
            copy_object_result: Some(CopyObjectResult {
                e_tag: Some(etag()),
                last_modified: Some(Timestamp::from(std::time::SystemTime::now())),
                ..Default::default()
            }),
            ..Default::default()
        })
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let op = Op::GetObject {
            bucket: req.input.bucket.clone(),
            key: req.input.key.clone(),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, _| GetObjectOutput {
            body: Some(StreamingBlob::from(s3s::Body::from(BODY.to_vec()))),
            content_length: Some(BODY.len() as i64),
            e_tag: Some(etag()),
            ..Default::default()
        })
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        let op = Op::HeadObject {
            bucket: req.input.bucket.clone(),
            key: req.input.key.clone(),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, _| HeadObjectOutput {
            content_length: Some(BODY.len() as i64),
            e_tag: Some(etag()),
            ..Default::default()
        })
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        let op = Op::DeleteObject {
            bucket: req.input.bucket.clone(),
            key: req.input.key.clone(),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, _| DeleteObjectOutput::default())
    }

    async fn get_object_acl(
        &self,
        req: S3Request<GetObjectAclInput>,
    ) -> S3Result<S3Response<GetObjectAclOutput>> {
        let op = Op::GetObjectAcl {
            bucket: req.input.bucket.clone(),
            key: req.input.key.clone(),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |st, o| GetObjectAclOutput {
            owner: o.owner.as_deref().map(|n| owner_dto(st, n)),
            grants: o.grants.as_deref().map(|g| grants_dto(st, g)),
            ..Default::default()
        })
    }

    async fn put_object_acl(
        &self,
        req: S3Request<PutObjectAclInput>,
    ) -> S3Result<S3Response<PutObjectAclOutput>> {
        let i = req.input.clone();
        let op = Op::PutObjectAcl {
            bucket: i.bucket,
            key: i.key,
            acl: i.acl.map(|a| a.as_str().to_string()),
            grants: grants_of!(i, write),
            access_control_policy: i.access_control_policy.map(model_acp),
        };
        self.call(&req, op, i.expected_bucket_owner, |_, _| {
            PutObjectAclOutput::default()
        })
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let bucket = req.input.bucket.clone();
        let prefix = req.input.prefix.clone();
        let op = Op::ListObjects {
            bucket: bucket.clone(),
            prefix: prefix.clone(),
        };
        let ebo = req.input.expected_bucket_owner.clone();
        self.call(&req, op, ebo, |_, o| {
            let keys = o.keys.clone().unwrap_or_default();
            ListObjectsV2Output {
                name: Some(bucket),
                prefix,
                key_count: Some(keys.len() as i32),
                max_keys: Some(1000),
                is_truncated: Some(false),
                contents: Some(
                    keys.into_iter()
                        .map(|k| Object {
                            key: Some(k),
                            size: Some(BODY.len() as i64),
                            e_tag: Some(etag()),
                            ..Default::default()
                        })
                        .collect(),
                ),
                ..Default::default()
            }
        })
    }

    async fn list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        let mut r = self.call(&req, Op::ListBuckets {}, None, |_, o| ListBucketsOutput {
            buckets: Some(
                o.buckets
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|name| Bucket {
                        name: Some(name),
                        creation_date: Some(Timestamp::from(std::time::SystemTime::now())),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        })?;
        // The caller's account owns the buckets listed (tools read their canonical id here).
        let st = lock(&self.state);
        let p = principal(&st, &req)?;
        let account = xacct_model::principal::Principal::resolve(&st.world, &p)
            .ok()
            .and_then(|p| p.account().cloned());
        r.output.owner = account.map(|a| owner_dto(&st, &a.0));
        Ok(r)
    }
}
