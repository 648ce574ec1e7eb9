//! The Financial Times' engineering progression: a job family file (`name`, `summary`, `levels`,
//! `themes`, `competencies`), or the older split files (a list of levels and a list of competencies
//! whose theme is called `area`). Several files are read as one.
//!
//! Mapping: the files → one track (named by the `track_name` option, else the family's `name`, else
//! "Engineering"); each level → a level (title from `name`, summary from `summary`); each theme → a
//! competency row (name and description from the theme). An FT competency is one statement for one
//! level under one theme, so it becomes a bullet in the cell (its level, its theme), and its
//! `examples` the cell's examples; a summary written as a numbered list becomes one bullet per item.
//! FT themes have no grouping above them, so no categories are made. `proficiency`, `description`
//! and `domain` have no place in Trellis and are listed as not imported.

use std::collections::BTreeSet;

use super::monzo::titleise;
use super::outline::Outline;
use super::tree::{Doc, field, field_of};
use super::{FileDiagnostic, Imported, Options, SourceFile};
use crate::yaml::node::{Node, Pos, Value};

const FAMILY_FIELDS: &[&str] = &["name", "summary", "levels", "themes", "competencies"];
const COMPETENCY_FIELDS: &[&str] = &["id", "level", "theme", "area", "summary", "examples"];

#[derive(Default)]
struct Source {
    name: Option<String>,
    levels: Vec<(String, String, Option<String>)>,
    levels_declared: bool,
    themes: Vec<(String, String, Option<String>)>,
    themes_declared: bool,
    statements: Vec<Statement>,
    proficiencies: BTreeSet<String>,
}

struct Statement {
    file: usize,
    level: String,
    level_pos: Pos,
    theme: String,
    theme_pos: Pos,
    bullets: Vec<String>,
    examples: Vec<String>,
}

pub(crate) fn import(
    files: &[SourceFile],
    options: &Options,
) -> Result<Imported, Vec<FileDiagnostic>> {
    let mut outline = Outline::new("");
    let mut source = Source::default();
    let mut docs = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let (mut doc, root) = Doc::parse(&file.name, &file.text, 0);
        match &root {
            Some(root) => read_root(&mut doc, i, root, &mut source, &mut outline),
            None if doc.diagnostics.is_empty() => doc.error(Pos::START, "the file is empty"),
            None => {}
        }
        docs.push(doc);
    }
    check_references(&mut docs, &mut source, &mut outline);
    let diagnostics: Vec<FileDiagnostic> = docs.into_iter().flat_map(|d| d.diagnostics).collect();
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    if source.statements.is_empty() {
        return Err(vec![FileDiagnostic::new(
            &files[0].name,
            1,
            1,
            "there are no competencies: an FT file lists them under `competencies`",
        )]);
    }
    build(source, &mut outline, options);
    outline
        .finish()
        .map_err(|m| vec![FileDiagnostic::new(&files[0].name, 0, 0, m)])
}

fn read_root(
    doc: &mut Doc<'_>,
    file: usize,
    root: &Node,
    source: &mut Source,
    outline: &mut Outline,
) {
    match &root.value {
        Value::Map(entries) => {
            source.name = source
                .name
                .take()
                .or_else(|| field(entries, "name").and_then(|n| doc.text(n, "`name`")));
            if let Some(levels) = field(entries, "levels") {
                read_levels(doc, levels, source);
            }
            if let Some(themes) = field(entries, "themes") {
                source.themes_declared = true;
                for t in doc.seq(themes, "`themes`").unwrap_or_default() {
                    if let Some((id, name, summary)) = named(doc, t, "a theme") {
                        source.themes.push((id, name, summary));
                    }
                }
            }
            if let Some(list) = field(entries, "competencies") {
                read_statements(doc, file, list, source, outline);
            }
            for e in entries
                .iter()
                .filter(|e| !FAMILY_FIELDS.contains(&e.key.as_str()))
            {
                outline.note(format!(
                    "{}: the field `{}` was not imported",
                    doc.file, e.key
                ));
            }
            if !entries
                .iter()
                .any(|e| matches!(e.key.as_str(), "levels" | "themes" | "competencies"))
            {
                doc.error(
                    root.pos,
                    "an FT file has `levels`, `themes` and `competencies` (or is a list of them)",
                );
            }
        }
        Value::Seq(items) => {
            // A split file: competencies have a `level`; levels do not.
            let is_competencies = items
                .iter()
                .any(|item| matches!(&item.value, Value::Map(e) if field(e, "level").is_some()));
            if is_competencies {
                read_statements(doc, file, root, source, outline);
            } else {
                read_levels(doc, root, source);
            }
        }
        _ => doc.error(
            root.pos,
            "an FT file is a mapping with `levels`, `themes` and `competencies`, or a list of them",
        ),
    }
}

fn read_levels(doc: &mut Doc<'_>, levels: &Node, source: &mut Source) {
    source.levels_declared = true;
    for l in doc.seq(levels, "`levels`").unwrap_or_default() {
        if let Some(level) = named(doc, l, "a level") {
            source.levels.push(level);
        }
    }
}

/// An item with `id`, `name` and an optional `summary`.
fn named(doc: &mut Doc<'_>, node: &Node, what: &str) -> Option<(String, String, Option<String>)> {
    let entries = doc.map(node, what)?;
    let Some(id) = field(entries, "id").and_then(|n| doc.text(n, "`id`")) else {
        doc.error(node.pos, format!("{what} needs an `id`"));
        return None;
    };
    let name = field(entries, "name")
        .and_then(|n| doc.text(n, "`name`"))
        .unwrap_or_else(|| titleise(&id));
    let summary = field(entries, "summary")
        .and_then(|n| doc.text(n, "`summary`"))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty() && s != "TODO");
    Some((id.trim().to_owned(), name.trim().to_owned(), summary))
}

fn read_statements(
    doc: &mut Doc<'_>,
    file: usize,
    list: &Node,
    source: &mut Source,
    outline: &mut Outline,
) {
    for item in doc.seq(list, "`competencies`").unwrap_or_default() {
        let Some(entries) = doc.map(item, "a competency") else {
            continue;
        };
        let level = field(entries, "level").map(|n| (n.pos, doc.text(n, "`level`")));
        let theme = field_of(entries, &["theme", "area"]).map(|n| (n.pos, doc.text(n, "`theme`")));
        let summary = field(entries, "summary").and_then(|n| doc.text(n, "`summary`"));
        let (Some((level_pos, Some(level))), Some((theme_pos, Some(theme))), Some(summary)) =
            (level, theme, summary)
        else {
            let missing: Vec<&str> = [
                ("level", field(entries, "level").is_none()),
                ("theme", field_of(entries, &["theme", "area"]).is_none()),
                ("summary", field(entries, "summary").is_none()),
            ]
            .iter()
            .filter(|(_, absent)| *absent)
            .map(|(name, _)| *name)
            .collect();
            let message = if missing.is_empty() {
                "this competency needs a `level`, a `theme` and a `summary`".to_owned()
            } else {
                format!("this competency has no {}", missing.join(", no "))
            };
            doc.error(item.pos, message);
            continue;
        };
        let examples = field(entries, "examples")
            .map(|n| doc.texts(n, "`examples`"))
            .unwrap_or_default();
        if let Some(p) = field(entries, "proficiency").and_then(|n| doc.text(n, "`proficiency`")) {
            source.proficiencies.insert(p);
        }
        for e in entries.iter().filter(|e| {
            !COMPETENCY_FIELDS.contains(&e.key.as_str())
                && e.key != "proficiency"
                && !e.value.is_null()
        }) {
            outline.note(format!(
                "{}:{}: the competency field `{}` was not imported",
                doc.file, e.key_pos.line, e.key
            ));
        }
        source.statements.push(Statement {
            file,
            level: level.trim().to_owned(),
            level_pos,
            theme: theme.trim().to_owned(),
            theme_pos,
            bullets: split_numbered(&summary),
            examples,
        });
    }
}

/// Every statement names a declared level and theme; undeclared ones are reported when the files
/// declare any, and otherwise made up from their ids (and listed as such).
fn check_references(docs: &mut [Doc<'_>], source: &mut Source, outline: &mut Outline) {
    let level_ids: Vec<String> = source.levels.iter().map(|l| l.0.clone()).collect();
    let theme_ids: Vec<String> = source.themes.iter().map(|t| t.0.clone()).collect();
    let mut made_levels = Vec::new();
    let mut made_themes = Vec::new();
    for s in &source.statements {
        if !level_ids.contains(&s.level) {
            if source.levels_declared {
                docs[s.file].error(
                    s.level_pos,
                    format!(
                        "`{}` is not one of the levels ({})",
                        s.level,
                        level_ids.join(", ")
                    ),
                );
            } else if !made_levels.contains(&s.level) {
                made_levels.push(s.level.clone());
            }
        }
        if !theme_ids.contains(&s.theme) {
            if source.themes_declared {
                docs[s.file].error(
                    s.theme_pos,
                    format!(
                        "`{}` is not one of the themes ({})",
                        s.theme,
                        theme_ids.join(", ")
                    ),
                );
            } else if !made_themes.contains(&s.theme) {
                made_themes.push(s.theme.clone());
            }
        }
    }
    if !made_levels.is_empty() {
        outline.note(format!(
            "no levels are declared, so they were made from the competencies, titled from their ids: {}",
            made_levels.join(", ")
        ));
        source.levels.extend(
            made_levels
                .into_iter()
                .map(|id| (id.clone(), titleise(&id), None)),
        );
    }
    if !made_themes.is_empty() {
        outline.note(format!(
            "no themes are declared, so they were made from the competencies, named from their ids: {}",
            made_themes.join(", ")
        ));
        source.themes.extend(
            made_themes
                .into_iter()
                .map(|id| (id.clone(), titleise(&id), None)),
        );
    }
}

fn build(source: Source, outline: &mut Outline, options: &Options) {
    if !source.proficiencies.is_empty() {
        outline.note(format!(
            "the proficiency of each competency was not imported ({})",
            source
                .proficiencies
                .into_iter()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for (id, name, summary) in &source.themes {
        outline.competency(id, name, None, summary.clone());
    }
    let name = options
        .track_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or(source.name.clone())
        .unwrap_or_else(|| "Engineering".into());
    let track = outline.track("ft", &name);
    track.family = source.name.clone();
    for (id, title, summary) in &source.levels {
        track.level(id, title).summary = summary.clone();
    }
    for s in source.statements {
        let cell = track.level(&s.level, &s.level).cell(&s.theme);
        cell.bullets.extend(s.bullets);
        cell.examples.extend(s.examples);
    }
}

/// "1. One\n2. Two" → ["One", "Two"]; any other text stays one bullet.
fn split_numbered(text: &str) -> Vec<String> {
    let items: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let numbered = |l: &str| {
        let digits = l.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && l[digits..].starts_with(". ")
    };
    if items.len() > 1 && items.iter().all(|l| numbered(l)) {
        items
            .iter()
            .map(|l| {
                l.split_once(". ")
                    .map_or(*l, |(_, rest)| rest)
                    .trim()
                    .to_owned()
            })
            .collect()
    } else {
        vec![text.trim().to_owned()]
    }
}

#[cfg(test)]
mod tests {
    use super::split_numbered;

    #[test]
    fn numbered_summaries_become_one_bullet_per_item() {
        assert_eq!(
            split_numbered("1. Tests.\n\n2. Ships."),
            vec!["Tests.", "Ships."]
        );
        assert_eq!(split_numbered("Plans own work.\n"), vec!["Plans own work."]);
    }
}
