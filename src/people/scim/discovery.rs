//! The discovery endpoints (RFC 7644 §4): what this server supports (`ServiceProviderConfig`),
//! which resources it serves (`ResourceTypes`) and their attributes (`Schemas`). The schemas list
//! only the attributes Trellis keeps, so a client knows what it may rely on.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::error::{ScimError, ScimResult};
use super::filter::{CORE_GROUP, CORE_USER, ENTERPRISE};
use super::{MAX_RESULTS, list_response, reply};
use crate::auth::{Actor, policy};
use crate::state::AppState;

const SPC_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

pub async fn service_provider_config(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
) -> ScimResult<Response> {
    policy::provision(&actor)?;
    let base = super::base_url(&state, &headers);
    Ok(reply(
        StatusCode::OK,
        json!({
            "schemas": [SPC_SCHEMA],
            "patch": { "supported": true },
            "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
            "filter": { "supported": true, "maxResults": MAX_RESULTS },
            "changePassword": { "supported": false },
            "sort": { "supported": false },
            "etag": { "supported": true },
            "authenticationSchemes": [{
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": "An API token of scope scim, created with `trellis token create --scope scim`, sent as `Authorization: Bearer TOKEN`.",
                "primary": true,
            }],
            "meta": {
                "resourceType": "ServiceProviderConfig",
                "location": format!("{base}/ServiceProviderConfig"),
            },
        }),
    ))
}

fn resource_type_values(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "A person of the organisation",
            "schema": CORE_USER,
            "schemaExtensions": [{ "schema": ENTERPRISE, "required": false }],
            "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User") },
        }),
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "A team; a person is in at most one",
            "schema": CORE_GROUP,
            "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group") },
        }),
    ]
}

pub async fn resource_types(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
) -> ScimResult<Response> {
    policy::provision(&actor)?;
    let items = resource_type_values(&super::base_url(&state, &headers));
    Ok(reply(StatusCode::OK, list_response(2, 1, items)))
}

pub async fn resource_type(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ScimResult<Response> {
    policy::provision(&actor)?;
    resource_type_values(&super::base_url(&state, &headers))
        .into_iter()
        .find(|r| r["id"].as_str() == Some(id.as_str()))
        .map(|r| reply(StatusCode::OK, r))
        .ok_or_else(|| ScimError::not_found(format!("there is no resource type {id}")))
}

/// An attribute definition; `extra` adds or overrides keys.
fn attr(name: &str, kind: &str, description: &str, extra: Value) -> Value {
    let mut a = json!({
        "name": name,
        "type": kind,
        "multiValued": false,
        "description": description,
        "required": false,
        "caseExact": false,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
    });
    if let (Some(a), Value::Object(extra)) = (a.as_object_mut(), extra) {
        a.extend(extra);
    }
    a
}

fn schema_values(base: &str) -> Vec<Value> {
    let user = json!({
        "id": CORE_USER,
        "name": "User",
        "description": "A person of the organisation",
        "attributes": [
            attr("userName", "string", "The person's email address (or the identity provider's user name when it is not one); unique without regard to case.", json!({ "required": true, "uniqueness": "server" })),
            attr("name", "complex", "The person's name.", json!({ "subAttributes": [
                attr("formatted", "string", "The full name, as shown in Trellis.", json!({})),
                attr("familyName", "string", "The family name.", json!({})),
                attr("givenName", "string", "The given name.", json!({})),
            ]})),
            attr("displayName", "string", "The name to show.", json!({})),
            attr("active", "boolean", "False when the person has left; they keep their history. Removed, it is unassigned and the person's status stays as it was.", json!({})),
            attr("emails", "complex", "The email addresses, kept as sent. The person's email is the userName when it is an email, else the primary one, else the work one, else the first.", json!({
                "multiValued": true,
                "required": true,
                "subAttributes": [
                    attr("value", "string", "The email address.", json!({ "required": true })),
                    attr("type", "string", "The kind of address.", json!({ "canonicalValues": ["work", "home", "other"] })),
                    attr("primary", "boolean", "Whether it is the preferred address.", json!({})),
                ],
            })),
        ],
    });
    let enterprise = json!({
        "id": ENTERPRISE,
        "name": "EnterpriseUser",
        "description": "Enterprise user",
        "attributes": [
            attr("employeeNumber", "string", "The employee id; unique.", json!({ "caseExact": true })),
            attr("department", "string", "The person's team in Trellis.", json!({})),
            attr("manager", "complex", "The person's manager.", json!({ "subAttributes": [
                attr("value", "string", "The manager's id.", json!({})),
                attr("$ref", "reference", "The manager's URI.", json!({ "referenceTypes": ["User"] })),
            ]})),
        ],
    });
    let group = json!({
        "id": CORE_GROUP,
        "name": "Group",
        "description": "A team",
        "attributes": [
            attr("displayName", "string", "The team's name; unique without regard to case.", json!({ "required": true, "uniqueness": "server" })),
            attr("members", "complex", "The people in the team.", json!({
                "multiValued": true,
                "subAttributes": [
                    attr("value", "string", "A person's id.", json!({ "mutability": "immutable" })),
                    attr("$ref", "reference", "A person's URI.", json!({ "referenceTypes": ["User"], "mutability": "immutable" })),
                    attr("type", "string", "Always User.", json!({ "canonicalValues": ["User"], "mutability": "immutable" })),
                ],
            })),
        ],
    });
    [user, enterprise, group]
        .into_iter()
        .map(|mut s| {
            if let Some(o) = s.as_object_mut() {
                let id = o
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                o.insert("schemas".into(), json!([SCHEMA_SCHEMA]));
                o.insert(
                    "meta".into(),
                    json!({ "resourceType": "Schema", "location": format!("{base}/Schemas/{id}") }),
                );
            }
            s
        })
        .collect()
}

pub async fn schemas(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
) -> ScimResult<Response> {
    policy::provision(&actor)?;
    let items = schema_values(&super::base_url(&state, &headers));
    Ok(reply(StatusCode::OK, list_response(3, 1, items)))
}

pub async fn schema(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ScimResult<Response> {
    policy::provision(&actor)?;
    schema_values(&super::base_url(&state, &headers))
        .into_iter()
        .find(|s| {
            s["id"]
                .as_str()
                .is_some_and(|i| i.eq_ignore_ascii_case(&id))
        })
        .map(|s| reply(StatusCode::OK, s))
        .ok_or_else(|| ScimError::not_found(format!("there is no schema {id}")))
}
