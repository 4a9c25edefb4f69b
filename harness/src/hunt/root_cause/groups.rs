//! New findings, grouped by what differs: the class, the deciding rule, the element of the
//! policy or ACL that decided (a Deny, a NotPrincipal, a condition, a grant, Block Public
//! Access, Object Ownership, ...), the kind of caller and whether it is of the bucket owner's
//! account. Each group is described in one line of words, with its shortest reproduction and
//! the catalogue entries nearest to it: those that give the target's answer at the diverging
//! step, though not at every step or not without contradicting the run.

use super::replay::Replayer;
use super::row;
use crate::compare::Class;
use crate::hunt::case::fresh_world;
use crate::hunt::findings::{Confidence, Divergence, RootCause};
use std::collections::BTreeMap;
use xacct_model::deviation::{step_with, Deviation};
use xacct_model::principal::Principal;
use xacct_model::rules;
use xacct_model::World;

/// What the findings of a group share.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct GroupKey {
    confidence: Confidence,
    class: Class,
    rule: String,
    element: &'static str,
    caller: &'static str,
    relation: &'static str,
}

/// The rows of the findings nothing explains (`attribution` is `None`), a row per group
/// (certain groups first, then by class), each with the indexes of its findings.
pub(super) fn new_findings(
    replayer: &Replayer<'_>,
    divergences: &[Divergence],
    attribution: &[Option<Vec<Deviation>>],
) -> Vec<(Vec<usize>, RootCause)> {
    let mut groups: BTreeMap<GroupKey, Vec<usize>> = BTreeMap::new();
    for (i, (d, part)) in divergences.iter().zip(attribution).enumerate() {
        if part.is_none() {
            groups.entry(key_of(replayer, d)).or_default().push(i);
        }
    }
    groups
        .into_iter()
        .map(|(key, idx)| {
            let found: Vec<&Divergence> = idx.iter().map(|i| &divergences[*i]).collect();
            let description = describe(replayer, &key, &found);
            (idx, row(None, &found, Some(description)))
        })
        .collect()
}

/// The world just before the finding's last step, as the model (with the run's assumed
/// deviations) left it.
fn world_before_last(replayer: &Replayer<'_>, d: &Divergence) -> World {
    let mut world = fresh_world(replayer.region.clone());
    let devs = replayer.with(&[]);
    let steps = &d.scenario.steps;
    for st in &steps[..steps.len().saturating_sub(1)] {
        let _ = step_with(&devs, &mut world, st);
    }
    world
}

fn key_of(replayer: &Replayer<'_>, d: &Divergence) -> GroupKey {
    let world = world_before_last(replayer, d);
    let last = d.scenario.steps.last();
    let caller = last.and_then(|s| Principal::resolve(&world, &s.as_).ok());
    let owner = last
        .and_then(|s| s.op.bucket())
        .and_then(|b| world.buckets.get(b))
        .map(|b| b.owner.clone());
    let relation = match (caller.as_ref().and_then(|p| p.account()), owner) {
        (Some(a), Some(o)) if *a == o => "of the bucket owner's account",
        (Some(_), Some(_)) => "of another account",
        _ => "",
    };
    GroupKey {
        confidence: d.confidence,
        class: d.signature.class,
        rule: d.signature.rule.clone(),
        element: element_of(d),
        caller: caller.as_ref().map_or("a caller", caller_kind),
        relation,
    }
}

fn caller_kind(p: &Principal) -> &'static str {
    match p {
        Principal::Root { .. } => "an account's root user",
        Principal::User { .. } => "an IAM user",
        Principal::Session { .. } => "a role session",
        Principal::Anonymous => "an anonymous caller",
    }
}

/// The element that decided, read from the model's deciding line.
fn element_of(d: &Divergence) -> &'static str {
    let line = deciding_line(d).to_ascii_lowercase();
    let kinds: [(&str, &'static str); 12] = [
        ("notprincipal", "a NotPrincipal"),
        ("notaction", "a NotAction"),
        ("notresource", "a NotResource"),
        ("condition", "a policy condition"),
        ("explicit deny", "an explicit Deny"),
        ("trust", "a role's trust policy"),
        ("session policy", "a session policy"),
        ("block public access", "Block Public Access"),
        ("public", "Block Public Access"),
        ("ownership", "Object Ownership"),
        ("grant", "an ACL grant"),
        ("acl", "an ACL"),
    ];
    kinds
        .iter()
        .find(|(k, _)| line.contains(k))
        .map_or("the request itself", |(_, e)| e)
}

/// The line of the model's explanation that names the deciding rule (the last one naming it).
fn deciding_line(d: &Divergence) -> &str {
    let tag = format!("[{}]", d.signature.rule);
    d.explanation
        .iter()
        .rev()
        .find(|l| l.starts_with(&tag))
        .map_or("", |l| l.as_str())
}

/// One line of words: what the target did, to whom, and what the model decided by.
fn describe(replayer: &Replayer<'_>, key: &GroupKey, found: &[&Divergence]) -> String {
    let mut ops: Vec<&str> = found.iter().map(|d| d.signature.op.as_str()).collect();
    ops.sort();
    ops.dedup();
    let title = rules::by_id(&key.rule).map_or("", |r| r.title);
    let what = match key.class {
        Class::OverPermissive => "lets through what AWS refuses",
        Class::OverRestrictive => "refuses what AWS allows",
        Class::WrongError => "refuses with another answer than AWS",
        _ => "shows another result than AWS",
    };
    let first = found[0];
    let who = if key.relation.is_empty() {
        key.caller.to_string()
    } else {
        format!("{} {}", key.caller, key.relation)
    };
    let mut s = format!(
        "{}: the target {what} for {who}; AWS decides by [{}] {title}, on {} (AWS: {}; the target: {})",
        ops.join(", "),
        key.rule,
        key.element,
        first.signature.model,
        first.signature.target,
    );
    let near = nearest(replayer, found);
    if !near.is_empty() {
        s.push_str(&format!(
            "; nearest catalogue entries (each gives the last answer, but not every answer, or is refuted): {}",
            near.join(", ")
        ));
    }
    s
}

/// The deviations under which the model gives the target's answer at the diverging step of
/// every finding of the group (they fail elsewhere, or they would explain the group).
fn nearest(replayer: &Replayer<'_>, found: &[&Divergence]) -> Vec<String> {
    Deviation::all()
        .iter()
        .filter(|d| !replayer.assumed.contains(d))
        .filter(|d| found.iter().all(|f| last_answer_given(replayer, **d, f)))
        .take(3)
        .map(|d| d.name().to_string())
        .collect()
}

fn last_answer_given(replayer: &Replayer<'_>, d: Deviation, f: &Divergence) -> bool {
    let devs = replayer.with(&[d]);
    let outcomes = replayer.outcomes(&devs, &f.scenario.steps);
    match (outcomes.last(), f.answers.last()) {
        (Some(Some(m)), Some(o)) => replayer.agrees(m, o),
        _ => false,
    }
}
