//! The people directory as a CSV file: import from an HRIS export (or a Lattice bulk-assignment
//! file), checked whole before anything is written and applied in one transaction, and export in
//! the same columns, so that exporting and importing again changes nothing.
//!
//! Columns, matched by name whatever their case, spaces and underscores, in any order: `email`
//! (required), `name`, `employee_id`, `manager_email`, `team`, `track`, `level` (by key or by
//! title), `start_date`, `status`, and optionally `left_on`. A column the file does not have leaves
//! that detail as it is; an empty cell clears it (but an empty name, track or level keeps the
//! current one). Columns with other names are ignored and listed in the summary.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sqlx::Row;
use trellis_framework::export::csv::{spreadsheet_safe, spreadsheet_text};
use trellis_framework::{Framework, Level, Track};

use crate::audit;
use crate::auth::{Actor, policy};
use crate::db::Tx;
use crate::domain::{Day, PositionKind, Status};
use crate::error::{AppError, AppResult, FieldError};
use crate::people::directory::{self, NewPerson, NewPosition, PersonFields, PersonInput};
use crate::state::AppState;

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportChange {
    /// The row's line; absent for people marked as left because the file does not have them.
    pub line: Option<usize>,
    pub email: String,
    /// What changes, in words: `added`, `team: Platform → Growth; level: se1 → se2`, ...
    pub change: String,
}

/// What an import did, or with `dry_run` would do.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Email,
    Name,
    EmployeeId,
    ManagerEmail,
    Team,
    Track,
    Level,
    StartDate,
    Status,
    LeftOn,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::Email => "email",
            Column::Name => "name",
            Column::EmployeeId => "employee_id",
            Column::ManagerEmail => "manager_email",
            Column::Team => "team",
            Column::Track => "track",
            Column::Level => "level",
            Column::StartDate => "start_date",
            Column::Status => "status",
            Column::LeftOn => "left_on",
        }
    }

    /// The column a header names: lower case, without spaces, underscores and hyphens, by its
    /// own name or a name HRIS exports use for it.
    fn from_header(header: &str) -> Option<Column> {
        let key: String = header
            .trim_start_matches('\u{feff}')
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-' | '\t'))
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "email" | "emailaddress" | "workemail" | "employeeemail" => Column::Email,
            "name" | "fullname" | "employeename" | "displayname" => Column::Name,
            "employeeid" | "employeenumber" => Column::EmployeeId,
            "manageremail" | "manager" | "managerworkemail" => Column::ManagerEmail,
            "team" | "teamname" | "department" => Column::Team,
            "track" | "trackname" => Column::Track,
            "level" | "levelname" | "leveltitle" => Column::Level,
            "startdate" | "hiredate" => Column::StartDate,
            "status" | "employmentstatus" => Column::Status,
            "lefton" | "enddate" | "terminationdate" => Column::LeftOn,
            _ => return None,
        })
    }
}

/// The header of a file: where each known column is and how the file spells it.
struct Header {
    columns: HashMap<Column, (usize, String)>,
    ignored: Vec<String>,
    lattice: bool,
}

impl Header {
    /// The column as the file names it, for messages.
    fn label(&self, c: Column) -> String {
        self.columns
            .get(&c)
            .map_or_else(|| c.name().to_owned(), |(_, h)| h.trim().to_owned())
    }

    /// The label of a field of `PersonInput::check` or `resolve_position`.
    fn label_of_field(&self, field: &str) -> String {
        let c = match field {
            "email" => Column::Email,
            "name" => Column::Name,
            "employee_id" => Column::EmployeeId,
            "manager_email" => Column::ManagerEmail,
            "team" => Column::Team,
            "track" => Column::Track,
            "level" => Column::Level,
            "start_date" => Column::StartDate,
            "status" => Column::Status,
            "left_on" => Column::LeftOn,
            other => return other.to_owned(),
        };
        self.label(c)
    }

    fn cell<'r>(&self, record: &'r csv::StringRecord, c: Column) -> Option<&'r str> {
        self.columns
            .get(&c)
            .map(|(i, _)| spreadsheet_text(record.get(*i).unwrap_or("").trim()))
    }

    fn read(headers: &csv::StringRecord) -> Result<Header, Vec<RowError>> {
        let mut columns: HashMap<Column, (usize, String)> = HashMap::new();
        let mut ignored = Vec::new();
        let mut errors = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            match Column::from_header(h) {
                Some(c) => {
                    if let Some((_, first)) = columns.get(&c) {
                        errors.push(RowError {
                            line: 1,
                            column: h.trim().to_owned(),
                            message: format!(
                                "the column “{}” is there already as “{}”",
                                c.name(),
                                first.trim()
                            ),
                        });
                    } else {
                        columns.insert(c, (i, h.to_owned()));
                    }
                }
                None if h.trim().is_empty() => {}
                None => ignored.push(h.trim().trim_start_matches('\u{feff}').to_owned()),
            }
        }
        if !columns.contains_key(&Column::Email) {
            errors.push(RowError {
                line: 1,
                column: "email".into(),
                message: "the header has no email column: every row needs the person's email"
                    .into(),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Lattice's bulk-assignment file names people by "Employee email" and assigns a track and
        // level to each; it is read as that and nothing more.
        let lattice = columns.get(&Column::Email).is_some_and(|(_, h)| {
            let h = h.to_lowercase();
            h.contains("employee") && h.contains("email")
        }) && (columns.contains_key(&Column::Track)
            || columns.contains_key(&Column::Level));
        if lattice {
            for c in [
                Column::Name,
                Column::EmployeeId,
                Column::ManagerEmail,
                Column::Team,
                Column::StartDate,
                Column::Status,
                Column::LeftOn,
            ] {
                if let Some((_, h)) = columns.remove(&c) {
                    ignored.push(h.trim().to_owned());
                }
            }
        }
        Ok(Header {
            columns,
            ignored,
            lattice,
        })
    }
}

/// One person of the directory as it stands.
#[derive(Debug, Clone)]
struct Existing {
    id: i64,
    email: String,
    name: String,
    employee_id: Option<String>,
    manager_id: Option<i64>,
    team: Option<String>,
    start_date: Option<String>,
    active: bool,
    left_on: Option<String>,
    track: Option<String>,
    level: Option<String>,
}

/// The whole directory, read in one query.
struct Directory {
    people: Vec<Existing>,
    by_email: HashMap<String, usize>,
    by_id: HashMap<i64, usize>,
}

impl Directory {
    async fn load<'e, E>(executor: E) -> AppResult<Directory>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.name, u.employee_id, u.manager_id, t.name AS team, u.start_date, \
             u.active, u.left_on, u.track_key, u.level_key \
             FROM users u LEFT JOIN teams t ON t.id = u.team_id ORDER BY u.email",
        )
        .fetch_all(executor)
        .await?;
        let mut people = Vec::with_capacity(rows.len());
        for r in &rows {
            let active: i64 = r.try_get("active")?;
            people.push(Existing {
                id: r.try_get("id")?,
                email: r.try_get("email")?,
                name: r.try_get("name")?,
                employee_id: r.try_get("employee_id")?,
                manager_id: r.try_get("manager_id")?,
                team: r.try_get("team")?,
                start_date: r.try_get("start_date")?,
                active: active == 1,
                left_on: r.try_get("left_on")?,
                track: r.try_get("track_key")?,
                level: r.try_get("level_key")?,
            });
        }
        let by_email = people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.email.clone(), i))
            .collect();
        let by_id = people.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
        Ok(Directory {
            people,
            by_email,
            by_id,
        })
    }

    fn email_of(&self, id: Option<i64>) -> Option<&str> {
        id.and_then(|id| self.by_id.get(&id))
            .map(|&i| self.people[i].email.as_str())
    }
}

/// A row of the file, checked, and what it changes.
struct Planned<'f> {
    line: usize,
    fields: PersonFields,
    existing: Option<usize>,
    /// The position the row asks for, when it differs from the person's current one.
    position: Option<(&'f Track, &'f Level)>,
    /// What changes in the person's details, in words; empty when nothing does.
    changes: Vec<String>,
}

/// Who a row names, read cell by cell so that the checks across rows (duplicates, managers,
/// loops) see every row, also one with mistakes of its own: one run reports every problem.
#[derive(Debug, Clone, Default)]
struct Identity {
    line: usize,
    email: Option<String>,
    manager: Option<String>,
    employee_id: Option<String>,
    existing: Option<usize>,
}

/// What an import will write.
struct Plan<'f> {
    rows: Vec<Planned<'f>>,
    /// People of the directory marked as left because the file does not have them.
    deactivate: Vec<usize>,
    summary: ImportSummary,
}

fn describe(what: &str, before: Option<&str>, after: Option<&str>) -> String {
    format!(
        "{what}: {} → {}",
        before.unwrap_or("(none)"),
        after.unwrap_or("(none)")
    )
}

/// Where each line of a file starts, to turn a byte offset into the file's own line number. A line
/// ends at a line feed, a carriage return and line feed (what Excel, most HRIS exports and Python's
/// csv module write), or a lone carriage return, as the CSV reader reads them. The reader's own line
/// count is not used: it counts a CRLF line end differently from an LF one.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn of(text: &str) -> LineStarts {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, b) in bytes.iter().enumerate() {
            let ends_line = match b {
                b'\n' => true,
                b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            if ends_line {
                starts.push(i + 1);
            }
        }
        LineStarts(starts)
    }

    /// The line (from 1) holding the byte at `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.0.partition_point(|start| *start <= offset).max(1)
    }
}

/// Reads and checks the whole file against the directory and the published framework, and works
/// out what it changes. Every mistake is reported, not only the first.
fn plan<'f>(
    text: &str,
    dir: &Directory,
    fw: Option<&'f Framework>,
    options: ImportOptions,
    actor: &Actor,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Result<Plan<'f>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::None)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![RowError {
                line: 1,
                column: "header".into(),
                message: format!("the header cannot be read: {e}"),
            }]);
        }
    };
    let header = Header::read(&headers)?;
    let lines = LineStarts::of(text);
    // The reader places a record after a CRLF line end at its line feed: the record itself starts
    // after any line end characters.
    let line_at = |position: Option<&csv::Position>| {
        position.map_or(0, |p| {
            let at = usize::try_from(p.byte()).unwrap_or(usize::MAX);
            let skipped = text.as_bytes().get(at..).map_or(0, |rest| {
                rest.iter()
                    .take_while(|b| matches!(b, b'\r' | b'\n'))
                    .count()
            });
            lines.line_of(at.saturating_add(skipped))
        })
    };
    let mut errors: Vec<RowError> = Vec::new();
    let mut records: Vec<(usize, csv::StringRecord)> = Vec::new();
    for result in reader.records() {
        match result {
            Ok(record) => {
                let line = line_at(record.position());
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                if record.len() > headers.len() {
                    errors.push(RowError {
                        line,
                        column: "row".into(),
                        message: format!(
                            "the row has {} values but the header names {} columns (is a value with a comma missing its quotes?)",
                            record.len(),
                            headers.len()
                        ),
                    });
                    continue;
                }
                records.push((line, record));
            }
            Err(e) => {
                let line = line_at(e.position());
                errors.push(RowError {
                    line,
                    column: "row".into(),
                    message: format!("the row cannot be read: {e}"),
                });
            }
        }
    }
    if options.deactivate_missing && records.is_empty() && errors.is_empty() {
        errors.push(RowError {
            line: 1,
            column: "email".into(),
            message: "the file has nobody in it: marking everyone missing from it as left would mark everyone".into(),
        });
    }
    let total = records.len();
    let mut rows: Vec<Planned<'f>> = Vec::with_capacity(total);
    let mut identities: Vec<Identity> = Vec::with_capacity(total);
    let mut first_line_of_email: HashMap<String, usize> = HashMap::new();
    let mut first_line_of_employee_id: HashMap<String, usize> = HashMap::new();
    let push = |errors: &mut Vec<RowError>, line: usize, column: String, message: String| {
        errors.push(RowError {
            line,
            column,
            message,
        })
    };
    for (done, (line, record)) in records.iter().enumerate() {
        if done % PROGRESS_EVERY == 0 && done > 0 {
            progress(done, total);
        }
        let line = *line;
        let cell = |c: Column| header.cell(record, c);
        let email_raw = cell(Column::Email).unwrap_or("");
        let existing = crate::domain::Email::parse(email_raw)
            .ok()
            .and_then(|e| dir.by_email.get(e.as_str()).copied());
        let ex = existing.map(|i| &dir.people[i]);
        // Columns the file does not have keep the person's current details.
        let keep = |c: Column, current: Option<&str>| -> String {
            match cell(c) {
                Some(v) => v.to_owned(),
                None => current.unwrap_or("").to_owned(),
            }
        };
        let status = keep(
            Column::Status,
            ex.map(|e| if e.active { "active" } else { "left" }),
        );
        let leaving = match Status::parse(&status) {
            Some(s) => s == Status::Left,
            None => status.trim().is_empty() && ex.is_some_and(|e| !e.active),
        };
        let input = PersonInput {
            email: email_raw.to_owned(),
            name: match cell(Column::Name) {
                Some(v) if !v.is_empty() => v.to_owned(),
                _ => ex.map(|e| e.name.clone()).unwrap_or_default(),
            },
            employee_id: keep(
                Column::EmployeeId,
                ex.and_then(|e| e.employee_id.as_deref()),
            ),
            team: keep(Column::Team, ex.and_then(|e| e.team.as_deref())),
            manager_email: keep(
                Column::ManagerEmail,
                ex.and_then(|e| dir.email_of(e.manager_id)),
            ),
            start_date: keep(Column::StartDate, ex.and_then(|e| e.start_date.as_deref())),
            status,
            left_on: match cell(Column::LeftOn) {
                Some(v) if !v.is_empty() => v.to_owned(),
                _ if leaving => ex.and_then(|e| e.left_on.clone()).unwrap_or_default(),
                _ => String::new(),
            },
        };
        let email = crate::domain::Email::parse(email_raw)
            .ok()
            .map(|e| e.as_str().to_owned());
        let identity = Identity {
            line,
            manager: Some(input.manager_email.trim())
                .filter(|m| !m.is_empty())
                .and_then(|m| crate::domain::Email::parse(m).ok())
                .map(|m| m.as_str().to_owned())
                .filter(|m| Some(m) != email.as_ref()),
            employee_id: Some(input.employee_id.trim())
                .filter(|e| !e.is_empty())
                .map(str::to_owned),
            email,
            existing,
        };
        let fields = match input.check() {
            Ok(f) => Some(f),
            Err(field_errors) => {
                for e in field_errors {
                    push(
                        &mut errors,
                        line,
                        header.label_of_field(&e.field),
                        e.message,
                    );
                }
                None
            }
        };
        // The position: both or neither of track and level; empty keeps the current one.
        let track = cell(Column::Track).unwrap_or("");
        let level = cell(Column::Level).unwrap_or("");
        let mut position = None;
        if !track.is_empty() || !level.is_empty() {
            let current = ex.and_then(|e| e.track.as_deref().zip(e.level.as_deref()));
            if track.is_empty() {
                push(
                    &mut errors,
                    line,
                    header.label(Column::Track),
                    "a level needs its track".into(),
                );
            } else if level.is_empty() {
                push(
                    &mut errors,
                    line,
                    header.label(Column::Level),
                    "a track needs a level".into(),
                );
            } else if current == Some((track, level)) {
                // The person's current position by key, as the export writes it: unchanged,
                // even when the framework has changed since.
            } else {
                match fw {
                    None => push(
                        &mut errors,
                        line,
                        header.label(Column::Track),
                        "nothing is published yet: publish the framework before assigning tracks"
                            .into(),
                    ),
                    Some(fw) => match directory::resolve_position(fw, track, level) {
                        Ok((t, l)) => {
                            if current != Some((t.key.as_str(), l.key.as_str())) {
                                position = Some((t, l));
                            }
                        }
                        Err(e) => push(
                            &mut errors,
                            line,
                            header.label_of_field(&e.field),
                            e.message,
                        ),
                    },
                }
            }
        }
        // Checks across rows, on what the row names even when it has other mistakes.
        let mut duplicate = false;
        if let Some(email) = &identity.email {
            if let Some(first) = first_line_of_email.get(email) {
                push(
                    &mut errors,
                    line,
                    header.label(Column::Email),
                    format!("{email} is on line {first} already"),
                );
                duplicate = true;
            } else {
                first_line_of_email.insert(email.clone(), line);
                if header.lattice && existing.is_none() {
                    push(
                        &mut errors,
                        line,
                        header.label(Column::Email),
                        format!(
                            "there is nobody with the email {email} in the directory: a bulk assignment file only assigns tracks and levels"
                        ),
                    );
                }
            }
        }
        if !duplicate && let Some(eid) = &identity.employee_id {
            if let Some(first) = first_line_of_employee_id.get(eid) {
                push(
                    &mut errors,
                    line,
                    header.label(Column::EmployeeId),
                    format!("the employee id {eid} is on line {first} already"),
                );
            } else {
                first_line_of_employee_id.insert(eid.clone(), line);
            }
        }
        if !duplicate {
            identities.push(identity);
        }
        let Some(fields) = fields else { continue };
        if duplicate {
            continue;
        }
        let mut changes = Vec::new();
        if let Some(e) = ex {
            if e.name != fields.name {
                changes.push(describe("name", Some(&e.name), Some(&fields.name)));
            }
            if e.employee_id != fields.employee_id {
                changes.push(describe(
                    "employee id",
                    e.employee_id.as_deref(),
                    fields.employee_id.as_deref(),
                ));
            }
            if e.team.as_deref().map(str::to_lowercase)
                != fields.team.as_deref().map(str::to_lowercase)
            {
                changes.push(describe("team", e.team.as_deref(), fields.team.as_deref()));
            }
            let manager = fields.manager.as_ref().map(|m| m.as_str());
            if dir.email_of(e.manager_id) != manager {
                changes.push(describe("manager", dir.email_of(e.manager_id), manager));
            }
            let start = fields.start_date.map(|d| d.to_string());
            if e.start_date != start {
                changes.push(describe(
                    "start date",
                    e.start_date.as_deref(),
                    start.as_deref(),
                ));
            }
            if e.active != (fields.status == Status::Active) {
                changes.push(format!(
                    "status: {} → {}",
                    if e.active { "active" } else { "left" },
                    fields.status.as_str()
                ));
            }
            let left = fields.left_on.map(|d| d.to_string());
            if e.left_on != left {
                changes.push(describe("left on", e.left_on.as_deref(), left.as_deref()));
            }
        }
        rows.push(Planned {
            line,
            fields,
            existing,
            position,
            changes,
        });
    }
    // Employee ids held by people the file does not change.
    let in_file: HashSet<usize> = identities.iter().filter_map(|r| r.existing).collect();
    let holders: HashMap<&str, &Existing> = dir
        .people
        .iter()
        .enumerate()
        .filter(|(i, _)| !in_file.contains(i))
        .filter_map(|(_, p)| p.employee_id.as_deref().map(|id| (id, p)))
        .collect();
    for r in &identities {
        if let Some((eid, holder)) = r
            .employee_id
            .as_deref()
            .and_then(|eid| holders.get(eid).map(|h| (eid, h)))
        {
            push(
                &mut errors,
                r.line,
                header.label(Column::EmployeeId),
                format!("the employee id {eid} belongs to {} already", holder.email),
            );
        }
    }
    // Managers: in the file or in the directory, and no loops once the file is applied.
    let row_of: HashMap<&str, usize> = identities
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.email.as_deref().map(|e| (e, i)))
        .collect();
    for r in &identities {
        if let Some(m) = &r.manager
            && !row_of.contains_key(m.as_str())
            && !dir.by_email.contains_key(m.as_str())
        {
            push(
                &mut errors,
                r.line,
                header.label(Column::ManagerEmail),
                format!("there is nobody with the email {m} in the file or the directory"),
            );
        }
    }
    for cycle in manager_loops(&identities, &row_of, dir) {
        let first = cycle.iter().filter_map(|e| row_of.get(e.as_str())).min();
        if let Some(&i) = first {
            let mut names = cycle.clone();
            names.push(cycle[0].clone());
            push(
                &mut errors,
                identities[i].line,
                header.label(Column::ManagerEmail),
                format!("the managers make a loop: {}", names.join(" → ")),
            );
        }
    }
    if !errors.is_empty() {
        // By line, and within a line in the order the checks found them.
        errors.sort_by_key(|e| e.line);
        return Err(errors);
    }
    let deactivate: Vec<usize> = if options.deactivate_missing {
        dir.people
            .iter()
            .enumerate()
            .filter(|(i, p)| p.active && !in_file.contains(i) && Some(p.id) != actor.user_id)
            .map(|(i, _)| i)
            .collect()
    } else {
        Vec::new()
    };
    let mut summary = ImportSummary {
        dry_run: options.dry_run,
        shape: if header.lattice { "lattice" } else { "trellis" }.into(),
        rows: rows.len(),
        deactivated: deactivate.len(),
        ignored_columns: header.ignored.clone(),
        ..ImportSummary::default()
    };
    for r in &rows {
        let mut words = Vec::new();
        match r.existing {
            None => {
                summary.created += 1;
                words.push("added".to_owned());
            }
            Some(_) if r.changes.is_empty() && r.position.is_none() => summary.unchanged += 1,
            Some(_) => {
                summary.updated += 1;
                words.extend(r.changes.iter().cloned());
            }
        }
        if let Some((t, l)) = r.position {
            summary.positions_recorded += 1;
            words.push(format!("position: {} ({})", l.title, t.name));
        }
        if !words.is_empty() && summary.changes.len() < SAMPLE_SIZE {
            summary.changes.push(ImportChange {
                line: Some(r.line),
                email: r.fields.email.to_string(),
                change: words.join("; "),
            });
        }
    }
    for &i in &deactivate {
        if summary.changes.len() < SAMPLE_SIZE {
            summary.changes.push(ImportChange {
                line: None,
                email: dir.people[i].email.clone(),
                change: "status: active → left (not in the file)".into(),
            });
        }
    }
    Ok(Plan {
        rows,
        deactivate,
        summary,
    })
}

/// Every loop of managers once the file is applied (a row's manager replaces the directory's),
/// each as the emails in it, in reporting order.
fn manager_loops(
    rows: &[Identity],
    row_of: &HashMap<&str, usize>,
    dir: &Directory,
) -> Vec<Vec<String>> {
    // Only people in the file can close a new loop: follow managers up from each row.
    let manager_of = |email: &str| -> Option<String> {
        match row_of.get(email) {
            Some(&i) => rows[i].manager.clone(),
            None => dir
                .by_email
                .get(email)
                .and_then(|&i| dir.email_of(dir.people[i].manager_id))
                .map(str::to_owned),
        }
    };
    // 0: not seen, 1: on the current path, 2: done.
    let mut state: HashMap<String, u8> = HashMap::new();
    let mut loops = Vec::new();
    for r in rows {
        let Some(start) = r.email.as_deref() else {
            continue;
        };
        if state.contains_key(start) {
            continue;
        }
        let mut path: Vec<String> = Vec::new();
        let mut at = Some(start.to_owned());
        while let Some(email) = at {
            match state.get(&email) {
                Some(2) => break,
                Some(_) => {
                    if let Some(pos) = path.iter().position(|e| *e == email) {
                        loops.push(path[pos..].to_vec());
                    }
                    break;
                }
                None => {
                    state.insert(email.clone(), 1);
                    at = manager_of(&email);
                    path.push(email);
                }
            }
        }
        for e in path {
            state.insert(e, 2);
        }
    }
    loops
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
    policy::manage_people(actor)?;
    let published = crate::architecture::framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    if options.dry_run {
        let dir = Directory::load(state.db().pool()).await?;
        let plan = plan(text, &dir, fw, options, actor, progress).map_err(ImportError::Rows)?;
        progress(plan.summary.rows, plan.summary.rows);
        return Ok(plan.summary);
    }
    let mut tx = state.db().begin().await?;
    let dir = Directory::load(&mut *tx).await?;
    let plan = plan(text, &dir, fw, options, actor, progress).map_err(ImportError::Rows)?;
    let started = crate::db::now();
    let left = apply(&mut tx, actor, &dir, &plan, progress).await?;
    crate::growth::readiness::recompute_recorded_since(&mut tx, fw, started).await?;
    audit::record(
        &mut tx,
        actor,
        "people.import",
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
    tx.commit().await?;
    // Sessions of people who left ended with the transaction; this server forgets them now.
    for id in left {
        state.actors().forget_user(id);
    }
    Ok(plan.summary)
}

/// Writes a checked plan: new people in an order where managers come first, then changed people,
/// then positions, then the people the file does not have. Returns the ids of the people who left.
async fn apply(
    tx: &mut Tx,
    actor: &Actor,
    dir: &Directory,
    plan: &Plan<'_>,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> AppResult<Vec<i64>> {
    let mut left = Vec::new();
    let total = plan.rows.len();
    let mut done = 0usize;
    let mut report = |n: usize| {
        let before = done / PROGRESS_EVERY;
        done += n;
        if done / PROGRESS_EVERY != before || done == total {
            progress(done.min(total), total);
        }
    };
    let team_names: Vec<&str> = {
        let mut seen = HashSet::new();
        plan.rows
            .iter()
            .filter_map(|r| r.fields.team.as_deref())
            .filter(|t| seen.insert(t.trim().to_lowercase()))
            .collect()
    };
    let teams = directory::team_ids(tx, &team_names).await?;
    let team_of = |f: &PersonFields| {
        f.team
            .as_deref()
            .and_then(|t| teams.get(&t.trim().to_lowercase()).copied())
    };
    let mut ids: HashMap<String, i64> =
        dir.people.iter().map(|p| (p.email.clone(), p.id)).collect();
    // New people by depth in the file's management tree: a manager is written before their reports.
    let row_of: HashMap<&str, usize> = plan
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.fields.email.as_str(), i))
        .collect();
    let mut depth: Vec<Option<usize>> = vec![None; plan.rows.len()];
    for start in 0..plan.rows.len() {
        let mut chain = Vec::new();
        let mut at = Some(start);
        let mut base = 0;
        while let Some(i) = at {
            if let Some(d) = depth[i] {
                base = d + 1;
                break;
            }
            chain.push(i);
            at = plan.rows[i]
                .fields
                .manager
                .as_ref()
                .and_then(|m| row_of.get(m.as_str()).copied());
            if chain.len() > plan.rows.len() {
                return Err(AppError::internal("a loop of managers passed the checks"));
            }
        }
        for (k, &i) in chain.iter().rev().enumerate() {
            depth[i] = Some(base + k);
        }
    }
    let mut new_rows: Vec<usize> = (0..plan.rows.len())
        .filter(|&i| plan.rows[i].existing.is_none())
        .collect();
    new_rows.sort_by_key(|&i| (depth[i].unwrap_or(0), i));
    let mut start = 0;
    while start < new_rows.len() {
        let d = depth[new_rows[start]];
        let end = new_rows[start..]
            .iter()
            .position(|&i| depth[i] != d)
            .map_or(new_rows.len(), |p| start + p);
        let layer = &new_rows[start..end];
        let batch: Vec<NewPerson<'_>> = layer
            .iter()
            .map(|&i| {
                let r = &plan.rows[i];
                NewPerson {
                    fields: &r.fields,
                    team_id: team_of(&r.fields),
                    manager_id: r
                        .fields
                        .manager
                        .as_ref()
                        .and_then(|m| ids.get(m.as_str()).copied()),
                    position: r.position.map(|(t, l)| (t.key.as_str(), l.key.as_str())),
                }
            })
            .collect();
        let new_ids = directory::insert_people(tx, actor, &batch).await?;
        for (&i, id) in layer.iter().zip(new_ids) {
            ids.insert(plan.rows[i].fields.email.to_string(), id);
        }
        report(layer.len());
        start = end;
    }
    let mut unchanged = 0;
    for r in &plan.rows {
        let Some(e) = r.existing.map(|i| &dir.people[i]) else {
            continue;
        };
        if r.changes.is_empty() {
            unchanged += 1;
            if unchanged % PROGRESS_EVERY == 0 {
                report(PROGRESS_EVERY);
            }
            continue;
        }
        let manager_id = r
            .fields
            .manager
            .as_ref()
            .and_then(|m| ids.get(m.as_str()).copied());
        if e.active && r.fields.status == Status::Left {
            left.push(e.id);
        }
        directory::update_person(
            tx,
            actor,
            e.id,
            e.active,
            &r.fields,
            team_of(&r.fields),
            manager_id,
        )
        .await?;
        report(1);
    }
    report(unchanged % PROGRESS_EVERY);
    // Positions: a new person's first position from their start date, as a hire; a change from
    // today, unless the history already has a later entry.
    let newest: HashMap<i64, String> = if plan
        .rows
        .iter()
        .any(|r| r.existing.is_some() && r.position.is_some())
    {
        let mut m = HashMap::new();
        for row in sqlx::query(
            "SELECT user_id, MAX(effective_on) AS newest FROM positions GROUP BY user_id",
        )
        .fetch_all(&mut **tx)
        .await?
        {
            let newest: Option<String> = row.try_get("newest")?;
            if let Some(n) = newest {
                m.insert(row.try_get::<i64, _>("user_id")?, n);
            }
        }
        m
    } else {
        HashMap::new()
    };
    let today = Day::today();
    let mut positions = Vec::new();
    for r in &plan.rows {
        let Some((track, level)) = r.position else {
            continue;
        };
        let ex = r.existing.map(|i| &dir.people[i]);
        let Some(&person) = ids.get(r.fields.email.as_str()) else {
            return Err(AppError::internal("a person of the file has no id"));
        };
        let before = (
            ex.and_then(|e| e.track.as_deref()),
            ex.and_then(|e| e.level.as_deref()),
        );
        let kind = directory::position_kind(before.0, before.1, track, level);
        let effective_on = if kind == PositionKind::Hire {
            r.fields.start_date.unwrap_or(today)
        } else {
            today
        };
        let set_current = ex.is_some()
            && newest
                .get(&person)
                .is_none_or(|n| n.as_str() <= effective_on.to_string().as_str());
        positions.push(NewPosition {
            person,
            track,
            level,
            effective_on,
            kind,
            before,
            set_current,
        });
    }
    directory::insert_positions(tx, actor, &positions).await?;
    for &i in &plan.deactivate {
        let p = &dir.people[i];
        let fields = PersonFields {
            email: crate::domain::Email::parse(&p.email).map_err(|_| {
                AppError::internal(format!("a stored email is invalid: {}", p.email))
            })?,
            name: p.name.clone(),
            employee_id: p.employee_id.clone(),
            team: p.team.clone(),
            manager: dir
                .email_of(p.manager_id)
                .and_then(|m| crate::domain::Email::parse(m).ok()),
            start_date: p.start_date.as_deref().and_then(|d| Day::parse(d).ok()),
            status: Status::Left,
            left_on: Some(today),
        };
        let team_id = match &fields.team {
            Some(t) => teams.get(&t.trim().to_lowercase()).copied(),
            None => None,
        };
        directory::update_person(tx, actor, p.id, true, &fields, team_id, p.manager_id).await?;
        left.push(p.id);
    }
    Ok(left)
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
    let dir = Directory {
        people: Vec::new(),
        by_email: HashMap::new(),
        by_id: HashMap::new(),
    };
    let options = ImportOptions {
        dry_run: true,
        deactivate_missing: false,
    };
    plan(text, &dir, fw, options, &Actor::command_line(), &|_, _| {}).map(|p| p.summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_whatever_their_case_spaces_and_underscores() {
        assert_eq!(
            Column::from_header("Manager Email"),
            Some(Column::ManagerEmail)
        );
        assert_eq!(Column::from_header("\u{feff}EMAIL"), Some(Column::Email));
        assert_eq!(Column::from_header("start_date"), Some(Column::StartDate));
        assert_eq!(Column::from_header("Employee email"), Some(Column::Email));
        assert_eq!(Column::from_header("Level name"), Some(Column::Level));
        assert_eq!(Column::from_header("favourite colour"), None);
    }

    fn row(email: &str, manager: Option<&str>) -> Identity {
        Identity {
            email: Some(email.into()),
            manager: manager.map(str::to_owned),
            ..Identity::default()
        }
    }

    #[test]
    fn a_loop_of_managers_is_found_and_named() {
        let rows = vec![
            row("a@x.test", Some("b@x.test")),
            row("b@x.test", Some("c@x.test")),
            row("c@x.test", Some("a@x.test")),
            row("d@x.test", Some("a@x.test")),
        ];
        let row_of = rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.email.as_deref().map(|e| (e, i)))
            .collect();
        let dir = Directory {
            people: Vec::new(),
            by_email: HashMap::new(),
            by_id: HashMap::new(),
        };
        let loops = manager_loops(&rows, &row_of, &dir);
        assert_eq!(loops, vec![vec!["a@x.test", "b@x.test", "c@x.test"]]);
    }
}
