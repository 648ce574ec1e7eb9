//! The framework file format (version 1): reading YAML into a [`Framework`](crate::Framework) with
//! every mistake reported at its line and column, and writing a framework back as the canonical
//! file, so that `write → read → write` is a fixed point.

pub(crate) mod node;
mod read;
mod suggest;
mod write;

use std::fmt;

pub use read::{MAX_REPORTED, Positions, Reading, read, read_all, read_with_positions};
pub use write::write;

/// The format version this crate reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// A mistake in a framework file, at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// The fields each mapping of the format accepts, in the order the writer puts them. The reader
/// rejects any other field, and the JSON Schema (`schema/framework-v1.json`) lists the same ones.
pub mod fields {
    pub const FRAMEWORK: &[&str] = &[
        "trellis",
        "name",
        "description",
        "lint",
        "categories",
        "competencies",
        "grades",
        "tracks",
    ];
    pub const CATEGORY: &[&str] = &["key", "name", "description"];
    pub const COMPETENCY: &[&str] = &["key", "name", "category", "description"];
    pub const GRADE: &[&str] = &["key", "name"];
    pub const TRACK: &[&str] = &[
        "key",
        "name",
        "family",
        "kind",
        "description",
        "competencies",
        "levels",
    ];
    pub const LEVEL: &[&str] = &[
        "key",
        "title",
        "grade",
        "summary",
        "pay",
        "expectations",
        "examples",
        "not_applicable",
    ];
    pub const PAY: &[&str] = &["currency", "min", "mid", "max"];
    pub const LINT: &[&str] = &["disable"];
}
