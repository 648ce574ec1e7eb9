//! Monzo's progression framework: one markdown file per track, its YAML front matter holding
//! `title`, `sidebarTitle`, `sidebarGroup`, `levels` and `topics`.
//!
//! Mapping: a file → a track (named by `title`, its family by `sidebarGroup`, its description by the
//! markdown after the front matter); a topic → a competency of the shared library (by `name`, so
//! topics of the same name in several files are one competency; named by `title`, else by `name`);
//! `content[].level` → the level of that number, titled "Level N" (or by the item's `name` when
//! given); `criteria` → expectation bullets; `exampleCriteria[].criteria` → bullets too, and their
//! `examples` → examples of the cell. Chart labels (`yAxisLabel`, `xAxisLabel`) and unknown fields
//! are listed as not imported; site settings (`path`, `sidebarTitle`, `yaml`, `homepage`) are
//! ignored.

use super::outline::Outline;
use super::tree::{Doc, field};
use super::{FileDiagnostic, Imported, SourceFile};
use crate::yaml::node::{Entry, Node, Value};

const SITE_SETTINGS: &[&str] = &["path", "sidebarTitle", "yaml", "homepage"];
const TOPIC_FIELDS: &[&str] = &["name", "title", "content"];
const CONTENT_FIELDS: &[&str] = &["level", "name", "criteria", "exampleCriteria"];

pub(crate) fn import(files: &[SourceFile]) -> Result<Imported, Vec<FileDiagnostic>> {
    let mut outline = Outline::new("");
    let mut diagnostics = Vec::new();
    for file in files {
        diagnostics.extend(read_file(file, &mut outline));
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    outline
        .finish()
        .map_err(|m| vec![FileDiagnostic::new(&files[0].name, 0, 0, m)])
}

/// The front matter (the text between the first two `---` lines) and the markdown after it.
pub(crate) fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut at = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((&rest[..at], &rest[at + line.len()..]));
        }
        at += line.len();
    }
    None
}

fn read_file(file: &SourceFile, outline: &mut Outline) -> Vec<FileDiagnostic> {
    let Some((front, body)) = split_front_matter(&file.text) else {
        return vec![FileDiagnostic::new(
            &file.name,
            1,
            1,
            "a Monzo framework file starts with YAML front matter between two `---` lines",
        )];
    };
    let (mut doc, root) = Doc::parse(&file.name, front, 1);
    let Some(root) = root else {
        if doc.diagnostics.is_empty() {
            doc.error(
                crate::yaml::node::Pos::START,
                "the front matter is empty: it needs `title` and `topics`",
            );
        }
        return doc.diagnostics;
    };
    let Some(entries) = doc.map(&root, "the front matter") else {
        return doc.diagnostics;
    };
    let track_id = file.name.clone();
    let title = field(entries, "title")
        .and_then(|n| doc.text(n, "`title`"))
        .or_else(|| field(entries, "sidebarTitle").and_then(|n| doc.text(n, "`sidebarTitle`")))
        .map(|t| plain_title(&t))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| file_stem(&file.name));
    let family = field(entries, "sidebarGroup")
        .and_then(|n| doc.text(n, "`sidebarGroup`"))
        .map(|g| titleise(&g));
    let level_count = field(entries, "levels").and_then(|n| doc.number(n, "`levels`"));

    let mut competencies = Vec::new();
    match field(entries, "topics") {
        Some(topics) => {
            for topic in doc.seq(topics, "`topics`").unwrap_or_default() {
                if let Some(t) = read_topic(&mut doc, topic, outline, &title) {
                    competencies.push(t);
                }
            }
        }
        None => doc.error(
            root.pos,
            "the front matter has no `topics`: a Monzo framework lists its topics there",
        ),
    }
    for e in entries {
        match e.key.as_str() {
            "title" | "sidebarGroup" | "levels" | "topics" => {}
            k if SITE_SETTINGS.contains(&k) => {}
            "yAxisLabel" | "xAxisLabel" => outline.note(format!(
                "{}: the chart label `{}` was not imported",
                file.name, e.key
            )),
            _ => outline.note(format!(
                "{}: the front matter field `{}` was not imported",
                file.name, e.key
            )),
        }
    }
    if !doc.diagnostics.is_empty() {
        return doc.diagnostics;
    }

    let highest = competencies
        .iter()
        .flat_map(|t: &Topic| t.levels.iter().map(|l| l.number))
        .chain(level_count)
        .max()
        .unwrap_or(0);
    let track = outline.track(&track_id, &title);
    track.family = family;
    let description = body.trim();
    if !description.is_empty() {
        track.description = Some(description.to_owned());
    }
    for n in 1..=highest {
        let name = competencies
            .iter()
            .flat_map(|t| &t.levels)
            .find(|l| l.number == n && l.name.is_some())
            .and_then(|l| l.name.clone())
            .unwrap_or_else(|| format!("Level {n}"));
        track.level(&n.to_string(), &name);
    }
    for topic in competencies {
        for l in topic.levels {
            let level = track.level(&l.number.to_string(), &format!("Level {}", l.number));
            let cell = level.cell(&topic.id);
            cell.bullets.extend(l.bullets);
            cell.examples.extend(l.examples);
        }
    }
    Vec::new()
}

struct Topic {
    id: String,
    levels: Vec<TopicLevel>,
}

struct TopicLevel {
    number: u64,
    name: Option<String>,
    bullets: Vec<String>,
    examples: Vec<String>,
}

fn read_topic(doc: &mut Doc<'_>, node: &Node, outline: &mut Outline, track: &str) -> Option<Topic> {
    let entries = doc.map(node, "a topic")?;
    let Some(name) = field(entries, "name").and_then(|n| doc.text(n, "a topic's `name`")) else {
        doc.error(node.pos, "this topic has no `name`");
        return None;
    };
    let title = field(entries, "title")
        .and_then(|n| doc.text(n, "a topic's `title`"))
        .map(|t| plain_title(&t))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| titleise(&name));
    unknown_fields(
        outline,
        doc.file,
        entries,
        TOPIC_FIELDS,
        &format!("topic `{name}`"),
    );
    let id = name.trim().to_lowercase();
    outline.competency(&id, &title, None, None);
    let mut levels = Vec::new();
    if let Some(content) = field(entries, "content") {
        for item in doc.seq(content, "a topic's `content`").unwrap_or_default() {
            if let Some(l) = read_content(doc, item, outline, track, &title) {
                levels.push(l);
            }
        }
    }
    Some(Topic { id, levels })
}

fn read_content(
    doc: &mut Doc<'_>,
    node: &Node,
    outline: &mut Outline,
    track: &str,
    topic: &str,
) -> Option<TopicLevel> {
    let entries = doc.map(node, "a content item")?;
    let Some(level) = field(entries, "level") else {
        doc.error(node.pos, "this content item has no `level`");
        return None;
    };
    let number = doc.number(level, "`level`")?;
    if number == 0 {
        doc.error(level.pos, "levels are numbered from 1");
        return None;
    }
    unknown_fields(
        outline,
        doc.file,
        entries,
        CONTENT_FIELDS,
        &format!("{topic} at level {number}"),
    );
    let name = field(entries, "name").and_then(|n| doc.text(n, "a level's `name`"));
    let mut bullets = field(entries, "criteria")
        .map(|n| doc.texts(n, "`criteria`"))
        .unwrap_or_default();
    let mut examples = Vec::new();
    if let Some(list) = field(entries, "exampleCriteria") {
        for item in doc.seq(list, "`exampleCriteria`").unwrap_or_default() {
            let Some(e) = doc.map(item, "an example criterion") else {
                continue;
            };
            if let Some(c) = field(e, "criteria").and_then(|n| doc.text(n, "`criteria`")) {
                bullets.push(c);
            }
            if let Some(x) = field(e, "examples") {
                examples.extend(doc.texts(x, "`examples`"));
            }
            for extra in e
                .iter()
                .filter(|x| x.key != "criteria" && x.key != "examples")
            {
                outline.note(format!(
                    "{}: {track}, {topic} at level {number}: the example field `{}` was not imported",
                    doc.file, extra.key
                ));
            }
        }
    }
    Some(TopicLevel {
        number,
        name,
        bullets,
        examples,
    })
}

fn unknown_fields(outline: &mut Outline, file: &str, entries: &[Entry], known: &[&str], at: &str) {
    for e in entries {
        if !known.contains(&e.key.as_str()) && !matches!(e.value.value, Value::Invalid) {
            outline.note(format!(
                "{file}: {at}: the field `{}` was not imported",
                e.key
            ));
        }
    }
}

/// A title without the emoji and punctuation Monzo puts in front: "🛠️ Backend" → "Backend".
fn plain_title(title: &str) -> String {
    title
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim()
        .to_owned()
}

/// `communication` → `Communication`, `technical-skills` → `Technical skills`.
pub(crate) fn titleise(id: &str) -> String {
    let words = id.trim().replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `frameworks/engineering/backend.md` → `Backend`.
pub(crate) fn file_stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = base.split('.').next().unwrap_or(base);
    titleise(stem)
}
