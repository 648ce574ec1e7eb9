//! One goal: its page, adding one (or one from the gap analysis), changing and deleting it.

use trellis_framework::Framework;

use super::actions::{GoalAction, actions_of};
use super::input::CheckedChange;
use super::notes::{GoalNote, notes_of};
use super::{
    CompetencyRef, GoalChange, GoalInput, GoalStatus, TITLE_MAX, invalid, is_overdue, today,
    visible_goal, visible_plan,
};
use crate::architecture::framework;
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::db::{Db, Tx, Work, now};
use crate::error::{AppError, AppResult};
use crate::people::directory::{self, Position};
use crate::state::AppState;

/// A goal with everything on its page.
#[derive(Debug, Clone)]
pub struct Goal {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub title: String,
    /// Markdown.
    pub description: Option<String>,
    pub status: GoalStatus,
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
    pub overdue: bool,
    pub competencies: Vec<CompetencyRef>,
    /// The position the goal works towards.
    pub target: Option<Position>,
    /// The name of who proposed it, when someone in the chain did rather than the owner.
    pub proposed_by: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
    /// In checklist order.
    pub actions: Vec<GoalAction>,
    /// Oldest first.
    pub notes: Vec<GoalNote>,
    /// The viewer owns the goal and edits it.
    pub can_edit: bool,
    /// The viewer may write a note: a progress note (owner) or a comment (chain).
    pub can_note: bool,
}

/// A goal's own columns, with its owner's name and the name of who made it.
#[derive(sqlx::FromRow)]
struct GoalRow {
    person_id: i64,
    person_name: String,
    title: String,
    description: Option<String>,
    status: String,
    due_on: Option<String>,
    track_key: Option<String>,
    level_key: Option<String>,
    created_by: Option<i64>,
    creator_name: Option<String>,
    created_at: i64,
    updated_at: i64,
    completed_at: Option<i64>,
}

/// A goal with its actions and notes.
pub async fn goal(state: &AppState, actor: &Actor, id: i64) -> AppResult<Goal> {
    let (_, relation) = visible_goal(state, actor, id).await?;
    let db = state.db();
    let row = sqlx::query_as::<_, GoalRow>(
        "SELECT g.id, g.person_id, p.name AS person_name, g.title, g.description, g.status, g.due_on, \
         g.track_key, g.level_key, g.created_by, c.name AS creator_name, g.created_at, g.updated_at, \
         g.completed_at FROM goals g JOIN users p ON p.id = g.person_id \
         LEFT JOIN users c ON c.id = g.created_by WHERE g.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found("this goal"))?;
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let competencies = competencies_of(db, fw, id).await?;
    let today = today();
    let actions = actions_of(db, id, &today).await?;
    let notes = notes_of(db, id).await?;
    let status = GoalStatus::parse(&row.status).unwrap_or(GoalStatus::NotStarted);
    Ok(Goal {
        id,
        person_id: row.person_id,
        person_name: row.person_name,
        title: row.title,
        description: row.description,
        overdue: is_overdue(row.due_on.as_deref(), status.is_active(), &today),
        status,
        due_on: row.due_on,
        competencies,
        target: match (row.track_key, row.level_key) {
            (Some(t), Some(l)) => Some(directory::position_names(fw, &t, &l)),
            _ => None,
        },
        proposed_by: match row.created_by {
            Some(by) if by != row.person_id => row.creator_name,
            _ => None,
        },
        created_at: row.created_at,
        updated_at: row.updated_at,
        completed_at: row.completed_at,
        actions,
        notes,
        can_edit: policy::edit_plan(actor, relation).is_ok(),
        can_note: policy::contribute_to_plan(actor, relation).is_ok(),
    })
}

/// The competencies a goal works on, named by the published framework (by their keys when it
/// has them no more).
async fn competencies_of(
    db: &Db,
    fw: Option<&Framework>,
    goal: i64,
) -> AppResult<Vec<CompetencyRef>> {
    let keys: Vec<String> = sqlx::query_scalar(
        "SELECT competency_key FROM goal_competencies WHERE goal_id = $1 ORDER BY competency_key",
    )
    .bind(goal)
    .fetch_all(db.pool())
    .await?;
    Ok(keys
        .into_iter()
        .map(|key| CompetencyRef {
            name: fw
                .and_then(|f| f.competency(&key))
                .map_or_else(|| key.clone(), |c| c.name.clone()),
            key,
        })
        .collect())
}

/// Adds a goal to a person's plan: by the person, or proposed by their management chain. With
/// `from_gap`, the goal comes from the gap analysis to a position: a title and a description are
/// made from the competencies and the position when none is given. Returns the goal's id.
pub async fn create_goal(
    state: &AppState,
    actor: &Actor,
    person: i64,
    input: &GoalInput,
    from_gap: bool,
) -> AppResult<i64> {
    let (relation, person_name) = visible_plan(state, actor, person).await?;
    let permit = policy::contribute_to_plan(actor, relation)?;
    let published = framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let mut input = input.clone();
    if from_gap {
        fill_from_gap(fw, &mut input);
    }
    let goal = input.check(fw).map_err(invalid)?;
    let at = now();
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO goals (person_id, title, description, track_key, level_key, status, due_on, \
         created_by, created_at, updated_at, completed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id",
    )
    .bind(person)
    .bind(&goal.title)
    .bind(&goal.description)
    .bind(goal.target.as_ref().map(|(t, _)| t.clone()))
    .bind(goal.target.as_ref().map(|(_, l)| l.clone()))
    .bind(goal.status.as_str())
    .bind(&goal.due_on)
    .bind(actor.user_id)
    .bind(at)
    .bind((goal.status == GoalStatus::Done).then_some(at))
    .fetch_one(&mut **work.tx())
    .await?;
    write_competencies(work.tx(), id, &goal.competencies).await?;
    let proposed = relation != Relation::Myself;
    work.record(Action::PlanCreateGoal,
        &format!("goal:{id}"),
        &format!(
            "{} the goal \"{}\" for {person_name}",
            if proposed { "Proposed" } else { "Added" },
            goal.title
        ),
        Some(serde_json::json!({
            "person_id": person, "title": goal.title, "competencies": goal.competencies,
            "track": goal.target.as_ref().map(|(t, _)| t), "level": goal.target.as_ref().map(|(_, l)| l),
            "due_on": goal.due_on, "status": goal.status.as_str(), "from_gap": from_gap,
        })),
    )
    .await?;
    work.commit().await?;
    Ok(id)
}

/// A goal from the gap analysis gets a title and a description that say which gap it closes, when
/// the form sent none.
fn fill_from_gap(fw: &Framework, input: &mut GoalInput) {
    let names: Vec<String> = input
        .competencies
        .iter()
        .filter_map(|k| fw.competency(k.trim()).map(|c| c.name.clone()))
        .collect();
    let target = fw.track(input.track.trim()).and_then(|t| {
        t.level(input.level.trim())
            .map(|l| format!("{} ({})", l.title, t.name))
    });
    if input.title.trim().is_empty() && !names.is_empty() {
        input.title = match &target {
            Some(t) => format!("Grow {} towards {t}", names.join(", ")),
            None => format!("Grow {}", names.join(", ")),
        };
        if input.title.chars().count() > TITLE_MAX {
            input.title = input.title.chars().take(TITLE_MAX - 1).collect::<String>() + "…";
        }
    }
    if input.description.trim().is_empty()
        && let Some(t) = &target
    {
        input.description = format!(
            "From the gap analysis to {t}: the expectations of that level for {} are not met yet.",
            names.join(", ")
        );
    }
}

async fn write_competencies(tx: &mut Tx, goal: i64, keys: &[String]) -> AppResult<()> {
    sqlx::query("DELETE FROM goal_competencies WHERE goal_id = $1")
        .bind(goal)
        .execute(&mut **tx)
        .await?;
    for key in keys {
        sqlx::query("INSERT INTO goal_competencies (goal_id, competency_key) VALUES ($1, $2)")
            .bind(goal)
            .bind(key)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The fields of a goal that a change replaces, as stored.
#[derive(sqlx::FromRow)]
struct GoalFieldsRow {
    title: String,
    description: Option<String>,
    track_key: Option<String>,
    level_key: Option<String>,
    due_on: Option<String>,
    status: String,
    completed_at: Option<i64>,
}

/// A goal's fields once a change is made to them.
struct ChangedGoal {
    title: String,
    description: Option<String>,
    track: Option<String>,
    level: Option<String>,
    due_on: Option<String>,
    status: GoalStatus,
    completed_at: Option<i64>,
}

impl GoalFieldsRow {
    /// The fields with `change` made to them at `at`: a goal done keeps the time it was first
    /// done, and one no longer done loses it.
    fn changed(self, change: &CheckedChange, at: i64) -> ChangedGoal {
        let (track, level) = match &change.target {
            Some(t) => (
                t.as_ref().map(|(t, _)| t.clone()),
                t.as_ref().map(|(_, l)| l.clone()),
            ),
            None => (self.track_key, self.level_key),
        };
        let status = change
            .status
            .unwrap_or_else(|| GoalStatus::parse(&self.status).unwrap_or(GoalStatus::NotStarted));
        ChangedGoal {
            title: change.title.clone().unwrap_or(self.title),
            description: change.description.clone().unwrap_or(self.description),
            track,
            level,
            due_on: change.due_on.clone().unwrap_or(self.due_on),
            completed_at: match (status, self.completed_at) {
                (GoalStatus::Done, Some(t)) => Some(t),
                (GoalStatus::Done, None) => Some(at),
                _ => None,
            },
            status,
        }
    }
}

/// Changes a goal (its owner only): each field given replaces the current value.
pub async fn update_goal(
    state: &AppState,
    actor: &Actor,
    id: i64,
    change: &GoalChange,
) -> AppResult<()> {
    let (_, relation) = visible_goal(state, actor, id).await?;
    let permit = policy::edit_plan(actor, relation)?;
    let published = framework::require_published(state, actor).await?;
    let change = change.check(&published.framework).map_err(invalid)?;
    let at = now();
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let row = sqlx::query_as::<_, GoalFieldsRow>(
        "SELECT title, description, track_key, level_key, due_on, status, completed_at FROM goals WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **work.tx())
    .await?
    .ok_or_else(|| AppError::not_found("this goal"))?;
    let old_status = row.status.clone();
    let next = row.changed(&change, at);
    sqlx::query(
        "UPDATE goals SET title = $1, description = $2, track_key = $3, level_key = $4, due_on = $5, \
         status = $6, completed_at = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(&next.title)
    .bind(&next.description)
    .bind(&next.track)
    .bind(&next.level)
    .bind(&next.due_on)
    .bind(next.status.as_str())
    .bind(next.completed_at)
    .bind(at)
    .bind(id)
    .execute(&mut **work.tx())
    .await?;
    if let Some(keys) = &change.competencies {
        write_competencies(work.tx(), id, keys).await?;
    }
    work.record(
        Action::PlanUpdateGoal,
        &format!("goal:{id}"),
        &format!("Updated the goal \"{}\"", next.title),
        Some(serde_json::json!({
            "title": next.title, "track": next.track, "level": next.level, "due_on": next.due_on,
            "status": next.status.as_str(), "previous_status": old_status,
            "competencies": change.competencies,
        })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Deletes a goal with its actions and notes (its owner): for a goal added by mistake. A goal given
/// up on is better marked dropped, which keeps it in the plan. Talking points of 1:1s that linked
/// it keep their words and lose the link. Returns the person whose plan it was.
pub async fn delete_goal(state: &AppState, actor: &Actor, id: i64) -> AppResult<i64> {
    let (owner, relation) = visible_goal(state, actor, id).await?;
    let permit = policy::edit_plan(actor, relation)?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let title: Option<String> =
        sqlx::query_scalar("DELETE FROM goals WHERE id = $1 RETURNING title")
            .bind(id)
            .fetch_optional(&mut **work.tx())
            .await?;
    let title = title.ok_or_else(|| AppError::not_found("this goal"))?;
    work.record(
        Action::PlanDeleteGoal,
        &format!("goal:{id}"),
        &format!("Deleted the goal \"{title}\""),
        Some(serde_json::json!({ "person_id": owner, "title": title })),
    )
    .await?;
    work.commit().await?;
    Ok(owner)
}
