//! Trellis: career tracks for the whole organisation, in one binary.
//!
//! [`app`] builds the HTTP application (web pages, JSON API, static files) over an [`AppState`];
//! `main.rs` wires it to the command line, and the tests and benchmarks drive it directly.

pub mod api;
pub mod architecture;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod growth;
pub mod mail;
pub mod markdown;
pub mod people;
pub mod rollout;
pub mod site;
pub mod state;
pub mod text;
pub mod web;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use state::AppState;
use web::routes::Routes;

/// The largest request body accepted: a framework file of a large organisation fits easily.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Every route of the application: the pages, the API (with its document) and SCIM.
fn routes() -> Routes {
    web::routes()
        .merge(api::routes())
        .nest("/scim/v2", people::scim::routes())
}

/// Every method and path the application answers, as its router writes them (`/people/{id}`),
/// taken from the route table the router is built from: nothing is served that this leaves out. A
/// route that answers GET answers HEAD too.
pub fn routes_served() -> Vec<(Method, String)> {
    routes().served().to_vec()
}

/// The whole application: pages, API, static files and health check, with the middleware every
/// response goes through (tracing, request ids, timeouts, body limit, panic recovery, cross-site
/// request refusal, security headers, and the rate limits of `auth::limits`).
pub fn app(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let security_headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("same-origin"),
        ));
    routes()
        .into_router(&state)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rollout::surveys::take_audiences_before_requests,
        ))
        .layer(axum::middleware::from_fn_with_state(
            (
                auth::limits::Limiters::new(&state.config().limits),
                state.clone(),
            ),
            auth::limits::enforce,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(TraceLayer::new_for_http())
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    Duration::from_secs(30),
                ))
                .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
                .layer(security_headers)
                .layer(CsrfLayer::new()),
        )
}
