//! The template gallery (admins): browse the ready-made tracks, preview one as a matrix, see what
//! adding it would change in the draft, and add it whole or track by track.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::architecture::framework::{self as service, ImportReport};
use crate::architecture::templates::{self, TemplateSummary};
use crate::architecture::web::framework::{MatrixFragment, matrix_view};
use crate::auth::Actor;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::routes::{Routes, get};
use crate::web::{Layout, PageResult, render, render_with};
use trellis_framework::merge::Take;

pub fn routes() -> Routes {
    Routes::new()
        .route("/draft/templates", get(gallery))
        .route("/draft/templates/{id}", get(preview).post(add))
        .route("/draft/templates/{id}/source.yaml", get(source))
}

#[derive(Template)]
#[template(path = "gallery/list.html")]
struct GalleryPage {
    layout: Layout,
    /// Each template with its description rendered from markdown.
    templates: Vec<(TemplateSummary, Option<std::sync::Arc<str>>)>,
}

async fn gallery(State(state): State<AppState>, actor: Actor) -> PageResult {
    let md = state.markdown();
    render(&GalleryPage {
        layout: Layout::new("Track templates", "draft", Some(&actor)),
        templates: templates::templates(&actor)?
            .iter()
            .map(|t| {
                let description = t.framework.description.as_deref().map(|d| md.block(d));
                (t.summary(), description)
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "gallery/preview.html")]
struct PreviewPage {
    layout: Layout,
    summary: TemplateSummary,
    description: Option<std::sync::Arc<str>>,
    matrices: Vec<(String, String)>,
    chosen: Vec<String>,
    report: Option<ImportReport>,
    error: Option<String>,
}

impl PreviewPage {
    fn is_chosen(&self, key: &str) -> bool {
        self.chosen.is_empty() || self.chosen.iter().any(|k| k == key)
    }
}

fn preview_page(
    state: &AppState,
    actor: &Actor,
    id: &str,
    chosen: Vec<String>,
) -> Result<PreviewPage, AppError> {
    let template = templates::template(actor, id)?;
    let md = state.markdown();
    let matrices = template
        .framework
        .tracks
        .iter()
        .map(|t| {
            let html = MatrixFragment {
                level_base: String::new(),
                matrix: matrix_view(md, &template.framework, t, false),
                here: None,
                next: None,
            }
            .render()
            .map_err(|e| AppError::internal(format!("template failed: {e}")))?;
            Ok((t.name.clone(), html))
        })
        .collect::<Result<_, AppError>>()?;
    Ok(PreviewPage {
        layout: Layout::new(template.framework.name.clone(), "draft", Some(actor)),
        summary: template.summary(),
        description: template
            .framework
            .description
            .as_deref()
            .map(|d| md.block(d)),
        matrices,
        chosen,
        report: None,
        error: None,
    })
}

async fn preview(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> PageResult {
    render(&preview_page(&state, &actor, &id, Vec::new())?)
}

/// The form sends `track` once per chosen track and `step` = `preview` or `add`.
async fn add(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let chosen: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "track")
        .map(|(_, v)| v.clone())
        .collect();
    let apply = fields.iter().any(|(k, v)| k == "step" && v == "add");
    let take = Take::from_request(fields.iter().filter(|(k, _)| k == "take").map(|(_, v)| v));
    let mut page = preview_page(&state, &actor, &id, chosen.clone())?;
    if chosen.is_empty() {
        page.error = Some("choose at least one track to add".into());
        return render_with(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    match templates::add_to_draft(&state, &actor, &id, &chosen, take, !apply).await {
        Ok(report) if apply => {
            let names: Vec<&str> = page
                .summary
                .tracks
                .iter()
                .filter(|t| chosen.contains(&t.key))
                .map(|t| t.name.as_str())
                .collect();
            let published = service::draft(&state, &actor).await?.latest_version;
            Ok(added(&names, &report, published))
        }
        Ok(report) => {
            page.report = Some(report);
            render(&page)
        }
        Err(e)
            if e.status().is_client_error() && e.status() != axum::http::StatusCode::FORBIDDEN =>
        {
            let status = e.status();
            page.error = Some(e.public_message());
            render_with(status, &page)
        }
        Err(e) => Err(e),
    }
}

/// After adding: back to the editor, saying what changed and what the draft kept, with a link to
/// the changes.
fn added(tracks: &[&str], report: &ImportReport, published: Option<i64>) -> Response {
    let mut message = if report.diff.sections.is_empty() {
        format!(
            "Nothing changed: the draft already has everything {} brings.",
            and_list(tracks)
        )
    } else if tracks.len() == 1 {
        format!("The track {} was added to the draft.", and_list(tracks))
    } else {
        format!("The tracks {} were added to the draft.", and_list(tracks))
    };
    let taken = report.differences.iter().filter(|d| d.taken).count();
    let kept = report.differences.len() - taken;
    if taken > 0 {
        message.push_str(&format!(
            " The template's version replaced the draft's for {}.",
            crate::text::count(taken, "item", "items")
        ));
    }
    if kept > 0 {
        message.push_str(&format!(
            " The draft kept its own version of {} the template describes differently.",
            crate::text::count(kept, "item", "items")
        ));
    }
    let diff = published.map(|n| format!("/versions/diff?from={n}&to=draft"));
    let next = match &diff {
        Some(href) => (
            href.as_str(),
            "See what changed since the published version",
        ),
        None => ("/draft/publish", "Review the draft and publish it"),
    };
    crate::web::flash::redirect("/draft", message, Some(next))
}

/// "A", "A and B", "A, B and C".
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

async fn source(actor: Actor, Path(id): Path<String>) -> Result<Response, AppError> {
    let text = templates::source(&actor, &id)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/yaml; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{id}.yaml\""),
            ),
        ],
        text,
    )
        .into_response())
}
