//! engineeringladders: markdown with axes × levels, in any of the shapes its files take.
//!
//! - **A role file** (`Developer.md`): a `#` title, then one section per level (`## D1 - Developer 1`)
//!   whose bullets each give that level's step on one axis: `* **Adopts**: learns the tools`. The
//!   file → a track (named by its title); a section → a level (titled by its heading); a bullet → a
//!   bullet in the cell of its axis.
//! - **The axes file** (the README): an `Axes` section listing each axis (`* **Technology**: …`) and
//!   a section per axis whose numbered list gives its steps. Axes → competencies (named and
//!   described there). A role file's bullet belongs to the axis whose steps include its bold word,
//!   else to the axis at its position. Imported alone, the axes file becomes one track whose level
//!   N holds step N of every axis.
//! - **A table** with a header row: levels × axes when the first header cell is `Level`, else axes ×
//!   levels. A cell → bullets (split at `<br>`).
//!
//! Without the axes file, a role file's axes are named "Axis 1", "Axis 2"…, and that is reported.
//! Tables in role files (the level index) and sections without bold-led bullets are not imported.

use super::markdown::{Block, Position, blocks};
use super::monzo::file_stem;
use super::outline::Outline;
use super::{FileDiagnostic, Imported, SourceFile};

struct Axis {
    name: String,
    description: Option<String>,
    steps: Vec<(String, String)>,
}

struct Section<'b> {
    heading: &'b str,
    items: Vec<(&'b Option<String>, &'b String, Position)>,
}

pub(crate) fn import(files: &[SourceFile]) -> Result<Imported, Vec<FileDiagnostic>> {
    let parsed: Vec<(&SourceFile, Vec<Block>)> =
        files.iter().map(|f| (f, blocks(&f.text))).collect();
    let mut outline = Outline::new("");
    let mut diagnostics = Vec::new();

    let mut axes: Vec<Axis> = Vec::new();
    let mut roles = Vec::new();
    let mut tables = Vec::new();
    for (file, blocks) in &parsed {
        if let Some(found) = read_axes(blocks) {
            axes.extend(found);
            continue;
        }
        let sections = sections(blocks);
        let levels: Vec<&Section<'_>> = sections
            .iter()
            .filter(|s| !s.items.is_empty() && s.items.iter().any(|(lead, _, _)| lead.is_some()))
            .collect();
        let table = blocks.iter().find_map(|b| match b {
            Block::Table { rows, at } if rows.len() > 1 && rows[0].0.len() > 1 => Some((rows, *at)),
            _ => None,
        });
        if !levels.is_empty() {
            for s in &levels {
                for (lead, _, at) in &s.items {
                    if lead.is_none() {
                        diagnostics.push(FileDiagnostic::new(
                            &file.name,
                            at.line,
                            at.column,
                            "a level's bullet starts with its step in bold: `* **Step**: what it means`",
                        ));
                    }
                }
            }
            if let Some((_, at)) = table {
                outline.note(format!(
                    "{}:{}: the table was not imported (the levels come from the sections)",
                    file.name, at.line
                ));
            }
            let owned: Vec<LevelSection> = levels
                .iter()
                .map(|s| {
                    (
                        s.heading.to_owned(),
                        s.items
                            .iter()
                            .map(|(l, t, at)| ((*l).clone(), (*t).clone(), *at))
                            .collect(),
                    )
                })
                .collect();
            roles.push((*file, title(blocks, file), owned));
        } else if let Some((rows, _)) = table {
            tables.push((*file, title(blocks, file), rows.clone()));
        } else {
            diagnostics.push(FileDiagnostic::new(
                &file.name,
                1,
                1,
                "found no levels: expected `## Level` sections of `* **Step**: text` bullets, a table \
                 of axes × levels, or the `Axes` section",
            ));
        }
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }

    for (i, axis) in axes.iter().enumerate() {
        outline.competency(&axis_id(i), &axis.name, None, axis.description.clone());
    }
    for (file, name, levels) in &roles {
        role_track(&mut outline, file, name, levels, &axes, &mut diagnostics);
    }
    for (file, name, rows) in &tables {
        table_track(&mut outline, file, name, rows);
    }
    if roles.is_empty() && tables.is_empty() {
        axes_track(&mut outline, &axes);
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    outline
        .finish()
        .map_err(|m| vec![FileDiagnostic::new(&files[0].name, 0, 0, m)])
}

fn axis_id(i: usize) -> String {
    format!("axis-{}", i + 1)
}

/// The first `#` heading, else the file's name.
fn title(blocks: &[Block], file: &SourceFile) -> String {
    blocks
        .iter()
        .find_map(|b| match b {
            Block::Heading { level: 1, text, .. } if !text.is_empty() => Some(text.clone()),
            _ => None,
        })
        .unwrap_or_else(|| file_stem(&file.name))
}

/// Headings below the title, each with the list items up to the next heading.
fn sections(blocks: &[Block]) -> Vec<Section<'_>> {
    let mut out: Vec<Section<'_>> = Vec::new();
    for b in blocks {
        match b {
            Block::Heading { level, text, .. } if *level > 1 => out.push(Section {
                heading: text,
                items: Vec::new(),
            }),
            Block::Heading { .. } => out.push(Section {
                heading: "",
                items: Vec::new(),
            }),
            Block::Item { lead, text, at, .. } => {
                if let Some(s) = out.last_mut()
                    && !s.heading.is_empty()
                {
                    s.items.push((lead, text, *at));
                }
            }
            Block::Table { .. } => {}
        }
    }
    out
}

/// The axes, when the file has an `Axes` section: each axis with its description and its steps
/// (the numbered list under the heading of the same name).
fn read_axes(blocks: &[Block]) -> Option<Vec<Axis>> {
    let mut in_axes = false;
    let mut axes: Vec<Axis> = Vec::new();
    let mut current: Option<usize> = None;
    let mut seen_axes_heading = false;
    for b in blocks {
        match b {
            Block::Heading { text, .. } => {
                in_axes = text.eq_ignore_ascii_case("axes");
                seen_axes_heading |= in_axes;
                current = axes.iter().position(|a| a.name.eq_ignore_ascii_case(text));
            }
            Block::Item {
                lead: Some(lead),
                text,
                ordered,
                ..
            } => {
                if in_axes {
                    axes.push(Axis {
                        name: lead.clone(),
                        description: Some(text.clone()).filter(|t| !t.is_empty()),
                        steps: Vec::new(),
                    });
                } else if let Some(i) = current
                    && *ordered
                {
                    axes[i].steps.push((lead.clone(), text.clone()));
                }
            }
            _ => {}
        }
    }
    (seen_axes_heading && !axes.is_empty()).then_some(axes)
}

/// A level's heading and its bullets: the bold step, the text and where the bullet is.
type LevelSection = (String, Vec<(Option<String>, String, Position)>);
type LevelSections = [LevelSection];

fn role_track(
    outline: &mut Outline,
    file: &SourceFile,
    name: &str,
    levels: &LevelSections,
    axes: &[Axis],
    diagnostics: &mut Vec<FileDiagnostic>,
) {
    let widest = levels
        .iter()
        .map(|(_, items)| items.len())
        .max()
        .unwrap_or(0);
    if axes.is_empty() {
        for i in 0..widest {
            if !outline.has_competency(&axis_id(i)) {
                outline.competency(&axis_id(i), &format!("Axis {}", i + 1), None, None);
            }
        }
        outline.note(format!(
            "{}: the axes are not named, as the axes file (the README with its `Axes` section) was \
             not imported with it; they are called Axis 1 to Axis {widest} by position",
            file.name
        ));
    }
    let mut by_position = Vec::new();
    let track = outline.track(&file.name, name);
    for (heading, items) in levels {
        let level = track.level(heading, heading);
        for (i, (lead, text, at)) in items.iter().enumerate() {
            let Some(lead) = lead else { continue };
            let axis = match axes.iter().position(|a| {
                a.steps
                    .iter()
                    .any(|(step, _)| step.eq_ignore_ascii_case(lead))
            }) {
                Some(found) => found,
                None if axes.is_empty() || i < axes.len() => {
                    if !axes.is_empty() {
                        by_position.push(format!("{lead} ({heading})"));
                    }
                    i
                }
                None => {
                    diagnostics.push(FileDiagnostic::new(
                        &file.name,
                        at.line,
                        at.column,
                        format!(
                            "`{lead}` is not a step of any axis, and this level has more bullets than \
                             there are axes ({})",
                            axes.len()
                        ),
                    ));
                    continue;
                }
            };
            let bullet = if text.is_empty() {
                format!("**{lead}**")
            } else {
                format!("**{lead}**: {text}")
            };
            level.cell(&axis_id(axis)).bullets.push(bullet);
        }
    }
    if !by_position.is_empty() {
        outline.note(format!(
            "{}: these steps are not listed under any axis and were placed by their position: {}",
            file.name,
            by_position.join(", ")
        ));
    }
}

fn table_track(
    outline: &mut Outline,
    file: &SourceFile,
    name: &str,
    rows: &[(Vec<String>, Position)],
) {
    let header = &rows[0].0;
    let levels_in_rows = matches!(
        header[0].to_ascii_lowercase().as_str(),
        "level" | "levels" | "position" | "role"
    );
    let mut cells = Vec::new();
    for (row, _) in &rows[1..] {
        for (j, text) in row.iter().enumerate().skip(1) {
            let Some(col) = header.get(j) else { continue };
            let (level, axis) = if levels_in_rows {
                (row[0].clone(), col.clone())
            } else {
                (col.clone(), row[0].clone())
            };
            cells.push((level, axis, text.clone()));
        }
    }
    let axes: Vec<String> = if levels_in_rows {
        header[1..].to_vec()
    } else {
        rows[1..].iter().map(|(r, _)| r[0].clone()).collect()
    };
    for axis in &axes {
        outline.competency(&format!("table:{axis}"), axis, None, None);
    }
    let track = outline.track(&file.name, name);
    let level_names: Vec<String> = if levels_in_rows {
        rows[1..].iter().map(|(r, _)| r[0].clone()).collect()
    } else {
        header[1..].to_vec()
    };
    for l in &level_names {
        track.level(l, l);
    }
    for (level, axis, text) in cells {
        let cell = track.level(&level, &level).cell(&format!("table:{axis}"));
        cell.bullets.extend(
            text.split('\n')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        );
    }
}

/// The axes file alone: level N holds step N of every axis.
fn axes_track(outline: &mut Outline, axes: &[Axis]) {
    let steps = axes.iter().map(|a| a.steps.len()).max().unwrap_or(0);
    let track = outline.track("ladder", "Engineering ladder");
    for n in 1..=steps {
        let level = track.level(&n.to_string(), &format!("Level {n}"));
        for (i, axis) in axes.iter().enumerate() {
            if let Some((step, text)) = axis.steps.get(n - 1) {
                level
                    .cell(&axis_id(i))
                    .bullets
                    .push(format!("**{step}**: {text}"));
            }
        }
    }
}
