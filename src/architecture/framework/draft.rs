//! The one shared draft: reading it, the one way it is written (with optimistic concurrency on its
//! revision), editor changes, linting and discarding it.

use std::sync::Arc;

use trellis_framework::edit::{self, Edit};
use trellis_framework::lint::Finding;
use trellis_framework::{Framework, Problem, validate};

use super::versions::{insert_version, publishable};
use super::{DEFAULT_NAME, Snapshot, latest_published, parse_doc, to_doc};
use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::{Work, now};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

/// What [`draft`] returns: the draft with what the editor needs to know about it.
pub struct Draft {
    pub snapshot: Arc<Snapshot>,
    /// The draft differs from the latest published version (or nothing is published yet).
    pub pending: bool,
    /// Problems that block publishing.
    pub problems: Vec<Problem>,
    pub latest_version: Option<i64>,
}

/// The stored draft: its revision and its document.
#[derive(sqlx::FromRow)]
struct DraftRow {
    revision: i64,
    content: String,
}

/// The draft as stored, or (before the first edit) the latest published version, or an empty one.
pub(super) async fn current_draft(state: &AppState) -> AppResult<Arc<Snapshot>> {
    let db = state.db();
    let revision: Option<i64> =
        sqlx::query_scalar("SELECT revision FROM framework_draft WHERE id = 1")
            .fetch_optional(db.pool())
            .await?;
    let Some(revision) = revision else {
        let framework = match latest_published(state).await? {
            Some(p) => p.framework.clone(),
            None => Framework {
                name: DEFAULT_NAME.into(),
                ..Framework::default()
            },
        };
        return Ok(Arc::new(Snapshot::new(0, framework, None)));
    };
    if let Ok(cached) = state.frameworks().draft.read()
        && let Some(snap) = cached.as_ref()
        && snap.id == revision
    {
        return Ok(snap.clone());
    }
    let row =
        sqlx::query_as::<_, DraftRow>("SELECT revision, content FROM framework_draft WHERE id = 1")
            .fetch_one(db.pool())
            .await?;
    let snap = Arc::new(Snapshot::new(row.revision, parse_doc(&row.content)?, None));
    if let Ok(mut cached) = state.frameworks().draft.write() {
        *cached = Some(snap.clone());
    }
    Ok(snap)
}

impl Draft {
    /// The problems as field messages, the field being the path into the framework document.
    pub fn problem_fields(&self) -> Vec<FieldError> {
        problem_fields(&self.problems)
    }
}

pub(super) fn problem_fields(problems: &[Problem]) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| FieldError {
            field: p.path.iter().map(ToString::to_string).collect(),
            message: p.message.clone(),
        })
        .collect()
}

pub async fn draft(state: &AppState, actor: &Actor) -> AppResult<Draft> {
    policy::read_draft(actor)?;
    let snapshot = current_draft(state).await?;
    let latest = latest_published(state).await?;
    let pending = match &latest {
        Some(p) => p.framework != snapshot.framework,
        None => true,
    };
    let problems = validate(&snapshot.framework);
    Ok(Draft {
        snapshot,
        pending,
        problems,
        latest_version: latest.and_then(|p| p.version.as_ref().map(|v| v.number)),
    })
}

/// Replaces the draft with `next` if it is still at `base_revision`; returns the new revision, or
/// `None` when someone else wrote first.
async fn store_draft(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    base_revision: i64,
    base: &Framework,
    next: &Framework,
) -> AppResult<Option<i64>> {
    if base_revision == 0 {
        sqlx::query(
            "INSERT INTO framework_draft (id, revision, content, updated_at) VALUES (1, 0, $1, $2) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(to_doc(base)?)
        .bind(now())
        .execute(&mut **tx)
        .await?;
    }
    let done = sqlx::query(
        "UPDATE framework_draft SET revision = $1, content = $2, updated_at = $3, updated_by = $4 \
         WHERE id = 1 AND revision = $5",
    )
    .bind(base_revision + 1)
    .bind(to_doc(next)?)
    .bind(now())
    .bind(actor.user_id)
    .bind(base_revision)
    .execute(&mut **tx)
    .await?;
    Ok((done.rows_affected() == 1).then_some(base_revision + 1))
}

/// How many times a change is re-applied when other writes keep landing first.
const EDIT_ATTEMPTS: usize = 8;

/// What a change makes of the draft, and how the audit log describes it.
pub(super) struct DraftChange {
    pub(super) next: Framework,
    pub(super) action: Action,
    pub(super) summary: String,
    pub(super) detail: Option<serde_json::Value>,
    /// Publish the result in the same transaction, with this note.
    pub(super) publish_note: Option<String>,
}

/// The one way the draft is written: `change` computes the next draft from the current one; the
/// result is stored if no other write landed meanwhile (otherwise `change` runs again on the newer
/// draft), with its audit event, and published when asked, all in one transaction. Returns the
/// version published, if any.
pub(super) async fn update_draft(
    state: &AppState,
    actor: &Actor,
    mut change: impl FnMut(&Framework) -> AppResult<DraftChange>,
) -> AppResult<Option<i64>> {
    policy::edit_framework(actor)?;
    for _ in 0..EDIT_ATTEMPTS {
        let current = current_draft(state).await?;
        let mut planned = change(&current.framework)?;
        if planned.publish_note.is_some() {
            publishable(&planned.next)?;
            // Publishing what is already published would only repeat the latest version.
            if let Some(latest) = latest_published(state).await?
                && latest.framework == planned.next
            {
                planned.publish_note = None;
            }
        }
        let mut work = Work::begin(state.db(), actor, policy::edit_framework(actor)?).await?;
        let stored = store_draft(
            work.tx(),
            actor,
            current.id,
            &current.framework,
            &planned.next,
        )
        .await?;
        if stored.is_none() {
            work.rollback().await?;
            continue;
        }
        work.record(
            planned.action,
            "framework:draft",
            &planned.summary,
            planned.detail,
        )
        .await?;
        let published = match &planned.publish_note {
            Some(note) => Some(insert_version(&mut work, &planned.next, note).await?),
            None => None,
        };
        work.commit().await?;
        if published.is_some() {
            state.frameworks().forget_published();
        }
        return Ok(published);
    }
    Err(AppError::Conflict(
        "the draft is being changed by others right now; try again".into(),
    ))
}

/// Applies one editor change to the draft and records it in the audit log.
pub async fn apply_edit(state: &AppState, actor: &Actor, change: &Edit) -> AppResult<Draft> {
    update_draft(state, actor, |current| {
        let mut next = current.clone();
        edit::apply(&mut next, change)?;
        Ok(DraftChange {
            next,
            action: Action::FrameworkEdit,
            summary: change.describe(),
            detail: serde_json::to_value(change).ok(),
            publish_note: None,
        })
    })
    .await?;
    draft(state, actor).await
}

/// What the linter finds in the draft (admins), with the revision it is about: the problems that
/// block publishing and the linter's findings, both whatever the other holds.
pub struct DraftLint {
    pub revision: i64,
    pub problems: Vec<FieldError>,
    pub findings: Vec<Finding>,
}

/// Lints the draft (admins): its problems and the linter's findings together.
pub async fn lint_draft(state: &AppState, actor: &Actor) -> AppResult<DraftLint> {
    policy::read_draft(actor)?;
    let snapshot = current_draft(state).await?;
    Ok(DraftLint {
        revision: snapshot.id,
        problems: problem_fields(&validate(&snapshot.framework)),
        findings: snapshot.findings().to_vec(),
    })
}

/// Throws away the draft's changes: it becomes the latest published version again.
pub async fn discard_draft(state: &AppState, actor: &Actor) -> AppResult<()> {
    policy::edit_framework(actor)?;
    let latest = latest_published(state)
        .await?
        .ok_or_else(|| AppError::Conflict("nothing is published yet to go back to".into()))?;
    update_draft(state, actor, |_| {
        Ok(DraftChange {
            next: latest.framework.clone(),
            action: Action::FrameworkDiscard,
            summary: "Discarded the draft's changes".into(),
            detail: None,
            publish_note: None,
        })
    })
    .await?;
    Ok(())
}
