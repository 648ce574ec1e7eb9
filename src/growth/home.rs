//! The home page of everyone signed in: their position and track (with their level's
//! expectations), what changes at the next level, and, when the Grow features are open to them,
//! their latest agreed check-in, readiness, plan, next 1:1, open surveys and what needs their
//! action. People without a position see what to do about it.
//!
//! A home is read in a constant number of small queries, each answered by an index (the person's
//! row, their check-ins, goals, 1:1 series, action items and evidence requests): it is the page
//! people open most.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;
use trellis_framework::Framework;
use trellis_framework::delta::{RowStatus, level_delta};

use crate::architecture::framework;
use crate::auth::Actor;
use crate::auth::policy;
use crate::domain::{Day, Rating, parse_ratings};
use crate::error::{AppError, AppResult};
use crate::growth::checkin_rounds;
use crate::growth::checkin_rounds::{RoundAsks, RoundState};
use crate::growth::one_on_ones::{NextMeeting, Side};
use crate::growth::plans::{GoalStatus, PlanSummary};
use crate::growth::readiness::{self, Readiness};
use crate::growth::team;
use crate::growth::team::{AttentionKind, TeamMember};
use crate::people::directory::{self, Position};
use crate::people::provisioning;
use crate::rollout::pilot;
use crate::rollout::roadmap;
use crate::rollout::surveys;
use crate::state::AppState;
use crate::text;

/// One level of the person's track, for the ladder with their own level marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LadderStep {
    pub key: String,
    pub title: String,
    /// The person holds this level.
    pub current: bool,
}

/// What the person's level expects for one competency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Expectation {
    pub key: String,
    pub name: String,
    /// Markdown bullets.
    pub bullets: Vec<String>,
    pub not_applicable: bool,
}

/// The person's track and level in the published framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

/// One competency that changes at the next level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

/// What the next level of the person's track asks that theirs does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NextLevel {
    pub position: Position,
    /// Only the competencies that change.
    pub changes: Vec<Change>,
    /// Competencies whose expectations stay the same.
    pub unchanged: usize,
}

/// One competency of the latest agreed check-in, each side's rating beside the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProfileRow {
    pub key: String,
    pub name: String,
    pub self_rating: Option<Rating>,
    pub manager_rating: Option<Rating>,
    pub agreed: Option<Rating>,
}

/// The latest agreed check-in, as the home page pictures it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

/// What kind of thing waits for the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::RateCheckin => "rate_checkin",
            ActionKind::AgreeCheckin => "agree_checkin",
            ActionKind::ActionItem => "action_item",
            ActionKind::OverdueGoal => "overdue_goal",
            ActionKind::ConfirmEvidence => "confirm_evidence",
            ActionKind::Survey => "survey",
            ActionKind::DecideNomination => "decide_nomination",
            ActionKind::CheckinRound => "checkin_round",
        }
    }
}

/// One thing that needs the person's action, with where to do it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ActionNeeded {
    pub kind: ActionKind,
    pub text: String,
    pub href: String,
    /// `YYYY-MM-DD`, when it has a due date.
    pub due_on: Option<String>,
}

/// A survey open today that the person has not answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = HomeSurvey)]
pub struct OpenSurvey {
    pub id: i64,
    pub title: String,
    /// `YYYY-MM-DD`: the last day to answer.
    pub closes_on: String,
}

/// An active goal of the plan, as the home lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TeamFlag {
    pub kind: AttentionKind,
    pub title: String,
    pub count: i64,
    /// The team view, filtered to these people.
    pub href: String,
}

/// Someone's home.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

/// A nomination waiting for the People team's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WaitingNomination {
    pub id: i64,
    pub person: String,
    /// The position proposed.
    pub position: Position,
    /// `YYYY-MM-DD`: when it was sent.
    pub sent_on: String,
}

/// A survey open now or closed in the last [`RECENT_DAYS`] days. While a survey is open no count
/// of answers is shown (see `docs/anonymity.md`: a live response rate would tell who has
/// answered): only how many people it asks against its anonymity threshold, and when it closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

impl SurveyProgress {
    /// Fewer people are asked than the threshold: no result can ever be shown.
    pub fn audience_below_threshold(&self) -> bool {
        self.asked.is_some_and(|a| a < self.threshold)
    }

    /// Closed with fewer answers than the threshold: no result is shown.
    pub fn answers_below_threshold(&self) -> bool {
        self.responses.is_some_and(|r| r < self.threshold)
    }
}

/// A roadmap item not done whose due date has passed or comes within
/// [`roadmap::DUE_SOON_DAYS`] days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DueItem {
    pub id: i64,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub overdue: bool,
}

/// What kind of thing waits for the People team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

impl WaitingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WaitingKind::Nominations => "nominations",
            WaitingKind::OpenSurveys => "open_surveys",
            WaitingKind::RoadmapItems => "roadmap_items",
            WaitingKind::WithoutPosition => "without_position",
            WaitingKind::WithoutManager => "without_manager",
            WaitingKind::FailedProvisioning => "failed_provisioning",
        }
    }
}

/// How many things of one kind wait for the People team, with the place, filtered to them, where
/// they are handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Waiting {
    pub kind: WaitingKind,
    pub count: i64,
    /// The count in a sentence, such as "3 nominations wait for a decision".
    pub text: String,
    /// The filtered page where they are handled.
    pub href: String,
}

/// What waits for the People team, each part linking to where it is handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

impl PeopleTeam {
    /// Nothing waits for the People team.
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Surveys closed recently, whose results can be read.
    pub fn closed_surveys(&self) -> impl Iterator<Item = &SurveyProgress> {
        self.surveys.iter().filter(|s| !s.open)
    }

    /// Surveys taking answers.
    pub fn open_surveys(&self) -> impl Iterator<Item = &SurveyProgress> {
        self.surveys.iter().filter(|s| s.open)
    }
}

/// Surveys closed this many days ago or less are shown with their response rate.
pub const RECENT_DAYS: i64 = 30;
/// Failed provisioning requests of this many days are counted.
pub const FAILED_DAYS: i64 = 7;

/// What waits for the People team (admins): nominations to decide, surveys open or just closed,
/// roadmap items due, active people without a position or a manager, and provisioning requests
/// that failed. A few small queries.
pub async fn people_team(state: &AppState, actor: &Actor) -> AppResult<PeopleTeam> {
    policy::manage_people(actor)?;
    let db = state.db();
    let today = Day::today();
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let nominations: Vec<WaitingNomination> = sqlx::query(
        "SELECT n.id, n.person_id, u.name, n.track_key, n.level_key, n.created_at \
         FROM nominations n JOIN users u ON u.id = n.person_id \
         WHERE n.status = 'pending' ORDER BY n.created_at, n.id LIMIT 100",
    )
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let person: i64 = r.try_get("person_id")?;
        let track: String = r.try_get("track_key")?;
        let level: String = r.try_get("level_key")?;
        let at: i64 = r.try_get("created_at")?;
        Ok((
            person,
            WaitingNomination {
                id: r.try_get("id")?,
                person: r.try_get("name")?,
                position: directory::position_names(fw, &track, &level),
                sent_on: today
                    .plus_days(-(crate::db::now() - at).max(0) / 86_400)
                    .to_string(),
            },
        ))
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?
    .into_iter()
    .filter(|(person, _)| policy::decide_nomination(actor, *person).is_ok())
    .map(|(_, n)| n)
    .collect();
    let recent = today.plus_days(-RECENT_DAYS).to_string();
    let audiences: HashMap<i64, (i64, i64)> = sqlx::query_as::<_, (i64, i64, i64)>(
        "SELECT s.id, s.threshold, \
         (SELECT COUNT(*) FROM survey_audience a WHERE a.survey_id = s.id) \
         FROM surveys s WHERE s.closes_on >= $1",
    )
    .bind(&recent)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|(id, threshold, asked)| (id, (threshold, asked)))
    .collect();
    let mut survey_list: Vec<SurveyProgress> = surveys::list(state, actor)
        .await?
        .into_iter()
        .filter(|s| match s.status {
            surveys::Status::Open => true,
            surveys::Status::Closed => s.closes_on >= recent,
            surveys::Status::Scheduled => false,
        })
        .map(|s| {
            let (threshold, asked) = audiences.get(&s.id).copied().unwrap_or_default();
            // The audience is taken when the survey opens; before that nobody is asked yet.
            let asked = (asked > 0).then_some(asked);
            let open = s.status == surveys::Status::Open;
            let responses = if open { None } else { s.responses };
            SurveyProgress {
                response_rate: responses.zip(asked).map(|(r, a)| (r * 100 + a / 2) / a),
                responses,
                asked,
                threshold,
                open,
                id: s.id,
                title: s.title,
                closes_on: s.closes_on,
            }
        })
        .collect();
    survey_list.sort_by(|a, b| b.open.cmp(&a.open).then(a.closes_on.cmp(&b.closes_on)));
    let soon = today.plus_days(roadmap::DUE_SOON_DAYS).to_string();
    let today_text = today.to_string();
    let roadmap_items: Vec<DueItem> = sqlx::query_as::<_, (i64, String, String)>(
        "SELECT id, title, due_on FROM roadmap_items \
         WHERE done_at IS NULL AND due_on IS NOT NULL AND due_on <= $1 \
         ORDER BY due_on, position, id LIMIT 50",
    )
    .bind(&soon)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|(id, title, due_on)| DueItem {
        overdue: due_on < today_text,
        id,
        title,
        due_on,
    })
    .collect();
    let (without_position, without_manager) = sqlx::query_as::<_, (i64, i64)>(&format!(
        "SELECT COUNT(CASE WHEN {} THEN 1 END), COUNT(CASE WHEN {} THEN 1 END) \
         FROM users u WHERE u.active = 1",
        directory::WITHOUT_POSITION,
        directory::WITHOUT_MANAGER
    ))
    .fetch_one(db.pool())
    .await?;
    let failed_since = crate::db::now() - FAILED_DAYS * 86_400;
    let failed_provisioning = provisioning::failures_since(db, actor, failed_since).await?;
    let open_surveys = survey_list.iter().filter(|s| s.open).count() as i64;
    let overdue = roadmap_items.iter().filter(|i| i.overdue).count();
    let roadmap_text = if overdue > 0 {
        format!(
            "{} overdue or due in the next {} days, {overdue} of them overdue",
            text::plural(roadmap_items.len(), "roadmap item", "roadmap items"),
            roadmap::DUE_SOON_DAYS
        )
    } else {
        format!(
            "{} due in the next {} days",
            text::plural(roadmap_items.len(), "roadmap item", "roadmap items"),
            roadmap::DUE_SOON_DAYS
        )
    };
    let waiting = [
        (
            WaitingKind::Nominations,
            nominations.len() as i64,
            format!(
                "{} for a decision",
                text::plural(nominations.len(), "nomination waits", "nominations wait")
            ),
            "/nominations?status=pending".to_owned(),
        ),
        (
            WaitingKind::OpenSurveys,
            open_surveys,
            format!(
                "{} taking answers",
                text::plural(open_surveys, "survey is", "surveys are")
            ),
            "/admin/surveys?status=open".to_owned(),
        ),
        (
            WaitingKind::RoadmapItems,
            roadmap_items.len() as i64,
            roadmap_text,
            "/admin/rollout/roadmap?due=soon".to_owned(),
        ),
        (
            WaitingKind::WithoutPosition,
            without_position,
            format!(
                "{} no position",
                text::plural(without_position, "active person has", "active people have")
            ),
            "/people?missing=position&status=active".to_owned(),
        ),
        (
            WaitingKind::WithoutManager,
            without_manager,
            format!(
                "{} no manager",
                text::plural(without_manager, "active person has", "active people have")
            ),
            "/people?missing=manager&status=active".to_owned(),
        ),
        (
            WaitingKind::FailedProvisioning,
            failed_provisioning,
            format!(
                "{} failed in the last {FAILED_DAYS} days",
                text::plural(
                    failed_provisioning,
                    "provisioning request",
                    "provisioning requests"
                )
            ),
            format!(
                "/admin/audit?action={}&from={}",
                "provisioning.",
                today.plus_days(-FAILED_DAYS)
            ),
        ),
    ]
    .into_iter()
    .filter(|(_, count, _, _)| *count > 0)
    .map(|(kind, count, text, href)| Waiting {
        kind,
        count,
        text,
        href,
    })
    .collect();
    Ok(PeopleTeam {
        waiting,
        nominations,
        surveys: survey_list,
        roadmap_items,
        without_position,
        without_manager,
        failed_provisioning,
    })
}

fn delta_status(status: RowStatus) -> &'static str {
    match status {
        RowStatus::Same => "same",
        RowStatus::Changed => "changed",
        RowStatus::OnlyInFrom => "only_in_from",
        RowStatus::OnlyInTo => "only_in_to",
        RowStatus::NotApplicableInFrom => "not_applicable_in_from",
        RowStatus::NotApplicableInTo => "not_applicable_in_to",
    }
}

/// The person's track, level and next level in the published framework.
fn track_parts(fw: &Framework, track: &str, level: &str) -> Option<(MyTrack, Option<NextLevel>)> {
    let t = fw.track(track)?;
    let rank = t.rank_of(level)?;
    let here = &t.levels[rank];
    let expectations = t
        .competencies
        .iter()
        .map(|k| Expectation {
            key: k.to_string(),
            name: fw
                .competency(k.as_str())
                .map_or_else(|| k.to_string(), |c| c.name.clone()),
            bullets: here.expectations.get(k).cloned().unwrap_or_default(),
            not_applicable: here.is_not_applicable(k),
        })
        .collect();
    let mine = MyTrack {
        track: t.key.to_string(),
        track_name: t.name.clone(),
        level: here.key.to_string(),
        level_title: here.title.clone(),
        level_summary: here.summary.clone(),
        ladder: t
            .levels
            .iter()
            .map(|l| LadderStep {
                key: l.key.to_string(),
                title: l.title.clone(),
                current: l.key == here.key,
            })
            .collect(),
        expectations,
    };
    let next = t.levels.get(rank + 1).and_then(|n| {
        let delta = level_delta(fw, (track, level), (track, n.key.as_str())).ok()?;
        let changes: Vec<Change> = delta
            .changed_rows()
            .into_iter()
            .map(|r| Change {
                key: r.competency.to_string(),
                name: r.name.clone(),
                status: delta_status(r.status).to_owned(),
                added: r.bullets.added.clone(),
                removed: r.bullets.removed.clone(),
            })
            .collect();
        Some(NextLevel {
            position: directory::position_names(Some(fw), track, n.key.as_str()),
            unchanged: delta.rows.len() - changes.len(),
            changes,
        })
    });
    Some((mine, next))
}

/// Everything the home reads about the person themselves, in one query: their row, position
/// start, reports, stored readiness, latest agreed check-in, the counts of their plan and their
/// next 1:1. The page is the one people open most, and on SQLite each query is a round trip to a
/// worker thread, so fewer queries is what makes it fast.
const ME: &str = "SELECT u.name, u.track_key, u.level_key, \
     (SELECT MAX(p.effective_on) FROM positions p WHERE p.user_id = u.id \
        AND p.track_key = u.track_key AND p.level_key = u.level_key) AS since, \
     (SELECT COUNT(*) FROM users x WHERE x.manager_id = u.id AND x.active = 1) AS reports, \
     r.status AS readiness_status, r.track_key AS readiness_track, r.level_key AS readiness_level, \
     r.next_level_key AS readiness_next, r.checkin_id AS readiness_checkin, r.reasons, r.computed_at, \
     c.id AS checkin_id, c.track_key AS checkin_track, c.level_key AS checkin_level, \
     c.version_number, c.agreed_on, c.self_ratings, c.manager_ratings, c.agreed_ratings, \
     (SELECT COUNT(*) FROM goals g WHERE g.person_id = u.id AND g.status = 'done') AS goals_done, \
     (SELECT MAX(g.updated_at) FROM goals g WHERE g.person_id = u.id) AS goals_updated, \
     nm.id AS next_id, nm.series_id AS next_series, nm.scheduled_on AS next_on, \
     ns.manager_id AS next_manager, nmu.name AS next_manager_name, \
     ns.report_id AS next_report, nru.name AS next_report_name \
     FROM users u LEFT JOIN readiness r ON r.person_id = u.id \
     LEFT JOIN checkins c ON c.id = (SELECT x.id FROM checkins x WHERE x.person_id = u.id \
        AND x.status = 'agreed' ORDER BY x.agreed_at DESC, x.id DESC LIMIT 1) \
     LEFT JOIN one_on_ones nm ON nm.id = (SELECT m.id FROM one_on_one_series s \
        CROSS JOIN one_on_ones m JOIN users mu ON mu.id = s.manager_id \
        JOIN users ru ON ru.id = s.report_id \
        WHERE m.series_id = s.id AND m.status = 'upcoming' \
        AND (s.manager_id = u.id OR s.report_id = u.id) AND mu.active = 1 AND ru.active = 1 \
        AND ru.manager_id = s.manager_id \
        ORDER BY m.scheduled_on, m.id LIMIT 1) \
     LEFT JOIN one_on_one_series ns ON ns.id = nm.series_id \
     LEFT JOIN users nmu ON nmu.id = ns.manager_id LEFT JOIN users nru ON nru.id = ns.report_id \
     WHERE u.id = $1";

/// The actor's own home. An organisation token, which acts for nobody, has none.
pub async fn home(state: &AppState, actor: &Actor) -> AppResult<Home> {
    policy::read_directory(actor)?;
    let me = actor.user_id.ok_or_else(|| {
        AppError::not_found("a home: this token acts for the organisation, not for a person")
    })?;
    let db = state.db();
    let grow_enabled = pilot::grow_enabled(db, actor).await?;
    let row = sqlx::query(ME)
        .bind(me)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("your record"))?;
    let track: Option<String> = row.try_get("track_key")?;
    let level: Option<String> = row.try_get("level_key")?;
    let since: Option<String> = row.try_get("since")?;
    let reports: i64 = row.try_get("reports")?;
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let position = track
        .as_deref()
        .zip(level.as_deref())
        .map(|(t, l)| directory::position_names(fw, t, l));
    let (my_track, next_level) = match (fw, &position) {
        (Some(fw), Some(p)) => track_parts(fw, &p.track, &p.level).unzip(),
        _ => (None, None),
    };
    let people_team = if policy::manage_people(actor).is_ok() {
        Some(people_team(state, actor).await?)
    } else {
        None
    };
    let mut growth = if grow_enabled {
        Some(growth(state, actor, fw, me, &row).await?)
    } else {
        None
    };
    // An admin decides nominations: each waiting one is theirs to act on.
    if let (Some(g), Some(p)) = (growth.as_mut(), people_team.as_ref()) {
        let decide = p.nominations.iter().map(|n| ActionNeeded {
            kind: ActionKind::DecideNomination,
            text: format!(
                "Decide on the nomination of {} for {}",
                n.person, n.position.level_title
            ),
            href: format!("/nominations/{}", n.id),
            due_on: None,
        });
        g.actions.splice(0..0, decide);
    }
    Ok(Home {
        person_id: me,
        name: row.try_get("name")?,
        position,
        days_in_level: since
            .as_deref()
            .and_then(|s| Day::parse(s).ok())
            .map(|d| d.days_until(Day::today())),
        since,
        track: my_track,
        next_level: next_level.flatten(),
        has_reports: reports > 0,
        framework_published: fw.is_some(),
        grow_enabled,
        growth,
        people_team,
    })
}

/// The Grow part of someone's own home; `me_row` is the row of [`ME`].
async fn growth(
    state: &AppState,
    actor: &Actor,
    fw: Option<&Framework>,
    me: i64,
    me_row: &sqlx::any::AnyRow,
) -> AppResult<Growth> {
    let db = state.db();
    let goals = active_goals(state, me).await?;
    let plan = PlanSummary {
        active: goals.len() as i64,
        overdue: goals.iter().filter(|g| g.overdue).count() as i64,
        done: me_row.try_get("goals_done")?,
        last_update: me_row.try_get("goals_updated")?,
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
        latest_checkin: latest_checkin(fw, me_row)?,
        readiness: stored_readiness(me_row)?,
        plan,
        goals,
        next_one_on_one: next_meeting(me_row, me)?,
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

/// The readiness stored for the person (see `growth::readiness`), from the row of [`ME`].
fn stored_readiness(r: &sqlx::any::AnyRow) -> Result<Option<Readiness>, sqlx::Error> {
    let Some(status) = r.try_get::<Option<String>, _>("readiness_status")? else {
        return Ok(None);
    };
    let reasons: Option<String> = r.try_get("reasons")?;
    Ok(Some(Readiness {
        status: readiness::Status::parse(&status).unwrap_or(readiness::Status::NoPosition),
        track: r.try_get("readiness_track")?,
        level: r.try_get("readiness_level")?,
        next_level: r.try_get("readiness_next")?,
        checkin_id: r.try_get("readiness_checkin")?,
        reasons: serde_json::from_str(reasons.as_deref().unwrap_or("[]")).unwrap_or_default(),
        computed_at: r
            .try_get::<Option<i64>, _>("computed_at")?
            .unwrap_or_default(),
    }))
}

/// The person's next 1:1, as manager or as report: the soonest upcoming meeting of their series
/// with someone still active, from the row of [`ME`]. As `one_on_ones::next_meeting` answers it,
/// but starting from the person's series (`CROSS JOIN` fixes SQLite's join order) rather than from
/// every upcoming meeting of the organisation in date order.
fn next_meeting(r: &sqlx::any::AnyRow, me: i64) -> Result<Option<NextMeeting>, sqlx::Error> {
    let Some(meeting_id) = r.try_get::<Option<i64>, _>("next_id")? else {
        return Ok(None);
    };
    let scheduled_on: String = r
        .try_get::<Option<String>, _>("next_on")?
        .unwrap_or_default();
    let manager: Option<i64> = r.try_get("next_manager")?;
    let (side, with_id, with_name): (Side, Option<i64>, Option<String>) = if manager == Some(me) {
        (
            Side::Manager,
            r.try_get("next_report")?,
            r.try_get("next_report_name")?,
        )
    } else {
        (Side::Report, manager, r.try_get("next_manager_name")?)
    };
    Ok(Some(NextMeeting {
        series_id: r
            .try_get::<Option<i64>, _>("next_series")?
            .unwrap_or_default(),
        meeting_id,
        overdue: scheduled_on < Day::today().to_string(),
        scheduled_on,
        with_id: with_id.unwrap_or_default(),
        with_name: with_name.unwrap_or_default(),
        side,
    }))
}

/// Days in order, soonest first; no day last.
fn soonest_first(a: &Option<String>, b: &Option<String>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

/// The person's goals not started or in progress, in progress first, soonest due first.
async fn active_goals(state: &AppState, me: i64) -> AppResult<Vec<HomeGoal>> {
    let today = Day::today().to_string();
    let mut goals = sqlx::query(
        "SELECT g.id, g.title, g.status, g.due_on, \
         (SELECT COUNT(*) FROM goal_actions a WHERE a.goal_id = g.id) AS actions_total, \
         (SELECT COUNT(*) FROM goal_actions a WHERE a.goal_id = g.id AND a.done_at IS NOT NULL) AS actions_done \
         FROM goals g WHERE g.person_id = $1 AND g.status IN ('not_started', 'in_progress')",
    )
    .bind(me)
    .fetch_all(state.db().pool())
    .await?
    .iter()
    .map(|r| {
        let status: String = r.try_get("status")?;
        let due_on: Option<String> = r.try_get("due_on")?;
        Ok(HomeGoal {
            id: r.try_get("id")?,
            title: r.try_get("title")?,
            status: GoalStatus::parse(&status).unwrap_or(GoalStatus::NotStarted),
            overdue: due_on.as_deref().is_some_and(|d| d < today.as_str()),
            due_on,
            actions_done: r.try_get("actions_done")?,
            actions_total: r.try_get("actions_total")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    goals.sort_by(|a, b| {
        let rank = |g: &HomeGoal| g.status != GoalStatus::InProgress;
        rank(a)
            .cmp(&rank(b))
            .then_with(|| soonest_first(&a.due_on, &b.due_on))
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(goals)
}

/// The person's latest agreed check-in with both sides' ratings (an agreed check-in was shared by
/// both sides, so the person sees both), from the row of [`ME`].
fn latest_checkin(
    fw: Option<&Framework>,
    r: &sqlx::any::AnyRow,
) -> Result<Option<LatestCheckin>, sqlx::Error> {
    let Some(id) = r.try_get::<Option<i64>, _>("checkin_id")? else {
        return Ok(None);
    };
    let text = |column: &str| -> Result<String, sqlx::Error> {
        Ok(r.try_get::<Option<String>, _>(column)?.unwrap_or_default())
    };
    let track = text("checkin_track")?;
    let level = text("checkin_level")?;
    let own = parse_ratings(&text("self_ratings")?);
    let manager = parse_ratings(&text("manager_ratings")?);
    let agreed = parse_ratings(&text("agreed_ratings")?);
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
    Ok(Some(LatestCheckin {
        id,
        target: directory::position_names(fw, &track, &level),
        agreed_on: r.try_get("agreed_on")?,
        version_number: r
            .try_get::<Option<i64>, _>("version_number")?
            .unwrap_or_default(),
        rows,
    }))
}

/// What waits for the person, in one query: their own unfinished check-ins to rate or agree, open
/// 1:1 action items they own, and evidence colleagues asked them to confirm; with `reports`, what
/// their direct reports' check-ins wait for from them, as `team::needs_attention` defines it. Check-ins first, then
/// action items soonest due first, then requests to confirm, oldest first.
async fn waiting_actions(
    state: &AppState,
    me: i64,
    reports: &[TeamMember],
) -> AppResult<Vec<ActionNeeded>> {
    let rows = sqlx::query(
        "SELECT CASE WHEN c.status = 'open' THEN 'rate_self' ELSE 'agree_self' END AS kind, \
         c.id AS target, '' AS title, NULL AS due_on, c.id AS sort, p.name AS other \
         FROM checkins c JOIN users p ON p.id = c.person_id \
         WHERE c.person_id = $1 AND ((c.status = 'open' AND c.self_shared_at IS NULL) \
           OR (c.status = 'review' AND c.self_confirmed_at IS NULL)) \
         UNION ALL \
         SELECT 'item' AS kind, a.meeting_id AS target, a.title, a.due_on, a.id AS sort, \
         CASE WHEN s.manager_id = $1 THEN r.name ELSE m.name END AS other \
         FROM action_items a JOIN one_on_one_series s ON s.id = a.series_id \
         JOIN users m ON m.id = s.manager_id JOIN users r ON r.id = s.report_id \
         WHERE a.owner_id = $1 AND a.done_at IS NULL AND r.manager_id = s.manager_id \
         UNION ALL \
         SELECT 'evidence' AS kind, e.id AS target, e.title, NULL AS due_on, q.asked_at AS sort, \
         u.name AS other \
         FROM evidence_requests q JOIN evidence e ON e.id = q.evidence_id \
         JOIN users u ON u.id = e.person_id WHERE q.user_id = $1 AND q.status = 'pending'",
    )
    .bind(me)
    .fetch_all(state.db().pool())
    .await?;
    let mut found = Vec::with_capacity(rows.len());
    for r in &rows {
        let kind: String = r.try_get("kind")?;
        let target: i64 = r.try_get("target")?;
        let title: String = r.try_get("title")?;
        let other: String = r.try_get("other")?;
        let due_on: Option<String> = r.try_get("due_on")?;
        let sort: i64 = r.try_get("sort")?;
        let (rank, action) = match kind.as_str() {
            "rate_self" => (
                0,
                checkin_action(
                    ActionKind::RateCheckin,
                    target,
                    "Rate yourself in your check-in, then share it".to_owned(),
                ),
            ),
            "agree_self" => (
                0,
                checkin_action(
                    ActionKind::AgreeCheckin,
                    target,
                    "Compare the ratings of your check-in and agree them".to_owned(),
                ),
            ),
            "item" => (
                1,
                ActionNeeded {
                    kind: ActionKind::ActionItem,
                    text: format!("“{title}”, from your 1:1 with {other}"),
                    href: format!("/one-on-ones/meetings/{target}"),
                    due_on,
                },
            ),
            _ => (
                2,
                ActionNeeded {
                    kind: ActionKind::ConfirmEvidence,
                    text: format!("{other} asked you to confirm “{title}”"),
                    href: format!("/evidence/{target}"),
                    due_on: None,
                },
            ),
        };
        found.push((rank, sort, action));
    }
    for m in reports {
        for a in m.attention.iter().filter(|a| a.yours) {
            let kind = match a.kind {
                AttentionKind::RateCheckin => ActionKind::RateCheckin,
                AttentionKind::AgreeCheckin => ActionKind::AgreeCheckin,
                _ => continue,
            };
            found.push((
                0,
                m.open_checkin_id.unwrap_or_default(),
                ActionNeeded {
                    kind,
                    text: a.text.clone(),
                    href: a.href.clone(),
                    due_on: None,
                },
            ));
        }
    }
    found.sort_by(|(ra, sa, a), (rb, sb, b)| {
        ra.cmp(rb)
            .then_with(|| soonest_first(&a.due_on, &b.due_on))
            .then_with(|| sa.cmp(sb))
    });
    Ok(found.into_iter().map(|(_, _, a)| a).collect())
}

fn checkin_action(kind: ActionKind, id: i64, text: String) -> ActionNeeded {
    ActionNeeded {
        kind,
        text,
        href: format!("/checkins/{id}"),
        due_on: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fw() -> Framework {
        trellis_framework::yaml::read(crate::demo::FRAMEWORK_YAML).expect("the demo framework")
    }

    #[test]
    fn the_track_parts_mark_the_level_and_list_what_changes_next() {
        let fw = fw();
        let (mine, next) = track_parts(&fw, "software-engineering", "se1").expect("a position");
        assert_eq!(mine.level_title, "Software Engineer I");
        let current: Vec<&str> = mine
            .ladder
            .iter()
            .filter(|s| s.current)
            .map(|s| s.key.as_str())
            .collect();
        assert_eq!(current, ["se1"]);
        let mentoring = mine
            .expectations
            .iter()
            .find(|e| e.key == "mentoring")
            .expect("mentoring");
        assert!(mentoring.not_applicable && mentoring.bullets.is_empty());
        let next = next.expect("a next level");
        assert_eq!(next.position.level_title, "Software Engineer II");
        assert!(!next.changes.is_empty());
        assert!(next.changes.iter().all(|c| c.status != "same"));
        let mentoring = next
            .changes
            .iter()
            .find(|c| c.key == "mentoring")
            .expect("mentoring changes");
        assert_eq!(mentoring.status, "not_applicable_in_from");
        assert!(!mentoring.added.is_empty());
    }

    #[test]
    fn the_top_of_a_track_has_no_next_level() {
        let fw = fw();
        let (_, next) = track_parts(&fw, "software-engineering", "principal").expect("a position");
        assert!(next.is_none());
        assert!(track_parts(&fw, "software-engineering", "nowhere").is_none());
    }
}
