//! What waits for the People team, each part linking to where it is handled.

use std::collections::HashMap;

use trellis_framework::Framework;

use crate::architecture::framework;
use crate::auth::Actor;
use crate::auth::policy;
use crate::db::Db;
use crate::domain::Day;
use crate::error::AppResult;
use crate::people::directory::{self, Position};
use crate::people::provisioning;
use crate::rollout::{roadmap, surveys};
use crate::state::AppState;
use crate::text;

/// A nomination waiting for the People team's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueItem {
    pub id: i64,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub overdue: bool,
}

/// What kind of thing waits for the People team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub kind: WaitingKind,
    pub count: i64,
    /// The count in a sentence, such as "3 nominations wait for a decision".
    pub text: String,
    /// The filtered page where they are handled.
    pub href: String,
}

/// What waits for the People team, each part linking to where it is handled.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    let nominations = waiting_nominations(db, actor, fw, today).await?;
    let surveys = survey_progress(state, actor, today).await?;
    let roadmap_items = due_roadmap_items(db, today).await?;
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
    let mut team = PeopleTeam {
        waiting: Vec::new(),
        nominations,
        surveys,
        roadmap_items,
        without_position,
        without_manager,
        failed_provisioning,
    };
    team.waiting = waiting(&team, today);
    Ok(team)
}

/// A nomination waiting for a decision, with its person's name.
#[derive(sqlx::FromRow)]
struct WaitingNominationRow {
    id: i64,
    person_id: i64,
    name: String,
    track_key: String,
    level_key: String,
    created_at: i64,
}

/// The nominations waiting for a decision that the actor may decide, oldest first.
async fn waiting_nominations(
    db: &Db,
    actor: &Actor,
    fw: Option<&Framework>,
    today: Day,
) -> AppResult<Vec<WaitingNomination>> {
    let rows = sqlx::query_as::<_, WaitingNominationRow>(
        "SELECT n.id, n.person_id, u.name, n.track_key, n.level_key, n.created_at \
         FROM nominations n JOIN users u ON u.id = n.person_id \
         WHERE n.status = 'pending' ORDER BY n.created_at, n.id LIMIT 100",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| policy::decide_nomination(actor, r.person_id).is_ok())
        .map(|r| WaitingNomination {
            id: r.id,
            person: r.name,
            position: directory::position_names(fw, &r.track_key, &r.level_key),
            sent_on: today
                .plus_days(-(crate::db::now() - r.created_at).max(0) / 86_400)
                .to_string(),
        })
        .collect())
}

/// The surveys open now or closed in the last [`RECENT_DAYS`] days, open first, then soonest to
/// close.
async fn survey_progress(
    state: &AppState,
    actor: &Actor,
    today: Day,
) -> AppResult<Vec<SurveyProgress>> {
    let db = state.db();
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
    Ok(survey_list)
}

/// The roadmap items not done that are overdue or due within [`roadmap::DUE_SOON_DAYS`] days,
/// soonest first.
async fn due_roadmap_items(db: &Db, today: Day) -> AppResult<Vec<DueItem>> {
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
    Ok(roadmap_items)
}

/// The roadmap items due, in a sentence that says how many are overdue.
fn roadmap_sentence(roadmap_items: &[DueItem]) -> String {
    let overdue = roadmap_items.iter().filter(|i| i.overdue).count();
    if overdue > 0 {
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
    }
}

/// The kinds of things that wait for the People team, each counted in a sentence with the page
/// where they are handled; only those with something waiting.
fn waiting(team: &PeopleTeam, today: Day) -> Vec<Waiting> {
    let open_surveys = team.open_surveys().count() as i64;
    let (nominations, roadmap_items) = (&team.nominations, &team.roadmap_items);
    let (without_position, without_manager, failed_provisioning) = (
        team.without_position,
        team.without_manager,
        team.failed_provisioning,
    );
    let roadmap_text = roadmap_sentence(roadmap_items);
    // One table of the kinds, each with its count, its sentence and its page, in the order of
    // `WaitingKind`: it reads best whole, so it stays one function.
    [
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
    .collect()
}
