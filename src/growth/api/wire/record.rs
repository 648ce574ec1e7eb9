//! The JSON of a person's growth record: everything about their growth in one document.

use serde::Serialize;
use utoipa::ToSchema;

use super::evidence::EvidenceItem;
use super::nominations::NominationStatus;
use super::one_on_ones::{ActionItem, MeetingStatus, TalkingPoint};
use super::plans::{self, GoalStatus};
use super::{HistoryEntry, Position};
use crate::domain::RatingEntry;
use crate::growth::checkins::CheckinStatus;
use crate::growth::readiness::Readiness;
use crate::growth::record as service;

/// Whose record it is.
#[derive(Serialize, ToSchema)]
pub struct RecordPerson {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub team: Option<String>,
    pub manager: Option<String>,
    pub position: Option<Position>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
}

impl From<service::RecordPerson> for RecordPerson {
    fn from(p: service::RecordPerson) -> Self {
        RecordPerson {
            id: p.id,
            name: p.name,
            email: p.email,
            team: p.team,
            manager: p.manager,
            position: p.position.map(Into::into),
            history: p.history.into_iter().map(Into::into).collect(),
        }
    }
}

/// One competency of a check-in with each side's rating, as far as the requester may see it.
#[derive(Serialize, ToSchema)]
pub struct RecordRating {
    pub key: String,
    pub name: String,
    #[serde(rename = "self")]
    pub self_rating: Option<RatingEntry>,
    pub manager: Option<RatingEntry>,
    pub agreed: Option<RatingEntry>,
}

impl From<service::RecordRating> for RecordRating {
    fn from(r: service::RecordRating) -> Self {
        RecordRating {
            key: r.key,
            name: r.name,
            self_rating: r.self_rating,
            manager: r.manager,
            agreed: r.agreed,
        }
    }
}

/// A check-in of the record.
#[derive(Serialize, ToSchema)]
pub struct RecordCheckin {
    pub id: i64,
    pub target: Position,
    pub version_number: i64,
    pub status: CheckinStatus,
    /// Unix seconds.
    pub started_at: i64,
    pub started_by: Option<String>,
    pub manager: Option<String>,
    /// `YYYY-MM-DD`.
    pub agreed_on: Option<String>,
    /// The self-rating is in the record (hidden from others until both sides shared).
    pub self_shown: bool,
    /// The manager's rating is in the record (hidden from the person until both sides shared).
    pub manager_shown: bool,
    pub ratings: Vec<RecordRating>,
}

impl From<service::RecordCheckin> for RecordCheckin {
    fn from(c: service::RecordCheckin) -> Self {
        RecordCheckin {
            id: c.id,
            target: c.target.into(),
            version_number: c.version_number,
            status: c.status,
            started_at: c.started_at,
            started_by: c.started_by,
            manager: c.manager,
            agreed_on: c.agreed_on,
            self_shown: c.self_shown,
            manager_shown: c.manager_shown,
            ratings: c.ratings.into_iter().map(Into::into).collect(),
        }
    }
}

/// An action of a goal.
#[derive(Serialize, ToSchema)]
pub struct RecordAction {
    pub title: String,
    pub due_on: Option<String>,
    /// Unix seconds.
    pub done_at: Option<i64>,
}

impl From<service::RecordAction> for RecordAction {
    fn from(a: service::RecordAction) -> Self {
        RecordAction {
            title: a.title,
            due_on: a.due_on,
            done_at: a.done_at,
        }
    }
}

/// A note on a goal.
#[derive(Serialize, ToSchema)]
pub struct RecordNote {
    /// `progress` (by the person) or `comment` (by their chain).
    pub kind: plans::NoteKind,
    pub author: Option<String>,
    /// Markdown.
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
}

impl From<service::RecordNote> for RecordNote {
    fn from(n: service::RecordNote) -> Self {
        RecordNote {
            kind: n.kind.into(),
            author: n.author,
            body: n.body,
            created_at: n.created_at,
        }
    }
}

/// A goal of the development plan.
#[derive(Serialize, ToSchema)]
pub struct RecordGoal {
    pub id: i64,
    pub title: String,
    /// Markdown.
    pub description: Option<String>,
    pub status: GoalStatus,
    pub due_on: Option<String>,
    /// Competency names.
    pub competencies: Vec<String>,
    pub target: Option<Position>,
    pub proposed_by: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub completed_at: Option<i64>,
    pub actions: Vec<RecordAction>,
    pub notes: Vec<RecordNote>,
}

impl From<service::RecordGoal> for RecordGoal {
    fn from(g: service::RecordGoal) -> Self {
        RecordGoal {
            id: g.id,
            title: g.title,
            description: g.description,
            status: g.status.into(),
            due_on: g.due_on,
            competencies: g.competencies,
            target: g.target.map(Into::into),
            proposed_by: g.proposed_by,
            created_at: g.created_at,
            completed_at: g.completed_at,
            actions: g.actions.into_iter().map(Into::into).collect(),
            notes: g.notes.into_iter().map(Into::into).collect(),
        }
    }
}

/// A 1:1 meeting.
#[derive(Serialize, ToSchema)]
pub struct RecordMeeting {
    pub id: i64,
    /// `YYYY-MM-DD`.
    pub scheduled_on: String,
    pub status: MeetingStatus,
    /// The shared agenda.
    pub agenda: Vec<TalkingPoint>,
    /// Markdown, written by both participants.
    pub shared_notes: String,
    /// Added in this meeting or carried over to it.
    pub action_items: Vec<ActionItem>,
    /// The requester's own private note on this meeting, when they wrote one; nobody else's.
    pub my_private_note: Option<String>,
}

impl From<service::RecordMeeting> for RecordMeeting {
    fn from(m: service::RecordMeeting) -> Self {
        RecordMeeting {
            id: m.id,
            scheduled_on: m.scheduled_on,
            status: m.status.into(),
            agenda: m.agenda.into_iter().map(Into::into).collect(),
            shared_notes: m.shared_notes,
            action_items: m.action_items.into_iter().map(Into::into).collect(),
            my_private_note: m.my_private_note,
        }
    }
}

/// A 1:1 series of the person with a manager.
#[derive(Serialize, ToSchema)]
pub struct RecordSeries {
    pub id: i64,
    pub manager: String,
    pub report: String,
    pub cadence_days: i64,
    /// Oldest first; the upcoming meeting last.
    pub meetings: Vec<RecordMeeting>,
}

impl From<service::RecordSeries> for RecordSeries {
    fn from(s: service::RecordSeries) -> Self {
        RecordSeries {
            id: s.id,
            manager: s.manager,
            report: s.report,
            cadence_days: s.cadence_days,
            meetings: s.meetings.into_iter().map(Into::into).collect(),
        }
    }
}

/// A nomination: a promotion or move proposed, where it stands, and its case.
#[derive(Serialize, ToSchema)]
pub struct RecordPromotion {
    pub id: i64,
    pub to: Position,
    pub kind: crate::domain::PositionKind,
    pub status: NominationStatus,
    /// Markdown.
    pub case_text: String,
    pub effective_on: Option<String>,
    /// Unix seconds.
    pub decided_at: Option<i64>,
}

impl From<service::RecordPromotion> for RecordPromotion {
    fn from(p: service::RecordPromotion) -> Self {
        RecordPromotion {
            id: p.id,
            to: p.to.into(),
            kind: p.kind,
            status: p.status.into(),
            case_text: p.case_text,
            effective_on: p.effective_on,
            decided_at: p.decided_at,
        }
    }
}

/// The whole record.
#[derive(Serialize, ToSchema)]
pub struct GrowthRecord {
    pub format: i64,
    /// Unix seconds.
    pub exported_at: i64,
    /// Who asked for the export.
    pub exported_by: String,
    pub person: RecordPerson,
    pub readiness: Option<Readiness>,
    /// Newest first.
    pub checkins: Vec<RecordCheckin>,
    /// Newest first.
    pub evidence: Vec<EvidenceItem>,
    /// Active goals first.
    pub goals: Vec<RecordGoal>,
    pub one_on_ones: Vec<RecordSeries>,
    /// The nominations the requester may see (the person themselves: the approved ones), newest
    /// first.
    pub promotions: Vec<RecordPromotion>,
}

impl From<service::GrowthRecord> for GrowthRecord {
    fn from(r: service::GrowthRecord) -> Self {
        GrowthRecord {
            format: r.format,
            exported_at: r.exported_at,
            exported_by: r.exported_by,
            person: r.person.into(),
            readiness: r.readiness,
            checkins: r.checkins.into_iter().map(Into::into).collect(),
            evidence: r.evidence.into_iter().map(Into::into).collect(),
            goals: r.goals.into_iter().map(Into::into).collect(),
            one_on_ones: r.one_on_ones.into_iter().map(Into::into).collect(),
            promotions: r.promotions.into_iter().map(Into::into).collect(),
        }
    }
}
