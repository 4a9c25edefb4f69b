//! Buckets: CreateBucket (registered for the clean-up), DeleteBucket, HeadBucket and ListBuckets (the
//! run's own buckets: those under its prefix).

use super::quote::PREFIX_VAR;
use super::setup::Helper;
use super::{prefixed, Call, Gen};
use xacct_model::scenario::{Op, Step};

/// The CLI call of a bucket operation.
pub(super) fn call(g: &mut Gen<'_>, st: &Step) -> Call {
    match &st.op {
        Op::CreateBucket {
            bucket,
            object_ownership,
            acl,
            grants,
            location_constraint,
        } => {
            let mut args = vec!["s3api create-bucket".into(), g.bucket(bucket)];
            if let Some(o) = object_ownership {
                args.push(g.lit("--object-ownership", o));
            }
            g.acl_args(&mut args, acl.as_ref(), grants.as_ref(), true);
            match location_constraint {
                // What the script's Region needs (none in us-east-1).
                None => args.push("${CBC[@]+\"${CBC[@]}\"}".into()),
                Some(None) => {}
                Some(Some(l)) => args.push(g.lit(
                    "--create-bucket-configuration",
                    &format!("LocationConstraint={l}"),
                )),
            }
            let mut call = Call::quiet(args);
            if let Some(a) = g.principals.account_of(&st.as_) {
                g.uses(Helper::RegisterBucket);
                call.after
                    .push(format!("register_bucket {a}:{}", prefixed(bucket)));
            }
            call
        }
        Op::DeleteBucket { bucket } => {
            Call::quiet(["s3api delete-bucket".into(), g.bucket(bucket)])
        }
        Op::HeadBucket { bucket } => Call::quiet(["s3api head-bucket".into(), g.bucket(bucket)]),
        Op::ListBuckets {} => Call::shown([format!(
            "s3api list-buckets --query \"Buckets[?starts_with(Name, '${{{PREFIX_VAR}}}')].Name\""
        )]),
        other => unreachable!("{} is not a bucket operation", other.name()),
    }
}
