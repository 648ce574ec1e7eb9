//! The JSON of the team view: a manager's team, each person at a glance with what needs the
//! manager's attention, and the heat map of their latest agreed ratings.

use serde::Serialize;
use utoipa::ToSchema;

use super::Position;
use super::nominations::NominationStatus;
use super::one_on_ones::PersonRef;
use crate::domain::Rating;
use crate::growth::readiness;
use crate::growth::team as service;

/// Why a report needs their manager's attention. The one definition, used by the team view (its
/// flags and the counts that filter it) and by the manager's home (what needs their action).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttentionKind {
    /// Their check-in waits for the manager's ratings.
    RateCheckin,
    /// Both sides shared their ratings: the check-in waits for the manager to agree them.
    AgreeCheckin,
    /// No check-in agreed in the last [`CHECKIN_OVERDUE_DAYS`] days.
    CheckinOverdue,
    /// No goal in progress or not started.
    PlanMissing,
    /// A running check-in round asks for their check-in, and none is started.
    RoundCheckin,
}

impl From<service::AttentionKind> for AttentionKind {
    fn from(kind: service::AttentionKind) -> Self {
        match kind {
            service::AttentionKind::RateCheckin => AttentionKind::RateCheckin,
            service::AttentionKind::AgreeCheckin => AttentionKind::AgreeCheckin,
            service::AttentionKind::CheckinOverdue => AttentionKind::CheckinOverdue,
            service::AttentionKind::PlanMissing => AttentionKind::PlanMissing,
            service::AttentionKind::RoundCheckin => AttentionKind::RoundCheckin,
        }
    }
}

/// One reason a report needs attention: a titled sentence and where to act on it.
#[derive(Serialize, ToSchema)]
pub struct Attention {
    pub kind: AttentionKind,
    /// The flag's title, "Check-in overdue".
    pub title: String,
    /// What to do, as a sentence.
    pub text: String,
    /// Where to do it.
    pub href: String,
    /// The viewer is the one to act (they rate and agree the report's check-ins).
    pub yours: bool,
}

impl From<service::Attention> for Attention {
    fn from(a: service::Attention) -> Self {
        Attention {
            kind: a.kind.into(),
            title: a.title,
            text: a.text,
            href: a.href,
            yours: a.yours,
        }
    }
}

/// A person's readiness in short: the status and the first reason that holds it back (or, when
/// ready, the first reason).
#[derive(Serialize, ToSchema)]
pub struct ReadinessBrief {
    pub status: readiness::Status,
    pub label: String,
    pub reason: String,
}

impl From<service::ReadinessBrief> for ReadinessBrief {
    fn from(r: service::ReadinessBrief) -> Self {
        ReadinessBrief {
            status: r.status,
            label: r.label,
            reason: r.reason,
        }
    }
}

/// One person of the team.
#[derive(Serialize, ToSchema)]
pub struct TeamMember {
    pub id: i64,
    pub name: String,
    /// Their manager, for the whole-chain view.
    pub manager: Option<PersonRef>,
    pub position: Option<Position>,
    /// When their current position started, `YYYY-MM-DD`.
    pub since: Option<String>,
    pub days_in_level: Option<i64>,
    /// The day their latest check-in was agreed, `YYYY-MM-DD`.
    pub last_checkin_on: Option<String>,
    pub last_checkin_id: Option<i64>,
    /// A check-in being rated or reviewed.
    pub open_checkin_id: Option<i64>,
    pub readiness: Option<ReadinessBrief>,
    /// Goals not started or in progress.
    pub active_goals: i64,
    /// Active goals past their due date.
    pub overdue_goals: i64,
    /// `YYYY-MM-DD` of their next 1:1 (with their manager).
    pub next_one_on_one: Option<String>,
    pub next_one_on_one_id: Option<i64>,
    /// No agreed check-in in the last [`CHECKIN_OVERDUE_DAYS`] days.
    pub checkin_overdue: bool,
    /// No active goal.
    pub plan_missing: bool,
    /// Why they need their manager's attention, most urgent first (see [`needs_attention`]).
    pub attention: Vec<Attention>,
    /// Their latest nomination the viewer may see.
    pub nomination: Option<NominationBrief>,
}

impl From<service::TeamMember> for TeamMember {
    fn from(m: service::TeamMember) -> Self {
        TeamMember {
            id: m.id,
            name: m.name,
            manager: m.manager.map(Into::into),
            position: m.position.map(Into::into),
            since: m.since,
            days_in_level: m.days_in_level,
            last_checkin_on: m.last_checkin_on,
            last_checkin_id: m.last_checkin_id,
            open_checkin_id: m.open_checkin_id,
            readiness: m.readiness.map(Into::into),
            active_goals: m.active_goals,
            overdue_goals: m.overdue_goals,
            next_one_on_one: m.next_one_on_one,
            next_one_on_one_id: m.next_one_on_one_id,
            checkin_overdue: m.checkin_overdue,
            plan_missing: m.plan_missing,
            attention: m.attention.into_iter().map(Into::into).collect(),
            nomination: m.nomination.map(Into::into),
        }
    }
}

/// A nomination in short, as the team view shows it.
#[derive(Serialize, ToSchema)]
pub struct NominationBrief {
    pub id: i64,
    pub status: NominationStatus,
    /// What happened to it, in words (see `nominations::label`).
    pub label: String,
}

impl From<service::NominationBrief> for NominationBrief {
    fn from(n: service::NominationBrief) -> Self {
        NominationBrief {
            id: n.id,
            status: n.status.into(),
            label: n.label,
        }
    }
}

/// A manager's team.
#[derive(Serialize, ToSchema)]
pub struct Team {
    pub manager: PersonRef,
    /// Everyone below the manager, not only their direct reports.
    pub whole_chain: bool,
    pub members: Vec<TeamMember>,
    pub heat_map: HeatMap,
    /// The chain has more people than [`CHAIN_LIMIT`]; the first ones by name are shown.
    pub truncated: bool,
    /// [`CHECKIN_OVERDUE_DAYS`], for the page to say what the flag means.
    pub overdue_after_days: i64,
    /// The viewer is the manager or above them, so everyone shown is in their chain: they may
    /// nominate them (admins outside the chain read the team but do not nominate).
    pub can_nominate: bool,
}

impl From<service::Team> for Team {
    fn from(t: service::Team) -> Self {
        Team {
            manager: t.manager.into(),
            whole_chain: t.whole_chain,
            members: t.members.into_iter().map(Into::into).collect(),
            heat_map: t.heat_map.into(),
            truncated: t.truncated,
            overdue_after_days: t.overdue_after_days,
            can_nominate: t.can_nominate,
        }
    }
}

/// A competency row of the heat map.
#[derive(Serialize, ToSchema)]
pub struct HeatRow {
    pub key: String,
    pub name: String,
    /// One per column (person), in the order of [`HeatMap::people`]; `None` when their latest
    /// agreed check-in has no rating for this competency (or they have none).
    pub ratings: Vec<Option<Rating>>,
}

impl From<service::HeatRow> for HeatRow {
    fn from(r: service::HeatRow) -> Self {
        HeatRow {
            key: r.key,
            name: r.name,
            ratings: r.ratings,
        }
    }
}

/// A column of the heat map: a person and the check-in their ratings come from.
#[derive(Serialize, ToSchema)]
pub struct HeatColumn {
    pub id: i64,
    pub name: String,
    pub checkin_id: Option<i64>,
    /// The position the check-in rated against.
    pub target: Option<Position>,
    pub agreed_on: Option<String>,
}

impl From<service::HeatColumn> for HeatColumn {
    fn from(c: service::HeatColumn) -> Self {
        HeatColumn {
            id: c.id,
            name: c.name,
            checkin_id: c.checkin_id,
            target: c.target.map(Into::into),
            agreed_on: c.agreed_on,
        }
    }
}

/// The team's latest agreed ratings, competency × person.
#[derive(Serialize, ToSchema)]
pub struct HeatMap {
    pub people: Vec<HeatColumn>,
    pub rows: Vec<HeatRow>,
}

impl From<service::HeatMap> for HeatMap {
    fn from(m: service::HeatMap) -> Self {
        HeatMap {
            people: m.people.into_iter().map(Into::into).collect(),
            rows: m.rows.into_iter().map(Into::into).collect(),
        }
    }
}
