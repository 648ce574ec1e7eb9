//! One cell of a track's matrix, edited in place. With htmx, "Edit" swaps the cell for its form and
//! "Save" or "Cancel" swap the form back for the cell; without JavaScript the same addresses give a
//! page with the form, and saving returns to the matrix at the cell.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use trellis_framework::edit::{Edit, EditError};
use trellis_framework::lint::Finding;
use trellis_framework::{Framework, Level, Seg, Track};

use super::track::find_track;
use super::{At, CellAt, Editor, Place, path_key};
use crate::architecture::web::framework::{CellView, cell_view};
use crate::error::{AppError, AppResult};
use crate::web::forms::{ErrorLink, Fields, FormView, Forms};
use crate::web::routes::{Routes, get};
use crate::web::{Layout, PageResult, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route(
            "/draft/tracks/{track}/cells/{level}/{competency}",
            get(show).post(save),
        )
        .route(
            "/draft/tracks/{track}/cells/{level}/{competency}/edit",
            get(edit),
        )
}

/// A cell of the editor's matrix: the read-only cell with its "Edit" button.
pub struct EditableCell {
    pub track: String,
    pub level_title: String,
    pub competency_name: String,
    pub cell: CellView,
    /// The Edit button takes the focus, as it does when the form it replaced goes away.
    pub focus: bool,
    /// What the linter says about the cell.
    pub notes: Vec<CellNote>,
}

/// A lint finding shown on a cell.
pub struct CellNote {
    pub severity: &'static str,
    pub message: String,
}

/// The findings about one cell (its expectations or any of their bullets).
pub fn cell_notes(
    findings: &[Finding],
    track: usize,
    level: usize,
    competency: &str,
) -> Vec<CellNote> {
    findings
        .iter()
        .filter(|f| {
            matches!(f.path.get(..6), Some([Seg::Field(t), Seg::Index(i), Seg::Field(l), Seg::Index(j), Seg::Field(e), Seg::Field(c)])
                if t == "tracks" && *i == track && l == "levels" && *j == level && e == "expectations" && c == competency)
        })
        .map(|f| CellNote {
            severity: f.severity.as_str(),
            message: f.message.clone(),
        })
        .collect()
}

impl EditableCell {
    pub fn url(&self) -> String {
        format!(
            "/draft/tracks/{}/cells/{}/{}",
            self.track, self.cell.level, self.cell.competency
        )
    }
}

/// What the cell's form shows.
pub struct CellForm {
    pub url: String,
    pub dom_id: String,
    pub track: String,
    pub level_title: String,
    pub competency_name: String,
    pub expectations: String,
    pub examples: String,
    pub not_applicable: bool,
    pub form: FormView,
    /// Shown on its own page (without JavaScript) rather than swapped into the matrix.
    pub in_page: bool,
}

#[derive(Template)]
#[template(path = "editor/cell.html")]
struct CellFragment {
    c: EditableCell,
}

#[derive(Template)]
#[template(path = "editor/cell_form.html")]
struct CellFormFragment {
    c: CellForm,
}

#[derive(Template)]
#[template(path = "editor/cell_page.html")]
struct CellPage {
    layout: Layout,
    errors: Vec<ErrorLink>,
    track_name: String,
    c: CellForm,
}

fn cell_at(track: &str, level: &str, competency: &str) -> AppResult<CellAt> {
    Ok(CellAt {
        track: path_key(track, "track")?,
        level: path_key(level, "level")?,
        competency: path_key(competency, "competency")?,
    })
}

/// The cell's track and level, and the competency's name, if the track has that cell.
fn locate<'a>(fw: &'a Framework, at: &CellAt) -> AppResult<(&'a Track, &'a Level, String)> {
    let track = find_track(fw, &at.track)?;
    let level = track.level(at.level.as_str()).ok_or_else(|| {
        AppError::not_found(format!("the level “{}” of “{}”", at.level, at.track))
    })?;
    if !track.competencies.contains(&at.competency) {
        return Err(AppError::not_found(format!(
            "the competency “{}” in “{}”",
            at.competency, at.track
        )));
    }
    let name = fw
        .competency(at.competency.as_str())
        .map_or_else(|| at.competency.to_string(), |c| c.name.clone());
    Ok((track, level, name))
}

/// The same address answers htmx with a fragment and a browser with a page: caches must tell them apart.
fn vary_on_htmx(result: PageResult) -> PageResult {
    let mut res = result?;
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("HX-Request"));
    Ok(res)
}

/// The cell as the matrix shows it, as an htmx fragment.
pub async fn display(ed: &Editor, at: &CellAt, focus: bool) -> PageResult {
    let draft = ed.draft().await?;
    let fw = &draft.snapshot.framework;
    let (track, level, name) = locate(fw, at)?;
    let fragment = CellFragment {
        c: EditableCell {
            track: track.key.to_string(),
            level_title: level.title.clone(),
            competency_name: name,
            cell: cell_view(
                ed.state.markdown(),
                track,
                level.key.as_str(),
                &at.competency,
            ),
            focus,
            notes: cell_notes(
                draft.snapshot.findings(),
                fw.tracks
                    .iter()
                    .position(|t| t.key == track.key)
                    .unwrap_or(usize::MAX),
                track.rank_of(level.key.as_str()).unwrap_or(usize::MAX),
                at.competency.as_str(),
            ),
        },
    };
    vary_on_htmx(render_with(StatusCode::OK, &fragment))
}

/// The cell's form: a fragment for htmx, a page otherwise.
pub async fn form(ed: &Editor, at: &CellAt, forms: Forms, status: StatusCode) -> PageResult {
    let draft = ed.draft().await?;
    let fw = &draft.snapshot.framework;
    let (track, level, name) = locate(fw, at)?;
    let joined = |cells: &std::collections::BTreeMap<trellis_framework::Key, Vec<String>>| {
        cells
            .get(&at.competency)
            .map(|bullets| bullets.join("\n"))
            .unwrap_or_default()
    };
    let c = CellForm {
        url: format!(
            "/draft/tracks/{}/cells/{}/{}",
            at.track, at.level, at.competency
        ),
        dom_id: at.dom_id(),
        track: track.key.to_string(),
        level_title: level.title.clone(),
        competency_name: name,
        expectations: joined(&level.expectations),
        examples: joined(&level.examples),
        not_applicable: level.is_not_applicable(&at.competency),
        form: forms.form(at.dom_id()),
        in_page: !ed.htmx,
    };
    let result = if ed.htmx {
        render_with(status, &CellFormFragment { c })
    } else {
        render_with(
            status,
            &CellPage {
                layout: Layout::new(
                    format!("{} at {}", c.competency_name, c.level_title),
                    "draft",
                    Some(&ed.actor),
                ),
                errors: forms.summary(),
                track_name: track.name.clone(),
                c,
            },
        )
    };
    vary_on_htmx(result)
}

async fn show(ed: Editor, Path((t, l, c)): Path<(String, String, String)>) -> PageResult {
    let at = cell_at(&t, &l, &c)?;
    if ed.htmx {
        display(&ed, &at, true).await
    } else {
        // Like every page of the editor, for those who may read the draft only.
        crate::auth::policy::read_draft(&ed.actor)?;
        let location = format!("/draft/tracks/{}#{}", at.track, at.dom_id());
        vary_on_htmx(Ok(Redirect::to(&location).into_response()))
    }
}

async fn edit(ed: Editor, Path((t, l, c)): Path<(String, String, String)>) -> PageResult {
    let at = cell_at(&t, &l, &c)?;
    form(&ed, &at, Forms::default(), StatusCode::OK).await
}

async fn save(
    ed: Editor,
    Path((t, l, c)): Path<(String, String, String)>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let at = cell_at(&t, &l, &c)?;
    let target = At::new(Place::Cell(at.clone()), at.dom_id());
    ed.submit(target, fields, |f, _| {
        let not_applicable = f.checked("not_applicable");
        let expectations = f.lines("expectations");
        let examples = f.lines("examples");
        if not_applicable
            && expectations
                .iter()
                .chain(&examples)
                .any(|b| !b.trim().is_empty())
        {
            return Err(EditError {
                field: Some("not_applicable"),
                message: "a competency that does not apply at this level has no expectations or \
                          examples: clear them, or untick “Not applicable”"
                    .into(),
            });
        }
        Ok(Edit::SetCell {
            track: at.track.clone(),
            level: at.level.clone(),
            competency: at.competency.clone(),
            expectations,
            examples,
            not_applicable,
        })
    })
    .await
}
