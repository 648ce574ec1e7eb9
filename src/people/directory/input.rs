//! A person's details as typed, and [`PersonInput::check`]: the one validation of a person's own
//! details, for every way in (the form, the API, a CSV file, SCIM).

use crate::domain::{Day, Email, Status};
use crate::error::FieldError;

/// A person's details as typed in a form, a CSV row or a SCIM request, before checking.
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    pub email: String,
    pub name: String,
    pub employee_id: String,
    pub team: String,
    pub manager_email: String,
    pub start_date: String,
    pub status: String,
    pub left_on: String,
}

/// A person's details, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFields {
    pub email: Email,
    pub name: String,
    pub employee_id: Option<String>,
    pub team: Option<String>,
    pub manager: Option<Email>,
    pub start_date: Option<Day>,
    pub status: Status,
    pub left_on: Option<Day>,
}

pub(super) fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

pub(super) fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl PersonInput {
    /// The manager's email as typed; none when the field is empty.
    pub(super) fn manager(&self) -> Option<Result<Email, String>> {
        non_empty(&self.manager_email).map(|m| Email::parse(&m))
    }

    /// Checks every field and reports every mistake at once. The rules that need the rest of the
    /// directory (a manager who exists, an employee id nobody else holds, no loop of managers) are
    /// those of [`super::rules`].
    pub fn check(&self) -> Result<PersonFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let email = Email::parse(&self.email)
            .map_err(|m| errors.push(field("email", m)))
            .ok();
        let manager = self.manager().and_then(|m| {
            m.map_err(|msg| errors.push(field("manager_email", msg)))
                .ok()
        });
        if manager.is_some() && manager == email {
            errors.push(field(
                "manager_email",
                "a person cannot be their own manager",
            ));
        }
        let day = |name: &str, raw: &str, errors: &mut Vec<FieldError>| match non_empty(raw) {
            None => None,
            Some(s) => Day::parse(&s).map_err(|m| errors.push(field(name, m))).ok(),
        };
        let start_date = day("start_date", &self.start_date, &mut errors);
        let left_on = day("left_on", &self.left_on, &mut errors);
        let status = match non_empty(&self.status) {
            None if left_on.is_some() => Status::Left,
            None => Status::Active,
            Some(s) => Status::parse(&s).unwrap_or_else(|| {
                errors.push(field(
                    "status",
                    format!("“{s}” is not a status: use active or left"),
                ));
                Status::Active
            }),
        };
        if let (Some(start), Some(left)) = (start_date, left_on)
            && left < start
        {
            errors.push(field(
                "left_on",
                "the leaving date is before the start date",
            ));
        }
        let name = self.name.trim();
        if name.chars().count() > 200 {
            errors.push(field("name", "a name has at most 200 characters"));
        }
        match (email, errors.is_empty()) {
            (Some(email), true) => Ok(PersonFields {
                name: if name.is_empty() {
                    email
                        .as_str()
                        .split('@')
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                } else {
                    name.to_owned()
                },
                email,
                employee_id: non_empty(&self.employee_id),
                team: non_empty(&self.team),
                manager,
                start_date,
                status,
                left_on: if status == Status::Left {
                    left_on.or(Some(Day::today()))
                } else {
                    left_on
                },
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(email: &str) -> PersonInput {
        PersonInput {
            email: email.into(),
            ..PersonInput::default()
        }
    }

    #[test]
    fn every_mistake_in_a_person_is_reported_at_once() {
        let bad = PersonInput {
            email: "not an email".into(),
            start_date: "yesterday".into(),
            status: "gone".into(),
            manager_email: "nope".into(),
            ..PersonInput::default()
        };
        let errors = bad.check().expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "manager_email", "start_date", "status"]);
    }

    #[test]
    fn a_leaving_date_implies_the_person_left() {
        let mut i = input("ada@example.test");
        i.left_on = "2026-01-31".into();
        let f = i.check().expect("valid");
        assert_eq!(f.status, Status::Left);
        assert_eq!(f.name, "ada");
    }

    #[test]
    fn nobody_manages_themselves() {
        let mut i = input("ada@example.test");
        i.manager_email = "ADA@example.test".into();
        assert!(i.check().is_err());
    }
}
