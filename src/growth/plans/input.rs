//! Goals as typed, and the checks of every field: the one validation of a goal for the pages and
//! the API.

use trellis_framework::Framework;

use super::{GoalStatus, TEXT_MAX, TITLE_MAX, field_error, keep};
use crate::domain::Day;
use crate::error::FieldError;

/// A goal as typed in a form or sent to the API, before checking.
#[derive(Debug, Clone, Default)]
pub struct GoalInput {
    pub title: String,
    /// Markdown; optional.
    pub description: String,
    /// Competency keys; at least one.
    pub competencies: Vec<String>,
    /// The target position: both empty, or a track key and one of its level keys.
    pub track: String,
    pub level: String,
    /// `YYYY-MM-DD`; optional.
    pub due_on: String,
    /// Empty for not started.
    pub status: String,
}

/// A change to a goal: each field given replaces the current one (an empty text clears it).
#[derive(Debug, Clone, Default)]
pub struct GoalChange {
    pub title: Option<String>,
    pub description: Option<String>,
    pub competencies: Option<Vec<String>>,
    /// Given together with `level`; both empty to clear the target.
    pub track: Option<String>,
    pub level: Option<String>,
    pub due_on: Option<String>,
    pub status: Option<String>,
}

/// A required title of at most [`TITLE_MAX`] characters.
pub(super) fn check_title(field: &str, what: &str, raw: &str) -> Result<String, FieldError> {
    let title = raw.trim();
    if title.is_empty() {
        Err(field_error(field, format!("give the {what} a title")))
    } else if title.chars().count() > TITLE_MAX {
        Err(field_error(
            field,
            format!(
                "a title has at most {TITLE_MAX} characters; this one has {}",
                title.chars().count()
            ),
        ))
    } else {
        Ok(title.to_owned())
    }
}

/// An optional text of at most [`TEXT_MAX`] characters.
pub(super) fn check_text(field: &str, raw: &str) -> Result<Option<String>, FieldError> {
    let text = raw.trim();
    if text.chars().count() > TEXT_MAX {
        Err(field_error(
            field,
            format!("this text has at most {TEXT_MAX} characters"),
        ))
    } else {
        Ok((!text.is_empty()).then(|| text.to_owned()))
    }
}

/// An optional day, written `YYYY-MM-DD`.
pub(super) fn check_day(field: &str, raw: &str) -> Result<Option<String>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Day::parse(raw)
        .map(|d| Some(d.to_string()))
        .map_err(|m| field_error(field, m))
}

fn check_status(raw: &str) -> Result<GoalStatus, FieldError> {
    match raw.trim() {
        "" => Ok(GoalStatus::NotStarted),
        s => GoalStatus::parse(s).ok_or_else(|| {
            field_error(
                "status",
                format!("“{s}” is not a status: use not_started, in_progress, done or dropped"),
            )
        }),
    }
}

/// One or more competency keys of the library, each once, in the order given.
fn check_competencies(fw: &Framework, keys: &[String]) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for key in keys.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
        if fw.competency(key).is_none() {
            return Err(field_error(
                "competencies",
                format!("“{key}” is not a competency of the library"),
            ));
        }
        if !out.iter().any(|k| k == key) {
            out.push(key.to_owned());
        }
    }
    if out.is_empty() {
        return Err(field_error(
            "competencies",
            "choose at least one competency the goal works on",
        ));
    }
    Ok(out)
}

/// A target position: nothing, or a track of the framework and one of its levels.
fn check_target(
    fw: &Framework,
    track: &str,
    level: &str,
) -> Result<Option<(String, String)>, FieldError> {
    let (track, level) = (track.trim(), level.trim());
    match (track.is_empty(), level.is_empty()) {
        (true, true) => Ok(None),
        (true, false) => Err(field_error("track", "choose the track of the target level")),
        (false, _) => {
            let t = fw
                .track(track)
                .ok_or_else(|| field_error("track", format!("“{track}” is not a track")))?;
            if level.is_empty() {
                return Err(field_error("level", "choose a level of the track"));
            }
            if t.level(level).is_none() {
                return Err(field_error(
                    "level",
                    format!("“{level}” is not a level of {}", t.name),
                ));
            }
            Ok(Some((track.to_owned(), level.to_owned())))
        }
    }
}

/// A goal, checked.
pub(super) struct CheckedGoal {
    pub(super) title: String,
    pub(super) description: Option<String>,
    pub(super) competencies: Vec<String>,
    pub(super) target: Option<(String, String)>,
    pub(super) due_on: Option<String>,
    pub(super) status: GoalStatus,
}

impl GoalInput {
    pub(super) fn check(&self, fw: &Framework) -> Result<CheckedGoal, Vec<FieldError>> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let title = keep(e, check_title("title", "goal", &self.title));
        let description = keep(e, check_text("description", &self.description));
        let competencies = keep(e, check_competencies(fw, &self.competencies));
        let target = keep(e, check_target(fw, &self.track, &self.level));
        let due_on = keep(e, check_day("due_on", &self.due_on));
        let status = keep(e, check_status(&self.status));
        match (title, description, competencies, target, due_on, status) {
            (
                Some(title),
                Some(description),
                Some(competencies),
                Some(target),
                Some(due_on),
                Some(status),
            ) if errors.is_empty() => Ok(CheckedGoal {
                title,
                description,
                competencies,
                target,
                due_on,
                status,
            }),
            _ => Err(errors),
        }
    }
}

/// A change to a goal, checked: each field given (`Some`), with `None` inside for a text or a
/// target cleared.
pub(super) struct CheckedChange {
    pub(super) title: Option<String>,
    pub(super) description: Option<Option<String>>,
    pub(super) competencies: Option<Vec<String>>,
    pub(super) target: Option<Option<(String, String)>>,
    pub(super) due_on: Option<Option<String>>,
    pub(super) status: Option<GoalStatus>,
}

impl GoalChange {
    /// Checks every field given and reports every mistake at once, in the order of the form.
    pub(super) fn check(&self, fw: &Framework) -> Result<CheckedChange, Vec<FieldError>> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let title = self
            .title
            .as_deref()
            .map(|t| keep(e, check_title("title", "goal", t)));
        let description = self
            .description
            .as_deref()
            .map(|t| keep(e, check_text("description", t)));
        let competencies = self
            .competencies
            .as_deref()
            .map(|c| keep(e, check_competencies(fw, c)));
        let target = match (&self.track, &self.level) {
            (None, None) => None,
            (t, l) => Some(keep(
                e,
                check_target(
                    fw,
                    t.as_deref().unwrap_or_default(),
                    l.as_deref().unwrap_or_default(),
                ),
            )),
        };
        let due_on = self
            .due_on
            .as_deref()
            .map(|d| keep(e, check_day("due_on", d)));
        let status = self.status.as_deref().map(|s| {
            keep(
                e,
                if s.trim().is_empty() {
                    Err(field_error("status", "choose a status"))
                } else {
                    check_status(s)
                },
            )
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        // Without mistakes, every field given was checked into a value.
        Ok(CheckedChange {
            title: title.flatten(),
            description: description.flatten(),
            competencies: competencies.flatten(),
            target: target.flatten(),
            due_on: due_on.flatten(),
            status: status.flatten(),
        })
    }
}
