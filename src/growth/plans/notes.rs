//! Notes on a goal: progress notes by its owner, comments by their management chain.

use serde::Serialize;

use super::goals;
use super::input::check_text;
use super::{invalid, touch, visible_goal};
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::db::{Db, Work, now};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Who wrote a note on a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// By the goal's owner.
    Progress,
    /// By someone in the owner's management chain.
    Comment,
}

impl NoteKind {
    fn as_str(self) -> &'static str {
        match self {
            NoteKind::Progress => "progress",
            NoteKind::Comment => "comment",
        }
    }

    fn parse(raw: &str) -> NoteKind {
        if raw == "comment" {
            NoteKind::Comment
        } else {
            NoteKind::Progress
        }
    }
}

/// A progress note or a comment on a goal.
#[derive(Debug, Clone)]
pub struct GoalNote {
    pub id: i64,
    pub kind: NoteKind,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    /// Markdown.
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// A note of a goal, with its author's name.
#[derive(sqlx::FromRow)]
struct NoteRow {
    id: i64,
    kind: String,
    author_id: Option<i64>,
    author_name: Option<String>,
    body: String,
    created_at: i64,
}

/// The notes of a goal, oldest first.
pub(super) async fn notes_of(db: &Db, goal: i64) -> AppResult<Vec<GoalNote>> {
    let rows = sqlx::query_as::<_, NoteRow>(
        "SELECT n.id, n.kind, n.author_id, u.name AS author_name, n.body, n.created_at \
         FROM goal_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.goal_id = $1 ORDER BY n.id",
    )
    .bind(goal)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| GoalNote {
            id: r.id,
            kind: NoteKind::parse(&r.kind),
            author_id: r.author_id,
            author_name: r.author_name,
            body: r.body,
            created_at: r.created_at,
        })
        .collect())
}

/// Adds a note to a goal: a progress note by its owner, a comment by their management chain.
/// Returns the note's id.
pub async fn add_note(state: &AppState, actor: &Actor, goal: i64, body: &str) -> AppResult<i64> {
    let (_, relation) = visible_goal(state, actor, goal).await?;
    let permit = policy::contribute_to_plan(actor, relation)?;
    let body = match check_text("body", body) {
        Ok(Some(body)) => body,
        Ok(None) => return Err(AppError::invalid_field("body", "write something first")),
        Err(e) => return Err(invalid(vec![e])),
    };
    let kind = if relation == Relation::Myself {
        NoteKind::Progress
    } else {
        NoteKind::Comment
    };
    let at = now();
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO goal_notes (goal_id, author_id, kind, body, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(goal)
    .bind(actor.user_id)
    .bind(kind.as_str())
    .bind(&body)
    .bind(at)
    .fetch_one(&mut **work.tx())
    .await?;
    touch(work.tx(), goal, at).await?;
    work.record(
        Action::PlanAddNote,
        &format!("goal:{goal}"),
        &format!(
            "Wrote a {} on goal {goal}",
            if kind == NoteKind::Progress {
                "progress note"
            } else {
                "comment"
            }
        ),
        Some(serde_json::json!({ "note_id": id, "kind": kind.as_str(), "body": body })),
    )
    .await?;
    work.commit().await?;
    Ok(id)
}

/// A note of a goal, for those who may see the goal.
pub async fn note(state: &AppState, actor: &Actor, goal: i64, id: i64) -> AppResult<GoalNote> {
    goals::goal(state, actor, goal)
        .await?
        .notes
        .into_iter()
        .find(|n| n.id == id)
        .ok_or_else(|| AppError::not_found("this note"))
}
