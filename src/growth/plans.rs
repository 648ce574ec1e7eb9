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

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sqlx::Row;
use trellis_framework::Framework;

use crate::architecture::framework;
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::db::Work;
use crate::db::{Db, Tx, now};
use crate::domain::Day;
use crate::error::{AppError, AppResult, FieldError};
use crate::people::directory::{self, Position};
use crate::rollout::pilot;
use crate::state::AppState;

/// The longest title of a goal or an action, in characters.
pub const TITLE_MAX: usize = 200;
/// The longest description or note, in characters.
pub const TEXT_MAX: usize = 20_000;

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// Who wrote a note on a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = GoalNoteKind)]
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

/// A competency of the library, with its name in the published framework (its key when the
/// framework no longer has it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = GoalCompetency)]
pub struct CompetencyRef {
    pub key: String,
    pub name: String,
}

/// A goal as plans and lists show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = DevelopmentPlan)]
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

/// An action of a goal: one item of its checklist.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

/// A progress note or a comment on a goal.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

/// A goal with everything on its page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

/// A goal as typed in a form or sent to the API, before checking.
#[derive(Debug, Clone, Default)]
pub struct GoalInput {
    pub title: String,
    /// Markdown; optional.
    pub description: String,
    /// Competency keys; at least one.
    pub competencies: Vec<String>,
    /// The target position: both empty, or a track key and one of its level keys.
    pub track: String,
    pub level: String,
    /// `YYYY-MM-DD`; optional.
    pub due_on: String,
    /// Empty for not started.
    pub status: String,
}

/// A change to a goal: each field given replaces the current one (an empty text clears it).
#[derive(Debug, Clone, Default)]
pub struct GoalChange {
    pub title: Option<String>,
    pub description: Option<String>,
    pub competencies: Option<Vec<String>>,
    /// Given together with `level`; both empty to clear the target.
    pub track: Option<String>,
    pub level: Option<String>,
    pub due_on: Option<String>,
    pub status: Option<String>,
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

/// A required title of at most [`TITLE_MAX`] characters.
fn check_title(field: &str, what: &str, raw: &str) -> Result<String, FieldError> {
    let title = raw.trim();
    if title.is_empty() {
        Err(field_error(field, format!("give the {what} a title")))
    } else if title.chars().count() > TITLE_MAX {
        Err(field_error(
            field,
            format!(
                "a title has at most {TITLE_MAX} characters; this one has {}",
                title.chars().count()
            ),
        ))
    } else {
        Ok(title.to_owned())
    }
}

/// An optional text of at most [`TEXT_MAX`] characters.
fn check_text(field: &str, raw: &str) -> Result<Option<String>, FieldError> {
    let text = raw.trim();
    if text.chars().count() > TEXT_MAX {
        Err(field_error(
            field,
            format!("this text has at most {TEXT_MAX} characters"),
        ))
    } else {
        Ok((!text.is_empty()).then(|| text.to_owned()))
    }
}

/// An optional day, written `YYYY-MM-DD`.
fn check_day(field: &str, raw: &str) -> Result<Option<String>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Day::parse(raw)
        .map(|d| Some(d.to_string()))
        .map_err(|m| field_error(field, m))
}

fn check_status(raw: &str) -> Result<GoalStatus, FieldError> {
    match raw.trim() {
        "" => Ok(GoalStatus::NotStarted),
        s => GoalStatus::parse(s).ok_or_else(|| {
            field_error(
                "status",
                format!("“{s}” is not a status: use not_started, in_progress, done or dropped"),
            )
        }),
    }
}

/// One or more competency keys of the library, each once, in the order given.
fn check_competencies(fw: &Framework, keys: &[String]) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for key in keys.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
        if fw.competency(key).is_none() {
            return Err(field_error(
                "competencies",
                format!("“{key}” is not a competency of the library"),
            ));
        }
        if !out.iter().any(|k| k == key) {
            out.push(key.to_owned());
        }
    }
    if out.is_empty() {
        return Err(field_error(
            "competencies",
            "choose at least one competency the goal works on",
        ));
    }
    Ok(out)
}

/// A target position: nothing, or a track of the framework and one of its levels.
fn check_target(
    fw: &Framework,
    track: &str,
    level: &str,
) -> Result<Option<(String, String)>, FieldError> {
    let (track, level) = (track.trim(), level.trim());
    match (track.is_empty(), level.is_empty()) {
        (true, true) => Ok(None),
        (true, false) => Err(field_error("track", "choose the track of the target level")),
        (false, _) => {
            let t = fw
                .track(track)
                .ok_or_else(|| field_error("track", format!("“{track}” is not a track")))?;
            if level.is_empty() {
                return Err(field_error("level", "choose a level of the track"));
            }
            if t.level(level).is_none() {
                return Err(field_error(
                    "level",
                    format!("“{level}” is not a level of {}", t.name),
                ));
            }
            Ok(Some((track.to_owned(), level.to_owned())))
        }
    }
}

/// A goal, checked.
struct CheckedGoal {
    title: String,
    description: Option<String>,
    competencies: Vec<String>,
    target: Option<(String, String)>,
    due_on: Option<String>,
    status: GoalStatus,
}

impl GoalInput {
    fn check(&self, fw: &Framework) -> Result<CheckedGoal, Vec<FieldError>> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let title = keep(e, check_title("title", "goal", &self.title));
        let description = keep(e, check_text("description", &self.description));
        let competencies = keep(e, check_competencies(fw, &self.competencies));
        let target = keep(e, check_target(fw, &self.track, &self.level));
        let due_on = keep(e, check_day("due_on", &self.due_on));
        let status = keep(e, check_status(&self.status));
        match (title, description, competencies, target, due_on, status) {
            (
                Some(title),
                Some(description),
                Some(competencies),
                Some(target),
                Some(due_on),
                Some(status),
            ) if errors.is_empty() => Ok(CheckedGoal {
                title,
                description,
                competencies,
                target,
                due_on,
                status,
            }),
            _ => Err(errors),
        }
    }
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

/// The goals of a person, active ones first, with their competency keys and action counts.
async fn summaries(db: &Db, person: i64, only_active: bool) -> AppResult<Vec<GoalSummary>> {
    let filter = if only_active {
        "AND g.status IN ('not_started', 'in_progress')"
    } else {
        ""
    };
    let rows = sqlx::query(&format!(
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
    let keys = sqlx::query(
        "SELECT gc.goal_id, gc.competency_key FROM goal_competencies gc \
         JOIN goals g ON g.id = gc.goal_id WHERE g.person_id = $1 ORDER BY gc.goal_id, gc.competency_key",
    )
    .bind(person)
    .fetch_all(db.pool())
    .await?;
    let mut by_goal: HashMap<i64, Vec<String>> = HashMap::new();
    for r in &keys {
        by_goal
            .entry(r.try_get("goal_id")?)
            .or_default()
            .push(r.try_get("competency_key")?);
    }
    let today = today();
    let mut goals = rows
        .iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            let person_id: i64 = r.try_get("person_id")?;
            let status: String = r.try_get("status")?;
            let status = GoalStatus::parse(&status).unwrap_or(GoalStatus::NotStarted);
            let due_on: Option<String> = r.try_get("due_on")?;
            let created_by: Option<i64> = r.try_get("created_by")?;
            Ok(GoalSummary {
                id,
                person_id,
                title: r.try_get("title")?,
                overdue: is_overdue(due_on.as_deref(), status.is_active(), &today),
                status,
                due_on,
                competencies: by_goal.remove(&id).unwrap_or_default(),
                track: r.try_get("track_key")?,
                level: r.try_get("level_key")?,
                actions_done: r.try_get("actions_done")?,
                actions_total: r.try_get("actions_total")?,
                proposed_by: match created_by {
                    Some(by) if by != person_id => r.try_get("creator_name")?,
                    _ => None,
                },
                updated_at: r.try_get("updated_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
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
    let row = sqlx::query(
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
        active: row.try_get("active")?,
        overdue: row.try_get("overdue")?,
        done: row.try_get("done")?,
        last_update: row.try_get("last_update")?,
    })
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

/// A goal with its actions and notes.
pub async fn goal(state: &AppState, actor: &Actor, id: i64) -> AppResult<Goal> {
    let (_, relation) = visible_goal(state, actor, id).await?;
    let db = state.db();
    let row = sqlx::query(
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
    let keys: Vec<String> = sqlx::query_scalar(
        "SELECT competency_key FROM goal_competencies WHERE goal_id = $1 ORDER BY competency_key",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let competencies = keys
        .into_iter()
        .map(|key| CompetencyRef {
            name: fw
                .and_then(|f| f.competency(&key))
                .map_or_else(|| key.clone(), |c| c.name.clone()),
            key,
        })
        .collect();
    let today = today();
    let actions = sqlx::query(
        "SELECT id, goal_id, title, due_on, done_at FROM goal_actions WHERE goal_id = $1 \
         ORDER BY position, id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| action_from_row(r, &today))
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let notes = sqlx::query(
        "SELECT n.id, n.kind, n.author_id, u.name AS author_name, n.body, n.created_at \
         FROM goal_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.goal_id = $1 ORDER BY n.id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let kind: String = r.try_get("kind")?;
        Ok(GoalNote {
            id: r.try_get("id")?,
            kind: NoteKind::parse(&kind),
            author_id: r.try_get("author_id")?,
            author_name: r.try_get("author_name")?,
            body: r.try_get("body")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let person_id: i64 = row.try_get("person_id")?;
    let status: String = row.try_get("status")?;
    let status = GoalStatus::parse(&status).unwrap_or(GoalStatus::NotStarted);
    let due_on: Option<String> = row.try_get("due_on")?;
    let track: Option<String> = row.try_get("track_key")?;
    let level: Option<String> = row.try_get("level_key")?;
    let created_by: Option<i64> = row.try_get("created_by")?;
    Ok(Goal {
        id,
        person_id,
        person_name: row.try_get("person_name")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        overdue: is_overdue(due_on.as_deref(), status.is_active(), &today),
        status,
        due_on,
        competencies,
        target: match (track, level) {
            (Some(t), Some(l)) => Some(directory::position_names(fw, &t, &l)),
            _ => None,
        },
        proposed_by: match created_by {
            Some(by) if by != person_id => row.try_get("creator_name")?,
            _ => None,
        },
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        completed_at: row.try_get("completed_at")?,
        actions,
        notes,
        can_edit: policy::edit_plan(actor, relation).is_ok(),
        can_note: policy::contribute_to_plan(actor, relation).is_ok(),
    })
}

fn action_from_row(r: &sqlx::any::AnyRow, today: &str) -> Result<GoalAction, sqlx::Error> {
    let due_on: Option<String> = r.try_get("due_on")?;
    let done_at: Option<i64> = r.try_get("done_at")?;
    Ok(GoalAction {
        id: r.try_get("id")?,
        goal_id: r.try_get("goal_id")?,
        title: r.try_get("title")?,
        overdue: is_overdue(due_on.as_deref(), done_at.is_none(), today),
        due_on,
        done: done_at.is_some(),
        done_at,
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
    let fw = &published.framework;
    let mut errors = Vec::new();
    let e = &mut errors;
    let title = change
        .title
        .as_deref()
        .map(|t| keep(e, check_title("title", "goal", t)));
    let description = change
        .description
        .as_deref()
        .map(|t| keep(e, check_text("description", t)));
    let competencies = change
        .competencies
        .as_deref()
        .map(|c| keep(e, check_competencies(fw, c)));
    let target = match (&change.track, &change.level) {
        (None, None) => None,
        (t, l) => Some(keep(
            e,
            check_target(
                fw,
                t.as_deref().unwrap_or_default(),
                l.as_deref().unwrap_or_default(),
            ),
        )),
    };
    let due_on = change
        .due_on
        .as_deref()
        .map(|d| keep(e, check_day("due_on", d)));
    let status = change.status.as_deref().map(|s| {
        keep(
            e,
            if s.trim().is_empty() {
                Err(field_error("status", "choose a status"))
            } else {
                check_status(s)
            },
        )
    });
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let at = now();
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let row = sqlx::query(
        "SELECT title, description, track_key, level_key, due_on, status, completed_at FROM goals WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **work.tx())
    .await?
    .ok_or_else(|| AppError::not_found("this goal"))?;
    let old_status: String = row.try_get("status")?;
    let title = title.flatten().map_or_else(|| row.try_get("title"), Ok)?;
    let description = match description {
        Some(d) => d.flatten(),
        None => row.try_get("description")?,
    };
    let (track, level): (Option<String>, Option<String>) = match target {
        Some(t) => {
            let t = t.flatten();
            (t.as_ref().map(|(t, _)| t.clone()), t.map(|(_, l)| l))
        }
        None => (row.try_get("track_key")?, row.try_get("level_key")?),
    };
    let due_on = match due_on {
        Some(d) => d.flatten(),
        None => row.try_get("due_on")?,
    };
    let status = status
        .flatten()
        .unwrap_or_else(|| GoalStatus::parse(&old_status).unwrap_or(GoalStatus::NotStarted));
    let completed_at: Option<i64> = match (status, row.try_get::<Option<i64>, _>("completed_at")?) {
        (GoalStatus::Done, Some(t)) => Some(t),
        (GoalStatus::Done, None) => Some(at),
        _ => None,
    };
    sqlx::query(
        "UPDATE goals SET title = $1, description = $2, track_key = $3, level_key = $4, due_on = $5, \
         status = $6, completed_at = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(&title)
    .bind(&description)
    .bind(&track)
    .bind(&level)
    .bind(&due_on)
    .bind(status.as_str())
    .bind(completed_at)
    .bind(at)
    .bind(id)
    .execute(&mut **work.tx())
    .await?;
    if let Some(Some(keys)) = &competencies {
        write_competencies(work.tx(), id, keys).await?;
    }
    work.record(
        Action::PlanUpdateGoal,
        &format!("goal:{id}"),
        &format!("Updated the goal \"{title}\""),
        Some(serde_json::json!({
            "title": title, "track": track, "level": level, "due_on": due_on,
            "status": status.as_str(), "previous_status": old_status,
            "competencies": competencies.flatten(),
        })),
    )
    .await?;
    work.commit().await?;
    Ok(())
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

/// An action, for those who may see its goal.
pub async fn action(state: &AppState, actor: &Actor, id: i64) -> AppResult<GoalAction> {
    gate(state, actor).await?;
    let goal = action_goal(state.db(), id).await?;
    visible_goal(state, actor, goal)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::not_found("this action"),
            other => other,
        })?;
    let row =
        sqlx::query("SELECT id, goal_id, title, due_on, done_at FROM goal_actions WHERE id = $1")
            .bind(id)
            .fetch_one(state.db().pool())
            .await?;
    Ok(action_from_row(&row, &today())?)
}

/// Ticks an action, or changes its title or due date (the goal's owner only). Returns the goal.
pub async fn change_action(
    state: &AppState,
    actor: &Actor,
    id: i64,
    change: &ActionChange,
) -> AppResult<i64> {
    gate(state, actor).await?;
    let goal = action_goal(state.db(), id).await?;
    let (_, relation) = visible_goal(state, actor, goal)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::not_found("this action"),
            other => other,
        })?;
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
    let row = sqlx::query("SELECT title, due_on, done_at FROM goal_actions WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **work.tx())
        .await?;
    let title: String = title.flatten().map_or_else(|| row.try_get("title"), Ok)?;
    let due_on: Option<String> = match due_on {
        Some(d) => d.flatten(),
        None => row.try_get("due_on")?,
    };
    let was_done: Option<i64> = row.try_get("done_at")?;
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
    gate(state, actor).await?;
    let goal = action_goal(state.db(), id).await?;
    let (_, relation) = visible_goal(state, actor, goal)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::not_found("this action"),
            other => other,
        })?;
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
    self::goal(state, actor, goal)
        .await?
        .notes
        .into_iter()
        .find(|n| n.id == id)
        .ok_or_else(|| AppError::not_found("this note"))
}
