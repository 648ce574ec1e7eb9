//! Reading framework files: checking and linting YAML, and importing files of any format Trellis
//! reads into the draft (by key).

use trellis_framework::diff::Diff;
use trellis_framework::import::{self, Format, SourceFile};
use trellis_framework::lint::{Finding, lint};
use trellis_framework::merge::{self, Difference, Take};
use trellis_framework::{Framework, yaml};

use super::draft::{DraftChange, current_draft, update_draft};
use super::versions::check_note;
use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::error::{AppError, AppResult, FileError};
use crate::state::AppState;

/// Options of a YAML import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Show what would change, change nothing.
    pub dry_run: bool,
    /// Remove what the file no longer has.
    pub prune: bool,
    /// The items on which the file's version replaces the draft's; by default the draft keeps its own.
    pub take: Take,
    /// Publish the result with this change note.
    pub publish_note: Option<String>,
}

#[derive(Debug)]
pub struct ImportReport {
    /// What the import changes in the draft.
    pub diff: Diff,
    /// Items the draft has and the file does not, kept because `prune` was off.
    pub kept: Vec<String>,
    /// Every item the draft and the file both have and describe differently, each with what the draft
    /// has, what the file has, and whether the import takes the file's version (only the items named
    /// in `take`; the draft keeps its own version of the others).
    pub differences: Vec<Difference>,
    pub dry_run: bool,
    /// The version published by the import, if it was asked to publish.
    pub published_version: Option<i64>,
    /// What the file had that Trellis does not keep (formats other than Trellis's own).
    pub unmapped: Vec<String>,
}

/// Every mistake of a YAML file, in the error type of the application.
pub fn file_errors(diags: Vec<yaml::Diagnostic>) -> AppError {
    AppError::InvalidFile {
        errors: diags
            .into_iter()
            .map(|d| FileError {
                file: None,
                line: d.line,
                column: d.column,
                message: d.message,
            })
            .collect(),
    }
}

/// Checks a YAML framework file without touching the database.
pub fn check_yaml(source: &str) -> AppResult<Framework> {
    yaml::read(source).map_err(file_errors)
}

/// A lint finding placed in a file.
#[derive(Debug)]
pub struct FileFinding {
    pub line: usize,
    pub column: usize,
    pub finding: Finding,
}

/// What linting a YAML framework file found: its mistakes (what `check_yaml` reports) and the
/// linter's findings, each placed in the file.
#[derive(Debug, Default)]
pub struct FileLint {
    /// Mistakes that make the file invalid, sorted by position.
    pub problems: Vec<yaml::Diagnostic>,
    /// The linter's findings, in document order.
    pub findings: Vec<FileFinding>,
}

/// Lints a YAML framework file without touching the database: every mistake and every finding, in
/// one run. A file with mistakes is linted as far as it could be read (broken items are kept with
/// stand-ins), so one mistake hides no finding; only a syntax error, which leaves the rest of the
/// file unknown, leaves the findings out.
pub fn lint_yaml(source: &str) -> FileLint {
    let reading = yaml::read_all(source);
    let findings = reading.framework.as_ref().map(lint).unwrap_or_default();
    FileLint {
        findings: findings
            .into_iter()
            .map(|finding| {
                let (line, column) = reading.positions.of(&finding.path);
                FileFinding {
                    line,
                    column,
                    finding,
                }
            })
            .collect(),
        problems: reading.diagnostics,
    }
}

/// Imports a YAML file into the draft (by key), optionally publishing it. All or nothing.
pub async fn import_yaml(
    state: &AppState,
    actor: &Actor,
    source: &str,
    options: &ImportOptions,
) -> AppResult<ImportReport> {
    policy::edit_framework(actor)?;
    let incoming = check_yaml(source)?;
    import_framework(state, actor, &incoming, options).await
}

/// Imports a framework read from any file format into the draft (by key), optionally publishing
/// it. All or nothing.
pub async fn import_framework(
    state: &AppState,
    actor: &Actor,
    incoming: &Framework,
    options: &ImportOptions,
) -> AppResult<ImportReport> {
    policy::edit_framework(actor)?;
    if let Some(note) = &options.publish_note {
        check_note(note)?;
    }
    let plan = |current: &Framework| {
        let differences = merge::differences(current, incoming, &options.take);
        check_take(&options.take, &differences)?;
        let merged = merge::merge(current, incoming, options.prune, &options.take);
        let kept = if options.prune {
            Vec::new()
        } else {
            trellis_framework::merge::kept_only_in_base(current, incoming)
        };
        let diff = trellis_framework::diff::diff(current, &merged);
        Ok::<_, AppError>((merged, kept, diff, differences))
    };
    if options.dry_run {
        let (_, kept, diff, differences) = plan(&current_draft(state).await?.framework)?;
        return Ok(ImportReport {
            diff,
            kept,
            differences,
            dry_run: true,
            published_version: None,
            unmapped: Vec::new(),
        });
    }
    let mut outcome = None;
    let published_version = update_draft(state, actor, |current| {
        let (merged, kept, diff, differences) = plan(current)?;
        let taken: Vec<&str> = differences
            .iter()
            .filter(|d| d.taken)
            .map(|d| d.id.as_str())
            .collect();
        let change = DraftChange {
            next: merged,
            action: Action::FrameworkImport,
            summary: format!("Imported a framework file: {}", diff.counts()),
            detail: Some(serde_json::json!({
                "prune": options.prune,
                "kept": kept,
                "taken_from_file": taken,
            })),
            publish_note: options.publish_note.clone(),
        };
        outcome = Some((kept, diff, differences));
        Ok(change)
    })
    .await?;
    let (kept, diff, differences) = outcome.unwrap_or_default();
    Ok(ImportReport {
        diff,
        kept,
        differences,
        dry_run: false,
        published_version,
        unmapped: Vec::new(),
    })
}

/// Every item asked for in `take` must be one where the draft and the file differ.
fn check_take(take: &Take, differences: &[Difference]) -> AppResult<()> {
    let unknown: Vec<&str> = take
        .ids()
        .filter(|id| !differences.iter().any(|d| d.id == *id))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(AppError::invalid_field(
        "take",
        format!(
            "The draft and the file do not differ on {}. Preview the import again to see the items \
             you can take from the file.",
            unknown.join(", ")
        ),
    ))
}

/// The format of an import: the one asked for, else the one the first file looks like, else
/// Trellis's own.
pub fn import_format(asked: Option<Format>, files: &[SourceFile]) -> Format {
    asked
        .or_else(|| files.first().and_then(|f| import::detect(&f.text, &f.name)))
        .unwrap_or(Format::Trellis)
}

/// Imports files in any format Trellis reads into the draft (by key), optionally publishing the
/// result; the report lists what the files had that Trellis does not keep. All or nothing. The
/// other formats name no framework, so with them the draft keeps its name and description.
pub async fn import_files(
    state: &AppState,
    actor: &Actor,
    format: Format,
    files: &[SourceFile],
    read: &import::Options,
    options: &ImportOptions,
) -> AppResult<ImportReport> {
    policy::edit_framework(actor)?;
    let imported = import::import(format, files, read).map_err(import_errors)?;
    let mut incoming = imported.framework;
    if format != Format::Trellis {
        let current = current_draft(state).await?;
        incoming.name.clone_from(&current.framework.name);
        incoming
            .description
            .clone_from(&current.framework.description);
    }
    let mut report = import_framework(state, actor, &incoming, options).await?;
    report.unmapped = imported.unmapped;
    Ok(report)
}

/// Every mistake of imported files, in the error type of the application.
fn import_errors(diags: Vec<import::FileDiagnostic>) -> AppError {
    AppError::InvalidFile {
        errors: diags
            .into_iter()
            .map(|d| FileError {
                file: Some(d.file).filter(|f| !f.is_empty()),
                line: d.line,
                column: d.column,
                message: d.message,
            })
            .collect(),
    }
}
