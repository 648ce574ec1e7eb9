//! Forms of the editor as sent and as shown again: [`Fields`] reads a submitted form into the parts
//! of an [`Edit`](trellis_framework::edit::Edit), and [`Forms`] / [`FormView`] give each form on a
//! page the values and messages to show when a submission was refused.

use serde::Deserialize;
use trellis_framework::edit::{EditError, parse_key};
use trellis_framework::{Key, Pay, TrackKind};

use axum::http::StatusCode;

use crate::error::{AppError, FieldError};

/// A submitted form as name–value pairs in the order sent, kept whole so a refused form can be shown
/// again exactly as it was typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Fields(Vec<(String, String)>);

/// Which way an item moves in its list: towards the start (up, or left for levels) or the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Earlier,
    Later,
}

fn refused(field: &'static str, message: impl Into<String>) -> EditError {
    EditError {
        field: Some(field),
        message: message.into(),
    }
}

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value sent under this name, as a group of checkboxes sends them.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The value as typed, or empty when the form did not send it.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_owned()
    }

    /// The value as typed; the framework trims it and treats an empty one as absent.
    pub fn optional(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    pub fn key(&self, field: &'static str) -> Result<Key, EditError> {
        parse_key(field, self.get(field).unwrap_or_default())
    }

    /// The key of a new item: as typed, or made from its name (`name_field`) when left empty.
    pub fn new_key(&self, field: &'static str, name_field: &'static str) -> Result<Key, EditError> {
        let typed = self.get(field).unwrap_or_default().trim();
        let name = self.get(name_field).unwrap_or_default().trim();
        if !typed.is_empty() {
            return self.key(field);
        }
        if name.is_empty() {
            return Err(refused(
                name_field,
                format!("the {name_field} cannot be empty"),
            ));
        }
        Key::slug(name).ok_or_else(|| {
            refused(
                field,
                "no key can be made from this name: type one with a-z, 0-9 and -",
            )
        })
    }

    /// A key chosen in a select where the empty option means "none".
    pub fn optional_key(&self, field: &'static str) -> Result<Option<Key>, EditError> {
        match self.get(field).map(str::trim) {
            None | Some("") => Ok(None),
            Some(_) => self.key(field).map(Some),
        }
    }

    /// A checkbox: browsers send it only when it is ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| !v.is_empty())
    }

    /// A textarea with one item per line; blank lines are dropped by the framework.
    pub fn lines(&self, name: &str) -> Vec<String> {
        self.get(name)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    pub fn kind(&self, field: &'static str) -> Result<TrackKind, EditError> {
        let value = self.get(field).unwrap_or_default();
        TrackKind::parse(value).ok_or_else(|| {
            refused(
                field,
                "choose individual contributor or management as the kind of track",
            )
        })
    }

    pub fn step(&self) -> Result<Step, EditError> {
        match self.get("direction") {
            Some("up" | "left") => Ok(Step::Earlier),
            Some("down" | "right") => Ok(Step::Later),
            _ => Err(EditError {
                field: None,
                message: "say which way to move: up, down, left or right".into(),
            }),
        }
    }

    /// A position in a select where the empty option means "at the end".
    pub fn position(&self, field: &'static str) -> Result<Option<usize>, EditError> {
        match self.get(field).map(str::trim) {
            None | Some("") => Ok(None),
            Some(n) => n
                .parse()
                .map(Some)
                .map_err(|_| refused(field, "choose a position from the list")),
        }
    }

    /// The pay band from `pay_currency`, `pay_min`, `pay_mid` and `pay_max`; none when all are empty.
    /// Amounts may be written with thousands separators (`85,000`).
    pub fn pay(&self) -> Result<Option<Pay>, EditError> {
        let part = |name: &str| self.get(name).map(str::trim).unwrap_or_default();
        let (currency, min, mid, max) = (
            part("pay_currency"),
            part("pay_min"),
            part("pay_mid"),
            part("pay_max"),
        );
        if [currency, min, mid, max].iter().all(|s| s.is_empty()) {
            return Ok(None);
        }
        if currency.is_empty() || min.is_empty() || max.is_empty() {
            return Err(refused(
                "pay",
                "a pay band needs a currency, a minimum and a maximum (the midpoint is optional); \
                 leave all four empty for no pay band",
            ));
        }
        let amount = |label: &str, s: &str| -> Result<u64, EditError> {
            let digits: String = s
                .chars()
                .filter(|c| !matches!(c, ',' | '_' | ' '))
                .collect();
            digits.parse().map_err(|_| {
                refused(
                    "pay",
                    format!("the {label} “{s}” is not a whole amount such as 85000"),
                )
            })
        };
        Ok(Some(Pay {
            currency: currency.to_owned(),
            min: amount("minimum", min)?,
            mid: if mid.is_empty() {
                None
            } else {
                Some(amount("midpoint", mid)?)
            },
            max: amount("maximum", max)?,
        }))
    }

    /// The form sends a field of this name, or a group of fields named `{name}_…` (`pay_min`).
    fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(n, _)| {
            n == field
                || n.strip_prefix(field)
                    .is_some_and(|rest| rest.starts_with('_'))
        })
    }
}

/// A refused form: which one, what it sent, and why it was refused.
pub struct Submission {
    form: String,
    fields: Fields,
    errors: Vec<FieldError>,
}

impl Submission {
    /// A message about a field the form does not have is shown for the form as a whole.
    pub fn new(form: String, fields: Fields, errors: Vec<FieldError>) -> Submission {
        let errors = errors
            .into_iter()
            .map(|e| {
                if fields.has(&e.field) {
                    e
                } else {
                    FieldError {
                        field: String::new(),
                        ..e
                    }
                }
            })
            .collect();
        Submission {
            form,
            fields,
            errors,
        }
    }
}

/// What a page needs to show its forms: the refused submission, if any.
#[derive(Default)]
pub struct Forms {
    submitted: Option<Submission>,
}

/// A link from the error summary at the top of a page to the field (or form) it is about.
pub struct ErrorLink {
    pub href: String,
    pub message: String,
}

impl Forms {
    pub fn refused(submission: Submission) -> Forms {
        Forms {
            submitted: Some(submission),
        }
    }

    /// The form with this id (also the id of the element around it), with the submission's values
    /// and messages when it is the one that was sent.
    pub fn form(&self, id: impl Into<String>) -> FormView {
        let id = id.into();
        match &self.submitted {
            Some(s) if s.form == id => FormView {
                id,
                values: Some(s.fields.clone()),
                errors: s.errors.clone(),
            },
            _ => FormView {
                id,
                values: None,
                errors: Vec::new(),
            },
        }
    }

    pub fn summary(&self) -> Vec<ErrorLink> {
        let Some(s) = &self.submitted else {
            return Vec::new();
        };
        s.errors
            .iter()
            .map(|e| ErrorLink {
                href: if e.field.is_empty() {
                    format!("#{}", s.form)
                } else {
                    format!("#{}", input_id(&s.form, &e.field))
                },
                message: e.message.clone(),
            })
            .collect()
    }
}

/// The DOM id of a form's input: keys never hold `_`, so it cannot clash with an item's id.
fn input_id(form: &str, name: &str) -> String {
    format!("{form}_{name}")
}

/// One form on a page, as the templates see it.
pub struct FormView {
    pub id: String,
    values: Option<Fields>,
    errors: Vec<FieldError>,
}

impl FormView {
    pub fn input_id(&self, name: &str) -> String {
        input_id(&self.id, name)
    }

    pub fn error_id(&self, name: &str) -> String {
        format!("{}_error", input_id(&self.id, name))
    }

    /// What the input shows: what was sent when this form was refused, otherwise `current`.
    pub fn value(&self, name: &str, current: &str) -> String {
        match &self.values {
            Some(fields) => fields.text(name),
            None => current.to_owned(),
        }
    }

    pub fn checked(&self, name: &str, current: &bool) -> bool {
        match &self.values {
            Some(fields) => fields.checked(name),
            None => *current,
        }
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.as_str())
    }

    /// Messages about the form as a whole (a removal refused because something still uses the item).
    pub fn general(&self) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|e| e.field.is_empty())
            .map(|e| e.message.as_str())
            .collect()
    }

    /// Some field of the form has a message: a folded form opens to show it.
    pub fn has_field_errors(&self) -> bool {
        self.errors.iter().any(|e| !e.field.is_empty())
    }

    /// The first field with a message takes the focus, so a person lands where the fix is.
    pub fn autofocus(&self, name: &str) -> bool {
        self.errors
            .iter()
            .find(|e| !e.field.is_empty())
            .is_some_and(|e| e.field == name)
    }
}

/// The one way a page treats a change the service refused: when the mistake is the user's (a
/// client error other than 403 and 404), the status and the messages to show the form again with,
/// as it was sent; anything else is an error page.
pub fn refusal(e: AppError) -> Result<(StatusCode, Vec<FieldError>), AppError> {
    let status = e.status();
    if status.is_client_error()
        && status != StatusCode::FORBIDDEN
        && status != StatusCode::NOT_FOUND
    {
        Ok((status, e.field_errors()))
    } else {
        Err(e)
    }
}

/// One option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Choice {
        Choice {
            value: value.into(),
            label: label.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn a_pay_band_is_optional_but_complete_when_given() {
        assert_eq!(fields(&[("pay_currency", " ")]).pay(), Ok(None));
        let pay = fields(&[
            ("pay_currency", "eur"),
            ("pay_min", "50,000"),
            ("pay_mid", ""),
            ("pay_max", "70 000"),
        ])
        .pay()
        .expect("pay");
        assert_eq!(
            pay,
            Some(Pay {
                currency: "eur".into(),
                min: 50_000,
                mid: None,
                max: 70_000
            })
        );
        let err = fields(&[("pay_currency", "EUR"), ("pay_min", "1")])
            .pay()
            .expect_err("no max");
        assert_eq!(err.field, Some("pay"));
    }

    #[test]
    fn a_new_key_is_made_from_the_name_when_left_empty() {
        let made = fields(&[("key", " "), ("name", "Software Engineer II")]).new_key("key", "name");
        assert_eq!(
            made.map(String::from).as_deref(),
            Ok("software-engineer-ii")
        );
        let typed =
            fields(&[("key", "se2"), ("name", "Software Engineer II")]).new_key("key", "name");
        assert_eq!(typed.map(String::from).as_deref(), Ok("se2"));
        let err = fields(&[("key", ""), ("name", "")])
            .new_key("key", "name")
            .expect_err("nothing");
        assert_eq!(err.field, Some("name"));
        let err = fields(&[("key", ""), ("name", "???")])
            .new_key("key", "name")
            .expect_err("no key");
        assert_eq!(err.field, Some("key"));
    }

    #[test]
    fn a_message_about_a_field_the_form_lacks_is_about_the_whole_form() {
        let sent = fields(&[("title", "x"), ("pay_min", "1")]);
        let errors = vec![
            FieldError {
                field: "pay".into(),
                message: "a".into(),
            },
            FieldError {
                field: "key".into(),
                message: "b".into(),
            },
        ];
        let forms = Forms::refused(Submission::new("level-se1".into(), sent, errors));
        let form = forms.form("level-se1");
        assert_eq!(form.error("pay"), Some("a"));
        assert_eq!(form.general(), ["b"]);
        assert!(forms.form("level-se2").general().is_empty());
        assert_eq!(form.value("title", "old"), "x");
        assert_eq!(forms.form("level-se2").value("title", "old"), "old");
    }
}
