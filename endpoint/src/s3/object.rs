//! Objects over S3: PutObject, CopyObject, GetObject, HeadObject, DeleteObject, ListObjectsV2,
//! and multipart uploads (Create, and Abort by their initiator).
//!
//! Objects keep their bytes, in the endpoint's state beside the model's world (`state.rs`):
//! up to [`MAX_OBJECT_BYTES`] each and [`MAX_TOTAL_BYTES`] in all (400 EntityTooLarge past
//! either), Content-MD5 checked (400 InvalidDigest when it is not a base64 MD5, 400 BadDigest
//! when it is not the body's), the MD5 of the body as ETag, ranged GETs (206 with
//! Content-Range; 416 InvalidRange past the end).

use super::acl::grants_of;
use super::{error, principal, EmbeddedS3, Reply};
use crate::state::{lock, Body, Upload, MAX_OBJECT_BYTES, MAX_TOTAL_BYTES};
use bytes::Bytes;
use s3s::dto::*;
use s3s::{S3Error, S3Request, S3Response, S3Result};
use xacct_model::scenario::Op;

fn etag(body: &Body) -> ETag {
    ETag::Strong(body.etag.clone())
}

fn too_large() -> S3Error {
    error(
        400,
        "EntityTooLarge",
        format!(
            "Your proposed upload exceeds the maximum allowed size: the embedded endpoint keeps \
             objects of up to {MAX_OBJECT_BYTES} bytes, {MAX_TOTAL_BYTES} bytes in all"
        ),
    )
}

/// Reads a request body to its end, refusing it past [`MAX_OBJECT_BYTES`].
async fn read_body(body: Option<StreamingBlob>) -> S3Result<Bytes> {
    use futures_util::StreamExt;
    let mut out = Vec::new();
    if let Some(mut b) = body {
        while let Some(chunk) = b.next().await {
            let chunk = chunk.map_err(|e| error(400, "IncompleteBody", e.to_string()))?;
            if out.len() + chunk.len() > MAX_OBJECT_BYTES {
                return Err(too_large());
            }
            out.extend_from_slice(&chunk);
        }
    }
    Ok(Bytes::from(out))
}

/// Content-MD5, when sent, is the base64 of the body's MD5 (PutObject API reference).
fn check_md5(content_md5: Option<&str>, body: &Body) -> S3Result<()> {
    use base64::Engine;
    let Some(sent) = content_md5 else {
        return Ok(());
    };
    let digest = base64::engine::general_purpose::STANDARD
        .decode(sent.trim())
        .ok()
        .filter(|d| d.len() == 16)
        .ok_or_else(|| {
            error(
                400,
                "InvalidDigest",
                "The Content-MD5 you specified was invalid.".into(),
            )
        })?;
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    if hex != body.etag {
        return Err(error(
            400,
            "BadDigest",
            "The Content-MD5 you specified did not match what we received.".into(),
        ));
    }
    Ok(())
}

pub(super) async fn put(
    s3: &EmbeddedS3,
    mut req: S3Request<PutObjectInput>,
) -> Reply<PutObjectOutput> {
    let body = Body::new(read_body(req.input.body.take()).await?);
    check_md5(req.input.content_md5.as_deref(), &body)?;
    let i = &req.input;
    let at = (i.bucket.clone(), i.key.clone());
    {
        let st = lock(&s3.state);
        let replaced = st.bodies.get(&at).map_or(0, |b| b.bytes.len());
        if st.body_bytes() - replaced + body.bytes.len() > MAX_TOTAL_BYTES {
            return Err(too_large());
        }
    }
    let op = Op::PutObject {
        bucket: i.bucket.clone(),
        key: i.key.clone(),
        acl: i.acl.as_ref().map(|a| a.as_str().to_string()),
        grants: grants_of!(i),
    };
    let ebo = i.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |st, _| {
        let e_tag = Some(etag(&body));
        st.bodies.insert(at, body);
        PutObjectOutput {
            e_tag,
            ..Default::default()
        }
    })
}

pub(super) fn create_multipart_upload(
    s3: &EmbeddedS3,
    req: S3Request<CreateMultipartUploadInput>,
) -> Reply<CreateMultipartUploadOutput> {
    let i = &req.input;
    let (bucket, key) = (i.bucket.clone(), i.key.clone());
    let op = Op::CreateMultipartUpload {
        bucket: bucket.clone(),
        key: key.clone(),
        acl: i.acl.as_ref().map(|a| a.as_str().to_string()),
        grants: grants_of!(i),
    };
    let ebo = i.expected_bucket_owner.clone();
    let mut r = s3.call(&req, op, ebo, |_, _| CreateMultipartUploadOutput {
        bucket: Some(bucket.clone()),
        key: Some(key.clone()),
        ..Default::default()
    })?;
    let mut st = lock(&s3.state);
    let id = format!("xacct-upload-{}", st.rng.next());
    let upload = Upload {
        bucket,
        key,
        initiator: principal(&st, &req)?,
    };
    st.uploads.insert(id.clone(), upload);
    r.output.upload_id = Some(id);
    Ok(r)
}

/// Not a scenario operation: the model keeps no uploads. The initiating principal may abort
/// its own upload, with any of its keys; anyone else gets NoSuchUpload, as if it were not there.
pub(super) fn abort_multipart_upload(
    s3: &EmbeddedS3,
    req: S3Request<AbortMultipartUploadInput>,
) -> Reply<AbortMultipartUploadOutput> {
    let mut st = lock(&s3.state);
    let caller = principal(&st, &req)?;
    let i = &req.input;
    match st.uploads.get(&i.upload_id) {
        Some(u) if u.bucket == i.bucket && u.key == i.key && u.initiator == caller => {
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

pub(super) fn copy(s3: &EmbeddedS3, req: S3Request<CopyObjectInput>) -> Reply<CopyObjectOutput> {
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
    let (from, to) = (
        (src_bucket.to_string(), src_key.to_string()),
        (i.bucket.clone(), i.key.clone()),
    );
    s3.call(&req, op, ebo, |st, _| {
        let body = st.body(&from.0, &from.1);
        let e_tag = Some(etag(&body));
        st.bodies.insert(to, body);
        CopyObjectOutput {
            copy_object_result: Some(CopyObjectResult {
                e_tag,
                last_modified: Some(Timestamp::from(std::time::SystemTime::now())),
                ..Default::default()
            }),
            ..Default::default()
        }
    })
}

/// GetObject: the body, or the part a Range header asks for (206), after the model allowed it.
pub(super) fn get(s3: &EmbeddedS3, req: S3Request<GetObjectInput>) -> Reply<GetObjectOutput> {
    let (bucket, key) = (req.input.bucket.clone(), req.input.key.clone());
    let op = Op::GetObject {
        bucket: bucket.clone(),
        key: key.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    let r = s3.call(&req, op, ebo, |st, _| st.body(&bucket, &key))?;
    let body = r.output;
    let len = body.bytes.len() as u64;
    let (part, content_range) = match req.input.range {
        None => (0..len, None),
        Some(range) => {
            let part = range.check(len).map_err(|_| {
                error(
                    416,
                    "InvalidRange",
                    "The requested range is not satisfiable".into(),
                )
            })?;
            let cr = format!("bytes {}-{}/{len}", part.start, part.end - 1);
            (part, Some(cr))
        }
    };
    let slice = body.bytes.slice(part.start as usize..part.end as usize);
    let mut out = S3Response::new(GetObjectOutput {
        content_length: Some(slice.len() as i64),
        body: Some(StreamingBlob::from(s3s::Body::from(slice))),
        e_tag: Some(etag(&body)),
        accept_ranges: Some("bytes".into()),
        ..Default::default()
    });
    if content_range.is_some() {
        out.status = Some(http::StatusCode::PARTIAL_CONTENT);
    }
    out.output.content_range = content_range;
    Ok(out)
}

pub(super) fn head(s3: &EmbeddedS3, req: S3Request<HeadObjectInput>) -> Reply<HeadObjectOutput> {
    let (bucket, key) = (req.input.bucket.clone(), req.input.key.clone());
    let op = Op::HeadObject {
        bucket: bucket.clone(),
        key: key.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |st, _| {
        let body = st.body(&bucket, &key);
        HeadObjectOutput {
            content_length: Some(body.bytes.len() as i64),
            e_tag: Some(etag(&body)),
            ..Default::default()
        }
    })
}

pub(super) fn delete(
    s3: &EmbeddedS3,
    req: S3Request<DeleteObjectInput>,
) -> Reply<DeleteObjectOutput> {
    let op = Op::DeleteObject {
        bucket: req.input.bucket.clone(),
        key: req.input.key.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |_, _| DeleteObjectOutput::default())
}

/// ListObjectsV2: the keys the model lists, all in one page.
pub(super) fn list(
    s3: &EmbeddedS3,
    req: S3Request<ListObjectsV2Input>,
) -> Reply<ListObjectsV2Output> {
    let bucket = req.input.bucket.clone();
    let prefix = req.input.prefix.clone();
    let op = Op::ListObjects {
        bucket: bucket.clone(),
        prefix: prefix.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |st, o| {
        let keys = o.keys.clone().unwrap_or_default();
        ListObjectsV2Output {
            name: Some(bucket.clone()),
            prefix,
            key_count: Some(keys.len() as i32),
            max_keys: Some(1000),
            is_truncated: Some(false),
            contents: Some(
                keys.into_iter()
                    .map(|k| {
                        let body = st.body(&bucket, &k);
                        Object {
                            key: Some(k),
                            size: Some(body.bytes.len() as i64),
                            e_tag: Some(etag(&body)),
                            ..Default::default()
                        }
                    })
                    .collect(),
            ),
            ..Default::default()
        }
    })
}
