//! The level delta: what one level asks that another does not ("what changes from Software Engineer II
//! to Senior"), competency by competency, for any two levels of the same track or of two tracks.
//!
//! Bullets are compared after normalising case and whitespace, so a reworded capital letter is not
//! shown as a new expectation.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Serialize;

use crate::diff::BulletDiff;
use crate::model::{Competency, Framework, Key, Level, Track};

/// The comparison of two levels, one row per competency either track uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelDelta {
    pub from: LevelRef,
    pub to: LevelRef,
    /// The `to` track's rows in its order, then the rows only the `from` track has.
    pub rows: Vec<DeltaRow>,
}

/// Which level a side of the delta is, with the words to show for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelRef {
    pub track: Key,
    pub track_name: String,
    pub level: Key,
    pub title: String,
    pub grade: Option<Key>,
    /// 0 for the lowest level of the track.
    pub rank: usize,
}

/// One competency compared across the two levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeltaRow {
    pub competency: Key,
    pub name: String,
    pub category: Option<Key>,
    pub from: Cell,
    pub to: Cell,
    /// `added`: expectations new at `to`; `removed`: expectations of `from` that `to` no longer lists;
    /// `kept`: expectations in both, as `to` words them.
    pub bullets: BulletDiff,
    pub status: RowStatus,
}

/// What a level says about one competency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Cell {
    Expected {
        bullets: Vec<String>,
        examples: Vec<String>,
    },
    NotApplicable,
    /// The track uses the competency but the level has no expectations for it yet (a draft).
    Missing,
    /// The level's track does not use the competency.
    NotInTrack,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// Nothing new: the same expectations (or both not applicable).
    Same,
    /// Some expectations are new or dropped.
    Changed,
    /// Only the `from` track uses this competency.
    OnlyInFrom,
    /// Only the `to` track uses this competency.
    OnlyInTo,
    /// Does not apply at `from`, applies at `to`.
    NotApplicableInFrom,
    /// Applies at `from`, does not apply at `to`.
    NotApplicableInTo,
}

/// A level the delta was asked for does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeltaError {
    UnknownTrack { track: String },
    UnknownLevel { track: String, level: String },
}

impl fmt::Display for DeltaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeltaError::UnknownTrack { track } => write!(f, "there is no track `{track}`"),
            DeltaError::UnknownLevel { track, level } => {
                write!(f, "track `{track}` has no level `{level}`")
            }
        }
    }
}

impl std::error::Error for DeltaError {}

impl LevelDelta {
    /// The rows that say what is new or different, for the "what changes" view.
    pub fn changed_rows(&self) -> Vec<&DeltaRow> {
        self.rows
            .iter()
            .filter(|r| r.status != RowStatus::Same)
            .collect()
    }
}

/// Compares level `from.1` of track `from.0` with level `to.1` of track `to.0`.
pub fn level_delta(
    fw: &Framework,
    from: (&str, &str),
    to: (&str, &str),
) -> Result<LevelDelta, DeltaError> {
    let (from_track, from_level, from_ref) = find(fw, from)?;
    let (to_track, to_level, to_ref) = find(fw, to)?;
    let library: HashMap<&Key, &Competency> = fw.competencies.iter().map(|c| (&c.key, c)).collect();
    let in_from: HashSet<&Key> = from_track.competencies.iter().collect();
    let in_to: HashSet<&Key> = to_track.competencies.iter().collect();

    let mut seen = HashSet::new();
    let keys = to_track
        .competencies
        .iter()
        .chain(&from_track.competencies)
        .filter(|k| seen.insert(*k));
    let rows = keys
        .map(|k| {
            let from_cell = cell(from_level, k, in_from.contains(k));
            let to_cell = cell(to_level, k, in_to.contains(k));
            let competency = library.get(k);
            DeltaRow {
                competency: k.clone(),
                name: competency.map_or_else(|| k.to_string(), |c| c.name.clone()),
                category: competency.and_then(|c| c.category.clone()),
                bullets: BulletDiff::between_normalised(bullets(&from_cell), bullets(&to_cell)),
                status: status(&from_cell, &to_cell),
                from: from_cell,
                to: to_cell,
            }
        })
        .collect();
    Ok(LevelDelta {
        from: from_ref,
        to: to_ref,
        rows,
    })
}

fn find<'a>(
    fw: &'a Framework,
    (track, level): (&str, &str),
) -> Result<(&'a Track, &'a Level, LevelRef), DeltaError> {
    let t = fw.track(track).ok_or_else(|| DeltaError::UnknownTrack {
        track: track.to_owned(),
    })?;
    let (rank, l) = t
        .levels
        .iter()
        .enumerate()
        .find(|(_, l)| l.key.as_str() == level)
        .ok_or_else(|| DeltaError::UnknownLevel {
            track: track.to_owned(),
            level: level.to_owned(),
        })?;
    let r = LevelRef {
        track: t.key.clone(),
        track_name: t.name.clone(),
        level: l.key.clone(),
        title: l.title.clone(),
        grade: l.grade.clone(),
        rank,
    };
    Ok((t, l, r))
}

fn cell(level: &Level, competency: &Key, in_track: bool) -> Cell {
    if !in_track {
        return Cell::NotInTrack;
    }
    if level.is_not_applicable(competency) {
        return Cell::NotApplicable;
    }
    match level.expectations.get(competency) {
        Some(bullets) if !bullets.is_empty() => Cell::Expected {
            bullets: bullets.clone(),
            examples: level.examples.get(competency).cloned().unwrap_or_default(),
        },
        _ => Cell::Missing,
    }
}

fn bullets(cell: &Cell) -> &[String] {
    match cell {
        Cell::Expected { bullets, .. } => bullets,
        Cell::NotApplicable | Cell::Missing | Cell::NotInTrack => &[],
    }
}

fn status(from: &Cell, to: &Cell) -> RowStatus {
    match (from, to) {
        (Cell::NotInTrack, _) => RowStatus::OnlyInTo,
        (_, Cell::NotInTrack) => RowStatus::OnlyInFrom,
        (Cell::NotApplicable, Cell::NotApplicable) => RowStatus::Same,
        (Cell::NotApplicable, _) => RowStatus::NotApplicableInFrom,
        (_, Cell::NotApplicable) => RowStatus::NotApplicableInTo,
        _ if BulletDiff::between_normalised(bullets(from), bullets(to)).is_unchanged() => {
            RowStatus::Same
        }
        _ => RowStatus::Changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The example career track of the seed workbook, written in our own words, plus a management
    /// track to compare across.
    fn seed() -> Framework {
        serde_json::from_value(json!({
            "name": "Acme",
            "categories": [{"key": "impact", "name": "Impact"}],
            "competencies": [
                {"key": "ownership", "name": "Ownership", "category": "impact"},
                {"key": "problem-solving", "name": "Problem solving"},
                {"key": "reliability", "name": "Reliability"},
                {"key": "people", "name": "People leadership"}
            ],
            "tracks": [
                {
                    "key": "software-engineering", "name": "Software Engineering",
                    "kind": "individual-contributor",
                    "competencies": ["ownership", "problem-solving", "reliability"],
                    "levels": [
                        {"key": "se1", "title": "Software Engineer I", "expectations": {
                            "ownership": [
                                "You carry out tasks on your own to a high standard.",
                                "You set and meet timelines for your own work."
                            ],
                            "problem-solving": ["You fix well-defined bugs."]
                        }, "not_applicable": ["reliability"]},
                        {"key": "se2", "title": "Software Engineer II", "expectations": {
                            "ownership": [
                                "You  carry out tasks on your own to a HIGH standard.",
                                "You set and meet timelines for your own work.",
                                "You often own project goals that involve several engineers."
                            ],
                            "problem-solving": ["you fix well-defined bugs."],
                            "reliability": ["You add monitoring to what you ship."]
                        }}
                    ]
                },
                {
                    "key": "engineering-management", "name": "Engineering Management",
                    "kind": "management",
                    "competencies": ["people", "ownership"],
                    "levels": [
                        {"key": "em1", "title": "Engineering Manager", "expectations": {
                            "people": ["You hold regular 1:1s."],
                            "ownership": ["You own your team's roadmap."]
                        }}
                    ]
                }
            ]
        }))
        .expect("seed framework")
    }

    fn row<'a>(d: &'a LevelDelta, competency: &str) -> &'a DeltaRow {
        d.rows
            .iter()
            .find(|r| r.competency.as_str() == competency)
            .unwrap_or_else(|| panic!("no row {competency}"))
    }

    const SE: &str = "software-engineering";
    const EM: &str = "engineering-management";

    #[test]
    fn from_engineer_one_to_two_ownership_shows_the_new_bullet() {
        let d = level_delta(&seed(), (SE, "se1"), (SE, "se2")).expect("delta");
        let ownership = row(&d, "ownership");
        assert_eq!(ownership.status, RowStatus::Changed);
        assert_eq!(
            ownership.bullets.added,
            ["You often own project goals that involve several engineers."]
        );
        assert!(ownership.bullets.removed.is_empty());
        assert_eq!(ownership.bullets.kept.len(), 2);
        assert_eq!(ownership.name, "Ownership");
        assert_eq!(ownership.category.as_ref().map(Key::as_str), Some("impact"));
        assert_eq!((d.from.rank, d.to.rank), (0, 1));
        assert_eq!(d.to.title, "Software Engineer II");
    }

    #[test]
    fn rewording_only_case_and_spacing_is_the_same() {
        let d = level_delta(&seed(), (SE, "se1"), (SE, "se2")).expect("delta");
        assert_eq!(row(&d, "problem-solving").status, RowStatus::Same);
    }

    #[test]
    fn a_competency_that_starts_to_apply_is_reported() {
        let d = level_delta(&seed(), (SE, "se1"), (SE, "se2")).expect("delta");
        let reliability = row(&d, "reliability");
        assert_eq!(reliability.from, Cell::NotApplicable);
        assert_eq!(reliability.status, RowStatus::NotApplicableInFrom);
        assert_eq!(
            reliability.bullets.added,
            ["You add monitoring to what you ship."]
        );
        let back = level_delta(&seed(), (SE, "se2"), (SE, "se1")).expect("delta");
        assert_eq!(
            row(&back, "reliability").status,
            RowStatus::NotApplicableInTo
        );
    }

    #[test]
    fn changed_rows_leave_out_what_stays_the_same() {
        let d = level_delta(&seed(), (SE, "se1"), (SE, "se2")).expect("delta");
        let changed: Vec<&str> = d
            .changed_rows()
            .iter()
            .map(|r| r.competency.as_str())
            .collect();
        assert_eq!(changed, ["ownership", "reliability"]);
    }

    #[test]
    fn a_level_compared_with_itself_has_no_changed_rows() {
        let d = level_delta(&seed(), (SE, "se2"), (SE, "se2")).expect("delta");
        assert!(d.changed_rows().is_empty());
    }

    #[test]
    fn across_tracks_rows_follow_the_target_track_then_the_rest() {
        let d = level_delta(&seed(), (SE, "se2"), (EM, "em1")).expect("delta");
        let rows: Vec<(&str, RowStatus)> = d
            .rows
            .iter()
            .map(|r| (r.competency.as_str(), r.status))
            .collect();
        assert_eq!(
            rows,
            [
                ("people", RowStatus::OnlyInTo),
                ("ownership", RowStatus::Changed),
                ("problem-solving", RowStatus::OnlyInFrom),
                ("reliability", RowStatus::OnlyInFrom),
            ]
        );
        assert_eq!(row(&d, "people").from, Cell::NotInTrack);
        assert_eq!(row(&d, "people").bullets.added, ["You hold regular 1:1s."]);
        assert_eq!(
            row(&d, "reliability").bullets.removed,
            ["You add monitoring to what you ship."]
        );
    }

    #[test]
    fn an_empty_cell_in_a_draft_is_missing() {
        let mut fw = seed();
        fw.tracks[0].levels[1].expectations.clear();
        let d = level_delta(&fw, (SE, "se1"), (SE, "se2")).expect("delta");
        let ownership = row(&d, "ownership");
        assert_eq!(ownership.to, Cell::Missing);
        assert_eq!(ownership.status, RowStatus::Changed);
        assert_eq!(ownership.bullets.removed.len(), 2);
    }

    #[test]
    fn unknown_tracks_and_levels_are_named_in_the_error() {
        let fw = seed();
        let err = level_delta(&fw, ("sales", "s1"), (SE, "se1")).expect_err("unknown track");
        assert_eq!(err.to_string(), "there is no track `sales`");
        let err = level_delta(&fw, (SE, "se1"), (SE, "se9")).expect_err("unknown level");
        assert_eq!(
            err.to_string(),
            "track `software-engineering` has no level `se9`"
        );
    }

    #[test]
    fn the_delta_serialises_with_tagged_cells() {
        let d = level_delta(&seed(), (SE, "se1"), (SE, "se2")).expect("delta");
        let value = serde_json::to_value(&d).expect("json");
        assert_eq!(value["rows"][2]["from"], json!({"state": "not_applicable"}));
        assert_eq!(value["rows"][2]["status"], "not_applicable_in_from");
        assert_eq!(value["to"]["level"], "se2");
    }
}
