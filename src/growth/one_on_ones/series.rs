//! Series: the list of one's 1:1s, and starting a series with one report or a whole team.

use serde::Serialize;

use super::{CADENCE_MAX, DEFAULT_CADENCE, PersonRef, Side, field_error, gate, invalid, today};
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy::{self, Seat};
use crate::db::{Db, Work, now};
use crate::domain::Day;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

/// A series as the list of one's 1:1s shows it.
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    /// The viewer's side in the series it would start.
    pub side: Side,
}

/// The viewer's 1:1s, as manager and as report.
#[derive(Debug, Clone)]
pub struct MyOneOnOnes {
    /// Soonest next meeting first.
    pub series: Vec<SeriesSummary>,
    /// People with whom the viewer has no series yet.
    pub can_start_with: Vec<Candidate>,
}

/// Who a series is between, and what the viewer may do in it.
#[derive(Debug, Clone)]
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

/// A series started, or the one that already existed between the two people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Started {
    pub series: i64,
    pub created: bool,
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
    Ok(MyOneOnOnes {
        series: series_of(db, me).await?,
        can_start_with: candidates_of(db, me).await?,
    })
}

/// A series of the viewer's list, with its upcoming meeting and what the list counts of it.
#[derive(sqlx::FromRow)]
struct SeriesSummaryRow {
    id: i64,
    manager_id: i64,
    manager_name: String,
    report_id: i64,
    report_name: String,
    report_manager: Option<i64>,
    cadence_days: i64,
    next_id: i64,
    next_on: String,
    last_held_on: Option<String>,
    open_items: i64,
}

impl SeriesSummaryRow {
    fn into_summary(self, me: i64, today: &str) -> SeriesSummary {
        let closed = self.report_manager != Some(self.manager_id);
        SeriesSummary {
            id: self.id,
            side: if self.manager_id == me {
                Side::Manager
            } else {
                Side::Report
            },
            manager: PersonRef {
                id: self.manager_id,
                name: self.manager_name,
            },
            report: PersonRef {
                id: self.report_id,
                name: self.report_name,
            },
            cadence_days: self.cadence_days,
            next_meeting_id: self.next_id,
            overdue: !closed && self.next_on.as_str() < today,
            next_on: self.next_on,
            last_held_on: self.last_held_on,
            open_action_items: self.open_items,
            closed,
        }
    }
}

/// The series the person `me` is in, as manager or as report, soonest next meeting first.
async fn series_of(db: &Db, me: i64) -> AppResult<Vec<SeriesSummary>> {
    let today = today();
    let rows = sqlx::query_as::<_, SeriesSummaryRow>(
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
    Ok(rows
        .into_iter()
        .map(|r| r.into_summary(me, &today))
        .collect())
}

/// Someone `me` could start a series with; `side` is `manager` or `report`, `me`'s side.
#[derive(sqlx::FromRow)]
struct CandidateRow {
    id: i64,
    name: String,
    side: String,
}

/// The direct reports and the manager of `me` with whom they have no series yet, by name.
async fn candidates_of(db: &Db, me: i64) -> AppResult<Vec<Candidate>> {
    let rows = sqlx::query_as::<_, CandidateRow>(
        "SELECT u.id, u.name, CASE WHEN u.manager_id = $1 THEN 'manager' ELSE 'report' END AS side \
         FROM users u WHERE u.active = 1 AND u.id <> $1 \
         AND (u.manager_id = $1 OR u.id = (SELECT manager_id FROM users WHERE id = $1)) \
         AND NOT EXISTS (SELECT 1 FROM one_on_one_series s WHERE (s.manager_id = $1 AND s.report_id = u.id) \
                         OR (s.manager_id = u.id AND s.report_id = $1)) \
         ORDER BY u.name_key, u.id",
    )
    .bind(me)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Candidate {
            id: r.id,
            name: r.name,
            side: if r.side == "manager" {
                Side::Manager
            } else {
                Side::Report
            },
        })
        .collect())
}

/// The person a series would be started with.
#[derive(sqlx::FromRow)]
struct OtherRow {
    name: String,
    manager_id: Option<i64>,
    active: i64,
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
    let row = sqlx::query_as::<_, OtherRow>(
        "SELECT id, name, manager_id, active FROM users WHERE id = $1",
    )
    .bind(other)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found("this person"))?;
    let my_manager: Option<i64> = sqlx::query_scalar("SELECT manager_id FROM users WHERE id = $1")
        .bind(me)
        .fetch_optional(db.pool())
        .await?
        .flatten();
    let pair = if row.manager_id == Some(me) {
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
    let (cadence, first_on) = check_start(&row, input)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let series = insert_series(
        &mut work,
        (manager, report),
        &row.name,
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

/// The cadence and first day of a series with `other`, or every reason it cannot start: they
/// left, or the input is not valid.
fn check_start(other: &OtherRow, input: &StartInput) -> AppResult<(i64, String)> {
    let mut errors = Vec::new();
    if other.active != 1 {
        errors.push(field_error(
            "",
            format!("{} has left the organisation", other.name),
        ));
    }
    let checked = input.check();
    if let Err(more) = &checked {
        errors.extend(more.iter().cloned());
    }
    match (checked, errors.is_empty()) {
        (Ok(start), true) => Ok(start),
        _ => Err(invalid(errors)),
    }
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

/// A direct report of a manager, with their series with the manager if they have one.
#[derive(sqlx::FromRow)]
struct ReportSeriesRow {
    id: i64,
    name: String,
    series_id: Option<i64>,
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
    let rows = sqlx::query_as::<_, ReportSeriesRow>(
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
            id: r.id,
            name: r.name,
        };
        match r.series_id {
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
