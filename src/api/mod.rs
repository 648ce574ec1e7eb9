//! The JSON API under `/api/v1`, for scripts and integrations. Authenticated by bearer token (or the
//! browser session). Every route is declared with its OpenAPI description, served at
//! `/api/openapi.json` and browsable at `/api/docs`. Errors are RFC 9457 problem documents.
//!
//! Each module of an area's `api` builds an `OpenApiRouter` of its operations, each added with
//! `routes!(handler)`, which routes the handler at the method and path of its `#[utoipa::path]`
//! (relative to `/api/v1`) and adds its entry to the document; the area merges its modules
//! ([`merged`]), and [`build`] merges the areas and splits the result into the router and the
//! document. So the document lists every operation the API serves, and nothing else.

use std::collections::HashSet;
use std::sync::OnceLock;

use axum::Json;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{RefOr, Schema};
use utoipa_axum::router::OpenApiRouter;

use crate::error::{AppError, FieldError, FileError, error_body};
use crate::state::AppState;
use crate::web::routes::{Routes, get};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Trellis API",
        description = "Career tracks: the framework (competency library, tracks, levels, expectations), its draft, versions and YAML files.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []))
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

/// The answers every operation may give besides its own, added to each operation where they apply
/// so that the document says everything an operation can answer:
///
/// - 401 to a request without a valid token (every operation needs one), 403 to a token or role
///   that may not do this (a SCIM token, an employee on an admins' operation), 429 when the rate
///   limit is reached (with `Retry-After`);
/// - 400 when a path or query parameter cannot be read (a word where a number goes);
/// - 404 when a path names something that does not exist;
/// - 400, 415 and 422 when a request body is not what the operation takes (not JSON, another
///   content type, JSON of the wrong shape), and 422 when a query parameter's value is not one the
///   operation accepts (a date that is no date, a revision that does not exist in that form).
///
/// An operation that declares one of these itself keeps its own. Every error is a problem document,
/// so each error response's content is `application/problem+json`.
struct CommonResponses;

/// Names of the shared responses in `components.responses`.
const UNAUTHORIZED: &str = "Unauthorized";
const FORBIDDEN: &str = "Forbidden";
const TOO_MANY_REQUESTS: &str = "TooManyRequests";
const BAD_REQUEST: &str = "BadRequest";
const NOT_FOUND: &str = "NotFound";
const UNSUPPORTED_MEDIA_TYPE: &str = "UnsupportedMediaType";
const UNPROCESSABLE: &str = "UnprocessableContent";

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        shared_responses(openapi.components.get_or_insert_with(Default::default));
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                refer_to_shared_responses(op);
            }
        }
    }
}

const PROBLEM: &str = "application/problem+json";

/// The responses every operation may answer, once, as components.
fn shared_responses(components: &mut utoipa::openapi::Components) {
    use utoipa::openapi::ResponseBuilder;
    let problem = || {
        utoipa::openapi::ContentBuilder::new()
            .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
            .build()
    };
    let header = |description: &str| {
        utoipa::openapi::HeaderBuilder::new()
            .schema(
                utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String),
            )
            .description(Some(description))
            .build()
    };
    for (name, description) in [
        (
            UNAUTHORIZED,
            "No valid token (or session) came with the request.",
        ),
        (
            FORBIDDEN,
            "The token's scope or the caller's role does not allow this.",
        ),
        (
            TOO_MANY_REQUESTS,
            "Too many requests: wait as long as `Retry-After` says.",
        ),
        (
            BAD_REQUEST,
            "The request cannot be read: a parameter or the body is malformed.",
        ),
        (
            NOT_FOUND,
            "Nothing of that name exists, or it is not the caller's to see.",
        ),
        (
            UNSUPPORTED_MEDIA_TYPE,
            "The body is not of a content type the operation takes.",
        ),
        (
            UNPROCESSABLE,
            "The request is well formed but its values are not acceptable; `errors` says which.",
        ),
    ] {
        let mut response = ResponseBuilder::new()
            .description(description)
            .content(PROBLEM, problem());
        if name == UNAUTHORIZED {
            response = response.header("WWW-Authenticate", header("The scheme to use: `Bearer`."));
        }
        if name == TOO_MANY_REQUESTS {
            response = response.header(
                "Retry-After",
                header("Seconds to wait before trying again."),
            );
        }
        components
            .responses
            .insert(name.to_owned(), RefOr::T(response.build()));
    }
}

/// Adds to an operation the shared responses that apply to it, and makes its error responses
/// problem documents.
fn refer_to_shared_responses(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::path::ParameterIn;
    let params = op.parameters.as_deref().unwrap_or_default();
    let in_path = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
    let in_query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
    let has_params = !params.is_empty();
    let has_body = op.request_body.is_some();
    let mut shared = vec![UNAUTHORIZED, FORBIDDEN, TOO_MANY_REQUESTS];
    if has_params || has_body {
        shared.push(BAD_REQUEST);
    }
    if in_path {
        shared.push(NOT_FOUND);
    }
    if has_body {
        shared.push(UNSUPPORTED_MEDIA_TYPE);
    }
    if has_body || in_query {
        shared.push(UNPROCESSABLE);
    }
    let responses = &mut op.responses.responses;
    for name in shared {
        let status = status_of(name);
        responses.entry(status.to_owned()).or_insert_with(|| {
            RefOr::Ref(utoipa::openapi::Ref::new(format!(
                "#/components/responses/{name}"
            )))
        });
    }
    // Errors are problem documents, whatever content type an annotation wrote.
    for (status, response) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let (true, RefOr::T(r)) = (is_error, response)
            && let Some(content) = r.content.shift_remove("application/json")
        {
            r.content.insert(PROBLEM.to_owned(), content);
        }
    }
}

fn status_of(name: &str) -> &'static str {
    match name {
        UNAUTHORIZED => "401",
        FORBIDDEN => "403",
        TOO_MANY_REQUESTS => "429",
        BAD_REQUEST => "400",
        NOT_FOUND => "404",
        UNSUPPORTED_MEDIA_TYPE => "415",
        _ => "422",
    }
}

/// API routers merged: an area's modules, or the areas. Two types that share a schema name would
/// leave one of them described wrongly (a merge keeps one schema per name), so in debug builds a
/// merge that meets one fails: give one of the types `#[schema(as = OtherName)]`.
pub(crate) fn merged(
    routers: impl IntoIterator<Item = OpenApiRouter<AppState>>,
) -> OpenApiRouter<AppState> {
    routers.into_iter().fold(OpenApiRouter::default(), |all, next| {
        let conflicts = schema_conflicts(all.get_openapi(), next.get_openapi());
        debug_assert!(
            conflicts.is_empty(),
            "two types share the schema names {conflicts:?}: give one `#[schema(as = OtherName)]`"
        );
        all.merge(next)
    })
}

/// The schema names that `area` defines otherwise than `doc`: merging would keep only one of the
/// two, and the document would describe the other type's values wrongly.
fn schema_conflicts(
    doc: &utoipa::openapi::OpenApi,
    area: &utoipa::openapi::OpenApi,
) -> Vec<String> {
    let (Some(ours), Some(theirs)) = (&doc.components, &area.components) else {
        return Vec::new();
    };
    theirs
        .schemas
        .iter()
        .filter(|(name, schema)| {
            ours.schemas.get(*name).is_some_and(|mine| {
                serde_json::to_value(mine).ok() != serde_json::to_value(schema).ok()
            })
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// The operations of the areas under `/api/v1`, with the API's fallback and middleware, and the
/// OpenAPI document that describes them, built together from the same declarations: an
/// operation's `#[utoipa::path]` gives its method and its path relative to `/api/v1`, and
/// `routes!` routes it there and adds its entry to the document.
fn build() -> (Routes, utoipa::openapi::OpenApi) {
    let v1 = merged([
        crate::architecture::api::routes(),
        crate::people::api::routes(),
        crate::growth::api::routes(),
        crate::rollout::api::routes(),
    ]);
    let api = OpenApiRouter::default()
        .nest("/v1", v1)
        .fallback(|| async { AppError::not_found("this API route") })
        .layer(middleware::from_fn(json_objects))
        .layer(middleware::from_fn(problems));
    let (routes, mut doc) =
        Routes::documented(OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api", api));
    utoipa::Modify::modify(&CommonResponses, &mut doc);
    (routes, doc)
}

/// The API's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    build().1
}

/// The API under `/api/v1`; its OpenAPI document at `/api/openapi.json` and the interactive docs
/// at `/api/docs`, served from files compiled into the binary; and the JSON Schema of the framework
/// file format.
pub fn routes() -> Routes {
    let (api, doc) = build();
    api.merge(Routes::swagger_ui("/api/docs", "/api/openapi.json", doc))
        .route("/api/schema/framework-v1.json", get(framework_schema))
}

/// The JSON Schema of the framework file format, for editors that validate YAML as you type.
async fn framework_schema() -> Response {
    (
        [(header::CONTENT_TYPE, "application/schema+json")],
        include_str!("../../schema/framework-v1.json"),
    )
        .into_response()
}

/// The operations whose JSON body is an object (not an array), by method and path as the document
/// writes them.
fn object_bodies() -> &'static HashSet<(Method, String)> {
    static BODIES: OnceLock<HashSet<(Method, String)>> = OnceLock::new();
    BODIES.get_or_init(|| {
        let doc = openapi();
        let mut bodies = HashSet::new();
        for (path, item) in &doc.paths.paths {
            for (method, op) in [
                (Method::POST, &item.post),
                (Method::PUT, &item.put),
                (Method::PATCH, &item.patch),
            ] {
                let json = op
                    .as_ref()
                    .and_then(|op| op.request_body.as_ref())
                    .and_then(|body| body.content.get("application/json"));
                if let Some(json) = json
                    && !matches!(json.schema, Some(RefOr::T(Schema::Array(_))))
                {
                    bodies.insert((method, path.clone()));
                }
            }
        }
        bodies
    })
}

/// Refuses a JSON array sent where the operation takes an object. Left alone, serde reads the
/// array's items as the object's fields in order (`[]` or `[null, null]` would be a request with
/// every field absent), which is not what the document describes.
async fn json_objects(matched: Option<MatchedPath>, req: Request, next: Next) -> Response {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    let takes_object = matched.as_ref().is_some_and(|m| {
        object_bodies()
            .iter()
            .any(|(method, path)| method == req.method() && path.ends_with(m.as_str()))
    });
    if !(is_json && takes_object) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::MAX_BODY_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return AppError::invalid_field("", "the body must be a JSON object, not a list")
            .into_response();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
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

#[cfg(test)]
mod tests {
    use utoipa_axum::routes;

    use super::*;

    mod people {
        #[derive(utoipa::ToSchema)]
        #[allow(dead_code)] // Only its schema is read.
        pub enum Status {
            Active,
            Left,
        }
    }

    mod surveys {
        #[derive(utoipa::ToSchema)]
        #[allow(dead_code)] // Only its schema is read.
        pub enum Status {
            Open,
            Closed,
        }
    }

    #[utoipa::path(get, path = "/people/status", responses((status = 200, body = people::Status)))]
    async fn person_status() {}

    #[utoipa::path(get, path = "/surveys/status", responses((status = 200, body = surveys::Status)))]
    async fn survey_status() {}

    fn people() -> OpenApiRouter<AppState> {
        OpenApiRouter::default().routes(routes!(person_status))
    }

    fn surveys() -> OpenApiRouter<AppState> {
        OpenApiRouter::default().routes(routes!(survey_status))
    }

    #[test]
    fn two_types_that_share_a_schema_name_are_found() {
        assert_eq!(
            schema_conflicts(people().get_openapi(), surveys().get_openapi()),
            ["Status"]
        );
        assert_eq!(
            schema_conflicts(people().get_openapi(), people().get_openapi()),
            Vec::<String>::new(),
            "one type met twice is no conflict"
        );
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "two types share the schema names [\"Status\"]")]
    fn merging_two_types_that_share_a_schema_name_fails() {
        let _ = merged([people(), surveys()]);
    }
}
