//! The JSON of check-ins: a check-in as its viewer may see it, and a person's list of them.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::Position;
use super::evidence::EvidenceItem;
use crate::domain::Ratings;
use crate::growth::checkins::{self as service, CheckinActions, CheckinStatus, Side};

/// A competency of the check-in's track, as the pinned version describes it.
#[derive(Serialize, ToSchema)]
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

impl From<service::CheckinCompetency> for CheckinCompetency {
    fn from(c: service::CheckinCompetency) -> Self {
        CheckinCompetency {
            key: c.key,
            name: c.name,
            category: c.category,
            description: c.description,
            expectations: c.expectations,
            not_applicable_at_level: c.not_applicable_at_level,
        }
    }
}

/// One event of a check-in's audit trail.
#[derive(Serialize, ToSchema)]
pub struct TrailEvent {
    /// Seconds since the Unix epoch.
    pub at: i64,
    /// Who did it: a name, or the label of a token.
    pub who: String,
    pub action: String,
    pub summary: String,
}

impl From<service::TrailEvent> for TrailEvent {
    fn from(e: service::TrailEvent) -> Self {
        TrailEvent {
            at: e.at,
            who: e.who,
            action: e.action,
            summary: e.summary,
        }
    }
}

/// A check-in as the viewer may see it.
#[derive(Serialize, ToSchema)]
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

impl From<service::Checkin> for Checkin {
    fn from(c: service::Checkin) -> Self {
        Checkin {
            id: c.id,
            person_id: c.person_id,
            person_name: c.person_name,
            target: c.target.into(),
            version_number: c.version_number,
            newer_version: c.newer_version,
            status: c.status,
            started_by: c.started_by,
            started_by_name: c.started_by_name,
            started_at: c.started_at,
            manager_id: c.manager_id,
            manager_name: c.manager_name,
            self_shared_at: c.self_shared_at,
            manager_shared_at: c.manager_shared_at,
            self_confirmed_at: c.self_confirmed_at,
            manager_confirmed_at: c.manager_confirmed_at,
            manager_confirmed_by_name: c.manager_confirmed_by_name,
            agreed_at: c.agreed_at,
            agreed_on: c.agreed_on,
            cancelled_at: c.cancelled_at,
            your_side: c.your_side,
            self_ratings: c.self_ratings,
            manager_ratings: c.manager_ratings,
            agreed_ratings: c.agreed_ratings,
            competencies: c.competencies.into_iter().map(Into::into).collect(),
            evidence: c
                .evidence
                .into_iter()
                .map(|(key, items)| (key, items.into_iter().map(Into::into).collect()))
                .collect(),
            actions: c.actions,
            trail: c.trail.into_iter().map(Into::into).collect(),
        }
    }
}

/// One check-in in a person's list.
#[derive(Serialize, ToSchema)]
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

impl From<service::CheckinListItem> for CheckinListItem {
    fn from(c: service::CheckinListItem) -> Self {
        CheckinListItem {
            id: c.id,
            target: c.target.into(),
            version_number: c.version_number,
            status: c.status,
            started_at: c.started_at,
            started_by_name: c.started_by_name,
            agreed_on: c.agreed_on,
        }
    }
}
