//! The Trellis framework: the competency library, grades and career tracks as plain data, with the
//! rules that make a framework valid, the linter's advice on how it reads, its YAML file format, and
//! the comparisons people read (version diff, level delta). Nothing here knows about HTTP, SQL or
//! files on disk: callers pass strings and values in and get values out.

pub mod delta;
pub mod diff;
pub mod edit;
pub mod export;
pub mod import;
pub mod lint;
pub mod merge;
pub mod model;
pub mod validate;
pub mod yaml;

pub use delta::{LevelDelta, level_delta};
pub use diff::{Diff, diff};
pub use edit::{Edit, EditError};
pub use lint::{Finding, Severity, lint};
pub use merge::merge;
pub use model::*;
pub use validate::{Problem, Seg, validate};
pub use yaml::Diagnostic;
