//! Meetings: a series with its history, one meeting with everything the viewer may read of it,
//! and moving the upcoming one to another day.

use serde::Serialize;

use super::access::{Access, meeting_access, series_access, writable_meeting};
use super::action_items::{ActionItem, read_action_items};
use super::agenda::{GoalLink, TalkingPoint, read_agenda};
use super::notes::{PrivateNote, read_private_note};
use super::series::SeriesInfo;
use super::today;
use crate::architecture::framework;
use crate::audit::Action;
use crate::auth::Actor;
use crate::db::{Work, now};
use crate::domain::Day;
use crate::error::{AppError, AppResult};
use crate::growth::plans;
use crate::state::AppState;

/// Where a meeting stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    /// The series' next meeting: the one people prepare and write in.
    Upcoming,
    /// Completed; read only.
    Held,
}

impl MeetingStatus {
    pub(super) fn parse(raw: &str) -> MeetingStatus {
        if raw == "held" {
            MeetingStatus::Held
        } else {
            MeetingStatus::Upcoming
        }
    }
}

/// A meeting in the history of a series.
#[derive(Debug, Clone)]
pub struct MeetingSummary {
    pub id: i64,
    /// `YYYY-MM-DD`.
    pub scheduled_on: String,
    pub status: MeetingStatus,
    /// Unix seconds.
    pub held_at: Option<i64>,
    /// `YYYY-MM-DD` of the day it was held: the day it was completed when that was before its
    /// planned day, else its planned day.
    pub held_on: Option<String>,
    pub talking_points: i64,
    /// A talking point links a goal or a competency.
    pub growth: bool,
}

/// A series with its upcoming meeting and the meetings held.
#[derive(Debug, Clone)]
pub struct Series {
    pub info: SeriesInfo,
    pub current: Meeting,
    /// Newest first.
    pub history: Vec<MeetingSummary>,
}

/// A meeting with its agenda, notes and action items.
#[derive(Debug, Clone)]
pub struct Meeting {
    pub id: i64,
    pub series_id: i64,
    /// `YYYY-MM-DD`.
    pub scheduled_on: String,
    pub status: MeetingStatus,
    /// Unix seconds.
    pub held_at: Option<i64>,
    /// `YYYY-MM-DD` of the day it was held: the day it was completed when that was before its
    /// planned day, else its planned day.
    pub held_on: Option<String>,
    /// Upcoming with a date before today.
    pub overdue: bool,
    /// A talking point links a goal or a competency.
    pub growth: bool,
    /// In agenda order.
    pub agenda: Vec<TalkingPoint>,
    /// Markdown, written by both participants.
    pub shared_notes: String,
    /// How many times the shared notes were saved; send it back to save, so that a save from an
    /// older copy is refused instead of overwriting the other participant's words.
    pub notes_revision: i64,
    pub notes_updated_by: Option<String>,
    /// Added in this meeting, and carried over from earlier ones until done.
    pub action_items: Vec<ActionItem>,
    /// The viewer's own private note; nobody else's is ever here.
    pub private_note: Option<PrivateNote>,
    /// The viewer may write in this meeting: a participant, and the meeting is upcoming.
    pub can_write: bool,
    /// The report's active goals, which a talking point can link (for writers only).
    pub linkable_goals: Vec<GoalLink>,
}

/// A meeting with the series it belongs to.
#[derive(Debug, Clone)]
pub struct MeetingPage {
    pub series: SeriesInfo,
    pub meeting: Meeting,
}

/// A series with its upcoming meeting and the history of meetings held.
pub async fn series(state: &AppState, actor: &Actor, id: i64) -> AppResult<Series> {
    let access = series_access(state, actor, id).await?;
    let db = state.db();
    let current: i64 = sqlx::query_scalar(
        "SELECT id FROM one_on_ones WHERE series_id = $1 AND status = 'upcoming' ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::internal(format!("the 1:1 series {id} has no upcoming meeting")))?;
    let current = load_meeting(state, actor, &access, current).await?;
    let history = sqlx::query_as::<_, HistoryRow>(
        "SELECT m.id, m.scheduled_on, m.status, m.held_at, m.held_on, \
         (SELECT COUNT(*) FROM talking_points t WHERE t.meeting_id = m.id) AS points, \
         (SELECT COUNT(*) FROM talking_points t WHERE t.meeting_id = m.id \
          AND (t.goal_id IS NOT NULL OR t.competency_key IS NOT NULL)) AS growth_points \
         FROM one_on_ones m WHERE m.series_id = $1 AND m.status = 'held' \
         ORDER BY m.held_on DESC, m.id DESC",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(HistoryRow::into_summary)
    .collect();
    Ok(Series {
        info: access.info,
        current,
        history,
    })
}

/// A meeting of a series' history, with how many talking points it had and how many of them
/// link a goal or a competency.
#[derive(sqlx::FromRow)]
struct HistoryRow {
    id: i64,
    scheduled_on: String,
    status: String,
    held_at: Option<i64>,
    held_on: Option<String>,
    points: i64,
    growth_points: i64,
}

impl HistoryRow {
    fn into_summary(self) -> MeetingSummary {
        MeetingSummary {
            id: self.id,
            scheduled_on: self.scheduled_on,
            status: MeetingStatus::parse(&self.status),
            held_at: self.held_at,
            held_on: self.held_on,
            talking_points: self.points,
            growth: self.growth_points > 0,
        }
    }
}

/// A meeting of a series, upcoming or held.
pub async fn meeting(state: &AppState, actor: &Actor, id: i64) -> AppResult<MeetingPage> {
    let (access, _) = meeting_access(state, actor, id).await?;
    let meeting = load_meeting(state, actor, &access, id).await?;
    Ok(MeetingPage {
        series: access.info,
        meeting,
    })
}

/// A meeting's own columns, with the name of who saved its shared notes last.
#[derive(sqlx::FromRow)]
struct MeetingRow {
    scheduled_on: String,
    status: String,
    held_at: Option<i64>,
    held_on: Option<String>,
    shared_notes: String,
    notes_revision: i64,
    notes_by: Option<String>,
}

/// Everything of a meeting the viewer may read: its own columns, then its agenda, the action
/// items it shows, the viewer's private note and (for writers) the goals a talking point can link.
async fn load_meeting(
    state: &AppState,
    actor: &Actor,
    access: &Access,
    id: i64,
) -> AppResult<Meeting> {
    let db = state.db();
    let row = sqlx::query_as::<_, MeetingRow>(
        "SELECT m.id, m.series_id, m.scheduled_on, m.status, m.held_at, m.held_on, m.shared_notes, \
         m.notes_revision, u.name AS notes_by FROM one_on_ones m \
         LEFT JOIN users u ON u.id = m.notes_updated_by WHERE m.id = $1",
    )
    .bind(id)
    .fetch_one(db.pool())
    .await?;
    let status = MeetingStatus::parse(&row.status);
    let today = today();
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let upcoming = status == MeetingStatus::Upcoming;
    let can_write = access.info.can_write && upcoming;
    let agenda = read_agenda(db, actor, fw, id, can_write).await?;
    let action_items = read_action_items(db, access.info.id, id, upcoming, &today).await?;
    let growth = agenda
        .iter()
        .any(|p| p.goal.is_some() || p.competency.is_some());
    let private_note = read_private_note(db, actor, access.seat, id).await?;
    let linkable_goals = if can_write {
        plans::goal_titles(db, access.info.report.id)
            .await?
            .into_iter()
            .map(|(id, title)| GoalLink { id, title })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Meeting {
        id,
        series_id: access.info.id,
        overdue: upcoming && row.scheduled_on < today,
        scheduled_on: row.scheduled_on,
        status,
        held_at: row.held_at,
        held_on: row.held_on,
        growth,
        agenda,
        shared_notes: row.shared_notes,
        notes_revision: row.notes_revision,
        notes_updated_by: row.notes_by,
        action_items,
        private_note,
        can_write,
        linkable_goals,
    })
}

/// Moves the upcoming meeting to another day.
pub async fn reschedule(state: &AppState, actor: &Actor, meeting: i64, day: &str) -> AppResult<()> {
    let (_, row, permit) = writable_meeting(state, actor, meeting).await?;
    let day = Day::parse(day)
        .map_err(|m| AppError::invalid_field("scheduled_on", m))?
        .to_string();
    let mut work = Work::begin(state.db(), actor, permit).await?;
    sqlx::query("UPDATE one_on_ones SET scheduled_on = $1, updated_at = $2 WHERE id = $3")
        .bind(&day)
        .bind(now())
        .bind(meeting)
        .execute(&mut **work.tx())
        .await?;
    work.record(
        Action::OneOnOneReschedule,
        &format!("one_on_one:{meeting}"),
        &format!("Moved 1:1 {meeting} from {} to {day}", row.scheduled_on),
        Some(serde_json::json!({ "from": row.scheduled_on, "to": day })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}
