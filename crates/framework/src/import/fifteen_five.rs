//! 15Five's career-framework CSV, with the columns Path, Job title, Competency, Skill and Key
//! behavior (matched ignoring case, spaces, `_` and `-`).
//!
//! Mapping: Path → a track; Job title → a level of it, in order of first appearance; Competency →
//! a category; Skill → a competency of the library in that category; Key behavior → a bullet in the
//! cell (job title, skill). Other columns are listed as not imported.

use super::outline::Outline;
use super::rows::Table;
use super::{FileDiagnostic, Imported, SourceFile};

const PATH: usize = 0;
const JOB_TITLE: usize = 1;
const COMPETENCY: usize = 2;
const SKILL: usize = 3;
const BEHAVIOR: usize = 4;

pub(crate) const COLUMNS: &[&[&str]] = &[
    &["path", "career path"],
    &["job title", "title"],
    &["competency"],
    &["skill"],
    &[
        "key behavior",
        "key behaviour",
        "key behaviors",
        "key behaviours",
        "behavior",
    ],
];

pub(crate) fn import(file: &SourceFile) -> Result<Imported, Vec<FileDiagnostic>> {
    let table = Table::read(&file.name, &file.text)?;
    let cols = table.columns(COLUMNS);
    let missing: Vec<&str> = [PATH, JOB_TITLE, COMPETENCY, SKILL, BEHAVIOR]
        .into_iter()
        .filter(|i| cols.get(*i).is_none())
        .map(|i| ["Path", "Job title", "Competency", "Skill", "Key behavior"][i])
        .collect();
    if !missing.is_empty() {
        return Err(vec![table.header_error(format!(
            "the header has no {} column: a 15Five CSV has the columns Path, Job title, Competency, \
             Skill and Key behavior (found: {})",
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
        let mut value = |i: usize, what: &str| {
            let v = r.field(cols.get(i));
            if v.is_empty() {
                errors.push(table.error_at(
                    r,
                    cols.get(i).unwrap_or(0),
                    format!("the {what} is empty"),
                ));
            }
            v
        };
        let path = value(PATH, "Path");
        let title = value(JOB_TITLE, "Job title");
        let competency = r.field(cols.get(COMPETENCY));
        let skill = value(SKILL, "Skill");
        let behavior = value(BEHAVIOR, "Key behavior");
        if [path, title, skill, behavior].iter().any(|v| v.is_empty()) {
            continue;
        }
        let category = competency.to_lowercase();
        if !competency.is_empty() {
            outline.category(&category, competency, None);
        }
        let skill_id = skill.to_lowercase();
        outline.competency(
            &skill_id,
            skill,
            Some(category.as_str()).filter(|c| !c.is_empty()),
            None,
        );
        outline
            .track(path, path)
            .level(title, title)
            .cell(&skill_id)
            .bullets
            .push(behavior.to_owned());
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
