//! Notes: the shared notes of a meeting, and each participant's private note, read by its author
//! only.

use super::TEXT_MAX;
use super::access::writable_meeting;
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy::{self, Seat};
use crate::db::{Db, Work, now};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The viewer's own private note on a meeting.
#[derive(Debug, Clone)]
pub struct PrivateNote {
    pub body: String,
    /// Unix seconds.
    pub updated_at: i64,
}

/// A private note as stored.
#[derive(sqlx::FromRow)]
struct PrivateNoteRow {
    body: String,
    updated_at: i64,
}

/// The viewer's own private note on a meeting, when they are a participant. The only read of
/// private note bodies: the viewer's own, by their own account.
pub(super) async fn read_private_note(
    db: &Db,
    actor: &Actor,
    seat: Seat,
    meeting: i64,
) -> AppResult<Option<PrivateNote>> {
    let me = match actor.user_id {
        Some(me) if seat == Seat::Participant && policy::read_private_note(actor, me) => me,
        _ => return Ok(None),
    };
    let row = sqlx::query_as::<_, PrivateNoteRow>(
        "SELECT body, updated_at FROM private_notes WHERE meeting_id = $1 AND author_id = $2",
    )
    .bind(meeting)
    .bind(me)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| PrivateNote {
        body: r.body,
        updated_at: r.updated_at,
    }))
}

/// Who saved a meeting's shared notes last, and how many times they were saved.
#[derive(sqlx::FromRow)]
struct NotesRevisionRow {
    notes_revision: i64,
    notes_by: Option<String>,
}

/// Saves the shared notes of the upcoming meeting. With `revision` (the `notes_revision` the
/// writer started from), a save from an older copy is refused with a 409 instead of overwriting
/// what the other participant saved meanwhile. Returns the new revision.
pub async fn save_shared_notes(
    state: &AppState,
    actor: &Actor,
    meeting: i64,
    notes: &str,
    revision: Option<i64>,
) -> AppResult<i64> {
    let (_, _, permit) = writable_meeting(state, actor, meeting).await?;
    if notes.chars().count() > TEXT_MAX {
        return Err(AppError::invalid_field(
            "shared_notes",
            format!("the notes have at most {TEXT_MAX} characters"),
        ));
    }
    let at = now();
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let row = sqlx::query_as::<_, NotesRevisionRow>(
        "SELECT m.notes_revision, u.name AS notes_by FROM one_on_ones m \
         LEFT JOIN users u ON u.id = m.notes_updated_by WHERE m.id = $1",
    )
    .bind(meeting)
    .fetch_one(&mut **work.tx())
    .await?;
    let current = row.notes_revision;
    if let Some(seen) = revision
        && seen != current
    {
        return Err(AppError::Conflict(format!(
            "{} saved the shared notes after you opened them; your text was not saved: \
             copy what you need, reload and save again",
            row.notes_by.unwrap_or_else(|| "someone".into())
        )));
    }
    sqlx::query(
        "UPDATE one_on_ones SET shared_notes = $1, notes_revision = notes_revision + 1, \
         notes_updated_by = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(notes)
    .bind(actor.user_id)
    .bind(at)
    .bind(meeting)
    .execute(&mut **work.tx())
    .await?;
    work.record(
        Action::OneOnOneSaveSharedNotes,
        &format!("one_on_one:{meeting}"),
        &format!("Saved the shared notes of 1:1 {meeting}"),
        Some(serde_json::json!({ "revision": current + 1, "characters": notes.chars().count() })),
    )
    .await?;
    work.commit().await?;
    Ok(current + 1)
}

/// Saves the viewer's own private note on the upcoming meeting; an empty note removes it. Nobody
/// else ever reads it, and the audit event says only that it was saved.
pub async fn save_private_note(
    state: &AppState,
    actor: &Actor,
    meeting: i64,
    body: &str,
) -> AppResult<()> {
    let (_, _, permit) = writable_meeting(state, actor, meeting).await?;
    let Some(me) = actor.user_id else {
        return Err(AppError::Forbidden);
    };
    if body.chars().count() > TEXT_MAX {
        return Err(AppError::invalid_field(
            "private_note",
            format!("a private note has at most {TEXT_MAX} characters"),
        ));
    }
    let mut work = Work::begin(state.db(), actor, permit).await?;
    sqlx::query("DELETE FROM private_notes WHERE meeting_id = $1 AND author_id = $2")
        .bind(meeting)
        .bind(me)
        .execute(&mut **work.tx())
        .await?;
    if !body.trim().is_empty() {
        sqlx::query(
            "INSERT INTO private_notes (meeting_id, author_id, body, updated_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(meeting)
        .bind(me)
        .bind(body)
        .bind(now())
        .execute(&mut **work.tx())
        .await?;
    }
    work.record(
        Action::OneOnOneSavePrivateNote,
        &format!("one_on_one:{meeting}"),
        &format!("Saved their private note on 1:1 {meeting}"),
        None,
    )
    .await?;
    work.commit().await?;
    Ok(())
}
