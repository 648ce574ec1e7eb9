//! The JSON API of this area.

pub(crate) mod admin;
pub(crate) mod directory;
pub(crate) mod import;
pub(crate) mod wire;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Every API operation of this area, relative to `/api/v1`, with its OpenAPI entry. The order
/// is that of their tags in the document.
pub fn routes() -> OpenApiRouter<AppState> {
    crate::api::merged([directory::routes(), import::routes(), admin::routes()])
}
