//! Setting passwords: one-time invitation and password reset links, issued by admins and used by
//! the account's owner, and changing one's own password.

use serde::Serialize;

use crate::audit::Action;
use crate::auth::password::{self, Cost};
use crate::auth::{Actor, Via, policy, token};
use crate::db::Work;
use crate::db::{Db, Tx, now};
use crate::domain::Email;
use crate::error::{AppError, AppResult};

use super::ActorRow;
use super::sessions::{end_sessions, start_session};

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
    let permit = policy::manage_accounts(actor)?;
    let email = Email::parse(user_email).map_err(|m| AppError::invalid_field("email", m))?;
    let mut work = Work::begin(db, actor, permit).await?;
    let (user_id, name, active, hash) = sqlx::query_as::<_, (i64, String, i64, Option<String>)>(
        "SELECT id, name, active, password_hash FROM users WHERE email = $1",
    )
    .bind(email.as_str())
    .fetch_optional(&mut **work.tx())
    .await?
    .ok_or_else(|| AppError::invalid_field("email", format!("there is no account for {email}")))?;
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
    let secret = issue_link_in(&mut work, user_id, &email, purpose, at).await?;
    work.commit().await?;
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
    work: &mut Work<'_>,
    user_id: i64,
    email: &Email,
    purpose: LinkPurpose,
    at: i64,
) -> AppResult<String> {
    let actor = work.actor();
    let replaced = sqlx::query(
        "UPDATE account_links SET revoked_at = $1 \
         WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(user_id)
    .bind(purpose.as_str())
    .execute(&mut **work.tx())
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
    .fetch_one(&mut **work.tx())
    .await?;
    work.record(
        Action::AccountLink,
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

/// A link with its account, as looking it up reads them.
#[derive(sqlx::FromRow)]
struct LinkRow {
    purpose: String,
    expires_at: i64,
    used_at: Option<i64>,
    revoked_at: Option<i64>,
    email: String,
    name: String,
    active: i64,
}

/// Looks a link up without using it.
pub async fn link_status(db: &Db, secret: &str) -> AppResult<LinkStatus> {
    let row = sqlx::query_as::<_, LinkRow>(
        "SELECT l.purpose, l.expires_at, l.used_at, l.revoked_at, u.email, u.name, u.active \
         FROM account_links l JOIN users u ON u.id = l.user_id WHERE l.token_hash = $1",
    )
    .bind(token::digest(secret))
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(LinkStatus::Unknown);
    };
    let Some(purpose) = LinkPurpose::parse(&row.purpose) else {
        return Ok(LinkStatus::Unknown);
    };
    Ok(if row.used_at.is_some() {
        LinkStatus::Used
    } else if row.revoked_at.is_some() || row.active != 1 {
        LinkStatus::Withdrawn
    } else if row.expires_at <= now() {
        LinkStatus::Expired
    } else {
        LinkStatus::Usable(LinkInfo {
            purpose,
            email: row.email,
            name: row.name,
            expires_at: row.expires_at,
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
    let at = now();
    // Anyone holding the link may use it; who they are is the link's owner, found in the change.
    let holder = Actor::holder_of_a_secret();
    let mut work = Work::begin(db, &holder, policy::use_a_secret()).await?;
    let link = UsedLink::take(work.tx(), secret, at).await?;
    let user_id = link.user_id;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(user_id)
        .execute(&mut **work.tx())
        .await?;
    let ended = match link.purpose {
        LinkPurpose::Reset => end_sessions(work.tx(), user_id).await?,
        LinkPurpose::Invite => 0,
    };
    sqlx::query(
        "UPDATE account_links SET revoked_at = $1 \
         WHERE user_id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(user_id)
    .execute(&mut **work.tx())
    .await?;
    sqlx::query("DELETE FROM sign_in_backoff WHERE email = $1")
        .bind(&link.owner.label)
        .execute(&mut **work.tx())
        .await?;
    let session = start_session(work.tx(), user_id, at).await?;
    link.record(&mut work, ended).await?;
    work.commit().await?;
    Ok(Redeemed { user_id, session })
}

/// A link being used, and the active account it is for.
struct UsedLink {
    id: i64,
    user_id: i64,
    purpose: LinkPurpose,
    owner: Actor,
}

impl UsedLink {
    /// Marks the link with this secret used, when it is usable and its account active.
    async fn take(tx: &mut Tx, secret: &str, at: i64) -> AppResult<UsedLink> {
        let gone = || {
            AppError::Conflict("this link is no longer valid; ask an admin for a new one".into())
        };
        let (id, user_id, purpose) = sqlx::query_as::<_, (i64, i64, String)>(
            "UPDATE account_links SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3 \
             RETURNING id, user_id, purpose",
        )
        .bind(at)
        .bind(token::digest(secret))
        .bind(at)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(gone)?;
        let purpose = LinkPurpose::parse(&purpose).ok_or_else(gone)?;
        let user = sqlx::query_as::<_, ActorRow>(
            "SELECT id, email, name, role FROM users WHERE id = $1 AND active = 1",
        )
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(gone)?;
        Ok(UsedLink {
            id,
            user_id,
            purpose,
            owner: user.into_actor(Via::Session),
        })
    }

    /// The audit event of the password set through the link, by its owner.
    async fn record(&self, work: &mut Work<'_>, sessions_ended: u64) -> AppResult<()> {
        let (action, summary) = match self.purpose {
            LinkPurpose::Invite => (
                Action::PasswordSet,
                "Set a first password through an invitation link".to_owned(),
            ),
            LinkPurpose::Reset => (
                Action::PasswordReset,
                format!(
                    "Set a new password through a reset link; ended {}.",
                    crate::text::plural(sessions_ended, "other session", "other sessions")
                ),
            ),
        };
        work.record_by(
            &self.owner,
            action,
            &format!("user:{}", self.user_id),
            &summary,
            Some(serde_json::json!({ "link": self.id, "sessions_ended": sessions_ended })),
        )
        .await
    }
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
    let permit = policy::change_own_password(actor)?;
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
    let mut work = Work::begin(db, actor, permit).await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(user_id)
        .execute(&mut **work.tx())
        .await?;
    let kept = keep_session.map(token::digest).unwrap_or_default();
    let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(&kept)
        .execute(&mut **work.tx())
        .await?
        .rows_affected();
    work.record(
        Action::PasswordChange,
        &format!("user:{user_id}"),
        &format!(
            "Changed their password; ended {}.",
            crate::text::plural(ended, "other session", "other sessions")
        ),
        Some(serde_json::json!({ "sessions_ended": ended })),
    )
    .await?;
    work.commit().await?;
    Ok(ended)
}
