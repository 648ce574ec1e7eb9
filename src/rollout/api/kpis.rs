//! `/api/v1/dashboard`: the KPI dashboard as JSON and as CSV, with the same filters, group rules
//! and anonymity threshold as the page.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::kpis::Dashboard;
use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::rollout::kpis::{self, DashboardFilter};
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi())
        .routes(routes!(get_dashboard))
        .routes(routes!(get_dashboard_csv))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "dashboard", description = "The KPI dashboard: coverage, participation, promotions, time in level, attrition and pulse scores (admins for the organisation, managers for their reporting line)")))]
struct Api;

#[derive(Deserialize, IntoParams)]
pub struct DashboardQuery {
    /// A team's name: only the people of that team (for a manager, of their reporting line).
    pub team: Option<String>,
    /// A track's key: only the people on that track.
    pub track: Option<String>,
}

impl DashboardQuery {
    fn filter(&self) -> DashboardFilter {
        DashboardFilter::new(self.team.as_deref(), self.track.as_deref())
    }
}

/// The dashboard of the whole organisation (admins, organisation tokens) or of the caller's
/// reporting line (managers). A group of fewer people than the anonymity threshold is refused
/// (422), as is a filter naming a team or track the caller has nobody in.
#[utoipa::path(get, path = "/dashboard", tag = "dashboard", params(DashboardQuery),
    responses((status = 200, body = Dashboard), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn get_dashboard(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DashboardQuery>,
) -> ApiResult<Json<Dashboard>> {
    Ok(Json(
        kpis::dashboard(&state, &actor, &q.filter()).await?.into(),
    ))
}

/// The same figures as CSV: one row per figure or point of a series, with the columns
/// `metric, series, period, value, count, total, team, track, as_of`.
#[utoipa::path(get, path = "/dashboard.csv", tag = "dashboard", params(DashboardQuery),
    responses((status = 200, content_type = "text/csv", body = String),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn get_dashboard_csv(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DashboardQuery>,
) -> ApiResult<Response> {
    let (as_of, csv) = kpis::export_csv(&state, &actor, &q.filter()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"kpi-dashboard-{as_of}.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}
