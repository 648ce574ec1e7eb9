//! Signing in and out, changing one's password, setting a password through a one-time link, and the
//! accounts page where admins issue those links.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::auth::Actor;
use crate::auth::actor::SESSION_COOKIE;
use crate::auth::limits::ClientAddress;
use crate::error::{AppError, FieldError};
use crate::mail::link_url;
use crate::people::accounts::{self, AccountRow, IssuedLink, LinkPurpose, LinkStatus};
use crate::state::AppState;
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, render, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route(
            "/account/password",
            get(password_page).post(change_password),
        )
        .route("/account/link/{secret}", get(link_page).post(use_link))
        .route("/admin/accounts", get(accounts_page))
        .route("/admin/accounts/links", post(issue_link))
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

/// Where to go after signing in: `next` when it is a path of this site, else the home page.
fn safe_next(next: Option<&str>) -> String {
    next.and_then(crate::web::same_origin_path)
        .unwrap_or_else(|| "/home".to_owned())
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

async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let next = safe_next(form.next.as_deref());
    match accounts::sign_in(
        state.db(),
        &form.email,
        &form.password,
        state.config().password_cost,
        state.config().lockout,
        &address.to_string(),
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

/// Field messages of a refused form, looked up by field name in its template.
struct FormErrors(Vec<FieldError>);

impl FormErrors {
    fn none() -> FormErrors {
        FormErrors(Vec::new())
    }

    fn of(e: &AppError) -> FormErrors {
        FormErrors(e.field_errors())
    }

    fn of_field(field: &str, message: &str) -> FormErrors {
        FormErrors(vec![FieldError {
            field: field.to_owned(),
            message: message.to_owned(),
        }])
    }

    fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// Messages that belong to none of `fields`.
    fn other(&self, fields: &[&str]) -> Vec<&str> {
        self.0
            .iter()
            .filter(|e| !fields.contains(&e.field.as_str()))
            .map(|e| e.message.as_str())
            .collect()
    }
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    layout: Layout,
    email: String,
    errors: FormErrors,
    changed: bool,
}

impl PasswordPage {
    fn new(actor: &Actor, errors: FormErrors, changed: bool) -> PasswordPage {
        PasswordPage {
            layout: Layout::new("Change your password", "", Some(actor)),
            email: actor.label.clone(),
            errors,
            changed,
        }
    }
}

impl PasswordPage {
    fn general(&self) -> Vec<&str> {
        self.errors.other(&["current", "new", "confirm"])
    }

    fn min_length(&self) -> usize {
        crate::auth::password::MIN_LENGTH
    }
}

#[derive(Deserialize)]
struct ChangedQuery {
    changed: Option<String>,
}

async fn password_page(actor: Actor, Query(q): Query<ChangedQuery>) -> PageResult {
    crate::auth::policy::change_own_password(&actor)?;
    render(&PasswordPage::new(
        &actor,
        FormErrors::none(),
        q.changed.is_some(),
    ))
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let refused = |errors: FormErrors| {
        render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage::new(&actor, errors, false),
        )
    };
    if form.new != form.confirm {
        return refused(FormErrors::of_field(
            "confirm",
            "the two new passwords are not the same",
        ));
    }
    let current_session = crate::auth::actor::session_cookie(&headers);
    match accounts::change_password(
        state.db(),
        &actor,
        current_session,
        &form.current,
        &form.new,
        state.config().password_cost,
    )
    .await
    {
        Ok(_) => {
            if let Some(user_id) = actor.user_id {
                state.actors().forget_user(user_id);
            }
            Ok(Redirect::to("/account/password?changed=1").into_response())
        }
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN => {
            refused(FormErrors::of(&e))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "account/link.html")]
struct LinkPage {
    layout: Layout,
    secret: String,
    purpose: LinkPurpose,
    email: String,
    name: String,
    expires_at: i64,
    errors: FormErrors,
}

impl LinkPage {
    fn is_invite(&self) -> bool {
        self.purpose == LinkPurpose::Invite
    }

    fn general(&self) -> Vec<&str> {
        self.errors.other(&["password", "confirm"])
    }

    fn min_length(&self) -> usize {
        crate::auth::password::MIN_LENGTH
    }
}

#[derive(Template)]
#[template(path = "account/link_gone.html")]
struct LinkGonePage {
    layout: Layout,
    reason: &'static str,
}

/// The page for a link that cannot be used, with 404 for a link that never existed and 410 for one
/// that did.
fn link_gone(status: &LinkStatus) -> PageResult {
    let (code, title, reason) = match status {
        LinkStatus::Used => (
            StatusCode::GONE,
            "This link was used",
            "This link was used already: each link works once.",
        ),
        LinkStatus::Expired => (
            StatusCode::GONE,
            "This link has expired",
            "This link has expired: invitation links work for a week, password reset links for an hour.",
        ),
        LinkStatus::Withdrawn => (
            StatusCode::GONE,
            "This link was withdrawn",
            "This link no longer works: a newer link replaced it, or the account was closed.",
        ),
        LinkStatus::Unknown | LinkStatus::Usable(_) => (
            StatusCode::NOT_FOUND,
            "There is no such link",
            "There is no such link. Check that the whole link was copied.",
        ),
    };
    render_with(
        code,
        &LinkGonePage {
            layout: Layout::new(title, "", None),
            reason,
        },
    )
}

/// Links are never cached or passed on in the `Referer` header.
pub(super) fn private(mut res: axum::response::Response) -> axum::response::Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

async fn link_page(
    State(state): State<AppState>,
    axum::extract::Path(secret): axum::extract::Path<String>,
) -> PageResult {
    let status = accounts::link_status(state.db(), &secret).await?;
    let LinkStatus::Usable(info) = status else {
        return link_gone(&status).map(private);
    };
    render(&LinkPage {
        layout: Layout::new(link_title(info.purpose), "", None),
        secret,
        purpose: info.purpose,
        email: info.email,
        name: info.name,
        expires_at: info.expires_at,
        errors: FormErrors::none(),
    })
    .map(private)
}

fn link_title(purpose: LinkPurpose) -> &'static str {
    match purpose {
        LinkPurpose::Invite => "Welcome to Trellis",
        LinkPurpose::Reset => "Choose a new password",
    }
}

#[derive(Deserialize)]
struct LinkForm {
    password: String,
    confirm: String,
}

async fn use_link(
    State(state): State<AppState>,
    axum::extract::Path(secret): axum::extract::Path<String>,
    Form(form): Form<LinkForm>,
) -> PageResult {
    let status = accounts::link_status(state.db(), &secret).await?;
    let LinkStatus::Usable(info) = status else {
        return link_gone(&status).map(private);
    };
    let refused = |errors: FormErrors| {
        render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LinkPage {
                layout: Layout::new(link_title(info.purpose), "", None),
                secret: secret.clone(),
                purpose: info.purpose,
                email: info.email.clone(),
                name: info.name.clone(),
                expires_at: info.expires_at,
                errors,
            },
        )
        .map(private)
    };
    if form.password != form.confirm {
        return refused(FormErrors::of_field(
            "confirm",
            "the two passwords are not the same",
        ));
    }
    match accounts::redeem_link(
        state.db(),
        &secret,
        &form.password,
        state.config().password_cost,
    )
    .await
    {
        Ok(redeemed) => {
            state.actors().forget_user(redeemed.user_id);
            let mut res = Redirect::to("/home").into_response();
            if let Some(cookie) =
                session_cookie(&state, &redeemed.session, accounts::SESSION_SECONDS)
            {
                res.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            Ok(private(res))
        }
        Err(e @ AppError::Invalid { .. }) => refused(FormErrors::of(&e)),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "account/accounts.html")]
struct AccountsPage {
    layout: Layout,
    base_url: String,
    accounts: Vec<AccountRow>,
    issued: Option<IssuedLink>,
    /// Whether the link just issued was emailed: `Ok` with the address, or `Err` with the reason;
    /// none when no SMTP server is configured.
    mailed: Option<Result<String, String>>,
    /// Whether links are emailed at all.
    mail_configured: bool,
    errors: FormErrors,
}

impl AccountsPage {
    /// Every message: the form's fields are hidden, so none has a place of its own.
    fn general(&self) -> Vec<&str> {
        self.errors.other(&[])
    }

    fn link_url(&self, secret: &str) -> String {
        link_url(&self.base_url, secret)
    }
}

async fn accounts_page(State(state): State<AppState>, actor: Actor) -> PageResult {
    let accounts = accounts::list_accounts(state.db(), &actor).await?;
    render(&AccountsPage {
        layout: Layout::new("Accounts", "admin", Some(&actor)),
        base_url: state.config().base_url.clone(),
        accounts,
        issued: None,
        mailed: None,
        mail_configured: state.mailer().is_some(),
        errors: FormErrors::none(),
    })
}

#[derive(Deserialize)]
struct IssueForm {
    email: String,
    purpose: String,
}

/// Issues a link and shows it once, on the page itself: it is not stored anywhere to show again.
/// With an SMTP server configured, the link is also emailed to the account's owner, after the link is
/// stored; a failure to send is shown to the admin, who can still copy the link.
async fn issue_link(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<IssueForm>,
) -> PageResult {
    let result = match LinkPurpose::parse(&form.purpose) {
        Some(purpose) => accounts::issue_link(state.db(), &actor, &form.email, purpose).await,
        None => Err(AppError::invalid_field(
            "purpose",
            "a link is either an invitation (invite) or a password reset (reset)",
        )),
    };
    let (issued, errors, code) = match result {
        Ok(issued) => (Some(issued), FormErrors::none(), StatusCode::OK),
        Err(e @ AppError::Invalid { .. }) => {
            (None, FormErrors::of(&e), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => return Err(e),
    };
    let mailed = match (&issued, state.mailer()) {
        (Some(link), Some(mailer)) => {
            Some(crate::mail::send_issued(mailer, &state.config().base_url, link, &actor).await)
        }
        _ => None,
    };
    let accounts = accounts::list_accounts(state.db(), &actor).await?;
    render_with(
        code,
        &AccountsPage {
            layout: Layout::new("Accounts", "admin", Some(&actor)),
            base_url: state.config().base_url.clone(),
            accounts,
            issued,
            mailed,
            mail_configured: state.mailer().is_some(),
            errors,
        },
    )
    .map(private)
}
