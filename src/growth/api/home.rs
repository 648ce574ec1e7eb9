//! `/api/v1/me/home`: the signed-in person's home, as the home page shows it (position, track,
//! what changes at the next level and, with the Grow features, their latest check-in, readiness,
//! plan, next 1:1 and what needs their action).

use axum::Json;
use axum::extract::State;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::home::Home;
use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::growth::home as service;
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi()).routes(routes!(get_home))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "home", description = "The signed-in person's home")))]
struct Api;

/// The home of the person the session or token acts for; 404 for an organisation token, which
/// acts for nobody. `growth` is absent while the Grow features are piloted without the person's
/// team.
#[utoipa::path(get, path = "/me/home", tag = "home",
    responses((status = 200, body = Home), (status = 404, body = Problem)))]
pub async fn get_home(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Home>> {
    Ok(Json(service::home(&state, &actor).await?.into()))
}
