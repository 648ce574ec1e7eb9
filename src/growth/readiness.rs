//! Readiness: whether a person is ready for the next level of their track, by the rule of that
//! track, judged on their agreed check-ins. The answer is always explained: which competencies
//! block it and how far the share of the next level's competencies has come.
//!
//! Which check-ins count is one rule, [`choose`]: the current level is judged on the most recent
//! agreed check-in against the current level, and the next level on the most recent agreed
//! check-in against the next level (the later agreed time wins, then the later check-in). Only
//! when no check-in against the current level was ever agreed is the current level judged on the
//! next level's check-in. A check-in against any other level is never used.
//!
//! The result is stored per person (table `readiness`) and recomputed when a check-in is agreed
//! ([`recompute_person`]), a position is recorded ([`recompute_people`]) or a rule changes; the
//! whole organisation at once with [`recompute_all`]. [`evaluate`] is the rule itself, a pure
//! function.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use sqlx::Row;
use trellis_framework::{Framework, Level, Track};

use crate::audit;
use crate::auth::Actor;
use crate::auth::policy;
use crate::db::{Db, Tx, now};
use crate::domain::{Rating, Ratings, parse_ratings};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The share of the next level's competencies a track asks for when no rule is set.
pub const DEFAULT_SHARE: u8 = 60;

/// The readiness rule of a track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rule {
    pub track: String,
    /// Percent (0 to 100) of the next level's competencies that must be rated meets or exceeds.
    pub next_level_share: u8,
    /// Every competency must at least meet the current level.
    pub all_meet_current: bool,
    /// Competencies that must meet the next level, whatever the share.
    pub required: Vec<String>,
}

impl Rule {
    /// The rule of a track nobody configured: 60 % at the next level and every competency
    /// meeting the current one.
    pub fn default_for(track: &str) -> Rule {
        Rule {
            track: track.to_owned(),
            next_level_share: DEFAULT_SHARE,
            all_meet_current: true,
            required: Vec::new(),
        }
    }
}

/// Where a person stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ReadinessStatus)]
pub enum Status {
    /// The check-ins [`choose`] picks satisfy the rule.
    Ready,
    /// There is a check-in to judge on and it does not (yet) satisfy the rule.
    NotYet,
    /// No agreed check-in against the current or the next level of the person's track.
    NoCheckIn,
    /// The person holds the highest level of their track.
    TopOfTrack,
    /// No position is recorded, or it is not in the published framework.
    NoPosition,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Ready,
        Status::NotYet,
        Status::NoCheckIn,
        Status::TopOfTrack,
        Status::NoPosition,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ready => "ready",
            Status::NotYet => "not_yet",
            Status::NoCheckIn => "no_check_in",
            Status::TopOfTrack => "top_of_track",
            Status::NoPosition => "no_position",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The words people read.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ready => "Ready for the next level",
            Status::NotYet => "Not yet ready",
            Status::NoCheckIn => "No agreed check-in",
            Status::TopOfTrack => "At the top of the track",
            Status::NoPosition => "No position",
        }
    }
}

/// A competency named in a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Named {
    pub key: String,
    pub name: String,
    /// The agreed rating, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
}

/// The share of the next level's competencies rated meets or exceeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Share {
    /// Competencies rated meets or exceeds at the next level.
    pub meeting: u32,
    /// Competencies that count (those that apply at the next level).
    pub counted: u32,
    /// Percent reached, rounded down.
    pub reached: u8,
    /// Percent the rule asks for.
    pub needed: u8,
}

/// One condition of the rule, met or not, in words and with the competencies concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    /// `current_level`, `next_level_share`, `required`, `next_level_check_in`, `check_in`,
    /// `top_of_track` or `position`.
    pub code: String,
    pub met: bool,
    pub message: String,
    /// The competencies that block this condition (or, for `required`, those it asks for).
    #[serde(default)]
    pub competencies: Vec<Named>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<Share>,
    /// The agreed check-in this condition was judged on, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkin_id: Option<i64>,
}

/// A person's readiness, as evaluated and stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Readiness {
    pub status: Status,
    /// The person's track and level when it was computed.
    pub track: Option<String>,
    pub level: Option<String>,
    /// The level after `level` in the track, if any.
    pub next_level: Option<String>,
    /// The agreed check-in the next level was judged on, or else the one the current level was
    /// judged on (each reason names its own).
    pub checkin_id: Option<i64>,
    /// Never empty: why the status is what it is.
    pub reasons: Vec<Reason>,
    /// Unix seconds: when this result was reached (a recompute that finds the same result keeps
    /// the time); 0 from [`evaluate`].
    pub computed_at: i64,
}

/// An agreed check-in, as readiness reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreedCheckIn {
    pub id: i64,
    /// The check-in's target level (of the person's track).
    pub level: String,
    /// Unix seconds: when it was agreed.
    pub agreed_at: i64,
    /// The agreed rating of each competency, by key.
    pub ratings: BTreeMap<String, Rating>,
}

/// Reads the agreed ratings of a check-in keeping only the ratings (comments and reasons are
/// skipped without being copied); a column that does not parse reads as no ratings, as
/// [`parse_ratings`] does.
pub fn parse_agreed(json: &str) -> BTreeMap<String, Rating> {
    #[derive(Deserialize)]
    struct Only {
        rating: Rating,
    }
    serde_json::from_str::<BTreeMap<String, Only>>(json)
        .map(|m| m.into_iter().map(|(k, v)| (k, v.rating)).collect())
        .unwrap_or_default()
}

/// The agreed check-ins a readiness rests on, as [`choose`] picks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Basis<'a> {
    /// The most recent agreed check-in against the current level.
    pub current: Option<&'a AgreedCheckIn>,
    /// The most recent agreed check-in against the next level.
    pub next: Option<&'a AgreedCheckIn>,
}

/// The rule of which check-ins readiness uses when a person has several: for each of the current
/// and the next level, the most recent agreed check-in against that level: the later
/// `agreed_at`, and on the same second the later check-in (the higher id). Check-ins against any
/// other level are left out, so they can never make someone ready. Pure; the bulk query of
/// [`recompute`] picks the same check-ins.
pub fn choose<'a>(
    checkins: impl IntoIterator<Item = &'a AgreedCheckIn>,
    current: &str,
    next: Option<&str>,
) -> Basis<'a> {
    let latest = |best: Option<&'a AgreedCheckIn>, c: &'a AgreedCheckIn| match best {
        Some(b) if (b.agreed_at, b.id) >= (c.agreed_at, c.id) => Some(b),
        _ => Some(c),
    };
    let mut basis = Basis::default();
    for c in checkins {
        if c.level == current {
            basis.current = latest(basis.current, c);
        } else if Some(c.level.as_str()) == next {
            basis.next = latest(basis.next, c);
        }
    }
    basis
}

fn named(fw: &Framework, key: &str, rating: Option<Rating>) -> Named {
    Named {
        key: key.to_owned(),
        name: fw
            .competency(key)
            .map_or_else(|| key.to_owned(), |c| c.name.clone()),
        rating,
    }
}

/// "A", "A and B", "A, B and C".
fn list(names: &[Named]) -> String {
    match names {
        [] => String::new(),
        [one] => one.name.clone(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter()
                .map(|n| n.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            last.name
        ),
    }
}

fn applies(level: &Level, key: &trellis_framework::Key) -> bool {
    !level.is_not_applicable(key)
}

/// Evaluates the rule of a track for a person holding `position` (track key, level key), on the
/// agreed check-ins [`choose`] picks among `checkins`. Pure: the names come from `fw`, which
/// should be the published framework.
///
/// The current level is judged on the check-in against it. Only when there is none is it judged
/// on the check-in against the next level, where a competency rated `below` counts as not meeting
/// the current level (working towards the next level is taken as meeting the current one). The
/// share of the next level and the required competencies are judged on the check-in against the
/// next level; without one the answer is "not yet". A competency rated not applicable, or not
/// applicable at the level concerned, is left out of every count. Each reason names the check-in
/// it was judged on.
pub fn evaluate<'a>(
    rule: &Rule,
    fw: &Framework,
    position: Option<(&str, &str)>,
    checkins: impl IntoIterator<Item = &'a AgreedCheckIn>,
) -> Readiness {
    let mut out = Readiness {
        status: Status::NoPosition,
        track: position.map(|(t, _)| t.to_owned()),
        level: position.map(|(_, l)| l.to_owned()),
        next_level: None,
        checkin_id: None,
        reasons: Vec::new(),
        computed_at: 0,
    };
    let Some((track_key, level_key)) = position else {
        out.reasons.push(reason(
            "position",
            "No position is recorded, so there is no next level to be ready for.".into(),
        ));
        return out;
    };
    let Some((track, rank)) = fw
        .track(track_key)
        .and_then(|t| t.rank_of(level_key).map(|r| (t, r)))
    else {
        out.reasons.push(reason(
            "position",
            format!(
                "The position ({track_key}, {level_key}) is not in the published framework, so it has no next level."
            ),
        ));
        return out;
    };
    let current = &track.levels[rank];
    let Some(next) = track.levels.get(rank + 1) else {
        out.status = Status::TopOfTrack;
        out.reasons.push(reason(
            "top_of_track",
            format!(
                "{} is the highest level of {}: there is no next level on this track.",
                current.title, track.name
            ),
        ));
        return out;
    };
    out.next_level = Some(next.key.to_string());
    let basis = choose(checkins, current.key.as_str(), Some(next.key.as_str()));
    let Some(judged) = basis.next.or(basis.current) else {
        out.status = Status::NoCheckIn;
        out.reasons.push(reason(
            "check_in",
            format!(
                "There is no agreed check-in against {} or {} yet; readiness is judged on one.",
                current.title, next.title
            ),
        ));
        return out;
    };
    out.checkin_id = Some(judged.id);
    if rule.all_meet_current {
        out.reasons.push(match basis.current {
            Some(checkin) => current_level_reason(fw, track, current, None, checkin),
            None => current_level_reason(fw, track, current, Some(next), judged),
        });
    }
    if let Some(checkin) = basis.next {
        out.reasons
            .push(share_reason(rule, fw, track, next, checkin));
        let required = required_reason(rule, fw, track, next, checkin);
        out.reasons.extend(required);
    } else {
        out.reasons.push(Reason {
            code: "next_level_check_in".into(),
            met: false,
            message: format!(
                "No agreed check-in against the next level ({}) yet, so the share of its competencies cannot be judged: it is judged on a check-in against that level.",
                next.title
            ),
            competencies: Vec::new(),
            share: None,
            checkin_id: None,
        });
    }
    out.status = if out.reasons.iter().all(|r| r.met) {
        Status::Ready
    } else {
        Status::NotYet
    };
    out
}

fn reason(code: &str, message: String) -> Reason {
    Reason {
        code: code.into(),
        met: false,
        message,
        competencies: Vec::new(),
        share: None,
        checkin_id: None,
    }
}

/// Every competency at least meets the current level, judged on `checkin`: a check-in against the
/// current level, or (`against_next`, the next level) one against the next level when there is
/// none against the current one.
fn current_level_reason(
    fw: &Framework,
    track: &Track,
    current: &Level,
    against_next: Option<&Level>,
    checkin: &AgreedCheckIn,
) -> Reason {
    let target = against_next.unwrap_or(current);
    let mut blocking = Vec::new();
    for key in track.competencies.iter().filter(|k| applies(current, k)) {
        let rating = checkin.ratings.get(key.as_str()).copied();
        let blocks = match rating {
            Some(Rating::NotApplicable) => false,
            // Against the next level, `below` means short of the current level too.
            Some(r) if against_next.is_some() => r == Rating::Below,
            Some(r) => !r.meets(),
            // Not rated: fine only when the check-in's level does not ask for it.
            None => applies(target, key),
        };
        if blocks {
            blocking.push(named(fw, key.as_str(), rating));
        }
    }
    let on = match against_next {
        Some(next) => format!(
            " Judged on the check-in against {}, as none against {} was agreed.",
            next.title, current.title
        ),
        None => String::new(),
    };
    let message = if blocking.is_empty() {
        format!(
            "Meets every competency of the current level, {}.{on}",
            current.title
        )
    } else {
        let unrated = blocking.iter().filter(|n| n.rating.is_none()).count();
        let note = if unrated > 0 {
            format!(" ({unrated} not rated in the check-in)")
        } else {
            String::new()
        };
        format!(
            "Does not yet meet the current level, {}, in {}: {}{note}.{on}",
            current.title,
            count(blocking.len()),
            list(&blocking)
        )
    };
    Reason {
        code: "current_level".into(),
        met: blocking.is_empty(),
        message,
        competencies: blocking,
        share: None,
        checkin_id: Some(checkin.id),
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 competency".into()
    } else {
        format!("{n} competencies")
    }
}

/// The share of the next level's competencies rated meets or exceeds.
fn share_reason(
    rule: &Rule,
    fw: &Framework,
    track: &Track,
    next: &Level,
    checkin: &AgreedCheckIn,
) -> Reason {
    let mut meeting = 0u32;
    let mut counted = 0u32;
    let mut short = Vec::new();
    for key in track.competencies.iter().filter(|k| applies(next, k)) {
        let rating = checkin.ratings.get(key.as_str()).copied();
        if rating == Some(Rating::NotApplicable) {
            continue;
        }
        counted += 1;
        if rating.is_some_and(Rating::meets) {
            meeting += 1;
        } else {
            short.push(named(fw, key.as_str(), rating));
        }
    }
    let needed = rule.next_level_share.min(100);
    // Nothing to count at the next level: nothing falls short of it.
    let (reached, met) = match (meeting * 100).checked_div(counted) {
        None => (100, true),
        Some(percent) => (
            u8::try_from(percent).unwrap_or(100),
            u64::from(meeting) * 100 >= u64::from(needed) * u64::from(counted),
        ),
    };
    let message = if met {
        format!(
            "Meets or exceeds {meeting} of {counted} competencies at {} ({reached} %); the rule asks for {needed} %.",
            next.title
        )
    } else {
        format!(
            "Meets or exceeds {meeting} of {counted} competencies at {} ({reached} %); the rule asks for {needed} %. Not yet meeting it: {}.",
            next.title,
            list(&short)
        )
    };
    Reason {
        code: "next_level_share".into(),
        met,
        message,
        // Only a share that falls short is blocked by these.
        competencies: if met { Vec::new() } else { short },
        share: Some(Share {
            meeting,
            counted,
            reached,
            needed,
        }),
        checkin_id: Some(checkin.id),
    }
}

/// The competencies the rule requires at the next level.
fn required_reason(
    rule: &Rule,
    fw: &Framework,
    track: &Track,
    next: &Level,
    checkin: &AgreedCheckIn,
) -> Option<Reason> {
    let required: Vec<&trellis_framework::Key> = track
        .competencies
        .iter()
        .filter(|k| rule.required.iter().any(|r| r == k.as_str()) && applies(next, k))
        .collect();
    if required.is_empty() {
        return None;
    }
    let mut blocking = Vec::new();
    let mut all = Vec::new();
    for key in required {
        let rating = checkin.ratings.get(key.as_str()).copied();
        let n = named(fw, key.as_str(), rating);
        if !matches!(rating, Some(r) if r.meets() || r == Rating::NotApplicable) {
            blocking.push(n.clone());
        }
        all.push(n);
    }
    Some(if blocking.is_empty() {
        Reason {
            code: "required".into(),
            met: true,
            message: format!(
                "Meets {} at {}, as the rule requires.",
                list(&all),
                next.title
            ),
            competencies: all,
            share: None,
            checkin_id: Some(checkin.id),
        }
    } else {
        Reason {
            code: "required".into(),
            met: false,
            message: format!(
                "The rule requires {} to meet {}; not yet: {}.",
                list(&all),
                next.title,
                list(&blocking)
            ),
            competencies: blocking,
            share: None,
            checkin_id: Some(checkin.id),
        }
    })
}

/// The rules as stored, by track key.
async fn stored_rules(conn: &mut sqlx::AnyConnection) -> AppResult<HashMap<String, Rule>> {
    let rows = sqlx::query(
        "SELECT track_key, next_level_share, all_meet_current, required FROM readiness_rules",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        let track: String = r.try_get("track_key")?;
        let share: i64 = r.try_get("next_level_share")?;
        let all: i64 = r.try_get("all_meet_current")?;
        let required: String = r.try_get("required")?;
        out.insert(
            track.clone(),
            Rule {
                track,
                next_level_share: u8::try_from(share.clamp(0, 100)).unwrap_or(DEFAULT_SHARE),
                all_meet_current: all != 0,
                required: serde_json::from_str(&required).unwrap_or_default(),
            },
        );
    }
    Ok(out)
}

fn readiness_from_row(r: &sqlx::any::AnyRow) -> Result<Readiness, sqlx::Error> {
    let status: String = r.try_get("status")?;
    let reasons: String = r.try_get("reasons")?;
    Ok(Readiness {
        status: Status::parse(&status).unwrap_or(Status::NoPosition),
        track: r.try_get("track_key")?,
        level: r.try_get("level_key")?,
        next_level: r.try_get("next_level_key")?,
        checkin_id: r.try_get("checkin_id")?,
        reasons: serde_json::from_str(&reasons).unwrap_or_default(),
        computed_at: r.try_get("computed_at")?,
    })
}

const READINESS_COLUMNS: &str =
    "person_id, status, track_key, level_key, next_level_key, checkin_id, reasons, computed_at";

/// A person's stored readiness; `None` when it was never computed.
///
/// No policy check: the caller has checked that the actor may see this person's private records
/// and that the Grow features are open to them.
pub async fn of_person(db: &Db, person: i64) -> AppResult<Option<Readiness>> {
    let row = sqlx::query(&format!(
        "SELECT {READINESS_COLUMNS} FROM readiness WHERE person_id = $1"
    ))
    .bind(person)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(readiness_from_row).transpose()?)
}

/// The stored readiness of several people at once (a team), by person id; people never computed
/// are absent. No policy check, as for [`of_person`].
pub async fn of_people(db: &Db, people: &[i64]) -> AppResult<HashMap<i64, Readiness>> {
    let mut out = HashMap::new();
    for chunk in people.chunks(500) {
        let ids = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        for row in sqlx::query(&format!(
            "SELECT {READINESS_COLUMNS} FROM readiness WHERE person_id IN ({ids})"
        ))
        .fetch_all(db.pool())
        .await?
        {
            out.insert(row.try_get("person_id")?, readiness_from_row(&row)?);
        }
    }
    Ok(out)
}

/// Whom to recompute.
enum Whom<'a> {
    Everyone,
    People(&'a [i64]),
    Track(&'a str),
    /// Whoever had a position recorded at or after this time (unix seconds).
    RecordedSince(i64),
}

/// A value bound to a recompute query's filter.
#[derive(Clone)]
enum Bind {
    Text(String),
    Int(i64),
}

/// The condition "the check-in's level is the next level after the person's", spelled as a CASE
/// over every (track, level) of the framework. Keys hold only `a-z`, `0-9` and `-`, so they are
/// safe as SQL literals.
fn next_level_case(fw: &Framework) -> String {
    let mut case = String::new();
    for track in &fw.tracks {
        for pair in track.levels.windows(2) {
            case.push_str(&format!(
                " WHEN '{}/{}' THEN '{}'",
                track.key, pair[0].key, pair[1].key
            ));
        }
    }
    if case.is_empty() {
        "NULL".into()
    } else {
        format!("(CASE u.track_key || '/' || u.level_key{case} ELSE NULL END)")
    }
}

/// Separators of a page of people read in bulk by [`recompute`] (bound as parameters of
/// `string_agg`, which both backends have): people are separated by RS (0x1E) and their fields by
/// US (0x1F). Neither can occur inside a field: ids are numbers, keys
/// hold only `a-z`, `0-9` and `-`, digests are hex, and agreed ratings are compact JSON written by
/// serde_json, which escapes every control character inside a string.
const RECORD_SEP: char = '\u{1e}';
const FIELD_SEP: char = '\u{1f}';

/// Recomputes and stores the readiness of some people, in the caller's transaction. Returns how
/// many were computed.
///
/// People are read in pages of [`RECOMPUTE_PAGE`] by id. One query per page finds each person's
/// latest agreed check-in against their current or next level (the next level is worked out once
/// per person, in a materialised CTE; the check-in is found through the index
/// `readiness_latest_checkin`) and returns the whole page as a single text (see [`RECORD_SEP`]):
/// a row per person would cost a round trip between the database driver's thread and this task
/// for every person, which was most of the time of a whole organisation. Each page is evaluated
/// on the blocking pool, and only the results whose digest differs from the stored one are
/// written, with multi-row statements.
///
/// `readers`: on SQLite, a pool to read the pages from on a connection of their own, so that
/// reading a page, evaluating the one before and writing the one before that overlap. Pass it
/// only when this transaction has written nothing the pages read (people, positions, check-ins,
/// readiness): the reader does not see this transaction's writes. This transaction first takes
/// SQLite's write lock, so that nobody else can commit while the reader reads: it reads exactly
/// the state this transaction writes over.
async fn recompute(
    tx: &mut Tx,
    fw: &Framework,
    whom: Whom<'_>,
    readers: Option<&Db>,
) -> AppResult<usize> {
    let started = std::time::Instant::now();
    let rules = stored_rules(tx).await?;
    let next = next_level_case(fw);
    let mut chunks: Vec<String> = Vec::new();
    let mut bind = None;
    match whom {
        Whom::Everyone => chunks.push(String::new()),
        Whom::Track(t) => {
            chunks.push(" AND u.track_key = $3".into());
            bind = Some(Bind::Text(t.to_owned()));
        }
        Whom::RecordedSince(at) => {
            chunks.push(
                " AND u.id IN (SELECT user_id FROM positions WHERE recorded_at >= $3)".into(),
            );
            bind = Some(Bind::Int(at));
        }
        Whom::People(ids) => {
            for chunk in ids.chunks(500) {
                let ids = chunk
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                chunks.push(format!(" AND u.id IN ({ids})"));
            }
        }
    }
    let mut reader = match readers {
        Some(db) if db.backend() == crate::db::Backend::Sqlite => {
            tokio::time::timeout(READER_WAIT, db.pool().acquire())
                .await
                .ok()
                .and_then(Result::ok)
                // It maps the database into memory for reading: closed when done, not kept.
                .map(sqlx::pool::PoolConnection::detach)
        }
        _ => None,
    };
    if let Some(conn) = reader.as_mut() {
        // A write that changes nothing takes the write lock until this transaction ends.
        sqlx::query("UPDATE readiness SET digest = digest WHERE 1 = 0")
            .execute(&mut **tx)
            .await?;
        sqlx::query(&format!("PRAGMA mmap_size = {BULK_MMAP}"))
            .execute(&mut *conn)
            .await?;
    }
    let at = now();
    let mut totals = Totals::default();
    // Pages are evaluated on the blocking pool, with their own copy of the framework and rules.
    let mut shared: Option<std::sync::Arc<(Framework, HashMap<String, Rule>)>> = None;
    let mut pending: Option<tokio::task::JoinHandle<AppResult<Evaluated>>> = None;
    for filter in &chunks {
        let mut after = 0i64;
        loop {
            let sql = format!(
                "WITH p AS MATERIALIZED ( \
                   SELECT u.id, u.track_key, u.level_key, {next} AS next_key FROM users u \
                   WHERE u.active = 1{filter} AND u.id > {after} ORDER BY u.id LIMIT {RECOMPUTE_PAGE}), \
                 x AS (SELECT p.id, p.track_key, p.level_key, ( \
                         SELECT c2.id FROM checkins c2 WHERE c2.person_id = p.id \
                         AND c2.status = 'agreed' AND c2.track_key = p.track_key \
                         AND c2.level_key = p.level_key \
                         ORDER BY c2.agreed_at DESC, c2.id DESC LIMIT 1) AS cur, ( \
                         SELECT c3.id FROM checkins c3 WHERE c3.person_id = p.id \
                         AND c3.status = 'agreed' AND c3.track_key = p.track_key \
                         AND c3.level_key = p.next_key \
                         ORDER BY c3.agreed_at DESC, c3.id DESC LIMIT 1) AS nxt FROM p) \
                 SELECT COUNT(*) AS people, MAX(x.id) AS last, string_agg( \
                   CAST(x.id AS TEXT) || $1 || COALESCE(x.track_key, '') || $1 \
                   || COALESCE(x.level_key, '') || $1 || COALESCE(r.digest, '') \
                   || $1 || COALESCE(CAST(c.id AS TEXT), '') || $1 || COALESCE(c.level_key, '') \
                   || $1 || COALESCE(CAST(c.agreed_at AS TEXT), '') || $1 || COALESCE(c.agreed_ratings, '') \
                   || $1 || COALESCE(CAST(n.id AS TEXT), '') || $1 || COALESCE(n.level_key, '') \
                   || $1 || COALESCE(CAST(n.agreed_at AS TEXT), '') || $1 || COALESCE(n.agreed_ratings, ''), \
                   $2) AS page \
                 FROM x LEFT JOIN checkins c ON c.id = x.cur LEFT JOIN checkins n ON n.id = x.nxt \
                 LEFT JOIN readiness r ON r.person_id = x.id"
            );
            // Read this page while the one before is evaluated and written.
            let previous = pending.take();
            let (page, stored) = match reader.as_mut() {
                Some(conn) => {
                    tokio::join!(
                        read_page(conn, &sql, bind.as_ref()),
                        store_evaluated(tx, previous)
                    )
                }
                None => {
                    let page = read_page(tx, &sql, bind.as_ref()).await;
                    (page, store_evaluated(tx, previous).await)
                }
            };
            totals.add(stored?);
            let page = page?;
            if let Some(last) = page.last {
                after = last;
            }
            if page.people < RECOMPUTE_PAGE {
                // The last page: small ones (a person, a team) are not worth a copy of the
                // framework.
                let evaluated = evaluate_page(&rules, fw, &page.text, at)?;
                totals.add(store(tx, evaluated).await?);
                break;
            }
            let shared = shared
                .get_or_insert_with(|| std::sync::Arc::new((fw.clone(), rules.clone())))
                .clone();
            pending = Some(tokio::task::spawn_blocking(move || {
                evaluate_page(&shared.1, &shared.0, &page.text, at)
            }));
        }
    }
    totals.add(store_evaluated(tx, pending.take()).await?);
    let parallel = reader.is_some();
    if let Some(conn) = reader {
        sqlx::Connection::close(conn).await?;
    }

    tracing::debug!(
        people = totals.evaluated,
        changed = totals.changed,
        parallel_read = parallel,
        ms = started.elapsed().as_millis() as u64,
        "readiness recomputed"
    );
    Ok(totals.evaluated)
}

/// How much of the database the reader of [`recompute`] maps into memory: reading pages from the
/// map rather than copying them in saves a sixth of a whole organisation's time.
const BULK_MMAP: u64 = 1 << 31;

/// How long [`recompute`] waits for a reader connection before reading on its own.
const READER_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

/// How many people a recompute evaluated, and how many of their results changed.
#[derive(Debug, Default, Clone, Copy)]
struct Totals {
    evaluated: usize,
    changed: usize,
}

impl Totals {
    fn add(&mut self, other: Totals) {
        self.evaluated += other.evaluated;
        self.changed += other.changed;
    }
}

/// A page of people as read by [`recompute`]: how many, the last id, and the page as one text.
struct Page {
    people: usize,
    last: Option<i64>,
    text: String,
}

async fn read_page(
    conn: &mut sqlx::AnyConnection,
    sql: &str,
    bind: Option<&Bind>,
) -> AppResult<Page> {
    let mut query = sqlx::query(sql)
        .bind(FIELD_SEP.to_string())
        .bind(RECORD_SEP.to_string());
    query = match bind {
        Some(Bind::Text(t)) => query.bind(t.clone()),
        Some(Bind::Int(i)) => query.bind(*i),
        None => query,
    };
    let row = query.fetch_one(conn).await?;
    let people: i64 = row.try_get("people")?;
    Ok(Page {
        people: usize::try_from(people).unwrap_or(0),
        last: row.try_get("last")?,
        text: row
            .try_get::<Option<String>, _>("page")?
            .unwrap_or_default(),
    })
}

/// Waits for a page's evaluation, if there is one, and writes its changed results.
async fn store_evaluated(
    tx: &mut Tx,
    evaluation: Option<tokio::task::JoinHandle<AppResult<Evaluated>>>,
) -> AppResult<Totals> {
    let Some(evaluation) = evaluation else {
        return Ok(Totals::default());
    };
    let evaluated = evaluation
        .await
        .map_err(|e| AppError::internal(format!("evaluating readiness failed: {e}")))??;
    store(tx, evaluated).await
}

/// A person as read for recomputing, borrowed from the page: their position, the digest of
/// their stored result, and their latest agreed check-ins against their current and their next
/// level (see [`choose`]).
#[derive(Debug, PartialEq, Eq)]
struct Raw<'a> {
    id: i64,
    position: Option<(&'a str, &'a str)>,
    digest: &'a str,
    checkins: [Option<RawCheckIn<'a>>; 2],
}

/// An agreed check-in as read in a page: id, level, agreed at, agreed ratings as stored.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct RawCheckIn<'a> {
    id: i64,
    level: &'a str,
    agreed_at: i64,
    ratings: &'a str,
}

impl RawCheckIn<'_> {
    fn agreed(&self) -> AgreedCheckIn {
        AgreedCheckIn {
            id: self.id,
            level: self.level.to_owned(),
            agreed_at: self.agreed_at,
            ratings: parse_agreed(self.ratings),
        }
    }
}

/// Reads one person of a page (see [`RECORD_SEP`]).
fn parse_record(record: &str) -> Option<Raw<'_>> {
    let mut fields = record.split(FIELD_SEP);
    let id = fields.next()?.parse().ok()?;
    let track = fields.next()?;
    let level = fields.next()?;
    let digest = fields.next()?;
    let mut checkin = || -> Option<Option<RawCheckIn<'_>>> {
        let id = fields.next()?;
        let level = fields.next()?;
        let at = fields.next()?;
        let ratings = fields.next()?;
        if id.is_empty() {
            return Some(None);
        }
        Some(Some(RawCheckIn {
            id: id.parse().ok()?,
            level,
            agreed_at: if at.is_empty() { 0 } else { at.parse().ok()? },
            ratings,
        }))
    };
    let current = checkin()?;
    let next = checkin()?;
    if fields.next().is_some() {
        return None;
    }
    Some(Raw {
        id,
        position: (!track.is_empty() && !level.is_empty()).then_some((track, level)),
        digest,
        checkins: [current, next],
    })
}

/// A page evaluated: how many people, and the results that differ from the stored ones.
struct Evaluated {
    people: usize,
    changed: Vec<Computed>,
}

/// Evaluates a page of people (see [`RECORD_SEP`]).
fn evaluate_page(
    rules: &HashMap<String, Rule>,
    fw: &Framework,
    page: &str,
    at: i64,
) -> AppResult<Evaluated> {
    let mut out = Evaluated {
        people: 0,
        changed: Vec::new(),
    };
    for record in page.split(RECORD_SEP).filter(|r| !r.is_empty()) {
        let p = parse_record(record).ok_or_else(|| {
            AppError::internal("a person read for readiness could not be parsed".to_owned())
        })?;
        let checkins: Vec<AgreedCheckIn> = p
            .checkins
            .iter()
            .flatten()
            .map(RawCheckIn::agreed)
            .collect();
        let default;
        let rule = match p.position.and_then(|(t, _)| rules.get(t)) {
            Some(rule) => rule,
            None => {
                default = Rule::default_for(p.position.map_or("", |(t, _)| t));
                &default
            }
        };
        let result = Computed::new(p.id, evaluate(rule, fw, p.position, &checkins), at)?;
        out.people += 1;
        if result.digest != p.digest {
            out.changed.push(result);
        }
    }
    Ok(out)
}

/// People read per query when recomputing.
const RECOMPUTE_PAGE: usize = 10_000;

/// A result ready to be written: the reasons already as JSON, so that a whole organisation's
/// results stay small in memory.
struct Computed {
    person: i64,
    status: Status,
    track: Option<String>,
    level: Option<String>,
    next_level: Option<String>,
    checkin_id: Option<i64>,
    reasons: String,
    computed_at: i64,
    /// Hex; see [`Computed::digest`].
    digest: String,
}

impl Computed {
    fn new(person: i64, r: Readiness, at: i64) -> AppResult<Computed> {
        let reasons = serde_json::to_string(&r.reasons)
            .map_err(|e| AppError::internal(format!("cannot write readiness reasons: {e}")))?;
        let digest = Computed::digest(
            r.status,
            [
                r.track.as_deref(),
                r.level.as_deref(),
                r.next_level.as_deref(),
            ],
            r.checkin_id,
            &reasons,
        );
        Ok(Computed {
            person,
            status: r.status,
            reasons,
            track: r.track,
            level: r.level,
            next_level: r.next_level,
            checkin_id: r.checkin_id,
            computed_at: at,
            digest,
        })
    }

    /// What tells two results apart: everything stored but the time. The first 128 bits of a
    /// SHA-256, as hex.
    fn digest(
        status: Status,
        keys: [Option<&str>; 3],
        checkin: Option<i64>,
        reasons: &str,
    ) -> String {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        h.update(status.as_str());
        for key in keys {
            h.update([0x1f]);
            h.update(key.unwrap_or("\u{0}"));
        }
        h.update([0x1f]);
        h.update(checkin.map_or_else(String::new, |c| c.to_string()));
        h.update([0x1f]);
        h.update(reasons);
        hex::encode(&h.finalize()[..16])
    }
}

/// Rows per statement when writing results: one parameter each (the reasons). The numbers, the
/// status, the keys and the digest are written out in the statement: numbers, statuses and
/// digests are ours, and keys hold only `a-z`, `0-9` and `-` (checked again here).
const STORE_ROWS: usize = 168;

/// A key as an SQL literal, or NULL; a value that is not a key (which the directory never holds)
/// is written as NULL rather than trusted.
fn key_literal(key: Option<&str>) -> String {
    match key {
        Some(k)
            if !k.is_empty()
                && k.len() <= trellis_framework::Key::MAX_LEN
                && k.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
        {
            format!("'{k}'")
        }
        _ => "NULL".to_owned(),
    }
}

/// Writes results with multi-row upserts. Only changed results come here (their digest differs),
/// so they get a new time, except a row written before digests were kept whose status, position,
/// check-in and reasons are the same: it keeps the time it was reached. The rows of people who left are kept as they were when they left: the dashboard's
/// attrition by readiness reads them.
async fn store(tx: &mut Tx, evaluated: Evaluated) -> AppResult<Totals> {
    for chunk in evaluated.changed.chunks(STORE_ROWS) {
        let mut sql = String::with_capacity(160 * chunk.len() + 768);
        sql.push_str(&format!(
            "INSERT INTO readiness ({READINESS_COLUMNS}, digest) VALUES "
        ));
        for (i, c) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let digest = if c.digest.bytes().all(|b| b.is_ascii_hexdigit()) {
                format!("'{}'", c.digest)
            } else {
                "NULL".to_owned()
            };
            sql.push_str(&format!(
                "({}, '{}', {}, {}, {}, {}, ${}, {}, {digest})",
                c.person,
                c.status.as_str(),
                key_literal(c.track.as_deref()),
                key_literal(c.level.as_deref()),
                key_literal(c.next_level.as_deref()),
                c.checkin_id
                    .map_or_else(|| "NULL".to_owned(), |v| v.to_string()),
                i + 1,
                c.computed_at,
            ));
        }
        sql.push_str(
            " ON CONFLICT (person_id) DO UPDATE SET \
             computed_at = CASE WHEN readiness.digest IS NOT NULL \
               OR readiness.status <> excluded.status \
               OR readiness.reasons <> excluded.reasons \
               OR readiness.checkin_id IS DISTINCT FROM excluded.checkin_id \
               OR readiness.track_key IS DISTINCT FROM excluded.track_key \
               OR readiness.level_key IS DISTINCT FROM excluded.level_key \
               OR readiness.next_level_key IS DISTINCT FROM excluded.next_level_key \
               THEN excluded.computed_at ELSE readiness.computed_at END, \
             status = excluded.status, track_key = excluded.track_key, \
             level_key = excluded.level_key, next_level_key = excluded.next_level_key, \
             checkin_id = excluded.checkin_id, reasons = excluded.reasons, \
             digest = excluded.digest",
        );
        // Every statement is different: not worth keeping prepared.
        let mut q = sqlx::query(&sql).persistent(false);
        for c in chunk {
            q = q.bind(c.reasons.as_str());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(Totals {
        evaluated: evaluated.people,
        changed: evaluated.changed.len(),
    })
}

/// The published framework, read for recomputing (a derived value, not a request of the actor).
async fn published_framework(
    state: &AppState,
) -> AppResult<Option<std::sync::Arc<crate::architecture::framework::Snapshot>>> {
    crate::architecture::framework::published(state, &Actor::command_line()).await
}

/// Re-evaluates and stores one person's readiness, in the caller's transaction: call it when a
/// check-in is agreed (after writing it, so that it counts). Does nothing before the first
/// framework is published. Records no audit event: readiness is derived from what was audited.
pub async fn recompute_person(tx: &mut Tx, state: &AppState, person: i64) -> AppResult<()> {
    let Some(published) = published_framework(state).await? else {
        return Ok(());
    };
    recompute(tx, &published.framework, Whom::People(&[person]), None).await?;
    Ok(())
}

/// Re-evaluates and stores the readiness of several people against `fw` (the published
/// framework), in the caller's transaction, in a few batched queries: call it after recording
/// positions.
pub async fn recompute_people(tx: &mut Tx, fw: &Framework, people: &[i64]) -> AppResult<()> {
    if !people.is_empty() {
        recompute(tx, fw, Whom::People(people), None).await?;
    }
    Ok(())
}

/// Re-evaluates the readiness of everyone whose position was recorded at or after `since` (unix
/// seconds) in the caller's transaction: an import calls it after writing its positions. Does
/// nothing before the first framework is published.
pub async fn recompute_recorded_since(
    tx: &mut Tx,
    fw: Option<&Framework>,
    since: i64,
) -> AppResult<()> {
    if let Some(fw) = fw {
        recompute(tx, fw, Whom::RecordedSince(since), None).await?;
    }
    Ok(())
}

/// Recomputes the readiness of the whole organisation in one transaction (admins; also `trellis
/// readiness recompute`): everyone active, read a page at a time with their latest agreed
/// check-in, the rule evaluated in memory and the results that changed written in multi-row
/// statements (see `recompute`). Returns how many people were computed.
pub async fn recompute_all(state: &AppState, actor: &Actor) -> AppResult<usize> {
    policy::configure_readiness(actor)?;
    crate::rollout::pilot::require_grow(state.db(), actor).await?;
    let published = crate::architecture::framework::require_published(state, actor).await?;
    let mut tx = state.db().begin().await?;
    let n = recompute(
        &mut tx,
        &published.framework,
        Whom::Everyone,
        Some(state.db()),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        "readiness.recompute",
        "readiness",
        &format!("Recomputed the readiness of {n} people"),
        Some(serde_json::json!({ "people": n, "version": published.version.as_ref().map(|v| v.number) })),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

// ---- Rules (admins) ----

/// A track's rule with what its form shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrackRule {
    pub rule: Rule,
    pub track_name: String,
    /// An admin set it; otherwise it is the default.
    pub configured: bool,
    /// The track's competencies (key, name), which `required` may name.
    pub competencies: Vec<(String, String)>,
    /// Unix seconds, when configured.
    pub updated_at: Option<i64>,
}

/// The rule of every track of the published framework (admins).
pub async fn rules(state: &AppState, actor: &Actor) -> AppResult<Vec<TrackRule>> {
    policy::configure_readiness(actor)?;
    crate::rollout::pilot::require_grow(state.db(), actor).await?;
    let published = crate::architecture::framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let mut conn = state.db().pool().acquire().await?;
    let stored = stored_rules(&mut conn).await?;
    let updated: HashMap<String, i64> =
        sqlx::query("SELECT track_key, updated_at FROM readiness_rules")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("track_key")?, r.try_get("updated_at")?)))
            .collect::<Result<_, sqlx::Error>>()?;
    Ok(fw
        .tracks
        .iter()
        .map(|t| {
            track_rule(
                fw,
                t,
                stored.get(t.key.as_str()),
                updated.get(t.key.as_str()),
            )
        })
        .collect())
}

fn track_rule(
    fw: &Framework,
    track: &Track,
    stored: Option<&Rule>,
    updated: Option<&i64>,
) -> TrackRule {
    TrackRule {
        rule: stored
            .cloned()
            .unwrap_or_else(|| Rule::default_for(track.key.as_str())),
        track_name: track.name.clone(),
        configured: stored.is_some(),
        competencies: track
            .competencies
            .iter()
            .map(|k| (k.to_string(), named(fw, k.as_str(), None).name))
            .collect(),
        updated_at: updated.copied(),
    }
}

/// A rule as typed in a form or sent to the API, before checking.
#[derive(Debug, Clone, Default)]
pub struct RuleInput {
    /// A whole number from 0 to 100, as typed.
    pub next_level_share: String,
    pub all_meet_current: bool,
    /// Competency keys of the track.
    pub required: Vec<String>,
}

fn field(name: &str, message: impl Into<String>) -> crate::error::FieldError {
    crate::error::FieldError::new(name, message)
}

impl RuleInput {
    fn check(&self, fw: &Framework, track: &Track) -> AppResult<Rule> {
        let mut errors = Vec::new();
        let raw = self.next_level_share.trim().trim_end_matches('%').trim();
        let share = match raw.parse::<i64>() {
            Ok(n) if (0..=100).contains(&n) => u8::try_from(n).ok(),
            Ok(_) => {
                errors.push(field(
                    "next_level_share",
                    "the share is a percentage from 0 to 100",
                ));
                None
            }
            Err(_) => {
                errors.push(field(
                    "next_level_share",
                    format!("“{raw}” is not a whole percentage from 0 to 100"),
                ));
                None
            }
        };
        let mut required: Vec<String> = Vec::new();
        for key in self
            .required
            .iter()
            .map(|k| k.trim())
            .filter(|k| !k.is_empty())
        {
            if track.competencies.iter().any(|c| c.as_str() == key) {
                if !required.iter().any(|r| r == key) {
                    required.push(key.to_owned());
                }
            } else if fw.competency(key).is_some() {
                errors.push(field(
                    "required",
                    format!(
                        "{} is not a competency of the {} track",
                        named(fw, key, None).name,
                        track.name
                    ),
                ));
            } else {
                errors.push(field(
                    "required",
                    format!("“{key}” is not a competency of the framework"),
                ));
            }
        }
        match share {
            Some(share) if errors.is_empty() => Ok(Rule {
                track: track.key.to_string(),
                next_level_share: share,
                all_meet_current: self.all_meet_current,
                required,
            }),
            _ => Err(AppError::Invalid {
                title: errors
                    .first()
                    .map_or_else(|| "the rule is not valid".to_owned(), |e| e.message.clone()),
                errors,
            }),
        }
    }
}

/// Sets the rule of a track (admins) and recomputes the readiness of everyone on that track, in
/// the same transaction.
pub async fn set_rule(
    state: &AppState,
    actor: &Actor,
    track: &str,
    input: &RuleInput,
) -> AppResult<TrackRule> {
    policy::configure_readiness(actor)?;
    crate::rollout::pilot::require_grow(state.db(), actor).await?;
    let published = crate::architecture::framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let t = fw
        .track(track)
        .ok_or_else(|| AppError::not_found("this track"))?;
    let rule = input.check(fw, t)?;
    let at = now();
    let mut tx = state.db().begin().await?;
    let before = stored_rules(&mut tx).await?.remove(track);
    let required = serde_json::to_string(&rule.required)
        .map_err(|e| AppError::internal(format!("cannot write the rule: {e}")))?;
    sqlx::query(
        "INSERT INTO readiness_rules (track_key, next_level_share, all_meet_current, required, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (track_key) DO UPDATE SET \
         next_level_share = excluded.next_level_share, all_meet_current = excluded.all_meet_current, \
         required = excluded.required, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(track)
    .bind(i64::from(rule.next_level_share))
    .bind(i64::from(rule.all_meet_current))
    .bind(required)
    .bind(at)
    .bind(actor.user_id)
    .execute(&mut *tx)
    .await?;
    let people = recompute(&mut tx, fw, Whom::Track(track), Some(state.db())).await?;
    audit::record(
        &mut tx,
        actor,
        "readiness.rule",
        &format!("track:{track}"),
        &format!(
            "Set the readiness rule of {}: {} % at the next level{}{}",
            t.name,
            rule.next_level_share,
            if rule.all_meet_current {
                ", every competency meeting the current level"
            } else {
                ""
            },
            if rule.required.is_empty() {
                String::new()
            } else {
                format!(", {} required", rule.required.len())
            }
        ),
        Some(serde_json::json!({ "before": before, "after": rule, "recomputed": people })),
    )
    .await?;
    tx.commit().await?;
    Ok(track_rule(fw, t, Some(&rule), Some(&at)))
}

/// Puts a track back on the default rule (admins) and recomputes its people.
pub async fn reset_rule(state: &AppState, actor: &Actor, track: &str) -> AppResult<TrackRule> {
    policy::configure_readiness(actor)?;
    crate::rollout::pilot::require_grow(state.db(), actor).await?;
    let published = crate::architecture::framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let t = fw
        .track(track)
        .ok_or_else(|| AppError::not_found("this track"))?;
    let mut tx = state.db().begin().await?;
    let before = stored_rules(&mut tx).await?.remove(track);
    sqlx::query("DELETE FROM readiness_rules WHERE track_key = $1")
        .bind(track)
        .execute(&mut *tx)
        .await?;
    let people = recompute(&mut tx, fw, Whom::Track(track), Some(state.db())).await?;
    audit::record(
        &mut tx,
        actor,
        "readiness.rule_reset",
        &format!("track:{track}"),
        &format!("Put the readiness rule of {} back to the default", t.name),
        Some(serde_json::json!({ "before": before, "recomputed": people })),
    )
    .await?;
    tx.commit().await?;
    Ok(track_rule(fw, t, None, None))
}

// ---- A person's readiness ----

/// The check-in a readiness was judged on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JudgedCheckIn {
    pub id: i64,
    pub level: String,
    pub level_title: String,
    /// YYYY-MM-DD
    pub agreed_on: Option<String>,
    /// What was judged on it, in words: "the current level", "the next level" or both.
    pub judges: String,
}

/// A person's readiness with the names its page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonReadiness {
    pub person_id: i64,
    pub person_name: String,
    pub readiness: Readiness,
    pub position: Option<crate::people::directory::Position>,
    pub next_level_title: Option<String>,
    /// The rule of the person's track.
    pub rule: Option<Rule>,
    /// The check-in the next level was judged on, or else the one the current level was.
    pub checkin: Option<JudgedCheckIn>,
    /// Every check-in the result rests on (see [`choose`]), with what was judged on each.
    pub checkins: Vec<JudgedCheckIn>,
}

/// Whether the actor may see this person's private records; a 404 otherwise, as for nobody.
async fn require_visible(state: &AppState, actor: &Actor, person: i64) -> AppResult<String> {
    policy::read_directory(actor)?;
    crate::rollout::pilot::require_grow(state.db(), actor).await?;
    let relation = crate::people::directory::relation(state.db(), actor, person).await?;
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(person)
        .fetch_optional(state.db().pool())
        .await?;
    match name {
        Some(name) if policy::see_private(actor, relation) => Ok(name),
        _ => Err(AppError::not_found(
            "No readiness was found for this person.",
        )),
    }
}

/// A person's readiness, for the person, their chain and admins: as stored, or evaluated now when
/// it was never stored.
pub async fn person_readiness(
    state: &AppState,
    actor: &Actor,
    person: i64,
) -> AppResult<PersonReadiness> {
    let person_name = require_visible(state, actor, person).await?;
    let db = state.db();
    let published = crate::architecture::framework::published(state, actor).await?;
    let readiness = match of_person(db, person).await? {
        Some(r) => r,
        None => {
            let mut conn = db.pool().acquire().await?;
            let mut r = match &published {
                Some(p) => evaluate_one(&mut conn, &p.framework, person).await?,
                None => evaluate(&Rule::default_for(""), &Framework::default(), None, &[]),
            };
            r.computed_at = now();
            r
        }
    };
    let fw = published.as_ref().map(|p| &p.framework);
    let position = readiness
        .track
        .as_deref()
        .zip(readiness.level.as_deref())
        .map(|(t, l)| crate::people::directory::position_names(fw, t, l));
    let track = readiness
        .track
        .as_deref()
        .and_then(|t| fw.and_then(|f| f.track(t)));
    let title = |level: &str| {
        track
            .and_then(|t| t.level(level))
            .map_or_else(|| level.to_owned(), |l| l.title.clone())
    };
    let rule = match readiness.track.as_deref() {
        Some(t) => {
            let mut conn = db.pool().acquire().await?;
            Some(
                stored_rules(&mut conn)
                    .await?
                    .remove(t)
                    .unwrap_or_else(|| Rule::default_for(t)),
            )
        }
        None => None,
    };
    let mut ids: Vec<i64> = Vec::new();
    for id in readiness
        .reasons
        .iter()
        .filter_map(|r| r.checkin_id)
        .chain(readiness.checkin_id)
    {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let mut checkins = Vec::new();
    for id in ids {
        let judged = |codes: &[&str]| {
            readiness
                .reasons
                .iter()
                .any(|r| r.checkin_id == Some(id) && codes.contains(&r.code.as_str()))
        };
        let judges = match (
            judged(&["current_level"]),
            judged(&["next_level_share", "required"]),
        ) {
            (true, true) => "the current and the next level",
            (true, false) => "the current level",
            _ => "the next level",
        };
        let row = sqlx::query("SELECT level_key, agreed_on FROM checkins WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
        if let Some(r) = row {
            let level: String = r.try_get("level_key")?;
            checkins.push(JudgedCheckIn {
                id,
                level_title: title(&level),
                level,
                agreed_on: r.try_get("agreed_on")?,
                judges: judges.to_owned(),
            });
        }
    }
    let checkin = readiness
        .checkin_id
        .and_then(|id| checkins.iter().find(|c| c.id == id).cloned());
    Ok(PersonReadiness {
        person_id: person,
        person_name,
        next_level_title: readiness.next_level.as_deref().map(title),
        position,
        rule,
        checkin,
        checkins,
        readiness,
    })
}

/// Evaluates one person now, without storing.
async fn evaluate_one(
    conn: &mut sqlx::AnyConnection,
    fw: &Framework,
    person: i64,
) -> AppResult<Readiness> {
    let rules = stored_rules(&mut *conn).await?;
    let row = sqlx::query("SELECT track_key, level_key FROM users WHERE id = $1")
        .bind(person)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| AppError::not_found("this person"))?;
    let track: Option<String> = row.try_get("track_key")?;
    let level: Option<String> = row.try_get("level_key")?;
    let position = track.as_deref().zip(level.as_deref());
    let rule = track
        .as_deref()
        .and_then(|t| rules.get(t).cloned())
        .unwrap_or_else(|| Rule::default_for(track.as_deref().unwrap_or("")));
    let next = next_level_case(fw);
    // Every agreed check-in against the current or next level; `choose` picks among them.
    let checkins = sqlx::query(&format!(
        "SELECT c.id, c.level_key, c.agreed_at, c.agreed_ratings FROM checkins c JOIN users u ON u.id = c.person_id \
         WHERE u.id = $1 AND c.status = 'agreed' AND c.track_key = u.track_key \
         AND (c.level_key = u.level_key OR c.level_key = {next})"
    ))
    .bind(person)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let ratings: String = r.try_get("agreed_ratings")?;
        Ok::<_, sqlx::Error>(AgreedCheckIn {
            id: r.try_get("id")?,
            level: r.try_get("level_key")?,
            agreed_at: r.try_get::<Option<i64>, _>("agreed_at")?.unwrap_or(0),
            ratings: parse_agreed(&ratings),
        })
    })
    .collect::<Result<Vec<_>, _>>()?;
    Ok(evaluate(&rule, fw, position, &checkins))
}

// ---- Gap analysis ----

/// Where a rating in a gap analysis comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RatingSource {
    pub checkin_id: i64,
    /// YYYY-MM-DD
    pub agreed_on: Option<String>,
    /// The check-in was against the analysed position itself; otherwise against another one
    /// whose expectations for this competency read the same.
    pub same_position: bool,
    /// The check-in's position, in words.
    pub position: crate::people::directory::Position,
}

/// One competency of the target position.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GapRow {
    pub competency: String,
    pub name: String,
    /// The expectations at the target (markdown bullets); empty when not applicable there.
    pub target: Vec<String>,
    pub target_not_applicable: bool,
    /// The expectations of the person's current level, when their track has this competency.
    pub current: Option<Vec<String>>,
    pub current_not_applicable: bool,
    /// The latest agreed rating that speaks to the target's expectations.
    pub rating: Option<Rating>,
    pub source: Option<RatingSource>,
    /// Not (yet) known to meet the target: rated below it, working towards it, or not rated.
    pub gap: bool,
    /// The title a goal made from this gap gets.
    pub goal_title: String,
}

/// A person measured against a position, competency by competency.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GapAnalysis {
    pub person_id: i64,
    pub person_name: String,
    pub target: crate::people::directory::Position,
    pub current: Option<crate::people::directory::Position>,
    pub rows: Vec<GapRow>,
    /// How many rows are gaps.
    pub gaps: usize,
}

/// An agreed check-in, as the gap analysis reads it.
struct PastCheckIn {
    id: i64,
    track: String,
    level: String,
    version: i64,
    agreed_on: Option<String>,
    ratings: Ratings,
}

/// "Grow Ownership to Senior Engineer", within the length of a goal title.
fn goal_title(competency: &str, level: &str) -> String {
    let title = format!("Grow {competency} to {level}");
    if title.chars().count() <= 200 {
        title
    } else {
        title.chars().take(199).chain(['…']).collect()
    }
}

/// The cell of a level for a competency: bullets, or `None` when not applicable.
fn cell<'a>(level: &'a Level, key: &trellis_framework::Key) -> Option<&'a [String]> {
    if level.is_not_applicable(key) {
        None
    } else {
        Some(level.expectations.get(key).map_or(&[][..], Vec::as_slice))
    }
}

/// The gap analysis of a person to any position of the published framework: for each competency
/// of the target, its expectations there and at the person's current level, the latest agreed
/// rating that speaks to them, and whether it is a gap. For the person, their chain and admins.
///
/// A rating speaks to the target when its check-in was against the target position, or (failing
/// that) when the check-in's level, in the framework version the check-in was pinned to, words
/// the competency's expectations exactly as the target does.
pub async fn gaps(
    state: &AppState,
    actor: &Actor,
    person: i64,
    track: &str,
    level: &str,
) -> AppResult<GapAnalysis> {
    let person_name = require_visible(state, actor, person).await?;
    let published = crate::architecture::framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let target_track = fw.track(track.trim()).ok_or_else(|| {
        AppError::invalid_field(
            "track",
            format!(
                "“{}” is not a track of the published framework",
                track.trim()
            ),
        )
    })?;
    let target_level = target_track.level(level.trim()).ok_or_else(|| {
        AppError::invalid_field(
            "level",
            format!(
                "“{}” is not a level of the {} track",
                level.trim(),
                target_track.name
            ),
        )
    })?;
    let db = state.db();
    let row = sqlx::query("SELECT track_key, level_key FROM users WHERE id = $1")
        .bind(person)
        .fetch_one(db.pool())
        .await?;
    let current_track: Option<String> = row.try_get("track_key")?;
    let current_level: Option<String> = row.try_get("level_key")?;
    let current = current_track
        .as_deref()
        .zip(current_level.as_deref())
        .map(|(t, l)| crate::people::directory::position_names(Some(fw), t, l));
    let current_cells = current_track
        .as_deref()
        .and_then(|t| fw.track(t))
        .and_then(|t| {
            current_level
                .as_deref()
                .and_then(|l| t.level(l))
                .map(|l| (t, l))
        });
    let past: Vec<PastCheckIn> = sqlx::query(
        "SELECT id, track_key, level_key, version_number, agreed_on, agreed_ratings FROM checkins \
         WHERE person_id = $1 AND status = 'agreed' ORDER BY agreed_at DESC, id DESC",
    )
    .bind(person)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        let ratings: String = r.try_get("agreed_ratings")?;
        Ok(PastCheckIn {
            id: r.try_get("id")?,
            track: r.try_get("track_key")?,
            level: r.try_get("level_key")?,
            version: r.try_get("version_number")?,
            agreed_on: r.try_get("agreed_on")?,
            ratings: parse_ratings(&ratings),
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    // The framework each check-in was pinned to, read once per version.
    let mut versions: HashMap<
        i64,
        Option<std::sync::Arc<crate::architecture::framework::Snapshot>>,
    > = HashMap::new();
    for c in &past {
        if let std::collections::hash_map::Entry::Vacant(e) = versions.entry(c.version) {
            let snap = crate::architecture::framework::framework_at(
                state,
                actor,
                crate::architecture::framework::Revision::Version(c.version),
            )
            .await
            .ok();
            e.insert(snap);
        }
    }
    let same_target = |c: &PastCheckIn| {
        c.track == target_track.key.as_str() && c.level == target_level.key.as_str()
    };
    let mut rows = Vec::new();
    for key in &target_track.competencies {
        let name = named(fw, key.as_str(), None).name;
        let target = cell(target_level, key);
        let mut found: Option<(Rating, RatingSource)> = None;
        if let Some(bullets) = target {
            let source = |c: &PastCheckIn, same: bool| RatingSource {
                checkin_id: c.id,
                agreed_on: c.agreed_on.clone(),
                same_position: same,
                position: crate::people::directory::position_names(Some(fw), &c.track, &c.level),
            };
            found = past.iter().filter(|c| same_target(c)).find_map(|c| {
                c.ratings
                    .get(key.as_str())
                    .map(|e| (e.rating, source(c, true)))
            });
            if found.is_none() {
                found = past.iter().filter(|c| !same_target(c)).find_map(|c| {
                    let entry = c.ratings.get(key.as_str())?;
                    let pinned = versions.get(&c.version).and_then(Option::as_ref);
                    let then = pinned.map_or(fw, |s| &s.framework);
                    let words = then
                        .track(&c.track)?
                        .level(&c.level)
                        .and_then(|l| cell(l, key))?;
                    (words == bullets).then(|| (entry.rating, source(c, false)))
                });
            }
        }
        let rating = found.as_ref().map(|(r, _)| *r);
        let gap = target.is_some()
            && !matches!(rating, Some(r) if r.meets() || r == Rating::NotApplicable);
        let (current, current_not_applicable) = match current_cells {
            Some((t, l)) if t.competencies.contains(key) => match cell(l, key) {
                Some(b) => (Some(b.to_vec()), false),
                None => (None, true),
            },
            _ => (None, false),
        };
        rows.push(GapRow {
            competency: key.to_string(),
            goal_title: goal_title(&name, &target_level.title),
            name,
            target: target.map(<[String]>::to_vec).unwrap_or_default(),
            target_not_applicable: target.is_none(),
            current,
            current_not_applicable,
            rating,
            source: found.map(|(_, s)| s),
            gap,
        });
    }
    Ok(GapAnalysis {
        person_id: person,
        person_name,
        target: crate::people::directory::position_names(
            Some(fw),
            target_track.key.as_str(),
            target_level.key.as_str(),
        ),
        current,
        gaps: rows.iter().filter(|r| r.gap).count(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A track of four competencies over three levels; `mentoring` does not apply at the first.
    fn framework() -> Framework {
        let yaml = r#"
trellis: 1
name: Test
competencies:
  - { key: ownership, name: Ownership }
  - { key: craft, name: Craft }
  - { key: teamwork, name: Teamwork }
  - { key: mentoring, name: Mentoring }
tracks:
  - key: eng
    name: Engineering
    kind: individual-contributor
    competencies: [ownership, craft, teamwork, mentoring]
    levels:
      - key: one
        title: Engineer I
        expectations:
          ownership: [Finishes tasks.]
          craft: [Writes tests.]
          teamwork: [Reviews code.]
        not_applicable: [mentoring]
      - key: two
        title: Engineer II
        expectations:
          ownership: [Leads projects.]
          craft: [Designs parts.]
          teamwork: [Agrees interfaces.]
          mentoring: [Onboards people.]
      - key: three
        title: Engineer III
        expectations:
          ownership: [Sets direction.]
          craft: [Writes standards.]
          teamwork: [Aligns teams.]
          mentoring: [Coaches leads.]
"#;
        trellis_framework::yaml::read(yaml).expect("a valid test framework")
    }

    fn checkin(level: &str, ratings: &[(&str, Rating)]) -> AgreedCheckIn {
        AgreedCheckIn {
            id: 7,
            level: level.into(),
            agreed_at: 0,
            ratings: ratings.iter().map(|(k, r)| ((*k).to_owned(), *r)).collect(),
        }
    }

    fn rule() -> Rule {
        Rule::default_for("eng")
    }

    use Rating::{Below, Exceeds, Meets, NotApplicable, WorkingTowards};

    fn reason<'a>(r: &'a Readiness, code: &str) -> &'a Reason {
        r.reasons
            .iter()
            .find(|x| x.code == code)
            .unwrap_or_else(|| panic!("a “{code}” reason in {:?}", r.reasons))
    }

    fn keys(r: &Reason) -> Vec<&str> {
        r.competencies.iter().map(|n| n.key.as_str()).collect()
    }

    #[test]
    fn ready_when_the_next_level_check_in_meets_the_share_and_nothing_is_below() {
        let fw = framework();
        let c = checkin(
            "two",
            &[
                ("ownership", Meets),
                ("craft", Exceeds),
                ("teamwork", Meets),
                ("mentoring", WorkingTowards),
            ],
        );
        let r = evaluate(&rule(), &fw, Some(("eng", "one")), Some(&c));
        assert_eq!(r.status, Status::Ready, "{:?}", r.reasons);
        assert_eq!(r.next_level.as_deref(), Some("two"));
        assert_eq!(r.checkin_id, Some(7));
        let share = reason(&r, "next_level_share").share.expect("a share");
        assert_eq!(
            (share.meeting, share.counted, share.reached, share.needed),
            (3, 4, 75, 60)
        );
        assert!(reason(&r, "current_level").met);
        assert!(r.reasons.iter().all(|x| x.met && !x.message.is_empty()));
    }

    #[test]
    fn a_share_below_the_rule_names_the_competencies_short_of_the_next_level() {
        let fw = framework();
        let c = checkin(
            "two",
            &[
                ("ownership", Meets),
                ("craft", WorkingTowards),
                ("teamwork", WorkingTowards),
                ("mentoring", WorkingTowards),
            ],
        );
        let r = evaluate(&rule(), &fw, Some(("eng", "one")), Some(&c));
        assert_eq!(r.status, Status::NotYet);
        let share = reason(&r, "next_level_share");
        assert!(!share.met);
        assert_eq!(share.share.map(|s| s.reached), Some(25));
        assert_eq!(keys(share), ["craft", "teamwork", "mentoring"]);
        assert!(
            share.message.contains("25 %") && share.message.contains("60 %"),
            "{}",
            share.message
        );
        assert!(
            share.message.contains("Craft, Teamwork and Mentoring"),
            "{}",
            share.message
        );
    }

    #[test]
    fn below_at_the_next_level_counts_as_not_meeting_the_current_one() {
        let fw = framework();
        let c = checkin(
            "two",
            &[
                ("ownership", Meets),
                ("craft", Meets),
                ("teamwork", Below),
                ("mentoring", Meets),
            ],
        );
        let r = evaluate(&rule(), &fw, Some(("eng", "one")), Some(&c));
        assert_eq!(r.status, Status::NotYet);
        let current = reason(&r, "current_level");
        assert!(!current.met);
        assert_eq!(keys(current), ["teamwork"]);
        assert!(current.message.contains("Teamwork"), "{}", current.message);
        assert!(reason(&r, "next_level_share").met, "75 % is enough");
        // Without the current-level condition, the same check-in is ready.
        let lenient = Rule {
            all_meet_current: false,
            ..rule()
        };
        let r = evaluate(&lenient, &fw, Some(("eng", "one")), Some(&c));
        assert_eq!(r.status, Status::Ready);
        assert!(r.reasons.iter().all(|x| x.code != "current_level"));
    }

    #[test]
    fn a_check_in_against_the_current_level_judges_it_but_not_the_next() {
        let fw = framework();
        let good = checkin(
            "one",
            &[
                ("ownership", Meets),
                ("craft", Exceeds),
                ("teamwork", Meets),
            ],
        );
        let r = evaluate(&rule(), &fw, Some(("eng", "one")), Some(&good));
        assert_eq!(r.status, Status::NotYet);
        assert!(reason(&r, "current_level").met);
        let next = reason(&r, "next_level_check_in");
        assert!(!next.met);
        assert!(
            next.message
                .contains("No agreed check-in against the next level (Engineer II)"),
            "{}",
            next.message
        );
        // Working towards the current level does not meet it.
        let short = checkin(
            "one",
            &[
                ("ownership", WorkingTowards),
                ("craft", Meets),
                ("teamwork", Meets),
            ],
        );
        let r = evaluate(&rule(), &fw, Some(("eng", "one")), Some(&short));
        assert_eq!(keys(reason(&r, "current_level")), ["ownership"]);
    }

    #[test]
    fn required_competencies_must_meet_the_next_level_whatever_the_share() {
        let fw = framework();
        let strict = Rule {
            next_level_share: 50,
            required: vec!["mentoring".into()],
            ..rule()
        };
        let c = checkin(
            "two",
            &[
                ("ownership", Exceeds),
                ("craft", Meets),
                ("teamwork", Meets),
                ("mentoring", WorkingTowards),
            ],
        );
        let r = evaluate(&strict, &fw, Some(("eng", "one")), Some(&c));
        assert_eq!(r.status, Status::NotYet);
        assert!(reason(&r, "next_level_share").met);
        let required = reason(&r, "required");
        assert!(!required.met);
        assert_eq!(keys(required), ["mentoring"]);
        assert!(
            required.message.contains("Mentoring"),
            "{}",
            required.message
        );
    }

    #[test]
    fn not_applicable_ratings_and_cells_are_left_out_and_unrated_ones_count_against() {
        let fw = framework();
        // Mentoring rated not applicable: three count at the next level, and two of three is 66 %.
        let c = checkin(
            "two",
            &[
                ("ownership", Meets),
                ("craft", Meets),
                ("teamwork", WorkingTowards),
                ("mentoring", NotApplicable),
            ],
        );
        let r = evaluate(&rule(), &fw, Some(("eng", "one")), Some(&c));
        let share = reason(&r, "next_level_share").share.expect("a share");
        assert_eq!((share.meeting, share.counted, share.reached), (2, 3, 66));
        assert_eq!(r.status, Status::Ready);
        // A competency the check-in does not rate is short of both levels.
        let partial = checkin(
            "two",
            &[("ownership", Meets), ("craft", Meets), ("mentoring", Meets)],
        );
        let r = evaluate(&rule(), &fw, Some(("eng", "one")), Some(&partial));
        let current = reason(&r, "current_level");
        assert_eq!(keys(current), ["teamwork"]);
        assert!(current.message.contains("not rated"), "{}", current.message);
        assert_eq!(r.status, Status::NotYet);
    }

    #[test]
    fn the_share_is_judged_exactly_at_the_boundary() {
        let fw = framework();
        let c = checkin(
            "two",
            &[
                ("ownership", Meets),
                ("craft", Meets),
                ("teamwork", Below),
                ("mentoring", Below),
            ],
        );
        let half = Rule {
            next_level_share: 50,
            all_meet_current: false,
            ..rule()
        };
        assert_eq!(
            evaluate(&half, &fw, Some(("eng", "one")), Some(&c)).status,
            Status::Ready
        );
        let more = Rule {
            next_level_share: 51,
            ..half.clone()
        };
        assert_eq!(
            evaluate(&more, &fw, Some(("eng", "one")), Some(&c)).status,
            Status::NotYet
        );
        let none = Rule {
            next_level_share: 0,
            ..half
        };
        assert_eq!(
            evaluate(&none, &fw, Some(("eng", "one")), Some(&c)).status,
            Status::Ready
        );
    }

    #[test]
    fn no_check_in_top_of_track_and_no_position_are_explained() {
        let fw = framework();
        let r = evaluate(&rule(), &fw, Some(("eng", "one")), None);
        assert_eq!(r.status, Status::NoCheckIn);
        assert!(
            reason(&r, "check_in")
                .message
                .contains("Engineer I or Engineer II")
        );
        // A check-in against another level does not count.
        let old = checkin("three", &[("ownership", Meets)]);
        assert_eq!(
            evaluate(&rule(), &fw, Some(("eng", "one")), Some(&old)).status,
            Status::NoCheckIn
        );
        let top = evaluate(&rule(), &fw, Some(("eng", "three")), None);
        assert_eq!(top.status, Status::TopOfTrack);
        assert!(
            reason(&top, "top_of_track")
                .message
                .contains("Engineer III is the highest level of Engineering")
        );
        let none = evaluate(&rule(), &fw, None, None);
        assert_eq!(none.status, Status::NoPosition);
        assert!(!none.reasons.is_empty());
        let gone = evaluate(&rule(), &fw, Some(("sales", "one")), None);
        assert_eq!(gone.status, Status::NoPosition);
        assert!(
            reason(&gone, "position")
                .message
                .contains("not in the published framework")
        );
    }

    #[test]
    fn the_next_level_case_maps_every_level_to_the_one_above() {
        let case = next_level_case(&framework());
        assert!(
            case.contains("WHEN 'eng/one' THEN 'two'")
                && case.contains("WHEN 'eng/two' THEN 'three'")
        );
        assert!(!case.contains("'eng/three'"));
        assert_eq!(next_level_case(&Framework::default()), "NULL");
    }

    #[test]
    fn a_page_read_in_bulk_is_parsed_person_by_person() {
        let fw = framework();
        let ratings = r#"{"ownership":{"rating":"meets","comment":"a; b"},"craft":{"rating":"meets"},"teamwork":{"rating":"meets"},"mentoring":{"rating":"working_towards"}}"#;
        let us = FIELD_SEP;
        let none = format!("{us}{us}{us}");
        let page = format!(
            "5{us}eng{us}one{us}{us}{none}{us}9{us}two{us}40{us}{ratings}{RECORD_SEP}6{us}{us}{us}abc{us}{none}{us}{none}"
        );
        let records: Vec<Raw<'_>> = page
            .split(RECORD_SEP)
            .map(|r| parse_record(r).expect("a record"))
            .collect();
        assert_eq!(
            records,
            [
                Raw {
                    id: 5,
                    position: Some(("eng", "one")),
                    digest: "",
                    checkins: [
                        None,
                        Some(RawCheckIn {
                            id: 9,
                            level: "two",
                            agreed_at: 40,
                            ratings,
                        }),
                    ],
                },
                Raw {
                    id: 6,
                    position: None,
                    digest: "abc",
                    checkins: [None, None],
                },
            ]
        );
        assert!(parse_record("x").is_none() && parse_record("7\u{1f}eng").is_none());
        // Both are evaluated; both differ from what is stored, so both are written.
        let evaluated = evaluate_page(&HashMap::new(), &fw, &page, 100).expect("a page");
        assert_eq!(evaluated.people, 2);
        assert_eq!(evaluated.changed[0].status, Status::Ready);
        assert_eq!(evaluated.changed[1].status, Status::NoPosition);
        // Read again with the digests now stored, nothing has changed.
        let stored = format!(
            "5{us}eng{us}one{us}{}{us}{none}{us}9{us}two{us}40{us}{ratings}{RECORD_SEP}6{us}{us}{us}{}{us}{none}{us}{none}",
            evaluated.changed[0].digest, evaluated.changed[1].digest
        );
        let again = evaluate_page(&HashMap::new(), &fw, &stored, 200).expect("a page");
        assert_eq!((again.people, again.changed.len()), (2, 0));
        // A stricter rule changes the first person's result, and only theirs.
        let strict = HashMap::from([(
            "eng".to_owned(),
            Rule {
                next_level_share: 100,
                ..rule()
            },
        )]);
        let changed = evaluate_page(&strict, &fw, &stored, 300).expect("a page");
        assert_eq!(changed.changed.len(), 1);
        assert_eq!(changed.changed[0].person, 5);
        assert_eq!(changed.changed[0].status, Status::NotYet);
    }

    #[test]
    fn agreed_ratings_are_read_without_their_comments() {
        let json = r#"{"ownership":{"rating":"meets","comment":"Led the \"move\""},"mentoring":{"rating":"not_applicable","reason":"no juniors"}}"#;
        let ratings = parse_agreed(json);
        assert_eq!(ratings.get("ownership"), Some(&Meets));
        assert_eq!(ratings.get("mentoring"), Some(&NotApplicable));
        assert!(parse_agreed("not json").is_empty());
        assert_eq!(parse_agreed(json).len(), parse_ratings(json).len());
    }

    fn at(level: &str, id: i64, agreed_at: i64, ratings: &[(&str, Rating)]) -> AgreedCheckIn {
        AgreedCheckIn {
            id,
            agreed_at,
            ..checkin(level, ratings)
        }
    }

    #[test]
    fn the_latest_check_in_of_each_level_is_chosen_and_other_levels_never() {
        let old = at("one", 1, 100, &[]);
        let newer = at("one", 2, 200, &[]);
        let same_second = at("one", 3, 200, &[]);
        let next = at("two", 4, 50, &[]);
        let other = at("three", 5, 999, &[]);
        let all = [&old, &newer, &same_second, &next, &other];
        let basis = choose(all, "one", Some("two"));
        // The later agreed time wins; on the same second, the later check-in.
        assert_eq!(basis.current.map(|c| c.id), Some(3));
        assert_eq!(basis.next.map(|c| c.id), Some(4));
        // The order they come in does not matter.
        let reversed = choose(all.into_iter().rev(), "one", Some("two"));
        assert_eq!(reversed, basis);
        // A check-in against another level is never chosen.
        assert_eq!(choose([&other], "one", Some("two")), Basis::default());
        assert_eq!(choose([&next], "one", None), Basis::default());
    }

    #[test]
    fn a_check_in_against_the_next_level_does_not_overrule_one_against_the_current_level() {
        let fw = framework();
        // Agreed the same day: the current level's check-in says teamwork is working towards it.
        let current = at(
            "one",
            1,
            1_000,
            &[
                ("ownership", Meets),
                ("craft", Meets),
                ("teamwork", WorkingTowards),
            ],
        );
        let next = at(
            "two",
            2,
            1_000,
            &[
                ("ownership", Meets),
                ("craft", Meets),
                ("teamwork", WorkingTowards),
                ("mentoring", Meets),
            ],
        );
        let r = evaluate(&rule(), &fw, Some(("eng", "one")), [&next, &current]);
        assert_eq!(r.status, Status::NotYet);
        let cur = reason(&r, "current_level");
        assert!(!cur.met);
        assert_eq!(keys(cur), ["teamwork"]);
        assert_eq!(cur.checkin_id, Some(1));
        // The share is judged on the next level's check-in, and says so.
        let share = reason(&r, "next_level_share");
        assert!(share.met);
        assert_eq!(share.checkin_id, Some(2));
        assert_eq!(r.checkin_id, Some(2));
        // Alone, the next level's check-in would have made her ready, and the reason says on what.
        let alone = evaluate(&rule(), &fw, Some(("eng", "one")), [&next]);
        assert_eq!(alone.status, Status::Ready);
        let cur = reason(&alone, "current_level");
        assert_eq!(cur.checkin_id, Some(2));
        assert!(
            cur.message.contains(
                "Judged on the check-in against Engineer II, as none against Engineer I was agreed"
            ),
            "{}",
            cur.message
        );
        // A check-in against another level changes nothing.
        let other = at("three", 3, 9_000, &[("teamwork", Exceeds)]);
        assert_eq!(
            evaluate(
                &rule(),
                &fw,
                Some(("eng", "one")),
                [&next, &current, &other]
            ),
            r
        );
    }

    #[test]
    fn goal_titles_fit_the_title_limit() {
        assert_eq!(
            goal_title("Ownership", "Engineer II"),
            "Grow Ownership to Engineer II"
        );
        assert_eq!(goal_title(&"x".repeat(300), "II").chars().count(), 200);
    }
}
