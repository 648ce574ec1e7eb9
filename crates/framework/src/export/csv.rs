//! The framework as a CSV with one row per expectation bullet, the shape the CSV importer reads, so
//! that export → import gives back the same tracks, levels and cells.
//!
//! Columns, in this order: [`HEADER`]. `track`, `level` and `competency` are keys; `category` is the
//! category's name; `kind` is `individual-contributor` or `management`. A row carries one bullet and,
//! when the cell has one at the same position, one example; a cell with more examples than bullets
//! gets rows with only an example. A cell that does not apply at its level is one row with empty
//! `expectation` and `example` and `n/a` in `not_applicable`. Empty cells have no row.

use crate::model::{Framework, Key, Level, Track};

/// The header row.
pub const HEADER: [&str; 11] = [
    "track",
    "level",
    "competency",
    "expectation",
    "example",
    "category",
    "level_title",
    "track_name",
    "kind",
    "competency_name",
    "not_applicable",
];

/// The marker in the `not_applicable` column.
pub const NOT_APPLICABLE: &str = "n/a";

/// The first characters that make a spreadsheet run a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell for a CSV file that people open in a spreadsheet: text that would run as a formula (it
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets an apostrophe in front, which
/// spreadsheets show as plain text. Text that already starts with apostrophes before one of those
/// gets one more, so that [`spreadsheet_text`] gives back exactly the text written. Every CSV export
/// of text people typed or a directory sent (names, titles, bullets) goes through this.
pub fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.trim_start_matches('\'').starts_with(FORMULA_STARTS) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// The text of a cell written by [`spreadsheet_safe`]: its added apostrophe removed.
pub fn spreadsheet_text(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// The framework as CSV text (UTF-8, comma separated, `\n` line ends, quoted only where needed).
pub fn write(fw: &Framework) -> Result<String, ::csv::Error> {
    let mut out = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    out.write_record(HEADER)?;
    for track in &fw.tracks {
        for level in &track.levels {
            for key in row_keys(track, level) {
                write_cell(&mut out, fw, track, level, key)?;
            }
        }
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    // Every field written was a `&str`, so the bytes are UTF-8.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The competencies of a level in the track's order, then any the level mentions that the track
/// does not list (possible in a draft), in key order.
fn row_keys<'a>(track: &'a Track, level: &'a Level) -> Vec<&'a Key> {
    let mut keys: Vec<&Key> = track.competencies.iter().collect();
    let extra = level
        .expectations
        .keys()
        .chain(level.examples.keys())
        .chain(&level.not_applicable);
    let mut rest: Vec<&Key> = extra.filter(|k| !track.competencies.contains(k)).collect();
    rest.sort();
    rest.dedup();
    keys.extend(rest);
    keys
}

fn write_cell(
    out: &mut ::csv::Writer<Vec<u8>>,
    fw: &Framework,
    track: &Track,
    level: &Level,
    key: &Key,
) -> Result<(), ::csv::Error> {
    let competency = fw.competency(key.as_str());
    let category = competency
        .and_then(|c| c.category.as_ref())
        .map(|k| {
            fw.category(k.as_str())
                .map_or(k.as_str(), |c| c.name.as_str())
        })
        .unwrap_or_default();
    let name = competency.map_or(key.as_str(), |c| c.name.as_str());
    let mut row = |expectation: &str, example: &str, na: &str| {
        out.write_record([
            track.key.as_str(),
            level.key.as_str(),
            key.as_str(),
            &spreadsheet_safe(expectation),
            &spreadsheet_safe(example),
            &spreadsheet_safe(category),
            &spreadsheet_safe(&level.title),
            &spreadsheet_safe(&track.name),
            track.kind.as_str(),
            &spreadsheet_safe(name),
            na,
        ])
    };
    if level.is_not_applicable(key) {
        return row("", "", NOT_APPLICABLE);
    }
    let bullets = level.expectations.get(key).map_or(&[][..], Vec::as_slice);
    let examples = level.examples.get(key).map_or(&[][..], Vec::as_slice);
    for i in 0..bullets.len().max(examples.len()) {
        let bullet = bullets.get(i).map_or("", String::as_str);
        let example = examples.get(i).map_or("", String::as_str);
        row(bullet, example, "")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use std::collections::BTreeMap;

    fn key(s: &str) -> Key {
        Key::parse(s).expect("a key")
    }

    #[test]
    fn formulas_are_defused_and_read_back_as_written() {
        assert_eq!(spreadsheet_safe("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(spreadsheet_safe("-1"), "'-1");
        assert_eq!(spreadsheet_safe("@cmd"), "'@cmd");
        assert_eq!(spreadsheet_safe("\tx"), "'\tx");
        assert_eq!(spreadsheet_safe("Created a, \"b\""), "Created a, \"b\"");
        assert_eq!(spreadsheet_safe("'s-Hertogenbosch"), "'s-Hertogenbosch");
        for text in [
            "=SUM(A1)",
            "'=SUM(A1)",
            "''+1",
            "'s-Hertogenbosch",
            "plain",
            "",
            "'",
            "-",
            "\r\n=1",
        ] {
            assert_eq!(spreadsheet_text(&spreadsheet_safe(text)), text, "{text:?}");
        }
    }

    fn framework() -> Framework {
        let mut expectations = BTreeMap::new();
        expectations.insert(
            key("ownership"),
            vec![
                "Owns a feature, end to end".to_owned(),
                "Says \"no\" when needed".to_owned(),
                "Writes\na runbook".to_owned(),
            ],
        );
        let mut examples = BTreeMap::new();
        examples.insert(
            key("ownership"),
            vec!["Led the billing migration".to_owned()],
        );
        Framework {
            name: "Acme".into(),
            categories: vec![Category {
                key: key("impact"),
                name: "Impact, and more".into(),
                description: None,
            }],
            competencies: vec![
                Competency {
                    key: key("ownership"),
                    name: "Ownership".into(),
                    category: Some(key("impact")),
                    description: None,
                },
                Competency {
                    key: key("mentoring"),
                    name: "Mentoring".into(),
                    category: None,
                    description: None,
                },
            ],
            tracks: vec![Track {
                key: key("eng"),
                name: "Engineering".into(),
                family: None,
                kind: TrackKind::IndividualContributor,
                description: None,
                competencies: vec![key("ownership"), key("mentoring")],
                levels: vec![Level {
                    key: key("e1"),
                    title: "Engineer I".into(),
                    grade: None,
                    summary: None,
                    pay: Some(Pay {
                        currency: "EUR".into(),
                        min: 1,
                        mid: None,
                        max: 2,
                    }),
                    expectations,
                    examples,
                    not_applicable: vec![key("mentoring")],
                }],
            }],
            ..Framework::default()
        }
    }

    #[test]
    fn writes_one_row_per_bullet_and_one_for_a_cell_that_does_not_apply() {
        let text = write(&framework()).expect("csv");
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .expect("header")
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(header, HEADER);
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.expect("row").iter().map(String::from).collect())
            .collect();
        assert_eq!(rows.len(), 4);
        assert_eq!(
            rows[0],
            [
                "eng",
                "e1",
                "ownership",
                "Owns a feature, end to end",
                "Led the billing migration",
                "Impact, and more",
                "Engineer I",
                "Engineering",
                "individual-contributor",
                "Ownership",
                ""
            ]
        );
        assert_eq!(rows[1][3], "Says \"no\" when needed");
        assert_eq!(rows[1][4], "");
        assert_eq!(rows[2][3], "Writes\na runbook");
        assert_eq!(rows[3][2], "mentoring");
        assert_eq!(rows[3][3], "");
        assert_eq!(rows[3][10], NOT_APPLICABLE);
    }

    #[test]
    fn commas_quotes_and_newlines_are_quoted() {
        let text = write(&framework()).expect("csv");
        assert!(text.contains("\"Owns a feature, end to end\""), "{text}");
        assert!(text.contains("\"Says \"\"no\"\" when needed\""), "{text}");
        assert!(text.contains("\"Writes\na runbook\""), "{text}");
        assert!(text.starts_with("track,level,competency,expectation,example,"));
    }

    /// One cell by names (keys may be remade on import): track, level title and competency name,
    /// then bullets, examples and whether it is not applicable.
    type NamedCell = (String, String, String, Vec<String>, Vec<String>, bool);

    fn cells(fw: &Framework) -> Vec<NamedCell> {
        let mut out = Vec::new();
        for t in &fw.tracks {
            for l in &t.levels {
                for k in &t.competencies {
                    let name = fw.competency(k.as_str()).map(|c| c.name.clone());
                    out.push((
                        t.name.clone(),
                        l.title.clone(),
                        name.unwrap_or_default(),
                        l.expectations.get(k).cloned().unwrap_or_default(),
                        l.examples.get(k).cloned().unwrap_or_default(),
                        l.is_not_applicable(k),
                    ));
                }
            }
        }
        out
    }

    #[test]
    fn the_csv_importer_reads_back_what_was_written() {
        use crate::import::{Format, Options, SourceFile, import};
        let fw = framework();
        let text = write(&fw).expect("csv");
        let back = import(
            Format::Csv,
            &[SourceFile::new("framework.csv", text)],
            &Options::default(),
        )
        .expect("the export imports");
        assert_eq!(cells(&back.framework), cells(&fw));
        assert_eq!(back.framework.tracks[0].kind, fw.tracks[0].kind);
        assert!(back.unmapped.is_empty(), "{:?}", back.unmapped);
    }

    #[test]
    fn output_is_deterministic_and_has_no_pay() {
        let fw = framework();
        let a = write(&fw).expect("csv");
        assert_eq!(a, write(&fw.clone()).expect("csv"));
        assert!(!a.contains("EUR"));
    }
}
