//! The pages of this area.

pub(crate) mod kpis;
pub(crate) mod rollout;
pub(crate) mod surveys;

use axum::Router;

use crate::state::AppState;

/// Every page of this area.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(kpis::routes())
        .merge(rollout::routes())
        .merge(surveys::routes())
}
