//! The pages of this area.

pub(crate) mod account;
pub(crate) mod admin;
pub(crate) mod directory;
pub(crate) mod import;

use axum::Router;

use crate::state::AppState;

/// Every page of this area.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(account::routes())
        .merge(admin::routes())
        .merge(directory::routes())
        .merge(import::routes())
}
