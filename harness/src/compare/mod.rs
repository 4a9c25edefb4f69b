//! Comparing what a target answered with what the model decided.
//!
//! Pure: no network, no SDK. A target's answer is [`Observed`]; [`compare`] classifies any
//! difference at the chosen [`Level`].

pub mod record;
pub mod replay;

use serde::{Deserialize, Serialize};
use std::fmt;
use xacct_model::outcome::Outcome;

/// How much of an outcome is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Allowed (2xx) versus refused.
    Decision,
    /// Status and AWS error code.
    #[default]
    Code,
    /// Status, code and the observable state the model predicts (owner, grants, keys, …).
    Full,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Decision, Level::Code, Level::Full];

    pub fn name(self) -> &'static str {
        match self {
            Level::Decision => "decision",
            Level::Code => "code",
            Level::Full => "full",
        }
    }
}

/// A comparison level's name that is not one; the message lists the valid ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no comparison level is named {0:?}; the levels are: decision, code, full")]
pub struct UnknownLevel(pub String);

impl std::str::FromStr for Level {
    type Err = UnknownLevel;

    fn from_str(s: &str) -> Result<Level, UnknownLevel> {
        Level::ALL
            .into_iter()
            .find(|l| l.name() == s)
            .ok_or_else(|| UnknownLevel(s.into()))
    }
}

/// The kind of a difference between target and model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// The target allowed what AWS denies: a security bug.
    OverPermissive,
    /// The target denied what AWS allows: a compatibility bug.
    OverRestrictive,
    /// Both refused (or failed), with a different status or error code.
    WrongError,
    /// Both succeeded, but what the target shows differs (owner, grants, keys, status).
    WrongState,
    /// The target lacks the API or a capability: reported, never counted as a divergence.
    Unsupported,
    /// Timeout, connection reset, 5xx: the endpoint failed, which says nothing about its rules.
    EndpointFault,
}

impl Class {
    /// Whether this class counts as a divergence from AWS (fails a run unless baselined).
    pub fn is_divergence(self) -> bool {
        !matches!(self, Class::Unsupported | Class::EndpointFault)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Class::OverPermissive => "over-permissive",
            Class::OverRestrictive => "over-restrictive",
            Class::WrongError => "wrong-error",
            Class::WrongState => "wrong-state",
            Class::Unsupported => "unsupported",
            Class::EndpointFault => "endpoint-fault",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a target did with a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Observed {
    /// An HTTP answer, normalised into the model's terms.
    Answer {
        outcome: Outcome,
        /// The raw answer (status line, error body), for reports; secrets never included.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        raw: String,
    },
    /// The target cannot do this step (API missing or a capability it declares absent).
    Unsupported { why: String },
    /// The endpoint failed (timeout, reset, 5xx, unreadable answer): the step's effect on the
    /// target is unknown, so its case is inconclusive.
    Fault {
        why: String,
        /// The HTTP status, when there was an answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// The raw answer (status line, body excerpt), for reports; secrets never included.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        raw: String,
    },
    /// The step could not be sent (e.g. its principal's session was never established on the
    /// target because an earlier step diverged).
    Skipped { why: String },
    /// The step was carried out by provisioning rather than through the API (e.g. RGW users are
    /// made with radosgw-admin); there is no answer to compare.
    Provisioned { how: String },
}

impl Observed {
    pub fn answer(outcome: Outcome) -> Observed {
        Observed::Answer {
            outcome,
            raw: String::new(),
        }
    }

    /// A fault without an answer (no status, nothing raw): a timeout, a reset, a request that
    /// could not be built or sent.
    pub fn fault(why: impl Into<String>) -> Observed {
        Observed::Fault {
            why: why.into(),
            status: None,
            raw: String::new(),
        }
    }

    pub fn outcome(&self) -> Option<&Outcome> {
        match self {
            Observed::Answer { outcome, .. } => Some(outcome),
            _ => None,
        }
    }
}

impl fmt::Display for Observed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Observed::Answer { outcome, .. } => write!(f, "{outcome}"),
            Observed::Unsupported { why } => write!(f, "unsupported: {why}"),
            Observed::Fault { why, .. } => write!(f, "endpoint fault: {why}"),
            Observed::Skipped { why } => write!(f, "skipped: {why}"),
            Observed::Provisioned { how } => write!(f, "provisioned: {how}"),
        }
    }
}

/// One difference, classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    pub class: Class,
    pub detail: String,
}

/// `403 AccessDenied`, `200`: an outcome's status and error code, as signatures and details
/// show them.
pub(crate) fn status_code(o: &Outcome) -> String {
    match &o.code {
        Some(c) => format!("{} {c}", o.status),
        None => o.status.to_string(),
    }
}

/// Classifies how the target's answer differs from the model's outcome; `None` when it agrees
/// at this level (or there is nothing to compare).
pub fn compare(model: &Outcome, observed: &Observed, level: Level) -> Option<Difference> {
    let t = match observed {
        Observed::Answer { outcome, .. } => outcome,
        Observed::Unsupported { why } => {
            return Some(Difference {
                class: Class::Unsupported,
                detail: why.clone(),
            })
        }
        Observed::Fault { why, .. } => {
            return Some(Difference {
                class: Class::EndpointFault,
                detail: why.clone(),
            })
        }
        Observed::Skipped { .. } | Observed::Provisioned { .. } => return None,
    };
    // 501 / NotImplemented: the target lacks the API.
    if t.status == 501 || t.code.as_deref() == Some("NotImplemented") {
        return Some(Difference {
            class: Class::Unsupported,
            detail: format!("the target answered {}", status_code(t)),
        });
    }
    let d = |class, detail: String| Some(Difference { class, detail });
    match (model.allowed(), t.allowed()) {
        (true, false) => d(
            Class::OverRestrictive,
            format!(
                "model allows ({}), target refuses ({})",
                status_code(model),
                status_code(t)
            ),
        ),
        (false, true) => d(
            Class::OverPermissive,
            format!(
                "model refuses ({}), target allows ({})",
                status_code(model),
                status_code(t)
            ),
        ),
        (false, false) => {
            if level == Level::Decision || (model.status == t.status && model.code == t.code) {
                None
            } else {
                d(
                    Class::WrongError,
                    format!("model {}, target {}", status_code(model), status_code(t)),
                )
            }
        }
        (true, true) => {
            if level == Level::Decision {
                return None;
            }
            if model.status != t.status {
                return d(
                    Class::WrongState,
                    format!(
                        "success status: model {}, target {}",
                        model.status, t.status
                    ),
                );
            }
            if level == Level::Full {
                let diffs = state_differences(model, t);
                if !diffs.is_empty() {
                    return d(Class::WrongState, diffs.join("; "));
                }
            }
            None
        }
    }
}

/// The observable fields the model predicts that the target shows differently. Fields the model
/// does not predict for this op (None) are not compared; grant lists compare as sets. The
/// owner is compared where the target shows one: S3 returns no owner on writes.
pub fn state_differences(model: &Outcome, t: &Outcome) -> Vec<String> {
    let mut out = Vec::new();
    if model.owner.is_some() && t.owner.is_some() && model.owner != t.owner {
        out.push(format!(
            "owner: model {:?}, target {:?}",
            model.owner, t.owner
        ));
    }
    macro_rules! field {
        ($f:ident) => {
            if model.$f.is_some() && model.$f != t.$f {
                out.push(format!(
                    "{}: model {:?}, target {:?}",
                    stringify!($f),
                    model.$f,
                    t.$f
                ));
            }
        };
    }
    if let Some(g) = &model.grants {
        let mut a = g.clone();
        a.sort();
        let mut b = t.grants.clone().unwrap_or_default();
        b.sort();
        if a != b {
            out.push(format!("grants: model {a:?}, target {b:?}"));
        }
    }
    field!(ownership);
    field!(keys);
    field!(buckets);
    field!(public_access_block);
    field!(assumed_role_arn);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use xacct_model::outcome::GrantView;

    fn ok(status: u16) -> Outcome {
        Outcome::status(status)
    }

    fn err(status: u16, code: &str) -> Outcome {
        Outcome::error(status, code)
    }

    fn cls(m: Outcome, t: Outcome, level: Level) -> Option<Class> {
        compare(&m, &Observed::answer(t), level).map(|d| d.class)
    }

    #[test]
    fn classifies_each_kind() {
        use Class::*;
        assert_eq!(
            cls(err(403, "AccessDenied"), ok(200), Level::Code),
            Some(OverPermissive)
        );
        assert_eq!(
            cls(ok(200), err(403, "AccessDenied"), Level::Code),
            Some(OverRestrictive)
        );
        assert_eq!(
            cls(err(403, "AccessDenied"), err(404, "NoSuchKey"), Level::Code),
            Some(WrongError)
        );
        assert_eq!(
            cls(
                err(403, "AccessDenied"),
                err(404, "NoSuchKey"),
                Level::Decision
            ),
            None
        );
        assert_eq!(
            cls(
                err(403, "AccessDenied"),
                err(403, "AccessDenied"),
                Level::Full
            ),
            None
        );
        assert_eq!(cls(ok(204), ok(200), Level::Code), Some(WrongState));
        assert_eq!(cls(ok(204), ok(200), Level::Decision), None);
        assert_eq!(
            cls(
                err(400, "MalformedXML"),
                err(501, "NotImplemented"),
                Level::Code
            ),
            Some(Unsupported)
        );
        assert_eq!(
            compare(&ok(200), &Observed::fault("timeout"), Level::Code).map(|d| d.class),
            Some(EndpointFault)
        );
        assert_eq!(
            compare(
                &ok(200),
                &Observed::Skipped { why: "x".into() },
                Level::Full
            ),
            None
        );
        assert!(!Unsupported.is_divergence() && !EndpointFault.is_divergence());
        assert!(OverPermissive.is_divergence());
    }

    #[test]
    fn full_level_compares_predicted_state_only() {
        let mut m = ok(200);
        m.owner = Some("B".into());
        m.grants = Some(vec![
            GrantView {
                grantee: "A".into(),
                permission: "FULL_CONTROL".into(),
            },
            GrantView {
                grantee: "B".into(),
                permission: "READ".into(),
            },
        ]);
        let mut t = ok(200);
        t.owner = Some("B".into());
        t.grants = Some(vec![
            GrantView {
                grantee: "B".into(),
                permission: "READ".into(),
            },
            GrantView {
                grantee: "A".into(),
                permission: "FULL_CONTROL".into(),
            },
        ]);
        t.keys = Some(vec!["extra".into()]);
        assert_eq!(
            cls(m.clone(), t.clone(), Level::Full),
            None,
            "grants compare as sets; unpredicted keys ignored"
        );
        t.owner = Some("A".into());
        assert_eq!(
            cls(m.clone(), t.clone(), Level::Full),
            Some(Class::WrongState)
        );
        assert_eq!(cls(m, t, Level::Code), None);
    }
}
