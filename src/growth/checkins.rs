//! Check-ins: a person rated on every competency of a target position (their own level, the
//! next, or any level of any track), by themselves and by their management chain, then compared
//! and agreed. A check-in is pinned to the published framework version it started on, so the
//! expectations it is rated against never change under it.
//!
//! The life of a check-in: `open` (each side rates in private, drafts saved as they go, and shares,
//! which locks that side) → `review` (both shared: both see the comparison, set the agreed rating
//! of each competency, which starts as the manager's, and confirm) → `agreed` once the person and a
//! manager have confirmed the same agreed ratings (locked; readiness is recomputed in the same
//! transaction). An unfinished check-in can be `cancelled`. These transitions, who may make which
//! in which state and what sharing and agreeing need are the state machine of
//! `trellis_rules::checkin`: this module reads the row, asks it, and writes what it decided.
//!
//! Who sees what: the person, their management chain and admins see a check-in; everyone else gets
//! 404. Until both sides have shared, each viewer sees only their own side's ratings: the person
//! never sees the manager's draft, the chain never sees the self-rating (so it stays independent),
//! and admins outside the chain see neither.
//!
//! Every write reads the row, decides, and updates it only if its `revision` is still the one it
//! read, trying again a few times: two autosaves of one side at once never lose a rating.

use std::collections::BTreeMap;

use serde::Serialize;
use trellis_framework::{Framework, Track};

use crate::architecture::framework::{self, Revision};
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy::{self, Allowed, Relation};
use crate::db::Work;
use crate::db::{Db, now};
use crate::domain::{Day, Rating, RatingEntry, Ratings, parse_ratings};
use crate::error::{AppError, AppResult, FieldError};
use crate::growth::evidence::{self, EvidenceItem};
use crate::growth::readiness;
use crate::people::directory::{self, Position, position_names};
use crate::rollout::pilot;
use crate::state::AppState;

use trellis_rules::checkin::{Asked, Confirmed, Progress, Refusal, Shared, unrated};
pub use trellis_rules::checkin::{CheckinActions, CheckinStatus, Side};

/// The longest comment or reason, in characters.
pub const TEXT_MAX: usize = 20_000;

/// How many times a write is tried again when someone else changed the check-in meanwhile.
const ATTEMPTS: usize = 8;

/// The side the actor rates, from how they stand to the person.
fn side_for(relation: Relation) -> Option<Side> {
    match relation {
        Relation::Myself => Some(Side::Person),
        Relation::InManagementChain => Some(Side::Manager),
        Relation::Other => None,
    }
}

fn ratings_column(side: Side) -> &'static str {
    match side {
        Side::Person => "self_ratings",
        Side::Manager => "manager_ratings",
    }
}

fn shared_column(side: Side) -> &'static str {
    match side {
        Side::Person => "self_shared_at",
        Side::Manager => "manager_shared_at",
    }
}

fn confirmed_column(side: Side) -> &'static str {
    match side {
        Side::Person => "self_confirmed_at",
        Side::Manager => "manager_confirmed_at",
    }
}

/// A competency of the check-in's track, as the pinned version describes it.
#[derive(Debug, Clone)]
pub struct CheckinCompetency {
    pub key: String,
    pub name: String,
    /// The name of its category.
    pub category: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    /// What the target level expects, as markdown bullets.
    pub expectations: Vec<String>,
    /// The framework says it does not apply at the target level: rating it is optional.
    pub not_applicable_at_level: bool,
}

/// One event of a check-in's audit trail.
#[derive(Debug, Clone)]
pub struct TrailEvent {
    /// Seconds since the Unix epoch.
    pub at: i64,
    /// Who did it: a name, or the label of a token.
    pub who: String,
    pub action: String,
    pub summary: String,
}

/// A check-in as the viewer may see it.
#[derive(Debug, Clone)]
pub struct Checkin {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    /// The target position, named as the pinned version names it.
    pub target: Position,
    /// The published framework version the check-in is pinned to.
    pub version_number: i64,
    /// The latest published version, when it is newer than the pinned one.
    pub newer_version: Option<i64>,
    pub status: CheckinStatus,
    pub started_by: Option<i64>,
    pub started_by_name: Option<String>,
    /// Seconds since the Unix epoch.
    pub started_at: i64,
    /// The manager who last rated or shared the manager's side.
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    pub self_shared_at: Option<i64>,
    pub manager_shared_at: Option<i64>,
    pub self_confirmed_at: Option<i64>,
    pub manager_confirmed_at: Option<i64>,
    /// The manager who confirmed the agreed ratings.
    pub manager_confirmed_by_name: Option<String>,
    pub agreed_at: Option<i64>,
    /// YYYY-MM-DD
    pub agreed_on: Option<String>,
    pub cancelled_at: Option<i64>,
    /// The side the viewer rates: `self` for the person, `manager` for their chain, none for
    /// others (admins).
    pub your_side: Option<Side>,
    /// The person's ratings, by competency key; absent while hidden from the viewer (until both
    /// sides have shared, a viewer sees only their own side).
    pub self_ratings: Option<Ratings>,
    /// The manager's ratings; absent while hidden from the viewer.
    pub manager_ratings: Option<Ratings>,
    /// The agreed ratings, from the review on.
    pub agreed_ratings: Option<Ratings>,
    /// The track's competencies, in the track's order.
    pub competencies: Vec<CheckinCompetency>,
    /// The person's evidence for the competencies, by competency key (newest first).
    pub evidence: BTreeMap<String, Vec<EvidenceItem>>,
    pub actions: CheckinActions,
    /// What happened to the check-in, oldest first.
    pub trail: Vec<TrailEvent>,
}

impl Checkin {
    /// Both sides have shared: the ratings are visible to both.
    pub fn both_shared(&self) -> bool {
        self.self_shared_at.is_some() && self.manager_shared_at.is_some()
    }
}

/// One check-in in a person's list.
#[derive(Debug, Clone)]
pub struct CheckinListItem {
    pub id: i64,
    /// Named as the latest published version names it.
    pub target: Position,
    pub version_number: i64,
    pub status: CheckinStatus,
    /// Seconds since the Unix epoch.
    pub started_at: i64,
    pub started_by_name: Option<String>,
    /// YYYY-MM-DD
    pub agreed_on: Option<String>,
}

/// A person's latest agreed check-in, for other areas (readiness, the team view, nominations).
#[derive(Debug, Clone)]
pub struct CheckinSummary {
    pub id: i64,
    pub person_id: i64,
    pub track: String,
    pub level: String,
    pub version_number: i64,
    /// YYYY-MM-DD
    pub agreed_on: String,
    /// Seconds since the Unix epoch.
    pub agreed_at: i64,
    pub agreed_ratings: Ratings,
}

/// What the start form of a person's check-ins offers.
#[derive(Debug, Clone, Serialize)]
pub struct StartOptions {
    pub person_id: i64,
    pub person_name: String,
    /// Their position now.
    pub current: Option<Position>,
    /// The level above it on the same track.
    pub next: Option<Position>,
    /// The viewer may start a check-in for them.
    pub may_start: bool,
}

/// One competency's rating as sent, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct RatingInput {
    /// A rating's key (`meets`); empty for none.
    pub rating: String,
    pub comment: String,
    /// Why the competency does not apply; required with `not_applicable`.
    pub reason: String,
}

/// A check-in row as stored, with the names it refers to.
struct Row {
    id: i64,
    person_id: i64,
    person_name: String,
    track: String,
    level: String,
    version_number: i64,
    status: CheckinStatus,
    started_by: Option<i64>,
    started_by_name: Option<String>,
    manager_id: Option<i64>,
    manager_name: Option<String>,
    self_ratings: Ratings,
    manager_ratings: Ratings,
    agreed_ratings: Ratings,
    self_shared_at: Option<i64>,
    manager_shared_at: Option<i64>,
    self_confirmed_at: Option<i64>,
    manager_confirmed_at: Option<i64>,
    manager_confirmed_by_name: Option<String>,
    agreed_at: Option<i64>,
    agreed_on: Option<String>,
    cancelled_at: Option<i64>,
    revision: i64,
    created_at: i64,
}

impl Row {
    fn ratings(&self, side: Side) -> &Ratings {
        match side {
            Side::Person => &self.self_ratings,
            Side::Manager => &self.manager_ratings,
        }
    }

    /// What the check-in's rules read of it.
    fn progress(&self) -> Progress {
        Progress {
            status: self.status,
            self_shared: self.self_shared_at.is_some(),
            manager_shared: self.manager_shared_at.is_some(),
            self_confirmed: self.self_confirmed_at.is_some(),
            manager_confirmed: self.manager_confirmed_at.is_some(),
        }
    }

    fn object(&self) -> String {
        format!("checkin:{}", self.id)
    }
}

const ROW_SQL: &str = "SELECT c.id, c.person_id, p.name AS person_name, c.track_key, c.level_key, \
     c.version_number, c.status, c.started_by, s.name AS started_by_name, c.manager_id, \
     m.name AS manager_name, c.self_ratings, c.manager_ratings, c.agreed_ratings, \
     c.self_shared_at, c.manager_shared_at, c.self_confirmed_at, c.manager_confirmed_at, \
     mc.name AS manager_confirmed_by_name, c.agreed_at, c.agreed_on, c.cancelled_at, c.revision, \
     c.created_at \
     FROM checkins c JOIN users p ON p.id = c.person_id \
     LEFT JOIN users s ON s.id = c.started_by LEFT JOIN users m ON m.id = c.manager_id \
     LEFT JOIN users mc ON mc.id = c.manager_confirmed_by \
     WHERE c.id = $1";

/// A check-in's columns as [`ROW_SQL`] reads them.
#[derive(sqlx::FromRow)]
struct StoredRow {
    id: i64,
    person_id: i64,
    person_name: String,
    track_key: String,
    level_key: String,
    version_number: i64,
    status: String,
    started_by: Option<i64>,
    started_by_name: Option<String>,
    manager_id: Option<i64>,
    manager_name: Option<String>,
    self_ratings: String,
    manager_ratings: String,
    agreed_ratings: String,
    self_shared_at: Option<i64>,
    manager_shared_at: Option<i64>,
    self_confirmed_at: Option<i64>,
    manager_confirmed_at: Option<i64>,
    manager_confirmed_by_name: Option<String>,
    agreed_at: Option<i64>,
    agreed_on: Option<String>,
    cancelled_at: Option<i64>,
    revision: i64,
    created_at: i64,
}

async fn load(db: &Db, id: i64) -> AppResult<Option<Row>> {
    let Some(r) = sqlx::query_as::<_, StoredRow>(ROW_SQL)
        .bind(id)
        .fetch_optional(db.pool())
        .await?
    else {
        return Ok(None);
    };
    let status = CheckinStatus::parse(&r.status).ok_or_else(|| {
        AppError::internal(format!("check-in {id} has the status “{}”", r.status))
    })?;
    Ok(Some(Row {
        id: r.id,
        person_id: r.person_id,
        person_name: r.person_name,
        track: r.track_key,
        level: r.level_key,
        version_number: r.version_number,
        status,
        started_by: r.started_by,
        started_by_name: r.started_by_name,
        manager_id: r.manager_id,
        manager_name: r.manager_name,
        self_ratings: parse_ratings(&r.self_ratings),
        manager_ratings: parse_ratings(&r.manager_ratings),
        agreed_ratings: parse_ratings(&r.agreed_ratings),
        self_shared_at: r.self_shared_at,
        manager_shared_at: r.manager_shared_at,
        self_confirmed_at: r.self_confirmed_at,
        manager_confirmed_at: r.manager_confirmed_at,
        manager_confirmed_by_name: r.manager_confirmed_by_name,
        agreed_at: r.agreed_at,
        agreed_on: r.agreed_on,
        cancelled_at: r.cancelled_at,
        revision: r.revision,
        created_at: r.created_at,
    }))
}

fn hidden_checkin() -> AppError {
    AppError::not_found("this check-in")
}

fn hidden_person() -> AppError {
    AppError::not_found("No check-ins were found for this person.")
}

/// The check-in and how the actor stands to its person, when the actor may see it.
async fn visible(state: &AppState, actor: &Actor, id: i64) -> AppResult<(Row, Relation)> {
    policy::use_checkins(actor)?;
    pilot::require_grow(state.db(), actor).await?;
    let row = load(state.db(), id).await?.ok_or_else(hidden_checkin)?;
    let relation = directory::relation(state.db(), actor, row.person_id).await?;
    if !policy::see_private(actor, relation) {
        return Err(hidden_checkin());
    }
    Ok((row, relation))
}

/// The person's name and current position, and how the actor stands to them, when the actor may
/// see their check-ins.
async fn visible_person(
    state: &AppState,
    actor: &Actor,
    person: i64,
) -> AppResult<(String, Option<(String, String)>, Relation)> {
    policy::use_checkins(actor)?;
    pilot::require_grow(state.db(), actor).await?;
    let (name, track, level): (String, Option<String>, Option<String>) =
        sqlx::query_as("SELECT name, track_key, level_key FROM users WHERE id = $1")
            .bind(person)
            .fetch_optional(state.db().pool())
            .await?
            .ok_or_else(hidden_person)?;
    let relation = directory::relation(state.db(), actor, person).await?;
    if !policy::see_private(actor, relation) {
        return Err(hidden_person());
    }
    Ok((name, track.zip(level), relation))
}

/// A person's check-ins, newest first; 404 for those who may not see them.
pub async fn list_for_person(
    state: &AppState,
    actor: &Actor,
    person: i64,
) -> AppResult<Vec<CheckinListItem>> {
    visible_person(state, actor, person).await?;
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let rows = sqlx::query_as::<_, ListRow>(
        "SELECT c.id, c.track_key, c.level_key, c.version_number, c.status, c.created_at, \
         c.agreed_on, s.name AS started_by_name \
         FROM checkins c LEFT JOIN users s ON s.id = c.started_by \
         WHERE c.person_id = $1 ORDER BY c.id DESC",
    )
    .bind(person)
    .fetch_all(state.db().pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CheckinListItem {
            id: r.id,
            target: position_names(fw, &r.track_key, &r.level_key),
            version_number: r.version_number,
            status: CheckinStatus::parse(&r.status).unwrap_or(CheckinStatus::Cancelled),
            started_at: r.created_at,
            started_by_name: r.started_by_name,
            agreed_on: r.agreed_on,
        })
        .collect())
}

/// A check-in as a person's list shows it.
#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    track_key: String,
    level_key: String,
    version_number: i64,
    status: String,
    created_at: i64,
    agreed_on: Option<String>,
    started_by_name: Option<String>,
}

/// What the start form offers for a person: their position, the next level, and whether the
/// actor may start a check-in for them.
pub async fn start_options(
    state: &AppState,
    actor: &Actor,
    person: i64,
) -> AppResult<StartOptions> {
    let (person_name, position, relation) = visible_person(state, actor, person).await?;
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let current = position.as_ref().map(|(t, l)| position_names(fw, t, l));
    let next = position.as_ref().and_then(|(t, l)| {
        let track = fw?.track(t)?;
        let next = track.levels.get(track.rank_of(l)? + 1)?;
        Some(position_names(fw, t, next.key.as_str()))
    });
    Ok(StartOptions {
        person_id: person,
        person_name,
        current,
        next,
        may_start: policy::take_part_in_checkin(actor, relation).is_ok() && published.is_some(),
    })
}

/// Starts a check-in for a person against a position of the published framework, pinned to its
/// version. The person and their management chain may; a second unfinished check-in for the same
/// person and position is refused (409) with the one to continue.
pub async fn start(
    state: &AppState,
    actor: &Actor,
    person: i64,
    track: &str,
    level: &str,
) -> AppResult<i64> {
    let (person_name, _, relation) = visible_person(state, actor, person).await?;
    let permit = policy::take_part_in_checkin(actor, relation)?;
    let published = framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let version = published
        .version
        .as_ref()
        .map(|v| v.number)
        .ok_or_else(|| AppError::internal("the published framework has no version number"))?;
    let (track, level) = target(fw, track.trim(), level.trim())?;
    let db = state.db();
    let open = |id: i64| {
        AppError::Conflict(format!(
            "{person_name} already has a check-in for {} ({}) that is not finished: continue check-in {id} at /checkins/{id}",
            level.title, track.name
        ))
    };
    if let Some(id) = open_checkin(db, person, track.key.as_str(), level.key.as_str()).await? {
        return Err(open(id));
    }
    let at = now();
    let mut work = Work::begin(db, actor, permit).await?;
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO checkins (person_id, track_key, level_key, version_number, status, started_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7) RETURNING id",
    )
    .bind(person)
    .bind(track.key.as_str())
    .bind(level.key.as_str())
    .bind(version)
    .bind(actor.user_id)
    .bind(at)
    .bind(at)
    .fetch_one(&mut **work.tx())
    .await;
    let id = match inserted {
        Ok(id) => id,
        // Someone started the same check-in a moment earlier: the unique index refused this one.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            drop(work);
            let id = open_checkin(db, person, track.key.as_str(), level.key.as_str())
                .await?
                .unwrap_or_default();
            return Err(open(id));
        }
        Err(e) => return Err(e.into()),
    };
    work.record(
        Action::CheckinStart,
        &format!("checkin:{id}"),
        &format!(
            "Started a check-in for {person_name} against {} ({}), framework version {version}",
            level.title, track.name
        ),
        Some(serde_json::json!({
            "person": person, "track": track.key.as_str(), "level": level.key.as_str(),
            "version": version,
        })),
    )
    .await?;
    work.commit().await?;
    Ok(id)
}

/// The unfinished check-in of a person for a position, if any.
async fn open_checkin(db: &Db, person: i64, track: &str, level: &str) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM checkins WHERE person_id = $1 AND track_key = $2 AND level_key = $3 \
         AND status IN ('open', 'review') ORDER BY id DESC LIMIT 1",
    )
    .bind(person)
    .bind(track)
    .bind(level)
    .fetch_optional(db.pool())
    .await?)
}

/// The track and level a check-in targets, by key.
fn target<'a>(
    fw: &'a Framework,
    track: &str,
    level: &str,
) -> AppResult<(&'a Track, &'a trellis_framework::Level)> {
    let Some(t) = fw.track(track) else {
        return Err(AppError::invalid_field(
            "track",
            if track.is_empty() {
                "choose the position to check in against".to_owned()
            } else {
                format!("“{track}” is not a track of the published framework")
            },
        ));
    };
    let l = t.level(level).ok_or_else(|| {
        AppError::invalid_field(
            "level",
            if level.is_empty() {
                format!("choose a level of {}", t.name)
            } else {
                format!("“{level}” is not a level of {}", t.name)
            },
        )
    })?;
    Ok((t, l))
}

/// The framework version a check-in is pinned to.
async fn pinned(
    state: &AppState,
    actor: &Actor,
    row: &Row,
) -> AppResult<std::sync::Arc<framework::Snapshot>> {
    framework::framework_at(state, actor, Revision::Version(row.version_number)).await
}

/// The competencies a check-in rates: those of its track in the pinned version.
fn competencies(fw: &Framework, row: &Row) -> Vec<CheckinCompetency> {
    let Some(track) = fw.track(&row.track) else {
        return Vec::new();
    };
    let level = track.level(&row.level);
    track
        .competencies
        .iter()
        .map(|key| {
            let comp = fw.competency(key.as_str());
            CheckinCompetency {
                key: key.to_string(),
                name: comp.map_or_else(|| key.to_string(), |c| c.name.clone()),
                category: comp
                    .and_then(|c| c.category.as_ref())
                    .and_then(|k| fw.category(k.as_str()))
                    .map(|c| c.name.clone()),
                description: comp.and_then(|c| c.description.clone()),
                expectations: level
                    .and_then(|l| l.expectations.get(key))
                    .cloned()
                    .unwrap_or_default(),
                not_applicable_at_level: level.is_some_and(|l| l.is_not_applicable(key)),
            }
        })
        .collect()
}

/// A check-in as the actor may see it: 404 when they may not see it at all; each side's ratings
/// only when they may see that side.
pub async fn get(state: &AppState, actor: &Actor, id: i64) -> AppResult<Checkin> {
    let (row, relation) = visible(state, actor, id).await?;
    let snapshot = pinned(state, actor, &row).await?;
    let fw = &snapshot.framework;
    let latest = framework::published(state, actor)
        .await?
        .and_then(|p| p.version.as_ref().map(|v| v.number));
    let side = side_for(relation);
    let progress = row.progress();
    let taking_part = policy::take_part_in_checkin(actor, relation).is_ok();
    let actions = progress.actions(
        side,
        taking_part,
        policy::cancel_checkin(actor, row.started_by).is_ok(),
    );
    let trail = trail(state.db(), &row.object()).await?;
    let competencies = competencies(fw, &row);
    let keys: Vec<String> = competencies.iter().map(|c| c.key.clone()).collect();
    let evidence = evidence::for_competencies(state.db(), row.person_id, &keys)
        .await?
        .into_iter()
        .collect();
    Ok(Checkin {
        id: row.id,
        person_id: row.person_id,
        person_name: row.person_name.clone(),
        target: position_names(Some(fw), &row.track, &row.level),
        version_number: row.version_number,
        newer_version: latest.filter(|n| *n > row.version_number),
        status: row.status,
        started_by: row.started_by,
        started_by_name: row.started_by_name.clone(),
        started_at: row.created_at,
        manager_id: row.manager_id,
        manager_name: row.manager_name.clone(),
        self_shared_at: row.self_shared_at,
        manager_shared_at: row.manager_shared_at,
        self_confirmed_at: row.self_confirmed_at,
        manager_confirmed_at: row.manager_confirmed_at,
        manager_confirmed_by_name: row.manager_confirmed_by_name.clone(),
        agreed_at: row.agreed_at,
        agreed_on: row.agreed_on.clone(),
        cancelled_at: row.cancelled_at,
        your_side: side.filter(|_| taking_part),
        self_ratings: progress
            .sees(side, Side::Person)
            .then(|| row.self_ratings.clone()),
        manager_ratings: progress
            .sees(side, Side::Manager)
            .then(|| row.manager_ratings.clone()),
        agreed_ratings: progress.sees_agreed().then(|| row.agreed_ratings.clone()),
        competencies,
        evidence,
        actions,
        trail,
    })
}

/// The audit events of one check-in, oldest first.
async fn trail(db: &Db, object: &str) -> AppResult<Vec<TrailEvent>> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT e.at, COALESCE(u.name, e.actor) AS who, e.action, e.summary \
         FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id \
         WHERE e.object = $1 ORDER BY e.id",
    )
    .bind(object)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, who, action, summary)| TrailEvent {
            at,
            who,
            action,
            summary,
        })
        .collect())
}

/// The person's most recently agreed check-in, if any. For other areas, which check who may see
/// it themselves; inside a transaction (to see a check-in agreed in it) use
/// [`latest_agreed_in`].
pub async fn latest_agreed(db: &Db, person: i64) -> AppResult<Option<CheckinSummary>> {
    let mut conn = db.pool().acquire().await?;
    latest_agreed_in(&mut conn, person).await
}

/// [`latest_agreed`] on a connection or a transaction (`&mut tx`).
pub async fn latest_agreed_in(
    conn: &mut sqlx::AnyConnection,
    person: i64,
) -> AppResult<Option<CheckinSummary>> {
    let row = sqlx::query_as::<_, AgreedRow>(
        "SELECT id, track_key, level_key, version_number, agreed_on, agreed_at, agreed_ratings \
         FROM checkins WHERE person_id = $1 AND status = 'agreed' \
         ORDER BY agreed_at DESC, id DESC LIMIT 1",
    )
    .bind(person)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| CheckinSummary {
        id: r.id,
        person_id: person,
        track: r.track_key,
        level: r.level_key,
        version_number: r.version_number,
        agreed_on: r.agreed_on.unwrap_or_default(),
        agreed_at: r.agreed_at.unwrap_or_default(),
        agreed_ratings: parse_ratings(&r.agreed_ratings),
    }))
}

/// An agreed check-in as [`latest_agreed_in`] reads it.
#[derive(sqlx::FromRow)]
struct AgreedRow {
    id: i64,
    track_key: String,
    level_key: String,
    version_number: i64,
    agreed_on: Option<String>,
    agreed_at: Option<i64>,
    agreed_ratings: String,
}

/// A value to set in a column.
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

/// An audit event of a write.
struct Event {
    action: Action,
    summary: String,
    detail: Option<serde_json::Value>,
}

/// What a write does to one check-in, with the policy's leave to do it.
struct Change {
    permit: Allowed,
    sets: Vec<(&'static str, Value)>,
    events: Vec<Event>,
    /// The check-in becomes agreed: readiness follows in the same transaction.
    agreed: bool,
}

impl Change {
    fn new(permit: Allowed) -> Change {
        Change {
            permit,
            sets: Vec::new(),
            events: Vec::new(),
            agreed: false,
        }
    }

    fn set_int(&mut self, column: &'static str, value: Option<i64>) {
        self.sets.push((column, Value::Int(value)));
    }

    fn set_text(&mut self, column: &'static str, value: Option<String>) {
        self.sets.push((column, Value::Text(value)));
    }

    fn set_ratings(&mut self, column: &'static str, ratings: &Ratings) -> AppResult<()> {
        let json = serde_json::to_string(ratings)
            .map_err(|e| AppError::internal(format!("cannot write ratings: {e}")))?;
        self.set_text(column, Some(json));
        Ok(())
    }

    fn event(&mut self, action: Action, summary: String, detail: serde_json::Value) {
        self.events.push(Event {
            action,
            summary,
            detail: Some(detail),
        });
    }
}

/// Applies `decide`'s change to a check-in the actor may see, on the revision `decide` read,
/// reading again and deciding again when someone else changed it first.
async fn write(
    state: &AppState,
    actor: &Actor,
    id: i64,
    decide: impl Fn(&Row, Relation, &Framework) -> AppResult<Change>,
) -> AppResult<()> {
    let (first, relation) = visible(state, actor, id).await?;
    let snapshot = pinned(state, actor, &first).await?;
    let db = state.db();
    let mut row = first;
    for _ in 0..ATTEMPTS {
        let change = decide(&row, relation, &snapshot.framework)?;
        if change.sets.is_empty() {
            return Ok(());
        }
        let mut sql = String::from("UPDATE checkins SET ");
        for (i, (column, _)) in change.sets.iter().enumerate() {
            sql.push_str(&format!("{column} = ${}, ", i + 1));
        }
        let n = change.sets.len();
        sql.push_str(&format!(
            "revision = revision + 1, updated_at = ${} WHERE id = ${} AND revision = ${}",
            n + 1,
            n + 2,
            n + 3
        ));
        let mut query = sqlx::query(&sql);
        for (_, value) in &change.sets {
            query = match value {
                Value::Int(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.clone()),
            };
        }
        let Change {
            permit,
            events,
            agreed,
            ..
        } = change;
        let mut work = Work::begin(db, actor, permit).await?;
        let done = query
            .bind(now())
            .bind(row.id)
            .bind(row.revision)
            .execute(&mut **work.tx())
            .await?
            .rows_affected();
        if done == 1 {
            for e in events {
                work.record(e.action, &row.object(), &e.summary, e.detail)
                    .await?;
            }
            if agreed {
                // Readiness is judged on the latest agreed check-in: this one, from now on.
                readiness::recompute_person(work.tx(), state, row.person_id).await?;
            }
            work.commit().await?;
            return Ok(());
        }
        work.rollback().await?;
        row = load(db, id).await?.ok_or_else(hidden_checkin)?;
    }
    Err(AppError::Conflict(
        "the check-in kept changing while this was saved; reload it and try again".into(),
    ))
}

/// A transition the check-in's state refuses: a conflict, or a field to complete.
fn refused(refusal: Refusal) -> AppError {
    match refusal {
        Refusal::State(message) => AppError::Conflict(message),
        Refusal::Unrated(message) => AppError::invalid_field("ratings", message),
    }
}

/// The side the actor rates, with the policy's leave to write on it, or 403.
fn side_of(actor: &Actor, relation: Relation) -> AppResult<(Allowed, Side)> {
    let permit = policy::take_part_in_checkin(actor, relation)?;
    Ok((permit, side_for(relation).ok_or(AppError::Forbidden)?))
}

fn field(name: String, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

fn invalid(errors: Vec<FieldError>) -> AppError {
    AppError::invalid_fields(errors, "")
}

/// Checks one competency's rating as sent: `Ok(None)` when nothing was sent (the competency is
/// not rated). Messages name the fields `KEY.rating`, `KEY.reason` and `KEY.comment`.
fn check_entry(
    comp: &CheckinCompetency,
    input: &RatingInput,
    errors: &mut Vec<FieldError>,
) -> Option<RatingEntry> {
    let key = &comp.key;
    let raw = input.rating.trim();
    let comment = input.comment.trim();
    let reason = input.reason.trim();
    let before = errors.len();
    if comment.chars().count() > TEXT_MAX {
        errors.push(field(
            format!("{key}.comment"),
            format!(
                "the comment on {} is longer than {TEXT_MAX} characters",
                comp.name
            ),
        ));
    }
    if reason.chars().count() > TEXT_MAX {
        errors.push(field(
            format!("{key}.reason"),
            format!(
                "the reason for {} is longer than {TEXT_MAX} characters",
                comp.name
            ),
        ));
    }
    if raw.is_empty() {
        if !comment.is_empty() || !reason.is_empty() {
            errors.push(field(
                format!("{key}.rating"),
                format!("choose a rating for {} to save its comment", comp.name),
            ));
        }
        return None;
    }
    let Some(rating) = Rating::parse(raw) else {
        errors.push(field(
            format!("{key}.rating"),
            format!(
                "“{raw}” is not a rating: use below, working_towards, meets, exceeds or not_applicable"
            ),
        ));
        return None;
    };
    if rating == Rating::NotApplicable && reason.is_empty() {
        errors.push(field(
            format!("{key}.reason"),
            format!("say why {} does not apply", comp.name),
        ));
    }
    (errors.len() == before).then(|| RatingEntry {
        rating,
        comment: comment.to_owned(),
        reason: (rating == Rating::NotApplicable).then(|| reason.to_owned()),
    })
}

/// Checks ratings as sent, each against the check-in's competencies: the entry of each key
/// (`None` to clear it), or every mistake at once.
fn check_inputs(
    comps: &[CheckinCompetency],
    track_name: &str,
    inputs: &[(String, RatingInput)],
) -> AppResult<Vec<(String, Option<RatingEntry>)>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (key, input) in inputs {
        let key = key.trim();
        match comps.iter().find(|c| c.key == key) {
            None => errors.push(field(
                key.to_owned(),
                format!("“{key}” is not a competency of the {track_name} track"),
            )),
            Some(comp) => {
                let entry = check_entry(comp, input, &mut errors);
                out.push((comp.key.clone(), entry));
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(invalid(errors))
    }
}

fn track_name(fw: &Framework, row: &Row) -> String {
    fw.track(&row.track)
        .map_or_else(|| row.track.clone(), |t| t.name.clone())
}

/// A competency's name in the check-in's version, or its key.
fn name_of(comps: &[CheckinCompetency], key: &str) -> String {
    comps
        .iter()
        .find(|c| c.key == key)
        .map_or_else(|| key.to_owned(), |c| c.name.clone())
}

/// What a write of draft ratings covers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The competencies given change; the others keep their rating.
    Given,
    /// The side becomes exactly what is given.
    WholeSide,
}

/// Saves draft ratings of one side (the actor's, or `side` when the caller names one).
async fn save_side(
    state: &AppState,
    actor: &Actor,
    id: i64,
    side: Option<Side>,
    inputs: &[(String, RatingInput)],
    scope: Scope,
) -> AppResult<()> {
    write(state, actor, id, |row, relation, fw| {
        let (permit, mine) = side_of(actor, relation)?;
        if side.is_some_and(|s| s != mine) {
            return Err(AppError::Forbidden);
        }
        row.progress().rate(mine).map_err(refused)?;
        let comps = competencies(fw, row);
        let checked = check_inputs(&comps, &track_name(fw, row), inputs)?;
        let mut ratings = if scope == Scope::WholeSide {
            Ratings::new()
        } else {
            row.ratings(mine).clone()
        };
        for (key, entry) in checked {
            match entry {
                Some(e) => ratings.insert(key, e),
                None => ratings.remove(&key),
            };
        }
        let mut change = Change::new(permit);
        if &ratings == row.ratings(mine) {
            return Ok(change);
        }
        let changed: Vec<String> = comps
            .iter()
            .filter(|c| ratings.get(&c.key) != row.ratings(mine).get(&c.key))
            .map(|c| c.key.clone())
            .collect();
        change.set_ratings(ratings_column(mine), &ratings)?;
        if mine == Side::Manager {
            change.set_int("manager_id", actor.user_id);
        }
        // The trail names what changed, never the ratings: the other side reads it too.
        change.event(
            Action::CheckinRate,
            format!(
                "Saved the draft {} of {}",
                mine.ratings_name(),
                changed
                    .iter()
                    .map(|k| name_of(&comps, k))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            serde_json::json!({ "side": mine.as_str(), "competencies": changed }),
        );
        Ok(change)
    })
    .await
}

/// Saves the draft rating of one competency on the actor's side (an autosave). An empty rating
/// with no comment clears it.
pub async fn save_rating(
    state: &AppState,
    actor: &Actor,
    id: i64,
    competency: &str,
    input: &RatingInput,
) -> AppResult<()> {
    save_side(
        state,
        actor,
        id,
        None,
        &[(competency.to_owned(), input.clone())],
        Scope::Given,
    )
    .await
}

/// Replaces the actor's side's draft ratings with the given ones (the whole form saved at once).
pub async fn save_own_ratings(
    state: &AppState,
    actor: &Actor,
    id: i64,
    inputs: &[(String, RatingInput)],
) -> AppResult<()> {
    save_side(state, actor, id, None, inputs, Scope::WholeSide).await
}

/// Replaces one side's draft ratings; 403 unless it is the actor's side.
pub async fn save_side_ratings(
    state: &AppState,
    actor: &Actor,
    id: i64,
    side: Side,
    inputs: &[(String, RatingInput)],
) -> AppResult<()> {
    save_side(state, actor, id, Some(side), inputs, Scope::WholeSide).await
}

/// The competencies of a check-in as its rules read them.
fn asked(comps: &[CheckinCompetency]) -> impl Iterator<Item = Asked<'_>> {
    comps.iter().map(|c| Asked {
        key: &c.key,
        name: &c.name,
        optional: c.not_applicable_at_level,
    })
}

/// Shares the actor's side, which locks it. When the other side has shared too, the check-in moves
/// to the review, where the agreed ratings start as the manager's.
pub async fn share(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    write(state, actor, id, |row, relation, fw| {
        let (permit, side) = side_of(actor, relation)?;
        let comps = competencies(fw, row);
        let missing = unrated(asked(&comps), row.ratings(side));
        let shared = row.progress().share(side, &missing).map_err(refused)?;
        let at = now();
        let mut change = Change::new(permit);
        change.set_int(shared_column(side), Some(at));
        if side == Side::Manager {
            change.set_int("manager_id", actor.user_id);
        }
        change.event(
            Action::CheckinShare,
            format!("Shared the {}", side.ratings_name()),
            serde_json::json!({ "side": side.as_str() }),
        );
        if shared == Shared::ToReview {
            change.set_text("status", Some(CheckinStatus::Review.as_str().into()));
            change.set_ratings("agreed_ratings", &row.manager_ratings)?;
            change.event(
                Action::CheckinReview,
                "Both sides have shared: the check-in is in review".into(),
                serde_json::json!({ "status": CheckinStatus::Review.as_str() }),
            );
        }
        Ok(change)
    })
    .await
}

/// Changes agreed ratings in the review: the competencies given change, the others keep theirs.
/// A change clears the other side's confirmation, so both confirm the same ratings.
pub async fn set_agreed(
    state: &AppState,
    actor: &Actor,
    id: i64,
    inputs: &[(String, RatingInput)],
) -> AppResult<()> {
    write(state, actor, id, |row, relation, fw| {
        let (permit, side) = side_of(actor, relation)?;
        let unconfirmed = row.progress().set_agreed(side).map_err(refused)?;
        let comps = competencies(fw, row);
        let mut errors = Vec::new();
        for (key, input) in inputs {
            if input.rating.trim().is_empty() && comps.iter().any(|c| c.key == key.trim()) {
                errors.push(field(
                    format!("{}.rating", key.trim()),
                    "choose the agreed rating",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(invalid(errors));
        }
        let checked = check_inputs(&comps, &track_name(fw, row), inputs)?;
        let mut agreed = row.agreed_ratings.clone();
        let mut change = Change::new(permit);
        for (key, entry) in checked {
            let Some(entry) = entry else { continue };
            let before = agreed.insert(key.clone(), entry.clone());
            if before.as_ref() == Some(&entry) {
                continue;
            }
            let name = name_of(&comps, &key);
            change.event(
                Action::CheckinAgreedRating,
                match &before {
                    Some(b) if b.rating != entry.rating => format!(
                        "Set the agreed rating of {name} to {} (was {})",
                        entry.rating.label(),
                        b.rating.label()
                    ),
                    _ => format!(
                        "Set the agreed rating of {name} to {}",
                        entry.rating.label()
                    ),
                },
                serde_json::json!({
                    "competency": key, "side": side.as_str(),
                    "before": before.map(|b| b.rating.as_str()), "after": entry.rating.as_str(),
                }),
            );
        }
        if change.events.is_empty() {
            return Ok(change);
        }
        change.set_ratings("agreed_ratings", &agreed)?;
        change.set_int(confirmed_column(unconfirmed), None);
        if unconfirmed == Side::Manager {
            change.set_int("manager_confirmed_by", None);
        }
        Ok(change)
    })
    .await
}

/// Confirms the agreed ratings for the actor's side. When the other side has confirmed them too,
/// the check-in is agreed and locked, and the person's readiness is recomputed in the same
/// transaction. Confirming again changes nothing.
pub async fn confirm(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    write(state, actor, id, |row, relation, fw| {
        let (permit, side) = side_of(actor, relation)?;
        let comps = competencies(fw, row);
        let missing = unrated(asked(&comps), &row.agreed_ratings);
        let mut change = Change::new(permit);
        let confirmed = row.progress().confirm(side, &missing).map_err(refused)?;
        if confirmed == Confirmed::Already {
            return Ok(change);
        }
        let at = now();
        change.set_int(confirmed_column(side), Some(at));
        if side == Side::Manager {
            change.set_int("manager_confirmed_by", actor.user_id);
        }
        change.event(
            Action::CheckinConfirm,
            match side {
                Side::Person => "Confirmed the agreed ratings".to_owned(),
                Side::Manager => "Confirmed the agreed ratings for the manager's side".to_owned(),
            },
            serde_json::json!({ "side": side.as_str() }),
        );
        if confirmed == Confirmed::Agreed {
            let today = Day::today().to_string();
            change.set_text("status", Some(CheckinStatus::Agreed.as_str().into()));
            change.set_int("agreed_at", Some(at));
            change.set_text("agreed_on", Some(today.clone()));
            change.event(
                Action::CheckinAgree,
                format!("The check-in is agreed, on {today}"),
                serde_json::json!({ "status": CheckinStatus::Agreed.as_str(), "agreed_on": today }),
            );
            change.agreed = true;
        }
        Ok(change)
    })
    .await
}

/// Cancels an unfinished check-in: whoever started it, or an admin.
pub async fn cancel(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    write(state, actor, id, |row, _, _| {
        let permit = policy::cancel_checkin(actor, row.started_by)?;
        row.progress().cancel().map_err(refused)?;
        let mut change = Change::new(permit);
        change.set_text("status", Some(CheckinStatus::Cancelled.as_str().into()));
        change.set_int("cancelled_at", Some(now()));
        change.set_int("cancelled_by", actor.user_id);
        change.event(
            Action::CheckinCancel,
            "Cancelled the check-in".into(),
            serde_json::json!({ "status": CheckinStatus::Cancelled.as_str() }),
        );
        Ok(change)
    })
    .await
}
