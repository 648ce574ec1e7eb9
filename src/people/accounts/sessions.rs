//! Signing in and out: passwords checked, failures slowed down per email and address, and
//! sessions started, looked up and ended.

use crate::audit::Action;
use crate::auth::password::{self, Cost};
use crate::auth::{Actor, Role, Via, policy, token};
use crate::db::{Db, Tx, now};
use crate::db::{Unrecorded, Work};
use crate::domain::Email;
use crate::error::{AppError, AppResult};

use super::ActorRow;

/// How long a session lasts after signing in.
pub const SESSION_SECONDS: i64 = 14 * 24 * 3600;

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

/// An active account as signing in reads it: who it is and its password's hash.
#[derive(sqlx::FromRow)]
struct SignInRow {
    id: i64,
    name: String,
    role: String,
    password_hash: Option<String>,
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
    if let Some(until) = blocked_until(db, &email, address, at).await? {
        return Err(slowed_down(until, at));
    }
    let row = sqlx::query_as::<_, SignInRow>(
        "SELECT id, name, role, password_hash FROM users WHERE email = $1 AND active = 1",
    )
    .bind(email.as_str())
    .fetch_optional(db.pool())
    .await?;
    let stored = row.as_ref().and_then(|r| r.password_hash.clone());
    if !password::verify(password.to_owned(), stored, cost).await {
        return Err(match record_failure(db, &email, address, lockout).await? {
            Some(until) => slowed_down(until, now()),
            None => wrong(),
        });
    }
    let row = row.ok_or_else(wrong)?;
    let user_id = row.id;
    let actor = Actor {
        user_id: Some(user_id),
        label: email.to_string(),
        name: row.name,
        role: Role::parse(&row.role).unwrap_or(Role::Employee),
        via: Via::Session,
    };
    signed_in(db, &actor, user_id, address, at).await
}

/// Until when an address must wait before signing in as this email again, when it must.
async fn blocked_until(db: &Db, email: &Email, address: &str, at: i64) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT MAX(blocked_until) FROM sign_in_backoff          WHERE address = $1 AND (email = $2 OR email = '') AND blocked_until > $3",
    )
    .bind(address)
    .bind(email.as_str())
    .bind(at)
    .fetch_one(db.pool())
    .await?)
}

/// Starts the session of someone who signed in from an address, whose failures there are
/// forgotten. Returns the session's secret.
async fn signed_in(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    address: &str,
    at: i64,
) -> AppResult<String> {
    let permit = policy::start_session(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let secret = start_session(work.tx(), user_id, at).await?;
    sqlx::query("DELETE FROM sign_in_backoff WHERE email = $1 AND address = $2")
        .bind(&actor.label)
        .bind(address)
        .execute(&mut **work.tx())
        .await?;
    work.record(
        Action::SessionCreate,
        &format!("user:{user_id}"),
        "Signed in",
        None,
    )
    .await?;
    work.commit().await?;
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
    let visitor = visitor(email);
    let mut work = Work::begin(db, &visitor, policy::use_a_secret()).await?;
    sqlx::query("DELETE FROM sign_in_backoff WHERE last_failed_at <= $1 AND blocked_until <= $2")
        .bind(stale)
        .bind(at)
        .execute(&mut **work.tx())
        .await?;
    let mut until = None;
    let mut pair_failures = 0;
    for (counted, free) in [
        (email.as_str(), lockout.free_attempts),
        ("", lockout.address_free_attempts),
    ] {
        let failures = count_failure(work.tx(), counted, address, at, stale).await?;
        let delay = lockout.delay(failures, free);
        if delay > 0 {
            let blocked_until = at + delay;
            block(work.tx(), counted, address, blocked_until).await?;
            until = until.max(Some(blocked_until));
        }
        if !counted.is_empty() {
            pair_failures = failures;
        }
    }
    if pair_failures == lockout.free_attempts + 1 {
        record_slowdown(&mut work, email, address, pair_failures, until).await?;
        work.commit().await?;
    } else {
        work.commit_unrecorded(Unrecorded::FailedSignIn).await?;
    }
    Ok(until)
}

/// Makes an address wait until `blocked_until` before trying an email (or, empty, any email)
/// again.
async fn block(tx: &mut Tx, email: &str, address: &str, blocked_until: i64) -> AppResult<()> {
    sqlx::query("UPDATE sign_in_backoff SET blocked_until = $1 WHERE email = $2 AND address = $3")
        .bind(blocked_until)
        .bind(email)
        .bind(address)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Counts one more failure for an email (or, empty, for every email) from an address, in one
/// statement so that concurrent failures all count; a failure long after the one before (at or
/// before `stale`) starts a new count. Returns the failures in a row.
async fn count_failure(
    tx: &mut Tx,
    email: &str,
    address: &str,
    at: i64,
    stale: i64,
) -> AppResult<i64> {
    let failures: i64 = sqlx::query_scalar(
        "INSERT INTO sign_in_backoff (email, address, failures, last_failed_at, blocked_until)              VALUES ($1, $2, 1, $3, 0)              ON CONFLICT (email, address) DO UPDATE SET              failures = CASE WHEN sign_in_backoff.last_failed_at <= $4                         THEN 1 ELSE sign_in_backoff.failures + 1 END,              last_failed_at = $5              RETURNING failures",
    )
    .bind(email)
    .bind(address)
    .bind(at)
    .bind(stale)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    Ok(failures)
}

/// The audit event of an email slowed down from an address, the first time it is.
async fn record_slowdown(
    work: &mut Work<'_>,
    email: &Email,
    address: &str,
    failures: i64,
    until: Option<i64>,
) -> AppResult<()> {
    work.record(
        Action::SessionSlow,
        &format!("email:{email}"),
        &format!(
            "Slowed down signing in as {email} from {address} after {failures} failed attempts; other addresses are not affected"
        ),
        Some(serde_json::json!({ "failures": failures, "address": address, "blocked_until": until })),
    )
    .await
}

/// Whoever tries to sign in as an email, before they have proved anything.
fn visitor(email: &Email) -> Actor {
    Actor {
        user_id: None,
        label: email.to_string(),
        name: email.to_string(),
        role: Role::Employee,
        via: Via::Session,
    }
}

/// Starts a session for an account and returns its secret; clears the account's expired sessions.
pub(super) async fn start_session(tx: &mut Tx, user_id: i64, at: i64) -> AppResult<String> {
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
    let holder = Actor::holder_of_a_secret();
    let mut work = Work::begin(db, &holder, policy::use_a_secret()).await?;
    let ended: Option<i64> =
        sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id")
            .bind(token::digest(secret))
            .fetch_optional(&mut **work.tx())
            .await?;
    // A session that had ended already (expired, or signed out elsewhere) ends nothing more.
    let Some(user_id) = ended else {
        return Ok(());
    };
    let row = sqlx::query_as::<_, (String, String, String)>(
        "SELECT email, name, role FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut **work.tx())
    .await?;
    let actor = match row {
        Some((email, name, role)) => Actor {
            user_id: Some(user_id),
            label: email,
            name,
            role: Role::parse(&role).unwrap_or(Role::Employee),
            via: Via::Session,
        },
        None => Actor {
            user_id: Some(user_id),
            label: format!("user:{user_id}"),
            name: format!("user:{user_id}"),
            role: Role::Employee,
            via: Via::Session,
        },
    };
    work.record_by(
        &actor,
        Action::SessionEnd,
        &format!("user:{user_id}"),
        "Signed out",
        None,
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Ends every session of an account, inside the caller's transaction: deactivating an account
/// calls this in the same transaction, so a deactivated person is signed out everywhere. Returns
/// how many sessions ended. Servers remember a session for at most `auth::cache::ACTOR_TTL`; the
/// server that made the change should also call `ActorCache::forget_user`.
pub async fn end_sessions(tx: &mut Tx, user_id: i64) -> AppResult<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// The person signed in with this session secret, if the session is live and the account active.
pub async fn actor_for_session(db: &Db, secret: &str) -> AppResult<Option<Actor>> {
    let row = sqlx::query_as::<_, ActorRow>(
        "SELECT u.id, u.email, u.name, u.role FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
    )
    .bind(token::digest(secret))
    .bind(now())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| r.into_actor(Via::Session)))
}
