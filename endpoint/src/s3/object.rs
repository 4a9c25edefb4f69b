//! Objects over S3: PutObject, CopyObject, GetObject, HeadObject, DeleteObject, ListObjectsV2,
//! and multipart uploads (Create, and Abort by their initiator). Every object's content is
//! [`BODY`]: the model keeps no content.

use super::acl::grants_of;
use super::{error, principal, EmbeddedS3, Reply};
use crate::state::{lock, Upload};
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result};
use xacct_model::scenario::Op;

const BODY: &[u8] = b"xacct";
/// MD5 of `xacct`, the content of every object the endpoint serves.
const ETAG: &str = "2447c37a855fac9c3b53bcd710bc7e45";

fn etag() -> ETag {
    ETag::Strong(ETAG.to_string())
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

pub(super) async fn put(
    s3: &EmbeddedS3,
    mut req: S3Request<PutObjectInput>,
) -> Reply<PutObjectOutput> {
    drain(req.input.body.take()).await?;
    let i = &req.input;
    let op = Op::PutObject {
        bucket: i.bucket.clone(),
        key: i.key.clone(),
        acl: i.acl.as_ref().map(|a| a.as_str().to_string()),
        grants: grants_of!(i),
    };
    let ebo = i.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |_, _| PutObjectOutput {
        e_tag: Some(etag()),
        ..Default::default()
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
    s3.call(&req, op, ebo, |_, _| CopyObjectOutput {
        copy_object_result: Some(CopyObjectResult {
            e_tag: Some(etag()),
            last_modified: Some(Timestamp::from(std::time::SystemTime::now())),
            ..Default::default()
        }),
        ..Default::default()
    })
}

pub(super) fn get(s3: &EmbeddedS3, req: S3Request<GetObjectInput>) -> Reply<GetObjectOutput> {
    let op = Op::GetObject {
        bucket: req.input.bucket.clone(),
        key: req.input.key.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |_, _| GetObjectOutput {
        body: Some(StreamingBlob::from(s3s::Body::from(BODY.to_vec()))),
        content_length: Some(BODY.len() as i64),
        e_tag: Some(etag()),
        ..Default::default()
    })
}

pub(super) fn head(s3: &EmbeddedS3, req: S3Request<HeadObjectInput>) -> Reply<HeadObjectOutput> {
    let op = Op::HeadObject {
        bucket: req.input.bucket.clone(),
        key: req.input.key.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |_, _| HeadObjectOutput {
        content_length: Some(BODY.len() as i64),
        e_tag: Some(etag()),
        ..Default::default()
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
    s3.call(&req, op, ebo, |_, o| {
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
