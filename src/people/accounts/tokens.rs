//! API tokens: created for the organisation or by a person for themselves, listed, revoked, and
//! looked up for each request.

use crate::audit::Action;
use crate::auth::policy::Allowed;
use crate::auth::{Actor, Role, TokenScope, Via, policy, token};
use crate::db::Work;
use crate::db::{Db, now};
use crate::error::{AppError, AppResult};

use super::ActorRow;

/// A live token as a request reads it, with the account it acts for when it has one.
#[derive(sqlx::FromRow)]
struct TokenActorRow {
    token_id: i64,
    last_used_at: Option<i64>,
    token_name: String,
    scope: String,
    id: Option<i64>,
    email: Option<String>,
    name: Option<String>,
    role: Option<String>,
    active: Option<i64>,
}

/// The client behind an API token, if it exists and was not revoked. Notes when the token was used.
pub async fn actor_for_api_token(db: &Db, secret: &str) -> AppResult<Option<Actor>> {
    let row = sqlx::query_as::<_, TokenActorRow>(
        "SELECT t.id AS token_id, t.last_used_at, t.name AS token_name, t.scope, \
         u.id, u.email, u.name, u.role, u.active \
         FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL \
         AND (t.user_id IS NULL OR t.user_id = t.created_by) \
         AND (t.expires_at IS NULL OR t.expires_at > $2)",
    )
    .bind(token::digest(secret))
    .bind(now())
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    touch_api_token(db, row.token_id, row.last_used_at).await?;
    let Some(scope) = TokenScope::parse(&row.scope) else {
        return Ok(None);
    };
    let via = Via::Token { scope };
    let Some(id) = row.id else {
        let name = row.token_name;
        return Ok(Some(Actor {
            user_id: None,
            label: format!("token:{name}"),
            name,
            role: Role::Admin,
            via,
        }));
    };
    if row.active != Some(1) {
        return Ok(None);
    }
    // The account exists, so its columns, which are never null, are there.
    let (Some(email), Some(name), Some(role)) = (row.email, row.name, row.role) else {
        return Err(AppError::internal(format!(
            "the account of API token {} has no email, name or role",
            row.token_id
        )));
    };
    Ok(Some(
        ActorRow {
            id,
            email,
            name,
            role,
        }
        .into_actor(via),
    ))
}

pub const TOKEN_SCOPES: [&str; 2] = [TokenScope::Api.as_str(), TokenScope::Scim.as_str()];

/// Whom a token acts for. A token never acts for anyone but the account that created it: nobody,
/// an admin included, can make a token that acts as someone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOwner {
    /// The organisation, with no person behind it: admin rights within its scope, and nothing that
    /// belongs to a person (private notes, unshared check-in sides, surveys to answer). Created by
    /// admins and at the command line.
    Organisation,
    /// A personal token: it acts as the person who creates it, with their rights, and stops working
    /// when their account is deactivated. Only of scope `api`.
    Creator,
}

/// Creates an API token and returns its secret, which is shown once and never stored.
pub async fn create_api_token(
    db: &Db,
    actor: &Actor,
    name: &str,
    scope: &str,
    owner: TokenOwner,
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
    owner: TokenOwner,
) -> AppResult<NewApiToken> {
    issue_expiring_api_token(db, actor, name, scope, owner, None).await
}

/// The moment a token given this last day (`YYYY-MM-DD`, in UTC) stops working: the end of that
/// day. None for no date; a message for a date that is not one or has passed.
pub fn token_expiry(last_day: Option<&str>) -> AppResult<Option<i64>> {
    let Some(raw) = last_day.map(str::trim).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(raw, &format).map_err(|_| {
        AppError::invalid_field(
            "expires_on",
            format!("“{raw}” is not a date. Choose a day in the calendar, for example 2030-01-31."),
        )
    })?;
    let end = day
        .next_day()
        .map_or(i64::MAX, |d| d.midnight().assume_utc().unix_timestamp());
    if end <= now() {
        return Err(AppError::invalid_field(
            "expires_on",
            format!(
                "{raw} has already passed. Choose today or a later day, or leave it empty for a token that never expires."
            ),
        ));
    }
    Ok(Some(end))
}

/// The person a new token acts for (none for the organisation), when the actor may create it.
fn who_it_acts_for(actor: &Actor, owner: TokenOwner) -> AppResult<(Allowed, Option<i64>)> {
    match owner {
        TokenOwner::Organisation => Ok((policy::manage_api_tokens(actor)?, None)),
        TokenOwner::Creator => Ok((
            policy::create_personal_token(actor)?,
            Some(actor.user_id.ok_or(AppError::Forbidden)?),
        )),
    }
}

/// A token needs a name and a scope, and a personal token acts through the API only.
fn check_token(name: &str, scope: &str, person: Option<i64>) -> AppResult<()> {
    if name.is_empty() {
        return Err(AppError::invalid_field("name", "a token needs a name"));
    }
    if !TOKEN_SCOPES.contains(&scope) {
        return Err(AppError::invalid_field(
            "scope",
            format!("the scope must be one of {}", TOKEN_SCOPES.join(", ")),
        ));
    }
    if person.is_some() && scope != "api" {
        return Err(AppError::invalid_field(
            "scope",
            "a SCIM token acts for the organisation: an identity provider is not a person",
        ));
    }
    Ok(())
}

/// Creates an API token that stops working at `expires_at` (Unix seconds; see [`token_expiry`]),
/// or never when it is None.
pub async fn issue_expiring_api_token(
    db: &Db,
    actor: &Actor,
    name: &str,
    scope: &str,
    owner: TokenOwner,
    expires_at: Option<i64>,
) -> AppResult<NewApiToken> {
    let (permit, person) = who_it_acts_for(actor, owner)?;
    let name = name.trim();
    check_token(name, scope, person)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let secret = token::generate("tra_");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (name, token_hash, scope, user_id, created_at, created_by, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(name)
    .bind(token::digest(&secret))
    .bind(scope)
    .bind(person)
    .bind(now())
    .bind(actor.user_id)
    .bind(expires_at)
    .fetch_one(&mut **work.tx())
    .await?;
    let acts_for = match person {
        Some(_) => actor.label.as_str(),
        None => "organisation",
    };
    work.record(
        Action::TokenCreate,
        &format!("token:{id}"),
        &match person {
            Some(_) => format!("Created the personal {scope} token “{name}”"),
            None => format!("Created the organisation {scope} token “{name}”"),
        },
        Some(serde_json::json!({
            "before": null,
            "after": { "name": name, "scope": scope, "owner": acts_for, "expires_at": expires_at },
        })),
    )
    .await?;
    work.commit().await?;
    Ok(NewApiToken { id, secret })
}

/// An API token as admins see it: never its secret, nor the secret's hash.
#[derive(Debug, Clone)]
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
    /// When the token stops working, in seconds since the Unix epoch; absent when it never expires.
    pub expires_at: Option<i64>,
}

impl ApiTokenInfo {
    /// Whether the token has passed its expiry.
    pub fn expired(&self) -> bool {
        self.expires_at.is_some_and(|at| at <= now())
    }

    /// The last day the token works, `YYYY-MM-DD` in UTC.
    pub fn last_day(&self) -> Option<String> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        self.expires_at
            .and_then(|at| time::OffsetDateTime::from_unix_timestamp(at - 1).ok())
            .and_then(|t| t.date().format(&format).ok())
    }
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
    let rows = sqlx::query_as::<_, TokenInfoRow>(
        "SELECT t.id, t.name, t.scope, u.email, t.created_at, t.last_used_at, t.revoked_at, t.expires_at \
         FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id ORDER BY t.id DESC",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ApiTokenInfo {
            id: r.id,
            name: r.name,
            scope: r.scope,
            owner: r.email.unwrap_or_else(|| "organisation".into()),
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
            expires_at: r.expires_at,
        })
        .collect())
}

/// A token's columns as the list of tokens reads them, with its account's email when it has one.
#[derive(sqlx::FromRow)]
struct TokenInfoRow {
    id: i64,
    name: String,
    scope: String,
    email: Option<String>,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
    expires_at: Option<i64>,
}

/// A revoked token: the hash its secret was stored as, for forgetting cached look-ups of it.
#[derive(Debug, Clone)]
pub struct RevokedToken {
    pub token_hash: String,
    /// False when the token had been revoked before; nothing was changed then.
    pub revoked_now: bool,
}

/// A token's columns as revoking it reads them.
#[derive(sqlx::FromRow)]
struct RevokedRow {
    name: String,
    scope: String,
    token_hash: String,
    revoked_at: Option<i64>,
}

/// Revokes an API token for good: admins revoke any, a person their own personal tokens. Revoking a revoked token changes nothing and is not
/// an error, so a retried request gets the same answer.
pub async fn revoke_api_token(db: &Db, actor: &Actor, id: i64) -> AppResult<RevokedToken> {
    // The owner decides who may revoke; it never changes, so it is read before the change.
    let owner: Option<i64> =
        sqlx::query_scalar::<_, Option<i64>>("SELECT user_id FROM api_tokens WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?
            .flatten();
    let permit = policy::revoke_api_token(actor, owner)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let row = sqlx::query_as::<_, RevokedRow>(
        "SELECT name, scope, token_hash, revoked_at, user_id FROM api_tokens WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **work.tx())
    .await?;
    let RevokedRow {
        name,
        scope,
        token_hash,
        revoked_at,
    } = row.ok_or_else(|| AppError::not_found(format!("API token {id}")))?;
    if revoked_at.is_some() {
        return Ok(RevokedToken {
            token_hash,
            revoked_now: false,
        });
    }
    let at = now();
    let changed =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(&mut **work.tx())
            .await?
            .rows_affected();
    if changed == 0 {
        // Someone revoked it between the read and the write.
        return Ok(RevokedToken {
            token_hash,
            revoked_now: false,
        });
    }
    work.record(
        Action::TokenRevoke,
        &format!("token:{id}"),
        &format!("Revoked the {scope} token “{name}”"),
        Some(serde_json::json!({
            "before": { "name": name, "scope": scope, "revoked_at": null },
            "after": { "name": name, "scope": scope, "revoked_at": at },
        })),
    )
    .await?;
    work.commit().await?;
    Ok(RevokedToken {
        token_hash,
        revoked_now: true,
    })
}
