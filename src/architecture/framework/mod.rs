//! The framework's life cycle: the one shared draft that admins edit, publishing it as a numbered
//! version with a change note, the version history, diffs, import, and export (YAML, CSV, markdown).
//!
//! The draft and every version are stored as whole documents (the framework as JSON): a version is
//! immutable, so it is cached in memory by id; the draft carries a revision number that every write
//! bumps, which gives optimistic concurrency (an edit based on an old revision is re-applied on the
//! new one) and a cache key.

use std::sync::{Arc, OnceLock};

use trellis_framework::Framework;
use trellis_framework::lint::{Finding, lint};

use crate::auth::{Actor, policy};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

mod draft;
mod export;
mod import;
mod versions;

pub use draft::{Draft, DraftLint, apply_edit, discard_draft, draft, lint_draft};
pub use export::{export_csv, export_markdown, export_yaml, exportable, without_pay};
pub use import::{
    FileFinding, FileLint, ImportOptions, ImportReport, check_yaml, file_errors, import_files,
    import_format, import_framework, import_yaml, lint_yaml,
};
pub use versions::{Revision, diff, framework_at, publish, versions};

/// An immutable framework document as read at one moment: a published version or a draft revision.
#[derive(Debug)]
pub struct Snapshot {
    /// The version id, or the draft revision.
    pub id: i64,
    pub framework: Framework,
    pub version: Option<VersionInfo>,
    /// Renderings computed from this snapshot (a track's matrix as HTML, say), kept as long as the
    /// snapshot is, within [`crate::state::budget::SNAPSHOT_RENDERINGS`] bytes: the snapshot never
    /// changes, so they never go stale.
    derived: crate::state::ByteCache<Arc<str>>,
    /// The linter's findings, computed the first time they are asked for.
    findings: OnceLock<Vec<Finding>>,
}

impl Snapshot {
    pub fn new(id: i64, framework: Framework, version: Option<VersionInfo>) -> Snapshot {
        Snapshot {
            id,
            framework,
            version,
            derived: crate::state::ByteCache::new(crate::state::budget::SNAPSHOT_RENDERINGS),
            findings: OnceLock::new(),
        }
    }

    /// What the linter finds in this framework, in document order.
    pub fn findings(&self) -> &[Finding] {
        self.findings.get_or_init(|| lint(&self.framework))
    }

    /// The rendering named `key`, made by `make` the first time it is asked for.
    pub fn derived(
        &self,
        key: &str,
        make: impl FnOnce() -> AppResult<String>,
    ) -> AppResult<Arc<str>> {
        if let Some(hit) = self.derived.get(key) {
            return Ok(hit);
        }
        let made: Arc<str> = make()?.into();
        self.derived.put(key, made.clone(), made.len());
        Ok(made)
    }

    /// The bytes the renderings kept with this snapshot hold.
    pub fn derived_bytes(&self) -> usize {
        self.derived.bytes()
    }
}

#[derive(Debug, Clone)]
pub struct VersionInfo {
    pub number: i64,
    pub note: String,
    /// Seconds since the Unix epoch.
    pub published_at: i64,
    pub published_by: Option<String>,
}

const DEFAULT_NAME: &str = "Career framework";

fn parse_doc(content: &str) -> AppResult<Framework> {
    serde_json::from_str(content)
        .map_err(|e| AppError::internal(format!("a stored framework document is unreadable: {e}")))
}

fn to_doc(fw: &Framework) -> AppResult<String> {
    serde_json::to_string(fw)
        .map_err(|e| AppError::internal(format!("cannot serialise the framework: {e}")))
}

/// The columns of a version as [`VersionRow`] reads them, from `framework_versions v` with its
/// publisher `u`.
const VERSION_COLUMNS: &str = "v.id, v.number, v.note, v.published_at, u.name AS published_by_name";

/// A version of [`VERSION_COLUMNS`], without its document.
#[derive(sqlx::FromRow)]
struct VersionRow {
    id: i64,
    number: i64,
    note: String,
    published_at: i64,
    published_by_name: Option<String>,
}

impl VersionRow {
    fn info(&self) -> VersionInfo {
        VersionInfo {
            number: self.number,
            note: self.note.clone(),
            published_at: self.published_at,
            published_by: self.published_by_name.clone(),
        }
    }
}

/// The latest published version, if any, from the cache when it is still the latest.
async fn latest_published(state: &AppState) -> AppResult<Option<Arc<Snapshot>>> {
    if let Some(snap) = state.frameworks().fresh_published() {
        return Ok(Some(snap));
    }
    let db = state.db();
    let row = sqlx::query_as::<_, VersionRow>(&format!(
        "SELECT {VERSION_COLUMNS} FROM framework_versions v LEFT JOIN users u ON u.id = v.published_by \
         ORDER BY v.number DESC LIMIT 1"
    ))
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id = row.id;
    if let Some(snap) = state.frameworks().published_with_id(id) {
        return Ok(Some(snap));
    }
    let content: String =
        sqlx::query_scalar("SELECT content FROM framework_versions WHERE id = $1")
            .bind(id)
            .fetch_one(db.pool())
            .await?;
    let snap = Arc::new(Snapshot::new(id, parse_doc(&content)?, Some(row.info())));
    state.frameworks().remember_published(snap.clone());
    Ok(Some(snap))
}

/// The published framework everyone reads. `None` until the first version is published.
pub async fn published(state: &AppState, actor: &Actor) -> AppResult<Option<Arc<Snapshot>>> {
    policy::read_published_framework(actor)?;
    latest_published(state).await
}

/// The published framework, or a 404 that says nothing is published yet.
pub async fn require_published(state: &AppState, actor: &Actor) -> AppResult<Arc<Snapshot>> {
    published(state, actor)
        .await?
        .ok_or_else(|| AppError::not_found("a published framework"))
}
