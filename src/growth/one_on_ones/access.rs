//! Who may read and write a series or a meeting: every entry point of the module asks here.

use super::meetings::MeetingStatus;
use super::series::SeriesInfo;
use super::{PersonRef, Side, gate};
use crate::auth::Actor;
use crate::auth::policy::{self, Allowed, Relation, Seat};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::people::directory;
use crate::state::AppState;

/// A series, and how the viewer stands to it.
pub(super) struct Access {
    pub(super) info: SeriesInfo,
    pub(super) seat: Seat,
}

/// A series with its two people, and the report's manager today.
#[derive(sqlx::FromRow)]
struct SeriesRow {
    manager_id: i64,
    manager_name: String,
    report_id: i64,
    report_name: String,
    report_manager: Option<i64>,
    cadence_days: i64,
}

/// The series, for those who may read it; a 404 for everyone else.
pub(super) async fn series_access(
    state: &AppState,
    actor: &Actor,
    series: i64,
) -> AppResult<Access> {
    gate(state, actor).await?;
    let db = state.db();
    let row = sqlx::query_as::<_, SeriesRow>(
        "SELECT s.id, s.manager_id, mu.name AS manager_name, s.report_id, ru.name AS report_name, \
         ru.manager_id AS report_manager, s.cadence_days FROM one_on_one_series s \
         JOIN users mu ON mu.id = s.manager_id \
         JOIN users ru ON ru.id = s.report_id WHERE s.id = $1",
    )
    .bind(series)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found("this 1:1"))?;
    let manager = PersonRef {
        id: row.manager_id,
        name: row.manager_name,
    };
    let report = PersonRef {
        id: row.report_id,
        name: row.report_name,
    };
    let side = match actor.user_id {
        Some(me) if me == manager.id => Some(Side::Manager),
        Some(me) if me == report.id => Some(Side::Report),
        _ => None,
    };
    let seat = if side.is_some() {
        Seat::Participant
    } else if directory::relation(db, actor, report.id).await? == Relation::InManagementChain {
        Seat::AboveManager
    } else {
        Seat::Outside
    };
    if !policy::read_one_on_one(actor, seat) {
        return Err(AppError::not_found("this 1:1"));
    }
    let closed = row.report_manager != Some(manager.id);
    Ok(Access {
        info: SeriesInfo {
            id: series,
            manager,
            report,
            cadence_days: row.cadence_days,
            side,
            closed,
            can_write: !closed && policy::write_one_on_one(actor, seat).is_ok(),
        },
        seat,
    })
}

/// Refuses a write in a closed series, saying why.
pub(super) fn require_open(info: &SeriesInfo) -> AppResult<()> {
    if info.closed {
        return Err(AppError::Conflict(format!(
            "{} is no longer {}'s manager, so this 1:1 series is closed: its history stays, and nothing can be added",
            info.manager.name, info.report.name
        )));
    }
    Ok(())
}

/// A meeting's series and status.
pub(super) struct MeetingState {
    pub(super) series: i64,
    pub(super) status: MeetingStatus,
    pub(super) scheduled_on: String,
}

/// A meeting's series and status, as stored.
#[derive(sqlx::FromRow)]
struct MeetingStateRow {
    series_id: i64,
    status: String,
    scheduled_on: String,
}

async fn meeting_state(db: &Db, meeting: i64) -> AppResult<MeetingState> {
    let row = sqlx::query_as::<_, MeetingStateRow>(
        "SELECT series_id, status, scheduled_on FROM one_on_ones WHERE id = $1",
    )
    .bind(meeting)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found("this 1:1"))?;
    Ok(MeetingState {
        series: row.series_id,
        status: MeetingStatus::parse(&row.status),
        scheduled_on: row.scheduled_on,
    })
}

/// The meeting, for those who may read its series.
pub(super) async fn meeting_access(
    state: &AppState,
    actor: &Actor,
    meeting: i64,
) -> AppResult<(Access, MeetingState)> {
    gate(state, actor).await?;
    let row = meeting_state(state.db(), meeting).await?;
    let access = series_access(state, actor, row.series).await?;
    Ok((access, row))
}

/// The meeting, for a participant who writes in it while it is upcoming, with the policy's leave
/// to write: 404 for those who may not read it, 403 for readers, 409 once it was held.
pub(super) async fn writable_meeting(
    state: &AppState,
    actor: &Actor,
    meeting: i64,
) -> AppResult<(Access, MeetingState, Allowed)> {
    let (access, row) = meeting_access(state, actor, meeting).await?;
    let permit = policy::write_one_on_one(actor, access.seat)?;
    require_open(&access.info)?;
    if row.status == MeetingStatus::Held {
        return Err(AppError::Conflict(format!(
            "the 1:1 of {} was held already: add this to the next one",
            row.scheduled_on
        )));
    }
    Ok((access, row, permit))
}
