//! The framework's life cycle: the one shared draft that admins edit, publishing it as a numbered
//! version with a change note, the version history, diffs, import, and export (YAML, CSV, markdown).
//!
//! The draft and every version are stored as whole documents (the framework as JSON): a version is
//! immutable, so it is cached in memory by id; the draft carries a revision number that every write
//! bumps, which gives optimistic concurrency (an edit based on an old revision is re-applied on the
//! new one) and a cache key.

use std::sync::{Arc, OnceLock};

use serde::Serialize;
use sqlx::Row;
use trellis_framework::diff::Diff;
use trellis_framework::edit::{self, Edit};
use trellis_framework::import::{self, Format, SourceFile};
use trellis_framework::lint::{Finding, lint};
use trellis_framework::merge::{self, Difference, Take};
use trellis_framework::{Framework, Problem, export, validate, yaml};

use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::{Work, now};
use crate::error::{AppError, AppResult, FieldError, FileError};
use crate::state::AppState;

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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionInfo {
    pub number: i64,
    pub note: String,
    /// Seconds since the Unix epoch.
    pub published_at: i64,
    pub published_by: Option<String>,
}

/// What [`draft`] returns: the draft with what the editor needs to know about it.
pub struct Draft {
    pub snapshot: Arc<Snapshot>,
    /// The draft differs from the latest published version (or nothing is published yet).
    pub pending: bool,
    /// Problems that block publishing.
    pub problems: Vec<Problem>,
    pub latest_version: Option<i64>,
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

fn version_info(row: &sqlx::any::AnyRow) -> Result<VersionInfo, sqlx::Error> {
    Ok(VersionInfo {
        number: row.try_get("number")?,
        note: row.try_get("note")?,
        published_at: row.try_get("published_at")?,
        published_by: row.try_get("published_by_name")?,
    })
}

const VERSION_COLUMNS: &str = "v.id, v.number, v.note, v.published_at, u.name AS published_by_name";

/// The latest published version, if any, from the cache when it is still the latest.
async fn latest_published(state: &AppState) -> AppResult<Option<Arc<Snapshot>>> {
    if let Some(snap) = state.frameworks().fresh_published() {
        return Ok(Some(snap));
    }
    let db = state.db();
    let row = sqlx::query(&format!(
        "SELECT {VERSION_COLUMNS} FROM framework_versions v LEFT JOIN users u ON u.id = v.published_by \
         ORDER BY v.number DESC LIMIT 1"
    ))
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get("id")?;
    if let Some(snap) = state.frameworks().published_with_id(id) {
        return Ok(Some(snap));
    }
    let content: String =
        sqlx::query_scalar("SELECT content FROM framework_versions WHERE id = $1")
            .bind(id)
            .fetch_one(db.pool())
            .await?;
    let snap = Arc::new(Snapshot::new(
        id,
        parse_doc(&content)?,
        Some(version_info(&row)?),
    ));
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

/// The draft as stored, or (before the first edit) the latest published version, or an empty one.
async fn current_draft(state: &AppState) -> AppResult<Arc<Snapshot>> {
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
    let row = sqlx::query("SELECT revision, content FROM framework_draft WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    let snap = Arc::new(Snapshot::new(
        row.try_get("revision")?,
        parse_doc(&row.try_get::<String, _>("content")?)?,
        None,
    ));
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

fn problem_fields(problems: &[Problem]) -> Vec<FieldError> {
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
struct DraftChange {
    next: Framework,
    action: Action,
    summary: String,
    detail: Option<serde_json::Value>,
    /// Publish the result in the same transaction, with this note.
    publish_note: Option<String>,
}

/// The one way the draft is written: `change` computes the next draft from the current one; the
/// result is stored if no other write landed meanwhile (otherwise `change` runs again on the newer
/// draft), with its audit event, and published when asked, all in one transaction. Returns the
/// version published, if any.
async fn update_draft(
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

/// Options of a YAML import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Show what would change, change nothing.
    pub dry_run: bool,
    /// Remove what the file no longer has.
    pub prune: bool,
    /// The items on which the file's version replaces the draft's; by default the draft keeps its own.
    pub take: Take,
    /// Publish the result with this change note.
    pub publish_note: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// What the import changes in the draft.
    #[schema(value_type = Object)]
    pub diff: Diff,
    /// Items the draft has and the file does not, kept because `prune` was off.
    pub kept: Vec<String>,
    /// Every item the draft and the file both have and describe differently, each with what the draft
    /// has, what the file has, and whether the import takes the file's version (only the items named
    /// in `take`; the draft keeps its own version of the others).
    pub differences: Vec<Difference>,
    pub dry_run: bool,
    /// The version published by the import, if it was asked to publish.
    pub published_version: Option<i64>,
    /// What the file had that Trellis does not keep (formats other than Trellis's own).
    pub unmapped: Vec<String>,
}

/// Every mistake of a YAML file, in the error type of the application.
pub fn file_errors(diags: Vec<yaml::Diagnostic>) -> AppError {
    AppError::InvalidFile {
        errors: diags
            .into_iter()
            .map(|d| FileError {
                file: None,
                line: d.line,
                column: d.column,
                message: d.message,
            })
            .collect(),
    }
}

/// Checks a YAML framework file without touching the database.
pub fn check_yaml(source: &str) -> AppResult<Framework> {
    yaml::read(source).map_err(file_errors)
}

/// A lint finding placed in a file.
#[derive(Debug)]
pub struct FileFinding {
    pub line: usize,
    pub column: usize,
    pub finding: Finding,
}

/// What linting a YAML framework file found: its mistakes (what `check_yaml` reports) and the
/// linter's findings, each placed in the file.
#[derive(Debug, Default)]
pub struct FileLint {
    /// Mistakes that make the file invalid, sorted by position.
    pub problems: Vec<yaml::Diagnostic>,
    /// The linter's findings, in document order.
    pub findings: Vec<FileFinding>,
}

/// Lints a YAML framework file without touching the database: every mistake and every finding, in
/// one run. A file with mistakes is linted as far as it could be read (broken items are kept with
/// stand-ins), so one mistake hides no finding; only a syntax error, which leaves the rest of the
/// file unknown, leaves the findings out.
pub fn lint_yaml(source: &str) -> FileLint {
    let reading = yaml::read_all(source);
    let findings = reading.framework.as_ref().map(lint).unwrap_or_default();
    FileLint {
        findings: findings
            .into_iter()
            .map(|finding| {
                let (line, column) = reading.positions.of(&finding.path);
                FileFinding {
                    line,
                    column,
                    finding,
                }
            })
            .collect(),
        problems: reading.diagnostics,
    }
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

/// Imports a YAML file into the draft (by key), optionally publishing it. All or nothing.
pub async fn import_yaml(
    state: &AppState,
    actor: &Actor,
    source: &str,
    options: &ImportOptions,
) -> AppResult<ImportReport> {
    policy::edit_framework(actor)?;
    let incoming = check_yaml(source)?;
    import_framework(state, actor, &incoming, options).await
}

/// Imports a framework read from any file format into the draft (by key), optionally publishing
/// it. All or nothing.
pub async fn import_framework(
    state: &AppState,
    actor: &Actor,
    incoming: &Framework,
    options: &ImportOptions,
) -> AppResult<ImportReport> {
    policy::edit_framework(actor)?;
    if let Some(note) = &options.publish_note {
        check_note(note)?;
    }
    let plan = |current: &Framework| {
        let differences = merge::differences(current, incoming, &options.take);
        check_take(&options.take, &differences)?;
        let merged = merge::merge(current, incoming, options.prune, &options.take);
        let kept = if options.prune {
            Vec::new()
        } else {
            trellis_framework::merge::kept_only_in_base(current, incoming)
        };
        let diff = trellis_framework::diff::diff(current, &merged);
        Ok::<_, AppError>((merged, kept, diff, differences))
    };
    if options.dry_run {
        let (_, kept, diff, differences) = plan(&current_draft(state).await?.framework)?;
        return Ok(ImportReport {
            diff,
            kept,
            differences,
            dry_run: true,
            published_version: None,
            unmapped: Vec::new(),
        });
    }
    let mut outcome = None;
    let published_version = update_draft(state, actor, |current| {
        let (merged, kept, diff, differences) = plan(current)?;
        let taken: Vec<&str> = differences
            .iter()
            .filter(|d| d.taken)
            .map(|d| d.id.as_str())
            .collect();
        let change = DraftChange {
            next: merged,
            action: Action::FrameworkImport,
            summary: format!("Imported a framework file: {}", diff.counts()),
            detail: Some(serde_json::json!({
                "prune": options.prune,
                "kept": kept,
                "taken_from_file": taken,
            })),
            publish_note: options.publish_note.clone(),
        };
        outcome = Some((kept, diff, differences));
        Ok(change)
    })
    .await?;
    let (kept, diff, differences) = outcome.unwrap_or_default();
    Ok(ImportReport {
        diff,
        kept,
        differences,
        dry_run: false,
        published_version,
        unmapped: Vec::new(),
    })
}

/// Every item asked for in `take` must be one where the draft and the file differ.
fn check_take(take: &Take, differences: &[Difference]) -> AppResult<()> {
    let unknown: Vec<&str> = take
        .ids()
        .filter(|id| !differences.iter().any(|d| d.id == *id))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(AppError::invalid_field(
        "take",
        format!(
            "The draft and the file do not differ on {}. Preview the import again to see the items \
             you can take from the file.",
            unknown.join(", ")
        ),
    ))
}

/// The format of an import: the one asked for, else the one the first file looks like, else
/// Trellis's own.
pub fn import_format(asked: Option<Format>, files: &[SourceFile]) -> Format {
    asked
        .or_else(|| files.first().and_then(|f| import::detect(&f.text, &f.name)))
        .unwrap_or(Format::Trellis)
}

/// Imports files in any format Trellis reads into the draft (by key), optionally publishing the
/// result; the report lists what the files had that Trellis does not keep. All or nothing. The
/// other formats name no framework, so with them the draft keeps its name and description.
pub async fn import_files(
    state: &AppState,
    actor: &Actor,
    format: Format,
    files: &[SourceFile],
    read: &import::Options,
    options: &ImportOptions,
) -> AppResult<ImportReport> {
    policy::edit_framework(actor)?;
    let imported = import::import(format, files, read).map_err(import_errors)?;
    let mut incoming = imported.framework;
    if format != Format::Trellis {
        let current = current_draft(state).await?;
        incoming.name.clone_from(&current.framework.name);
        incoming
            .description
            .clone_from(&current.framework.description);
    }
    let mut report = import_framework(state, actor, &incoming, options).await?;
    report.unmapped = imported.unmapped;
    Ok(report)
}

/// Every mistake of imported files, in the error type of the application.
fn import_errors(diags: Vec<import::FileDiagnostic>) -> AppError {
    AppError::InvalidFile {
        errors: diags
            .into_iter()
            .map(|d| FileError {
                file: Some(d.file).filter(|f| !f.is_empty()),
                line: d.line,
                column: d.column,
                message: d.message,
            })
            .collect(),
    }
}

fn check_note(note: &str) -> AppResult<()> {
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
fn publishable(fw: &Framework) -> AppResult<()> {
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

async fn insert_version(work: &mut Work<'_>, fw: &Framework, note: &str) -> AppResult<i64> {
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

/// Every published version, newest first.
pub async fn versions(state: &AppState, actor: &Actor) -> AppResult<Vec<VersionInfo>> {
    policy::read_published_framework(actor)?;
    let rows = sqlx::query(&format!(
        "SELECT {VERSION_COLUMNS} FROM framework_versions v LEFT JOIN users u ON u.id = v.published_by \
         ORDER BY v.number DESC"
    ))
    .fetch_all(state.db().pool())
    .await?;
    Ok(rows
        .iter()
        .map(version_info)
        .collect::<Result<_, sqlx::Error>>()?)
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
            let row = sqlx::query(&format!(
                "SELECT {VERSION_COLUMNS}, v.content FROM framework_versions v \
                 LEFT JOIN users u ON u.id = v.published_by WHERE v.number = $1"
            ))
            .bind(number)
            .fetch_optional(state.db().pool())
            .await?
            .ok_or_else(|| AppError::not_found(format!("version {number}")))?;
            Ok(Arc::new(Snapshot::new(
                row.try_get("id")?,
                parse_doc(&row.try_get::<String, _>("content")?)?,
                Some(version_info(&row)?),
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

/// The framework at a revision as `actor` may take it away: every exporter starts here, so pay
/// bands leave only with someone who may see them.
pub async fn exportable(state: &AppState, actor: &Actor, at: Revision) -> AppResult<Framework> {
    let snap = framework_at(state, actor, at).await?;
    let mut fw = snap.framework.clone();
    if !policy::see_pay(actor) {
        without_pay(&mut fw);
    }
    Ok(fw)
}

/// Removes every pay band, for readers who may not see them (and for the public site).
pub fn without_pay(fw: &mut Framework) {
    for track in &mut fw.tracks {
        for level in &mut track.levels {
            level.pay = None;
        }
    }
}

/// The framework as a YAML file.
pub async fn export_yaml(state: &AppState, actor: &Actor, at: Revision) -> AppResult<String> {
    Ok(yaml::write(&exportable(state, actor, at).await?))
}

/// The framework as a CSV file, one row per expectation bullet.
pub async fn export_csv(state: &AppState, actor: &Actor, at: Revision) -> AppResult<String> {
    let fw = exportable(state, actor, at).await?;
    export::csv::write(&fw).map_err(|e| AppError::internal(format!("cannot write the CSV: {e}")))
}

/// The framework as markdown files (path, content): an index and one file per track.
pub async fn export_markdown(
    state: &AppState,
    actor: &Actor,
    at: Revision,
) -> AppResult<Vec<(String, String)>> {
    Ok(export::markdown::write_tracks(
        &exportable(state, actor, at).await?,
    ))
}
