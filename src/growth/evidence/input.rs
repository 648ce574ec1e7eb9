//! Evidence as typed, and the checks of every field.

use trellis_framework::Framework;

use super::{KINDS, TEXT_MAX, TITLE_MAX, URL_MAX, competency_name, field, invalid};
use crate::domain::Day;
use crate::error::{AppError, FieldError};

/// An evidence item as typed in a form or sent to the API, before checking.
#[derive(Debug, Clone, Default)]
pub struct EvidenceInput {
    pub kind: String,
    pub title: String,
    pub url: String,
    pub note: String,
    pub happened_on: String,
    pub competencies: Vec<String>,
}

/// An item, checked.
pub(super) struct Checked {
    pub(super) kind: &'static str,
    pub(super) title: String,
    pub(super) url: Option<String>,
    pub(super) note: Option<String>,
    pub(super) happened_on: Option<String>,
    pub(super) competencies: Vec<String>,
}

/// An http or https link with a host, and nothing that could be read as another kind of link.
pub fn check_url(raw: &str) -> Result<Option<String>, String> {
    let url = raw.trim();
    if url.is_empty() {
        return Ok(None);
    }
    if url.chars().count() > URL_MAX {
        return Err(format!("a link has at most {URL_MAX} characters"));
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| "a link starts with https:// or http://".to_owned())?;
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a link cannot contain spaces".into());
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err("the link has no address after https://".into());
    }
    Ok(Some(url.to_owned()))
}

impl EvidenceInput {
    /// Checks every field and reports every mistake at once. `allowed` are the competency keys
    /// the item may name.
    pub(super) fn check(
        &self,
        fw: Option<&Framework>,
        allowed: &[String],
    ) -> Result<Checked, AppError> {
        let mut errors = Vec::new();
        let kind = KINDS
            .iter()
            .find(|(k, _)| *k == self.kind.trim())
            .map(|(k, _)| *k);
        if kind.is_none() {
            errors.push(field(
                "kind",
                "choose the kind: note, document, pull_request, feedback or other",
            ));
        }
        let title = self.title.trim();
        if title.is_empty() {
            errors.push(field("title", "give the evidence a title"));
        } else if title.chars().count() > TITLE_MAX {
            errors.push(field(
                "title",
                format!("a title has at most {TITLE_MAX} characters"),
            ));
        }
        let url = check_url(&self.url)
            .map_err(|m| errors.push(field("url", m)))
            .ok()
            .flatten();
        let note = self.note.trim();
        if note.chars().count() > TEXT_MAX {
            errors.push(field(
                "note",
                format!("a note has at most {TEXT_MAX} characters"),
            ));
        }
        let happened_on = match self.happened_on.trim() {
            "" => None,
            d => Day::parse(d)
                .map_err(|m| errors.push(field("happened_on", m)))
                .ok()
                .map(|d| d.to_string()),
        };
        let competencies = self.check_competencies(fw, allowed, &mut errors);
        match kind {
            Some(kind) if errors.is_empty() => Ok(Checked {
                kind,
                title: title.to_owned(),
                url,
                note: (!note.is_empty()).then(|| note.to_owned()),
                happened_on,
                competencies,
            }),
            _ => Err(invalid(errors)),
        }
    }

    /// The competencies the item names, each once, in the order given: keys of `allowed`. A key
    /// of another track or of no competency is a mistake, and so is naming none.
    fn check_competencies(
        &self,
        fw: Option<&Framework>,
        allowed: &[String],
        errors: &mut Vec<FieldError>,
    ) -> Vec<String> {
        let mut competencies: Vec<String> = Vec::new();
        for raw in &self.competencies {
            let key = raw.trim();
            if key.is_empty() || competencies.iter().any(|c| c == key) {
                continue;
            }
            if allowed.iter().any(|a| a == key) {
                competencies.push(key.to_owned());
            } else if fw.is_some_and(|f| f.competency(key).is_some()) {
                errors.push(field(
                    "competencies",
                    format!(
                        "{} is not a competency of this person's track",
                        competency_name(fw, key)
                    ),
                ));
            } else {
                errors.push(field(
                    "competencies",
                    format!("“{key}” is not a competency of the framework"),
                ));
            }
        }
        if competencies.is_empty() && !errors.iter().any(|e| e.field == "competencies") {
            errors.push(field(
                "competencies",
                "choose at least one competency the evidence supports",
            ));
        }
        competencies
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_http_or_https_with_an_address() {
        assert_eq!(
            check_url(" https://example.com/pr/1 "),
            Ok(Some("https://example.com/pr/1".into()))
        );
        assert_eq!(
            check_url("HTTP://example.com"),
            Ok(Some("HTTP://example.com".into()))
        );
        assert_eq!(check_url(""), Ok(None));
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,hi",
            "ftp://example.com",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "//example.com",
            "example.com",
        ] {
            assert!(check_url(bad).is_err(), "{bad} is refused");
        }
    }

    #[test]
    fn every_mistake_in_an_item_is_reported_at_once() {
        let input = EvidenceInput {
            kind: "poem".into(),
            title: " ".into(),
            url: "javascript:alert(1)".into(),
            note: String::new(),
            happened_on: "last week".into(),
            competencies: vec!["nope".into()],
        };
        let Err(AppError::Invalid { errors, .. }) = input.check(None, &["ownership".into()]) else {
            panic!("refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["kind", "title", "url", "happened_on", "competencies"]
        );
    }

    #[test]
    fn competencies_are_deduplicated_and_required() {
        let input = EvidenceInput {
            kind: "note".into(),
            title: "Ran the incident review".into(),
            competencies: vec!["ownership".into(), " ownership ".into()],
            ..EvidenceInput::default()
        };
        let c = input.check(None, &["ownership".into()]).expect("valid");
        assert_eq!(c.competencies, ["ownership"]);
        let none = EvidenceInput {
            competencies: Vec::new(),
            ..input
        };
        assert!(none.check(None, &["ownership".into()]).is_err());
    }
}
