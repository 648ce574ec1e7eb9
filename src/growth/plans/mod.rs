//! Development plans: the goals a person owns, each tied to competencies of the library and
//! optionally to a target position, with actions (a checklist with due dates), progress notes by
//! the owner and comments by their management chain.
//!
//! Who does what: the person writes their plan; their management chain reads it, comments and may
//! propose a goal (a goal whose creator is not its owner); admins read. Everyone else gets a 404,
//! exactly as for a goal that does not exist.
//!
//! [`plan_summary`] and [`active_goals`] are for other areas (the home page, the team view) and
//! check no policy: their callers decide who may see the person's plan.

use serde::Serialize;

use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::db::{Db, Tx};
use crate::domain::Day;
use crate::error::{AppError, AppResult, FieldError};
use crate::people::directory;
use crate::rollout::pilot;
use crate::state::AppState;

mod actions;
mod goals;
mod input;
mod notes;
mod plan;

pub use actions::{
    ActionChange, ActionInput, GoalAction, action, add_action, change_action, remove_action,
};
pub use goals::{Goal, create_goal, delete_goal, goal, update_goal};
pub use input::{GoalChange, GoalInput};
pub use notes::{GoalNote, NoteKind, add_note, note};
pub(crate) use plan::goal_titles;
pub use plan::{GoalSummary, Plan, PlanSummary, active_goals, plan, plan_summary};

/// The longest title of a goal or an action, in characters.
pub const TITLE_MAX: usize = 200;
/// The longest description or note, in characters.
pub const TEXT_MAX: usize = 20_000;

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    NotStarted,
    InProgress,
    Done,
    Dropped,
}

impl GoalStatus {
    /// In the order the plan shows them.
    pub const ALL: [GoalStatus; 4] = [
        GoalStatus::InProgress,
        GoalStatus::NotStarted,
        GoalStatus::Done,
        GoalStatus::Dropped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GoalStatus::NotStarted => "not_started",
            GoalStatus::InProgress => "in_progress",
            GoalStatus::Done => "done",
            GoalStatus::Dropped => "dropped",
        }
    }

    pub fn parse(raw: &str) -> Option<GoalStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }

    /// The words people read.
    pub fn label(self) -> &'static str {
        match self {
            GoalStatus::NotStarted => "Not started",
            GoalStatus::InProgress => "In progress",
            GoalStatus::Done => "Done",
            GoalStatus::Dropped => "Dropped",
        }
    }

    /// Not started or in progress: a goal the person is still working towards.
    pub fn is_active(self) -> bool {
        matches!(self, GoalStatus::NotStarted | GoalStatus::InProgress)
    }
}

/// A competency of the library, with its name in the published framework (its key when the
/// framework no longer has it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompetencyRef {
    pub key: String,
    pub name: String,
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

/// The value, or `None` with its message added to `errors`.
fn keep<T>(errors: &mut Vec<FieldError>, checked: Result<T, FieldError>) -> Option<T> {
    checked.map_err(|e| errors.push(e)).ok()
}

fn invalid(errors: Vec<FieldError>) -> AppError {
    AppError::invalid_fields(errors, "the goal is not valid")
}

fn today() -> String {
    Day::today().to_string()
}

fn is_overdue(due_on: Option<&str>, open: bool, today: &str) -> bool {
    open && due_on.is_some_and(|d| d < today)
}

/// The owner of a goal, or a 404 when there is no such goal.
async fn goal_owner(db: &Db, goal: i64) -> AppResult<i64> {
    sqlx::query_scalar("SELECT person_id FROM goals WHERE id = $1")
        .bind(goal)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("this goal"))
}

/// How the actor stands to the owner of a goal they may see; a 404 when they may not.
async fn visible_goal(state: &AppState, actor: &Actor, goal: i64) -> AppResult<(i64, Relation)> {
    gate(state, actor).await?;
    let owner = goal_owner(state.db(), goal).await?;
    let relation = directory::relation(state.db(), actor, owner).await?;
    if !policy::see_private(actor, relation) {
        return Err(AppError::not_found("this goal"));
    }
    Ok((owner, relation))
}

/// How the actor stands to a person whose plan they may see, and the person's name; a 404 when
/// they may not see it or the person does not exist.
async fn visible_plan(
    state: &AppState,
    actor: &Actor,
    person: i64,
) -> AppResult<(Relation, String)> {
    gate(state, actor).await?;
    let relation = directory::relation(state.db(), actor, person).await?;
    if !policy::see_private(actor, relation) {
        return Err(AppError::not_found("this plan"));
    }
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(person)
        .fetch_optional(state.db().pool())
        .await?;
    let name = name.ok_or_else(|| AppError::not_found("this person"))?;
    Ok((relation, name))
}

/// Marks a goal changed, for the plan's "last update".
async fn touch(tx: &mut Tx, goal: i64, at: i64) -> AppResult<()> {
    sqlx::query("UPDATE goals SET updated_at = $1 WHERE id = $2")
        .bind(at)
        .bind(goal)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
