//! The home page of everyone signed in: their position and track (with their level's
//! expectations), what changes at the next level, and, when the Grow features are open to them,
//! their latest agreed check-in, readiness, plan, next 1:1, open surveys and what needs their
//! action. People without a position see what to do about it.
//!
//! A home is read in a constant number of small queries, each answered by an index (the person's
//! row, their check-ins, goals, 1:1 series, action items and evidence requests): it is the page
//! people open most.

use crate::architecture::framework;
use crate::auth::Actor;
use crate::auth::policy;
use crate::domain::Day;
use crate::error::{AppError, AppResult};
use crate::people::directory::{self, Position};
use crate::rollout::pilot;
use crate::state::AppState;

mod actions;
mod growth;
mod people_team;
mod track;

pub use actions::{ActionKind, ActionNeeded};
use growth::{CheckinColumns, NextColumns, ReadinessColumns, growth};
pub use growth::{Growth, HomeGoal, LatestCheckin, OpenSurvey, ProfileRow, TeamFlag};
pub use people_team::{
    DueItem, FAILED_DAYS, PeopleTeam, RECENT_DAYS, SurveyProgress, Waiting, WaitingKind,
    WaitingNomination, people_team,
};
pub use track::{Change, Expectation, LadderStep, MyTrack, NextLevel};

/// Someone's home.
#[derive(Debug, Clone)]
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

/// The row of [`ME`]: the person's own columns, with the parts the Grow section reads.
#[derive(sqlx::FromRow)]
struct MeRow {
    name: String,
    track_key: Option<String>,
    level_key: Option<String>,
    since: Option<String>,
    reports: i64,
    goals_done: i64,
    goals_updated: Option<i64>,
    #[sqlx(flatten)]
    readiness: ReadinessColumns,
    #[sqlx(flatten)]
    checkin: CheckinColumns,
    #[sqlx(flatten)]
    next: NextColumns,
}

/// The actor's own home. An organisation token, which acts for nobody, has none.
pub async fn home(state: &AppState, actor: &Actor) -> AppResult<Home> {
    policy::read_directory(actor)?;
    let me = actor.user_id.ok_or_else(|| {
        AppError::not_found("a home: this token acts for the organisation, not for a person")
    })?;
    let db = state.db();
    let grow_enabled = pilot::grow_enabled(db, actor).await?;
    let row = sqlx::query_as::<_, MeRow>(ME)
        .bind(me)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("your record"))?;
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let position = row
        .track_key
        .as_deref()
        .zip(row.level_key.as_deref())
        .map(|(t, l)| directory::position_names(fw, t, l));
    let (my_track, next_level) = match (fw, &position) {
        (Some(fw), Some(p)) => track::track_parts(fw, &p.track, &p.level).unzip(),
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
        position,
        days_in_level: row
            .since
            .as_deref()
            .and_then(|s| Day::parse(s).ok())
            .map(|d| d.days_until(Day::today())),
        since: row.since,
        name: row.name,
        track: my_track,
        next_level: next_level.flatten(),
        has_reports: row.reports > 0,
        framework_published: fw.is_some(),
        grow_enabled,
        growth,
        people_team,
    })
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
