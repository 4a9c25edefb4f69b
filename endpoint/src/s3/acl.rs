//! ACLs over S3: the `x-amz-grant-*` headers and `AccessControlPolicy` bodies requests carry,
//! owners and grants as answers show them (canonical ids, group URIs), and the four ACL
//! operations (Put/Get BucketAcl, Put/Get ObjectAcl).

use super::{EmbeddedS3, Reply};
use crate::state::State;
use crate::ANONYMOUS_CANONICAL;
use s3s::dto::*;
use s3s::S3Request;
use xacct_model::acl::{AccessControlPolicy as ModelAcp, GrantHeaders, XmlGrant};
use xacct_model::outcome::GrantView;
use xacct_model::scenario::Op;
use xacct_model::world::AccountName;

pub(super) fn grant_headers(
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
        $crate::s3::acl::grant_headers(
            $i.grant_read.clone(),
            None,
            $i.grant_read_acp.clone(),
            $i.grant_write_acp.clone(),
            $i.grant_full_control.clone(),
        )
    };
    ($i:expr, write) => {
        $crate::s3::acl::grant_headers(
            $i.grant_read.clone(),
            $i.grant_write.clone(),
            $i.grant_read_acp.clone(),
            $i.grant_write_acp.clone(),
            $i.grant_full_control.clone(),
        )
    };
}
pub(super) use grants_of;

/// An `AccessControlPolicy` body in the scenario format (`id=…`, `uri=…`, `emailAddress=…`).
fn model_acp(p: AccessControlPolicy) -> ModelAcp {
    ModelAcp {
        owner: p.owner.and_then(|o| o.id).map(|id| format!("id={id}")),
        grants: p
            .grants
            .unwrap_or_default()
            .into_iter()
            .map(|g| XmlGrant {
                grantee: g.grantee.map(model_grantee).unwrap_or_default(),
                permission: g
                    .permission
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

/// A grantee of a request body in the scenario format.
fn model_grantee(ge: Grantee) -> String {
    match (ge.type_.as_str(), ge.id, ge.uri, ge.email_address) {
        ("Group", _, Some(u), _) => format!("uri={u}"),
        ("AmazonCustomerByEmail", _, _, Some(e)) => format!("emailAddress={e}"),
        (_, Some(id), _, _) => format!("id={id}"),
        (_, _, Some(u), _) => format!("uri={u}"),
        (_, _, _, Some(e)) => format!("emailAddress={e}"),
        _ => String::new(),
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

/// An owner as S3 shows it: the account's canonical id.
pub(super) fn owner_dto(st: &State, name: &str) -> Owner {
    Owner {
        display_name: Some(name.to_ascii_lowercase()),
        id: Some(canonical_of(st, name)),
    }
}

/// The URI of a predefined group grantee.
fn group_uri(name: &str) -> Option<&'static str> {
    match name {
        "AllUsers" => Some("http://acs.amazonaws.com/groups/global/AllUsers"),
        "AuthenticatedUsers" => Some("http://acs.amazonaws.com/groups/global/AuthenticatedUsers"),
        "LogDelivery" => Some("http://acs.amazonaws.com/groups/s3/LogDelivery"),
        _ => None,
    }
}

fn grantee_dto(st: &State, name: &str) -> Grantee {
    match group_uri(name) {
        Some(uri) => Grantee {
            display_name: None,
            email_address: None,
            id: None,
            type_: Type::from_static(Type::GROUP),
            uri: Some(uri.to_string()),
        },
        None => Grantee {
            display_name: Some(name.to_ascii_lowercase()),
            email_address: None,
            id: Some(canonical_of(st, name)),
            type_: Type::from_static(Type::CANONICAL_USER),
            uri: None,
        },
    }
}

fn grants_dto(st: &State, grants: &[GrantView]) -> Vec<Grant> {
    grants
        .iter()
        .map(|g| Grant {
            grantee: Some(grantee_dto(st, &g.grantee)),
            permission: Some(Permission::from(g.permission.clone())),
        })
        .collect()
}

pub(super) fn put_bucket_acl(
    s3: &EmbeddedS3,
    req: S3Request<PutBucketAclInput>,
) -> Reply<PutBucketAclOutput> {
    let i = req.input.clone();
    let op = Op::PutBucketAcl {
        bucket: i.bucket,
        acl: i.acl.map(|a| a.as_str().to_string()),
        grants: grants_of!(i, write),
        access_control_policy: i.access_control_policy.map(model_acp),
    };
    s3.call(&req, op, i.expected_bucket_owner, |_, _| {
        PutBucketAclOutput::default()
    })
}

pub(super) fn get_bucket_acl(
    s3: &EmbeddedS3,
    req: S3Request<GetBucketAclInput>,
) -> Reply<GetBucketAclOutput> {
    let op = Op::GetBucketAcl {
        bucket: req.input.bucket.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |st, o| GetBucketAclOutput {
        owner: o.owner.as_deref().map(|n| owner_dto(st, n)),
        grants: o.grants.as_deref().map(|g| grants_dto(st, g)),
    })
}

pub(super) fn put_object_acl(
    s3: &EmbeddedS3,
    req: S3Request<PutObjectAclInput>,
) -> Reply<PutObjectAclOutput> {
    let i = req.input.clone();
    let op = Op::PutObjectAcl {
        bucket: i.bucket,
        key: i.key,
        acl: i.acl.map(|a| a.as_str().to_string()),
        grants: grants_of!(i, write),
        access_control_policy: i.access_control_policy.map(model_acp),
    };
    s3.call(&req, op, i.expected_bucket_owner, |_, _| {
        PutObjectAclOutput::default()
    })
}

pub(super) fn get_object_acl(
    s3: &EmbeddedS3,
    req: S3Request<GetObjectAclInput>,
) -> Reply<GetObjectAclOutput> {
    let op = Op::GetObjectAcl {
        bucket: req.input.bucket.clone(),
        key: req.input.key.clone(),
    };
    let ebo = req.input.expected_bucket_owner.clone();
    s3.call(&req, op, ebo, |st, o| GetObjectAclOutput {
        owner: o.owner.as_deref().map(|n| owner_dto(st, n)),
        grants: o.grants.as_deref().map(|g| grants_dto(st, g)),
        ..Default::default()
    })
}
