//! 1:1s: a series of meetings between a manager and one of their direct reports, started by
//! either of them with a cadence in days. Every series has exactly one upcoming meeting; it holds
//! a shared agenda (talking points both add, each linkable to one of the report's goals and to a
//! competency, ordered, marked discussed), shared notes, each participant's private notes and the
//! action items. Action items belong to the series: an item stays in every later meeting, "carried
//! over", until it is done. Completing the meeting marks it held and adds the next one, a cadence
//! later.
//!
//! Who sees what:
//! - the two participants read and write the shared content (agenda, shared notes, action items);
//! - the report's management chain above the manager, and admins, read the shared content and
//!   write nothing (403);
//! - everyone else gets a 404, exactly as for a series that does not exist;
//! - a private note is read by its author only: [`meeting`] fills [`Meeting::private_note`] from
//!   the one query in this module that reads `private_notes` bodies, bound to the viewer's own
//!   account. No export, list or audit event carries a private note's text.
//!
//! A meeting is a **growth 1:1** when one of its talking points links a goal or a competency
//! ([`GROWTH_TOPIC`]); [`growth_one_on_ones_since`] counts them for the KPI dashboard.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;

use crate::architecture::framework;
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy::{self, Allowed, Relation, Seat};
use crate::db::Work;
use crate::db::{Db, now};
use crate::domain::Day;
use crate::error::{AppError, AppResult, FieldError};
use crate::growth::plans::{self, CompetencyRef};
use crate::people::directory;
use crate::rollout::pilot;
use crate::state::AppState;

/// The longest cadence, in days.
pub const CADENCE_MAX: i64 = 365;
/// The cadence of a series when none is given, in days.
pub const DEFAULT_CADENCE: i64 = 14;
/// The longest talking point, in characters.
pub const POINT_MAX: usize = 1_000;
/// The longest action item title, in characters.
pub const TITLE_MAX: usize = 200;
/// The longest notes, shared or private, in characters.
pub const TEXT_MAX: usize = 20_000;

/// The SQL condition that makes a meeting (aliased `m`) a growth 1:1: one of its talking points
/// links a goal or a competency. For queries of other areas that count growth 1:1s their own way
/// (by team, say); [`growth_one_on_ones_since`] uses it.
pub const GROWTH_TOPIC: &str = "EXISTS (SELECT 1 FROM talking_points t WHERE t.meeting_id = m.id \
     AND (t.goal_id IS NOT NULL OR t.competency_key IS NOT NULL))";

/// Where a meeting stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OneOnOneMeetingStatus)]
pub enum MeetingStatus {
    /// The series' next meeting: the one people prepare and write in.
    Upcoming,
    /// Completed; read only.
    Held,
}

impl MeetingStatus {
    fn parse(raw: &str) -> MeetingStatus {
        if raw == "held" {
            MeetingStatus::Held
        } else {
            MeetingStatus::Upcoming
        }
    }
}

/// A participant's side of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OneOnOneSide)]
pub enum Side {
    Manager,
    Report,
}

/// Which way a talking point moves in the agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn parse(raw: &str) -> Option<Direction> {
        match raw.trim() {
            "up" => Some(Direction::Up),
            "down" => Some(Direction::Down),
            _ => None,
        }
    }
}

/// Someone, by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = OneOnOnePerson)]
pub struct PersonRef {
    pub id: i64,
    pub name: String,
}

/// A series as the list of one's 1:1s shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OneOnOneSeriesSummary)]
pub struct SeriesSummary {
    pub id: i64,
    pub manager: PersonRef,
    pub report: PersonRef,
    pub cadence_days: i64,
    /// The viewer's side.
    pub side: Side,
    pub next_meeting_id: i64,
    /// `YYYY-MM-DD`.
    pub next_on: String,
    /// The next meeting's date is past and it was not completed.
    pub overdue: bool,
    /// `YYYY-MM-DD` of the last meeting held.
    pub last_held_on: Option<String>,
    pub open_action_items: i64,
    /// The manager is no longer the report's manager: see [`SeriesInfo::closed`].
    pub closed: bool,
}

/// Someone the viewer can start a series with: a direct report, or their own manager.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OneOnOneCandidate)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    /// The viewer's side in the series it would start.
    pub side: Side,
}

/// The viewer's 1:1s, as manager and as report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MyOneOnOnes {
    /// Soonest next meeting first.
    pub series: Vec<SeriesSummary>,
    /// People with whom the viewer has no series yet.
    pub can_start_with: Vec<Candidate>,
}

/// Who a series is between, and what the viewer may do in it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OneOnOneSeriesInfo)]
pub struct SeriesInfo {
    pub id: i64,
    pub manager: PersonRef,
    pub report: PersonRef,
    pub cadence_days: i64,
    /// The viewer's side; `None` for readers above the manager and admins.
    pub side: Option<Side>,
    /// The manager is no longer the report's manager (the report moved, or the manager did): the
    /// series is closed. Its history stays readable by those who could read it; nothing can be
    /// added. It opens again if they become manager and report again.
    pub closed: bool,
    /// The viewer is a participant, the series is not closed, and they write in the upcoming
    /// meeting.
    pub can_write: bool,
}

/// A meeting in the history of a series.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OneOnOneMeetingSummary)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OneOnOneSeries)]
pub struct Series {
    #[serde(flatten)]
    pub info: SeriesInfo,
    pub current: Meeting,
    /// Newest first.
    pub history: Vec<MeetingSummary>,
}

/// One of the report's goals, as a talking point links it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GoalLink {
    pub id: i64,
    pub title: String,
}

/// An item of a meeting's shared agenda.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TalkingPoint {
    pub id: i64,
    pub author: Option<PersonRef>,
    pub body: String,
    pub goal: Option<GoalLink>,
    pub competency: Option<CompetencyRef>,
    pub discussed: bool,
    /// The viewer may remove it: its author, while the meeting is upcoming.
    pub can_remove: bool,
    /// The date of the meeting it was first added to, when it was not discussed there and so
    /// carried over to this one.
    pub carried_over_from: Option<String>,
}

/// An action item, as a meeting shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OneOnOneActionItem)]
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

/// The viewer's own private note on a meeting.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OneOnOnePrivateNote)]
pub struct PrivateNote {
    pub body: String,
    /// Unix seconds.
    pub updated_at: i64,
}

/// A meeting with its agenda, notes and action items.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OneOnOneMeeting)]
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
    #[serde(skip)]
    pub linkable_goals: Vec<GoalLink>,
}

/// A meeting with the series it belongs to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = OneOnOneMeetingPage)]
pub struct MeetingPage {
    pub series: SeriesInfo,
    pub meeting: Meeting,
}

/// Someone's next 1:1, for the home page and the team view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = NextOneOnOne)]
pub struct NextMeeting {
    pub series_id: i64,
    pub meeting_id: i64,
    /// `YYYY-MM-DD`.
    pub scheduled_on: String,
    /// The other participant.
    pub with_id: i64,
    pub with_name: String,
    /// The person's side of the series.
    pub side: Side,
    /// The date is past and the meeting was not completed.
    pub overdue: bool,
}

/// 1:1s held since a day, for the KPI dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GrowthOneOnOnes {
    /// Meetings held (completed) with a date on or after the day.
    pub held: i64,
    /// Those of them with a growth topic ([`GROWTH_TOPIC`]).
    pub growth: i64,
    /// Reports who had at least one growth 1:1 among them.
    pub people: i64,
}

/// How a series starts, as typed.
#[derive(Debug, Clone, Default)]
pub struct StartInput {
    /// Days between meetings; [`DEFAULT_CADENCE`] when empty.
    pub cadence_days: String,
    /// `YYYY-MM-DD` of the first meeting; today when empty.
    pub first_on: String,
}

impl StartInput {
    /// The one check of how a series starts, for one report or a whole team: the cadence in days
    /// and the first meeting's day.
    pub fn check(&self) -> Result<(i64, String), Vec<FieldError>> {
        let mut errors = Vec::new();
        let cadence = match self.cadence_days.trim() {
            "" => Some(DEFAULT_CADENCE),
            raw => match raw.parse::<i64>() {
                Ok(n) if (1..=CADENCE_MAX).contains(&n) => Some(n),
                _ => {
                    errors.push(field_error(
                        "cadence_days",
                        format!("the cadence is a number of days from 1 to {CADENCE_MAX}"),
                    ));
                    None
                }
            },
        };
        let first_on = match self.first_on.trim() {
            "" => Some(today()),
            raw => Day::parse(raw)
                .map(|d| d.to_string())
                .map_err(|m| errors.push(field_error("first_on", m)))
                .ok(),
        };
        match (cadence, first_on) {
            (Some(cadence), Some(first_on)) if errors.is_empty() => Ok((cadence, first_on)),
            _ => Err(errors),
        }
    }
}

/// Writes a new series between `manager` and `report` with its first meeting, and its audit
/// event, inside the caller's transaction. The callers checked who may start it and that the two
/// have no series yet.
async fn insert_series(
    work: &mut Work<'_>,
    (manager, report): (i64, i64),
    other_name: &str,
    cadence: i64,
    first_on: &str,
    at: i64,
) -> AppResult<i64> {
    let series: i64 = sqlx::query_scalar(
        "INSERT INTO one_on_one_series (manager_id, report_id, cadence_days, started_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(manager)
    .bind(report)
    .bind(cadence)
    .bind(work.actor().user_id)
    .bind(at)
    .fetch_one(&mut **work.tx())
    .await?;
    let meeting: i64 = sqlx::query_scalar(
        "INSERT INTO one_on_ones (series_id, scheduled_on, status, created_at, updated_at) \
         VALUES ($1, $2, 'upcoming', $3, $3) RETURNING id",
    )
    .bind(series)
    .bind(first_on)
    .bind(at)
    .fetch_one(&mut **work.tx())
    .await?;
    work.record(
        Action::OneOnOneStart,
        &format!("one_on_one_series:{series}"),
        &format!("Started 1:1s with {other_name}, every {cadence} days from {first_on}"),
        Some(serde_json::json!({
            "manager_id": manager, "report_id": report, "cadence_days": cadence,
            "first_on": first_on, "first_meeting_id": meeting,
        })),
    )
    .await?;
    Ok(series)
}

/// A talking point as typed.
#[derive(Debug, Clone, Default)]
pub struct PointInput {
    pub body: String,
    /// One of the report's goals.
    pub goal: Option<i64>,
    /// A competency key of the library; empty for none.
    pub competency: String,
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

/// A series started, or the one that already existed between the two people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Started {
    pub series: i64,
    pub created: bool,
}

/// Every entry point starts here: SCIM tokens are refused, and people outside the pilot of the
/// Grow features too.
async fn gate(state: &AppState, actor: &Actor) -> AppResult<()> {
    policy::use_plans_and_one_on_ones(actor)?;
    pilot::require_grow(state.db(), actor).await
}

fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, message)
}

fn invalid(errors: Vec<FieldError>) -> AppError {
    AppError::invalid_fields(errors, "the 1:1 was not changed")
}

fn today() -> String {
    Day::today().to_string()
}

const DAY_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// The date of the meeting after one on `day`: `cadence` days later, or the first date of that
/// rhythm that is not before `today` when the meeting was completed late.
fn next_date(day: &str, cadence: i64, today: &str) -> AppResult<String> {
    let parse = |d: &str| {
        time::Date::parse(d, DAY_FORMAT)
            .map_err(|_| AppError::internal(format!("a stored day “{d}” does not parse")))
    };
    let (day, today) = (parse(day)?, parse(today)?);
    let cadence = cadence.clamp(1, CADENCE_MAX);
    let mut next = day + time::Duration::days(cadence);
    if next < today {
        let behind = (today - next).whole_days();
        let steps = (behind + cadence - 1) / cadence;
        next += time::Duration::days(steps * cadence);
    }
    next.format(DAY_FORMAT)
        .map_err(|e| AppError::internal(format!("a day does not format: {e}")))
}

/// A series, and how the viewer stands to it.
struct Access {
    info: SeriesInfo,
    seat: Seat,
}

/// The series, for those who may read it; a 404 for everyone else.
async fn series_access(state: &AppState, actor: &Actor, series: i64) -> AppResult<Access> {
    gate(state, actor).await?;
    let db = state.db();
    let row = sqlx::query(
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
        id: row.try_get("manager_id")?,
        name: row.try_get("manager_name")?,
    };
    let report = PersonRef {
        id: row.try_get("report_id")?,
        name: row.try_get("report_name")?,
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
    let closed = row.try_get::<Option<i64>, _>("report_manager")? != Some(manager.id);
    Ok(Access {
        info: SeriesInfo {
            id: series,
            manager,
            report,
            cadence_days: row.try_get("cadence_days")?,
            side,
            closed,
            can_write: !closed && policy::write_one_on_one(actor, seat).is_ok(),
        },
        seat,
    })
}

/// Refuses a write in a closed series, saying why.
fn require_open(info: &SeriesInfo) -> AppResult<()> {
    if info.closed {
        return Err(AppError::Conflict(format!(
            "{} is no longer {}'s manager, so this 1:1 series is closed: its history stays, and nothing can be added",
            info.manager.name, info.report.name
        )));
    }
    Ok(())
}

/// A meeting's series and status.
struct MeetingRow {
    series: i64,
    status: MeetingStatus,
    scheduled_on: String,
}

async fn meeting_row(db: &Db, meeting: i64) -> AppResult<MeetingRow> {
    let row = sqlx::query("SELECT series_id, status, scheduled_on FROM one_on_ones WHERE id = $1")
        .bind(meeting)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("this 1:1"))?;
    let status: String = row.try_get("status")?;
    Ok(MeetingRow {
        series: row.try_get("series_id")?,
        status: MeetingStatus::parse(&status),
        scheduled_on: row.try_get("scheduled_on")?,
    })
}

/// The meeting, for those who may read its series.
async fn meeting_access(
    state: &AppState,
    actor: &Actor,
    meeting: i64,
) -> AppResult<(Access, MeetingRow)> {
    gate(state, actor).await?;
    let row = meeting_row(state.db(), meeting).await?;
    let access = series_access(state, actor, row.series).await?;
    Ok((access, row))
}

/// The meeting, for a participant who writes in it while it is upcoming, with the policy's leave
/// to write: 404 for those who may not read it, 403 for readers, 409 once it was held.
async fn writable_meeting(
    state: &AppState,
    actor: &Actor,
    meeting: i64,
) -> AppResult<(Access, MeetingRow, Allowed)> {
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

/// The viewer's 1:1 series, and the people they could start one with.
pub async fn my_one_on_ones(state: &AppState, actor: &Actor) -> AppResult<MyOneOnOnes> {
    gate(state, actor).await?;
    let Some(me) = actor.user_id else {
        return Ok(MyOneOnOnes {
            series: Vec::new(),
            can_start_with: Vec::new(),
        });
    };
    let db = state.db();
    let today = today();
    let rows = sqlx::query(
        "SELECT s.id, s.manager_id, mu.name AS manager_name, s.report_id, ru.name AS report_name, \
         ru.manager_id AS report_manager, s.cadence_days, m.id AS next_id, m.scheduled_on AS next_on, \
         (SELECT MAX(h.held_on) FROM one_on_ones h WHERE h.series_id = s.id AND h.status = 'held') AS last_held_on, \
         (SELECT COUNT(*) FROM action_items a WHERE a.series_id = s.id AND a.done_at IS NULL) AS open_items \
         FROM one_on_one_series s JOIN users mu ON mu.id = s.manager_id JOIN users ru ON ru.id = s.report_id \
         JOIN one_on_ones m ON m.series_id = s.id AND m.status = 'upcoming' \
         WHERE s.manager_id = $1 OR s.report_id = $1 ORDER BY m.scheduled_on, s.id",
    )
    .bind(me)
    .fetch_all(db.pool())
    .await?;
    let series = rows
        .iter()
        .map(|r| {
            let manager_id: i64 = r.try_get("manager_id")?;
            let next_on: String = r.try_get("next_on")?;
            let closed = r.try_get::<Option<i64>, _>("report_manager")? != Some(manager_id);
            Ok(SeriesSummary {
                id: r.try_get("id")?,
                side: if manager_id == me {
                    Side::Manager
                } else {
                    Side::Report
                },
                manager: PersonRef {
                    id: manager_id,
                    name: r.try_get("manager_name")?,
                },
                report: PersonRef {
                    id: r.try_get("report_id")?,
                    name: r.try_get("report_name")?,
                },
                cadence_days: r.try_get("cadence_days")?,
                next_meeting_id: r.try_get("next_id")?,
                overdue: !closed && next_on < today,
                next_on,
                last_held_on: r.try_get("last_held_on")?,
                open_action_items: r.try_get("open_items")?,
                closed,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let candidates = sqlx::query(
        "SELECT u.id, u.name, CASE WHEN u.manager_id = $1 THEN 'manager' ELSE 'report' END AS side \
         FROM users u WHERE u.active = 1 AND u.id <> $1 \
         AND (u.manager_id = $1 OR u.id = (SELECT manager_id FROM users WHERE id = $1)) \
         AND NOT EXISTS (SELECT 1 FROM one_on_one_series s WHERE (s.manager_id = $1 AND s.report_id = u.id) \
                         OR (s.manager_id = u.id AND s.report_id = $1)) \
         ORDER BY u.name_key, u.id",
    )
    .bind(me)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let side: String = r.try_get("side")?;
        Ok(Candidate {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            side: if side == "manager" {
                Side::Manager
            } else {
                Side::Report
            },
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(MyOneOnOnes {
        series,
        can_start_with: candidates,
    })
}

/// Starts a series between the viewer and `other`, who must be their direct report or their
/// manager. When the two have a series already, nothing changes and that series is returned.
pub async fn start_series(
    state: &AppState,
    actor: &Actor,
    other: i64,
    input: &StartInput,
) -> AppResult<Started> {
    gate(state, actor).await?;
    let db = state.db();
    let Some(me) = actor.user_id else {
        // An organisation token is nobody's manager or report: the policy refuses it.
        policy::write_one_on_one(actor, Seat::Outside)?;
        return Err(AppError::Forbidden);
    };
    let row = sqlx::query("SELECT id, name, manager_id, active FROM users WHERE id = $1")
        .bind(other)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("this person"))?;
    let other_name: String = row.try_get("name")?;
    let other_manager: Option<i64> = row.try_get("manager_id")?;
    let my_manager: Option<i64> = sqlx::query_scalar("SELECT manager_id FROM users WHERE id = $1")
        .bind(me)
        .fetch_optional(db.pool())
        .await?
        .flatten();
    let pair = if other_manager == Some(me) {
        Some((me, other))
    } else if my_manager == Some(other) {
        Some((other, me))
    } else {
        None
    };
    let seat = if pair.is_some() {
        Seat::Participant
    } else {
        Seat::Outside
    };
    let permit = policy::write_one_on_one(actor, seat)?;
    let Some((manager, report)) = pair else {
        return Err(AppError::Forbidden);
    };
    if let Some(existing) = sqlx::query_scalar::<_, i64>(
        "SELECT id FROM one_on_one_series WHERE manager_id = $1 AND report_id = $2",
    )
    .bind(manager)
    .bind(report)
    .fetch_optional(db.pool())
    .await?
    {
        return Ok(Started {
            series: existing,
            created: false,
        });
    }
    let active: i64 = row.try_get("active")?;
    let mut errors = Vec::new();
    if active != 1 {
        errors.push(field_error(
            "",
            format!("{other_name} has left the organisation"),
        ));
    }
    let checked = input.check();
    if let Err(more) = &checked {
        errors.extend(more.iter().cloned());
    }
    let (Ok((cadence, first_on)), true) = (checked, errors.is_empty()) else {
        return Err(invalid(errors));
    };
    let mut work = Work::begin(db, actor, permit).await?;
    let series = insert_series(
        &mut work,
        (manager, report),
        &other_name,
        cadence,
        &first_on,
        now(),
    )
    .await?;
    work.commit().await?;
    Ok(Started {
        series,
        created: true,
    })
}

/// A manager's direct reports, as setting up 1:1s with the whole team sees them.
#[derive(Debug, Clone, Serialize)]
pub struct TeamSeriesPlan {
    pub manager: PersonRef,
    /// The reports with no series with the manager yet: setting up starts one with each.
    pub to_start: Vec<PersonRef>,
    /// The reports who have a series with the manager already, with it: they are skipped.
    pub already: Vec<(PersonRef, i64)>,
}

/// What setting up 1:1s with a team did.
#[derive(Debug, Clone)]
pub struct TeamStarted {
    pub manager: PersonRef,
    /// Each report with the series just started.
    pub started: Vec<(PersonRef, i64)>,
    /// The reports who had a series already.
    pub skipped: Vec<PersonRef>,
    pub cadence_days: i64,
    pub first_on: String,
}

/// The manager's direct reports still at the organisation, with or without a series with them,
/// for those who may set up the team's 1:1s: the manager, or an admin. Someone who is not in the
/// directory is a 404.
pub async fn team_series_plan(
    state: &AppState,
    actor: &Actor,
    manager: i64,
) -> AppResult<TeamSeriesPlan> {
    gate(state, actor).await?;
    let db = state.db();
    let name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(manager)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("this person"))?;
    policy::set_up_team_one_on_ones(actor, actor.user_id == Some(manager))?;
    let rows = sqlx::query(
        "SELECT u.id, u.name, s.id AS series_id FROM users u \
         LEFT JOIN one_on_one_series s ON s.manager_id = $1 AND s.report_id = u.id \
         WHERE u.manager_id = $1 AND u.active = 1 AND u.id <> $1 ORDER BY u.name_key, u.id",
    )
    .bind(manager)
    .fetch_all(db.pool())
    .await?;
    let mut plan = TeamSeriesPlan {
        manager: PersonRef { id: manager, name },
        to_start: Vec::new(),
        already: Vec::new(),
    };
    for r in rows {
        let person = PersonRef {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
        };
        match r.try_get::<Option<i64>, _>("series_id")? {
            Some(series) => plan.already.push((person, series)),
            None => plan.to_start.push(person),
        }
    }
    Ok(plan)
}

/// Starts a series between the manager and each of their direct reports who has none, all with
/// the same cadence and first day, in one transaction; the reports who have one are skipped. The
/// cadence and day are checked as for one series ([`StartInput::check`]).
pub async fn start_team_series(
    state: &AppState,
    actor: &Actor,
    manager: i64,
    input: &StartInput,
) -> AppResult<TeamStarted> {
    let plan = team_series_plan(state, actor, manager).await?;
    let (cadence, first_on) = input.check().map_err(invalid)?;
    let at = now();
    let own = actor.user_id == Some(manager);
    let permit = policy::set_up_team_one_on_ones(actor, own)?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let mut started = Vec::new();
    let mut skipped: Vec<PersonRef> = plan.already.iter().map(|(p, _)| p.clone()).collect();
    for report in plan.to_start {
        // A series started since the plan was read (by the report, say) is skipped, not doubled.
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM one_on_one_series WHERE manager_id = $1 AND report_id = $2",
        )
        .bind(manager)
        .bind(report.id)
        .fetch_optional(&mut **work.tx())
        .await?;
        if exists.is_some() {
            skipped.push(report);
            continue;
        }
        let with = if own {
            report.name.clone()
        } else {
            format!("{} for {}", report.name, plan.manager.name)
        };
        let series = insert_series(
            &mut work,
            (manager, report.id),
            &with,
            cadence,
            &first_on,
            at,
        )
        .await?;
        started.push((report, series));
    }
    work.record(Action::OneOnOneStartTeam,
        &format!("user:{manager}"),
        &format!(
            "Set up 1:1s for {}'s team: started {}, every {cadence} days from {first_on}; skipped {} who had 1:1s already",
            plan.manager.name,
            crate::text::plural(started.len(), "series", "series"),
            skipped.len()
        ),
        Some(serde_json::json!({
            "manager_id": manager,
            "cadence_days": cadence,
            "first_on": first_on,
            "started": started.iter().map(|(p, s)| serde_json::json!({"report_id": p.id, "series_id": s})).collect::<Vec<_>>(),
            "skipped": skipped.iter().map(|p| p.id).collect::<Vec<_>>(),
        })),
    )
    .await?;
    work.commit().await?;
    Ok(TeamStarted {
        manager: plan.manager,
        started,
        skipped,
        cadence_days: cadence,
        first_on,
    })
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
    let history = sqlx::query(
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
    .iter()
    .map(|r| {
        let status: String = r.try_get("status")?;
        let growth_points: i64 = r.try_get("growth_points")?;
        Ok(MeetingSummary {
            id: r.try_get("id")?,
            scheduled_on: r.try_get("scheduled_on")?,
            status: MeetingStatus::parse(&status),
            held_at: r.try_get("held_at")?,
            held_on: r.try_get("held_on")?,
            talking_points: r.try_get("points")?,
            growth: growth_points > 0,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Series {
        info: access.info,
        current,
        history,
    })
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

/// Everything of a meeting the viewer may read.
async fn load_meeting(
    state: &AppState,
    actor: &Actor,
    access: &Access,
    id: i64,
) -> AppResult<Meeting> {
    let db = state.db();
    let row = sqlx::query(
        "SELECT m.id, m.series_id, m.scheduled_on, m.status, m.held_at, m.held_on, m.shared_notes, \
         m.notes_revision, u.name AS notes_by FROM one_on_ones m \
         LEFT JOIN users u ON u.id = m.notes_updated_by WHERE m.id = $1",
    )
    .bind(id)
    .fetch_one(db.pool())
    .await?;
    let status: String = row.try_get("status")?;
    let status = MeetingStatus::parse(&status);
    let scheduled_on: String = row.try_get("scheduled_on")?;
    let today = today();
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let upcoming = status == MeetingStatus::Upcoming;
    let can_write = access.info.can_write && upcoming;
    let agenda = sqlx::query(
        "SELECT t.id, t.author_id, a.name AS author_name, t.body, t.goal_id, g.title AS goal_title, \
         t.competency_key, t.discussed, COALESCE(f.held_on, f.scheduled_on) AS carried_from_on \
         FROM talking_points t LEFT JOIN users a ON a.id = t.author_id \
         LEFT JOIN goals g ON g.id = t.goal_id LEFT JOIN one_on_ones f ON f.id = t.carried_from \
         WHERE t.meeting_id = $1 ORDER BY t.position, t.id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let author_id: Option<i64> = r.try_get("author_id")?;
        let author_name: Option<String> = r.try_get("author_name")?;
        let goal_id: Option<i64> = r.try_get("goal_id")?;
        let goal_title: Option<String> = r.try_get("goal_title")?;
        let competency: Option<String> = r.try_get("competency_key")?;
        let discussed: i64 = r.try_get("discussed")?;
        Ok(TalkingPoint {
            id: r.try_get("id")?,
            author: author_id.zip(author_name).map(|(id, name)| PersonRef { id, name }),
            body: r.try_get("body")?,
            goal: goal_id.zip(goal_title).map(|(id, title)| GoalLink { id, title }),
            competency: competency.map(|key| CompetencyRef {
                name: fw
                    .and_then(|f| f.competency(&key))
                    .map_or_else(|| key.clone(), |c| c.name.clone()),
                key,
            }),
            discussed: discussed == 1,
            can_remove: can_write && policy::remove_talking_point(actor, author_id).is_ok(),
            carried_over_from: r.try_get("carried_from_on")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let action_items = sqlx::query(
        "SELECT a.id, a.meeting_id, a.title, a.owner_id, o.name AS owner_name, a.due_on, a.done_at, \
         a.done_in_meeting, m.scheduled_on AS created_on FROM action_items a \
         JOIN one_on_ones m ON m.id = a.meeting_id LEFT JOIN users o ON o.id = a.owner_id \
         WHERE a.series_id = $1 AND a.meeting_id <= $2 \
         AND (a.meeting_id = $2 OR a.done_in_meeting IS NULL OR a.done_in_meeting >= $2) \
         ORDER BY a.meeting_id, a.id",
    )
    .bind(access.info.id)
    .bind(id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let meeting_id: i64 = r.try_get("meeting_id")?;
        let owner_id: Option<i64> = r.try_get("owner_id")?;
        let owner_name: Option<String> = r.try_get("owner_name")?;
        let due_on: Option<String> = r.try_get("due_on")?;
        let done_at: Option<i64> = r.try_get("done_at")?;
        let done_in: Option<i64> = r.try_get("done_in_meeting")?;
        let done = done_at.is_some() && done_in.is_none_or(|d| d <= id);
        Ok(ActionItem {
            id: r.try_get("id")?,
            title: r.try_get("title")?,
            owner: owner_id.zip(owner_name).map(|(id, name)| PersonRef { id, name }),
            overdue: upcoming && !done && due_on.as_deref().is_some_and(|d| d < today.as_str()),
            due_on,
            done,
            done_at: if done { done_at } else { None },
            carried_over_from: if meeting_id < id {
                Some(r.try_get("created_on")?)
            } else {
                None
            },
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let growth = agenda
        .iter()
        .any(|p| p.goal.is_some() || p.competency.is_some());
    let private_note = match actor.user_id {
        // The only read of private note bodies: the viewer's own, by their own account.
        Some(me) if access.seat == Seat::Participant && policy::read_private_note(actor, me) => {
            sqlx::query(
                "SELECT body, updated_at FROM private_notes WHERE meeting_id = $1 AND author_id = $2",
            )
            .bind(id)
            .bind(me)
            .fetch_optional(db.pool())
            .await?
            .map(|r| {
                Ok::<_, sqlx::Error>(PrivateNote {
                    body: r.try_get("body")?,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .transpose()?
        }
        _ => None,
    };
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
        overdue: upcoming && scheduled_on < today,
        scheduled_on,
        status,
        held_at: row.try_get("held_at")?,
        held_on: row.try_get("held_on")?,
        growth,
        agenda,
        shared_notes: row.try_get("shared_notes")?,
        notes_revision: row.try_get("notes_revision")?,
        notes_updated_by: row.try_get("notes_by")?,
        action_items,
        private_note,
        can_write,
        linkable_goals,
    })
}

/// Adds a talking point at the end of the upcoming meeting's agenda. Returns its id.
pub async fn add_talking_point(
    state: &AppState,
    actor: &Actor,
    meeting: i64,
    input: &PointInput,
) -> AppResult<i64> {
    let (access, _, permit) = writable_meeting(state, actor, meeting).await?;
    let db = state.db();
    let mut errors = Vec::new();
    let body = input.body.trim();
    if body.is_empty() {
        errors.push(field_error("body", "write the talking point first"));
    } else if body.chars().count() > POINT_MAX {
        errors.push(field_error(
            "body",
            format!("a talking point has at most {POINT_MAX} characters"),
        ));
    }
    if let Some(goal) = input.goal {
        let owner: Option<i64> = sqlx::query_scalar("SELECT person_id FROM goals WHERE id = $1")
            .bind(goal)
            .fetch_optional(db.pool())
            .await?;
        if owner != Some(access.info.report.id) {
            errors.push(field_error(
                "goal",
                format!("choose one of {}'s goals", access.info.report.name),
            ));
        }
    }
    let competency = input.competency.trim();
    if !competency.is_empty() {
        let published = framework::require_published(state, actor).await?;
        if published.framework.competency(competency).is_none() {
            errors.push(field_error(
                "competency",
                format!("“{competency}” is not a competency of the library"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let competency = (!competency.is_empty()).then(|| competency.to_owned());
    let mut work = Work::begin(db, actor, permit).await?;
    let position: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM talking_points WHERE meeting_id = $1",
    )
    .bind(meeting)
    .fetch_one(&mut **work.tx())
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO talking_points (meeting_id, author_id, body, goal_id, competency_key, discussed, \
         position, created_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7) RETURNING id",
    )
    .bind(meeting)
    .bind(actor.user_id)
    .bind(body)
    .bind(input.goal)
    .bind(&competency)
    .bind(position)
    .bind(now())
    .fetch_one(&mut **work.tx())
    .await?;
    work.record(
        Action::OneOnOneAddTalkingPoint,
        &format!("talking_point:{id}"),
        &format!("Added a talking point to 1:1 {meeting}"),
        Some(serde_json::json!({
            "meeting_id": meeting, "body": body, "goal_id": input.goal, "competency": competency,
        })),
    )
    .await?;
    work.commit().await?;
    Ok(id)
}

/// The meeting of a talking point, or a 404 when there is no such point.
async fn point_meeting(db: &Db, point: i64) -> AppResult<(i64, Option<i64>)> {
    let row = sqlx::query("SELECT meeting_id, author_id FROM talking_points WHERE id = $1")
        .bind(point)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("this talking point"))?;
    Ok((row.try_get("meeting_id")?, row.try_get("author_id")?))
}

/// A talking point, for those who may read its meeting.
pub async fn talking_point(state: &AppState, actor: &Actor, id: i64) -> AppResult<TalkingPoint> {
    gate(state, actor).await?;
    let (meeting, _) = point_meeting(state.db(), id).await?;
    self::meeting(state, actor, meeting)
        .await?
        .meeting
        .agenda
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| AppError::not_found("this talking point"))
}

/// Moves a talking point one place up or down the agenda. Returns its meeting.
pub async fn move_talking_point(
    state: &AppState,
    actor: &Actor,
    id: i64,
    direction: Direction,
) -> AppResult<i64> {
    gate(state, actor).await?;
    let (meeting, _) = point_meeting(state.db(), id).await?;
    let (_, _, permit) = writable_meeting(state, actor, meeting).await?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let order: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM talking_points WHERE meeting_id = $1 ORDER BY position, id",
    )
    .bind(meeting)
    .fetch_all(&mut **work.tx())
    .await?;
    let Some(at) = order.iter().position(|p| *p == id) else {
        return Err(AppError::not_found("this talking point"));
    };
    let to = match direction {
        Direction::Up => at.checked_sub(1),
        Direction::Down => (at + 1 < order.len()).then_some(at + 1),
    };
    let Some(to) = to else {
        return Ok(meeting);
    };
    let mut order = order;
    order.swap(at, to);
    for (i, point) in order.iter().enumerate() {
        sqlx::query("UPDATE talking_points SET position = $1 WHERE id = $2")
            .bind(i as i64 + 1)
            .bind(point)
            .execute(&mut **work.tx())
            .await?;
    }
    work.record(
        Action::OneOnOneMoveTalkingPoint,
        &format!("talking_point:{id}"),
        &format!(
            "Moved a talking point of 1:1 {meeting} {}",
            if direction == Direction::Up {
                "up"
            } else {
                "down"
            }
        ),
        Some(serde_json::json!({ "meeting_id": meeting, "position": to + 1 })),
    )
    .await?;
    work.commit().await?;
    Ok(meeting)
}

/// Marks a talking point discussed, or not. Returns its meeting.
pub async fn set_discussed(
    state: &AppState,
    actor: &Actor,
    id: i64,
    discussed: bool,
) -> AppResult<i64> {
    gate(state, actor).await?;
    let (meeting, _) = point_meeting(state.db(), id).await?;
    let (_, _, permit) = writable_meeting(state, actor, meeting).await?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    sqlx::query("UPDATE talking_points SET discussed = $1 WHERE id = $2")
        .bind(i64::from(discussed))
        .bind(id)
        .execute(&mut **work.tx())
        .await?;
    work.record(
        Action::OneOnOneMarkDiscussed,
        &format!("talking_point:{id}"),
        &format!(
            "Marked a talking point of 1:1 {meeting} {}",
            if discussed {
                "discussed"
            } else {
                "not discussed"
            }
        ),
        Some(serde_json::json!({ "meeting_id": meeting, "discussed": discussed })),
    )
    .await?;
    work.commit().await?;
    Ok(meeting)
}

/// Removes a talking point from the agenda (its author only). Returns its meeting.
pub async fn remove_talking_point(state: &AppState, actor: &Actor, id: i64) -> AppResult<i64> {
    gate(state, actor).await?;
    let (meeting, author) = point_meeting(state.db(), id).await?;
    writable_meeting(state, actor, meeting).await?;
    let permit = policy::remove_talking_point(actor, author)?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let body: Option<String> =
        sqlx::query_scalar("DELETE FROM talking_points WHERE id = $1 RETURNING body")
            .bind(id)
            .fetch_optional(&mut **work.tx())
            .await?;
    let body = body.ok_or_else(|| AppError::not_found("this talking point"))?;
    work.record(
        Action::OneOnOneRemoveTalkingPoint,
        &format!("talking_point:{id}"),
        &format!("Removed a talking point from 1:1 {meeting}"),
        Some(serde_json::json!({ "meeting_id": meeting, "body": body })),
    )
    .await?;
    work.commit().await?;
    Ok(meeting)
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
    let row = sqlx::query(
        "SELECT m.notes_revision, u.name AS notes_by FROM one_on_ones m \
         LEFT JOIN users u ON u.id = m.notes_updated_by WHERE m.id = $1",
    )
    .bind(meeting)
    .fetch_one(&mut **work.tx())
    .await?;
    let current: i64 = row.try_get("notes_revision")?;
    if let Some(seen) = revision
        && seen != current
    {
        let by: Option<String> = row.try_get("notes_by")?;
        return Err(AppError::Conflict(format!(
            "{} saved the shared notes after you opened them; your text was not saved: \
             copy what you need, reload and save again",
            by.unwrap_or_else(|| "someone".into())
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
    self::series(state, actor, series)
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

/// What completing a meeting did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = OneOnOneCompleted)]
pub struct Completed {
    /// The meeting completed.
    pub meeting_id: i64,
    /// `YYYY-MM-DD`: the day it was held.
    pub held_on: String,
    /// The meeting added after it.
    pub next_meeting_id: i64,
    /// `YYYY-MM-DD` of the next meeting.
    pub next_on: String,
    /// Talking points not marked discussed, carried over to the next meeting.
    pub carried_talking_points: i64,
    /// Action items not done, carried over to the next meeting.
    pub carried_action_items: i64,
}

/// The day a meeting planned for `scheduled_on` and completed `today` was held: today when that is
/// before the planned day, else the planned day (a meeting is often recorded a day or two late).
fn held_day(scheduled_on: &str, today: &str) -> String {
    if today < scheduled_on {
        today.to_owned()
    } else {
        scheduled_on.to_owned()
    }
}

/// How many talking points of a meeting are not marked discussed, and how many action items of
/// its series are open: what completing it now would carry over to the next meeting.
pub fn carry_over(meeting: &Meeting) -> (usize, usize) {
    (
        meeting.agenda.iter().filter(|p| !p.discussed).count(),
        meeting.action_items.iter().filter(|i| !i.done).count(),
    )
}

/// Completes the upcoming meeting: it is marked held on the day it was held (today when it is
/// completed before its planned day), and the next meeting is added a cadence after the planned
/// day (or on the first date of that rhythm not before today). The talking points not marked
/// discussed are copied to the next meeting with their author, goal and competency, and open action
/// items carry over to it.
pub async fn complete_meeting(
    state: &AppState,
    actor: &Actor,
    meeting: i64,
) -> AppResult<Completed> {
    let (access, row, permit) = writable_meeting(state, actor, meeting).await?;
    let today = today();
    let next_on = next_date(&row.scheduled_on, access.info.cadence_days, &today)?;
    let held_on = held_day(&row.scheduled_on, &today);
    let at = now();
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let held = sqlx::query(
        "UPDATE one_on_ones SET status = 'held', held_at = $1, held_on = $2, updated_at = $1 \
         WHERE id = $3 AND status = 'upcoming'",
    )
    .bind(at)
    .bind(&held_on)
    .bind(meeting)
    .execute(&mut **work.tx())
    .await?;
    if held.rows_affected() != 1 {
        return Err(AppError::Conflict(
            "This 1:1 was completed a moment ago.".into(),
        ));
    }
    let next: i64 = sqlx::query_scalar(
        "INSERT INTO one_on_ones (series_id, scheduled_on, status, created_at, updated_at) \
         VALUES ($1, $2, 'upcoming', $3, $3) RETURNING id",
    )
    .bind(access.info.id)
    .bind(&next_on)
    .bind(at)
    .fetch_one(&mut **work.tx())
    .await?;
    let points = sqlx::query(
        "INSERT INTO talking_points (meeting_id, author_id, body, goal_id, competency_key, \
         discussed, position, created_at, carried_from) \
         SELECT $1, author_id, body, goal_id, competency_key, 0, position, $2, \
         COALESCE(carried_from, meeting_id) FROM talking_points \
         WHERE meeting_id = $3 AND discussed = 0",
    )
    .bind(next)
    .bind(at)
    .bind(meeting)
    .execute(&mut **work.tx())
    .await?
    .rows_affected() as i64;
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM action_items WHERE series_id = $1 AND done_at IS NULL",
    )
    .bind(access.info.id)
    .fetch_one(&mut **work.tx())
    .await?;
    work.record(Action::OneOnOneComplete,
        &format!("one_on_one:{meeting}"),
        &format!(
            "Completed the 1:1 between {} and {}, held on {held_on}; {} and {} carried over to the next, on {next_on}",
            access.info.manager.name,
            access.info.report.name,
            count_of(points, "talking point", "talking points"),
            count_of(open, "open action item", "open action items"),
        ),
        Some(serde_json::json!({
            "series_id": access.info.id, "scheduled_on": row.scheduled_on, "held_on": held_on,
            "next_meeting_id": next, "next_on": next_on,
            "carried_talking_points": points, "open_action_items": open,
        })),
    )
    .await?;
    work.commit().await?;
    Ok(Completed {
        meeting_id: meeting,
        held_on,
        next_meeting_id: next,
        next_on,
        carried_talking_points: points,
        carried_action_items: open,
    })
}

/// "no talking points", "1 talking point", "3 talking points".
pub fn count_of(n: i64, one: &str, many: &str) -> String {
    match n {
        0 => format!("no {many}"),
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

fn next_from_row(
    r: &sqlx::any::AnyRow,
    person: i64,
    today: &str,
) -> Result<NextMeeting, sqlx::Error> {
    let manager_id: i64 = r.try_get("manager_id")?;
    let scheduled_on: String = r.try_get("scheduled_on")?;
    let (side, with_id, with_name) = if manager_id == person {
        (
            Side::Manager,
            r.try_get("report_id")?,
            r.try_get("report_name")?,
        )
    } else {
        (Side::Report, manager_id, r.try_get("manager_name")?)
    };
    Ok(NextMeeting {
        series_id: r.try_get("series_id")?,
        meeting_id: r.try_get("meeting_id")?,
        overdue: scheduled_on.as_str() < today,
        scheduled_on,
        with_id,
        with_name,
        side,
    })
}

const NEXT_COLUMNS: &str = "SELECT s.id AS series_id, m.id AS meeting_id, m.scheduled_on, \
     s.manager_id, mu.name AS manager_name, s.report_id, ru.name AS report_name \
     FROM one_on_one_series s JOIN one_on_ones m ON m.series_id = s.id AND m.status = 'upcoming' \
     JOIN users mu ON mu.id = s.manager_id JOIN users ru ON ru.id = s.report_id";

/// The person's next 1:1, as manager or as report: the soonest upcoming meeting of their series
/// with someone still active, in a series that is not closed.
///
/// **No policy check**: the caller must have decided that the viewer may see this (the person
/// themselves, or their management chain for the team view).
pub async fn next_meeting(db: &Db, person: i64) -> AppResult<Option<NextMeeting>> {
    // Starts from the person's own series (`CROSS JOIN` keeps SQLite from walking every upcoming
    // meeting of the organisation in date order instead).
    let row = sqlx::query(
        "SELECT s.id AS series_id, m.id AS meeting_id, m.scheduled_on, \
         s.manager_id, mu.name AS manager_name, s.report_id, ru.name AS report_name \
         FROM one_on_one_series s CROSS JOIN one_on_ones m \
         JOIN users mu ON mu.id = s.manager_id JOIN users ru ON ru.id = s.report_id \
         WHERE (s.manager_id = $1 OR s.report_id = $1) AND m.series_id = s.id \
         AND m.status = 'upcoming' AND mu.active = 1 AND ru.active = 1 \
         AND ru.manager_id = s.manager_id \
         ORDER BY m.scheduled_on, m.id LIMIT 1",
    )
    .bind(person)
    .fetch_optional(db.pool())
    .await?;
    let today = today();
    Ok(row.map(|r| next_from_row(&r, person, &today)).transpose()?)
}

/// The next 1:1 of the manager with each of these reports, by report id; reports without a
/// series are absent. One query, for the team view.
///
/// **No policy check**: the caller must have decided that the viewer may see the manager's 1:1
/// dates with these reports.
pub async fn next_meetings_for_reports(
    db: &Db,
    manager: i64,
    reports: &[i64],
) -> AppResult<HashMap<i64, NextMeeting>> {
    if reports.is_empty() {
        return Ok(HashMap::new());
    }
    let list = (0..reports.len())
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "{NEXT_COLUMNS} WHERE s.manager_id = $1 AND s.report_id IN ({list}) \
         AND ru.manager_id = s.manager_id"
    );
    let mut query = sqlx::query(&sql).bind(manager);
    for r in reports {
        query = query.bind(*r);
    }
    let today = today();
    query
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            let next = next_from_row(r, manager, &today)?;
            Ok((next.with_id, next))
        })
        .collect::<Result<HashMap<_, _>, sqlx::Error>>()
        .map_err(Into::into)
}

/// 1:1s held (completed) with a date on or after `day` (`YYYY-MM-DD`), how many had a growth topic
/// (a talking point linked to a goal or a competency: [`GROWTH_TOPIC`]), and how many reports had
/// one. The condition, for a meeting `m`:
/// `m.status = 'held' AND m.held_on >= day AND` [`GROWTH_TOPIC`]: the day it was held, not the day
/// it was planned for.
///
/// **No policy check**: organisation-wide counts for the KPI dashboard, whose caller decides who
/// reads them.
pub async fn growth_one_on_ones_since(db: &Db, day: &str) -> AppResult<GrowthOneOnOnes> {
    let day = Day::parse(day)
        .map_err(|m| AppError::invalid_field("since", m))?
        .to_string();
    let row = sqlx::query(&format!(
        "SELECT COUNT(*) AS held, COUNT(CASE WHEN {GROWTH_TOPIC} THEN 1 END) AS growth, \
         COUNT(DISTINCT CASE WHEN {GROWTH_TOPIC} THEN s.report_id END) AS people \
         FROM one_on_ones m JOIN one_on_one_series s ON s.id = m.series_id \
         WHERE m.status = 'held' AND m.held_on >= $1"
    ))
    .bind(day)
    .fetch_one(db.pool())
    .await?;
    Ok(GrowthOneOnOnes {
        held: row.try_get("held")?,
        growth: row.try_get("growth")?,
        people: row.try_get("people")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_meeting_keeps_the_rhythm_and_is_never_in_the_past() {
        assert_eq!(
            next_date("2025-03-03", 14, "2025-03-03").ok().as_deref(),
            Some("2025-03-17")
        );
        assert_eq!(
            next_date("2025-01-06", 7, "2025-03-05").ok().as_deref(),
            Some("2025-03-10")
        );
        assert_eq!(
            next_date("2025-01-06", 7, "2025-03-10").ok().as_deref(),
            Some("2025-03-10")
        );
    }
}
