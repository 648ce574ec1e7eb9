//! Importers for the career-framework formats people already publish (Monzo's progression framework,
//! Medium's snowflake, the Financial Times' engineering progression, engineeringladders, and two CSV
//! shapes), each mapped onto the Trellis model with a list of what could not be mapped.
//!
//! Every importer fills the same neutral [`outline::Outline`], which gives keys, fills cells the source
//! leaves empty with `not_applicable` and validates the result, so every format produces a framework
//! that can be merged into the draft. Malformed input is reported with its file, line and column, and
//! nothing is produced; a file that looks like another format says which one.

mod cells;
mod detect;
mod fifteen_five;
mod ft;
mod ladders;
mod markdown;
mod monzo;
mod outline;
mod rows;
mod snowflake;
mod tree;

use std::fmt;

pub use detect::detect;

use crate::model::Framework;

/// A file format Trellis can import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The Trellis framework file (YAML, format version 1).
    Trellis,
    /// Monzo's progression framework: markdown files with YAML front matter, one per track.
    Monzo,
    /// Medium's snowflake: a JSON export of its `tracks` object (and optionally its `titles`).
    Snowflake,
    /// The Financial Times' engineering progression: YAML with levels, themes and competencies.
    Ft,
    /// engineeringladders: markdown with axes × levels.
    Ladders,
    /// A CSV with one row per cell: track, level, competency, expectation.
    Csv,
    /// 15Five's CSV: Path, Job title, Competency, Skill, Key behavior.
    FifteenFive,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Trellis,
        Format::Monzo,
        Format::Snowflake,
        Format::Ft,
        Format::Ladders,
        Format::Csv,
        Format::FifteenFive,
    ];

    /// The name used on the command line (`--from`), in the API (`?from=`) and in forms.
    pub fn name(self) -> &'static str {
        match self {
            Format::Trellis => "trellis",
            Format::Monzo => "monzo",
            Format::Snowflake => "snowflake",
            Format::Ft => "ft",
            Format::Ladders => "ladders",
            Format::Csv => "csv",
            Format::FifteenFive => "15five",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        let name = name.trim().to_ascii_lowercase();
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// What the format is, in words: "a Monzo progression framework file".
    pub fn description(self) -> &'static str {
        match self {
            Format::Trellis => "a Trellis framework file",
            Format::Monzo => "a Monzo progression framework file",
            Format::Snowflake => "a snowflake tracks export",
            Format::Ft => "a Financial Times engineering progression file",
            Format::Ladders => "an engineeringladders file",
            Format::Csv => "a row-per-cell CSV",
            Format::FifteenFive => "a 15Five CSV",
        }
    }

    /// The format's name for people: "Monzo progression framework".
    pub fn label(self) -> &'static str {
        match self {
            Format::Trellis => "Trellis framework file (YAML)",
            Format::Monzo => "Monzo progression framework (markdown)",
            Format::Snowflake => "Medium snowflake (JSON)",
            Format::Ft => "Financial Times engineering progression (YAML)",
            Format::Ladders => "engineeringladders (markdown)",
            Format::Csv => "CSV, one row per cell",
            Format::FifteenFive => "15Five CSV",
        }
    }

    /// Whether an import may take several files at once.
    pub fn takes_several_files(self) -> bool {
        matches!(self, Format::Monzo | Format::Ft | Format::Ladders)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One input file: its name (for messages and track names) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// Choices the formats leave open.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The name of the one track a single-track format (snowflake, FT) becomes; each format has
    /// its own default.
    pub track_name: Option<String>,
}

/// What an import produces: a framework that passes [`crate::validate`], and what the source had
/// that the framework does not keep, in plain sentences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub framework: Framework,
    pub unmapped: Vec<String>,
}

/// A mistake in an input file. `line` and `column` are 1-based; 0 means the format gives no
/// position finer than the file (or the line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl FileDiagnostic {
    pub(crate) fn new(
        file: &str,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> FileDiagnostic {
        FileDiagnostic {
            file: file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for FileDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Reads `files` in `format`. All or nothing: on any mistake, every mistake found is returned,
/// sorted by file and position. When a file does not read and looks like another format, the first
/// diagnostic says which.
pub fn import(
    format: Format,
    files: &[SourceFile],
    options: &Options,
) -> Result<Imported, Vec<FileDiagnostic>> {
    let Some(first) = files.first() else {
        return Err(vec![FileDiagnostic::new(
            "",
            0,
            0,
            "choose at least one file to import",
        )]);
    };
    if files.len() > 1 && !format.takes_several_files() {
        return Err(vec![FileDiagnostic::new(
            &files[1].name,
            0,
            0,
            format!(
                "{} is imported one file at a time: import {} on its own",
                format.label(),
                files[1].name
            ),
        )]);
    }
    let result = match format {
        Format::Trellis => crate::yaml::read(&first.text)
            .map(|framework| Imported {
                framework,
                unmapped: Vec::new(),
            })
            .map_err(|diags| {
                diags
                    .into_iter()
                    .map(|d| FileDiagnostic::new(&first.name, d.line, d.column, d.message))
                    .collect()
            }),
        Format::Monzo => monzo::import(files),
        Format::Snowflake => snowflake::import(first, options),
        Format::Ft => ft::import(files, options),
        Format::Ladders => ladders::import(files),
        Format::Csv => cells::import(first),
        Format::FifteenFive => fifteen_five::import(first),
    };
    result.map_err(|mut diags| {
        diags.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        let wrong = files.iter().find_map(|f| {
            detect(&f.text, &f.name)
                .filter(|seen| *seen != format)
                .map(|seen| (f, seen))
        });
        if let Some((file, seen)) = wrong {
            diags.insert(
                0,
                FileDiagnostic::new(
                    &file.name,
                    1,
                    1,
                    format!(
                        "this looks like {}, not {}; use --from {}",
                        seen.description(),
                        format.description(),
                        seen.name()
                    ),
                ),
            );
        }
        diags
    })
}
