//! The pages of this area.

pub(crate) mod kpis;
pub(crate) mod rollout;
pub(crate) mod surveys;

use crate::web::routes::Routes;

/// Every page of this area.
pub fn routes() -> Routes {
    Routes::new()
        .merge(kpis::routes())
        .merge(rollout::routes())
        .merge(surveys::routes())
}
