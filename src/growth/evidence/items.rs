//! Reading evidence items: the columns of an item, with its competencies and confirmations.

use std::collections::HashMap;

use super::{Confirmation, EvidenceItem};
use crate::db::Db;
use crate::error::{AppError, AppResult};

/// The columns of an item, as [`ItemRow`] reads them.
const ITEM_COLUMNS: &str = "e.id, e.person_id, e.kind, e.title, e.url, e.note, e.happened_on, \
     e.created_by, a.name AS author_name, e.created_at, e.updated_at";
/// The tables [`ITEM_COLUMNS`] reads from.
const ITEM_FROM: &str = "evidence e LEFT JOIN users a ON a.id = e.created_by";

/// An item of [`ITEM_COLUMNS`], without its competencies and confirmations.
#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    person_id: i64,
    kind: String,
    title: String,
    url: Option<String>,
    note: Option<String>,
    happened_on: Option<String>,
    created_by: Option<i64>,
    author_name: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl ItemRow {
    /// The item, its competencies and confirmations still to be filled in ([`complete`]).
    fn into_item(self) -> EvidenceItem {
        EvidenceItem {
            id: self.id,
            person_id: self.person_id,
            kind: self.kind,
            title: self.title,
            url: self.url,
            note: self.note,
            happened_on: self.happened_on,
            competencies: Vec::new(),
            confirmations: Vec::new(),
            author_id: self.created_by,
            author_name: self.author_name,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// A competency an item supports.
#[derive(sqlx::FromRow)]
struct ItemCompetencyRow {
    evidence_id: i64,
    competency_key: String,
}

/// A confirmation of an item, with the name of who gave it.
#[derive(sqlx::FromRow)]
struct ConfirmationRow {
    evidence_id: i64,
    user_id: i64,
    name: String,
    comment: Option<String>,
    confirmed_at: i64,
}

/// Fills in the competencies and confirmations of items, two queries for all of them.
async fn complete(db: &Db, items: &mut [EvidenceItem]) -> AppResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = items.iter().map(|i| i.id.to_string()).collect();
    // The ids are integers read from the database, so they are safe to spell out in the query.
    let list = ids.join(", ");
    let mut competencies: HashMap<i64, Vec<String>> = HashMap::new();
    for r in sqlx::query_as::<_, ItemCompetencyRow>(&format!(
        "SELECT evidence_id, competency_key FROM evidence_competencies \
         WHERE evidence_id IN ({list}) ORDER BY competency_key"
    ))
    .fetch_all(db.pool())
    .await?
    {
        competencies
            .entry(r.evidence_id)
            .or_default()
            .push(r.competency_key);
    }
    let mut confirmations: HashMap<i64, Vec<Confirmation>> = HashMap::new();
    for r in sqlx::query_as::<_, ConfirmationRow>(&format!(
        "SELECT c.evidence_id, c.user_id, u.name, c.comment, c.confirmed_at \
         FROM evidence_confirmations c JOIN users u ON u.id = c.user_id \
         WHERE c.evidence_id IN ({list}) ORDER BY c.confirmed_at, c.user_id"
    ))
    .fetch_all(db.pool())
    .await?
    {
        confirmations
            .entry(r.evidence_id)
            .or_default()
            .push(Confirmation {
                user_id: r.user_id,
                name: r.name,
                comment: r.comment,
                confirmed_at: r.confirmed_at,
            });
    }
    for item in items {
        item.competencies = competencies.remove(&item.id).unwrap_or_default();
        item.confirmations = confirmations.remove(&item.id).unwrap_or_default();
    }
    Ok(())
}

/// A person's evidence for some competencies, by competency key (each list newest first; an item
/// for several of the competencies appears under each). Competencies without evidence are absent.
///
/// No policy check: the caller (a check-in, a nomination) has already checked that the actor may
/// see this person's private records, and that the Grow features are open to them.
pub async fn for_competencies(
    db: &Db,
    person: i64,
    competencies: &[String],
) -> AppResult<HashMap<String, Vec<EvidenceItem>>> {
    let mut out: HashMap<String, Vec<EvidenceItem>> = HashMap::new();
    if competencies.is_empty() {
        return Ok(out);
    }
    for item in items_of(db, person).await? {
        for key in &item.competencies {
            if competencies.iter().any(|c| c == key) {
                out.entry(key.clone()).or_default().push(item.clone());
            }
        }
    }
    Ok(out)
}

/// A person's items, complete, newest first (by the day it happened, then as added).
pub(super) async fn items_of(db: &Db, person: i64) -> AppResult<Vec<EvidenceItem>> {
    let rows = sqlx::query_as::<_, ItemRow>(&format!(
        "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE e.person_id = $1 \
         ORDER BY COALESCE(e.happened_on, '') DESC, e.id DESC"
    ))
    .bind(person)
    .fetch_all(db.pool())
    .await?;
    let mut items: Vec<EvidenceItem> = rows.into_iter().map(ItemRow::into_item).collect();
    complete(db, &mut items).await?;
    Ok(items)
}

/// One item, complete; a 404 when there is no such item.
pub(super) async fn item(db: &Db, id: i64) -> AppResult<EvidenceItem> {
    let row = sqlx::query_as::<_, ItemRow>(&format!(
        "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE e.id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found("this evidence"))?;
    let mut items = vec![row.into_item()];
    complete(db, &mut items).await?;
    Ok(items.remove(0))
}
