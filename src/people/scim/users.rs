//! `/Users`: people. `userName` is the email (case-insensitive) or, when a client's user name is
//! not an email, kept beside it; the enterprise extension's `employeeNumber`, `department` and
//! `manager` are the employee id, the team and the manager. DELETE marks a person as left.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::error::{ScimError, ScimResult};
use super::filter::{self, CORE_USER, ENTERPRISE, get_ci};
use super::{GetQuery, ListParams, boolean, list_response, parse_id, reply, text};
use crate::auth::Actor;
use crate::domain::Email;
use crate::people::provisioning::{self, PersonWrite, ScimPerson};
use crate::state::AppState;

/// A person as a SCIM User.
pub fn render(p: &ScimPerson, base: &str) -> Value {
    let mut user = Map::new();
    let mut schemas = vec![json!(CORE_USER)];
    user.insert("id".into(), json!(p.id.to_string()));
    if let Some(e) = &p.external_id {
        user.insert("externalId".into(), json!(e));
    }
    user.insert("userName".into(), json!(p.user_name()));
    insert_names(&mut user, p);
    insert_emails(&mut user, p);
    if !p.active_unassigned {
        user.insert("active".into(), json!(p.active));
    }
    let enterprise = enterprise(p, base);
    if !enterprise.is_empty() {
        schemas.push(json!(ENTERPRISE));
        user.insert(ENTERPRISE.into(), Value::Object(enterprise));
    }
    user.insert("schemas".into(), Value::Array(schemas));
    super::with_meta(
        Value::Object(user),
        "User",
        (p.created_at, p.updated_at),
        format!("{base}/Users/{}", p.id),
    )
}

/// `name` and `displayName`: as the client last sent them (the formatted name as the directory
/// has it), or the directory's name for someone never written over SCIM.
fn insert_names(user: &mut Map<String, Value>, p: &ScimPerson) {
    let Some(stored) = p.scim_name.as_deref() else {
        user.insert("name".into(), json!({ "formatted": p.name }));
        user.insert("displayName".into(), json!(p.name));
        return;
    };
    if let Ok(Value::Object(mut name)) = serde_json::from_str::<Value>(stored) {
        if name.contains_key("formatted") {
            name.insert("formatted".into(), json!(p.name));
        }
        if !name.is_empty() {
            user.insert("name".into(), Value::Object(name));
        }
    }
    if let Some(d) = &p.display_name {
        user.insert("displayName".into(), json!(d));
    }
}

/// `emails`: as the client last sent them, or the person's one email for someone never written
/// over SCIM.
fn insert_emails(user: &mut Map<String, Value>, p: &ScimPerson) {
    match p.scim_emails.as_deref() {
        None => {
            user.insert(
                "emails".into(),
                json!([{ "value": p.email, "type": "work", "primary": true }]),
            );
        }
        Some(stored) => {
            if let Ok(Value::Array(emails)) = serde_json::from_str::<Value>(stored)
                && !emails.is_empty()
            {
                user.insert("emails".into(), Value::Array(emails));
            }
        }
    }
}

/// The enterprise extension: the employee number, the team as `department` and the manager.
fn enterprise(p: &ScimPerson, base: &str) -> Map<String, Value> {
    let mut enterprise = Map::new();
    if let Some(n) = &p.employee_id {
        enterprise.insert("employeeNumber".into(), json!(n));
    }
    if let Some(t) = &p.team {
        enterprise.insert("department".into(), json!(t));
    }
    if let Some(m) = p.manager_id {
        enterprise.insert(
            "manager".into(),
            json!({ "value": m.to_string(), "$ref": format!("{base}/Users/{m}") }),
        );
    }
    enterprise
}

/// Reads a User (a POST or PUT body, or a resource after PATCH) into what the service writes.
pub fn read(body: &Value) -> ScimResult<PersonWrite> {
    let user_name = text(get_ci(body, "userName"))
        .ok_or_else(|| ScimError::invalid_value("a User needs a userName"))?;
    let emails: &[Value] = match get_ci(body, "emails") {
        Some(Value::Array(items)) => items,
        Some(Value::Null) | None => &[],
        Some(_) => return Err(ScimError::invalid_value("emails must be a list")),
    };
    let email = email_of(&user_name, emails)?;
    let name_obj = name_parts(body)?;
    let display_name = text(get_ci(body, "displayName"));
    let active = match get_ci(body, "active") {
        None | Some(Value::Null) => None,
        Some(v) => Some(boolean(v).ok_or_else(|| {
            ScimError::invalid_value(format!("active must be true or false, not {v}"))
        })?),
    };
    let enterprise = get_ci(body, ENTERPRISE);
    let ext = |k: &str| enterprise.and_then(|e| get_ci(e, k));
    Ok(PersonWrite {
        user_name: (user_name.to_lowercase() != email).then(|| user_name.clone()),
        email,
        name: full_name(&name_obj, display_name.as_deref()),
        scim_name: Value::Object(name_obj).to_string(),
        display_name,
        emails: Value::Array(emails.to_vec()).to_string(),
        external_id: text(get_ci(body, "externalId")),
        active,
        employee_id: text(ext("employeeNumber")),
        team: text(ext("department")),
        manager: manager_id(ext("manager"))?,
    })
}

/// The person's email: the user name when it is one, else the primary email, else the work email,
/// else the first.
fn email_of(user_name: &str, emails: &[Value]) -> ScimResult<String> {
    let email_where = |pred: &dyn Fn(&Value) -> bool| {
        emails
            .iter()
            .find(|e| pred(e))
            .and_then(|e| text(get_ci(e, "value")))
    };
    let email = match Email::parse(user_name) {
        Ok(e) => e.to_string(),
        Err(_) => email_where(&|e| get_ci(e, "primary").and_then(boolean) == Some(true))
            .or_else(|| {
                email_where(&|e| {
                    get_ci(e, "type")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t.eq_ignore_ascii_case("work"))
                })
            })
            .or_else(|| email_where(&|_| true))
            .ok_or_else(|| {
                ScimError::invalid_value(format!(
                    "the userName `{user_name}` is not an email address, and there is no email in emails"
                ))
            })?,
    };
    Ok(Email::parse(&email)
        .map_err(ScimError::invalid_value)?
        .to_string())
}

/// The parts of the `name` object kept, spelled as the schema spells them.
fn name_parts(body: &Value) -> ScimResult<Map<String, Value>> {
    match get_ci(body, "name") {
        Some(Value::Object(n)) => Ok(n
            .iter()
            .filter_map(|(k, v)| {
                let canonical = ["formatted", "givenName", "familyName"]
                    .into_iter()
                    .find(|c| c.eq_ignore_ascii_case(k))?;
                text(Some(v)).map(|t| (canonical.to_owned(), json!(t)))
            })
            .collect()),
        Some(Value::Null) | None => Ok(Map::new()),
        Some(_) => Err(ScimError::invalid_value("name must be an object")),
    }
}

/// The person's name: the formatted name, else the given and family names, else the display
/// name.
fn full_name(name_obj: &Map<String, Value>, display_name: Option<&str>) -> String {
    let given = name_obj.get("givenName").and_then(Value::as_str);
    let family = name_obj.get("familyName").and_then(Value::as_str);
    name_obj
        .get("formatted")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            let joined = [given, family]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            (!joined.is_empty()).then_some(joined)
        })
        .or_else(|| display_name.map(str::to_owned))
        .unwrap_or_default()
}

/// The manager's id, from the enterprise extension's `manager` (an object with a `value`, or the
/// id itself).
fn manager_id(manager: Option<&Value>) -> ScimResult<Option<i64>> {
    let manager = match manager {
        None | Some(Value::Null) => None,
        Some(m @ Value::Object(_)) => text(get_ci(m, "value")),
        Some(other) => text(Some(other)),
    };
    manager
        .map(|m| {
            m.parse::<i64>().map_err(|_| {
                ScimError::invalid_value(format!(
                    "there is no user with the id {m} to be the manager"
                ))
            })
        })
        .transpose()
}

async fn fetch(state: &AppState, actor: &Actor, id: i64, base: &str) -> ScimResult<Value> {
    let person = provisioning::person(state.db(), actor, id).await?;
    Ok(render(&person, base))
}

async fn run_list(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    params: &ListParams,
) -> ScimResult<Response> {
    let base = super::base_url(state, headers);
    let projection = params.projection()?;
    let (start, count) = params.page()?;
    let wanted = match params.filter.as_deref().filter(|f| !f.trim().is_empty()) {
        Some(f) => Some(filter::people(&filter::parse(f)?)?),
        None => None,
    };
    let (total, people) =
        provisioning::people(state.db(), actor, wanted.as_ref(), start - 1, count).await?;
    let resources = people
        .iter()
        .map(|p| projection.apply(render(p, &base)))
        .collect();
    Ok(reply(
        StatusCode::OK,
        list_response(total, start, resources),
    ))
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Query(params): Query<ListParams>,
) -> ScimResult<Response> {
    run_list(&state, &actor, &headers, &params).await
}

pub async fn search(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    let params = ListParams::from_search(&super::read_body(&body)?)?;
    run_list(&state, &actor, &headers, &params).await
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    crate::auth::policy::provision(&actor)?;
    let write = read(&super::read_body(&body)?)?;
    let id = provisioning::create_person(state.db(), &actor, &write).await?;
    let base = super::base_url(&state, &headers);
    Ok(reply(
        StatusCode::CREATED,
        fetch(&state, &actor, id, &base).await?,
    ))
}

pub async fn get_one(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): GetQuery,
) -> ScimResult<Response> {
    crate::auth::policy::provision(&actor)?;
    let id = parse_id(&id, "user")?;
    let projection = super::Projection::new(
        params.attributes.as_deref(),
        params.excluded_attributes.as_deref(),
    )?;
    let base = super::base_url(&state, &headers);
    Ok(reply(
        StatusCode::OK,
        projection.apply(fetch(&state, &actor, id, &base).await?),
    ))
}

pub async fn replace(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ScimResult<Response> {
    crate::auth::policy::provision(&actor)?;
    let id = parse_id(&id, "user")?;
    let write = read(&super::read_body(&body)?)?;
    provisioning::replace_person(state.db(), &actor, id, &write).await?;
    // `active: false` ends the person's access on this server at once.
    state.actors().forget_user(id);
    let base = super::base_url(&state, &headers);
    Ok(reply(
        StatusCode::OK,
        fetch(&state, &actor, id, &base).await?,
    ))
}

pub async fn patch(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ScimResult<Response> {
    crate::auth::policy::provision(&actor)?;
    let id = parse_id(&id, "user")?;
    let body = super::read_body(&body)?;
    let base = super::base_url(&state, &headers);
    let mut user = fetch(&state, &actor, id, &base).await?;
    super::patch::apply(&mut user, &body, CORE_USER)?;
    let write = read(&user)?;
    provisioning::replace_person(state.db(), &actor, id, &write).await?;
    // `active: false` ends the person's access on this server at once.
    state.actors().forget_user(id);
    Ok(reply(
        StatusCode::OK,
        fetch(&state, &actor, id, &base).await?,
    ))
}

/// Deleting a person would lose their history, so it marks them as left (as `active: false`
/// does) and ends their sessions; SCIM answers 404 for them afterwards (RFC 7644 §3.6).
pub async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ScimResult<Response> {
    crate::auth::policy::provision(&actor)?;
    let id = parse_id(&id, "user")?;
    provisioning::delete_person(state.db(), &actor, id).await?;
    state.actors().forget_user(id);
    Ok(StatusCode::NO_CONTENT.into_response())
}
