//! Checking a stage's plan and an item as typed, each mistake named by its field.

use super::{ItemInput, MAX_NOTES, MAX_TITLE, StageInput, StageStatus};
use crate::domain::{Day, Email};
use crate::error::{AppError, FieldError};

pub(super) fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

pub(super) fn invalid(errors: Vec<FieldError>) -> AppError {
    let title = errors
        .first()
        .map(|e| e.message.clone())
        .unwrap_or_else(|| "the input is not valid".into());
    AppError::Invalid { title, errors }
}

fn optional_day(name: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Day> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    Day::parse(raw)
        .map_err(|m| errors.push(field(name, m)))
        .ok()
}

fn optional_email(name: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Email> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    Email::parse(raw)
        .map_err(|m| errors.push(field(name, m)))
        .ok()
}

pub(super) struct StageFields {
    pub(super) owner: Option<Email>,
    pub(super) starts_on: Option<Day>,
    pub(super) ends_on: Option<Day>,
    pub(super) notes: String,
    pub(super) status: StageStatus,
}

impl StageInput {
    pub(super) fn check(&self) -> Result<StageFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let owner = optional_email("owner_email", &self.owner_email, &mut errors);
        let starts_on = optional_day("starts_on", &self.starts_on, &mut errors);
        let ends_on = optional_day("ends_on", &self.ends_on, &mut errors);
        if let (Some(start), Some(end)) = (starts_on, ends_on)
            && end < start
        {
            errors.push(field(
                "ends_on",
                format!("the end ({end}) is before the start ({start})"),
            ));
        }
        let notes = self.notes.trim().to_owned();
        if notes.chars().count() > MAX_NOTES {
            errors.push(field(
                "notes",
                format!("notes have at most {MAX_NOTES} characters"),
            ));
        }
        let status = StageStatus::parse(&self.status);
        if status.is_none() {
            errors.push(field(
                "status",
                "choose a status: not_started, in_progress or done",
            ));
        }
        match (status, errors.is_empty()) {
            (Some(status), true) => Ok(StageFields {
                owner,
                starts_on,
                ends_on,
                notes,
                status,
            }),
            _ => Err(errors),
        }
    }
}

pub(super) struct ItemFields {
    pub(super) title: String,
    pub(super) owner: Option<Email>,
    pub(super) due_on: Option<Day>,
}

impl ItemInput {
    pub(super) fn check(&self) -> Result<ItemFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = self.title.trim().to_owned();
        if title.is_empty() {
            errors.push(field("title", "say what needs doing"));
        } else if title.chars().count() > MAX_TITLE {
            errors.push(field(
                "title",
                format!("an item has at most {MAX_TITLE} characters"),
            ));
        }
        let owner = optional_email("owner_email", &self.owner_email, &mut errors);
        let due_on = optional_day("due_on", &self.due_on, &mut errors);
        if errors.is_empty() {
            Ok(ItemFields {
                title,
                owner,
                due_on,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_plan_is_checked_field_by_field() {
        let bad = StageInput {
            owner_email: "not an email".into(),
            starts_on: "2025-03-10".into(),
            ends_on: "2025-03-01".into(),
            notes: String::new(),
            status: "finished".into(),
        };
        let fields: Vec<String> = match bad.check() {
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
            Ok(_) => Vec::new(),
        };
        assert_eq!(fields, ["owner_email", "ends_on", "status"]);
        let good = StageInput {
            status: "in_progress".into(),
            starts_on: "2025-03-01".into(),
            ends_on: "2025-03-01".into(),
            ..StageInput::default()
        };
        assert!(good.check().is_ok(), "a stage may start and end on one day");
    }

    #[test]
    fn an_item_needs_a_short_title_and_a_real_date() {
        let long = ItemInput {
            title: "x".repeat(MAX_TITLE + 1),
            due_on: "31/12/2025".into(),
            ..ItemInput::default()
        };
        let fields: Vec<String> = match long.check() {
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
            Ok(_) => Vec::new(),
        };
        assert_eq!(fields, ["title", "due_on"]);
        assert!(
            ItemInput {
                title: "  ".into(),
                ..ItemInput::default()
            }
            .check()
            .is_err()
        );
    }
}
