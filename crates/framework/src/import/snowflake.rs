//! Medium's snowflake. Its tracks are JavaScript constants, so Trellis reads a JSON export of them:
//!
//! ```json
//! { "tracks": { "MOBILE": { "displayName": "Mobile", "category": "A", "description": "…",
//!                           "milestones": [ { "summary": "…", "signals": ["…"], "examples": ["…"] } ] } },
//!   "titles": [ { "label": "Engineer I", "minPoints": 0, "maxPoints": 16 } ] }
//! ```
//!
//! The `tracks` object may also be the whole file. Mapping: the file → one track (named by the
//! `track_name` option, else "Engineering"); a snowflake track → a competency (named by
//! `displayName`, described by `description`, in the category named by its `category` letter);
//! milestone N → level "Milestone N"; a milestone's `summary` → the cell's first bullet, its
//! `signals` → the other bullets, its `examples` → examples. The `titles` table maps total points to
//! job titles, which Trellis has no place for: it is listed as not imported.

use super::outline::Outline;
use super::tree::{Doc, field};
use super::{FileDiagnostic, Imported, Options, SourceFile};
use crate::yaml::node::Node;

const TRACK_FIELDS: &[&str] = &["displayName", "category", "description", "milestones"];
const MILESTONE_FIELDS: &[&str] = &["summary", "signals", "examples"];

pub(crate) fn import(
    file: &SourceFile,
    options: &Options,
) -> Result<Imported, Vec<FileDiagnostic>> {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&file.text) {
        return Err(vec![FileDiagnostic::new(
            &file.name,
            e.line(),
            e.column(),
            format!("JSON syntax error: {e}")
                .replace(&format!(" at line {} column {}", e.line(), e.column()), ""),
        )]);
    }
    // Outside strings, a tab in JSON is only white space; inside them it must be escaped. So
    // spaces in its place keep every column and spare the YAML parser's rules about tabs.
    let text = file.text.replace('\t', " ");
    let (mut doc, root) = Doc::parse(&file.name, &text, 0);
    let mut outline = Outline::new("");
    if let Some(root) = &root {
        read(&mut doc, root, &mut outline, options);
    }
    if !doc.diagnostics.is_empty() {
        return Err(doc.diagnostics);
    }
    outline
        .finish()
        .map_err(|m| vec![FileDiagnostic::new(&file.name, 0, 0, m)])
}

fn read(doc: &mut Doc<'_>, root: &Node, outline: &mut Outline, options: &Options) {
    let Some(entries) = doc.map(root, "a snowflake export") else {
        return;
    };
    let (tracks, titles) = match field(entries, "tracks") {
        Some(tracks) => {
            for e in entries
                .iter()
                .filter(|e| e.key != "tracks" && e.key != "titles")
            {
                outline.note(format!(
                    "{}: the field `{}` was not imported",
                    doc.file, e.key
                ));
            }
            match doc.map(tracks, "`tracks`") {
                Some(t) => (t.iter().collect::<Vec<_>>(), field(entries, "titles")),
                None => return,
            }
        }
        None => (
            entries.iter().filter(|e| e.key != "titles").collect(),
            field(entries, "titles"),
        ),
    };
    if tracks.is_empty() {
        doc.error(root.pos, "the export has no tracks");
        return;
    }
    let track_name = options
        .track_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "Engineering".into());
    let mut milestones_seen = 0;
    let mut cells = Vec::new();
    for entry in tracks {
        let Some(t) = doc.map(&entry.value, &format!("track `{}`", entry.key)) else {
            continue;
        };
        let name = field(t, "displayName")
            .and_then(|n| doc.text(n, "`displayName`"))
            .unwrap_or_else(|| entry.key.clone());
        let description = field(t, "description").and_then(|n| doc.text(n, "`description`"));
        let category = field(t, "category").and_then(|n| doc.text(n, "`category`"));
        if let Some(c) = &category {
            outline.category(c, &format!("Category {c}"), None);
        }
        outline.competency(&entry.key, &name, category.as_deref(), description);
        for e in t.iter().filter(|e| !TRACK_FIELDS.contains(&e.key.as_str())) {
            outline.note(format!(
                "{}: track `{}`: the field `{}` was not imported",
                doc.file, entry.key, e.key
            ));
        }
        let Some(list) = field(t, "milestones") else {
            doc.error(
                entry.key_pos,
                format!("track `{}` has no `milestones`", entry.key),
            );
            continue;
        };
        let milestones = doc.seq(list, "`milestones`").unwrap_or_default();
        if milestones.is_empty() {
            doc.error(list.pos, format!("track `{}` has no milestones", entry.key));
        }
        milestones_seen = milestones_seen.max(milestones.len());
        for (i, m) in milestones.iter().enumerate() {
            let Some(m) = doc.map(m, "a milestone") else {
                continue;
            };
            let mut bullets: Vec<String> = field(m, "summary")
                .and_then(|n| doc.text(n, "`summary`"))
                .into_iter()
                .collect();
            if let Some(s) = field(m, "signals") {
                bullets.extend(doc.texts(s, "`signals`"));
            }
            let examples = field(m, "examples")
                .map(|x| doc.texts(x, "`examples`"))
                .unwrap_or_default();
            for e in m
                .iter()
                .filter(|e| !MILESTONE_FIELDS.contains(&e.key.as_str()))
            {
                outline.note(format!(
                    "{}: track `{}`, milestone {}: the field `{}` was not imported",
                    doc.file,
                    entry.key,
                    i + 1,
                    e.key
                ));
            }
            cells.push((entry.key.clone(), i + 1, bullets, examples));
        }
    }
    if let Some(titles) = titles {
        read_titles(doc, titles, outline);
    }
    let track = outline.track("snowflake", &track_name);
    for n in 1..=milestones_seen {
        track.level(&n.to_string(), &format!("Milestone {n}"));
    }
    for (competency, n, bullets, examples) in cells {
        let cell = track
            .level(&n.to_string(), &format!("Milestone {n}"))
            .cell(&competency);
        cell.bullets = bullets;
        cell.examples = examples;
    }
}

fn read_titles(doc: &mut Doc<'_>, titles: &Node, outline: &mut Outline) {
    let mut described = Vec::new();
    for t in doc.seq(titles, "`titles`").unwrap_or_default() {
        let Some(t) = doc.map(t, "a title") else {
            continue;
        };
        let label = field(t, "label").and_then(|n| doc.text(n, "`label`"));
        let min = field(t, "minPoints").and_then(|n| doc.number(n, "`minPoints`"));
        let max = field(t, "maxPoints").and_then(|n| doc.number(n, "`maxPoints`"));
        let range = match (min, max) {
            (Some(a), Some(b)) => format!("{a}–{b} points"),
            (Some(a), None) => format!("{a}+ points"),
            (None, Some(b)) => format!("up to {b} points"),
            (None, None) => "no points given".into(),
        };
        described.push(format!("{} ({range})", label.unwrap_or_else(|| "?".into())));
    }
    if !described.is_empty() {
        outline.note(format!(
            "{}: the titles by total points were not imported, as Trellis levels are the milestones and \
             have no points; consider a readiness rule for them: {}",
            doc.file,
            described.join(", ")
        ));
    }
}
