//! `trellis backup` and `trellis restore`: every table of the database in one portable file, taken
//! while the server runs.
//!
//! The file is JSON lines: a header (format, schema version, time, source engine), then for each
//! table a line naming it and its columns followed by one line per row (an array of integers,
//! strings and nulls, the only types the schema uses), then a closing line with the counts, so that
//! a cut-off file is refused rather than half restored. The same file restores into SQLite or
//! PostgreSQL, whichever it came from.
//!
//! **Consistency.** All tables are read in one transaction: on SQLite a read transaction in WAL mode
//! sees one snapshot of the database while writers go on; on PostgreSQL the transaction is
//! `REPEATABLE READ, READ ONLY`, which also reads one snapshot. Writers are never blocked.
//!
//! **Restore** goes into an empty database only: it brings the schema to the backup's version,
//! writes every row in one transaction (parents before children; a table's references to itself
//! filled in after its rows), moves PostgreSQL's id sequences past the restored ids, and then
//! migrates to this build's schema.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use sqlx::{Column, Row};

use super::{Backend, Db, Tx, dialect, migrations};

/// The format of the file, written in its header.
const FORMAT: i64 = 1;

/// Rows per INSERT statement on restore.
const BATCH: usize = 200;

/// What a backup or restore did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub tables: usize,
    pub rows: usize,
}

/// Writes a consistent copy of every table to `file` (first to `FILE.partial` beside it, renamed
/// into place once complete and on disk).
pub async fn backup(db: &Db, file: &Path) -> anyhow::Result<Counts> {
    let mut partial = file.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let result = async {
        let handle = std::fs::File::create(&partial)
            .with_context(|| format!("cannot write {}", partial.display()))?;
        let mut out = std::io::BufWriter::new(handle);
        let counts = write_all(db, &mut out).await?;
        let handle = out.into_inner().map_err(|e| e.into_error())?;
        handle.sync_all()?;
        std::fs::rename(&partial, file)
            .with_context(|| format!("cannot write {}", file.display()))?;
        anyhow::Ok(counts)
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

async fn write_all(db: &Db, out: &mut impl Write) -> anyhow::Result<Counts> {
    use futures_util::TryStreamExt;
    let backend = db.backend();
    let mut tx = db.begin_read().await?;
    // The first read fixes the snapshot every later read of this transaction sees.
    let version: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            .fetch_one(&mut *tx)
            .await?;
    let tables = dialect::tables(&mut tx, backend).await?;
    let keys = dialect::foreign_keys(&mut tx, backend).await?;
    let order = parents_first(&tables, &keys)?;
    writeln!(
        out,
        "{}",
        json!({
            "trellis_backup": FORMAT,
            "schema_version": version,
            "made_at": super::now(),
            "source": backend.name(),
        })
    )?;
    let mut rows_total = 0;
    for table in &order {
        let self_refs: Vec<&str> = keys
            .iter()
            .filter(|(t, _, to)| t == table && to == table)
            .map(|(_, col, _)| col.as_str())
            .collect();
        let sql = format!("SELECT * FROM \"{table}\" ORDER BY 1");
        let mut rows = sqlx::query(&sql).fetch(&mut *tx);
        let mut n = 0;
        while let Some(row) = rows.try_next().await? {
            if n == 0 {
                let columns: Vec<&str> = row.columns().iter().map(Column::name).collect();
                writeln!(
                    out,
                    "{}",
                    json!({ "table": table, "columns": columns, "self_references": self_refs })
                )?;
            }
            let mut values = Vec::with_capacity(row.len());
            for i in 0..row.len() {
                values.push(value_of(&row, i).with_context(|| {
                    format!("reading the column {} of {table}", row.column(i).name())
                })?);
            }
            writeln!(out, "{}", Value::Array(values))?;
            n += 1;
        }
        rows_total += n;
    }
    writeln!(
        out,
        "{}",
        json!({ "end": true, "tables": order.len(), "rows": rows_total })
    )?;
    tx.commit().await?;
    Ok(Counts {
        tables: order.len(),
        rows: rows_total,
    })
}

/// A value of the schema's types (BIGINT, TEXT, or NULL) as JSON.
fn value_of(row: &sqlx::any::AnyRow, i: usize) -> anyhow::Result<Value> {
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return Ok(v.map_or(Value::Null, Value::from));
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return Ok(v.map_or(Value::Null, Value::from));
    }
    bail!("the value is neither a whole number nor text")
}

/// The tables in an order where every table comes after those it refers to (references of a table
/// to itself aside); alphabetical where the order is free.
fn parents_first(
    tables: &[String],
    keys: &[(String, String, String)],
) -> anyhow::Result<Vec<String>> {
    let mut waiting: BTreeMap<&str, BTreeSet<&str>> = tables
        .iter()
        .map(|t| (t.as_str(), BTreeSet::new()))
        .collect();
    for (table, _, to) in keys {
        if table != to
            && let Some(parents) = waiting.get_mut(table.as_str())
        {
            parents.insert(to.as_str());
        }
    }
    let mut order = Vec::new();
    while !waiting.is_empty() {
        let ready: Vec<&str> = waiting
            .iter()
            .filter(|(_, parents)| parents.iter().all(|p| !waiting.contains_key(p)))
            .map(|(t, _)| *t)
            .collect();
        if ready.is_empty() {
            bail!(
                "the tables {} refer to each other in a circle",
                waiting.keys().copied().collect::<Vec<_>>().join(", ")
            );
        }
        for t in ready {
            waiting.remove(t);
            order.push(t.to_owned());
        }
    }
    Ok(order)
}

/// Brings a backup back into an empty database. Refuses a database that has any rows, a file that
/// is not a Trellis backup or is cut off, and a backup of a newer schema than this build's.
pub async fn restore(db: &Db, file: &Path) -> anyhow::Result<Counts> {
    let reader = std::io::BufReader::new(
        std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?,
    );
    let mut lines = reader.lines();
    let not_a_backup = || {
        anyhow::anyhow!(
            "{} is not a Trellis backup (make one with trellis backup FILE)",
            file.display()
        )
    };
    let version = backup_version(lines.next().transpose()?, &not_a_backup)?;
    let current = migrations::current_version(db).await?;
    if current > version {
        bail!(
            "the database already has a newer schema (version {current}) than the backup (version {version}): restore into a new, empty database"
        );
    }
    migrations::migrate_to(db, version).await?;

    let backend = db.backend();
    let mut tx = db.begin().await?;
    refuse_rows(&mut tx, backend).await?;
    let counts = load_rows(&mut tx, backend, lines, file, &not_a_backup).await?;
    tx.commit().await?;
    migrations::migrate(db).await?;
    Ok(counts)
}

/// The schema version of a backup's first line, refused when newer than this build knows.
fn backup_version(
    first: Option<String>,
    not_a_backup: &impl Fn() -> anyhow::Error,
) -> anyhow::Result<i64> {
    let header: Value = first
        .and_then(|l| serde_json::from_str(&l).ok())
        .ok_or_else(not_a_backup)?;
    if header["trellis_backup"].as_i64() != Some(FORMAT) {
        return Err(not_a_backup());
    }
    let version = header["schema_version"].as_i64().ok_or_else(not_a_backup)?;
    if version > migrations::latest_version() {
        bail!(
            "this backup was made by a newer Trellis (schema version {version}; this one knows up to {}): restore it with that version or a later one",
            migrations::latest_version()
        );
    }
    Ok(version)
}

/// Inserts the rows that follow the header, table by table, and checks the count at the end.
async fn load_rows(
    tx: &mut Tx,
    backend: Backend,
    lines: std::io::Lines<std::io::BufReader<std::fs::File>>,
    file: &Path,
    not_a_backup: &impl Fn() -> anyhow::Error,
) -> anyhow::Result<Counts> {
    let mut table: Option<Table> = None;
    let mut counts = Counts { tables: 0, rows: 0 };
    let mut ended = false;
    for (n, line) in lines.enumerate() {
        let line = line?;
        let at = n + 2;
        let value: Value = serde_json::from_str(&line)
            .with_context(|| format!("{}:{at}: not a line of a backup", file.display()))?;
        match value {
            Value::Array(row) => {
                let t = table.as_mut().ok_or_else(not_a_backup)?;
                if row.len() != t.columns.len() {
                    bail!(
                        "{}:{at}: the row has {} values for {} columns",
                        file.display(),
                        row.len(),
                        t.columns.len()
                    );
                }
                t.rows.push(row);
                counts.rows += 1;
                if t.rows.len() >= BATCH {
                    t.flush(tx).await?;
                }
            }
            Value::Object(o) if o.get("end") == Some(&Value::Bool(true)) => {
                if let Some(mut t) = table.take() {
                    t.finish(tx, backend).await?;
                }
                if o.get("rows").and_then(Value::as_u64) != Some(counts.rows as u64) {
                    bail!(
                        "{}: the row count at its end does not match its rows",
                        file.display()
                    );
                }
                ended = true;
                break;
            }
            Value::Object(o) => {
                if let Some(mut t) = table.take() {
                    t.finish(tx, backend).await?;
                }
                counts.tables += 1;
                table = Some(Table::starting(&o).ok_or_else(not_a_backup)?);
            }
            _ => return Err(not_a_backup()),
        }
    }
    if !ended {
        bail!(
            "{} is cut off before its end: nothing was restored",
            file.display()
        );
    }
    Ok(counts)
}

/// Refuses a database with rows in any table: a restore only fills an empty one.
async fn refuse_rows(tx: &mut Tx, backend: Backend) -> anyhow::Result<()> {
    for table in dialect::tables(tx, backend).await? {
        let any: Option<i64> = sqlx::query_scalar(&format!("SELECT 1 FROM \"{table}\" LIMIT 1"))
            .fetch_optional(&mut **tx)
            .await?;
        if any.is_some() {
            bail!(
                "the database is not empty (the table {table} has rows): restore into a new, empty database"
            );
        }
    }

    Ok(())
}

impl Table {
    /// The table a backup's table line starts, or `None` when the line is not one.
    fn starting(o: &serde_json::Map<String, Value>) -> Option<Table> {
        let strings = |key: &str| -> Vec<String> {
            o.get(key)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let name = o.get("table").and_then(Value::as_str)?.to_owned();
        let columns = strings("columns");
        if !is_identifier(&name) || columns.is_empty() || !columns.iter().all(|c| is_identifier(c))
        {
            return None;
        }
        Some(Table {
            name,
            self_references: strings("self_references"),
            columns,
            rows: Vec::new(),
            later: Vec::new(),
        })
    }
}

/// Table and column names come from the file; only plain names are put in SQL.
fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A table being restored: rows waiting to be written, and references to its own rows to fill in
/// once all of them are there.
struct Table {
    name: String,
    columns: Vec<String>,
    self_references: Vec<String>,
    rows: Vec<Vec<Value>>,
    /// (column, id of the row, value) for references of the table to itself.
    later: Vec<(String, Value, Value)>,
}

impl Table {
    async fn flush(&mut self, tx: &mut super::Tx) -> anyhow::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let id_at = self.columns.iter().position(|c| c == "id");
        let columns = self
            .columns
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let mut sql = format!("INSERT INTO \"{}\" ({columns}) VALUES ", self.name);
        let mut binds: Vec<&Value> = Vec::new();
        for (r, row) in self.rows.iter().enumerate() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                let deferred = self.self_references.contains(&self.columns[i]);
                if deferred && !v.is_null() {
                    let id = id_at.map(|at| row[at].clone()).ok_or_else(|| {
                        anyhow::anyhow!("{} refers to itself without ids", self.name)
                    })?;
                    self.later.push((self.columns[i].clone(), id, v.clone()));
                }
                if v.is_null() || deferred {
                    // An untyped NULL fits a column of any type.
                    sql.push_str("NULL");
                } else {
                    binds.push(v);
                    sql.push_str(&format!("${}", binds.len()));
                }
            }
            sql.push(')');
        }
        let mut query = sqlx::query(&sql);
        for v in binds {
            query =
                match v {
                    Value::Number(n) => query.bind(n.as_i64().ok_or_else(|| {
                        anyhow::anyhow!("{}: {n} is not a whole number", self.name)
                    })?),
                    Value::String(s) => query.bind(s.clone()),
                    other => bail!("{}: unexpected value {other}", self.name),
                };
        }
        query
            .execute(&mut **tx)
            .await
            .with_context(|| format!("restoring the rows of {}", self.name))?;
        self.rows.clear();
        Ok(())
    }

    async fn finish(&mut self, tx: &mut super::Tx, backend: Backend) -> anyhow::Result<()> {
        self.flush(tx).await?;
        for (column, id, value) in std::mem::take(&mut self.later) {
            let sql = format!(
                "UPDATE \"{}\" SET \"{column}\" = $1 WHERE id = $2",
                self.name
            );
            let (Some(value), Some(id)) = (value.as_i64(), id.as_i64()) else {
                bail!("{}: a reference to itself that is not a number", self.name);
            };
            sqlx::query(&sql)
                .bind(value)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        if self.columns.iter().any(|c| c == "id") {
            dialect::follow_ids(tx, backend, &self.name).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_before_their_children() {
        let tables: Vec<String> = ["sessions", "teams", "users"].map(String::from).to_vec();
        let keys = vec![
            ("sessions".into(), "user_id".into(), "users".into()),
            ("users".into(), "team_id".into(), "teams".into()),
            ("users".into(), "manager_id".into(), "users".into()),
        ];
        assert_eq!(
            parents_first(&tables, &keys).expect("an order"),
            ["teams", "users", "sessions"]
        );
        let circle = vec![
            ("teams".into(), "lead".into(), "users".into()),
            ("users".into(), "team_id".into(), "teams".into()),
        ];
        assert!(parents_first(&tables, &circle).is_err());
    }

    #[test]
    fn only_plain_names_reach_sql() {
        assert!(is_identifier("one_on_ones"));
        assert!(!is_identifier("users\"; DROP TABLE users; --"));
        assert!(!is_identifier(""));
    }
}
