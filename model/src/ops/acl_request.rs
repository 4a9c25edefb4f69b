//! The ACL a request carries — a canned ACL, `x-amz-grant-*` headers or an AccessControlPolicy
//! body — validated in the order AWS checks it ([R5]), with grantees resolved against the
//! world's accounts. Operations that take an ACL (CreateBucket, the object writes, Put*Acl)
//! validate it first, before any other check.

use crate::acl::{
    AccessControlPolicy, AclRequest, AclSpec, Grant, GrantHeaders, Grantee, Group, Permission,
    CANNED,
};
use crate::outcome::Fail;
use crate::rules;
use crate::world::World;

/// Every ACL syntax error is a 400 of [R5].
fn invalid(code: &str, detail: impl Into<String>) -> Fail {
    Fail::new(400, code, &rules::R5, detail)
}

/// Validates the ACL of a request, in the order AWS checks it ([R5]). `required` is set for
/// Put*Acl, which must carry an ACL (400 MissingSecurityHeader otherwise).
pub(crate) fn validate(
    world: &World,
    req: &AclRequest<'_>,
    required: bool,
) -> Result<Option<AclSpec>, Fail> {
    let headers = req.grants.filter(|g| !g.is_empty());
    if req.is_empty() {
        if required {
            return Err(invalid(
                "MissingSecurityHeader",
                "the request carries no canned ACL, grant header or AccessControlPolicy",
            ));
        }
        return Ok(None);
    }
    // [R5] a canned ACL together with grant headers is refused.
    if req.canned.is_some() && headers.is_some() {
        return Err(invalid(
            "InvalidRequest",
            "a canned ACL and x-amz-grant-* headers cannot be combined",
        ));
    }
    if let Some(c) = req.canned {
        return canned(c).map(Some);
    }
    if let Some(g) = headers {
        return grant_headers(world, g).map(Some);
    }
    match req.policy {
        Some(p) => access_control_policy(world, p).map(Some),
        None => Ok(None),
    }
}

/// A canned ACL must be one S3 knows (DOC acl-overview, "Canned ACL").
fn canned(name: &str) -> Result<AclSpec, Fail> {
    if !CANNED.contains(&name) {
        return Err(invalid(
            "InvalidArgument",
            format!("unknown canned ACL {name:?}"),
        ));
    }
    Ok(AclSpec::Canned(name.to_string()))
}

/// Every grantee of every `x-amz-grant-*` header.
fn grant_headers(world: &World, headers: &GrantHeaders) -> Result<AclSpec, Fail> {
    let mut grants = Vec::new();
    for (permission, value, _) in headers.entries() {
        for grantee in parse_grantee_list(world, value)? {
            grants.push(Grant {
                grantee,
                permission,
            });
        }
    }
    Ok(AclSpec::Grants(grants))
}

/// An AccessControlPolicy body: its Owner must be given and be a canonical user id ([R5]),
/// every grant a known permission and grantee.
fn access_control_policy(world: &World, p: &AccessControlPolicy) -> Result<AclSpec, Fail> {
    // [R5] an AccessControlPolicy without Owner is MalformedACLError.
    let Some(owner) = p.owner.as_deref() else {
        return Err(invalid(
            "MalformedACLError",
            "the AccessControlPolicy has no Owner",
        ));
    };
    let owner_id = owner.strip_prefix("id=").unwrap_or(owner);
    if world.account_by_canonical(owner_id).is_none() {
        return Err(invalid(
            "InvalidArgument",
            format!("the AccessControlPolicy Owner {owner_id:?} is not a canonical user id"),
        ));
    }
    let mut grants = Vec::new();
    for g in &p.grants {
        let permission = Permission::parse(&g.permission).ok_or_else(|| {
            invalid(
                "MalformedACLError",
                format!("unknown permission {:?}", g.permission),
            )
        })?;
        grants.push(Grant {
            grantee: parse_grantee(world, g.grantee.trim())?,
            permission,
        });
    }
    Ok(AclSpec::Grants(grants))
}

/// Parses one grant header: grantees separated by commas ([R5], DOC PutObjectAcl request headers).
fn parse_grantee_list(world: &World, value: &str) -> Result<Vec<Grantee>, Fail> {
    value
        .split(',')
        .map(|part| parse_grantee(world, part.trim()))
        .collect()
}

/// `id=<canonical>`, `uri=<group uri>` or `emailAddress=<address>`; values may be quoted.
fn parse_grantee(world: &World, part: &str) -> Result<Grantee, Fail> {
    let Some((kind, raw)) = part.split_once('=') else {
        return Err(invalid(
            "InvalidArgument",
            format!("grantee {part:?} is not of the form type=value"),
        ));
    };
    let v = raw.trim().trim_matches('"');
    match kind.trim() {
        "id" => world
            .account_by_canonical(v)
            .map(|a| Grantee::Account(a.name.clone()))
            .ok_or_else(|| {
                invalid(
                    "InvalidArgument",
                    format!("{v:?} is not a valid canonical user id"),
                )
            }),
        "uri" => Group::from_uri(v).map(Grantee::Group).ok_or_else(|| {
            invalid(
                "InvalidArgument",
                format!("{v:?} is not a predefined group URI"),
            )
        }),
        "emailAddress" => world
            .account_by_email(v)
            .map(|a| Grantee::Account(a.name.clone()))
            .ok_or_else(|| {
                invalid(
                    "UnresolvableGrantByEmailAddress",
                    format!("no account has the e-mail address {v:?}"),
                )
            }),
        other => Err(invalid(
            "InvalidArgument",
            format!("unknown grantee type {other:?}"),
        )),
    }
}
