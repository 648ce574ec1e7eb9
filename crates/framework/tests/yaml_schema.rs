//! The JSON Schema of the format (`schema/framework-v1.json`) describes exactly the fields the
//! reader accepts, so editors that use it flag the same unknown fields Trellis does.

use serde_json::Value;
use trellis_framework::yaml::fields;

const SCHEMA: &str = include_str!("../../../schema/framework-v1.json");

fn schema() -> Value {
    serde_json::from_str(SCHEMA).expect("the schema is valid JSON")
}

/// The object schema for one mapping of the format: the root, or one of `$defs`.
fn object<'a>(schema: &'a Value, def: Option<&str>) -> &'a Value {
    match def {
        None => schema,
        Some(name) => &schema["$defs"][name],
    }
}

fn property_names(object: &Value) -> Vec<String> {
    let properties = object["properties"]
        .as_object()
        .expect("an object schema has properties");
    properties.keys().cloned().collect()
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

#[test]
fn the_schema_declares_draft_2020_12() {
    assert_eq!(
        schema()["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}

#[test]
fn every_mapping_lists_exactly_the_fields_the_reader_accepts() {
    let schema = schema();
    let mappings: [(Option<&str>, &[&str]); 8] = [
        (None, fields::FRAMEWORK),
        (Some("lint"), fields::LINT),
        (Some("category"), fields::CATEGORY),
        (Some("competency"), fields::COMPETENCY),
        (Some("grade"), fields::GRADE),
        (Some("track"), fields::TRACK),
        (Some("level"), fields::LEVEL),
        (Some("pay"), fields::PAY),
    ];
    for (def, accepted) in mappings {
        let object = object(&schema, def);
        let mut in_schema = property_names(object);
        in_schema.sort();
        assert_eq!(in_schema, sorted(accepted), "fields of {def:?}");
        assert_eq!(
            object["additionalProperties"],
            Value::Bool(false),
            "{def:?} must reject unknown fields"
        );
    }
}

#[test]
fn every_property_is_described() {
    let schema = schema();
    let mut objects = vec![&schema];
    objects.extend(schema["$defs"].as_object().expect("$defs").values());
    for object in objects {
        assert!(object["description"].is_string(), "{object}");
        for (name, property) in object["properties"].as_object().into_iter().flatten() {
            assert!(
                property["description"].is_string(),
                "`{name}` lacks a description"
            );
        }
    }
}

#[test]
fn the_key_pattern_matches_the_key_rules() {
    let schema = schema();
    assert_eq!(schema["$defs"]["key"]["pattern"], "^[a-z0-9-]{1,64}$");
    let kinds = &schema["$defs"]["track"]["properties"]["kind"]["enum"];
    let kinds: Vec<&str> = kinds
        .as_array()
        .expect("kinds")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let model: Vec<&str> = trellis_framework::TrackKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(kinds, model);
}

#[test]
fn the_schema_lists_every_lint_rule() {
    let schema = schema();
    let ids = &schema["$defs"]["lint"]["properties"]["disable"]["items"]["enum"];
    let ids: Vec<&str> = ids
        .as_array()
        .expect("rule ids")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let rules: Vec<&str> = trellis_framework::lint::RULES
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, rules);
}
