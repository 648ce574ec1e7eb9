//! The pages of this area.

pub(crate) mod account;
pub(crate) mod admin;
pub(crate) mod directory;
pub(crate) mod import;

use crate::web::routes::Routes;

/// Every page of this area.
pub fn routes() -> Routes {
    Routes::new()
        .merge(account::routes())
        .merge(admin::routes())
        .merge(directory::routes())
        .merge(import::routes())
}
