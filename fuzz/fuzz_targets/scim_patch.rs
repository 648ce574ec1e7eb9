#![no_main]
//! SCIM PATCH: a body (when the input is JSON) or a path (otherwise) applied to a user and a group.

use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use trellis::people::scim::filter::{CORE_GROUP, CORE_USER, ENTERPRISE};
use trellis::people::scim::patch;
use trellis_fuzz::{on_small_stack, text};

fn user() -> Value {
    json!({
        "schemas": [CORE_USER, ENTERPRISE],
        "id": "7",
        "userName": "ada@x.test",
        "name": {"formatted": "Ada Lovelace", "givenName": "Ada"},
        "emails": [{"value": "ada@x.test", "type": "work", "primary": true}],
        "active": true,
        ENTERPRISE: {"employeeNumber": "E-1", "manager": {"value": "3"}},
    })
}

fn group() -> Value {
    json!({
        "schemas": [CORE_GROUP],
        "id": "2",
        "displayName": "Platform",
        "members": [{"value": "7"}, {"value": "8"}],
    })
}

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    on_small_stack(|| {
        let bodies: Vec<Value> = match serde_json::from_slice::<Value>(data) {
            Ok(body) => vec![body],
            Err(_) => ["add", "replace", "remove"]
                .into_iter()
                .map(|op| json!({"schemas": [patch::PATCH_SCHEMA], "Operations": [
                    {"op": op, "path": text, "value": [{"value": "9", "type": "work"}]},
                    {"op": op, "path": text, "value": "x"},
                ]}))
                .collect(),
        };
        for body in &bodies {
            for (mut resource, core) in [(user(), CORE_USER), (group(), CORE_GROUP)] {
                if patch::apply(&mut resource, body, core).is_ok() {
                    assert!(resource.is_object(), "a patched resource stays an object");
                }
            }
        }
    });
});
