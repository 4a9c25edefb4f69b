//! Who makes a request: the principals of the world, weighted toward callers other than the
//! resource owner.

use super::ACCOUNTS;
use proptest::prelude::*;
use proptest::sample::select;
use xacct_model::World;

/// Principals that exist in the world: admins, users, sessions (roots and anonymous are added
/// by [`caller`]).
pub(super) fn principals(w: &World) -> Vec<String> {
    let mut p = Vec::new();
    for a in w.accounts.values() {
        p.push(format!("{}.admin", a.name));
        for u in a.users.keys().filter(|u| *u != "admin") {
            p.push(format!("{}.{u}", a.name));
        }
    }
    p.extend(w.sessions.keys().cloned());
    p
}

/// The admins of the universe's accounts.
pub(super) fn admins() -> Vec<String> {
    ACCOUNTS.iter().map(|a| format!("{a}.admin")).collect()
}

/// Who makes a request: weighted toward callers other than the resource owner.
pub(super) fn caller(w: &World) -> BoxedStrategy<String> {
    let all = principals(w);
    prop_oneof![
        6 => select(all),
        2 => select(admins()),
        1 => Just("anon".to_string()),
        1 => select(ACCOUNTS.iter().map(|a| format!("{a}.root")).collect::<Vec<_>>()),
    ]
    .boxed()
}
