//! The actions of a goal: its checklist, with due dates.

use super::input::{check_day, check_title};
use super::{gate, invalid, is_overdue, keep, today, touch, visible_goal};
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::db::{Db, Work, now};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// An action of a goal: one item of its checklist.
#[derive(Debug, Clone)]
pub struct GoalAction {
    pub id: i64,
    pub goal_id: i64,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
    pub done: bool,
    /// Unix seconds.
    pub done_at: Option<i64>,
    /// Not done, with a due date before today.
    pub overdue: bool,
}

/// An action as typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub title: String,
    /// `YYYY-MM-DD`; optional.
    pub due_on: String,
}

/// A change to an action: each field given replaces the current one.
#[derive(Debug, Clone, Default)]
pub struct ActionChange {
    pub title: Option<String>,
    pub due_on: Option<String>,
    pub done: Option<bool>,
}

/// An action as stored.
#[derive(sqlx::FromRow)]
struct ActionRow {
    id: i64,
    goal_id: i64,
    title: String,
    due_on: Option<String>,
    done_at: Option<i64>,
}

impl ActionRow {
    fn into_action(self, today: &str) -> GoalAction {
        GoalAction {
            id: self.id,
            goal_id: self.goal_id,
            title: self.title,
            overdue: is_overdue(self.due_on.as_deref(), self.done_at.is_none(), today),
            due_on: self.due_on,
            done: self.done_at.is_some(),
            done_at: self.done_at,
        }
    }
}

/// The actions of a goal, in checklist order.
pub(super) async fn actions_of(db: &Db, goal: i64, today: &str) -> AppResult<Vec<GoalAction>> {
    let rows = sqlx::query_as::<_, ActionRow>(
        "SELECT id, goal_id, title, due_on, done_at FROM goal_actions WHERE goal_id = $1 \
         ORDER BY position, id",
    )
    .bind(goal)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|r| r.into_action(today)).collect())
}

/// Adds an action at the end of a goal's checklist (its owner only). Returns the action's id.
pub async fn add_action(
    state: &AppState,
    actor: &Actor,
    goal: i64,
    input: &ActionInput,
) -> AppResult<i64> {
    let (_, relation) = visible_goal(state, actor, goal).await?;
    let permit = policy::edit_plan(actor, relation)?;
    let mut errors = Vec::new();
    let title = keep(&mut errors, check_title("title", "action", &input.title));
    let due_on = keep(&mut errors, check_day("due_on", &input.due_on));
    let (Some(title), Some(due_on)) = (title, due_on) else {
        return Err(invalid(errors));
    };
    let at = now();
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let position: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM goal_actions WHERE goal_id = $1",
    )
    .bind(goal)
    .fetch_one(&mut **work.tx())
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO goal_actions (goal_id, title, due_on, position, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(goal)
    .bind(&title)
    .bind(&due_on)
    .bind(position)
    .bind(at)
    .fetch_one(&mut **work.tx())
    .await?;
    touch(work.tx(), goal, at).await?;
    work.record(
        Action::PlanAddAction,
        &format!("goal_action:{id}"),
        &format!("Added the action \"{title}\" to goal {goal}"),
        Some(serde_json::json!({ "goal_id": goal, "title": title, "due_on": due_on })),
    )
    .await?;
    work.commit().await?;
    Ok(id)
}

/// The goal of an action, or a 404 when there is no such action.
async fn action_goal(db: &Db, action: i64) -> AppResult<i64> {
    sqlx::query_scalar("SELECT goal_id FROM goal_actions WHERE id = $1")
        .bind(action)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("this action"))
}

/// The goal of an action and how the actor stands to its owner, when they may see it; a 404 that
/// names the action otherwise.
async fn visible_action(state: &AppState, actor: &Actor, id: i64) -> AppResult<(i64, Relation)> {
    gate(state, actor).await?;
    let goal = action_goal(state.db(), id).await?;
    let (_, relation) = visible_goal(state, actor, goal)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::not_found("this action"),
            other => other,
        })?;
    Ok((goal, relation))
}

/// An action, for those who may see its goal.
pub async fn action(state: &AppState, actor: &Actor, id: i64) -> AppResult<GoalAction> {
    visible_action(state, actor, id).await?;
    let row = sqlx::query_as::<_, ActionRow>(
        "SELECT id, goal_id, title, due_on, done_at FROM goal_actions WHERE id = $1",
    )
    .bind(id)
    .fetch_one(state.db().pool())
    .await?;
    Ok(row.into_action(&today()))
}

/// The fields of an action that a change replaces, as stored.
#[derive(sqlx::FromRow)]
struct ActionFieldsRow {
    title: String,
    due_on: Option<String>,
    done_at: Option<i64>,
}

/// Ticks an action, or changes its title or due date (the goal's owner only). Returns the goal.
pub async fn change_action(
    state: &AppState,
    actor: &Actor,
    id: i64,
    change: &ActionChange,
) -> AppResult<i64> {
    let (goal, relation) = visible_action(state, actor, id).await?;
    let permit = policy::edit_plan(actor, relation)?;
    let mut errors = Vec::new();
    let e = &mut errors;
    let title = change
        .title
        .as_deref()
        .map(|t| keep(e, check_title("title", "action", t)));
    let due_on = change
        .due_on
        .as_deref()
        .map(|d| keep(e, check_day("due_on", d)));
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let at = now();
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let row = sqlx::query_as::<_, ActionFieldsRow>(
        "SELECT title, due_on, done_at FROM goal_actions WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut **work.tx())
    .await?;
    let title = title.flatten().unwrap_or(row.title);
    let due_on = match due_on {
        Some(d) => d.flatten(),
        None => row.due_on,
    };
    let was_done = row.done_at;
    let done_at = match change.done {
        Some(true) => was_done.or(Some(at)),
        Some(false) => None,
        None => was_done,
    };
    sqlx::query("UPDATE goal_actions SET title = $1, due_on = $2, done_at = $3 WHERE id = $4")
        .bind(&title)
        .bind(&due_on)
        .bind(done_at)
        .bind(id)
        .execute(&mut **work.tx())
        .await?;
    touch(work.tx(), goal, at).await?;
    let (action, summary) = match (was_done.is_some(), done_at.is_some()) {
        (false, true) => (
            Action::PlanTickAction,
            format!("Ticked the action \"{title}\""),
        ),
        (true, false) => (
            Action::PlanUntickAction,
            format!("Reopened the action \"{title}\""),
        ),
        _ => (
            Action::PlanChangeAction,
            format!("Changed the action \"{title}\""),
        ),
    };
    work.record(
        action,
        &format!("goal_action:{id}"),
        &summary,
        Some(serde_json::json!({
            "goal_id": goal, "title": title, "due_on": due_on, "done": done_at.is_some(),
        })),
    )
    .await?;
    work.commit().await?;
    Ok(goal)
}

/// Removes an action from its goal's checklist (the goal's owner only). Returns the goal.
pub async fn remove_action(state: &AppState, actor: &Actor, id: i64) -> AppResult<i64> {
    let (goal, relation) = visible_action(state, actor, id).await?;
    let permit = policy::edit_plan(actor, relation)?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let title: Option<String> =
        sqlx::query_scalar("DELETE FROM goal_actions WHERE id = $1 RETURNING title")
            .bind(id)
            .fetch_optional(&mut **work.tx())
            .await?;
    let title = title.ok_or_else(|| AppError::not_found("this action"))?;
    touch(work.tx(), goal, now()).await?;
    work.record(
        Action::PlanRemoveAction,
        &format!("goal_action:{id}"),
        &format!("Removed the action \"{title}\" from goal {goal}"),
        Some(serde_json::json!({ "goal_id": goal, "title": title })),
    )
    .await?;
    work.commit().await?;
    Ok(goal)
}
