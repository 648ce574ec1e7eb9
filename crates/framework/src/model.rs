//! The framework as data: the competency library, grades and tracks. Values of these types are always
//! structurally sound (keys are well formed); cross-references are checked by [`crate::validate`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A stable identifier: one or more of `a-z`, `0-9` and `-`, at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = "^[a-z0-9-]{1,64}$"))]
#[serde(try_from = "String", into = "String")]
pub struct Key(String);

/// Why a string is not a [`Key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

impl Key {
    pub const MAX_LEN: usize = 64;

    pub fn parse(s: &str) -> Result<Self, KeyError> {
        if s.is_empty() {
            return Err(KeyError("a key cannot be empty".into()));
        }
        if s.len() > Self::MAX_LEN {
            return Err(KeyError(format!(
                "a key has at most {} characters",
                Self::MAX_LEN
            )));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(KeyError(format!(
                "`{s}` is not a valid key: `{c}` is not allowed (use a-z, 0-9 and -)"
            )));
        }
        Ok(Key(s.to_owned()))
    }

    /// Turns a human name into a key suggestion: `Software Engineer II` → `software-engineer-ii`.
    pub fn slug(name: &str) -> Option<Self> {
        let mut out = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let out = out.trim_end_matches('-');
        let out: String = out.chars().take(Self::MAX_LEN).collect();
        Key::parse(out.trim_end_matches('-')).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Key {
    type Error = KeyError;
    fn try_from(s: String) -> Result<Self, KeyError> {
        Key::parse(&s)
    }
}

impl From<Key> for String {
    fn from(k: Key) -> String {
        k.0
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The whole job architecture of an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Framework {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub categories: Vec<Category>,
    #[serde(default)]
    pub competencies: Vec<Competency>,
    #[serde(default)]
    pub grades: Vec<Grade>,
    #[serde(default)]
    pub tracks: Vec<Track>,
    /// How the linter treats this framework.
    #[serde(default, skip_serializing_if = "LintSettings::is_empty")]
    pub lint: LintSettings,
}

/// The linter's settings for one framework.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LintSettings {
    /// The ids of the rules switched off (see [`crate::lint::RULES`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disable: Vec<Key>,
}

impl LintSettings {
    pub fn is_empty(&self) -> bool {
        self.disable.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    pub key: Key,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Competency {
    pub key: Key,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Key>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grade {
    pub key: Key,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TrackKind {
    IndividualContributor,
    Management,
}

impl TrackKind {
    pub const ALL: [TrackKind; 2] = [TrackKind::IndividualContributor, TrackKind::Management];

    /// The spelling used in the YAML format and in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            TrackKind::IndividualContributor => "individual-contributor",
            TrackKind::Management => "management",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The words shown to people.
    pub fn label(self) -> &'static str {
        match self {
            TrackKind::IndividualContributor => "Individual contributor",
            TrackKind::Management => "Management",
        }
    }
}

/// A career track: ordered levels × the competencies it uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Track {
    pub key: Key,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    pub kind: TrackKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The rows of the matrix, in display order; each names a competency of the library.
    #[serde(default)]
    pub competencies: Vec<Key>,
    /// Lowest first.
    #[serde(default)]
    pub levels: Vec<Level>,
}

impl Track {
    pub fn level(&self, key: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.key.as_str() == key)
    }

    pub fn level_mut(&mut self, key: &str) -> Option<&mut Level> {
        self.levels.iter_mut().find(|l| l.key.as_str() == key)
    }

    /// The position of a level, 0 being the lowest.
    pub fn rank_of(&self, key: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.key.as_str() == key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Level {
    pub key: Key,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<Key>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay: Option<Pay>,
    /// Competency key → bullets (markdown).
    #[serde(default)]
    pub expectations: BTreeMap<Key, Vec<String>>,
    /// Competency key → examples of real work (markdown).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub examples: BTreeMap<Key, Vec<String>>,
    /// Competencies of the track that do not apply at this level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_applicable: Vec<Key>,
}

impl Level {
    pub fn is_not_applicable(&self, competency: &Key) -> bool {
        self.not_applicable.contains(competency)
    }
}

/// A pay band. Amounts are whole units of the currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pay {
    /// ISO 4217 code, three capital letters.
    pub currency: String,
    pub min: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid: Option<u64>,
    pub max: u64,
}

impl Framework {
    pub fn track(&self, key: &str) -> Option<&Track> {
        self.tracks.iter().find(|t| t.key.as_str() == key)
    }

    pub fn track_mut(&mut self, key: &str) -> Option<&mut Track> {
        self.tracks.iter_mut().find(|t| t.key.as_str() == key)
    }

    pub fn competency(&self, key: &str) -> Option<&Competency> {
        self.competencies.iter().find(|c| c.key.as_str() == key)
    }

    pub fn category(&self, key: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.key.as_str() == key)
    }

    pub fn grade(&self, key: &str) -> Option<&Grade> {
        self.grades.iter().find(|g| g.key.as_str() == key)
    }

    /// Tracks grouped by family, in first-appearance order; tracks without a family come last.
    pub fn families(&self) -> Vec<(Option<&str>, Vec<&Track>)> {
        let mut out: Vec<(Option<&str>, Vec<&Track>)> = Vec::new();
        for t in &self.tracks {
            let fam = t.family.as_deref();
            match out.iter_mut().find(|(f, _)| *f == fam) {
                Some((_, ts)) => ts.push(t),
                None => out.push((fam, vec![t])),
            }
        }
        out.sort_by_key(|(f, _)| f.is_none());
        out
    }

    /// A track's rows grouped by category (the category's name), in the library's category order;
    /// rows whose competency has no known category come last, under "Other" (or "Competencies" when
    /// no row has a category).
    pub fn rows_by_category<'a>(&'a self, track: &'a Track) -> Vec<(String, Vec<&'a Key>)> {
        let mut groups: Vec<(&Key, &str, Vec<&Key>)> = self
            .categories
            .iter()
            .map(|c| (&c.key, c.name.as_str(), Vec::new()))
            .collect();
        let mut other = Vec::new();
        for key in &track.competencies {
            let category = self
                .competency(key.as_str())
                .and_then(|c| c.category.as_ref());
            match groups.iter_mut().find(|(k, _, _)| Some(*k) == category) {
                Some((_, _, rows)) => rows.push(key),
                None => other.push(key),
            }
        }
        let mut out: Vec<(String, Vec<&Key>)> = groups
            .into_iter()
            .filter(|(_, _, rows)| !rows.is_empty())
            .map(|(_, name, rows)| (name.to_owned(), rows))
            .collect();
        if !other.is_empty() {
            let name = if out.is_empty() {
                "Competencies"
            } else {
                "Other"
            };
            out.push((name.to_owned(), other));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_accept_lowercase_digits_and_dashes_only() {
        assert!(Key::parse("software-engineering-2").is_ok());
        assert!(Key::parse("").is_err());
        assert!(Key::parse("Ownership").is_err());
        assert!(Key::parse("a_b").is_err());
        assert!(Key::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn slug_turns_names_into_keys() {
        assert_eq!(
            Key::slug("Software Engineer II")
                .map(String::from)
                .as_deref(),
            Some("software-engineer-ii")
        );
        assert_eq!(
            Key::slug("  R&D / Ops ").map(String::from).as_deref(),
            Some("r-d-ops")
        );
        assert_eq!(Key::slug("!!!"), None);
    }
}
