//! `/api/v1` readiness: a person's readiness for the next level with its reasons, their gap
//! analysis to any position, and the readiness rules of the tracks (admins).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi as _;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::readiness::{GapAnalysis, PersonReadiness, TrackRule};
use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::growth::readiness::{self as service, RuleInput};
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi())
        .routes(routes!(get_readiness))
        .routes(routes!(get_gaps))
        .routes(routes!(list_rules))
        .routes(routes!(set_rule, reset_rule))
        .routes(routes!(recompute))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "readiness", description = "Readiness for the next level, with its reasons; gap analysis to any position; the rules per track (admins)")))]
struct Api;

/// A person's readiness for the next level of their track, always with the reasons; for the
/// person, their management chain and admins.
#[utoipa::path(get, path = "/people/{id}/readiness", tag = "readiness",
    params(("id" = i64, Path)),
    responses((status = 200, body = PersonReadiness), (status = 404, body = Problem)))]
pub async fn get_readiness(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<PersonReadiness>> {
    Ok(Json(
        service::person_readiness(&state, &actor, id).await?.into(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct GapQuery {
    /// The target position's track key.
    pub track: String,
    /// The target position's level key.
    pub level: String,
}

/// A person measured against any position, competency by competency: the expectations there and
/// at their current level, the latest agreed rating that speaks to them, and the gaps.
#[utoipa::path(get, path = "/people/{id}/gaps", tag = "readiness",
    params(("id" = i64, Path), GapQuery),
    responses((status = 200, body = GapAnalysis), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn get_gaps(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<GapQuery>,
) -> ApiResult<Json<GapAnalysis>> {
    Ok(Json(
        service::gaps(&state, &actor, id, &q.track, &q.level)
            .await?
            .into(),
    ))
}

/// The readiness rule of every track of the published framework (admins).
#[utoipa::path(get, path = "/readiness/rules", tag = "readiness",
    responses((status = 200, body = Vec<TrackRule>), (status = 403, body = Problem)))]
pub async fn list_rules(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<Vec<TrackRule>>> {
    Ok(Json(
        service::rules(&state, &actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// A track's readiness rule as sent.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    /// Percent (0 to 100) of the next level's competencies that must be rated meets or exceeds.
    #[serde(default = "default_share")]
    pub next_level_share: i64,
    /// Every competency must at least meet the current level.
    #[serde(default = "default_true")]
    pub all_meet_current: bool,
    /// Competency keys of the track that must meet the next level.
    #[serde(default)]
    pub required: Vec<String>,
}

fn default_share() -> i64 {
    i64::from(service::DEFAULT_SHARE)
}

fn default_true() -> bool {
    true
}

/// Sets a track's readiness rule (admins); everyone on the track is recomputed.
#[utoipa::path(put, path = "/readiness/rules/{track}", tag = "readiness",
    params(("track" = String, Path)), request_body = RuleBody,
    responses((status = 200, body = TrackRule), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_rule(
    State(state): State<AppState>,
    actor: Actor,
    Path(track): Path<String>,
    Json(body): Json<RuleBody>,
) -> ApiResult<Json<TrackRule>> {
    let input = RuleInput {
        next_level_share: body.next_level_share.to_string(),
        all_meet_current: body.all_meet_current,
        required: body.required,
    };
    Ok(Json(
        service::set_rule(&state, &actor, &track, &input)
            .await?
            .into(),
    ))
}

/// Puts a track back on the default rule (admins).
#[utoipa::path(delete, path = "/readiness/rules/{track}", tag = "readiness",
    params(("track" = String, Path)),
    responses((status = 200, body = TrackRule), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn reset_rule(
    State(state): State<AppState>,
    actor: Actor,
    Path(track): Path<String>,
) -> ApiResult<Json<TrackRule>> {
    Ok(Json(
        service::reset_rule(&state, &actor, &track).await?.into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Recomputed {
    /// How many people were recomputed.
    pub people: usize,
}

/// Recomputes the readiness of the whole organisation (admins).
#[utoipa::path(post, path = "/readiness/recompute", tag = "readiness",
    responses((status = 200, body = Recomputed), (status = 403, body = Problem)))]
pub async fn recompute(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<(StatusCode, Json<Recomputed>)> {
    let people = service::recompute_all(&state, &actor).await?;
    Ok((StatusCode::OK, Json(Recomputed { people })))
}
