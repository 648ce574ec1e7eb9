//! The JSON API of this area.

pub(crate) mod framework;
pub(crate) mod templates;

use axum::Router;

use crate::state::AppState;

/// Every API route of this area, under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(framework::routes())
        .merge(templates::routes())
}
