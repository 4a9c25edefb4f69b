//! Property tests of the reference model (proptest).
//!
//! A small fixed universe — accounts A, B, C; their `admin` users and roots; users alice and
//! bob (A) and carol and dan (B), with and without identity policies; a session of A's role
//! `reader` assumed from B; anonymous callers; buckets b1, b2; keys k1, k2, bob/k3 — and a
//! generator of random but meaningful step sequences over it. The properties:
//!
//! a. determinism: the same sequence on two fresh worlds gives the same outcomes, explanations
//!    and final world; every explanation names known rules.
//! b. an explicit Deny added to the bucket policy never turns a denial into an allow, and a
//!    blanket `Principal "*"` Deny denies every S3 call on the bucket (but the owning root's
//!    bucket-policy calls, [R29]).
//! c. under BucketOwnerEnforced the bucket owner owns every object, whoever wrote it.
//! d. the scenario parser and `step` never panic on arbitrary JSON, arbitrary text or mutations
//!    of the seed scenario; a parsed scenario round-trips through its JSON.
//! e. the policy parser never panics on arbitrary or mutated documents, nor does evaluating what
//!    it accepts.
//! f. with all four Block Public Access flags on, anonymous callers get nothing, unless a
//!    non-public (condition-limited) bucket-policy statement grants everyone.
//! g. with no deviation on, `deviation::step_with` is `step`.
//!
//! Case counts are modest so the file runs in seconds in a debug build.

use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::{json, Map, Value};
use xacct_model::deviation::step_with;
use xacct_model::outcome::GrantView;
use xacct_model::policy::{Effect, Keys, Policy, PolicyKind, Request, Who};
use xacct_model::world::{ObjectOwnership, Owner, PublicAccessBlock};
use xacct_model::{ownership, rules, step, Explanation, Op, Outcome, Scenario, Step, World};

// ---------------------------------------------------------------------------------------------
// The universe

const ACCOUNTS: &[&str] = &["A", "B", "C"];
const PRINCIPALS: &[&str] = &[
    "A.admin",
    "B.admin",
    "C.admin",
    "A.root",
    "B.root",
    "C.root",
    "A.alice",
    "A.bob",
    "B.carol",
    "B.dan",
    "anon",
    "reader-session",
];
/// Principals that can usually configure buckets: admins and roots.
const ADMINS: &[&str] = &[
    "A.admin", "B.admin", "C.admin", "A.root", "B.root", "C.root",
];
const BUCKETS: &[&str] = &["b1", "b2"];
const KEYS: &[&str] = &["k1", "k2", "bob/k3"];
const OWNERSHIPS: &[&str] = &[
    "BucketOwnerEnforced",
    "BucketOwnerPreferred",
    "ObjectWriter",
];
const CANNED: &[&str] = &[
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
];
const ALL_USERS: &str = "uri=http://acs.amazonaws.com/groups/global/AllUsers";
const AUTH_USERS: &str = "uri=http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

/// Users made in set-up: (account, name, the admin that manages them).
const USERS: &[(&str, &str)] = &[("A", "alice"), ("A", "bob"), ("B", "carol"), ("B", "dan")];

fn setup_steps() -> Vec<Value> {
    let s3_all = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
    vec![
        json!({"as": "A.admin", "op": "create_user", "name": "alice", "policy": s3_all}),
        json!({"as": "A.admin", "op": "create_user", "name": "bob"}),
        json!({"as": "B.admin", "op": "create_user", "name": "carol", "policy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::b1", "arn:aws:s3:::b1/*", "arn:aws:s3:::b2", "arn:aws:s3:::b2/*"]},
            {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}}),
        json!({"as": "B.admin", "op": "create_user", "name": "dan"}),
        json!({"as": "A.admin", "op": "create_role", "name": "reader",
               "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${B}:root"}, "Action": "sts:AssumeRole"}]},
               "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                   "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetObjectAcl", "s3:PutObject"],
                   "Resource": ["arn:aws:s3:::b1", "arn:aws:s3:::b1/*", "arn:aws:s3:::b2", "arn:aws:s3:::b2/*"]}]}}),
        json!({"as": "B.admin", "op": "assume_role", "role_arn": "arn:aws:iam::${A}:role/reader", "session_name": "reader",
               "as_name": "reader-session",
               "session_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:PutObject"], "Resource": "*"}]}}),
    ]
}

/// A fresh world: accounts A, B, C with the set-up applied.
fn base_world() -> World {
    let mut w = World::with_accounts(ACCOUNTS);
    for v in setup_steps() {
        let st = Step::from_value(&v).expect("set-up step parses");
        let (o, ex) = step(&mut w, &st).expect("set-up step applies");
        assert!(
            o.allowed(),
            "set-up step {} failed: {o}\n{ex}",
            st.op.name()
        );
    }
    w
}

/// Bucket-policy statements for bucket `b` (placeholders resolve when the step runs).
fn bucket_statement(i: usize, b: &str) -> Value {
    let obj = format!("arn:aws:s3:::{b}/*");
    let bkt = format!("arn:aws:s3:::{b}");
    match i {
        0 => {
            json!({"Sid": "BObjects", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${B}:root"}, "Action": ["s3:GetObject", "s3:PutObject"], "Resource": obj})
        }
        1 => {
            json!({"Sid": "CList", "Effect": "Allow", "Principal": {"AWS": "${C}"}, "Action": "s3:ListBucket", "Resource": bkt})
        }
        2 => {
            json!({"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": obj})
        }
        3 => {
            json!({"Sid": "LoopbackRead", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [bkt, obj],
                    "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}})
        }
        4 => {
            json!({"Sid": "CarolBofc", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${B}:user/carol"}, "Action": "s3:PutObject", "Resource": obj,
                    "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}})
        }
        5 => {
            json!({"Sid": "DenyDan", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::${B}:user/dan"}, "Action": "s3:*", "Resource": [bkt, obj]})
        }
        6 => {
            json!({"Sid": "DenyForeignDelete", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": obj,
                    "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "${A}"}}})
        }
        7 => {
            json!({"Sid": "AllAccounts", "Effect": "Allow", "Principal": {"AWS": ["${A}", "${B}", "${C}"]}, "Action": "s3:*", "Resource": [bkt, obj]})
        }
        8 => {
            json!({"Sid": "PublicWrite", "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": obj,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
        }
        9 => {
            json!({"Sid": "ReaderAcl", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${A}:role/reader"}, "Action": "s3:GetObjectAcl", "Resource": obj})
        }
        10 => json!({"Sid": "BAcls", "Effect": "Allow", "Principal": {"AWS": "${B}"},
                     "Action": ["s3:GetObjectAcl", "s3:PutObjectAcl", "s3:GetBucketAcl", "s3:PutBucketAcl"], "Resource": [bkt, obj]}),
        11 => {
            json!({"Sid": "HomeDirs", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${A}:user/bob"}, "Action": ["s3:GetObject", "s3:PutObject"],
                     "Resource": format!("arn:aws:s3:::{b}/${{aws:username}}/*")})
        }
        12 => {
            json!({"Sid": "NotB", "Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::${B}:root"}, "Action": "s3:ListBucket", "Resource": bkt})
        }
        13 => {
            json!({"Sid": "UsersList", "Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": bkt,
                     "Condition": {"StringLike": {"aws:userid": "AIDA*"}}})
        }
        _ => {
            json!({"Sid": "DenyNonBofc", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": obj,
                    "Condition": {"StringNotEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}, "Null": {"s3:x-amz-acl": "false"}}})
        }
    }
}
const N_BUCKET_STATEMENTS: usize = 15;

/// Identity policies for the set-up users.
fn identity_policy(i: usize) -> Value {
    match i {
        0 => {
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
        }
        1 => {
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::b1", "arn:aws:s3:::b1/*"]}]})
        }
        2 => json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*", "Condition": {"StringNotEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]}),
        3 => {
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::*/${aws:username}/*"}]})
        }
        4 => {
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})
        }
        _ => {
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "s3:Delete*", "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
        }
    }
}
const N_IDENTITY_POLICIES: usize = 6;

// ---------------------------------------------------------------------------------------------
// Step generators

fn step_json(as_: &str, op: &str, fields: Value) -> Value {
    let mut m = Map::new();
    m.insert("as".into(), json!(as_));
    m.insert("op".into(), json!(op));
    if let Value::Object(f) = fields {
        m.extend(f);
    }
    Value::Object(m)
}

fn grant_headers() -> impl Strategy<Value = Value> {
    select(vec![
        json!({"full_control": "id=${A.canonical}"}),
        json!({"full_control": "id=${B.canonical}"}),
        json!({"read": ALL_USERS}),
        json!({"read": "id=${C.canonical}", "full_control": "id=${A.canonical}"}),
        json!({"write": ALL_USERS, "read": AUTH_USERS}),
        json!({"read_acp": "emailAddress=b@xacct.example"}),
    ])
}

/// ACL request fields: none, a canned ACL or grant headers.
fn acl_fields() -> impl Strategy<Value = Value> {
    prop_oneof![
        2 => Just(json!({})),
        2 => select(CANNED).prop_map(|c| json!({"acl": c})),
        1 => grant_headers().prop_map(|g| json!({"grants": g})),
    ]
}

/// ACL fields of a Put*Acl call (an ACL is required there).
fn put_acl_fields() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => select(CANNED).prop_map(|c| json!({"acl": c})),
        1 => grant_headers().prop_map(|g| json!({"grants": g})),
    ]
}

fn bucket_policy(b: &str, idx: &[usize]) -> Value {
    json!({"Version": "2012-10-17", "Statement": idx.iter().map(|&i| bucket_statement(i, b)).collect::<Vec<_>>()})
}

/// Who makes a request, relative to the owner of the bucket it addresses: the generator
/// knows the owners chosen by the sequence's first steps, so most requests are ones that can
/// succeed (the owner's admin or root, another account's admin), the rest anyone.
#[derive(Debug, Clone, Copy)]
enum Rel {
    OwnerAdmin,
    OwnerRoot,
    /// The admin of one of the two other accounts (which: the flag).
    OtherAdmin(bool),
    Any(&'static str),
}

impl Rel {
    fn resolve(self, owner: &str) -> String {
        let others: Vec<&str> = ACCOUNTS.iter().copied().filter(|a| *a != owner).collect();
        match self {
            Rel::OwnerAdmin => format!("{owner}.admin"),
            Rel::OwnerRoot => format!("{owner}.root"),
            Rel::OtherAdmin(first) => format!("{}.admin", others[usize::from(!first)]),
            Rel::Any(p) => p.to_string(),
        }
    }
}

/// Callers of bucket-configuration calls: mostly the owner.
fn config_caller() -> impl Strategy<Value = Rel> {
    prop_oneof![
        4 => Just(Rel::OwnerAdmin),
        2 => Just(Rel::OwnerRoot),
        1 => any::<bool>().prop_map(Rel::OtherAdmin),
        1 => select(PRINCIPALS).prop_map(Rel::Any),
    ]
}

/// Callers of object and listing calls: every kind.
fn data_caller() -> impl Strategy<Value = Rel> {
    prop_oneof![
        2 => Just(Rel::OwnerAdmin),
        1 => Just(Rel::OwnerRoot),
        3 => any::<bool>().prop_map(Rel::OtherAdmin),
        4 => select(PRINCIPALS).prop_map(Rel::Any),
    ]
}

type Owners = [&'static str; 2];

/// One random step over the universe; `owners` are the accounts that created b1 and b2.
fn arb_step(owners: Owners) -> BoxedStrategy<Value> {
    // A bucket (index into BUCKETS) and a caller resolved against its owner.
    let on = move |rel: BoxedStrategy<Rel>| {
        (0..BUCKETS.len(), rel).prop_map(move |(i, r)| (r.resolve(owners[i]), BUCKETS[i]))
    };
    let cfg = move || on(config_caller().boxed());
    let data = move || on(data_caller().boxed());
    let k = || prop_oneof![3 => Just(KEYS[0]), 2 => Just(KEYS[1]), 1 => Just(KEYS[2])];
    let b = || select(BUCKETS);
    prop_oneof![
        1 => (select(ADMINS), b(), proptest::option::of(select(OWNERSHIPS)), acl_fields()).prop_map(|(p, b, o, acl)| {
            let mut f = json!({"bucket": b});
            if let Some(o) = o {
                f["object_ownership"] = json!(o);
            }
            merge(&mut f, acl);
            step_json(p, "create_bucket", f)
        }),
        1 => cfg().prop_map(|(p, b)| step_json(&p, "delete_bucket", json!({"bucket": b}))),
        3 => (cfg(), select(OWNERSHIPS)).prop_map(|((p, b), o)| step_json(&p, "put_bucket_ownership_controls", json!({"bucket": b, "object_ownership": o}))),
        1 => cfg().prop_map(|(p, b)| step_json(&p, "delete_bucket_ownership_controls", json!({"bucket": b}))),
        1 => cfg().prop_map(|(p, b)| step_json(&p, "get_bucket_ownership_controls", json!({"bucket": b}))),
        3 => (cfg(), any::<[bool; 4]>()).prop_map(|((p, b), f)| step_json(&p, "put_public_access_block", json!({"bucket": b,
            "block_public_acls": f[0], "ignore_public_acls": f[1], "block_public_policy": f[2], "restrict_public_buckets": f[3]}))),
        1 => cfg().prop_map(|(p, b)| step_json(&p, "delete_public_access_block", json!({"bucket": b}))),
        1 => cfg().prop_map(|(p, b)| step_json(&p, "get_public_access_block", json!({"bucket": b}))),
        4 => (cfg(), proptest::collection::vec(0..N_BUCKET_STATEMENTS, 1..=3)).prop_map(|((p, b), idx)| {
            step_json(&p, "put_bucket_policy", json!({"bucket": b, "policy": bucket_policy(b, &idx)}))
        }),
        1 => cfg().prop_map(|(p, b)| step_json(&p, "get_bucket_policy", json!({"bucket": b}))),
        1 => cfg().prop_map(|(p, b)| step_json(&p, "delete_bucket_policy", json!({"bucket": b}))),
        2 => (cfg(), put_acl_fields()).prop_map(|((p, b), acl)| {
            let mut f = json!({"bucket": b});
            merge(&mut f, acl);
            step_json(&p, "put_bucket_acl", f)
        }),
        1 => data().prop_map(|(p, b)| step_json(&p, "get_bucket_acl", json!({"bucket": b}))),
        8 => (data(), k(), acl_fields()).prop_map(|((p, b), k, acl)| {
            let mut f = json!({"bucket": b, "key": k});
            merge(&mut f, acl);
            step_json(&p, "put_object", f)
        }),
        1 => (data(), k(), b(), k()).prop_map(|((p, b), k, sb, sk)| {
            step_json(&p, "copy_object", json!({"bucket": b, "key": k, "source_bucket": sb, "source_key": sk}))
        }),
        3 => (data(), k()).prop_map(|((p, b), k)| step_json(&p, "get_object", json!({"bucket": b, "key": k}))),
        1 => (data(), k()).prop_map(|((p, b), k)| step_json(&p, "head_object", json!({"bucket": b, "key": k}))),
        2 => (data(), k()).prop_map(|((p, b), k)| step_json(&p, "get_object_acl", json!({"bucket": b, "key": k}))),
        2 => (data(), k(), put_acl_fields()).prop_map(|((p, b), k, acl)| {
            let mut f = json!({"bucket": b, "key": k});
            merge(&mut f, acl);
            step_json(&p, "put_object_acl", f)
        }),
        2 => (data(), k()).prop_map(|((p, b), k)| step_json(&p, "delete_object", json!({"bucket": b, "key": k}))),
        2 => (data(), proptest::option::of(Just("bob/"))).prop_map(|((p, b), pre)| {
            let mut f = json!({"bucket": b});
            if let Some(pre) = pre {
                f["prefix"] = json!(pre);
            }
            step_json(&p, "list_objects", f)
        }),
        1 => (select(USERS), 0..N_IDENTITY_POLICIES).prop_map(|((acct, user), i)| {
            step_json(&format!("{acct}.admin"), "put_user_policy", json!({"user": user, "policy": identity_policy(i)}))
        }),
    ]
    .boxed()
}

fn merge(into: &mut Value, from: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, from) {
        a.extend(b);
    }
}

/// A sequence and the accounts that own b1 and b2: both buckets are created first (random
/// owner, creator and ownership — ACLs enabled more often than not), then random steps.
fn arb_owned_sequence(max: usize) -> impl Strategy<Value = (Vec<Value>, Owners)> {
    let create = |b: &'static str| {
        let ownership = prop_oneof![
            1 => Just(None),
            1 => Just(Some("BucketOwnerEnforced")),
            2 => Just(Some("BucketOwnerPreferred")),
            3 => Just(Some("ObjectWriter")),
        ];
        (select(ACCOUNTS), any::<bool>(), ownership).prop_map(move |(a, root, o)| {
            let mut f = json!({"bucket": b});
            if let Some(o) = o {
                f["object_ownership"] = json!(o);
            }
            (
                step_json(
                    &format!("{a}.{}", if root { "root" } else { "admin" }),
                    "create_bucket",
                    f,
                ),
                a,
            )
        })
    };
    // After creation: the owner's admin writes k1, and often opens the bucket to the other
    // accounts, so that later steps meet existing and foreign-owned objects.
    let open = prop_oneof![1 => Just(None), 1 => Just(Some(vec![7])), 1 => Just(Some(vec![0, 1])), 1 => Just(Some(vec![7, 10, 3]))];
    (create("b1"), create("b2"), open.clone(), open).prop_flat_map(
        move |((c1, o1), (c2, o2), p1, p2)| {
            let owners = [o1, o2];
            let mut prefix = vec![c1, c2];
            for (i, (o, pol)) in [(o1, p1), (o2, p2)].into_iter().enumerate() {
                let b = BUCKETS[i];
                prefix.push(step_json(
                    &format!("{o}.admin"),
                    "put_object",
                    json!({"bucket": b, "key": "k1"}),
                ));
                if let Some(idx) = pol {
                    prefix.push(step_json(
                        &format!("{o}.admin"),
                        "put_bucket_policy",
                        json!({"bucket": b, "policy": bucket_policy(b, &idx)}),
                    ));
                }
            }
            proptest::collection::vec(arb_step(owners), 0..max).prop_map(move |rest| {
                let mut v = prefix.clone();
                v.extend(rest);
                (v, owners)
            })
        },
    )
}

fn arb_sequence(max: usize) -> impl Strategy<Value = Vec<Value>> {
    arb_owned_sequence(max).prop_map(|(v, _)| v)
}

/// A sequence and a final S3 request addressing a bucket (not create_bucket, not IAM).
fn arb_sequence_and_request(max: usize) -> impl Strategy<Value = (Vec<Value>, Value)> {
    arb_owned_sequence(max).prop_flat_map(|(seq, owners)| {
        let last = arb_step(owners).prop_filter("an S3 call on a bucket", |v| {
            v.get("bucket").is_some() && v["op"] != "create_bucket"
        });
        (Just(seq), last)
    })
}

fn parse_steps(vals: &[Value]) -> Vec<Step> {
    vals.iter()
        .map(|v| {
            Step::from_value(v)
                .unwrap_or_else(|e| panic!("generated step does not parse: {e}\n{v}"))
        })
        .collect()
}

fn apply(w: &mut World, st: &Step) -> (Outcome, Explanation) {
    step(w, st).unwrap_or_else(|e| panic!("step {} as {} not applied: {e}", st.op.name(), st.as_))
}

fn run(w: &mut World, steps: &[Step]) -> Vec<(Outcome, Explanation)> {
    steps.iter().map(|s| apply(w, s)).collect()
}

fn show(steps: &[Step]) -> String {
    steps
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------------------------
// b. explicit Deny

/// The action S3 authorizes a bucket request as (the one a specific Deny names).
fn action_of(op: &Op) -> &'static str {
    match op {
        Op::GetObject { .. } | Op::HeadObject { .. } => "s3:GetObject",
        Op::PutObject { .. } | Op::CopyObject { .. } | Op::CreateMultipartUpload { .. } => {
            "s3:PutObject"
        }
        Op::DeleteObject { .. } => "s3:DeleteObject",
        Op::GetObjectAcl { .. } => "s3:GetObjectAcl",
        Op::PutObjectAcl { .. } => "s3:PutObjectAcl",
        Op::ListObjects { .. } => "s3:ListBucket",
        Op::PutBucketAcl { .. } => "s3:PutBucketAcl",
        Op::GetBucketAcl { .. } => "s3:GetBucketAcl",
        Op::PutBucketOwnershipControls { .. } | Op::DeleteBucketOwnershipControls { .. } => {
            "s3:PutBucketOwnershipControls"
        }
        Op::GetBucketOwnershipControls { .. } => "s3:GetBucketOwnershipControls",
        Op::PutPublicAccessBlock { .. } | Op::DeletePublicAccessBlock { .. } => {
            "s3:PutBucketPublicAccessBlock"
        }
        Op::GetPublicAccessBlock { .. } => "s3:GetBucketPublicAccessBlock",
        Op::PutBucketPolicy { .. } => "s3:PutBucketPolicy",
        Op::GetBucketPolicy { .. } => "s3:GetBucketPolicy",
        Op::DeleteBucketPolicy { .. } => "s3:DeleteBucketPolicy",
        Op::DeleteBucket { .. } => "s3:DeleteBucket",
        _ => "s3:*",
    }
}

#[derive(Debug, Clone, Copy)]
enum DenyKind {
    /// Principal "*", Action "s3:*": denies everything on the bucket.
    Everything,
    /// Principal "*", the request's own action.
    ThisAction,
    /// Principal: one account (its root ARN), Action "s3:*".
    Account(&'static str),
    /// Principal "*", Action "s3:*", only for one aws:PrincipalType.
    PrincipalType(&'static str),
    /// NotPrincipal: everyone but one account's root.
    AllBut(&'static str),
}

impl DenyKind {
    /// Whether the Deny covers every caller and the request's action, so that the request must
    /// be denied whatever else holds.
    fn covers_everything(self) -> bool {
        matches!(self, DenyKind::Everything | DenyKind::ThisAction)
    }

    fn statement(self, b: &str, action: &str) -> Value {
        let res = json!([format!("arn:aws:s3:::{b}"), format!("arn:aws:s3:::{b}/*")]);
        match self {
            DenyKind::Everything => {
                json!({"Sid": "InjectedDeny", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": res})
            }
            DenyKind::ThisAction => {
                json!({"Sid": "InjectedDeny", "Effect": "Deny", "Principal": "*", "Action": action, "Resource": res})
            }
            DenyKind::Account(a) => {
                json!({"Sid": "InjectedDeny", "Effect": "Deny", "Principal": {"AWS": format!("arn:aws:iam::${{{a}}}:root")}, "Action": "s3:*", "Resource": res})
            }
            DenyKind::PrincipalType(t) => {
                json!({"Sid": "InjectedDeny", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": res,
                "Condition": {"StringEquals": {"aws:PrincipalType": t}}})
            }
            DenyKind::AllBut(a) => {
                json!({"Sid": "InjectedDeny", "Effect": "Deny", "NotPrincipal": {"AWS": format!("arn:aws:iam::${{{a}}}:root")}, "Action": "s3:*", "Resource": res})
            }
        }
    }
}

fn arb_deny() -> impl Strategy<Value = DenyKind> {
    prop_oneof![
        3 => Just(DenyKind::Everything),
        2 => Just(DenyKind::ThisAction),
        1 => select(ACCOUNTS).prop_map(DenyKind::Account),
        1 => select(&["User", "Account", "AssumedRole", "Anonymous"][..]).prop_map(DenyKind::PrincipalType),
        1 => select(ACCOUNTS).prop_map(DenyKind::AllBut),
    ]
}

/// Adds `stmt` to the bucket policy of `b`: through put_bucket_policy by the owning root when
/// S3 accepts it, else (BlockPublicPolicy now refuses the existing public statements) by
/// setting the parsed, resolved policy directly. Returns how it was injected.
fn inject_statement(w: &mut World, b: &str, stmt: Value) -> &'static str {
    let bucket = &w.buckets[b];
    let owner = bucket.owner.clone();
    let mut statements = match bucket
        .policy
        .as_ref()
        .map(|p| p.document.get("Statement").cloned())
    {
        Some(Some(Value::Array(a))) => a,
        Some(Some(o @ Value::Object(_))) => vec![o],
        _ => vec![],
    };
    statements.push(stmt);
    let doc = json!({"Version": "2012-10-17", "Statement": statements});
    let st = Step::from_value(&json!({"as": format!("{owner}.root"), "op": "put_bucket_policy", "bucket": b, "policy": doc}))
        .expect("injected put_bucket_policy parses");
    let (o, ex) = apply(w, &st);
    if o.allowed() {
        return "put_bucket_policy";
    }
    assert!(
        o.status == 403 && ex.deciding_rule() == Some(rules::R34.id),
        "the owning root's put_bucket_policy failed for a reason other than BlockPublicPolicy: {o}\n{ex}"
    );
    let resolved = st.resolved(w).expect("placeholders resolve");
    let Op::PutBucketPolicy { policy, .. } = &resolved.op else {
        unreachable!()
    };
    let parsed = Policy::parse(PolicyKind::Bucket, policy).expect("merged policy parses");
    w.buckets.get_mut(b).expect("bucket exists").policy = Some(parsed);
    "direct"
}

// ---------------------------------------------------------------------------------------------
// d. / e. arbitrary JSON

const FIELD_NAMES: &[&str] = &[
    "name",
    "description",
    "steps",
    "as",
    "op",
    "bucket",
    "key",
    "policy",
    "acl",
    "grants",
    "object_ownership",
    "expect",
    "status",
    "code",
    "owner",
    "keys",
    "expected_bucket_owner",
    "access_control_policy",
    "source_bucket",
    "source_key",
    "prefix",
    "trust_policy",
    "role_arn",
    "session_name",
    "as_name",
    "session_policy",
    "user",
    "policy_name",
    "read",
    "write",
    "full_control",
    "read_acp",
    "write_acp",
    "block_public_acls",
    "ignore_public_acls",
    "grantee",
    "permission",
    "Version",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "AWS",
    "CanonicalUser",
    "Service",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
    "StringEquals",
    "StringNotEqualsIfExists",
    "ForAnyValue:StringLike",
    "ForAllValues:StringEquals",
    "Null",
    "IpAddress",
    "NotIpAddress",
    "Bool",
    "ArnLike",
    "NumericLessThan",
    "aws:SourceIp",
    "aws:username",
    "s3:x-amz-acl",
    "aws:PrincipalType",
    "aws:userid",
];

const STRINGS: &[&str] = &[
    "",
    "anon",
    "A.admin",
    "A.root",
    "B.admin",
    "C.dave",
    "a.admin",
    "A.",
    ".x",
    "dave-in-A",
    "A.ad min",
    "b1",
    "b2",
    "k1",
    "create_bucket",
    "put_object",
    "get_object",
    "put_bucket_policy",
    "assume_role",
    "create_user",
    "list_buckets",
    "copy_object",
    "put_object_acl",
    "put_bucket_acl",
    "create_role",
    "put_public_access_block",
    "${A}",
    "${A.canonical}",
    "${A.email}",
    "${Z}",
    "${ZZ9}",
    "${",
    "${}",
    "}",
    "${A.nope}",
    "ObjectWriter",
    "BucketOwnerEnforced",
    "BucketOwnerPreferred",
    "Bogus",
    "private",
    "public-read",
    "bucket-owner-full-control",
    "id=${A.canonical}",
    "id=${B.canonical}",
    ALL_USERS,
    "uri=nope",
    "emailAddress=a@xacct.example",
    "id=",
    "=",
    "id",
    "READ",
    "FULL_CONTROL",
    "2012-10-17",
    "2008-10-17",
    "Allow",
    "Deny",
    "*",
    "s3:*",
    "s3:GetObject",
    "s3:Get*",
    "arn:aws:s3:::b1",
    "arn:aws:s3:::b1/*",
    "arn:aws:s3:::*",
    "arn:aws:iam::${B}:root",
    "arn:aws:iam::${A}:user/alice",
    "arn:aws:iam::111111111111:user/admin",
    "arn:aws:iam::111111111111:root",
    "arn:aws:iam::${A}:role/examplerole",
    "arn:aws:sts::111111111111:assumed-role/r/s",
    "arn:aws:iam::123:root",
    "111111111111",
    "999999999999",
    "StringEquals",
    "IpAddress",
    "aws:SourceIp",
    "127.0.0.0/8",
    "1.2.3.4/40",
    "0.0.0.0/0",
    "::1",
    "aws:username",
    "${aws:username}",
    "${aws:userid, 'x'}",
    "${*}",
    "true",
    "false",
    "é",
    "\u{0}",
    "日本",
    "{\"Statement\": []}",
    "{not json",
];

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(STRINGS).prop_map(String::from),
        1 => "[a-zA-Z0-9._:/*${}=-]{0,12}",
        1 => any::<String>(),
    ]
}

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![4 => select(FIELD_NAMES).prop_map(String::from), 1 => arb_string()]
}

fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(|n| json!(n)),
        1 => select(&[0u64, 1, 12, 200, 204, 403, 65535, 65536, u64::MAX][..]).prop_map(|n| json!(n)),
        1 => select(&[0.5f64, -1.25, 1e300, 3.0][..]).prop_map(|f| json!(f)),
        6 => arb_string().prop_map(Value::String),
    ]
}

/// Arbitrary JSON, with keys and strings biased towards the ones the parsers know.
fn arb_json() -> impl Strategy<Value = Value> {
    arb_leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((arb_key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Step-shaped objects: mostly a valid `as` and `op`, then arbitrary fields.
fn arb_step_like() -> impl Strategy<Value = Value> {
    let as_ = prop_oneof![4 => select(PRINCIPALS).prop_map(|s| json!(s)), 1 => arb_leaf()];
    let op = prop_oneof![
        4 => select(&[
            "create_bucket", "delete_bucket", "put_bucket_ownership_controls", "get_bucket_ownership_controls",
            "put_public_access_block", "put_bucket_policy", "get_bucket_policy", "put_bucket_acl", "get_bucket_acl",
            "put_object", "get_object", "head_object", "delete_object", "get_object_acl", "put_object_acl", "copy_object",
            "list_objects", "list_buckets", "create_multipart_upload", "create_user", "put_user_policy", "create_role",
            "put_role_policy", "assume_role",
        ][..]).prop_map(|s| json!(s)),
        1 => arb_leaf(),
    ];
    (
        as_,
        op,
        proptest::collection::vec((arb_key(), arb_json()), 0..5),
    )
        .prop_map(|(a, o, rest)| {
            let mut m = Map::new();
            m.insert("as".into(), a);
            m.insert("op".into(), o);
            m.extend(rest);
            Value::Object(m)
        })
}

/// Applies every step of a scenario that parsed; nothing may panic.
fn run_scenario(s: &Scenario) {
    let mut w = s.world();
    for st in &s.steps {
        let _ = step(&mut w, st);
    }
}

fn seed_scenario() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/seed-example4.json"
    );
    let text = std::fs::read_to_string(path).expect("seed scenario readable");
    serde_json::from_str(&text).expect("seed scenario is JSON")
}

#[derive(Debug, Clone)]
enum PathSeg {
    Key(String),
    Idx(usize),
}

fn node_paths(v: &Value, cur: &mut Vec<PathSeg>, out: &mut Vec<Vec<PathSeg>>) {
    out.push(cur.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                cur.push(PathSeg::Key(k.clone()));
                node_paths(x, cur, out);
                cur.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                cur.push(PathSeg::Idx(i));
                node_paths(x, cur, out);
                cur.pop();
            }
        }
        _ => {}
    }
}

fn node_mut<'v>(v: &'v mut Value, path: &[PathSeg]) -> &'v mut Value {
    path.iter().fold(v, |v, seg| match seg {
        PathSeg::Key(k) => &mut v[k.as_str()],
        PathSeg::Idx(i) => &mut v[*i],
    })
}

/// One mutation of a JSON document: what to do, where, and with what.
#[derive(Debug, Clone)]
struct Mutation {
    at: Index,
    kind: u8,
    value: Value,
    key: String,
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    (any::<Index>(), 0u8..7, arb_json(), arb_key()).prop_map(|(at, kind, value, key)| Mutation {
        at,
        kind,
        value,
        key,
    })
}

/// Type changes that keep the content recognisable: "1" ↔ 1, [x] ↔ {"0": x}, x ↔ [x].
fn change_type(v: &Value) -> Value {
    match v {
        Value::String(s) => s
            .parse::<i64>()
            .map(|n| json!(n))
            .unwrap_or_else(|_| json!([s])),
        Value::Number(n) => json!(n.to_string()),
        Value::Bool(b) => json!(b.to_string()),
        Value::Null => json!({}),
        Value::Array(a) => Value::Object(
            a.iter()
                .enumerate()
                .map(|(i, x)| (i.to_string(), x.clone()))
                .collect(),
        ),
        Value::Object(m) => Value::Array(m.values().cloned().collect()),
    }
}

fn mutate(doc: &mut Value, m: &Mutation) {
    let mut paths = Vec::new();
    node_paths(doc, &mut Vec::new(), &mut paths);
    let path = m.at.get(&paths).clone();
    match m.kind {
        // Replace the node by arbitrary JSON.
        0 => *node_mut(doc, &path) = m.value.clone(),
        // Change the node's type.
        1 => {
            let n = node_mut(doc, &path);
            *n = change_type(n);
        }
        // Drop the node from its parent.
        2 | 3 => {
            if let Some((last, parent)) = path.split_last() {
                match (node_mut(doc, parent), last) {
                    (Value::Object(o), PathSeg::Key(k)) => {
                        o.shift_remove(k);
                    }
                    (Value::Array(a), PathSeg::Idx(i)) => {
                        a.remove(*i);
                    }
                    _ => {}
                }
            }
        }
        // Rename the node's key.
        4 => {
            if let Some((PathSeg::Key(k), parent)) = path.split_last() {
                if let Value::Object(o) = node_mut(doc, parent) {
                    if let Some(x) = o.shift_remove(k) {
                        o.insert(m.key.clone(), x);
                    }
                }
            }
        }
        // Add a field to an object, an element to an array.
        5 => match node_mut(doc, &path) {
            Value::Object(o) => {
                o.insert(m.key.clone(), m.value.clone());
            }
            Value::Array(a) => a.push(m.value.clone()),
            _ => {}
        },
        // Duplicate an array element / set a string to a known string.
        _ => match node_mut(doc, &path) {
            Value::Array(a) if !a.is_empty() => {
                let x = a[0].clone();
                a.push(x);
            }
            Value::String(s) => *s = m.key.clone(),
            _ => {}
        },
    }
}

/// Valid policy documents of each kind, to mutate.
fn policy_seeds() -> Vec<(PolicyKind, Value)> {
    let mut out = vec![(
        PolicyKind::Bucket,
        bucket_policy("b1", &(0..N_BUCKET_STATEMENTS).collect::<Vec<_>>()),
    )];
    for i in 0..N_IDENTITY_POLICIES {
        out.push((PolicyKind::Identity, identity_policy(i)));
    }
    out.push((PolicyKind::Trust, json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111111111111:root", "222222222222"]}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"sts:RoleSessionName": "${aws:username}"}}}]})));
    out.push((PolicyKind::Session, json!({"Statement": {"Effect": "Deny", "NotAction": ["s3:Get*", "s3:List*"], "NotResource": "arn:aws:s3:::b1/*"}})));
    // Account placeholders resolved, as `step` does before parsing.
    let w = World::with_accounts(ACCOUNTS);
    out.into_iter()
        .map(|(k, d)| {
            let text = xacct_model::scenario::substitute(&d.to_string(), &w)
                .expect("placeholders resolve");
            (k, serde_json::from_str(&text).expect("still JSON"))
        })
        .collect()
}

const KINDS: &[PolicyKind] = &[
    PolicyKind::Bucket,
    PolicyKind::Identity,
    PolicyKind::Trust,
    PolicyKind::Session,
];

/// Exercises everything a parsed policy offers; nothing may panic.
fn exercise_policy(p: &Policy, keys: &Keys, action: &str, resource: &str) {
    let _ = p.is_public();
    let _ = p.check_bucket_resources("b1");
    let _ = p.principal_arns().count();
    for i in 0..p.statements.len() + 1 {
        let _ = p.statement_is_public(i);
    }
    let req = Request {
        action,
        resource,
        keys,
    };
    let whos = [
        None,
        Some(Who {
            anonymous: true,
            ..Default::default()
        }),
        Some(Who {
            account_id: Some("111111111111".into()),
            canonical: Some("ca11ab1e".repeat(8).into()),
            arn: Some("arn:aws:iam::111111111111:user/alice".into()),
            ..Default::default()
        }),
        Some(Who {
            account_id: Some("111111111111".into()),
            arn: Some("arn:aws:sts::111111111111:assumed-role/r/s".into()),
            role_arn: Some("arn:aws:iam::111111111111:role/r".into()),
            ..Default::default()
        }),
        Some(Who {
            account_id: Some("222222222222".into()),
            arn: Some("arn:aws:iam::222222222222:root".into()),
            is_root: true,
            ..Default::default()
        }),
    ];
    for w in &whos {
        let _ = p.evaluate(&req, w.as_ref());
    }
}

fn arb_keys() -> impl Strategy<Value = Keys> {
    proptest::collection::btree_map(
        select(
            &[
                "aws:sourceip",
                "aws:username",
                "aws:userid",
                "s3:x-amz-acl",
                "aws:securetransport",
                "aws:principaltype",
                "sts:rolesessionname",
            ][..],
        )
        .prop_map(String::from),
        proptest::collection::vec(arb_string(), 0..3),
        0..5,
    )
}

// ---------------------------------------------------------------------------------------------
// The properties

/// `cases` cases, or `PROPTEST_CASES` when set (for longer runs); no persistence files.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// a. The same sequence on two fresh worlds gives the same outcomes, explanations and world;
    /// every explanation is non-empty and names rules of the rule table; failures carry a code
    /// (but HEAD's).
    #[test]
    fn a_steps_are_deterministic(seq in arb_sequence(30)) {
        let steps = parse_steps(&seq);
        let (mut w1, mut w2) = (base_world(), base_world());
        let r1 = run(&mut w1, &steps);
        let r2 = run(&mut w2, &steps);
        prop_assert_eq!(&r1, &r2, "outcomes differ for\n{}", show(&steps));
        prop_assert!(w1 == w2, "worlds differ for\n{}", show(&steps));
        for (st, (o, ex)) in steps.iter().zip(&r1) {
            prop_assert!(!ex.lines.is_empty(), "empty explanation for {}", st.op.name());
            for l in &ex.lines {
                prop_assert!(rules::by_id(l.rule).is_some(), "unknown rule {} in {}", l.rule, st.op.name());
            }
            if !o.allowed() && !matches!(st.op, Op::HeadObject { .. }) {
                prop_assert!(o.code.is_some(), "{} failed without an error code: {}", st.op.name(), o);
            }
        }
    }

    /// b. Adding a Deny to the bucket policy right before a request never makes a denied
    /// request succeed; a Deny covering every caller and the request's action denies it
    /// ([R22], [R23]), except the owning root's bucket-policy calls ([R29]).
    #[test]
    fn b_explicit_deny_never_allows((seq, last) in arb_sequence_and_request(25), deny in arb_deny()) {
        let steps = parse_steps(&seq);
        let last = parse_steps(&[last]).remove(0);
        let mut w = base_world();
        run(&mut w, &steps);
        let b = last.op.bucket().expect("a bucket request").to_string();
        let Some(bucket) = w.buckets.get(&b) else { return Ok(()) };
        let owner_root = format!("{}.root", bucket.owner);
        let exempt = last.as_ == owner_root
            && matches!(last.op, Op::PutBucketPolicy { .. } | Op::GetBucketPolicy { .. } | Op::DeleteBucketPolicy { .. });
        if exempt {
            return Ok(());
        }
        let mut plain = w.clone();
        let (before, ex_before) = apply(&mut plain, &last);
        let mut denied = w.clone();
        let how = inject_statement(&mut denied, &b, deny.statement(&b, action_of(&last.op)));
        let (after, ex_after) = apply(&mut denied, &last);
        // Injected into a bucket without a policy, the Deny creates the policy: GetBucketPolicy
        // then finds one where it found NoSuchBucketPolicy. That is existence, not a permission.
        let policy_created = matches!(last.op, Op::GetBucketPolicy { .. })
            && before.code.as_deref() == Some("NoSuchBucketPolicy");
        prop_assert!(
            before.allowed() || !after.allowed() || policy_created,
            "{deny:?} Deny (injected by {how}) turned {before} into {after}\nrequest {}\nbefore:\n{ex_before}\nafter:\n{ex_after}\nsequence:\n{}",
            serde_json::to_string(&last).unwrap_or_default(), show(&steps)
        );
        if deny.covers_everything() {
            prop_assert!(
                !after.allowed(),
                "{deny:?} Deny (injected by {how}) did not deny: {after}\nrequest {}\n{ex_after}\nsequence:\n{}",
                serde_json::to_string(&last).unwrap_or_default(), show(&steps)
            );
        }
    }

    /// c. Under BucketOwnerEnforced the bucket owner owns every object: writes into such a
    /// bucket report the bucket owner; afterwards every object's effective owner is the bucket
    /// owner, and the owning root's get_object_acl shows it alone with FULL_CONTROL (or is
    /// refused by an explicit Deny of the bucket policy).
    #[test]
    fn c_bucket_owner_enforced_owns_everything(seq in arb_sequence(30)) {
        let steps = parse_steps(&seq);
        let mut w = base_world();
        for st in &steps {
            let enforced_owner = st.op.bucket().and_then(|b| w.buckets.get(b))
                .filter(|b| b.ownership == Some(ObjectOwnership::BucketOwnerEnforced))
                .map(|b| b.owner.0.clone());
            let (o, ex) = apply(&mut w, st);
            if let (Some(owner), Op::PutObject { .. } | Op::CopyObject { .. }, true) = (&enforced_owner, &st.op, o.allowed()) {
                prop_assert_eq!(o.owner.as_deref(), Some(owner.as_str()), "write into a BucketOwnerEnforced bucket\n{}\n{}", ex, show(&steps));
            }
        }
        for (name, b) in &w.buckets {
            if b.ownership != Some(ObjectOwnership::BucketOwnerEnforced) {
                continue;
            }
            for (key, obj) in &b.objects {
                prop_assert_eq!(ownership::effective_owner(b, obj), Owner::Account(b.owner.clone()));
                let st = Step::from_value(&json!({"as": format!("{}.root", b.owner), "op": "get_object_acl", "bucket": name, "key": key})).unwrap();
                let (o, ex) = apply(&mut w.clone(), &st);
                if o.allowed() {
                    prop_assert_eq!(o.owner.as_deref(), Some(b.owner.0.as_str()), "{}", ex);
                    let want = vec![GrantView { grantee: b.owner.0.clone(), permission: "FULL_CONTROL".into() }];
                    prop_assert_eq!(o.grants.as_ref(), Some(&want), "{}", ex);
                } else {
                    prop_assert!(
                        matches!(ex.deciding_rule(), Some(r) if r == rules::R22.id || r == rules::R23.id),
                        "the owning root was refused get_object_acl without an explicit Deny: {}\n{}\nsequence:\n{}", o, ex, show(&steps)
                    );
                }
            }
        }
    }

    /// f. With all four Block Public Access flags on, anonymous requests on the bucket fail,
    /// unless a bucket-policy Allow for everyone is not public (fixed by a limiting condition,
    /// such as an aws:SourceIp CIDR) — AWS does not treat such statements as public ([R36]) —
    /// or the object is owned by the anonymous user.
    #[test]
    fn f_block_public_access_stops_anonymous(seq in arb_sequence(30)) {
        let steps = parse_steps(&seq);
        let mut w = base_world();
        run(&mut w, &steps);
        for (name, b) in &w.buckets {
            if b.public_access_block != Some(PublicAccessBlock::ALL_ON) {
                continue;
            }
            let non_public_everyone = b.policy.as_ref().is_some_and(|p| {
                p.statements.iter().any(|s| {
                    s.effect == Effect::Allow
                        && s.principal.as_ref().is_some_and(|pr| pr.any || pr.negated)
                        && !p.statement_is_public(s.index)
                })
            });
            if non_public_everyone {
                continue;
            }
            let mut reqs = vec![
                json!({"op": "list_objects", "bucket": name}),
                json!({"op": "get_bucket_acl", "bucket": name}),
                json!({"op": "put_bucket_acl", "bucket": name, "acl": "private"}),
                json!({"op": "get_bucket_policy", "bucket": name}),
            ];
            for key in KEYS {
                let anon_owned = b.objects.get(*key).is_some_and(|o| ownership::effective_owner(b, o) == Owner::Anonymous);
                if anon_owned {
                    continue;
                }
                reqs.push(json!({"op": "get_object", "bucket": name, "key": key}));
                reqs.push(json!({"op": "get_object_acl", "bucket": name, "key": key}));
                reqs.push(json!({"op": "put_object", "bucket": name, "key": key}));
                reqs.push(json!({"op": "put_object_acl", "bucket": name, "key": key, "acl": "private"}));
                reqs.push(json!({"op": "delete_object", "bucket": name, "key": key}));
            }
            for mut r in reqs {
                r["as"] = json!("anon");
                let st = Step::from_value(&r).unwrap();
                let (o, ex) = apply(&mut w.clone(), &st);
                prop_assert!(!o.allowed(), "anonymous {} allowed on a fully blocked bucket: {}\n{}\nsequence:\n{}", r, o, ex, show(&steps));
            }
        }
    }

    /// g. The model with no deviation on is the model: `deviation::step_with(&[], ..)` gives
    /// the outcomes, explanations and world `step` gives.
    #[test]
    fn g_no_deviation_is_the_model(seq in arb_sequence(30)) {
        let steps = parse_steps(&seq);
        let (mut w1, mut w2) = (base_world(), base_world());
        let r1 = run(&mut w1, &steps);
        let r2: Vec<(Outcome, Explanation)> = steps
            .iter()
            .map(|st| step_with(&[], &mut w2, st).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        prop_assert_eq!(&r1, &r2, "outcomes differ for\n{}", show(&steps));
        prop_assert!(w1 == w2, "worlds differ for\n{}", show(&steps));
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// d. Arbitrary JSON never panics the scenario parser, nor `step` on what parses.
    #[test]
    fn d_arbitrary_json_never_panics_the_parser(v in arb_json()) {
        if let Ok(s) = Scenario::from_value(&v, "arb.json") {
            run_scenario(&s);
        }
        let _ = Step::from_value(&v);
    }

    /// d. Scenario-shaped JSON with arbitrary steps: parsing and running never panic, and what
    /// parses round-trips through its JSON text.
    #[test]
    fn d_scenario_like_json_never_panics(name in arb_leaf(), desc in proptest::option::of(arb_leaf()), steps in proptest::collection::vec(arb_step_like(), 0..6)) {
        let mut top = json!({"name": name, "steps": steps});
        if let Some(d) = desc {
            top["description"] = d;
        }
        if let Ok(s) = Scenario::from_value(&top, "arb.json") {
            let again = Scenario::from_json_str(&s.to_json_pretty(), "again.json");
            prop_assert_eq!(again.as_ref(), Ok(&s));
            run_scenario(&s);
        }
    }

    /// d. Arbitrary text and mangled scenario text never panic `from_json_str`.
    #[test]
    fn d_arbitrary_text_never_panics(text in any::<String>(), cut in any::<Index>(), insert in "[{}\\[\\],:\"a-z0-9 ]{0,6}") {
        let _ = Scenario::from_json_str(&text, "arb.json");
        let seed = serde_json::to_string(&seed_scenario()).unwrap();
        let mut at = cut.index(seed.len() + 1);
        while !seed.is_char_boundary(at) {
            at -= 1;
        }
        let mangled = format!("{}{}{}", &seed[..at], insert, &seed[(at + 3).min(seed.len())..]);
        if let Ok(s) = Scenario::from_json_str(&mangled, "mangled.json") {
            run_scenario(&s);
        }
    }

    /// d. Mutations of the seed scenario (fields dropped, renamed, retyped, replaced) never
    /// panic the parser nor `step`; what parses round-trips.
    #[test]
    fn d_seed_mutations_never_panic(ms in proptest::collection::vec(arb_mutation(), 1..5)) {
        let mut doc = seed_scenario();
        for m in &ms {
            mutate(&mut doc, m);
        }
        if let Ok(s) = Scenario::from_value(&doc, "mutated.json") {
            let again = Scenario::from_json_str(&s.to_json_pretty(), "again.json");
            prop_assert_eq!(again.as_ref(), Ok(&s));
            run_scenario(&s);
        }
    }

    /// d. Random step sequences with one mutated step never panic `step`.
    #[test]
    fn d_mutated_steps_never_panic(seq in arb_sequence(12), m in arb_mutation(), which in any::<Index>()) {
        let mut seq = seq;
        let i = which.index(seq.len());
        mutate(&mut seq[i], &m);
        let mut w = base_world();
        for v in &seq {
            if let Ok(st) = Step::from_value(v) {
                let _ = step(&mut w, &st);
            }
        }
    }

    /// e. Policy::parse never panics on arbitrary JSON, of any kind; nor does using what parses.
    #[test]
    fn e_policy_parse_never_panics(v in arb_json(), keys in arb_keys(), action in arb_string(), resource in arb_string()) {
        for &kind in KINDS {
            if let Ok(p) = Policy::parse(kind, &v) {
                exercise_policy(&p, &keys, &action, &resource);
            }
            // The APIs also take the document as a string.
            let _ = Policy::parse(kind, &Value::String(v.to_string()));
        }
    }

    /// e. Policy-shaped JSON (Version, Statement list of statement-like objects) and mutations
    /// of valid documents of every kind never panic parsing or evaluation.
    #[test]
    fn e_policy_like_documents_never_panic(
        stmts in proptest::collection::vec(proptest::collection::btree_map(arb_key(), arb_json(), 0..6), 0..4),
        seed in any::<Index>(),
        ms in proptest::collection::vec(arb_mutation(), 1..4),
        keys in arb_keys(),
        action in prop_oneof![select(&["s3:GetObject", "s3:PutObject", "s3:ListBucket", "sts:AssumeRole", "iam:CreateUser"][..]).prop_map(String::from), arb_string()],
        resource in prop_oneof![select(&["arn:aws:s3:::b1", "arn:aws:s3:::b1/k1", "arn:aws:s3:::b1/alice/x", "arn:aws:iam::111111111111:role/r"][..]).prop_map(String::from), arb_string()],
    ) {
        let shaped = json!({"Version": "2012-10-17", "Statement": stmts.into_iter().map(|m| Value::Object(m.into_iter().collect())).collect::<Vec<_>>()});
        let seeds = policy_seeds();
        let (_, mut mutated) = seed.get(&seeds).clone();
        for m in &ms {
            mutate(&mut mutated, m);
        }
        prop_assert!(seeds.iter().all(|(k, d)| Policy::parse(*k, d).is_ok()), "a seed policy does not parse");
        for doc in [&shaped, &mutated] {
            for &kind in KINDS {
                if let Ok(p) = Policy::parse(kind, doc) {
                    exercise_policy(&p, &keys, &action, &resource);
                }
            }
        }
    }
}

/// The universe itself: set-up succeeds, every generated principal resolves, the pools parse.
#[test]
fn universe_is_valid() {
    let w = base_world();
    for p in PRINCIPALS {
        assert!(
            xacct_model::principal::Principal::resolve(&w, p).is_ok(),
            "{p}"
        );
    }
    for (kind, doc) in policy_seeds() {
        Policy::parse(kind, &doc).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    }
    let idx: Vec<usize> = (0..N_BUCKET_STATEMENTS).collect();
    let mut w = w;
    for b in BUCKETS {
        let st = Step::from_value(&json!({"as": "A.admin", "op": "create_bucket", "bucket": b, "object_ownership": "ObjectWriter"})).unwrap();
        assert!(apply(&mut w, &st).0.allowed());
        let st = Step::from_value(
            &json!({"as": "A.admin", "op": "delete_public_access_block", "bucket": b}),
        )
        .unwrap();
        assert!(apply(&mut w, &st).0.allowed());
        for i in &idx {
            let st = Step::from_value(&json!({"as": "A.admin", "op": "put_bucket_policy", "bucket": b, "policy": bucket_policy(b, &[*i])})).unwrap();
            let (o, ex) = apply(&mut w, &st);
            assert!(o.allowed(), "bucket statement {i} on {b}: {o}\n{ex}");
        }
    }
}

/// Generator coverage, for tuning (`cargo test --test properties -- --ignored --nocapture`):
/// how often each op is generated and succeeds, how many buckets end BucketOwnerEnforced with
/// objects, fully blocked, with a policy, and how many objects are foreign- or anon-owned.
#[test]
fn generator_coverage() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strat = arb_sequence(30);
    let mut ops: std::collections::BTreeMap<&'static str, (u32, u32)> = Default::default();
    let (mut boe, mut blocked, mut with_policy, mut foreign, mut anon_owned, mut objects) =
        (0, 0, 0, 0, 0, 0);
    let (mut anon_reads, mut flipped) = (0, 0);
    for _ in 0..200 {
        let seq = strat.new_tree(&mut runner).unwrap().current();
        let mut w = base_world();
        for st in parse_steps(&seq) {
            let (o, _) = apply(&mut w, &st);
            let e = ops.entry(st.op.name()).or_default();
            e.0 += 1;
            e.1 += o.allowed() as u32;
        }
        let names: Vec<String> = w.buckets.keys().cloned().collect();
        for name in &names {
            let get = |as_: &str| {
                Step::from_value(
                    &json!({"as": as_, "op": "get_object", "bucket": name, "key": "k1"}),
                )
                .unwrap()
            };
            anon_reads += apply(&mut w.clone(), &get("anon")).0.allowed() as u32;
            let b_admin = get("B.admin");
            let mut denied = w.clone();
            if apply(&mut denied, &b_admin).0.allowed() {
                inject_statement(
                    &mut denied,
                    name,
                    DenyKind::Everything.statement(name, "s3:GetObject"),
                );
                flipped += !apply(&mut denied, &b_admin).0.allowed() as u32;
            }
        }
        for b in w.buckets.values() {
            boe += (b.ownership == Some(ObjectOwnership::BucketOwnerEnforced)
                && !b.objects.is_empty()) as u32;
            blocked += (b.public_access_block == Some(PublicAccessBlock::ALL_ON)) as u32;
            with_policy += b.policy.is_some() as u32;
            for o in b.objects.values() {
                objects += 1;
                foreign += (o.owner != Owner::Account(b.owner.clone())) as u32;
                anon_owned += (o.owner == Owner::Anonymous) as u32;
            }
        }
    }
    for (op, (n, ok)) in &ops {
        println!("{op:34} {n:5} generated {ok:5} succeeded");
    }
    println!("buckets: {boe} BucketOwnerEnforced with objects, {blocked} fully blocked, {with_policy} with a policy");
    println!(
        "objects: {objects}, {foreign} not owned by the bucket owner, {anon_owned} owned by anon"
    );
    println!("anonymous get_object k1 allowed: {anon_reads}; B.admin reads turned into denials by an injected Deny: {flipped}");
    // The properties above are only as good as what the generator reaches: uploads and reads
    // that succeed, foreign-owned objects, enforced buckets holding objects, public reads, and
    // allowed reads that a Deny can turn.
    let (puts, put_ok) = ops.get("put_object").copied().unwrap_or_default();
    assert!(
        puts > 0 && put_ok * 4 >= puts,
        "too few uploads succeed: {put_ok} of {puts}"
    );
    assert!(
        ops.get("get_object").is_some_and(|(_, ok)| *ok > 20),
        "too few reads succeed"
    );
    assert!(
        foreign > 10,
        "too few objects owned by another account than the bucket's: {foreign}"
    );
    assert!(
        boe > 10 && with_policy > 10,
        "too few enforced buckets with objects ({boe}) or policies ({with_policy})"
    );
    assert!(
        anon_reads > 10 && flipped > 50,
        "anonymous reads {anon_reads}, Deny flips {flipped}"
    );
}
