//! Recomputing stored readiness in bulk: a person when a check-in is agreed, the people whose
//! position was recorded, a track when its rule changes, or the whole organisation.
//!
//! People are read in pages of [`RECOMPUTE_PAGE`] by id. One query per page finds each person's
//! latest agreed check-in against their current or next level (the next level is worked out once
//! per person, in a materialised CTE; the check-in is found through the index
//! `readiness_latest_checkin`) and returns the whole page as a single text (see `page`). Each page
//! is evaluated on the blocking pool while the next one is read, and only the results whose
//! digest differs from the stored one are written (see `store`).

use std::collections::HashMap;
use std::sync::Arc;

use tokio::task::JoinHandle;
use trellis_framework::Framework;

use super::page::{Evaluated, FIELD_SEP, RECORD_SEP, evaluate_page};
use super::store::store;
use super::{Rule, next_level_case, stored_rules};
use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::Work;
use crate::db::{Db, Tx, dialect, now};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// People read per query when recomputing.
const RECOMPUTE_PAGE: usize = 10_000;

/// Whom to recompute.
pub(super) enum Whom<'a> {
    Everyone,
    People(&'a [i64]),
    Track(&'a str),
    /// Whoever had a position recorded at or after this time (unix seconds).
    RecordedSince(i64),
}

/// A value bound to a recompute query's filter.
#[derive(Clone)]
enum Bind {
    Text(String),
    Int(i64),
}

impl Whom<'_> {
    /// The conditions on the people (`u`) that select them, one query each (people given by id,
    /// 500 to a query), and the value the conditions bind as `$3`.
    fn filters(&self) -> (Vec<String>, Option<Bind>) {
        match self {
            Whom::Everyone => (vec![String::new()], None),
            Whom::Track(t) => (
                vec![" AND u.track_key = $3".into()],
                Some(Bind::Text((*t).to_owned())),
            ),
            Whom::RecordedSince(at) => (
                vec![" AND u.id IN (SELECT user_id FROM positions WHERE recorded_at >= $3)".into()],
                Some(Bind::Int(*at)),
            ),
            Whom::People(ids) => (
                ids.chunks(500)
                    .map(|chunk| {
                        let ids = chunk
                            .iter()
                            .map(i64::to_string)
                            .collect::<Vec<_>>()
                            .join(", ");
                        format!(" AND u.id IN ({ids})")
                    })
                    .collect(),
                None,
            ),
        }
    }
}

/// The query of one page: the active people of `filter` after the id `after`, each with their
/// position, the digest of their stored result and their latest agreed check-ins against their
/// current and their next level (`next`: see [`next_level_case`]), as one text (see `page`).
fn page_sql(next: &str, filter: &str, after: i64) -> String {
    format!(
        "WITH p AS MATERIALIZED ( \
           SELECT u.id, u.track_key, u.level_key, {next} AS next_key FROM users u \
           WHERE u.active = 1{filter} AND u.id > {after} ORDER BY u.id LIMIT {RECOMPUTE_PAGE}), \
         x AS (SELECT p.id, p.track_key, p.level_key, ( \
                 SELECT c2.id FROM checkins c2 WHERE c2.person_id = p.id \
                 AND c2.status = 'agreed' AND c2.track_key = p.track_key \
                 AND c2.level_key = p.level_key \
                 ORDER BY c2.agreed_at DESC, c2.id DESC LIMIT 1) AS cur, ( \
                 SELECT c3.id FROM checkins c3 WHERE c3.person_id = p.id \
                 AND c3.status = 'agreed' AND c3.track_key = p.track_key \
                 AND c3.level_key = p.next_key \
                 ORDER BY c3.agreed_at DESC, c3.id DESC LIMIT 1) AS nxt FROM p) \
         SELECT COUNT(*) AS people, MAX(x.id) AS last, string_agg( \
           CAST(x.id AS TEXT) || $1 || COALESCE(x.track_key, '') || $1 \
           || COALESCE(x.level_key, '') || $1 || COALESCE(r.digest, '') \
           || $1 || COALESCE(CAST(c.id AS TEXT), '') || $1 || COALESCE(c.level_key, '') \
           || $1 || COALESCE(CAST(c.agreed_at AS TEXT), '') || $1 || COALESCE(c.agreed_ratings, '') \
           || $1 || COALESCE(CAST(n.id AS TEXT), '') || $1 || COALESCE(n.level_key, '') \
           || $1 || COALESCE(CAST(n.agreed_at AS TEXT), '') || $1 || COALESCE(n.agreed_ratings, ''), \
           $2) AS page \
         FROM x LEFT JOIN checkins c ON c.id = x.cur LEFT JOIN checkins n ON n.id = x.nxt \
         LEFT JOIN readiness r ON r.person_id = x.id"
    )
}

/// Recomputes and stores the readiness of some people, in the caller's transaction. Returns how
/// many were computed.
///
/// `readers`: a pool to read the pages from on a connection of their own, when the database gains
/// from it (`dialect::bulk_reader`: on SQLite), so that reading a page, evaluating the one before
/// and writing the one before that overlap. Pass it only when this transaction has written nothing
/// the pages read (people, positions, check-ins, readiness): the reader does not see this
/// transaction's writes.
pub(super) async fn recompute(
    tx: &mut Tx,
    fw: &Framework,
    whom: Whom<'_>,
    readers: Option<&Db>,
) -> AppResult<usize> {
    let started = std::time::Instant::now();
    let mut run = Run {
        fw,
        rules: stored_rules(tx).await?,
        at: now(),
        shared: None,
        pending: None,
        totals: Totals::default(),
    };
    let mut reader = match readers {
        Some(db) => dialect::bulk_reader(db, tx).await?,
        None => None,
    };
    let next = next_level_case(fw);
    let (filters, bind) = whom.filters();
    for filter in &filters {
        run.pages(tx, reader.as_mut(), &next, filter, bind.as_ref())
            .await?;
    }
    let pending = run.pending.take();
    run.totals.add(store_evaluated(tx, pending).await?);
    let parallel = reader.is_some();
    if let Some(conn) = reader {
        sqlx::Connection::close(conn).await?;
    }
    tracing::debug!(
        people = run.totals.evaluated,
        changed = run.totals.changed,
        parallel_read = parallel,
        ms = started.elapsed().as_millis() as u64,
        "readiness recomputed"
    );
    Ok(run.totals.evaluated)
}

/// A recompute under way: what pages are evaluated with, the page being evaluated on the blocking
/// pool, and how many people so far.
struct Run<'a> {
    fw: &'a Framework,
    rules: HashMap<String, Rule>,
    /// The time the results are reached at.
    at: i64,
    /// The framework and the rules, copied once for the pages evaluated on the blocking pool.
    shared: Option<Arc<(Framework, HashMap<String, Rule>)>>,
    pending: Option<JoinHandle<AppResult<Evaluated>>>,
    totals: Totals,
}

impl Run<'_> {
    /// Reads the people of one filter a page at a time, each page while the one before is
    /// evaluated and written; evaluates and writes the last page (a small one) at once.
    async fn pages(
        &mut self,
        tx: &mut Tx,
        mut reader: Option<&mut sqlx::AnyConnection>,
        next: &str,
        filter: &str,
        bind: Option<&Bind>,
    ) -> AppResult<()> {
        let mut after = 0i64;
        loop {
            let sql = page_sql(next, filter, after);
            // Read this page while the one before is evaluated and written.
            let previous = self.pending.take();
            let (page, stored) = match reader.as_deref_mut() {
                Some(conn) => {
                    tokio::join!(read_page(conn, &sql, bind), store_evaluated(tx, previous))
                }
                None => {
                    let page = read_page(tx, &sql, bind).await;
                    (page, store_evaluated(tx, previous).await)
                }
            };
            self.totals.add(stored?);
            let page = page?;
            if let Some(last) = page.last {
                after = last;
            }
            if page.people < RECOMPUTE_PAGE {
                // The last page: small ones (a person, a team) are not worth a copy of the
                // framework.
                let evaluated = evaluate_page(&self.rules, self.fw, &page.text, self.at)?;
                self.totals.add(store(tx, evaluated).await?);
                return Ok(());
            }
            let shared = self
                .shared
                .get_or_insert_with(|| Arc::new((self.fw.clone(), self.rules.clone())))
                .clone();
            let at = self.at;
            self.pending = Some(tokio::task::spawn_blocking(move || {
                evaluate_page(&shared.1, &shared.0, &page.text, at)
            }));
        }
    }
}

/// How many people a recompute evaluated, and how many of their results changed.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Totals {
    pub(super) evaluated: usize,
    pub(super) changed: usize,
}

impl Totals {
    fn add(&mut self, other: Totals) {
        self.evaluated += other.evaluated;
        self.changed += other.changed;
    }
}

/// A page of people as read by [`recompute`]: how many, the last id, and the page as one text.
struct Page {
    people: usize,
    last: Option<i64>,
    text: String,
}

async fn read_page(
    conn: &mut sqlx::AnyConnection,
    sql: &str,
    bind: Option<&Bind>,
) -> AppResult<Page> {
    let mut query = sqlx::query_as::<_, PageRow>(sql)
        .bind(FIELD_SEP.to_string())
        .bind(RECORD_SEP.to_string());
    query = match bind {
        Some(Bind::Text(t)) => query.bind(t.clone()),
        Some(Bind::Int(i)) => query.bind(*i),
        None => query,
    };
    let row = query.fetch_one(conn).await?;
    Ok(Page {
        people: usize::try_from(row.people).unwrap_or(0),
        last: row.last,
        text: row.page.unwrap_or_default(),
    })
}

/// A page of people as the paging query returns it: how many, the last one's id, and their
/// records packed into one text.
#[derive(sqlx::FromRow)]
struct PageRow {
    people: i64,
    last: Option<i64>,
    page: Option<String>,
}

/// Waits for a page's evaluation, if there is one, and writes its changed results.
async fn store_evaluated(
    tx: &mut Tx,
    evaluation: Option<tokio::task::JoinHandle<AppResult<Evaluated>>>,
) -> AppResult<Totals> {
    let Some(evaluation) = evaluation else {
        return Ok(Totals::default());
    };
    let evaluated = evaluation
        .await
        .map_err(|e| AppError::internal(format!("evaluating readiness failed: {e}")))??;
    store(tx, evaluated).await
}

/// The published framework, read for recomputing (a derived value, not a request of the actor).
async fn published_framework(
    state: &AppState,
) -> AppResult<Option<std::sync::Arc<crate::architecture::framework::Snapshot>>> {
    crate::architecture::framework::published(state, &Actor::command_line()).await
}

/// Re-evaluates and stores one person's readiness, in the caller's transaction: call it when a
/// check-in is agreed (after writing it, so that it counts). Does nothing before the first
/// framework is published. Records no audit event: readiness is derived from what was audited.
pub async fn recompute_person(tx: &mut Tx, state: &AppState, person: i64) -> AppResult<()> {
    let Some(published) = published_framework(state).await? else {
        return Ok(());
    };
    recompute(tx, &published.framework, Whom::People(&[person]), None).await?;
    Ok(())
}

/// Re-evaluates and stores the readiness of several people against `fw` (the published
/// framework), in the caller's transaction, in a few batched queries: call it after recording
/// positions.
pub async fn recompute_people(tx: &mut Tx, fw: &Framework, people: &[i64]) -> AppResult<()> {
    if !people.is_empty() {
        recompute(tx, fw, Whom::People(people), None).await?;
    }
    Ok(())
}

/// Re-evaluates the readiness of everyone whose position was recorded at or after `since` (unix
/// seconds) in the caller's transaction: an import calls it after writing its positions. Does
/// nothing before the first framework is published.
pub async fn recompute_recorded_since(
    tx: &mut Tx,
    fw: Option<&Framework>,
    since: i64,
) -> AppResult<()> {
    if let Some(fw) = fw {
        recompute(tx, fw, Whom::RecordedSince(since), None).await?;
    }
    Ok(())
}

/// Recomputes the readiness of the whole organisation in one transaction (admins; also `trellis
/// readiness recompute`): everyone active, read a page at a time with their latest agreed
/// check-in, the rule evaluated in memory and the results that changed written in multi-row
/// statements (see `recompute`). Returns how many people were computed.
pub async fn recompute_all(state: &AppState, actor: &Actor) -> AppResult<usize> {
    let permit = policy::configure_readiness(actor)?;
    crate::rollout::pilot::require_grow(state.db(), actor).await?;
    let published = crate::architecture::framework::require_published(state, actor).await?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let n = recompute(
        work.tx(),
        &published.framework,
        Whom::Everyone,
        Some(state.db()),
    )
    .await?;
    work.record(Action::ReadinessRecompute,
        "readiness",
        &format!("Recomputed the readiness of {n} people"),
        Some(serde_json::json!({ "people": n, "version": published.version.as_ref().map(|v| v.number) })),
    )
    .await?;
    work.commit().await?;
    Ok(n)
}
