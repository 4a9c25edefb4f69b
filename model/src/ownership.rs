//! Object Ownership ([R1]–[R3], [R7a], [R8]): who owns a newly written object, and what the
//! BucketOwnerEnforced setting does to objects and ACLs that already exist.

use crate::acl::{self, Acl, AclSpec};
use crate::outcome::Explanation;
use crate::principal::Principal;
use crate::rules;
use crate::world::{Bucket, Object, ObjectOwnership, Owner};

/// ACLs are disabled exactly while the bucket is BucketOwnerEnforced ([R3], [R4]). With the
/// controls deleted the bucket behaves as ObjectWriter ([R8]).
pub fn acls_disabled(bucket: &Bucket) -> bool {
    bucket.ownership == Some(ObjectOwnership::BucketOwnerEnforced)
}

/// The owner that counts now. While ACLs are disabled the bucket owner owns every object,
/// whoever wrote it; re-enabling ACLs brings back the owner recorded at write time ([R7a]).
pub fn effective_owner(bucket: &Bucket, object: &Object) -> Owner {
    if acls_disabled(bucket) {
        Owner::Account(bucket.owner.clone())
    } else {
        object.owner.clone()
    }
}

/// The ACL Get*Acl shows: while ACLs are disabled, only the bucket owner with FULL_CONTROL
/// ([R4]); otherwise the stored ACL ([R7a]), without its public grants while IgnorePublicAcls
/// is on ([R33a]).
pub fn effective_object_acl(bucket: &Bucket, object: &Object) -> Acl {
    if acls_disabled(bucket) {
        Acl::private(&Owner::Account(bucket.owner.clone()))
    } else {
        enforced_view(bucket, &object.acl)
    }
}

pub fn effective_bucket_acl(bucket: &Bucket) -> Acl {
    if acls_disabled(bucket) {
        Acl::private(&Owner::Account(bucket.owner.clone()))
    } else {
        enforced_view(bucket, &bucket.acl)
    }
}

/// Does IgnorePublicAcls hide public grants of this stored ACL from Get*Acl ([R33a])?
pub fn hides_public_grants(bucket: &Bucket, acl: &Acl) -> bool {
    !acls_disabled(bucket)
        && bucket
            .public_access_block
            .is_some_and(|p| p.ignore_public_acls)
        && acl.is_public()
}

/// [R33a] DOC access-control-block-public-access: "Calls to GET Bucket acl and GET Object acl
/// always return the effective permissions in place … GET Bucket acl returns an ACL that
/// reflects the access permissions that Amazon S3 is enforcing".
fn enforced_view(bucket: &Bucket, acl: &Acl) -> Acl {
    let mut shown = acl.clone();
    if hides_public_grants(bucket, acl) {
        shown
            .grants
            .retain(|g| !matches!(g.grantee, acl::Grantee::Group(grp) if grp.is_public()));
    }
    shown
}

/// The owner of an object written now by `writer` with the requested ACL ([R2], [R3], [R8], [R9]).
pub fn owner_for_write(
    bucket: &Bucket,
    writer: &Principal,
    spec: Option<&AclSpec>,
    ex: &mut Explanation,
) -> Owner {
    let writer_owner = match writer.account() {
        Some(a) => Owner::Account(a.clone()),
        None => Owner::Anonymous,
    };
    let bucket_owner = Owner::Account(bucket.owner.clone());
    match bucket.ownership {
        Some(ObjectOwnership::BucketOwnerEnforced) => {
            ex.decide(
                &rules::R3,
                format!(
                    "BucketOwnerEnforced: the bucket owner {} owns the object",
                    bucket.owner
                ),
            );
            bucket_owner
        }
        Some(ObjectOwnership::BucketOwnerPreferred) => {
            // Only the canned ACL transfers ownership (DOC API_OwnershipControlsRule:
            // "uploaded with the bucket-owner-full-control canned ACL").
            if matches!(spec, Some(AclSpec::Canned(c)) if c == "bucket-owner-full-control") {
                ex.decide(&rules::R2, format!("BucketOwnerPreferred with bucket-owner-full-control: the bucket owner {} owns the object", bucket.owner));
                bucket_owner
            } else {
                ex.decide(&rules::R2, format!("BucketOwnerPreferred without the bucket-owner-full-control canned ACL: the writer's account {} owns the object", writer_owner.name()));
                writer_owner
            }
        }
        Some(ObjectOwnership::ObjectWriter) => {
            ex.decide(
                &rules::R2,
                format!(
                    "ObjectWriter: the writing account {} owns the object",
                    writer_owner.name()
                ),
            );
            writer_owner
        }
        None => {
            ex.decide(
                &rules::R8,
                format!(
                    "no ownership controls: the writing account {} owns the object",
                    writer_owner.name()
                ),
            );
            writer_owner
        }
    }
}

/// The object a write stores: its owner and the ACL built for that owner ([R9]–[R12]).
pub fn new_object(bucket: &Bucket, owner: Owner, spec: Option<&AclSpec>) -> Object {
    let acl = if acls_disabled(bucket) {
        Acl::private(&owner)
    } else {
        acl::build(spec, &owner, &bucket.owner)
    };
    Object { owner, acl }
}
