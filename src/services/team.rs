//! The manager's team view: each report at a glance (position, time in level, last agreed
//! check-in, readiness, plan, next 1:1), flagged when a check-in is overdue or a plan is missing,
//! and a heat map of the team's latest agreed ratings (competency × person).
//!
//! The whole team is read in a constant number of queries, whatever its size: one for the people
//! with everything about each of them, their latest agreed check-in's ratings included
//! (correlated subqueries the indexes of 0006 and 0007 answer). Never a query per report.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;
use trellis_framework::Framework;

use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::domain::{Day, Rating, Ratings, parse_ratings};
use crate::error::{AppError, AppResult};
use crate::services::one_on_ones::PersonRef;
use crate::services::people::{self, Position};
use crate::services::readiness::{self, Reason};
use crate::services::{framework, release};
use crate::state::AppState;

/// A report whose latest agreed check-in is older than this many days (or who has none) is
/// flagged: a check-in is overdue.
pub const CHECKIN_OVERDUE_DAYS: i64 = 90;
/// The most people the whole-chain view shows.
pub const CHAIN_LIMIT: i64 = 500;

/// A person's readiness in short: the status and the first reason that holds it back (or, when
/// ready, the first reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReadinessBrief {
    pub status: readiness::Status,
    pub label: String,
    pub reason: String,
}

/// One person of the team.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
}

/// A competency row of the heat map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HeatRow {
    pub key: String,
    pub name: String,
    /// One per column (person), in the order of [`HeatMap::people`]; `None` when their latest
    /// agreed check-in has no rating for this competency (or they have none).
    pub ratings: Vec<Option<Rating>>,
}

/// A column of the heat map: a person and the check-in their ratings come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HeatColumn {
    pub id: i64,
    pub name: String,
    pub checkin_id: Option<i64>,
    /// The position the check-in rated against.
    pub target: Option<Position>,
    pub agreed_on: Option<String>,
}

/// The team's latest agreed ratings, competency × person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HeatMap {
    pub people: Vec<HeatColumn>,
    pub rows: Vec<HeatRow>,
}

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

/// A member's latest agreed check-in, as the heat map reads it.
struct LatestRatings {
    track: String,
    level: String,
    agreed_on: Option<String>,
    ratings: Ratings,
}

/// What a team view asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct TeamQuery {
    /// Whose team: the actor's own when absent.
    pub manager: Option<i64>,
    /// Everyone below the manager, not only direct reports.
    pub whole_chain: bool,
}

fn brief(status: &str, reasons: &str) -> Option<ReadinessBrief> {
    let status = readiness::Status::parse(status)?;
    let reasons: Vec<Reason> = serde_json::from_str(reasons).unwrap_or_default();
    let reason = reasons
        .iter()
        .find(|r| !r.met)
        .or_else(|| reasons.first())
        .map(|r| r.message.clone())
        .unwrap_or_default();
    Some(ReadinessBrief {
        status,
        label: status.label().to_owned(),
        reason,
    })
}

/// A manager's team view: the manager themselves, anyone above them and admins. Others get 404.
pub async fn team(state: &AppState, actor: &Actor, query: TeamQuery) -> AppResult<Team> {
    policy::read_directory(actor)?;
    release::require_grow(state.db(), actor).await?;
    let missing = || AppError::not_found("this team");
    let manager_id = query.manager.or(actor.user_id).ok_or_else(missing)?;
    let db = state.db();
    let manager_name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(manager_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(missing)?;
    let relation = people::relation(db, actor, manager_id).await?;
    if !policy::read_team(actor, relation) {
        return Err(missing());
    }
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let today = Day::today();
    let members_where = if query.whole_chain {
        "u.id IN (WITH RECURSIVE down(id, depth) AS ( \
           SELECT id, 0 FROM users WHERE manager_id = $1 \
           UNION ALL SELECT c.id, down.depth + 1 FROM users c JOIN down ON c.manager_id = down.id \
           WHERE down.depth < 100) SELECT id FROM down)"
    } else {
        "u.manager_id = $1"
    };
    // Everything about every member in one query: each subquery is answered by an index
    // (positions_user, checkins_person, goals_person, one_on_one_series_report, one_on_ones_series).
    // `CROSS JOIN` makes SQLite start from the member's series rather than from every upcoming
    // meeting in date order; PostgreSQL reads it as the inner join it is.
    let sql = format!(
        "SELECT u.id, u.name, u.manager_id, m.name AS manager_name, u.track_key, u.level_key, \
         (SELECT MAX(p.effective_on) FROM positions p WHERE p.user_id = u.id \
            AND p.track_key = u.track_key AND p.level_key = u.level_key) AS since, \
         lc.id AS last_checkin_id, lc.track_key AS checkin_track, lc.level_key AS checkin_level, \
         lc.agreed_on, lc.agreed_ratings, \
         (SELECT MAX(c.id) FROM checkins c WHERE c.person_id = u.id \
            AND c.status IN ('open', 'review')) AS open_checkin_id, \
         r.status AS readiness_status, r.reasons AS readiness_reasons, \
         (SELECT COUNT(*) FROM goals g WHERE g.person_id = u.id \
            AND g.status IN ('not_started', 'in_progress')) AS active_goals, \
         (SELECT COUNT(*) FROM goals g WHERE g.person_id = u.id \
            AND g.status IN ('not_started', 'in_progress') AND g.due_on < $2) AS overdue_goals, \
         (SELECT o.id FROM one_on_one_series s CROSS JOIN one_on_ones o \
            WHERE o.series_id = s.id AND s.report_id = u.id AND s.manager_id = u.manager_id \
            AND o.status = 'upcoming' \
            ORDER BY o.scheduled_on, o.id LIMIT 1) AS next_meeting_id, \
         (SELECT MIN(o.scheduled_on) FROM one_on_one_series s CROSS JOIN one_on_ones o \
            WHERE o.series_id = s.id AND s.report_id = u.id AND s.manager_id = u.manager_id \
            AND o.status = 'upcoming') AS next_meeting_on \
         FROM users u LEFT JOIN users m ON m.id = u.manager_id \
         LEFT JOIN readiness r ON r.person_id = u.id \
         LEFT JOIN checkins lc ON lc.id = (SELECT c.id FROM checkins c WHERE c.person_id = u.id \
            AND c.status = 'agreed' ORDER BY c.agreed_at DESC, c.id DESC LIMIT 1) \
         WHERE {members_where} AND u.active = 1 \
         ORDER BY u.name_key, u.id LIMIT {}",
        CHAIN_LIMIT + 1
    );
    let rows = sqlx::query(&sql)
        .bind(manager_id)
        .bind(today.to_string())
        .fetch_all(db.pool())
        .await?;
    let truncated = rows.len() as i64 > CHAIN_LIMIT;
    let mut members = Vec::with_capacity(rows.len());
    let mut checkins: HashMap<i64, LatestRatings> = HashMap::new();
    let overdue_before = today.plus_days(-CHECKIN_OVERDUE_DAYS).to_string();
    for r in rows.iter().take(CHAIN_LIMIT as usize) {
        let track: Option<String> = r.try_get("track_key")?;
        let level: Option<String> = r.try_get("level_key")?;
        let since: Option<String> = r.try_get("since")?;
        let manager: Option<i64> = r.try_get("manager_id")?;
        let manager_name: Option<String> = r.try_get("manager_name")?;
        let readiness_status: Option<String> = r.try_get("readiness_status")?;
        let readiness_reasons: Option<String> = r.try_get("readiness_reasons")?;
        let active_goals: i64 = r.try_get("active_goals")?;
        let next_meeting: Option<i64> = r.try_get("next_meeting_id")?;
        let last_checkin_id: Option<i64> = r.try_get("last_checkin_id")?;
        let last_checkin_on: Option<String> = r.try_get("agreed_on")?;
        if let Some(id) = last_checkin_id {
            checkins.insert(
                id,
                LatestRatings {
                    track: r.try_get("checkin_track")?,
                    level: r.try_get("checkin_level")?,
                    agreed_on: last_checkin_on.clone(),
                    ratings: parse_ratings(
                        &r.try_get::<Option<String>, _>("agreed_ratings")?
                            .unwrap_or_default(),
                    ),
                },
            );
        }
        members.push(TeamMember {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            manager: manager
                .zip(manager_name)
                .map(|(id, name)| PersonRef { id, name }),
            position: track
                .as_deref()
                .zip(level.as_deref())
                .map(|(t, l)| people::position_names(fw, t, l)),
            days_in_level: since
                .as_deref()
                .and_then(|s| Day::parse(s).ok())
                .map(|d| d.days_until(today)),
            since,
            checkin_overdue: last_checkin_on
                .as_deref()
                .is_none_or(|d| d < overdue_before.as_str()),
            last_checkin_on,
            last_checkin_id,
            open_checkin_id: r.try_get("open_checkin_id")?,
            readiness: readiness_status
                .as_deref()
                .and_then(|s| brief(s, readiness_reasons.as_deref().unwrap_or("[]"))),
            active_goals,
            overdue_goals: r.try_get("overdue_goals")?,
            next_one_on_one: r.try_get("next_meeting_on")?,
            next_one_on_one_id: next_meeting,
            plan_missing: active_goals == 0,
        });
    }
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

/// Competency × person: the rows are the competencies of the tracks the check-ins rated, in each
/// track's order (the first member's track first); the columns the members, in the team's order.
fn heat_map(
    fw: Option<&Framework>,
    members: &[TeamMember],
    checkins: &HashMap<i64, LatestRatings>,
) -> HeatMap {
    let mut keys: Vec<String> = Vec::new();
    let mut columns = Vec::with_capacity(members.len());
    let mut ratings = Vec::with_capacity(members.len());
    for m in members {
        let checkin = m.last_checkin_id.and_then(|id| checkins.get(&id));
        if let Some(c) = checkin {
            let in_track = fw
                .and_then(|f| f.track(&c.track))
                .map(|t| t.competencies.iter().map(|k| k.to_string()).collect())
                .unwrap_or_else(|| c.ratings.keys().cloned().collect::<Vec<_>>());
            for k in in_track.into_iter().chain(c.ratings.keys().cloned()) {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        columns.push(HeatColumn {
            id: m.id,
            name: m.name.clone(),
            checkin_id: m.last_checkin_id,
            target: checkin.map(|c| people::position_names(fw, &c.track, &c.level)),
            agreed_on: checkin.and_then(|c| c.agreed_on.clone()),
        });
        ratings.push(checkin.map(|c| &c.ratings));
    }
    let rows = keys
        .into_iter()
        .map(|key| HeatRow {
            name: fw
                .and_then(|f| f.competency(&key))
                .map_or_else(|| key.clone(), |c| c.name.clone()),
            ratings: ratings
                .iter()
                .map(|r| r.and_then(|r| r.get(&key)).map(|e| e.rating))
                .collect(),
            key,
        })
        .collect();
    HeatMap {
        people: columns,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overdue_line_is_ninety_days_back() {
        let day = Day::parse("2026-03-31").expect("a day");
        assert_eq!(
            day.plus_days(-CHECKIN_OVERDUE_DAYS).to_string(),
            "2025-12-31"
        );
    }

    #[test]
    fn the_short_reason_is_the_first_that_holds_readiness_back() {
        let reasons = r#"[{"code":"current_level","met":true,"message":"All meet."},
                         {"code":"next_level_share","met":false,"message":"2 of 6 at the next level."}]"#;
        let b = brief("not_yet", reasons).expect("a status");
        assert_eq!(b.status, readiness::Status::NotYet);
        assert_eq!(b.reason, "2 of 6 at the next level.");
        assert!(brief("nonsense", "[]").is_none());
    }
}
