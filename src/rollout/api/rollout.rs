//! `/api/v1/rollout`: the readiness self-checks, the roadmap (stages and their checklists, and its
//! CSV) and the pilot (who sees the Grow features), for admins. The same services and rules as the
//! pages under `/admin/rollout`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi as _;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::rollout::{Item, Pilot, Roadmap, SelfCheck, StageView};
use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::error::{AppError, FieldError};
use crate::rollout::pilot::{self as pilot_service, PilotInput};
use crate::rollout::roadmap::{self as roadmap_service, Direction, ItemInput, Stage, StageInput};
use crate::rollout::self_check::{self as self_check_service, Comparison, SelfCheckInput};
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi())
        .routes(routes!(list_self_checks, create_self_check))
        .routes(routes!(latest_self_check))
        .routes(routes!(get_roadmap))
        .routes(routes!(roadmap_csv))
        .routes(routes!(update_stage))
        .routes(routes!(add_item))
        .routes(routes!(update_item, remove_item))
        .routes(routes!(move_item))
        .routes(routes!(tick_item))
        .routes(routes!(get_pilot, set_pilot))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "rollout", description = "The readiness self-check, the roadmap and the pilot (admins)")))]
struct Api;

/// Every self-check, newest first, each with its advice.
#[utoipa::path(get, path = "/rollout/self-checks", tag = "rollout",
    responses((status = 200, body = Vec<SelfCheck>), (status = 403, body = Problem)))]
pub async fn list_self_checks(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<Vec<SelfCheck>>> {
    Ok(Json(
        self_check_service::list(state.db(), &actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// A self-check's answers. Ratings are whole numbers from 1 to 5.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SelfCheckBody {
    pub competencies_defined: Option<bool>,
    /// `defined`, `unclear` or `flat`.
    pub levels: String,
    pub tracks_exist: Option<bool>,
    /// Required when `tracks_exist`: every statement (`knows_track`, `can_access`, `drives_plans`,
    /// `scales`, `objective`, `useful`, `values`) with its rating.
    pub statements: BTreeMap<String, i64>,
    pub impact: String,
    /// Every benefit (`development`, `culture`, `recruiting`, `roadmaps`, `reviews`, `retention`)
    /// with its importance.
    pub benefits: BTreeMap<String, i64>,
    /// One of the benefits.
    pub top_benefit: String,
    pub top_benefit_why: String,
    /// `awareness`, `planning`, `development`, `training`, `implementation` or `measuring`.
    pub stage: String,
}

impl From<SelfCheckBody> for SelfCheckInput {
    fn from(b: SelfCheckBody) -> SelfCheckInput {
        let yes_no = |v: Option<bool>| match v {
            Some(true) => "yes".to_owned(),
            Some(false) => "no".to_owned(),
            None => String::new(),
        };
        let scores = |m: BTreeMap<String, i64>| {
            m.into_iter()
                .map(|(k, v)| (k, v.to_string()))
                .collect::<BTreeMap<_, _>>()
        };
        SelfCheckInput {
            competencies: yes_no(b.competencies_defined),
            levels: b.levels,
            tracks: yes_no(b.tracks_exist),
            statements: scores(b.statements),
            impact: b.impact,
            benefits: scores(b.benefits),
            top_benefit: b.top_benefit,
            why: b.top_benefit_why,
            stage: b.stage,
        }
    }
}

/// The name of a self-check field in the API body, from its name in the form.
fn body_field(form_field: &str) -> String {
    if let Some(key) = form_field.strip_prefix("statement_") {
        return format!("statements.{key}");
    }
    if let Some(key) = form_field.strip_prefix("benefit_") {
        return format!("benefits.{key}");
    }
    match form_field {
        "competencies" => "competencies_defined",
        "tracks" => "tracks_exist",
        "why" => "top_benefit_why",
        other => other,
    }
    .to_owned()
}

/// Saves a self-check; earlier ones stay. Answers with the saved self-check and its advice.
#[utoipa::path(post, path = "/rollout/self-checks", tag = "rollout",
    request_body = SelfCheckBody,
    responses((status = 201, body = SelfCheck), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_self_check(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<SelfCheckBody>,
) -> ApiResult<(StatusCode, Json<SelfCheck>)> {
    match self_check_service::take(state.db(), &actor, &body.into()).await {
        Ok(check) => Ok((StatusCode::CREATED, Json(check.into()))),
        Err(AppError::Invalid { title, errors }) => Err(AppError::Invalid {
            title,
            errors: errors
                .into_iter()
                .map(|e| FieldError {
                    field: body_field(&e.field),
                    message: e.message,
                })
                .collect(),
        }),
        Err(e) => Err(e),
    }
}

/// The latest self-check and how it compares with the one before.
#[derive(Serialize, ToSchema)]
pub struct LatestSelfCheck {
    pub check: SelfCheck,
    /// The id of the self-check before it, if any.
    pub previous: Option<i64>,
    /// The latest compared with the one before it.
    pub comparison: Option<Comparison>,
}

/// The latest self-check with its advice and the change since the one before; 404 when none was
/// taken.
#[utoipa::path(get, path = "/rollout/self-checks/latest", tag = "rollout",
    responses((status = 200, body = LatestSelfCheck), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn latest_self_check(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<LatestSelfCheck>> {
    let mut all = self_check_service::list(state.db(), &actor)
        .await?
        .into_iter();
    let check = all
        .next()
        .ok_or_else(|| AppError::not_found("a self-check"))?;
    let previous = all.next();
    Ok(Json(LatestSelfCheck {
        comparison: previous
            .as_ref()
            .map(|p| self_check_service::compare(&p.answers, &check.answers)),
        previous: previous.map(|p| p.id),
        check: check.into(),
    }))
}

/// Every stage with its plan and checklist, the current stage and what is late. The stages and
/// their default checklists are made on the first read.
#[utoipa::path(get, path = "/rollout/roadmap", tag = "rollout",
    responses((status = 200, body = Roadmap), (status = 403, body = Problem)))]
pub async fn get_roadmap(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Roadmap>> {
    Ok(Json(
        roadmap_service::roadmap(state.db(), &actor).await?.into(),
    ))
}

/// The roadmap as CSV: one row per item (stage, stage status, item, owner, owner email, due date,
/// done, overdue).
#[utoipa::path(get, path = "/rollout/roadmap.csv", tag = "rollout",
    responses((status = 200, content_type = "text/csv", body = String),
              (status = 403, body = Problem)))]
pub async fn roadmap_csv(State(state): State<AppState>, actor: Actor) -> ApiResult<Response> {
    let csv = roadmap_service::export_csv(state.db(), &actor).await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response())
}

fn stage_of(raw: &str) -> Result<Stage, AppError> {
    Stage::parse(raw).ok_or_else(|| AppError::not_found("this stage"))
}

/// A stage's plan. Empty strings clear the owner and dates.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct StageBody {
    pub owner_email: String,
    /// YYYY-MM-DD
    pub starts_on: String,
    /// YYYY-MM-DD, not before `starts_on`.
    pub ends_on: String,
    pub notes: String,
    /// `not_started`, `in_progress` or `done`.
    pub status: String,
}

async fn stage_view(
    state: &AppState,
    actor: &Actor,
    stage: Stage,
) -> ApiResult<roadmap_service::StageView> {
    roadmap_service::roadmap(state.db(), actor)
        .await?
        .stages
        .into_iter()
        .find(|s| s.stage == stage)
        .ok_or_else(|| AppError::not_found("this stage"))
}

/// Replaces a stage's owner, dates, notes and status.
#[utoipa::path(put, path = "/rollout/roadmap/stages/{stage}", tag = "rollout",
    params(("stage" = String, Path, description = "awareness, planning, development, training, implementation or measuring")),
    request_body = StageBody,
    responses((status = 200, body = StageView), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_stage(
    State(state): State<AppState>,
    actor: Actor,
    Path(stage): Path<String>,
    Json(body): Json<StageBody>,
) -> ApiResult<Json<StageView>> {
    let stage = stage_of(&stage)?;
    let input = StageInput {
        owner_email: body.owner_email,
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        notes: body.notes,
        status: body.status,
    };
    roadmap_service::update_stage(state.db(), &actor, stage, &input).await?;
    Ok(Json(stage_view(&state, &actor, stage).await?.into()))
}

/// A checklist item.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ItemBody {
    pub title: String,
    /// Empty for no owner.
    pub owner_email: String,
    /// YYYY-MM-DD, or empty.
    pub due_on: String,
}

impl From<ItemBody> for ItemInput {
    fn from(b: ItemBody) -> ItemInput {
        ItemInput {
            title: b.title,
            owner_email: b.owner_email,
            due_on: b.due_on,
        }
    }
}

async fn item(state: &AppState, actor: &Actor, id: i64) -> ApiResult<roadmap_service::Item> {
    roadmap_service::roadmap(state.db(), actor)
        .await?
        .stages
        .into_iter()
        .flat_map(|s| s.items)
        .find(|i| i.id == id)
        .ok_or_else(|| AppError::not_found("this roadmap item"))
}

/// Adds an item at the end of a stage's checklist.
#[utoipa::path(post, path = "/rollout/roadmap/stages/{stage}/items", tag = "rollout",
    params(("stage" = String, Path)), request_body = ItemBody,
    responses((status = 201, body = Item), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(stage): Path<String>,
    Json(body): Json<ItemBody>,
) -> ApiResult<(StatusCode, Json<Item>)> {
    let stage = stage_of(&stage)?;
    let id = roadmap_service::add_item(state.db(), &actor, stage, &body.into()).await?;
    Ok((
        StatusCode::CREATED,
        Json(item(&state, &actor, id).await?.into()),
    ))
}

/// Replaces an item's title, owner and due date.
#[utoipa::path(put, path = "/rollout/roadmap/items/{id}", tag = "rollout",
    params(("id" = i64, Path)), request_body = ItemBody,
    responses((status = 200, body = Item), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<ItemBody>,
) -> ApiResult<Json<Item>> {
    roadmap_service::update_item(state.db(), &actor, id, &body.into()).await?;
    Ok(Json(item(&state, &actor, id).await?.into()))
}

/// Removes an item from its checklist.
#[utoipa::path(delete, path = "/rollout/roadmap/items/{id}", tag = "rollout",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    roadmap_service::remove_item(state.db(), &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct MoveBody {
    /// `up` or `down`.
    pub direction: String,
}

/// Moves an item one place up or down its stage's checklist; answers with that checklist in its
/// new order.
#[utoipa::path(post, path = "/rollout/roadmap/items/{id}/move", tag = "rollout",
    params(("id" = i64, Path)), request_body = MoveBody,
    responses((status = 200, body = Vec<Item>), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn move_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<MoveBody>,
) -> ApiResult<Json<Vec<Item>>> {
    let direction = Direction::parse(&body.direction)
        .ok_or_else(|| AppError::invalid_field("direction", "say which way to move: up or down"))?;
    roadmap_service::move_item(state.db(), &actor, id, direction).await?;
    let stage = item(&state, &actor, id).await?.stage;
    Ok(Json(
        stage_view(&state, &actor, stage)
            .await?
            .items
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TickBody {
    pub done: bool,
}

/// Ticks an item (`done: true`) or unticks it.
#[utoipa::path(post, path = "/rollout/roadmap/items/{id}/tick", tag = "rollout",
    params(("id" = i64, Path)), request_body = TickBody,
    responses((status = 200, body = Item), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn tick_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<TickBody>,
) -> ApiResult<Json<Item>> {
    roadmap_service::tick_item(state.db(), &actor, id, body.done).await?;
    Ok(Json(item(&state, &actor, id).await?.into()))
}

/// Who sees the Grow features: the audience and every team, with the pilot teams marked.
#[utoipa::path(get, path = "/rollout/pilot", tag = "rollout",
    responses((status = 200, body = Pilot), (status = 403, body = Problem)))]
pub async fn get_pilot(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Pilot>> {
    Ok(Json(pilot_service::pilot(state.db(), &actor).await?.into()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PilotBody {
    /// `everyone`, or `pilot` for the teams in `team_ids` (and admins) only.
    pub audience: String,
    /// The pilot teams, replacing the current list; at least one when the audience is `pilot`.
    /// Send them with `everyone` too to keep them for the dashboard's comparison of the pilot and
    /// the rest (an empty list forgets them).
    pub team_ids: Vec<i64>,
}

/// Sets who sees the Grow features and which teams are the pilot.
#[utoipa::path(put, path = "/rollout/pilot", tag = "rollout", request_body = PilotBody,
    responses((status = 200, body = Pilot), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn set_pilot(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<PilotBody>,
) -> ApiResult<Json<Pilot>> {
    let input = PilotInput {
        audience: body.audience,
        teams: body.team_ids.iter().map(i64::to_string).collect(),
    };
    pilot_service::choose(state.db(), &actor, &input).await?;
    Ok(Json(pilot_service::pilot(state.db(), &actor).await?.into()))
}
