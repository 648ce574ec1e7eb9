//! The JSON API under `/api/v1`, for scripts and integrations. Authenticated by bearer token (or the
//! browser session). Every route is declared with its OpenAPI description, served at
//! `/api/openapi.json` and browsable at `/api/docs`. Errors are RFC 9457 problem documents.

mod admin;
mod checkins;
mod dashboard;
mod evidence;
mod framework;
mod growth_record;
mod home;
mod nominations;
mod one_on_ones;
mod people;
mod people_import;
mod plans;
mod readiness;
mod rollout;
mod surveys;
mod team;
mod templates;

use axum::Json;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{AppError, FieldError, FileError, error_body};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Trellis API",
        description = "Career tracks: the framework (competency library, tracks, levels, expectations), its draft, versions and YAML files.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        framework::me,
        framework::get_framework,
        framework::list_tracks,
        framework::get_track,
        framework::get_level,
        framework::list_competencies,
        framework::compare,
        framework::list_versions,
        framework::diff_versions,
        framework::export_yaml,
        framework::get_draft,
        framework::edit_draft,
        framework::import_yaml,
        framework::publish,
        framework::lint_draft,
        templates::list_templates,
        people::list_people,
        people::get_person,
        people::create_person,
        people::update_person,
        people::list_positions,
        people::record_position,
        people_import::import_people,
        people_import::export_people,
        templates::add_template,
        admin::list_tokens,
        admin::create_token,
        admin::revoke_token,
        admin::list_audit,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags((name = "framework", description = "Reading the published framework"),
         (name = "draft", description = "Editing, importing and publishing (admins)"),
         (name = "people", description = "The directory, positions and their history"),
         (name = "admin", description = "API tokens and the audit log (admins)"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The OpenAPI documents of the areas that declare their own (`#[derive(OpenApi)] struct Api` in
/// their module), merged into [`ApiDoc`].
const AREAS: &[fn() -> utoipa::openapi::OpenApi] = &[
    evidence::Api::openapi,
    readiness::Api::openapi,
    plans::Api::openapi,
    one_on_ones::Api::openapi,
    dashboard::Api::openapi,
    checkins::Api::openapi,
    rollout::Api::openapi,
    surveys::Api::openapi,
    home::Api::openapi,
    team::Api::openapi,
    nominations::Api::openapi,
    growth_record::Api::openapi,
];

/// The API's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for area in AREAS {
        doc.merge(area());
    }
    doc
}

/// The OpenAPI document at `/api/openapi.json` and the interactive docs at `/api/docs`, served from
/// files compiled into the binary.
pub fn docs() -> Router<AppState> {
    let swagger: Router<AppState> = SwaggerUi::new("/api/docs")
        .url("/api/openapi.json", openapi())
        .into();
    swagger.route("/api/schema/framework-v1.json", get(framework_schema))
}

/// The JSON Schema of the framework file format, for editors that validate YAML as you type.
async fn framework_schema() -> Response {
    (
        [(header::CONTENT_TYPE, "application/schema+json")],
        include_str!("../../schema/framework-v1.json"),
    )
        .into_response()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .nest(
            "/v1",
            framework::routes()
                .merge(templates::routes())
                .merge(admin::routes())
                .merge(people::routes())
                .merge(people_import::routes())
                .merge(plans::routes())
                .merge(one_on_ones::routes())
                .merge(rollout::routes())
                .merge(surveys::routes())
                .merge(checkins::routes())
                .merge(evidence::routes())
                .merge(readiness::routes())
                .merge(dashboard::routes())
                .merge(home::routes())
                .merge(team::routes())
                .merge(nominations::routes())
                .merge(growth_record::routes()),
        )
        .fallback(|| async { AppError::not_found("this API route") })
        .layer(middleware::from_fn(problems))
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Problems with fields of the request, when there are any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Problems in an uploaded file, with line and column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub file_errors: Vec<FileError>,
}

pub type ApiResult<T> = Result<T, AppError>;

/// Turns every error response of the API (from a handler, an extractor or the framework) into a
/// problem document.
async fn problems(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error())
        || res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"))
    {
        return res;
    }
    let body = error_body(res).await;
    let problem = Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: body.message,
        errors: body.errors,
        file_errors: body.file_errors,
    };
    let mut res = (status, Json(problem)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    res
}
