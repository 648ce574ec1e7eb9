//! Readiness: whether a person is ready for the next level of their track, by the rule of that
//! track, judged on their agreed check-ins. The answer is always explained: which competencies
//! block it and how far the share of the next level's competencies has come.
//!
//! The rule is pure and lives in `trellis_rules::readiness`: [`evaluate`] judges a person, and
//! [`choose`] is the one rule of which check-ins count (the current level is judged on the most
//! recent agreed check-in against the current level, and the next level on the most recent
//! agreed check-in against the next level; only when no check-in against the current level was
//! ever agreed is the current level judged on the next level's check-in; a check-in against any
//! other level is never used). This module keeps its results and its rules:
//!
//! - the result is stored per person (table `readiness`) and recomputed when a check-in is agreed
//!   ([`recompute_person`]), a position is recorded ([`recompute_people`]) or a rule changes; the
//!   whole organisation at once with [`recompute_all`] (`recompute`: the bulk pipeline, which
//!   reads people a page at a time (`page`: the page's format and its evaluation) and writes
//!   what changed (`store`));
//! - `rules`: each track's rule, set by admins;
//! - `person`: a person's readiness as their page shows it;
//! - `gaps`: a person measured against any position, competency by competency.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use trellis_framework::Framework;

use crate::db::Db;
use crate::domain::Rating;
use crate::error::AppResult;

mod gaps;
mod page;
mod person;
mod recompute;
mod rules;
mod store;

pub use gaps::{GapAnalysis, GapRow, RatingSource, gaps};
pub use person::{JudgedCheckIn, PersonReadiness, person_readiness};
pub use recompute::{recompute_all, recompute_people, recompute_person, recompute_recorded_since};
pub use rules::{RuleInput, TrackRule, reset_rule, rules, set_rule};
pub use trellis_rules::readiness::{
    AgreedCheckIn, Basis, DEFAULT_SHARE, Named, Readiness, Reason, Rule, Share, Status, choose,
    evaluate,
};

/// Reads the agreed ratings of a check-in keeping only the ratings (comments and reasons are
/// skipped without being copied); a column that does not parse reads as no ratings, as
/// [`parse_ratings`](crate::domain::parse_ratings) does.
pub fn parse_agreed(json: &str) -> BTreeMap<String, Rating> {
    #[derive(Deserialize)]
    struct Only {
        rating: Rating,
    }
    serde_json::from_str::<BTreeMap<String, Only>>(json)
        .map(|m| m.into_iter().map(|(k, v)| (k, v.rating)).collect())
        .unwrap_or_default()
}

/// The rules as stored, by track key.
async fn stored_rules(conn: &mut sqlx::AnyConnection) -> AppResult<HashMap<String, Rule>> {
    let rows = sqlx::query_as::<_, RuleRow>(
        "SELECT track_key, next_level_share, all_meet_current, required FROM readiness_rules",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        out.insert(
            r.track_key.clone(),
            Rule {
                track: r.track_key,
                next_level_share: u8::try_from(r.next_level_share.clamp(0, 100))
                    .unwrap_or(DEFAULT_SHARE),
                all_meet_current: r.all_meet_current != 0,
                required: serde_json::from_str(&r.required).unwrap_or_default(),
            },
        );
    }
    Ok(out)
}

/// A track's readiness rule as stored.
#[derive(sqlx::FromRow)]
struct RuleRow {
    track_key: String,
    next_level_share: i64,
    all_meet_current: i64,
    required: String,
}

/// A person's stored readiness, as [`READINESS_COLUMNS`] reads it.
#[derive(sqlx::FromRow)]
struct ReadinessRow {
    person_id: i64,
    status: String,
    track_key: Option<String>,
    level_key: Option<String>,
    next_level_key: Option<String>,
    checkin_id: Option<i64>,
    reasons: String,
    computed_at: i64,
}

impl From<ReadinessRow> for Readiness {
    fn from(r: ReadinessRow) -> Readiness {
        Readiness {
            status: Status::parse(&r.status).unwrap_or(Status::NoPosition),
            track: r.track_key,
            level: r.level_key,
            next_level: r.next_level_key,
            checkin_id: r.checkin_id,
            reasons: serde_json::from_str(&r.reasons).unwrap_or_default(),
            computed_at: r.computed_at,
        }
    }
}

const READINESS_COLUMNS: &str =
    "person_id, status, track_key, level_key, next_level_key, checkin_id, reasons, computed_at";

/// A person's stored readiness; `None` when it was never computed.
///
/// No policy check: the caller has checked that the actor may see this person's private records
/// and that the Grow features are open to them.
pub async fn of_person(db: &Db, person: i64) -> AppResult<Option<Readiness>> {
    let row = sqlx::query_as::<_, ReadinessRow>(&format!(
        "SELECT {READINESS_COLUMNS} FROM readiness WHERE person_id = $1"
    ))
    .bind(person)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(Readiness::from))
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
        for row in sqlx::query_as::<_, ReadinessRow>(&format!(
            "SELECT {READINESS_COLUMNS} FROM readiness WHERE person_id IN ({ids})"
        ))
        .fetch_all(db.pool())
        .await?
        {
            out.insert(row.person_id, row.into());
        }
    }
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_ratings;
    use trellis_rules::Rating::{Meets, NotApplicable};

    #[test]
    fn the_next_level_case_maps_every_level_to_the_one_above() {
        let case = next_level_case(&page::tests::framework());
        assert!(
            case.contains("WHEN 'eng/one' THEN 'two'")
                && case.contains("WHEN 'eng/two' THEN 'three'")
        );
        assert!(!case.contains("'eng/three'"));
        assert_eq!(next_level_case(&Framework::default()), "NULL");
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
}
