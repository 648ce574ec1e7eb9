//! The rules every framework must follow before it can be published or imported: unique keys,
//! references that resolve, tracks with levels, and an expectation (or `not_applicable`) in every cell.
//! Problems carry a path into the document so the YAML reader can turn them into line and column, and
//! the editor can show them next to the right field.

use std::fmt;

use crate::model::Framework;

/// One step of a path into the framework document, mirroring the YAML structure:
/// `tracks[0].levels[2].expectations.ownership` is
/// `[Field("tracks"), Index(0), Field("levels"), Index(2), Field("expectations"), Field("ownership")]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Field(String),
    Index(usize),
}

/// A rule the framework breaks, at a place in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: Vec<Seg>,
    pub message: String,
}

impl fmt::Display for Seg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seg::Field(s) => write!(f, ".{s}"),
            Seg::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// Every problem in the framework, in document order.
pub fn validate(fw: &Framework) -> Vec<Problem> {
    let mut out = Vec::new();
    if fw.name.trim().is_empty() {
        out.push(Problem {
            path: vec![Seg::Field("name".into())],
            message: "the framework needs a name".into(),
        });
    }
    out
}
