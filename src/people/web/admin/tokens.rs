//! `/admin/tokens`: the API tokens, a form to create one (its secret shown once) and revoking.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppError, FieldError};
use crate::people::accounts::{self, ApiTokenInfo, TOKEN_SCOPES, TokenOwner};
use crate::state::AppState;
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/tokens", get(tokens_page).post(create))
        .route("/admin/tokens/{id}/revoke", post(revoke))
}

/// A token just created, shown on the page that answers the form and never again.
struct Created {
    name: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<ApiTokenInfo>,
    scopes: &'static [&'static str],
    created: Option<Created>,
    name: String,
    scope: String,
    /// `organisation` or `me`.
    owner: String,
    /// The last day the token works, `YYYY-MM-DD`; empty for never.
    expires_on: String,
    errors: Vec<FieldError>,
}

impl TokensPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// Messages that belong to no field of the form.
    fn general_errors(&self) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|e| !["name", "scope", "owner", "expires_on"].contains(&e.field.as_str()))
            .map(|e| e.message.as_str())
            .collect()
    }
}

async fn page(state: &AppState, actor: &Actor) -> Result<TokensPage, AppError> {
    Ok(TokensPage {
        layout: Layout::new("API tokens", "admin", Some(actor)),
        tokens: accounts::list_api_tokens(state.db(), actor).await?,
        scopes: &TOKEN_SCOPES,
        created: None,
        name: String::new(),
        scope: "api".into(),
        owner: "organisation".into(),
        expires_on: String::new(),
        errors: Vec::new(),
    })
}

/// Keeps the page out of caches: it may hold a secret, and the list changes.
fn no_store(status: StatusCode, page: &TokensPage) -> PageResult {
    let mut res = render_with(status, page)?;
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

async fn tokens_page(State(state): State<AppState>, actor: Actor) -> PageResult {
    no_store(StatusCode::OK, &page(&state, &actor).await?)
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
    /// `me` for a personal token; anything else is an organisation token.
    #[serde(default)]
    owner: String,
    /// The last day the token works; empty for a token that never expires.
    #[serde(default)]
    expires_on: String,
}

/// Creates a token and answers with the page itself, not a redirect: the secret exists only in this
/// response.
async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<CreateForm>,
) -> PageResult {
    // The page lists every token: only those who may read it create tokens here.
    let mut page = page(&state, &actor).await?;
    let owner = if form.owner == "me" {
        TokenOwner::Creator
    } else {
        TokenOwner::Organisation
    };
    let result = match accounts::token_expiry(Some(&form.expires_on)) {
        Ok(expires_at) => {
            accounts::issue_expiring_api_token(
                state.db(),
                &actor,
                &form.name,
                &form.scope,
                owner,
                expires_at,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(new) => {
            page.tokens = accounts::list_api_tokens(state.db(), &actor).await?;
            page.created = Some(Created {
                name: form.name.trim().to_owned(),
                secret: new.secret,
            });
            no_store(StatusCode::CREATED, &page)
        }
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN => {
            page.errors = e.field_errors();
            page.name = form.name;
            page.scope = form.scope;
            page.owner = form.owner;
            page.expires_on = form.expires_on;
            no_store(e.status(), &page)
        }
        Err(e) => Err(e),
    }
}

async fn revoke(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    let revoked = accounts::revoke_api_token(state.db(), &actor, id).await?;
    state.actors().forget_digest(&revoked.token_hash);
    let message = if revoked.revoked_now {
        "The token was revoked: anything that still uses it is refused from now on."
    } else {
        "That token had already been revoked; nothing changed."
    };
    Ok(crate::web::flash::redirect("/admin/tokens", message, None))
}
