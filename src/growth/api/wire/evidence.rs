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
