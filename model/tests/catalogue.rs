//! Every deviation of the catalogue is observable and narrow:
//!
//! - a witness for each one in `Deviation::all()`: a short scenario on whose last step the model
//!   and the model with the deviation answer differently (the historical ones reuse their
//!   corpus files, the families have one written here from their parameters);
//! - within each family, a deviation changes its own witness and not its neighbours' (a closely
//!   related but different request), but for the listed exceptions;
//! - any set of deviations composes: random sets over the witnesses fold without a step error
//!   the model does not have, whatever order they are given in;
//! - what Get*Acl shows does not depend on a grant-ignoring deviation.

use serde_json::{json, Value};
use xacct_model::deviation::{
    step_with, AclTarget, BucketConfig, CallerKind, ConditionKey, Deviation, Family, GranteeKind,
    NotElement, ObjectPerm, OperatorFamily, Perm, PolicyPlace, PrincipalForm, PublicGroup,
    PublicRule, RequestCheck,
};
use xacct_model::{Outcome, Scenario};

/// Every step's outcome with these deviations on (an error as its text).
fn outcomes(devs: &[Deviation], s: &Scenario) -> Vec<Result<Outcome, String>> {
    let mut w = s.world();
    s.steps
        .iter()
        .map(|st| {
            step_with(devs, &mut w, st)
                .map(|(o, _)| o)
                .map_err(|e| e.to_string())
        })
        .collect()
}

fn scenario(name: &str, steps: Vec<Value>) -> Scenario {
    let doc = json!({"name": name, "steps": steps});
    Scenario::from_json_str(&doc.to_string(), name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn load(path: &str) -> Scenario {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    Scenario::from_json_str(&text, path).unwrap()
}

/// One step: `as`, `op` and the op's fields.
fn st(who: &str, op: &str, fields: Value) -> Value {
    let mut v = json!({"as": who, "op": op});
    if let (Some(m), Value::Object(f)) = (v.as_object_mut(), fields) {
        m.extend(f);
    }
    v
}

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

const OBJECTS: &str = "arn:aws:s3:::b1/*";

/// Some step's answer differs with `d` on.
fn changes(d: Deviation, s: &Scenario) -> bool {
    outcomes(&[], s) != outcomes(&[d], s)
}

// ---------------------------------------------------------------------------------------------
// Witnesses

/// The witness of a deviation: its corpus file for the historical ones, a scenario built here
/// for the families.
fn witness(d: Deviation) -> Scenario {
    use Deviation::*;
    match d {
        PrincipalFormUnmatched { form, policy } => principal_witness(form, policy),
        NotElementNeverMatches { element } | NotElementAsPositive { element } => {
            not_element_witness(element, matches!(d, NotElementAsPositive { .. }))
        }
        BucketGrantIgnored {
            grantee,
            permission,
        } => grant_witness(grantee, permission, AclTarget::Bucket),
        ObjectGrantIgnored {
            grantee,
            permission,
        } => grant_witness(grantee, permission.perm(), AclTarget::Object),
        ConditionFamilyIgnored { family } => condition_family_witness(family),
        IfExistsIgnored => user_condition(
            "if-exists",
            json!({"StringEqualsIfExists": {"s3:x-amz-acl": "private"}}),
        ),
        ForAllValuesAsAny => user_condition(
            "for-all",
            json!({"ForAllValues:StringEquals": {"s3:x-amz-acl": "private"}}),
        ),
        ForAnyValueAsAll => user_condition(
            "for-any",
            json!({"ForAnyValue:StringEquals": {"s3:x-amz-acl": "private"}}),
        ),
        KeyAbsent { key } => key_witness(key),
        PublicPolicy { rule } => public_policy_witness(rule),
        PublicAclGroupMissed { group } => public_acl_witness(group),
        ConfigMissingBeforeAuthorization { config } => config_witness(config),
        MissingBucketDenied { caller } => missing_bucket_witness(caller),
        CheckedAfterAuthorization { check } => check_witness(check),
        RecreateAclConflict => scenario(
            "recreate-acl",
            vec![
                st(
                    "A.admin",
                    "create_bucket",
                    json!({"bucket": "b1", "object_ownership": "ObjectWriter"}),
                ),
                st(
                    "A.admin",
                    "delete_public_access_block",
                    json!({"bucket": "b1"}),
                ),
                st(
                    "A.admin",
                    "create_bucket",
                    json!({"bucket": "b1", "object_ownership": "ObjectWriter", "acl": "log-delivery-write"}),
                ),
            ],
        ),
        NotPrincipalAccountExempts => scenario(
            "notprincipal-account",
            vec![
                st("A.admin", "create_bucket", json!({"bucket": "b1"})),
                st(
                    "A.admin",
                    "put_object",
                    json!({"bucket": "b1", "key": "k1"}),
                ),
                st(
                    "A.admin",
                    "put_bucket_policy",
                    json!({"bucket": "b1", "policy": doc(json!([
                    {"Effect": "Deny", "NotPrincipal": {"AWS": "${A}"}, "Action": "s3:GetObject", "Resource": OBJECTS}]))}),
                ),
                st(
                    "A.admin",
                    "get_object",
                    json!({"bucket": "b1", "key": "k1"}),
                ),
            ],
        ),
        historical => historical_witness(historical),
    }
}

/// A historical deviation's witness: the first scenario of the corpus (mutants, then backend
/// evidence, then the curated scenarios) it changes.
fn historical_witness(d: Deviation) -> Scenario {
    [
        "corpus/mutants",
        "corpus/evidence/rgw",
        "corpus/evidence/moto",
        "scenarios",
    ]
    .iter()
    .flat_map(|dir| json_files(dir))
    .map(|f| load(&f))
    .find(|s| changes(d, s))
    .unwrap_or_else(|| panic!("no scenario of the corpus witnesses {d}"))
}

fn json_files(dir: &str) -> Vec<String> {
    let full = format!("{}/../{dir}", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(&full)
        .unwrap_or_else(|e| panic!("{full}: {e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".json"))
        .map(|f| format!("{dir}/{f}"))
        .collect();
    files.sort();
    files
}

/// B's role r1 (trusting B.admin, allowed everything) and its session s1 (`xacct-s1`).
fn b_session() -> Vec<Value> {
    vec![
        st(
            "B.admin",
            "create_role",
            json!({"name": "r1",
            "trust_policy": doc(json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${B}:user/admin"}, "Action": "sts:AssumeRole"}])),
            "policy": doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]))}),
        ),
        st(
            "B.admin",
            "assume_role",
            json!({"role_arn": "arn:aws:iam::${B}:role/r1", "session_name": "xacct-s1", "as_name": "s1"}),
        ),
    ]
}

/// The Principal naming B's caller in this form, and the caller.
fn principal_of(form: PrincipalForm) -> (Value, &'static str) {
    match form {
        PrincipalForm::AccountId => (json!({"AWS": "${B}"}), "B.admin"),
        PrincipalForm::RootArn => (json!({"AWS": "arn:aws:iam::${B}:root"}), "B.admin"),
        PrincipalForm::UserArn => (json!({"AWS": "arn:aws:iam::${B}:user/admin"}), "B.admin"),
        PrincipalForm::RoleArn => (json!({"AWS": "arn:aws:iam::${B}:role/r1"}), "s1"),
        PrincipalForm::SessionArn => (
            json!({"AWS": "arn:aws:sts::${B}:assumed-role/r1/xacct-s1"}),
            "s1",
        ),
        PrincipalForm::CanonicalId => (json!({"CanonicalUser": "${B.canonical}"}), "B.admin"),
        PrincipalForm::Wildcard => (json!("*"), "anon"),
    }
}

/// A policy allows B's caller, named in `form`; the caller reads (bucket policy) or assumes a
/// role of A's (trust policy).
fn principal_witness(form: PrincipalForm, place: PolicyPlace) -> Scenario {
    let (principal, caller) = principal_of(form);
    let mut steps = match form {
        PrincipalForm::RoleArn | PrincipalForm::SessionArn => b_session(),
        _ => Vec::new(),
    };
    let caller = match (place, caller) {
        (PolicyPlace::Trust, "anon") => "B.admin",
        (_, c) => c,
    };
    match place {
        PolicyPlace::Bucket => {
            steps.extend([
                st("A.admin", "create_bucket", json!({"bucket": "b1"})),
                st("A.admin", "delete_public_access_block", json!({"bucket": "b1"})),
                st("A.admin", "put_object", json!({"bucket": "b1", "key": "k1"})),
                st("A.admin", "put_bucket_policy", json!({"bucket": "b1", "policy": doc(json!([
                    {"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": OBJECTS}]))})),
                st(caller, "get_object", json!({"bucket": "b1", "key": "k1"})),
            ]);
        }
        PolicyPlace::Trust => {
            steps.extend([
                st("A.admin", "create_role", json!({"name": "r2", "trust_policy": doc(json!([
                    {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]))})),
                st(caller, "assume_role", json!({"role_arn": "arn:aws:iam::${A}:role/r2", "session_name": "xacct-s2", "as_name": "s2"})),
            ]);
        }
    }
    scenario(
        &format!("principal-{}-{}", place.slug(), form.slug()),
        steps,
    )
}

/// A.u1 with this identity policy, and a bucket b1 of A's.
fn user_with(policy: Value) -> Vec<Value> {
    vec![
        st(
            "A.admin",
            "create_bucket",
            json!({"bucket": "b1", "object_ownership": "ObjectWriter"}),
        ),
        st(
            "A.admin",
            "create_user",
            json!({"name": "u1", "policy": policy}),
        ),
    ]
}

fn not_element_witness(e: NotElement, positive: bool) -> Scenario {
    let steps = match e {
        NotElement::NotAction => {
            let mut s = user_with(doc(
                json!([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]),
            ));
            s.push(st(
                "A.u1",
                "put_object",
                json!({"bucket": "b1", "key": "k1"}),
            ));
            s
        }
        NotElement::NotResource => {
            let mut s = user_with(doc(
                json!([{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::other/*"}]),
            ));
            s.push(st(
                "A.u1",
                "put_object",
                json!({"bucket": "b1", "key": "k1"}),
            ));
            s
        }
        NotElement::NotPrincipal => {
            // Deny everyone but A.admin; allow B. B is refused, A.admin is not.
            let caller = if positive { "A.admin" } else { "B.admin" };
            vec![
                st("A.admin", "create_bucket", json!({"bucket": "b1"})),
                st(
                    "A.admin",
                    "put_object",
                    json!({"bucket": "b1", "key": "k1"}),
                ),
                st(
                    "A.admin",
                    "put_bucket_policy",
                    json!({"bucket": "b1", "policy": doc(json!([
                    {"Effect": "Deny", "NotPrincipal": {"AWS": ["${A}", "arn:aws:iam::${A}:user/admin"]}, "Action": "s3:GetObject", "Resource": OBJECTS},
                    {"Effect": "Allow", "Principal": {"AWS": "${B}"}, "Action": "s3:GetObject", "Resource": OBJECTS}]))}),
                ),
                st(caller, "get_object", json!({"bucket": "b1", "key": "k1"})),
            ]
        }
    };
    scenario(&format!("{}-{positive}", e.slug()), steps)
}

/// A grant in an ACL of A's, and the call it allows made by the grantee.
fn grant_witness(grantee: GranteeKind, perm: Perm, on: AclTarget) -> Scenario {
    let (value, caller) = match grantee {
        GranteeKind::Account => ("id=${B.canonical}", "B.admin"),
        GranteeKind::AllUsers => (
            "uri=http://acs.amazonaws.com/groups/global/AllUsers",
            "anon",
        ),
        GranteeKind::AuthenticatedUsers => (
            "uri=http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
            "B.admin",
        ),
    };
    let header = match perm {
        Perm::Read => "read",
        Perm::Write => "write",
        Perm::ReadAcp => "read_acp",
        Perm::WriteAcp => "write_acp",
    };
    let grants = json!({header: value, "full_control": "id=${A.canonical}"});
    let mut steps = vec![
        st(
            "A.admin",
            "create_bucket",
            json!({"bucket": "b1", "object_ownership": "ObjectWriter"}),
        ),
        st(
            "A.admin",
            "delete_public_access_block",
            json!({"bucket": "b1"}),
        ),
    ];
    let b1 = json!({"bucket": "b1"});
    let k1 = json!({"bucket": "b1", "key": "k1"});
    match on {
        AclTarget::Bucket => {
            steps.push(st(
                "A.admin",
                "put_bucket_acl",
                json!({"bucket": "b1", "grants": grants}),
            ));
            steps.push(match perm {
                Perm::Read => st(caller, "list_objects", b1),
                Perm::Write => st(caller, "put_object", json!({"bucket": "b1", "key": "k2"})),
                Perm::ReadAcp => st(caller, "get_bucket_acl", b1),
                Perm::WriteAcp => st(
                    caller,
                    "put_bucket_acl",
                    json!({"bucket": "b1", "acl": "private"}),
                ),
            });
        }
        AclTarget::Object => {
            steps.push(st(
                "A.admin",
                "put_object",
                json!({"bucket": "b1", "key": "k1", "grants": grants}),
            ));
            steps.push(match perm {
                Perm::Read => st(caller, "get_object", k1),
                Perm::ReadAcp => st(caller, "get_object_acl", k1),
                Perm::WriteAcp | Perm::Write => st(
                    caller,
                    "put_object_acl",
                    json!({"bucket": "b1", "key": "k1", "acl": "private"}),
                ),
            });
        }
    }
    scenario(
        &format!("grant-{}-{}-{}", on.slug(), grantee.slug(), perm.slug()),
        steps,
    )
}

/// A.u1 may do anything in S3 where `condition` holds; it puts an object without an ACL.
fn user_condition(name: &str, condition: Value) -> Scenario {
    let mut steps = user_with(doc(
        json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": condition}]),
    ));
    steps.push(st(
        "A.u1",
        "put_object",
        json!({"bucket": "b1", "key": "k1"}),
    ));
    scenario(name, steps)
}

/// A condition of the family that fails on A.u1's request.
fn condition_family_witness(f: OperatorFamily) -> Scenario {
    let c = match f {
        OperatorFamily::String => json!({"StringEquals": {"aws:PrincipalType": "Nobody"}}),
        OperatorFamily::Numeric => json!({"NumericEquals": {"aws:PrincipalAccount": "1"}}),
        OperatorFamily::Bool => json!({"Bool": {"aws:SecureTransport": "true"}}),
        OperatorFamily::IpAddress => json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        OperatorFamily::Arn => {
            json!({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::${A}:user/nobody"}})
        }
        OperatorFamily::Null => json!({"Null": {"s3:x-amz-acl": "false"}}),
    };
    user_condition(&format!("family-{}", f.slug()), c)
}

/// An identity policy that allows only requests carrying the key (`Null: false`), and a
/// request that carries it.
fn key_witness(k: ConditionKey) -> Scenario {
    let needs = json!({"Null": {k.key(): "false"}});
    let allow = |action: &str| json!({"Effect": "Allow", "Action": action, "Resource": "*", "Condition": needs});
    let name = format!("key-{}", k.slug());
    let put = |fields: Value| st("A.u1", "put_object", fields);
    let grant =
        |h: &str| put(json!({"bucket": "b1", "key": "k1", "grants": {h: "id=${B.canonical}"}}));
    let last = match k {
        ConditionKey::MultiFactorAuthPresent => {
            return scenario(
                &name,
                vec![
                    st("A.admin", "create_bucket", json!({"bucket": "b1"})),
                    st(
                        "A.admin",
                        "create_role",
                        json!({"name": "r1",
                    "trust_policy": doc(json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${A}:user/admin"}, "Action": "sts:AssumeRole"}])),
                    "policy": doc(json!([allow("s3:*")]))}),
                    ),
                    st(
                        "A.admin",
                        "assume_role",
                        json!({"role_arn": "arn:aws:iam::${A}:role/r1", "session_name": "xacct-s1", "as_name": "s1"}),
                    ),
                    st("s1", "put_object", json!({"bucket": "b1", "key": "k1"})),
                ],
            );
        }
        ConditionKey::ObjectOwnership => {
            let mut steps = user_with(doc(json!([allow("s3:*")])));
            steps.push(st(
                "A.u1",
                "create_bucket",
                json!({"bucket": "b2", "object_ownership": "ObjectWriter"}),
            ));
            return scenario(&name, steps);
        }
        ConditionKey::CopySource => {
            let mut steps = user_with(doc(json!([
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                allow("s3:PutObject")])));
            steps.push(st(
                "A.admin",
                "put_object",
                json!({"bucket": "b1", "key": "k0"}),
            ));
            steps.push(st(
                "A.u1",
                "copy_object",
                json!({"bucket": "b1", "key": "k1", "source_bucket": "b1", "source_key": "k0"}),
            ));
            return scenario(&name, steps);
        }
        ConditionKey::XAmzAcl => put(json!({"bucket": "b1", "key": "k1", "acl": "private"})),
        ConditionKey::Prefix => st(
            "A.u1",
            "list_objects",
            json!({"bucket": "b1", "prefix": "a"}),
        ),
        ConditionKey::GrantRead => grant("read"),
        ConditionKey::GrantWrite => grant("write"),
        ConditionKey::GrantReadAcp => grant("read_acp"),
        ConditionKey::GrantWriteAcp => grant("write_acp"),
        ConditionKey::GrantFullControl => grant("full_control"),
        _ => put(json!({"bucket": "b1", "key": "k1"})),
    };
    let mut steps = user_with(doc(json!([allow("s3:*")])));
    steps.push(last);
    scenario(&name, steps)
}

/// PutBucketPolicy under the default BlockPublicPolicy, of a policy on the rule's edge.
fn public_policy_witness(r: PublicRule) -> Scenario {
    let get = |principal: Value| json!({"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": OBJECTS});
    let with_ip = |range: &str| {
        let mut s = get(json!("*"));
        s["Condition"] = json!({"IpAddress": {"aws:SourceIp": range}});
        s
    };
    let statement = match r {
        PublicRule::ConditionsIgnored => with_ip("192.0.2.0/24"),
        PublicRule::AnySourceIpLimits => with_ip("0.0.0.0/1"),
        PublicRule::NotPrincipalNotPublic => {
            json!({"Effect": "Allow", "NotPrincipal": {"AWS": "${B}"}, "Action": "s3:GetObject", "Resource": OBJECTS})
        }
        PublicRule::AccountPrincipalPublic => get(json!({"AWS": "${B}"})),
        PublicRule::DenyCountsPublic => {
            json!({"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": OBJECTS})
        }
    };
    scenario(
        r.name(),
        vec![
            st("A.admin", "create_bucket", json!({"bucket": "b1"})),
            st(
                "A.admin",
                "put_bucket_policy",
                json!({"bucket": "b1", "policy": doc(json!([statement]))}),
            ),
        ],
    )
}

/// PutBucketAcl of a canned ACL public through the group, under the default BlockPublicAcls.
fn public_acl_witness(g: PublicGroup) -> Scenario {
    let canned = match g {
        PublicGroup::AllUsers => "public-read",
        PublicGroup::AuthenticatedUsers => "authenticated-read",
    };
    scenario(
        &format!("public-acl-{}", g.slug()),
        vec![
            st(
                "A.admin",
                "create_bucket",
                json!({"bucket": "b1", "object_ownership": "ObjectWriter"}),
            ),
            st(
                "A.admin",
                "put_bucket_acl",
                json!({"bucket": "b1", "acl": canned}),
            ),
        ],
    )
}

/// B asks for a configuration A's bucket does not have.
fn config_witness(c: BucketConfig) -> Scenario {
    let b1 = json!({"bucket": "b1"});
    let (remove, get) = match c {
        BucketConfig::Policy => (None, "get_bucket_policy"),
        BucketConfig::OwnershipControls => (
            Some("delete_bucket_ownership_controls"),
            "get_bucket_ownership_controls",
        ),
        BucketConfig::PublicAccessBlock => (
            Some("delete_public_access_block"),
            "get_public_access_block",
        ),
    };
    let mut steps = vec![st("A.admin", "create_bucket", b1.clone())];
    steps.extend(remove.map(|op| st("A.admin", op, b1.clone())));
    steps.push(st("B.admin", get, b1));
    scenario(&format!("config-{}", c.slug()), steps)
}

fn missing_bucket_witness(k: CallerKind) -> Scenario {
    let caller = match k {
        CallerKind::Anonymous => "anon",
        CallerKind::Signed => "B.admin",
    };
    scenario(
        &format!("missing-bucket-{}", k.slug()),
        vec![
            st("A.admin", "create_bucket", json!({"bucket": "b1"})),
            st(caller, "get_object", json!({"bucket": "nope", "key": "k1"})),
        ],
    )
}

/// B sends A's bucket a request the check refuses.
fn check_witness(c: RequestCheck) -> Scenario {
    let last = match c {
        RequestCheck::PolicyDocument => st(
            "B.admin",
            "put_bucket_policy",
            json!({"bucket": "b1", "policy": {"Statement": []}}),
        ),
        RequestCheck::AclSyntax => st(
            "B.admin",
            "put_bucket_acl",
            json!({"bucket": "b1", "acl": "bogus"}),
        ),
        RequestCheck::AclsDisabled => st(
            "B.admin",
            "put_bucket_acl",
            json!({"bucket": "b2", "acl": "private"}),
        ),
        RequestCheck::ExpectedOwnerFormat => {
            let mut s = st("B.admin", "get_bucket_acl", json!({"bucket": "b1"}));
            s["expected_bucket_owner"] = json!("abc");
            s
        }
    };
    scenario(
        &format!("check-{}", c.slug()),
        vec![
            st(
                "A.admin",
                "create_bucket",
                json!({"bucket": "b1", "object_ownership": "ObjectWriter"}),
            ),
            st("A.admin", "create_bucket", json!({"bucket": "b2"})),
            last,
        ],
    )
}

// ---------------------------------------------------------------------------------------------
// Tests

/// Every deviation of the catalogue has a witness: the model and the model with it answer the
/// witness differently.
#[test]
fn every_deviation_has_a_witness() {
    let mut silent = Vec::new();
    for d in Deviation::all().iter().copied() {
        let s = witness(d);
        if !changes(d, &s) {
            silent.push(format!("{d} ({}): {:?}", s.name, outcomes(&[], &s).last()));
        }
    }
    assert!(
        silent.is_empty(),
        "deviations their witness does not show:\n{}",
        silent.join("\n")
    );
}

/// The family deviations of one family, each with its witness.
fn family(f: Family) -> Vec<(Deviation, Scenario)> {
    Deviation::all()[30..]
        .iter()
        .copied()
        .filter(|d| d.family() == f)
        .map(|d| (d, witness(d)))
        .collect()
}

/// Within a family, `d` changes the witness of `w` exactly when `d == w` or `(d, w)` is listed
/// in `also`: a deviation is narrow, its neighbours' requests are not its own.
fn narrow(f: Family, also: &dyn Fn(Deviation, Deviation) -> bool) {
    let members = family(f);
    assert!(!members.is_empty(), "{f}");
    let mut wrong = Vec::new();
    for (d, _) in &members {
        for (w, s) in &members {
            let expected = d == w || also(*d, *w);
            if changes(*d, s) != expected {
                wrong.push(format!(
                    "{d} on the witness of {w}: changes = {}",
                    !expected
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{f}:\n{}", wrong.join("\n"));
}

/// A form is matched only through itself: a bucket-policy deviation changes no other form's
/// witness, and no trust-policy witness; the trust-policy ones neither, except that B's role
/// session in the role and session witnesses is assumed through a user ARN.
#[test]
fn principal_forms_are_narrow() {
    use Deviation::PrincipalFormUnmatched as P;
    narrow(Family::PolicyPrincipal, &|d, w| {
        let (
            P {
                form: df,
                policy: dp,
            },
            P { form: wf, .. },
        ) = (d, w)
        else {
            return false;
        };
        dp == PolicyPlace::Trust
            && df == PrincipalForm::UserArn
            && matches!(wf, PrincipalForm::RoleArn | PrincipalForm::SessionArn)
    });
}

/// NotAction, NotResource and NotPrincipal each leave the others' statements alone.
#[test]
fn not_elements_are_narrow() {
    use Deviation::{NotElementAsPositive as Pos, NotElementNeverMatches as Never};
    narrow(Family::NotElement, &|d, w| {
        let el = |x: Deviation| match x {
            Never { element } | Pos { element } => Some(element),
            _ => None,
        };
        // The two deviations of one element change the same statement; but a Deny whose
        // NotPrincipal exempts the caller does not apply to it either way.
        el(d) == el(w)
            && !(d
                == Never {
                    element: NotElement::NotPrincipal,
                }
                && w == Pos {
                    element: NotElement::NotPrincipal,
                })
    });
}

/// A grant is ignored only for its grantee kind, its permission and its target.
#[test]
fn grant_kinds_are_narrow() {
    narrow(Family::AclGrant, &|_, _| false);
}

/// A family of operators, a set operator, IfExists or a key changes only its own conditions;
/// but ignoring String operators lets ForAnyValue:StringEquals through too.
#[test]
fn conditions_are_narrow() {
    narrow(Family::Condition, &|d, w| {
        d == Deviation::ConditionFamilyIgnored {
            family: OperatorFamily::String,
        } && w == Deviation::ForAnyValueAsAll
    });
}

/// Each rule of publicness changes only the policies or ACLs on its edge.
#[test]
fn public_rules_are_narrow() {
    narrow(Family::PublicAccess, &|d, _| {
        // The historical BPA deviations are not in the new family's witnesses' way.
        Deviation::all()[..30].contains(&d)
    });
}

/// Each order of checks changes only the answers of its own check.
#[test]
fn check_orders_are_narrow() {
    narrow(Family::CheckOrder, &|_, _| false);
}

/// A deviation that ignores a grant when authorizing leaves what Get*Acl shows as stored.
#[test]
fn ignored_grants_are_still_shown() {
    let d = Deviation::ObjectGrantIgnored {
        grantee: GranteeKind::Account,
        permission: ObjectPerm::Read,
    };
    let mut s = grant_witness(GranteeKind::Account, Perm::Read, AclTarget::Object);
    let read = outcomes(&[d], &s);
    assert_eq!(
        read.last().and_then(|o| o.as_ref().ok()).map(|o| o.status),
        Some(403)
    );
    s.steps.last_mut().unwrap().op =
        serde_json::from_value(json!({"op": "get_object_acl", "bucket": "b1", "key": "k1"}))
            .unwrap();
    s.steps.last_mut().unwrap().as_ = "A.admin".into();
    let model = outcomes(&[], &s);
    let with = outcomes(&[d], &s);
    assert_eq!(model, with);
    let shown = with.last().unwrap().as_ref().unwrap();
    assert!(
        shown
            .grants
            .as_ref()
            .is_some_and(|g| g.iter().any(|g| g.permission == "READ")),
        "{shown:?}"
    );
}

/// A deviation that changes how policies are evaluated does not change what is stored: after
/// its witness, every bucket and user both worlds hold has the same policies with and without
/// it.
#[test]
fn policy_views_are_taken_back() {
    let evaluation = [
        Family::PolicyPrincipal,
        Family::NotElement,
        Family::Condition,
    ];
    for d in Deviation::all()[30..].iter().copied() {
        if !evaluation.contains(&d.family()) {
            continue;
        }
        let s = witness(d);
        let (mut model, mut with) = (s.world(), s.world());
        for st in &s.steps {
            let _ = step_with(&[], &mut model, st);
            let _ = step_with(&[d], &mut with, st);
        }
        for (name, b) in &with.buckets {
            if let Some(m) = model.buckets.get(name) {
                assert_eq!(b.policy, m.policy, "{d}: bucket {name}");
            }
        }
        for (name, a) in &with.accounts {
            for (u, user) in &a.users {
                let m = &model.accounts[name].users.get(u).map(|m| &m.policies);
                assert_eq!(Some(&user.policies), *m, "{d}: user {name}.{u}");
            }
            for (r, role) in &a.roles {
                let m = model.accounts[name].roles.get(r).map(|m| &m.trust);
                assert_eq!(Some(&role.trust), m, "{d}: role {name}:{r}");
            }
        }
    }
}

/// A small deterministic generator for the composition test.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// Any set of deviations folds: random sets over every witness (and the mutant corpus) give no
/// step error the model does not have, and the same answers in any order; every deviation at
/// once folds too.
#[test]
fn any_set_of_deviations_composes() {
    let all = Deviation::all();
    let mut scenarios: Vec<Scenario> = all[30..].iter().map(|d| witness(*d)).collect();
    scenarios.extend(json_files("corpus/mutants").iter().map(|f| load(f)));
    let mut rng = Lcg(7);
    for (i, s) in scenarios.iter().enumerate() {
        let model = outcomes(&[], s);
        for _ in 0..4 {
            let n = 1 + rng.below(6);
            let mut set: Vec<Deviation> = (0..n).map(|_| all[rng.below(all.len())]).collect();
            let forward = outcomes(&set, s);
            set.reverse();
            assert_eq!(forward, outcomes(&set, s), "{set:?} on {}", s.name);
            for (x, m) in forward.iter().zip(&model) {
                // A role session that a refused AssumeRole never made is the scenario's error,
                // not the fold's.
                let unmade = x.as_ref().is_err_and(|e| e.contains("no role session"));
                assert!(
                    x.is_err() == m.is_err() || unmade,
                    "{set:?} on {}: {x:?}",
                    s.name
                );
            }
        }
        if i % 8 == 0 {
            let every = outcomes(all, s);
            assert_eq!(every.len(), model.len());
        }
    }
}

/// Names, families and text of the families follow the catalogue's conventions.
#[test]
fn family_names_read_well() {
    let names: Vec<&str> = Deviation::all()[30..].iter().map(|d| d.name()).collect();
    for n in [
        "bucket-policy-ignores-role-arn",
        "trust-policy-ignores-account-id",
        "notaction-never-matches",
        "notresource-as-positive",
        "object-grant-ignored-authenticated-users-read",
        "bucket-grant-ignored-account-write-acp",
        "condition-family-ignored-numeric",
        "if-exists-ignored",
        "for-all-values-as-any",
        "key-absent-aws-sourceip",
        "public-policy-ignores-notprincipal",
        "no-bucket-policy-404-before-authorization",
        "missing-bucket-denied-anonymous",
        "acls-disabled-checked-after-authorization",
    ] {
        assert!(names.contains(&n), "{n} not in {names:?}");
        let d: Deviation = n.parse().unwrap();
        assert_eq!(d.to_string(), n);
        assert_eq!(serde_json::to_value(d).unwrap(), json!(n));
    }
    assert!(names.contains(&"trust-policy-ignores-canonical-id"));
    assert!(!names.contains(&"object-grant-ignored-account-write"));
    for d in &Deviation::all()[30..] {
        assert!(
            d.evidence().contains("AWS") || d.evidence().contains("Amazon S3"),
            "{d}"
        );
        assert!(d.evidence().ends_with("not recorded on a backend"), "{d}");
        assert!(!d.seeded());
    }
}

/// Every value of every family's variant is a deviation of the catalogue: its parameters have
/// no combination that is not one.
#[test]
fn every_family_value_is_catalogued() {
    use Deviation::*;
    let mut values = vec![IfExistsIgnored, ForAllValuesAsAny, ForAnyValueAsAll];
    for form in PrincipalForm::ALL {
        for policy in PolicyPlace::ALL {
            values.push(PrincipalFormUnmatched {
                form: *form,
                policy: *policy,
            });
        }
    }
    for element in NotElement::ALL {
        values.push(NotElementNeverMatches { element: *element });
        values.push(NotElementAsPositive { element: *element });
    }
    for grantee in GranteeKind::ALL {
        for permission in Perm::ALL {
            values.push(BucketGrantIgnored {
                grantee: *grantee,
                permission: *permission,
            });
        }
        for permission in ObjectPerm::ALL {
            values.push(ObjectGrantIgnored {
                grantee: *grantee,
                permission: *permission,
            });
        }
    }
    values.extend(
        OperatorFamily::ALL
            .iter()
            .map(|f| ConditionFamilyIgnored { family: *f }),
    );
    values.extend(ConditionKey::ALL.iter().map(|k| KeyAbsent { key: *k }));
    values.extend(PublicRule::ALL.iter().map(|r| PublicPolicy { rule: *r }));
    values.extend(
        PublicGroup::ALL
            .iter()
            .map(|g| PublicAclGroupMissed { group: *g }),
    );
    values.extend(
        BucketConfig::ALL
            .iter()
            .map(|c| ConfigMissingBeforeAuthorization { config: *c }),
    );
    values.extend(
        CallerKind::ALL
            .iter()
            .map(|c| MissingBucketDenied { caller: *c }),
    );
    values.extend(
        RequestCheck::ALL
            .iter()
            .map(|c| CheckedAfterAuthorization { check: *c }),
    );
    assert_eq!(values.len(), Deviation::all().len() - 30);
    for d in values {
        assert!(Deviation::all()[30..].contains(&d), "{d:?}");
        assert_eq!(d.name().parse::<Deviation>(), Ok(d));
    }
}
