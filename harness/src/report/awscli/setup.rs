//! What the script runs around the steps: its shell functions (`bash/prelude.sh` and the
//! helpers beside it), the setup (private AWS CLI files, one profile per account, the region,
//! the placeholders' values) and the clean-up (`bash/cleanup.sh`).

use super::quote::PREFIX_VAR;
use super::Gen;
use std::fmt::Write as _;

/// `set -u`, the temporary directory, the counters, `judge` and `step`.
const PRELUDE: &str = include_str!("bash/prelude.sh");
/// The helpers steps call after the AWS CLI call, in the order the script defines them.
const HELPERS: [&str; 5] = [
    include_str!("bash/aux.sh"),
    include_str!("bash/register_bucket.sh"),
    include_str!("bash/settle.sh"),
    include_str!("bash/user_profile.sh"),
    include_str!("bash/session_profile.sh"),
];
/// Private copies of the AWS CLI files, the bucket prefix and the body of uploads.
const PRIVATE_FILES: &str = include_str!("bash/private_files.sh");
/// The region's default, the options of every call, the IAM wait and CreateBucket's location.
const REGION: &str = include_str!("bash/region.sh");
/// An account's placeholders, resolved with its profile; `{a}` is the account.
const ACCOUNT: &str = include_str!("bash/account.sh");
/// The totals, the exit status and the deletion of what the script created.
const CLEANUP: &str = include_str!("bash/cleanup.sh");

impl Gen<'_> {
    /// The shell functions: the prelude, the helpers and `principal_args`.
    pub(super) fn functions(&mut self) {
        self.out.push('\n');
        self.out.push_str(PRELUDE);
        for helper in HELPERS {
            self.out.push('\n');
            self.out.push_str(helper);
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

    /// Each account's profiles, then the region (by default the first account's profile's).
    fn profiles_and_region(&mut self) {
        let s = &mut self.out;
        s.push_str(
            "\n# One profile per account for its admin; an optional one for its root user.\n",
        );
        for a in &self.principals.accounts {
            writeln!(s, "PROFILE_{a}=\"${{XACCT_PROFILE_{a}:-xacct-{a}}}\"").ok();
            writeln!(s, "ROOT_PROFILE_{a}=\"${{XACCT_ROOT_PROFILE_{a}:-}}\"").ok();
        }
        s.push_str("\nXACCT_REGION=\"${XACCT_REGION:-}\"\n");
        if let Some(a) = self.principals.accounts.iter().next() {
            writeln!(
                s,
                "[ -n \"$XACCT_REGION\" ] || XACCT_REGION=$(aws configure get region --profile \"$PROFILE_{a}\" 2>/dev/null)"
            )
            .ok();
        }
        s.push_str(REGION);
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
