//! Signing in and out.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{Layout, PageResult, render, render_with};
use crate::auth::Actor;
use crate::auth::actor::SESSION_COOKIE;
use crate::services::accounts;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only local paths are followed after signing in, so a link cannot send people elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/tracks".to_owned(),
    }
}

async fn login_page(actor: Option<Actor>, Query(q): Query<NextQuery>) -> PageResult {
    let next = safe_next(q.next.as_deref());
    if actor.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    render(&LoginPage {
        layout: Layout::new("Sign in", "", None),
        email: String::new(),
        next,
        error: None,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

fn session_cookie(state: &AppState, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = if state.config().secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .ok()
}

async fn login(State(state): State<AppState>, Form(form): Form<LoginForm>) -> PageResult {
    let next = safe_next(form.next.as_deref());
    match accounts::sign_in(
        state.db(),
        &form.email,
        &form.password,
        state.config().password_cost,
    )
    .await
    {
        Ok(secret) => {
            let mut res = Redirect::to(&next).into_response();
            if let Some(cookie) = session_cookie(&state, &secret, accounts::SESSION_SECONDS) {
                res.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            Ok(res)
        }
        Err(e) if e.status().is_client_error() => {
            let page = LoginPage {
                layout: Layout::new("Sign in", "", None),
                email: form.email,
                next,
                error: Some(e.public_message()),
            };
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    if let Some(secret) = crate::auth::actor::session_cookie(&headers) {
        state.actors().forget(secret);
        accounts::sign_out(state.db(), secret).await?;
    }
    let mut res = Redirect::to("/login").into_response();
    if let Some(cookie) = session_cookie(&state, "", 0) {
        res.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(res)
}
