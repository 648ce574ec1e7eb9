//! The pages of this area.

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

use crate::web::routes::Routes;

/// Every page of this area.
pub fn routes() -> Routes {
    Routes::new()
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
