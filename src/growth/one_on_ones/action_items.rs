//! Action items: they belong to the series and are carried over from meeting to meeting until
//! done.

use serde::Serialize;

use super::access::{require_open, series_access, writable_meeting};
use super::meetings;
use super::{PersonRef, TITLE_MAX, field_error, gate, invalid};
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy;
use crate::db::{Db, Work, now};
use crate::domain::Day;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// An action item, as a meeting shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ActionItem {
    pub id: i64,
    pub title: String,
    /// One of the two participants.
    pub owner: Option<PersonRef>,
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// Done, as of this meeting.
    pub done: bool,
    /// Unix seconds.
    pub done_at: Option<i64>,
    /// Open past its due date (upcoming meetings only).
    pub overdue: bool,
    /// The date of the meeting the item was added in, when that is an earlier meeting.
    pub carried_over_from: Option<String>,
}

/// An action item as typed.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub title: String,
    /// One of the two participants; the writer when absent.
    pub owner: Option<i64>,
    /// `YYYY-MM-DD`; optional.
    pub due_on: String,
}

/// An action item of a series, with its owner's name and the date of the meeting it was added
/// in.
#[derive(sqlx::FromRow)]
struct ActionItemRow {
    id: i64,
    meeting_id: i64,
    title: String,
    owner_id: Option<i64>,
    owner_name: Option<String>,
    due_on: Option<String>,
    done_at: Option<i64>,
    done_in_meeting: Option<i64>,
    created_on: String,
}

impl ActionItemRow {
    /// The item as the meeting `meeting` shows it: done only if it was done by then, overdue only
    /// in an upcoming meeting.
    fn into_item(self, meeting: i64, upcoming: bool, today: &str) -> ActionItem {
        let done = self.done_at.is_some() && self.done_in_meeting.is_none_or(|d| d <= meeting);
        ActionItem {
            id: self.id,
            title: self.title,
            owner: self
                .owner_id
                .zip(self.owner_name)
                .map(|(id, name)| PersonRef { id, name }),
            overdue: upcoming && !done && self.due_on.as_deref().is_some_and(|d| d < today),
            due_on: self.due_on,
            done,
            done_at: if done { self.done_at } else { None },
            carried_over_from: (self.meeting_id < meeting).then_some(self.created_on),
        }
    }
}

/// The action items a meeting of the series shows: those added in it, and those added earlier
/// and not done before it.
pub(super) async fn read_action_items(
    db: &Db,
    series: i64,
    meeting: i64,
    upcoming: bool,
    today: &str,
) -> AppResult<Vec<ActionItem>> {
    let rows = sqlx::query_as::<_, ActionItemRow>(
        "SELECT a.id, a.meeting_id, a.title, a.owner_id, o.name AS owner_name, a.due_on, a.done_at, \
         a.done_in_meeting, m.scheduled_on AS created_on FROM action_items a \
         JOIN one_on_ones m ON m.id = a.meeting_id LEFT JOIN users o ON o.id = a.owner_id \
         WHERE a.series_id = $1 AND a.meeting_id <= $2 \
         AND (a.meeting_id = $2 OR a.done_in_meeting IS NULL OR a.done_in_meeting >= $2) \
         ORDER BY a.meeting_id, a.id",
    )
    .bind(series)
    .bind(meeting)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| r.into_item(meeting, upcoming, today))
        .collect())
}

/// Adds an action item in the upcoming meeting, owned by one of the two participants. Returns its
/// id.
pub async fn add_action_item(
    state: &AppState,
    actor: &Actor,
    meeting: i64,
    input: &ItemInput,
) -> AppResult<i64> {
    let (access, _, permit) = writable_meeting(state, actor, meeting).await?;
    let mut errors = Vec::new();
    let title = input.title.trim();
    if title.is_empty() {
        errors.push(field_error("title", "say what is to be done"));
    } else if title.chars().count() > TITLE_MAX {
        errors.push(field_error(
            "title",
            format!("an action item has at most {TITLE_MAX} characters"),
        ));
    }
    let participants = [&access.info.manager, &access.info.report];
    let owner = match input.owner.or(actor.user_id) {
        Some(o) if participants.iter().any(|p| p.id == o) => Some(o),
        _ => {
            errors.push(field_error(
                "owner",
                format!(
                    "the owner is one of the two: {} or {}",
                    access.info.manager.name, access.info.report.name
                ),
            ));
            None
        }
    };
    let due_on = match input.due_on.trim() {
        "" => None,
        raw => match Day::parse(raw) {
            Ok(d) => Some(d.to_string()),
            Err(m) => {
                errors.push(field_error("due_on", m));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO action_items (series_id, meeting_id, title, owner_id, due_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(access.info.id)
    .bind(meeting)
    .bind(title)
    .bind(owner)
    .bind(&due_on)
    .bind(actor.user_id)
    .bind(now())
    .fetch_one(&mut **work.tx())
    .await?;
    work.record(
        Action::OneOnOneAddActionItem,
        &format!("action_item:{id}"),
        &format!("Added the action item \"{title}\" in 1:1 {meeting}"),
        Some(serde_json::json!({
            "meeting_id": meeting, "title": title, "owner_id": owner, "due_on": due_on,
        })),
    )
    .await?;
    work.commit().await?;
    Ok(id)
}

/// An action item as the series' upcoming meeting shows it.
pub async fn action_item(state: &AppState, actor: &Actor, id: i64) -> AppResult<ActionItem> {
    gate(state, actor).await?;
    let series = item_series(state.db(), id).await?;
    meetings::series(state, actor, series)
        .await?
        .current
        .action_items
        .into_iter()
        .find(|i| i.id == id)
        .ok_or_else(|| AppError::not_found("this action item"))
}

async fn item_series(db: &Db, item: i64) -> AppResult<i64> {
    sqlx::query_scalar("SELECT series_id FROM action_items WHERE id = $1")
        .bind(item)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("this action item"))
}

/// Ticks an action item done, or opens it again; it counts as done in the series' upcoming
/// meeting, and stops being carried over after it. Returns that upcoming meeting.
pub async fn set_item_done(state: &AppState, actor: &Actor, id: i64, done: bool) -> AppResult<i64> {
    gate(state, actor).await?;
    let series = item_series(state.db(), id).await?;
    let access = series_access(state, actor, series).await?;
    let permit = policy::write_one_on_one(actor, access.seat)?;
    require_open(&access.info)?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let title: String = sqlx::query_scalar("SELECT title FROM action_items WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **work.tx())
        .await?;
    let upcoming: i64 = sqlx::query_scalar(
        "SELECT MAX(id) FROM one_on_ones WHERE series_id = $1 AND status = 'upcoming'",
    )
    .bind(series)
    .fetch_one(&mut **work.tx())
    .await?;
    if done {
        sqlx::query(
            "UPDATE action_items SET done_at = COALESCE(done_at, $1), \
             done_in_meeting = COALESCE(done_in_meeting, $2) WHERE id = $3",
        )
        .bind(now())
        .bind(upcoming)
        .bind(id)
        .execute(&mut **work.tx())
        .await?;
    } else {
        sqlx::query("UPDATE action_items SET done_at = NULL, done_in_meeting = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut **work.tx())
            .await?;
    }
    work.record(
        if done {
            Action::OneOnOneTickActionItem
        } else {
            Action::OneOnOneReopenActionItem
        },
        &format!("action_item:{id}"),
        &format!(
            "{} the action item \"{title}\"",
            if done { "Ticked" } else { "Reopened" }
        ),
        Some(serde_json::json!({ "series_id": series, "meeting_id": upcoming, "done": done })),
    )
    .await?;
    work.commit().await?;
    Ok(upcoming)
}
