//! Policy conditions, one strategy per operator family the model supports (`BaseOp` in
//! `model/src/policy.rs`): String*, Arn*, Numeric*, Bool, IpAddress / NotIpAddress and Null,
//! some with the `IfExists` suffix, and the `ForAnyValue:` / `ForAllValues:` set prefixes. Keys
//! are those S3 requests carry (`base_keys` / `s3_keys` in `model/src/authorize.rs`: principal
//! keys, transport keys, s3:ResourceAccount, the ACL headers, s3:prefix) and keys they lack.
//!
//! Values whose truth depends on where the requests come from are chosen to hold on every
//! backend: the model's request environment is fixed (plain HTTP from 127.0.0.1), so a Bool on
//! aws:SecureTransport lists both values and IP ranges are everything or documentation ranges
//! no client has. Date* operators are not generated: the model refuses them as an invalid
//! condition type.

use super::ACCOUNTS;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Value};

const ALL_USERS: &str = "uri=http://acs.amazonaws.com/groups/global/AllUsers";

/// `{op: {key: value}}`.
fn cond(op: &str, key: &str, value: Value) -> Value {
    json!({ op: { key: value } })
}

/// An account of the universe as `${A}`.
fn account() -> impl Strategy<Value = String> {
    select(ACCOUNTS.to_vec()).prop_map(|a| format!("${{{a}}}"))
}

/// String operators: the ACL headers of writes, the principal keys, s3:prefix of listings,
/// s3:ResourceAccount, and a key no request carries.
fn string_condition(bucket_owner: String) -> BoxedStrategy<Value> {
    let owner = bucket_owner;
    prop_oneof![
        2 => Just(cond("StringEquals", "s3:x-amz-acl", json!("bucket-owner-full-control"))),
        1 => Just(cond("StringNotEquals", "s3:x-amz-grant-full-control", json!(format!("id=${{{owner}.canonical}}")))),
        1 => Just(cond("StringLike", "s3:x-amz-acl", json!("public*"))),
        2 => account().prop_map(|a| cond("StringEquals", "aws:PrincipalAccount", json!(a))),
        1 => Just(cond("StringLike", "s3:prefix", json!("dir/*"))),
        1 => Just(cond("StringEqualsIfExists", "s3:x-amz-acl", json!("private"))),
        1 => select(vec!["User", "assumedrole", "Account", "anonymous"])
            .prop_map(|t| cond("StringEqualsIgnoreCase", "aws:PrincipalType", json!(t))),
        1 => Just(cond("StringNotLike", "aws:userid", json!("*:xacct-s1"))),
        1 => select(vec!["admin", "u1"]).prop_map(|u| cond("StringEquals", "aws:username", json!(u))),
        1 => Just(cond("StringNotEqualsIgnoreCase", "s3:x-amz-grant-read", json!(ALL_USERS))),
        1 => account().prop_map(|a| cond("StringEquals", "s3:ResourceAccount", json!(a))),
        1 => select(vec!["StringLike", "StringNotEqualsIfExists"])
            .prop_map(|op| cond(op, "aws:SourceVpc", json!("vpc-*"))),
    ]
    .boxed()
}

/// Arn operators on aws:PrincipalArn (a user's, a session's role, a root's).
fn arn_condition() -> BoxedStrategy<Value> {
    (
        select(vec!["ArnLike", "ArnNotLike", "ArnEquals", "ArnNotEquals"]),
        select(ACCOUNTS.to_vec()),
        select(vec!["*", "user/*", "role/*", "root", "user/admin"]),
    )
        .prop_map(|(op, a, rest)| {
            cond(
                op,
                "aws:PrincipalArn",
                json!(format!("arn:aws:iam::${{{a}}}:{rest}")),
            )
        })
        .boxed()
}

/// Numeric operators: on s3:max-keys (listings send none), maybe IfExists, and on the account
/// id the principal has.
fn numeric_condition() -> BoxedStrategy<Value> {
    prop_oneof![
        select(vec![
            "NumericLessThan",
            "NumericLessThanEquals",
            "NumericEquals",
            "NumericLessThanIfExists",
            "NumericNotEqualsIfExists",
        ])
        .prop_map(|op| cond(op, "s3:max-keys", json!("10"))),
        select(vec![
            "NumericGreaterThan",
            "NumericGreaterThanEquals",
            "NumericNotEquals"
        ])
        .prop_map(|op| cond(op, "aws:PrincipalAccount", json!("0"))),
    ]
    .boxed()
}

/// Bool on keys every request carries (aws:SecureTransport with both values: it holds over
/// HTTP and HTTPS), on the session-only aws:MultiFactorAuthPresent, maybe IfExists.
fn bool_condition() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(cond(
            "Bool",
            "aws:SecureTransport",
            json!(["true", "false"])
        )),
        Just(cond("Bool", "aws:ViaAWSService", json!("false"))),
        select(vec!["Bool", "BoolIfExists"]).prop_map(|op| cond(
            op,
            "aws:MultiFactorAuthPresent",
            json!("false")
        )),
    ]
    .boxed()
}

/// IpAddress / NotIpAddress on aws:SourceIp: every IPv4 address, or a documentation range no
/// client has (narrow: it makes an Allow non-public for Block Public Access).
fn ip_condition() -> BoxedStrategy<Value> {
    (
        select(vec!["IpAddress", "NotIpAddress", "IpAddressIfExists"]),
        select(vec!["0.0.0.0/0", "198.51.100.0/24"]),
    )
        .prop_map(|(op, range)| cond(op, "aws:SourceIp", json!(range)))
        .boxed()
}

/// Null: is a key absent? On the ACL header, on aws:userid (absent for anonymous requests), on
/// aws:SecureTransport (always present).
fn null_condition() -> BoxedStrategy<Value> {
    (
        select(vec!["s3:x-amz-acl", "aws:userid", "aws:SecureTransport"]),
        any::<bool>(),
    )
        .prop_map(|(key, absent)| cond("Null", key, json!(absent.to_string())))
        .boxed()
}

/// The set prefixes, on the multi-valued grant headers (a key with no value satisfies
/// ForAllValues).
fn set_condition(bucket_owner: String) -> BoxedStrategy<Value> {
    let owner = format!("id=${{{bucket_owner}.canonical}}");
    prop_oneof![
        Just(cond(
            "ForAnyValue:StringEquals",
            "s3:x-amz-grant-read",
            json!([ALL_USERS, owner.clone()])
        )),
        Just(cond(
            "ForAllValues:StringLike",
            "s3:x-amz-grant-full-control",
            json!(["id=*"])
        )),
    ]
    .boxed()
}

/// A statement's condition, if any: most statements have none; string conditions on the keys
/// that decide cross-account writes come first.
pub(super) fn condition(bucket_owner: String) -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        10 => Just(None),
        6 => string_condition(bucket_owner.clone()).prop_map(Some),
        1 => arn_condition().prop_map(Some),
        1 => numeric_condition().prop_map(Some),
        1 => bool_condition().prop_map(Some),
        1 => ip_condition().prop_map(Some),
        1 => null_condition().prop_map(Some),
        1 => set_condition(bucket_owner).prop_map(Some),
    ]
    .boxed()
}

/// The operator families of a condition block (for tests): `String`, `Arn`, `Numeric`, `Bool`,
/// `IpAddress`, `Null`, and `IfExists`, `ForAnyValue`, `ForAllValues` for the modifiers.
#[cfg(test)]
pub(super) fn families(c: &Value) -> Vec<&'static str> {
    let mut out = Vec::new();
    for op in c.as_object().into_iter().flat_map(|m| m.keys()) {
        let (set, rest) = match op.split_once(':') {
            Some((s, r)) => (Some(s), r),
            None => (None, op.as_str()),
        };
        match set {
            Some("ForAnyValue") => out.push("ForAnyValue"),
            Some("ForAllValues") => out.push("ForAllValues"),
            _ => {}
        }
        let base = match rest.strip_suffix("IfExists") {
            Some(b) => {
                out.push("IfExists");
                b
            }
            None => rest,
        };
        let family = ["String", "Arn", "Numeric", "Bool", "Null"]
            .into_iter()
            .find(|f| base.starts_with(f))
            .unwrap_or("IpAddress");
        out.push(family);
    }
    out
}
