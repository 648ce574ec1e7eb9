//! The JSON of nominations: a nomination with its case, the list, and what a nomination and a
//! decision send.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Position;
use super::evidence::EvidenceItem;
use super::one_on_ones::PersonRef;
use crate::domain::{PositionKind, Rating};
use crate::growth::nominations as service;

/// Where a nomination stands.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NominationStatus {
    /// Waiting for the People team.
    Pending,
    /// Approved: the position is recorded.
    Approved,
    Declined,
    /// Taken back by the nominator before a decision.
    Withdrawn,
}

impl From<service::NominationStatus> for NominationStatus {
    fn from(status: service::NominationStatus) -> Self {
        match status {
            service::NominationStatus::Pending => NominationStatus::Pending,
            service::NominationStatus::Approved => NominationStatus::Approved,
            service::NominationStatus::Declined => NominationStatus::Declined,
            service::NominationStatus::Withdrawn => NominationStatus::Withdrawn,
        }
    }
}

/// One competency of the check-in pulled into a case, with its agreed rating.
#[derive(Serialize, ToSchema)]
pub struct RatedCompetency {
    pub key: String,
    pub name: String,
    /// `None` when the check-in has no agreed rating for it.
    pub rating: Option<Rating>,
}

impl From<service::RatedCompetency> for RatedCompetency {
    fn from(r: service::RatedCompetency) -> Self {
        RatedCompetency {
            key: r.key,
            name: r.name,
            rating: r.rating,
        }
    }
}

/// The agreed check-in a case stands on.
#[derive(Serialize, ToSchema)]
pub struct CheckinCase {
    pub id: i64,
    /// The position the check-in rated against.
    pub target: Position,
    /// `YYYY-MM-DD`.
    pub agreed_on: Option<String>,
    /// In the order of the track's competencies.
    pub ratings: Vec<RatedCompetency>,
    /// Competencies rated meets or exceeds.
    pub meeting: usize,
    /// Competencies rated on the scale (not applicable left out).
    pub rated: usize,
}

impl From<service::CheckinCase> for CheckinCase {
    fn from(c: service::CheckinCase) -> Self {
        CheckinCase {
            id: c.id,
            target: c.target.into(),
            agreed_on: c.agreed_on,
            ratings: c.ratings.into_iter().map(Into::into).collect(),
            meeting: c.meeting,
            rated: c.rated,
        }
    }
}

/// Evidence for one competency of the nominated position's track.
#[derive(Serialize, ToSchema)]
pub struct CompetencyEvidence {
    pub key: String,
    pub name: String,
    pub items: Vec<EvidenceItem>,
}

impl From<service::CompetencyEvidence> for CompetencyEvidence {
    fn from(c: service::CompetencyEvidence) -> Self {
        CompetencyEvidence {
            key: c.key,
            name: c.name,
            items: c.items.into_iter().map(Into::into).collect(),
        }
    }
}

/// A nomination with its case, as its page and the API show it.
#[derive(Serialize, ToSchema)]
pub struct Nomination {
    pub id: i64,
    pub person: PersonRef,
    pub nominated_by: Option<PersonRef>,
    /// The position held when nominated.
    pub from: Option<Position>,
    pub to: Position,
    pub kind: PositionKind,
    /// Markdown.
    pub case_text: String,
    pub status: NominationStatus,
    /// The latest agreed check-in when the nomination was made.
    pub checkin: Option<CheckinCase>,
    /// The person's evidence for the competencies of the nominated track.
    pub evidence: Vec<CompetencyEvidence>,
    pub decided_by: Option<PersonRef>,
    /// Unix seconds.
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
    /// Proposed, then (once approved) the date the position was recorded from; `YYYY-MM-DD`.
    pub effective_on: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// The viewer may approve or decline it now.
    pub can_decide: bool,
    /// The viewer may withdraw it now.
    pub can_withdraw: bool,
}

impl From<service::Nomination> for Nomination {
    fn from(n: service::Nomination) -> Self {
        Nomination {
            id: n.id,
            person: n.person.into(),
            nominated_by: n.nominated_by.map(Into::into),
            from: n.from.map(Into::into),
            to: n.to.into(),
            kind: n.kind,
            case_text: n.case_text,
            status: n.status.into(),
            checkin: n.checkin.map(Into::into),
            evidence: n.evidence.into_iter().map(Into::into).collect(),
            decided_by: n.decided_by.map(Into::into),
            decided_at: n.decided_at,
            decision_note: n.decision_note,
            effective_on: n.effective_on,
            created_at: n.created_at,
            can_decide: n.can_decide,
            can_withdraw: n.can_withdraw,
        }
    }
}

/// A line of the nominations list.
#[derive(Serialize, ToSchema)]
pub struct NominationSummary {
    pub id: i64,
    pub person: PersonRef,
    pub to: Position,
    pub kind: PositionKind,
    pub status: NominationStatus,
    pub nominated_by: Option<PersonRef>,
    /// Unix seconds.
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub effective_on: Option<String>,
}

impl From<service::NominationSummary> for NominationSummary {
    fn from(n: service::NominationSummary) -> Self {
        NominationSummary {
            id: n.id,
            person: n.person.into(),
            to: n.to.into(),
            kind: n.kind,
            status: n.status.into(),
            nominated_by: n.nominated_by.map(Into::into),
            created_at: n.created_at,
            decided_at: n.decided_at,
            effective_on: n.effective_on,
        }
    }
}

/// The nominations a viewer may see.
#[derive(Serialize, ToSchema)]
pub struct NominationList {
    pub nominations: Vec<NominationSummary>,
    /// The status shown, or every status.
    pub status: Option<NominationStatus>,
    /// The viewer decides on nominations (the People team's queue).
    pub deciding: bool,
    /// More nominations match than the list shows (the newest [`LIST_LIMIT`]).
    pub truncated: bool,
}

impl From<service::NominationList> for NominationList {
    fn from(l: service::NominationList) -> Self {
        NominationList {
            nominations: l.nominations.into_iter().map(Into::into).collect(),
            status: l.status.map(Into::into),
            deciding: l.deciding,
            truncated: l.truncated,
        }
    }
}

/// A nomination as typed, before checking.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NominationInput {
    /// Track key or name.
    pub track: String,
    /// Level key or title.
    pub level: String,
    /// Why, in markdown.
    pub case_text: String,
    /// The date proposed for the new position, `YYYY-MM-DD`; optional.
    pub effective_on: String,
}

impl From<NominationInput> for service::NominationInput {
    fn from(n: NominationInput) -> Self {
        service::NominationInput {
            track: n.track,
            level: n.level,
            case_text: n.case_text,
            effective_on: n.effective_on,
        }
    }
}

/// A decision as typed, before checking.
#[derive(Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionInput {
    /// `approve` or `decline`.
    pub decision: String,
    /// Required to decline: the nominator reads why.
    pub note: String,
    /// The date the new position takes effect, `YYYY-MM-DD`; the proposed date (or today) when
    /// empty.
    pub effective_on: String,
}

impl From<DecisionInput> for service::DecisionInput {
    fn from(d: DecisionInput) -> Self {
        service::DecisionInput {
            decision: d.decision,
            note: d.note,
            effective_on: d.effective_on,
        }
    }
}
