//! The JSON of development plans: a plan, its goals, their actions and notes.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::Position;
use crate::growth::plans as service;

/// Where a goal stands.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    NotStarted,
    InProgress,
    Done,
    Dropped,
}

impl From<service::GoalStatus> for GoalStatus {
    fn from(status: service::GoalStatus) -> Self {
        match status {
            service::GoalStatus::NotStarted => GoalStatus::NotStarted,
            service::GoalStatus::InProgress => GoalStatus::InProgress,
            service::GoalStatus::Done => GoalStatus::Done,
            service::GoalStatus::Dropped => GoalStatus::Dropped,
        }
    }
}

/// A competency of the library, with its name in the published framework (its key when the
/// framework no longer has it).
#[derive(Serialize, ToSchema)]
#[schema(as = GoalCompetency)]
pub struct CompetencyRef {
    pub key: String,
    pub name: String,
}

impl From<service::CompetencyRef> for CompetencyRef {
    fn from(c: service::CompetencyRef) -> Self {
        CompetencyRef {
            key: c.key,
            name: c.name,
        }
    }
}

/// A goal with everything on its page.
#[derive(Serialize, ToSchema)]
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

impl From<service::Goal> for Goal {
    fn from(g: service::Goal) -> Self {
        Goal {
            id: g.id,
            person_id: g.person_id,
            person_name: g.person_name,
            title: g.title,
            description: g.description,
            status: g.status.into(),
            due_on: g.due_on,
            overdue: g.overdue,
            competencies: g.competencies.into_iter().map(Into::into).collect(),
            target: g.target.map(Into::into),
            proposed_by: g.proposed_by,
            created_at: g.created_at,
            updated_at: g.updated_at,
            completed_at: g.completed_at,
            actions: g.actions.into_iter().map(Into::into).collect(),
            notes: g.notes.into_iter().map(Into::into).collect(),
            can_edit: g.can_edit,
            can_note: g.can_note,
        }
    }
}

/// An action of a goal: one item of its checklist.
#[derive(Serialize, ToSchema)]
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

impl From<service::GoalAction> for GoalAction {
    fn from(a: service::GoalAction) -> Self {
        GoalAction {
            id: a.id,
            goal_id: a.goal_id,
            title: a.title,
            due_on: a.due_on,
            done: a.done,
            done_at: a.done_at,
            overdue: a.overdue,
        }
    }
}

/// Who wrote a note on a goal.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = GoalNoteKind)]
pub enum NoteKind {
    /// By the goal's owner.
    Progress,
    /// By someone in the owner's management chain.
    Comment,
}

impl From<service::NoteKind> for NoteKind {
    fn from(kind: service::NoteKind) -> Self {
        match kind {
            service::NoteKind::Progress => NoteKind::Progress,
            service::NoteKind::Comment => NoteKind::Comment,
        }
    }
}

/// A progress note or a comment on a goal.
#[derive(Serialize, ToSchema)]
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

impl From<service::GoalNote> for GoalNote {
    fn from(n: service::GoalNote) -> Self {
        GoalNote {
            id: n.id,
            kind: n.kind.into(),
            author_id: n.author_id,
            author_name: n.author_name,
            body: n.body,
            created_at: n.created_at,
        }
    }
}

/// A goal as plans and lists show it.
#[derive(Serialize, ToSchema)]
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

impl From<service::GoalSummary> for GoalSummary {
    fn from(g: service::GoalSummary) -> Self {
        GoalSummary {
            id: g.id,
            person_id: g.person_id,
            title: g.title,
            status: g.status.into(),
            due_on: g.due_on,
            overdue: g.overdue,
            competencies: g.competencies,
            track: g.track,
            level: g.level,
            actions_done: g.actions_done,
            actions_total: g.actions_total,
            proposed_by: g.proposed_by,
            updated_at: g.updated_at,
        }
    }
}

/// A plan in numbers, for the home page and the team view.
#[derive(Serialize, ToSchema)]
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

impl From<service::PlanSummary> for PlanSummary {
    fn from(s: service::PlanSummary) -> Self {
        PlanSummary {
            active: s.active,
            overdue: s.overdue,
            done: s.done,
            last_update: s.last_update,
        }
    }
}

/// A person's plan.
#[derive(Serialize, ToSchema)]
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

impl From<service::Plan> for Plan {
    fn from(p: service::Plan) -> Self {
        Plan {
            person_id: p.person_id,
            person_name: p.person_name,
            goals: p.goals.into_iter().map(Into::into).collect(),
            summary: p.summary.into(),
            can_edit: p.can_edit,
            can_add: p.can_add,
            competency_names: p.competency_names,
        }
    }
}
