//! Sends one scenario step to a target with the right principal's clients, and reads the
//! answer back into the model's terms.

use crate::compare::Observed;
use crate::target::mapping::Mapping;
use crate::target::sdk::{self, Clients, Creds, EndpointConfig};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types as s3t;
use std::collections::BTreeMap;
use xacct_model::acl::{AccessControlPolicy, GrantHeaders};
use xacct_model::outcome::{GrantView, Outcome, PabView};
use xacct_model::scenario::{Op, Step};

/// Everything a run knows about the target's side of a scenario.
#[derive(Debug)]
pub struct TargetState {
    pub ep: EndpointConfig,
    pub mapping: Mapping,
    /// Clients by scenario principal name (`A.admin`, `A.root` where the target has root
    /// credentials, users, sessions, `anon`).
    pub principals: BTreeMap<String, Clients>,
    /// The account of each role session, by `as_name`.
    pub session_accounts: BTreeMap<String, String>,
    /// Logical bucket → owning account, for buckets this run created.
    pub bucket_owner: BTreeMap<String, String>,
    /// Every logical bucket name the scenario uses (for rewriting ARNs).
    pub logical_buckets: Vec<String>,
    /// What this run created, for clean-up.
    pub created: Created,
    /// The run's bucket prefix; each case adds its own tag to it.
    pub run_prefix: String,
}

/// Resources a run created on the target.
#[derive(Debug, Default, Clone)]
pub struct Created {
    /// (account, logical bucket).
    pub buckets: Vec<(String, String)>,
    /// (account, user name).
    pub users: Vec<(String, String)>,
    /// (account, role name, inline policy names).
    pub roles: Vec<(String, String, Vec<String>)>,
    /// (account, user name, inline policy name).
    pub user_policies: Vec<(String, String, String)>,
}

impl TargetState {
    pub fn new(ep: EndpointConfig, mapping: Mapping, logical_buckets: Vec<String>) -> TargetState {
        let mut principals = BTreeMap::new();
        principals.insert("anon".to_string(), sdk::clients(&ep, None));
        let run_prefix = mapping.bucket_prefix.clone();
        TargetState {
            run_prefix,
            ep,
            mapping,
            principals,
            session_accounts: BTreeMap::new(),
            bucket_owner: BTreeMap::new(),
            logical_buckets,
            created: Created::default(),
        }
    }

    /// Starts a case of a random run on the run's accounts: its own bucket prefix, and none of
    /// the users, roles, sessions or buckets of earlier cases (which were cleaned up).
    pub fn begin_case(&mut self, tag: &str) {
        self.mapping.bucket_prefix = format!("{}{tag}-", self.run_prefix);
        self.principals.retain(|name, _| {
            name == "anon" || name.ends_with(".admin") || name.ends_with(".root")
        });
        self.session_accounts.clear();
        self.bucket_owner.clear();
        self.created = Created::default();
    }

    pub fn add_principal(&mut self, name: &str, creds: &Creds) {
        self.principals
            .insert(name.to_string(), sdk::clients(&self.ep, Some(creds)));
    }

    /// Sets a principal's clients directly (tests: clients over a recorded HTTP exchange).
    pub fn set_clients(&mut self, name: &str, clients: Clients) {
        self.principals.insert(name.to_string(), clients);
    }

    /// The account of a scenario principal (`A.x` → A; session → its role's account).
    pub fn account_of(&self, principal: &str) -> Option<String> {
        match principal.split_once('.') {
            Some((a, _)) => Some(a.to_string()),
            None => self.session_accounts.get(principal).cloned(),
        }
    }

    fn rewrite(&self, s: &str) -> String {
        self.mapping.rewrite(s, &self.logical_buckets)
    }

    fn bucket(&self, caller: Option<&str>, logical: &str) -> String {
        let owner = self.bucket_owner.get(logical).map(String::as_str);
        self.mapping.address(caller, owner, logical)
    }

    fn grant_view(&self, g: &s3t::Grant) -> Option<GrantView> {
        let grantee = g.grantee()?;
        let name = match grantee.r#type() {
            s3t::Type::CanonicalUser => {
                let id = grantee.id().unwrap_or_default();
                self.mapping
                    .account_of_canonical(id)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("?{id}"))
            }
            s3t::Type::Group => match grantee.uri().unwrap_or_default() {
                u if u.ends_with("/global/AllUsers") => "AllUsers".into(),
                u if u.ends_with("/global/AuthenticatedUsers") => "AuthenticatedUsers".into(),
                u if u.ends_with("/s3/LogDelivery") => "LogDelivery".into(),
                u => format!("?{u}"),
            },
            other => format!("?{}", other.as_str()),
        };
        Some(GrantView {
            grantee: name,
            permission: g
                .permission()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
        })
    }

    /// A Get*Acl answer in the model's terms: owner and grants by account or group name.
    fn acl_outcome(&self, owner: Option<&s3t::Owner>, grants: &[s3t::Grant]) -> Outcome {
        Outcome {
            owner: self.owner_name(owner),
            grants: Some(grants.iter().filter_map(|g| self.grant_view(g)).collect()),
            ..Default::default()
        }
    }

    fn owner_name(&self, o: Option<&s3t::Owner>) -> Option<String> {
        let id = o?.id()?;
        Some(
            self.mapping
                .account_of_canonical(id)
                .map(str::to_string)
                .unwrap_or_else(|| format!("?{id}")),
        )
    }
}

fn ok(status: u16) -> Observed {
    Observed::answer(Outcome::status(status))
}

/// Applies a scenario ACL (canned, grant headers) to a request builder.
macro_rules! with_acl {
    ($b:expr, $state:expr, $acl:expr, $grants:expr, $Canned:ty) => {{
        let mut b = $b;
        if let Some(a) = $acl {
            b = b.acl(<$Canned>::from(a.as_str()));
        }
        if let Some(g) = $grants {
            let g: &GrantHeaders = g;
            if let Some(v) = &g.read {
                b = b.grant_read($state.rewrite(v));
            }
            if let Some(v) = &g.read_acp {
                b = b.grant_read_acp($state.rewrite(v));
            }
            if let Some(v) = &g.write_acp {
                b = b.grant_write_acp($state.rewrite(v));
            }
            if let Some(v) = &g.full_control {
                b = b.grant_full_control($state.rewrite(v));
            }
        }
        b
    }};
}

/// `x-amz-grant-write` exists on buckets only.
macro_rules! with_write_grant {
    ($b:expr, $state:expr, $grants:expr) => {{
        let mut b = $b;
        if let Some(v) = $grants.and_then(|g: &GrantHeaders| g.write.as_ref()) {
            b = b.grant_write($state.rewrite(v));
        }
        b
    }};
}

fn acp(state: &TargetState, p: &AccessControlPolicy) -> Result<s3t::AccessControlPolicy, String> {
    let mut b = s3t::AccessControlPolicy::builder();
    if let Some(o) = &p.owner {
        let id = state.rewrite(o);
        let id = id.strip_prefix("id=").unwrap_or(&id).to_string();
        b = b.owner(s3t::Owner::builder().id(id).build());
    }
    for g in &p.grants {
        let v = state.rewrite(&g.grantee);
        let (kind, val) = v.split_once('=').unwrap_or(("id", v.as_str()));
        let grantee = match kind {
            "uri" => s3t::Grantee::builder().r#type(s3t::Type::Group).uri(val),
            "emailAddress" => s3t::Grantee::builder()
                .r#type(s3t::Type::AmazonCustomerByEmail)
                .email_address(val),
            _ => s3t::Grantee::builder()
                .r#type(s3t::Type::CanonicalUser)
                .id(val),
        }
        .build()
        .map_err(|e| e.to_string())?;
        b = b.grants(
            s3t::Grant::builder()
                .grantee(grantee)
                .permission(s3t::Permission::from(g.permission.as_str()))
                .build(),
        );
    }
    Ok(b.build())
}

fn policy_text(state: &TargetState, v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => state.rewrite(s),
        other => {
            let rewritten = state.mapping.rewrite_json(other, &state.logical_buckets);
            // Compact JSON: RGW's IAM API refuses pretty-printed documents.
            serde_json::to_string(&rewritten).unwrap_or_default()
        }
    }
}

/// Runs one S3 / IAM / STS step (all but create_user, which targets provision their own way).
pub async fn execute(state: &mut TargetState, step: &Step) -> Observed {
    let Some(c) = state.principals.get(&step.as_).cloned() else {
        return if step.as_.ends_with(".root") {
            Observed::Unsupported {
                why: "the target has no root credentials".into(),
            }
        } else {
            Observed::Skipped {
                why: format!("principal {} does not exist on the target", step.as_),
            }
        };
    };
    let caller = state.account_of(&step.as_);
    let caller = caller.as_deref();
    let ebo = step
        .expected_bucket_owner
        .as_ref()
        .map(|e| state.mapping.placeholders(e));
    let head = matches!(step.op, Op::HeadObject { .. });
    macro_rules! send {
        ($req:expr, $status:expr, |$out:ident| $then:expr) => {
            match $req.send().await {
                Ok($out) => {
                    let status = sdk::success_status(&c, $status);
                    let mut o: Outcome = $then;
                    o.status = status;
                    Observed::answer(o)
                }
                Err(e) => sdk::from_error(e, head),
            }
        };
        ($req:expr, $status:expr) => {
            send!($req, $status, |_out| Outcome::default())
        };
    }
    match &step.op {
        Op::CreateBucket {
            bucket,
            object_ownership,
            acl,
            grants,
        } => {
            let real = state.mapping.real_bucket(bucket);
            let mut b = c.s3.create_bucket().bucket(&real);
            if let Some(o) = object_ownership {
                b = b.object_ownership(s3t::ObjectOwnership::from(o.as_str()));
            }
            let b = with_acl!(
                b,
                state,
                acl.as_ref(),
                grants.as_ref(),
                s3t::BucketCannedAcl
            );
            let b = with_write_grant!(b, state, grants.as_ref());
            let r = send!(b, 200);
            if r.outcome().is_some_and(Outcome::allowed) {
                if let Some(a) = caller {
                    state.bucket_owner.insert(bucket.clone(), a.to_string());
                    state.created.buckets.push((a.to_string(), bucket.clone()));
                }
            }
            r
        }
        Op::DeleteBucket { bucket } => {
            let b = state.bucket(caller, bucket);
            send!(
                c.s3.delete_bucket()
                    .bucket(b)
                    .set_expected_bucket_owner(ebo),
                204
            )
        }
        Op::PutBucketOwnershipControls {
            bucket,
            object_ownership,
        } => {
            let rule = s3t::OwnershipControlsRule::builder()
                .object_ownership(s3t::ObjectOwnership::from(object_ownership.as_str()))
                .build();
            let controls = rule.map_err(|e| e.to_string()).and_then(|r| {
                s3t::OwnershipControls::builder()
                    .rules(r)
                    .build()
                    .map_err(|e| e.to_string())
            });
            match controls {
                Ok(oc) => send!(
                    c.s3.put_bucket_ownership_controls()
                        .bucket(state.bucket(caller, bucket))
                        .ownership_controls(oc)
                        .set_expected_bucket_owner(ebo),
                    200
                ),
                Err(e) => Observed::Fault {
                    why: format!("the request could not be built: {e}"),
                },
            }
        }
        Op::GetBucketOwnershipControls { bucket } => send!(
            c.s3.get_bucket_ownership_controls()
                .bucket(state.bucket(caller, bucket))
                .set_expected_bucket_owner(ebo),
            200,
            |out| Outcome {
                ownership: out
                    .ownership_controls()
                    .and_then(|oc| oc.rules().first())
                    .map(|r| r.object_ownership().as_str().to_string()),
                ..Default::default()
            }
        ),
        Op::DeleteBucketOwnershipControls { bucket } => send!(
            c.s3.delete_bucket_ownership_controls()
                .bucket(state.bucket(caller, bucket))
                .set_expected_bucket_owner(ebo),
            204
        ),
        Op::PutPublicAccessBlock {
            bucket,
            block_public_acls,
            ignore_public_acls,
            block_public_policy,
            restrict_public_buckets,
        } => {
            let cfg = s3t::PublicAccessBlockConfiguration::builder()
                .block_public_acls(*block_public_acls)
                .ignore_public_acls(*ignore_public_acls)
                .block_public_policy(*block_public_policy)
                .restrict_public_buckets(*restrict_public_buckets)
                .build();
            send!(
                c.s3.put_public_access_block()
                    .bucket(state.bucket(caller, bucket))
                    .public_access_block_configuration(cfg)
                    .set_expected_bucket_owner(ebo),
                200
            )
        }
        Op::GetPublicAccessBlock { bucket } => send!(
            c.s3.get_public_access_block()
                .bucket(state.bucket(caller, bucket))
                .set_expected_bucket_owner(ebo),
            200,
            |out| Outcome {
                public_access_block: out.public_access_block_configuration().map(|p| PabView {
                    block_public_acls: p.block_public_acls().unwrap_or(false),
                    ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
                    block_public_policy: p.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
                }),
                ..Default::default()
            }
        ),
        Op::DeletePublicAccessBlock { bucket } => send!(
            c.s3.delete_public_access_block()
                .bucket(state.bucket(caller, bucket))
                .set_expected_bucket_owner(ebo),
            204
        ),
        Op::PutBucketPolicy { bucket, policy } => send!(
            c.s3.put_bucket_policy()
                .bucket(state.bucket(caller, bucket))
                .policy(policy_text(state, policy))
                .set_expected_bucket_owner(ebo),
            204
        ),
        Op::GetBucketPolicy { bucket } => send!(
            c.s3.get_bucket_policy()
                .bucket(state.bucket(caller, bucket))
                .set_expected_bucket_owner(ebo),
            200
        ),
        Op::DeleteBucketPolicy { bucket } => send!(
            c.s3.delete_bucket_policy()
                .bucket(state.bucket(caller, bucket))
                .set_expected_bucket_owner(ebo),
            204
        ),
        Op::PutBucketAcl {
            bucket,
            acl,
            grants,
            access_control_policy,
        } => {
            let b =
                c.s3.put_bucket_acl()
                    .bucket(state.bucket(caller, bucket))
                    .set_expected_bucket_owner(ebo);
            let b = with_acl!(
                b,
                state,
                acl.as_ref(),
                grants.as_ref(),
                s3t::BucketCannedAcl
            );
            let mut b = with_write_grant!(b, state, grants.as_ref());
            if let Some(p) = access_control_policy {
                match acp(state, p) {
                    Ok(p) => b = b.access_control_policy(p),
                    Err(e) => {
                        return Observed::Fault {
                            why: format!("the request could not be built: {e}"),
                        }
                    }
                }
            }
            send!(b, 200)
        }
        Op::GetBucketAcl { bucket } => send!(
            c.s3.get_bucket_acl()
                .bucket(state.bucket(caller, bucket))
                .set_expected_bucket_owner(ebo),
            200,
            |out| state.acl_outcome(out.owner(), out.grants())
        ),
        Op::PutObject {
            bucket,
            key,
            acl,
            grants,
        } => {
            let b =
                c.s3.put_object()
                    .bucket(state.bucket(caller, bucket))
                    .key(key)
                    .body(ByteStream::from_static(b"xacct"))
                    .set_expected_bucket_owner(ebo);
            let b = with_acl!(
                b,
                state,
                acl.as_ref(),
                grants.as_ref(),
                s3t::ObjectCannedAcl
            );
            send!(b, 200)
        }
        Op::CreateMultipartUpload {
            bucket,
            key,
            acl,
            grants,
        } => {
            let b =
                c.s3.create_multipart_upload()
                    .bucket(state.bucket(caller, bucket))
                    .key(key)
                    .set_expected_bucket_owner(ebo);
            let b = with_acl!(
                b,
                state,
                acl.as_ref(),
                grants.as_ref(),
                s3t::ObjectCannedAcl
            );
            let r = match b.send().await {
                Ok(out) => {
                    let status = sdk::success_status(&c, 200);
                    // Abort at once: a started upload is all the rules are about.
                    if let Some(id) = out.upload_id() {
                        let _ =
                            c.s3.abort_multipart_upload()
                                .bucket(state.bucket(caller, bucket))
                                .key(key)
                                .upload_id(id)
                                .send()
                                .await;
                    }
                    Observed::answer(Outcome::status(status))
                }
                Err(e) => sdk::from_error(e, false),
            };
            r
        }
        Op::CopyObject {
            bucket,
            key,
            source_bucket,
            source_key,
            acl,
            grants,
        } => {
            let src = format!("{}/{}", state.bucket(caller, source_bucket), source_key);
            let b =
                c.s3.copy_object()
                    .bucket(state.bucket(caller, bucket))
                    .key(key)
                    .copy_source(src)
                    .set_expected_bucket_owner(ebo);
            let b = with_acl!(
                b,
                state,
                acl.as_ref(),
                grants.as_ref(),
                s3t::ObjectCannedAcl
            );
            send!(b, 200)
        }
        Op::GetObject { bucket, key } => match c
            .s3
            .get_object()
            .bucket(state.bucket(caller, bucket))
            .key(key)
            .set_expected_bucket_owner(ebo)
            .send()
            .await
        {
            Ok(out) => {
                // Read the body so the connection is reusable; its content does not matter.
                let _ = out.body.collect().await;
                ok(sdk::success_status(&c, 200))
            }
            Err(e) => sdk::from_error(e, false),
        },
        Op::HeadObject { bucket, key } => send!(
            c.s3.head_object()
                .bucket(state.bucket(caller, bucket))
                .key(key)
                .set_expected_bucket_owner(ebo),
            200
        ),
        Op::DeleteObject { bucket, key } => send!(
            c.s3.delete_object()
                .bucket(state.bucket(caller, bucket))
                .key(key)
                .set_expected_bucket_owner(ebo),
            204
        ),
        Op::GetObjectAcl { bucket, key } => send!(
            c.s3.get_object_acl()
                .bucket(state.bucket(caller, bucket))
                .key(key)
                .set_expected_bucket_owner(ebo),
            200,
            |out| state.acl_outcome(out.owner(), out.grants())
        ),
        Op::PutObjectAcl {
            bucket,
            key,
            acl,
            grants,
            access_control_policy,
        } => {
            let b =
                c.s3.put_object_acl()
                    .bucket(state.bucket(caller, bucket))
                    .key(key)
                    .set_expected_bucket_owner(ebo);
            let mut b = with_acl!(
                b,
                state,
                acl.as_ref(),
                grants.as_ref(),
                s3t::ObjectCannedAcl
            );
            if let Some(p) = access_control_policy {
                match acp(state, p) {
                    Ok(p) => b = b.access_control_policy(p),
                    Err(e) => {
                        return Observed::Fault {
                            why: format!("the request could not be built: {e}"),
                        }
                    }
                }
            }
            send!(b, 200)
        }
        Op::ListObjects { bucket, prefix } => send!(
            c.s3.list_objects_v2()
                .bucket(state.bucket(caller, bucket))
                .set_prefix(prefix.clone())
                .set_expected_bucket_owner(ebo),
            200,
            |out| Outcome {
                keys: Some(
                    out.contents()
                        .iter()
                        .filter_map(|o| o.key().map(str::to_string))
                        .collect()
                ),
                ..Default::default()
            }
        ),
        Op::ListBuckets {} => send!(c.s3.list_buckets(), 200, |out| Outcome {
            // Only this run's buckets are visible to the comparison.
            buckets: Some(
                out.buckets()
                    .iter()
                    .filter_map(|b| b.name().and_then(|n| state.mapping.logical_bucket(n)))
                    .collect()
            ),
            ..Default::default()
        }),
        Op::PutUserPolicy {
            user,
            policy_name,
            policy,
        } => {
            let iam_user = state
                .mapping
                .iam_user_name(caller.unwrap_or_default(), user);
            let name = policy_name.clone().unwrap_or_else(|| "inline".into());
            let r = send!(
                c.iam
                    .put_user_policy()
                    .user_name(iam_user)
                    .policy_name(&name)
                    .policy_document(policy_text(state, policy)),
                200
            );
            if r.outcome().is_some_and(Outcome::allowed) {
                if let Some(a) = caller {
                    state
                        .created
                        .user_policies
                        .push((a.to_string(), user.clone(), name));
                }
            }
            r
        }
        Op::CreateRole {
            name,
            trust_policy,
            policy,
        } => {
            let mut b = c
                .iam
                .create_role()
                .role_name(name)
                .assume_role_policy_document(policy_text(state, trust_policy));
            if state.mapping.iam_path != "/" && !state.mapping.iam_path.is_empty() {
                b = b.path(&state.mapping.iam_path);
            }
            let r = send!(b, 200);
            if !r.outcome().is_some_and(Outcome::allowed) {
                return r;
            }
            let mut names = Vec::new();
            if let Some(p) = policy {
                let pr = send!(
                    c.iam
                        .put_role_policy()
                        .role_name(name)
                        .policy_name("inline")
                        .policy_document(policy_text(state, p)),
                    200
                );
                if pr.outcome().is_some_and(Outcome::allowed) {
                    names.push("inline".to_string());
                }
                if let Some(a) = caller {
                    state
                        .created
                        .roles
                        .push((a.to_string(), name.clone(), names));
                }
                return pr;
            }
            if let Some(a) = caller {
                state
                    .created
                    .roles
                    .push((a.to_string(), name.clone(), names));
            }
            r
        }
        Op::PutRolePolicy {
            role,
            policy_name,
            policy,
        } => {
            let name = policy_name.clone().unwrap_or_else(|| "inline".into());
            let r = send!(
                c.iam
                    .put_role_policy()
                    .role_name(role)
                    .policy_name(&name)
                    .policy_document(policy_text(state, policy)),
                200
            );
            if r.outcome().is_some_and(Outcome::allowed) {
                if let Some(entry) = state
                    .created
                    .roles
                    .iter_mut()
                    .find(|(a, n, _)| Some(a.as_str()) == caller && n == role)
                {
                    entry.2.push(name);
                }
            }
            r
        }
        Op::AssumeRole {
            role_arn,
            session_name,
            session_policy,
            as_name,
        } => {
            let mut b = c
                .sts
                .assume_role()
                .role_arn(state.rewrite(role_arn))
                .role_session_name(session_name);
            if let Some(p) = session_policy {
                b = b.policy(policy_text(state, p));
            }
            match b.send().await {
                Ok(out) => {
                    let status = sdk::success_status(&c, 200);
                    let arn = out.assumed_role_user().map(|u| u.arn().to_string());
                    if let Some(cr) = out.credentials() {
                        let creds = Creds {
                            access_key_id: cr.access_key_id().to_string(),
                            secret_access_key: cr.secret_access_key().to_string(),
                            session_token: Some(cr.session_token().to_string()),
                        };
                        state.add_principal(as_name, &creds);
                        // The session belongs to the role's account.
                        let role_account =
                            xacct_model::principal::parse_role_arn(&state.rewrite(role_arn))
                                .and_then(|(id, _)| {
                                    state
                                        .mapping
                                        .accounts
                                        .iter()
                                        .find(|(_, a)| a.id == id)
                                        .map(|(n, _)| n.clone())
                                });
                        if let Some(a) = role_account {
                            state.session_accounts.insert(as_name.clone(), a);
                        }
                    }
                    Observed::answer(Outcome {
                        status,
                        assumed_role_arn: arn.map(|a| state.mapping.arn_to_model(&a)),
                        ..Default::default()
                    })
                }
                Err(e) => sdk::from_error(e, false),
            }
        }
        Op::CreateUser { .. } => Observed::Unsupported {
            why: "create_user is carried out by the target's provisioning".into(),
        },
    }
}
