//! Accounts: creating people who can sign in, signing in and out (failures slowed down per email
//! and address), sessions, one-time invitation and password reset links, password changes and API
//! tokens.

mod passwords;
mod sessions;
mod tokens;

use crate::audit::Action;
use crate::auth::password::{self, Cost};
use crate::auth::{Actor, Role, Via, policy};
use crate::db::Work;
use crate::db::{Db, now};
use crate::domain::Email;
use crate::error::{AppError, AppResult};

pub(crate) use passwords::issue_link_in;
pub use passwords::{
    IssuedLink, LinkInfo, LinkPurpose, LinkStatus, Redeemed, change_password, issue_link,
    link_status, redeem_link,
};
pub use sessions::{Lockout, SESSION_SECONDS, actor_for_session, end_sessions, sign_in, sign_out};
pub use tokens::{
    ApiTokenInfo, LAST_USED_PRECISION, NewApiToken, RevokedToken, TOKEN_SCOPES, TokenOwner,
    actor_for_api_token, create_api_token, issue_api_token, issue_expiring_api_token,
    list_api_tokens, revoke_api_token, token_expiry,
};

pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

#[derive(Debug, Clone)]
pub struct UserSummary {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// Creates an account. Admins (and the command line) only.
pub async fn create_user(db: &Db, actor: &Actor, new: NewUser, cost: Cost) -> AppResult<i64> {
    let permit = policy::manage_accounts(actor)?;
    let email = Email::parse(&new.email).map_err(|m| AppError::invalid_field("email", m))?;
    let name = new.name.trim().to_owned();
    let name = if name.is_empty() {
        email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned()
    } else {
        name
    };
    password::check_strength(&new.password)?;
    let hash = password::hash(new.password, cost).await?;
    let mut work = Work::begin(db, actor, permit).await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(&mut **work.tx())
        .await?;
    if exists.is_some() {
        return Err(AppError::invalid_field(
            "email",
            format!("an account for {email} exists already"),
        ));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, name, name_key, role, password_hash, active, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
    )
    .bind(email.as_str())
    .bind(&name)
    .bind(name.to_lowercase())
    .bind(new.role.as_str())
    .bind(&hash)
    .bind(now())
    .fetch_one(&mut **work.tx())
    .await?;
    work.record(
        Action::UserCreate,
        &format!("user:{id}"),
        &format!("Created the {} account of {email}", new.role.as_str()),
        Some(
            serde_json::json!({ "email": email.as_str(), "name": name, "role": new.role.as_str() }),
        ),
    )
    .await?;
    work.commit().await?;
    Ok(id)
}

pub async fn user_count(db: &Db) -> AppResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db.pool())
        .await?)
}

/// An account as the accounts page lists it.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub has_password: bool,
    /// Until when signing in as this account is slowed down from some address after failed
    /// attempts there, when it is now.
    pub locked_until: Option<i64>,
}

/// An account's columns as the accounts page reads them.
#[derive(sqlx::FromRow)]
struct AccountColumns {
    id: i64,
    email: String,
    name: String,
    role: String,
    active: i64,
    has_password: i64,
    locked_until: Option<i64>,
}

/// Every account, by email, with what the People team needs to help someone sign in. Admins only.
pub async fn list_accounts(db: &Db, actor: &Actor) -> AppResult<Vec<AccountRow>> {
    policy::manage_accounts(actor)?;
    let rows = sqlx::query_as::<_, AccountColumns>(
        "SELECT u.id, u.email, u.name, u.role, u.active, \
         CAST(CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_password, \
         f.locked_until \
         FROM users u LEFT JOIN (SELECT email, MAX(blocked_until) AS locked_until \
         FROM sign_in_backoff GROUP BY email) f ON f.email = u.email ORDER BY u.email",
    )
    .fetch_all(db.pool())
    .await?;
    let at = now();
    Ok(rows
        .into_iter()
        .map(|r| AccountRow {
            id: r.id,
            email: r.email,
            name: r.name,
            role: Role::parse(&r.role).unwrap_or(Role::Employee),
            active: r.active == 1,
            has_password: r.has_password == 1,
            locked_until: r.locked_until.filter(|until| *until > at),
        })
        .collect())
}

/// A `users` row read with its `id`, `email`, `name` and `role`: who acts when its owner does.
#[derive(sqlx::FromRow)]
pub(crate) struct ActorRow {
    id: i64,
    email: String,
    name: String,
    role: String,
}

impl ActorRow {
    /// The account's owner acting through `via`.
    pub(crate) fn into_actor(self, via: Via) -> Actor {
        Actor {
            user_id: Some(self.id),
            label: self.email,
            name: self.name,
            role: Role::parse(&self.role).unwrap_or(Role::Employee),
            via,
        }
    }
}
