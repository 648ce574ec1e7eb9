//! The JSON of the rollout programme: self-checks, the roadmap and the pilot. A self-check's
//! answers, advice and comparison, and the stages, are the rules' own values
//! (`trellis_rules`), which describe themselves.

use serde::Serialize;
use utoipa::ToSchema;

use crate::rollout::pilot as pilot_service;
use crate::rollout::roadmap::{self as roadmap_service, Stage};
use crate::rollout::self_check::{self as self_check_service, Advice, SelfCheckAnswers};

/// A self-check as kept, with its advice.
#[derive(Serialize, ToSchema)]
pub struct SelfCheck {
    pub id: i64,
    /// Seconds since the epoch.
    pub taken_at: i64,
    /// Who took it, when they are still in the directory.
    pub taken_by: Option<String>,
    pub answers: SelfCheckAnswers,
    pub advice: Vec<Advice>,
}

impl From<self_check_service::SelfCheck> for SelfCheck {
    fn from(c: self_check_service::SelfCheck) -> Self {
        SelfCheck {
            id: c.id,
            taken_at: c.taken_at,
            taken_by: c.taken_by,
            answers: c.answers,
            advice: c.advice,
        }
    }
}

/// How far a stage has got.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    NotStarted,
    InProgress,
    Done,
}

impl From<roadmap_service::StageStatus> for StageStatus {
    fn from(status: roadmap_service::StageStatus) -> Self {
        match status {
            roadmap_service::StageStatus::NotStarted => StageStatus::NotStarted,
            roadmap_service::StageStatus::InProgress => StageStatus::InProgress,
            roadmap_service::StageStatus::Done => StageStatus::Done,
        }
    }
}

/// A person from the directory who owns a stage or an item.
#[derive(Serialize, ToSchema)]
pub struct Owner {
    pub id: i64,
    pub name: String,
    pub email: String,
}

impl From<roadmap_service::Owner> for Owner {
    fn from(o: roadmap_service::Owner) -> Self {
        Owner {
            id: o.id,
            name: o.name,
            email: o.email,
        }
    }
}

/// One thing to do in a stage.
#[derive(Serialize, ToSchema)]
pub struct Item {
    pub id: i64,
    pub stage: Stage,
    pub title: String,
    pub owner: Option<Owner>,
    /// YYYY-MM-DD
    pub due_on: Option<String>,
    pub done: bool,
    /// When it was ticked, in seconds since the epoch.
    pub done_at: Option<i64>,
    /// Due before today and not done.
    pub overdue: bool,
}

impl From<roadmap_service::Item> for Item {
    fn from(i: roadmap_service::Item) -> Self {
        Item {
            id: i.id,
            stage: i.stage,
            title: i.title,
            owner: i.owner.map(Into::into),
            due_on: i.due_on,
            done: i.done,
            done_at: i.done_at,
            overdue: i.overdue,
        }
    }
}

/// A stage with its plan and checklist.
#[derive(Serialize, ToSchema)]
pub struct StageView {
    pub stage: Stage,
    pub name: String,
    pub purpose: String,
    pub owner: Option<Owner>,
    /// YYYY-MM-DD
    pub starts_on: Option<String>,
    /// YYYY-MM-DD
    pub ends_on: Option<String>,
    pub notes: String,
    pub status: StageStatus,
    /// Its end date has passed and it is not done.
    pub late: bool,
    pub items: Vec<Item>,
    pub items_done: usize,
}

impl From<roadmap_service::StageView> for StageView {
    fn from(s: roadmap_service::StageView) -> Self {
        StageView {
            stage: s.stage,
            name: s.name,
            purpose: s.purpose,
            owner: s.owner.map(Into::into),
            starts_on: s.starts_on,
            ends_on: s.ends_on,
            notes: s.notes,
            status: s.status.into(),
            late: s.late,
            items: s.items.into_iter().map(Into::into).collect(),
            items_done: s.items_done,
        }
    }
}

/// The whole roadmap.
#[derive(Serialize, ToSchema)]
pub struct Roadmap {
    pub stages: Vec<StageView>,
    /// The stage in progress, or the first not done; absent when every stage is done.
    pub current: Option<Stage>,
    pub overdue_items: usize,
    pub late_stages: usize,
    /// The day "overdue" is measured against, YYYY-MM-DD.
    pub today: String,
}

impl From<roadmap_service::Roadmap> for Roadmap {
    fn from(r: roadmap_service::Roadmap) -> Self {
        Roadmap {
            stages: r.stages.into_iter().map(Into::into).collect(),
            current: r.current,
            overdue_items: r.overdue_items,
            late_stages: r.late_stages,
            today: r.today,
        }
    }
}

/// A team, and whether it is in the pilot.
#[derive(Serialize, ToSchema)]
pub struct PilotTeam {
    pub id: i64,
    pub name: String,
    /// Active people in the team.
    pub people: i64,
    pub pilot: bool,
}

impl From<pilot_service::PilotTeam> for PilotTeam {
    fn from(t: pilot_service::PilotTeam) -> Self {
        PilotTeam {
            id: t.id,
            name: t.name,
            people: t.people,
            pilot: t.pilot,
        }
    }
}

/// Who sees the Grow features now.
#[derive(Serialize, ToSchema)]
pub struct Pilot {
    /// `everyone` or `pilot`.
    pub audience: String,
    /// Every team, by name.
    pub teams: Vec<PilotTeam>,
    /// Active people in the pilot teams.
    pub pilot_people: i64,
    /// Active people in the organisation.
    pub everyone: i64,
}

impl From<pilot_service::Pilot> for Pilot {
    fn from(p: pilot_service::Pilot) -> Self {
        Pilot {
            audience: p.audience,
            teams: p.teams.into_iter().map(Into::into).collect(),
            pilot_people: p.pilot_people,
            everyone: p.everyone,
        }
    }
}
