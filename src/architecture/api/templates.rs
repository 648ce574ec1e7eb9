//! `/api/v1/templates`: the track templates that ship with Trellis, and adding one to the draft.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use trellis_framework::merge::Take;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::{ImportReport, TemplateSummary};
use crate::api::{ApiResult, Problem};
use crate::architecture::templates;
use crate::auth::Actor;
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(list_templates))
        .routes(routes!(add_template))
}

/// Every template, with its tracks and levels.
#[utoipa::path(get, path = "/templates", tag = "draft",
    responses((status = 200, body = Vec<TemplateSummary>), (status = 403, body = Problem)))]
pub async fn list_templates(actor: Actor) -> ApiResult<Json<Vec<TemplateSummary>>> {
    Ok(Json(
        templates::templates(&actor)?
            .iter()
            .map(|t| t.summary().into())
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct AddQuery {
    /// Report what would change without changing anything.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct AddTemplate {
    /// The template's tracks to add; all of them when empty.
    #[serde(default)]
    pub tracks: Vec<String>,
    /// The items on which the template's version replaces the draft's: the `id`s of the report's
    /// `differences`, or `all`. Empty by default: the draft keeps everything it has and only gains
    /// what is new.
    #[serde(default)]
    pub take: Vec<String>,
}

/// Adds a template (or some of its tracks) to the draft, matching items by key like an import: the
/// draft keeps what it has and gains what is new, except the items named in `take`.
#[utoipa::path(post, path = "/draft/templates/{id}", tag = "draft",
    params(("id" = String, Path, description = "The template"), AddQuery),
    request_body = AddTemplate,
    responses((status = 200, body = ImportReport), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn add_template(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Query(q): Query<AddQuery>,
    Json(body): Json<AddTemplate>,
) -> ApiResult<Json<ImportReport>> {
    Ok(Json(
        templates::add_to_draft(
            &state,
            &actor,
            &id,
            &body.tracks,
            Take::from_request(&body.take),
            q.dry_run,
        )
        .await?
        .into(),
    ))
}
