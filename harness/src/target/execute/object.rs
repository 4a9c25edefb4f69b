//! The object operations: Put/Get/Head/Delete/CopyObject, ListObjects (V2) and
//! CreateMultipartUpload (aborted at once: a started upload is all the rules are about).

use super::acl::{with_acl, AclHeaders};
use super::{misrouted, s3_bucket_request, StepCx};
use crate::compare::Observed;
use crate::target::answer::{from_error, success_status};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types as s3t;
use xacct_model::outcome::Outcome;
use xacct_model::scenario::Op;

pub(super) async fn execute(cx: &StepCx<'_>, op: &Op) -> Observed {
    match op {
        Op::PutObject {
            bucket,
            key,
            acl,
            grants,
        } => put_object(cx, bucket, key, AclHeaders::new(acl, grants)).await,
        Op::GetObject { bucket, key } => get_object(cx, bucket, key).await,
        Op::HeadObject { bucket, key } => head_object(cx, bucket, key).await,
        Op::DeleteObject { bucket, key } => delete_object(cx, bucket, key).await,
        Op::CopyObject {
            bucket,
            key,
            source_bucket,
            source_key,
            acl,
            grants,
        } => {
            let source = (source_bucket.as_str(), source_key.as_str());
            copy_object(cx, bucket, key, source, AclHeaders::new(acl, grants)).await
        }
        Op::ListObjects { bucket, prefix } => list_objects(cx, bucket, prefix.as_deref()).await,
        Op::CreateMultipartUpload {
            bucket,
            key,
            acl,
            grants,
        } => create_multipart_upload(cx, bucket, key, AclHeaders::new(acl, grants)).await,
        other => misrouted(other, "object"),
    }
}

async fn put_object(cx: &StepCx<'_>, bucket: &str, key: &str, headers: AclHeaders<'_>) -> Observed {
    let b = s3_bucket_request!(cx, put_object, bucket)
        .key(key)
        .body(ByteStream::from_static(b"xacct"));
    let b = with_acl!(b, cx, headers, s3t::ObjectCannedAcl);
    cx.answered(b.send().await, 200)
}

async fn get_object(cx: &StepCx<'_>, bucket: &str, key: &str) -> Observed {
    let req = s3_bucket_request!(cx, get_object, bucket).key(key);
    match req.send().await {
        Ok(out) => {
            // Read the body so the connection is reusable; its content does not matter, but
            // an answer cut short is a fault.
            let status = success_status(&cx.clients, 200);
            match out.body.collect().await {
                Ok(_) => Observed::answer(Outcome::status(status)),
                Err(e) => Observed::Fault {
                    why: format!("the body of the answer could not be read: {e}"),
                    status: Some(status),
                    raw: String::new(),
                },
            }
        }
        Err(e) => from_error(e, false),
    }
}

/// The answer's error code is not compared: HEAD answers have no body (see `StepCx::head`).
async fn head_object(cx: &StepCx<'_>, bucket: &str, key: &str) -> Observed {
    let req = s3_bucket_request!(cx, head_object, bucket).key(key);
    cx.answered(req.send().await, 200)
}

async fn delete_object(cx: &StepCx<'_>, bucket: &str, key: &str) -> Observed {
    let req = s3_bucket_request!(cx, delete_object, bucket).key(key);
    cx.answered(req.send().await, 204)
}

/// `source`: the logical source bucket and its key.
async fn copy_object(
    cx: &StepCx<'_>,
    bucket: &str,
    key: &str,
    (source_bucket, source_key): (&str, &str),
    headers: AclHeaders<'_>,
) -> Observed {
    // `x-amz-copy-source` names the source bucket as the caller addresses it.
    let source = format!("{}/{}", cx.bucket(source_bucket), source_key);
    let b = s3_bucket_request!(cx, copy_object, bucket)
        .key(key)
        .copy_source(source);
    let b = with_acl!(b, cx, headers, s3t::ObjectCannedAcl);
    cx.answered(b.send().await, 200)
}

async fn list_objects(cx: &StepCx<'_>, bucket: &str, prefix: Option<&str>) -> Observed {
    let req =
        s3_bucket_request!(cx, list_objects_v2, bucket).set_prefix(prefix.map(str::to_string));
    cx.answer(req.send().await, 200, |out| Outcome {
        keys: Some(
            out.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string))
                .collect(),
        ),
        ..Default::default()
    })
}

async fn create_multipart_upload(
    cx: &StepCx<'_>,
    bucket: &str,
    key: &str,
    headers: AclHeaders<'_>,
) -> Observed {
    let b = s3_bucket_request!(cx, create_multipart_upload, bucket).key(key);
    let b = with_acl!(b, cx, headers, s3t::ObjectCannedAcl);
    let result = b.send().await;
    let upload_id = result
        .as_ref()
        .ok()
        .and_then(|out| out.upload_id())
        .map(str::to_string);
    let r = cx.answered(result, 200);
    // Abort at once: a started upload is all the rules are about. A refusal to abort changes
    // nothing for the step; a fault leaves the target's state unknown, so it is the step's.
    if let Some(id) = upload_id {
        let abort = cx
            .clients
            .s3
            .abort_multipart_upload()
            .bucket(cx.bucket(bucket))
            .key(key)
            .upload_id(id)
            .send()
            .await;
        if let Err(e) = abort {
            if let Observed::Fault { why, status, raw } = from_error(e, false) {
                let why = format!("aborting the upload: {why}");
                return Observed::Fault { why, status, raw };
            }
        }
    }
    r
}
