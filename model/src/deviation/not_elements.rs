//! NotPrincipal, NotAction and NotResource: a statement with one of them never applies, or
//! the element is read as its positive form (Principal, Action, Resource). In every kind of
//! policy that can hold the element (NotPrincipal: bucket and trust policies).
//! Source: AWS IAM User Guide, "IAM JSON policy elements: NotPrincipal", "…: NotAction",
//! "…: NotResource".

use super::views::{never_applies, with_policies_view};
use super::{Inner, StepResult};
use crate::policy::{NameSet, Policy, Statement};
use crate::scenario::Step;
use crate::world::World;

/// A negated statement element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NotElement {
    NotPrincipal,
    NotAction,
    NotResource,
}

impl NotElement {
    pub const ALL: &'static [NotElement] = &[
        NotElement::NotPrincipal,
        NotElement::NotAction,
        NotElement::NotResource,
    ];

    /// The element in a deviation's name (`notaction`).
    pub fn slug(self) -> &'static str {
        match self {
            NotElement::NotPrincipal => "notprincipal",
            NotElement::NotAction => "notaction",
            NotElement::NotResource => "notresource",
        }
    }

    pub fn element(self) -> &'static str {
        match self {
            NotElement::NotPrincipal => "NotPrincipal",
            NotElement::NotAction => "NotAction",
            NotElement::NotResource => "NotResource",
        }
    }

    pub fn positive(self) -> &'static str {
        match self {
            NotElement::NotPrincipal => "Principal",
            NotElement::NotAction => "Action",
            NotElement::NotResource => "Resource",
        }
    }

    /// The AWS page of the element's rule.
    pub fn page(self) -> &'static str {
        match self {
            NotElement::NotPrincipal => {
                "AWS IAM User Guide: IAM JSON policy elements: NotPrincipal"
            }
            NotElement::NotAction => "AWS IAM User Guide: IAM JSON policy elements: NotAction",
            NotElement::NotResource => "AWS IAM User Guide: IAM JSON policy elements: NotResource",
        }
    }

    fn in_statement(self, s: &Statement) -> bool {
        match self {
            NotElement::NotPrincipal => s.principal.as_ref().is_some_and(|p| p.negated),
            NotElement::NotAction => matches!(s.action, NameSet::Except(_)),
            NotElement::NotResource => matches!(s.resource, Some(NameSet::Except(_))),
        }
    }
}

/// <element>-never-matches: a statement holding the element never applies ([P-match],
/// [P-notprincipal] are the rules broken).
pub(super) fn never_matches(
    element: NotElement,
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    with_policies_view(inner, world, step, &|_, p| {
        for s in p.statements.iter_mut().filter(|s| element.in_statement(s)) {
            never_applies(s);
        }
    })
}

/// <element>-as-positive: the element is read as its positive form: NotPrincipal as
/// Principal, NotAction as Action, NotResource as Resource. A NotPrincipal read as Principal
/// is no longer public ([R36] counts NotPrincipal as public).
pub(super) fn as_positive(
    element: NotElement,
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    with_policies_view(inner, world, step, &|_, p| positive(p, element))
}

fn positive(p: &mut Policy, element: NotElement) {
    for s in &mut p.statements {
        match element {
            NotElement::NotPrincipal => {
                if let Some(e) = s.principal.as_mut() {
                    e.negated = false;
                }
            }
            NotElement::NotAction => {
                if let NameSet::Except(v) = &s.action {
                    s.action = NameSet::Only(v.clone());
                }
            }
            NotElement::NotResource => {
                if let Some(NameSet::Except(v)) = &s.resource {
                    s.resource = Some(NameSet::Only(v.clone()));
                }
            }
        }
    }
}
