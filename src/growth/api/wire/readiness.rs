//! The JSON of readiness: a person's readiness with what it was judged on, their gap analysis to
//! a position, and the tracks' rules.

use serde::Serialize;
use utoipa::ToSchema;

use super::Position;
use crate::domain::Rating;
use crate::growth::readiness::{self as service, Readiness, Rule};

/// Where a rating in a gap analysis comes from.
#[derive(Serialize, ToSchema)]
pub struct RatingSource {
    pub checkin_id: i64,
    /// YYYY-MM-DD
    pub agreed_on: Option<String>,
    /// The check-in was against the analysed position itself; otherwise against another one
    /// whose expectations for this competency read the same.
    pub same_position: bool,
    /// The check-in's position, in words.
    pub position: Position,
}

impl From<service::RatingSource> for RatingSource {
    fn from(s: service::RatingSource) -> Self {
        RatingSource {
            checkin_id: s.checkin_id,
            agreed_on: s.agreed_on,
            same_position: s.same_position,
            position: s.position.into(),
        }
    }
}

/// One competency of the target position.
#[derive(Serialize, ToSchema)]
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

impl From<service::GapRow> for GapRow {
    fn from(r: service::GapRow) -> Self {
        GapRow {
            competency: r.competency,
            name: r.name,
            target: r.target,
            target_not_applicable: r.target_not_applicable,
            current: r.current,
            current_not_applicable: r.current_not_applicable,
            rating: r.rating,
            source: r.source.map(Into::into),
            gap: r.gap,
            goal_title: r.goal_title,
        }
    }
}

/// A person measured against a position, competency by competency.
#[derive(Serialize, ToSchema)]
pub struct GapAnalysis {
    pub person_id: i64,
    pub person_name: String,
    pub target: Position,
    pub current: Option<Position>,
    pub rows: Vec<GapRow>,
    /// How many rows are gaps.
    pub gaps: usize,
}

impl From<service::GapAnalysis> for GapAnalysis {
    fn from(a: service::GapAnalysis) -> Self {
        GapAnalysis {
            person_id: a.person_id,
            person_name: a.person_name,
            target: a.target.into(),
            current: a.current.map(Into::into),
            rows: a.rows.into_iter().map(Into::into).collect(),
            gaps: a.gaps,
        }
    }
}

/// A track's rule with what its form shows.
#[derive(Serialize, ToSchema)]
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

impl From<service::TrackRule> for TrackRule {
    fn from(r: service::TrackRule) -> Self {
        TrackRule {
            rule: r.rule,
            track_name: r.track_name,
            configured: r.configured,
            competencies: r.competencies,
            updated_at: r.updated_at,
        }
    }
}

/// The check-in a readiness was judged on.
#[derive(Serialize, ToSchema)]
pub struct JudgedCheckIn {
    pub id: i64,
    pub level: String,
    pub level_title: String,
    /// YYYY-MM-DD
    pub agreed_on: Option<String>,
    /// What was judged on it, in words: "the current level", "the next level" or both.
    pub judges: String,
}

impl From<service::JudgedCheckIn> for JudgedCheckIn {
    fn from(c: service::JudgedCheckIn) -> Self {
        JudgedCheckIn {
            id: c.id,
            level: c.level,
            level_title: c.level_title,
            agreed_on: c.agreed_on,
            judges: c.judges,
        }
    }
}

/// A person's readiness with the names its page shows.
#[derive(Serialize, ToSchema)]
pub struct PersonReadiness {
    pub person_id: i64,
    pub person_name: String,
    pub readiness: Readiness,
    pub position: Option<Position>,
    pub next_level_title: Option<String>,
    /// The rule of the person's track.
    pub rule: Option<Rule>,
    /// The check-in the next level was judged on, or else the one the current level was.
    pub checkin: Option<JudgedCheckIn>,
    /// Every check-in the result rests on (see [`choose`]), with what was judged on each.
    pub checkins: Vec<JudgedCheckIn>,
}

impl From<service::PersonReadiness> for PersonReadiness {
    fn from(r: service::PersonReadiness) -> Self {
        PersonReadiness {
            person_id: r.person_id,
            person_name: r.person_name,
            readiness: r.readiness,
            position: r.position.map(Into::into),
            next_level_title: r.next_level_title,
            rule: r.rule,
            checkin: r.checkin.map(Into::into),
            checkins: r.checkins.into_iter().map(Into::into).collect(),
        }
    }
}
