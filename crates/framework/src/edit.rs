//! Every change the browser editor and the API can make to a draft framework, as one command type
//! ([`Edit`]) with one [`apply`], so both go through the same rules and the audit log records the
//! command itself.
//!
//! `apply` enforces what must hold at every moment (well-formed, unique keys; non-empty names;
//! references that resolve; nothing removed while something else uses it). It does not require the
//! framework to be complete: a draft may have empty cells or a track without levels, and
//! [`crate::validate`] reports those before publishing. An edit that is refused leaves the framework
//! untouched.
//!
//! Keys are immutable once created: renaming changes a name or title, never a key. Positions (`to`,
//! `at`) are 0-based and clamped: a position past the end means "last", so a drag to the bottom of a
//! list never fails.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{
    Category, Competency, Framework, Grade, Key, KeyError, Level, Pay, Track, TrackKind,
};

/// One change to a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Edit {
    SetFramework {
        name: String,
        #[serde(default)]
        description: Option<String>,
    },
    /// Switches off the linter rules listed (and on every other one).
    SetLintRules {
        #[serde(default)]
        disable: Vec<Key>,
    },
    AddCategory {
        key: Key,
        name: String,
        #[serde(default)]
        description: Option<String>,
    },
    UpdateCategory {
        key: Key,
        name: String,
        #[serde(default)]
        description: Option<String>,
    },
    RemoveCategory {
        key: Key,
    },
    MoveCategory {
        key: Key,
        to: usize,
    },
    AddCompetency {
        key: Key,
        name: String,
        #[serde(default)]
        category: Option<Key>,
        #[serde(default)]
        description: Option<String>,
    },
    UpdateCompetency {
        key: Key,
        name: String,
        #[serde(default)]
        category: Option<Key>,
        #[serde(default)]
        description: Option<String>,
    },
    RemoveCompetency {
        key: Key,
    },
    MoveCompetency {
        key: Key,
        to: usize,
    },
    AddGrade {
        key: Key,
        name: String,
    },
    UpdateGrade {
        key: Key,
        name: String,
    },
    RemoveGrade {
        key: Key,
    },
    MoveGrade {
        key: Key,
        to: usize,
    },
    AddTrack {
        key: Key,
        name: String,
        #[serde(default)]
        family: Option<String>,
        kind: TrackKind,
        #[serde(default)]
        description: Option<String>,
    },
    UpdateTrack {
        key: Key,
        name: String,
        #[serde(default)]
        family: Option<String>,
        kind: TrackKind,
        #[serde(default)]
        description: Option<String>,
    },
    /// Removes the track with its levels. Whether people hold positions on it is for the caller to check.
    RemoveTrack {
        key: Key,
    },
    MoveTrack {
        key: Key,
        to: usize,
    },
    /// Adds a row to a track, at `at` or at the end.
    AddTrackCompetency {
        track: Key,
        competency: Key,
        #[serde(default)]
        at: Option<usize>,
    },
    /// Removes a row from a track, and its cells from every level of the track.
    RemoveTrackCompetency {
        track: Key,
        competency: Key,
    },
    MoveTrackCompetency {
        track: Key,
        competency: Key,
        to: usize,
    },
    /// Adds a level, at `at` (0 is the lowest) or at the top.
    AddLevel {
        track: Key,
        key: Key,
        title: String,
        #[serde(default)]
        grade: Option<Key>,
        #[serde(default)]
        summary: Option<String>,
        #[serde(default)]
        at: Option<usize>,
    },
    UpdateLevel {
        track: Key,
        key: Key,
        title: String,
        #[serde(default)]
        grade: Option<Key>,
        #[serde(default)]
        summary: Option<String>,
        #[serde(default)]
        pay: Option<Pay>,
    },
    RemoveLevel {
        track: Key,
        key: Key,
    },
    MoveLevel {
        track: Key,
        key: Key,
        to: usize,
    },
    /// Replaces what a level says about one competency of its track. Bullets are trimmed and empty ones
    /// dropped; `not_applicable` clears the expectations and examples.
    SetCell {
        track: Key,
        level: Key,
        competency: Key,
        #[serde(default)]
        expectations: Vec<String>,
        #[serde(default)]
        examples: Vec<String>,
        #[serde(default)]
        not_applicable: bool,
    },
}

/// Why an edit was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EditError {
    /// The form field to show the message next to ("key", "name", "category"), when the problem is
    /// with a value the person typed or chose; `None` when it is with the edit as a whole.
    pub field: Option<&'static str>,
    pub message: String,
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EditError {}

impl EditError {
    fn on(field: &'static str, message: impl Into<String>) -> Self {
        EditError {
            field: Some(field),
            message: message.into(),
        }
    }

    fn whole(message: impl Into<String>) -> Self {
        EditError {
            field: None,
            message: message.into(),
        }
    }
}

/// Parses a key typed into a form field, with the error placed next to that field.
pub fn parse_key(field: &'static str, s: &str) -> Result<Key, EditError> {
    Key::parse(s.trim()).map_err(|KeyError(message)| EditError::on(field, message))
}

/// Applies `edit` to the draft, or explains why it cannot; a refused edit changes nothing.
pub fn apply(fw: &mut Framework, edit: &Edit) -> Result<(), EditError> {
    match edit {
        Edit::SetFramework { name, description } => {
            fw.name = required("name", name)?;
            fw.description = optional(description);
        }
        Edit::SetLintRules { disable } => {
            let mut rules = Vec::new();
            for id in disable {
                if !crate::lint::RULES.iter().any(|r| r.id == id.as_str()) {
                    return Err(EditError::on(
                        "disable",
                        format!("there is no linter rule “{id}”"),
                    ));
                }
                if !rules.contains(id) {
                    rules.push(id.clone());
                }
            }
            fw.lint.disable = rules;
        }
        Edit::AddCategory {
            key,
            name,
            description,
        } => {
            ensure_new(&fw.categories, key, "category")?;
            fw.categories.push(Category {
                key: key.clone(),
                name: required("name", name)?,
                description: optional(description),
            });
        }
        Edit::UpdateCategory {
            key,
            name,
            description,
        } => {
            let i = find(&fw.categories, key, "category")?;
            let name = required("name", name)?;
            let c = &mut fw.categories[i];
            c.name = name;
            c.description = optional(description);
        }
        Edit::RemoveCategory { key } => {
            let i = find(&fw.categories, key, "category")?;
            let users: Vec<String> = fw
                .competencies
                .iter()
                .filter(|c| c.category.as_ref() == Some(key))
                .map(|c| format!("`{}`", c.key))
                .collect();
            refuse_if_used(
                &users,
                "this category",
                [
                    "move it to another category",
                    "move them to another category",
                ],
            )?;
            fw.categories.remove(i);
        }
        Edit::MoveCategory { key, to } => {
            let i = find(&fw.categories, key, "category")?;
            move_to(&mut fw.categories, i, *to);
        }
        Edit::AddCompetency {
            key,
            name,
            category,
            description,
        } => {
            ensure_new(&fw.competencies, key, "competency")?;
            let competency = competency(fw, key, name, category, description)?;
            fw.competencies.push(competency);
        }
        Edit::UpdateCompetency {
            key,
            name,
            category,
            description,
        } => {
            let i = find(&fw.competencies, key, "competency")?;
            fw.competencies[i] = competency(fw, key, name, category, description)?;
        }
        Edit::RemoveCompetency { key } => {
            let i = find(&fw.competencies, key, "competency")?;
            let users: Vec<String> = fw
                .tracks
                .iter()
                .filter(|t| t.competencies.contains(key))
                .map(|t| format!("track `{}`", t.key))
                .collect();
            refuse_if_used(
                &users,
                "this competency",
                ["remove it from that track", "remove it from those tracks"],
            )?;
            fw.competencies.remove(i);
            // No row uses it, but a cell may still name it; leave nothing that points nowhere.
            for level in fw.tracks.iter_mut().flat_map(|t| &mut t.levels) {
                drop_cell(level, key);
            }
        }
        Edit::MoveCompetency { key, to } => {
            let i = find(&fw.competencies, key, "competency")?;
            move_to(&mut fw.competencies, i, *to);
        }
        Edit::AddGrade { key, name } => {
            ensure_new(&fw.grades, key, "grade")?;
            fw.grades.push(Grade {
                key: key.clone(),
                name: required("name", name)?,
            });
        }
        Edit::UpdateGrade { key, name } => {
            let i = find(&fw.grades, key, "grade")?;
            fw.grades[i].name = required("name", name)?;
        }
        Edit::RemoveGrade { key } => {
            let i = find(&fw.grades, key, "grade")?;
            let users: Vec<String> = fw
                .tracks
                .iter()
                .flat_map(|t| t.levels.iter().map(move |l| (t, l)))
                .filter(|(_, l)| l.grade.as_ref() == Some(key))
                .map(|(t, l)| format!("level `{}` of track `{}`", l.key, t.key))
                .collect();
            refuse_if_used(
                &users,
                "this grade",
                ["give it another grade", "give them another grade"],
            )?;
            fw.grades.remove(i);
        }
        Edit::MoveGrade { key, to } => {
            let i = find(&fw.grades, key, "grade")?;
            move_to(&mut fw.grades, i, *to);
        }
        Edit::AddTrack {
            key,
            name,
            family,
            kind,
            description,
        } => {
            ensure_new(&fw.tracks, key, "track")?;
            fw.tracks.push(Track {
                key: key.clone(),
                name: required("name", name)?,
                family: optional(family),
                kind: *kind,
                description: optional(description),
                competencies: Vec::new(),
                levels: Vec::new(),
            });
        }
        Edit::UpdateTrack {
            key,
            name,
            family,
            kind,
            description,
        } => {
            let i = find(&fw.tracks, key, "track")?;
            let name = required("name", name)?;
            let t = &mut fw.tracks[i];
            t.name = name;
            t.family = optional(family);
            t.kind = *kind;
            t.description = optional(description);
        }
        Edit::RemoveTrack { key } => {
            let i = find(&fw.tracks, key, "track")?;
            fw.tracks.remove(i);
        }
        Edit::MoveTrack { key, to } => {
            let i = find(&fw.tracks, key, "track")?;
            move_to(&mut fw.tracks, i, *to);
        }
        Edit::AddTrackCompetency {
            track,
            competency,
            at,
        } => {
            if fw.competency(competency.as_str()).is_none() {
                return Err(EditError::on(
                    "competency",
                    format!("there is no competency `{competency}` in the library"),
                ));
            }
            let t = track_mut(fw, track)?;
            if t.competencies.contains(competency) {
                return Err(EditError::on(
                    "competency",
                    format!("track `{track}` already uses `{competency}`"),
                ));
            }
            insert_at(&mut t.competencies, *at, competency.clone());
        }
        Edit::RemoveTrackCompetency { track, competency } => {
            let t = track_mut(fw, track)?;
            let i = row(t, competency)?;
            t.competencies.remove(i);
            for level in &mut t.levels {
                drop_cell(level, competency);
            }
        }
        Edit::MoveTrackCompetency {
            track,
            competency,
            to,
        } => {
            let t = track_mut(fw, track)?;
            let i = row(t, competency)?;
            move_to(&mut t.competencies, i, *to);
        }
        Edit::AddLevel {
            track,
            key,
            title,
            grade,
            summary,
            at,
        } => {
            check_grade(fw, grade)?;
            let t = track_mut(fw, track)?;
            if t.level(key.as_str()).is_some() {
                return Err(EditError::on(
                    "key",
                    format!("track `{track}` already has a level `{key}`"),
                ));
            }
            let level = Level {
                key: key.clone(),
                title: required("title", title)?,
                grade: grade.clone(),
                summary: optional(summary),
                pay: None,
                expectations: Default::default(),
                examples: Default::default(),
                not_applicable: Vec::new(),
            };
            insert_at(&mut t.levels, *at, level);
        }
        Edit::UpdateLevel {
            track,
            key,
            title,
            grade,
            summary,
            pay,
        } => {
            check_grade(fw, grade)?;
            let title = required("title", title)?;
            let pay = pay.as_ref().map(checked_pay).transpose()?;
            let t = track_mut(fw, track)?;
            let i = level(t, key)?;
            let l = &mut t.levels[i];
            l.title = title;
            l.grade = grade.clone();
            l.summary = optional(summary);
            l.pay = pay;
        }
        Edit::RemoveLevel { track, key } => {
            let t = track_mut(fw, track)?;
            let i = level(t, key)?;
            t.levels.remove(i);
        }
        Edit::MoveLevel { track, key, to } => {
            let t = track_mut(fw, track)?;
            let i = level(t, key)?;
            move_to(&mut t.levels, i, *to);
        }
        Edit::SetCell {
            track,
            level: level_key,
            competency,
            expectations,
            examples,
            not_applicable,
        } => {
            let t = track_mut(fw, track)?;
            row(t, competency)?;
            let i = level(t, level_key)?;
            let l = &mut t.levels[i];
            drop_cell(l, competency);
            if *not_applicable {
                l.not_applicable.push(competency.clone());
            } else {
                let expectations = bullets(expectations);
                if !expectations.is_empty() {
                    l.expectations.insert(competency.clone(), expectations);
                }
                let examples = bullets(examples);
                if !examples.is_empty() {
                    l.examples.insert(competency.clone(), examples);
                }
            }
        }
    }
    Ok(())
}

impl Edit {
    /// A short sentence for the audit log: "Added level `se3` to track `backend`".
    pub fn describe(&self) -> String {
        match self {
            Edit::SetFramework { name, .. } => {
                format!("Set the framework's name to “{}”", name.trim())
            }
            Edit::SetLintRules { disable } if disable.is_empty() => {
                "Switched every linter rule on".to_owned()
            }
            Edit::SetLintRules { disable } => {
                let ids: Vec<String> = disable.iter().map(|k| format!("`{k}`")).collect();
                format!("Switched off the linter rules {}", ids.join(", "))
            }
            Edit::AddCategory { key, .. } => format!("Added category `{key}`"),
            Edit::UpdateCategory { key, .. } => format!("Updated category `{key}`"),
            Edit::RemoveCategory { key } => format!("Removed category `{key}`"),
            Edit::MoveCategory { key, to } => {
                format!("Moved category `{key}` to position {}", to + 1)
            }
            Edit::AddCompetency { key, .. } => format!("Added competency `{key}`"),
            Edit::UpdateCompetency { key, .. } => format!("Updated competency `{key}`"),
            Edit::RemoveCompetency { key } => format!("Removed competency `{key}`"),
            Edit::MoveCompetency { key, to } => {
                format!("Moved competency `{key}` to position {}", to + 1)
            }
            Edit::AddGrade { key, .. } => format!("Added grade `{key}`"),
            Edit::UpdateGrade { key, .. } => format!("Updated grade `{key}`"),
            Edit::RemoveGrade { key } => format!("Removed grade `{key}`"),
            Edit::MoveGrade { key, to } => format!("Moved grade `{key}` to position {}", to + 1),
            Edit::AddTrack { key, .. } => format!("Added track `{key}`"),
            Edit::UpdateTrack { key, .. } => format!("Updated track `{key}`"),
            Edit::RemoveTrack { key } => format!("Removed track `{key}`"),
            Edit::MoveTrack { key, to } => format!("Moved track `{key}` to position {}", to + 1),
            Edit::AddTrackCompetency {
                track, competency, ..
            } => format!("Added competency `{competency}` to track `{track}`"),
            Edit::RemoveTrackCompetency { track, competency } => {
                format!("Removed competency `{competency}` from track `{track}`")
            }
            Edit::MoveTrackCompetency {
                track,
                competency,
                to,
            } => format!(
                "Moved competency `{competency}` to row {} of track `{track}`",
                to + 1
            ),
            Edit::AddLevel { track, key, .. } => format!("Added level `{key}` to track `{track}`"),
            Edit::UpdateLevel { track, key, .. } => {
                format!("Updated level `{key}` of track `{track}`")
            }
            Edit::RemoveLevel { track, key } => {
                format!("Removed level `{key}` from track `{track}`")
            }
            Edit::MoveLevel { track, key, to } => format!(
                "Moved level `{key}` of track `{track}` to position {}",
                to + 1
            ),
            Edit::SetCell {
                track,
                level,
                competency,
                not_applicable: true,
                ..
            } => format!(
                "Marked `{competency}` not applicable at level `{level}` of track `{track}`"
            ),
            Edit::SetCell {
                track,
                level,
                competency,
                ..
            } => format!("Set `{competency}` at level `{level}` of track `{track}`"),
        }
    }
}

/// Items of the framework that have a key.
trait Keyed {
    fn key(&self) -> &Key;
}

macro_rules! keyed {
    ($($t:ty),*) => {$(
        impl Keyed for $t {
            fn key(&self) -> &Key {
                &self.key
            }
        }
    )*};
}

keyed!(Category, Competency, Grade, Track, Level);

fn find<T: Keyed>(items: &[T], key: &Key, what: &str) -> Result<usize, EditError> {
    items
        .iter()
        .position(|t| t.key() == key)
        .ok_or_else(|| EditError::whole(format!("there is no {what} `{key}`")))
}

fn ensure_new<T: Keyed>(items: &[T], key: &Key, what: &str) -> Result<(), EditError> {
    if items.iter().any(|t| t.key() == key) {
        return Err(EditError::on(
            "key",
            format!("there is already a {what} `{key}`; choose another key"),
        ));
    }
    Ok(())
}

fn track_mut<'a>(fw: &'a mut Framework, key: &Key) -> Result<&'a mut Track, EditError> {
    fw.track_mut(key.as_str())
        .ok_or_else(|| EditError::whole(format!("there is no track `{key}`")))
}

fn level(track: &Track, key: &Key) -> Result<usize, EditError> {
    track
        .rank_of(key.as_str())
        .ok_or_else(|| EditError::whole(format!("track `{}` has no level `{key}`", track.key)))
}

fn row(track: &Track, competency: &Key) -> Result<usize, EditError> {
    track
        .competencies
        .iter()
        .position(|k| k == competency)
        .ok_or_else(|| {
            EditError::whole(format!(
                "track `{}` does not use `{competency}`; add it to the track first",
                track.key
            ))
        })
}

fn check_grade(fw: &Framework, grade: &Option<Key>) -> Result<(), EditError> {
    match grade {
        Some(g) if fw.grade(g.as_str()).is_none() => {
            Err(EditError::on("grade", format!("there is no grade `{g}`")))
        }
        _ => Ok(()),
    }
}

fn competency(
    fw: &Framework,
    key: &Key,
    name: &str,
    category: &Option<Key>,
    description: &Option<String>,
) -> Result<Competency, EditError> {
    if let Some(c) = category
        && fw.category(c.as_str()).is_none()
    {
        return Err(EditError::on(
            "category",
            format!("there is no category `{c}`"),
        ));
    }
    Ok(Competency {
        key: key.clone(),
        name: required("name", name)?,
        category: category.clone(),
        description: optional(description),
    })
}

fn checked_pay(pay: &Pay) -> Result<Pay, EditError> {
    let currency = pay.currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(EditError::on(
            "pay",
            format!(
                "`{}` is not a currency code; use three letters such as EUR",
                pay.currency.trim()
            ),
        ));
    }
    if pay.min > pay.max {
        return Err(EditError::on("pay", "the minimum is above the maximum"));
    }
    if let Some(mid) = pay.mid
        && !(pay.min..=pay.max).contains(&mid)
    {
        return Err(EditError::on(
            "pay",
            "the midpoint must lie between the minimum and the maximum",
        ));
    }
    Ok(Pay {
        currency,
        ..pay.clone()
    })
}

/// Refuses a removal while `users` use the item: "`ownership`, `autonomy`, `scope` and 2 more use
/// this category; move them to another category first". `fix` is what to do, for one user and for
/// several.
fn refuse_if_used(users: &[String], item: &str, fix: [&str; 2]) -> Result<(), EditError> {
    const NAMED: usize = 3;
    let (verb, fix) = match users.len() {
        0 => return Ok(()),
        1 => ("uses", fix[0]),
        _ => ("use", fix[1]),
    };
    let named = match users {
        [one] => one.clone(),
        [init @ .., last] if users.len() <= NAMED => format!("{} and {last}", init.join(", ")),
        _ => format!(
            "{} and {} more",
            users[..NAMED].join(", "),
            users.len() - NAMED
        ),
    };
    Err(EditError::whole(format!(
        "{named} {verb} {item}; {fix} first"
    )))
}

/// Forgets what a level says about a competency.
fn drop_cell(level: &mut Level, competency: &Key) {
    level.expectations.remove(competency);
    level.examples.remove(competency);
    level.not_applicable.retain(|k| k != competency);
}

fn required(field: &'static str, value: &str) -> Result<String, EditError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(EditError::on(field, format!("the {field} cannot be empty")));
    }
    Ok(value.to_owned())
}

fn optional(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn bullets(values: &[String]) -> Vec<String> {
    values
        .iter()
        .map(|b| b.trim())
        .filter(|b| !b.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Moves the item at `from` so that it ends at `to`, or last when `to` is past the end.
fn move_to<T>(items: &mut Vec<T>, from: usize, to: usize) {
    let item = items.remove(from);
    let to = to.min(items.len());
    items.insert(to, item);
}

/// Inserts at `at`, or last when `at` is `None` or past the end.
fn insert_at<T>(items: &mut Vec<T>, at: Option<usize>, item: T) {
    let at = at.map_or(items.len(), |i| i.min(items.len()));
    items.insert(at, item);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(s: &str) -> Key {
        Key::parse(s).expect("test key")
    }

    /// Builds a draft the way the editor would: one edit at a time.
    fn draft() -> Framework {
        let mut fw = Framework::default();
        let edits = json!([
            {"op": "set_framework", "name": "Acme"},
            {"op": "add_category", "key": "impact", "name": "Impact"},
            {"op": "add_category", "key": "craft", "name": "Craft"},
            {"op": "add_competency", "key": "ownership", "name": "Ownership", "category": "impact"},
            {"op": "add_competency", "key": "reliability", "name": "Reliability", "category": "craft"},
            {"op": "add_competency", "key": "autonomy", "name": "Autonomy"},
            {"op": "add_grade", "key": "g1", "name": "Grade 1"},
            {"op": "add_grade", "key": "g2", "name": "Grade 2"},
            {"op": "add_track", "key": "backend", "name": "Backend", "kind": "individual-contributor"},
            {"op": "add_track", "key": "frontend", "name": "Frontend", "kind": "individual-contributor"},
            {"op": "add_track_competency", "track": "backend", "competency": "ownership"},
            {"op": "add_track_competency", "track": "backend", "competency": "reliability"},
            {"op": "add_track_competency", "track": "frontend", "competency": "ownership"},
            {"op": "add_level", "track": "backend", "key": "se1", "title": "Software Engineer I", "grade": "g1"},
            {"op": "add_level", "track": "backend", "key": "se2", "title": "Software Engineer II"},
            {"op": "set_cell", "track": "backend", "level": "se1", "competency": "ownership",
             "expectations": ["You finish what you start."], "examples": ["The login page."]},
            {"op": "set_cell", "track": "backend", "level": "se1", "competency": "reliability",
             "not_applicable": true}
        ]);
        let edits: Vec<Edit> = serde_json::from_value(edits).expect("edits");
        for e in &edits {
            apply(&mut fw, e).unwrap_or_else(|err| panic!("{e:?}: {err}"));
        }
        fw
    }

    fn refused(edit: Edit) -> EditError {
        let mut fw = draft();
        let err = apply(&mut fw, &edit).expect_err("the edit should be refused");
        assert_eq!(fw, draft(), "a refused edit changes nothing");
        err
    }

    fn applied(edit: Edit) -> Framework {
        let mut fw = draft();
        apply(&mut fw, &edit).unwrap_or_else(|err| panic!("{edit:?}: {err}"));
        fw
    }

    fn keys<T: Keyed>(items: &[T]) -> Vec<&str> {
        items.iter().map(|t| t.key().as_str()).collect()
    }

    fn backend(fw: &Framework) -> &Track {
        fw.track("backend").expect("backend")
    }

    #[test]
    fn building_a_draft_edit_by_edit_gives_the_expected_framework() {
        let fw = draft();
        assert_eq!(fw.name, "Acme");
        assert_eq!(keys(&fw.categories), ["impact", "craft"]);
        assert_eq!(
            keys(&fw.competencies),
            ["ownership", "reliability", "autonomy"]
        );
        assert_eq!(
            backend(&fw).competencies,
            [key("ownership"), key("reliability")]
        );
        assert_eq!(keys(&backend(&fw).levels), ["se1", "se2"]);
        let se1 = &backend(&fw).levels[0];
        assert_eq!(
            se1.expectations[&key("ownership")],
            ["You finish what you start."]
        );
        assert_eq!(se1.examples[&key("ownership")], ["The login page."]);
        assert_eq!(se1.not_applicable, [key("reliability")]);
    }

    #[test]
    fn names_and_text_are_trimmed_and_blank_text_is_none() {
        let fw = applied(Edit::UpdateCategory {
            key: key("impact"),
            name: "  Impact & reach ".into(),
            description: Some("   ".into()),
        });
        assert_eq!(fw.categories[0].name, "Impact & reach");
        assert_eq!(fw.categories[0].description, None);
        let fw = applied(Edit::SetFramework {
            name: " Acme Ltd ".into(),
            description: Some(" How we grow ".into()),
        });
        assert_eq!(fw.name, "Acme Ltd");
        assert_eq!(fw.description.as_deref(), Some("How we grow"));
    }

    #[test]
    fn a_blank_name_is_refused_next_to_the_name_field() {
        let err = refused(Edit::AddGrade {
            key: key("g3"),
            name: "  ".into(),
        });
        assert_eq!(err.field, Some("name"));
        assert_eq!(err.message, "the name cannot be empty");
        let err = refused(Edit::SetFramework {
            name: String::new(),
            description: None,
        });
        assert_eq!(err.field, Some("name"));
    }

    #[test]
    fn a_blank_level_title_is_refused_next_to_the_title_field() {
        let err = refused(Edit::UpdateLevel {
            track: key("backend"),
            key: key("se1"),
            title: " ".into(),
            grade: None,
            summary: None,
            pay: None,
        });
        assert_eq!(err.field, Some("title"));
    }

    #[test]
    fn a_key_already_taken_is_refused_in_its_scope_only() {
        let err = refused(Edit::AddCompetency {
            key: key("ownership"),
            name: "Ownership again".into(),
            category: None,
            description: None,
        });
        assert_eq!(err.field, Some("key"));
        assert_eq!(
            err.message,
            "there is already a competency `ownership`; choose another key"
        );
        assert_eq!(
            refused(Edit::AddCategory {
                key: key("craft"),
                name: "Craft".into(),
                description: None
            })
            .field,
            Some("key")
        );
        assert_eq!(
            refused(Edit::AddTrack {
                key: key("backend"),
                name: "Backend".into(),
                family: None,
                kind: TrackKind::Management,
                description: None
            })
            .field,
            Some("key")
        );
        let err = refused(Edit::AddLevel {
            track: key("backend"),
            key: key("se1"),
            title: "Again".into(),
            grade: None,
            summary: None,
            at: None,
        });
        assert_eq!(err.message, "track `backend` already has a level `se1`");
        // Level keys are unique within a track, so another track may reuse one.
        let fw = applied(Edit::AddLevel {
            track: key("frontend"),
            key: key("se1"),
            title: "Frontend Engineer I".into(),
            grade: None,
            summary: None,
            at: None,
        });
        assert_eq!(
            keys(&fw.track("frontend").expect("frontend").levels),
            ["se1"]
        );
    }

    #[test]
    fn a_malformed_key_is_refused_when_parsed_and_when_deserialised() {
        let err = parse_key("key", "Software Engineer").expect_err("bad key");
        assert_eq!(err.field, Some("key"));
        assert!(err.message.contains("not a valid key"), "{}", err.message);
        assert_eq!(parse_key("key", " se-1 "), Ok(key("se-1")));
        let bad = json!({"op": "add_grade", "key": "G 1", "name": "Grade 1"});
        assert!(serde_json::from_value::<Edit>(bad).is_err());
    }

    #[test]
    fn an_unknown_field_in_a_command_is_refused() {
        let typo = json!({"op": "add_grade", "key": "g3", "nmae": "Grade 3"});
        assert!(serde_json::from_value::<Edit>(typo).is_err());
    }

    #[test]
    fn references_must_resolve() {
        let err = refused(Edit::AddCompetency {
            key: key("mentoring"),
            name: "Mentoring".into(),
            category: Some(key("people")),
            description: None,
        });
        assert_eq!(err.field, Some("category"));
        assert_eq!(err.message, "there is no category `people`");

        let err = refused(Edit::AddLevel {
            track: key("backend"),
            key: key("se3"),
            title: "Senior".into(),
            grade: Some(key("g9")),
            summary: None,
            at: None,
        });
        assert_eq!(err.field, Some("grade"));

        let err = refused(Edit::AddTrackCompetency {
            track: key("backend"),
            competency: key("mentoring"),
            at: None,
        });
        assert_eq!(err.field, Some("competency"));

        let err = refused(Edit::RemoveLevel {
            track: key("sales"),
            key: key("s1"),
        });
        assert_eq!(
            (err.field, err.message.as_str()),
            (None, "there is no track `sales`")
        );

        let err = refused(Edit::MoveLevel {
            track: key("backend"),
            key: key("se9"),
            to: 0,
        });
        assert_eq!(err.message, "track `backend` has no level `se9`");

        let err = refused(Edit::UpdateGrade {
            key: key("g9"),
            name: "Grade 9".into(),
        });
        assert_eq!(err.message, "there is no grade `g9`");
    }

    #[test]
    fn a_cell_can_only_be_set_for_a_competency_the_track_uses() {
        let err = refused(Edit::SetCell {
            track: key("backend"),
            level: key("se1"),
            competency: key("autonomy"),
            expectations: vec!["You work alone.".into()],
            examples: vec![],
            not_applicable: false,
        });
        assert_eq!(
            err.message,
            "track `backend` does not use `autonomy`; add it to the track first"
        );
    }

    #[test]
    fn a_competency_can_be_added_to_a_track_only_once() {
        let err = refused(Edit::AddTrackCompetency {
            track: key("backend"),
            competency: key("ownership"),
            at: None,
        });
        assert_eq!(err.message, "track `backend` already uses `ownership`");
    }

    #[test]
    fn rows_and_levels_are_inserted_where_asked() {
        let fw = applied(Edit::AddTrackCompetency {
            track: key("backend"),
            competency: key("autonomy"),
            at: Some(0),
        });
        assert_eq!(
            backend(&fw).competencies,
            [key("autonomy"), key("ownership"), key("reliability")]
        );
        let fw = applied(Edit::AddLevel {
            track: key("backend"),
            key: key("intern"),
            title: "Intern".into(),
            grade: None,
            summary: Some(" Learning ".into()),
            at: Some(0),
        });
        assert_eq!(keys(&backend(&fw).levels), ["intern", "se1", "se2"]);
        assert_eq!(backend(&fw).levels[0].summary.as_deref(), Some("Learning"));
    }

    #[test]
    fn an_insert_or_move_past_the_end_puts_the_item_last() {
        let fw = applied(Edit::AddLevel {
            track: key("backend"),
            key: key("se3"),
            title: "Senior".into(),
            grade: None,
            summary: None,
            at: Some(99),
        });
        assert_eq!(keys(&backend(&fw).levels), ["se1", "se2", "se3"]);
        let fw = applied(Edit::MoveCompetency {
            key: key("ownership"),
            to: 99,
        });
        assert_eq!(
            keys(&fw.competencies),
            ["reliability", "autonomy", "ownership"]
        );
    }

    #[test]
    fn every_list_can_be_reordered() {
        let fw = applied(Edit::MoveCategory {
            key: key("craft"),
            to: 0,
        });
        assert_eq!(keys(&fw.categories), ["craft", "impact"]);
        let fw = applied(Edit::MoveGrade {
            key: key("g1"),
            to: 1,
        });
        assert_eq!(keys(&fw.grades), ["g2", "g1"]);
        let fw = applied(Edit::MoveTrack {
            key: key("frontend"),
            to: 0,
        });
        assert_eq!(keys(&fw.tracks), ["frontend", "backend"]);
        let fw = applied(Edit::MoveLevel {
            track: key("backend"),
            key: key("se2"),
            to: 0,
        });
        assert_eq!(keys(&backend(&fw).levels), ["se2", "se1"]);
        let fw = applied(Edit::MoveTrackCompetency {
            track: key("backend"),
            competency: key("reliability"),
            to: 0,
        });
        assert_eq!(
            backend(&fw).competencies,
            [key("reliability"), key("ownership")]
        );
    }

    #[test]
    fn updates_replace_the_editable_fields_and_keep_the_key() {
        let fw = applied(Edit::UpdateCompetency {
            key: key("autonomy"),
            name: "Independence".into(),
            category: Some(key("craft")),
            description: Some("Working without supervision".into()),
        });
        let c = fw.competency("autonomy").expect("autonomy");
        assert_eq!(c.name, "Independence");
        assert_eq!(c.category, Some(key("craft")));
        let fw = applied(Edit::UpdateTrack {
            key: key("frontend"),
            name: "Web".into(),
            family: Some(" Engineering ".into()),
            kind: TrackKind::Management,
            description: None,
        });
        let t = fw.track("frontend").expect("frontend");
        assert_eq!(
            (t.name.as_str(), t.family.as_deref(), t.kind),
            ("Web", Some("Engineering"), TrackKind::Management)
        );
        let fw = applied(Edit::UpdateGrade {
            key: key("g2"),
            name: "Grade two".into(),
        });
        assert_eq!(fw.grades[1].name, "Grade two");
    }

    #[test]
    fn updating_a_level_sets_its_grade_and_pay_band() {
        let fw = applied(Edit::UpdateLevel {
            track: key("backend"),
            key: key("se2"),
            title: "Engineer II".into(),
            grade: Some(key("g2")),
            summary: None,
            pay: Some(Pay {
                currency: "eur".into(),
                min: 50_000,
                mid: Some(58_000),
                max: 66_000,
            }),
        });
        let se2 = backend(&fw).level("se2").expect("se2");
        assert_eq!(se2.title, "Engineer II");
        assert_eq!(se2.grade, Some(key("g2")));
        assert_eq!(se2.pay.as_ref().map(|p| p.currency.as_str()), Some("EUR"));
        assert_eq!(se2.expectations, backend(&draft()).levels[1].expectations);
    }

    #[test]
    fn an_inconsistent_pay_band_is_refused() {
        let update = |currency: &str, min, mid, max| Edit::UpdateLevel {
            track: key("backend"),
            key: key("se2"),
            title: "Engineer II".into(),
            grade: None,
            summary: None,
            pay: Some(Pay {
                currency: currency.into(),
                min,
                mid,
                max,
            }),
        };
        let err = refused(update("EUR", 70_000, None, 60_000));
        assert_eq!(err.field, Some("pay"));
        assert_eq!(err.message, "the minimum is above the maximum");
        assert_eq!(refused(update("EUR", 1, Some(5), 4)).field, Some("pay"));
        assert_eq!(refused(update("euro", 1, None, 4)).field, Some("pay"));
    }

    #[test]
    fn removing_a_used_category_is_refused_naming_the_competencies() {
        let err = refused(Edit::RemoveCategory { key: key("impact") });
        assert_eq!(err.field, None);
        assert_eq!(
            err.message,
            "`ownership` uses this category; move it to another category first"
        );
        let mut fw = draft();
        for k in ["a", "b", "c", "d"] {
            let add = Edit::AddCompetency {
                key: key(k),
                name: k.to_uppercase(),
                category: Some(key("impact")),
                description: None,
            };
            apply(&mut fw, &add).expect("add");
        }
        let err = apply(&mut fw, &Edit::RemoveCategory { key: key("impact") }).expect_err("in use");
        assert_eq!(
            err.message,
            "`ownership`, `a`, `b` and 2 more use this category; move them to another category first"
        );
    }

    #[test]
    fn removing_an_unused_category_works() {
        let mut fw = draft();
        let moved = Edit::UpdateCompetency {
            key: key("reliability"),
            name: "Reliability".into(),
            category: None,
            description: None,
        };
        apply(&mut fw, &moved).expect("move");
        apply(&mut fw, &Edit::RemoveCategory { key: key("craft") }).expect("remove");
        assert_eq!(keys(&fw.categories), ["impact"]);
    }

    #[test]
    fn removing_a_used_competency_is_refused_naming_the_tracks() {
        let err = refused(Edit::RemoveCompetency {
            key: key("ownership"),
        });
        assert_eq!(
            err.message,
            "track `backend` and track `frontend` use this competency; remove it from those tracks first"
        );
        let err = refused(Edit::RemoveCompetency {
            key: key("reliability"),
        });
        assert_eq!(
            err.message,
            "track `backend` uses this competency; remove it from that track first"
        );
    }

    #[test]
    fn removing_an_unused_competency_works() {
        let fw = applied(Edit::RemoveCompetency {
            key: key("autonomy"),
        });
        assert_eq!(keys(&fw.competencies), ["ownership", "reliability"]);
    }

    #[test]
    fn removing_a_used_grade_is_refused_naming_the_levels() {
        let err = refused(Edit::RemoveGrade { key: key("g1") });
        assert_eq!(
            err.message,
            "level `se1` of track `backend` uses this grade; give it another grade first"
        );
        let fw = applied(Edit::RemoveGrade { key: key("g2") });
        assert_eq!(keys(&fw.grades), ["g1"]);
    }

    #[test]
    fn removing_a_track_row_drops_its_cells_in_every_level() {
        let fw = applied(Edit::RemoveTrackCompetency {
            track: key("backend"),
            competency: key("reliability"),
        });
        assert_eq!(backend(&fw).competencies, [key("ownership")]);
        assert!(backend(&fw).levels[0].not_applicable.is_empty());
        let fw = applied(Edit::RemoveTrackCompetency {
            track: key("backend"),
            competency: key("ownership"),
        });
        let se1 = &backend(&fw).levels[0];
        assert!(se1.expectations.is_empty());
        assert!(se1.examples.is_empty());
    }

    #[test]
    fn removing_the_last_level_of_a_track_is_allowed() {
        let mut fw = draft();
        for level in ["se1", "se2"] {
            let remove = Edit::RemoveLevel {
                track: key("backend"),
                key: key(level),
            };
            apply(&mut fw, &remove).expect("remove");
        }
        assert!(backend(&fw).levels.is_empty());
    }

    #[test]
    fn removing_a_track_removes_it_with_its_levels() {
        let fw = applied(Edit::RemoveTrack {
            key: key("backend"),
        });
        assert_eq!(keys(&fw.tracks), ["frontend"]);
    }

    #[test]
    fn setting_a_cell_trims_bullets_and_drops_empty_ones() {
        let fw = applied(Edit::SetCell {
            track: key("backend"),
            level: key("se2"),
            competency: key("ownership"),
            expectations: vec![
                "  You own project goals. ".into(),
                "   ".into(),
                String::new(),
            ],
            examples: vec![" ".into()],
            not_applicable: false,
        });
        let se2 = backend(&fw).level("se2").expect("se2");
        assert_eq!(
            se2.expectations[&key("ownership")],
            ["You own project goals."]
        );
        assert!(!se2.examples.contains_key(&key("ownership")));
    }

    #[test]
    fn marking_a_cell_not_applicable_clears_its_bullets() {
        let fw = applied(Edit::SetCell {
            track: key("backend"),
            level: key("se1"),
            competency: key("ownership"),
            expectations: vec!["Ignored.".into()],
            examples: vec![],
            not_applicable: true,
        });
        let se1 = &backend(&fw).levels[0];
        assert!(se1.expectations.is_empty());
        assert!(se1.examples.is_empty());
        assert_eq!(se1.not_applicable, [key("reliability"), key("ownership")]);
    }

    #[test]
    fn filling_a_not_applicable_cell_makes_it_apply_again() {
        let fw = applied(Edit::SetCell {
            track: key("backend"),
            level: key("se1"),
            competency: key("reliability"),
            expectations: vec!["You write tests.".into()],
            examples: vec![],
            not_applicable: false,
        });
        let se1 = &backend(&fw).levels[0];
        assert!(se1.not_applicable.is_empty());
        assert_eq!(se1.expectations[&key("reliability")], ["You write tests."]);
    }

    #[test]
    fn emptying_a_cell_leaves_it_missing_for_validation_to_report() {
        let fw = applied(Edit::SetCell {
            track: key("backend"),
            level: key("se1"),
            competency: key("ownership"),
            expectations: vec![],
            examples: vec![],
            not_applicable: false,
        });
        let se1 = &backend(&fw).levels[0];
        assert!(!se1.expectations.contains_key(&key("ownership")));
        assert!(!se1.examples.contains_key(&key("ownership")));
    }

    #[test]
    fn commands_serialise_with_their_op_for_the_audit_log() {
        let edit = Edit::MoveLevel {
            track: key("backend"),
            key: key("se2"),
            to: 0,
        };
        let value = serde_json::to_value(&edit).expect("json");
        assert_eq!(
            value,
            json!({"op": "move_level", "track": "backend", "key": "se2", "to": 0})
        );
        assert_eq!(serde_json::from_value::<Edit>(value).expect("edit"), edit);
    }

    #[test]
    fn every_command_describes_itself_in_a_sentence() {
        let add = Edit::AddLevel {
            track: key("backend"),
            key: key("se3"),
            title: "Senior".into(),
            grade: None,
            summary: None,
            at: None,
        };
        assert_eq!(add.describe(), "Added level `se3` to track `backend`");
        let na = Edit::SetCell {
            track: key("backend"),
            level: key("se1"),
            competency: key("reliability"),
            expectations: vec![],
            examples: vec![],
            not_applicable: true,
        };
        assert_eq!(
            na.describe(),
            "Marked `reliability` not applicable at level `se1` of track `backend`"
        );
        let mv = Edit::MoveTrack {
            key: key("sales"),
            to: 0,
        };
        assert_eq!(mv.describe(), "Moved track `sales` to position 1");
        assert_eq!(
            Edit::RemoveTrackCompetency {
                track: key("backend"),
                competency: key("ownership")
            }
            .describe(),
            "Removed competency `ownership` from track `backend`"
        );
    }

    #[test]
    fn linter_rules_are_switched_off_by_id_and_unknown_ids_are_refused() {
        let mut fw = Framework::default();
        apply(
            &mut fw,
            &Edit::SetLintRules {
                disable: vec![
                    Key::parse("filler").expect("key"),
                    Key::parse("filler").expect("key"),
                ],
            },
        )
        .expect("a known rule");
        assert_eq!(fw.lint.disable, [Key::parse("filler").expect("key")]);
        let err = apply(
            &mut fw,
            &Edit::SetLintRules {
                disable: vec![Key::parse("no-such-rule").expect("key")],
            },
        )
        .expect_err("an unknown rule");
        assert_eq!(err.field, Some("disable"));
        assert_eq!(fw.lint.disable, [Key::parse("filler").expect("key")]);
    }
}
