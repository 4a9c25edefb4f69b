//! The policy documents steps carry: bucket policies (Allow or Deny statements for principals
//! of the universe, on object or bucket actions, maybe with a condition on keys S3 requests
//! carry), identity policies of users and roles, trust policies of roles.

use super::ACCOUNTS;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Value};

/// An account of the universe as a policy principal, in its three spellings, or `*`.
fn account_principal() -> BoxedStrategy<Value> {
    let acct = select(ACCOUNTS.to_vec());
    prop_oneof![
        2 => acct.clone().prop_map(|a| json!({"AWS": format!("${{{a}}}")})),
        2 => acct.clone().prop_map(|a| json!({"AWS": format!("arn:aws:iam::${{{a}}}:root")})),
        2 => acct.clone().prop_map(|a| json!({"AWS": format!("arn:aws:iam::${{{a}}}:user/admin")})),
        1 => Just(json!("*")),
    ]
    .boxed()
}

/// Conditions on keys S3 requests carry: present, absent or mismatched.
fn condition(bucket_owner: String) -> BoxedStrategy<Option<Value>> {
    let owner = bucket_owner;
    prop_oneof![
        5 => Just(None),
        1 => Just(Some(json!({"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}))),
        1 => Just(Some(json!({"StringNotEquals": {"s3:x-amz-grant-full-control": format!("id=${{{owner}.canonical}}")}}))),
        1 => Just(Some(json!({"StringLike": {"s3:x-amz-acl": "public*"}}))),
        1 => select(ACCOUNTS.to_vec()).prop_map(|a| Some(json!({"StringEquals": {"aws:PrincipalAccount": format!("${{{a}}}")}}))),
        1 => Just(Some(json!({"Null": {"s3:x-amz-acl": "true"}}))),
        1 => Just(Some(json!({"StringLike": {"s3:prefix": "dir/*"}}))),
        1 => Just(Some(json!({"StringEqualsIfExists": {"s3:x-amz-acl": "private"}}))),
    ]
    .boxed()
}

const OBJECT_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:GetObjectAcl",
    "s3:PutObjectAcl",
    "s3:DeleteObject",
];
const BUCKET_ACTIONS: &[&str] = &[
    "s3:ListBucket",
    "s3:GetBucketAcl",
    "s3:PutBucketAcl",
    "s3:GetBucketPolicy",
];

/// An action of a bucket-policy statement, and whether it applies to objects (`bucket/*`)
/// rather than to the bucket.
fn statement_action() -> impl Strategy<Value = (String, bool)> {
    let objects = (select(OBJECT_ACTIONS.to_vec()), any::<bool>()).prop_map(|(a, wild)| {
        (
            if wild {
                "s3:*".to_string()
            } else {
                a.to_string()
            },
            true,
        )
    });
    let buckets = select(BUCKET_ACTIONS.to_vec()).prop_map(|a| (a.to_string(), false));
    prop_oneof![3 => objects, 1 => buckets]
}

/// One bucket-policy statement: Allow or Deny, a principal from the universe, actions that
/// apply to the resource it names, maybe a condition.
fn bucket_statement(bucket: String, owner: String) -> BoxedStrategy<Value> {
    (
        prop_oneof![3 => Just("Allow"), 1 => Just("Deny")],
        account_principal(),
        statement_action(),
        condition(owner),
        prop::bool::weighted(0.1),
    )
        .prop_map(
            move |(effect, principal, (action, on_objects), cond, not_principal)| {
                let resource = if on_objects {
                    format!("arn:aws:s3:::{bucket}/*")
                } else {
                    format!("arn:aws:s3:::{bucket}")
                };
                let mut st = json!({"Effect": effect, "Action": action, "Resource": resource});
                if not_principal && principal != json!("*") {
                    st["NotPrincipal"] = principal;
                } else {
                    st["Principal"] = principal;
                }
                if let Some(c) = cond {
                    st["Condition"] = c;
                }
                st
            },
        )
        .boxed()
}

/// A bucket policy of one to three statements.
pub(super) fn bucket_policy(bucket: String, owner: String) -> BoxedStrategy<Value> {
    prop::collection::vec(bucket_statement(bucket, owner), 1..=3)
        .prop_map(|sts| json!({"Version": "2012-10-17", "Statement": sts}))
        .boxed()
}

/// An identity policy: S3 access to some or all buckets, maybe sts:AssumeRole, maybe a Deny.
pub(super) fn identity_policy() -> BoxedStrategy<Value> {
    let s3 = (
        select(vec![
            "s3:*",
            "s3:GetObject",
            "s3:PutObject",
            "s3:ListBucket",
            "s3:Get*",
        ]),
        select(vec!["*", "arn:aws:s3:::b1/*", "arn:aws:s3:::b2*"]),
    )
        .prop_map(|(a, r)| json!({"Effect": "Allow", "Action": a, "Resource": r}));
    let sts = select(vec!["arn:aws:iam::*:role/r1", "*"])
        .prop_map(|r| json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": r}));
    let deny = select(vec![
        "s3:PutObjectAcl",
        "s3:DeleteObject",
        "s3:GetObjectAcl",
    ])
    .prop_map(|a| json!({"Effect": "Deny", "Action": a, "Resource": "*"}));
    prop::collection::vec(prop_oneof![4 => s3, 2 => sts, 1 => deny], 1..=2)
        .prop_map(|sts| json!({"Version": "2012-10-17", "Statement": sts}))
        .boxed()
}

/// A role's trust policy: one account of the universe, as its id, root or admin user.
pub(super) fn trust_policy() -> BoxedStrategy<Value> {
    (select(ACCOUNTS.to_vec()), select(vec!["root", "id", "user/admin"]))
        .prop_map(|(a, form)| {
            let p = match form {
                "id" => format!("${{{a}}}"),
                "root" => format!("arn:aws:iam::${{{a}}}:root"),
                other => format!("arn:aws:iam::${{{a}}}:{other}"),
            };
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": p}, "Action": "sts:AssumeRole"}]})
        })
        .boxed()
}
