//! `/api/v1` development plans: a person's plan, their goals, the goals' actions and notes. The
//! same service and rules as the pages: the person writes, their management chain reads, comments
//! and proposes goals, admins read, everyone else gets a 404.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::OpenApi as _;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::plans::{Goal, GoalAction, GoalNote, Plan};
use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::growth::plans::{self as service, ActionChange, ActionInput, GoalChange, GoalInput};
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi())
        .routes(routes!(get_plan, create_goal))
        .routes(routes!(get_goal, update_goal, delete_goal))
        .routes(routes!(add_action))
        .routes(routes!(add_note))
        .routes(routes!(change_action, remove_action))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "plans", description = "Development plans: goals tied to competencies and a target level, their actions and notes")))]
struct Api;

/// A new goal.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GoalBody {
    /// At most 200 characters.
    pub title: String,
    /// Markdown; optional.
    pub description: String,
    /// Competency keys of the library; at least one.
    pub competencies: Vec<String>,
    /// The target position's track key; empty for none.
    pub track: String,
    /// The target position's level key; empty for none.
    pub level: String,
    /// `YYYY-MM-DD`; empty for none.
    pub due_on: String,
    /// `not_started` (the default), `in_progress`, `done` or `dropped`.
    pub status: String,
    /// The goal comes from the gap analysis: a title and a description are made from the
    /// competencies and the position when none is given.
    pub from_gap: bool,
}

/// A change to a goal: each field given replaces the current value; an empty string clears an
/// optional one.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GoalPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub competencies: Option<Vec<String>>,
    /// Given with `level`.
    pub track: Option<String>,
    pub level: Option<String>,
    pub due_on: Option<String>,
    pub status: Option<String>,
}

/// A new action of a goal.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GoalActionBody {
    /// At most 200 characters.
    pub title: String,
    /// `YYYY-MM-DD`; empty for none.
    pub due_on: String,
}

/// A change to an action: tick it, or change its title or due date.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GoalActionPatch {
    pub title: Option<String>,
    pub due_on: Option<String>,
    pub done: Option<bool>,
}

/// A note on a goal: a progress note by its owner, a comment by their management chain.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GoalNoteBody {
    /// Markdown; at most 20,000 characters.
    pub body: String,
}

/// A person's plan: every goal with a summary, and what the caller may do.
#[utoipa::path(get, path = "/people/{id}/goals", tag = "plans",
    params(("id" = i64, Path, description = "The person")),
    responses((status = 200, body = Plan), (status = 404, body = Problem)))]
pub async fn get_plan(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Plan>> {
    Ok(Json(service::plan(&state, &actor, id).await?.into()))
}

/// Adds a goal to a person's plan (the person), or proposes one (their management chain).
#[utoipa::path(post, path = "/people/{id}/goals", tag = "plans",
    params(("id" = i64, Path, description = "The person")), request_body = GoalBody,
    responses((status = 201, body = Goal), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_goal(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<GoalBody>,
) -> ApiResult<(StatusCode, Json<Goal>)> {
    let input = GoalInput {
        title: body.title,
        description: body.description,
        competencies: body.competencies,
        track: body.track,
        level: body.level,
        due_on: body.due_on,
        status: body.status,
    };
    let goal = service::create_goal(&state, &actor, id, &input, body.from_gap).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::goal(&state, &actor, goal).await?.into()),
    ))
}

/// A goal with its actions and notes.
#[utoipa::path(get, path = "/goals/{id}", tag = "plans",
    params(("id" = i64, Path)),
    responses((status = 200, body = Goal), (status = 404, body = Problem)))]
pub async fn get_goal(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Goal>> {
    Ok(Json(service::goal(&state, &actor, id).await?.into()))
}

/// Changes a goal (its owner).
#[utoipa::path(patch, path = "/goals/{id}", tag = "plans",
    params(("id" = i64, Path)), request_body = GoalPatch,
    responses((status = 200, body = Goal), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_goal(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<GoalPatch>,
) -> ApiResult<Json<Goal>> {
    let change = GoalChange {
        title: body.title,
        description: body.description,
        competencies: body.competencies,
        track: body.track,
        level: body.level,
        due_on: body.due_on,
        status: body.status,
    };
    service::update_goal(&state, &actor, id, &change).await?;
    Ok(Json(service::goal(&state, &actor, id).await?.into()))
}

/// Adds an action at the end of a goal's checklist (its owner).
#[utoipa::path(post, path = "/goals/{id}/actions", tag = "plans",
    params(("id" = i64, Path)), request_body = GoalActionBody,
    responses((status = 201, body = GoalAction), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_action(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<GoalActionBody>,
) -> ApiResult<(StatusCode, Json<GoalAction>)> {
    let input = ActionInput {
        title: body.title,
        due_on: body.due_on,
    };
    let action = service::add_action(&state, &actor, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::action(&state, &actor, action).await?.into()),
    ))
}

/// Ticks an action, or changes its title or due date (the goal's owner).
#[utoipa::path(patch, path = "/goal-actions/{id}", tag = "plans",
    params(("id" = i64, Path)), request_body = GoalActionPatch,
    responses((status = 200, body = GoalAction), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change_action(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<GoalActionPatch>,
) -> ApiResult<Json<GoalAction>> {
    let change = ActionChange {
        title: body.title,
        due_on: body.due_on,
        done: body.done,
    };
    service::change_action(&state, &actor, id, &change).await?;
    Ok(Json(service::action(&state, &actor, id).await?.into()))
}

/// Deletes a goal with its actions and notes (its owner), for a goal added by mistake; mark one
/// given up on as dropped instead.
#[utoipa::path(delete, path = "/goals/{id}", tag = "plans",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_goal(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    service::delete_goal(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes an action (the goal's owner).
#[utoipa::path(delete, path = "/goal-actions/{id}", tag = "plans",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_action(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    service::remove_action(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Writes a progress note (the goal's owner) or a comment (their management chain).
#[utoipa::path(post, path = "/goals/{id}/notes", tag = "plans",
    params(("id" = i64, Path)), request_body = GoalNoteBody,
    responses((status = 201, body = GoalNote), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_note(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<GoalNoteBody>,
) -> ApiResult<(StatusCode, Json<GoalNote>)> {
    let note = service::add_note(&state, &actor, id, &body.body).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::note(&state, &actor, id, note).await?.into()),
    ))
}
