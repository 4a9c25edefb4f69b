//! Decision tables for review: for one small fixed world, what the model decides for every
//! principal kind × operation × ownership setting × object owner, and which rule decided.
//! `xacct decisions` prints them; `snapshots/` keeps them under review.

use crate::outcome::Outcome;
use crate::scenario::{Scenario, Step};
use crate::world::World;
use serde::Serialize;
use serde_json::json;

/// The principal kinds of the table, with the scenario name each stands for.
pub const PRINCIPALS: &[(&str, &str)] = &[
    ("owner admin", "A.admin"),
    ("owner root", "A.root"),
    ("same-account user with policy", "A.alice"),
    ("same-account user without policy", "A.bob"),
    ("other-account admin", "B.admin"),
    ("other-account user with policy", "B.carol"),
    ("other-account user without policy", "B.dan"),
    ("role session (A's role, assumed from B)", "reader-session"),
    ("anonymous", "anon"),
];

/// The operations of the table, as scenario step fragments on bucket `b1` / key `obj`.
pub fn operations() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "GetObject",
            json!({"op": "get_object", "bucket": "b1", "key": "obj"}),
        ),
        (
            "PutObject",
            json!({"op": "put_object", "bucket": "b1", "key": "obj"}),
        ),
        (
            "PutObject+bofc",
            json!({"op": "put_object", "bucket": "b1", "key": "obj", "acl": "bucket-owner-full-control"}),
        ),
        (
            "PutObject+public-read",
            json!({"op": "put_object", "bucket": "b1", "key": "obj", "acl": "public-read"}),
        ),
        (
            "GetObjectAcl",
            json!({"op": "get_object_acl", "bucket": "b1", "key": "obj"}),
        ),
        (
            "PutObjectAcl",
            json!({"op": "put_object_acl", "bucket": "b1", "key": "obj", "acl": "private"}),
        ),
        ("ListObjects", json!({"op": "list_objects", "bucket": "b1"})),
        (
            "DeleteObject",
            json!({"op": "delete_object", "bucket": "b1", "key": "obj"}),
        ),
        (
            "PutBucketPolicy",
            json!({"op": "put_bucket_policy", "bucket": "b1", "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${A}:root"}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b1"}]}}),
        ),
    ]
}

pub const OWNERSHIPS: &[&str] = &[
    "BucketOwnerEnforced",
    "BucketOwnerPreferred",
    "ObjectWriter",
];

/// Object written by the bucket owner's admin (`A`) or by the other account's admin (`B`),
/// while the bucket was ObjectWriter; the ownership setting under test is applied after.
pub const OBJECT_WRITERS: &[&str] = &["A", "B"];

/// The fixed world's set-up: A owns `b1`; its bucket policy grants account B object reads,
/// writes and listing; alice (A) and carol (B) hold s3:* identity policies, bob and dan none;
/// A's role `reader` (s3:GetObject, s3:ListBucket on b1) trusts account B, and B.admin assumes
/// it as `reader-session`.
pub fn setup_steps(ownership: &str, writer: &str) -> Vec<serde_json::Value> {
    let s3_all = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
    vec![
        json!({"as": "A.admin", "op": "create_bucket", "bucket": "b1", "object_ownership": "ObjectWriter"}),
        json!({"as": "A.admin", "op": "put_bucket_policy", "bucket": "b1", "policy": {"Version": "2012-10-17", "Statement": [
            {"Sid": "CrossAccountObjects", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${B}:root"},
             "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b1/*"},
            {"Sid": "CrossAccountList", "Effect": "Allow", "Principal": {"AWS": "${B}"},
             "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b1"}]}}),
        json!({"as": "A.admin", "op": "create_user", "name": "alice", "policy": s3_all}),
        json!({"as": "A.admin", "op": "create_user", "name": "bob"}),
        json!({"as": "B.admin", "op": "create_user", "name": "carol", "policy": s3_all}),
        json!({"as": "B.admin", "op": "create_user", "name": "dan"}),
        json!({"as": "A.admin", "op": "create_role", "name": "reader",
               "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${B}:root"}, "Action": "sts:AssumeRole"}]},
               "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::b1", "arn:aws:s3:::b1/*"]}]}}),
        json!({"as": "B.admin", "op": "assume_role", "role_arn": "arn:aws:iam::${A}:role/reader", "session_name": "reader", "as_name": "reader-session"}),
        json!({"as": format!("{writer}.admin"), "op": "put_object", "bucket": "b1", "key": "obj"}),
        json!({"as": "A.admin", "op": "put_bucket_ownership_controls", "bucket": "b1", "object_ownership": ownership}),
    ]
}

/// One cell of a decision table.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub ownership: &'static str,
    pub object_writer: &'static str,
    pub principal: &'static str,
    pub operation: &'static str,
    pub outcome: Outcome,
    /// The deciding rule.
    pub rule: String,
    /// The whole explanation, ids redacted to placeholders.
    pub explanation: Vec<String>,
}

impl Cell {
    /// `200`, `403 AccessDenied R20`: status, code and deciding rule.
    pub fn short(&self) -> String {
        match &self.outcome.code {
            Some(c) => format!("{} {} {}", self.outcome.status, c, self.rule),
            None => format!("{} {}", self.outcome.status, self.rule),
        }
    }
}

fn scenario(steps: Vec<serde_json::Value>) -> Scenario {
    // The set-up is fixed, valid data; a failure here is a bug in this module.
    Scenario::from_value(
        &json!({"name": "decision-table", "steps": steps}),
        "tables.rs",
    )
    .expect("decision-table set-up is a valid scenario")
}

/// The set-up world for one ownership setting and object writer.
pub fn setup_world(ownership: &str, writer: &str) -> World {
    let s = scenario(setup_steps(ownership, writer));
    let mut w = s.world();
    for st in &s.steps {
        let (o, ex) = crate::ops::step(&mut w, st).expect("set-up step applies");
        assert!(
            o.allowed(),
            "set-up step {} failed: {o}\n{ex}",
            st.op.name()
        );
    }
    w
}

/// Every cell: ownership × object writer × principal × operation, each on a fresh copy of the
/// set-up world.
pub fn decision_table() -> Vec<Cell> {
    let ops = operations();
    let mut cells = Vec::new();
    for &ownership in OWNERSHIPS {
        for &writer in OBJECT_WRITERS {
            let base = setup_world(ownership, writer);
            for &(label, name) in PRINCIPALS {
                for (op_label, frag) in &ops {
                    let mut v = frag.clone();
                    v["as"] = json!(name);
                    let st = Step::from_value(&v).expect("table operation is a valid step");
                    let mut w = base.clone();
                    let (outcome, ex) = crate::ops::step(&mut w, &st).expect("table step applies");
                    cells.push(Cell {
                        ownership,
                        object_writer: writer,
                        principal: label,
                        operation: op_label,
                        outcome,
                        rule: ex.deciding_rule().unwrap_or("").to_string(),
                        explanation: ex
                            .lines
                            .iter()
                            .map(|l| w.redact(&format!("[{}] {}", l.rule, l.detail)))
                            .collect(),
                    });
                }
            }
        }
    }
    cells
}

/// The tables as Markdown: one table per ownership setting and object writer.
pub fn render_markdown(cells: &[Cell]) -> String {
    let ops: Vec<&str> = operations().iter().map(|(l, _)| *l).collect();
    let mut out = String::new();
    for &ownership in OWNERSHIPS {
        for &writer in OBJECT_WRITERS {
            out.push_str(&format!(
                "\n### {ownership}, object written by {writer}\n\n| principal | {} |\n|---|{}\n",
                ops.join(" | "),
                "---|".repeat(ops.len())
            ));
            for &(label, _) in PRINCIPALS {
                let row: Vec<String> = ops
                    .iter()
                    .map(|op| {
                        cells
                            .iter()
                            .find(|c| {
                                c.ownership == ownership
                                    && c.object_writer == writer
                                    && c.principal == label
                                    && c.operation == *op
                            })
                            .map(Cell::short)
                            .unwrap_or_default()
                    })
                    .collect();
                out.push_str(&format!("| {label} | {} |\n", row.join(" | ")));
            }
        }
    }
    out
}
