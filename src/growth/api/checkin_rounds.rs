//! `/api/v1/checkin-rounds`: check-in rounds. Start a round for everyone, a track or a manager's
//! reporting line with a due date, list the rounds the caller may follow with their counts, read
//! one with the state of each person, and close one. The same service and rules as the pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::checkin_rounds::{Round, RoundInput, RoundSummary};
use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::error::AppError;
use crate::growth::checkin_rounds::{self as service, RoundState};
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi())
        .routes(routes!(list_rounds, create_round))
        .routes(routes!(get_round))
        .routes(routes!(close_round))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "checkin-rounds", description = "Check-in rounds: who is asked to check in by when, and how far each has got")))]
struct Api;

/// The rounds the caller follows, running ones first: every round for admins and organisation
/// tokens; for a manager, the rounds that ask someone below them (counting only those people)
/// and those they started. People without reports are refused.
#[utoipa::path(get, path = "/checkin-rounds", tag = "checkin-rounds",
    responses((status = 200, body = Vec<RoundSummary>), (status = 403, body = Problem)))]
pub async fn list_rounds(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<Vec<RoundSummary>>> {
    Ok(Json(
        service::list(&state, &actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Starts a round with a name and a due date (today or later). Admins ask `everyone`, a
/// `track` or a manager's reporting `line`; a manager asks their own line. The round covers the
/// active people with a position in its scope now; it creates no check-in.
#[utoipa::path(post, path = "/checkin-rounds", tag = "checkin-rounds",
    request_body = RoundInput,
    responses((status = 201, body = Round), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_round(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<RoundInput>,
) -> ApiResult<(StatusCode, Json<Round>)> {
    let id = service::create(&state, &actor, &body.into()).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::get(&state, &actor, id, None).await?.into()),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct RoundParams {
    /// Only the people at this state: `not_started`, `started`, `self_done`, `manager_done` or
    /// `agreed`.
    pub state: Option<String>,
}

/// A round with its counts and each person the caller may see with their state and check-in.
/// 404 for a round the caller may not follow.
#[utoipa::path(get, path = "/checkin-rounds/{id}", tag = "checkin-rounds",
    params(("id" = i64, Path), RoundParams),
    responses((status = 200, body = Round), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn get_round(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(params): Query<RoundParams>,
) -> ApiResult<Json<Round>> {
    let only = match params.state.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(RoundState::parse(s).ok_or_else(|| {
            AppError::invalid_field(
                "state",
                format!(
                    "“{s}” is not a state: not_started, started, self_done, manager_done or agreed"
                ),
            )
        })?),
    };
    Ok(Json(service::get(&state, &actor, id, only).await?.into()))
}

/// Closes a running round (admins, or whoever started it): it stops asking for check-ins; those
/// started carry on.
#[utoipa::path(post, path = "/checkin-rounds/{id}/close", tag = "checkin-rounds",
    params(("id" = i64, Path)),
    responses((status = 200, body = Round), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn close_round(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Round>> {
    service::close(&state, &actor, id).await?;
    Ok(Json(service::get(&state, &actor, id, None).await?.into()))
}
