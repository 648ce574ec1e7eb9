//! The audit log: one row per change, written in the same transaction as the change itself (by
//! `db::Work`), and read back for those who may see what each event is about.

mod action;

pub use action::Action;

use serde::Serialize;

use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult, FieldError};
use crate::growth::nominations::NominationStatus;
use crate::people::directory;

/// Writes one event in `tx`; changes record theirs through `db::Work`, which calls this.
pub(crate) async fn insert(
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

/// An event for `Work::record_many`: what `Work::record` takes.
pub struct NewEvent {
    pub action: Action,
    pub object: String,
    pub summary: String,
    pub detail: Option<serde_json::Value>,
}

/// Writes many events in `tx` with a few multi-row inserts.
pub(crate) async fn insert_many(tx: &mut Tx, actor: &Actor, events: &[NewEvent]) -> AppResult<()> {
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
                .bind(e.action.as_str())
                .bind(&e.object)
                .bind(&e.summary)
                .bind(e.detail.as_ref().map(|d| d.to_string()));
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// One event of the audit log, as the log shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEvent {
    pub id: i64,
    /// Seconds since the Unix epoch.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub summary: String,
    /// What exactly changed, often as `before` and `after`; absent when the summary says it all.
    pub detail: Option<serde_json::Value>,
}

const COLUMNS: &str = "id, at, actor_id, actor, action, object, summary, detail";

/// An event as stored: the event and the account of its actor, if any.
struct Stored {
    event: AuditEvent,
    actor_id: Option<i64>,
}

/// A row of `audit_events`, as [`COLUMNS`] reads it.
#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    at: i64,
    actor_id: Option<i64>,
    actor: String,
    action: String,
    object: String,
    summary: String,
    detail: Option<String>,
}

impl EventRow {
    fn into_stored(self) -> Stored {
        Stored {
            event: AuditEvent {
                id: self.id,
                at: self.at,
                actor: self.actor,
                action: self.action,
                object: self.object,
                summary: self.summary,
                // Written by `record` as JSON; anything else is kept as the text it is.
                detail: self
                    .detail
                    .map(|d| serde_json::from_str(&d).unwrap_or(serde_json::Value::String(d))),
            },
            actor_id: self.actor_id,
        }
    }
}

/// The newest events first, those the actor may see.
pub async fn recent(db: &Db, actor: &Actor, limit: i64) -> AppResult<Vec<AuditEvent>> {
    policy::read_audit_log(actor)?;
    let (items, _) = scan(
        db,
        actor,
        &AuditFilter::default(),
        Walk::Down(None),
        limit.max(0) as usize,
    )
    .await?;
    Ok(items)
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
    /// Leaves out sign-ins ([`SIGN_IN_ACTIONS`]), which otherwise outnumber every change.
    pub hide_sign_ins: bool,
}

/// The actions that record someone signing in or out: routine, and hidden on request.
pub const SIGN_IN_ACTIONS: [&str; 2] = ["session.create", "session.end"];

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
                message: format!("“{raw}” is not a date; write it as 2025-01-31"),
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

    fn bind<'q, O>(
        &'q self,
        mut query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
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
        // Several beginnings, separated by commas, match any of them.
        let prefixes: Vec<&str> = action
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let mut any = Vec::new();
        for prefix in prefixes {
            c.binds
                .push(Bind::Text(format!("{}%", like_literal(prefix))));
            any.push(format!("LOWER(action) LIKE ${} ESCAPE '!'", c.binds.len()));
        }
        if !any.is_empty() {
            c.sql.push(format!("({})", any.join(" OR ")));
        }
    }
    if filter.hide_sign_ins {
        let hidden: Vec<String> = SIGN_IN_ACTIONS.iter().map(|a| format!("'{a}'")).collect();
        c.sql.push(format!("action NOT IN ({})", hidden.join(", ")));
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

/// Which way to walk the log from a cursor: down to older events (below an id, or from the newest),
/// or up to newer ones (above an id).
#[derive(Debug, Clone, Copy)]
enum Walk {
    Down(Option<i64>),
    Up(i64),
}

/// Rows read from the database at a time while looking for events the reader may see.
const SCAN_BATCH: usize = 200;

/// Up to `want` events of the filter that the actor may see, walking from the cursor, in the order
/// walked; and whether there are more beyond them. Events the actor may not see are skipped as if
/// they did not exist, so pages, cursors and exports never hint at them.
async fn scan(
    db: &Db,
    actor: &Actor,
    filter: &AuditFilter,
    walk: Walk,
    want: usize,
) -> AppResult<(Vec<AuditEvent>, bool)> {
    let mut found = Vec::new();
    let mut walk = walk;
    loop {
        let mut c = conditions(filter)?;
        let order = match walk {
            Walk::Down(Some(below)) => {
                c.push(|n| format!("id < ${n}"), Bind::Int(below));
                "DESC"
            }
            Walk::Down(None) => "DESC",
            Walk::Up(above) => {
                c.push(|n| format!("id > ${n}"), Bind::Int(above));
                "ASC"
            }
        };
        let batch = (want + 1).clamp(1, SCAN_BATCH);
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_events{} ORDER BY id {order} LIMIT {batch}",
            c.clause()
        );
        let rows: Vec<Stored> = c
            .bind(sqlx::query_as::<_, EventRow>(&sql))
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .map(EventRow::into_stored)
            .collect();
        let exhausted = rows.len() < batch;
        let last = rows.last().map(|r| r.event.id);
        found.extend(visible(db, actor, rows).await?);
        if found.len() > want {
            found.truncate(want);
            return Ok((found, true));
        }
        match (exhausted, last) {
            (false, Some(id)) => {
                walk = match walk {
                    Walk::Down(_) => Walk::Down(Some(id)),
                    Walk::Up(_) => Walk::Up(id),
                }
            }
            _ => return Ok((found, false)),
        }
    }
}

/// What an event is about, as far as deciding who may see it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Subject {
    /// A private note of a 1:1, written by the event's actor.
    PrivateNote,
    /// A promotion or lateral move nomination, by id.
    Nomination(i64),
    /// Anything else: what every reader of the audit log may see by the policy of its object
    /// (the framework, the directory, accounts and tokens, and the people's records that admins
    /// and organisation tokens read: positions, check-ins with their trail, evidence, plans, the
    /// shared side of 1:1s, surveys, the rollout).
    Open,
}

/// The subject of an event, by its kind. A new kind of event about something a policy withholds
/// from some admins belongs here.
fn subject_of(event: &AuditEvent) -> Subject {
    let id_of = |prefix: &str| {
        event
            .object
            .strip_prefix(prefix)
            .and_then(|id| id.parse::<i64>().ok())
    };
    if event.action == "one_on_one.save_private_note" {
        return Subject::PrivateNote;
    }
    if event.action.starts_with("nomination.") {
        // An event whose object cannot be read is hidden like the nomination it is about.
        return Subject::Nomination(id_of("nomination:").unwrap_or(0));
    }
    Subject::Open
}

/// What deciding who sees a nomination's events reads of the nomination.
#[derive(sqlx::FromRow)]
struct NominationRow {
    id: i64,
    person_id: i64,
    nominated_by: Option<i64>,
    status: String,
}

/// The events the actor may see, each decided by the same policy as the object it is about:
/// a private note's event by `policy::read_private_note` (its author alone), a nomination's by
/// `policy::see_nomination` (so nobody learns of a pending case about themselves, admins included).
async fn visible(db: &Db, actor: &Actor, rows: Vec<Stored>) -> AppResult<Vec<AuditEvent>> {
    use std::collections::HashMap;
    let nomination_ids: Vec<i64> = rows
        .iter()
        .filter_map(|r| match subject_of(&r.event) {
            Subject::Nomination(id) => Some(id),
            _ => None,
        })
        .collect();
    // Nomination id → (person, nominated by, approved).
    let mut nominations: HashMap<i64, (i64, Option<i64>, bool)> = HashMap::new();
    if !nomination_ids.is_empty() {
        let placeholders: Vec<String> = (1..=nomination_ids.len())
            .map(|n| format!("${n}"))
            .collect();
        let sql = format!(
            "SELECT id, person_id, nominated_by, status FROM nominations WHERE id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, NominationRow>(&sql);
        for id in &nomination_ids {
            query = query.bind(*id);
        }
        for n in query.fetch_all(db.pool()).await? {
            nominations.insert(
                n.id,
                (
                    n.person_id,
                    n.nominated_by,
                    NominationStatus::parse(&n.status) == Some(NominationStatus::Approved),
                ),
            );
        }
    }
    let mut relations: HashMap<i64, Relation> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let shown = match subject_of(&r.event) {
            Subject::Open => true,
            Subject::PrivateNote => r
                .actor_id
                .is_some_and(|author| policy::read_private_note(actor, author)),
            Subject::Nomination(id) => match nominations.get(&id) {
                Some(&(person, nominated_by, approved)) => {
                    let relation = match relations.get(&person) {
                        Some(rel) => *rel,
                        None => {
                            let rel = directory::relation(db, actor, person).await?;
                            relations.insert(person, rel);
                            rel
                        }
                    };
                    policy::see_nomination(actor, relation, nominated_by, approved)
                }
                // A nomination that is gone (its person was removed) tells nothing more about
                // anyone: shown to those who read the log.
                None => id != 0,
            },
        };
        if shown {
            out.push(r.event);
        }
    }
    Ok(out)
}

/// The events the filter matches, one page at a time, newest first; only those the actor may see.
pub async fn search(db: &Db, actor: &Actor, filter: &AuditFilter) -> AppResult<Page<AuditEvent>> {
    policy::read_audit_log(actor)?;
    let per_page = filter
        .per_page
        .unwrap_or(DEFAULT_PER_PAGE)
        .clamp(1, MAX_PER_PAGE) as usize;
    // Reading newer events walks up from the cursor; everything else walks down.
    let upward = filter.before.is_none() && filter.after.is_some();
    let walk = match (filter.before, filter.after) {
        (None, Some(after)) => Walk::Up(after),
        (before, _) => Walk::Down(before),
    };
    let (mut items, more) = scan(db, actor, filter, walk, per_page).await?;
    if upward {
        items.reverse();
    }
    let (newest, oldest) = (items.first().map(|e| e.id), items.last().map(|e| e.id));
    let any_beyond = |walk: Walk| async move {
        scan(db, actor, filter, walk, 1)
            .await
            .map(|(found, _)| !found.is_empty())
    };
    let (newer, older) = if upward {
        // An empty page past the newest event still links back to the older ones.
        let bound = oldest.unwrap_or_else(|| filter.after.unwrap_or(0).saturating_add(1));
        let older = any_beyond(Walk::Down(Some(bound))).await?.then_some(bound);
        (if more { newest } else { None }, older)
    } else {
        let newer = match filter.before {
            Some(before) => {
                let bound = newest.unwrap_or(before.saturating_sub(1));
                any_beyond(Walk::Up(bound)).await?.then_some(bound)
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

/// Starts a cell with an apostrophe when a spreadsheet would otherwise read it as a formula; every
/// CSV export uses this one rule.
pub(crate) use trellis_framework::export::csv::spreadsheet_safe;

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

/// Every event the filter matches that the actor may see (cursors and page size aside) as CSV, newest first, with a header
/// row. Text cells that a spreadsheet would run as a formula start with an apostrophe.
pub async fn export_csv(db: &Db, actor: &Actor, filter: &AuditFilter) -> AppResult<String> {
    policy::read_audit_log(actor)?;
    let (events, more) = scan(db, actor, filter, Walk::Down(None), CSV_MAX_ROWS as usize).await?;
    if more {
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
    for e in events {
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
