//! The pages of this area.

pub(crate) mod editor;
pub(crate) mod framework;
pub(crate) mod templates;
pub(crate) mod versions;

use axum::Router;

use crate::state::AppState;

/// Every page of this area.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(editor::routes())
        .merge(framework::routes())
        .merge(templates::routes())
        .merge(versions::routes())
}
