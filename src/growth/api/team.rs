//! `/api/v1/team`: a manager's team view (each report's position, time in level, last check-in,
//! readiness, plan and next 1:1 with the overdue and missing-plan flags, and the heat map of the
//! latest agreed ratings).

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::growth::team::{self as service, Team, TeamQuery};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/team", get(get_team))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_team),
    tags((name = "team", description = "A manager's team at a glance"))
)]
pub struct Api;

#[derive(Deserialize, IntoParams)]
pub struct TeamParams {
    /// Whose team: the id of a manager the caller may see (themselves, someone below them, or
    /// anyone for admins). The caller's own team when absent.
    pub manager: Option<i64>,
    /// Everyone below the manager, not only their direct reports.
    #[serde(default)]
    pub chain: bool,
}

/// A manager's team. 404 for a team the caller may not see, and for an organisation token that
/// names no manager.
#[utoipa::path(get, path = "/api/v1/team", tag = "team", params(TeamParams),
    responses((status = 200, body = Team), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn get_team(
    State(state): State<AppState>,
    actor: Actor,
    Query(params): Query<TeamParams>,
) -> ApiResult<Json<Team>> {
    Ok(Json(
        service::team(
            &state,
            &actor,
            TeamQuery {
                manager: params.manager,
                whole_chain: params.chain,
            },
        )
        .await?,
    ))
}
