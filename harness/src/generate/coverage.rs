//! The generator's coverage: over 300 seeded cases, every operation of the scenario format,
//! every principal form of bucket and trust policies, every negated element, every grantee kind
//! with every permission on buckets and objects, every condition family the model supports,
//! each kind of expected-owner header, and requests by every kind of principal toward another
//! account's bucket appear at least once. A strategy that stops drawing one fails this test.

use super::acls::grantee_kind;
use super::conditions::families;
use super::expected_owner::MALFORMED;
use super::principals::form;
use super::tests::sample;
use super::{owner_of, ACCOUNTS};
use serde_json::Value;
use std::collections::BTreeSet;
use xacct_model::principal::Principal;
use xacct_model::scenario::{Op, Step};
use xacct_model::World;

const OPS: &[&str] = &[
    "create_bucket",
    "delete_bucket",
    "put_bucket_ownership_controls",
    "get_bucket_ownership_controls",
    "delete_bucket_ownership_controls",
    "put_public_access_block",
    "get_public_access_block",
    "delete_public_access_block",
    "put_bucket_policy",
    "get_bucket_policy",
    "delete_bucket_policy",
    "put_bucket_acl",
    "get_bucket_acl",
    "put_object",
    "get_object",
    "head_object",
    "delete_object",
    "get_object_acl",
    "put_object_acl",
    "copy_object",
    "list_objects",
    "list_buckets",
    "head_bucket",
    "create_multipart_upload",
    "create_user",
    "put_user_policy",
    "create_role",
    "put_role_policy",
    "assume_role",
];
const FORMS: &[&str] = &["id", "root", "user", "role", "session", "canonical", "*"];
const FAMILIES: &[&str] = &[
    "String",
    "Arn",
    "Numeric",
    "Bool",
    "IpAddress",
    "Null",
    "IfExists",
    "ForAnyValue",
    "ForAllValues",
];
const GRANTEES: &[&str] = &["id", "email", "AllUsers", "AuthenticatedUsers"];
const PERMISSIONS: &[&str] = &["read", "write", "read_acp", "write_acp", "full_control"];
const CALLERS: &[&str] = &["root", "admin", "user", "session", "anon"];

/// What the generated steps showed, as `kind:value` strings.
#[derive(Default)]
struct Seen(BTreeSet<String>);

impl Seen {
    fn note(&mut self, kind: &str, value: impl std::fmt::Display) {
        self.0.insert(format!("{kind}:{value}"));
    }

    /// Every statement of a policy document: its effect, principal forms, negated elements
    /// and condition families, under `kind` (`bucket`, `trust`, `identity`).
    fn policy(&mut self, kind: &str, doc: &Value) {
        let sts = doc["Statement"].as_array().cloned().unwrap_or_default();
        for st in &sts {
            self.note(
                &format!("{kind}-effect"),
                st["Effect"].as_str().unwrap_or("?"),
            );
            for field in ["Principal", "NotPrincipal"] {
                if let Some(p) = st.get(field) {
                    self.note(&format!("{kind}-principal"), form(p));
                }
            }
            for field in ["NotPrincipal", "NotAction", "NotResource"] {
                if st.get(field).is_some() {
                    self.note(&format!("{kind}-element"), field);
                }
            }
            if let Some(c) = st.get("Condition") {
                for f in families(c) {
                    self.note(&format!("{kind}-condition"), f);
                }
            }
        }
    }

    /// The grants a request's ACL headers carry, on `target` (`bucket` or `object`).
    fn grants(&mut self, target: &str, op: &Op) {
        let req = op.acl_request();
        if let Some(c) = req.canned {
            self.note(&format!("{target}-canned"), c);
        }
        let Some(h) = req.grants else { return };
        let headers = serde_json::to_value(h).unwrap();
        for (perm, v) in headers.as_object().unwrap() {
            for g in v.as_str().unwrap().split(',') {
                self.note(
                    &format!("{target}-grant"),
                    format!("{}/{perm}", grantee_kind(g)),
                );
            }
        }
    }

    /// The expected-owner header of a step, classified against the world before it.
    fn expected_owner(&mut self, w: &World, st: &Step) {
        let Some(e) = &st.expected_bucket_owner else {
            return self.note("expected-owner", "absent");
        };
        let owner = owner_of(w, st.op.bucket().unwrap_or_default());
        let kind = if e == MALFORMED {
            "malformed"
        } else if owner.is_empty() {
            "no-bucket"
        } else if *e == format!("${{{owner}}}") {
            "owner"
        } else {
            "other"
        };
        self.note("expected-owner", kind);
    }

    /// Who makes a request toward another account's bucket, by principal kind; reads of
    /// configuration by the owner's account and others; DeleteBucket of empty and non-empty
    /// buckets, CreateBucket of a bucket deleted earlier; copies within a bucket, across
    /// buckets and across accounts.
    fn request(&mut self, w: &World, st: &Step, deleted: &BTreeSet<String>) {
        let Some(bucket) = st.op.bucket().and_then(|b| w.buckets.get(b)) else {
            if let Op::CreateBucket { bucket, .. } = &st.op {
                if deleted.contains(bucket) {
                    self.note("bucket", "re-created");
                }
            }
            return;
        };
        match &st.op {
            Op::DeleteBucket { .. } => {
                let empty = if bucket.objects.is_empty() {
                    "empty"
                } else {
                    "non-empty"
                };
                self.note("delete-bucket", empty);
            }
            Op::CopyObject {
                bucket: to,
                source_bucket: from,
                ..
            } => {
                let kind = if to == from {
                    "same-bucket"
                } else if owner_of(w, to) == owner_of(w, from) {
                    "same-account"
                } else {
                    "cross-account"
                };
                self.note("copy", kind);
            }
            _ => {}
        }
        let p = Principal::resolve(w, &st.as_).unwrap();
        let config_read = matches!(
            st.op,
            Op::GetBucketPolicy { .. }
                | Op::GetBucketAcl { .. }
                | Op::GetPublicAccessBlock { .. }
                | Op::GetBucketOwnershipControls { .. }
                | Op::HeadBucket { .. }
        );
        if config_read {
            let own = p.account() == Some(&bucket.owner);
            self.note("config-read", if own { "owner" } else { "other" });
        }
        if p.account() != Some(&bucket.owner) {
            let kind = match &p {
                Principal::Root { .. } => "root",
                Principal::User { name, .. } if name == "admin" => "admin",
                Principal::User { .. } => "user",
                Principal::Session { .. } => "session",
                Principal::Anonymous => "anon",
            };
            self.note("foreign-caller", kind);
        }
    }
}

/// Everything the coverage test expects to see.
fn wanted() -> BTreeSet<String> {
    let mut w = BTreeSet::new();
    let mut add = |k: &str, v: &str| w.insert(format!("{k}:{v}"));
    OPS.iter().for_each(|o| {
        add("op", o);
    });
    for kind in ["bucket", "trust"] {
        FORMS.iter().for_each(|f| {
            add(&format!("{kind}-principal"), f);
        });
    }
    for kind in ["bucket", "trust", "identity"] {
        add(&format!("{kind}-effect"), "Allow");
        add(&format!("{kind}-effect"), "Deny");
    }
    for e in ["NotPrincipal", "NotAction", "NotResource"] {
        add("bucket-element", e);
    }
    for e in ["NotAction", "NotResource"] {
        add("identity-element", e);
    }
    FAMILIES.iter().for_each(|f| {
        add("bucket-condition", f);
    });
    add("identity-condition", "String");
    add("trust-condition", "String");
    for target in ["bucket", "object"] {
        for g in GRANTEES {
            for p in PERMISSIONS {
                add(&format!("{target}-grant"), &format!("{g}/{p}"));
            }
        }
    }
    for c in [
        "private",
        "public-read",
        "public-read-write",
        "authenticated-read",
    ] {
        add("bucket-canned", c);
        add("object-canned", c);
    }
    add("bucket-canned", "log-delivery-write");
    add("object-canned", "bucket-owner-read");
    add("object-canned", "bucket-owner-full-control");
    for k in ["absent", "owner", "other", "malformed"] {
        add("expected-owner", k);
    }
    add("delete-bucket", "empty");
    add("delete-bucket", "non-empty");
    add("bucket", "re-created");
    for k in ["same-bucket", "same-account", "cross-account"] {
        add("copy", k);
    }
    add("config-read", "owner");
    add("config-read", "other");
    CALLERS.iter().for_each(|c| {
        add("foreign-caller", c);
    });
    w
}

/// The policy documents and ACLs of a step.
fn note_step(seen: &mut Seen, st: &Step) {
    seen.note("op", st.op.name());
    match &st.op {
        Op::PutBucketPolicy { policy, .. } => seen.policy("bucket", policy),
        Op::CreateRole {
            trust_policy,
            policy,
            ..
        } => {
            seen.policy("trust", trust_policy);
            policy.iter().for_each(|p| seen.policy("identity", p));
        }
        Op::CreateUser { policy, .. } => policy.iter().for_each(|p| seen.policy("identity", p)),
        Op::PutUserPolicy { policy, .. } | Op::PutRolePolicy { policy, .. } => {
            seen.policy("identity", policy)
        }
        Op::AssumeRole { session_policy, .. } => session_policy
            .iter()
            .for_each(|p| seen.policy("identity", p)),
        Op::CreateBucket { .. } | Op::PutBucketAcl { .. } => seen.grants("bucket", &st.op),
        Op::PutObject { grants, .. }
        | Op::CopyObject { grants, .. }
        | Op::CreateMultipartUpload { grants, .. } => {
            // Uploads have no x-amz-grant-write.
            assert!(grants.as_ref().is_none_or(|g| g.write.is_none()), "{st:?}");
            seen.grants("object", &st.op)
        }
        op => seen.grants("object", op),
    }
}

#[test]
fn the_generator_draws_every_construct() {
    let mut seen = Seen::default();
    for seed in 0..300 {
        let mut w = World::with_accounts(ACCOUNTS.iter().copied());
        let mut deleted = BTreeSet::new();
        for st in sample(seed, 30) {
            note_step(&mut seen, &st);
            seen.request(&w, &st, &deleted);
            if st.op.takes_expected_bucket_owner() {
                seen.expected_owner(&w, &st);
            }
            let (o, _) = xacct_model::step(&mut w, &st).expect("generated steps resolve");
            if let (Op::DeleteBucket { bucket }, true) = (&st.op, o.allowed()) {
                deleted.insert(bucket.clone());
            }
        }
    }
    let wanted = wanted();
    let missing: Vec<&String> = wanted.difference(&seen.0).collect();
    assert!(missing.is_empty(), "never generated: {missing:#?}");
}
