//! The members of a team, each with everything the team view shows of them, in one query.

use std::collections::HashMap;

use trellis_framework::Framework;

use super::attention::{
    Attention, AttentionKind, OpenCheckin, PendingRound, ReportState, needs_attention,
};
use super::heat_map::LatestRatings;
use super::{CHAIN_LIMIT, NominationBrief, ReadinessBrief, TeamMember};
use crate::auth::Actor;
use crate::auth::policy;
use crate::db::chain;
use crate::domain::{Day, PositionKind, parse_ratings};
use crate::error::AppResult;
use crate::growth::checkin_rounds;
use crate::growth::nominations::{self, NominationStatus};
use crate::growth::one_on_ones::PersonRef;
use crate::growth::readiness::{self, Reason};
use crate::people::directory;
use crate::state::AppState;

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

/// A nomination of a member, newest first.
#[derive(sqlx::FromRow)]
struct NominationRow {
    id: i64,
    person_id: i64,
    kind: String,
    status: String,
}

/// Gives each member their latest nomination the viewer may see, in one query.
pub(super) async fn latest_nominations(
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
    let rows = sqlx::query_as::<_, NominationRow>(&format!(
        "SELECT n.id, n.person_id, n.kind, n.status FROM nominations n \
         WHERE {members_where} AND {} ORDER BY n.id DESC",
        policy::nominations_seen_sql(actor, "$2")
    ))
    .bind(manager_id)
    .bind(actor.user_id.unwrap_or(0))
    .fetch_all(state.db().pool())
    .await?;
    let mut latest: HashMap<i64, NominationBrief> = HashMap::new();
    for r in rows {
        if latest.contains_key(&r.person_id) {
            continue;
        }
        let status = NominationStatus::parse(&r.status).unwrap_or(NominationStatus::Pending);
        let kind = PositionKind::parse(&r.kind).unwrap_or(PositionKind::Promotion);
        latest.insert(
            r.person_id,
            NominationBrief {
                id: r.id,
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
pub(super) async fn read_members(
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
    let rows = sqlx::query_as::<_, MemberRow>(&sql)
        .bind(manager_id)
        .bind(today.to_string())
        .fetch_all(db.pool())
        .await?;
    let truncated = rows.len() as i64 > CHAIN_LIMIT;
    let mut members = Vec::with_capacity(rows.len());
    let mut checkins: HashMap<i64, LatestRatings> = HashMap::new();
    for r in rows.into_iter().take(CHAIN_LIMIT as usize) {
        if let Some((id, latest)) = r.checkin.latest_ratings() {
            checkins.insert(id, latest);
        }
        members.push(r.into_member(actor, fw, today));
    }
    Ok((members, checkins, truncated))
}

/// A member of a team, with everything the team view shows of them: a row of [`read_members`].
#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    name: String,
    manager_id: Option<i64>,
    manager_name: Option<String>,
    track_key: Option<String>,
    level_key: Option<String>,
    since: Option<String>,
    readiness_status: Option<String>,
    readiness_reasons: Option<String>,
    active_goals: i64,
    overdue_goals: i64,
    next_meeting_id: Option<i64>,
    next_meeting_on: Option<String>,
    #[sqlx(flatten)]
    checkin: LatestCheckinColumns,
    #[sqlx(flatten)]
    open: OpenCheckinColumns,
    #[sqlx(flatten)]
    round: PendingRoundColumns,
}

/// The member's latest agreed check-in: the ratings are a JSON object.
#[derive(sqlx::FromRow)]
struct LatestCheckinColumns {
    last_checkin_id: Option<i64>,
    checkin_track: Option<String>,
    checkin_level: Option<String>,
    agreed_on: Option<String>,
    agreed_ratings: Option<String>,
}

impl LatestCheckinColumns {
    /// The check-in's id with what the heat map reads of it, when the member has one.
    fn latest_ratings(&self) -> Option<(i64, LatestRatings)> {
        let id = self.last_checkin_id?;
        Some((
            id,
            LatestRatings {
                track: self.checkin_track.clone().unwrap_or_default(),
                level: self.checkin_level.clone().unwrap_or_default(),
                agreed_on: self.agreed_on.clone(),
                ratings: parse_ratings(self.agreed_ratings.as_deref().unwrap_or_default()),
            },
        ))
    }
}

/// The member's latest check-in not agreed yet, with what its manager's side has done.
#[derive(sqlx::FromRow)]
struct OpenCheckinColumns {
    open_checkin_id: Option<i64>,
    open_status: Option<String>,
    open_rater: Option<i64>,
    open_manager_shared: Option<i64>,
    open_manager_confirmed: Option<i64>,
}

impl OpenCheckinColumns {
    fn open_checkin(&self) -> Option<OpenCheckin> {
        let in_review = self.open_status.as_deref() == Some("review");
        let manager_done = if in_review {
            self.open_manager_confirmed.is_some()
        } else {
            self.open_manager_shared.is_some()
        };
        self.open_checkin_id.map(|id| OpenCheckin {
            id,
            in_review,
            manager_done,
        })
    }
}

/// The running round, soonest due, that waits for the member's check-in to start
/// ([`checkin_rounds::PENDING_ROUND_JOIN`]).
#[derive(sqlx::FromRow)]
struct PendingRoundColumns {
    round_id: Option<i64>,
    round_name: Option<String>,
    round_due: Option<String>,
}

impl PendingRoundColumns {
    fn pending_round(&self) -> Option<PendingRound<'_>> {
        self.round_id.map(|id| PendingRound {
            id,
            name: self.round_name.as_deref().unwrap_or_default(),
            due_on: self.round_due.as_deref().unwrap_or_default(),
        })
    }
}

impl MemberRow {
    /// The member as the team view shows them to `actor`, with what needs attention.
    fn into_member(self, actor: &Actor, fw: Option<&Framework>, today: Day) -> TeamMember {
        let attention = self.attention(actor, today);
        TeamMember {
            id: self.id,
            manager: self
                .manager_id
                .zip(self.manager_name)
                .map(|(id, name)| PersonRef { id, name }),
            position: self
                .track_key
                .as_deref()
                .zip(self.level_key.as_deref())
                .map(|(t, l)| directory::position_names(fw, t, l)),
            days_in_level: self
                .since
                .as_deref()
                .and_then(|s| Day::parse(s).ok())
                .map(|d| d.days_until(today)),
            since: self.since,
            checkin_overdue: attention
                .iter()
                .any(|a| a.kind == AttentionKind::CheckinOverdue),
            plan_missing: attention
                .iter()
                .any(|a| a.kind == AttentionKind::PlanMissing),
            attention,
            nomination: None,
            last_checkin_on: self.checkin.agreed_on,
            last_checkin_id: self.checkin.last_checkin_id,
            open_checkin_id: self.open.open_checkin_id,
            readiness: self
                .readiness_status
                .as_deref()
                .and_then(|s| brief(s, self.readiness_reasons.as_deref().unwrap_or("[]"))),
            active_goals: self.active_goals,
            overdue_goals: self.overdue_goals,
            next_one_on_one: self.next_meeting_on,
            next_one_on_one_id: self.next_meeting_id,
            name: self.name,
        }
    }

    /// What needs the manager's attention about the member, as `actor` sees it (see
    /// [`needs_attention`]).
    fn attention(&self, actor: &Actor, today: Day) -> Vec<Attention> {
        needs_attention(&ReportState {
            id: self.id,
            name: &self.name,
            viewer_rates: actor.user_id.is_some()
                && self.open.open_rater.or(self.manager_id) == actor.user_id,
            open_checkin: self.open.open_checkin(),
            last_agreed_on: self.checkin.agreed_on.as_deref(),
            active_goals: self.active_goals,
            pending_round: self.round.pending_round(),
            today,
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
