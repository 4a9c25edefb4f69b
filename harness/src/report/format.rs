//! What every output of a run says the same way: the divergence classes (most serious first)
//! and their meanings, a run's divergences by class, which are flaky or known, durations,
//! rates and the target's raw answer.

use crate::compare::{Class, Observed};
use crate::hunt::findings::{Divergence, RunSummary};
use std::collections::BTreeMap;

/// Faults listed one by one in the text and Markdown summaries (all are in `summary.json` and
/// `events.jsonl`).
pub(crate) const LISTED_FAULTS: usize = 20;

/// The four classes that count as divergences, most serious first.
pub(crate) const CLASSES: [Class; 4] = [
    Class::OverPermissive,
    Class::OverRestrictive,
    Class::WrongError,
    Class::WrongState,
];

pub(crate) fn class_meaning(c: Class) -> &'static str {
    match c {
        Class::OverPermissive => "the target allows what AWS denies (a security bug)",
        Class::OverRestrictive => "the target denies what AWS allows (a compatibility bug)",
        Class::WrongError => "both refuse, with a different status or error code",
        Class::WrongState => "both succeed, but what the target shows differs",
        Class::Unsupported => "the target lacks the API or a capability (never a divergence)",
        Class::EndpointFault => "the endpoint failed: timeout, reset or 5xx (never a divergence)",
    }
}

/// Divergences grouped by class, most serious first (then any other class), each group by id.
pub(crate) fn by_class(s: &RunSummary) -> Vec<(Class, Vec<&Divergence>)> {
    let mut groups: BTreeMap<Class, Vec<&Divergence>> = BTreeMap::new();
    for c in CLASSES {
        groups.insert(c, Vec::new());
    }
    for d in &s.divergences {
        groups.entry(d.signature.class).or_default().push(d);
    }
    groups
        .into_iter()
        .map(|(c, mut v)| {
            v.sort_by(|a, b| a.id.cmp(&b.id));
            (c, v)
        })
        .collect()
}

/// Whether a divergence did not reproduce: `flaky` lists ids or signature keys.
pub(crate) fn is_flaky(s: &RunSummary, d: &Divergence) -> bool {
    let key = d.signature.key();
    !d.confirmed || s.flaky.iter().any(|f| *f == d.id || *f == key)
}

pub(crate) fn is_known(s: &RunSummary, d: &Divergence) -> bool {
    s.known.contains(&d.signature.key())
}

pub(crate) fn millis(ms: u128) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

pub(crate) fn steps_per_s(s: &RunSummary) -> String {
    if s.elapsed_ms == 0 {
        "-".into()
    } else {
        format!("{:.1}", s.steps as f64 * 1000.0 / s.elapsed_ms as f64)
    }
}

/// The target's answer as received: its raw text where there is one.
pub(crate) fn target_raw(o: &Observed) -> String {
    match o {
        Observed::Answer { outcome, raw } if raw.is_empty() => outcome.to_string(),
        Observed::Answer { raw, .. } => raw.clone(),
        other => other.to_string(),
    }
}
