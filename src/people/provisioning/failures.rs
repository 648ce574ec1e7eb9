//! Provisioning requests that failed, as the audit log keeps them for the People team.

use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::Db;
use crate::db::Work;
use crate::error::AppResult;

/// A SCIM write that failed, as the audit log keeps it: never the body sent, which may hold a
/// password, only what was asked and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRequest {
    /// `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: String,
    /// The path below `/scim/v2`, such as `/Users/12`.
    pub path: String,
    pub status: u16,
    /// The SCIM error keyword, such as `uniqueness`.
    pub scim_type: Option<String>,
    /// Why it was refused, as the client was told, with any password sent removed.
    pub reason: String,
}

impl FailedRequest {
    /// What the identity provider tried to do, in words.
    pub fn attempt(&self) -> String {
        let mut parts = self.path.trim_matches('/').split('/');
        let resource = parts.next().unwrap_or_default();
        let id = parts.next().filter(|id| !id.is_empty());
        let (thing, things) = match resource {
            "Users" => ("a person", "person"),
            "Groups" => ("a team", "team"),
            _ => return format!("{} {}", self.method, self.path),
        };
        match (self.method.as_str(), id) {
            ("POST", _) => format!("add {thing}"),
            ("PUT", Some(id)) => format!("replace the details of {things} {id}"),
            ("PATCH", Some(id)) => format!("change {things} {id}"),
            ("DELETE", Some(id)) => format!("remove {things} {id}"),
            _ => format!("{} {}", self.method, self.path),
        }
    }

    /// The sentence of the audit log.
    pub fn summary(&self) -> String {
        let reason = self.reason.trim().trim_end_matches('.');
        let mut reason: String = reason.chars().take(MAX_REASON_CHARS).collect();
        if let Some(first) = reason.get(..1) {
            let upper = first.to_uppercase();
            reason.replace_range(..1, &upper);
        }
        format!(
            "A provisioning request failed: the identity provider could not {}. {reason}.",
            self.attempt()
        )
    }
}

/// The longest reason kept in the log.
const MAX_REASON_CHARS: usize = 500;

/// Records a SCIM write that failed, in a transaction of its own: the request's own transaction
/// was rolled back, and the failure must stay in the log for the People team to see.
pub async fn record_failure(db: &Db, actor: &Actor, failed: &FailedRequest) -> AppResult<()> {
    let permit = policy::provision(actor)?;
    let object = match failed.path.trim_matches('/').split('/').collect::<Vec<_>>()[..] {
        ["Users", id] if id.parse::<i64>().is_ok() => format!("user:{id}"),
        ["Groups", id] if id.parse::<i64>().is_ok() => format!("team:{id}"),
        _ => format!("scim:{}", failed.path),
    };
    let mut work = Work::begin(db, actor, permit).await?;
    work.record(
        Action::ProvisioningFailed,
        &object,
        &failed.summary(),
        Some(serde_json::json!({
            "method": failed.method,
            "path": failed.path,
            "status": failed.status,
            "scim_type": failed.scim_type,
            "reason": failed.reason.chars().take(MAX_REASON_CHARS).collect::<String>(),
        })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// How many SCIM writes failed since `since` (Unix seconds).
pub async fn failures_since(db: &Db, actor: &Actor, since: i64) -> AppResult<i64> {
    policy::read_audit_log(actor)?;
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE at >= $1 AND action = $2")
            .bind(since)
            .bind(Action::ProvisioningFailed.as_str())
            .fetch_one(db.pool())
            .await?,
    )
}
