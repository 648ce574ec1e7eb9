//! A person's page: what the directory shows of everyone, and the private record (position and its
//! history) for the person, their management chain and admins.

use serde::Serialize;
use trellis_framework::Framework;

use crate::auth::policy;
use crate::auth::{Actor, Role};
use crate::db::Db;
use crate::domain::{Day, PositionKind, Status};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

use super::{Position, position_names, relation};

/// One entry of a person's position history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub position: Position,
    pub effective_on: String,
    pub kind: PositionKind,
    pub note: Option<String>,
}

/// What only the person, their management chain and admins see.
#[derive(Debug, Clone)]
pub struct PrivateRecord {
    pub position: Option<Position>,
    /// When the current position started.
    pub since: Option<String>,
    pub days_in_level: Option<i64>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
}

/// A person's page. Colleagues see what the directory shows of everyone (name, email, team,
/// manager, status, reports); the employee id, dates and role are for the person, their management
/// chain and admins, and absent for everyone else.
#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// Absent when the viewer may not see it.
    pub employee_id: Option<String>,
    pub team: Option<String>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    pub manager_email: Option<String>,
    /// Absent when the viewer may not see it.
    pub start_date: Option<String>,
    pub status: Status,
    /// Absent when the viewer may not see it.
    pub left_on: Option<String>,
    /// Absent when the viewer may not see it.
    pub role: Option<Role>,
    /// Direct reports, by name.
    pub reports: Vec<(i64, String)>,
    /// Absent when the viewer may not see it.
    pub private: Option<PrivateRecord>,
}

/// A person's own columns, with their team's name and their manager's name and email.
#[derive(sqlx::FromRow)]
struct PersonRow {
    name: String,
    email: String,
    employee_id: Option<String>,
    role: String,
    active: i64,
    start_date: Option<String>,
    left_on: Option<String>,
    track_key: Option<String>,
    level_key: Option<String>,
    manager_id: Option<i64>,
    team: Option<String>,
    manager_name: Option<String>,
    manager_email: Option<String>,
}

/// A person's page: the directory record for everyone, the private record for those who may see it.
pub async fn person(state: &AppState, actor: &Actor, id: i64) -> AppResult<PersonRecord> {
    policy::read_directory(actor)?;
    let db = state.db();
    let row = sqlx::query_as::<_, PersonRow>(
        "SELECT u.id, u.name, u.email, u.employee_id, u.role, u.active, u.start_date, u.left_on, \
         u.track_key, u.level_key, u.manager_id, t.name AS team, m.name AS manager_name, \
         m.email AS manager_email \
         FROM users u LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN users m ON m.id = u.manager_id \
         WHERE u.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found("this person"))?;
    let reports = sqlx::query_as::<_, (i64, String)>(
        "SELECT id, name FROM users WHERE manager_id = $1 AND active = 1 ORDER BY name_key, id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let relation = relation(db, actor, id).await?;
    let sees_private = policy::see_private(actor, relation);
    let private = if sees_private {
        let position = row.track_key.clone().zip(row.level_key.clone());
        Some(private_record(state, actor, position, id).await?)
    } else {
        None
    };
    Ok(PersonRecord {
        id,
        name: row.name,
        email: row.email,
        employee_id: row.employee_id.filter(|_| sees_private),
        team: row.team,
        manager_id: row.manager_id,
        manager_name: row.manager_name,
        manager_email: row.manager_email,
        start_date: row.start_date.filter(|_| sees_private),
        status: if row.active == 1 {
            Status::Active
        } else {
            Status::Left
        },
        left_on: row.left_on.filter(|_| sees_private),
        role: Some(Role::parse(&row.role).unwrap_or(Role::Employee)).filter(|_| sees_private),
        reports,
        private,
    })
}

/// What only the person, their management chain and admins see: the position (its track and
/// level, when they have one) and its history.
async fn private_record(
    state: &AppState,
    actor: &Actor,
    position: Option<(String, String)>,
    id: i64,
) -> AppResult<PrivateRecord> {
    let published = crate::architecture::framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let history = history(state.db(), fw, id).await?;
    let since = history.first().map(|h| h.effective_on.clone());
    let days_in_level = since
        .as_deref()
        .and_then(|s| Day::parse(s).ok())
        .map(|d| d.days_until(Day::today()));
    Ok(PrivateRecord {
        position: position.map(|(t, l)| position_names(fw, &t, &l)),
        since,
        days_in_level,
        history,
    })
}

/// One entry of a person's position history, as stored.
#[derive(sqlx::FromRow)]
struct HistoryRow {
    track_key: String,
    level_key: String,
    effective_on: String,
    kind: String,
    note: Option<String>,
}

async fn history(db: &Db, fw: Option<&Framework>, id: i64) -> AppResult<Vec<HistoryEntry>> {
    let rows = sqlx::query_as::<_, HistoryRow>(
        "SELECT track_key, level_key, effective_on, kind, note FROM positions WHERE user_id = $1 \
         ORDER BY effective_on DESC, id DESC",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| HistoryEntry {
            position: position_names(fw, &r.track_key, &r.level_key),
            effective_on: r.effective_on,
            kind: PositionKind::parse(&r.kind).unwrap_or(PositionKind::Correction),
            note: r.note,
        })
        .collect())
}

/// The position history of a person, for those who may see it; a 404 for everyone else, so that
/// nobody learns more than the directory shows.
pub async fn positions(state: &AppState, actor: &Actor, id: i64) -> AppResult<Vec<HistoryEntry>> {
    let record = person(state, actor, id).await?;
    record
        .private
        .map(|p| p.history)
        .ok_or_else(|| AppError::not_found("No positions were found for this person."))
}

/// The track and level of the actor's own current position, if they have one.
pub async fn own_position(db: &Db, actor: &Actor) -> AppResult<Option<(String, String)>> {
    let Some(id) = actor.user_id else {
        return Ok(None);
    };
    let row = sqlx::query_as::<_, (Option<String>, Option<String>)>(
        "SELECT track_key, level_key FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.and_then(|(track, level)| track.zip(level)))
}
