//! The framework as readable markdown: `README.md` lists the tracks by family, and `tracks/KEY.md`
//! holds one track: its description, a summary of every level, then a section per level with the
//! expectations grouped by category, and their examples. Text people wrote is markdown already and
//! is copied as it is; pay bands are never written.

use std::fmt::Write as _;

use crate::model::{Framework, Level, Track};

/// Every file as (path relative to the output directory, content), the index first, then one file
/// per track in the framework's order.
pub fn write_tracks(fw: &Framework) -> Vec<(String, String)> {
    let mut files = vec![("README.md".to_owned(), index(fw))];
    for track in &fw.tracks {
        files.push((track_path(track), track_file(fw, track)));
    }
    files
}

/// Where a track's file goes. Tracks live in a folder of their own so that no key can collide with
/// the index, even on file systems that ignore case.
pub fn track_path(track: &Track) -> String {
    format!("tracks/{}.md", track.key)
}

/// One line of a title: line breaks would end a heading early.
fn line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A list item whose text may span several lines: continuation lines are indented so they stay in
/// the item.
fn item(out: &mut String, text: &str) {
    let mut lines = text.trim().lines();
    let first = lines.next().unwrap_or_default();
    let _ = writeln!(out, "- {first}");
    for rest in lines {
        if rest.trim().is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "  {rest}");
        }
    }
}

fn paragraph(out: &mut String, text: &str) {
    let _ = writeln!(out, "{}\n", text.trim());
}

fn index(fw: &Framework) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", line(&fw.name));
    if let Some(d) = &fw.description {
        paragraph(&mut out, d);
    }
    for (family, tracks) in fw.families() {
        let _ = writeln!(out, "## {}\n", line(family.unwrap_or("Other tracks")));
        for t in tracks {
            let levels: Vec<String> = t.levels.iter().map(|l| line(&l.title)).collect();
            let _ = writeln!(
                out,
                "- [{}]({}) ({}): {}",
                line(&t.name),
                track_path(t),
                t.kind.label().to_lowercase(),
                levels.join(" → ")
            );
        }
        out.push('\n');
    }
    out
}

fn track_file(fw: &Framework, track: &Track) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", line(&track.name));
    let mut meta = vec![track.kind.label().to_owned()];
    if let Some(f) = &track.family {
        meta.push(line(f));
    }
    meta.push(format!("{} levels", track.levels.len()));
    let _ = writeln!(out, "{}\n", meta.join(" · "));
    if let Some(d) = &track.description {
        paragraph(&mut out, d);
    }
    if !track.levels.is_empty() {
        let _ = writeln!(out, "## Levels\n");
        for (i, level) in track.levels.iter().enumerate() {
            let mut text = format!("{}. **{}**", i + 1, line(&level.title));
            if let Some(g) = grade_name(fw, level) {
                let _ = write!(text, " (grade {g})");
            }
            if let Some(s) = &level.summary {
                let _ = write!(text, ": {}", line(s));
            }
            let _ = writeln!(out, "{text}");
        }
        out.push('\n');
    }
    for level in &track.levels {
        level_section(&mut out, fw, track, level);
    }
    out
}

fn grade_name(fw: &Framework, level: &Level) -> Option<String> {
    level.grade.as_ref().map(|g| {
        fw.grade(g.as_str())
            .map_or(g.to_string(), |g| line(&g.name))
    })
}

fn level_section(out: &mut String, fw: &Framework, track: &Track, level: &Level) {
    let _ = writeln!(out, "## {}\n", line(&level.title));
    if let Some(g) = grade_name(fw, level) {
        let _ = writeln!(out, "Grade {g}.\n");
    }
    if let Some(s) = &level.summary {
        paragraph(out, s);
    }
    for (category, keys) in fw.rows_by_category(track) {
        let _ = writeln!(out, "### {}\n", line(&category));
        for key in keys {
            let name = fw
                .competency(key.as_str())
                .map_or(key.to_string(), |c| line(&c.name));
            let _ = writeln!(out, "#### {name}\n");
            if level.is_not_applicable(key) {
                let _ = writeln!(out, "*Not applicable at this level.*\n");
                continue;
            }
            let bullets = level.expectations.get(key).map_or(&[][..], Vec::as_slice);
            if bullets.is_empty() {
                let _ = writeln!(out, "*No expectations yet.*\n");
            }
            for b in bullets {
                item(out, b);
            }
            if !bullets.is_empty() {
                out.push('\n');
            }
            let examples = level.examples.get(key).map_or(&[][..], Vec::as_slice);
            if !examples.is_empty() {
                let _ = writeln!(out, "Examples:\n");
                for e in examples {
                    item(out, e);
                }
                out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use std::collections::BTreeMap;

    fn key(s: &str) -> Key {
        Key::parse(s).expect("a key")
    }

    fn framework() -> Framework {
        let level = |k: &str, title: &str, bullets: Vec<&str>| Level {
            key: key(k),
            title: title.into(),
            grade: Some(key("ic2")),
            summary: Some("Delivers\nwell-scoped work.".into()),
            pay: Some(Pay {
                currency: "GBP".into(),
                min: 40_000,
                mid: None,
                max: 50_000,
            }),
            expectations: BTreeMap::from([(
                key("ownership"),
                bullets.into_iter().map(String::from).collect(),
            )]),
            examples: BTreeMap::from([(key("ownership"), vec!["Ran the *launch*".to_owned()])]),
            not_applicable: vec![key("mentoring")],
        };
        Framework {
            name: "Acme".into(),
            description: Some("Our **ladders**.".into()),
            categories: vec![Category {
                key: key("impact"),
                name: "Impact".into(),
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
            grades: vec![Grade {
                key: key("ic2"),
                name: "IC2".into(),
            }],
            tracks: vec![Track {
                key: key("eng"),
                name: "Software Engineering".into(),
                family: Some("Engineering".into()),
                kind: TrackKind::IndividualContributor,
                description: Some("Builds the product.".into()),
                competencies: vec![key("ownership"), key("mentoring")],
                levels: vec![
                    level("e1", "Engineer I", vec!["Owns tasks", "Asks\nfor help"]),
                    level("e2", "Engineer II", vec!["Owns features"]),
                ],
            }],
            ..Framework::default()
        }
    }

    #[test]
    fn writes_an_index_and_one_file_per_track() {
        let files = write_tracks(&framework());
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["README.md", "tracks/eng.md"]);
        let index = &files[0].1;
        assert!(index.starts_with("# Acme\n\nOur **ladders**.\n"), "{index}");
        assert!(index.contains("## Engineering\n"), "{index}");
        assert!(
            index.contains(
                "- [Software Engineering](tracks/eng.md) (individual contributor): Engineer I → Engineer II"
            ),
            "{index}"
        );
    }

    #[test]
    fn a_track_file_has_levels_categories_bullets_and_examples_but_no_pay() {
        let files = write_tracks(&framework());
        let track = &files[1].1;
        for expected in [
            "# Software Engineering\n",
            "Individual contributor · Engineering · 2 levels",
            "1. **Engineer I** (grade IC2): Delivers well-scoped work.",
            "## Engineer II\n",
            "### Impact\n",
            "#### Ownership\n\n- Owns tasks\n- Asks\n  for help\n",
            "Examples:\n\n- Ran the *launch*\n",
            "### Other\n\n#### Mentoring\n\n*Not applicable at this level.*",
        ] {
            assert!(track.contains(expected), "missing {expected:?} in\n{track}");
        }
        assert!(!track.contains("GBP"));
        assert!(!track.contains("40"));
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(write_tracks(&framework()), write_tracks(&framework()));
    }
}
