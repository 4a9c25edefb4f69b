//! The policy documents steps carry: bucket policies (Allow or Deny statements for principals
//! in every form [`principals`] draws, on object or bucket actions, sometimes with
//! NotPrincipal, NotAction or NotResource, maybe with a [`conditions`] block), identity
//! policies of users, roles and sessions (Allow, Deny, Not* and conditions too), trust
//! policies of roles.
//!
//! [`principals`]: super::principals
//! [`conditions`]: super::conditions

use super::conditions::condition;
use super::principals::{principal, Names};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Value};

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
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketOwnershipControls",
    "s3:DeleteBucket",
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

/// Which elements of a statement are negated: NotPrincipal, NotAction, NotResource (each in
/// about one statement in ten).
#[derive(Debug, Clone, Copy)]
struct Negated {
    principal: bool,
    action: bool,
    resource: bool,
}

fn negated() -> impl Strategy<Value = Negated> {
    (
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(principal, action, resource)| Negated {
            principal,
            action,
            resource,
        })
}

/// One bucket-policy statement: Allow or Deny, a principal, actions that apply to the resource
/// it names, maybe negated elements and a condition. NotResource names the bucket's `dir/`
/// objects, so the statement covers the bucket and its other keys.
fn bucket_statement(bucket: String, owner: String, names: &Names) -> BoxedStrategy<Value> {
    (
        prop_oneof![3 => Just("Allow"), 1 => Just("Deny")],
        principal(names),
        statement_action(),
        condition(owner),
        negated(),
    )
        .prop_map(
            move |(effect, principal, (action, on_objects), cond, not)| {
                let mut st = json!({ "Effect": effect });
                let principal_field = if not.principal && principal != json!("*") {
                    "NotPrincipal"
                } else {
                    "Principal"
                };
                st[principal_field] = principal;
                st[if not.action { "NotAction" } else { "Action" }] = json!(action);
                if not.resource {
                    st["NotResource"] = json!(format!("arn:aws:s3:::{bucket}/dir/*"));
                } else if on_objects {
                    st["Resource"] = json!(format!("arn:aws:s3:::{bucket}/*"));
                } else {
                    st["Resource"] = json!(format!("arn:aws:s3:::{bucket}"));
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
pub(super) fn bucket_policy(bucket: String, owner: String, names: &Names) -> BoxedStrategy<Value> {
    prop::collection::vec(bucket_statement(bucket, owner, names), 1..=3)
        .prop_map(|sts| json!({"Version": "2012-10-17", "Statement": sts}))
        .boxed()
}

/// An identity-policy statement on S3: Allow on some or all buckets, sometimes NotAction or
/// NotResource, sometimes a condition.
fn identity_s3_statement() -> BoxedStrategy<Value> {
    (
        select(vec![
            "s3:*",
            "s3:GetObject",
            "s3:PutObject",
            "s3:ListBucket",
            "s3:Get*",
        ]),
        select(vec!["*", "arn:aws:s3:::b1/*", "arn:aws:s3:::b2*"]),
        negated(),
        prop::option::weighted(0.15, condition("A".into())),
    )
        .prop_map(|(a, r, not, cond)| {
            let mut st = json!({"Effect": "Allow"});
            st[if not.action { "NotAction" } else { "Action" }] = json!(a);
            st[if not.resource && r != "*" {
                "NotResource"
            } else {
                "Resource"
            }] = json!(r);
            if let Some(Some(c)) = cond {
                st["Condition"] = c;
            }
            st
        })
        .boxed()
}

/// An identity-policy Deny of one S3 action, maybe only under a condition.
fn identity_deny_statement() -> BoxedStrategy<Value> {
    (
        select(vec![
            "s3:PutObjectAcl",
            "s3:DeleteObject",
            "s3:GetObjectAcl",
            "s3:GetBucketPolicy",
        ]),
        prop::option::weighted(0.3, condition("A".into())),
    )
        .prop_map(|(a, cond)| {
            let mut st = json!({"Effect": "Deny", "Action": a, "Resource": "*"});
            if let Some(Some(c)) = cond {
                st["Condition"] = c;
            }
            st
        })
        .boxed()
}

/// An identity policy: S3 access to some or all buckets, maybe sts:AssumeRole, maybe a Deny.
pub(super) fn identity_policy() -> BoxedStrategy<Value> {
    let sts = select(vec!["arn:aws:iam::*:role/r1", "*"])
        .prop_map(|r| json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": r}));
    prop::collection::vec(
        prop_oneof![4 => identity_s3_statement(), 2 => sts, 1 => identity_deny_statement()],
        1..=2,
    )
    .prop_map(|sts| json!({"Version": "2012-10-17", "Statement": sts}))
    .boxed()
}

/// A role's trust policy: an Allow of sts:AssumeRole for a principal in any form, maybe under a
/// condition, and sometimes a Deny for another.
pub(super) fn trust_policy(names: &Names) -> BoxedStrategy<Value> {
    let allow = (
        principal(names),
        prop::option::weighted(0.15, condition("A".into())),
    )
        .prop_map(|(p, cond)| {
            let mut st = json!({"Effect": "Allow", "Principal": p, "Action": "sts:AssumeRole"});
            if let Some(Some(c)) = cond {
                st["Condition"] = c;
            }
            st
        });
    let deny = principal(names)
        .prop_map(|p| json!({"Effect": "Deny", "Principal": p, "Action": "sts:AssumeRole"}));
    (allow, prop::option::weighted(0.15, deny))
        .prop_map(|(allow, deny)| {
            let sts: Vec<Value> = std::iter::once(allow).chain(deny).collect();
            json!({"Version": "2012-10-17", "Statement": sts})
        })
        .boxed()
}
