//! JSON Schemas (draft 2020-12) of the files xacct reads, generated from the types they are read
//! into: [`scenario`] for scenario files (`scenarios/`, `corpus/`, what runs write) and
//! [`target`] for generic target files (their TOML, read as the same data).
//!
//! The operations (`Op`), `expect` and the ACL bodies come from their derived schemas. A step is
//! parsed by hand (`Step::from_value`: `as`, `expected_bucket_owner` and `expect` beside an
//! operation's fields, nothing else), and so is a scenario (`Scenario::from_value`: `name`,
//! `description`, `steps`, nothing else); their schemas here say the same: each operation's
//! object with the step's own fields added, no other field. What the schema does not check:
//! that `as` names a principal the way `Step::from_value` wants (`anon`, `A.admin`, a session's
//! name), and that an `AssumeRole` session name is valid; the parser says so with the step and
//! field.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{json, Map, Value};
use xacct_model::outcome::Expect;
use xacct_model::scenario::Op;

/// The schema of a scenario file.
pub fn scenario() -> Value {
    let mut gen = SchemaSettings::draft2020_12().into_generator();
    let ops = Value::from(Op::json_schema(&mut gen));
    let expect = Value::from(gen.subschema_for::<Expect>());
    let steps: Vec<Value> = ops
        .get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|op| step_of(op, &expect))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/xacct/xacct/scenario.schema.json",
        "title": "xacct scenario",
        "description": "A scenario: steps, each a principal making one S3, IAM or STS request, with what is expected of its answer.",
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "description": {"type": ["string", "null"]},
            "region": {"enum": xacct_model::region::Region::names(), "description": "The AWS Region the scenario runs in (default us-east-1)."},
            "assume": {
                "type": "array",
                "items": {"enum": xacct_model::deviation::Deviation::all().iter().map(|d| d.name()).collect::<Vec<_>>()},
                "description": "Deviations the model assumes when it replays the scenario (xacct deviations lists them)."
            },
            "steps": {"type": "array", "items": {"$ref": "#/$defs/Step"}},
        },
        "required": ["name", "steps"],
        "additionalProperties": false,
        "$defs": definitions(gen.take_definitions(true), steps),
    })
}

/// The `$defs`: the derived types' and `Step`, one of the operations with the step's fields.
fn definitions(mut defs: Map<String, Value>, steps: Vec<Value>) -> Value {
    defs.insert(
        "Step".into(),
        json!({
            "description": "One step: who (`as`), the operation (`op` and its fields), and optionally `expected_bucket_owner` and `expect`.",
            "oneOf": steps,
        }),
    );
    Value::Object(defs)
}

/// One operation's object schema with the step's own fields added: `as` (required),
/// `expect`, and `expected_bucket_owner` where the operation takes it (`Op::
/// takes_expected_bucket_owner`: every bucket-addressed call but create_bucket).
fn step_of(op: &Value, expect: &Value) -> Value {
    let mut op = op.clone();
    let name = op
        .pointer("/properties/op/const")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let takes_owner = op.pointer("/properties/bucket").is_some() && name != "create_bucket";
    if let Some(props) = op.get_mut("properties").and_then(Value::as_object_mut) {
        props.insert(
            "as".into(),
            json!({"type": "string", "description": "The principal: anon, A.root, A.admin, A.<user>, or a session's as_name."}),
        );
        props.insert(
            "expect".into(),
            json!({"anyOf": [expect, {"type": "null"}]}),
        );
        if takes_owner {
            props.insert(
                "expected_bucket_owner".into(),
                json!({"type": ["string", "null"], "description": "x-amz-expected-bucket-owner: an account id or ${A}."}),
            );
        }
    }
    if let Some(req) = op.get_mut("required").and_then(Value::as_array_mut) {
        req.push(json!("as"));
    }
    op["additionalProperties"] = json!(false);
    op
}

/// The schema of a generic target file (`--target-file`), TOML read as JSON data.
pub fn target() -> Value {
    let gen = SchemaSettings::draft2020_12().into_generator();
    let mut v = Value::from(gen.into_root_schema_for::<crate::target::generic::GenericConf>());
    v["title"] = json!("xacct generic target");
    v
}
