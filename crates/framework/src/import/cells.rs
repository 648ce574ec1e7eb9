//! The row-per-cell CSV: one bullet per row, with the columns `track`, `level`, `competency` and
//! `expectation` (header names are matched ignoring case, spaces, `_` and `-`), and optionally
//! `category`, `level_title`, `track_name`, `kind` (`individual-contributor` or `management`),
//! `example`, `competency_name` and `not_applicable` (any text, such as `n/a`: the competency does
//! not apply at that level, and the row needs no expectation). This is the shape Trellis exports.
//!
//! Mapping: `track` → a track (named by `track_name`, else by `track`); `level` → a level of it, in
//! order of first appearance (titled by `level_title`, else by `level`); `competency` → a competency
//! of the library (in the category `category`); `expectation` → a bullet in that cell; `example` →
//! an example in that cell. A row may give an example without an expectation.

use super::outline::Outline;
use super::rows::Table;
use super::{FileDiagnostic, Imported, SourceFile};
use crate::model::TrackKind;

const TRACK: usize = 0;
const LEVEL: usize = 1;
const COMPETENCY: usize = 2;
const EXPECTATION: usize = 3;
const CATEGORY: usize = 4;
const LEVEL_TITLE: usize = 5;
const TRACK_NAME: usize = 6;
const KIND: usize = 7;
const EXAMPLE: usize = 8;
const NOT_APPLICABLE: usize = 9;
const COMPETENCY_NAME: usize = 10;

pub(crate) const COLUMNS: &[&[&str]] = &[
    &["track"],
    &["level"],
    &["competency"],
    &["expectation", "expectations", "bullet"],
    &["category"],
    &["level title"],
    &["track name"],
    &["kind"],
    &["example", "examples"],
    &["not applicable", "n/a"],
    &["competency name"],
];

pub(crate) fn import(file: &SourceFile) -> Result<Imported, Vec<FileDiagnostic>> {
    let table = Table::read(&file.name, &file.text)?;
    let cols = table.columns(COLUMNS);
    let missing: Vec<&str> = [TRACK, LEVEL, COMPETENCY, EXPECTATION]
        .into_iter()
        .filter(|i| cols.get(*i).is_none())
        .map(|i| COLUMNS[i][0])
        .collect();
    if !missing.is_empty() {
        return Err(vec![table.header_error(format!(
            "the header has no {} column: a row-per-cell CSV has the columns track, level, \
             competency and expectation (found: {})",
            missing.join(", no "),
            table.header.join(", ")
        ))]);
    }
    let mut outline = Outline::new("");
    for unknown in table.unknown_columns(COLUMNS) {
        outline.note(format!(
            "{}: the column `{unknown}` was not imported",
            file.name
        ));
    }
    let mut errors = table.errors.clone();
    for r in &table.records {
        if r.is_blank() {
            continue;
        }
        let mut required = |i: usize, what: &str| {
            let value = r.field(cols.get(i));
            if value.is_empty() {
                errors.push(table.error_at(
                    r,
                    cols.get(i).unwrap_or(0),
                    format!("the {what} is empty"),
                ));
            }
            value
        };
        let track = required(TRACK, "track");
        let level = required(LEVEL, "level");
        let competency = required(COMPETENCY, "competency");
        let expectation = r.field(cols.get(EXPECTATION));
        let example = r.field(cols.get(EXAMPLE));
        let not_applicable = !r.field(cols.get(NOT_APPLICABLE)).is_empty();
        if expectation.is_empty() && example.is_empty() && !not_applicable {
            errors.push(table.error_at(
                r,
                cols.get(EXPECTATION).unwrap_or(0),
                "the expectation is empty (give an expectation, an example, or remove the row)",
            ));
        }
        let kind = match r.field(cols.get(KIND)) {
            "" => None,
            k => match parse_kind(k) {
                Some(kind) => Some(kind),
                None => {
                    errors.push(table.error_at(
                        r,
                        cols.get(KIND).unwrap_or(0),
                        format!("`{k}` is not a kind: use individual-contributor or management"),
                    ));
                    None
                }
            },
        };
        if track.is_empty() || level.is_empty() || competency.is_empty() {
            continue;
        }
        let category = r.field(cols.get(CATEGORY));
        if !category.is_empty() {
            outline.category(&category.to_lowercase(), category, None);
        }
        let competency_id = competency.to_lowercase();
        let competency_name = Some(r.field(cols.get(COMPETENCY_NAME)))
            .filter(|n| !n.is_empty())
            .unwrap_or(competency);
        outline.competency(
            &competency_id,
            competency_name,
            Some(category.to_lowercase())
                .filter(|c| !c.is_empty())
                .as_deref(),
            None,
        );
        let track_name = Some(r.field(cols.get(TRACK_NAME)))
            .filter(|n| !n.is_empty())
            .unwrap_or(track);
        let t = outline.track(track, track_name);
        if let Some(kind) = kind {
            t.kind = kind;
        }
        let title = Some(r.field(cols.get(LEVEL_TITLE)))
            .filter(|n| !n.is_empty())
            .unwrap_or(level);
        let cell = t.level(level, title).cell(&competency_id);
        cell.not_applicable |= not_applicable;
        if !expectation.is_empty() {
            cell.bullets.push(expectation.to_owned());
        }
        if !example.is_empty() {
            cell.examples.push(example.to_owned());
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if outline.tracks.is_empty() {
        return Err(vec![
            table.header_error("the file has no rows below its header"),
        ]);
    }
    outline
        .finish()
        .map_err(|m| vec![FileDiagnostic::new(&file.name, 0, 0, m)])
}

fn parse_kind(text: &str) -> Option<TrackKind> {
    match super::rows::normalise(text).as_str() {
        "individual contributor" | "ic" => Some(TrackKind::IndividualContributor),
        "management" | "manager" | "m" => Some(TrackKind::Management),
        _ => None,
    }
}
