//! The manager's team view: each report at a glance (position, time in level, last agreed
//! check-in, readiness, plan, next 1:1), flagged when a check-in is overdue or a plan is missing,
//! and a heat map of the team's latest agreed ratings (competency × person).
//!
//! The whole team is read in a constant number of queries, whatever its size: one for the people
//! with everything about each of them, their latest agreed check-in's ratings included
//! (correlated subqueries the indexes of 0006 and 0007 answer). Never a query per report.

use serde::Serialize;

use crate::architecture::framework;
use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::error::{AppError, AppResult};
use crate::growth::one_on_ones::PersonRef;
use crate::people::directory;
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
pub use members::{NominationBrief, ReadinessBrief, TeamMember, direct_reports};
use members::{latest_nominations, read_members};

/// A report whose latest agreed check-in is older than this many days (or who has none) is
/// flagged: a check-in is overdue.
pub const CHECKIN_OVERDUE_DAYS: i64 = 90;
/// The most people the whole-chain view shows.
pub const CHAIN_LIMIT: i64 = 500;

/// A manager's team.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
