//! Reading a CSV file for the two CSV importers: a header row matched case-insensitively to the
//! columns a format knows, and records whose every field knows its line and column.

use super::FileDiagnostic;

/// A CSV file read whole: its header names and its records.
pub(crate) struct Table<'t> {
    file: &'t str,
    text: &'t str,
    pub header: Vec<String>,
    pub records: Vec<Record>,
    /// Rows that could not be read; the importer adds its own mistakes to these.
    pub errors: Vec<FileDiagnostic>,
}

pub(crate) struct Record {
    pub fields: Vec<String>,
    /// Byte offset of the record in the text, and its line.
    byte: usize,
    pub line: usize,
}

/// The columns a format reads: where each one is in the header.
pub(crate) struct Columns {
    found: Vec<Option<usize>>,
}

impl<'t> Table<'t> {
    pub fn read(file: &'t str, text: &'t str) -> Result<Table<'t>, Vec<FileDiagnostic>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(text.as_bytes());
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|h| h.trim().to_owned()).collect(),
            Err(e) => return Err(vec![error(file, &e)]),
        };
        let mut records = Vec::new();
        let mut errors = Vec::new();
        for result in reader.records() {
            match result {
                Ok(r) => {
                    let (byte, line) = r
                        .position()
                        .map_or((0, 0), |p| (p.byte() as usize, p.line() as usize));
                    if r.len() != header.len() && !(r.len() == 1 && r[0].trim().is_empty()) {
                        errors.push(FileDiagnostic::new(
                            file,
                            line,
                            1,
                            format!(
                                "this row has {} field(s), but the header has {}",
                                r.len(),
                                header.len()
                            ),
                        ));
                        continue;
                    }
                    records.push(Record {
                        fields: r
                            .iter()
                            .map(|f| crate::export::csv::spreadsheet_text(f.trim()).to_owned())
                            .collect(),
                        byte,
                        line,
                    });
                }
                Err(e) => errors.push(error(file, &e)),
            }
        }
        Ok(Table {
            file,
            text,
            header,
            records,
            errors,
        })
    }

    /// Finds each of `wanted` (lowercase names, each with its accepted spellings) in the header.
    pub fn columns(&self, wanted: &[&[&str]]) -> Columns {
        let normal: Vec<String> = self.header.iter().map(|h| normalise(h)).collect();
        Columns {
            found: wanted
                .iter()
                .map(|names| normal.iter().position(|h| names.contains(&h.as_str())))
                .collect(),
        }
    }

    /// The header names not among `known` (lowercase, normalised).
    pub fn unknown_columns(&self, known: &[&[&str]]) -> Vec<String> {
        self.header
            .iter()
            .filter(|h| {
                !known
                    .iter()
                    .any(|names| names.contains(&normalise(h).as_str()))
            })
            .cloned()
            .collect()
    }

    /// A diagnostic at field `index` of `record`.
    pub fn error_at(
        &self,
        record: &Record,
        index: usize,
        message: impl Into<String>,
    ) -> FileDiagnostic {
        FileDiagnostic::new(self.file, record.line, self.column(record, index), message)
    }

    /// A diagnostic on the header row.
    pub fn header_error(&self, message: impl Into<String>) -> FileDiagnostic {
        FileDiagnostic::new(self.file, 1, 1, message)
    }

    /// The 1-based column of a field: separators outside quotes are counted from the start of the
    /// record, so quoted fields with commas are placed correctly.
    fn column(&self, record: &Record, index: usize) -> usize {
        let rest = self.text.get(record.byte..).unwrap_or("");
        let mut field = 0;
        let mut quoted = false;
        let mut column = 1;
        for c in rest.chars() {
            if field == index {
                return column;
            }
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => field += 1,
                '\n' if !quoted => break,
                _ => {}
            }
            column += 1;
        }
        column
    }
}

impl Columns {
    pub fn get(&self, i: usize) -> Option<usize> {
        self.found.get(i).copied().flatten()
    }
}

impl Record {
    /// The trimmed text of a column, empty when the column is absent.
    pub fn field(&self, column: Option<usize>) -> &str {
        column
            .and_then(|c| self.fields.get(c))
            .map_or("", String::as_str)
    }

    pub fn is_blank(&self) -> bool {
        self.fields.iter().all(String::is_empty)
    }
}

/// `Job Title` → `job title`, `job_title` → `job title`.
pub(crate) fn normalise(header: &str) -> String {
    header
        .trim()
        .to_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn error(file: &str, e: &csv::Error) -> FileDiagnostic {
    let line = e.position().map_or(0, |p| p.line() as usize);
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "this row is not UTF-8 text".to_owned(),
        _ => format!("the CSV is unreadable: {e}"),
    };
    FileDiagnostic::new(file, line, 1, message)
}
