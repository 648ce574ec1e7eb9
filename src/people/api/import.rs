//! The people directory as a CSV file over the API: import (all or nothing, with a dry run) and
//! export in the same columns.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::error::AppError;
use crate::people::import::{self as service, ImportOptions};
use crate::state::AppState;

use super::wire::ImportSummary;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(import_people))
        .routes(routes!(export_people))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleImportQuery {
    /// Check the file and count the changes; change nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Mark everyone active who is not in the file as left (their sessions end).
    #[serde(default)]
    pub deactivate_missing: bool,
}

/// Imports people from a CSV file (the request body), by email: columns `email` (required), `name`,
/// `employee_id`, `manager_email`, `team`, `track`, `level`, `start_date`, `status`, whatever their
/// case and order; or a Lattice bulk-assignment file (employee email, track name, level name). All
/// or nothing: a file with mistakes changes nothing, and the problem lists every mistake as
/// `line N: column`.
#[utoipa::path(post, path = "/people/import", tag = "people", params(PeopleImportQuery),
    request_body(content((String = "text/csv"))),
    responses((status = 200, body = ImportSummary), (status = 422, body = Problem)))]
pub async fn import_people(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<PeopleImportQuery>,
    body: Bytes,
) -> ApiResult<Json<ImportSummary>> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| AppError::bad_request("the body must be CSV in UTF-8"))?;
    let options = ImportOptions {
        dry_run: q.dry_run,
        deactivate_missing: q.deactivate_missing,
    };
    let summary = service::import_csv(&state, &actor, text, options, &|_, _| {}).await?;
    Ok(Json(summary.into()))
}

/// The directory as CSV in the import's columns, everyone (active and left) by email. Admins only.
#[utoipa::path(get, path = "/people/export", tag = "people",
    responses((status = 200, body = String, content_type = "text/csv"), (status = 403, body = Problem)))]
pub async fn export_people(State(state): State<AppState>, actor: Actor) -> ApiResult<Response> {
    let csv = service::export_csv(&state, &actor).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"people.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}
