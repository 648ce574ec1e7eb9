//! Published versions: publishing the draft with a change note, the history, one revision's
//! document and the diff of two.

use std::sync::Arc;

use trellis_framework::Framework;
use trellis_framework::diff::Diff;
use trellis_framework::validate;

use super::draft::{draft, problem_fields};
use super::export::exportable;
use super::{
    Snapshot, VERSION_COLUMNS, VersionInfo, VersionRow, latest_published, parse_doc, to_doc,
};
use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::{Work, now};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub(super) fn check_note(note: &str) -> AppResult<()> {
    let note = note.trim();
    if note.is_empty() {
        return Err(AppError::invalid_field(
            "note",
            "write a change note: it tells everyone what changed and why",
        ));
    }
    if note.chars().count() > 5000 {
        return Err(AppError::invalid_field(
            "note",
            "a change note has at most 5000 characters",
        ));
    }
    Ok(())
}

/// The framework can be published: it breaks no rule.
pub(super) fn publishable(fw: &Framework) -> AppResult<()> {
    let problems = validate(fw);
    if problems.is_empty() {
        return Ok(());
    }
    Err(AppError::Invalid {
        title: format!(
            "The draft has {} to fix before it can be published.",
            crate::text::count(problems.len(), "problem", "problems")
        ),
        errors: problem_fields(&problems),
    })
}

pub(super) async fn insert_version(
    work: &mut Work<'_>,
    fw: &Framework,
    note: &str,
) -> AppResult<i64> {
    let actor = work.actor();
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(number) FROM framework_versions")
        .fetch_one(&mut **work.tx())
        .await?;
    let number = last.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO framework_versions (number, note, content, published_at, published_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(number)
    .bind(note.trim())
    .bind(to_doc(fw)?)
    .bind(now())
    .bind(actor.user_id)
    .execute(&mut **work.tx())
    .await?;
    work.record(
        Action::FrameworkPublish,
        &format!("version:{number}"),
        &format!("Published version {number}"),
        Some(serde_json::json!({ "note": note.trim() })),
    )
    .await?;
    Ok(number)
}

/// Publishes the draft as the next version.
pub async fn publish(state: &AppState, actor: &Actor, note: &str) -> AppResult<i64> {
    let allowed = policy::edit_framework(actor)?;
    let current = draft(state, actor).await?;
    if !current.pending {
        return Err(AppError::Conflict(
            "the draft has no changes since the last published version".into(),
        ));
    }
    check_note(note)?;
    publishable(&current.snapshot.framework)?;
    let mut work = Work::begin(state.db(), actor, allowed).await?;
    // The draft must still be the one that was checked.
    let revision: Option<i64> =
        sqlx::query_scalar("SELECT revision FROM framework_draft WHERE id = 1")
            .fetch_optional(&mut **work.tx())
            .await?;
    if revision.unwrap_or(0) != current.snapshot.id {
        return Err(AppError::Conflict(
            "the draft changed while you were publishing; review it and publish again".into(),
        ));
    }
    let number = insert_version(&mut work, &current.snapshot.framework, note).await?;
    work.commit().await?;
    state.frameworks().forget_published();
    Ok(number)
}

/// Every published version, newest first.
pub async fn versions(state: &AppState, actor: &Actor) -> AppResult<Vec<VersionInfo>> {
    policy::read_published_framework(actor)?;
    let rows = sqlx::query_as::<_, VersionRow>(&format!(
        "SELECT {VERSION_COLUMNS} FROM framework_versions v LEFT JOIN users u ON u.id = v.published_by \
         ORDER BY v.number DESC"
    ))
    .fetch_all(state.db().pool())
    .await?;
    Ok(rows.iter().map(VersionRow::info).collect())
}

/// One framework document: a published version by number, or the draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revision {
    Version(i64),
    Draft,
}

impl Revision {
    /// `draft`, or a version number.
    pub fn parse(s: &str) -> Option<Revision> {
        match s {
            "draft" => Some(Revision::Draft),
            n => n
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(Revision::Version),
        }
    }

    pub fn label(self) -> String {
        match self {
            Revision::Draft => "draft".into(),
            Revision::Version(n) => n.to_string(),
        }
    }
}

/// A version with its document.
#[derive(sqlx::FromRow)]
struct VersionDocumentRow {
    #[sqlx(flatten)]
    version: VersionRow,
    content: String,
}

/// The framework at a revision: the draft for those who read it, or a published version.
pub async fn framework_at(
    state: &AppState,
    actor: &Actor,
    at: Revision,
) -> AppResult<Arc<Snapshot>> {
    match at {
        Revision::Draft => Ok(draft(state, actor).await?.snapshot),
        Revision::Version(number) => {
            policy::read_published_framework(actor)?;
            if let Some(latest) = latest_published(state).await?
                && latest.version.as_ref().map(|v| v.number) == Some(number)
            {
                return Ok(latest);
            }
            let row = sqlx::query_as::<_, VersionDocumentRow>(&format!(
                "SELECT {VERSION_COLUMNS}, v.content FROM framework_versions v \
                 LEFT JOIN users u ON u.id = v.published_by WHERE v.number = $1"
            ))
            .bind(number)
            .fetch_optional(state.db().pool())
            .await?
            .ok_or_else(|| AppError::not_found(format!("version {number}")))?;
            Ok(Arc::new(Snapshot::new(
                row.version.id,
                parse_doc(&row.content)?,
                Some(row.version.info()),
            )))
        }
    }
}

/// What changed from one revision to another, as `actor` may read it: both sides go through
/// [`exportable`], so a reader who may not see pay bands sees no pay change either (a level whose
/// only change is its band is not listed at all).
pub async fn diff(
    state: &AppState,
    actor: &Actor,
    from: Revision,
    to: Revision,
) -> AppResult<Diff> {
    let a = exportable(state, actor, from).await?;
    let b = exportable(state, actor, to).await?;
    Ok(trellis_framework::diff::diff(&a, &b))
}
