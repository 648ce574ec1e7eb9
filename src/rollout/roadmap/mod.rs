//! The rollout roadmap: the six stages a People team goes through to introduce career tracks
//! (awareness, planning, development, training, implementation, measuring), each with its purpose,
//! a checklist, an owner, dates, notes and a status. The stages and their default checklists are
//! made on first use, once; after that the checklist is the team's to change.
//!
//! Only admins plan the rollout (`policy::run_rollout`). Every write is one transaction with its
//! audit event.
//!
//! This file holds the stages and the roadmap's types; reading the roadmap (`reading`), changing
//! it (`changes`) and checking what is typed (`checks`) are child modules, re-exported here.

mod changes;
mod checks;
mod reading;

pub use changes::{add_item, move_item, remove_item, tick_item, update_item, update_stage};
pub use reading::{export_csv, roadmap, summary};
pub use trellis_rules::Stage;

/// Longest item title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest stage notes, in characters.
pub const MAX_NOTES: usize = 20_000;

/// How far a stage has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageStatus {
    NotStarted,
    InProgress,
    Done,
}

impl StageStatus {
    pub const ALL: [StageStatus; 3] = [
        StageStatus::NotStarted,
        StageStatus::InProgress,
        StageStatus::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StageStatus::NotStarted => "not_started",
            StageStatus::InProgress => "in_progress",
            StageStatus::Done => "done",
        }
    }

    pub fn parse(raw: &str) -> Option<StageStatus> {
        StageStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            StageStatus::NotStarted => "Not started",
            StageStatus::InProgress => "In progress",
            StageStatus::Done => "Done",
        }
    }
}

/// The stage the team is working on: the first in progress, or else the first not done; none when
/// every stage is done.
pub fn current_stage(statuses: &[(Stage, StageStatus)]) -> Option<Stage> {
    statuses
        .iter()
        .find(|(_, s)| *s == StageStatus::InProgress)
        .or_else(|| statuses.iter().find(|(_, s)| *s != StageStatus::Done))
        .map(|(stage, _)| *stage)
}

/// A person from the directory who owns a stage or an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// One thing to do in a stage.
#[derive(Debug, Clone)]
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

/// Roadmap items due within this many days count as due soon.
pub const DUE_SOON_DAYS: i64 = 14;

impl Item {
    /// Not done, and due today or before, or within [`DUE_SOON_DAYS`] days of `today`.
    pub fn due_soon(&self, today: crate::domain::Day) -> bool {
        let last = today.plus_days(DUE_SOON_DAYS).to_string();
        !self.done && self.due_on.as_deref().is_some_and(|d| d <= last.as_str())
    }
}

/// A stage with its plan and checklist.
#[derive(Debug, Clone)]
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

/// The whole roadmap.
#[derive(Debug, Clone)]
pub struct Roadmap {
    pub stages: Vec<StageView>,
    /// The stage in progress, or the first not done; absent when every stage is done.
    pub current: Option<Stage>,
    pub overdue_items: usize,
    pub late_stages: usize,
    /// The day "overdue" is measured against, YYYY-MM-DD.
    pub today: String,
}

/// What the admin home shows of the roadmap.
#[derive(Debug, Clone)]
pub struct RoadmapSummary {
    pub current: Option<Stage>,
    pub current_status: Option<StageStatus>,
    pub overdue_items: i64,
    pub late_stages: i64,
    pub items_done: i64,
    pub items_total: i64,
}

/// A stage's plan as typed in a form or sent to the API, before checking.
#[derive(Debug, Clone, Default)]
pub struct StageInput {
    /// Empty for no owner.
    pub owner_email: String,
    pub starts_on: String,
    pub ends_on: String,
    pub notes: String,
    pub status: String,
}

/// An item as typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub title: String,
    /// Empty for no owner.
    pub owner_email: String,
    pub due_on: String,
}

/// Which way an item moves in its stage's list.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_stage_is_the_one_in_progress_or_else_the_first_not_done() {
        use StageStatus::{Done, InProgress, NotStarted};
        let plan = |s: [StageStatus; 6]| -> Vec<(Stage, StageStatus)> {
            Stage::ALL.into_iter().zip(s).collect()
        };
        assert_eq!(
            current_stage(&plan([NotStarted; 6])),
            Some(Stage::Awareness)
        );
        assert_eq!(
            current_stage(&plan([
                Done, Done, NotStarted, NotStarted, NotStarted, NotStarted
            ])),
            Some(Stage::Development)
        );
        assert_eq!(
            current_stage(&plan([
                Done, NotStarted, InProgress, NotStarted, NotStarted, NotStarted
            ])),
            Some(Stage::Development),
            "the stage in progress wins over an earlier one not started"
        );
        assert_eq!(current_stage(&plan([Done; 6])), None);
    }

    #[test]
    fn every_stage_has_a_purpose_and_a_default_checklist() {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.as_str()), Some(stage));
            assert!(!stage.purpose().is_empty());
            assert!(stage.default_checklist().len() >= 3, "{stage:?}");
            for item in stage.default_checklist() {
                assert!(item.chars().count() <= MAX_TITLE, "{item}");
            }
        }
        assert_eq!(Stage::parse("launch"), None);
    }
}
