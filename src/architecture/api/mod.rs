//! The JSON API of this area.

pub(crate) mod framework;
pub(crate) mod templates;
pub(crate) mod wire;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Every API operation of this area, relative to `/api/v1`, with its OpenAPI entry. The order
/// is that of their tags in the document.
pub fn routes() -> OpenApiRouter<AppState> {
    crate::api::merged([framework::routes(), templates::routes()])
}
