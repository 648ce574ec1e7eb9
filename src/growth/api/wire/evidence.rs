//! The JSON of evidence: items, their confirmations, and the lists and pages that show them.

use serde::Serialize;
use utoipa::ToSchema;

use crate::growth::evidence as service;

/// Someone who confirmed an evidence item.
#[derive(Serialize, ToSchema)]
pub struct Confirmation {
    pub user_id: i64,
    pub name: String,
    pub comment: Option<String>,
    /// Unix seconds.
    pub confirmed_at: i64,
}

impl From<service::Confirmation> for Confirmation {
    fn from(c: service::Confirmation) -> Self {
        Confirmation {
            user_id: c.user_id,
            name: c.name,
            comment: c.comment,
            confirmed_at: c.confirmed_at,
        }
    }
}

/// One piece of evidence.
#[derive(Serialize, ToSchema)]
pub struct EvidenceItem {
    pub id: i64,
    /// Whose evidence it is.
    pub person_id: i64,
    /// `note`, `document`, `pull_request`, `feedback` or `other`.
    pub kind: String,
    pub title: String,
    /// An http or https link.
    pub url: Option<String>,
    /// Markdown.
    pub note: Option<String>,
    /// The day it happened, `YYYY-MM-DD`.
    pub happened_on: Option<String>,
    /// The competency keys it supports.
    pub competencies: Vec<String>,
    pub confirmations: Vec<Confirmation>,
    /// Who added it (the person or someone in their chain); only they change or remove it.
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

impl From<service::EvidenceItem> for EvidenceItem {
    fn from(e: service::EvidenceItem) -> Self {
        EvidenceItem {
            id: e.id,
            person_id: e.person_id,
            kind: e.kind,
            title: e.title,
            url: e.url,
            note: e.note,
            happened_on: e.happened_on,
            competencies: e.competencies,
            confirmations: e.confirmations.into_iter().map(Into::into).collect(),
            author_id: e.author_id,
            author_name: e.author_name,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// A competency a person can attach evidence to.
#[derive(Serialize, ToSchema)]
pub struct CompetencyChoice {
    pub key: String,
    pub name: String,
    /// How many of the person's items support it.
    pub items: usize,
}

impl From<service::CompetencyChoice> for CompetencyChoice {
    fn from(c: service::CompetencyChoice) -> Self {
        CompetencyChoice {
            key: c.key,
            name: c.name,
            items: c.items,
        }
    }
}

/// A person's evidence, for their evidence page.
#[derive(Serialize, ToSchema)]
pub struct EvidenceList {
    pub person_id: i64,
    pub person_name: String,
    /// The competency the list is filtered by.
    pub competency: Option<String>,
    /// Newest first (by the day it happened, then as added).
    pub items: Vec<EvidenceItem>,
    /// The competencies of the person's track, then any other their items use.
    pub competencies: Vec<CompetencyChoice>,
    /// The actor may add evidence here (the person or their chain).
    pub can_add: bool,
}

impl From<service::EvidenceList> for EvidenceList {
    fn from(l: service::EvidenceList) -> Self {
        EvidenceList {
            person_id: l.person_id,
            person_name: l.person_name,
            competency: l.competency,
            items: l.items.into_iter().map(Into::into).collect(),
            competencies: l.competencies.into_iter().map(Into::into).collect(),
            can_add: l.can_add,
        }
    }
}

/// A colleague asked to confirm an item, and their answer.
#[derive(Serialize, ToSchema)]
pub struct ConfirmationRequest {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    /// `pending`, `confirmed` or `declined`.
    pub status: String,
    /// Unix seconds.
    pub asked_at: i64,
    pub answered_at: Option<i64>,
}

impl From<service::ConfirmationRequest> for ConfirmationRequest {
    fn from(r: service::ConfirmationRequest) -> Self {
        ConfirmationRequest {
            user_id: r.user_id,
            name: r.name,
            email: r.email,
            status: r.status,
            asked_at: r.asked_at,
            answered_at: r.answered_at,
        }
    }
}

/// What the actor may do with an item.
#[derive(Serialize, ToSchema)]
pub struct Abilities {
    /// Change or remove it: its author.
    pub edit: bool,
    /// Confirm it: a manager in the chain, or a colleague asked to.
    pub confirm: bool,
    /// Withdraw their own confirmation.
    pub unconfirm: bool,
    /// Decline a request to confirm it: the colleague asked, while the request is open.
    pub decline: bool,
    /// Ask a colleague to confirm it: the person whose evidence it is.
    pub ask: bool,
}

impl From<service::Abilities> for Abilities {
    fn from(a: service::Abilities) -> Self {
        Abilities {
            edit: a.edit,
            confirm: a.confirm,
            unconfirm: a.unconfirm,
            decline: a.decline,
            ask: a.ask,
        }
    }
}

/// One evidence item with everything its page shows.
#[derive(Serialize, ToSchema)]
pub struct EvidenceDetail {
    pub item: EvidenceItem,
    pub person_name: String,
    /// The item's competencies with their names.
    pub competency_names: Vec<(String, String)>,
    /// The competencies the item may be attached to (the person's track, and those it has).
    pub choices: Vec<(String, String)>,
    /// The colleagues asked to confirm it; for the person, their chain and admins. A colleague
    /// who was asked sees only their own request.
    pub requests: Vec<ConfirmationRequest>,
    pub may: Abilities,
    /// The actor sees the item only because they were asked to confirm it.
    pub asked_only: bool,
}

impl From<service::EvidenceDetail> for EvidenceDetail {
    fn from(d: service::EvidenceDetail) -> Self {
        EvidenceDetail {
            item: d.item.into(),
            person_name: d.person_name,
            competency_names: d.competency_names,
            choices: d.choices,
            requests: d.requests.into_iter().map(Into::into).collect(),
            may: d.may.into(),
            asked_only: d.asked_only,
        }
    }
}

/// An item waiting for the actor's answer, or one they answered.
#[derive(Serialize, ToSchema)]
pub struct AskedItem {
    pub evidence_id: i64,
    pub title: String,
    pub person_id: i64,
    pub person_name: String,
    /// `pending` or `confirmed`.
    pub status: String,
    /// Unix seconds.
    pub asked_at: i64,
}

impl From<service::AskedItem> for AskedItem {
    fn from(a: service::AskedItem) -> Self {
        AskedItem {
            evidence_id: a.evidence_id,
            title: a.title,
            person_id: a.person_id,
            person_name: a.person_name,
            status: a.status,
            asked_at: a.asked_at,
        }
    }
}
