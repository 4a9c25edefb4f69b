//! What a step results in (`Outcome`), why (`Explanation`), and the check of a step's `expect`.

use crate::rules::Rule;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A grant as outcomes show it: the grantee's stable name (`A`, `AllUsers`) and the permission.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantView {
    pub grantee: String,
    pub permission: String,
}

/// A Block Public Access configuration as outcomes show it.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PabView {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

/// The observable result of one step: HTTP status, AWS error code, and what the operation
/// returns where it returns something the rules are about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Account owning the written or read object (or the bucket, for Get*Acl of a bucket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Vec<GrantView>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buckets: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access_block: Option<PabView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed_role_arn: Option<String>,
}

impl Outcome {
    pub fn status(status: u16) -> Outcome {
        Outcome {
            status,
            ..Default::default()
        }
    }

    pub fn error(status: u16, code: &str) -> Outcome {
        Outcome {
            status,
            code: Some(code.to_string()),
            ..Default::default()
        }
    }

    /// 2xx.
    pub fn allowed(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if let Some(c) = &self.code {
            write!(f, " {c}")?;
        }
        if let Some(o) = &self.owner {
            write!(f, " owner={o}")?;
        }
        if let Some(o) = &self.ownership {
            write!(f, " ownership={o}")?;
        }
        if let Some(g) = &self.grants {
            let g: Vec<String> = g
                .iter()
                .map(|g| format!("{}:{}", g.grantee, g.permission))
                .collect();
            write!(f, " grants=[{}]", g.join(","))?;
        }
        if let Some(k) = &self.keys {
            write!(f, " keys=[{}]", k.join(","))?;
        }
        if let Some(b) = &self.buckets {
            write!(f, " buckets=[{}]", b.join(","))?;
        }
        if let Some(p) = &self.public_access_block {
            write!(
                f,
                " pab={}{}{}{}",
                p.block_public_acls as u8,
                p.ignore_public_acls as u8,
                p.block_public_policy as u8,
                p.restrict_public_buckets as u8
            )?;
        }
        if let Some(a) = &self.assumed_role_arn {
            write!(f, " arn={a}")?;
        }
        Ok(())
    }
}

/// A step's `expect`: every field optional; only the fields given are checked.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Vec<GrantView>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buckets: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access_block: Option<PabView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed_role_arn: Option<String>,
}

/// One field where an outcome differs from what was expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub field: &'static str,
    pub expected: String,
    pub actual: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.field, self.expected, self.actual
        )
    }
}

impl Expect {
    /// The fields of `outcome` that differ from this expectation. Grant lists compare as sets.
    pub fn check(&self, outcome: &Outcome) -> Vec<Mismatch> {
        let mut out = Vec::new();
        fn show<T: fmt::Debug>(v: &Option<T>) -> String {
            match v {
                Some(v) => format!("{v:?}"),
                None => "nothing".into(),
            }
        }
        if let Some(s) = self.status {
            if s != outcome.status {
                out.push(Mismatch {
                    field: "status",
                    expected: s.to_string(),
                    actual: outcome.status.to_string(),
                });
            }
        }
        macro_rules! field {
            ($name:ident) => {
                if self.$name.is_some() && self.$name != outcome.$name {
                    out.push(Mismatch {
                        field: stringify!($name),
                        expected: show(&self.$name),
                        actual: show(&outcome.$name),
                    });
                }
            };
        }
        field!(code);
        field!(owner);
        if let Some(g) = &self.grants {
            let mut want = g.clone();
            want.sort();
            let mut got = outcome.grants.clone();
            if let Some(v) = got.as_mut() {
                v.sort();
            }
            if Some(&want) != got.as_ref() {
                out.push(Mismatch {
                    field: "grants",
                    expected: show(&Some(want)),
                    actual: show(&got),
                });
            }
        }
        field!(ownership);
        field!(keys);
        field!(buckets);
        field!(public_access_block);
        field!(assumed_role_arn);
        out
    }
}

/// One line of an explanation: the rule applied and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Because {
    pub rule: &'static str,
    pub detail: String,
}

/// Why a step ended as it did: the rules applied, in the order the model applied them, and the
/// rule that decided.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Explanation {
    pub lines: Vec<Because>,
    /// The rule that decided, recorded where the decision is made ([`Explanation::decide`]).
    /// Not serialized: reports and snapshots show the lines.
    #[serde(skip)]
    decided_by: Option<&'static str>,
}

impl Explanation {
    /// Records a rule that applied without deciding the outcome: a fact a later decision rests
    /// on (a grant that does not count, a public ACL Block Public Access lets through), or the
    /// closing "succeeded" line ([X-ok]).
    pub fn push(&mut self, rule: &'static Rule, detail: impl Into<String>) {
        self.lines.push(Because {
            rule: rule.id,
            detail: detail.into(),
        });
    }

    /// Records the rule that decides the outcome, with what it found: the refusal of a failed
    /// request; for a successful one, the allow of its authorization, replaced by the rule that
    /// then shapes the result (who owns a written object, the configuration now stored).
    pub fn decide(&mut self, rule: &'static Rule, detail: impl Into<String>) {
        self.push(rule, detail);
        self.decided_by = Some(rule.id);
    }

    /// Records that a deviation from AWS (`crate::deviation`, by its catalogue name) decided the
    /// outcome: the line names the deviation where a rule id stands otherwise.
    pub fn deviate(&mut self, deviation: &'static str, detail: impl Into<String>) {
        self.lines.push(Because {
            rule: deviation,
            detail: detail.into(),
        });
        self.decided_by = Some(deviation);
    }

    /// The rule that decided: the last one recorded with [`Explanation::decide`] (or the
    /// deviation recorded with [`Explanation::deviate`]).
    pub fn deciding_rule(&self) -> Option<&'static str> {
        self.decided_by
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, l) in self.lines.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "[{}] {}", l.rule, l.detail)?;
        }
        Ok(())
    }
}

/// A request refused with an AWS error: status, code, the rule that refused it and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail {
    pub status: u16,
    pub code: String,
    pub rule: &'static Rule,
    pub detail: String,
}

impl Fail {
    pub fn new(status: u16, code: &str, rule: &'static Rule, detail: impl Into<String>) -> Fail {
        Fail {
            status,
            code: code.to_string(),
            rule,
            detail: detail.into(),
        }
    }
}
