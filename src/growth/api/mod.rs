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
pub(crate) mod wire;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Every API operation of this area, relative to `/api/v1`, with its OpenAPI entry. The order
/// is that of their tags in the document.
pub fn routes() -> OpenApiRouter<AppState> {
    crate::api::merged([
        evidence::routes(),
        readiness::routes(),
        plans::routes(),
        one_on_ones::routes(),
        checkins::routes(),
        checkin_rounds::routes(),
        home::routes(),
        team::routes(),
        nominations::routes(),
        record::routes(),
    ])
}
