//! SCIM filters and attribute paths (RFC 7644 §3.4.2.2 and §3.5.2): parsed into a [`Filter`]
//! ([`parse`]), then either read as the directory's condition on people or teams ([`people`],
//! [`teams`]), which provisioning turns into a query, or matched against a JSON value
//! ([`matches()`]) for PATCH paths such as `emails[type eq "work"].value`. Attribute names and
//! operators are case-insensitive.

mod listing;
mod matching;
mod parse;

use serde_json::Value;

pub use listing::{people, teams};
pub use matching::{get_ci, matches};
pub use parse::{MAX_NESTING, MAX_TERMS, PatchPath, parse, parse_path};

pub const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const CORE_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// An attribute path: an optional schema URN, an attribute and an optional sub-attribute, with
/// names lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URN, lower-cased, when the path named one.
    pub urn: Option<String>,
    pub attr: String,
    pub sub: Option<String>,
}

impl AttrPath {
    /// Reads `attr`, `attr.sub` or `urn:…:attr[.sub]`. A bare URN (an extension's name) is an
    /// attribute path with an empty attribute.
    pub fn parse(text: &str) -> Option<AttrPath> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let lower = text.to_lowercase();
        for urn in [ENTERPRISE, CORE_USER, CORE_GROUP] {
            let urn = urn.to_lowercase();
            if lower == urn {
                return Some(AttrPath {
                    urn: Some(urn),
                    attr: String::new(),
                    sub: None,
                });
            }
            if let Some(rest) = lower.strip_prefix(&format!("{urn}:")) {
                return Self::plain(rest).map(|p| AttrPath {
                    urn: Some(urn),
                    ..p
                });
            }
        }
        if lower.starts_with("urn:") {
            let (urn, rest) = lower.rsplit_once(':')?;
            return Self::plain(rest).map(|p| AttrPath {
                urn: Some(urn.to_owned()),
                ..p
            });
        }
        Self::plain(&lower)
    }

    fn plain(text: &str) -> Option<AttrPath> {
        let ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
        };
        let (attr, sub) = match text.split_once('.') {
            Some((a, s)) => (a, Some(s)),
            None => (text, None),
        };
        (ok(attr) && sub.is_none_or(ok)).then(|| AttrPath {
            urn: None,
            attr: attr.to_owned(),
            sub: sub.map(str::to_owned),
        })
    }

    /// Whether the path is in the enterprise extension.
    pub fn is_enterprise(&self) -> bool {
        self.urn.as_deref() == Some(&ENTERPRISE.to_lowercase())
    }

    /// `attr` or `attr.sub`, without the URN.
    pub fn dotted(&self) -> String {
        match &self.sub {
            Some(s) => format!("{}.{s}", self.attr),
            None => self.attr.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    fn parse(word: &str) -> Option<Op> {
        Some(match word.to_lowercase().as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "co" => Op::Co,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare(AttrPath, Op, Value),
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `attr[filter]`, optionally followed by `.sub op value` (as a [`Filter::Compare`] inside).
    ValuePath(AttrPath, Box<Filter>, Option<Box<Filter>>),
}
