//! The JSON this area's API sends: each type a copy of the service type it is made from, with the
//! same name, fields and descriptions, so that the OpenAPI document describes what the API owns
//! rather than what the services happen to return.

use serde::Serialize;
use trellis_framework::TrackKind;
use trellis_framework::diff::Diff;
use trellis_framework::merge::Difference;
use utoipa::ToSchema;

use crate::architecture::{framework, templates};

#[derive(Serialize, ToSchema)]
pub struct VersionInfo {
    pub number: i64,
    pub note: String,
    /// Seconds since the Unix epoch.
    pub published_at: i64,
    pub published_by: Option<String>,
}

impl From<framework::VersionInfo> for VersionInfo {
    fn from(v: framework::VersionInfo) -> Self {
        VersionInfo {
            number: v.number,
            note: v.note,
            published_at: v.published_at,
            published_by: v.published_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    /// What the import changes in the draft.
    #[schema(value_type = Object)]
    pub diff: Diff,
    /// Items the draft has and the file does not, kept because `prune` was off.
    pub kept: Vec<String>,
    /// Every item the draft and the file both have and describe differently, each with what the draft
    /// has, what the file has, and whether the import takes the file's version (only the items named
    /// in `take`; the draft keeps its own version of the others).
    pub differences: Vec<Difference>,
    pub dry_run: bool,
    /// The version published by the import, if it was asked to publish.
    pub published_version: Option<i64>,
    /// What the file had that Trellis does not keep (formats other than Trellis's own).
    pub unmapped: Vec<String>,
}

impl From<framework::ImportReport> for ImportReport {
    fn from(r: framework::ImportReport) -> Self {
        ImportReport {
            diff: r.diff,
            kept: r.kept,
            differences: r.differences,
            dry_run: r.dry_run,
            published_version: r.published_version,
            unmapped: r.unmapped,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TemplateTrack {
    pub key: String,
    pub name: String,
    pub family: Option<String>,
    pub kind: TrackKind,
    pub levels: Vec<String>,
    pub competencies: usize,
}

impl From<templates::TemplateTrack> for TemplateTrack {
    fn from(t: templates::TemplateTrack) -> Self {
        TemplateTrack {
            key: t.key,
            name: t.name,
            family: t.family,
            kind: t.kind,
            levels: t.levels,
            competencies: t.competencies,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TemplateSummary {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub tracks: Vec<TemplateTrack>,
}

impl From<templates::TemplateSummary> for TemplateSummary {
    fn from(s: templates::TemplateSummary) -> Self {
        TemplateSummary {
            id: s.id,
            name: s.name,
            description: s.description,
            tracks: s.tracks.into_iter().map(Into::into).collect(),
        }
    }
}
