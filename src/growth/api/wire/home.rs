//! The JSON of someone's home: their position and track, what changes at the next level, the Grow
//! part (latest check-in, readiness, plan, next 1:1, surveys, what needs their action) and, for
//! admins, what waits for the People team.

use serde::Serialize;
use utoipa::ToSchema;

use super::Position;
use super::checkin_rounds::RoundAsks;
use super::one_on_ones::NextMeeting;
use super::plans::{GoalStatus, PlanSummary};
use super::team::AttentionKind;
use crate::domain::Rating;
use crate::growth::home as service;
use crate::growth::readiness::Readiness;

/// Someone's home.
#[derive(Serialize, ToSchema)]
pub struct Home {
    pub person_id: i64,
    pub name: String,
    pub position: Option<Position>,
    /// When the position started, `YYYY-MM-DD`.
    pub since: Option<String>,
    pub days_in_level: Option<i64>,
    /// The position in the published framework; absent without a position, or when it is not in
    /// the framework any more.
    pub track: Option<MyTrack>,
    /// Absent at the top of the track.
    pub next_level: Option<NextLevel>,
    /// The person manages someone.
    pub has_reports: bool,
    /// A framework is published.
    pub framework_published: bool,
    /// The Grow features are open to the person (not piloted without their team).
    pub grow_enabled: bool,
    /// Absent when the Grow features are not open to them.
    pub growth: Option<Growth>,
    /// What waits for the People team: for admins only.
    pub people_team: Option<PeopleTeam>,
}

impl From<service::Home> for Home {
    fn from(h: service::Home) -> Self {
        Home {
            person_id: h.person_id,
            name: h.name,
            position: h.position.map(Into::into),
            since: h.since,
            days_in_level: h.days_in_level,
            track: h.track.map(Into::into),
            next_level: h.next_level.map(Into::into),
            has_reports: h.has_reports,
            framework_published: h.framework_published,
            grow_enabled: h.grow_enabled,
            growth: h.growth.map(Into::into),
            people_team: h.people_team.map(Into::into),
        }
    }
}

/// One level of the person's track, for the ladder with their own level marked.
#[derive(Serialize, ToSchema)]
pub struct LadderStep {
    pub key: String,
    pub title: String,
    /// The person holds this level.
    pub current: bool,
}

impl From<service::LadderStep> for LadderStep {
    fn from(s: service::LadderStep) -> Self {
        LadderStep {
            key: s.key,
            title: s.title,
            current: s.current,
        }
    }
}

/// What the person's level expects for one competency.
#[derive(Serialize, ToSchema)]
pub struct Expectation {
    pub key: String,
    pub name: String,
    /// Markdown bullets.
    pub bullets: Vec<String>,
    pub not_applicable: bool,
}

impl From<service::Expectation> for Expectation {
    fn from(e: service::Expectation) -> Self {
        Expectation {
            key: e.key,
            name: e.name,
            bullets: e.bullets,
            not_applicable: e.not_applicable,
        }
    }
}

/// The person's track and level in the published framework.
#[derive(Serialize, ToSchema)]
pub struct MyTrack {
    pub track: String,
    pub track_name: String,
    pub level: String,
    pub level_title: String,
    /// Markdown.
    pub level_summary: Option<String>,
    /// Lowest first.
    pub ladder: Vec<LadderStep>,
    pub expectations: Vec<Expectation>,
}

impl From<service::MyTrack> for MyTrack {
    fn from(t: service::MyTrack) -> Self {
        MyTrack {
            track: t.track,
            track_name: t.track_name,
            level: t.level,
            level_title: t.level_title,
            level_summary: t.level_summary,
            ladder: t.ladder.into_iter().map(Into::into).collect(),
            expectations: t.expectations.into_iter().map(Into::into).collect(),
        }
    }
}

/// One competency that changes at the next level.
#[derive(Serialize, ToSchema)]
#[schema(as = HomeChange)]
pub struct Change {
    pub key: String,
    pub name: String,
    /// `changed`, `only_in_to`, `only_in_from`, `not_applicable_in_from` or
    /// `not_applicable_in_to`, as the level delta says.
    pub status: String,
    /// Expectations new at the next level (markdown).
    pub added: Vec<String>,
    /// Expectations of the current level the next one no longer lists (markdown).
    pub removed: Vec<String>,
}

impl From<service::Change> for Change {
    fn from(c: service::Change) -> Self {
        Change {
            key: c.key,
            name: c.name,
            status: c.status,
            added: c.added,
            removed: c.removed,
        }
    }
}

/// What the next level of the person's track asks that theirs does not.
#[derive(Serialize, ToSchema)]
pub struct NextLevel {
    pub position: Position,
    /// Only the competencies that change.
    pub changes: Vec<Change>,
    /// Competencies whose expectations stay the same.
    pub unchanged: usize,
}

impl From<service::NextLevel> for NextLevel {
    fn from(n: service::NextLevel) -> Self {
        NextLevel {
            position: n.position.into(),
            changes: n.changes.into_iter().map(Into::into).collect(),
            unchanged: n.unchanged,
        }
    }
}

/// One competency of the latest agreed check-in, each side's rating beside the other.
#[derive(Serialize, ToSchema)]
pub struct ProfileRow {
    pub key: String,
    pub name: String,
    pub self_rating: Option<Rating>,
    pub manager_rating: Option<Rating>,
    pub agreed: Option<Rating>,
}

impl From<service::ProfileRow> for ProfileRow {
    fn from(r: service::ProfileRow) -> Self {
        ProfileRow {
            key: r.key,
            name: r.name,
            self_rating: r.self_rating,
            manager_rating: r.manager_rating,
            agreed: r.agreed,
        }
    }
}

/// The latest agreed check-in, as the home page pictures it.
#[derive(Serialize, ToSchema)]
pub struct LatestCheckin {
    pub id: i64,
    /// The position it rated against.
    pub target: Position,
    /// `YYYY-MM-DD`.
    pub agreed_on: Option<String>,
    pub version_number: i64,
    /// In the order of the track's competencies.
    pub rows: Vec<ProfileRow>,
}

impl From<service::LatestCheckin> for LatestCheckin {
    fn from(c: service::LatestCheckin) -> Self {
        LatestCheckin {
            id: c.id,
            target: c.target.into(),
            agreed_on: c.agreed_on,
            version_number: c.version_number,
            rows: c.rows.into_iter().map(Into::into).collect(),
        }
    }
}

/// A survey open today that the person has not answered.
#[derive(Serialize, ToSchema)]
#[schema(as = HomeSurvey)]
pub struct OpenSurvey {
    pub id: i64,
    pub title: String,
    /// `YYYY-MM-DD`: the last day to answer.
    pub closes_on: String,
}

impl From<service::OpenSurvey> for OpenSurvey {
    fn from(s: service::OpenSurvey) -> Self {
        OpenSurvey {
            id: s.id,
            title: s.title,
            closes_on: s.closes_on,
        }
    }
}

/// An active goal of the plan, as the home lists it.
#[derive(Serialize, ToSchema)]
pub struct HomeGoal {
    pub id: i64,
    pub title: String,
    pub status: GoalStatus,
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// Past its due date.
    pub overdue: bool,
    pub actions_done: i64,
    pub actions_total: i64,
}

impl From<service::HomeGoal> for HomeGoal {
    fn from(g: service::HomeGoal) -> Self {
        HomeGoal {
            id: g.id,
            title: g.title,
            status: g.status.into(),
            due_on: g.due_on,
            overdue: g.overdue,
            actions_done: g.actions_done,
            actions_total: g.actions_total,
        }
    }
}

/// What kind of thing waits for the person.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// A check-in waits for their ratings (of themselves, or of a report).
    RateCheckin,
    /// A check-in in review waits for their agreement.
    AgreeCheckin,
    /// An open action item of a 1:1, theirs to do.
    ActionItem,
    /// One of their goals is past its due date.
    OverdueGoal,
    /// A colleague asked them to confirm a piece of evidence.
    ConfirmEvidence,
    /// A pulse survey they have not answered.
    Survey,
    /// A nomination waits for their decision (admins).
    DecideNomination,
    /// A running check-in round asks for their check-in, not started yet.
    CheckinRound,
}

impl From<service::ActionKind> for ActionKind {
    fn from(kind: service::ActionKind) -> Self {
        match kind {
            service::ActionKind::RateCheckin => ActionKind::RateCheckin,
            service::ActionKind::AgreeCheckin => ActionKind::AgreeCheckin,
            service::ActionKind::ActionItem => ActionKind::ActionItem,
            service::ActionKind::OverdueGoal => ActionKind::OverdueGoal,
            service::ActionKind::ConfirmEvidence => ActionKind::ConfirmEvidence,
            service::ActionKind::Survey => ActionKind::Survey,
            service::ActionKind::DecideNomination => ActionKind::DecideNomination,
            service::ActionKind::CheckinRound => ActionKind::CheckinRound,
        }
    }
}

/// One thing that needs the person's action, with where to do it.
#[derive(Serialize, ToSchema)]
pub struct ActionNeeded {
    pub kind: ActionKind,
    pub text: String,
    pub href: String,
    /// `YYYY-MM-DD`, when it has a due date.
    pub due_on: Option<String>,
}

impl From<service::ActionNeeded> for ActionNeeded {
    fn from(a: service::ActionNeeded) -> Self {
        ActionNeeded {
            kind: a.kind.into(),
            text: a.text,
            href: a.href,
            due_on: a.due_on,
        }
    }
}

/// The Grow part of the home page.
#[derive(Serialize, ToSchema)]
pub struct Growth {
    pub latest_checkin: Option<LatestCheckin>,
    pub readiness: Option<Readiness>,
    pub plan: PlanSummary,
    /// Goals not started or in progress, in progress first, soonest due first.
    pub goals: Vec<HomeGoal>,
    pub next_one_on_one: Option<NextMeeting>,
    /// Open surveys the person has not answered, soonest to close first.
    pub surveys: Vec<OpenSurvey>,
    /// Most urgent first: check-ins, then what is due soonest.
    pub actions: Vec<ActionNeeded>,
    /// What needs attention in the person's team: how many direct reports have each reason, as
    /// the team view counts them (only the reasons someone has).
    pub team_attention: Vec<TeamFlag>,
    /// What running check-in rounds ask of the person and of their direct reports.
    pub rounds: RoundAsks,
}

impl From<service::Growth> for Growth {
    fn from(g: service::Growth) -> Self {
        Growth {
            latest_checkin: g.latest_checkin.map(Into::into),
            readiness: g.readiness,
            plan: g.plan.into(),
            goals: g.goals.into_iter().map(Into::into).collect(),
            next_one_on_one: g.next_one_on_one.map(Into::into),
            surveys: g.surveys.into_iter().map(Into::into).collect(),
            actions: g.actions.into_iter().map(Into::into).collect(),
            team_attention: g.team_attention.into_iter().map(Into::into).collect(),
            rounds: g.rounds.into(),
        }
    }
}

/// How many direct reports need attention for one reason, with the team view filtered to them.
#[derive(Serialize, ToSchema)]
pub struct TeamFlag {
    pub kind: AttentionKind,
    pub title: String,
    pub count: i64,
    /// The team view, filtered to these people.
    pub href: String,
}

impl From<service::TeamFlag> for TeamFlag {
    fn from(f: service::TeamFlag) -> Self {
        TeamFlag {
            kind: f.kind.into(),
            title: f.title,
            count: f.count,
            href: f.href,
        }
    }
}

/// A nomination waiting for the People team's decision.
#[derive(Serialize, ToSchema)]
pub struct WaitingNomination {
    pub id: i64,
    pub person: String,
    /// The position proposed.
    pub position: Position,
    /// `YYYY-MM-DD`: when it was sent.
    pub sent_on: String,
}

impl From<service::WaitingNomination> for WaitingNomination {
    fn from(n: service::WaitingNomination) -> Self {
        WaitingNomination {
            id: n.id,
            person: n.person,
            position: n.position.into(),
            sent_on: n.sent_on,
        }
    }
}

/// A survey open now or closed in the last [`RECENT_DAYS`] days. While a survey is open no count
/// of answers is shown (see `docs/anonymity.md`: a live response rate would tell who has
/// answered): only how many people it asks against its anonymity threshold, and when it closes.
#[derive(Serialize, ToSchema)]
pub struct SurveyProgress {
    pub id: i64,
    pub title: String,
    pub open: bool,
    /// `YYYY-MM-DD`: the last day answers are taken.
    pub closes_on: String,
    /// How many people it asks; absent until its audience is taken.
    pub asked: Option<i64>,
    /// The fewest answers a group needs for its results to be shown.
    pub threshold: i64,
    /// How many answered: only once it has closed.
    pub responses: Option<i64>,
    /// Answers as a share of the people asked, in percent: only once it has closed.
    pub response_rate: Option<i64>,
}

impl From<service::SurveyProgress> for SurveyProgress {
    fn from(s: service::SurveyProgress) -> Self {
        SurveyProgress {
            id: s.id,
            title: s.title,
            open: s.open,
            closes_on: s.closes_on,
            asked: s.asked,
            threshold: s.threshold,
            responses: s.responses,
            response_rate: s.response_rate,
        }
    }
}

/// A roadmap item not done whose due date has passed or comes within
/// [`roadmap::DUE_SOON_DAYS`] days.
#[derive(Serialize, ToSchema)]
pub struct DueItem {
    pub id: i64,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub overdue: bool,
}

impl From<service::DueItem> for DueItem {
    fn from(d: service::DueItem) -> Self {
        DueItem {
            id: d.id,
            title: d.title,
            due_on: d.due_on,
            overdue: d.overdue,
        }
    }
}

/// What kind of thing waits for the People team.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaitingKind {
    /// Nominations waiting for a decision.
    Nominations,
    /// Surveys taking answers.
    OpenSurveys,
    /// Roadmap items overdue or due soon.
    RoadmapItems,
    /// Active people without a track and level.
    WithoutPosition,
    /// Active people without a manager who manage nobody (the head of the organisation is not
    /// counted).
    WithoutManager,
    /// SCIM requests of the identity provider that failed in the last [`FAILED_DAYS`] days.
    FailedProvisioning,
}

impl From<service::WaitingKind> for WaitingKind {
    fn from(kind: service::WaitingKind) -> Self {
        match kind {
            service::WaitingKind::Nominations => WaitingKind::Nominations,
            service::WaitingKind::OpenSurveys => WaitingKind::OpenSurveys,
            service::WaitingKind::RoadmapItems => WaitingKind::RoadmapItems,
            service::WaitingKind::WithoutPosition => WaitingKind::WithoutPosition,
            service::WaitingKind::WithoutManager => WaitingKind::WithoutManager,
            service::WaitingKind::FailedProvisioning => WaitingKind::FailedProvisioning,
        }
    }
}

/// How many things of one kind wait for the People team, with the place, filtered to them, where
/// they are handled.
#[derive(Serialize, ToSchema)]
pub struct Waiting {
    pub kind: WaitingKind,
    pub count: i64,
    /// The count in a sentence, such as "3 nominations wait for a decision".
    pub text: String,
    /// The filtered page where they are handled.
    pub href: String,
}

impl From<service::Waiting> for Waiting {
    fn from(w: service::Waiting) -> Self {
        Waiting {
            kind: w.kind.into(),
            count: w.count,
            text: w.text,
            href: w.href,
        }
    }
}

/// What waits for the People team, each part linking to where it is handled.
#[derive(Serialize, ToSchema)]
pub struct PeopleTeam {
    /// Only the kinds with something waiting, in the order of [`WaitingKind`].
    pub waiting: Vec<Waiting>,
    /// Oldest first.
    pub nominations: Vec<WaitingNomination>,
    /// Open first, then soonest to close; closed ones for their response rate.
    pub surveys: Vec<SurveyProgress>,
    /// Soonest due first.
    pub roadmap_items: Vec<DueItem>,
    /// Active people without a position.
    pub without_position: i64,
    /// Active people without a manager.
    pub without_manager: i64,
    /// SCIM requests that failed in the last [`FAILED_DAYS`] days.
    pub failed_provisioning: i64,
}

impl From<service::PeopleTeam> for PeopleTeam {
    fn from(p: service::PeopleTeam) -> Self {
        PeopleTeam {
            waiting: p.waiting.into_iter().map(Into::into).collect(),
            nominations: p.nominations.into_iter().map(Into::into).collect(),
            surveys: p.surveys.into_iter().map(Into::into).collect(),
            roadmap_items: p.roadmap_items.into_iter().map(Into::into).collect(),
            without_position: p.without_position,
            without_manager: p.without_manager,
            failed_provisioning: p.failed_provisioning,
        }
    }
}
