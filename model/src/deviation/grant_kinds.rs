//! ACL grants per grantee kind and permission, on buckets and on objects: a grant of READ,
//! WRITE, READ_ACP or WRITE_ACP to another account, to AllUsers or to AuthenticatedUsers is
//! ignored when authorizing. The ACL is stored and shown as sent: Get*Acl returns it.
//! Source: Amazon S3 User Guide, "Access control list (ACL) overview" (Grantees, Permissions,
//! "Mapping of ACL permissions and access policy permissions").

use super::views::{with_acl_view, AclOf};
use super::{Inner, StepResult};
use crate::acl::{Acl, Grant, Grantee, Group, Permission};
use crate::scenario::Step;
use crate::world::World;

/// Who an ACL grant is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GranteeKind {
    /// An account other than the ACL's owner, by canonical id (or email).
    Account,
    /// The AllUsers group: anyone, signed or not.
    AllUsers,
    /// The AuthenticatedUsers group: any signed request.
    AuthenticatedUsers,
}

impl GranteeKind {
    pub const ALL: &'static [GranteeKind] = &[
        GranteeKind::Account,
        GranteeKind::AllUsers,
        GranteeKind::AuthenticatedUsers,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            GranteeKind::Account => "account",
            GranteeKind::AllUsers => "all-users",
            GranteeKind::AuthenticatedUsers => "authenticated-users",
        }
    }

    pub fn phrase(self) -> &'static str {
        match self {
            GranteeKind::Account => "another account (by canonical id)",
            GranteeKind::AllUsers => "the AllUsers group",
            GranteeKind::AuthenticatedUsers => "the AuthenticatedUsers group",
        }
    }

    /// Is the grantee of this kind, in an ACL whose owner is `acl.owner`?
    fn is(self, grantee: &Grantee, acl: &Acl) -> bool {
        match (self, grantee) {
            (GranteeKind::Account, Grantee::Account(_)) => {
                *grantee != Grantee::from_owner(&acl.owner)
            }
            (GranteeKind::AllUsers, Grantee::Group(Group::AllUsers)) => true,
            (GranteeKind::AuthenticatedUsers, Grantee::Group(Group::AuthenticatedUsers)) => true,
            _ => false,
        }
    }
}

/// An ACL permission other than FULL_CONTROL (which holds them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Perm {
    Read,
    Write,
    ReadAcp,
    WriteAcp,
}

impl Perm {
    pub const ALL: &'static [Perm] = &[Perm::Read, Perm::Write, Perm::ReadAcp, Perm::WriteAcp];

    pub fn slug(self) -> &'static str {
        match self {
            Perm::Read => "read",
            Perm::Write => "write",
            Perm::ReadAcp => "read-acp",
            Perm::WriteAcp => "write-acp",
        }
    }

    pub fn permission(self) -> Permission {
        match self {
            Perm::Read => Permission::Read,
            Perm::Write => Permission::Write,
            Perm::ReadAcp => Permission::ReadAcp,
            Perm::WriteAcp => Permission::WriteAcp,
        }
    }
}

/// A permission an object's ACL can grant besides FULL_CONTROL: WRITE means nothing on an
/// object ("ACL overview", Permissions: "Not applicable").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectPerm {
    Read,
    ReadAcp,
    WriteAcp,
}

impl ObjectPerm {
    pub const ALL: &'static [ObjectPerm] =
        &[ObjectPerm::Read, ObjectPerm::ReadAcp, ObjectPerm::WriteAcp];

    pub fn perm(self) -> Perm {
        match self {
            ObjectPerm::Read => Perm::Read,
            ObjectPerm::ReadAcp => Perm::ReadAcp,
            ObjectPerm::WriteAcp => Perm::WriteAcp,
        }
    }
}

/// Whether the grant is in a bucket's ACL or an object's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AclTarget {
    Bucket,
    Object,
}

impl AclTarget {
    pub const ALL: &'static [AclTarget] = &[AclTarget::Bucket, AclTarget::Object];

    pub fn slug(self) -> &'static str {
        match self {
            AclTarget::Bucket => "bucket",
            AclTarget::Object => "object",
        }
    }

    fn of(self) -> AclOf {
        match self {
            AclTarget::Bucket => AclOf::Bucket,
            AclTarget::Object => AclOf::Object,
        }
    }
}

/// <target>-grant-ignored-<grantee>-<permission>: such grants do not count when authorizing
/// ([R13], [R14], [R15] are the rules broken); the ACL is stored and shown as sent.
pub(super) fn grant_ignored(
    (grantee, perm, on): (GranteeKind, Perm, AclTarget),
    inner: Inner<'_>,
    world: &mut World,
    step: &Step,
) -> StepResult {
    with_acl_view(inner, world, step, &|of, acl, g: &Grant| {
        !(of == on.of() && g.permission == perm.permission() && grantee.is(&g.grantee, acl))
    })
}
