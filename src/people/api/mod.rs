//! The JSON API of this area.

pub(crate) mod admin;
pub(crate) mod directory;
pub(crate) mod import;

use axum::Router;

use crate::state::AppState;

/// Every API route of this area, under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(admin::routes())
        .merge(directory::routes())
        .merge(import::routes())
}
