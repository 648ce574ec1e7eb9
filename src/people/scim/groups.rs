//! `/Groups`: teams, named by `displayName`. Members are the people whose team it is; a person is
//! in at most one team, so adding them to a group moves them out of their former team, and
//! deleting a group leaves its people in no team.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::error::{ScimError, ScimResult};
use super::filter::{self, CORE_GROUP, get_ci};
use super::{GetQuery, ListParams, list_response, parse_id, reply, text};
use crate::auth::{Actor, policy};
use crate::people::provisioning::{self, ScimTeam, TeamWrite};
use crate::state::AppState;

/// A team as a SCIM Group.
pub fn render(t: &ScimTeam, base: &str, with_members: bool) -> Value {
    let mut group = Map::new();
    group.insert("schemas".into(), json!([CORE_GROUP]));
    group.insert("id".into(), json!(t.id.to_string()));
    if let Some(e) = &t.external_id {
        group.insert("externalId".into(), json!(e));
    }
    group.insert("displayName".into(), json!(t.name));
    if with_members && !t.members.is_empty() {
        let members: Vec<Value> = t
            .members
            .iter()
            .map(|m| json!({ "value": m.to_string(), "$ref": format!("{base}/Users/{m}"), "type": "User" }))
            .collect();
        group.insert("members".into(), Value::Array(members));
    }
    super::with_meta(
        Value::Object(group),
        "Group",
        (t.created_at, t.updated_at),
        format!("{base}/Groups/{}", t.id),
    )
}

/// Reads a Group body (or a group after PATCH).
pub fn read(body: &Value) -> ScimResult<TeamWrite> {
    let name = text(get_ci(body, "displayName"))
        .ok_or_else(|| ScimError::invalid_value("a Group needs a displayName"))?;
    let members = match get_ci(body, "members") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|m| {
                let raw = text(get_ci(m, "value"))
                    .or_else(|| text(Some(m)))
                    .unwrap_or_default();
                raw.parse::<i64>().map_err(|_| {
                    ScimError::invalid_value(format!("there is no user with the id `{raw}`"))
                })
            })
            .collect::<ScimResult<Vec<i64>>>()?,
        Some(_) => return Err(ScimError::invalid_value("members must be a list")),
    };
    Ok(TeamWrite {
        name,
        external_id: text(get_ci(body, "externalId")),
        members: Some(members),
    })
}

async fn fetch(state: &AppState, actor: &Actor, id: i64, base: &str) -> ScimResult<Value> {
    let team = provisioning::team(state.db(), actor, id).await?;
    Ok(render(&team, base, true))
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
        Some(f) => Some(filter::teams(&filter::parse(f)?)?),
        None => None,
    };
    let with_members = !projection.without("members");
    let (total, teams) = provisioning::teams(
        state.db(),
        actor,
        wanted.as_ref(),
        start - 1,
        count,
        with_members,
    )
    .await?;
    let resources = teams
        .iter()
        .map(|t| projection.apply(render(t, &base, with_members)))
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
    policy::provision(&actor)?;
    let write = read(&super::read_body(&body)?)?;
    let id = provisioning::create_team(state.db(), &actor, &write).await?;
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
    policy::provision(&actor)?;
    let id = parse_id(&id, "group")?;
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
    policy::provision(&actor)?;
    let id = parse_id(&id, "group")?;
    let write = read(&super::read_body(&body)?)?;
    provisioning::replace_team(state.db(), &actor, id, &write).await?;
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
    policy::provision(&actor)?;
    let id = parse_id(&id, "group")?;
    let body = super::read_body(&body)?;
    let base = super::base_url(&state, &headers);
    let mut group = fetch(&state, &actor, id, &base).await?;
    super::patch::apply(&mut group, &body, CORE_GROUP)?;
    let write = read(&group)?;
    provisioning::replace_team(state.db(), &actor, id, &write).await?;
    Ok(reply(
        StatusCode::OK,
        fetch(&state, &actor, id, &base).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ScimResult<Response> {
    policy::provision(&actor)?;
    let id = parse_id(&id, "group")?;
    provisioning::delete_team(state.db(), &actor, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
