//! Who makes a request: scenario principal names resolved against the world, with the ARNs and
//! condition-key values AWS derives from them.

use crate::world::{AccountName, World};
use std::fmt;

/// A resolved requester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// `A.root`: the account's root user.
    Root { account: AccountName },
    /// `A.admin`, `A.<user>`: an IAM user.
    User { account: AccountName, name: String },
    /// A role session, by its scenario name (`as_name`).
    Session {
        as_name: String,
        account: AccountName,
        role: String,
        session_name: String,
    },
    /// `anon`: an unsigned request.
    Anonymous,
}

/// Why a scenario principal name does not resolve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrincipalError {
    #[error("unknown account {0:?} in principal {1:?}")]
    UnknownAccount(String, String),
    #[error("account {0} has no IAM user {1:?} (create it with create_user first)")]
    UnknownUser(String, String),
    #[error("no role session is named {0:?} (an assume_role step with as_name {0:?} must succeed first)")]
    UnknownSession(String),
}

impl Principal {
    /// Resolves `anon`, `A.root`, `A.<user>` or a session's `as_name`.
    pub fn resolve(world: &World, name: &str) -> Result<Principal, PrincipalError> {
        if name == "anon" {
            return Ok(Principal::Anonymous);
        }
        if let Some((acct, rest)) = name.split_once('.') {
            let account = AccountName(acct.to_string());
            let Some(a) = world.account(&account) else {
                return Err(PrincipalError::UnknownAccount(acct.into(), name.into()));
            };
            if rest == "root" {
                return Ok(Principal::Root { account });
            }
            if !a.users.contains_key(rest) {
                return Err(PrincipalError::UnknownUser(acct.into(), rest.into()));
            }
            return Ok(Principal::User {
                account,
                name: rest.to_string(),
            });
        }
        match world.sessions.get(name) {
            Some(s) => Ok(Principal::Session {
                as_name: name.to_string(),
                account: s.account.clone(),
                role: s.role.clone(),
                session_name: s.session_name.clone(),
            }),
            None => Err(PrincipalError::UnknownSession(name.into())),
        }
    }

    /// The name a scenario's `as` gives this principal: `anon`, `A.root`, `A.<user>` or a
    /// session's `as_name` ([`Principal::resolve`] turns it back into this principal).
    pub fn scenario_name(&self) -> String {
        match self {
            Principal::Root { account } => format!("{account}.root"),
            Principal::User { account, name } => format!("{account}.{name}"),
            Principal::Session { as_name, .. } => as_name.clone(),
            Principal::Anonymous => "anon".into(),
        }
    }

    /// The account the principal belongs to; none for anonymous.
    pub fn account(&self) -> Option<&AccountName> {
        match self {
            Principal::Root { account }
            | Principal::User { account, .. }
            | Principal::Session { account, .. } => Some(account),
            Principal::Anonymous => None,
        }
    }

    pub fn is_root(&self) -> bool {
        matches!(self, Principal::Root { .. })
    }

    pub fn is_anonymous(&self) -> bool {
        matches!(self, Principal::Anonymous)
    }

    /// The principal's own ARN: root, user, or assumed-role session ARN ([R41]).
    pub fn arn(&self, world: &World) -> Option<String> {
        let id = |a: &AccountName| world.id_of(a).to_string();
        match self {
            Principal::Root { account } => Some(root_arn(&id(account))),
            Principal::User { account, name } => Some(user_arn(&id(account), name)),
            Principal::Session {
                account,
                role,
                session_name,
                ..
            } => Some(session_arn(&id(account), role, session_name)),
            Principal::Anonymous => None,
        }
    }

    /// `aws:PrincipalArn`: for a session it is the role's ARN, not the session's.
    pub fn principal_arn(&self, world: &World) -> Option<String> {
        match self {
            Principal::Session { account, role, .. } => Some(role_arn(world.id_of(account), role)),
            other => other.arn(world),
        }
    }

    /// `aws:userid`: the account id for root, the user's unique id, `<role id>:<session>`.
    pub fn userid(&self, world: &World) -> String {
        match self {
            Principal::Root { account } => world.id_of(account).to_string(),
            Principal::User { account, name } => world
                .account(account)
                .and_then(|a| a.users.get(name))
                .map(|u| u.id.clone())
                .unwrap_or_default(),
            Principal::Session {
                account,
                role,
                session_name,
                ..
            } => {
                let rid = world
                    .account(account)
                    .and_then(|a| a.roles.get(role))
                    .map(|r| r.id.clone())
                    .unwrap_or_default();
                format!("{rid}:{session_name}")
            }
            Principal::Anonymous => "anonymous".into(),
        }
    }

    /// `aws:PrincipalType`.
    pub fn principal_type(&self) -> &'static str {
        match self {
            Principal::Root { .. } => "Account",
            Principal::User { .. } => "User",
            Principal::Session { .. } => "AssumedRole",
            Principal::Anonymous => "Anonymous",
        }
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Principal::Root { account } => write!(f, "{account}.root"),
            Principal::User { account, name } => write!(f, "{account}.{name}"),
            Principal::Session {
                as_name,
                account,
                role,
                ..
            } => write!(f, "{as_name} (session of role {account}:{role})"),
            Principal::Anonymous => f.write_str("anon"),
        }
    }
}

pub fn root_arn(account_id: &str) -> String {
    format!("arn:aws:iam::{account_id}:root")
}

pub fn user_arn(account_id: &str, user: &str) -> String {
    format!("arn:aws:iam::{account_id}:user/{user}")
}

pub fn role_arn(account_id: &str, role: &str) -> String {
    format!("arn:aws:iam::{account_id}:role/{role}")
}

pub fn session_arn(account_id: &str, role: &str, session: &str) -> String {
    format!("arn:aws:sts::{account_id}:assumed-role/{role}/{session}")
}

/// Splits `arn:aws:iam::<id>:role/<name>` into (account id, role name).
pub fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (id, res) = rest.split_once(':')?;
    let name = res.strip_prefix("role/")?;
    // Roles may have paths (`role/path/name`): the name is the last segment.
    let name = name.rsplit('/').next()?;
    (!name.is_empty()).then_some((id, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_scenario_names() {
        let w = World::with_accounts(["A"]);
        assert_eq!(Principal::resolve(&w, "anon"), Ok(Principal::Anonymous));
        assert!(Principal::resolve(&w, "A.root").unwrap().is_root());
        assert!(matches!(
            Principal::resolve(&w, "A.admin"),
            Ok(Principal::User { .. })
        ));
        assert!(matches!(
            Principal::resolve(&w, "A.dave"),
            Err(PrincipalError::UnknownUser(..))
        ));
        assert!(matches!(
            Principal::resolve(&w, "Z.admin"),
            Err(PrincipalError::UnknownAccount(..))
        ));
        assert!(matches!(
            Principal::resolve(&w, "dave-in-A"),
            Err(PrincipalError::UnknownSession(..))
        ));
        assert_eq!(
            parse_role_arn("arn:aws:iam::111111111111:role/p/examplerole"),
            Some(("111111111111", "examplerole"))
        );
    }
}
