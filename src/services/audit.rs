//! The audit log: one row per change, written in the same transaction as the change itself.

use serde::Serialize;
use sqlx::Row;

use crate::auth::{Actor, policy};
use crate::db::{Db, Tx, now};
use crate::error::AppResult;

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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    /// Seconds since the Unix epoch.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub summary: String,
}

/// The newest events first.
pub async fn recent(db: &Db, actor: &Actor, limit: i64) -> AppResult<Vec<AuditEvent>> {
    policy::read_audit_log(actor)?;
    let rows = sqlx::query(
        "SELECT id, at, actor, action, object, summary FROM audit_events ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEvent {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                object: r.try_get("object")?,
                summary: r.try_get("summary")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
