//! The JSON of check-in rounds: a round as the lists show it, a round with its people, what a new
//! round asks, and what running rounds ask of someone.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::growth::checkin_rounds as service;

/// How far a person of a round has got, furthest last.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CheckinRoundState)]
pub enum RoundState {
    /// No check-in in progress or agreed since the round started.
    NotStarted,
    /// A check-in in progress; neither side has shared its ratings.
    Started,
    /// The person shared their self-assessment.
    SelfDone,
    /// The manager shared their rating.
    ManagerDone,
    /// Both agreed the ratings.
    Agreed,
}

impl From<service::RoundState> for RoundState {
    fn from(state: service::RoundState) -> Self {
        match state {
            service::RoundState::NotStarted => RoundState::NotStarted,
            service::RoundState::Started => RoundState::Started,
            service::RoundState::SelfDone => RoundState::SelfDone,
            service::RoundState::ManagerDone => RoundState::ManagerDone,
            service::RoundState::Agreed => RoundState::Agreed,
        }
    }
}

/// How many people of a round are at each state (of those the viewer may see).
#[derive(Serialize, ToSchema)]
#[schema(as = CheckinRoundProgress)]
pub struct RoundProgress {
    pub people: i64,
    pub not_started: i64,
    pub started: i64,
    pub self_done: i64,
    pub manager_done: i64,
    pub agreed: i64,
}

impl From<service::RoundProgress> for RoundProgress {
    fn from(p: service::RoundProgress) -> Self {
        RoundProgress {
            people: p.people,
            not_started: p.not_started,
            started: p.started,
            self_done: p.self_done,
            manager_done: p.manager_done,
            agreed: p.agreed,
        }
    }
}

/// A round as the lists show it.
#[derive(Serialize, ToSchema)]
#[schema(as = CheckinRoundSummary)]
pub struct RoundSummary {
    pub id: i64,
    pub name: String,
    /// `YYYY-MM-DD`: the day check-ins should be agreed by.
    pub due_on: String,
    /// `everyone`, `track` or `line`.
    pub scope: String,
    pub track: Option<String>,
    pub manager_id: Option<i64>,
    /// Who it asks, in words: "Everyone", "The Software Engineering track", "Mia Chen's reporting
    /// line".
    pub scope_label: String,
    pub started_by_name: Option<String>,
    /// Seconds since the Unix epoch.
    pub started_at: i64,
    /// Seconds since the Unix epoch; absent while the round runs.
    pub closed_at: Option<i64>,
    /// Running and past its due date.
    pub overdue: bool,
    /// Counts of the people the viewer may see.
    pub progress: RoundProgress,
}

impl From<service::RoundSummary> for RoundSummary {
    fn from(r: service::RoundSummary) -> Self {
        RoundSummary {
            id: r.id,
            name: r.name,
            due_on: r.due_on,
            scope: r.scope,
            track: r.track,
            manager_id: r.manager_id,
            scope_label: r.scope_label,
            started_by_name: r.started_by_name,
            started_at: r.started_at,
            closed_at: r.closed_at,
            overdue: r.overdue,
            progress: r.progress.into(),
        }
    }
}

/// One person of a round.
#[derive(Serialize, ToSchema)]
#[schema(as = CheckinRoundPerson)]
pub struct RoundPerson {
    pub id: i64,
    pub name: String,
    pub manager_name: Option<String>,
    pub state: RoundState,
    /// The check-in that counts for the round, if any.
    pub checkin_id: Option<i64>,
    /// Where to act: the check-in, or the person's check-ins to start one.
    pub href: String,
}

impl From<service::RoundPerson> for RoundPerson {
    fn from(p: service::RoundPerson) -> Self {
        RoundPerson {
            id: p.id,
            name: p.name,
            manager_name: p.manager_name,
            state: p.state.into(),
            checkin_id: p.checkin_id,
            href: p.href,
        }
    }
}

/// A round with its progress and the people the viewer may see.
#[derive(Serialize, ToSchema)]
#[schema(as = CheckinRound)]
pub struct Round {
    #[serde(flatten)]
    pub summary: RoundSummary,
    /// In name order, only those at the state asked for when filtered; at most [`PEOPLE_SHOWN`].
    pub people: Vec<RoundPerson>,
    /// More people match than `people` lists.
    pub truncated: bool,
    /// The viewer may close the round.
    pub may_close: bool,
}

impl From<service::Round> for Round {
    fn from(r: service::Round) -> Self {
        Round {
            summary: r.summary.into(),
            people: r.people.into_iter().map(Into::into).collect(),
            truncated: r.truncated,
            may_close: r.may_close,
        }
    }
}

/// What a round asks, as sent by a form or the API.
#[derive(Deserialize, ToSchema)]
#[schema(as = CheckinRoundInput)]
pub struct RoundInput {
    pub name: String,
    /// `YYYY-MM-DD`, today or later.
    pub due_on: String,
    /// `everyone`, `track` (with `track`) or `line` (with `manager`).
    pub scope: String,
    /// The track's key, for the scope `track`.
    #[serde(default)]
    pub track: Option<String>,
    /// The manager's id, for the scope `line`: everyone below them.
    #[serde(default)]
    pub manager: Option<i64>,
}

impl From<RoundInput> for service::RoundInput {
    fn from(r: RoundInput) -> Self {
        service::RoundInput {
            name: r.name,
            due_on: r.due_on,
            scope: r.scope,
            track: r.track,
            manager: r.manager,
        }
    }
}

/// A round that asks the viewer for their own check-in, for their home.
#[derive(Serialize, ToSchema)]
#[schema(as = MyCheckinRound)]
pub struct MyRound {
    pub id: i64,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub overdue: bool,
    pub state: RoundState,
    pub checkin_id: Option<i64>,
}

impl From<service::MyRound> for MyRound {
    fn from(r: service::MyRound) -> Self {
        MyRound {
            id: r.id,
            name: r.name,
            due_on: r.due_on,
            overdue: r.overdue,
            state: r.state.into(),
            checkin_id: r.checkin_id,
        }
    }
}

/// A round that asks the viewer's direct reports, for their home.
#[derive(Serialize, ToSchema)]
#[schema(as = ReportsCheckinRound)]
pub struct ReportsRound {
    pub id: i64,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub overdue: bool,
    /// Direct reports in the round.
    pub reports: i64,
    /// Of them, those whose manager's rating is not shared yet.
    pub to_rate: i64,
}

impl From<service::ReportsRound> for ReportsRound {
    fn from(r: service::ReportsRound) -> Self {
        ReportsRound {
            id: r.id,
            name: r.name,
            due_on: r.due_on,
            overdue: r.overdue,
            reports: r.reports,
            to_rate: r.to_rate,
        }
    }
}

/// What running rounds ask of someone.
#[derive(Serialize, ToSchema)]
#[schema(as = CheckinRoundAsks)]
pub struct RoundAsks {
    /// Soonest due first.
    pub mine: Vec<MyRound>,
    /// Soonest due first.
    pub reports: Vec<ReportsRound>,
}

impl From<service::RoundAsks> for RoundAsks {
    fn from(a: service::RoundAsks) -> Self {
        RoundAsks {
            mine: a.mine.into_iter().map(Into::into).collect(),
            reports: a.reports.into_iter().map(Into::into).collect(),
        }
    }
}
