//! Reading a people file: its header (which columns it has, however it spells them) and its rows,
//! each with the line of the file it starts on.

use std::collections::HashMap;

use trellis_framework::export::csv::spreadsheet_text;

use super::RowError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Column {
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
    pub(super) fn from_header(header: &str) -> Option<Column> {
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
pub(super) struct Header {
    columns: HashMap<Column, (usize, String)>,
    /// Columns the import does not know, which it ignores.
    pub(super) ignored: Vec<String>,
    /// A Lattice bulk-assignment file: emails with tracks and levels, nothing more.
    pub(super) lattice: bool,
}

impl Header {
    /// The column as the file names it, for messages.
    pub(super) fn label(&self, c: Column) -> String {
        self.columns
            .get(&c)
            .map_or_else(|| c.name().to_owned(), |(_, h)| h.trim().to_owned())
    }

    /// The label of a field of `PersonInput::check` or `resolve_position`.
    pub(super) fn label_of_field(&self, field: &str) -> String {
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

    pub(super) fn cell<'r>(&self, record: &'r csv::StringRecord, c: Column) -> Option<&'r str> {
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
        let mut header = Header {
            columns,
            ignored,
            lattice: false,
        };
        header.read_as_lattice();
        Ok(header)
    }

    /// Lattice's bulk-assignment file names people by "Employee email" and assigns a track and
    /// level to each; it is read as that and nothing more.
    fn read_as_lattice(&mut self) {
        let columns = &mut self.columns;
        self.lattice = columns.get(&Column::Email).is_some_and(|(_, h)| {
            let h = h.to_lowercase();
            h.contains("employee") && h.contains("email")
        }) && (columns.contains_key(&Column::Track)
            || columns.contains_key(&Column::Level));
        if !self.lattice {
            return;
        }
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
                self.ignored.push(h.trim().to_owned());
            }
        }
    }
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

    /// The line a record of `text` starts on. The reader places a record after a CRLF line end at
    /// its line feed: the record itself starts after any line end characters.
    fn line_of_record(&self, text: &str, position: Option<&csv::Position>) -> usize {
        position.map_or(0, |p| {
            let at = usize::try_from(p.byte()).unwrap_or(usize::MAX);
            let skipped = text.as_bytes().get(at..).map_or(0, |rest| {
                rest.iter()
                    .take_while(|b| matches!(b, b'\r' | b'\n'))
                    .count()
            });
            self.line_of(at.saturating_add(skipped))
        })
    }
}

/// A file's rows as read: the header, and each row that holds something with the line it starts
/// on.
pub(super) struct File {
    pub(super) header: Header,
    pub(super) rows: Vec<(usize, csv::StringRecord)>,
}

/// Reads a file's header and rows. A header that cannot be read, or lacks the email column, is the
/// only mistake reported; otherwise every row that cannot be read is a mistake on its line, beside
/// the rows that can.
pub(super) fn read(text: &str) -> Result<(File, Vec<RowError>), Vec<RowError>> {
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
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for result in reader.records() {
        match result {
            Ok(record) => {
                let line = lines.line_of_record(text, record.position());
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
                rows.push((line, record));
            }
            Err(e) => errors.push(RowError {
                line: lines.line_of_record(text, e.position()),
                column: "row".into(),
                message: format!("the row cannot be read: {e}"),
            }),
        }
    }
    Ok((File { header, rows }, errors))
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
}
