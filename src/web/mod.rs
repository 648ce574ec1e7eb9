//! The browser interface: server-rendered pages (askama templates in `templates/`), enhanced with htmx
//! where editing benefits from it. Every page reads without JavaScript. Handlers extract, call one
//! service, render; they never decide who may see what (the services do).

pub(crate) mod charts;
pub mod flash;
pub(crate) mod forms;
pub mod routes;
pub(crate) mod timeline;

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::auth::Actor;
use crate::error::{AppError, error_body};
use crate::state::AppState;
use routes::{Routes, get};

/// Pages load only their own scripts, styles and images: what users write can never run as code.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Every page, with the middleware of pages: errors shown as pages, the flash message, and the
/// content security policy.
pub fn routes() -> Routes {
    Routes::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .route("/static/{file}", get(static_file))
        .route("/favicon.ico", get(favicon))
        .route("/help/framework-format", get(format_help))
        .merge(crate::architecture::web::routes())
        .merge(crate::people::web::routes())
        .merge(crate::growth::web::routes())
        .merge(crate::rollout::web::routes())
        .fallback(|| async { AppError::not_found("this page") })
        .layer_with(|state| middleware::from_fn_with_state(state.clone(), render_errors))
        .layer_with(|state| middleware::from_fn_with_state(state.clone(), flash::carry))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
}

/// What the layout needs to know on every page.
pub struct Layout {
    pub title: String,
    /// The section of the navigation to highlight.
    pub section: &'static str,
    pub user_name: Option<String>,
    pub is_admin: bool,
    /// What the last action did, shown once above the page (see [`flash`]).
    pub flash: Option<flash::Flash>,
}

impl Layout {
    pub fn new(title: impl Into<String>, section: &'static str, actor: Option<&Actor>) -> Layout {
        Layout {
            title: title.into(),
            section,
            user_name: actor.map(|a| a.name.clone()),
            is_admin: actor.is_some_and(Actor::is_admin),
            flash: flash::take(),
        }
    }
}

/// Renders a template into an HTML response.
pub fn render(template: &impl Template) -> PageResult {
    let body = template
        .render()
        .map_err(|e| AppError::internal(format!("template failed: {e}")))?;
    Ok(Html(body).into_response())
}

/// Renders a template with a status other than 200, e.g. a form shown again with its errors.
pub fn render_with(status: StatusCode, template: &impl Template) -> PageResult {
    let mut res = render(template)?;
    *res.status_mut() = status;
    Ok(res)
}

pub type PageResult = Result<Response, AppError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    message: String,
}

/// Shows every error response of the pages as an HTML page, and sends a browser that is not signed
/// in to the sign-in page, then back to where it was going. Pages that a handler rendered itself
/// (a form shown again with its errors) pass through.
async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let session = crate::auth::actor::session_cookie(req.headers()).map(str::to_owned);
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    let is_htmx = req.headers().contains_key("hx-request");
    let res = next.run(req).await;
    let status = res.status();
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_html {
        return res;
    }
    if status == StatusCode::UNAUTHORIZED {
        let location = match same_origin_path(&target) {
            Some(target) => format!("/login?next={}", urlencode(&target)),
            None => "/login".to_owned(),
        };
        if is_htmx {
            // htmx follows this header with a full page load instead of swapping a fragment.
            let mut res = StatusCode::UNAUTHORIZED.into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                res.headers_mut().insert("hx-redirect", v);
            }
            return res;
        }
        return Redirect::to(&location).into_response();
    }
    let body = error_body(res).await;
    // The error page keeps the navigation of a signed-in person.
    let actor = match session {
        Some(s) => match state.actors().get(&s) {
            Some(actor) => Some(actor),
            None => crate::people::accounts::actor_for_session(state.db(), &s)
                .await
                .ok()
                .flatten(),
        },
        None => None,
    };
    let page = ErrorPage {
        layout: Layout::new(
            status.canonical_reason().unwrap_or("Error"),
            "",
            actor.as_ref(),
        ),
        message: body.message.clone(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, body.message).into_response(),
    }
}

/// Percent-encodes a string for use as one query parameter value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Someone signed in lands on their home; a token that acts for no person, on the tracks.
async fn home(actor: Option<Actor>) -> Response {
    match actor {
        Some(a) if a.user_id.is_some() => Redirect::to("/home").into_response(),
        Some(_) => Redirect::to("/tracks").into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    layout: Layout,
    body: std::sync::Arc<str>,
}

/// The framework file format's documentation, the same text as `docs/framework-format.md`.
async fn format_help(State(state): State<AppState>, actor: Option<Actor>) -> PageResult {
    render(&HelpPage {
        layout: Layout::new("The framework file", "", actor.as_ref()),
        body: state
            .markdown()
            .block(include_str!("../../docs/framework-format.md")),
    })
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.db().ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

/// The files under `static/`, compiled into the binary.
const STATIC_FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/app.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../static/favicon.svg"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/htmx.min.js"),
    ),
];

async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    match STATIC_FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, mime, bytes)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

/// The icon browsers ask for at the root of every site, whatever the page links to: the same mark
/// as `/static/favicon.svg`, drawn at 32 pixels.
async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_bytes!("../../static/favicon.ico").as_slice(),
    )
        .into_response()
}

/// Formats seconds since the epoch as a date and time for people, in UTC.
pub fn format_time(at: &i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(*at)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// The word for a kind of change in a diff, also used as a CSS class.
pub fn change_kind(kind: &trellis_framework::diff::ChangeKind) -> &'static str {
    use trellis_framework::diff::ChangeKind;
    match kind {
        ChangeKind::Added => "added",
        ChangeKind::Removed => "removed",
        ChangeKind::Changed => "changed",
        ChangeKind::Moved => "moved",
    }
}

/// `raw` when it is a path on this site, fit for a `Location` header; `None` for anything else. It
/// must start with one `/` and hold no `//`, no backslash, and no control character or whitespace.
/// Its path is checked again after percent-decoding (as often as it holds escapes), and its query
/// must not decode to a control character: browsers drop tabs and newlines from addresses and read
/// a backslash as a slash, so any of these could turn `/\t/evil.example` into `//evil.example`,
/// another site. Letters beyond ASCII are percent-encoded.
pub fn same_origin_path(raw: &str) -> Option<String> {
    const MAX_LEN: usize = 2048;
    let risky = |c: char| c.is_control() || c.is_whitespace();
    if raw.len() > MAX_LEN
        || !raw.starts_with('/')
        || raw.contains("//")
        || raw.contains('\\')
        || raw.chars().any(risky)
    {
        return None;
    }
    let mut layer = raw.to_owned();
    for _ in 0..4 {
        let decoded = percent_decode(&layer);
        let (path, query) = decoded
            .split_once(['?', '#'])
            .unwrap_or((decoded.as_str(), ""));
        if !path.starts_with('/')
            || path.contains("//")
            || path.contains('\\')
            || path.chars().any(risky)
            || query.chars().any(char::is_control)
        {
            return None;
        }
        if decoded == layer {
            break;
        }
        layer = decoded;
    }
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut bytes = [0; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    Some(out)
}

/// `%XX` escapes replaced by their bytes; anything not valid UTF-8 afterwards becomes U+FFFD.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) = (hex(i + 1), hex(i + 2))
        {
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
