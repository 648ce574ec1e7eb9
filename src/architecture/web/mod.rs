//! The pages of this area.

pub(crate) mod editor;
pub(crate) mod framework;
pub(crate) mod templates;
pub(crate) mod versions;

use crate::web::routes::Routes;

/// Every page of this area.
pub fn routes() -> Routes {
    Routes::new()
        .merge(editor::routes())
        .merge(framework::routes())
        .merge(templates::routes())
        .merge(versions::routes())
}
