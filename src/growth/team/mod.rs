//! The manager's team view: each report at a glance (position, time in level, last agreed
//! check-in, readiness, plan, next 1:1), flagged when a check-in is overdue or a plan is missing,
//! and a heat map of the team's latest agreed ratings (competency × person).
//!
//! The whole team is read in a constant number of queries, whatever its size: one for the people
//! with everything about each of them, their latest agreed check-in's ratings included
//! (correlated subqueries the indexes of 0006 and 0007 answer). Never a query per report.

use crate::architecture::framework;
use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::error::{AppError, AppResult};
use crate::growth::nominations::NominationStatus;
use crate::growth::one_on_ones::PersonRef;
use crate::growth::readiness;
use crate::people::directory::{self, Position};
use crate::rollout::pilot;
use crate::state::AppState;

mod attention;
mod heat_map;
mod members;

pub use attention::{
    Attention, AttentionKind, OpenCheckin, PendingRound, ReportState, needs_attention,
};
use heat_map::heat_map;
pub use heat_map::{HeatColumn, HeatMap, HeatRow};
pub use members::direct_reports;
use members::{latest_nominations, read_members};

/// A report whose latest agreed check-in is older than this many days (or who has none) is
/// flagged: a check-in is overdue.
pub const CHECKIN_OVERDUE_DAYS: i64 = 90;
/// The most people the whole-chain view shows.
pub const CHAIN_LIMIT: i64 = 500;

/// A person's readiness in short: the status and the first reason that holds it back (or, when
/// ready, the first reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadinessBrief {
    pub status: readiness::Status,
    pub label: String,
    pub reason: String,
}

/// One person of the team.
#[derive(Debug, Clone)]
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

/// A nomination in short, as the team view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NominationBrief {
    pub id: i64,
    pub status: NominationStatus,
    /// What happened to it, in words (see `nominations::label`).
    pub label: String,
}

/// A manager's team.
#[derive(Debug, Clone)]
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

/// What a team view asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct TeamQuery {
    /// Whose team: the actor's own when absent.
    pub manager: Option<i64>,
    /// Everyone below the manager, not only direct reports.
    pub whole_chain: bool,
}

/// A manager's team view: the manager themselves, anyone above them and admins. Others get 404.
pub async fn team(state: &AppState, actor: &Actor, query: TeamQuery) -> AppResult<Team> {
    policy::read_directory(actor)?;
    pilot::require_grow(state.db(), actor).await?;
    let missing = || AppError::not_found("this team");
    let manager_id = query.manager.or(actor.user_id).ok_or_else(missing)?;
    let db = state.db();
    let manager_name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(manager_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(missing)?;
    let relation = directory::relation(db, actor, manager_id).await?;
    if !policy::read_team(actor, relation) {
        return Err(missing());
    }
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let (members, checkins, truncated) =
        read_members(state, actor, fw, manager_id, query.whole_chain).await?;
    let mut members = members;
    latest_nominations(state, actor, manager_id, query.whole_chain, &mut members).await?;
    let heat_map = heat_map(fw, &members, &checkins);
    Ok(Team {
        manager: PersonRef {
            id: manager_id,
            name: manager_name,
        },
        whole_chain: query.whole_chain,
        members,
        heat_map,
        truncated,
        overdue_after_days: CHECKIN_OVERDUE_DAYS,
        // The members are below the manager, so below a viewer who is the manager or above them.
        can_nominate: relation != Relation::Other
            && policy::nominate(actor, Relation::InManagementChain).is_ok(),
    })
}
