//! Rules about how a track's levels relate: cells left empty (`empty-cell`), a level that says what
//! the one below says (`identical-level`), bullets and cells repeated from a lower level
//! (`repeated-bullet`), and levels that do not grow in scope (`no-growth`).
//!
//! "Does not grow" is decided from the text alone, so it is deliberately narrow and explainable: a
//! level above the lowest does not grow when (a) it has bullets and every one of them repeats, word
//! for word, a bullet of a lower level for the same competency, or (b) a competency that had bullets
//! at the level below is marked not applicable at this one. Bullet counts are not compared: higher
//! levels often say more in fewer bullets.

use std::collections::HashMap;

use super::rule::{EMPTY_CELL, IDENTICAL_LEVEL, NO_GROWTH, REPEATED_BULLET};
use super::{Out, bullet_path, cell_path, level_path};
use crate::model::Track;
use crate::validate::Seg;

/// A bullet as compared for repeats: lowercase, spaces collapsed, no final full stop.
fn normalize(bullet: &str) -> String {
    let words: Vec<&str> = bullet.split_whitespace().collect();
    words.join(" ").trim_end_matches(['.', ' ']).to_lowercase()
}

/// A cell as compared between levels: its normalised bullets, or `None` when it has none (missing,
/// empty or not applicable).
type Cell = Option<Vec<String>>;

pub(crate) fn check(track: &Track, at: &[Seg], out: &mut Out<'_>) {
    // For each competency of the track: a normalised bullet → the lowest level that says it.
    let mut said: Vec<HashMap<String, usize>> = vec![HashMap::new(); track.competencies.len()];
    let mut below: Vec<Cell> = Vec::new();
    for (j, level) in track.levels.iter().enumerate() {
        empty_cells(track, j, at, out);
        let cells: Vec<Cell> = track
            .competencies
            .iter()
            .map(|c| {
                let bullets = level.expectations.get(c)?;
                let normal: Vec<String> = bullets
                    .iter()
                    .map(|b| normalize(b))
                    .filter(|b| !b.is_empty())
                    .collect();
                (!normal.is_empty()).then_some(normal)
            })
            .collect();
        if j > 0 {
            compare_with_lower(track, j, &cells, &below, &said, at, out);
        }
        for (ci, cell) in cells.iter().enumerate() {
            for b in cell.iter().flatten() {
                said[ci].entry(b.clone()).or_insert(j);
            }
        }
        below = cells;
    }
}

fn empty_cells(track: &Track, j: usize, at: &[Seg], out: &mut Out<'_>) {
    let level = &track.levels[j];
    for c in &track.competencies {
        let bullets = level.expectations.get(c).map_or(&[][..], Vec::as_slice);
        if bullets.is_empty() && !level.is_not_applicable(c) {
            out.push(
                EMPTY_CELL,
                cell_path(at, j, c.as_str()),
                format!("level `{}` has no expectations for `{c}`", level.key),
                Some(
                    "write what a person at this level does, or mark the competency not applicable here"
                        .into(),
                ),
            );
        }
        for (k, b) in bullets.iter().enumerate() {
            if b.trim().is_empty() {
                out.push(
                    EMPTY_CELL,
                    bullet_path(at, j, c.as_str(), k),
                    format!("this bullet of `{c}` at level `{}` is blank", level.key),
                    Some("write it out or remove it".into()),
                );
            }
        }
    }
}

/// The findings of level `j` against the levels below it.
fn compare_with_lower(
    track: &Track,
    j: usize,
    cells: &[Cell],
    below: &[Cell],
    said: &[HashMap<String, usize>],
    at: &[Seg],
    out: &mut Out<'_>,
) {
    let level = &track.levels[j];
    let lower = &track.levels[j - 1];
    if cells == below && cells.iter().any(Option::is_some) {
        out.push(
            IDENTICAL_LEVEL,
            level_path(at, j),
            format!(
                "level `{}` asks exactly what level `{}` asks, in every competency",
                level.key, lower.key
            ),
            Some(
                "say what changes at this level (a wider scope, harder problems, more people), or merge the two levels"
                    .into(),
            ),
        );
        return;
    }

    let has_bullets = cells.iter().any(Option::is_some);
    let all_repeated = cells.iter().enumerate().all(|(ci, cell)| {
        cell.iter()
            .flatten()
            .all(|b| said[ci].get(b).is_some_and(|&l| l < j))
    });
    let nothing_new = has_bullets && all_repeated && out.enabled(NO_GROWTH);
    if nothing_new {
        out.push(
            NO_GROWTH,
            level_path(at, j),
            format!(
                "every bullet of level `{}` repeats a lower level: it asks nothing new",
                level.key
            ),
            Some("add what this level does beyond the levels below: a wider scope, harder problems, more people".into()),
        );
    }
    dropped_competencies(track, j, below, at, out);
    if nothing_new {
        // The level as a whole is reported; one finding per bullet would only repeat it.
        return;
    }
    repeated_cells(track, j, cells, below, said, at, out);
}

/// Competencies the level below asks for that level `j` marks not applicable.
fn dropped_competencies(track: &Track, j: usize, below: &[Cell], at: &[Seg], out: &mut Out<'_>) {
    let level = &track.levels[j];
    let lower = &track.levels[j - 1];
    for (k, c) in level.not_applicable.iter().enumerate() {
        let Some(ci) = track.competencies.iter().position(|x| x == c) else {
            continue;
        };
        if below[ci].is_some() {
            let mut path = level_path(at, j);
            path.push(Seg::Field("not_applicable".into()));
            path.push(Seg::Index(k));
            out.push(
                NO_GROWTH,
                path,
                format!(
                    "`{c}` applies at level `{}` but not at level `{}`: a higher level should not ask less",
                    lower.key, level.key
                ),
                Some(format!(
                    "say what level `{}` does for `{c}`, or explain the change in the level's summary",
                    level.key
                )),
            );
        }
    }
}

/// Cells and bullets of level `j` that say word for word what a lower level says.
fn repeated_cells(
    track: &Track,
    j: usize,
    cells: &[Cell],
    below: &[Cell],
    said: &[HashMap<String, usize>],
    at: &[Seg],
    out: &mut Out<'_>,
) {
    let level = &track.levels[j];
    let lower = &track.levels[j - 1];
    for (ci, c) in track.competencies.iter().enumerate() {
        let Some(cell) = &cells[ci] else { continue };
        if below[ci].as_ref() == Some(cell) {
            out.push(
                REPEATED_BULLET,
                cell_path(at, j, c.as_str()),
                format!(
                    "`{c}` at level `{}` says word for word what it says at level `{}`",
                    level.key, lower.key
                ),
                Some(
                    "say what changes at this level; a level includes what the levels below ask"
                        .into(),
                ),
            );
            continue;
        }
        let bullets = level.expectations.get(c).map_or(&[][..], Vec::as_slice);
        for (k, b) in bullets.iter().enumerate() {
            let first = said[ci].get(&normalize(b)).copied().filter(|&l| l < j);
            if let Some(l) = first {
                out.push(
                    REPEATED_BULLET,
                    bullet_path(at, j, c.as_str(), k),
                    format!(
                        "this bullet repeats word for word what `{c}` says at level `{}`",
                        track.levels[l].key
                    ),
                    Some("say what changes at this level, or remove the bullet: a level includes what the levels below ask".into()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{found, framework, key, paths};

    const AT: &str = ".tracks[0].levels";

    #[test]
    fn empty_and_missing_cells_and_blank_bullets_are_errors() {
        let mut fw = framework(&[(&["You fix bugs."], &[])]);
        assert_eq!(
            found(&fw, "empty-cell"),
            vec![(
                format!("{AT}[0].expectations.b"),
                "level `l1` has no expectations for `b`".to_owned()
            )]
        );
        fw.tracks[0].levels[0].expectations.remove(&key("b"));
        assert_eq!(
            paths(&fw, "empty-cell"),
            vec![format!("{AT}[0].expectations.b")]
        );
        fw.tracks[0].levels[0].not_applicable.push(key("b"));
        assert_eq!(paths(&fw, "empty-cell"), Vec::<String>::new());

        let fw = framework(&[(&["You fix bugs.", "  "], &["You test."])]);
        assert_eq!(
            paths(&fw, "empty-cell"),
            vec![format!("{AT}[0].expectations.a[1]")]
        );
        assert_eq!(
            crate::lint::lint(&fw)[0].severity,
            crate::lint::Severity::Error
        );
    }

    #[test]
    fn a_level_identical_to_the_one_below_is_an_error() {
        let fw = framework(&[
            (&["You fix bugs."], &["You test."]),
            (&["You  fix bugs"], &["you test."]),
        ]);
        assert_eq!(
            found(&fw, "identical-level"),
            vec![(
                format!("{AT}[1]"),
                "level `l2` asks exactly what level `l1` asks, in every competency".to_owned()
            )]
        );
        // Reported once, not once per bullet or cell.
        assert_eq!(crate::lint::lint(&fw).len(), 1);

        let grows = framework(&[
            (&["You fix bugs."], &["You test."]),
            (&["You fix bugs."], &["You decide what the team tests."]),
        ]);
        assert_eq!(paths(&grows, "identical-level"), Vec::<String>::new());
    }

    #[test]
    fn bullets_and_cells_repeated_from_a_lower_level_are_reported() {
        let fw = framework(&[
            (&["You fix bugs.", "You write tests."], &["You test."]),
            (&["You plan work."], &["You review tests."]),
            (
                &["You lead a project.", "You write tests."],
                &["You review tests."],
            ),
        ]);
        assert_eq!(
            found(&fw, "repeated-bullet"),
            vec![
                (
                    format!("{AT}[2].expectations.a[1]"),
                    "this bullet repeats word for word what `a` says at level `l1`".to_owned()
                ),
                (
                    format!("{AT}[2].expectations.b"),
                    "`b` at level `l3` says word for word what it says at level `l2`".to_owned()
                ),
            ]
        );
        let fine = framework(&[
            (&["You fix bugs."], &["You test."]),
            (&["You plan work."], &["You fix bugs."]),
        ]);
        assert_eq!(paths(&fine, "repeated-bullet"), Vec::<String>::new());
    }

    #[test]
    fn a_level_that_asks_nothing_new_does_not_grow() {
        let fw = framework(&[
            (&["You fix bugs."], &["You test."]),
            (&["You plan work."], &["You review."]),
            (&["You fix bugs."], &["You review."]),
        ]);
        assert_eq!(
            found(&fw, "no-growth"),
            vec![(
                format!("{AT}[2]"),
                "every bullet of level `l3` repeats a lower level: it asks nothing new".to_owned()
            )]
        );
        assert_eq!(paths(&fw, "repeated-bullet"), Vec::<String>::new());
    }

    #[test]
    fn a_competency_that_stops_applying_does_not_grow() {
        let mut fw = framework(&[
            (&["You fix bugs."], &["You test."]),
            (&["You plan work."], &[]),
        ]);
        let l2 = &mut fw.tracks[0].levels[1];
        l2.expectations.remove(&key("b"));
        l2.not_applicable.push(key("b"));
        assert_eq!(
            paths(&fw, "no-growth"),
            vec![format!("{AT}[1].not_applicable[0]")]
        );

        // Starting to apply is growth.
        let mut grows = framework(&[
            (&["You fix bugs."], &[]),
            (&["You plan work."], &["You test."]),
        ]);
        let l1 = &mut grows.tracks[0].levels[0];
        l1.expectations.remove(&key("b"));
        l1.not_applicable.push(key("b"));
        assert_eq!(crate::lint::lint(&grows), vec![]);
    }
}
