//! SCIM 2.0 (RFC 7643, RFC 7644) at `/scim/v2`, for identity providers such as Okta and Microsoft
//! Entra: `Users` are people, `Groups` are teams, plus the discovery endpoints. Authenticated by
//! an API token of scope `scim` only. Every answer is `application/scim+json`; every error is a
//! SCIM error body ([`error::render`]). Reads and writes go through `people::provisioning`.

mod discovery;
pub mod error;
mod failures;
pub mod filter;
mod groups;
pub mod patch;
mod users;

use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::state::AppState;
use crate::web::routes::{Routes, get, post};
use error::{ScimError, ScimResult};
use filter::{AttrPath, get_ci};

pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const SEARCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// The most resources one page of a list holds.
pub const MAX_RESULTS: i64 = 200;
/// A page's size when the client does not say.
pub const DEFAULT_COUNT: i64 = 100;

pub fn routes() -> Routes {
    Routes::new()
        .route("/Users", get(users::list).post(users::create))
        .route("/Users/.search", post(users::search))
        .route(
            "/Users/{id}",
            get(users::get_one)
                .put(users::replace)
                .patch(users::patch)
                .delete(users::delete),
        )
        .route("/Groups", get(groups::list).post(groups::create))
        .route("/Groups/.search", post(groups::search))
        .route(
            "/Groups/{id}",
            get(groups::get_one)
                .put(groups::replace)
                .patch(groups::patch)
                .delete(groups::delete),
        )
        .route(
            "/ServiceProviderConfig",
            get(discovery::service_provider_config),
        )
        .route("/ResourceTypes", get(discovery::resource_types))
        .route("/ResourceTypes/{id}", get(discovery::resource_type))
        .route("/Schemas", get(discovery::schemas))
        .route("/Schemas/{id}", get(discovery::schema))
        .route(
            "/.search",
            post(|| async {
                ScimError::new(
                    StatusCode::NOT_IMPLEMENTED,
                    None,
                    "searching several resource types at once is not supported: search /Users or /Groups",
                )
            }),
        )
        .fallback(|| async { ScimError::not_found("there is no such SCIM endpoint") })
        .layer(middleware::from_fn(error::render))
        .layer_with(|state| middleware::from_fn_with_state(state.clone(), failures::record))
}

/// A SCIM answer: JSON as `application/scim+json`, with an `ETag` when the resource has a version.
pub fn reply(status: StatusCode, body: Value) -> Response {
    let etag = body
        .get("meta")
        .and_then(|m| m.get("version"))
        .and_then(Value::as_str)
        .and_then(|v| HeaderValue::from_str(v).ok());
    let location = (status == StatusCode::CREATED)
        .then(|| {
            body.get("meta")
                .and_then(|m| m.get("location"))
                .and_then(Value::as_str)
                .and_then(|v| HeaderValue::from_str(v).ok())
        })
        .flatten();
    let mut res = (status, body.to_string()).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(error::CONTENT_TYPE),
    );
    if let Some(etag) = etag {
        headers.insert(header::ETAG, etag);
    }
    if let Some(location) = location {
        headers.insert(header::LOCATION, location);
    }
    res
}

/// The base URL of the SCIM endpoints as the client reached them: the configured scheme with the
/// request's host, or the configured base URL when the request names no host.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let configured = state.config().base_url.trim_end_matches('/');
    let scheme = if configured.starts_with("https://") {
        "https"
    } else {
        "http"
    };
    match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) if !host.is_empty() && !host.contains(['/', ' ']) => {
            format!("{scheme}://{host}/scim/v2")
        }
        _ => format!("{configured}/scim/v2"),
    }
}

/// Reads a JSON request body; anything else is `invalidSyntax`.
pub fn read_body(body: &Bytes) -> ScimResult<Value> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ScimError::invalid_syntax(format!("the body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ScimError::invalid_syntax("the body must be a JSON object"));
    }
    Ok(value)
}

/// An RFC 3339 time from Unix seconds.
pub fn timestamp(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// A weak ETag of a resource's content (without its `meta`), so it changes whenever the resource
/// does, whoever changed it.
pub fn version_of(resource: &Value) -> String {
    let mut copy = resource.clone();
    if let Some(o) = copy.as_object_mut() {
        o.remove("meta");
    }
    let digest = crate::auth::token::digest(&copy.to_string());
    format!("W/\"{}\"", &digest[..16.min(digest.len())])
}

/// A rendered resource with its `meta`: its type, when it was created and last changed (Unix
/// seconds; never changed is the creation), where it is, and its version.
pub fn with_meta(
    resource: Value,
    resource_type: &str,
    (created, updated): (i64, Option<i64>),
    location: String,
) -> Value {
    let mut value = resource;
    let version = version_of(&value);
    if let Some(o) = value.as_object_mut() {
        o.insert(
            "meta".into(),
            json!({
                "resourceType": resource_type,
                "created": timestamp(created),
                "lastModified": timestamp(updated.unwrap_or(created)),
                "location": location,
                "version": version,
            }),
        );
    }
    value
}

/// The query parameters of a list.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    pub filter: Option<String>,
    #[serde(rename = "startIndex")]
    pub start_index: Option<String>,
    pub count: Option<String>,
    pub attributes: Option<String>,
    #[serde(rename = "excludedAttributes")]
    pub excluded_attributes: Option<String>,
    #[serde(rename = "sortBy")]
    pub sort_by: Option<String>,
}

impl ListParams {
    /// From a POST `/.search` body.
    pub fn from_search(body: &Value) -> ScimResult<ListParams> {
        let text = |k: &str| {
            get_ci(body, k).and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                Value::Array(items) => Some(
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                _ => None,
            })
        };
        Ok(ListParams {
            filter: text("filter"),
            start_index: text("startIndex"),
            count: text("count"),
            attributes: text("attributes"),
            excluded_attributes: text("excludedAttributes"),
            sort_by: text("sortBy"),
        })
    }

    /// The 1-based start index and the page size, clamped as RFC 7644 §3.4.2.4 says.
    pub fn page(&self) -> ScimResult<(i64, i64)> {
        let number = |name: &str, v: &Option<String>| -> ScimResult<Option<i64>> {
            v.as_deref()
                .map(|s| {
                    s.trim().parse::<i64>().map_err(|_| {
                        ScimError::invalid_value(format!("{name} must be an integer, not `{s}`"))
                    })
                })
                .transpose()
        };
        let start = number("startIndex", &self.start_index)?.unwrap_or(1).max(1);
        let count = number("count", &self.count)?
            .unwrap_or(DEFAULT_COUNT)
            .clamp(0, MAX_RESULTS);
        Ok((start, count))
    }

    pub fn projection(&self) -> ScimResult<Projection> {
        Projection::new(
            self.attributes.as_deref(),
            self.excluded_attributes.as_deref(),
        )
    }
}

/// Parameters of a single resource's GET.
#[derive(Debug, Default, Deserialize)]
pub struct GetParams {
    pub attributes: Option<String>,
    #[serde(rename = "excludedAttributes")]
    pub excluded_attributes: Option<String>,
}

pub type GetQuery = Query<GetParams>;

/// Which attributes an answer holds (`attributes` and `excludedAttributes`).
#[derive(Debug, Clone, Default)]
pub struct Projection {
    only: Vec<AttrPath>,
    except: Vec<AttrPath>,
}

fn paths(list: Option<&str>) -> ScimResult<Vec<AttrPath>> {
    list.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            AttrPath::parse(s)
                .ok_or_else(|| ScimError::invalid_value(format!("`{s}` is not an attribute path")))
        })
        .collect()
}

impl Projection {
    pub fn new(attributes: Option<&str>, excluded: Option<&str>) -> ScimResult<Projection> {
        Ok(Projection {
            only: paths(attributes)?,
            except: paths(excluded)?,
        })
    }

    /// Whether the answer leaves out the members of groups, which are costly to read.
    pub fn without(&self, attr: &str) -> bool {
        self.except
            .iter()
            .any(|p| p.attr == attr && p.sub.is_none())
            || (!self.only.is_empty() && !self.only.iter().any(|p| p.attr == attr))
    }

    /// Applies the projection to a rendered resource; `id` and `schemas` always stay.
    pub fn apply(&self, resource: Value) -> Value {
        let Value::Object(mut obj) = resource else {
            return resource;
        };
        if !self.only.is_empty() {
            obj = self.keep_only(obj);
        }
        for p in &self.except {
            drop_excluded(&mut obj, p);
        }
        Value::Object(obj)
    }

    /// The attributes `attributes` asks for, and of an extension the attributes asked for or all
    /// of it.
    fn keep_only(&self, obj: Map<String, Value>) -> Map<String, Value> {
        let mut kept = Map::new();
        for (k, v) in obj {
            if always_kept(&k) {
                kept.insert(k, v);
                continue;
            }
            let lower = k.to_lowercase();
            let wanted: Vec<&AttrPath> = self
                .only
                .iter()
                .filter(|p| match &p.urn {
                    Some(urn) if *urn == lower => true,
                    Some(urn) if lower.starts_with("urn:") => *urn == lower,
                    _ => p.attr == lower && !lower.starts_with("urn:"),
                })
                .collect();
            if wanted.is_empty() {
                continue;
            }
            if lower.starts_with("urn:") {
                // An extension: keep the attributes asked for, or all of it.
                if wanted.iter().any(|p| p.attr.is_empty()) {
                    kept.insert(k, v);
                } else if let Value::Object(ext) = v {
                    let sub: Map<String, Value> = ext
                        .into_iter()
                        .filter(|(ek, _)| wanted.iter().any(|p| p.attr == ek.to_lowercase()))
                        .collect();
                    if !sub.is_empty() {
                        kept.insert(k, Value::Object(sub));
                    }
                }
            } else if wanted.iter().any(|p| p.sub.is_none()) {
                kept.insert(k, v);
            } else {
                kept.insert(k, keep_subs(v, &wanted, true));
            }
        }
        kept
    }
}

/// `id` and `schemas` stay in every answer.
fn always_kept(key: &str) -> bool {
    key == "id" || key == "schemas"
}

/// Drops what one path of `excludedAttributes` names: an attribute, a sub-attribute, an
/// extension or an extension's attribute.
fn drop_excluded(obj: &mut Map<String, Value>, p: &AttrPath) {
    let keys: Vec<String> = obj.keys().cloned().collect();
    for k in keys {
        let lower = k.to_lowercase();
        if always_kept(&k) {
            continue;
        }
        let ext = lower.starts_with("urn:");
        match &p.urn {
            Some(urn) if ext && *urn == lower => {
                if p.attr.is_empty() {
                    obj.remove(&k);
                } else if let Some(Value::Object(e)) = obj.get_mut(&k) {
                    e.retain(|ek, _| ek.to_lowercase() != p.attr);
                }
            }
            Some(_) if ext => {}
            _ if !ext && lower == p.attr => match &p.sub {
                None => {
                    obj.remove(&k);
                }
                Some(_) => {
                    if let Some(v) = obj.remove(&k) {
                        obj.insert(k, keep_subs(v, &[p], false));
                    }
                }
            },
            _ => {}
        }
    }
}

/// Keeps (or drops) the sub-attributes named by the paths in a complex or multi-valued value.
fn keep_subs(v: Value, paths: &[&AttrPath], keep: bool) -> Value {
    let pick = |o: Map<String, Value>| -> Map<String, Value> {
        o.into_iter()
            .filter(|(k, _)| {
                let named = paths
                    .iter()
                    .any(|p| p.sub.as_deref() == Some(k.to_lowercase().as_str()));
                named == keep
            })
            .collect()
    };
    match v {
        Value::Object(o) => Value::Object(pick(o)),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|i| match i {
                    Value::Object(o) => Value::Object(pick(o)),
                    other => other,
                })
                .collect(),
        ),
        other => other,
    }
}

/// A ListResponse.
pub fn list_response(total: i64, start: i64, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// The id in a path, which is always a number here; anything else names nothing.
pub fn parse_id(raw: &str, what: &str) -> ScimResult<i64> {
    raw.trim()
        .parse::<i64>()
        .map_err(|_| ScimError::not_found(format!("the {what} {raw} was not found")))
}

/// Reads a boolean the way identity providers send it: `true`, or the strings `"True"`/`"false"`.
pub fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A string attribute: strings as they are, numbers as text, empty and null as absent.
pub fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
