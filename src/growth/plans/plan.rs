//! A person's plan: their goals in a list, and the plan in numbers for other areas.

use std::collections::HashMap;

use super::{GoalStatus, is_overdue, today, visible_plan};
use crate::architecture::framework;
use crate::auth::Actor;
use crate::auth::policy;
use crate::db::Db;
use crate::error::AppResult;
use crate::state::AppState;

/// A goal as plans and lists show it.
#[derive(Debug, Clone)]
pub struct GoalSummary {
    pub id: i64,
    pub person_id: i64,
    pub title: String,
    pub status: GoalStatus,
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// Active, with a due date before today.
    pub overdue: bool,
    /// Competency keys of the library.
    pub competencies: Vec<String>,
    /// The target position's track key.
    pub track: Option<String>,
    /// The target position's level key.
    pub level: Option<String>,
    pub actions_done: i64,
    pub actions_total: i64,
    /// The name of who proposed it, when someone in the chain did rather than the owner.
    pub proposed_by: Option<String>,
    /// Unix seconds of the last change to the goal, its actions or its notes.
    pub updated_at: i64,
}

/// A plan in numbers, for the home page and the team view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanSummary {
    /// Goals not started or in progress.
    pub active: i64,
    /// Active goals with a due date before today.
    pub overdue: i64,
    /// Goals done.
    pub done: i64,
    /// Unix seconds of the last change to any goal, its actions or its notes; `None` without goals.
    pub last_update: Option<i64>,
}

/// A person's plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub person_id: i64,
    pub person_name: String,
    /// Every goal: active ones first (in progress, then not started), soonest due first.
    pub goals: Vec<GoalSummary>,
    pub summary: PlanSummary,
    /// The viewer owns the plan and edits it.
    pub can_edit: bool,
    /// The viewer may add a goal (the owner) or propose one (their management chain).
    pub can_add: bool,
    /// Competency names of the published framework, by key, for the goals' competencies.
    pub competency_names: HashMap<String, String>,
}

/// A goal of a plan, with the name of who made it and its action counts.
#[derive(sqlx::FromRow)]
struct GoalSummaryRow {
    id: i64,
    person_id: i64,
    title: String,
    status: String,
    due_on: Option<String>,
    track_key: Option<String>,
    level_key: Option<String>,
    created_by: Option<i64>,
    updated_at: i64,
    creator_name: Option<String>,
    actions_total: i64,
    actions_done: i64,
}

impl GoalSummaryRow {
    fn into_summary(self, competencies: Vec<String>, today: &str) -> GoalSummary {
        let status = GoalStatus::parse(&self.status).unwrap_or(GoalStatus::NotStarted);
        GoalSummary {
            id: self.id,
            person_id: self.person_id,
            title: self.title,
            overdue: is_overdue(self.due_on.as_deref(), status.is_active(), today),
            status,
            due_on: self.due_on,
            competencies,
            track: self.track_key,
            level: self.level_key,
            actions_done: self.actions_done,
            actions_total: self.actions_total,
            proposed_by: match self.created_by {
                Some(by) if by != self.person_id => self.creator_name,
                _ => None,
            },
            updated_at: self.updated_at,
        }
    }
}

/// A competency a goal works on.
#[derive(sqlx::FromRow)]
struct GoalCompetencyRow {
    goal_id: i64,
    competency_key: String,
}

/// The goals of a person, active ones first, with their competency keys and action counts.
async fn summaries(db: &Db, person: i64, only_active: bool) -> AppResult<Vec<GoalSummary>> {
    let filter = if only_active {
        "AND g.status IN ('not_started', 'in_progress')"
    } else {
        ""
    };
    let rows = sqlx::query_as::<_, GoalSummaryRow>(&format!(
        "SELECT g.id, g.person_id, g.title, g.status, g.due_on, g.track_key, g.level_key, \
         g.created_by, g.updated_at, c.name AS creator_name, \
         (SELECT COUNT(*) FROM goal_actions a WHERE a.goal_id = g.id) AS actions_total, \
         (SELECT COUNT(*) FROM goal_actions a WHERE a.goal_id = g.id AND a.done_at IS NOT NULL) AS actions_done \
         FROM goals g LEFT JOIN users c ON c.id = g.created_by \
         WHERE g.person_id = $1 {filter} ORDER BY g.id"
    ))
    .bind(person)
    .fetch_all(db.pool())
    .await?;
    let keys = sqlx::query_as::<_, GoalCompetencyRow>(
        "SELECT gc.goal_id, gc.competency_key FROM goal_competencies gc \
         JOIN goals g ON g.id = gc.goal_id WHERE g.person_id = $1 ORDER BY gc.goal_id, gc.competency_key",
    )
    .bind(person)
    .fetch_all(db.pool())
    .await?;
    let mut by_goal: HashMap<i64, Vec<String>> = HashMap::new();
    for k in keys {
        by_goal.entry(k.goal_id).or_default().push(k.competency_key);
    }
    let today = today();
    let mut goals: Vec<GoalSummary> = rows
        .into_iter()
        .map(|r| {
            let competencies = by_goal.remove(&r.id).unwrap_or_default();
            r.into_summary(competencies, &today)
        })
        .collect();
    goals.sort_by(|a, b| {
        let rank = |g: &GoalSummary| GoalStatus::ALL.iter().position(|s| *s == g.status);
        rank(a)
            .cmp(&rank(b))
            .then_with(|| match (&a.due_on, &b.due_on) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(goals)
}

/// The active goals (not started or in progress) of a person, in progress first, soonest due
/// first. Competencies are keys; names are in the published framework.
///
/// **No policy check**: the caller must have decided that the viewer may see this person's plan
/// (`policy::see_private` with `directory::relation`).
pub async fn active_goals(db: &Db, person: i64) -> AppResult<Vec<GoalSummary>> {
    summaries(db, person, true).await
}

/// A person's plan in numbers: active and overdue goals, goals done, time of the last update.
///
/// **No policy check**: the caller must have decided that the viewer may see this person's plan
/// (`policy::see_private` with `directory::relation`).
pub async fn plan_summary(db: &Db, person: i64) -> AppResult<PlanSummary> {
    let row = sqlx::query_as::<_, PlanSummaryRow>(
        "SELECT \
           COUNT(CASE WHEN status IN ('not_started', 'in_progress') THEN 1 END) AS active, \
           COUNT(CASE WHEN status IN ('not_started', 'in_progress') AND due_on < $2 THEN 1 END) AS overdue, \
           COUNT(CASE WHEN status = 'done' THEN 1 END) AS done, \
           MAX(updated_at) AS last_update \
         FROM goals WHERE person_id = $1",
    )
    .bind(person)
    .bind(today())
    .fetch_one(db.pool())
    .await?;
    Ok(PlanSummary {
        active: row.active,
        overdue: row.overdue,
        done: row.done,
        last_update: row.last_update,
    })
}

/// A plan's counts, as [`plan_summary`]'s query names them.
#[derive(sqlx::FromRow)]
struct PlanSummaryRow {
    active: i64,
    overdue: i64,
    done: i64,
    last_update: Option<i64>,
}

fn summarise(goals: &[GoalSummary]) -> PlanSummary {
    PlanSummary {
        active: goals.iter().filter(|g| g.status.is_active()).count() as i64,
        overdue: goals.iter().filter(|g| g.overdue).count() as i64,
        done: goals
            .iter()
            .filter(|g| g.status == GoalStatus::Done)
            .count() as i64,
        last_update: goals.iter().map(|g| g.updated_at).max(),
    }
}

/// A person's plan, for them, their management chain and admins.
pub async fn plan(state: &AppState, actor: &Actor, person: i64) -> AppResult<Plan> {
    let (relation, person_name) = visible_plan(state, actor, person).await?;
    let goals = summaries(state.db(), person, false).await?;
    let published = framework::published(state, actor).await?;
    let mut competency_names = HashMap::new();
    if let Some(p) = &published {
        for key in goals.iter().flat_map(|g| g.competencies.iter()) {
            if let Some(c) = p.framework.competency(key) {
                competency_names.insert(key.clone(), c.name.clone());
            }
        }
    }
    Ok(Plan {
        person_id: person,
        person_name,
        summary: summarise(&goals),
        goals,
        can_edit: policy::edit_plan(actor, relation).is_ok(),
        can_add: policy::contribute_to_plan(actor, relation).is_ok(),
        competency_names,
    })
}

/// The goals of a person: for the 1:1 agenda, which links talking points to the report's goals.
pub(crate) async fn goal_titles(db: &Db, person: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(active_goals(db, person)
        .await?
        .into_iter()
        .map(|g| (g.id, g.title))
        .collect())
}
