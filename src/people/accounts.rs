//! Accounts: creating people who can sign in, signing in and out (failures slowed down per email
//! and address), sessions, one-time invitation and password reset links, password changes and API tokens.

use serde::Serialize;
use sqlx::Row;

use crate::audit;
use crate::auth::password::{self, Cost};
use crate::auth::{Actor, Role, TokenScope, Via, policy, token};
use crate::db::{Db, now};
use crate::domain::Email;
use crate::error::{AppError, AppResult};

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
    policy::manage_accounts(actor)?;
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

/// How failed sign-ins are slowed down. Failures are counted per email and client address: after
/// `free_attempts` failures in a row from one address, that address must wait before trying that
/// email again, twice as long after each further failure (2, 4, 8 … seconds), never more than
/// `max_delay_seconds`. Other addresses are not affected, so whoever guesses a password slows down
/// only themselves and the account's owner still signs in from their own address. One address is
/// also slowed the same way across all emails after `address_free_attempts` failures, so that
/// trying one password on many accounts is slow too. Emails without an account are counted alike,
/// so the answers never tell which emails exist. A failure more than `window_seconds` after the one
/// before starts the count afresh; signing in from that address, or setting a password through a
/// link, clears it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockout {
    pub free_attempts: i64,
    pub max_delay_seconds: i64,
    pub address_free_attempts: i64,
    pub window_seconds: i64,
}

impl Default for Lockout {
    fn default() -> Lockout {
        Lockout {
            free_attempts: 3,
            max_delay_seconds: 15 * 60,
            address_free_attempts: 20,
            window_seconds: 24 * 3600,
        }
    }
}

impl Lockout {
    /// The wait after the `failures`-th failure in a row when `free` cost nothing.
    fn delay(&self, failures: i64, free: i64) -> i64 {
        let over = failures - free;
        if over <= 0 || self.max_delay_seconds <= 0 {
            return 0;
        }
        (1i64 << over.min(40)).min(self.max_delay_seconds)
    }
}

/// The refusal while an address must wait, which says when to try again.
fn slowed_down(until: i64, at: i64) -> AppError {
    let seconds = (until - at).max(1);
    let wait = if seconds < 60 {
        format!("{seconds} second{}", if seconds == 1 { "" } else { "s" })
    } else {
        let minutes = (seconds + 59) / 60;
        format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
    };
    AppError::invalid_field(
        "password",
        format!("too many failed sign-ins from your address: wait {wait} and try again"),
    )
}

/// Signs in with email and password from a client address. Returns the session secret for the
/// cookie.
pub async fn sign_in(
    db: &Db,
    email: &str,
    password: &str,
    cost: Cost,
    lockout: Lockout,
    address: &str,
) -> AppResult<String> {
    let wrong = || AppError::invalid_field("password", "the email or the password is not right");
    let email = Email::parse(email).map_err(|_| wrong())?;
    let at = now();
    let blocked: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(blocked_until) FROM sign_in_backoff          WHERE address = $1 AND (email = $2 OR email = '') AND blocked_until > $3",
    )
    .bind(address)
    .bind(email.as_str())
    .bind(at)
    .fetch_one(db.pool())
    .await?;
    if let Some(until) = blocked {
        return Err(slowed_down(until, at));
    }
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
        return Err(match record_failure(db, &email, address, lockout).await? {
            Some(until) => slowed_down(until, now()),
            None => wrong(),
        });
    }
    let row = row.ok_or_else(wrong)?;
    let user_id: i64 = row.try_get("id")?;
    let role: String = row.try_get("role")?;
    let actor = Actor {
        user_id: Some(user_id),
        label: email.to_string(),
        name: row.try_get("name")?,
        role: Role::parse(&role).unwrap_or(Role::Employee),
        via: Via::Session,
    };
    let mut tx = db.begin().await?;
    let secret = start_session(&mut tx, user_id, at).await?;
    sqlx::query("DELETE FROM sign_in_backoff WHERE email = $1 AND address = $2")
        .bind(email.as_str())
        .bind(address)
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

/// Counts a failed sign-in for an email from an address (whether or not the email has an account)
/// and for the address alone. Returns until when the address must wait, when it must.
async fn record_failure(
    db: &Db,
    email: &Email,
    address: &str,
    lockout: Lockout,
) -> AppResult<Option<i64>> {
    let at = now();
    let stale = at - lockout.window_seconds;
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM sign_in_backoff WHERE last_failed_at <= $1 AND blocked_until <= $2")
        .bind(stale)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    let mut until = None;
    let mut pair_failures = 0;
    for (counted, free) in [
        (email.as_str(), lockout.free_attempts),
        ("", lockout.address_free_attempts),
    ] {
        // One statement, so that concurrent failures all count. A failure long after the one
        // before starts a new count.
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO sign_in_backoff (email, address, failures, last_failed_at, blocked_until)              VALUES ($1, $2, 1, $3, 0)              ON CONFLICT (email, address) DO UPDATE SET              failures = CASE WHEN sign_in_backoff.last_failed_at <= $4                         THEN 1 ELSE sign_in_backoff.failures + 1 END,              last_failed_at = $5              RETURNING failures",
        )
        .bind(counted)
        .bind(address)
        .bind(at)
        .bind(stale)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let delay = lockout.delay(failures, free);
        if delay > 0 {
            let blocked_until = at + delay;
            sqlx::query(
                "UPDATE sign_in_backoff SET blocked_until = $1 WHERE email = $2 AND address = $3",
            )
            .bind(blocked_until)
            .bind(counted)
            .bind(address)
            .execute(&mut *tx)
            .await?;
            until = until.max(Some(blocked_until));
        }
        if !counted.is_empty() {
            pair_failures = failures;
        }
    }
    if pair_failures == lockout.free_attempts + 1 {
        let visitor = Actor {
            user_id: None,
            label: email.to_string(),
            name: email.to_string(),
            role: Role::Employee,
            via: Via::Session,
        };
        audit::record(
            &mut tx,
            &visitor,
            "session.slow",
            &format!("email:{email}"),
            &format!(
                "Slowed down signing in as {email} from {address} after {pair_failures} failed attempts; other addresses are not affected"
            ),
            Some(serde_json::json!({ "failures": pair_failures, "address": address, "blocked_until": until })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(until)
}

/// Starts a session for an account and returns its secret; clears the account's expired sessions.
async fn start_session(tx: &mut crate::db::Tx, user_id: i64, at: i64) -> AppResult<String> {
    let secret = token::generate("trs_");
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token::digest(&secret))
    .bind(user_id)
    .bind(at)
    .bind(at + SESSION_SECONDS)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
        .bind(user_id)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(secret)
}

/// Ends the session with this secret, if it exists.
pub async fn sign_out(db: &Db, secret: &str) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let ended: Option<i64> =
        sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id")
            .bind(token::digest(secret))
            .fetch_optional(&mut *tx)
            .await?;
    // A session that had ended already (expired, or signed out elsewhere) ends nothing more.
    let Some(user_id) = ended else {
        return Ok(());
    };
    let row = sqlx::query("SELECT email, name, role FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(row) = row {
        let role: String = row.try_get("role")?;
        let actor = Actor {
            user_id: Some(user_id),
            label: row.try_get("email")?,
            name: row.try_get("name")?,
            role: Role::parse(&role).unwrap_or(Role::Employee),
            via: Via::Session,
        };
        audit::record(
            &mut tx,
            &actor,
            "session.end",
            &format!("user:{user_id}"),
            "Signed out",
            None,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Ends every session of an account, inside the caller's transaction: deactivating an account
/// calls this in the same transaction, so a deactivated person is signed out everywhere. Returns
/// how many sessions ended. Servers remember a session for at most `auth::cache::ACTOR_TTL`; the
/// server that made the change should also call `ActorCache::forget_user`.
pub async fn end_sessions(tx: &mut crate::db::Tx, user_id: i64) -> AppResult<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// What a one-time account link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    /// Setting the first password of an account that has none.
    Invite,
    /// Setting a new password of an account that has one.
    Reset,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Invite => "invite",
            LinkPurpose::Reset => "reset",
        }
    }

    pub fn parse(s: &str) -> Option<LinkPurpose> {
        match s {
            "invite" => Some(LinkPurpose::Invite),
            "reset" => Some(LinkPurpose::Reset),
            _ => None,
        }
    }

    /// How long a link stays usable: a week to accept an invitation, an hour to reset a password.
    pub fn lifetime(self) -> i64 {
        match self {
            LinkPurpose::Invite => 7 * 24 * 3600,
            LinkPurpose::Reset => 3600,
        }
    }

    /// How the link is named to people.
    pub fn describe(self) -> &'static str {
        match self {
            LinkPurpose::Invite => "invitation link",
            LinkPurpose::Reset => "password reset link",
        }
    }
}

/// A link just issued. Its secret is stored nowhere: the admin passes the link on.
#[derive(Debug, Clone)]
pub struct IssuedLink {
    pub secret: String,
    pub purpose: LinkPurpose,
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub expires_at: i64,
}

/// Issues a one-time link with which an account's owner sets a password: an invitation for an
/// account without a password, a reset for one with. Any older unused link of the same purpose for
/// the account stops working. Admins only.
pub async fn issue_link(
    db: &Db,
    actor: &Actor,
    user_email: &str,
    purpose: LinkPurpose,
) -> AppResult<IssuedLink> {
    policy::manage_accounts(actor)?;
    let email = Email::parse(user_email).map_err(|m| AppError::invalid_field("email", m))?;
    let mut tx = db.begin().await?;
    let row = sqlx::query("SELECT id, name, active, password_hash FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            AppError::invalid_field("email", format!("there is no account for {email}"))
        })?;
    let user_id: i64 = row.try_get("id")?;
    let name: String = row.try_get("name")?;
    let active: i64 = row.try_get("active")?;
    let hash: Option<String> = row.try_get("password_hash")?;
    if active != 1 {
        return Err(AppError::invalid_field(
            "email",
            format!("the account of {email} is deactivated"),
        ));
    }
    match (purpose, hash.is_some()) {
        (LinkPurpose::Invite, true) => {
            return Err(AppError::invalid_field(
                "purpose",
                format!("{email} has a password already: issue a password reset link instead"),
            ));
        }
        (LinkPurpose::Reset, false) => {
            return Err(AppError::invalid_field(
                "purpose",
                format!("{email} has no password yet: issue an invitation link instead"),
            ));
        }
        _ => {}
    }
    let at = now();
    let secret = issue_link_in(&mut tx, actor, user_id, &email, purpose, at).await?;
    tx.commit().await?;
    Ok(IssuedLink {
        secret,
        purpose,
        user_id,
        email: email.to_string(),
        name,
        expires_at: at + purpose.lifetime(),
    })
}

/// Stores a new link of an account whose owner was checked to be able to use it, inside the
/// caller's transaction, with its audit event: any older unused link of the same purpose stops
/// working. Returns the link's secret, which is stored nowhere. One invitation and many
/// (`people::invitations`) both go through here.
pub(crate) async fn issue_link_in(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    user_id: i64,
    email: &Email,
    purpose: LinkPurpose,
    at: i64,
) -> AppResult<String> {
    let replaced = sqlx::query(
        "UPDATE account_links SET revoked_at = $1 \
         WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(user_id)
    .bind(purpose.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let secret = token::generate("trl_");
    let expires_at = at + purpose.lifetime();
    let link_id: i64 = sqlx::query_scalar(
        "INSERT INTO account_links (token_hash, user_id, purpose, created_at, expires_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(token::digest(&secret))
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(at)
    .bind(expires_at)
    .bind(actor.user_id)
    .fetch_one(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        "account.link",
        &format!("user:{user_id}"),
        &format!("Issued a {} for {email}", purpose.describe()),
        Some(serde_json::json!({
            "link": link_id,
            "purpose": purpose.as_str(),
            "expires_at": expires_at,
            "replaced": replaced,
        })),
    )
    .await?;
    Ok(secret)
}

/// Whose a usable link is and what it is for.
#[derive(Debug, Clone)]
pub struct LinkInfo {
    pub purpose: LinkPurpose,
    pub email: String,
    pub name: String,
    pub expires_at: i64,
}

/// What a link is worth now.
#[derive(Debug, Clone)]
pub enum LinkStatus {
    Usable(LinkInfo),
    Used,
    Expired,
    /// A newer link replaced it, or its account was deactivated.
    Withdrawn,
    Unknown,
}

/// Looks a link up without using it.
pub async fn link_status(db: &Db, secret: &str) -> AppResult<LinkStatus> {
    let row = sqlx::query(
        "SELECT l.purpose, l.expires_at, l.used_at, l.revoked_at, u.email, u.name, u.active \
         FROM account_links l JOIN users u ON u.id = l.user_id WHERE l.token_hash = $1",
    )
    .bind(token::digest(secret))
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(LinkStatus::Unknown);
    };
    let purpose: String = row.try_get("purpose")?;
    let Some(purpose) = LinkPurpose::parse(&purpose) else {
        return Ok(LinkStatus::Unknown);
    };
    let expires_at: i64 = row.try_get("expires_at")?;
    let used_at: Option<i64> = row.try_get("used_at")?;
    let revoked_at: Option<i64> = row.try_get("revoked_at")?;
    let active: i64 = row.try_get("active")?;
    Ok(if used_at.is_some() {
        LinkStatus::Used
    } else if revoked_at.is_some() || active != 1 {
        LinkStatus::Withdrawn
    } else if expires_at <= now() {
        LinkStatus::Expired
    } else {
        LinkStatus::Usable(LinkInfo {
            purpose,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            expires_at,
        })
    })
}

/// A link used: the account's new session.
#[derive(Debug, Clone)]
pub struct Redeemed {
    pub user_id: i64,
    pub session: String,
}

/// Uses a link: sets the account's password, signs its owner in and returns the new session. A
/// reset also ends every other session of the account. Other unused links of the account stop
/// working, and a lockout of its email ends.
pub async fn redeem_link(
    db: &Db,
    secret: &str,
    new_password: &str,
    cost: Cost,
) -> AppResult<Redeemed> {
    password::check_strength(new_password)?;
    let hash = password::hash(new_password.to_owned(), cost).await?;
    let gone =
        || AppError::Conflict("this link is no longer valid; ask an admin for a new one".into());
    let at = now();
    let mut tx = db.begin().await?;
    let link = sqlx::query(
        "UPDATE account_links SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3 \
         RETURNING id, user_id, purpose",
    )
    .bind(at)
    .bind(token::digest(secret))
    .bind(at)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(gone)?;
    let link_id: i64 = link.try_get("id")?;
    let user_id: i64 = link.try_get("user_id")?;
    let purpose: String = link.try_get("purpose")?;
    let purpose = LinkPurpose::parse(&purpose).ok_or_else(gone)?;
    let user = sqlx::query("SELECT id, email, name, role FROM users WHERE id = $1 AND active = 1")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(gone)?;
    let owner = actor_from_row(&user, Via::Session)?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let ended = match purpose {
        LinkPurpose::Reset => end_sessions(&mut tx, user_id).await?,
        LinkPurpose::Invite => 0,
    };
    sqlx::query(
        "UPDATE account_links SET revoked_at = $1 \
         WHERE user_id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM sign_in_backoff WHERE email = $1")
        .bind(&owner.label)
        .execute(&mut *tx)
        .await?;
    let session = start_session(&mut tx, user_id, at).await?;
    let (action, summary) = match purpose {
        LinkPurpose::Invite => (
            "password.set",
            "Set a first password through an invitation link".to_owned(),
        ),
        LinkPurpose::Reset => (
            "password.reset",
            format!(
                "Set a new password through a reset link; ended {}.",
                crate::text::plural(ended, "other session", "other sessions")
            ),
        ),
    };
    audit::record(
        &mut tx,
        &owner,
        action,
        &format!("user:{user_id}"),
        &summary,
        Some(serde_json::json!({ "link": link_id, "sessions_ended": ended })),
    )
    .await?;
    tx.commit().await?;
    Ok(Redeemed { user_id, session })
}

/// Puts a validation message of a new password on the form field it came from.
fn on_field(e: AppError, field: &str) -> AppError {
    match e {
        AppError::Invalid { title, errors } => AppError::Invalid {
            title,
            errors: errors
                .into_iter()
                .map(|mut fe| {
                    fe.field = field.to_owned();
                    fe
                })
                .collect(),
        },
        other => other,
    }
}

/// Changes the signed-in person's password after checking the current one, and ends their other
/// sessions (all but `keep_session`, the one the change was made in). Returns how many ended.
pub async fn change_password(
    db: &Db,
    actor: &Actor,
    keep_session: Option<&str>,
    current: &str,
    new: &str,
    cost: Cost,
) -> AppResult<u64> {
    policy::change_own_password(actor)?;
    let user_id = actor.user_id.ok_or(AppError::Forbidden)?;
    let stored: Option<Option<String>> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND active = 1")
            .bind(user_id)
            .fetch_optional(db.pool())
            .await?;
    if !password::verify(current.to_owned(), stored.flatten(), cost).await {
        return Err(AppError::invalid_field(
            "current",
            "the current password is not right",
        ));
    }
    if new == current {
        return Err(AppError::invalid_field(
            "new",
            "the new password is the same as the current one",
        ));
    }
    password::check_strength(new).map_err(|e| on_field(e, "new"))?;
    let hash = password::hash(new.to_owned(), cost).await?;
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let kept = keep_session.map(token::digest).unwrap_or_default();
    let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(&kept)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    audit::record(
        &mut tx,
        actor,
        "password.change",
        &format!("user:{user_id}"),
        &format!(
            "Changed their password; ended {}.",
            crate::text::plural(ended, "other session", "other sessions")
        ),
        Some(serde_json::json!({ "sessions_ended": ended })),
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
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

/// Every account, by email, with what the People team needs to help someone sign in. Admins only.
pub async fn list_accounts(db: &Db, actor: &Actor) -> AppResult<Vec<AccountRow>> {
    policy::manage_accounts(actor)?;
    let rows = sqlx::query(
        "SELECT u.id, u.email, u.name, u.role, u.active, \
         CAST(CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_password, \
         f.locked_until \
         FROM users u LEFT JOIN (SELECT email, MAX(blocked_until) AS locked_until \
         FROM sign_in_backoff GROUP BY email) f ON f.email = u.email ORDER BY u.email",
    )
    .fetch_all(db.pool())
    .await?;
    let at = now();
    rows.iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            let active: i64 = r.try_get("active")?;
            let has_password: i64 = r.try_get("has_password")?;
            let locked_until: Option<i64> = r.try_get("locked_until")?;
            Ok(AccountRow {
                id: r.try_get("id")?,
                email: r.try_get("email")?,
                name: r.try_get("name")?,
                role: Role::parse(&role).unwrap_or(Role::Employee),
                active: active == 1,
                has_password: has_password == 1,
                locked_until: locked_until.filter(|until| *until > at),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The actor of a `users` row read with its `id`, `email`, `name` and `role`.
pub(crate) fn actor_from_row(row: &sqlx::any::AnyRow, via: Via) -> Result<Actor, sqlx::Error> {
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
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL \
         AND (t.user_id IS NULL OR t.user_id = t.created_by) \
         AND (t.expires_at IS NULL OR t.expires_at > $2)",
    )
    .bind(token::digest(secret))
    .bind(now())
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    touch_api_token(db, row.try_get("token_id")?, row.try_get("last_used_at")?).await?;
    let scope: String = row.try_get("scope")?;
    let Some(scope) = TokenScope::parse(&scope) else {
        return Ok(None);
    };
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
    let person = match owner {
        TokenOwner::Organisation => {
            policy::manage_api_tokens(actor)?;
            None
        }
        TokenOwner::Creator => {
            policy::create_personal_token(actor)?;
            Some(actor.user_id.ok_or(AppError::Forbidden)?)
        }
    };
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
    if person.is_some() && scope != "api" {
        return Err(AppError::invalid_field(
            "scope",
            "a SCIM token acts for the organisation: an identity provider is not a person",
        ));
    }
    let mut tx = db.begin().await?;
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
    .fetch_one(&mut *tx)
    .await?;
    let acts_for = match person {
        Some(_) => actor.label.as_str(),
        None => "organisation",
    };
    audit::record(
        &mut tx,
        actor,
        "token.create",
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
    let rows = sqlx::query(
        "SELECT t.id, t.name, t.scope, u.email, t.created_at, t.last_used_at, t.revoked_at, t.expires_at \
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
                expires_at: r.try_get("expires_at")?,
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

/// Revokes an API token for good: admins revoke any, a person their own personal tokens. Revoking a revoked token changes nothing and is not
/// an error, so a retried request gets the same answer.
pub async fn revoke_api_token(db: &Db, actor: &Actor, id: i64) -> AppResult<RevokedToken> {
    let mut tx = db.begin().await?;
    let row = sqlx::query(
        "SELECT name, scope, token_hash, revoked_at, user_id FROM api_tokens WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let owner: Option<i64> = match &row {
        Some(r) => r.try_get("user_id")?,
        None => None,
    };
    policy::revoke_api_token(actor, owner)?;
    let row = row.ok_or_else(|| AppError::not_found(format!("API token {id}")))?;
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
        &format!("Revoked the {scope} token “{name}”"),
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
