//! Access control lists: canned ACLs, grant headers, grantees and what each permission allows;
//! the forms in which a request asks for an ACL, and the ACL each form builds. Validating a
//! request's ACL against the world's accounts is `ops::acl_request`.

use crate::account::{AccountName, Owner};
use serde::{Deserialize, Serialize};

/// ACL permissions ([R13], DOC acl-overview).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Permission {
    Read,
    Write,
    ReadAcp,
    WriteAcp,
    FullControl,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "READ",
            Permission::Write => "WRITE",
            Permission::ReadAcp => "READ_ACP",
            Permission::WriteAcp => "WRITE_ACP",
            Permission::FullControl => "FULL_CONTROL",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        Some(match s {
            "READ" => Permission::Read,
            "WRITE" => Permission::Write,
            "READ_ACP" => Permission::ReadAcp,
            "WRITE_ACP" => Permission::WriteAcp,
            "FULL_CONTROL" => Permission::FullControl,
            _ => return None,
        })
    }

    /// FULL_CONTROL means all of the others ([R13]).
    pub fn covers(self, needed: Permission) -> bool {
        self == needed || self == Permission::FullControl
    }
}

/// The predefined groups an ACL can grant to ([R15], DOC acl-overview "Amazon S3 predefined groups").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Group {
    AllUsers,
    AuthenticatedUsers,
    LogDelivery,
}

impl Group {
    pub fn uri(self) -> &'static str {
        match self {
            Group::AllUsers => "http://acs.amazonaws.com/groups/global/AllUsers",
            Group::AuthenticatedUsers => {
                "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
            }
            Group::LogDelivery => "http://acs.amazonaws.com/groups/s3/LogDelivery",
        }
    }

    /// The predefined group a grantee URI names.
    pub fn from_uri(uri: &str) -> Option<Group> {
        [
            Group::AllUsers,
            Group::AuthenticatedUsers,
            Group::LogDelivery,
        ]
        .into_iter()
        .find(|g| g.uri() == uri)
    }

    /// Grants to AllUsers and AuthenticatedUsers are the public ones ([R32], DOC block public access).
    pub fn is_public(self) -> bool {
        matches!(self, Group::AllUsers | Group::AuthenticatedUsers)
    }
}

/// Who a grant is for. ACLs name accounts or groups, never IAM users ([R15]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grantee {
    Account(AccountName),
    Group(Group),
    /// The anonymous owner of objects written by unsigned requests.
    Anonymous,
}

impl Grantee {
    /// The stable name used in outcomes and scenario `expect` (`A`, `AllUsers`, `anon`).
    pub fn name(&self) -> String {
        match self {
            Grantee::Account(a) => a.0.clone(),
            Grantee::Group(g) => format!("{g:?}"),
            Grantee::Anonymous => "anon".to_string(),
        }
    }

    pub fn from_owner(o: &Owner) -> Grantee {
        match o {
            Owner::Account(a) => Grantee::Account(a.clone()),
            Owner::Anonymous => Grantee::Anonymous,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub grantee: Grantee,
    pub permission: Permission,
}

/// An ACL: its owner and its grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acl {
    pub owner: Owner,
    pub grants: Vec<Grant>,
}

impl Acl {
    /// The default ACL of a new bucket or object: the owner gets FULL_CONTROL ([R9]).
    pub fn private(owner: &Owner) -> Acl {
        Acl {
            owner: owner.clone(),
            grants: vec![Grant {
                grantee: Grantee::from_owner(owner),
                permission: Permission::FullControl,
            }],
        }
    }

    /// Does the ACL hold a grant to AllUsers or AuthenticatedUsers ([R32], [R36])?
    pub fn is_public(&self) -> bool {
        self.grants
            .iter()
            .any(|g| matches!(g.grantee, Grantee::Group(grp) if grp.is_public()))
    }

    /// Does the ACL grant anything to anyone but its owner ([R6])?
    pub fn grants_others(&self) -> bool {
        let me = Grantee::from_owner(&self.owner);
        self.grants.iter().any(|g| g.grantee != me)
    }

    fn push_unique(&mut self, grant: Grant) {
        if !self.grants.contains(&grant) {
            self.grants.push(grant);
        }
    }
}

/// The canned ACLs S3 accepts (DOC acl-overview, "Canned ACL").
pub const CANNED: &[&str] = &[
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "log-delivery-write",
];

/// The `x-amz-grant-*` headers of a request, as header strings (`id=…, uri=…`).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantHeaders {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_acp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_acp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_control: Option<String>,
}

impl GrantHeaders {
    /// (permission, header value, condition key) for each header present.
    pub fn entries(&self) -> Vec<(Permission, &str, &'static str)> {
        let all = [
            (Permission::Read, &self.read, "s3:x-amz-grant-read"),
            (Permission::Write, &self.write, "s3:x-amz-grant-write"),
            (
                Permission::ReadAcp,
                &self.read_acp,
                "s3:x-amz-grant-read-acp",
            ),
            (
                Permission::WriteAcp,
                &self.write_acp,
                "s3:x-amz-grant-write-acp",
            ),
            (
                Permission::FullControl,
                &self.full_control,
                "s3:x-amz-grant-full-control",
            ),
        ];
        all.into_iter()
            .filter_map(|(p, v, k)| v.as_deref().map(|v| (p, v, k)))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }
}

/// An `AccessControlPolicy` request body (PutBucketAcl / PutObjectAcl).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessControlPolicy {
    /// The owner's canonical id, as `id=…` or a bare id; S3 requires it ([R5]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default)]
    pub grants: Vec<XmlGrant>,
}

#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XmlGrant {
    /// `id=…`, `uri=…` or `emailAddress=…`.
    pub grantee: String,
    pub permission: String,
}

/// How a request asks for an ACL: the union of the three ways S3 accepts.
#[derive(Debug, Clone, Copy, Default)]
pub struct AclRequest<'a> {
    pub canned: Option<&'a str>,
    pub grants: Option<&'a GrantHeaders>,
    pub policy: Option<&'a AccessControlPolicy>,
}

impl AclRequest<'_> {
    pub fn is_empty(&self) -> bool {
        self.canned.is_none() && self.grants.is_none_or(|g| g.is_empty()) && self.policy.is_none()
    }

    /// The request's ACL-related condition keys ([R24]): `s3:x-amz-acl` and `s3:x-amz-grant-*`.
    pub fn condition_keys(&self) -> Vec<(&'static str, String)> {
        let mut keys = Vec::new();
        if let Some(c) = self.canned {
            keys.push(("s3:x-amz-acl", c.to_string()));
        }
        if let Some(g) = self.grants {
            for (_, v, k) in g.entries() {
                keys.push((k, v.to_string()));
            }
        }
        keys
    }
}

/// An ACL as the request describes it, validated but not yet bound to an owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AclSpec {
    Canned(String),
    Grants(Vec<Grant>),
}

/// Builds the ACL a spec describes for a resource with `owner` in a bucket owned by
/// `bucket_owner`. Canned ACLs always include the owner's FULL_CONTROL ([R11]); explicit grants
/// make an ACL of exactly those grants ([R12]).
pub fn build(spec: Option<&AclSpec>, owner: &Owner, bucket_owner: &AccountName) -> Acl {
    let Some(spec) = spec else {
        return Acl::private(owner);
    };
    match spec {
        AclSpec::Grants(grants) => Acl {
            owner: owner.clone(),
            grants: grants.clone(),
        },
        AclSpec::Canned(name) => {
            let mut acl = Acl::private(owner);
            let bo = Grantee::Account(bucket_owner.clone());
            let g = |grantee: Grantee, permission| Grant {
                grantee,
                permission,
            };
            use Permission::*;
            match name.as_str() {
                "public-read" => acl.push_unique(g(Grantee::Group(Group::AllUsers), Read)),
                "public-read-write" => {
                    acl.push_unique(g(Grantee::Group(Group::AllUsers), Read));
                    acl.push_unique(g(Grantee::Group(Group::AllUsers), Write));
                }
                "authenticated-read" => {
                    acl.push_unique(g(Grantee::Group(Group::AuthenticatedUsers), Read))
                }
                "bucket-owner-read" => acl.push_unique(g(bo, Read)),
                "bucket-owner-full-control" => acl.push_unique(g(bo, FullControl)),
                "log-delivery-write" => {
                    acl.push_unique(g(Grantee::Group(Group::LogDelivery), Write));
                    acl.push_unique(g(Grantee::Group(Group::LogDelivery), ReadAcp));
                }
                // `aws-exec-read` also grants READ to an AWS service account the model does
                // not represent; `private` is the owner alone.
                _ => {}
            }
            acl
        }
    }
}

/// Is the ACL the request asks for public ([R32])? Canned public-read, public-read-write and
/// authenticated-read, or any grant to AllUsers / AuthenticatedUsers.
pub fn spec_is_public(spec: &AclSpec) -> bool {
    match spec {
        AclSpec::Canned(c) => {
            matches!(
                c.as_str(),
                "public-read" | "public-read-write" | "authenticated-read"
            )
        }
        AclSpec::Grants(gs) => gs
            .iter()
            .any(|g| matches!(g.grantee, Grantee::Group(grp) if grp.is_public())),
    }
}

/// Does a spec amount to "bucket owner full control" — the only ACL BucketOwnerEnforced
/// accepts on writes ([R3]; the grant-header form is [R3-grant-equivalent], uncertain)?
pub fn spec_is_bucket_owner_full_control(spec: &AclSpec, bucket_owner: &AccountName) -> bool {
    match spec {
        AclSpec::Canned(c) => c == "bucket-owner-full-control",
        AclSpec::Grants(gs) => {
            !gs.is_empty()
                && gs.iter().all(|g| {
                    g.permission == Permission::FullControl
                        && g.grantee == Grantee::Account(bucket_owner.clone())
                })
        }
    }
}

/// Does a bucket ACL spec grant anything beyond the owner's full control ([R6], [X-create-bucket-acl])?
pub fn spec_grants_others(spec: &AclSpec, owner: &AccountName) -> bool {
    build(Some(spec), &Owner::Account(owner.clone()), owner).grants_others()
}
