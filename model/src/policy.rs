//! The IAM policy language, as used by bucket policies, identity policies, role trust policies
//! and session policies: parse and validate a document, then decide which statements apply to
//! a request. Grammar: [P-grammar]; matching: [P-match]; conditions: [P-cond], [P-cond-absent],
//! [P-sets]; variables: [P-vars]; principals: [R21], [P-notprincipal].

use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// Condition keys of a request, by lower-cased name (key names are case-insensitive).
pub type Keys = BTreeMap<String, Vec<String>>;

/// Which kind of document a policy is; decides the grammar and the error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// A bucket policy (resource-based): Principal required; errors are `MalformedPolicy`.
    Bucket,
    /// An IAM identity policy (user or role permissions): no Principal; `MalformedPolicyDocument`.
    Identity,
    /// A role trust policy: Principal required, no Resource; `MalformedPolicyDocument`.
    Trust,
    /// An AssumeRole session policy: like an identity policy.
    Session,
}

/// A refused policy document: the error AWS returns for it and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PolicyError {
    pub kind: PolicyKind,
    pub message: String,
}

impl PolicyError {
    /// `MalformedPolicy` for bucket policies (S3), `MalformedPolicyDocument` for IAM and STS.
    pub fn code(&self) -> &'static str {
        match self.kind {
            PolicyKind::Bucket => "MalformedPolicy",
            _ => "MalformedPolicyDocument",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action` / `Resource` (a list to match) or `NotAction` / `NotResource` (a list to exclude).
#[derive(Debug, Clone, PartialEq)]
pub enum NameSet {
    Only(Vec<String>),
    Except(Vec<String>),
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PrincipalElement {
    pub negated: bool,
    /// `"*"` or `{"AWS": "*"}`.
    pub any: bool,
    pub aws: Vec<String>,
    pub canonical: Vec<String>,
    /// `Service` / `Federated` principals: valid, but no xacct principal is one.
    pub other: Vec<String>,
    /// A `Federated` principal is among them: public for Block Public Access ([R36]).
    pub federated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    ForAnyValue,
    ForAllValues,
}

/// The condition operators the model knows ([P-cond]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseOp {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    Bool,
    IpAddress,
    NotIpAddress,
    Null,
}

impl BaseOp {
    fn parse(s: &str) -> Option<BaseOp> {
        use BaseOp::*;
        Some(match s {
            "StringEquals" => StringEquals,
            "StringNotEquals" => StringNotEquals,
            "StringEqualsIgnoreCase" => StringEqualsIgnoreCase,
            "StringNotEqualsIgnoreCase" => StringNotEqualsIgnoreCase,
            "StringLike" => StringLike,
            "StringNotLike" => StringNotLike,
            "ArnEquals" => ArnEquals,
            "ArnLike" => ArnLike,
            "ArnNotEquals" => ArnNotEquals,
            "ArnNotLike" => ArnNotLike,
            "NumericEquals" => NumericEquals,
            "NumericNotEquals" => NumericNotEquals,
            "NumericLessThan" => NumericLessThan,
            "NumericLessThanEquals" => NumericLessThanEquals,
            "NumericGreaterThan" => NumericGreaterThan,
            "NumericGreaterThanEquals" => NumericGreaterThanEquals,
            "Bool" => Bool,
            "IpAddress" => IpAddress,
            "NotIpAddress" => NotIpAddress,
            "Null" => Null,
            _ => return None,
        })
    }

    /// String, ARN and Bool operators accept policy variables; Numeric, IP address and Null
    /// do not ([P-vars-ops], DOC condition operators).
    fn takes_variables(self) -> bool {
        use BaseOp::*;
        !matches!(
            self,
            NumericEquals
                | NumericNotEquals
                | NumericLessThan
                | NumericLessThanEquals
                | NumericGreaterThan
                | NumericGreaterThanEquals
                | IpAddress
                | NotIpAddress
                | Null
        )
    }

    /// Negated operators pass on an absent key and combine their values with NOR ([P-cond-absent]).
    pub fn negated(self) -> bool {
        use BaseOp::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | ArnNotEquals
                | ArnNotLike
                | NumericNotEquals
                | NotIpAddress
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator as written (`ForAnyValue:StringLikeIfExists`).
    pub operator: String,
    pub base: BaseOp,
    pub set: Option<SetOp>,
    pub if_exists: bool,
    /// The key as written; compared case-insensitively.
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Position in the Statement list, from 0.
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: Option<PrincipalElement>,
    pub action: NameSet,
    pub resource: Option<NameSet>,
    pub conditions: Vec<Condition>,
}

/// A parsed, valid policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub version: Option<String>,
    pub statements: Vec<Statement>,
    /// The document as given, for Get*Policy.
    pub document: Value,
}

/// Names a statement in explanations: `Sid "111"` or `statement #2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementRef<'p> {
    pub index: usize,
    pub sid: Option<&'p str>,
}

impl fmt::Display for StatementRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sid {
            Some(s) if !s.is_empty() => write!(f, "statement Sid {s:?}"),
            _ => write!(f, "statement #{}", self.index + 1),
        }
    }
}

/// How a resource-based policy's principal names the requester ([R21], [P-session-arn]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalMatch {
    /// Names the requester's account (id, `:root` ARN, canonical id): a grant to the account,
    /// which its IAM principals use only with their own identity allow.
    Account,
    /// Names the role of a session (role ARN): direct, but limited by a session policy.
    Role,
    /// Names the requester itself (user or session ARN), or everyone (`*`, NotPrincipal).
    Direct,
}

/// What a resource-based policy needs to know of the requester.
#[derive(Debug, Clone, Default)]
pub struct Who<'w> {
    pub anonymous: bool,
    pub account_id: Option<Cow<'w, str>>,
    pub canonical: Option<Cow<'w, str>>,
    /// Root, user or assumed-role ARN.
    pub arn: Option<String>,
    /// For a session: its role's ARN.
    pub role_arn: Option<String>,
    pub is_root: bool,
}

/// One request as a policy sees it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub keys: &'a Keys,
}

/// The statements of one policy that decide a request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Evaluation<'p> {
    pub deny: Option<StatementRef<'p>>,
    pub allow: Option<(StatementRef<'p>, PrincipalMatch)>,
}

// ---------------------------------------------------------------------------------------------
// Parsing and validation ([P-grammar])

fn err(kind: PolicyKind, message: impl Into<String>) -> PolicyError {
    PolicyError {
        kind,
        message: message.into(),
    }
}

/// A string or a non-empty list of strings.
fn strings(kind: PolicyKind, field: &str, v: &Value) -> Result<Vec<String>, PolicyError> {
    let scalar = |x: &Value| -> Option<String> {
        match x {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let out = match v {
        Value::Array(items) => items
            .iter()
            .map(|i| scalar(i).ok_or_else(|| err(kind, format!("{field} must hold strings"))))
            .collect::<Result<Vec<_>, _>>()?,
        other => vec![scalar(other).ok_or_else(|| {
            err(
                kind,
                format!("{field} must be a string or a list of strings"),
            )
        })?],
    };
    if out.is_empty() {
        return Err(err(kind, format!("{field} must not be empty")));
    }
    Ok(out)
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Is `s` a principal value AWS accepts in the `AWS` key ([R21])?
fn valid_aws_principal(s: &str) -> bool {
    if s == "*" || is_account_id(s) {
        return true;
    }
    if let Some(rest) = s.strip_prefix("arn:aws:iam::") {
        if let Some((id, res)) = rest.split_once(':') {
            return is_account_id(id)
                && !res.contains('*')
                && (res == "root"
                    || res.strip_prefix("user/").is_some_and(|n| !n.is_empty())
                    || res.strip_prefix("role/").is_some_and(|n| !n.is_empty()));
        }
    }
    if let Some(rest) = s.strip_prefix("arn:aws:sts::") {
        if let Some((id, res)) = rest.split_once(':') {
            let parts: Vec<&str> = res.split('/').collect();
            return is_account_id(id)
                && parts.len() == 3
                && parts[0] == "assumed-role"
                && !parts[1].is_empty()
                && !parts[2].is_empty();
        }
    }
    false
}

fn parse_principal(
    kind: PolicyKind,
    negated: bool,
    v: &Value,
) -> Result<PrincipalElement, PolicyError> {
    let mut p = PrincipalElement {
        negated,
        ..Default::default()
    };
    match v {
        Value::String(s) if s == "*" => p.any = true,
        Value::Object(m) if !m.is_empty() => {
            for (k, val) in m {
                let vals = strings(kind, &format!("Principal.{k}"), val)?;
                match k.as_str() {
                    "AWS" => {
                        for s in vals {
                            if !valid_aws_principal(&s) {
                                return Err(err(
                                    kind,
                                    format!("Invalid principal in policy: {s:?}"),
                                ));
                            }
                            if s == "*" {
                                p.any = true;
                            } else {
                                p.aws.push(s);
                            }
                        }
                    }
                    "CanonicalUser" => {
                        for s in vals {
                            if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
                                return Err(err(
                                    kind,
                                    format!("Invalid principal in policy: {s:?}"),
                                ));
                            }
                            p.canonical.push(s);
                        }
                    }
                    "Service" => p.other.extend(vals),
                    "Federated" => {
                        p.federated = true;
                        p.other.extend(vals);
                    }
                    other => {
                        return Err(err(kind, format!("Invalid principal type {other:?}")));
                    }
                }
            }
        }
        _ => return Err(err(kind, "Invalid principal in policy")),
    }
    if negated && p.any {
        return Err(err(kind, "NotPrincipal cannot be \"*\""));
    }
    Ok(p)
}

fn parse_conditions(kind: PolicyKind, v: &Value) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(ops) = v else {
        return Err(err(kind, "Condition must be an object"));
    };
    let mut out = Vec::new();
    for (op, block) in ops {
        let (set, rest) = if let Some(r) = op.strip_prefix("ForAnyValue:") {
            (Some(SetOp::ForAnyValue), r)
        } else if let Some(r) = op.strip_prefix("ForAllValues:") {
            (Some(SetOp::ForAllValues), r)
        } else {
            (None, op.as_str())
        };
        let (if_exists, name) = match rest.strip_suffix("IfExists") {
            Some(n) if n != "Null" => (true, n),
            _ => (false, rest),
        };
        let base = BaseOp::parse(name)
            .ok_or_else(|| err(kind, format!("Invalid Condition type : {op}")))?;
        let Value::Object(keys) = block else {
            return Err(err(kind, format!("Condition {op} must map keys to values")));
        };
        if keys.is_empty() {
            return Err(err(kind, format!("Condition {op} has no keys")));
        }
        for (key, vals) in keys {
            let values = strings(kind, &format!("Condition.{op}.{key}"), vals)?;
            if base == BaseOp::Null && values.iter().any(|v| v != "true" && v != "false") {
                return Err(err(
                    kind,
                    format!("Null condition on {key} takes true or false"),
                ));
            }
            out.push(Condition {
                operator: op.clone(),
                base,
                set,
                if_exists,
                key: key.clone(),
                values,
            });
        }
    }
    Ok(out)
}

fn parse_statement(kind: PolicyKind, index: usize, v: &Value) -> Result<Statement, PolicyError> {
    let Value::Object(m) = v else {
        return Err(err(kind, "each Statement must be an object"));
    };
    const FIELDS: &[&str] = &[
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    ];
    if let Some(k) = m.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(err(
            kind,
            format!("Unknown field {k} in statement #{}", index + 1),
        ));
    }
    let sid = match m.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(err(kind, "Sid must be a string")),
    };
    let effect = match m.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        Some(other) => return Err(err(kind, format!("Invalid effect: {other}"))),
        None => return Err(err(kind, "Missing required field Effect")),
    };
    let action = parse_statement_action(kind, m)?;
    let resource = parse_statement_resource(kind, m)?;
    let principal = parse_statement_principal(kind, m)?;
    let conditions = match m.get("Condition") {
        Some(c) => parse_conditions(kind, c)?,
        None => Vec::new(),
    };
    Ok(Statement {
        index,
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
    })
}

/// Action or NotAction, exactly one; each `service:action` or `*`.
fn parse_statement_action(
    kind: PolicyKind,
    m: &Map<String, Value>,
) -> Result<NameSet, PolicyError> {
    let action = match (m.get("Action"), m.get("NotAction")) {
        (Some(a), None) => NameSet::Only(strings(kind, "Action", a)?),
        (None, Some(a)) => NameSet::Except(strings(kind, "NotAction", a)?),
        (None, None) => return Err(err(kind, "Missing required field Action")),
        (Some(_), Some(_)) => return Err(err(kind, "Action and NotAction cannot both be set")),
    };
    for a in match &action {
        NameSet::Only(v) | NameSet::Except(v) => v,
    } {
        if a != "*"
            && !a
                .split_once(':')
                .is_some_and(|(svc, act)| !svc.is_empty() && !act.is_empty() && !svc.contains('*'))
        {
            return Err(err(kind, format!("Policy has invalid action: {a:?}")));
        }
    }
    Ok(action)
}

/// Resource or NotResource: required except in trust policies, which may not have one; each
/// an ARN or `*`.
fn parse_statement_resource(
    kind: PolicyKind,
    m: &Map<String, Value>,
) -> Result<Option<NameSet>, PolicyError> {
    let resource = match (m.get("Resource"), m.get("NotResource")) {
        (Some(r), None) => Some(NameSet::Only(strings(kind, "Resource", r)?)),
        (None, Some(r)) => Some(NameSet::Except(strings(kind, "NotResource", r)?)),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(err(kind, "Resource and NotResource cannot both be set"));
        }
    };
    match (&resource, kind) {
        (Some(_), PolicyKind::Trust) => {
            return Err(err(kind, "Has prohibited field Resource"));
        }
        (None, PolicyKind::Bucket | PolicyKind::Identity | PolicyKind::Session) => {
            return Err(err(kind, "Missing required field Resource"));
        }
        _ => {}
    }
    if let Some(NameSet::Only(rs) | NameSet::Except(rs)) = &resource {
        if let Some(r) = rs.iter().find(|r| *r != "*" && !r.starts_with("arn:")) {
            return Err(err(kind, format!("Policy has invalid resource: {r:?}")));
        }
    }
    Ok(resource)
}

/// Principal or NotPrincipal: required in bucket and trust policies, refused in identity and
/// session policies.
fn parse_statement_principal(
    kind: PolicyKind,
    m: &Map<String, Value>,
) -> Result<Option<PrincipalElement>, PolicyError> {
    let principal = match (m.get("Principal"), m.get("NotPrincipal")) {
        (Some(p), None) => Some(parse_principal(kind, false, p)?),
        (None, Some(p)) => Some(parse_principal(kind, true, p)?),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(err(kind, "Principal and NotPrincipal cannot both be set"));
        }
    };
    match (&principal, kind) {
        (Some(_), PolicyKind::Identity | PolicyKind::Session) => {
            Err(err(kind, "Policy document should not specify a principal."))
        }
        (None, PolicyKind::Bucket | PolicyKind::Trust) => {
            Err(err(kind, "Missing required field Principal"))
        }
        _ => Ok(principal),
    }
}

impl Policy {
    /// Parses and validates a document of the given kind. A JSON string holding the document is
    /// accepted too (as the APIs take it).
    pub fn parse(kind: PolicyKind, doc: &Value) -> Result<Policy, PolicyError> {
        let doc = match doc {
            Value::String(s) => serde_json::from_str::<Value>(s)
                .map_err(|e| err(kind, format!("This policy contains invalid Json: {e}")))?,
            other => other.clone(),
        };
        let Value::Object(m) = &doc else {
            return Err(err(kind, "the policy must be a JSON object"));
        };
        if let Some(k) = m
            .keys()
            .find(|k| !matches!(k.as_str(), "Version" | "Id" | "Statement"))
        {
            return Err(err(kind, format!("Unknown field {k}")));
        }
        let version = match m.get("Version") {
            None => None,
            Some(Value::String(v)) if v == "2012-10-17" || v == "2008-10-17" => Some(v.clone()),
            Some(_) => return Err(err(kind, "The policy must contain a valid version string")),
        };
        let stmts = match m.get("Statement") {
            Some(Value::Array(items)) if !items.is_empty() => items.clone(),
            Some(o @ Value::Object(_)) => vec![o.clone()],
            Some(_) => return Err(err(kind, "Statement must be a non-empty list or an object")),
            None => return Err(err(kind, "Missing required field Statement")),
        };
        let statements = stmts
            .iter()
            .enumerate()
            .map(|(i, s)| parse_statement(kind, i, s))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Policy {
            version,
            statements,
            document: doc,
        })
    }

    pub fn parse_identity(doc: &Value) -> Result<Policy, PolicyError> {
        Policy::parse(PolicyKind::Identity, doc)
    }

    /// Policy variables are substituted only under Version 2012-10-17 ([P-vars]).
    pub fn variables_enabled(&self) -> bool {
        self.version.as_deref() == Some("2012-10-17")
    }

    /// Every ARN in a Principal / NotPrincipal `AWS` list.
    pub fn principal_arns(&self) -> impl Iterator<Item = &str> {
        self.statements
            .iter()
            .filter_map(|s| s.principal.as_ref())
            .flat_map(|p| p.aws.iter().map(String::as_str))
    }

    /// Bucket-policy checks that need the bucket's name: every Resource names this bucket, and
    /// each statement's actions apply to at least one of its resources ([R25]).
    pub fn check_bucket_resources(&self, bucket: &str) -> Result<(), PolicyError> {
        let kind = PolicyKind::Bucket;
        for st in &self.statements {
            let Some(NameSet::Only(resources)) = &st.resource else {
                continue;
            };
            for r in resources {
                let Some(rest) = r.strip_prefix("arn:aws:s3:::") else {
                    return Err(err(kind, format!("Policy has invalid resource: {r:?}")));
                };
                let names_bucket = match rest.split_once('/') {
                    Some((b, _)) => glob(&literal_tokens(b), bucket, false),
                    None => {
                        glob(&literal_tokens(rest), bucket, false)
                            || glob(&literal_tokens(rest), &format!("{bucket}/"), false)
                    }
                };
                if !names_bucket {
                    return Err(err(kind, format!("Policy has invalid resource: {r:?}")));
                }
            }
            if let NameSet::Only(actions) = &st.action {
                let mut acts = ResourceTypes::default();
                for a in actions {
                    acts = acts.union(action_types(a));
                }
                let mut res = ResourceTypes::default();
                for r in resources {
                    res = res.union(resource_types(r));
                }
                if !(acts.bucket && res.bucket || acts.object && res.object) {
                    return Err(err(
                        kind,
                        format!(
                            "Action does not apply to any resource(s) in {}",
                            StatementRef {
                                index: st.index,
                                sid: st.sid.as_deref()
                            }
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Evaluates the policy for a request. `who` is the requester for resource-based and trust
    /// policies (Principal is matched); `None` for identity and session policies.
    pub fn evaluate(&self, req: &Request<'_>, who: Option<&Who<'_>>) -> Evaluation<'_> {
        let vars = self.variables_enabled();
        let mut ev = Evaluation::default();
        for st in &self.statements {
            let pm = match (&st.principal, who) {
                (Some(p), Some(w)) => match principal_matches(p, w) {
                    Some(m) => Some(m),
                    None => continue,
                },
                (None, None) => None,
                // An identity policy has no Principal; a resource policy always has one.
                _ => continue,
            };
            if !st.applies(req, vars) {
                continue;
            }
            let r = StatementRef {
                index: st.index,
                sid: st.sid.as_deref(),
            };
            match st.effect {
                Effect::Deny => {
                    if ev.deny.is_none() {
                        ev.deny = Some(r);
                    }
                }
                Effect::Allow => {
                    let m = pm.unwrap_or(PrincipalMatch::Direct);
                    if ev.allow.as_ref().is_none_or(|(_, old)| m > *old) {
                        ev.allow = Some((r, m));
                    }
                }
            }
        }
        ev
    }

    /// Is the policy public ([R36], DOC "The meaning of public")? An Allow statement is public
    /// when its principal is `*`, a NotPrincipal or a federated identity, and no condition
    /// fixes one of the keys that limit access to known parties.
    pub fn is_public(&self) -> bool {
        (0..self.statements.len()).any(|i| self.statement_is_public(i))
    }

    /// Is the statement at `index` an Allow that makes the policy public ([R35], [R36])?
    pub fn statement_is_public(&self, index: usize) -> bool {
        self.statements.get(index).is_some_and(|st| {
            st.effect == Effect::Allow
                && st
                    .principal
                    .as_ref()
                    .is_some_and(|p| p.any || p.negated || p.federated)
                && !st.conditions.iter().any(condition_limits_access)
        })
    }
}

/// A fixed value: no wildcard and no policy variable ([R36]: "values that don't contain a
/// wildcard or an AWS Identity and Access Management Policy Variable").
fn fixed_value(v: &str) -> bool {
    !v.contains('*') && !v.contains('?') && !v.contains("${")
}

/// Does a condition fix one of the keys that make a statement non-public ([R36], [R36a],
/// [R36b], [R36c])? DOC access-control-block-public-access, "The meaning of public", lists:
/// principal keys (e.g. aws:PrincipalOrgID), aws:SourceIp CIDRs no broader than /8 (IPv4) or
/// /32 (IPv6) outside RFC 1918, aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
/// aws:SourceAccount, s3:x-amz-server-side-encryption-aws-kms-key-id, aws:userid outside
/// `AROLEID:*`, s3:DataAccessPointArn (the access point name may be `*` when the account is
/// fixed) and s3:DataAccessPointAccount.
fn condition_limits_access(c: &Condition) -> bool {
    if c.if_exists || c.base.negated() || c.set.is_some() || c.values.is_empty() {
        return false;
    }
    let key = c.key.to_ascii_lowercase();
    let equality = matches!(
        c.base,
        BaseOp::StringEquals
            | BaseOp::StringEqualsIgnoreCase
            | BaseOp::StringLike
            | BaseOp::ArnEquals
            | BaseOp::ArnLike
    );
    match key.as_str() {
        "aws:sourceip" => c.base == BaseOp::IpAddress && c.values.iter().all(|v| narrow_cidr(v)),
        "s3:dataaccesspointarn" => equality && c.values.iter().all(|v| fixed_access_point(v)),
        k if NON_PUBLIC_KEYS.contains(&k) => equality && c.values.iter().all(|v| fixed_value(v)),
        _ => false,
    }
}

/// Keys (lower case) whose fixed values make an Allow non-public ([R36], [R36a]). The page
/// names aws:PrincipalOrgID as its example of principal keys; aws:PrincipalAccount and
/// aws:PrincipalArn are counted as the other keys that fix a principal ([R36a], uncertain).
const NON_PUBLIC_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "aws:userid",
    "s3:dataaccesspointaccount",
];

/// An access point ARN whose account is fixed; its name may be a wildcard ([R36b]).
fn fixed_access_point(v: &str) -> bool {
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    match parts.as_slice() {
        [arn, part, svc, region, account, _] => {
            [arn, part, svc, region].iter().all(|x| fixed_value(x))
                && is_account_id(account)
                && !v.contains("${")
        }
        _ => fixed_value(v),
    }
}

/// Is an `aws:SourceIp` value narrow enough to be non-public ([R36c])? IPv4 ranges up to /8
/// and IPv6 up to /32 are; broader ones are public. The page's "(excluding RFC1918 private
/// ranges)" cannot apply to an IPv4 range broader than /8, so it changes nothing here.
fn narrow_cidr(v: &str) -> bool {
    if !fixed_value(v) {
        return false;
    }
    let (addr, len) = match v.split_once('/') {
        Some((a, l)) => (a, l.parse::<u8>().ok()),
        None => (v, None),
    };
    if addr.parse::<std::net::Ipv4Addr>().is_ok() {
        return len.unwrap_or(32) >= 8;
    }
    if addr.parse::<std::net::Ipv6Addr>().is_ok() {
        return len.unwrap_or(128) >= 32;
    }
    false
}

// ---------------------------------------------------------------------------------------------
// S3 action and resource types, for [R25]

#[derive(Debug, Clone, Copy, Default)]
struct ResourceTypes {
    bucket: bool,
    object: bool,
}

impl ResourceTypes {
    fn union(self, o: ResourceTypes) -> ResourceTypes {
        ResourceTypes {
            bucket: self.bucket || o.bucket,
            object: self.object || o.object,
        }
    }
}

/// S3 actions whose resource is the bucket ARN (DOC list of S3 actions, "Resource types").
pub const S3_BUCKET_ACTIONS: &[&str] = &[
    "s3:CreateBucket",
    "s3:DeleteBucket",
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:ListBucketMultipartUploads",
    "s3:GetBucketAcl",
    "s3:PutBucketAcl",
    "s3:GetBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:GetBucketPolicyStatus",
    "s3:GetBucketOwnershipControls",
    "s3:PutBucketOwnershipControls",
    "s3:GetBucketPublicAccessBlock",
    "s3:PutBucketPublicAccessBlock",
    "s3:GetBucketLocation",
];

/// S3 actions whose resource is an object ARN.
pub const S3_OBJECT_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:GetObjectAcl",
    "s3:PutObjectAcl",
    "s3:GetObjectVersion",
    "s3:DeleteObjectVersion",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
    "s3:GetObjectAttributes",
    "s3:GetObjectTagging",
    "s3:PutObjectTagging",
    "s3:RestoreObject",
];

fn action_types(pattern: &str) -> ResourceTypes {
    let toks = literal_tokens(pattern);
    let t = ResourceTypes {
        bucket: S3_BUCKET_ACTIONS.iter().any(|a| glob(&toks, a, true)),
        object: S3_OBJECT_ACTIONS.iter().any(|a| glob(&toks, a, true)),
    };
    if t.bucket || t.object {
        t
    } else {
        // An action the model does not type: assume it may apply to either.
        ResourceTypes {
            bucket: true,
            object: true,
        }
    }
}

fn resource_types(r: &str) -> ResourceTypes {
    let rest = r.strip_prefix("arn:aws:s3:::").unwrap_or(r);
    ResourceTypes {
        bucket: !rest.contains('/'),
        object: rest.contains('/') || rest.contains('*'),
    }
}

// ---------------------------------------------------------------------------------------------
// Matching

impl Statement {
    /// Do Action, Resource and Condition all match ([P-match], [P-cond])?
    pub fn applies(&self, req: &Request<'_>, vars: bool) -> bool {
        self.action_matches(req.action)
            && self.resource_matches(req.resource, req.keys, vars)
            && self.conditions.iter().all(|c| c.holds(req.keys, vars))
    }

    /// Actions match case-insensitively, with wildcards ([P-match]).
    pub fn action_matches(&self, action: &str) -> bool {
        let any = |v: &Vec<String>| v.iter().any(|p| glob_str(p, action, true));
        match &self.action {
            NameSet::Only(v) => any(v),
            NameSet::Except(v) => !any(v),
        }
    }

    /// Resources match case-sensitively, with wildcards and policy variables ([P-match], [P-vars]).
    pub fn resource_matches(&self, resource: &str, keys: &Keys, vars: bool) -> bool {
        let any = |v: &Vec<String>| {
            v.iter().any(|p| {
                if !vars || !p.contains("${") {
                    glob_str(p, resource, false)
                } else {
                    match tokens(p, keys, vars) {
                        Some(t) => glob(&t, resource, false),
                        None => false,
                    }
                }
            })
        };
        match &self.resource {
            None => true,
            Some(NameSet::Only(v)) => any(v),
            Some(NameSet::Except(v)) => !any(v),
        }
    }
}

fn is_root_arn_of(v: &str, id: &str) -> bool {
    v.strip_prefix("arn:aws:iam::")
        .and_then(|r| r.strip_suffix(":root"))
        == Some(id)
}

/// Does a Principal / NotPrincipal element cover the requester, and how ([R21], [P-notprincipal])?
pub fn principal_matches(p: &PrincipalElement, who: &Who<'_>) -> Option<PrincipalMatch> {
    if p.negated {
        // NotPrincipal exempts a principal only when its own ARN and its account are both
        // listed; for a root user the account entry is its own ARN ([P-notprincipal]).
        let account_listed = who.account_id.as_ref().is_some_and(|id| {
            p.aws.iter().any(|v| v == id || is_root_arn_of(v, id))
                || who
                    .canonical
                    .as_ref()
                    .is_some_and(|c| p.canonical.iter().any(|x| x == c.as_ref()))
        });
        let self_listed = who.is_root || who.arn.as_ref().is_some_and(|a| p.aws.contains(a));
        let exempt = !who.anonymous && account_listed && self_listed;
        return (!exempt).then_some(PrincipalMatch::Direct);
    }
    if p.any {
        return Some(PrincipalMatch::Direct);
    }
    if who.anonymous {
        return None;
    }
    let mut best: Option<PrincipalMatch> = None;
    let mut note = |m: PrincipalMatch| {
        if best.is_none_or(|b| m > b) {
            best = Some(m);
        }
    };
    for v in &p.aws {
        if who.arn.as_deref() == Some(v.as_str()) {
            note(PrincipalMatch::Direct);
        } else if who.role_arn.as_deref() == Some(v.as_str()) {
            note(PrincipalMatch::Role);
        } else if let Some(id) = &who.account_id {
            if v == id || is_root_arn_of(v, id) {
                note(PrincipalMatch::Account);
            }
        }
    }
    if let Some(c) = &who.canonical {
        if p.canonical.iter().any(|x| x == c.as_ref()) {
            note(PrincipalMatch::Account);
        }
    }
    best
}

impl Condition {
    /// Evaluates one condition key of one operator ([P-cond], [P-cond-absent], [P-sets]).
    pub fn holds(&self, keys: &Keys, vars: bool) -> bool {
        let lowered;
        let key: &str = if self.key.bytes().any(|b| b.is_ascii_uppercase()) {
            lowered = self.key.to_ascii_lowercase();
            &lowered
        } else {
            &self.key
        };
        let present = keys.get(key).filter(|v| !v.is_empty());
        if self.base == BaseOp::Null {
            // Null: "true" means the key must be absent, "false" that it must be present.
            return self
                .values
                .iter()
                .any(|v| (v == "true") == present.is_none());
        }
        let Some(req_values) = present else {
            if self.if_exists {
                return true;
            }
            return match self.set {
                Some(SetOp::ForAllValues) => true,
                Some(SetOp::ForAnyValue) => false,
                None => self.base.negated(),
            };
        };
        let one = |rv: &str| {
            let hit = self
                .values
                .iter()
                .any(|pv| positive_match(self.base, pv, rv, keys, vars));
            if self.base.negated() {
                !hit
            } else {
                hit
            }
        };
        match self.set {
            Some(SetOp::ForAllValues) => req_values.iter().all(|v| one(v)),
            _ => req_values.iter().any(|v| one(v)),
        }
    }
}

/// The positive form of an operator: does the policy value match the request value?
fn positive_match(op: BaseOp, pv: &str, rv: &str, keys: &Keys, vars: bool) -> bool {
    use BaseOp::*;
    // [P-vars-ops] "You can not use a policy variable with the Numeric / IpAddress condition
    // operator": only String, ARN and Bool operators substitute variables.
    let vars = vars && op.takes_variables();
    if !vars || !pv.contains("${") {
        match op {
            StringEquals | StringNotEquals => return pv == rv,
            StringLike | StringNotLike => return glob_str(pv, rv, false),
            Bool => return pv.eq_ignore_ascii_case(rv),
            IpAddress | NotIpAddress => return ip_in_cidr(rv, pv),
            _ => {}
        }
    }
    let Some(toks) = tokens(pv, keys, vars) else {
        // An unresolvable variable matches nothing ([P-vars]).
        return false;
    };
    let lit = || tokens_to_literal(&toks);
    match op {
        StringEquals | StringNotEquals => lit() == rv,
        StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => lit().eq_ignore_ascii_case(rv),
        StringLike | StringNotLike => glob(&toks, rv, false),
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => arn_like(&lit(), rv),
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => match (lit().parse::<f64>(), rv.parse::<f64>()) {
            (Ok(p), Ok(r)) => match op {
                NumericEquals | NumericNotEquals => r == p,
                NumericLessThan => r < p,
                NumericLessThanEquals => r <= p,
                NumericGreaterThan => r > p,
                _ => r >= p,
            },
            _ => false,
        },
        Bool => lit().eq_ignore_ascii_case(rv),
        IpAddress | NotIpAddress => ip_in_cidr(rv, &lit()),
        Null => false,
    }
}

/// ArnLike / ArnEquals: each of the six colon-separated parts matches with wildcards.
fn arn_like(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    p.len() == 6
        && a.len() == 6
        && p.iter()
            .zip(&a)
            .all(|(pp, aa)| glob(&literal_tokens(pp), aa, false))
}

fn ip_in_cidr(ip: &str, cidr: &str) -> bool {
    let parse = |s: &str| -> Option<u32> {
        let o: Vec<u8> = s
            .split('.')
            .map(|x| x.parse().ok())
            .collect::<Option<_>>()?;
        (o.len() == 4).then(|| u32::from_be_bytes([o[0], o[1], o[2], o[3]]))
    };
    let (net, bits) = match cidr.split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().unwrap_or(33)),
        None => (cidr, 32),
    };
    match (parse(ip), parse(net)) {
        (Some(i), Some(n)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            i & mask == n & mask
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Wildcards and policy variables

/// A pattern after variable substitution: literal characters and the two wildcards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Lit(char),
    Star,
    Any1,
}

fn literal_tokens(p: &str) -> Vec<Tok> {
    p.chars()
        .map(|c| match c {
            '*' => Tok::Star,
            '?' => Tok::Any1,
            c => Tok::Lit(c),
        })
        .collect()
}

fn tokens_to_literal(t: &[Tok]) -> String {
    t.iter()
        .map(|t| match t {
            Tok::Lit(c) => *c,
            Tok::Star => '*',
            Tok::Any1 => '?',
        })
        .collect()
}

/// Substitutes policy variables (`${aws:username}`, `${key, 'default'}`, `${*}`, `${?}`,
/// `${$}`) into a pattern ([P-vars]). `None` when a variable's key is absent and has no default.
pub fn tokens(p: &str, keys: &Keys, vars: bool) -> Option<Vec<Tok>> {
    if !vars || !p.contains("${") {
        return Some(literal_tokens(p));
    }
    let mut out = Vec::new();
    let mut rest = p;
    while let Some(start) = rest.find("${") {
        out.extend(literal_tokens(&rest[..start]));
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.extend(literal_tokens(&rest[start..]));
            return Some(out);
        };
        let inner = after[..end].trim();
        let value = match inner {
            "*" => "*".to_string(),
            "?" => "?".to_string(),
            "$" => "$".to_string(),
            _ => {
                let (key, default) = match inner.split_once(',') {
                    Some((k, d)) => (k.trim(), Some(d.trim().trim_matches('\'').to_string())),
                    None => (inner, None),
                };
                match keys.get(&key.to_ascii_lowercase()).and_then(|v| v.first()) {
                    Some(v) => v.clone(),
                    None => default?,
                }
            }
        };
        // A substituted value is literal text, even `*` ([P-vars]: `${*}` is a literal asterisk).
        out.extend(value.chars().map(Tok::Lit));
        rest = &after[end + 1..];
    }
    out.extend(literal_tokens(rest));
    Some(out)
}

/// Glob matching with `*` (any run, including `/`) and `?` (one character).
pub fn glob(pattern: &[Tok], text: &str, case_insensitive: bool) -> bool {
    if text.is_ascii() {
        let t = text.as_bytes();
        glob_core(
            pattern.len(),
            |i| pattern[i],
            t.len(),
            |i| t[i] as char,
            case_insensitive,
        )
    } else {
        let t: Vec<char> = text.chars().collect();
        glob_core(
            pattern.len(),
            |i| pattern[i],
            t.len(),
            |i| t[i],
            case_insensitive,
        )
    }
}

/// Glob of a pattern string without tokenizing it first (ASCII fast path).
pub fn glob_str(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        let (p, t) = (pattern.as_bytes(), text.as_bytes());
        let tok = |i: usize| match p[i] {
            b'*' => Tok::Star,
            b'?' => Tok::Any1,
            c => Tok::Lit(c as char),
        };
        glob_core(p.len(), tok, t.len(), |i| t[i] as char, case_insensitive)
    } else {
        glob(&literal_tokens(pattern), text, case_insensitive)
    }
}

fn glob_core(
    plen: usize,
    pat: impl Fn(usize) -> Tok,
    tlen: usize,
    txt: impl Fn(usize) -> char,
    case_insensitive: bool,
) -> bool {
    let eq = |a: char, b: char| {
        if case_insensitive {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut p, mut s) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while s < tlen {
        let tok = if p < plen { Some(pat(p)) } else { None };
        match tok {
            Some(Tok::Star) => {
                star = Some((p, s));
                p += 1;
            }
            Some(Tok::Any1) => {
                p += 1;
                s += 1;
            }
            Some(Tok::Lit(c)) if eq(c, txt(s)) => {
                p += 1;
                s += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    p = sp + 1;
                    s = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    (p.min(plen)..plen).all(|i| pat(i) == Tok::Star)
}

/// Convenience: plain glob of a pattern string.
pub fn wildcard_match(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    glob(&literal_tokens(pattern), text, case_insensitive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(pairs: &[(&str, &str)]) -> Keys {
        let mut k = Keys::new();
        for (a, b) in pairs {
            k.entry(a.to_ascii_lowercase())
                .or_default()
                .push(b.to_string());
        }
        k
    }

    #[test]
    fn glob_matches_wildcards() {
        assert!(wildcard_match("s3:Get*", "s3:GetObject", true));
        assert!(wildcard_match("S3:getobject", "s3:GetObject", true));
        assert!(!wildcard_match(
            "arn:aws:s3:::B1/*",
            "arn:aws:s3:::b1/k",
            false
        ));
        assert!(wildcard_match(
            "arn:aws:s3:::b?/*",
            "arn:aws:s3:::b1/a/b",
            false
        ));
        assert!(wildcard_match("*", "", false));
        assert!(!wildcard_match("a*b", "ac", false));
    }

    #[test]
    fn variables_substitute_and_fail_closed() {
        let k = keys(&[("aws:username", "dave")]);
        let t = tokens("arn:aws:s3:::b1/${aws:username}/*", &k, true).unwrap();
        assert!(glob(&t, "arn:aws:s3:::b1/dave/x", false));
        assert!(tokens("${aws:userid}", &k, true).is_none());
        let t = tokens("${aws:userid, 'none'}", &k, true).unwrap();
        assert!(glob(&t, "none", false));
        // `${*}` is a literal asterisk, not a wildcard.
        let t = tokens("a${*}", &k, true).unwrap();
        assert!(glob(&t, "a*", false) && !glob(&t, "ab", false));
        // Without version 2012-10-17 the text is literal.
        assert!(glob(&tokens("${x}", &k, false).unwrap(), "${x}", false));
    }

    #[test]
    fn absent_keys_follow_the_operator() {
        let c = |op: &str| {
            parse_conditions(
                PolicyKind::Bucket,
                &json!({op: {"s3:x-amz-acl": "private"}}),
            )
            .unwrap()
            .remove(0)
        };
        let none = Keys::new();
        assert!(!c("StringEquals").holds(&none, true));
        assert!(c("StringNotEquals").holds(&none, true));
        assert!(c("StringEqualsIfExists").holds(&none, true));
        assert!(c("ForAllValues:StringEquals").holds(&none, true));
        assert!(!c("ForAnyValue:StringEquals").holds(&none, true));
        let n = parse_conditions(
            PolicyKind::Bucket,
            &json!({"Null": {"s3:x-amz-acl": "true"}}),
        )
        .unwrap()
        .remove(0);
        assert!(n.holds(&none, true));
        assert!(!n.holds(&keys(&[("s3:x-amz-acl", "private")]), true));
    }

    #[test]
    fn negated_operators_use_nor() {
        let c = parse_conditions(
            PolicyKind::Bucket,
            &json!({"StringNotEquals": {"s3:x-amz-acl": ["private", "public-read"]}}),
        )
        .unwrap()
        .remove(0);
        assert!(!c.holds(&keys(&[("s3:x-amz-acl", "private")]), true));
        assert!(!c.holds(&keys(&[("s3:x-amz-acl", "public-read")]), true));
        assert!(c.holds(&keys(&[("s3:x-amz-acl", "authenticated-read")]), true));
    }

    #[test]
    fn grammar_errors_name_the_problem() {
        let e = Policy::parse(PolicyKind::Bucket, &json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]})).unwrap_err();
        assert_eq!(e.code(), "MalformedPolicy");
        assert!(e.message.contains("Principal"));
        let e = Policy::parse(
            PolicyKind::Identity,
            &json!({"Statement": {"Effect": "Permit", "Action": "*", "Resource": "*"}}),
        )
        .unwrap_err();
        assert_eq!(e.code(), "MalformedPolicyDocument");
        let e = Policy::parse(PolicyKind::Trust, &json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123:root"}, "Action": "sts:AssumeRole"}})).unwrap_err();
        assert!(e.message.contains("Invalid principal"));
        assert!(Policy::parse(PolicyKind::Bucket, &json!("{not json")).is_err());
        let e = Policy::parse(PolicyKind::Bucket, &json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "x"}}}})).unwrap_err();
        assert!(e.message.contains("Invalid Condition type"));
    }

    #[test]
    fn object_actions_on_bucket_arn_are_refused() {
        let p = Policy::parse(PolicyKind::Bucket, &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b1"}]})).unwrap();
        let e = p.check_bucket_resources("b1").unwrap_err();
        assert!(e.message.contains("does not apply"));
        let p = Policy::parse(PolicyKind::Bucket, &json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b1"}]})).unwrap();
        assert!(p.check_bucket_resources("b1").is_ok());
        assert!(p.check_bucket_resources("b2").is_err());
    }

    #[test]
    fn public_policies() {
        let p = |doc: Value| Policy::parse(PolicyKind::Bucket, &doc).unwrap().is_public();
        assert!(p(
            json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}})
        ));
        assert!(!p(
            json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}})
        ));
        assert!(!p(
            json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}})
        ));
        assert!(!p(
            json!({"Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}})
        ));
    }

    #[test]
    fn principals_match_by_strength() {
        let who = Who {
            account_id: Some("111111111111".into()),
            arn: Some("arn:aws:sts::111111111111:assumed-role/r/s".into()),
            role_arn: Some("arn:aws:iam::111111111111:role/r".into()),
            ..Default::default()
        };
        let el = |v: Value| parse_principal(PolicyKind::Bucket, false, &v).unwrap();
        assert_eq!(
            principal_matches(&el(json!({"AWS": "111111111111"})), &who),
            Some(PrincipalMatch::Account)
        );
        assert_eq!(
            principal_matches(
                &el(json!({"AWS": "arn:aws:iam::111111111111:role/r"})),
                &who
            ),
            Some(PrincipalMatch::Role)
        );
        assert_eq!(
            principal_matches(
                &el(json!({"AWS": "arn:aws:sts::111111111111:assumed-role/r/s"})),
                &who
            ),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(
            principal_matches(&el(json!({"AWS": "222222222222"})), &who),
            None
        );
        assert_eq!(
            principal_matches(
                &el(json!("*")),
                &Who {
                    anonymous: true,
                    ..Default::default()
                }
            ),
            Some(PrincipalMatch::Direct)
        );
    }
}
