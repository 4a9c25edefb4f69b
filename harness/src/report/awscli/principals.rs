//! Who the script acts as: each account's admin (its profile) and root (an optional profile),
//! anonymous callers, and the IAM users and role sessions the scenario creates, for which the
//! script makes profiles of its own once they work. `principal_args` maps each to CLI options.

use super::quote::{q, sq};
use super::Gen;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use xacct_model::scenario::Op;
use xacct_model::world::AccountName;
use xacct_model::Scenario;

/// A user or role session the script makes a profile for.
pub(super) struct Made {
    /// `READY_<n>`: set to 1 once the profile works.
    pub(super) ready: String,
    pub(super) profile: String,
    /// Why a step as this principal is not run when the profile is not ready.
    pub(super) missing: String,
}

/// The scenario's accounts and the principals it creates.
pub(super) struct Principals {
    pub(super) accounts: BTreeSet<String>,
    /// Session `as_name` → the account of its role.
    session_account: BTreeMap<String, String>,
    /// Principal name (`C.eve`, `dave-in-A`) → its profile.
    pub(super) made: BTreeMap<String, Made>,
}

/// The scenario account a role ARN names through a placeholder (`arn:aws:iam::${A}:role/r`).
fn role_account(role_arn: &str) -> Option<String> {
    let (id, _) = xacct_model::principal::parse_role_arn(role_arn)?;
    let name = id.strip_prefix("${")?.strip_suffix('}')?;
    AccountName::is_valid(name).then(|| name.to_string())
}

impl Principals {
    pub(super) fn new(sc: &Scenario) -> Principals {
        let mut p = Principals {
            accounts: sc.accounts(),
            session_account: BTreeMap::new(),
            made: BTreeMap::new(),
        };
        for st in &sc.steps {
            if let Op::AssumeRole {
                role_arn, as_name, ..
            } = &st.op
            {
                if let Some(a) = role_account(role_arn) {
                    p.session_account.insert(as_name.clone(), a);
                }
            }
        }
        for st in &sc.steps {
            p.note_made(&st.as_, &st.op);
        }
        p
    }

    /// Records the user or session a step creates, numbered in order of appearance.
    fn note_made(&mut self, as_: &str, op: &Op) {
        let n = self.made.len() + 1;
        match op {
            Op::CreateUser { name, .. } => {
                if let Some(a) = self.account_of(as_) {
                    let who = format!("{a}.{name}");
                    self.made.entry(who.clone()).or_insert(Made {
                        ready: format!("READY_{n}"),
                        profile: format!("xacct-repro-{a}-{name}"),
                        missing: format!("user {who} was not created"),
                    });
                }
            }
            Op::AssumeRole { as_name, .. } => {
                self.made.entry(as_name.clone()).or_insert(Made {
                    ready: format!("READY_{n}"),
                    profile: format!("xacct-repro-session-{as_name}"),
                    missing: format!("no session {as_name}: its assume_role did not succeed"),
                });
            }
            _ => {}
        }
    }

    /// The account of a principal (`A.x` → A; a session → its role's account).
    pub(super) fn account_of(&self, principal: &str) -> Option<String> {
        match principal.split_once('.') {
            Some((a, _)) => Some(a.to_string()),
            None => self.session_account.get(principal).cloned(),
        }
    }
}

impl Gen<'_> {
    /// The `principal_args` function: a `case` arm per principal the scenario names.
    pub(super) fn principal_args(&mut self) {
        let mut p = String::from(
            "\nprincipal_args() { # principal_args PRINCIPAL: sets WHO to its CLI options, or WHY and fails\n  WHY=\n  case \"$1\" in\n",
        );
        for a in &self.principals.accounts {
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
        for (who, m) in &self.principals.made {
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
}
