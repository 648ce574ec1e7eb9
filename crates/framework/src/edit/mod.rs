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
mod tests;
