//! What happened, said once: after a form's action redirects, the next page shows a short message
//! ("Version 4 was published.") with a link to the next step, in the layout's status region.
//!
//! A handler answers with [`redirect`]; [`carry`] (a middleware of every page) turns the message into
//! a short-lived cookie on the redirect, reads it back on the next request, and clears it once a page
//! has shown it. The cookie is plain text, `HttpOnly`, `SameSite=Strict`, one minute long: it holds
//! nothing secret, the text is escaped like any other, and the link is kept only when it is a path
//! of this site.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::state::AppState;

const COOKIE: &str = "trellis_flash";
/// Longer messages are cut: the cookie stays small, whatever a name holds.
const MAX_CHARS: usize = 600;

/// A message shown once, with an optional link to the next step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub message: String,
    pub next: Option<(String, String)>,
}

impl Flash {
    /// The link's address, if any.
    pub fn href(&self) -> &str {
        self.next.as_ref().map_or("", |(href, _)| href.as_str())
    }

    /// The link's words, if any.
    pub fn label(&self) -> &str {
        self.next.as_ref().map_or("", |(_, label)| label.as_str())
    }

    fn encode(&self) -> String {
        let (href, label) = self.next.clone().unwrap_or_default();
        let joined = format!("{}\n{href}\n{label}", self.message);
        super::urlencode(&joined.chars().take(MAX_CHARS).collect::<String>())
    }

    fn decode(value: &str) -> Option<Flash> {
        let text = super::percent_decode(value);
        let mut parts = text.splitn(3, '\n');
        let message = parts.next()?.trim().to_owned();
        if message.is_empty() {
            return None;
        }
        let href = parts.next().unwrap_or_default();
        let label = parts.next().unwrap_or_default().trim().to_owned();
        let next = super::same_origin_path(href)
            .filter(|_| !label.is_empty())
            .map(|href| (href, label));
        Some(Flash { message, next })
    }
}

/// Redirects to `location` and says `message` on the page it lands on, with a link to the next step
/// when `next` is given as (address, words).
pub fn redirect(
    location: &str,
    message: impl Into<String>,
    next: Option<(&str, &str)>,
) -> Response {
    let mut res = Redirect::to(location).into_response();
    res.extensions_mut().insert(Flash {
        message: crate::text::sentence(&message.into()),
        next: next.map(|(href, label)| (href.to_owned(), label.to_owned())),
    });
    res
}

tokio::task_local! {
    static CURRENT: Arc<Mutex<Option<Flash>>>;
}

/// The message waiting for this request's page, taken so that it is shown once. The layout calls
/// it; outside a request it is `None`.
pub fn take() -> Option<Flash> {
    CURRENT
        .try_with(|cell| cell.lock().ok().and_then(|mut f| f.take()))
        .ok()
        .flatten()
}

/// The middleware: sets the cookie for a redirect that carries a message, offers the waiting
/// message to the page being rendered, and clears the cookie once the page took it.
pub async fn carry(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let waiting = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| Flash::decode(value));
    let had_cookie = waiting.is_some();
    let cell = Arc::new(Mutex::new(waiting.flatten()));
    let mut res = CURRENT.scope(cell.clone(), next.run(req)).await;
    let secure = if state.config().secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    if let Some(flash) = res.extensions_mut().remove::<Flash>() {
        let cookie = format!(
            "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=60{secure}",
            flash.encode()
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    } else if had_cookie && cell.lock().map(|f| f.is_none()).unwrap_or(true) {
        let cookie = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_reads_back_as_it_was_written() {
        let flash = Flash {
            message: "Version 4 was published; everyone now reads it.".into(),
            next: Some(("/versions/4".into(), "See what changed".into())),
        };
        assert_eq!(Flash::decode(&flash.encode()), Some(flash));
    }

    #[test]
    fn a_link_elsewhere_is_dropped() {
        let flash = Flash {
            message: "Saved.".into(),
            next: Some(("//evil.example/".into(), "Go".into())),
        };
        assert_eq!(Flash::decode(&flash.encode()).and_then(|f| f.next), None);
    }
}
