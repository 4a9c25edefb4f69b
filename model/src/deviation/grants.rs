//! Grants added on the resource owner's side for one request (a bucket-policy statement, an
//! object ACL grant) and taken back after it: how caller-side-only and owner-controls-foreign
//! give the model a resource side that grants.

use super::{Inner, StepResult};
use crate::acl::Grant;
use crate::outcome::GrantView;
use crate::policy::{Policy, PolicyKind};
use crate::scenario::{Op, Step};
use crate::world::{Object, World};

/// What is added on the resource owner's side for one request: a bucket-policy statement
/// (`policy`), and `grant` in the ACL of the object at `key`.
pub(super) struct Granted {
    pub(super) bucket: String,
    pub(super) key: Option<String>,
    pub(super) policy: Option<Policy>,
    pub(super) grant: Grant,
}

/// A bucket's policy and one of its objects.
type Side = (Option<Policy>, Option<Object>);

impl Granted {
    /// Runs `step` with the grants added, takes them back, and hides an added ACL grant from
    /// what GetObjectAcl shows.
    pub(super) fn run(&self, inner: Inner<'_>, world: &mut World, step: &Step) -> StepResult {
        let (stored, viewed) = self.view(world);
        let (mut outcome, ex) = inner(world, step)?;
        self.take_back(world, stored.clone(), &viewed);
        if let (Some(shown), Op::GetObjectAcl { .. }) = (outcome.grants.as_mut(), &step.op) {
            let had = stored.1.is_some_and(|o| o.acl.grants.contains(&self.grant));
            if self.key.is_some() && !had {
                hide(shown, &self.grant);
            }
        }
        Ok((outcome, ex))
    }

    /// Adds the grants; returns the resource side as stored and as viewed.
    fn view(&self, world: &mut World) -> (Side, Side) {
        let Some(b) = world.buckets.get_mut(&self.bucket) else {
            return ((None, None), (None, None));
        };
        let key = self.key.as_deref();
        let stored = (
            b.policy.clone(),
            key.and_then(|k| b.objects.get(k).cloned()),
        );
        if let Some(extra) = &self.policy {
            match &mut b.policy {
                Some(p) => {
                    let n = p.statements.len();
                    p.statements
                        .extend(extra.statements.iter().cloned().map(|mut s| {
                            s.index = n;
                            s
                        }));
                }
                None => b.policy = Some(extra.clone()),
            }
        }
        if let Some(o) = key.and_then(|k| b.objects.get_mut(k)) {
            if !o.acl.grants.contains(&self.grant) {
                o.acl.grants.push(self.grant.clone());
            }
        }
        let viewed = (
            b.policy.clone(),
            key.and_then(|k| b.objects.get(k).cloned()),
        );
        (stored, viewed)
    }

    /// Puts back what was stored wherever the step left the view as it was.
    fn take_back(&self, world: &mut World, stored: Side, viewed: &Side) {
        let Some(b) = world.buckets.get_mut(&self.bucket) else {
            return;
        };
        if b.policy == viewed.0 {
            b.policy = stored.0;
        }
        if let (Some(k), Some(o)) = (&self.key, stored.1) {
            if b.objects.get(k) == viewed.1.as_ref() {
                b.objects.insert(k.clone(), o);
            }
        }
    }
}

/// A bucket-policy statement allowing account `id` every S3 action on `bucket`.
pub(super) fn allow_account(bucket: &str, id: &str) -> Option<Policy> {
    Policy::parse(
        PolicyKind::Bucket,
        &serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "xacct-deviation-caller-side-only",
                "Effect": "Allow",
                "Principal": {"AWS": id},
                "Action": "s3:*",
                "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")]
            }]
        }),
    )
    .ok()
}

/// Removes the added grant from the grants an answer shows.
fn hide(shown: &mut Vec<GrantView>, g: &Grant) {
    let view = GrantView {
        grantee: g.grantee.name(),
        permission: g.permission.as_str().to_string(),
    };
    if let Some(i) = shown.iter().position(|s| *s == view) {
        shown.remove(i);
    }
}
