//! Confirmations: by a manager in the chain, or by a colleague the person asks.

use super::TEXT_MAX;
use super::detail::access;
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::db::{Db, Work, now};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

fn check_comment(comment: &str) -> AppResult<Option<String>> {
    let c = comment.trim();
    if c.chars().count() > TEXT_MAX {
        return Err(AppError::invalid_field(
            "comment",
            format!("a comment has at most {TEXT_MAX} characters"),
        ));
    }
    Ok((!c.is_empty()).then(|| c.to_owned()))
}

/// Confirms an item, with an optional comment: a manager in the person's chain, or a colleague
/// the person asked. Confirming again replaces the comment.
pub async fn confirm(state: &AppState, actor: &Actor, id: i64, comment: &str) -> AppResult<()> {
    let a = access(state, actor, id).await?;
    let permit = policy::confirm_evidence(actor, a.relation, a.asked_open())?;
    let me = actor.user_id.ok_or(AppError::Forbidden)?;
    let comment = check_comment(comment)?;
    let at = now();
    let mut work = Work::begin(state.db(), actor, permit).await?;
    sqlx::query(
        "INSERT INTO evidence_confirmations (evidence_id, user_id, comment, confirmed_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (evidence_id, user_id) \
         DO UPDATE SET comment = excluded.comment, confirmed_at = excluded.confirmed_at",
    )
    .bind(id)
    .bind(me)
    .bind(&comment)
    .bind(at)
    .execute(&mut **work.tx())
    .await?;
    sqlx::query(
        "UPDATE evidence_requests SET status = 'confirmed', answered_at = $1 \
         WHERE evidence_id = $2 AND user_id = $3",
    )
    .bind(at)
    .bind(id)
    .bind(me)
    .execute(&mut **work.tx())
    .await?;
    work.record(
        Action::EvidenceConfirm,
        &format!("evidence:{id}"),
        &format!(
            "Confirmed evidence {id} as {}",
            if a.relation == Relation::InManagementChain {
                "a manager in the chain"
            } else {
                "a colleague asked to"
            }
        ),
        Some(serde_json::json!({ "person": a.person, "comment": comment.is_some() })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Withdraws the actor's own confirmation of an item.
pub async fn unconfirm(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    let a = access(state, actor, id).await?;
    let permit = policy::withdraw_own_confirmation(actor)?;
    let me = actor.user_id.ok_or(AppError::Forbidden)?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let removed =
        sqlx::query("DELETE FROM evidence_confirmations WHERE evidence_id = $1 AND user_id = $2")
            .bind(id)
            .bind(me)
            .execute(&mut **work.tx())
            .await?
            .rows_affected();
    if removed == 0 {
        return Err(AppError::Conflict(
            "you have not confirmed this evidence".into(),
        ));
    }
    sqlx::query(
        "UPDATE evidence_requests SET status = 'pending', answered_at = NULL \
         WHERE evidence_id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(me)
    .execute(&mut **work.tx())
    .await?;
    work.record(
        Action::EvidenceUnconfirm,
        &format!("evidence:{id}"),
        &format!("Withdrew the confirmation of evidence {id}"),
        Some(serde_json::json!({ "person": a.person })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Declines a request to confirm an item: the colleague asked, while it is open. They no longer
/// see the item afterwards.
pub async fn decline(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    let a = access(state, actor, id).await?;
    let permit = policy::decline_confirmation(actor, a.asked.as_deref() == Some("pending"))?;
    let me = actor.user_id.ok_or(AppError::Forbidden)?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    sqlx::query(
        "UPDATE evidence_requests SET status = 'declined', answered_at = $1 \
         WHERE evidence_id = $2 AND user_id = $3",
    )
    .bind(now())
    .bind(id)
    .bind(me)
    .execute(&mut **work.tx())
    .await?;
    work.record(
        Action::EvidenceDecline,
        &format!("evidence:{id}"),
        &format!("Declined to confirm evidence {id}"),
        Some(serde_json::json!({ "person": a.person })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// A colleague, named by id or by email.
#[derive(Debug, Clone)]
pub enum Colleague {
    Id(i64),
    Email(String),
}

/// A colleague as asking them to confirm reads them.
#[derive(sqlx::FromRow)]
struct ColleagueRow {
    id: i64,
    name: String,
    active: i64,
}

/// The colleague's id and name; an unknown or departed colleague is the user's mistake (422).
async fn colleague(db: &Db, who: &Colleague) -> AppResult<(i64, String)> {
    let row = match who {
        Colleague::Id(id) => {
            sqlx::query_as::<_, ColleagueRow>("SELECT id, name, active FROM users WHERE id = $1")
                .bind(*id)
                .fetch_optional(db.pool())
                .await?
        }
        Colleague::Email(email) => {
            sqlx::query_as::<_, ColleagueRow>("SELECT id, name, active FROM users WHERE email = $1")
                .bind(email.trim().to_lowercase())
                .fetch_optional(db.pool())
                .await?
        }
    };
    let Some(row) = row else {
        return Err(AppError::invalid_field(
            "colleague",
            "nobody in the directory has this email",
        ));
    };
    if row.active != 1 {
        return Err(AppError::invalid_field(
            "colleague",
            "this person has left the organisation",
        ));
    }
    Ok((row.id, row.name))
}

/// Asks a colleague to confirm an item: the person whose evidence it is. The colleague can then
/// see this one item, and confirm or decline. Asking again someone who declined asks anew.
pub async fn ask(state: &AppState, actor: &Actor, id: i64, who: &Colleague) -> AppResult<()> {
    let a = access(state, actor, id).await?;
    let permit = policy::ask_evidence_confirmation(actor, a.relation)?;
    let (colleague, name) = colleague(state.db(), who).await?;
    if Some(colleague) == actor.user_id {
        return Err(AppError::invalid_field(
            "colleague",
            "ask a colleague: you cannot confirm your own evidence",
        ));
    }
    let current: Option<String> = sqlx::query_scalar(
        "SELECT status FROM evidence_requests WHERE evidence_id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(colleague)
    .fetch_optional(state.db().pool())
    .await?;
    match current.as_deref() {
        Some("pending") => {
            return Err(AppError::invalid_field(
                "colleague",
                format!("{name} was already asked and has not answered yet"),
            ));
        }
        Some("confirmed") => {
            return Err(AppError::invalid_field(
                "colleague",
                format!("{name} already confirmed this evidence"),
            ));
        }
        _ => {}
    }
    let mut work = Work::begin(state.db(), actor, permit).await?;
    sqlx::query(
        "INSERT INTO evidence_requests (evidence_id, user_id, asked_by, asked_at, status) \
         VALUES ($1, $2, $3, $4, 'pending') ON CONFLICT (evidence_id, user_id) \
         DO UPDATE SET status = 'pending', asked_at = excluded.asked_at, answered_at = NULL",
    )
    .bind(id)
    .bind(colleague)
    .bind(actor.user_id)
    .bind(now())
    .execute(&mut **work.tx())
    .await?;
    work.record(
        Action::EvidenceAsk,
        &format!("evidence:{id}"),
        &format!("Asked {name} to confirm evidence {id}"),
        Some(serde_json::json!({ "person": a.person, "colleague": colleague })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Withdraws a request to confirm: the person whose evidence it is. The colleague no longer
/// sees the item; a confirmation they gave stays.
pub async fn withdraw_request(
    state: &AppState,
    actor: &Actor,
    id: i64,
    who: &Colleague,
) -> AppResult<()> {
    let a = access(state, actor, id).await?;
    let permit = policy::ask_evidence_confirmation(actor, a.relation)?;
    let (colleague, name) = colleague(state.db(), who).await?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let removed =
        sqlx::query("DELETE FROM evidence_requests WHERE evidence_id = $1 AND user_id = $2")
            .bind(id)
            .bind(colleague)
            .execute(&mut **work.tx())
            .await?
            .rows_affected();
    if removed == 0 {
        return Err(AppError::invalid_field(
            "colleague",
            format!("{name} was not asked to confirm this evidence"),
        ));
    }
    work.record(
        Action::EvidenceWithdrawRequest,
        &format!("evidence:{id}"),
        &format!("Withdrew the request to {name} to confirm evidence {id}"),
        Some(serde_json::json!({ "person": a.person, "colleague": colleague })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}
