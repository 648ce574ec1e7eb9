//! `/api/v1/me/home`: the signed-in person's home, as the home page shows it (position, track,
//! what changes at the next level and, with the Grow features, their latest check-in, readiness,
//! plan, next 1:1 and what needs their action).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::growth::home::{self as service, Home};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/me/home", get(get_home))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_home),
    tags((name = "home", description = "The signed-in person's home"))
)]
pub struct Api;

/// The home of the person the session or token acts for; 404 for an organisation token, which
/// acts for nobody. `growth` is absent while the Grow features are piloted without the person's
/// team.
#[utoipa::path(get, path = "/api/v1/me/home", tag = "home",
    responses((status = 200, body = Home), (status = 404, body = Problem)))]
pub async fn get_home(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Home>> {
    Ok(Json(service::home(&state, &actor).await?))
}
