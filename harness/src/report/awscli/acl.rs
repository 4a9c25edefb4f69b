//! ACLs: the bucket and object ACL calls, the canned ACL and grant headers other calls carry
//! too, and the JSON the CLI takes for `--access-control-policy`.

use super::{Call, Gen};
use serde_json::{json, Value};
use xacct_model::acl::{AccessControlPolicy, GrantHeaders};
use xacct_model::scenario::Op;

/// The CLI call of an ACL operation.
pub(super) fn call(g: &mut Gen<'_>, op: &Op) -> Call {
    match op {
        Op::PutBucketAcl {
            bucket,
            acl,
            grants,
            access_control_policy,
        } => {
            let mut args = vec!["s3api put-bucket-acl".into(), g.bucket(bucket)];
            g.acl_args(&mut args, acl.as_ref(), grants.as_ref(), true);
            g.access_control_policy(&mut args, access_control_policy.as_ref());
            Call::quiet(args)
        }
        Op::GetBucketAcl { bucket } => {
            Call::shown(["s3api get-bucket-acl".into(), g.bucket(bucket)])
        }
        Op::PutObjectAcl {
            bucket,
            key,
            acl,
            grants,
            access_control_policy,
        } => {
            let mut args = vec![
                "s3api put-object-acl".into(),
                g.bucket(bucket),
                g.lit("--key", key),
            ];
            g.acl_args(&mut args, acl.as_ref(), grants.as_ref(), true);
            g.access_control_policy(&mut args, access_control_policy.as_ref());
            Call::quiet(args)
        }
        Op::GetObjectAcl { bucket, key } => Call::shown([
            "s3api get-object-acl".into(),
            g.bucket(bucket),
            g.lit("--key", key),
        ]),
        other => unreachable!("{} is not an ACL operation", other.name()),
    }
}

/// The JSON the CLI takes for `--access-control-policy`.
fn acp_json(p: &AccessControlPolicy) -> String {
    let mut m = serde_json::Map::new();
    if let Some(o) = &p.owner {
        let id = o.strip_prefix("id=").unwrap_or(o);
        m.insert("Owner".into(), json!({ "ID": id }));
    }
    let grants: Vec<Value> = p
        .grants
        .iter()
        .map(|g| {
            let (kind, val) = g
                .grantee
                .split_once('=')
                .unwrap_or(("id", g.grantee.as_str()));
            let grantee = match kind {
                "uri" => json!({"Type": "Group", "URI": val}),
                "emailAddress" => json!({"Type": "AmazonCustomerByEmail", "EmailAddress": val}),
                _ => json!({"Type": "CanonicalUser", "ID": val}),
            };
            json!({"Grantee": grantee, "Permission": g.permission})
        })
        .collect();
    m.insert("Grants".into(), Value::Array(grants));
    serde_json::to_string(&Value::Object(m)).unwrap_or_default()
}

impl Gen<'_> {
    /// `--acl` and the `--grant-*` options; `--grant-write` only where the call takes it
    /// (`write`: the bucket calls and put-object-acl; uploads have no such option).
    pub(super) fn acl_args(
        &self,
        args: &mut Vec<String>,
        acl: Option<&String>,
        grants: Option<&GrantHeaders>,
        write: bool,
    ) {
        if let Some(a) = acl {
            args.push(self.lit("--acl", a));
        }
        if let Some(g) = grants {
            let all = [
                ("--grant-read", &g.read),
                ("--grant-write", &g.write),
                ("--grant-read-acp", &g.read_acp),
                ("--grant-write-acp", &g.write_acp),
                ("--grant-full-control", &g.full_control),
            ];
            for (flag, v) in all {
                if flag == "--grant-write" && !write {
                    continue;
                }
                if let Some(v) = v {
                    args.push(self.tpl(flag, v));
                }
            }
        }
    }

    /// `--access-control-policy`, its document written through a heredoc before the step.
    fn access_control_policy(&mut self, args: &mut Vec<String>, p: Option<&AccessControlPolicy>) {
        if let Some(p) = p {
            self.doc("doc", &acp_json(p));
            args.push("--access-control-policy \"$doc\"".into());
        }
    }
}
