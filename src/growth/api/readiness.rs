//! `/api/v1` readiness: a person's readiness for the next level with its reasons, their gap
//! analysis to any position, and the readiness rules of the tracks (admins).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::growth::readiness::{
    self as service, GapAnalysis, PersonReadiness, RuleInput, TrackRule,
};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/people/{id}/readiness", get(get_readiness))
        .route("/people/{id}/gaps", get(get_gaps))
        .route("/readiness/rules", get(list_rules))
        .route("/readiness/rules/{track}", put(set_rule).delete(reset_rule))
        .route("/readiness/recompute", post(recompute))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_readiness, get_gaps, list_rules, set_rule, reset_rule, recompute),
    tags((name = "readiness", description = "Readiness for the next level, with its reasons; gap analysis to any position; the rules per track (admins)"))
)]
pub struct Api;

/// A person's readiness for the next level of their track, always with the reasons; for the
/// person, their management chain and admins.
#[utoipa::path(get, path = "/api/v1/people/{id}/readiness", tag = "readiness",
    params(("id" = i64, Path)),
    responses((status = 200, body = PersonReadiness), (status = 404, body = Problem)))]
pub async fn get_readiness(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<PersonReadiness>> {
    Ok(Json(service::person_readiness(&state, &actor, id).await?))
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
#[utoipa::path(get, path = "/api/v1/people/{id}/gaps", tag = "readiness",
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
        service::gaps(&state, &actor, id, &q.track, &q.level).await?,
    ))
}

/// The readiness rule of every track of the published framework (admins).
#[utoipa::path(get, path = "/api/v1/readiness/rules", tag = "readiness",
    responses((status = 200, body = Vec<TrackRule>), (status = 403, body = Problem)))]
pub async fn list_rules(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<Vec<TrackRule>>> {
    Ok(Json(service::rules(&state, &actor).await?))
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
#[utoipa::path(put, path = "/api/v1/readiness/rules/{track}", tag = "readiness",
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
        service::set_rule(&state, &actor, &track, &input).await?,
    ))
}

/// Puts a track back on the default rule (admins).
#[utoipa::path(delete, path = "/api/v1/readiness/rules/{track}", tag = "readiness",
    params(("track" = String, Path)),
    responses((status = 200, body = TrackRule), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn reset_rule(
    State(state): State<AppState>,
    actor: Actor,
    Path(track): Path<String>,
) -> ApiResult<Json<TrackRule>> {
    Ok(Json(service::reset_rule(&state, &actor, &track).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Recomputed {
    /// How many people were recomputed.
    pub people: usize,
}

/// Recomputes the readiness of the whole organisation (admins).
#[utoipa::path(post, path = "/api/v1/readiness/recompute", tag = "readiness",
    responses((status = 200, body = Recomputed), (status = 403, body = Problem)))]
pub async fn recompute(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<(StatusCode, Json<Recomputed>)> {
    let people = service::recompute_all(&state, &actor).await?;
    Ok((StatusCode::OK, Json(Recomputed { people })))
}
