//! The audit log: one row per change, written in the same transaction as the change itself.

use serde::Serialize;
use sqlx::Row;

use crate::auth::{Actor, policy};
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult, FieldError};

/// Records that `actor` did `action` to `object`. `summary` is the sentence shown in the log;
/// `detail` keeps what is needed to see exactly what changed.
pub async fn record(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    object: &str,
    summary: &str,
    detail: Option<serde_json::Value>,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (at, actor_id, actor, action, object, summary, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now())
    .bind(actor.user_id)
    .bind(&actor.label)
    .bind(action)
    .bind(object)
    .bind(summary)
    .bind(detail.map(|d| d.to_string()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An event for [`record_many`]: what [`record`] takes after the actor.
pub struct NewEvent {
    pub action: &'static str,
    pub object: String,
    pub summary: String,
    pub detail: Option<serde_json::Value>,
}

/// Records many events of one actor with a few multi-row inserts, for imports that change
/// thousands of things in one transaction. The rows are those [`record`] writes.
pub async fn record_many(tx: &mut Tx, actor: &Actor, events: &[NewEvent]) -> AppResult<()> {
    // A hundred or two bind parameters per statement: binding slows down beyond that on SQLite.
    const ROWS: usize = 24;
    let at = now();
    for chunk in events.chunks(ROWS) {
        let mut sql = String::from(
            "INSERT INTO audit_events (at, actor_id, actor, action, object, summary, detail) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 7;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            ));
        }
        let mut query = sqlx::query(&sql);
        for e in chunk {
            query = query
                .bind(at)
                .bind(actor.user_id)
                .bind(&actor.label)
                .bind(e.action)
                .bind(&e.object)
                .bind(&e.summary)
                .bind(e.detail.as_ref().map(|d| d.to_string()));
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    /// Seconds since the Unix epoch.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub summary: String,
    /// What exactly changed, often as `before` and `after`; absent when the summary says it all.
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
}

const COLUMNS: &str = "id, at, actor, action, object, summary, detail";

fn event_from_row(r: &sqlx::any::AnyRow) -> Result<AuditEvent, sqlx::Error> {
    let detail: Option<String> = r.try_get("detail")?;
    Ok(AuditEvent {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        object: r.try_get("object")?,
        summary: r.try_get("summary")?,
        // Written by `record` as JSON; anything else is kept as the text it is.
        detail: detail.map(|d| serde_json::from_str(&d).unwrap_or(serde_json::Value::String(d))),
    })
}

/// The newest events first.
pub async fn recent(db: &Db, actor: &Actor, limit: i64) -> AppResult<Vec<AuditEvent>> {
    policy::read_audit_log(actor)?;
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM audit_events ORDER BY id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(event_from_row)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Events per page when the request does not say, and the most a request may ask for.
pub const DEFAULT_PER_PAGE: i64 = 50;
pub const MAX_PER_PAGE: i64 = 500;

/// The most events one CSV export holds; a filter that matches more is refused, so that an export
/// is never silently cut short.
pub const CSV_MAX_ROWS: i64 = 100_000;

/// Which events to show. Text filters ignore case; `actor` and `object` match anywhere in the value,
/// `action` matches its start (`framework.` for every framework change, or a whole action such as
/// `token.revoke`). Dates are days in UTC and include both ends.
///
/// Pages are cut by event id (keyset pagination), which stays fast however long the log grows:
/// `before` asks for the events older than that id, `after` for the ones newer than it.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object: Option<String>,
    /// The first day, as `YYYY-MM-DD`.
    pub from: Option<String>,
    /// The last day, as `YYYY-MM-DD`.
    pub to: Option<String>,
    pub before: Option<i64>,
    pub after: Option<i64>,
    pub per_page: Option<i64>,
}

impl AuditFilter {
    /// Reads a date filter written as `YYYY-MM-DD`; empty means no limit.
    fn parse_date(field: &str, raw: Option<&str>) -> Result<Option<time::Date>, FieldError> {
        let raw = raw.map(str::trim).unwrap_or_default();
        if raw.is_empty() {
            return Ok(None);
        }
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(raw, &format)
            .map(Some)
            .map_err(|_| FieldError {
                field: field.to_owned(),
                message: format!("`{raw}` is not a date; write it as 2025-01-31"),
            })
    }

    /// The date range as days, or a message for each date that is not one.
    fn dates(&self) -> AppResult<(Option<time::Date>, Option<time::Date>)> {
        let from = Self::parse_date("from", self.from.as_deref());
        let to = Self::parse_date("to", self.to.as_deref());
        match (from, to) {
            (Ok(from), Ok(to)) => {
                if let (Some(f), Some(t)) = (from, to)
                    && t < f
                {
                    return Err(AppError::invalid_field(
                        "to",
                        "the end date is before the start date",
                    ));
                }
                Ok((from, to))
            }
            (from, to) => {
                let errors: Vec<FieldError> =
                    [from.err(), to.err()].into_iter().flatten().collect();
                Err(AppError::Invalid {
                    title: errors
                        .first()
                        .map(|e| e.message.clone())
                        .unwrap_or_default(),
                    errors,
                })
            }
        }
    }

    /// Empty text filters count as absent.
    fn text(value: &Option<String>) -> Option<&str> {
        value.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
}

/// One page of results, newest first, with the cursors of the pages on either side.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `after` to read the newer events; absent on the newest page.
    pub newer: Option<i64>,
    /// Pass as `before` to read the older events; absent on the oldest page.
    pub older: Option<i64>,
}

/// A value bound to a placeholder of a query built from a filter.
enum Bind {
    Int(i64),
    Text(String),
}

/// The `WHERE` conditions of a filter, with their values. Both engines read the same SQL.
struct Conditions {
    sql: Vec<String>,
    binds: Vec<Bind>,
}

impl Conditions {
    fn push(&mut self, sql: impl FnOnce(usize) -> String, bind: Bind) {
        self.binds.push(bind);
        self.sql.push(sql(self.binds.len()));
    }

    fn clause(&self) -> String {
        if self.sql.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.sql.join(" AND "))
        }
    }

    fn bind<'q>(
        &'q self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for b in &self.binds {
            query = match b {
                Bind::Int(v) => query.bind(*v),
                Bind::Text(v) => query.bind(v.as_str()),
            };
        }
        query
    }
}

/// A `LIKE` pattern that matches `text` literally, with `!` as the escape character.
fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.to_lowercase().chars() {
        if matches!(c, '!' | '%' | '_') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

fn midnight(date: time::Date) -> i64 {
    date.midnight().assume_utc().unix_timestamp()
}

/// The conditions every event of the filter meets, cursors aside.
fn conditions(filter: &AuditFilter) -> AppResult<Conditions> {
    let (from, to) = filter.dates()?;
    let mut c = Conditions {
        sql: Vec::new(),
        binds: Vec::new(),
    };
    if let Some(actor) = AuditFilter::text(&filter.actor) {
        c.push(
            |n| format!("LOWER(actor) LIKE ${n} ESCAPE '!'"),
            Bind::Text(format!("%{}%", like_literal(actor))),
        );
    }
    if let Some(action) = AuditFilter::text(&filter.action) {
        c.push(
            |n| format!("LOWER(action) LIKE ${n} ESCAPE '!'"),
            Bind::Text(format!("{}%", like_literal(action))),
        );
    }
    if let Some(object) = AuditFilter::text(&filter.object) {
        c.push(
            |n| format!("LOWER(object) LIKE ${n} ESCAPE '!'"),
            Bind::Text(format!("%{}%", like_literal(object))),
        );
    }
    if let Some(from) = from {
        c.push(|n| format!("at >= ${n}"), Bind::Int(midnight(from)));
    }
    if let Some(to) = to {
        let end = to.next_day().map_or(i64::MAX, midnight);
        c.push(|n| format!("at < ${n}"), Bind::Int(end));
    }
    Ok(c)
}

/// Whether any event of the filter has an id on the given side of `id`.
async fn any_beyond(db: &Db, filter: &AuditFilter, op: &str, id: i64) -> AppResult<bool> {
    let mut c = conditions(filter)?;
    c.push(|n| format!("id {op} ${n}"), Bind::Int(id));
    let sql = format!("SELECT id FROM audit_events{} LIMIT 1", c.clause());
    let found: Option<i64> = c
        .bind(sqlx::query(&sql))
        .fetch_optional(db.pool())
        .await?
        .map(|r| r.try_get("id"))
        .transpose()?;
    Ok(found.is_some())
}

/// The events the filter matches, one page at a time, newest first.
pub async fn search(db: &Db, actor: &Actor, filter: &AuditFilter) -> AppResult<Page<AuditEvent>> {
    policy::read_audit_log(actor)?;
    let per_page = filter
        .per_page
        .unwrap_or(DEFAULT_PER_PAGE)
        .clamp(1, MAX_PER_PAGE);
    let mut c = conditions(filter)?;
    // Reading newer events walks up from the cursor; everything else walks down.
    let upward = filter.before.is_none() && filter.after.is_some();
    if let Some(before) = filter.before {
        c.push(|n| format!("id < ${n}"), Bind::Int(before));
    } else if let Some(after) = filter.after {
        c.push(|n| format!("id > ${n}"), Bind::Int(after));
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_events{} ORDER BY id {} LIMIT {}",
        c.clause(),
        if upward { "ASC" } else { "DESC" },
        per_page + 1
    );
    let rows = c.bind(sqlx::query(&sql)).fetch_all(db.pool()).await?;
    let mut items = rows
        .iter()
        .map(event_from_row)
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let more = items.len() as i64 > per_page;
    items.truncate(per_page as usize);
    if upward {
        items.reverse();
    }
    let (newest, oldest) = (items.first().map(|e| e.id), items.last().map(|e| e.id));
    let (newer, older) = if upward {
        // An empty page past the newest event still links back to the older ones.
        let bound = oldest.unwrap_or_else(|| filter.after.unwrap_or(0).saturating_add(1));
        let older = any_beyond(db, filter, "<", bound).await?.then_some(bound);
        (if more { newest } else { None }, older)
    } else {
        let newer = match filter.before {
            Some(before) => {
                let bound = newest.unwrap_or(before.saturating_sub(1));
                any_beyond(db, filter, ">", bound).await?.then_some(bound)
            }
            None => None,
        };
        (newer, if more { oldest } else { None })
    };
    Ok(Page {
        items,
        newer,
        older,
    })
}

/// Starts a cell with an apostrophe when a spreadsheet would otherwise read it as a formula.
pub(crate) fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// Formats seconds since the epoch as an RFC 3339 time in UTC.
pub fn rfc3339(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Every event the filter matches (cursors and page size aside) as CSV, newest first, with a header
/// row. Text cells that a spreadsheet would run as a formula start with an apostrophe.
pub async fn export_csv(db: &Db, actor: &Actor, filter: &AuditFilter) -> AppResult<String> {
    policy::read_audit_log(actor)?;
    let c = conditions(filter)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_events{} ORDER BY id DESC LIMIT {}",
        c.clause(),
        CSV_MAX_ROWS + 1
    );
    let rows = c.bind(sqlx::query(&sql)).fetch_all(db.pool()).await?;
    if rows.len() as i64 > CSV_MAX_ROWS {
        return Err(AppError::bad_request(format!(
            "more than {CSV_MAX_ROWS} events match; choose a shorter date range"
        )));
    }
    let failed = |e: csv::Error| AppError::internal(format!("cannot write the CSV: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "id", "time", "actor", "action", "object", "summary", "detail",
    ])
    .map_err(failed)?;
    for row in &rows {
        let e = event_from_row(row)?;
        let detail = e.detail.map(|d| d.to_string()).unwrap_or_default();
        out.write_record([
            e.id.to_string().as_str(),
            &rfc3339(e.at),
            &spreadsheet_safe(&e.actor),
            &spreadsheet_safe(&e.action),
            &spreadsheet_safe(&e.object),
            &spreadsheet_safe(&e.summary),
            &spreadsheet_safe(&detail),
        ])
        .map_err(failed)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::internal(format!("cannot write the CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::internal(format!("the CSV is not UTF-8: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(like_literal("50%_a!B"), "50!%!_a!!b");
    }

    #[test]
    fn formulas_are_defused_and_other_text_is_kept() {
        assert_eq!(spreadsheet_safe("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(spreadsheet_safe("-1"), "'-1");
        assert_eq!(spreadsheet_safe("Created a, \"b\""), "Created a, \"b\"");
    }

    #[test]
    fn dates_are_read_as_days_and_mistakes_name_the_field() {
        let d = AuditFilter::parse_date("from", Some("2025-02-03"))
            .ok()
            .flatten();
        assert_eq!(d.map(|d| d.to_string()), Some("2025-02-03".into()));
        assert!(matches!(
            AuditFilter::parse_date("from", Some("")),
            Ok(None)
        ));
        let filter = AuditFilter {
            from: Some("3 Feb".into()),
            to: Some("tomorrow".into()),
            ..AuditFilter::default()
        };
        let fields: Vec<String> = match filter.dates() {
            Err(AppError::Invalid { errors, .. }) => errors.into_iter().map(|e| e.field).collect(),
            _ => Vec::new(),
        };
        assert_eq!(fields, ["from", "to"]);
    }
}
