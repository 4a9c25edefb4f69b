//! What the script runs around the steps: its shell functions (`bash/prelude.sh`, then only the
//! helpers of `bash/` its steps call, so that nothing in the script is dead code), the setup
//! (private AWS CLI files, one profile per account, the region, the placeholders' values) and
//! the clean-up (`bash/cleanup.sh`).

use super::quote::PREFIX_VAR;
use super::Gen;
use std::fmt::Write as _;
use xacct_model::scenario::Op;

/// `set -u`, the temporary directory, the counters, `judge` and `step`.
const PRELUDE: &str = include_str!("bash/prelude.sh");
/// A shell function steps call after their CLI call. The script defines only those its steps
/// use (and what they call), in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Helper {
    /// A call that is not a scenario step: an inline policy, an access key, an abort.
    Aux,
    /// After CreateBucket: the bucket is deleted at the end.
    RegisterBucket,
    /// After an IAM change: the wait for AWS to apply it.
    Settle,
    /// After CreateUser: an access key of the user, as a profile.
    UserProfile,
    /// After AssumeRole: the session's credentials, as a profile.
    SessionProfile,
}

impl Helper {
    fn source(self) -> &'static str {
        match self {
            Helper::Aux => include_str!("bash/aux.sh"),
            Helper::RegisterBucket => include_str!("bash/register_bucket.sh"),
            Helper::Settle => include_str!("bash/settle.sh"),
            Helper::UserProfile => include_str!("bash/user_profile.sh"),
            Helper::SessionProfile => include_str!("bash/session_profile.sh"),
        }
    }

    /// The helpers this one calls.
    fn calls(self) -> &'static [Helper] {
        match self {
            Helper::UserProfile => &[Helper::Aux],
            _ => &[],
        }
    }
}

/// Private copies of the AWS CLI files, the bucket prefix and the body of uploads.
const PRIVATE_FILES: &str = include_str!("bash/private_files.sh");
/// The region's default and the options of every call.
const REGION: &str = include_str!("bash/region.sh");
/// How long to wait after IAM changes (`settle`, `user_profile`).
const IAM_SLEEP: &str = include_str!("bash/iam_sleep.sh");
/// CreateBucket's location outside us-east-1.
const CREATE_BUCKET_CONFIGURATION: &str = include_str!("bash/create_bucket_configuration.sh");
/// An account's placeholders, resolved with its profile; `{a}` is the account.
const ACCOUNT: &str = include_str!("bash/account.sh");
/// The totals, the exit status and the deletion of what the script created.
const CLEANUP: &str = include_str!("bash/cleanup.sh");

impl Gen<'_> {
    /// Records that a step calls `helper`, so that the script defines it.
    pub(super) fn uses(&mut self, helper: Helper) {
        self.helpers.insert(helper);
        self.helpers.extend(helper.calls());
    }

    /// The shell functions: the prelude, the helpers the steps use and `principal_args`.
    pub(super) fn functions(&mut self) {
        self.out.push('\n');
        self.out.push_str(PRELUDE);
        for helper in &self.helpers {
            self.out.push('\n');
            self.out.push_str(helper.source());
        }
        self.principal_args();
    }

    /// Everything between the functions and the first step.
    pub(super) fn setup(&mut self) {
        self.out.push('\n');
        self.out.push_str(PRIVATE_FILES);
        self.profiles_and_region();
        self.placeholders();
        let made = &self.principals.made;
        if !made.is_empty() {
            let mut readies: Vec<&str> = made.values().map(|m| m.ready.as_str()).collect();
            readies.sort_by_key(|r| (r.len(), *r));
            let readies: Vec<String> = readies.iter().map(|r| format!("{r}=0")).collect();
            let text = format!(
                "\n# Users and role sessions this script makes profiles for, once they work.\n{}",
                readies.join(" ")
            );
            self.line(&text);
        }
        writeln!(self.out, "echo \"buckets: ${{{PREFIX_VAR}}}<name>\"\necho").ok();
    }

    /// Each account's profiles, then the region (by default the first account's profile's), and
    /// the settings only some steps read: the IAM wait and CreateBucket's location.
    fn profiles_and_region(&mut self) {
        let s = &mut self.out;
        s.push_str(
            "\n# One profile per account for its admin; an optional one for its root user.\n",
        );
        for a in &self.principals.accounts {
            writeln!(s, "PROFILE_{a}=\"${{XACCT_PROFILE_{a}:-xacct-{a}}}\"").ok();
            writeln!(s, "ROOT_PROFILE_{a}=\"${{XACCT_ROOT_PROFILE_{a}:-}}\"").ok();
        }
        // The scenario's Region, when it states one, else the first account's profile's.
        let stated = self
            .sc
            .region
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_default();
        writeln!(s, "\nXACCT_REGION=\"${{XACCT_REGION:-{stated}}}\"").ok();
        if let Some(a) = self.principals.accounts.iter().next() {
            writeln!(
                s,
                "[ -n \"$XACCT_REGION\" ] || XACCT_REGION=$(aws configure get region --profile \"$PROFILE_{a}\" 2>/dev/null)"
            )
            .ok();
        }
        s.push_str(REGION);
        if self.helpers.contains(&Helper::Settle) || self.helpers.contains(&Helper::UserProfile) {
            s.push_str(IAM_SLEEP);
        }
        let creates_buckets =
            (self.sc.steps.iter()).any(|st| matches!(st.op, Op::CreateBucket { .. }));
        if creates_buckets {
            s.push_str(CREATE_BUCKET_CONFIGURATION);
        }
    }

    /// The placeholders' values, asked of AWS with each account's profile.
    fn placeholders(&mut self) {
        if !self.principals.accounts.is_empty() {
            self.out.push_str("\n# Placeholders: ${A} (account id), ${A.canonical} (canonical user id), and the admin's ARN.\n");
        }
        for a in &self.principals.accounts {
            self.out.push_str(&ACCOUNT.replace("{a}", a));
        }
        if self.uses_email() {
            for a in &self.principals.accounts {
                writeln!(self.out, "EMAIL_{a}=\"${{XACCT_EMAIL_{a}:-}}\"").ok();
                writeln!(
                    self.out,
                    "[ -n \"$EMAIL_{a}\" ] || echo \"warning: the scenario uses \\${{{a}.email}} but XACCT_EMAIL_{a} is not set\" >&2"
                )
                .ok();
            }
        }
    }

    /// The totals and the clean-up, after the last step.
    pub(super) fn cleanup(&mut self) {
        self.out.push('\n');
        self.out.push_str(CLEANUP);
    }
}
