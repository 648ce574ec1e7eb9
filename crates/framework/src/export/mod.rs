//! Writing the framework in formats other than YAML, for people and tools that do not read the
//! framework file: a CSV with one row per expectation bullet (`csv`), and readable markdown with one
//! file per track (`markdown`). Both are deterministic: the same framework gives the same bytes.

pub mod csv;
pub mod markdown;
