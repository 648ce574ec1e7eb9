//! The Grow part of someone's own home: their latest agreed check-in, readiness, plan, next 1:1,
//! open surveys, what waits for them and what needs attention in their team.

use trellis_framework::Framework;

use super::actions::{ActionKind, ActionNeeded, waiting_actions};
use super::{MeRow, soonest_first};
use crate::auth::Actor;
use crate::domain::{Day, Rating, parse_ratings};
use crate::error::AppResult;
use crate::growth::checkin_rounds::{self, RoundAsks, RoundState};
use crate::growth::one_on_ones::{NextMeeting, Side};
use crate::growth::plans::{GoalStatus, PlanSummary};
use crate::growth::readiness::{self, Readiness};
use crate::growth::team::{self, AttentionKind};
use crate::people::directory::{self, Position};
use crate::rollout::surveys;
use crate::state::AppState;

/// One competency of the latest agreed check-in, each side's rating beside the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRow {
    pub key: String,
    pub name: String,
    pub self_rating: Option<Rating>,
    pub manager_rating: Option<Rating>,
    pub agreed: Option<Rating>,
}

/// The latest agreed check-in, as the home page pictures it.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// A survey open today that the person has not answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSurvey {
    pub id: i64,
    pub title: String,
    /// `YYYY-MM-DD`: the last day to answer.
    pub closes_on: String,
}

/// An active goal of the plan, as the home lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// The Grow part of the home page.
#[derive(Debug, Clone)]
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

/// How many direct reports need attention for one reason, with the team view filtered to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamFlag {
    pub kind: AttentionKind,
    pub title: String,
    pub count: i64,
    /// The team view, filtered to these people.
    pub href: String,
}

/// The Grow part of someone's own home; `me_row` is the row of [`ME`].
pub(super) async fn growth(
    state: &AppState,
    actor: &Actor,
    fw: Option<&Framework>,
    me: i64,
    me_row: &MeRow,
) -> AppResult<Growth> {
    let db = state.db();
    let goals = active_goals(state, me).await?;
    let plan = PlanSummary {
        active: goals.len() as i64,
        overdue: goals.iter().filter(|g| g.overdue).count() as i64,
        done: me_row.goals_done,
        last_update: me_row.goals_updated,
    };
    let surveys: Vec<OpenSurvey> = surveys::open_for(db, actor)
        .await?
        .into_iter()
        .map(|s| OpenSurvey {
            id: s.id,
            title: s.title,
            closes_on: s.closes_on,
        })
        .collect();
    let reports = team::direct_reports(state, actor, fw).await?;
    let rounds = checkin_rounds::asks_for(db, me).await?;
    let mut actions = waiting_actions(state, me, &reports).await?;
    // A round's check-in not started yet comes first; once started, the check-in's own action
    // ("rate yourself") says what waits.
    let start_round = rounds
        .mine
        .iter()
        .filter(|r| r.state == RoundState::NotStarted)
        .map(|r| ActionNeeded {
            kind: ActionKind::CheckinRound,
            text: format!("Start your check-in for the round “{}”", r.name),
            href: format!("/people/{me}/checkins"),
            due_on: Some(r.due_on.clone()),
        });
    actions.splice(0..0, start_round);
    actions.extend(goals.iter().filter(|g| g.overdue).map(|g| ActionNeeded {
        kind: ActionKind::OverdueGoal,
        text: format!("Your goal “{}” is past its due date", g.title),
        href: format!("/goals/{}", g.id),
        due_on: g.due_on.clone(),
    }));
    actions.extend(surveys.iter().map(|s| ActionNeeded {
        kind: ActionKind::Survey,
        text: format!("Answer the survey “{}”", s.title),
        href: format!("/surveys/{}", s.id),
        due_on: Some(s.closes_on.clone()),
    }));
    Ok(Growth {
        latest_checkin: me_row.checkin.latest_checkin(fw),
        readiness: me_row.readiness.stored(),
        plan,
        goals,
        next_one_on_one: me_row.next.next_meeting(me),
        surveys,
        actions,
        team_attention: AttentionKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let count = reports
                    .iter()
                    .filter(|m| m.attention.iter().any(|a| a.kind == kind))
                    .count() as i64;
                (count > 0).then(|| TeamFlag {
                    kind,
                    title: kind.title().to_owned(),
                    count,
                    href: format!("/team?attention={}", kind.as_str()),
                })
            })
            .collect(),
        rounds,
    })
}

/// The readiness stored for the person, as [`ME`](super::ME) reads it.
#[derive(sqlx::FromRow)]
pub(super) struct ReadinessColumns {
    readiness_status: Option<String>,
    readiness_track: Option<String>,
    readiness_level: Option<String>,
    readiness_next: Option<String>,
    readiness_checkin: Option<i64>,
    reasons: Option<String>,
    computed_at: Option<i64>,
}

impl ReadinessColumns {
    /// The readiness stored for the person (see `growth::readiness`), if any.
    fn stored(&self) -> Option<Readiness> {
        let status = self.readiness_status.as_deref()?;
        Some(Readiness {
            status: readiness::Status::parse(status).unwrap_or(readiness::Status::NoPosition),
            track: self.readiness_track.clone(),
            level: self.readiness_level.clone(),
            next_level: self.readiness_next.clone(),
            checkin_id: self.readiness_checkin,
            reasons: serde_json::from_str(self.reasons.as_deref().unwrap_or("[]"))
                .unwrap_or_default(),
            computed_at: self.computed_at.unwrap_or_default(),
        })
    }
}

/// The person's next 1:1 and the two people of its series, as [`ME`](super::ME) reads them.
#[derive(sqlx::FromRow)]
pub(super) struct NextColumns {
    next_id: Option<i64>,
    next_series: Option<i64>,
    next_on: Option<String>,
    next_manager: Option<i64>,
    next_manager_name: Option<String>,
    next_report: Option<i64>,
    next_report_name: Option<String>,
}

impl NextColumns {
    /// The person's next 1:1, as manager or as report: the soonest upcoming meeting of their
    /// series with someone still active. As `one_on_ones::next_meeting` answers it, but starting
    /// from the person's series (`CROSS JOIN` fixes SQLite's join order) rather than from every
    /// upcoming meeting of the organisation in date order.
    fn next_meeting(&self, me: i64) -> Option<NextMeeting> {
        let meeting_id = self.next_id?;
        let scheduled_on = self.next_on.clone().unwrap_or_default();
        let (side, with_id, with_name) = if self.next_manager == Some(me) {
            (Side::Manager, self.next_report, &self.next_report_name)
        } else {
            (Side::Report, self.next_manager, &self.next_manager_name)
        };
        Some(NextMeeting {
            series_id: self.next_series.unwrap_or_default(),
            meeting_id,
            overdue: scheduled_on < Day::today().to_string(),
            scheduled_on,
            with_id: with_id.unwrap_or_default(),
            with_name: with_name.clone().unwrap_or_default(),
            side,
        })
    }
}

/// An active goal with its action counts.
#[derive(sqlx::FromRow)]
struct HomeGoalRow {
    id: i64,
    title: String,
    status: String,
    due_on: Option<String>,
    actions_total: i64,
    actions_done: i64,
}

/// The person's goals not started or in progress, in progress first, soonest due first.
async fn active_goals(state: &AppState, me: i64) -> AppResult<Vec<HomeGoal>> {
    let today = Day::today().to_string();
    let mut goals: Vec<HomeGoal> = sqlx::query_as::<_, HomeGoalRow>(
        "SELECT g.id, g.title, g.status, g.due_on, \
         (SELECT COUNT(*) FROM goal_actions a WHERE a.goal_id = g.id) AS actions_total, \
         (SELECT COUNT(*) FROM goal_actions a WHERE a.goal_id = g.id AND a.done_at IS NOT NULL) AS actions_done \
         FROM goals g WHERE g.person_id = $1 AND g.status IN ('not_started', 'in_progress')",
    )
    .bind(me)
    .fetch_all(state.db().pool())
    .await?
    .into_iter()
    .map(|r| HomeGoal {
        id: r.id,
        title: r.title,
        status: GoalStatus::parse(&r.status).unwrap_or(GoalStatus::NotStarted),
        overdue: r.due_on.as_deref().is_some_and(|d| d < today.as_str()),
        due_on: r.due_on,
        actions_done: r.actions_done,
        actions_total: r.actions_total,
    })
    .collect();
    goals.sort_by(|a, b| {
        let rank = |g: &HomeGoal| g.status != GoalStatus::InProgress;
        rank(a)
            .cmp(&rank(b))
            .then_with(|| soonest_first(&a.due_on, &b.due_on))
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(goals)
}

/// The person's latest agreed check-in, as [`ME`](super::ME) reads it: the ratings are JSON
/// objects.
#[derive(sqlx::FromRow)]
pub(super) struct CheckinColumns {
    checkin_id: Option<i64>,
    checkin_track: Option<String>,
    checkin_level: Option<String>,
    version_number: Option<i64>,
    agreed_on: Option<String>,
    self_ratings: Option<String>,
    manager_ratings: Option<String>,
    agreed_ratings: Option<String>,
}

impl CheckinColumns {
    /// The person's latest agreed check-in with both sides' ratings (an agreed check-in was
    /// shared by both sides, so the person sees both), in the order of its track's competencies.
    fn latest_checkin(&self, fw: Option<&Framework>) -> Option<LatestCheckin> {
        let id = self.checkin_id?;
        let text = |column: &Option<String>| column.clone().unwrap_or_default();
        let track = text(&self.checkin_track);
        let level = text(&self.checkin_level);
        let own = parse_ratings(&text(&self.self_ratings));
        let manager = parse_ratings(&text(&self.manager_ratings));
        let agreed = parse_ratings(&text(&self.agreed_ratings));
        let mut keys: Vec<String> = fw
            .and_then(|f| f.track(&track))
            .map(|t| t.competencies.iter().map(|k| k.to_string()).collect())
            .unwrap_or_default();
        for k in agreed.keys().chain(own.keys()).chain(manager.keys()) {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
        let rows = keys
            .into_iter()
            .map(|key| ProfileRow {
                name: fw
                    .and_then(|f| f.competency(&key))
                    .map_or_else(|| key.clone(), |c| c.name.clone()),
                self_rating: own.get(&key).map(|e| e.rating),
                manager_rating: manager.get(&key).map(|e| e.rating),
                agreed: agreed.get(&key).map(|e| e.rating),
                key,
            })
            .collect();
        Some(LatestCheckin {
            id,
            target: directory::position_names(fw, &track, &level),
            agreed_on: self.agreed_on.clone(),
            version_number: self.version_number.unwrap_or_default(),
            rows,
        })
    }
}
