//! The ACL operations: Put/GetBucketAcl and Put/GetObjectAcl, and how a scenario's ACL (canned
//! ACL, grant headers, or an AccessControlPolicy body) goes onto any request that carries one
//! (CreateBucket, PutObject, CopyObject, CreateMultipartUpload too).
//!
//! Grantees are the scenario's placeholders rewritten for the target; the answers' owners and
//! grantees are read back as account or group names.

use super::{misrouted, not_built, s3_bucket_request, StepCx};
use crate::compare::Observed;
use crate::target::mapping::Mapping;
use aws_sdk_s3::types as s3t;
use aws_smithy_types::error::operation::BuildError;
use xacct_model::acl::{AccessControlPolicy, GrantHeaders};
use xacct_model::outcome::{GrantView, Outcome};
use xacct_model::scenario::Op;

/// The ACL a request carries in headers: a canned ACL and/or `x-amz-grant-*` headers.
#[derive(Debug, Clone, Copy)]
pub(super) struct AclHeaders<'a> {
    pub(super) canned: Option<&'a str>,
    pub(super) grants: Option<&'a GrantHeaders>,
}

impl<'a> AclHeaders<'a> {
    pub(super) fn new(canned: &'a Option<String>, grants: &'a Option<GrantHeaders>) -> Self {
        AclHeaders {
            canned: canned.as_deref(),
            grants: grants.as_ref(),
        }
    }
}

/// Applies [`AclHeaders`] to a request builder (`$Canned`: the builder's canned-ACL type).
macro_rules! with_acl {
    ($b:expr, $cx:expr, $headers:expr, $Canned:ty) => {{
        let headers = $headers;
        let mut b = $b;
        if let Some(a) = headers.canned {
            b = b.acl(<$Canned>::from(a));
        }
        if let Some(g) = headers.grants {
            if let Some(v) = &g.read {
                b = b.grant_read($cx.rewrite(v));
            }
            if let Some(v) = &g.read_acp {
                b = b.grant_read_acp($cx.rewrite(v));
            }
            if let Some(v) = &g.write_acp {
                b = b.grant_write_acp($cx.rewrite(v));
            }
            if let Some(v) = &g.full_control {
                b = b.grant_full_control($cx.rewrite(v));
            }
        }
        b
    }};
}
pub(super) use with_acl;

/// `x-amz-grant-write` exists on the bucket calls and PutObjectAcl (uploads have none).
macro_rules! with_write_grant {
    ($b:expr, $cx:expr, $headers:expr) => {{
        let mut b = $b;
        if let Some(v) = $headers.grants.and_then(|g| g.write.as_ref()) {
            b = b.grant_write($cx.rewrite(v));
        }
        b
    }};
}
pub(super) use with_write_grant;

pub(super) async fn execute(cx: &StepCx<'_>, op: &Op) -> Observed {
    match op {
        Op::PutBucketAcl {
            bucket,
            acl,
            grants,
            access_control_policy,
        } => {
            let headers = AclHeaders::new(acl, grants);
            put_bucket_acl(cx, bucket, headers, access_control_policy.as_ref()).await
        }
        Op::GetBucketAcl { bucket } => get_bucket_acl(cx, bucket).await,
        Op::PutObjectAcl {
            bucket,
            key,
            acl,
            grants,
            access_control_policy,
        } => {
            let headers = AclHeaders::new(acl, grants);
            put_object_acl(cx, bucket, key, headers, access_control_policy.as_ref()).await
        }
        Op::GetObjectAcl { bucket, key } => get_object_acl(cx, bucket, key).await,
        other => misrouted(other, "ACL"),
    }
}

async fn put_bucket_acl(
    cx: &StepCx<'_>,
    bucket: &str,
    headers: AclHeaders<'_>,
    policy: Option<&AccessControlPolicy>,
) -> Observed {
    let body = match access_control_policy(cx, policy) {
        Ok(body) => body,
        Err(e) => return not_built(e),
    };
    let b = s3_bucket_request!(cx, put_bucket_acl, bucket).set_access_control_policy(body);
    let b = with_acl!(b, cx, headers, s3t::BucketCannedAcl);
    let b = with_write_grant!(b, cx, headers);
    cx.answered(b.send().await, 200)
}

async fn get_bucket_acl(cx: &StepCx<'_>, bucket: &str) -> Observed {
    let req = s3_bucket_request!(cx, get_bucket_acl, bucket);
    cx.answer(req.send().await, 200, |out| {
        acl_outcome(&cx.state.mapping, out.owner(), out.grants())
    })
}

async fn put_object_acl(
    cx: &StepCx<'_>,
    bucket: &str,
    key: &str,
    headers: AclHeaders<'_>,
    policy: Option<&AccessControlPolicy>,
) -> Observed {
    let body = match access_control_policy(cx, policy) {
        Ok(body) => body,
        Err(e) => return not_built(e),
    };
    let b = s3_bucket_request!(cx, put_object_acl, bucket)
        .key(key)
        .set_access_control_policy(body);
    let b = with_acl!(b, cx, headers, s3t::ObjectCannedAcl);
    let b = with_write_grant!(b, cx, headers);
    cx.answered(b.send().await, 200)
}

async fn get_object_acl(cx: &StepCx<'_>, bucket: &str, key: &str) -> Observed {
    let req = s3_bucket_request!(cx, get_object_acl, bucket).key(key);
    cx.answer(req.send().await, 200, |out| {
        acl_outcome(&cx.state.mapping, out.owner(), out.grants())
    })
}

/// A scenario's AccessControlPolicy body, if any, for the target: owner and grantees
/// rewritten (`id=…`, `uri=…`, `emailAddress=…`; a bare value is a canonical id).
fn access_control_policy(
    cx: &StepCx<'_>,
    p: Option<&AccessControlPolicy>,
) -> Result<Option<s3t::AccessControlPolicy>, BuildError> {
    let Some(p) = p else {
        return Ok(None);
    };
    let mut b = s3t::AccessControlPolicy::builder();
    if let Some(o) = &p.owner {
        let id = cx.rewrite(o);
        let id = id.strip_prefix("id=").unwrap_or(&id).to_string();
        b = b.owner(s3t::Owner::builder().id(id).build());
    }
    for g in &p.grants {
        let v = cx.rewrite(&g.grantee);
        let (kind, val) = v.split_once('=').unwrap_or(("id", v.as_str()));
        let grantee = match kind {
            "uri" => s3t::Grantee::builder().r#type(s3t::Type::Group).uri(val),
            "emailAddress" => s3t::Grantee::builder()
                .r#type(s3t::Type::AmazonCustomerByEmail)
                .email_address(val),
            _ => s3t::Grantee::builder()
                .r#type(s3t::Type::CanonicalUser)
                .id(val),
        }
        .build()?;
        b = b.grants(
            s3t::Grant::builder()
                .grantee(grantee)
                .permission(s3t::Permission::from(g.permission.as_str()))
                .build(),
        );
    }
    Ok(Some(b.build()))
}

/// A Get*Acl answer in the model's terms: owner and grants by account or group name.
fn acl_outcome(mapping: &Mapping, owner: Option<&s3t::Owner>, grants: &[s3t::Grant]) -> Outcome {
    Outcome {
        owner: owner
            .and_then(|o| o.id())
            .map(|id| account_name(mapping, id)),
        grants: Some(
            grants
                .iter()
                .filter_map(|g| grant_view(mapping, g))
                .collect(),
        ),
        ..Default::default()
    }
}

/// The account a canonical id belongs to; `?<id>` when it is none of the run's.
fn account_name(mapping: &Mapping, canonical: &str) -> String {
    mapping
        .account_of_canonical(canonical)
        .map(str::to_string)
        .unwrap_or_else(|| format!("?{canonical}"))
}

fn grant_view(mapping: &Mapping, g: &s3t::Grant) -> Option<GrantView> {
    let grantee = g.grantee()?;
    let name = match grantee.r#type() {
        s3t::Type::CanonicalUser => account_name(mapping, grantee.id().unwrap_or_default()),
        s3t::Type::Group => match grantee.uri().unwrap_or_default() {
            u if u.ends_with("/global/AllUsers") => "AllUsers".into(),
            u if u.ends_with("/global/AuthenticatedUsers") => "AuthenticatedUsers".into(),
            u if u.ends_with("/s3/LogDelivery") => "LogDelivery".into(),
            u => format!("?{u}"),
        },
        other => format!("?{}", other.as_str()),
    };
    Some(GrantView {
        grantee: name,
        permission: g
            .permission()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
    })
}
