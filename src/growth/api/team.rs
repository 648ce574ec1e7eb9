//! `/api/v1/team`: a manager's team view (each report's position, time in level, last check-in,
//! readiness, plan and next 1:1 with the overdue and missing-plan flags, and the heat map of the
//! latest agreed ratings).

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::team::Team;
use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::growth::team::{self as service, TeamQuery};
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi()).routes(routes!(get_team))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "team", description = "A manager's team at a glance")))]
struct Api;

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
#[utoipa::path(get, path = "/team", tag = "team", params(TeamParams),
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
        .await?
        .into(),
    ))
}
