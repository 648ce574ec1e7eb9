//! The manager's team view: each report at a glance (position, time in level, last agreed
//! check-in, readiness, plan, next 1:1), flagged when a check-in is overdue or a plan is missing,
//! and a heat map of the team's latest agreed ratings (competency × person).
//!
//! The whole team is read in a constant number of queries, whatever its size: one for the people
//! with everything about each of them, their latest agreed check-in's ratings included
//! (correlated subqueries the indexes of 0006 and 0007 answer). Never a query per report.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sqlx::Row;
use trellis_framework::Framework;

use crate::architecture::framework;
use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::db::chain;
use crate::domain::{Day, PositionKind, Rating, Ratings, parse_ratings};
use crate::error::{AppError, AppResult};
use crate::growth::checkin_rounds;
use crate::growth::nominations::{self, NominationStatus};
use crate::growth::one_on_ones::PersonRef;
use crate::growth::readiness::{self, Reason};
use crate::people::directory::{self, Position};
use crate::rollout::pilot;
use crate::state::AppState;

/// A report whose latest agreed check-in is older than this many days (or who has none) is
/// flagged: a check-in is overdue.
pub const CHECKIN_OVERDUE_DAYS: i64 = 90;
/// The most people the whole-chain view shows.
pub const CHAIN_LIMIT: i64 = 500;

/// Why a report needs their manager's attention. The one definition, used by the team view (its
/// flags and the counts that filter it) and by the manager's home (what needs their action).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
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

impl AttentionKind {
    pub const ALL: [AttentionKind; 5] = [
        AttentionKind::RateCheckin,
        AttentionKind::AgreeCheckin,
        AttentionKind::RoundCheckin,
        AttentionKind::CheckinOverdue,
        AttentionKind::PlanMissing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttentionKind::RateCheckin => "rate_checkin",
            AttentionKind::AgreeCheckin => "agree_checkin",
            AttentionKind::CheckinOverdue => "checkin_overdue",
            AttentionKind::PlanMissing => "plan_missing",
            AttentionKind::RoundCheckin => "round_checkin",
        }
    }

    pub fn parse(raw: &str) -> Option<AttentionKind> {
        AttentionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
    }

    /// The flag's title.
    pub fn title(self) -> &'static str {
        match self {
            AttentionKind::RateCheckin => "Check-in to rate",
            AttentionKind::AgreeCheckin => "Ratings to agree",
            AttentionKind::CheckinOverdue => "Check-in overdue",
            AttentionKind::PlanMissing => "Plan missing",
            AttentionKind::RoundCheckin => "Check-in round",
        }
    }

    /// How many people have this flag, in words: "2 with a check-in overdue".
    pub fn count_words(self, n: usize) -> String {
        let what = match self {
            AttentionKind::RateCheckin => "with a check-in waiting for the manager's ratings",
            AttentionKind::AgreeCheckin => "with ratings waiting for the manager to agree them",
            AttentionKind::CheckinOverdue => "with a check-in overdue",
            AttentionKind::PlanMissing => "without a plan",
            AttentionKind::RoundCheckin => "who have not started the check-in a round asks for",
        };
        format!("{n} {what}")
    }
}

/// One reason a report needs attention: a titled sentence and where to act on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

/// A check-in of the report not agreed yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenCheckin {
    pub id: i64,
    /// Both sides shared their ratings; the check-in waits for both to agree them.
    pub in_review: bool,
    /// The manager's side has done its part of the current step (shared, or agreed in review).
    pub manager_done: bool,
}

/// A running check-in round that asks the report for a check-in they have not started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingRound<'a> {
    pub id: i64,
    pub name: &'a str,
    /// `YYYY-MM-DD`.
    pub due_on: &'a str,
}

/// What the definition of "needs attention" reads of a report.
#[derive(Debug, Clone, Copy)]
pub struct ReportState<'a> {
    pub id: i64,
    pub name: &'a str,
    /// The viewer is the one who rates and agrees the report's check-ins as their manager.
    pub viewer_rates: bool,
    /// Their latest check-in not agreed yet.
    pub open_checkin: Option<OpenCheckin>,
    /// The day their latest check-in was agreed, `YYYY-MM-DD`.
    pub last_agreed_on: Option<&'a str>,
    pub active_goals: i64,
    /// The soonest due running round that waits for their check-in to start.
    pub pending_round: Option<PendingRound<'a>>,
    pub today: Day,
}

/// Everything that needs the manager's attention about a report, most urgent first: a check-in
/// waiting for the manager's ratings or agreement, a check-in overdue, a plan missing. A pure
/// function of the report's state.
pub fn needs_attention(r: &ReportState) -> Vec<Attention> {
    let mut found = Vec::new();
    let reason = |kind: AttentionKind, text: String, href: String| Attention {
        kind,
        title: kind.title().to_owned(),
        text,
        href,
        yours: r.viewer_rates,
    };
    if let Some(c) = r.open_checkin.filter(|c| !c.manager_done) {
        let href = format!("/checkins/{}", c.id);
        let name = r.name;
        found.push(match (c.in_review, r.viewer_rates) {
            (false, true) => reason(
                AttentionKind::RateCheckin,
                format!("Rate {name} in their check-in, then share it"),
                href,
            ),
            (false, false) => reason(
                AttentionKind::RateCheckin,
                format!("{name}'s check-in waits for their manager's ratings"),
                href,
            ),
            (true, true) => reason(
                AttentionKind::AgreeCheckin,
                format!("Compare the ratings of {name}'s check-in and agree them"),
                href,
            ),
            (true, false) => reason(
                AttentionKind::AgreeCheckin,
                format!("{name}'s check-in waits for their manager to agree the ratings"),
                href,
            ),
        });
    }
    if let (Some(round), None) = (r.pending_round, r.open_checkin) {
        let late = if round.due_on < r.today.to_string().as_str() {
            "was due"
        } else {
            "is due"
        };
        let text = if r.viewer_rates {
            format!(
                "{}'s check-in for the round “{}” {late} by {} and is not started: start it with them",
                r.name, round.name, round.due_on
            )
        } else {
            format!(
                "{} has not started the check-in the round “{}” asks for by {}",
                r.name, round.name, round.due_on
            )
        };
        found.push(reason(
            AttentionKind::RoundCheckin,
            text,
            format!("/people/{}/checkins", r.id),
        ));
    }
    let overdue_before = r.today.plus_days(-CHECKIN_OVERDUE_DAYS).to_string();
    if r.last_agreed_on.is_none_or(|d| d < overdue_before.as_str()) {
        let (text, href) = match r.open_checkin {
            Some(c) => (
                format!(
                    "{} has agreed no check-in in the last {CHECKIN_OVERDUE_DAYS} days: finish the one in progress",
                    r.name
                ),
                format!("/checkins/{}", c.id),
            ),
            None => (
                format!(
                    "{} has agreed no check-in in the last {CHECKIN_OVERDUE_DAYS} days: start one",
                    r.name
                ),
                format!("/people/{}/checkins", r.id),
            ),
        };
        found.push(reason(AttentionKind::CheckinOverdue, text, href));
    }
    if r.active_goals == 0 {
        found.push(reason(
            AttentionKind::PlanMissing,
            format!(
                "{} has no goal in progress: add one to their development plan",
                r.name
            ),
            format!("/people/{}/plan", r.id),
        ));
    }
    found
}

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
    /// Why they need their manager's attention, most urgent first (see [`needs_attention`]).
    pub attention: Vec<Attention>,
    /// Their latest nomination the viewer may see.
    pub nomination: Option<NominationBrief>,
}

/// A nomination in short, as the team view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NominationBrief {
    pub id: i64,
    pub status: NominationStatus,
    /// What happened to it, in words (see `nominations::label`).
    pub label: String,
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

/// Gives each member their latest nomination the viewer may see, in one query.
async fn latest_nominations(
    state: &AppState,
    actor: &Actor,
    manager_id: i64,
    whole_chain: bool,
    members: &mut [TeamMember],
) -> AppResult<()> {
    let members_where = if whole_chain {
        format!("n.person_id IN {}", chain::below("$1"))
    } else {
        "n.person_id IN (SELECT id FROM users WHERE manager_id = $1)".to_owned()
    };
    // Only the nominations the viewer may see, by the policy's condition for lists.
    let rows = sqlx::query(&format!(
        "SELECT n.id, n.person_id, n.kind, n.status FROM nominations n \
         WHERE {members_where} AND {} ORDER BY n.id DESC",
        policy::nominations_seen_sql(actor, "$2")
    ))
    .bind(manager_id)
    .bind(actor.user_id.unwrap_or(0))
    .fetch_all(state.db().pool())
    .await?;
    let mut latest: HashMap<i64, NominationBrief> = HashMap::new();
    for r in &rows {
        let person: i64 = r.try_get("person_id")?;
        if latest.contains_key(&person) {
            continue;
        }
        let status: String = r.try_get("status")?;
        let status = NominationStatus::parse(&status).unwrap_or(NominationStatus::Pending);
        let kind: String = r.try_get("kind")?;
        let kind = PositionKind::parse(&kind).unwrap_or(PositionKind::Promotion);
        latest.insert(
            person,
            NominationBrief {
                id: r.try_get("id")?,
                status,
                label: nominations::label(kind, status).to_owned(),
            },
        );
    }
    for m in members {
        m.nomination = latest.remove(&m.id);
    }
    Ok(())
}

/// The members of a manager's team (direct reports, or everyone below them), each with everything
/// the team view shows and what needs attention as the viewer sees it, in one query; with their
/// latest agreed check-ins' ratings, and whether there were more than [`CHAIN_LIMIT`].
async fn read_members(
    state: &AppState,
    actor: &Actor,
    fw: Option<&Framework>,
    manager_id: i64,
    whole_chain: bool,
) -> AppResult<(Vec<TeamMember>, HashMap<i64, LatestRatings>, bool)> {
    let db = state.db();
    let today = Day::today();
    let members_where = if whole_chain {
        format!("u.id IN {}", chain::below("$1"))
    } else {
        "u.manager_id = $1".to_owned()
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
         oc.id AS open_checkin_id, oc.status AS open_status, oc.manager_id AS open_rater, \
         oc.manager_shared_at AS open_manager_shared, \
         oc.manager_confirmed_at AS open_manager_confirmed, \
         r.status AS readiness_status, r.reasons AS readiness_reasons, \
         rr.id AS round_id, rr.name AS round_name, rr.due_on AS round_due, \
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
         LEFT JOIN checkins oc ON oc.id = (SELECT MAX(c.id) FROM checkins c \
            WHERE c.person_id = u.id AND c.status IN ('open', 'review')) \
         {pending_round} \
         WHERE {members_where} AND u.active = 1 \
         ORDER BY u.name_key, u.id LIMIT {}",
        CHAIN_LIMIT + 1,
        pending_round = checkin_rounds::PENDING_ROUND_JOIN,
    );
    let rows = sqlx::query(&sql)
        .bind(manager_id)
        .bind(today.to_string())
        .fetch_all(db.pool())
        .await?;
    let truncated = rows.len() as i64 > CHAIN_LIMIT;
    let mut members = Vec::with_capacity(rows.len());
    let mut checkins: HashMap<i64, LatestRatings> = HashMap::new();
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
        let id: i64 = r.try_get("id")?;
        let name: String = r.try_get("name")?;
        let open_checkin_id: Option<i64> = r.try_get("open_checkin_id")?;
        let open_status: Option<String> = r.try_get("open_status")?;
        let open_rater: Option<i64> = r.try_get("open_rater")?;
        let in_review = open_status.as_deref() == Some("review");
        let manager_done = if in_review {
            r.try_get::<Option<i64>, _>("open_manager_confirmed")?
                .is_some()
        } else {
            r.try_get::<Option<i64>, _>("open_manager_shared")?
                .is_some()
        };
        let round_id: Option<i64> = r.try_get("round_id")?;
        let round_name: Option<String> = r.try_get("round_name")?;
        let round_due: Option<String> = r.try_get("round_due")?;
        let attention = needs_attention(&ReportState {
            id,
            name: &name,
            viewer_rates: actor.user_id.is_some() && open_rater.or(manager) == actor.user_id,
            open_checkin: open_checkin_id.map(|id| OpenCheckin {
                id,
                in_review,
                manager_done,
            }),
            last_agreed_on: last_checkin_on.as_deref(),
            active_goals,
            pending_round: round_id.map(|id| PendingRound {
                id,
                name: round_name.as_deref().unwrap_or_default(),
                due_on: round_due.as_deref().unwrap_or_default(),
            }),
            today,
        });
        members.push(TeamMember {
            id,
            name,
            manager: manager
                .zip(manager_name)
                .map(|(id, name)| PersonRef { id, name }),
            position: track
                .as_deref()
                .zip(level.as_deref())
                .map(|(t, l)| directory::position_names(fw, t, l)),
            days_in_level: since
                .as_deref()
                .and_then(|s| Day::parse(s).ok())
                .map(|d| d.days_until(today)),
            since,
            checkin_overdue: attention
                .iter()
                .any(|a| a.kind == AttentionKind::CheckinOverdue),
            plan_missing: attention
                .iter()
                .any(|a| a.kind == AttentionKind::PlanMissing),
            attention,
            nomination: None,
            last_checkin_on,
            last_checkin_id,
            open_checkin_id,
            readiness: readiness_status
                .as_deref()
                .and_then(|s| brief(s, readiness_reasons.as_deref().unwrap_or("[]"))),
            active_goals,
            overdue_goals: r.try_get("overdue_goals")?,
            next_one_on_one: r.try_get("next_meeting_on")?,
            next_one_on_one_id: next_meeting,
        });
    }
    Ok((members, checkins, truncated))
}

/// The actor's direct reports with what needs attention about each, as the team view sees them:
/// for the manager's home. One query, whatever the number of reports.
pub async fn direct_reports(
    state: &AppState,
    actor: &Actor,
    fw: Option<&Framework>,
) -> AppResult<Vec<TeamMember>> {
    let Some(me) = actor.user_id else {
        return Ok(Vec::new());
    };
    Ok(read_members(state, actor, fw, me, false).await?.0)
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
            target: checkin.map(|c| directory::position_names(fw, &c.track, &c.level)),
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

    fn state(open: Option<OpenCheckin>, agreed: Option<&str>, goals: i64) -> ReportState<'_> {
        ReportState {
            id: 7,
            name: "Ola",
            viewer_rates: true,
            open_checkin: open,
            last_agreed_on: agreed,
            active_goals: goals,
            pending_round: None,
            today: Day::parse("2026-03-31").expect("a day"),
        }
    }

    fn kinds(found: &[Attention]) -> Vec<AttentionKind> {
        found.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn a_checkin_waiting_for_the_managers_ratings_needs_attention() {
        let open = OpenCheckin {
            id: 3,
            in_review: false,
            manager_done: false,
        };
        let found = needs_attention(&state(Some(open), Some("2026-03-01"), 1));
        assert_eq!(kinds(&found), [AttentionKind::RateCheckin]);
        assert_eq!(found[0].title, "Check-in to rate");
        assert_eq!(found[0].text, "Rate Ola in their check-in, then share it");
        assert_eq!(found[0].href, "/checkins/3");
        assert!(found[0].yours);
        // Once the manager shared, it waits for the report, not the manager.
        let shared = OpenCheckin {
            manager_done: true,
            ..open
        };
        assert!(needs_attention(&state(Some(shared), Some("2026-03-01"), 1)).is_empty());
        // In review, the manager agrees.
        let review = OpenCheckin {
            in_review: true,
            ..open
        };
        let found = needs_attention(&state(Some(review), Some("2026-03-01"), 1));
        assert_eq!(kinds(&found), [AttentionKind::AgreeCheckin]);
        // Seen by someone above the manager, the sentence says who acts.
        let mut above = state(Some(open), Some("2026-03-01"), 1);
        above.viewer_rates = false;
        let found = needs_attention(&above);
        assert_eq!(
            found[0].text,
            "Ola's check-in waits for their manager's ratings"
        );
        assert!(!found[0].yours);
    }

    #[test]
    fn an_old_checkin_and_an_empty_plan_need_attention_with_where_to_act() {
        let found = needs_attention(&state(None, Some("2025-12-30"), 0));
        assert_eq!(
            kinds(&found),
            [AttentionKind::CheckinOverdue, AttentionKind::PlanMissing]
        );
        assert_eq!(found[0].href, "/people/7/checkins");
        assert_eq!(found[1].href, "/people/7/plan");
        assert!(found[1].text.starts_with("Ola has no goal in progress"));
        assert!(needs_attention(&state(None, Some("2025-12-31"), 2)).is_empty());
        assert_eq!(
            kinds(&needs_attention(&state(None, None, 2))),
            [AttentionKind::CheckinOverdue]
        );
    }

    #[test]
    fn a_round_waiting_for_a_check_in_not_started_needs_attention() {
        let round = PendingRound {
            id: 2,
            name: "Spring",
            due_on: "2026-03-15",
        };
        let mut s = state(None, Some("2026-03-01"), 1);
        s.pending_round = Some(round);
        let found = needs_attention(&s);
        assert_eq!(kinds(&found), [AttentionKind::RoundCheckin]);
        assert_eq!(
            found[0].text,
            "Ola's check-in for the round “Spring” was due by 2026-03-15 and is not started: start it with them"
        );
        assert_eq!(found[0].href, "/people/7/checkins");
        // Once a check-in is in progress, the check-in itself says what waits.
        let open = OpenCheckin {
            id: 3,
            in_review: false,
            manager_done: true,
        };
        s.open_checkin = Some(open);
        assert!(needs_attention(&s).is_empty());
    }

    #[test]
    fn every_reason_reads_back_from_its_key() {
        for k in AttentionKind::ALL {
            assert_eq!(AttentionKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(AttentionKind::parse("nonsense"), None);
        assert_eq!(
            AttentionKind::PlanMissing.count_words(2),
            "2 without a plan"
        );
    }
}
