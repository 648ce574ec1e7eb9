//! The admin pages: API tokens and the audit log. Only admins may open them; the services decide.

mod audit;
mod tokens;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { Redirect::to("/admin/audit") }))
        .merge(tokens::routes())
        .merge(audit::routes())
}
