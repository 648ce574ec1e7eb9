//! Versions and files: the history of published versions, the diff between any two revisions,
//! publishing the draft, YAML import (with a preview), and downloads (YAML, CSV, markdown in a zip).

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use trellis_framework::diff::Diff;
use trellis_framework::import::{Format, SourceFile};

use crate::architecture::framework::{self as service, ImportOptions, Revision, VersionInfo};
use crate::architecture::web::editor::{Checks, checks};
use crate::auth::{Actor, policy};
use crate::error::{AppError, FieldError, FileError};
use crate::state::AppState;
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, render, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/versions", get(history))
        .route("/versions/diff", get(diff_page))
        .route("/versions/{number}/export.yaml", get(export_version))
        .route("/versions/{number}/export.csv", get(export_version_csv))
        .route(
            "/versions/{number}/export-markdown.zip",
            get(export_version_markdown),
        )
        .route("/draft/export.yaml", get(export_draft))
        .route("/draft/export.csv", get(export_draft_csv))
        .route("/draft/export-markdown.zip", get(export_draft_markdown))
        .route("/draft/publish", get(publish_page).post(publish))
        .route("/draft/discard", post(discard))
        .route("/draft/import", get(import_page).post(import))
}

#[derive(Template)]
#[template(path = "versions/history.html")]
struct HistoryPage {
    layout: Layout,
    versions: Vec<VersionInfo>,
}

async fn history(State(state): State<AppState>, actor: Actor) -> PageResult {
    let versions = service::versions(&state, &actor).await?;
    render(&HistoryPage {
        layout: Layout::new("Version history", "versions", Some(&actor)),
        versions,
    })
}

#[derive(Deserialize)]
struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template)]
#[template(path = "versions/diff.html")]
struct DiffPage {
    layout: Layout,
    from: String,
    to: String,
    choices: Vec<(String, String)>,
    diff: Diff,
}

fn parse_revision(raw: &str) -> Result<Revision, AppError> {
    Revision::parse(raw).ok_or_else(|| {
        AppError::bad_request(format!(
            "“{raw}” is not a version: use a version number or “draft”"
        ))
    })
}

async fn diff_page(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DiffQuery>,
) -> PageResult {
    let versions = service::versions(&state, &actor).await?;
    let latest = versions.first().map(|v| v.number);
    let reads_draft = policy::read_draft(&actor).is_ok();
    let default_to = if reads_draft {
        "draft".to_owned()
    } else {
        latest.map(|n| n.to_string()).unwrap_or_default()
    };
    let to_raw = q.to.filter(|s| !s.is_empty()).unwrap_or(default_to);
    let to = parse_revision(&to_raw)?;
    let default_from = match to {
        Revision::Draft => latest,
        Revision::Version(n) => Some((n - 1).max(1)),
    };
    let from_raw = q
        .from
        .filter(|s| !s.is_empty())
        .or_else(|| default_from.map(|n| n.to_string()))
        .ok_or_else(|| AppError::not_found("a published version to compare with"))?;
    let from = parse_revision(&from_raw)?;
    let diff = service::diff(&state, &actor, from, to).await?;
    let mut choices: Vec<(String, String)> = versions
        .iter()
        .map(|v| (v.number.to_string(), format!("Version {}", v.number)))
        .collect();
    if reads_draft {
        choices.insert(0, ("draft".into(), "Draft".into()));
    }
    render(&DiffPage {
        layout: Layout::new("Compare versions", "versions", Some(&actor)),
        from: from.label(),
        to: to.label(),
        choices,
        diff,
    })
}

/// A file to save rather than show.
fn download(body: impl IntoResponse, content_type: &'static str, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

fn yaml_download(body: String, filename: &str) -> Response {
    download(body, "application/yaml; charset=utf-8", filename)
}

/// The file name of an export: `framework-v3` or `framework-draft`.
fn export_name(at: Revision) -> String {
    match at {
        Revision::Version(n) => format!("framework-v{n}"),
        Revision::Draft => "framework-draft".to_owned(),
    }
}

async fn csv_download(state: &AppState, actor: &Actor, at: Revision) -> PageResult {
    let csv = service::export_csv(state, actor, at).await?;
    Ok(download(
        csv,
        "text/csv; charset=utf-8",
        &format!("{}.csv", export_name(at)),
    ))
}

/// The markdown export as a zip archive in a folder named like the file. A zip opens with a double
/// click on every desktop, which is what the people who ask for markdown files expect.
async fn markdown_download(state: &AppState, actor: &Actor, at: Revision) -> PageResult {
    let files = service::export_markdown(state, actor, at).await?;
    let name = export_name(at);
    let archive = zip_archive(&name, &files)
        .map_err(|e| AppError::internal(format!("cannot write the zip archive: {e}")))?;
    Ok(download(
        archive,
        "application/zip",
        &format!("{name}-markdown.zip"),
    ))
}

/// A deflated zip of `files` under the folder `root`. Entries carry no time stamp (zip's default,
/// 1980-01-01), so the same framework gives the same bytes.
fn zip_archive(root: &str, files: &[(String, String)]) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for (path, content) in files {
        zip.start_file(format!("{root}/{path}"), options)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

async fn export_version_csv(
    State(state): State<AppState>,
    actor: Actor,
    Path(number): Path<i64>,
) -> PageResult {
    csv_download(&state, &actor, Revision::Version(number)).await
}

async fn export_draft_csv(State(state): State<AppState>, actor: Actor) -> PageResult {
    csv_download(&state, &actor, Revision::Draft).await
}

async fn export_version_markdown(
    State(state): State<AppState>,
    actor: Actor,
    Path(number): Path<i64>,
) -> PageResult {
    markdown_download(&state, &actor, Revision::Version(number)).await
}

async fn export_draft_markdown(State(state): State<AppState>, actor: Actor) -> PageResult {
    markdown_download(&state, &actor, Revision::Draft).await
}

async fn export_version(
    State(state): State<AppState>,
    actor: Actor,
    Path(number): Path<i64>,
) -> PageResult {
    let yaml = service::export_yaml(&state, &actor, Revision::Version(number)).await?;
    Ok(yaml_download(yaml, &format!("framework-v{number}.yaml")))
}

async fn export_draft(State(state): State<AppState>, actor: Actor) -> PageResult {
    let yaml = service::export_yaml(&state, &actor, Revision::Draft).await?;
    Ok(yaml_download(yaml, "framework-draft.yaml"))
}

#[derive(Template)]
#[template(path = "versions/publish.html")]
struct PublishPage {
    layout: Layout,
    pending: bool,
    checks: Checks,
    diff: Diff,
    latest: Option<i64>,
    note: String,
    errors: Vec<FieldError>,
}

async fn publish_form(
    state: &AppState,
    actor: &Actor,
    note: String,
    errors: Vec<FieldError>,
) -> Result<PublishPage, AppError> {
    let draft = service::draft(state, actor).await?;
    let base = match draft.latest_version {
        Some(n) => service::framework_at(state, actor, Revision::Version(n))
            .await?
            .framework
            .clone(),
        None => trellis_framework::Framework::default(),
    };
    Ok(PublishPage {
        layout: Layout::new("Publish the draft", "draft", Some(actor)),
        pending: draft.pending,
        checks: checks(
            &draft.snapshot.framework,
            &draft.problems,
            draft.snapshot.findings(),
        ),
        diff: trellis_framework::diff::diff(&base, &draft.snapshot.framework),
        latest: draft.latest_version,
        note,
        errors,
    })
}

async fn publish_page(State(state): State<AppState>, actor: Actor) -> PageResult {
    render(&publish_form(&state, &actor, String::new(), Vec::new()).await?)
}

#[derive(Deserialize)]
struct PublishForm {
    note: String,
}

async fn publish(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<PublishForm>,
) -> PageResult {
    match service::publish(&state, &actor, &form.note).await {
        Ok(number) => Ok(crate::web::flash::redirect(
            "/versions",
            format!("Version {number} was published: everyone now reads it."),
            Some((
                &format!("/versions/{number}"),
                "See what this version changed",
            )),
        )),
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN => {
            let page = publish_form(&state, &actor, form.note, e.field_errors()).await?;
            render_with(e.status(), &page)
        }
        Err(e) => Err(e),
    }
}

async fn discard(State(state): State<AppState>, actor: Actor) -> PageResult {
    service::discard_draft(&state, &actor).await?;
    Ok(crate::web::flash::redirect(
        "/draft",
        "The draft was discarded: it is the latest published version again.",
        Some(("/tracks", "See the published tracks")),
    ))
}

#[derive(Template)]
#[template(path = "versions/import.html")]
struct ImportPage {
    layout: Layout,
    /// The uploaded files, kept so that "Apply" sends the same content that was previewed.
    files: Vec<SourceFile>,
    /// The format's name; empty means "detect from the file". After a preview, the format that
    /// was used, so that "Apply" reads the files the same way.
    format: String,
    /// Every format as (name, label), for the select.
    formats: Vec<(&'static str, &'static str)>,
    prune: bool,
    file_errors: Vec<FileError>,
    error: Option<String>,
    preview: Option<service::ImportReport>,
    applied: bool,
}

impl ImportPage {
    fn new(actor: &Actor) -> ImportPage {
        ImportPage {
            layout: Layout::new("Import a framework file", "draft", Some(actor)),
            files: Vec::new(),
            format: String::new(),
            formats: Format::ALL.map(|f| (f.name(), f.label())).to_vec(),
            prune: false,
            file_errors: Vec::new(),
            error: None,
            preview: None,
            applied: false,
        }
    }

    /// The names of the files, for messages.
    fn filenames(&self) -> String {
        let names: Vec<&str> = self.files.iter().map(|f| f.name.as_str()).collect();
        names.join(", ")
    }
}

async fn import_page(State(state): State<AppState>, actor: Actor) -> PageResult {
    // Only admins may import; ask the policy before showing the form.
    service::draft(&state, &actor).await?;
    render(&ImportPage::new(&actor))
}

/// The import form: file uploads (or the previewed files sent back as `filename` and `content`
/// pairs), `format` (empty to detect it), `prune`, and `step` (`preview` or `apply`).
async fn import(
    State(state): State<AppState>,
    actor: Actor,
    mut multipart: Multipart,
) -> PageResult {
    service::draft(&state, &actor).await?;
    let mut page = ImportPage::new(&actor);
    let mut apply = false;
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::bad_request(format!("the upload is unreadable: {e}"))
    };
    let (mut names, mut contents) = (Vec::new(), Vec::new());
    let mut take: Vec<String> = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().unwrap_or("framework.yaml").to_owned();
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                        AppError::bad_request(format!(
                            "{name} is not text in UTF-8; save it as UTF-8 and try again"
                        ))
                    })?;
                    page.files.push(SourceFile::new(name, text));
                }
            }
            "content" => contents.push(field.text().await.map_err(bad)?),
            "filename" => names.push(field.text().await.map_err(bad)?),
            "format" => page.format = field.text().await.map_err(bad)?,
            "prune" => page.prune = field.text().await.map_err(bad)? == "on",
            "take" => take.push(field.text().await.map_err(bad)?),
            "step" => apply = field.text().await.map_err(bad)? == "apply",
            _ => {}
        }
    }
    if page.files.is_empty() {
        page.files = names
            .into_iter()
            .zip(contents)
            .map(|(name, text)| SourceFile::new(name, text))
            .collect();
    }
    if page.files.iter().all(|f| f.text.trim().is_empty()) {
        page.files.clear();
        page.error = Some("choose a file to import".into());
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let format = service::import_format(Format::parse(&page.format), &page.files);
    page.format = format.name().to_owned();
    let options = ImportOptions {
        dry_run: !apply,
        prune: page.prune,
        take: trellis_framework::merge::Take::from_request(&take),
        publish_note: None,
    };
    let read = trellis_framework::import::Options::default();
    match service::import_files(&state, &actor, format, &page.files, &read, &options).await {
        Ok(report) => {
            page.applied = apply;
            page.preview = Some(report);
            render(&page)
        }
        Err(AppError::InvalidFile { errors }) => {
            page.file_errors = errors;
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) if e.status().is_client_error() && e.status() != StatusCode::FORBIDDEN => {
            page.error = Some(e.public_message());
            render_with(e.status(), &page)
        }
        Err(e) => Err(e),
    }
}
