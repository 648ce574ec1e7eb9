//! The people directory as a CSV file: import from an HRIS export (or a Lattice bulk-assignment
//! file), checked whole before anything is written and applied in one transaction, and export in
//! the same columns, so that exporting and importing again changes nothing.
//!
//! Columns, matched by name whatever their case, spaces and underscores, in any order: `email`
//! (required), `name`, `employee_id`, `manager_email`, `team`, `track`, `level` (by key or by
//! title), `start_date`, `status`, and optionally `left_on`. A column the file does not have leaves
//! that detail as it is; an empty cell clears it (but an empty name, track or level keeps the
//! current one). Columns with other names are ignored and listed in the summary.

mod apply;
mod file;
mod plan;
mod snapshot;

use trellis_framework::Framework;
use trellis_framework::export::csv::spreadsheet_safe;

use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::Work;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use plan::plan;
use snapshot::Directory;

/// How many changes a summary shows.
pub const SAMPLE_SIZE: usize = 50;

/// How often (in rows) the progress callback is called.
pub const PROGRESS_EVERY: usize = 1000;

/// The columns of the export, in order; the import reads them back.
pub const EXPORT_COLUMNS: [&str; 9] = [
    "email",
    "name",
    "employee_id",
    "manager_email",
    "team",
    "track",
    "level",
    "start_date",
    "status",
];

/// A mistake in one row (or the header) of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The line of the file where the row starts; the header is line 1.
    pub line: usize,
    /// The column, as the file's header names it.
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.line, self.column, self.message)
    }
}

/// Why an import did not happen: the file's mistakes (all of them), or another error.
#[derive(Debug)]
pub enum ImportError {
    Rows(Vec<RowError>),
    App(AppError),
}

impl From<AppError> for ImportError {
    fn from(e: AppError) -> Self {
        ImportError::App(e)
    }
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::App(e.into())
    }
}

/// The file's mistakes become field errors named `line N: column`, for the API's problem document.
impl From<ImportError> for AppError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::App(e) => e,
            ImportError::Rows(rows) => AppError::Invalid {
                title: format!(
                    "The file has {}; nothing was changed.",
                    crate::text::count(rows.len(), "problem", "problems")
                ),
                errors: rows
                    .into_iter()
                    .map(|r| FieldError {
                        field: format!("line {}: {}", r.line, r.column),
                        message: r.message,
                    })
                    .collect(),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Check and count; write nothing.
    pub dry_run: bool,
    /// Mark everyone active who is not in the file as left.
    pub deactivate_missing: bool,
}

/// One change an import makes (or would make).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportChange {
    /// The row's line; absent for people marked as left because the file does not have them.
    pub line: Option<usize>,
    pub email: String,
    /// What changes, in words: `added`, `team: Platform → Growth; level: se1 → se2`, ...
    pub change: String,
}

/// What an import did, or with `dry_run` would do.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    pub dry_run: bool,
    /// `trellis` (the export's columns, or some of them) or `lattice` (a bulk assignment of
    /// tracks and levels by employee email).
    pub shape: String,
    /// People rows in the file.
    pub rows: usize,
    pub created: usize,
    /// People whose details or position change.
    pub updated: usize,
    pub unchanged: usize,
    pub positions_recorded: usize,
    pub deactivated: usize,
    /// Columns the import does not know, which it ignored.
    pub ignored_columns: Vec<String>,
    /// The first changes, in the order of the file.
    pub changes: Vec<ImportChange>,
}

impl ImportSummary {
    /// Whether the import changes anything.
    pub fn changes_anything(&self) -> bool {
        self.created + self.updated + self.positions_recorded + self.deactivated > 0
    }

    /// The counts as one line, for the command line and the pages.
    pub fn counts(&self) -> String {
        format!(
            "{}: {} added, {} updated, {} unchanged, {} recorded, {} marked as left",
            crate::text::plural(self.rows, "row", "rows"),
            self.created,
            self.updated,
            self.unchanged,
            crate::text::plural(self.positions_recorded, "position", "positions"),
            self.deactivated
        )
    }
}

/// Imports a CSV file of people: checks the whole file, then (unless `dry_run`) applies it in one
/// transaction. `progress(rows done, rows)` is called every [`PROGRESS_EVERY`] rows.
pub async fn import_csv(
    state: &AppState,
    actor: &Actor,
    text: &str,
    options: ImportOptions,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Result<ImportSummary, ImportError> {
    let permit = policy::manage_people(actor)?;
    let published = crate::architecture::framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    if options.dry_run {
        let dir = Directory::load(state.db().pool()).await?;
        let plan = plan(text, &dir, fw, options, actor, progress).map_err(ImportError::Rows)?;
        progress(plan.summary.rows, plan.summary.rows);
        return Ok(plan.summary);
    }
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let dir = Directory::load(&mut **work.tx()).await?;
    let plan = plan(text, &dir, fw, options, actor, progress).map_err(ImportError::Rows)?;
    let started = crate::db::now();
    let left = apply::apply(&mut work, &dir, &plan, progress).await?;
    crate::growth::readiness::recompute_recorded_since(work.tx(), fw, started).await?;
    work.record(
        Action::PeopleImport,
        "people",
        &format!("Imported people from a CSV file: {}", plan.summary.counts()),
        Some(serde_json::json!({
            "shape": plan.summary.shape,
            "rows": plan.summary.rows,
            "created": plan.summary.created,
            "updated": plan.summary.updated,
            "unchanged": plan.summary.unchanged,
            "positions_recorded": plan.summary.positions_recorded,
            "deactivated": plan.summary.deactivated,
            "deactivate_missing": options.deactivate_missing,
        })),
    )
    .await?;
    work.commit().await?;
    // Sessions of people who left ended with the transaction; this server forgets them now.
    for id in left {
        state.actors().forget_user(id);
    }
    Ok(plan.summary)
}

/// The directory as CSV in the import's columns ([`EXPORT_COLUMNS`]), everyone (active and left)
/// by email. Positions are private, so only admins export.
pub async fn export_csv(state: &AppState, actor: &Actor) -> AppResult<String> {
    policy::manage_people(actor)?;
    let dir = Directory::load(state.db().pool()).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let write_error = |e: csv::Error| AppError::internal(format!("cannot write the CSV: {e}"));
    out.write_record(EXPORT_COLUMNS).map_err(write_error)?;
    for p in &dir.people {
        // Names, ids and teams may come from an HRIS or SCIM: none runs as a formula.
        out.write_record([
            &*spreadsheet_safe(p.email.as_str()),
            &spreadsheet_safe(p.name.as_str()),
            &spreadsheet_safe(p.employee_id.as_deref().unwrap_or("")),
            &spreadsheet_safe(dir.email_of(p.manager_id).unwrap_or("")),
            &spreadsheet_safe(p.team.as_deref().unwrap_or("")),
            &spreadsheet_safe(p.track.as_deref().unwrap_or("")),
            &spreadsheet_safe(p.level.as_deref().unwrap_or("")),
            &spreadsheet_safe(p.start_date.as_deref().unwrap_or("")),
            if p.active { "active" } else { "left" },
        ])
        .map_err(write_error)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::internal(format!("cannot write the CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::internal(format!("the CSV is not UTF-8: {e}")))
}

/// Reads and checks a people file as a dry run does, against an empty directory and the framework
/// given, without a database. For the fuzz targets (`fuzz/`); imports go through [`import_csv`].
#[doc(hidden)]
pub fn check_file(text: &str, fw: Option<&Framework>) -> Result<ImportSummary, Vec<RowError>> {
    let dir = Directory::empty();
    let options = ImportOptions {
        dry_run: true,
        deactivate_missing: false,
    };
    plan(text, &dir, fw, options, &Actor::command_line(), &|_, _| {}).map(|p| p.summary)
}
