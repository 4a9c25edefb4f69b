//! Random scenarios: the model is the reference state machine, and each
//! transition is a scenario step drawn from the current world — its buckets, objects, users,
//! roles and sessions — weighted toward what decides access: cross-account writes with and
//! without ACLs, grants, ownership toggles on buckets that already hold foreign objects, bucket
//! policies with Allow/Deny and conditions on keys S3 requests carry, public access block
//! changes, role assumptions and requests by sessions, reads by non-owners, missing keys.
//! Every operation of the scenario format is drawn, the rarer ones (configuration reads and
//! deletions, DeleteBucket, ListBuckets, copies, multipart uploads, inline policies) with small
//! weights; a share of bucket-addressed requests carries `x-amz-expected-bucket-owner`.
//!
//! This file holds the universe of a run and the table of transitions with their weights; the
//! steps are drawn by family: [`buckets`] (set-up, deletion, HeadBucket, ListBuckets),
//! [`bucket_config`] (ownership controls, public access block, bucket policies), [`objects`],
//! [`acls`] (canned ACLs and grants), [`iam`] (users, roles, inline policies, role
//! assumptions). [`callers`] picks who makes a request, [`expected_owner`] the header,
//! [`policies`] writes the policy documents with the principals of [`principals`] and the
//! conditions of [`conditions`].
//!
//! The same seed must draw the same cases: the order of the transitions in the table, their
//! weights and the shape of every strategy are part of what a seed means.

mod acls;
mod bucket_config;
mod buckets;
mod callers;
mod conditions;
#[cfg(test)]
mod coverage;
mod expected_owner;
mod iam;
mod objects;
mod policies;
mod principals;

use principals::Names;
use proptest::prelude::*;
use proptest::sample::{select, Select};
use proptest_state_machine::ReferenceStateMachine;
use std::sync::Arc;
use xacct_model::principal::Principal;
use xacct_model::scenario::{Op, Step};
use xacct_model::World;

/// The universe of a random run.
pub const ACCOUNTS: &[&str] = &["A", "B", "C"];
pub const BUCKETS: &[&str] = &["b1", "b2", "b3"];
pub const KEYS: &[&str] = &["k1", "k2", "dir/k3"];
pub const USERS: &[&str] = &["u1", "u2"];
pub const ROLES: &[&str] = &["r1", "r2"];
pub const SESSIONS: &[&str] = &["s1", "s2", "s3"];

/// The reference state machine over the model's world.
pub struct Model;

/// A step with no expectations: the model decides.
fn step(as_: String, op: Op) -> Step {
    Step {
        as_,
        op,
        expected_bucket_owner: None,
        expect: None,
    }
}

/// What the transitions of one world draw from: the world, its buckets, and the names a policy
/// can give its principals.
struct Draw {
    world: Arc<World>,
    buckets: Vec<String>,
    names: Arc<Names>,
}

impl Draw {
    /// One of the existing buckets.
    fn bucket(&self) -> Select<String> {
        select(self.buckets.clone())
    }

    /// One of the keys of the universe.
    fn key(&self) -> impl Strategy<Value = String> {
        select(KEYS.to_vec()).prop_map(str::to_string)
    }

    /// Who makes a request, among the principals of the world.
    fn caller(&self) -> BoxedStrategy<String> {
        callers::caller(&self.world)
    }

    /// A bucket, and who reads its configuration: its owner's admin or any caller.
    fn bucket_and_reader(&self) -> BoxedStrategy<(String, String)> {
        let w = self.world.clone();
        let caller = self.caller();
        self.bucket()
            .prop_flat_map(move |b| {
                let who = prop_oneof![1 => Just(owner_admin(&w, &b)), 2 => caller.clone()];
                (Just(b), who)
            })
            .boxed()
    }

    /// A bucket, and who changes or deletes it: mostly its owner's admin, else any caller.
    fn bucket_and_configurer(&self) -> BoxedStrategy<(String, String)> {
        let w = self.world.clone();
        let caller = self.caller();
        self.bucket()
            .prop_flat_map(move |b| {
                let who = prop_oneof![3 => Just(owner_admin(&w, &b)), 1 => caller.clone()];
                (Just(b), who)
            })
            .boxed()
    }
}

/// The account that owns `bucket` (empty when there is no such bucket).
fn owner_of(w: &World, bucket: &str) -> String {
    w.buckets
        .get(bucket)
        .map(|x| x.owner.0.clone())
        .unwrap_or_default()
}

/// The admin of the account that owns `bucket`: who configures it.
fn owner_admin(w: &World, bucket: &str) -> String {
    w.buckets
        .get(bucket)
        .map(|b| format!("{}.admin", b.owner))
        .unwrap_or_else(|| "A.admin".into())
}

impl ReferenceStateMachine for Model {
    type State = World;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<World> {
        Just(World::with_accounts(ACCOUNTS.iter().copied())).boxed()
    }

    fn transitions(w: &World) -> BoxedStrategy<Step> {
        let buckets: Vec<String> = w.buckets.keys().cloned().collect();
        // Create buckets first: almost everything else needs one.
        if buckets.is_empty() {
            return buckets::create_bucket();
        }
        let more_buckets = if buckets.len() < BUCKETS.len() { 2 } else { 0 };
        let d = Draw {
            world: Arc::new(w.clone()),
            buckets,
            names: Arc::new(Names::of(w)),
        };
        let mut choices: Vec<(u32, BoxedStrategy<Step>)> = vec![
            (more_buckets, buckets::create_bucket()),
            (10, objects::put_object(&d)),
            (9, objects::read_object(&d)),
            (3, acls::put_object_acl(&d)),
            (3, objects::list_objects(&d)),
            (2, objects::delete_object(&d)),
            (6, bucket_config::put_bucket_policy(&d)),
            (1, bucket_config::delete_bucket_policy(&d)),
            (4, bucket_config::toggle_ownership(&d)),
            (2, bucket_config::put_public_access_block(&d)),
            (2, acls::put_bucket_acl(&d)),
            (3, iam::create_user()),
            (2, iam::create_role(&d.names)),
            (2, objects::copy_object(&d)),
            (1, objects::create_multipart_upload(&d)),
            (2, bucket_config::get_bucket_config(&d)),
            (1, acls::get_bucket_acl(&d)),
            (1, buckets::head_bucket(&d)),
            (1, buckets::list_buckets(&d)),
            (1, buckets::delete_bucket(&d)),
            (1, bucket_config::delete_bucket_config(&d)),
            (1, iam::put_user_policy()),
            (1, iam::put_role_policy()),
        ];
        if let Some(assume) = iam::assume_role(w) {
            choices.push((4, assume));
        }
        choices.retain(|(w, _)| *w > 0);
        let world = d.world.clone();
        (
            proptest::strategy::Union::new_weighted(choices),
            expected_owner::expected(),
        )
            .prop_map(move |(s, e)| expected_owner::with_expected_owner(&world, s, e))
            .boxed()
    }

    fn apply(mut w: World, t: &Step) -> World {
        // Steps the model cannot apply (an unknown principal after shrinking) change nothing.
        let _ = xacct_model::step(&mut w, t);
        w
    }

    fn preconditions(w: &World, t: &Step) -> bool {
        Principal::resolve(w, &t.as_).is_ok()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    pub(super) fn sample(seed: u64, n: usize) -> Vec<Step> {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
        );
        let tree = Model::sequential_strategy(n..=n)
            .new_tree(&mut runner)
            .unwrap();
        tree.current().1
    }

    #[test]
    fn generation_is_deterministic_and_meaningful() {
        let a = sample(7, 40);
        let b = sample(7, 40);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        assert_ne!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&sample(8, 40)).unwrap()
        );
        // The model accepts every generated step, and a good share of them are allowed.
        let mut w = World::with_accounts(ACCOUNTS.iter().copied());
        let mut allowed = 0;
        for s in &a {
            let (o, _) = xacct_model::step(&mut w, s).expect("generated steps resolve");
            allowed += o.allowed() as usize;
        }
        assert!(
            allowed >= 8,
            "only {allowed} of 40 generated steps were allowed"
        );
    }
}
