//! Deciding on a nomination (the People team) or withdrawing it (its author).

use trellis_framework::Framework;

use super::reading::{Stored, visible};
use super::{NominationStatus, TEXT_MAX, field, invalid, optional_day};
use crate::architecture::framework;
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy;
use crate::db::{Work, now};
use crate::domain::Day;
use crate::error::{AppError, AppResult};
use crate::people::directory::{self, PositionInput};
use crate::state::AppState;

/// A decision as typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    /// `approve` or `decline`.
    pub decision: String,
    /// Required to decline: the nominator reads why.
    pub note: String,
    /// The date the new position takes effect, `YYYY-MM-DD`; the proposed date (or today) when
    /// empty.
    pub effective_on: String,
}

/// Approves or declines a pending nomination (the People team). Approval records the new position
/// in the person's history in the same transaction, so a decision and its position land together
/// or not at all.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: &DecisionInput,
) -> AppResult<NominationStatus> {
    let row = visible(state, actor, id).await?;
    let permit = policy::decide_nomination(actor, row.person)?;
    if row.status != NominationStatus::Pending {
        return Err(AppError::Conflict(format!(
            "this nomination is {} already",
            row.status.as_str()
        )));
    }
    let (decision, note, effective_on) = check(input, &row)?;
    let published = framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let at = now();
    let changed = sqlx::query(
        "UPDATE nominations SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4, \
         effective_on = $5, updated_at = $3 WHERE id = $6 AND status = 'pending'",
    )
    .bind(decision.as_str())
    .bind(actor.user_id)
    .bind(at)
    .bind((!note.is_empty()).then_some(note))
    .bind(if decision == NominationStatus::Approved {
        Some(effective_on.to_string())
    } else {
        row.effective_on.clone()
    })
    .bind(id)
    .execute(&mut **work.tx())
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(AppError::Conflict(
            "someone decided on this nomination at the same time: reload the page".into(),
        ));
    }
    if decision == NominationStatus::Approved {
        record_position(&mut work, fw, id, &row, effective_on).await?;
    }
    let to = directory::position_names(Some(fw), &row.track, &row.level);
    work.record(if decision == NominationStatus::Approved {
            Action::NominationApprove
        } else {
            Action::NominationDecline
        },
        &format!("nomination:{id}"),
        &format!(
            "{} the nomination of {} for {} ({})",
            if decision == NominationStatus::Approved {
                "Approved"
            } else {
                "Declined"
            },
            row.person_name,
            to.level_title,
            to.track_name
        ),
        Some(serde_json::json!({
            "person": row.person, "track": row.track, "level": row.level,
            "effective_on": (decision == NominationStatus::Approved).then(|| effective_on.to_string()),
            "note": (!note.is_empty()).then_some(note),
        })),
    )
    .await?;
    work.commit().await?;
    Ok(decision)
}

/// Records the position an approved nomination proposed in its person's history, from
/// `effective_on`, in the decision's transaction.
async fn record_position(
    work: &mut Work<'_>,
    fw: &Framework,
    id: i64,
    row: &Stored,
    effective_on: Day,
) -> AppResult<()> {
    directory::write_position(
        work,
        fw,
        row.person,
        &PositionInput {
            track: row.track.clone(),
            level: row.level.clone(),
            effective_on: effective_on.to_string(),
            kind: row.kind.as_str().to_owned(),
            note: format!("Nomination {id}"),
        },
    )
    .await?;
    Ok(())
}

/// The decision, its note (trimmed) and the day the new position takes effect (the day typed, else
/// the day proposed, else today), or every mistake of the input.
fn check<'a>(
    input: &'a DecisionInput,
    row: &Stored,
) -> AppResult<(NominationStatus, &'a str, Day)> {
    let mut errors = Vec::new();
    let decision = match input.decision.trim() {
        "approve" => Some(NominationStatus::Approved),
        "decline" => Some(NominationStatus::Declined),
        other => {
            errors.push(field(
                "decision",
                format!("“{other}” is not a decision: approve or decline"),
            ));
            None
        }
    };
    let note = input.note.trim();
    if note.chars().count() > TEXT_MAX {
        errors.push(field(
            "note",
            format!("a note has at most {TEXT_MAX} characters"),
        ));
    }
    if decision == Some(NominationStatus::Declined) && note.is_empty() {
        errors.push(field(
            "note",
            "say why the nomination is declined: the nominator reads it",
        ));
    }
    let effective_on = optional_day("effective_on", &input.effective_on, &mut errors)
        .or_else(|| row.effective_on.as_deref().and_then(|d| Day::parse(d).ok()))
        .unwrap_or_else(Day::today);
    match (decision, errors.is_empty()) {
        (Some(decision), true) => Ok((decision, note, effective_on)),
        _ => Err(invalid(errors)),
    }
}

/// Withdraws a pending nomination (its author).
pub async fn withdraw(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    let row = visible(state, actor, id).await?;
    let permit = policy::withdraw_nomination(actor, row.nominated_by)?;
    if row.status != NominationStatus::Pending {
        return Err(AppError::Conflict(format!(
            "this nomination is {} already",
            row.status.as_str()
        )));
    }
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let at = now();
    let changed = sqlx::query(
        "UPDATE nominations SET status = 'withdrawn', decided_by = $1, decided_at = $2, \
         updated_at = $2 WHERE id = $3 AND status = 'pending'",
    )
    .bind(actor.user_id)
    .bind(at)
    .bind(id)
    .execute(&mut **work.tx())
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(AppError::Conflict(
            "this nomination was decided at the same time: reload the page".into(),
        ));
    }
    work.record(
        Action::NominationWithdraw,
        &format!("nomination:{id}"),
        &format!("Withdrew the nomination of {}", row.person_name),
        Some(serde_json::json!({ "person": row.person })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}
