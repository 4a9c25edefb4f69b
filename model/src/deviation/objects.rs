//! Deviations in object access and cross-account checks ([R16], [R18]–[R20], [R26]): which
//! side of a cross-account request is checked, the bucket owner's reach over objects others
//! own, and what a missing key answers.

use super::grants::{allow_account, Granted};
use super::views::{caller, note};
use super::{Deviation, Inner, StepResult};
use crate::acl::{Grant, Grantee, Permission};
use crate::outcome::Outcome;
use crate::ownership::effective_owner;
use crate::policy::Policy;
use crate::principal::Principal;
use crate::scenario::{Op, Step};
use crate::world::{AccountName, Object, Owner, World};

/// owner-reads-foreign: the bucket owner can read (GET/HEAD) objects another account owns
/// without any grant ([R16] is the rule broken).
pub(super) fn owner_reads_foreign(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    let (outcome, ex) = inner(world, step)?;
    let (Op::GetObject { bucket, key } | Op::HeadObject { bucket, key }) = &step.op else {
        return Ok((outcome, ex));
    };
    if outcome.status != 403 {
        return Ok((outcome, ex));
    }
    let Some(p) = caller(world, step) else {
        return Ok((outcome, ex));
    };
    let mut view = world.clone();
    let Some(b) = view.buckets.get_mut(bucket) else {
        return Ok((outcome, ex));
    };
    if p.account() != Some(&b.owner) {
        return Ok((outcome, ex));
    }
    let owner = Owner::Account(b.owner.clone());
    match b.objects.get_mut(key) {
        Some(o) if o.owner != owner => o.owner = owner,
        _ => return Ok((outcome, ex)),
    }
    // A read changes nothing: the view is dropped.
    inner(&mut view, step)
}

/// The name of the identity policy the deviations add for one request.
const ADDED_POLICY: &str = "xacct-deviation";

fn allow_all(action: &str) -> Option<Policy> {
    Policy::parse_identity(&serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]
    }))
    .ok()
}

/// Runs `step` with an extra identity policy allowing `action` for the caller (and without a
/// session policy limiting it), then takes both changes back.
pub(super) fn with_identity_allow(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
    p: &Principal,
    action: &str,
) -> StepResult {
    let Some(policy) = allow_all(action) else {
        return inner(world, step);
    };
    let mut saved_session_policy = None;
    match p {
        Principal::User { account, name } => {
            if let Some(u) = world
                .accounts
                .get_mut(account)
                .and_then(|a| a.users.get_mut(name))
            {
                u.policies.insert(ADDED_POLICY.into(), policy);
            }
        }
        Principal::Session {
            as_name,
            account,
            role,
            ..
        } => {
            if let Some(r) = world
                .accounts
                .get_mut(account)
                .and_then(|a| a.roles.get_mut(role))
            {
                r.policies.insert(ADDED_POLICY.into(), policy);
            }
            if let Some(s) = world.sessions.get_mut(as_name) {
                saved_session_policy = Some(s.session_policy.take());
            }
        }
        _ => return inner(world, step),
    }
    let r = inner(world, step);
    for a in world.accounts.values_mut() {
        for u in a.users.values_mut() {
            u.policies.remove(ADDED_POLICY);
        }
        for r in a.roles.values_mut() {
            r.policies.remove(ADDED_POLICY);
        }
    }
    if let (Principal::Session { as_name, .. }, Some(saved)) = (p, saved_session_policy) {
        if let Some(s) = world.sessions.get_mut(as_name) {
            if s.session_policy.is_none() {
                s.session_policy = saved;
            }
        }
    }
    r
}

/// The account owning the step's bucket, when the bucket exists.
fn bucket_owner(world: &World, step: &Step) -> Option<AccountName> {
    step.op
        .bucket()
        .and_then(|b| world.buckets.get(b))
        .map(|b| b.owner.clone())
}

/// cross-account-one-side: a cross-account request needs only the bucket's allow; the caller's
/// own identity policies are not checked ([R20] is the rule broken).
pub(super) fn cross_account_one_side(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let Some(p) = caller(world, step) else {
        return inner(world, step);
    };
    let cross = match (bucket_owner(world, step), p.account()) {
        (Some(o), Some(a)) => o != *a,
        _ => false,
    };
    if cross && matches!(p, Principal::User { .. } | Principal::Session { .. }) {
        with_identity_allow(inner, world, step, &p, "s3:*")
    } else {
        inner(world, step)
    }
}

/// Is the step's key missing from its (existing) bucket?
fn key_missing(world: &World, bucket: &str, key: &str) -> bool {
    world
        .buckets
        .get(bucket)
        .is_some_and(|b| !b.objects.contains_key(key))
}

/// 404 NoSuchKey, without a code for HEAD (no body, [R26]).
fn no_such_key(op: &Op) -> Outcome {
    match op {
        Op::HeadObject { .. } => Outcome::status(404),
        _ => Outcome::error(404, "NoSuchKey"),
    }
}

/// 403 AccessDenied, without a code for HEAD (no body, [R26]).
fn access_denied(op: &Op) -> Outcome {
    match op {
        Op::HeadObject { .. } => Outcome::status(403),
        _ => Outcome::error(403, "AccessDenied"),
    }
}

/// missing-key-404: GET/HEAD of a missing key answers 404 even when the caller may not list the
/// bucket, which tells it which keys exist ([R26] is the rule broken).
pub(super) fn missing_key_404(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    let (outcome, mut ex) = inner(world, step)?;
    let (Op::GetObject { bucket, key } | Op::HeadObject { bucket, key }) = &step.op else {
        return Ok((outcome, ex));
    };
    if outcome.status == 403 && key_missing(world, bucket, key) {
        ex.deviate(
            Deviation::MissingKey404.name(),
            format!("{key} does not exist: 404 whether or not the caller may list {bucket}"),
        );
        return Ok((no_such_key(&step.op), ex));
    }
    Ok((outcome, ex))
}

/// missing-key-lookup-first: a call on a missing key (GET, HEAD, Get/PutObjectAcl) looks the
/// key up before authorizing: the principal that created the bucket gets 404 NoSuchKey
/// whatever its policies say; others get 404 if they may list the bucket (s3:ListBucket, ACLs
/// included) and 403 otherwise. The call's own action is never checked ([R26] is the rule
/// changed). Ceph RGW's `read_obj_policy` (src/rgw/rgw_op.cc) answers ENOENT to the bucket's
/// owner, which on RGW is the user that created it, and checks s3:ListBucket for others;
/// recorded on RGW 16.2.15 (corpus/evidence/rgw/s2-d09, d15).
pub(super) fn missing_key_lookup_first(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let target = match &step.op {
        Op::GetObject { bucket, key }
        | Op::HeadObject { bucket, key }
        | Op::GetObjectAcl { bucket, key }
        | Op::PutObjectAcl { bucket, key, .. } => {
            Some(bucket.clone()).filter(|b| key_missing(world, b, key))
        }
        _ => None,
    };
    let Some(bucket) = target else {
        return inner(world, step);
    };
    let owner_asks = world
        .buckets
        .get(&bucket)
        .is_some_and(|b| b.creator == step.as_);
    let listing = if owner_asks {
        Outcome::status(200)
    } else {
        let mut probe = world.clone();
        let list = Step {
            op: Op::ListObjects {
                bucket,
                prefix: None,
            },
            expected_bucket_owner: None,
            expect: None,
            ..step.clone()
        };
        match inner(&mut probe, &list) {
            Ok((o, _)) => o,
            Err(_) => Outcome::error(403, "AccessDenied"),
        }
    };
    let (outcome, mut ex) = inner(world, step)?;
    // A bucket the caller cannot see at all (404 NoSuchBucket, e.g. under
    // session-foreign-bucket-404) is never reached, so its keys are never looked up.
    let unseen = listing.code.as_deref() == Some("NoSuchBucket");
    if unseen || !matches!(outcome.status, 403 | 404) {
        return Ok((outcome, ex));
    }
    let (answer, why) = if listing.allowed() {
        (
            no_such_key(&step.op),
            "404: the key is missing and the caller may list the bucket (or owns it)",
        )
    } else {
        (
            access_denied(&step.op),
            "403: the key is missing and the caller may not list the bucket",
        )
    };
    if answer != outcome {
        ex.deviate(Deviation::MissingKeyLookupFirst.name(), why);
        return Ok((answer, ex));
    }
    Ok((outcome, ex))
}

/// caller-side-only: a signed request is decided by the caller's own identity policies and
/// explicit Denies; the resource owner's side always grants (a cross-account request needs no
/// bucket-policy or ACL grant, and neither does the bucket owner on an object another account
/// owns), and a call on a missing key answers 404 NoSuchKey once its own action is allowed,
/// s3:ListBucket or not ([R16], [R20], [R26] are the rules broken). moto 5.2.5 authorizes S3
/// calls with IAM policies alone, then looks the key up (corpus/evidence/moto/d01, d04, d05, d08, d09,
/// d10; baselines/moto.json seed-example4 step 19).
pub(super) fn caller_side_only(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    let missing = match &step.op {
        Op::GetObject { bucket, key }
        | Op::HeadObject { bucket, key }
        | Op::GetObjectAcl { bucket, key }
        | Op::PutObjectAcl { bucket, key, .. } => {
            Some((bucket.clone(), key.clone())).filter(|(b, k)| key_missing(world, b, k))
        }
        _ => None,
    };
    let (outcome, mut ex) = owner_side_grants(inner, world, step)?;
    let Some((bucket, key)) = missing.filter(|_| outcome.status == 403) else {
        return Ok((outcome, ex));
    };
    // A refused call changed nothing: probe a copy of the world where the key exists, owned by
    // the bucket owner.
    let mut probe = world.clone();
    if let Some(b) = probe.buckets.get_mut(&bucket) {
        let owner = Owner::Account(b.owner.clone());
        let acl = crate::acl::Acl::private(&owner);
        b.objects.insert(key, Object { owner, acl });
    }
    if owner_side_grants(inner, &mut probe, step).is_ok_and(|(o, _)| o.allowed()) {
        ex.deviate(
            Deviation::CallerSideOnly.name(),
            "the key is missing and the call itself is allowed: 404",
        );
        return Ok((no_such_key(&step.op), ex));
    }
    Ok((outcome, ex))
}

/// The first half of caller-side-only: the resource owner's side grants the caller's account.
fn owner_side_grants(inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
    let (Some(p), Some(bucket)) = (caller(world, step), step.op.bucket()) else {
        return inner(world, step);
    };
    let (Some(account), Some(b)) = (p.account().cloned(), world.buckets.get(bucket)) else {
        return inner(world, step);
    };
    // The bucket policy grants what the bucket owner owns; an object another account owns
    // needs a grant in its ACL ([R16]).
    let foreign_key = step.op.key().filter(|k| {
        b.objects
            .get(*k)
            .is_some_and(|o| effective_owner(b, o) != Owner::Account(account.clone()))
    });
    let side = Granted {
        bucket: bucket.to_string(),
        key: foreign_key.map(str::to_string),
        policy: (b.owner != account)
            .then(|| allow_account(bucket, world.id_of(&account)))
            .flatten(),
        grant: Grant {
            grantee: Grantee::Account(account),
            permission: Permission::FullControl,
        },
    };
    if side.policy.is_none() && side.key.is_none() {
        return inner(world, step);
    }
    let (outcome, mut ex) = side.run(inner, world, step)?;
    note(
        &mut ex,
        Deviation::CallerSideOnly.name(),
        format!("the resource owner's side grants {p} whatever it holds"),
    );
    Ok((outcome, ex))
}

/// owner-controls-foreign: the bucket owner's account may read an object another account owns
/// in its bucket, read its ACL and replace it, as if the object's ACL granted it FULL_CONTROL
/// ([R16] is the rule broken). Recorded on Ceph RGW 16.2.15 (baselines/rgw.json,
/// ownership-toggle steps 4 and 12: GetObject; step 10: PutObjectAcl).
pub(super) fn owner_controls_foreign(
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    let (Op::GetObject { bucket, key }
    | Op::HeadObject { bucket, key }
    | Op::GetObjectAcl { bucket, key }
    | Op::PutObjectAcl { bucket, key, .. }) = &step.op
    else {
        return inner(world, step);
    };
    let account = caller(world, step).and_then(|p| p.account().cloned());
    let Some(b) = world.buckets.get(bucket) else {
        return inner(world, step);
    };
    let foreign = b
        .objects
        .get(key)
        .is_some_and(|o| effective_owner(b, o) != Owner::Account(b.owner.clone()));
    if !foreign || account.as_ref() != Some(&b.owner) {
        return inner(world, step);
    }
    let side = Granted {
        bucket: bucket.clone(),
        key: Some(key.clone()),
        policy: None,
        grant: Grant {
            grantee: Grantee::Account(b.owner.clone()),
            permission: Permission::FullControl,
        },
    };
    let (outcome, mut ex) = side.run(inner, world, step)?;
    note(
        &mut ex,
        Deviation::OwnerControlsForeign.name(),
        format!(
            "the bucket owner {} controls {key} whoever owns it",
            side.grant.grantee.name()
        ),
    );
    Ok((outcome, ex))
}
