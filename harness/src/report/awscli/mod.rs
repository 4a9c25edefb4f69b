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
//!
//! Layout: `header` (the usage comment), `setup` (the shell functions of `bash/`, the
//! profiles, the placeholders, the clean-up), `principals` (who each step runs as), `quote`
//! (shell words and heredocs); then one file per operation family, turning a step into its CLI
//! call: `bucket`, `bucket_config`, `acl`, `object`, `iam`, `sts`.

mod acl;
mod bucket;
mod bucket_config;
mod header;
mod iam;
mod object;
mod principals;
mod quote;
mod setup;
mod sts;
#[cfg(test)]
mod tests;

use header::comment_safe;
use principals::Principals;
use quote::{heredoc_text, sq, template, word, Piece, PREFIX_VAR};
use serde_json::Value;
use setup::Helper;
use std::collections::BTreeSet;
use xacct_model::outcome::Expect;
use xacct_model::scenario::{Op, Step};
use xacct_model::Scenario;

/// A bash script that reproduces `scenario` with the AWS CLI v2; see the module documentation.
pub fn script(scenario: &Scenario) -> String {
    Gen::new(scenario).run()
}

/// A step's AWS CLI call, as its operation family writes it.
#[derive(Default)]
struct Call {
    /// The `aws` arguments after the principal's options: the command, then its options.
    args: Vec<String>,
    /// Whether the step prints what the CLI answered when it succeeds.
    show: bool,
    /// Lines run after the step: registering what it created, making profiles.
    after: Vec<String>,
    /// Whether the step changes IAM, which AWS takes a few seconds to apply.
    settle: bool,
}

impl Call {
    /// A call whose answer is not printed.
    fn quiet(args: impl IntoIterator<Item = String>) -> Call {
        Call {
            args: args.into_iter().collect(),
            ..Call::default()
        }
    }

    /// A call that reads something: its answer is printed.
    fn shown(args: impl IntoIterator<Item = String>) -> Call {
        Call {
            show: true,
            ..Call::quiet(args)
        }
    }
}

/// The script being written.
struct Gen<'a> {
    sc: &'a Scenario,
    /// The scenario's bucket names, longest first.
    buckets: Vec<String>,
    principals: Principals,
    /// The helper functions the steps call.
    helpers: BTreeSet<Helper>,
    out: String,
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

/// A policy document as the request carries it: a string as given, JSON compact (RGW's IAM
/// API refuses pretty-printed documents).
fn doc_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
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

impl<'a> Gen<'a> {
    fn new(sc: &'a Scenario) -> Gen<'a> {
        Gen {
            sc,
            buckets: logical_buckets(sc),
            principals: Principals::new(sc),
            helpers: BTreeSet::new(),
            out: String::new(),
        }
    }

    /// The steps are written first: they tell which helper functions the script defines.
    fn run(mut self) -> String {
        for (i, st) in self.sc.steps.iter().enumerate() {
            self.step(i + 1, st);
        }
        let steps = std::mem::take(&mut self.out);
        self.header();
        self.functions();
        self.setup();
        self.out.push_str(&steps);
        self.cleanup();
        self.out
    }

    /// Whether the scenario names an account's e-mail address (`${A.email}`).
    fn uses_email(&self) -> bool {
        self.sc.to_json_pretty().contains(".email}")
    }

    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    /// One step: a comment, the `step` call, then what runs after it.
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
        let mut call = self.call(st);
        if let Some(e) = &st.expected_bucket_owner {
            if st.op.takes_expected_bucket_owner() {
                call.args.push(self.tpl("--expected-bucket-owner", e));
            }
        }
        self.line(&format!(
            "step {n} {} {op} {} {} {}",
            sq(&st.as_),
            sq(&expected(st.expect.as_ref())),
            if call.show { "show" } else { "-" },
            call.args.join(" ")
        ));
        for a in call.after {
            self.line(&a);
        }
        if call.settle {
            self.uses(Helper::Settle);
            self.line("[ \"$LAST_RC\" = 0 ] && settle");
        }
    }

    /// The step's CLI call, written by its operation's family.
    fn call(&mut self, st: &Step) -> Call {
        match &st.op {
            Op::CreateBucket { .. }
            | Op::DeleteBucket { .. }
            | Op::ListBuckets {}
            | Op::HeadBucket { .. } => bucket::call(self, st),
            Op::PutBucketOwnershipControls { .. }
            | Op::GetBucketOwnershipControls { .. }
            | Op::DeleteBucketOwnershipControls { .. }
            | Op::PutPublicAccessBlock { .. }
            | Op::GetPublicAccessBlock { .. }
            | Op::DeletePublicAccessBlock { .. }
            | Op::PutBucketPolicy { .. }
            | Op::GetBucketPolicy { .. }
            | Op::DeleteBucketPolicy { .. } => bucket_config::call(self, &st.op),
            Op::PutBucketAcl { .. }
            | Op::GetBucketAcl { .. }
            | Op::PutObjectAcl { .. }
            | Op::GetObjectAcl { .. } => acl::call(self, &st.op),
            Op::PutObject { .. }
            | Op::GetObject { .. }
            | Op::HeadObject { .. }
            | Op::DeleteObject { .. }
            | Op::CopyObject { .. }
            | Op::ListObjects { .. }
            | Op::CreateMultipartUpload { .. } => object::call(self, st),
            Op::CreateUser { .. }
            | Op::PutUserPolicy { .. }
            | Op::CreateRole { .. }
            | Op::PutRolePolicy { .. } => iam::call(self, st),
            Op::AssumeRole { .. } => sts::call(self, &st.op),
        }
    }

    /// One shell word for a scenario string, with its placeholders and bucket ARNs resolved.
    fn w(&self, s: &str) -> String {
        word(&template(s, &self.buckets))
    }

    /// `--flag WORD` with placeholders and bucket ARNs resolved (grants, ARNs, account ids).
    fn tpl(&self, flag: &str, value: &str) -> String {
        option(flag, value, self.w(value))
    }

    /// `--flag WORD` with the value verbatim (keys, names: xacct sends them as they are).
    fn lit(&self, flag: &str, value: &str) -> String {
        option(flag, value, sq(value))
    }

    /// `--bucket WORD`: the logical bucket under the run's prefix.
    fn bucket(&self, logical: &str) -> String {
        format!("--bucket {}", prefixed(logical))
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
}

/// `--flag WORD`, or `--flag=WORD` when the value starts with `-` (the CLI would take it for
/// an option).
fn option(flag: &str, value: &str, word: String) -> String {
    if value.starts_with('-') {
        format!("{flag}={word}")
    } else {
        format!("{flag} {word}")
    }
}

/// One shell word: `name` under the run's bucket prefix.
fn prefixed(name: &str) -> String {
    word(&[Piece::Var(PREFIX_VAR.into()), Piece::Lit(name.to_string())])
}
