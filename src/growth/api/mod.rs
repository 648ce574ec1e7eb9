//! The JSON API of this area.

pub(crate) mod checkin_rounds;
pub(crate) mod checkins;
pub(crate) mod evidence;
pub(crate) mod home;
pub(crate) mod nominations;
pub(crate) mod one_on_ones;
pub(crate) mod plans;
pub(crate) mod readiness;
pub(crate) mod record;
pub(crate) mod team;

use axum::Router;

use crate::state::AppState;

/// Every API route of this area, under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(checkin_rounds::routes())
        .merge(checkins::routes())
        .merge(evidence::routes())
        .merge(home::routes())
        .merge(nominations::routes())
        .merge(one_on_ones::routes())
        .merge(plans::routes())
        .merge(readiness::routes())
        .merge(record::routes())
        .merge(team::routes())
}
