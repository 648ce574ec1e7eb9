//! Accounts: creating people who can sign in, signing in and out, sessions and API tokens.

use serde::Serialize;
use sqlx::Row;

use crate::auth::password::{self, Cost};
use crate::auth::{Actor, Role, Via, policy, token};
use crate::db::{Db, now};
use crate::domain::Email;
use crate::error::{AppError, AppResult};
use crate::services::audit;

/// How long a session lasts after signing in.
pub const SESSION_SECONDS: i64 = 14 * 24 * 3600;

pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserSummary {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// Creates an account. Admins (and the command line) only.
pub async fn create_user(db: &Db, actor: &Actor, new: NewUser, cost: Cost) -> AppResult<i64> {
    if !actor.is_admin() {
        return Err(AppError::Forbidden);
    }
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
    let mut tx = db.begin().await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(&mut *tx)
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
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        "user.create",
        &format!("user:{id}"),
        &format!("Created the {} account of {email}", new.role.as_str()),
        Some(
            serde_json::json!({ "email": email.as_str(), "name": name, "role": new.role.as_str() }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Signs in with email and password. Returns the session secret for the cookie.
pub async fn sign_in(db: &Db, email: &str, password: &str, cost: Cost) -> AppResult<String> {
    let wrong = || AppError::invalid_field("password", "the email or the password is not right");
    let email = Email::parse(email).map_err(|_| wrong())?;
    let row = sqlx::query(
        "SELECT id, name, role, password_hash FROM users WHERE email = $1 AND active = 1",
    )
    .bind(email.as_str())
    .fetch_optional(db.pool())
    .await?;
    let stored: Option<String> = match &row {
        Some(r) => r.try_get("password_hash")?,
        None => None,
    };
    if !password::verify(password.to_owned(), stored, cost).await {
        return Err(wrong());
    }
    let row = row.ok_or_else(wrong)?;
    let user_id: i64 = row.try_get("id")?;
    let role: String = row.try_get("role")?;
    let secret = token::generate("trs_");
    let at = now();
    let actor = Actor {
        user_id: Some(user_id),
        label: email.to_string(),
        name: row.try_get("name")?,
        role: Role::parse(&role).unwrap_or(Role::Employee),
        via: Via::Session,
    };
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token::digest(&secret))
    .bind(user_id)
    .bind(at)
    .bind(at + SESSION_SECONDS)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
        .bind(user_id)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        &actor,
        "session.create",
        &format!("user:{user_id}"),
        "Signed in",
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// Ends the session with this secret, if it exists.
pub async fn sign_out(db: &Db, secret: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token::digest(secret))
        .execute(db.pool())
        .await?;
    Ok(())
}

fn actor_from_row(row: &sqlx::any::AnyRow, via: Via) -> Result<Actor, sqlx::Error> {
    let role: String = row.try_get("role")?;
    Ok(Actor {
        user_id: Some(row.try_get("id")?),
        label: row.try_get("email")?,
        name: row.try_get("name")?,
        role: Role::parse(&role).unwrap_or(Role::Employee),
        via,
    })
}

/// The person signed in with this session secret, if the session is live and the account active.
pub async fn actor_for_session(db: &Db, secret: &str) -> AppResult<Option<Actor>> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.name, u.role FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
    )
    .bind(token::digest(secret))
    .bind(now())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| actor_from_row(&r, Via::Session)).transpose()?)
}

/// The client behind an API token, if it exists and was not revoked. Notes when the token was used.
pub async fn actor_for_api_token(db: &Db, secret: &str) -> AppResult<Option<Actor>> {
    let row = sqlx::query(
        "SELECT t.id AS token_id, t.last_used_at, t.name AS token_name, t.scope, \
         u.id, u.email, u.name, u.role, u.active \
         FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(token::digest(secret))
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    touch_api_token(db, row.try_get("token_id")?, row.try_get("last_used_at")?).await?;
    let scope: String = row.try_get("scope")?;
    let via = Via::Token { scope };
    let user_id: Option<i64> = row.try_get("id")?;
    if user_id.is_none() {
        let name: String = row.try_get("token_name")?;
        return Ok(Some(Actor {
            user_id: None,
            label: format!("token:{name}"),
            name,
            role: Role::Admin,
            via,
        }));
    }
    let active: Option<i64> = row.try_get("active")?;
    if active != Some(1) {
        return Ok(None);
    }
    Ok(Some(actor_from_row(&row, via)?))
}

pub const TOKEN_SCOPES: [&str; 2] = ["api", "scim"];

/// Creates an API token and returns its secret, which is shown once and never stored.
/// Without an owner the token acts for the organisation with admin rights within its scope.
pub async fn create_api_token(
    db: &Db,
    actor: &Actor,
    name: &str,
    scope: &str,
    owner: Option<&str>,
) -> AppResult<String> {
    Ok(issue_api_token(db, actor, name, scope, owner).await?.secret)
}

/// A token just created: its id and its secret, which exists nowhere else.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub id: i64,
    pub secret: String,
}

/// Creates an API token like [`create_api_token`], and also says which id it has.
pub async fn issue_api_token(
    db: &Db,
    actor: &Actor,
    name: &str,
    scope: &str,
    owner: Option<&str>,
) -> AppResult<NewApiToken> {
    policy::manage_api_tokens(actor)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid_field("name", "a token needs a name"));
    }
    if !TOKEN_SCOPES.contains(&scope) {
        return Err(AppError::invalid_field(
            "scope",
            format!("the scope must be one of {}", TOKEN_SCOPES.join(", ")),
        ));
    }
    let mut tx = db.begin().await?;
    let owner_id: Option<i64> = match owner {
        None => None,
        Some(raw) => {
            let email = Email::parse(raw).map_err(|m| AppError::invalid_field("user", m))?;
            let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                .bind(email.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            Some(id.ok_or_else(|| {
                AppError::invalid_field("user", format!("there is no account for {email}"))
            })?)
        }
    };
    let secret = token::generate("tra_");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (name, token_hash, scope, user_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(name)
    .bind(token::digest(&secret))
    .bind(scope)
    .bind(owner_id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        "token.create",
        &format!("token:{id}"),
        &format!("Created the {scope} token `{name}`"),
        Some(serde_json::json!({
            "before": null,
            "after": { "name": name, "scope": scope, "owner": owner.map(str::trim) },
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(NewApiToken { id, secret })
}

pub async fn user_count(db: &Db) -> AppResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db.pool())
        .await?)
}

/// An API token as admins see it: never its secret, nor the secret's hash.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiTokenInfo {
    pub id: i64,
    pub name: String,
    /// `api` or `scim`.
    pub scope: String,
    /// The email of the account the token acts as, or `organisation`.
    pub owner: String,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
    /// When the token was last used, to the minute.
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// How often, at most, a token's `last_used_at` is written: once a minute is precise enough to see
/// which tokens are in use, and keeps a busy client from writing on every request.
pub const LAST_USED_PRECISION: i64 = 60;

/// Notes that a token was just used, unless that was noted within [`LAST_USED_PRECISION`]. This is
/// bookkeeping, not a change anyone made, so it has no audit event.
async fn touch_api_token(db: &Db, id: i64, last_used_at: Option<i64>) -> AppResult<()> {
    let at = now();
    if last_used_at.is_none_or(|t| t <= at - LAST_USED_PRECISION) {
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 \
             WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)",
        )
        .bind(at)
        .bind(id)
        .bind(at - LAST_USED_PRECISION)
        .execute(db.pool())
        .await?;
    }
    Ok(())
}

/// Every API token, the newest first, revoked ones included. Admins only.
pub async fn list_api_tokens(db: &Db, actor: &Actor) -> AppResult<Vec<ApiTokenInfo>> {
    policy::manage_api_tokens(actor)?;
    let rows = sqlx::query(
        "SELECT t.id, t.name, t.scope, u.email, t.created_at, t.last_used_at, t.revoked_at \
         FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id ORDER BY t.id DESC",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let email: Option<String> = r.try_get("email")?;
            Ok(ApiTokenInfo {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                scope: r.try_get("scope")?,
                owner: email.unwrap_or_else(|| "organisation".into()),
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
                revoked_at: r.try_get("revoked_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// A revoked token: the hash its secret was stored as, for forgetting cached look-ups of it.
#[derive(Debug, Clone)]
pub struct RevokedToken {
    pub token_hash: String,
    /// False when the token had been revoked before; nothing was changed then.
    pub revoked_now: bool,
}

/// Revokes an API token for good. Admins only. Revoking a revoked token changes nothing and is not
/// an error, so a retried request gets the same answer.
pub async fn revoke_api_token(db: &Db, actor: &Actor, id: i64) -> AppResult<RevokedToken> {
    policy::manage_api_tokens(actor)?;
    let mut tx = db.begin().await?;
    let row =
        sqlx::query("SELECT name, scope, token_hash, revoked_at FROM api_tokens WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::not_found(format!("API token {id}")))?;
    let token_hash: String = row.try_get("token_hash")?;
    let revoked_at: Option<i64> = row.try_get("revoked_at")?;
    if revoked_at.is_some() {
        return Ok(RevokedToken {
            token_hash,
            revoked_now: false,
        });
    }
    let name: String = row.try_get("name")?;
    let scope: String = row.try_get("scope")?;
    let at = now();
    let changed =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if changed == 0 {
        // Someone revoked it between the read and the write.
        return Ok(RevokedToken {
            token_hash,
            revoked_now: false,
        });
    }
    audit::record(
        &mut tx,
        actor,
        "token.revoke",
        &format!("token:{id}"),
        &format!("Revoked the {scope} token `{name}`"),
        Some(serde_json::json!({
            "before": { "name": name, "scope": scope, "revoked_at": null },
            "after": { "name": name, "scope": scope, "revoked_at": at },
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(RevokedToken {
        token_hash,
        revoked_now: true,
    })
}
