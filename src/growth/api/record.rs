//! `/api/v1/people/{id}/growth-record`: everything about a person's growth in one document, for
//! the person, their management chain and admins. Private 1:1 notes appear only when the caller
//! wrote them.

use axum::Json;
use axum::extract::{Path, State};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::record::GrowthRecord;
use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::growth::record as service;
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi()).routes(routes!(get_growth_record))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "growth-record", description = "A person's growth record, to keep or move elsewhere")))]
struct Api;

/// A person's growth record: position history, check-ins (each side as the caller may see it),
/// evidence, plan, 1:1s and promotions. 404 for those who may not see the person's records.
#[utoipa::path(get, path = "/people/{id}/growth-record", tag = "growth-record",
    params(("id" = i64, Path)),
    responses((status = 200, body = GrowthRecord), (status = 404, body = Problem)))]
pub async fn get_growth_record(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<GrowthRecord>> {
    Ok(Json(service::export(&state, &actor, id).await?.into()))
}
