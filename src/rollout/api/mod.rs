//! The JSON API of this area.

pub(crate) mod kpis;
pub(crate) mod rollout;
pub(crate) mod surveys;

use axum::Router;

use crate::state::AppState;

/// Every API route of this area, under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(kpis::routes())
        .merge(rollout::routes())
        .merge(surveys::routes())
}
