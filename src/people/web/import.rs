//! Importing people from a CSV file in the browser: upload, a preview of what changes (or every
//! mistake, with its line and column), then apply the same content; and the export as a download.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use crate::auth::{Actor, policy};
use crate::error::AppError;
use crate::people::import::{self as service, ImportError, ImportOptions, ImportSummary, RowError};
use crate::state::AppState;
use crate::web::routes::{Routes, get};
use crate::web::{Layout, PageResult, render, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/people/import", get(import_page).post(import))
        .route("/people/export.csv", get(export))
}

#[derive(Template)]
#[template(path = "people/import.html")]
struct ImportPage {
    layout: Layout,
    /// The uploaded file's name and content, kept so that "Apply" sends what was previewed.
    filename: String,
    content: String,
    deactivate_missing: bool,
    error: Option<String>,
    row_errors: Vec<RowError>,
    summary: Option<ImportSummary>,
    applied: bool,
}

impl ImportPage {
    fn new(actor: &Actor) -> ImportPage {
        ImportPage {
            layout: Layout::new("Import people", "people", Some(actor)),
            filename: String::new(),
            content: String::new(),
            deactivate_missing: false,
            error: None,
            row_errors: Vec::new(),
            summary: None,
            applied: false,
        }
    }
}

async fn import_page(actor: Actor) -> PageResult {
    policy::manage_people(&actor)?;
    render(&ImportPage::new(&actor))
}

/// The form: a `file` upload (or the previewed `filename` and `content` sent back),
/// `deactivate_missing`, and `step` (`preview` or `apply`).
async fn import(
    State(state): State<AppState>,
    actor: Actor,
    mut multipart: Multipart,
) -> PageResult {
    policy::manage_people(&actor)?;
    let mut page = ImportPage::new(&actor);
    let mut apply = false;
    let (mut uploaded, mut sent_back) = (None, None);
    let mut sent_name = None;
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::bad_request(format!("the upload is unreadable: {e}"))
    };
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().unwrap_or("people.csv").to_owned();
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                        AppError::bad_request(format!(
                            "{name} is not text in UTF-8; save it as CSV UTF-8 and try again"
                        ))
                    })?;
                    uploaded = Some((name, text));
                }
            }
            "filename" => sent_name = Some(field.text().await.map_err(bad)?),
            "content" => sent_back = Some(field.text().await.map_err(bad)?),
            "deactivate_missing" => {
                page.deactivate_missing = field.text().await.map_err(bad)? == "on";
            }
            "step" => apply = field.text().await.map_err(bad)? == "apply",
            _ => {}
        }
    }
    let (filename, content) = match (uploaded, sent_back) {
        (Some(file), _) => file,
        (None, Some(text)) => (sent_name.unwrap_or_else(|| "people.csv".into()), text),
        (None, None) => (String::new(), String::new()),
    };
    if content.trim().is_empty() {
        page.error = Some("choose a CSV file to import".into());
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    page.filename = filename;
    page.content = content;
    let options = ImportOptions {
        dry_run: !apply,
        deactivate_missing: page.deactivate_missing,
    };
    match service::import_csv(&state, &actor, &page.content, options, &|_, _| {}).await {
        Ok(summary) => {
            page.applied = apply;
            page.summary = Some(summary);
            render(&page)
        }
        Err(ImportError::Rows(errors)) => {
            page.row_errors = errors;
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(ImportError::App(e)) => Err(e),
    }
}

async fn export(State(state): State<AppState>, actor: Actor) -> PageResult {
    let csv = service::export_csv(&state, &actor).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"people.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}
