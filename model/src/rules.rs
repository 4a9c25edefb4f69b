//! The rules the model holds, one constant each, with the source it was taken from.
//!
//! `R1`…`R42` are the project's numbering of S3's ownership and access rules; the `P-*` rules
//! are the IAM policy language and the `X-*` rules S3 details. Each names its AWS source.
//! Code that applies a rule names the constant, so every explanation line says which rule
//! decided and where that rule comes from. Rules marked `uncertain` pick a documented-adjacent
//! behaviour where AWS documents nothing exact; they are listed in the README.

use serde::Serialize;

/// One rule of AWS's behaviour, as the model holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id (`R20`, `P-cond-absent`, …); used in explanations, tests and snapshots.
    pub id: &'static str,
    /// One line saying what the rule is.
    pub title: &'static str,
    /// Where the rule comes from: an AWS documentation page or a recorded AWS behaviour.
    #[serde(skip)]
    pub source: &'static str,
    /// True where the model picks a behaviour AWS does not document exactly.
    #[serde(skip)]
    pub uncertain: bool,
}

macro_rules! rules {
    ($( $name:ident = $id:literal, $title:literal, $source:expr $(, $unc:ident)? ; )*) => {
        $( pub const $name: Rule = Rule { id: $id, title: $title, source: $source, uncertain: rules!(@u $($unc)?) }; )*
        /// Every rule, in the order they are declared.
        pub const ALL: &[Rule] = &[ $( $name ),* ];
    };
    (@u) => { false };
    (@u uncertain) => { true };
}

const DOC_OWNERSHIP: &str =
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html";
const DOC_ACL: &str = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html";
const DOC_EVAL: &str =
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html";
const DOC_OBJ_FLOW: &str = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-auth-workflow-object-operation.html";
const DOC_BPA: &str =
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html";
const DOC_CREATE_BUCKET_ERRORS: &str = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html (BucketAlreadyOwnedByYou: 'Amazon S3 returns this error in all Amazon Web Services Regions except in the North Virginia Region'); https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html";
const DOC_COND: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html";

rules! {
    R1 = "R1", "a new bucket's ObjectOwnership is BucketOwnerEnforced unless CreateBucket says otherwise",
        "DOC about-object-ownership; localstack test_crud_bucket_ownership_controls (AWS-validated)";
    R2 = "R2", "ObjectOwnership decides who owns a newly written object",
        "DOC API_OwnershipControlsRule; ceph/s3-tests _test_object_ownership_*";
    R3 = "R3", "BucketOwnerEnforced: writes carry no ACL or bucket-owner-full-control, else 400 AccessControlListNotSupported",
        "DOC object-ownership-error-responses; ceph/s3-tests";
    R3_GRANT_EQUIV = "R3-grant-equivalent", "BucketOwnerEnforced accepts a full-control grant to the bucket owner as the equivalent of bucket-owner-full-control",
        "DOC about-object-ownership ('an equivalent form of this ACL expressed in the XML format'); header form not documented", uncertain;
    R4 = "R4", "BucketOwnerEnforced: PutBucketAcl/PutObjectAcl fail 400 AccessControlListNotSupported; Get*Acl show the bucket owner only",
        "DOC about-object-ownership; ceph/s3-tests; terraform-aws-modules/terraform-aws-s3-bucket#242 (AWS output)";
    R5 = "R5", "ACL syntax is validated before the ACLs-disabled check",
        "localstack test_s3_object_acl_exceptions / test_s3_bucket_acl_exceptions (AWS-validated)";
    R6 = "R6", "BucketOwnerEnforced cannot be set while the bucket ACL grants anyone but the owner",
        "ceph/s3-tests test_put_bucket_ownership_bucket_owner_enforced; DOC about-object-ownership";
    R7 = "R7", "ownership-controls API statuses and errors",
        "localstack test_crud_bucket_ownership_controls (AWS-validated)";
    R7A = "R7a", "toggling ownership keeps stored owners and ACLs; BucketOwnerEnforced overrides them while on",
        DOC_OWNERSHIP;
    R8 = "R8", "without ownership controls ACLs are enabled and the writer owns its objects",
        "localstack allow_bucket_acl fixture and ACL tests (AWS-validated)";
    R9 = "R9", "a new bucket or object belongs to the creating account, with a default ACL granting it FULL_CONTROL",
        "DOC acl-overview; ceph/s3-tests test_bucket_acl_default, test_account_role_policy_allow_create_bucket";
    R10 = "R10", "object ACLs do not inherit from the bucket ACL",
        "localstack test_s3_multipart_upload_acls (AWS-validated)";
    R11 = "R11", "canned ACLs expand to fixed grant lists",
        DOC_ACL;
    R12 = "R12", "explicit grant headers make an ACL of exactly the named grants",
        "localstack get-bucket-grant-acl / get-object-grant-acl snapshots (AWS-validated)";
    R13 = "R13", "what each ACL permission allows (object WRITE has no effect)",
        "DOC acl-overview; ceph/s3-tests access matrix";
    R14 = "R14", "access to an object follows the object's ACL, not the bucket's",
        "ceph/s3-tests test_object_raw_get_*_acl, test_access_bucket_*";
    R15 = "R15", "ACL grants name accounts or groups; an account's IAM users also need their own identity allow",
        concat!("DOC acl-overview; ceph/s3-tests test_cross_account_*_bucket_acl_*_canonical_id; ",
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example4.html",
            " (step 3.2: the bucket owner's role, by its access policy, reads an object whose ACL grants the bucket owner)");
    R16 = "R16", "the bucket owner has no access to objects another account owns, except delete and deny",
        "DOC acl-overview; DOC access-control-auth-workflow-object-operation";
    R17 = "R17", "the object owner can grant the bucket owner access through the object ACL",
        concat!("https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example3.html; ",
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example4.html",
            " (step 2: put-object --grant-full-control for the bucket owner)");
    R18 = "R18", "S3 evaluates user, bucket and object contexts",
        DOC_EVAL;
    R19 = "R19", "same account: an allow in the identity policy or the resource policy is enough",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html";
    R20 = "R20", "cross-account: the caller's account and the resource owner must both allow",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html";
    R21 = "R21", "a resource-policy principal naming an account covers all its principals, each needing its own identity allow",
        "ceph/s3-tests test_cross_account_*_allow_{user_arn,account_arn,account_id}; IAM reference_policies_elements_principal";
    R22 = "R22", "an explicit Deny from any policy beats every Allow",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html";
    R23 = "R23", "the bucket owner's explicit Deny overrides the object owner's grants",
        DOC_OBJ_FLOW;
    R24 = "R24", "bucket-policy conditions are checked against the request's headers",
        "ceph/s3-tests test_bucket_policy_put_obj_acl, test_bucket_policy_put_obj_grant";
    R25 = "R25", "a bucket-policy statement whose actions apply to none of its resources is refused (MalformedPolicy)",
        "AWS output quoted in versity/versitygw#645";
    R25A = "R25a", "CreateBucket with ownership or a non-private ACL also needs s3:PutBucketOwnershipControls / s3:PutBucketAcl",
        "DOC CreateBucket API reference, Permissions";
    R26 = "R26", "a missing key gives 404 with s3:ListBucket, 403 without",
        "DOC GetObject / HeadObject API reference, Permissions";
    R26_OTHER = "R26-adjacent", "the 403/404 rule for missing keys also applies to object ACL and copy-source reads",
        "documented for GetObject/HeadObject only; applied to the other object reads by analogy", uncertain;
    R27 = "R27", "ExpectedBucketOwner must name the bucket owner's account",
        "localstack test_s3_expected_bucket_owner (AWS-validated)";
    R28 = "R28", "bucket-policy calls are for the owning account's identities only (405 otherwise)",
        "DOC PutBucketPolicy / GetBucketPolicy / DeleteBucketPolicy API reference";
    R29 = "R29", "the owning account's root can always get, put and delete the bucket policy",
        "DOC PutBucketPolicy API reference; ceph/s3-tests test_bucket_policy_deny_self_denied_policy";
    R30 = "R30", "bucket-policy API statuses",
        "localstack test_bucket_policy snapshots (AWS-validated)";
    R31 = "R31", "Block Public Access: four bucket flags, all on for a new bucket; Put replaces the whole configuration",
        "localstack test_crud_public_access_block (AWS-validated); DOC API_PublicAccessBlockConfiguration";
    R32 = "R32", "BlockPublicAcls rejects requests that set a public ACL",
        DOC_BPA;
    R33 = "R33", "IgnorePublicAcls makes public ACL grants count for nothing",
        DOC_BPA;
    R34 = "R34", "BlockPublicPolicy rejects a public bucket policy",
        DOC_BPA;
    R35 = "R35", "RestrictPublicBuckets limits a public policy to the owner account's principals",
        DOC_BPA;
    R36 = "R36", "a policy is public unless each Allow names fixed principals or fixed values of limiting keys",
        "DOC access-control-block-public-access, 'The meaning of public'";
    R37 = "R37", "AssumeRole needs the role's trust policy to allow the caller",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html (role trust policies)";
    R38 = "R38", "same-account AssumeRole: a trust policy naming the caller needs no identity policy; naming the account does",
        "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html";
    R39 = "R39", "cross-account AssumeRole: trust policy and the caller's identity policy must both allow",
        "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html";
    R40 = "R40", "a role session has the role's permissions, intersected with its session policy",
        "DOC STS AssumeRole; IAM session policies (access_policies.html#policies_session); ceph/s3-tests test_account_role_policy_allow";
    R41 = "R41", "assumed-role ARN is arn:aws:sts::<account>:assumed-role/<role>/<session>",
        "localstack test_assume_role (AWS-validated)";
    R42 = "R42", "anonymous callers get only what public grants give",
        "ceph/s3-tests test_bucket_list_objects_anonymous(_fail), test_object_anon_put; localstack test_get_object_with_anon_credentials";

    P_LANG = "P-grammar", "policy grammar: Version, Statement, Effect, (Not)Action, (Not)Resource, (Not)Principal, Condition",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html";
    P_MATCH = "P-match", "Action matches case-insensitively and Resource case-sensitively, with * and ? wildcards",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html";
    P_COND = "P-cond", "condition blocks: operators AND together, keys AND together, values OR together (NOR for negated operators)",
        DOC_COND;
    P_COND_ABSENT = "P-cond-absent", "a key absent from the request fails a condition, except negated operators and ...IfExists, which pass",
        DOC_COND;
    P_SETS = "P-sets", "ForAllValues passes on an absent key; ForAnyValue fails on it",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html";
    P_VARS = "P-vars", "policy variables need Version 2012-10-17; a variable whose key is absent matches nothing",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html";
    P_NOTPRINCIPAL = "P-notprincipal", "NotPrincipal exempts a principal only when its own ARN and its account are both listed",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html";
    P_SESSION_DIRECT = "P-session-arn", "a resource policy naming the session ARN is not limited by the session policy; naming the role ARN is",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session (text not re-verified; the GetFederationToken reference says the same of federated sessions)", uncertain;
    P_PRINCIPAL_EXISTS = "P-principal-exists", "policies naming an IAM user or role that does not exist are refused (Invalid principal in policy)",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html";
    P_ROOT = "P-root", "the root user has every permission in its own account that no resource policy denies",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html";
    X_NO_BUCKET = "X-no-such-bucket", "a request to a bucket that does not exist gets 404 NoSuchBucket",
        "DOC S3 error responses (NoSuchBucket)";
    X_BUCKET_EXISTS = "X-bucket-exists", "CreateBucket of a name another account owns: 409 BucketAlreadyExists, in every Region",
        "DOC CreateBucket API reference / S3 error responses (BucketAlreadyExists)";
    X_BUCKET_OWNED = "X-bucket-owned", "CreateBucket of a bucket the caller's account owns: 409 BucketAlreadyOwnedByYou in every Region but us-east-1",
        DOC_CREATE_BUCKET_ERRORS;
    X_BUCKET_RECREATE = "X-bucket-recreate-us-east-1", "in us-east-1, re-creating a bucket the caller's account owns answers 200 OK and resets the bucket ACL to the request's (private by default); its other settings stay",
        "DOC CreateBucket API reference, BucketAlreadyOwnedByYou ('For legacy compatibility, if you re-create an existing bucket that you already own in the North Virginia Region, Amazon S3 returns 200 OK and resets the bucket access control lists (ACLs)'); which ACL it resets to, and that Object Ownership, policy and Block Public Access stay, is not documented", uncertain;
    X_LOCATION_ILLEGAL = "X-location-illegal", "CreateBucket whose LocationConstraint (or its absence outside us-east-1) is not the Region of the endpoint: 400 IllegalLocationConstraintException",
        "https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (IllegalLocationConstraintException; page text not re-verified here); DOC CreateBucket API reference, LocationConstraint ('If you don't specify a Region, the bucket is created in the US East (N. Virginia) Region'); AWS's message 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to' as quoted in aws/aws-sdk-php discussion #2695";
    X_LOCATION_INVALID = "X-location-invalid", "CreateBucket with a LocationConstraint that names no Region: 400 InvalidLocationConstraint",
        "https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (InvalidLocationConstraint; page text not re-verified here); AWS's answer 'The specified location-constraint is not valid' recorded in ceph commit db13592 (rgw: fix bucket location s3 compatible issue)";
    X_LOCATION_US_EAST_1 = "X-location-us-east-1", "a LocationConstraint of us-east-1 is InvalidLocationConstraint; any other sent to us-east-1 is IllegalLocationConstraintException",
        "DOC CreateBucket API reference ('If you don't specify a Region, the bucket is created in us-east-1'; us-east-1 is absent from BucketLocationConstraint); the errors are AWS output users report, not documented; the legacy global endpoint, which accepted other Regions, is not modelled", uncertain;
    X_BUCKET_NOT_EMPTY = "X-bucket-not-empty", "DeleteBucket of a bucket holding objects gets 409 BucketNotEmpty",
        "DOC DeleteBucket API reference";
    X_HEAD_BUCKET = "X-head-bucket", "HeadBucket needs s3:ListBucket on the bucket: 200 with it, 403 without, 404 for a missing bucket (no body)",
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html (Permissions: 'you must have permissions to perform the s3:ListBucket action')";
    X_OK = "X-ok", "the operation succeeded and changed or returned the state shown",
        "DOC S3 / IAM / STS API reference, response of each operation";
    X_IAM = "X-iam", "IAM and STS requests act in the caller's own account and need its identity permission",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html";
    X_IAM_ENTITY = "X-iam-entity", "IAM names are unique per account (409 EntityAlreadyExists); unknown ones give 404 NoSuchEntity",
        "DOC IAM API reference, CreateUser / PutUserPolicy errors";
    X_ROOT_NO_ASSUME = "X-root-assume", "the root user cannot call AssumeRole",
        "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html", uncertain;
    X_SESSION_NAME = "X-session-name", "RoleSessionName is 2-64 characters of [\\w+=,.@-]",
        "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html";
    X_CREATE_ACL = "X-create-bucket-acl", "CreateBucket with a non-private ACL under BucketOwnerEnforced fails 400 InvalidBucketAclWithObjectOwnership",
        "DOC S3 error responses (InvalidBucketAclWithObjectOwnership); DOC about-object-ownership";
    X_CREATE_PUBLIC_ACL = "X-create-bucket-public-acl", "CreateBucket with a public ACL fails 400 InvalidBucketAclWithBlockPublicAccessError (new buckets block public access)",
        "DOC CreateBucket API reference ('If you try to create a bucket with a public ACL, the request will fail'); error code from AWS output quoted in emgarten/Sleet#180; a 403 is also reported for it", uncertain;
    P_VARS_DEFAULT = "P-vars-default", "a policy variable may carry a default: ${key, 'default'}",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html ('Specifying default values'; text not re-verified)", uncertain;
    X_VALIDATION_FIRST = "X-validation-order", "request validation errors come before authorization",
        "DOC S3 error responses (validation errors such as MalformedPolicy, InvalidArgument); the exact order against authorization is undocumented", uncertain;

    // Audit of issue #11 against DOC access-control-block-public-access ("The meaning of public").
    R33A = "R33a", "while IgnorePublicAcls is on, GetBucketAcl / GetObjectAcl show the ACL without its public grants",
        "DOC access-control-block-public-access ('Calls to GET Bucket acl and GET Object acl always return the effective permissions in place')";
    R36A = "R36a", "fixed values of principal keys (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn) make a statement non-public",
        "DOC access-control-block-public-access ('An AWS principal, user, role, or service principal (e.g. aws:PrincipalOrgID)'); the page names only aws:PrincipalOrgID, the other two are taken as principal keys", uncertain;
    R36B = "R36b", "fixed s3:DataAccessPointAccount, or s3:DataAccessPointArn with a fixed account (access point name may be *), make a statement non-public",
        DOC_BPA;
    R36C = "R36c", "an aws:SourceIp range broader than /8 (IPv4) or /32 (IPv6) leaves a statement public",
        "DOC access-control-block-public-access ('values broader than /8 for IPv4 and /32 for IPv6 (excluding RFC1918 private ranges)'); the RFC 1918 exception cannot apply to an IPv4 range broader than /8", uncertain;
    R36D = "R36d", "condition values holding a wildcard or a policy variable are not fixed; a Federated principal is public",
        "DOC access-control-block-public-access ('fixed values (values that don't contain a wildcard or an AWS Identity and Access Management Policy Variable)'; example public policy with Principal Federated graph.facebook.com)";

    // Audit of issue #11 against DOC reference_policies_elements_condition_operators.
    P_VARS_OPS = "P-vars-ops", "policy variables are substituted only in String, ARN and Bool conditions; in Numeric and IpAddress ones ${...} is a literal that matches nothing",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html ('You can not use a policy variable with the Numeric / IpAddress condition operator'); whether AWS refuses such a policy instead is not said", uncertain;

    // Audit of issue #11 against DOC reference_policies_condition-keys (global condition keys).
    P_KEYS_ALWAYS = "P-keys-always", "aws:ViaAWSService is present and false on every direct request",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html (aws:ViaAWSService: 'returns false when the principal makes the call directly'; 'always included in the request context for most services')";
    P_KEYS_TEMPORARY = "P-keys-temporary", "aws:MultiFactorAuthPresent is present (false, no MFA) for role sessions and absent for long-term keys and root",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html (aws:MultiFactorAuthPresent: 'included in the request context only when the principal uses temporary credentials')";
    P_KEYS_ANON = "P-keys-anon", "anonymous requests carry no aws:userid (nor aws:username, aws:PrincipalArn, aws:PrincipalAccount)",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html (aws:userid: 'Anonymous requests do not include this key'); the policy-variables page's table gives aws:userid 'anonymous' instead, so uncertain", uncertain;

    // Audit of issue #11 against the access-management walkthroughs (examples 1-4; the stored
    // copies of the series list no example 5). Examples 1 and 4 needed no new rule: their cases
    // are in model/tests/rules.rs.
    R16A = "R16a", "an object another account owns and whose ACL grants the bucket owner a permission: the bucket owner's bucket policy passes it on to principals of its own account",
        concat!("https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example3.html",
            " (bucket policy Statement3 grants user Dave s3:GetObject; 'verify that user Dave in Account A can access the object owned by Account B'); ",
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example4.html",
            " (own account only: the bucket owner 'cannot delegate permissions to other AWS accounts, because cross-account delegation is not supported'); DOC access-control-auth-workflow-object-operation (user context)");
}

/// Looks a rule up by its id.
pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_rule_has_a_source() {
        let mut ids: Vec<_> = ALL.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule id");
        assert!(ALL
            .iter()
            .all(|r| !r.source.is_empty() && !r.title.is_empty()));
        assert_eq!(by_id("R20"), Some(&R20));
    }
}
