//! Gap analysis: a person measured against any position of the published framework, competency
//! by competency, with the latest agreed rating that speaks to each.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use trellis_framework::{Framework, Key, Level, Track};

use super::Named;
use super::person::require_visible;
use crate::architecture::framework::{self, Revision, Snapshot};
use crate::auth::Actor;
use crate::domain::{Rating, parse_ratings};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Where a rating in a gap analysis comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone)]
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
    ratings: crate::domain::Ratings,
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
fn cell<'a>(level: &'a Level, key: &Key) -> Option<&'a [String]> {
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
    let (target_track, target_level) = target(fw, track.trim(), level.trim())?;
    let db = state.db();
    let (current_track, current_level): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT track_key, level_key FROM users WHERE id = $1")
            .bind(person)
            .fetch_one(db.pool())
            .await?;
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
    let past = past_checkins(state, person).await?;
    let ratings = AgreedRatings {
        fw,
        versions: pinned_versions(state, actor, &past).await,
        past,
        target: (target_track, target_level),
    };
    let rows: Vec<GapRow> = target_track
        .competencies
        .iter()
        .map(|key| ratings.row(key, current_cells))
        .collect();
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

/// The track and level of the target position, by key; a field error when either is not in the
/// published framework.
fn target<'f>(fw: &'f Framework, track: &str, level: &str) -> AppResult<(&'f Track, &'f Level)> {
    let target_track = fw.track(track).ok_or_else(|| {
        AppError::invalid_field(
            "track",
            format!("“{track}” is not a track of the published framework"),
        )
    })?;
    let target_level = target_track.level(level).ok_or_else(|| {
        AppError::invalid_field(
            "level",
            format!(
                "“{level}” is not a level of the {} track",
                target_track.name
            ),
        )
    })?;
    Ok((target_track, target_level))
}

/// The person's agreed check-ins, the most recently agreed first.
async fn past_checkins(state: &AppState, person: i64) -> AppResult<Vec<PastCheckIn>> {
    Ok(sqlx::query_as::<_, PastRow>(
        "SELECT id, track_key, level_key, version_number, agreed_on, agreed_ratings FROM checkins \
         WHERE person_id = $1 AND status = 'agreed' ORDER BY agreed_at DESC, id DESC",
    )
    .bind(person)
    .fetch_all(state.db().pool())
    .await?
    .into_iter()
    .map(|r| PastCheckIn {
        id: r.id,
        track: r.track_key,
        level: r.level_key,
        version: r.version_number,
        agreed_on: r.agreed_on,
        ratings: parse_ratings(&r.agreed_ratings),
    })
    .collect())
}

/// An agreed check-in as [`past_checkins`] reads it.
#[derive(sqlx::FromRow)]
struct PastRow {
    id: i64,
    track_key: String,
    level_key: String,
    version_number: i64,
    agreed_on: Option<String>,
    agreed_ratings: String,
}

/// The framework version each check-in was pinned to, read once per version (`None` when it
/// cannot be read).
async fn pinned_versions(
    state: &AppState,
    actor: &Actor,
    past: &[PastCheckIn],
) -> HashMap<i64, Option<Arc<Snapshot>>> {
    let mut versions = HashMap::new();
    for c in past {
        if let Entry::Vacant(e) = versions.entry(c.version) {
            let snap = framework::framework_at(state, actor, Revision::Version(c.version))
                .await
                .ok();
            e.insert(snap);
        }
    }
    versions
}

/// The agreed ratings a gap analysis looks through, for one target position.
struct AgreedRatings<'a> {
    fw: &'a Framework,
    past: Vec<PastCheckIn>,
    versions: HashMap<i64, Option<Arc<Snapshot>>>,
    target: (&'a Track, &'a Level),
}

impl AgreedRatings<'_> {
    /// The check-in was against the target position itself.
    fn same_target(&self, c: &PastCheckIn) -> bool {
        c.track == self.target.0.key.as_str() && c.level == self.target.1.key.as_str()
    }

    fn source(&self, c: &PastCheckIn, same: bool) -> RatingSource {
        RatingSource {
            checkin_id: c.id,
            agreed_on: c.agreed_on.clone(),
            same_position: same,
            position: crate::people::directory::position_names(Some(self.fw), &c.track, &c.level),
        }
    }

    /// The latest agreed rating of `key` that speaks to the target's expectations (`bullets`):
    /// from a check-in against the target, or else from one whose level, in the version it was
    /// pinned to, words them the same.
    fn speaking_to(&self, key: &Key, bullets: &[String]) -> Option<(Rating, RatingSource)> {
        let same = self
            .past
            .iter()
            .filter(|c| self.same_target(c))
            .find_map(|c| {
                c.ratings
                    .get(key.as_str())
                    .map(|e| (e.rating, self.source(c, true)))
            });
        same.or_else(|| {
            self.past
                .iter()
                .filter(|c| !self.same_target(c))
                .find_map(|c| {
                    let entry = c.ratings.get(key.as_str())?;
                    let pinned = self.versions.get(&c.version).and_then(Option::as_ref);
                    let then = pinned.map_or(self.fw, |s| &s.framework);
                    let words = then
                        .track(&c.track)?
                        .level(&c.level)
                        .and_then(|l| cell(l, key))?;
                    (words == bullets).then(|| (entry.rating, self.source(c, false)))
                })
        })
    }

    /// The row of one competency of the target track; `current` is the person's current track
    /// and level, when the framework has them.
    fn row(&self, key: &Key, current: Option<(&Track, &Level)>) -> GapRow {
        let (_, target_level) = self.target;
        let name = Named::of(self.fw, key.as_str(), None).name;
        let target = cell(target_level, key);
        let found = target.and_then(|bullets| self.speaking_to(key, bullets));
        let rating = found.as_ref().map(|(r, _)| *r);
        let gap = target.is_some()
            && !matches!(rating, Some(r) if r.meets() || r == Rating::NotApplicable);
        let (current, current_not_applicable) = match current {
            Some((t, l)) if t.competencies.contains(key) => match cell(l, key) {
                Some(b) => (Some(b.to_vec()), false),
                None => (None, true),
            },
            _ => (None, false),
        };
        GapRow {
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goal_titles_fit_the_title_limit() {
        assert_eq!(
            goal_title("Ownership", "Engineer II"),
            "Grow Ownership to Engineer II"
        );
        assert_eq!(goal_title(&"x".repeat(300), "II").chars().count(), 200);
    }
}
