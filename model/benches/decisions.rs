//! Authorization decisions per second on one core (divan).
//!
//! One realistic world, built once through scenario steps (not measured): accounts A, B, C;
//! ten buckets (owners and Object Ownership settings rotating) with a bucket policy each; 100
//! objects, some written cross-account with bucket-owner-full-control; IAM users with identity
//! policies and a role session — 20 policies in all, with StringEquals / StringNotEquals /
//! StringLike / Bool / IpAddress conditions and policy variables.
//!
//! - `authorize_s3_mix`: `authorize::authorize_s3` alone on a rotating mix of precomputed
//!   S3Check requests (principals of every kind; get / put / list / ACL actions; own, foreign
//!   and missing objects). Its items/s is the model's "decisions/s".
//! - `authorize_s3_with_keys`: the same, building each request's condition keys first (as
//!   `step` does), to show what key construction costs.
//! - `step_read_only`: whole `step` calls of read-only operations on a clone of the world
//!   (placeholder resolution, principal resolution, keys, authorization, outcome).
//!
//! Run: `CARGO_TARGET_DIR=~/.cache/xacct-target cargo bench -p xacct-model --bench decisions`

use divan::counter::ItemsCount;
use divan::{black_box, Bencher};
use serde_json::{json, Value};
use std::sync::LazyLock;
use xacct_model::acl::Permission;
use xacct_model::authorize::{authorize_s3, s3_keys, S3Check, Scope};
use xacct_model::policy::Keys;
use xacct_model::principal::Principal;
use xacct_model::{step, Explanation, Step, World};

fn main() {
    let f = &*FIXTURE;
    let allowed = f.checks.iter().filter(|c| decide(&f.world, c)).count();
    eprintln!(
        "world: {} accounts, {} buckets, {} objects, {} policies; {} S3Check requests ({} allowed, {} denied); {} read-only steps",
        f.world.accounts.len(),
        f.world.buckets.len(),
        f.world.buckets.values().map(|b| b.objects.len()).sum::<usize>(),
        f.policies,
        f.checks.len(),
        allowed,
        f.checks.len() - allowed,
        f.steps.len(),
    );
    divan::main();
}

const ACCOUNTS: [&str; 3] = ["A", "B", "C"];
const OWNERSHIPS: [&str; 3] = [
    "ObjectWriter",
    "BucketOwnerPreferred",
    "BucketOwnerEnforced",
];
const N_BUCKETS: usize = 10;
const OWN_OBJECTS: usize = 7;
const FOREIGN_OBJECTS: usize = 3;

fn bucket_name(i: usize) -> String {
    format!("bucket{i}")
}

fn owner_of(i: usize) -> &'static str {
    ACCOUNTS[i % 3]
}

fn others(a: &str) -> Vec<&'static str> {
    ACCOUNTS.iter().copied().filter(|x| *x != a).collect()
}

/// Identity policies: 7 user policies, the role's policy, its trust policy, a session policy.
fn iam_steps() -> Vec<Value> {
    let v = "2012-10-17";
    vec![
        json!({"as": "A.admin", "op": "create_user", "name": "alice", "policy": {"Version": v, "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::*", "arn:aws:s3:::*/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "${A}"}}}]}}),
        json!({"as": "A.admin", "op": "create_user", "name": "bob", "policy": {"Version": v, "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::*/home/${aws:username}/*"},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
             "Condition": {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}}]}}),
        json!({"as": "A.admin", "op": "put_user_policy", "user": "bob", "policy_name": "readers", "policy": {"Version": v, "Statement": [
            {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*",
             "Condition": {"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "10.0.0.0/8"]}}}]}}),
        json!({"as": "B.admin", "op": "create_user", "name": "carol", "policy": {"Version": v, "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}},
            {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
             "Condition": {"StringNotEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]}}),
        json!({"as": "B.admin", "op": "create_user", "name": "dan", "policy": {"Version": v, "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject*", "s3:ListBucket"], "Resource": "*",
             "Condition": {"StringEquals": {"aws:PrincipalType": "User"}}}]}}),
        json!({"as": "C.admin", "op": "create_user", "name": "erin", "policy": {"Version": v, "Statement": [
            {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*",
             "Condition": {"StringLike": {"aws:userid": "AIDA*"}}}]}}),
        json!({"as": "C.admin", "op": "create_user", "name": "frank"}),
        json!({"as": "C.admin", "op": "put_user_policy", "user": "frank", "policy": {"Version": v, "Statement": [
            {"Effect": "Allow", "NotAction": ["s3:Delete*", "s3:Put*"], "Resource": "*"}]}}),
        json!({"as": "A.admin", "op": "create_role", "name": "reader",
               "trust_policy": {"Version": v, "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${B}:root"}, "Action": "sts:AssumeRole"}]},
               "policy": {"Version": v, "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetObjectAcl"],
                   "Resource": ["arn:aws:s3:::*", "arn:aws:s3:::*/*"]}]}}),
        json!({"as": "B.admin", "op": "assume_role", "role_arn": "arn:aws:iam::${A}:role/reader", "session_name": "reader",
               "as_name": "reader-session",
               "session_policy": {"Version": v, "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]}}),
    ]
}

/// A bucket policy: cross-account reads and bucket-owner-full-control writes, a non-public
/// loopback listing for everyone, a Deny of foreign deletes, the reader role, home folders.
fn bucket_policy(b: &str, owner: &str) -> Value {
    let o = others(owner);
    let roots: Vec<String> = o
        .iter()
        .map(|a| format!("arn:aws:iam::${{{a}}}:root"))
        .collect();
    let ids: Vec<String> = o.iter().map(|a| format!("${{{a}}}")).collect();
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "ForeignReads", "Effect": "Allow", "Principal": {"AWS": ids}, "Action": ["s3:GetObject", "s3:GetObjectAcl"],
         "Resource": format!("arn:aws:s3:::{b}/*")},
        {"Sid": "ForeignWritesBofc", "Effect": "Allow", "Principal": {"AWS": roots}, "Action": "s3:PutObject",
         "Resource": format!("arn:aws:s3:::{b}/*"),
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
        {"Sid": "LoopbackList", "Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": format!("arn:aws:s3:::{b}"),
         "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}, "StringEquals": {"aws:SecureTransport": "false"}}},
        {"Sid": "NoForeignDeletes", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": format!("arn:aws:s3:::{b}/*"),
         "Condition": {"StringNotEquals": {"aws:PrincipalAccount": format!("${{{owner}}}")}}},
        {"Sid": "Reader", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${A}:role/reader"}, "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": [format!("arn:aws:s3:::{b}"), format!("arn:aws:s3:::{b}/*")]},
        {"Sid": "HomeFolders", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${A}:user/bob"}, "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": format!("arn:aws:s3:::{b}/home/${{aws:username}}/*")}
    ]})
}

fn setup_steps() -> Vec<Value> {
    let mut steps = iam_steps();
    for i in 0..N_BUCKETS {
        let (b, owner) = (bucket_name(i), owner_of(i));
        let admin = format!("{owner}.admin");
        steps.push(json!({"as": admin, "op": "create_bucket", "bucket": b, "object_ownership": OWNERSHIPS[(i / 3) % 3]}));
        steps.push(json!({"as": admin, "op": "put_bucket_policy", "bucket": b, "policy": bucket_policy(&b, owner)}));
        for j in 0..OWN_OBJECTS {
            let key = if j == 0 {
                "home/bob/notes.txt".to_string()
            } else {
                format!("obj{j}")
            };
            steps.push(json!({"as": admin, "op": "put_object", "bucket": b, "key": key}));
        }
        for j in 0..FOREIGN_OBJECTS {
            let writer = others(owner)[j % 2];
            steps.push(json!({"as": format!("{writer}.admin"), "op": "put_object", "bucket": b, "key": format!("from-{writer}-{j}"),
                              "acl": "bucket-owner-full-control"}));
        }
    }
    steps
}

/// The kind of S3 scope a prepared request is authorized against.
#[derive(Clone, Copy)]
enum ScopeKind {
    Bucket(Permission),
    Object(Permission),
    Missing,
}

/// A precomputed S3Check: everything `authorize_s3` reads, owned.
struct Prepared {
    principal: Principal,
    keys: Keys,
    action: &'static str,
    bucket: String,
    key: Option<String>,
    scope: ScopeKind,
}

impl Prepared {
    fn check(&self) -> S3Check<'_> {
        let scope = match self.scope {
            ScopeKind::Bucket(p) => Scope::Bucket(p),
            ScopeKind::Object(p) => Scope::Object(self.key.as_deref().unwrap_or(""), p),
            ScopeKind::Missing => Scope::MissingObject,
        };
        S3Check {
            action: self.action,
            bucket: &self.bucket,
            key: self.key.as_deref(),
            scope,
            keys: &self.keys,
        }
    }
}

struct Fixture {
    world: World,
    policies: usize,
    checks: Vec<Prepared>,
    steps: Vec<Step>,
}

const PRINCIPALS: &[&str] = &[
    "A.admin",
    "A.root",
    "A.alice",
    "A.bob",
    "B.admin",
    "B.root",
    "B.carol",
    "B.dan",
    "C.admin",
    "C.erin",
    "C.frank",
    "reader-session",
    "anon",
];

/// A small deterministic generator (xorshift), so the mix is the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn build() -> Fixture {
    let scenario = xacct_model::Scenario::from_value(
        &json!({"name": "bench", "steps": setup_steps()}),
        "decisions.rs",
    )
    .expect("bench set-up parses");
    let mut world = World::with_accounts(ACCOUNTS);
    for st in &scenario.steps {
        let (o, ex) = step(&mut world, st).expect("bench set-up step applies");
        assert!(
            o.allowed(),
            "bench set-up step {} as {} failed: {o}\n{ex}",
            st.op.name(),
            st.as_
        );
    }
    let policies = world
        .buckets
        .values()
        .filter(|b| b.policy.is_some())
        .count()
        + world
            .accounts
            .values()
            .flat_map(|a| {
                a.users
                    .values()
                    .filter(|u| u.name != "admin")
                    .map(|u| u.policies.len())
            })
            .sum::<usize>()
        + world
            .accounts
            .values()
            .flat_map(|a| a.roles.values().map(|r| r.policies.len() + 1))
            .sum::<usize>()
        + world
            .sessions
            .values()
            .filter(|s| s.session_policy.is_some())
            .count();

    let principals: Vec<Principal> = PRINCIPALS
        .iter()
        .map(|n| Principal::resolve(&world, n).expect("principal"))
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut checks = Vec::new();
    for n in 0..1024 {
        let p = principals[n % principals.len()].clone();
        let bi = rng.below(N_BUCKETS);
        let bucket = bucket_name(bi);
        let objects: Vec<String> = world.buckets[&bucket].objects.keys().cloned().collect();
        let object = objects[rng.below(objects.len())].clone();
        let (action, key, scope, extra): (
            &'static str,
            Option<String>,
            ScopeKind,
            Vec<(&str, &str)>,
        ) = match rng.below(10) {
            0..=2 => (
                "s3:GetObject",
                Some(object),
                ScopeKind::Object(Permission::Read),
                vec![],
            ),
            3 => (
                "s3:GetObject",
                Some("missing".into()),
                ScopeKind::Missing,
                vec![],
            ),
            4 => (
                "s3:PutObject",
                Some(format!("new{n}")),
                ScopeKind::Bucket(Permission::Write),
                vec![],
            ),
            5 => (
                "s3:PutObject",
                Some("home/bob/new".into()),
                ScopeKind::Bucket(Permission::Write),
                vec![("s3:x-amz-acl", "bucket-owner-full-control")],
            ),
            6 => (
                "s3:ListBucket",
                None,
                ScopeKind::Bucket(Permission::Read),
                if n % 2 == 0 {
                    vec![("s3:prefix", "home/bob/")]
                } else {
                    vec![]
                },
            ),
            7 => (
                "s3:GetObjectAcl",
                Some(object),
                ScopeKind::Object(Permission::ReadAcp),
                vec![],
            ),
            8 => (
                "s3:PutObjectAcl",
                Some(object),
                ScopeKind::Object(Permission::WriteAcp),
                vec![("s3:x-amz-acl", "private")],
            ),
            _ => (
                "s3:GetBucketAcl",
                None,
                ScopeKind::Bucket(Permission::ReadAcp),
                vec![],
            ),
        };
        let extra: Vec<(&str, String)> = extra.iter().map(|(k, v)| (*k, v.to_string())).collect();
        let keys = s3_keys(&world, &p, world.buckets.get(&bucket), &extra);
        checks.push(Prepared {
            principal: p,
            keys,
            action,
            bucket,
            key,
            scope,
        });
    }

    // Read-only steps, by every principal kind, on own and foreign objects.
    let mut steps = Vec::new();
    for n in 0..256 {
        let who = PRINCIPALS[n % PRINCIPALS.len()];
        let bucket = bucket_name(rng.below(N_BUCKETS));
        let objects: Vec<String> = world.buckets[&bucket].objects.keys().cloned().collect();
        let key = objects[rng.below(objects.len())].clone();
        let v = match rng.below(6) {
            0 | 1 => json!({"as": who, "op": "get_object", "bucket": bucket, "key": key}),
            2 => json!({"as": who, "op": "head_object", "bucket": bucket, "key": key}),
            3 => json!({"as": who, "op": "get_object_acl", "bucket": bucket, "key": key}),
            4 => json!({"as": who, "op": "list_objects", "bucket": bucket}),
            _ => json!({"as": who, "op": "get_bucket_acl", "bucket": bucket}),
        };
        steps.push(Step::from_value(&v).expect("bench step parses"));
    }
    Fixture {
        world,
        policies,
        checks,
        steps,
    }
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(build);

fn decide(w: &World, c: &Prepared) -> bool {
    let mut ex = Explanation::default();
    authorize_s3(w, &c.principal, &c.check(), &mut ex).is_ok()
}

/// `authorize_s3` alone: decisions per second.
#[divan::bench]
fn authorize_s3_mix(bencher: Bencher<'_, '_>) {
    let f = &*FIXTURE;
    bencher.counter(ItemsCount::new(f.checks.len())).bench(|| {
        for c in &f.checks {
            let mut ex = Explanation::default();
            let r = authorize_s3(
                black_box(&f.world),
                black_box(&c.principal),
                &black_box(c).check(),
                &mut ex,
            );
            let _ = black_box((r, ex));
        }
    });
}

/// `authorize_s3` with the request's condition keys built first, as `step` does.
#[divan::bench]
fn authorize_s3_with_keys(bencher: Bencher<'_, '_>) {
    let f = &*FIXTURE;
    bencher.counter(ItemsCount::new(f.checks.len())).bench(|| {
        for c in &f.checks {
            let bucket = f.world.buckets.get(&c.bucket);
            let keys = s3_keys(&f.world, black_box(&c.principal), bucket, &[]);
            let check = S3Check {
                keys: &keys,
                ..c.check()
            };
            let mut ex = Explanation::default();
            let r = authorize_s3(black_box(&f.world), &c.principal, &check, &mut ex);
            let _ = black_box((r, ex));
        }
    });
}

/// Whole `step` calls of read-only operations on a clone of the world.
#[divan::bench]
fn step_read_only(bencher: Bencher<'_, '_>) {
    let f = &*FIXTURE;
    let mut world = f.world.clone();
    bencher
        .counter(ItemsCount::new(f.steps.len()))
        .bench_local(|| {
            for st in &f.steps {
                black_box(step(&mut world, black_box(st)).ok());
            }
        });
    // Read-only steps leave the world as it was.
    assert!(world == f.world);
}
