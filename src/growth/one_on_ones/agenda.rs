//! The shared agenda: talking points, each linkable to one of the report's goals and to a
//! competency, ordered, marked discussed.

use serde::Serialize;
use trellis_framework::Framework;

use super::access::writable_meeting;
use super::meetings;
use super::{POINT_MAX, PersonRef, field_error, gate, invalid};
use crate::architecture::framework;
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy;
use crate::db::{Db, Work, now};
use crate::error::{AppError, AppResult};
use crate::growth::plans::CompetencyRef;
use crate::state::AppState;

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

/// One of the report's goals, as a talking point links it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoalLink {
    pub id: i64,
    pub title: String,
}

/// An item of a meeting's shared agenda.
#[derive(Debug, Clone, Serialize)]
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

/// A talking point as typed.
#[derive(Debug, Clone, Default)]
pub struct PointInput {
    pub body: String,
    /// One of the report's goals.
    pub goal: Option<i64>,
    /// A competency key of the library; empty for none.
    pub competency: String,
}

/// A talking point of a meeting, with its author's name, its goal's title and the date of the
/// meeting it was carried over from.
#[derive(sqlx::FromRow)]
struct AgendaRow {
    id: i64,
    author_id: Option<i64>,
    author_name: Option<String>,
    body: String,
    goal_id: Option<i64>,
    goal_title: Option<String>,
    competency_key: Option<String>,
    discussed: i64,
    carried_from_on: Option<String>,
}

impl AgendaRow {
    /// The talking point as `actor` sees it, with its competency named by the published
    /// framework (`fw`); `can_write` says the viewer writes in its meeting.
    fn into_point(self, actor: &Actor, fw: Option<&Framework>, can_write: bool) -> TalkingPoint {
        TalkingPoint {
            id: self.id,
            author: self
                .author_id
                .zip(self.author_name)
                .map(|(id, name)| PersonRef { id, name }),
            body: self.body,
            goal: self
                .goal_id
                .zip(self.goal_title)
                .map(|(id, title)| GoalLink { id, title }),
            competency: self.competency_key.map(|key| CompetencyRef {
                name: fw
                    .and_then(|f| f.competency(&key))
                    .map_or_else(|| key.clone(), |c| c.name.clone()),
                key,
            }),
            discussed: self.discussed == 1,
            can_remove: can_write && policy::remove_talking_point(actor, self.author_id).is_ok(),
            carried_over_from: self.carried_from_on,
        }
    }
}

/// The agenda of a meeting, in its order.
pub(super) async fn read_agenda(
    db: &Db,
    actor: &Actor,
    fw: Option<&Framework>,
    meeting: i64,
    can_write: bool,
) -> AppResult<Vec<TalkingPoint>> {
    let rows = sqlx::query_as::<_, AgendaRow>(
        "SELECT t.id, t.author_id, a.name AS author_name, t.body, t.goal_id, g.title AS goal_title, \
         t.competency_key, t.discussed, COALESCE(f.held_on, f.scheduled_on) AS carried_from_on \
         FROM talking_points t LEFT JOIN users a ON a.id = t.author_id \
         LEFT JOIN goals g ON g.id = t.goal_id LEFT JOIN one_on_ones f ON f.id = t.carried_from \
         WHERE t.meeting_id = $1 ORDER BY t.position, t.id",
    )
    .bind(meeting)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| r.into_point(actor, fw, can_write))
        .collect())
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
    let row = sqlx::query_as::<_, PointRow>(
        "SELECT meeting_id, author_id FROM talking_points WHERE id = $1",
    )
    .bind(point)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found("this talking point"))?;
    Ok((row.meeting_id, row.author_id))
}

/// A talking point's meeting and author.
#[derive(sqlx::FromRow)]
struct PointRow {
    meeting_id: i64,
    author_id: Option<i64>,
}

/// A talking point, for those who may read its meeting.
pub async fn talking_point(state: &AppState, actor: &Actor, id: i64) -> AppResult<TalkingPoint> {
    gate(state, actor).await?;
    let (meeting, _) = point_meeting(state.db(), id).await?;
    meetings::meeting(state, actor, meeting)
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
