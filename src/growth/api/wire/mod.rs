//! The JSON this area's API sends and receives: one module per API module, each type a copy of
//! the service type it is made from, with the same name, fields and descriptions, so that the
//! OpenAPI document describes what the API owns rather than what the services happen to return.

pub(crate) mod checkin_rounds;
pub(crate) mod checkins;
pub(crate) mod evidence;
pub(crate) mod home;
pub(crate) mod nominations;
pub(crate) mod one_on_ones;
pub(crate) mod plans;
pub(crate) mod readiness;
pub(crate) mod record;
pub(crate) mod team;

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::PositionKind;
use crate::people::directory;

/// A position: a level of a track, with the names people read.
#[derive(Serialize, ToSchema)]
pub struct Position {
    pub track: String,
    pub level: String,
    /// The track's name in the published framework, or its key when it is not there any more.
    pub track_name: String,
    pub level_title: String,
}

impl From<directory::Position> for Position {
    fn from(p: directory::Position) -> Self {
        Position {
            track: p.track,
            level: p.level,
            track_name: p.track_name,
            level_title: p.level_title,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    pub position: Position,
    pub effective_on: String,
    pub kind: PositionKind,
    pub note: Option<String>,
}

impl From<directory::HistoryEntry> for HistoryEntry {
    fn from(h: directory::HistoryEntry) -> Self {
        HistoryEntry {
            position: h.position.into(),
            effective_on: h.effective_on,
            kind: h.kind,
            note: h.note,
        }
    }
}
