//! Planning an import: every row of the file read into a person's details, checked by the
//! directory's own rules (`PersonInput::check` for each row; `directory::rules` for each row against
//! the rest of the file and the directory, answered in memory), and what it changes worked out.
//! Every mistake is reported, with the file's own line, before anything is written.

use std::collections::{HashMap, HashSet};

use trellis_framework::{Framework, Level, Track};

use super::file::{self, Column, Header};
use super::snapshot::{Directory, Existing};
use super::{ImportChange, ImportOptions, ImportSummary, PROGRESS_EVERY, RowError, SAMPLE_SIZE};
use crate::auth::Actor;
use crate::domain::{Email, Status};
use crate::people::directory::rules::{self, Around, Broken, Named, Scope};
use crate::people::directory::{self, PersonFields, PersonInput};

/// A row of the file, checked, and what it changes.
pub(super) struct Planned<'f> {
    pub(super) line: usize,
    pub(super) fields: PersonFields,
    /// The person of the directory the row is about, when they are in it.
    pub(super) existing: Option<usize>,
    /// The position the row asks for, when it differs from the person's current one.
    pub(super) position: Option<(&'f Track, &'f Level)>,
    /// What changes in the person's details, in words; empty when nothing does.
    pub(super) changes: Vec<String>,
}

/// Who a row names and where, for the checks across rows (duplicates, employee ids, managers,
/// loops): read from every row, also one with mistakes of its own, so that one run reports every
/// problem.
#[derive(Debug, Clone, Default)]
struct Identity {
    line: usize,
    named: Named,
    existing: Option<usize>,
}

/// What an import will write.
pub(super) struct Plan<'f> {
    pub(super) rows: Vec<Planned<'f>>,
    /// People of the directory marked as left because the file does not have them.
    pub(super) deactivate: Vec<usize>,
    pub(super) summary: ImportSummary,
}

/// Reads and checks the whole file against the directory and the published framework, and works
/// out what it changes. Every mistake is reported, not only the first.
pub(super) fn plan<'f>(
    text: &str,
    dir: &Directory,
    fw: Option<&'f Framework>,
    options: ImportOptions,
    actor: &Actor,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Result<Plan<'f>, Vec<RowError>> {
    let (file, errors) = file::read(text)?;
    let mut planner = Planner {
        header: &file.header,
        dir,
        fw,
        errors,
        rows: Vec::with_capacity(file.rows.len()),
        identities: Vec::with_capacity(file.rows.len()),
        first_line_of_email: HashMap::new(),
        first_line_of_employee_id: HashMap::new(),
    };
    if options.deactivate_missing && file.rows.is_empty() && planner.errors.is_empty() {
        planner.push(
            1,
            "email".into(),
            "the file has nobody in it: marking everyone missing from it as left would mark everyone"
                .into(),
        );
    }
    let total = file.rows.len();
    for (done, (line, record)) in file.rows.iter().enumerate() {
        if done % PROGRESS_EVERY == 0 && done > 0 {
            progress(done, total);
        }
        planner.row(*line, record);
    }
    planner.check_across_rows();
    let Planner {
        rows,
        identities,
        mut errors,
        ..
    } = planner;
    if !errors.is_empty() {
        // By line, and within a line in the order the checks found them.
        errors.sort_by_key(|e| e.line);
        return Err(errors);
    }
    let deactivate = if options.deactivate_missing {
        missing_from(dir, &identities, actor)
    } else {
        Vec::new()
    };
    let summary = summarise(&file.header, &rows, &deactivate, dir, options);
    Ok(Plan {
        rows,
        deactivate,
        summary,
    })
}

/// Reads the rows of a file one by one, then checks them against each other and the directory.
struct Planner<'h, 'd, 'f> {
    header: &'h Header,
    dir: &'d Directory,
    fw: Option<&'f Framework>,
    errors: Vec<RowError>,
    /// The rows without mistakes of their own, in the order of the file.
    rows: Vec<Planned<'f>>,
    /// Who every row names, but for a second row of the same person.
    identities: Vec<Identity>,
    first_line_of_email: HashMap<String, usize>,
    first_line_of_employee_id: HashMap<String, usize>,
}

impl<'f> Planner<'_, '_, 'f> {
    fn push(&mut self, line: usize, column: String, message: String) {
        self.errors.push(RowError {
            line,
            column,
            message,
        });
    }

    /// Plans one row: its details checked, its position read, once in the file, and what it
    /// changes.
    fn row(&mut self, line: usize, record: &csv::StringRecord) {
        let email = self.header.cell(record, Column::Email).unwrap_or("");
        let existing = Email::parse(email)
            .ok()
            .and_then(|e| self.dir.by_email.get(e.as_str()).copied());
        let ex = existing.map(|i| &self.dir.people[i]);
        let input = self.input(record, ex);
        let identity = Identity {
            line,
            named: input.named(),
            existing,
        };
        let fields = match input.check() {
            Ok(f) => Some(f),
            Err(field_errors) => {
                for e in field_errors {
                    self.push(line, self.header.label_of_field(&e.field), e.message);
                }
                None
            }
        };
        let position = self.position(line, record, ex);
        // Checks across rows, on what the row names even when it has other mistakes.
        let duplicate = !self.once_in_the_file(&identity);
        if duplicate {
            return;
        }
        self.identities.push(identity);
        let Some(fields) = fields else { return };
        let changes = ex.map_or_else(Vec::new, |e| changes(e, &fields, self.dir));
        self.rows.push(Planned {
            line,
            fields,
            existing,
            position,
            changes,
        });
    }

    /// A row's details as the form would have them typed: a column the file does not have keeps
    /// the person's current detail, and so does an empty name.
    fn input(&self, record: &csv::StringRecord, ex: Option<&Existing>) -> PersonInput {
        let cell = |c: Column| self.header.cell(record, c);
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
        PersonInput {
            email: cell(Column::Email).unwrap_or("").to_owned(),
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
                ex.and_then(|e| self.dir.email_of(e.manager_id)),
            ),
            start_date: keep(Column::StartDate, ex.and_then(|e| e.start_date.as_deref())),
            status,
            left_on: match cell(Column::LeftOn) {
                Some(v) if !v.is_empty() => v.to_owned(),
                _ if leaving => ex.and_then(|e| e.left_on.clone()).unwrap_or_default(),
                _ => String::new(),
            },
        }
    }

    /// The position a row asks for: both or neither of track and level, found in the published
    /// framework by key or name; empty keeps the current one. `None` also when it is the person's
    /// current position.
    fn position(
        &mut self,
        line: usize,
        record: &csv::StringRecord,
        ex: Option<&Existing>,
    ) -> Option<(&'f Track, &'f Level)> {
        let track = self.header.cell(record, Column::Track).unwrap_or("");
        let level = self.header.cell(record, Column::Level).unwrap_or("");
        if track.is_empty() && level.is_empty() {
            return None;
        }
        let current = ex.and_then(|e| e.track.as_deref().zip(e.level.as_deref()));
        let (column, message) = if track.is_empty() {
            (Column::Track, "a level needs its track".to_owned())
        } else if level.is_empty() {
            (Column::Level, "a track needs a level".to_owned())
        } else if current == Some((track, level)) {
            // The person's current position by key, as the export writes it: unchanged, even
            // when the framework has changed since.
            return None;
        } else if let Some(fw) = self.fw {
            match directory::resolve_position(fw, track, level) {
                Ok((t, l)) => {
                    return (current != Some((t.key.as_str(), l.key.as_str()))).then_some((t, l));
                }
                Err(e) => {
                    self.push(line, self.header.label_of_field(&e.field), e.message);
                    return None;
                }
            }
        } else {
            (
                Column::Track,
                "nothing is published yet: publish the framework before assigning tracks"
                    .to_owned(),
            )
        };
        self.push(line, self.header.label(column), message);
        None
    }

    /// Whether this is the first row of the person and of their employee id; a second row of
    /// either is a mistake. A bulk assignment file only names people of the directory.
    fn once_in_the_file(&mut self, identity: &Identity) -> bool {
        let line = identity.line;
        if let Some(email) = &identity.named.email {
            if let Some(first) = self.first_line_of_email.get(email) {
                let message = format!("{email} is on line {first} already");
                self.push(line, self.header.label(Column::Email), message);
                return false;
            }
            self.first_line_of_email.insert(email.clone(), line);
            if self.header.lattice && identity.existing.is_none() {
                self.push(
                    line,
                    self.header.label(Column::Email),
                    format!(
                        "there is nobody with the email {email} in the directory: a bulk assignment file only assigns tracks and levels"
                    ),
                );
            }
        }
        if let Some(eid) = &identity.named.employee_id {
            if let Some(first) = self.first_line_of_employee_id.get(eid) {
                let message = format!("the employee id {eid} is on line {first} already");
                self.push(line, self.header.label(Column::EmployeeId), message);
            } else {
                self.first_line_of_employee_id.insert(eid.clone(), line);
            }
        }
        true
    }

    /// The directory's rules across people, for every row against the file and the directory:
    /// employee ids, then managers, then loops of managers.
    fn check_across_rows(&mut self) {
        let applied = Applied::new(&self.identities, self.dir);
        let mut broken: Vec<(usize, Broken)> = Vec::new();
        for r in &self.identities {
            if let Err(b) = rules::employee_id_free(&r.named, &applied) {
                broken.push((r.line, b));
            }
        }
        for r in &self.identities {
            if let Err(b) = rules::manager_exists(&r.named, &applied) {
                broken.push((r.line, b));
            }
        }
        let starts = self
            .identities
            .iter()
            .filter_map(|r| r.named.email.as_deref());
        for b in rules::manager_loops(starts, &applied) {
            // On the line of the first row of the loop.
            let Broken::ManagerLoop(people) = &b else {
                continue;
            };
            let first = people
                .iter()
                .filter_map(|e| applied.row_of.get(e.as_str()))
                .min();
            if let Some(&i) = first {
                broken.push((self.identities[i].line, b));
            }
        }
        for (line, b) in broken {
            let error = b.error(Scope::File);
            self.push(
                line,
                self.header.label_of_field(&error.field),
                error.message,
            );
        }
    }
}

/// The directory once the file is applied, as the rules see it: a row's details replace the
/// directory's.
struct Applied<'a> {
    rows: &'a [Identity],
    /// The row of each email of the file.
    row_of: HashMap<&'a str, usize>,
    dir: &'a Directory,
    /// The employee ids of the people the file does not have; those of the file are its own rows'.
    holders: HashMap<&'a str, &'a Existing>,
}

impl<'a> Applied<'a> {
    fn new(rows: &'a [Identity], dir: &'a Directory) -> Applied<'a> {
        let in_file: HashSet<usize> = rows.iter().filter_map(|r| r.existing).collect();
        let holders = dir
            .people
            .iter()
            .enumerate()
            .filter(|(i, _)| !in_file.contains(i))
            .filter_map(|(_, p)| p.employee_id.as_deref().map(|id| (id, p)))
            .collect();
        let row_of = rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.named.email.as_deref().map(|e| (e, i)))
            .collect();
        Applied {
            rows,
            row_of,
            dir,
            holders,
        }
    }
}

impl Around for Applied<'_> {
    fn has(&self, email: &str) -> bool {
        self.row_of.contains_key(email) || self.dir.by_email.contains_key(email)
    }

    fn holder_of(&self, employee_id: &str) -> Option<String> {
        self.holders.get(employee_id).map(|h| h.email.clone())
    }

    fn manager_of(&self, email: &str) -> Option<String> {
        match self.row_of.get(email) {
            Some(&i) => self.rows[i].named.manager.clone(),
            None => self.dir.manager_email_of(email).map(str::to_owned),
        }
    }
}

fn describe(what: &str, before: Option<&str>, after: Option<&str>) -> String {
    format!(
        "{what}: {} → {}",
        before.unwrap_or("(none)"),
        after.unwrap_or("(none)")
    )
}

/// What a row changes in the details of someone of the directory, in words.
fn changes(e: &Existing, fields: &PersonFields, dir: &Directory) -> Vec<String> {
    let mut changes = Vec::new();
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
    if e.team.as_deref().map(str::to_lowercase) != fields.team.as_deref().map(str::to_lowercase) {
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
    changes
}

/// The active people of the directory the file does not have, but for the one importing.
fn missing_from(dir: &Directory, rows: &[Identity], actor: &Actor) -> Vec<usize> {
    let in_file: HashSet<usize> = rows.iter().filter_map(|r| r.existing).collect();
    dir.people
        .iter()
        .enumerate()
        .filter(|(i, p)| p.active && !in_file.contains(i) && Some(p.id) != actor.user_id)
        .map(|(i, _)| i)
        .collect()
}

/// The counts of a plan and its first changes, in the order of the file.
fn summarise(
    header: &Header,
    rows: &[Planned<'_>],
    deactivate: &[usize],
    dir: &Directory,
    options: ImportOptions,
) -> ImportSummary {
    let mut summary = ImportSummary {
        dry_run: options.dry_run,
        shape: if header.lattice { "lattice" } else { "trellis" }.into(),
        rows: rows.len(),
        deactivated: deactivate.len(),
        ignored_columns: header.ignored.clone(),
        ..ImportSummary::default()
    };
    for r in rows {
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
    for &i in deactivate {
        if summary.changes.len() < SAMPLE_SIZE {
            summary.changes.push(ImportChange {
                line: None,
                email: dir.people[i].email.clone(),
                change: "status: active → left (not in the file)".into(),
            });
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(email: &str, manager: Option<&str>) -> Identity {
        Identity {
            named: Named {
                email: Some(email.into()),
                manager: manager.map(str::to_owned),
                employee_id: None,
            },
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
        let dir = Directory::empty();
        let applied = Applied::new(&rows, &dir);
        let loops = rules::manager_loops(
            rows.iter().filter_map(|r| r.named.email.as_deref()),
            &applied,
        );
        assert_eq!(
            loops,
            vec![Broken::ManagerLoop(vec![
                "a@x.test".into(),
                "b@x.test".into(),
                "c@x.test".into()
            ])]
        );
    }
}
