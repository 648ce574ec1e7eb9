//! Evidence: notes and links (a document, a pull request, a piece of feedback) that a person
//! attaches to competencies of their track, to support their check-ins. Evidence is private like
//! the rest of a person's growth: the person, their management chain and admins see it. A manager
//! in the chain can confirm an item; the owner can also ask one colleague to confirm one item,
//! which lets that colleague (and nobody else outside the chain) see it.

use serde::Serialize;
use trellis_framework::Framework;

use crate::error::{AppError, FieldError};

mod confirmations;
mod detail;
mod input;
mod items;
mod list;
mod writing;

pub use confirmations::{Colleague, ask, confirm, decline, unconfirm, withdraw_request};
pub use detail::{Abilities, AskedItem, ConfirmationRequest, EvidenceDetail, asked_of_me, get};
pub use input::{EvidenceInput, check_url};
pub use items::for_competencies;
pub use list::{CompetencyChoice, EvidenceList, list};
pub use writing::{add, remove, update};

/// The longest title.
pub const TITLE_MAX: usize = 200;
/// The longest note or comment.
pub const TEXT_MAX: usize = 20_000;
/// The longest link.
pub const URL_MAX: usize = 2_000;

/// What an evidence item is.
pub const KINDS: [(&str, &str); 5] = [
    ("note", "Note"),
    ("document", "Document"),
    ("pull_request", "Pull request"),
    ("feedback", "Feedback"),
    ("other", "Other"),
];

/// The words people read for a kind.
pub fn kind_label(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("Other", |(_, label)| label)
}

/// Someone who confirmed an evidence item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Confirmation {
    pub user_id: i64,
    pub name: String,
    pub comment: Option<String>,
    /// Unix seconds.
    pub confirmed_at: i64,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

fn competency_name(fw: Option<&Framework>, key: &str) -> String {
    fw.and_then(|f| f.competency(key))
        .map_or_else(|| key.to_owned(), |c| c.name.clone())
}

/// The competency keys of a person's track in the published framework, in the track's order.
fn track_competencies(fw: Option<&Framework>, track: Option<&str>) -> Vec<String> {
    fw.zip(track)
        .and_then(|(f, t)| f.track(t))
        .map(|t| t.competencies.iter().map(|k| k.to_string()).collect())
        .unwrap_or_default()
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

fn invalid(errors: Vec<FieldError>) -> AppError {
    AppError::invalid_fields(errors, "the evidence is not valid")
}
