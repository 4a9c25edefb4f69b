//! A bash script that reproduces a scenario with the AWS CLI v2 (`aws s3api`, `aws iam`,
//! `aws sts`), without xacct: the report that goes with every divergence.
//!
//! The script runs against the caller's own accounts, one AWS CLI profile per scenario account
//! for its `admin` principal (`XACCT_PROFILE_A`, …). It resolves the placeholders at run time
//! (`${A}` from `sts get-caller-identity`, `${A.canonical}` from `s3api list-buckets`), puts
//! every logical bucket under `$XACCT_BUCKET_PREFIX` (in bucket arguments and in the
//! `arn:aws:s3:::` ARNs of policies, as [`crate::target::mapping::Mapping::rewrite`] does), creates the
//! users and role sessions the scenario uses as profiles of its own, runs each step through a
//! `step` function that never aborts, and deletes what it created at the end.
//!
//! Everything that comes from the scenario is quoted for the shell: plain arguments are
//! single-quoted; policy documents are written through unquoted heredocs in which `\`, `$` and
//! `` ` `` are escaped, so only the placeholders become shell variables and IAM policy variables
//! such as `${aws:username}` stay literal.

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use xacct_model::acl::{AccessControlPolicy, GrantHeaders};
use xacct_model::outcome::Expect;
use xacct_model::scenario::{Op, Step};
use xacct_model::world::AccountName;
use xacct_model::Scenario;

/// The shell variable prefixing every real bucket name.
const PREFIX_VAR: &str = "XACCT_BUCKET_PREFIX";

/// A piece of a string from the scenario: literal text, or a shell variable standing for a
/// placeholder (`${A}` → `ACCT_A`), the admin's ARN, or the bucket prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Lit(String),
    Var(String),
}

fn push_lit(p: &mut Vec<Piece>, s: &str) {
    if let Some(Piece::Lit(l)) = p.last_mut() {
        l.push_str(s);
    } else {
        p.push(Piece::Lit(s.to_string()));
    }
}

/// The shell variable of an account placeholder's inside (`A`, `A.canonical`, `A.email`), as
/// the model recognises them; `None` for anything else (policy variables).
fn placeholder_var(inner: &str) -> Option<String> {
    let (name, field) = inner.split_once('.').unwrap_or((inner, "id"));
    if !AccountName::is_valid(name) {
        return None;
    }
    let var = match field {
        "id" => "ACCT",
        "canonical" => "CANON",
        "email" => "EMAIL",
        _ => return None,
    };
    Some(format!("{var}_{name}"))
}

/// `arn:aws:iam::${A}:user/admin` (not followed by more of a name or path) at the start of
/// `s`: the ARN of the account's admin, which here is whoever the account's profile is.
fn admin_arn(s: &str) -> Option<(String, usize)> {
    let rest = s.strip_prefix("arn:aws:iam::${")?;
    let j = rest.find('}')?;
    let name = &rest[..j];
    if !AccountName::is_valid(name) {
        return None;
    }
    let after = rest[j + 1..].strip_prefix(":user/admin")?;
    let bounded = after
        .chars()
        .next()
        .is_none_or(|c| !(c.is_ascii_alphanumeric() || "+=.@_-/,".contains(c)));
    bounded.then(|| (format!("ADMIN_ARN_{name}"), s.len() - after.len()))
}

/// Where a bucket name inside an S3 ARN ends (mirrors `mapping::replace_bounded`).
fn bucket_bounded(after: &str) -> bool {
    after.is_empty() || after.starts_with(['/', '*', '?', '"'])
}

/// Splits a scenario string into literal text and shell variables: account placeholders, the
/// admins' ARNs, and the run's prefix before logical buckets in `arn:aws:s3:::` ARNs.
/// `buckets` is longest first. Placeholders are found as the model finds them: from `${` to
/// the next `}`.
fn template(s: &str, buckets: &[String]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if let Some((var, len)) = admin_arn(rest) {
            out.push(Piece::Var(var));
            i += len;
            continue;
        }
        if let Some(after) = rest.strip_prefix("${") {
            match after.find('}') {
                Some(j) => {
                    match placeholder_var(&after[..j]) {
                        Some(v) => out.push(Piece::Var(v)),
                        None => push_lit(&mut out, &rest[..j + 3]),
                    }
                    i += j + 3;
                }
                None => {
                    push_lit(&mut out, rest);
                    i = s.len();
                }
            }
            continue;
        }
        const S3: &str = "arn:aws:s3:::";
        if let Some(after) = rest.strip_prefix(S3) {
            if let Some(b) = buckets
                .iter()
                .find(|b| after.starts_with(b.as_str()) && bucket_bounded(&after[b.len()..]))
            {
                push_lit(&mut out, S3);
                out.push(Piece::Var(PREFIX_VAR.into()));
                push_lit(&mut out, b);
                i += S3.len() + b.len();
                continue;
            }
        }
        let Some(ch) = rest.chars().next() else { break };
        push_lit(&mut out, ch.encode_utf8(&mut [0; 4]));
        i += ch.len_utf8();
    }
    out
}

/// One shell word holding exactly `s`, always single-quoted (case patterns).
fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// One shell word holding exactly `s`.
fn sq(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_string()
    } else {
        q(s)
    }
}

/// One shell word: literal pieces single-quoted, variables double-quoted.
fn word(p: &[Piece]) -> String {
    let mut w = String::new();
    for x in p {
        match x {
            Piece::Lit(l) if l.is_empty() => {}
            Piece::Lit(l) => w.push_str(&sq(l)),
            Piece::Var(v) => write!(w, "\"${{{v}}}\"").unwrap_or_default(),
        }
    }
    if w.is_empty() {
        "''".into()
    } else {
        w
    }
}

/// The text of an unquoted heredoc that expands to the pieces: `\`, `$` and `` ` `` escaped
/// in literals.
fn heredoc_text(p: &[Piece]) -> String {
    let mut t = String::new();
    for x in p {
        match x {
            Piece::Lit(l) => {
                for c in l.chars() {
                    if matches!(c, '\\' | '$' | '`') {
                        t.push('\\');
                    }
                    t.push(c);
                }
            }
            Piece::Var(v) => write!(t, "${{{v}}}").unwrap_or_default(),
        }
    }
    t
}

/// A policy document as the request carries it: a string as given, JSON compact (RGW's IAM
/// API refuses pretty-printed documents).
fn doc_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// The JSON the CLI takes for `--access-control-policy`.
fn acp_json(p: &AccessControlPolicy) -> String {
    let mut m = serde_json::Map::new();
    if let Some(o) = &p.owner {
        let id = o.strip_prefix("id=").unwrap_or(o);
        m.insert("Owner".into(), json!({ "ID": id }));
    }
    let grants: Vec<Value> = p
        .grants
        .iter()
        .map(|g| {
            let (kind, val) = g
                .grantee
                .split_once('=')
                .unwrap_or(("id", g.grantee.as_str()));
            let grantee = match kind {
                "uri" => json!({"Type": "Group", "URI": val}),
                "emailAddress" => json!({"Type": "AmazonCustomerByEmail", "EmailAddress": val}),
                _ => json!({"Type": "CanonicalUser", "ID": val}),
            };
            json!({"Grantee": grantee, "Permission": g.permission})
        })
        .collect();
    m.insert("Grants".into(), Value::Array(grants));
    serde_json::to_string(&Value::Object(m)).unwrap_or_default()
}

/// `403 AccessDenied`, `200`, or `-` without an expectation.
fn expected(e: Option<&Expect>) -> String {
    match e {
        None => "-".into(),
        Some(e) => match (e.status, &e.code) {
            (Some(s), Some(c)) => format!("{s} {c}"),
            (Some(s), None) => s.to_string(),
            // A code alone: the status of S3's usual answer is unknown here; any failure with
            // that code matches.
            (None, Some(c)) => format!("4xx {c}"),
            (None, None) => "-".into(),
        },
    }
}

/// Text for a `#` comment: one line, no control characters.
fn comment_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for w in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + w.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn logical_buckets(s: &Scenario) -> Vec<String> {
    let mut v: BTreeSet<String> = BTreeSet::new();
    for st in &s.steps {
        if let Some(b) = st.op.bucket() {
            v.insert(b.to_string());
        }
        if let Op::CopyObject { source_bucket, .. } = &st.op {
            v.insert(source_bucket.clone());
        }
    }
    let mut v: Vec<String> = v.into_iter().collect();
    v.sort_by_key(|b| std::cmp::Reverse(b.len()));
    v
}

/// The scenario account a role ARN names through a placeholder (`arn:aws:iam::${A}:role/r`).
fn role_account(role_arn: &str) -> Option<String> {
    let (id, _) = xacct_model::principal::parse_role_arn(role_arn)?;
    let name = id.strip_prefix("${")?.strip_suffix('}')?;
    AccountName::is_valid(name).then(|| name.to_string())
}

/// A user or role session the script makes a profile for.
struct Made {
    /// `READY_<n>`: set to 1 once the profile works.
    ready: String,
    profile: String,
    /// Why a step as this principal is not run when the profile is not ready.
    missing: String,
}

struct Gen<'a> {
    sc: &'a Scenario,
    buckets: Vec<String>,
    accounts: BTreeSet<String>,
    /// Session `as_name` → the account of its role.
    session_account: BTreeMap<String, String>,
    /// Principal name (`C.eve`, `dave-in-A`) → its profile.
    made: BTreeMap<String, Made>,
    out: String,
}

impl<'a> Gen<'a> {
    fn new(sc: &'a Scenario) -> Gen<'a> {
        let mut g = Gen {
            sc,
            buckets: logical_buckets(sc),
            accounts: sc.accounts(),
            session_account: BTreeMap::new(),
            made: BTreeMap::new(),
            out: String::new(),
        };
        for st in &sc.steps {
            if let Op::AssumeRole {
                role_arn, as_name, ..
            } = &st.op
            {
                if let Some(a) = role_account(role_arn) {
                    g.session_account.insert(as_name.clone(), a);
                }
            }
        }
        for st in &sc.steps {
            let n = g.made.len() + 1;
            match &st.op {
                Op::CreateUser { name, .. } => {
                    if let Some(a) = g.account_of(&st.as_) {
                        let who = format!("{a}.{name}");
                        g.made.entry(who.clone()).or_insert(Made {
                            ready: format!("READY_{n}"),
                            profile: format!("xacct-repro-{a}-{name}"),
                            missing: format!("user {who} was not created"),
                        });
                    }
                }
                Op::AssumeRole { as_name, .. } => {
                    g.made.entry(as_name.clone()).or_insert(Made {
                        ready: format!("READY_{n}"),
                        profile: format!("xacct-repro-session-{as_name}"),
                        missing: format!("no session {as_name}: its assume_role did not succeed"),
                    });
                }
                _ => {}
            }
        }
        g
    }

    /// The account of a principal (`A.x` → A; a session → its role's account).
    fn account_of(&self, principal: &str) -> Option<String> {
        match principal.split_once('.') {
            Some((a, _)) => Some(a.to_string()),
            None => self.session_account.get(principal).cloned(),
        }
    }

    fn w(&self, s: &str) -> String {
        word(&template(s, &self.buckets))
    }

    /// `--flag WORD` with placeholders and bucket ARNs resolved (grants, ARNs, account ids),
    /// or `--flag=WORD` when the value starts with `-` (the CLI would take it for an option).
    fn tpl(&self, flag: &str, value: &str) -> String {
        let w = self.w(value);
        if value.starts_with('-') {
            format!("{flag}={w}")
        } else {
            format!("{flag} {w}")
        }
    }

    /// `--flag WORD` with the value verbatim (keys, names: xacct sends them as they are).
    fn lit(&self, flag: &str, value: &str) -> String {
        let w = sq(value);
        if value.starts_with('-') {
            format!("{flag}={w}")
        } else {
            format!("{flag} {w}")
        }
    }

    fn bucket(&self, logical: &str) -> String {
        let w = word(&[
            Piece::Var(PREFIX_VAR.into()),
            Piece::Lit(logical.to_string()),
        ]);
        format!("--bucket {w}")
    }

    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    /// Writes a document through a heredoc into `$WORK/doc` and reads it into `var`.
    fn doc(&mut self, var: &str, text: &str) {
        let body = heredoc_text(&template(text, &self.buckets));
        let mut delim = "XACCT_EOF".to_string();
        while body.lines().any(|l| l == delim) {
            delim.push('_');
        }
        self.line(&format!("cat >\"$WORK/doc\" <<{delim}\n{body}\n{delim}"));
        self.line(&format!("{var}=$(cat \"$WORK/doc\")"));
    }

    fn acl_args(
        &self,
        args: &mut Vec<String>,
        acl: Option<&String>,
        grants: Option<&GrantHeaders>,
        write: bool,
    ) {
        if let Some(a) = acl {
            args.push(self.lit("--acl", a));
        }
        if let Some(g) = grants {
            let all = [
                ("--grant-read", &g.read),
                ("--grant-write", &g.write),
                ("--grant-read-acp", &g.read_acp),
                ("--grant-write-acp", &g.write_acp),
                ("--grant-full-control", &g.full_control),
            ];
            for (flag, v) in all {
                if flag == "--grant-write" && !write {
                    continue;
                }
                if let Some(v) = v {
                    args.push(self.tpl(flag, v));
                }
            }
        }
    }

    fn run(mut self) -> String {
        self.header();
        self.functions();
        self.setup();
        for (i, st) in self.sc.steps.iter().enumerate() {
            self.step(i + 1, st);
        }
        self.cleanup();
        self.out
    }

    fn header(&mut self) {
        let sc = self.sc;
        let n = sc.steps.len();
        let accts: Vec<&str> = self.accounts.iter().map(String::as_str).collect();
        let mut h = String::from("#!/usr/bin/env bash\n");
        writeln!(
            h,
            "# xacct reproduction of scenario {}",
            comment_safe(&sc.name)
        )
        .ok();
        if let Some(d) = &sc.description {
            for l in wrap(&comment_safe(d), 92) {
                writeln!(h, "#   {l}").ok();
            }
        }
        let profiles: Vec<String> = accts
            .iter()
            .map(|a| format!("XACCT_PROFILE_{a}=<profile>"))
            .collect();
        let example = if profiles.is_empty() {
            String::new()
        } else {
            format!("{} ", profiles.join(" "))
        };
        let uses_email = sc.to_json_pretty().contains(".email}");
        let text = format!(
            r#"#
# Generated by xacct. It replays the scenario's {n} steps with the AWS CLI v2 (aws s3api, aws iam,
# aws sts), without xacct, in your own accounts ({accounts}). Each step prints the answer the
# reference model expects and what the CLI reported; a step that fails does not stop the script.
# At the end it deletes everything it created.
#
# Run:   {example}bash THIS_FILE
#
# Environment:
#   XACCT_PROFILE_<ACCOUNT>       AWS CLI profile of the account's `admin` principal (default
#                                 xacct-<ACCOUNT>, e.g. xacct-A). An IAM user named `admin` with
#                                 AdministratorAccess reproduces the scenario most faithfully.
#                                 Policies naming arn:aws:iam::${{A}}:user/admin are given the
#                                 profile's own ARN (override: XACCT_ADMIN_ARN_<ACCOUNT>).
#   XACCT_ROOT_PROFILE_<ACCOUNT>  profile of the account's root user, for steps run as A.root
#                                 (they are not run without it).{email}
#   XACCT_ENDPOINT_URL            an S3-compatible endpoint: every command gets --endpoint-url
#                                 (buckets are addressed by name alone: Ceph RGW's tenant:bucket
#                                 form for another tenant's bucket is not used)
#   XACCT_REGION                  default: the region of the first account's profile, else us-east-1
#   XACCT_BUCKET_PREFIX           prefix of every bucket name (default xacct-repro-$RANDOM-)
#   XACCT_IAM_SLEEP               seconds to wait after IAM changes and for new access keys
#                                 (default 10 on AWS, 0 with XACCT_ENDPOINT_URL)
#   XACCT_KEEP=1                  skip the clean-up
#
# The profiles it makes for IAM users and role sessions (xacct-repro-*) go into private copies of
# your AWS CLI config and credentials files, in a temporary directory deleted on exit: your own
# files are not changed.
#
# Exit status: 0 when every step answered as the model expects, 1 otherwise, 2 when setup fails.
"#,
            accounts = if accts.is_empty() {
                "no account".to_string()
            } else {
                accts.join(", ")
            },
            email = if uses_email {
                "\n#   XACCT_EMAIL_<ACCOUNT>         the e-mail address ${A.email} stands for (needed here)"
            } else {
                ""
            },
        );
        h.push_str(&text);
        self.out.push_str(&h);
    }

    fn functions(&mut self) {
        self.out.push_str(FUNCTIONS);
        // Principals: their CLI options.
        let mut p = String::from(
            "\nprincipal_args() { # principal_args PRINCIPAL: sets WHO to its CLI options, or WHY and fails\n  WHY=\n  case \"$1\" in\n",
        );
        for a in &self.accounts {
            writeln!(
                p,
                "    {}) WHO=(--profile \"$PROFILE_{a}\") ;;",
                q(&format!("{a}.admin"))
            )
            .ok();
            writeln!(
                p,
                "    {}) if [ -n \"$ROOT_PROFILE_{a}\" ]; then WHO=(--profile \"$ROOT_PROFILE_{a}\"); else WHY='XACCT_ROOT_PROFILE_{a} is not set'; return 1; fi ;;",
                q(&format!("{a}.root"))
            )
            .ok();
        }
        for (who, m) in &self.made {
            writeln!(
                p,
                "    {}) if [ \"${}\" = 1 ]; then WHO=(--profile {}); else WHY={}; return 1; fi ;;",
                q(who),
                m.ready,
                sq(&m.profile),
                sq(&m.missing)
            )
            .ok();
        }
        p.push_str("    anon) WHO=(--no-sign-request) ;;\n");
        p.push_str("    *) WHY=\"$1 is neither an account's admin or root, nor a user or session this script creates\"; return 1 ;;\n  esac\n}\n");
        self.out.push_str(&p);
    }

    fn setup(&mut self) {
        let mut s = String::from(SETUP);
        let first = self.accounts.iter().next().cloned();
        s.push_str(
            "\n# One profile per account for its admin; an optional one for its root user.\n",
        );
        for a in &self.accounts {
            writeln!(s, "PROFILE_{a}=\"${{XACCT_PROFILE_{a}:-xacct-{a}}}\"").ok();
            writeln!(s, "ROOT_PROFILE_{a}=\"${{XACCT_ROOT_PROFILE_{a}:-}}\"").ok();
        }
        s.push_str("\nXACCT_REGION=\"${XACCT_REGION:-}\"\n");
        if let Some(a) = &first {
            writeln!(
                s,
                "[ -n \"$XACCT_REGION\" ] || XACCT_REGION=$(aws configure get region --profile \"$PROFILE_{a}\" 2>/dev/null)"
            )
            .ok();
        }
        s.push_str(SETUP_COMMON);
        if !self.accounts.is_empty() {
            s.push_str("\n# Placeholders: ${A} (account id), ${A.canonical} (canonical user id), and the admin's ARN.\n");
        }
        for a in &self.accounts {
            writeln!(
                s,
                r#"ident=$(aws --profile "$PROFILE_{a}" "${{COMMON[@]}}" sts get-caller-identity --query '[Account,Arn]' --output text) \
  || die "account {a}: sts get-caller-identity failed with profile $PROFILE_{a}"
read -r ACCT_{a} arn <<<"$ident"
ADMIN_ARN_{a}="${{XACCT_ADMIN_ARN_{a}:-$arn}}"
CANON_{a}=$(aws --profile "$PROFILE_{a}" "${{COMMON[@]}}" s3api list-buckets --query Owner.ID --output text) \
  || die "account {a}: s3api list-buckets failed with profile $PROFILE_{a}"
EMAIL_{a}="${{XACCT_EMAIL_{a}:-}}"
echo "account {a}: id $ACCT_{a}, canonical id $CANON_{a}, admin $ADMIN_ARN_{a} (profile $PROFILE_{a})""#
            )
            .ok();
        }
        if self.sc.to_json_pretty().contains(".email}") {
            for a in &self.accounts {
                writeln!(
                    s,
                    "[ -n \"$EMAIL_{a}\" ] || echo \"warning: the scenario uses \\${{{a}.email}} but XACCT_EMAIL_{a} is not set\" >&2"
                )
                .ok();
            }
        }
        if !self.made.is_empty() {
            let mut readies: Vec<&str> = self.made.values().map(|m| m.ready.as_str()).collect();
            readies.sort_by_key(|r| (r.len(), *r));
            let readies: Vec<String> = readies.iter().map(|r| format!("{r}=0")).collect();
            writeln!(
                s,
                "\n# Users and role sessions this script makes profiles for, once they work.\n{}",
                readies.join(" ")
            )
            .ok();
        }
        writeln!(s, "echo \"buckets: ${{{PREFIX_VAR}}}<name>\"\necho").ok();
        self.out.push_str(&s);
    }

    fn step(&mut self, n: usize, st: &Step) {
        let op = st.op.name();
        let expect = st
            .expect
            .as_ref()
            .and_then(|e| serde_json::to_string(e).ok())
            .map(|e| format!(", expect {e}"))
            .unwrap_or_default();
        self.line(&format!(
            "\n# step {n}: {} {op}{}",
            comment_safe(&st.as_),
            comment_safe(&expect)
        ));
        let want = sq(&expected(st.expect.as_ref()));
        let who = sq(&st.as_);
        let mut args: Vec<String> = Vec::new();
        let mut show = false;
        let mut after: Vec<String> = Vec::new();
        let mut settle = false;
        let acct = self.account_of(&st.as_);
        match &st.op {
            Op::CreateBucket {
                bucket,
                object_ownership,
                acl,
                grants,
            } => {
                args.extend(["s3api create-bucket".into(), self.bucket(bucket)]);
                if let Some(o) = object_ownership {
                    args.push(self.lit("--object-ownership", o));
                }
                self.acl_args(&mut args, acl.as_ref(), grants.as_ref(), true);
                args.push("${CBC[@]+\"${CBC[@]}\"}".into());
                let name = word(&[Piece::Var(PREFIX_VAR.into()), Piece::Lit(bucket.clone())]);
                if let Some(a) = &acct {
                    after.push(format!("register_bucket {a}:{name}"));
                }
            }
            Op::DeleteBucket { bucket } => {
                args.extend(["s3api delete-bucket".into(), self.bucket(bucket)]);
            }
            Op::PutBucketOwnershipControls {
                bucket,
                object_ownership,
            } => {
                let oc = json!({"Rules": [{"ObjectOwnership": object_ownership}]}).to_string();
                args.extend([
                    "s3api put-bucket-ownership-controls".into(),
                    self.bucket(bucket),
                    format!("--ownership-controls {}", sq(&oc)),
                ]);
            }
            Op::GetBucketOwnershipControls { bucket } => {
                show = true;
                args.extend([
                    "s3api get-bucket-ownership-controls".into(),
                    self.bucket(bucket),
                ]);
            }
            Op::DeleteBucketOwnershipControls { bucket } => {
                args.extend([
                    "s3api delete-bucket-ownership-controls".into(),
                    self.bucket(bucket),
                ]);
            }
            Op::PutPublicAccessBlock {
                bucket,
                block_public_acls,
                ignore_public_acls,
                block_public_policy,
                restrict_public_buckets,
            } => {
                let cfg = json!({
                    "BlockPublicAcls": block_public_acls,
                    "IgnorePublicAcls": ignore_public_acls,
                    "BlockPublicPolicy": block_public_policy,
                    "RestrictPublicBuckets": restrict_public_buckets,
                })
                .to_string();
                args.extend([
                    "s3api put-public-access-block".into(),
                    self.bucket(bucket),
                    format!("--public-access-block-configuration {}", sq(&cfg)),
                ]);
            }
            Op::GetPublicAccessBlock { bucket } => {
                show = true;
                args.extend(["s3api get-public-access-block".into(), self.bucket(bucket)]);
            }
            Op::DeletePublicAccessBlock { bucket } => {
                args.extend([
                    "s3api delete-public-access-block".into(),
                    self.bucket(bucket),
                ]);
            }
            Op::PutBucketPolicy { bucket, policy } => {
                self.doc("doc", &doc_text(policy));
                args.extend([
                    "s3api put-bucket-policy".into(),
                    self.bucket(bucket),
                    "--policy \"$doc\"".into(),
                ]);
            }
            Op::GetBucketPolicy { bucket } => {
                show = true;
                args.extend([
                    "s3api get-bucket-policy".into(),
                    self.bucket(bucket),
                    "--query Policy --output text".into(),
                ]);
            }
            Op::DeleteBucketPolicy { bucket } => {
                args.extend(["s3api delete-bucket-policy".into(), self.bucket(bucket)]);
            }
            Op::PutBucketAcl {
                bucket,
                acl,
                grants,
                access_control_policy,
            } => {
                args.extend(["s3api put-bucket-acl".into(), self.bucket(bucket)]);
                self.acl_args(&mut args, acl.as_ref(), grants.as_ref(), true);
                if let Some(p) = access_control_policy {
                    self.doc("doc", &acp_json(p));
                    args.push("--access-control-policy \"$doc\"".into());
                }
            }
            Op::GetBucketAcl { bucket } => {
                show = true;
                args.extend(["s3api get-bucket-acl".into(), self.bucket(bucket)]);
            }
            Op::PutObject {
                bucket,
                key,
                acl,
                grants,
            } => {
                args.extend([
                    "s3api put-object".into(),
                    self.bucket(bucket),
                    self.lit("--key", key),
                    "--body \"$BODY\"".into(),
                ]);
                self.acl_args(&mut args, acl.as_ref(), grants.as_ref(), false);
            }
            Op::GetObject { bucket, key } => {
                args.extend([
                    "s3api get-object".into(),
                    self.bucket(bucket),
                    self.lit("--key", key),
                    "/dev/null".into(),
                ]);
            }
            Op::HeadObject { bucket, key } => {
                args.extend([
                    "s3api head-object".into(),
                    self.bucket(bucket),
                    self.lit("--key", key),
                ]);
            }
            Op::DeleteObject { bucket, key } => {
                args.extend([
                    "s3api delete-object".into(),
                    self.bucket(bucket),
                    self.lit("--key", key),
                ]);
            }
            Op::GetObjectAcl { bucket, key } => {
                show = true;
                args.extend([
                    "s3api get-object-acl".into(),
                    self.bucket(bucket),
                    self.lit("--key", key),
                ]);
            }
            Op::PutObjectAcl {
                bucket,
                key,
                acl,
                grants,
                access_control_policy,
            } => {
                args.extend([
                    "s3api put-object-acl".into(),
                    self.bucket(bucket),
                    self.lit("--key", key),
                ]);
                self.acl_args(&mut args, acl.as_ref(), grants.as_ref(), false);
                if let Some(p) = access_control_policy {
                    self.doc("doc", &acp_json(p));
                    args.push("--access-control-policy \"$doc\"".into());
                }
            }
            Op::CopyObject {
                bucket,
                key,
                source_bucket,
                source_key,
                acl,
                grants,
            } => {
                let src = word(&[
                    Piece::Var(PREFIX_VAR.into()),
                    Piece::Lit(format!("{source_bucket}/{source_key}")),
                ]);
                args.extend([
                    "s3api copy-object".into(),
                    self.bucket(bucket),
                    self.lit("--key", key),
                    format!("--copy-source {src}"),
                ]);
                self.acl_args(&mut args, acl.as_ref(), grants.as_ref(), false);
            }
            Op::ListObjects { bucket, prefix } => {
                show = true;
                args.extend(["s3api list-objects-v2".into(), self.bucket(bucket)]);
                if let Some(p) = prefix {
                    args.push(self.lit("--prefix", p));
                }
                args.push("--query 'Contents[].Key'".into());
            }
            Op::ListBuckets {} => {
                show = true;
                args.push(format!(
                    "s3api list-buckets --query \"Buckets[?starts_with(Name, '${{{PREFIX_VAR}}}')].Name\""
                ));
            }
            Op::CreateMultipartUpload {
                bucket,
                key,
                acl,
                grants,
            } => {
                args.extend([
                    "s3api create-multipart-upload".into(),
                    self.bucket(bucket),
                    self.lit("--key", key),
                ]);
                self.acl_args(&mut args, acl.as_ref(), grants.as_ref(), false);
                args.push("--query UploadId --output text".into());
                // Abort at once, as xacct does: a started upload is all the rules are about.
                after.push(format!(
                    "[ \"$LAST_RC\" = 0 ] && aux {who} s3api abort-multipart-upload {} {} --upload-id \"$(cat \"$LAST_OUT\")\"",
                    self.bucket(bucket),
                    self.lit("--key", key)
                ));
            }
            Op::CreateUser { name, policy } => {
                settle = true;
                args.extend(["iam create-user".into(), self.lit("--user-name", name)]);
                let mut then = Vec::new();
                if let Some(a) = &acct {
                    then.push(format!("CLEAN_USERS+=({a}:{})", sq(name)));
                }
                if let Some(p) = policy {
                    // The document is written before the step, so the step reads as one block.
                    self.doc("doc", &doc_text(p));
                    then.push(format!(
                        "aux {who} iam put-user-policy {} --policy-name inline --policy-document \"$doc\"",
                        self.lit("--user-name", name)
                    ));
                }
                if let Some(m) = acct
                    .as_ref()
                    .and_then(|a| self.made.get(&format!("{a}.{name}")))
                {
                    then.push(format!(
                        "user_profile {who} {} {} && {}=1",
                        sq(name),
                        sq(&m.profile),
                        m.ready
                    ));
                }
                if !then.is_empty() {
                    after.push(format!(
                        "if [ \"$LAST_RC\" = 0 ]; then\n  {}\nfi",
                        then.join("\n  ")
                    ));
                }
            }
            Op::PutUserPolicy {
                user,
                policy_name,
                policy,
            } => {
                settle = true;
                self.doc("doc", &doc_text(policy));
                args.extend([
                    "iam put-user-policy".into(),
                    self.lit("--user-name", user),
                    self.lit("--policy-name", policy_name.as_deref().unwrap_or("inline")),
                    "--policy-document \"$doc\"".into(),
                ]);
            }
            Op::CreateRole {
                name,
                trust_policy,
                policy,
            } => {
                settle = true;
                self.doc("trust", &doc_text(trust_policy));
                args.extend([
                    "iam create-role".into(),
                    self.lit("--role-name", name),
                    "--assume-role-policy-document \"$trust\"".into(),
                ]);
                let mut then = Vec::new();
                if let Some(a) = &acct {
                    then.push(format!("CLEAN_ROLES+=({a}:{})", sq(name)));
                }
                if let Some(p) = policy {
                    self.doc("doc", &doc_text(p));
                    then.push(format!(
                        "aux {who} iam put-role-policy {} --policy-name inline --policy-document \"$doc\"",
                        self.lit("--role-name", name)
                    ));
                }
                if !then.is_empty() {
                    after.push(format!(
                        "if [ \"$LAST_RC\" = 0 ]; then\n  {}\nfi",
                        then.join("\n  ")
                    ));
                }
            }
            Op::PutRolePolicy {
                role,
                policy_name,
                policy,
            } => {
                settle = true;
                self.doc("doc", &doc_text(policy));
                args.extend([
                    "iam put-role-policy".into(),
                    self.lit("--role-name", role),
                    self.lit("--policy-name", policy_name.as_deref().unwrap_or("inline")),
                    "--policy-document \"$doc\"".into(),
                ]);
            }
            Op::AssumeRole {
                role_arn,
                session_name,
                session_policy,
                as_name,
            } => {
                args.extend([
                    "sts assume-role".into(),
                    self.tpl("--role-arn", role_arn),
                    self.lit("--role-session-name", session_name),
                ]);
                if let Some(p) = session_policy {
                    self.doc("doc", &doc_text(p));
                    args.push("--policy \"$doc\"".into());
                }
                args.push(
                    "--query '[Credentials.AccessKeyId,Credentials.SecretAccessKey,Credentials.SessionToken,AssumedRoleUser.Arn]' --output text"
                        .into(),
                );
                if let Some(m) = self.made.get(as_name) {
                    after.push(format!(
                        "[ \"$LAST_RC\" = 0 ] && session_profile {} && {}=1",
                        sq(&m.profile),
                        m.ready
                    ));
                }
            }
        }
        if let Some(e) = &st.expected_bucket_owner {
            if st.op.takes_expected_bucket_owner() {
                args.push(self.tpl("--expected-bucket-owner", e));
            }
        }
        self.line(&format!(
            "step {n} {who} {op} {want} {} {}",
            if show { "show" } else { "-" },
            args.join(" ")
        ));
        for a in after {
            self.line(&a);
        }
        if settle {
            self.line("[ \"$LAST_RC\" = 0 ] && settle");
        }
    }

    fn cleanup(&mut self) {
        self.out.push_str(CLEANUP);
    }
}

/// A bash script that reproduces `scenario` with the AWS CLI v2; see the module documentation.
pub fn script(scenario: &Scenario) -> String {
    Gen::new(scenario).run()
}

const FUNCTIONS: &str = r#"
set -u
export AWS_PAGER="" AWS_DEFAULT_OUTPUT=json

die() { echo "xacct repro: $*" >&2; exit 2; }
command -v aws >/dev/null 2>&1 || die "the AWS CLI (aws) is not on PATH"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/xacct-repro.XXXXXX") || die "cannot make a temporary directory"
trap 'rm -rf "$WORK"' EXIT
INTERRUPTED=
trap 'INTERRUPTED=1; echo "interrupted: the remaining steps are not run; cleaning up" >&2' INT TERM
LAST_OUT="$WORK/out"
LAST_ERR="$WORK/err"
LAST_RC=1
MATCHED=0 DIFFERED=0 UNCHECKED=0 NOT_RUN=0
CLEAN_BUCKETS=() CLEAN_USERS=() CLEAN_ROLES=()

judge() { # judge EXPECTED GOT: "as expected" or "DIFFERS" ("-": nothing expected)
  local want=$1 got=$2 status code=
  if [ "$want" = - ]; then echo -; return; fi
  status=${want%% *}
  [ "$want" = "$status" ] || code=${want#* }
  case $status in
    2??) [ "$got" = ok ] ;;
    *) [ "$got" != ok ] && { [ -z "$code" ] || [ "$got" = "$code" ] || [ "$got" = "$status" ]; } ;;
  esac && echo "as expected" || echo DIFFERS
}

step() { # step NUMBER PRINCIPAL OP EXPECTED show|- AWS-ARGS...: one scenario step
  local n=$1 who=$2 op=$3 want=$4 show=$5 got verdict msg=
  shift 5
  LAST_RC=1
  : >"$LAST_OUT"; : >"$LAST_ERR"
  [ -z "$INTERRUPTED" ] || return 0
  if ! principal_args "$who"; then
    got="not run: $WHY"; verdict="NOT RUN"; NOT_RUN=$((NOT_RUN + 1))
  else
    aws "${WHO[@]}" "${COMMON[@]}" "$@" >"$LAST_OUT" 2>"$LAST_ERR"
    LAST_RC=$?
    if [ "$LAST_RC" -eq 0 ]; then
      got=ok
    else
      # The CLI reports "An error occurred (AccessDenied) when calling the ... operation: ...";
      # HeadObject's errors carry the status instead: "(403)".
      got=$(sed -n 's/.*An error occurred (\([^)]*\)).*/\1/p' "$LAST_ERR" | head -n 1)
      [ -n "$got" ] || got="exit $LAST_RC"
      msg=$(grep . "$LAST_ERR" | head -n 3)
    fi
    verdict=$(judge "$want" "$got")
    case $verdict in
      -) UNCHECKED=$((UNCHECKED + 1)) ;;
      DIFFERS) DIFFERED=$((DIFFERED + 1)) ;;
      *) MATCHED=$((MATCHED + 1)) ;;
    esac
  fi
  printf '%-5s %-12s %-32s expected %-20s got %-20s %s\n' "[$n]" "$who" "$op" "$want" "$got" "$verdict"
  [ -z "$msg" ] || printf '%s\n' "$msg" | sed 's/^/      /'
  if [ "$show" = show ] && [ "$LAST_RC" -eq 0 ]; then sed 's/^/      /' "$LAST_OUT"; fi
  return 0
}

aux() { # aux PRINCIPAL AWS-ARGS...: a call that is not a scenario step; reports only failures
  local who=$1
  shift
  [ -z "$INTERRUPTED" ] || return 1
  principal_args "$who" || { echo "      not run: aws $1 $2: $WHY"; return 1; }
  if ! aws "${WHO[@]}" "${COMMON[@]}" "$@" >"$WORK/aux.out" 2>"$WORK/aux.err"; then
    [ -n "$INTERRUPTED" ] || echo "      failed: aws $1 $2: $(grep -m 1 . "$WORK/aux.err")"
    return 1
  fi
}

register_bucket() { # register_bucket ACCOUNT:BUCKET after create-bucket: delete it at the end
  # unless it was there before. (Some S3-compatible servers create the bucket even when they
  # answer with an error, so a failed create is registered too.)
  if [ "$LAST_RC" = 0 ] || { [ -s "$LAST_ERR" ] \
    && ! grep -q -e BucketAlreadyOwnedByYou -e BucketAlreadyExists "$LAST_ERR"; }; then
    CLEAN_BUCKETS+=("$1")
  fi
}

settle() { # after an IAM change: AWS takes a few seconds to apply it
  if [ "$IAM_SLEEP" -gt 0 ] && [ -z "$INTERRUPTED" ]; then sleep "$IAM_SLEEP"; fi
}

user_profile() { # user_profile CREATOR USER PROFILE: an access key of USER, as PROFILE
  local creator=$1 user=$2 profile=$3 key secret i
  aux "$creator" iam create-access-key --user-name "$user" \
    --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text || return 1
  read -r key secret <"$WORK/aux.out"
  aws configure set aws_access_key_id "$key" --profile "$profile"
  aws configure set aws_secret_access_key "$secret" --profile "$profile"
  echo "      profile $profile: user $user, access key $key"
  [ "$IAM_SLEEP" -gt 0 ] || return 0
  # A new access key takes a few seconds to work on AWS.
  for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
    aws --profile "$profile" "${COMMON[@]}" sts get-caller-identity >/dev/null 2>&1 && return 0
    [ -z "$INTERRUPTED" ] || return 1
    sleep 2
  done
  echo "      the access key of $user did not work within 30 s; going on"
}

session_profile() { # session_profile PROFILE: the credentials assume-role returned, as PROFILE
  local key secret token arn
  read -r key secret token arn <"$LAST_OUT"
  : >"$LAST_OUT"
  aws configure set aws_access_key_id "$key" --profile "$1"
  aws configure set aws_secret_access_key "$secret" --profile "$1"
  aws configure set aws_session_token "$token" --profile "$1"
  echo "      profile $1: session $arn"
}
"#;

const SETUP: &str = r#"
# Private copies of the AWS CLI files: the profiles made below go there, not into yours.
cp "${AWS_CONFIG_FILE:-${HOME:-}/.aws/config}" "$WORK/config" 2>/dev/null || : >"$WORK/config"
cp "${AWS_SHARED_CREDENTIALS_FILE:-${HOME:-}/.aws/credentials}" "$WORK/credentials" 2>/dev/null || : >"$WORK/credentials"
chmod 600 "$WORK/config" "$WORK/credentials"
export AWS_CONFIG_FILE="$WORK/config" AWS_SHARED_CREDENTIALS_FILE="$WORK/credentials"

XACCT_BUCKET_PREFIX="${XACCT_BUCKET_PREFIX:-xacct-repro-$RANDOM-}"
BODY="$WORK/body"
printf xacct >"$BODY"
"#;

const SETUP_COMMON: &str = r#"XACCT_REGION="${XACCT_REGION:-us-east-1}"
COMMON=(--region "$XACCT_REGION")
if [ -n "${XACCT_ENDPOINT_URL:-}" ]; then
  COMMON+=(--endpoint-url "$XACCT_ENDPOINT_URL")
  IAM_SLEEP="${XACCT_IAM_SLEEP:-0}"
else
  IAM_SLEEP="${XACCT_IAM_SLEEP:-10}"
fi
CBC=()
if [ "$XACCT_REGION" != us-east-1 ]; then
  CBC=(--create-bucket-configuration "LocationConstraint=$XACCT_REGION")
fi
"#;

const CLEANUP: &str = r#"
echo
echo "$MATCHED steps as expected, $DIFFERED different, $NOT_RUN not run, $UNCHECKED without expectation"
RESULT=0
[ "$DIFFERED" -eq 0 ] && [ "$NOT_RUN" -eq 0 ] || RESULT=1
if [ -n "$INTERRUPTED" ]; then
  echo "interrupted: the steps after the last one shown were not run"
  RESULT=1
fi

# clean-up: everything this script created
INTERRUPTED=
admin_of() { local v="PROFILE_$1"; WHO=(--profile "${!v}"); }
if [ "${XACCT_KEEP:-}" = 1 ]; then
  echo "XACCT_KEEP=1: nothing deleted (buckets ${CLEAN_BUCKETS[*]-}; users ${CLEAN_USERS[*]-}; roles ${CLEAN_ROLES[*]-})"
else
  echo "clean-up"
  for e in ${CLEAN_BUCKETS[@]+"${CLEAN_BUCKETS[@]}"}; do
    admin_of "${e%%:*}"
    b=${e#*:}
    aws "${WHO[@]}" "${COMMON[@]}" s3 rm "s3://$b" --recursive >/dev/null 2>&1 || true
    if ! err=$(aws "${WHO[@]}" "${COMMON[@]}" s3api delete-bucket --bucket "$b" 2>&1 >/dev/null); then
      case $err in
        *NoSuchBucket*) ;; # never created, or deleted by a step
        *) echo "  left behind: bucket $b (account ${e%%:*}): $(printf '%s' "$err" | grep -m 1 .)" ;;
      esac
    fi
  done
  for e in ${CLEAN_USERS[@]+"${CLEAN_USERS[@]}"}; do
    admin_of "${e%%:*}"
    u=${e#*:}
    for k in $(aws "${WHO[@]}" "${COMMON[@]}" iam list-access-keys --user-name "$u" \
      --query 'AccessKeyMetadata[].AccessKeyId' --output text 2>/dev/null); do
      [ "$k" = None ] || aws "${WHO[@]}" "${COMMON[@]}" iam delete-access-key --user-name "$u" --access-key-id "$k" >/dev/null 2>&1 || true
    done
    for p in $(aws "${WHO[@]}" "${COMMON[@]}" iam list-user-policies --user-name "$u" \
      --query 'PolicyNames[]' --output text 2>/dev/null); do
      [ "$p" = None ] || aws "${WHO[@]}" "${COMMON[@]}" iam delete-user-policy --user-name "$u" --policy-name "$p" >/dev/null 2>&1 || true
    done
    aws "${WHO[@]}" "${COMMON[@]}" iam delete-user --user-name "$u" >/dev/null 2>&1 \
      || echo "  left behind: user $u (account ${e%%:*})"
  done
  for e in ${CLEAN_ROLES[@]+"${CLEAN_ROLES[@]}"}; do
    admin_of "${e%%:*}"
    r=${e#*:}
    for p in $(aws "${WHO[@]}" "${COMMON[@]}" iam list-role-policies --role-name "$r" \
      --query 'PolicyNames[]' --output text 2>/dev/null); do
      [ "$p" = None ] || aws "${WHO[@]}" "${COMMON[@]}" iam delete-role-policy --role-name "$r" --policy-name "$p" >/dev/null 2>&1 || true
    done
    aws "${WHO[@]}" "${COMMON[@]}" iam delete-role --role-name "$r" >/dev/null 2>&1 \
      || echo "  left behind: role $r (account ${e%%:*})"
  done
fi
exit "$RESULT"
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::process::Command;

    fn seed() -> Scenario {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/seed-example4.json"
        );
        let text = std::fs::read_to_string(path).expect("seed scenario");
        Scenario::from_json_str(&text, path).expect("seed parses")
    }

    fn scenario(v: Value) -> Scenario {
        Scenario::from_value(&v, "test").expect("scenario")
    }

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "xacct-awscli-{tag}-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ));
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    }

    fn bash_n(script: &str) {
        let dir = tmpdir("syntax");
        let f = dir.join("s.sh");
        std::fs::write(&f, script).expect("write");
        let out = Command::new("bash")
            .arg("-n")
            .arg(&f)
            .output()
            .expect("bash");
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            out.status.success(),
            "bash -n: {}\n{script}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs `bash -c` with the given text and returns its stdout.
    fn bash_out(cmd: &str) -> String {
        let out = Command::new("bash")
            .arg("-c")
            .arg(cmd)
            .output()
            .expect("bash");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn step_lines(script: &str) -> usize {
        script.lines().filter(|l| l.starts_with("step ")).count()
    }

    #[test]
    fn seed_script_is_valid_bash_with_one_step_per_step() {
        let sc = seed();
        let s = script(&sc);
        bash_n(&s);
        assert_eq!(step_lines(&s), sc.steps.len(), "{s}");
        for i in 1..=sc.steps.len() {
            assert!(
                s.contains(&format!("\n# step {i}: ")),
                "comment of step {i}"
            );
        }
        assert!(s.contains("# clean-up: everything this script created"));
        // Placeholders become the resolved shell variables; bucket ARNs get the prefix.
        assert!(s.contains("arn:aws:iam::${ACCT_C}:root"), "{s}");
        assert!(s.contains("${ADMIN_ARN_B}"), "{s}");
        assert!(s.contains("arn:aws:s3:::${XACCT_BUCKET_PREFIX}b1/*"), "{s}");
        assert!(s.contains("--grant-full-control id=\"${CANON_A}\""), "{s}");
        assert!(s.contains("--bucket \"${XACCT_BUCKET_PREFIX}\"b1"), "{s}");
        assert!(s.contains("'C.dave')"), "C.dave gets a profile: {s}");
        assert!(
            s.contains("'dave-in-A')"),
            "the session gets a profile: {s}"
        );
        assert!(!s.contains("set -e"));
    }

    #[test]
    fn policy_variables_stay_literal() {
        let sc = scenario(json!({"name": "vars", "steps": [
            {"as": "A.admin", "op": "create_bucket", "bucket": "b1"},
            {"as": "A.admin", "op": "put_bucket_policy", "bucket": "b1", "policy": {"Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${A}:root"}, "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b1/home/${aws:username}/*",
                "Condition": {"StringLike": {"s3:prefix": "${aws:username, 'x'}`$(id)`\\"}}}]}}
        ]}));
        let s = script(&sc);
        bash_n(&s);
        assert!(s.contains(r"\${aws:username}"), "{s}");
        // The heredoc expands to the policy with the placeholders resolved.
        let start = s.find("cat >\"$WORK/doc\" <<XACCT_EOF").expect("heredoc");
        let end = s[start..].find("\nXACCT_EOF\n").expect("end") + start + "\nXACCT_EOF\n".len();
        let heredoc = s[start..end].replace("cat >\"$WORK/doc\" ", "cat ");
        let got = bash_out(&format!(
            "ACCT_A=111122223333 XACCT_BUCKET_PREFIX=p-\n{heredoc}"
        ));
        let v: Value = serde_json::from_str(got.trim()).expect("JSON");
        let st = &v["Statement"][0];
        assert_eq!(st["Principal"]["AWS"], "arn:aws:iam::111122223333:root");
        assert_eq!(st["Resource"], "arn:aws:s3:::p-b1/home/${aws:username}/*");
        assert_eq!(
            st["Condition"]["StringLike"]["s3:prefix"],
            "${aws:username, 'x'}`$(id)`\\"
        );
    }

    #[test]
    fn keys_with_quotes_and_dollars_are_escaped() {
        for key in ["it's.txt", "$HOME/x", "a b`id`\"\\", "-dash", "${A}"] {
            let sc = scenario(json!({"name": "k", "steps": [
                {"as": "A.admin", "op": "create_bucket", "bucket": "b1"},
                {"as": "A.admin", "op": "put_object", "bucket": "b1", "key": key}
            ]}));
            let s = script(&sc);
            bash_n(&s);
            let line = s
                .lines()
                .find(|l| l.starts_with("step 2 "))
                .expect("step 2");
            let at = line.find("--key").expect("--key") + "--key".len();
            let rest = &line[at..];
            let w = rest
                .strip_prefix(' ')
                .or_else(|| rest.strip_prefix('='))
                .unwrap_or(rest);
            let w = &w[..w.find(" --body").expect("--body")];
            // The word, evaluated by bash (with a variable ACCT_A set), is the key verbatim.
            let got = bash_out(&format!("ACCT_A=1; printf %s {w}"));
            // Keys are sent verbatim, as xacct sends them: `${A}` in a key is no placeholder.
            assert_eq!(got, key, "{line}");
        }
        assert_eq!(sq("it's"), r"'it'\''s'");
        assert_eq!(sq("$x"), "'$x'");
        assert_eq!(sq("plain-key.txt"), "plain-key.txt");
        assert_eq!(sq(""), "''");
    }

    #[test]
    fn templates_mirror_the_mapping() {
        let b = vec!["b10".to_string(), "b1".to_string()];
        let t = |s: &str| heredoc_text(&template(s, &b));
        assert_eq!(
            t("arn:aws:s3:::b1/*"),
            "arn:aws:s3:::${XACCT_BUCKET_PREFIX}b1/*"
        );
        assert_eq!(
            t("arn:aws:s3:::b10"),
            "arn:aws:s3:::${XACCT_BUCKET_PREFIX}b10"
        );
        assert_eq!(t("arn:aws:s3:::b100"), "arn:aws:s3:::b100");
        assert_eq!(t("id=${B.canonical}"), "id=${CANON_B}");
        assert_eq!(t("${A.email}"), "${EMAIL_A}");
        assert_eq!(t("arn:aws:iam::${A}:user/admin"), "${ADMIN_ARN_A}");
        assert_eq!(
            t("arn:aws:iam::${A}:user/admins"),
            "arn:aws:iam::${ACCT_A}:user/admins"
        );
        assert_eq!(
            t("${aws:username} ${x.y} ${A.other}"),
            r"\${aws:username} \${x.y} \${A.other}"
        );
        assert_eq!(t("${unterminated"), r"\${unterminated");
        assert_eq!(t("a`b\\c"), r"a\`b\\c");
    }

    /// Every op maps to a CLI call; the whole script runs against a fake `aws` that records
    /// its arguments and answers as a real one would.
    #[test]
    fn runs_every_op_against_a_fake_cli() {
        let sc = scenario(
            json!({"name": "all ops", "description": "every op once", "steps": [
                {"as": "A.admin", "op": "create_bucket", "bucket": "b1", "object_ownership": "ObjectWriter", "acl": "private",
                 "grants": {"write": "id=${B.canonical}"}, "expect": {"status": 200}},
                {"as": "A.admin", "op": "put_bucket_ownership_controls", "bucket": "b1", "object_ownership": "BucketOwnerPreferred"},
                {"as": "A.admin", "op": "get_bucket_ownership_controls", "bucket": "b1"},
                {"as": "A.admin", "op": "delete_bucket_ownership_controls", "bucket": "b1"},
                {"as": "A.admin", "op": "put_public_access_block", "bucket": "b1", "block_public_acls": true},
                {"as": "A.admin", "op": "get_public_access_block", "bucket": "b1"},
                {"as": "A.admin", "op": "delete_public_access_block", "bucket": "b1"},
                {"as": "A.admin", "op": "put_bucket_policy", "bucket": "b1", "policy": {"Statement": [{"Effect": "Allow",
                  "Principal": {"AWS": "arn:aws:iam::${B}:user/admin"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b1/${aws:username}/*"}]}},
                {"as": "A.admin", "op": "get_bucket_policy", "bucket": "b1"},
                {"as": "A.admin", "op": "delete_bucket_policy", "bucket": "b1"},
                {"as": "A.admin", "op": "put_bucket_acl", "bucket": "b1", "access_control_policy": {"owner": "id=${A.canonical}",
                  "grants": [{"grantee": "uri=http://acs.amazonaws.com/groups/global/AllUsers", "permission": "READ"}]}},
                {"as": "A.admin", "op": "get_bucket_acl", "bucket": "b1"},
                {"as": "B.admin", "op": "put_object", "bucket": "b1", "key": "k'1", "grants": {"full_control": "id=${A.canonical}"},
                 "expected_bucket_owner": "${A}", "expect": {"status": 200}},
                {"as": "B.admin", "op": "put_object", "bucket": "b1", "key": "denied", "expect": {"status": 403, "code": "AccessDenied"}},
                {"as": "A.admin", "op": "get_object", "bucket": "b1", "key": "k'1"},
                {"as": "A.admin", "op": "head_object", "bucket": "b1", "key": "k'1"},
                {"as": "A.admin", "op": "get_object_acl", "bucket": "b1", "key": "k'1"},
                {"as": "A.admin", "op": "put_object_acl", "bucket": "b1", "key": "k'1", "acl": "bucket-owner-full-control"},
                {"as": "A.admin", "op": "copy_object", "bucket": "b1", "key": "copy", "source_bucket": "b1", "source_key": "k'1"},
                {"as": "A.admin", "op": "list_objects", "bucket": "b1", "prefix": "k"},
                {"as": "anon", "op": "list_buckets"},
                {"as": "A.admin", "op": "create_multipart_upload", "bucket": "b1", "key": "mpu"},
                {"as": "A.admin", "op": "create_user", "name": "eve", "policy": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}},
                {"as": "A.admin", "op": "put_user_policy", "user": "eve", "policy_name": "more", "policy": {"Statement": []}},
                {"as": "A.eve", "op": "get_object", "bucket": "b1", "key": "k'1"},
                {"as": "A.admin", "op": "create_role", "name": "r", "trust_policy": {"Statement": [{"Effect": "Allow",
                  "Principal": {"AWS": "arn:aws:iam::${B}:root"}, "Action": "sts:AssumeRole"}]}},
                {"as": "A.admin", "op": "put_role_policy", "role": "r", "policy": {"Statement": []}},
                {"as": "B.admin", "op": "assume_role", "role_arn": "arn:aws:iam::${A}:role/r", "session_name": "s",
                 "session_policy": {"Statement": []}, "as_name": "b-in-a", "expect": {"status": 200}},
                {"as": "b-in-a", "op": "head_object", "bucket": "b1", "key": "nope", "expect": {"status": 404}},
                {"as": "A.root", "op": "delete_object", "bucket": "b1", "key": "copy"},
                {"as": "A.admin", "op": "delete_bucket", "bucket": "b1", "expect": {"status": 204}}
            ]}),
        );
        let s = script(&sc);
        bash_n(&s);
        assert_eq!(step_lines(&s), sc.steps.len());
        let dir = tmpdir("fake");
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).expect("bin");
        let fake = r#"#!/usr/bin/env bash
printf '%s\x1f' "$@" >>"$FAKE_LOG"; printf '\n' >>"$FAKE_LOG"
all="$*"
profile=none
while [ $# -gt 0 ]; do [ "$1" = --profile ] && profile=$2; shift; done
case $all in
  *"configure get"*) exit 1 ;;
  *"configure set"*) exit 0 ;;
  *get-caller-identity*) case $profile in
      xacct-A) printf '111111111111\tarn:aws:iam::111111111111:user/admin\n' ;;
      *) printf '222222222222\tarn:aws:iam::222222222222:user/admin\n' ;; esac ;;
  *"list-buckets --query Owner.ID"*) echo "canon-$profile" ;;
  *create-access-key*) printf 'AKIAFAKE\tsecret\n' ;;
  *assume-role*) printf 'ASIAFAKE\tsecret\ttoken\tarn:aws:sts::111111111111:assumed-role/r/s\n' ;;
  *create-multipart-upload*) echo upload-1 ;;
  *"--key denied"*) printf '\nAn error occurred (AccessDenied) when calling the PutObject operation: Access Denied\n' >&2; exit 254 ;;
  *"--key nope"*) printf '\nAn error occurred (404) when calling the HeadObject operation: Not Found\n' >&2; exit 254 ;;
  *list-objects-v2*) echo '["k'"'"'1"]' ;;
  *) echo '{}' ;;
esac
"#;
        let fake_path = bin.join("aws");
        std::fs::write(&fake_path, fake).expect("fake aws");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&fake_path, std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
        }
        let script_path = dir.join("repro.sh");
        std::fs::write(&script_path, &s).expect("script");
        let log = dir.join("log");
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("bash")
            .arg(&script_path)
            .env("PATH", path)
            .env("HOME", &dir)
            .env("TMPDIR", &dir)
            .env("FAKE_LOG", &log)
            .env("XACCT_BUCKET_PREFIX", "pfx-")
            .env("XACCT_IAM_SLEEP", "0")
            .env_remove("XACCT_ENDPOINT_URL")
            .env_remove("AWS_CONFIG_FILE")
            .env_remove("AWS_SHARED_CREDENTIALS_FILE")
            .output()
            .expect("run script");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let calls: Vec<Vec<String>> = std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(|l| {
                l.split('\u{1f}')
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        let _ = std::fs::remove_dir_all(&dir);
        // A.root has no profile: that step is not run, so the exit status is 1.
        assert_eq!(
            out.status.code(),
            Some(1),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for i in 1..=sc.steps.len() {
            assert!(
                stdout.contains(&format!("\n[{i}] ")),
                "step {i} printed:\n{stdout}"
            );
        }
        assert!(
            stdout.contains("XACCT_ROOT_PROFILE_A is not set"),
            "{stdout}"
        );
        assert!(
            stdout.contains("An error occurred (AccessDenied)"),
            "{stdout}"
        );
        assert!(
            stdout.contains("6 steps as expected, 0 different, 1 not run, 24 without expectation"),
            "{stdout}"
        );
        let find = |sub: &str| -> &Vec<String> {
            calls
                .iter()
                .find(|c| c.iter().any(|a| a == sub))
                .unwrap_or_else(|| panic!("no call {sub}: {calls:?}"))
        };
        let arg = |c: &Vec<String>, flag: &str| -> String {
            let i = c
                .iter()
                .position(|a| a == flag)
                .unwrap_or_else(|| panic!("{flag} in {c:?}"));
            c[i + 1].clone()
        };
        let pol = find("put-bucket-policy");
        let doc: Value = serde_json::from_str(&arg(pol, "--policy")).expect("policy JSON");
        assert_eq!(
            doc["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::222222222222:user/admin"
        );
        assert_eq!(
            doc["Statement"][0]["Resource"],
            "arn:aws:s3:::pfx-b1/${aws:username}/*"
        );
        let put = calls
            .iter()
            .find(|c| c.iter().any(|a| a == "put-object") && c.iter().any(|a| a == "k'1"))
            .expect("put-object");
        assert_eq!(arg(put, "--grant-full-control"), "id=canon-xacct-A");
        assert_eq!(arg(put, "--expected-bucket-owner"), "111111111111");
        assert_eq!(arg(put, "--bucket"), "pfx-b1");
        assert_eq!(arg(put, "--profile"), "xacct-B");
        let acp: Value =
            serde_json::from_str(&arg(find("put-bucket-acl"), "--access-control-policy"))
                .expect("acp");
        assert_eq!(acp["Owner"]["ID"], "canon-xacct-A");
        assert_eq!(acp["Grants"][0]["Grantee"]["Type"], "Group");
        assert_eq!(arg(find("copy-object"), "--copy-source"), "pfx-b1/k'1");
        assert_eq!(
            arg(find("abort-multipart-upload"), "--upload-id"),
            "upload-1"
        );
        let anon = find("--no-sign-request");
        assert!(anon.iter().any(|a| a == "list-buckets"), "{anon:?}");
        let cb = find("create-bucket");
        assert_eq!(arg(cb, "--grant-write"), "id=canon-xacct-B");
        assert_eq!(arg(cb, "--object-ownership"), "ObjectWriter");
        // The user and the session act through their own profiles.
        assert!(calls
            .iter()
            .any(|c| c.iter().any(|a| a == "xacct-repro-A-eve")
                && c.iter().any(|a| a == "get-object")));
        assert!(calls
            .iter()
            .any(|c| c.iter().any(|a| a == "xacct-repro-session-b-in-a")
                && c.iter().any(|a| a == "head-object")));
        let trust: Value =
            serde_json::from_str(&arg(find("create-role"), "--assume-role-policy-document"))
                .expect("trust");
        assert_eq!(
            trust["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::222222222222:root"
        );
        // Clean-up deletes what was created.
        find("delete-role");
        find("delete-user");
        assert!(calls
            .iter()
            .any(|c| c.iter().any(|a| a == "rm") && c.iter().any(|a| a == "s3://pfx-b1")));
    }
}
