//! Objects: PutObject (the body is a file of the script's), GetObject, HeadObject,
//! DeleteObject, CopyObject, ListObjectsV2 and CreateMultipartUpload (aborted at once).

use super::quote::sq;
use super::setup::Helper;
use super::{prefixed, Call, Gen};
use xacct_model::scenario::{Op, Step};

/// The CLI call of an object operation.
pub(super) fn call(g: &mut Gen<'_>, st: &Step) -> Call {
    match &st.op {
        Op::PutObject {
            bucket,
            key,
            acl,
            grants,
        } => {
            let mut args = object_args(g, "s3api put-object", bucket, key);
            args.push("--body \"$BODY\"".into());
            g.acl_args(&mut args, acl.as_ref(), grants.as_ref(), false);
            Call::quiet(args)
        }
        Op::GetObject { bucket, key } => {
            let mut args = object_args(g, "s3api get-object", bucket, key);
            args.push("/dev/null".into());
            Call::quiet(args)
        }
        Op::HeadObject { bucket, key } => {
            Call::quiet(object_args(g, "s3api head-object", bucket, key))
        }
        Op::DeleteObject { bucket, key } => {
            Call::quiet(object_args(g, "s3api delete-object", bucket, key))
        }
        Op::CopyObject {
            bucket,
            key,
            source_bucket,
            source_key,
            acl,
            grants,
        } => {
            let mut args = object_args(g, "s3api copy-object", bucket, key);
            let src = prefixed(&format!("{source_bucket}/{source_key}"));
            args.push(format!("--copy-source {src}"));
            g.acl_args(&mut args, acl.as_ref(), grants.as_ref(), false);
            Call::quiet(args)
        }
        Op::ListObjects { bucket, prefix } => {
            let mut args = vec!["s3api list-objects-v2".into(), g.bucket(bucket)];
            if let Some(p) = prefix {
                args.push(g.lit("--prefix", p));
            }
            args.push("--query 'Contents[].Key'".into());
            Call::shown(args)
        }
        Op::CreateMultipartUpload {
            bucket,
            key,
            acl,
            grants,
        } => {
            let mut args = object_args(g, "s3api create-multipart-upload", bucket, key);
            g.acl_args(&mut args, acl.as_ref(), grants.as_ref(), false);
            args.push("--query UploadId --output text".into());
            let mut call = Call::quiet(args);
            // Abort at once, as xacct does: a started upload is all the rules are about.
            g.uses(Helper::Aux);
            call.after.push(format!(
                "[ \"$LAST_RC\" = 0 ] && aux {} s3api abort-multipart-upload {} {} --upload-id \"$(cat \"$LAST_OUT\")\"",
                sq(&st.as_),
                g.bucket(bucket),
                g.lit("--key", key)
            ));
            call
        }
        other => unreachable!("{} is not an object operation", other.name()),
    }
}

/// The command, `--bucket` and `--key`.
fn object_args(g: &Gen<'_>, command: &str, bucket: &str, key: &str) -> Vec<String> {
    vec![command.into(), g.bucket(bucket), g.lit("--key", key)]
}
