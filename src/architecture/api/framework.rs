//! `/api/v1`: the framework, its tracks, levels and library, comparisons, versions, and the draft.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use trellis_framework::edit::Edit;
use trellis_framework::import::{self, Format, SourceFile};
use trellis_framework::lint::Severity;
use trellis_framework::merge::Take;
use trellis_framework::{Competency, Framework, Level, Track, TrackKind};
use utoipa::OpenApi as _;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::{ImportReport, VersionInfo};
use crate::api::{ApiResult, Problem};
use crate::architecture::framework::{self as service, ImportOptions, Revision, Snapshot};
use crate::auth::{Actor, Role, policy};
use crate::error::{AppError, FieldError};
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi())
        .routes(routes!(me))
        .routes(routes!(get_framework))
        .routes(routes!(list_tracks))
        .routes(routes!(get_track))
        .routes(routes!(get_level))
        .routes(routes!(list_competencies))
        .routes(routes!(compare))
        .routes(routes!(list_versions))
        .routes(routes!(diff_versions))
        .routes(routes!(export_yaml))
        .routes(routes!(get_draft))
        .routes(routes!(edit_draft))
        .routes(routes!(import_yaml))
        .routes(routes!(publish))
        .routes(routes!(lint_draft))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags(
    (name = "framework", description = "Reading the published framework"),
    (name = "draft", description = "Editing, importing and publishing (admins)")
))]
struct Api;

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub name: String,
    /// The email, or `token:NAME` for an organisation token.
    pub label: String,
    pub role: Role,
}

/// Who the request is authenticated as.
#[utoipa::path(get, path = "/me", tag = "framework",
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(actor: Actor) -> Json<Me> {
    Json(Me {
        name: actor.name,
        label: actor.label,
        role: actor.role,
    })
}

#[derive(Deserialize, IntoParams)]
pub struct RevisionQuery {
    /// A version number, or `draft` (admins). The latest published version when absent.
    #[param(pattern = "^(draft|[1-9][0-9]{0,17})$")]
    pub revision: Option<String>,
}

fn parse_revision(raw: &str) -> Result<Revision, AppError> {
    Revision::parse(raw).ok_or_else(|| {
        AppError::invalid_field(
            "revision",
            format!("“{raw}” is not a revision: use a version number or “draft”"),
        )
    })
}

/// The revision a request asks for: a version, the draft, or by default the published framework.
async fn snapshot(
    state: &AppState,
    actor: &Actor,
    revision: Option<&str>,
) -> ApiResult<Arc<Snapshot>> {
    Ok(match revision {
        Some(raw) => service::framework_at(state, actor, parse_revision(raw)?).await?,
        None => service::require_published(state, actor).await?,
    })
}

/// The framework a request reads, with pay bands removed for those who may not see them.
async fn read(state: &AppState, actor: &Actor, revision: Option<&str>) -> ApiResult<ReadFramework> {
    let snap = snapshot(state, actor, revision).await?;
    let mut framework = snap.framework.clone();
    if !policy::see_pay(actor) {
        for level in framework
            .tracks
            .iter_mut()
            .flat_map(|t| t.levels.iter_mut())
        {
            level.pay = None;
        }
    }
    Ok(ReadFramework {
        version: snap.version.clone().map(Into::into),
        framework,
    })
}

#[derive(Serialize, ToSchema)]
pub struct ReadFramework {
    /// The published version read; absent for the draft.
    pub version: Option<VersionInfo>,
    pub framework: Framework,
}

/// The whole framework: library, grades and every track.
#[utoipa::path(get, path = "/framework", tag = "framework", params(RevisionQuery),
    responses((status = 200, body = ReadFramework), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn get_framework(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<RevisionQuery>,
) -> ApiResult<Json<ReadFramework>> {
    Ok(Json(read(&state, &actor, q.revision.as_deref()).await?))
}

#[derive(Serialize, ToSchema)]
pub struct LevelSummary {
    pub key: String,
    pub title: String,
    pub grade: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TrackSummary {
    pub key: String,
    pub name: String,
    pub family: Option<String>,
    pub kind: TrackKind,
    pub levels: Vec<LevelSummary>,
}

/// Every track with its levels, without the expectations.
#[utoipa::path(get, path = "/tracks", tag = "framework", params(RevisionQuery),
    responses((status = 200, body = Vec<TrackSummary>), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn list_tracks(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<RevisionQuery>,
) -> ApiResult<Json<Vec<TrackSummary>>> {
    let snap = snapshot(&state, &actor, q.revision.as_deref()).await?;
    Ok(Json(
        snap.framework
            .tracks
            .iter()
            .map(|t| TrackSummary {
                key: t.key.to_string(),
                name: t.name.clone(),
                family: t.family.clone(),
                kind: t.kind,
                levels: t
                    .levels
                    .iter()
                    .map(|l| LevelSummary {
                        key: l.key.to_string(),
                        title: l.title.clone(),
                        grade: l.grade.as_ref().map(ToString::to_string),
                    })
                    .collect(),
            })
            .collect(),
    ))
}

/// One track of the revision asked for, with pay bands removed for those who may not see them.
async fn read_track(
    state: &AppState,
    actor: &Actor,
    revision: Option<&str>,
    key: &str,
) -> ApiResult<Track> {
    let snap = snapshot(state, actor, revision).await?;
    let mut track = snap
        .framework
        .track(key)
        .cloned()
        .ok_or_else(|| AppError::not_found(format!("the track “{key}”")))?;
    if !policy::see_pay(actor) {
        for level in &mut track.levels {
            level.pay = None;
        }
    }
    Ok(track)
}

/// One track with every level and expectation.
#[utoipa::path(get, path = "/tracks/{track}", tag = "framework",
    params(("track" = String, Path, description = "The track's key"), RevisionQuery),
    responses((status = 200, body = Track), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn get_track(
    State(state): State<AppState>,
    actor: Actor,
    Path(track): Path<String>,
    Query(q): Query<RevisionQuery>,
) -> ApiResult<Json<Track>> {
    Ok(Json(
        read_track(&state, &actor, q.revision.as_deref(), &track).await?,
    ))
}

/// One level of a track.
#[utoipa::path(get, path = "/tracks/{track}/levels/{level}", tag = "framework",
    params(("track" = String, Path), ("level" = String, Path), RevisionQuery),
    responses((status = 200, body = Level), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn get_level(
    State(state): State<AppState>,
    actor: Actor,
    Path((track, level)): Path<(String, String)>,
    Query(q): Query<RevisionQuery>,
) -> ApiResult<Json<Level>> {
    let t = read_track(&state, &actor, q.revision.as_deref(), &track).await?;
    t.levels
        .into_iter()
        .find(|l| l.key.as_str() == level)
        .map(Json)
        .ok_or_else(|| AppError::not_found(format!("the level “{level}” of “{track}”")))
}

/// The competency library.
#[utoipa::path(get, path = "/competencies", tag = "framework", params(RevisionQuery),
    responses((status = 200, body = Vec<Competency>), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn list_competencies(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<RevisionQuery>,
) -> ApiResult<Json<Vec<Competency>>> {
    let snap = snapshot(&state, &actor, q.revision.as_deref()).await?;
    Ok(Json(snap.framework.competencies.clone()))
}

#[derive(Deserialize, IntoParams)]
pub struct CompareQuery {
    /// `track/level`
    #[param(pattern = "^[^/]+/.+$")]
    pub from: String,
    /// `track/level`
    #[param(pattern = "^[^/]+/.+$")]
    pub to: String,
}

fn split_level(field: &str, value: &str) -> Result<(String, String), AppError> {
    value
        .split_once('/')
        .map(|(t, l)| (t.to_owned(), l.to_owned()))
        .ok_or_else(|| {
            AppError::invalid_field(
                field,
                format!("“{value}” is not a track and a level, such as “software-engineering/se2”"),
            )
        })
}

/// The level delta: what changes from one level to another, competency by competency.
#[utoipa::path(get, path = "/compare", tag = "framework", params(CompareQuery),
    responses((status = 200, description = "The comparison, row by row", body = Object),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn compare(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<CompareQuery>,
) -> ApiResult<Response> {
    let from = split_level("from", &q.from)?;
    let to = split_level("to", &q.to)?;
    let published = service::require_published(&state, &actor).await?;
    let delta = trellis_framework::delta::level_delta(
        &published.framework,
        (&from.0, &from.1),
        (&to.0, &to.1),
    )
    .map_err(|e| AppError::not_found(e.to_string()))?;
    Ok(Json(delta).into_response())
}

/// Every published version, newest first.
#[utoipa::path(get, path = "/versions", tag = "framework",
    responses((status = 200, body = Vec<VersionInfo>)))]
pub async fn list_versions(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<Vec<VersionInfo>>> {
    Ok(Json(
        service::versions(&state, &actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct DiffQuery {
    /// A version number or `draft`.
    #[param(pattern = "^(draft|[1-9][0-9]{0,17})$")]
    pub from: String,
    /// A version number or `draft`.
    #[param(pattern = "^(draft|[1-9][0-9]{0,17})$")]
    pub to: String,
}

/// What changed between two versions (or a version and the draft).
#[utoipa::path(get, path = "/versions/diff", tag = "framework", params(DiffQuery),
    responses((status = 200, description = "Sections of changes", body = Object),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn diff_versions(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DiffQuery>,
) -> ApiResult<Response> {
    let from = parse_revision(&q.from)?;
    let to = parse_revision(&q.to)?;
    Ok(Json(service::diff(&state, &actor, from, to).await?).into_response())
}

/// The framework as a YAML file in the documented format.
#[utoipa::path(get, path = "/framework.yaml", tag = "framework", params(RevisionQuery),
    responses((status = 200, content_type = "application/yaml", body = Object,
        description = "The framework file: a YAML mapping in the format of `/api/schema/framework-v1.json`"),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn export_yaml(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<RevisionQuery>,
) -> ApiResult<Response> {
    let revision = match q.revision.as_deref() {
        Some(raw) => parse_revision(raw)?,
        None => match service::require_published(&state, &actor).await?.version {
            Some(ref v) => Revision::Version(v.number),
            None => Revision::Draft,
        },
    };
    let yaml = service::export_yaml(&state, &actor, revision).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/yaml; charset=utf-8")],
        yaml,
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct DraftState {
    /// Bumped by every change to the draft.
    pub revision: i64,
    /// The draft differs from the latest published version.
    pub pending: bool,
    pub latest_version: Option<i64>,
    /// What must be fixed before publishing; `field` is the path in the framework document.
    pub problems: Vec<FieldError>,
    pub framework: Framework,
}

fn draft_state(d: service::Draft) -> DraftState {
    DraftState {
        revision: d.snapshot.id,
        pending: d.pending,
        latest_version: d.latest_version,
        problems: d.problem_fields(),
        framework: d.snapshot.framework.clone(),
    }
}

/// The draft (admins).
#[utoipa::path(get, path = "/draft", tag = "draft",
    responses((status = 200, body = DraftState), (status = 403, body = Problem)))]
pub async fn get_draft(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<DraftState>> {
    Ok(Json(draft_state(service::draft(&state, &actor).await?)))
}

/// Applies one change to the draft: the body is an edit such as
/// `{"op": "add_level", "track": "backend", "key": "be4", "title": "Staff Engineer"}`.
#[utoipa::path(post, path = "/draft/edits", tag = "draft",
    request_body(content = Object, description = "One edit, tagged by `op`"),
    responses((status = 200, body = DraftState), (status = 400, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn edit_draft(
    State(state): State<AppState>,
    actor: Actor,
    body: Bytes,
) -> ApiResult<Json<DraftState>> {
    let change: Edit = serde_json::from_slice(&body)
        .map_err(|e| AppError::invalid_field("", format!("the edit is not valid: {e}")))?;
    Ok(Json(draft_state(
        service::apply_edit(&state, &actor, &change).await?,
    )))
}

#[derive(Deserialize, IntoParams)]
pub struct ImportQuery {
    /// Report what would change without changing anything.
    #[serde(default)]
    pub dry_run: bool,
    /// Remove from the draft what the file does not have.
    #[serde(default)]
    pub prune: bool,
    /// The items on which the file's version replaces the draft's, comma-separated: the `id`s of the
    /// report's `differences` (for example `competency:ownership,grade:g1`), or `all` for every item
    /// and the file's order. Without it, the draft keeps everything it has and only gains what is new.
    pub take: Option<String>,
    /// Publish the result with this change note.
    pub publish_note: Option<String>,
    /// The format of the body: trellis, monzo, snowflake, ft, ladders, csv or 15five. Without it,
    /// the format is detected from the file, else it is Trellis YAML.
    pub from: Option<String>,
    /// The name of the file in the body, used in messages and to detect the format.
    pub filename: Option<String>,
    /// The name of the one track a snowflake or FT file becomes.
    pub track_name: Option<String>,
}

/// Several files in one request (for monzo, ft and ladders), sent as
/// `application/json`: `{ "files": [ { "name": "backend.md", "content": "..." } ] }`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportFiles {
    pub files: Vec<ImportFile>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportFile {
    pub name: String,
    pub content: String,
}

/// Imports a framework file (the request body) into the draft, by key: Trellis YAML, or with `from`
/// another published format; several files go in an `ImportFiles` JSON body. The draft keeps what
/// it has (names, descriptions, cells, the order of every list) and gains what is new; the report's
/// `differences` list each item the file describes otherwise, and `take` names those on which the
/// file wins (preview with `dry_run`, then apply with the same `take`). All or nothing: files
/// with mistakes change nothing and every mistake is listed with its file, line and column. The
/// report lists what the files had that Trellis does not keep.
#[utoipa::path(post, path = "/draft/import", tag = "draft", params(ImportQuery),
    request_body(content(
        (String = "application/yaml"), (String = "text/csv"), (String = "text/markdown"),
        (ImportFiles = "application/json"))),
    responses((status = 200, body = ImportReport), (status = 422, body = Problem)))]
pub async fn import_yaml(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ImportQuery>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| AppError::bad_request("the body must be UTF-8 text"))?;
    let json = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    // A snowflake export is JSON too: only a body of exactly this shape is a list of files.
    let files = match serde_json::from_str::<ImportFiles>(text) {
        Ok(list) if json => list
            .files
            .into_iter()
            .map(|f| SourceFile::new(f.name, f.content))
            .collect(),
        _ => vec![SourceFile::new(
            q.filename.unwrap_or_else(|| "body".into()),
            text,
        )],
    };
    let asked = match q.from.as_deref() {
        None | Some("") => None,
        Some(name) => Some(Format::parse(name).ok_or_else(|| {
            AppError::invalid_field(
                "from",
                format!(
                    "“{name}” is not a format: use {}",
                    Format::ALL.map(Format::name).join(", ")
                ),
            )
        })?),
    };
    let format = service::import_format(asked, &files);
    let read = import::Options {
        track_name: q.track_name,
    };
    let options = ImportOptions {
        dry_run: q.dry_run,
        prune: q.prune,
        take: Take::from_request(q.take.as_deref().unwrap_or_default().split(',')),
        publish_note: q.publish_note,
    };
    Ok(Json(
        service::import_files(&state, &actor, format, &files, &read, &options)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct PublishRequest {
    /// What changed and why, shown to everyone in the history.
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct Published {
    pub version: i64,
}

/// Publishes the draft as the next version.
#[utoipa::path(post, path = "/draft/publish", tag = "draft", request_body = PublishRequest,
    responses((status = 200, body = Published), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    actor: Actor,
    Json(req): Json<PublishRequest>,
) -> ApiResult<Json<Published>> {
    Ok(Json(Published {
        version: service::publish(&state, &actor, &req.note).await?,
    }))
}

/// One thing the linter found in the draft.
#[derive(Serialize, ToSchema)]
pub struct LintFinding {
    /// The rule's id, such as `vague-wording`.
    pub rule: &'static str,
    pub severity: Severity,
    /// Where it is: the path in the framework document, as in the draft's `problems`.
    pub path: String,
    pub message: String,
    pub suggestion: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LintReport {
    /// The draft revision linted.
    pub revision: i64,
    /// Lint errors: they fail `trellis framework lint` but do not block publishing.
    pub errors: usize,
    pub warnings: usize,
    /// What must be fixed before publishing, as in the draft's `problems`: listed with the
    /// findings, so that one problem hides no finding and one request shows everything.
    pub problems: Vec<FieldError>,
    /// In document order.
    pub findings: Vec<LintFinding>,
}

/// What the linter finds in the draft (admins): empty cells, repeated bullets, levels that do not
/// grow, vague or jargon wording, filler, long sentences, mixed person. Lint errors do not block
/// publishing; the draft's `problems` do.
#[utoipa::path(get, path = "/draft/lint", tag = "draft",
    responses((status = 200, body = LintReport), (status = 403, body = Problem)))]
pub async fn lint_draft(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<LintReport>> {
    let service::DraftLint {
        revision,
        problems,
        findings,
    } = service::lint_draft(&state, &actor).await?;
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    Ok(Json(LintReport {
        revision,
        errors,
        warnings: findings.len() - errors,
        problems,
        findings: findings
            .into_iter()
            .map(|f| LintFinding {
                rule: f.rule,
                severity: f.severity,
                path: f.path.iter().map(ToString::to_string).collect(),
                message: f.message,
                suggestion: f.suggestion,
            })
            .collect(),
    }))
}
