//! Scenario files (README, "Scenario files"): one JSON object with a name, a description and steps.
//! Each step is `{"as": PRINCIPAL, "op": OP, ...op fields, "expect"?: {...}}`.
//!
//! Parsing is strict — an unknown field, a missing field or a bad principal name is an error
//! naming the file, the step and the field — so a typo never silently changes a scenario.

use crate::acl::{AccessControlPolicy, AclRequest, GrantHeaders};
use crate::deviation::Deviation;
use crate::outcome::Expect;
use crate::region::{LocationConstraint, Region};
use crate::world::{AccountName, PublicAccessBlock, World};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The operations a step can perform (snake_case of the S3 / IAM / STS API).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    CreateBucket {
        bucket: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        object_ownership: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acl: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grants: Option<GrantHeaders>,
        /// CreateBucketConfiguration's LocationConstraint: absent, what the Region needs (none
        /// in us-east-1, the Region elsewhere); `null`, none; a string, that value.
        #[serde(
            default,
            deserialize_with = "crate::region::present",
            skip_serializing_if = "Option::is_none"
        )]
        location_constraint: LocationConstraint,
    },
    DeleteBucket {
        bucket: String,
    },
    PutBucketOwnershipControls {
        bucket: String,
        object_ownership: String,
    },
    GetBucketOwnershipControls {
        bucket: String,
    },
    DeleteBucketOwnershipControls {
        bucket: String,
    },
    PutPublicAccessBlock {
        bucket: String,
        #[serde(default)]
        block_public_acls: bool,
        #[serde(default)]
        ignore_public_acls: bool,
        #[serde(default)]
        block_public_policy: bool,
        #[serde(default)]
        restrict_public_buckets: bool,
    },
    GetPublicAccessBlock {
        bucket: String,
    },
    DeletePublicAccessBlock {
        bucket: String,
    },
    PutBucketPolicy {
        bucket: String,
        /// The policy document, as a JSON object or a string holding JSON.
        policy: Value,
    },
    GetBucketPolicy {
        bucket: String,
    },
    DeleteBucketPolicy {
        bucket: String,
    },
    PutBucketAcl {
        bucket: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acl: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grants: Option<GrantHeaders>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        access_control_policy: Option<AccessControlPolicy>,
    },
    GetBucketAcl {
        bucket: String,
    },
    PutObject {
        bucket: String,
        key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acl: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grants: Option<GrantHeaders>,
    },
    GetObject {
        bucket: String,
        key: String,
    },
    HeadObject {
        bucket: String,
        key: String,
    },
    DeleteObject {
        bucket: String,
        key: String,
    },
    GetObjectAcl {
        bucket: String,
        key: String,
    },
    PutObjectAcl {
        bucket: String,
        key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acl: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grants: Option<GrantHeaders>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        access_control_policy: Option<AccessControlPolicy>,
    },
    CopyObject {
        bucket: String,
        key: String,
        source_bucket: String,
        source_key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acl: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grants: Option<GrantHeaders>,
    },
    ListObjects {
        bucket: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prefix: Option<String>,
    },
    ListBuckets {},
    /// HeadBucket: does the bucket exist and may the caller list it (no body).
    HeadBucket {
        bucket: String,
    },
    CreateMultipartUpload {
        bucket: String,
        key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acl: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grants: Option<GrantHeaders>,
    },
    CreateUser {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        policy: Option<Value>,
    },
    PutUserPolicy {
        user: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        policy_name: Option<String>,
        policy: Value,
    },
    CreateRole {
        name: String,
        trust_policy: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        policy: Option<Value>,
    },
    PutRolePolicy {
        role: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        policy_name: Option<String>,
        policy: Value,
    },
    AssumeRole {
        role_arn: String,
        session_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session_policy: Option<Value>,
        as_name: String,
    },
}

impl Op {
    /// The op's name as written in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            Op::CreateBucket { .. } => "create_bucket",
            Op::DeleteBucket { .. } => "delete_bucket",
            Op::PutBucketOwnershipControls { .. } => "put_bucket_ownership_controls",
            Op::GetBucketOwnershipControls { .. } => "get_bucket_ownership_controls",
            Op::DeleteBucketOwnershipControls { .. } => "delete_bucket_ownership_controls",
            Op::PutPublicAccessBlock { .. } => "put_public_access_block",
            Op::GetPublicAccessBlock { .. } => "get_public_access_block",
            Op::DeletePublicAccessBlock { .. } => "delete_public_access_block",
            Op::PutBucketPolicy { .. } => "put_bucket_policy",
            Op::GetBucketPolicy { .. } => "get_bucket_policy",
            Op::DeleteBucketPolicy { .. } => "delete_bucket_policy",
            Op::PutBucketAcl { .. } => "put_bucket_acl",
            Op::GetBucketAcl { .. } => "get_bucket_acl",
            Op::PutObject { .. } => "put_object",
            Op::GetObject { .. } => "get_object",
            Op::HeadObject { .. } => "head_object",
            Op::DeleteObject { .. } => "delete_object",
            Op::GetObjectAcl { .. } => "get_object_acl",
            Op::PutObjectAcl { .. } => "put_object_acl",
            Op::CopyObject { .. } => "copy_object",
            Op::ListObjects { .. } => "list_objects",
            Op::ListBuckets {} => "list_buckets",
            Op::HeadBucket { .. } => "head_bucket",
            Op::CreateMultipartUpload { .. } => "create_multipart_upload",
            Op::CreateUser { .. } => "create_user",
            Op::PutUserPolicy { .. } => "put_user_policy",
            Op::CreateRole { .. } => "create_role",
            Op::PutRolePolicy { .. } => "put_role_policy",
            Op::AssumeRole { .. } => "assume_role",
        }
    }

    /// The bucket a call addresses, for S3 calls that have one.
    pub fn bucket(&self) -> Option<&str> {
        match self {
            Op::CreateBucket { bucket, .. }
            | Op::DeleteBucket { bucket }
            | Op::PutBucketOwnershipControls { bucket, .. }
            | Op::GetBucketOwnershipControls { bucket }
            | Op::DeleteBucketOwnershipControls { bucket }
            | Op::PutPublicAccessBlock { bucket, .. }
            | Op::GetPublicAccessBlock { bucket }
            | Op::DeletePublicAccessBlock { bucket }
            | Op::PutBucketPolicy { bucket, .. }
            | Op::GetBucketPolicy { bucket }
            | Op::DeleteBucketPolicy { bucket }
            | Op::PutBucketAcl { bucket, .. }
            | Op::GetBucketAcl { bucket }
            | Op::PutObject { bucket, .. }
            | Op::GetObject { bucket, .. }
            | Op::HeadObject { bucket, .. }
            | Op::DeleteObject { bucket, .. }
            | Op::GetObjectAcl { bucket, .. }
            | Op::PutObjectAcl { bucket, .. }
            | Op::CopyObject { bucket, .. }
            | Op::ListObjects { bucket, .. }
            | Op::HeadBucket { bucket }
            | Op::CreateMultipartUpload { bucket, .. } => Some(bucket),
            _ => None,
        }
    }

    /// The object key a call addresses, for object calls (CopyObject: the key written).
    pub fn key(&self) -> Option<&str> {
        match self {
            Op::PutObject { key, .. }
            | Op::GetObject { key, .. }
            | Op::HeadObject { key, .. }
            | Op::DeleteObject { key, .. }
            | Op::GetObjectAcl { key, .. }
            | Op::PutObjectAcl { key, .. }
            | Op::CopyObject { key, .. }
            | Op::CreateMultipartUpload { key, .. } => Some(key),
            _ => None,
        }
    }

    /// The ACL the request carries: a canned ACL, grant headers or an AccessControlPolicy body;
    /// empty for operations that take none.
    pub fn acl_request(&self) -> AclRequest<'_> {
        match self {
            Op::CreateBucket { acl, grants, .. }
            | Op::PutObject { acl, grants, .. }
            | Op::CopyObject { acl, grants, .. }
            | Op::CreateMultipartUpload { acl, grants, .. } => AclRequest {
                canned: acl.as_deref(),
                grants: grants.as_ref(),
                policy: None,
            },
            Op::PutBucketAcl {
                acl,
                grants,
                access_control_policy,
                ..
            }
            | Op::PutObjectAcl {
                acl,
                grants,
                access_control_policy,
                ..
            } => AclRequest {
                canned: acl.as_deref(),
                grants: grants.as_ref(),
                policy: access_control_policy.as_ref(),
            },
            _ => AclRequest::default(),
        }
    }

    /// The configuration a PutPublicAccessBlock sets (omitted flags are false); all flags off
    /// for other operations.
    pub fn public_access_block(&self) -> PublicAccessBlock {
        match self {
            Op::PutPublicAccessBlock {
                block_public_acls,
                ignore_public_acls,
                block_public_policy,
                restrict_public_buckets,
                ..
            } => PublicAccessBlock {
                block_public_acls: *block_public_acls,
                ignore_public_acls: *ignore_public_acls,
                block_public_policy: *block_public_policy,
                restrict_public_buckets: *restrict_public_buckets,
            },
            _ => PublicAccessBlock::default(),
        }
    }

    /// S3 calls that take `x-amz-expected-bucket-owner` (all bucket-addressed calls but
    /// CreateBucket).
    pub fn takes_expected_bucket_owner(&self) -> bool {
        self.bucket().is_some() && !matches!(self, Op::CreateBucket { .. })
    }
}

/// One step of a scenario. Deserializing goes through [`Step::from_value`], which is strict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Who makes the request: `anon`, `A.root`, `A.admin`, `A.<user>`, or a session's `as_name`.
    #[serde(rename = "as")]
    pub as_: String,
    #[serde(flatten)]
    pub op: Op,
    /// `x-amz-expected-bucket-owner`: an account id (or `${A}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_bucket_owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
}

/// A whole scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The Region the scenario is written for; `None` runs in the Region of the run
    /// (`--region`, default us-east-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// Deviations the model assumes when it replays the scenario (a finding written by a run
    /// with `--assume` carries them): the model, but with these rules changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assume: Vec<Deviation>,
    pub steps: Vec<Step>,
}

/// Why a scenario file cannot be used. Every message names the file; step errors name the step
/// (numbered from 1, as reports show them) and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("{file}: invalid JSON at line {line}, column {column}: {message}")]
    Json {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: {message}")]
    Top { file: String, message: String },
    #[error("{file}: step {step}{op}: {error}")]
    Step {
        file: String,
        step: usize,
        op: String,
        error: StepParseError,
    },
}

/// A scenario written for one Region, run in another.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scenario {scenario} states region {stated}, but the run is in {run} (--region)")]
pub struct RegionConflict {
    pub scenario: String,
    pub stated: Region,
    pub run: Region,
}

/// Why one step cannot be parsed; each message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepParseError {
    #[error("a step must be a JSON object")]
    NotAnObject,
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    #[error("field `{0}` must be a string")]
    NotAString(&'static str),
    #[error("field `as`: {0:?}: the account part must be upper-case letters and digits starting with a letter (A, B, C, …)")]
    BadAccountPart(String),
    #[error("field `as`: {0:?}: bad user name after the account")]
    BadUserName(String),
    #[error("field `as`: {0:?} is neither `anon`, `<ACCOUNT>.<user>` nor a session name")]
    BadPrincipalName(String),
    /// The `expect` object does not parse (serde's message).
    #[error("field `expect`: {0}")]
    Expect(String),
    /// The operation and its fields do not parse (serde's message: unknown op or field,
    /// missing or mistyped field).
    #[error("{0}")]
    Op(String),
    #[error("field `expected_bucket_owner`: {0} does not take it")]
    ExpectedOwnerNotTaken(&'static str),
    #[error("field `as_name`: {0:?} must be non-empty, without dots, and not `anon`")]
    BadSessionName(String),
}

/// Why a step's account placeholders cannot be resolved in a world.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceholderError {
    #[error("placeholder ${{{placeholder}}} names unknown account {account}")]
    UnknownAccount {
        placeholder: String,
        account: String,
    },
    /// The step as JSON (serde's message); plain data serializes, so not expected.
    #[error("{0}")]
    Serialize(String),
    /// The step no longer parses once its placeholders are replaced.
    #[error(transparent)]
    Reparse(#[from] StepParseError),
}

fn is_valid_principal_name(s: &str) -> Result<(), StepParseError> {
    if s == "anon" {
        return Ok(());
    }
    if let Some((acct, user)) = s.split_once('.') {
        if !AccountName::is_valid(acct) {
            return Err(StepParseError::BadAccountPart(s.into()));
        }
        if user.is_empty() || !user.chars().all(iam_name_char) {
            return Err(StepParseError::BadUserName(s.into()));
        }
        return Ok(());
    }
    if is_valid_session_name(s) {
        Ok(())
    } else {
        Err(StepParseError::BadPrincipalName(s.into()))
    }
}

fn iam_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

/// A session's `as_name`: no dot (dots separate account and user), not `anon`.
fn is_valid_session_name(s: &str) -> bool {
    !s.is_empty()
        && s != "anon"
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-@=+,".contains(c))
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Step, D::Error> {
        let v = Value::deserialize(d)?;
        Step::from_value(&v).map_err(serde::de::Error::custom)
    }
}

impl Step {
    /// Parses one step from its JSON value; errors name the field.
    pub fn from_value(v: &Value) -> Result<Step, StepParseError> {
        let Value::Object(m) = v else {
            return Err(StepParseError::NotAnObject);
        };
        let mut rest: Map<String, Value> = m.clone();
        let as_ = match rest.remove("as") {
            Some(Value::String(s)) => s,
            Some(_) => return Err(StepParseError::NotAString("as")),
            None => return Err(StepParseError::MissingField("as")),
        };
        is_valid_principal_name(&as_)?;
        let expect = match rest.remove("expect") {
            None | Some(Value::Null) => None,
            Some(e) => Some(
                serde_json::from_value::<Expect>(e)
                    .map_err(|e| StepParseError::Expect(e.to_string()))?,
            ),
        };
        let expected_bucket_owner = match rest.remove("expected_bucket_owner") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => return Err(StepParseError::NotAString("expected_bucket_owner")),
        };
        if !rest.contains_key("op") {
            return Err(StepParseError::MissingField("op"));
        }
        let op: Op = serde_json::from_value(Value::Object(rest))
            .map_err(|e| StepParseError::Op(e.to_string()))?;
        if expected_bucket_owner.is_some() && !op.takes_expected_bucket_owner() {
            return Err(StepParseError::ExpectedOwnerNotTaken(op.name()));
        }
        if let Op::AssumeRole { as_name, .. } = &op {
            if !is_valid_session_name(as_name) {
                return Err(StepParseError::BadSessionName(as_name.clone()));
            }
        }
        Ok(Step {
            as_,
            op,
            expected_bucket_owner,
            expect,
        })
    }

    /// The step with `${A}`, `${A.canonical}` and `${A.email}` replaced by the world's values.
    /// Policy variables such as `${aws:username}` are left alone.
    pub fn resolved(&self, world: &World) -> Result<Step, PlaceholderError> {
        let v =
            serde_json::to_value(self).map_err(|e| PlaceholderError::Serialize(e.to_string()))?;
        Ok(Step::from_value(&substitute_value(v, world)?)?)
    }

    /// Accounts this step names, in `as` or in placeholders.
    pub fn accounts(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if let Some((a, _)) = self.as_.split_once('.') {
            out.insert(a.to_string());
        }
        if let Ok(v) = serde_json::to_value(self) {
            collect_placeholder_accounts(&v, &mut out);
        }
        out
    }
}

/// `${NAME}`, `${NAME.canonical}`, `${NAME.email}` with NAME an account name; None otherwise.
fn placeholder_account(inner: &str) -> Option<(&str, &str)> {
    let (name, field) = match inner.split_once('.') {
        Some((n, f)) => (n, f),
        None => (inner, "id"),
    };
    (AccountName::is_valid(name) && matches!(field, "id" | "canonical" | "email"))
        .then_some((name, field))
}

fn placeholders(s: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = s[from..].find("${") {
        let start = from + i;
        let Some(j) = s[start..].find('}') else { break };
        out.push((start, start + j + 1, &s[start + 2..start + j]));
        from = start + j + 1;
    }
    out
}

/// Replaces account placeholders in one string.
pub fn substitute(s: &str, world: &World) -> Result<String, PlaceholderError> {
    let mut out = String::new();
    let mut last = 0;
    for (start, end, inner) in placeholders(s) {
        let Some((name, field)) = placeholder_account(inner) else {
            continue;
        };
        let Some(acct) = world.account(&AccountName(name.to_string())) else {
            return Err(PlaceholderError::UnknownAccount {
                placeholder: inner.into(),
                account: name.into(),
            });
        };
        out.push_str(&s[last..start]);
        out.push_str(match field {
            "canonical" => &acct.canonical,
            "email" => &acct.email,
            _ => &acct.id,
        });
        last = end;
    }
    out.push_str(&s[last..]);
    Ok(out)
}

fn substitute_value(v: Value, world: &World) -> Result<Value, PlaceholderError> {
    Ok(match v {
        Value::String(s) => Value::String(substitute(&s, world)?),
        Value::Array(a) => Value::Array(
            a.into_iter()
                .map(|x| substitute_value(x, world))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, x)| Ok((substitute(&k, world)?, substitute_value(x, world)?)))
                .collect::<Result<_, PlaceholderError>>()?,
        ),
        other => other,
    })
}

fn collect_placeholder_accounts(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            for (_, _, inner) in placeholders(s) {
                if let Some((name, _)) = placeholder_account(inner) {
                    out.insert(name.to_string());
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_placeholder_accounts(x, out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            collect_placeholder_accounts(&Value::String(k.clone()), out);
            collect_placeholder_accounts(x, out)
        }),
        _ => {}
    }
}

/// The `assume` field: a list of deviation names.
fn parse_assume(v: Option<&Value>) -> Result<Vec<Deviation>, String> {
    let items = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err("field `assume` must be a list of deviation names".into()),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Value::String(name) = item else {
            return Err("field `assume` must be a list of deviation names".into());
        };
        out.push(
            name.parse::<Deviation>()
                .map_err(|e| format!("field `assume`: {e}"))?,
        );
    }
    out.sort();
    out.dedup();
    Ok(out)
}

impl Scenario {
    /// Parses a scenario from JSON text; `file` names the source in errors.
    pub fn from_json_str(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
        let v: Value = serde_json::from_str(text).map_err(|e| ScenarioError::Json {
            file: file.into(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        Scenario::from_value(&v, file)
    }

    pub fn from_value(v: &Value, file: &str) -> Result<Scenario, ScenarioError> {
        let top = |message: String| ScenarioError::Top {
            file: file.into(),
            message,
        };
        let Value::Object(m) = v else {
            return Err(top("a scenario must be a JSON object".into()));
        };
        if let Some(k) = m.keys().find(|k| {
            !matches!(
                k.as_str(),
                "name" | "description" | "region" | "assume" | "steps"
            )
        }) {
            return Err(top(format!(
                "unknown field `{k}` (expected name, description, region, assume, steps)"
            )));
        }
        let assume = parse_assume(m.get("assume")).map_err(top)?;
        let region = match m.get("region") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                Some(Region::parse(s).map_err(|e| top(format!("field `region`: {e}")))?)
            }
            Some(_) => return Err(top("field `region` must be a string".into())),
        };
        let name = match m.get("name") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err(top("field `name` must be a non-empty string".into())),
        };
        let description = match m.get("description") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(top("field `description` must be a string".into())),
        };
        let Some(Value::Array(raw)) = m.get("steps") else {
            return Err(top("field `steps` must be a list".into()));
        };
        let mut steps = Vec::with_capacity(raw.len());
        for (i, s) in raw.iter().enumerate() {
            let op = s
                .get("op")
                .and_then(Value::as_str)
                .map(|o| format!(" ({o})"))
                .unwrap_or_default();
            steps.push(Step::from_value(s).map_err(|error| ScenarioError::Step {
                file: file.into(),
                step: i + 1,
                op,
                error,
            })?);
        }
        Ok(Scenario {
            name,
            description,
            region,
            assume,
            steps,
        })
    }

    /// Every account the scenario names (in `as` or in placeholders), sorted.
    pub fn accounts(&self) -> BTreeSet<String> {
        self.steps.iter().flat_map(Step::accounts).collect()
    }

    /// A fresh world with the scenario's accounts provisioned, in its Region (default
    /// us-east-1).
    pub fn world(&self) -> World {
        let mut w = World::with_accounts(self.accounts());
        w.region = self.region.clone().unwrap_or_default();
        w
    }

    /// A fresh world in the Region of the run (a target's): refused, as by [`Scenario::set_region`],
    /// when the scenario states another.
    pub fn world_in(&self, region: &Region) -> Result<World, RegionConflict> {
        self.check_region(region)?;
        let mut w = World::with_accounts(self.accounts());
        w.region = region.clone();
        Ok(w)
    }

    /// Sets the Region of the run: a scenario that states none takes it; one that states
    /// another is refused, since its `expect`s may hold only in its own Region.
    pub fn set_region(&mut self, region: &Region) -> Result<(), RegionConflict> {
        self.check_region(region)?;
        self.region = Some(region.clone());
        Ok(())
    }

    fn check_region(&self, region: &Region) -> Result<(), RegionConflict> {
        match &self.region {
            Some(r) if r != region => Err(RegionConflict {
                scenario: self.name.clone(),
                stated: r.clone(),
                run: region.clone(),
            }),
            _ => Ok(()),
        }
    }

    pub fn to_json_pretty(&self) -> String {
        // Serializing plain data to a String cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_name_the_step_and_field() {
        let e = Scenario::from_value(
            &json!({"name": "x", "steps": [
                {"as": "A.admin", "op": "create_bucket", "bucket": "b1"},
                {"as": "A.admin", "op": "put_object", "bucket": "b1", "key": "k", "grant": {}}
            ]}),
            "f.json",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("f.json: step 2 (put_object): unknown field `grant`"),
            "{e}"
        );
        let e = Scenario::from_value(
            &json!({"name": "x", "steps": [{"as": "a.admin", "op": "list_buckets"}]}),
            "f",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("field `as`"), "{e}");
        let e = Scenario::from_value(
            &json!({"name": "x", "steps": [{"as": "A.admin", "op": "frobnicate"}]}),
            "f",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown variant `frobnicate`"), "{e}");
        let e = Scenario::from_value(
            &json!({"name": "x", "steps": [{"as": "A.admin", "op": "get_object", "bucket": "b"}]}),
            "f",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("missing field `key`"), "{e}");
        let e = Scenario::from_json_str("{\n\"name\": ", "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn placeholders_resolve_and_policy_variables_stay() {
        let s = Scenario::from_value(
            &json!({"name": "x", "steps": [
                {"as": "A.admin", "op": "put_bucket_policy", "bucket": "b1", "policy": {"Statement": [{"Effect": "Allow",
                 "Principal": {"AWS": "arn:aws:iam::${B}:root"}, "Action": "s3:GetObject",
                 "Resource": "arn:aws:s3:::b1/${aws:username}/*"}]}}
            ]}),
            "f",
        )
        .unwrap();
        assert_eq!(
            s.accounts(),
            BTreeSet::from(["A".to_string(), "B".to_string()])
        );
        let w = s.world();
        let r = s.steps[0].resolved(&w).unwrap();
        let txt = serde_json::to_string(&r).unwrap();
        assert!(txt.contains("arn:aws:iam::222222222222:root"));
        assert!(txt.contains("${aws:username}"));
    }

    #[test]
    fn round_trips() {
        let s = Scenario::from_value(
            &json!({"name": "x", "steps": [
                {"as": "A.admin", "op": "put_object", "bucket": "b1", "key": "k", "grants": {"full_control": "id=${A.canonical}"},
                 "expected_bucket_owner": "${A}", "expect": {"status": 200, "owner": "A"}},
                {"as": "A.admin", "op": "list_buckets"}
            ]}),
            "f",
        )
        .unwrap();
        let again = Scenario::from_json_str(&s.to_json_pretty(), "again").unwrap();
        assert_eq!(s, again);
    }
}
