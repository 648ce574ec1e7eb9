//! A track in the editor: its details, its levels (with grade and pay band), its rows, and its matrix,
//! whose cells are edited in place (see [`super::cells`]).

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use trellis_framework::edit::Edit;
use trellis_framework::{Framework, Key, Track};

use super::cells::{EditableCell, cell_notes};
use super::{
    At, Choice, Editor, Place, ends, index_of, kind_choices, path_key, shown_category, step_to,
};
use crate::architecture::web::framework::{LevelHead, grouped_rows, matrix_view};
use crate::error::AppError;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms};
use crate::web::routes::{Routes, post};
use crate::web::{Layout, PageResult, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/draft/tracks/{track}", post(update_track).get(show))
        .route("/draft/tracks/{track}/levels", post(add_level))
        .route("/draft/tracks/{track}/levels/{level}", post(update_level))
        .route(
            "/draft/tracks/{track}/levels/{level}/move",
            post(move_level),
        )
        .route(
            "/draft/tracks/{track}/levels/{level}/remove",
            post(remove_level),
        )
        .route("/draft/tracks/{track}/rows", post(add_row))
        .route(
            "/draft/tracks/{track}/rows/{competency}/move",
            post(move_row),
        )
        .route(
            "/draft/tracks/{track}/rows/{competency}/remove",
            post(remove_row),
        )
}

pub fn find_track<'a>(fw: &'a Framework, key: &Key) -> Result<&'a Track, AppError> {
    fw.track(key.as_str())
        .ok_or_else(|| AppError::not_found(format!("the track “{key}”")))
}

pub struct LevelItem {
    pub key: String,
    pub title: String,
    pub grade: String,
    pub summary: String,
    pub pay_currency: String,
    pub pay_min: String,
    pub pay_mid: String,
    pub pay_max: String,
    pub first: bool,
    pub last: bool,
    pub form: FormView,
}

pub struct RowItem {
    pub key: String,
    pub name: String,
    pub first: bool,
    pub last: bool,
    pub form: FormView,
}

pub struct RowGroup {
    pub name: String,
    pub rows: Vec<RowItem>,
}

pub struct MatrixRow {
    pub name: String,
    pub cells: Vec<EditableCell>,
}

pub struct MatrixGroup {
    pub name: String,
    pub rows: Vec<MatrixRow>,
}

#[derive(Template)]
#[template(path = "editor/track.html")]
struct TrackPage {
    layout: Layout,
    errors: Vec<ErrorLink>,
    key: String,
    name: String,
    family: String,
    kind: &'static str,
    description: String,
    details: FormView,
    kinds: Vec<Choice>,
    problems: usize,
    levels: Vec<LevelItem>,
    grade_choices: Vec<Choice>,
    positions: Vec<Choice>,
    add_level: FormView,
    rows: Vec<RowGroup>,
    available: Vec<(String, Vec<Choice>)>,
    add_row: FormView,
    heads: Vec<LevelHead>,
    matrix: Vec<MatrixGroup>,
}

pub async fn page(ed: &Editor, key: &Key, forms: Forms, status: StatusCode) -> PageResult {
    let draft = ed.draft().await?;
    let fw = &draft.snapshot.framework;
    let track = find_track(fw, key)?;
    let index = fw.tracks.iter().position(|t| t.key == track.key);
    let problems = track_problems(&draft.problems, index);
    let levels = level_items(track, &forms);
    let rows = row_groups(fw, track, &forms);
    let available = available_rows(fw, track);
    let matrix = matrix_view(ed.state.markdown(), fw, track, true);
    let groups = matrix_groups(matrix.groups, &matrix.levels, &draft, track, index);
    let page = TrackPage {
        layout: Layout::new(format!("Edit {}", track.name), "draft", Some(&ed.actor)),
        errors: forms.summary(),
        key: track.key.to_string(),
        name: track.name.clone(),
        family: track.family.clone().unwrap_or_default(),
        kind: track.kind.as_str(),
        description: track.description.clone().unwrap_or_default(),
        details: forms.form("track"),
        kinds: kind_choices(),
        problems,
        levels,
        grade_choices: fw
            .grades
            .iter()
            .map(|g| Choice::new(g.key.as_str(), g.name.as_str()))
            .collect(),
        positions: track
            .levels
            .iter()
            .enumerate()
            .map(|(i, l)| Choice::new(i.to_string(), format!("Below {}", l.title)))
            .collect(),
        add_level: forms.form("add-level"),
        rows,
        available,
        add_row: forms.form("add-row"),
        heads: matrix.levels,
        matrix: groups,
    };
    render_with(status, &page)
}

/// How many of the draft's problems are in the track at `index`.
fn track_problems(problems: &[trellis_framework::Problem], index: Option<usize>) -> usize {
    problems
        .iter()
        .filter(|p| {
            matches!(p.path.get(..2),
                Some([trellis_framework::Seg::Field(f), trellis_framework::Seg::Index(i)])
                    if f == "tracks" && Some(*i) == index)
        })
        .count()
}

/// The track's levels, each with its form.
fn level_items(track: &Track, forms: &Forms) -> Vec<LevelItem> {
    let count = track.levels.len();
    track
        .levels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let (first, last) = ends(i, count);
            let pay = l.pay.as_ref();
            LevelItem {
                key: l.key.to_string(),
                title: l.title.clone(),
                grade: l
                    .grade
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                summary: l.summary.clone().unwrap_or_default(),
                pay_currency: pay.map(|p| p.currency.clone()).unwrap_or_default(),
                pay_min: pay.map(|p| p.min.to_string()).unwrap_or_default(),
                pay_mid: pay
                    .and_then(|p| p.mid)
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                pay_max: pay.map(|p| p.max.to_string()).unwrap_or_default(),
                first,
                last,
                form: forms.form(format!("level-{}", l.key)),
            }
        })
        .collect()
}

/// The track's rows by category, each with its form.
fn row_groups(fw: &Framework, track: &Track, forms: &Forms) -> Vec<RowGroup> {
    let name_of = |k: &Key| {
        fw.competency(k.as_str())
            .map_or_else(|| k.to_string(), |c| c.name.clone())
    };
    grouped_rows(fw, track)
        .into_iter()
        .map(|(name, keys)| {
            let len = keys.len();
            RowGroup {
                name,
                rows: keys
                    .into_iter()
                    .enumerate()
                    .map(|(i, k)| {
                        let (first, last) = ends(i, len);
                        RowItem {
                            key: k.to_string(),
                            name: name_of(k),
                            first,
                            last,
                            form: forms.form(format!("row-{k}")),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The competencies the track does not have yet, by category, to add as rows.
fn available_rows(fw: &Framework, track: &Track) -> Vec<(String, Vec<Choice>)> {
    let mut available: Vec<(String, Vec<Choice>)> = Vec::new();
    for c in fw
        .competencies
        .iter()
        .filter(|c| !track.competencies.contains(&c.key))
    {
        let group = shown_category(fw, c.key.as_str())
            .and_then(|k| fw.category(k.as_str()))
            .map_or("No category", |cat| cat.name.as_str());
        let choice = Choice::new(c.key.as_str(), c.name.as_str());
        match available.iter_mut().find(|(g, _)| g == group) {
            Some((_, choices)) => choices.push(choice),
            None => available.push((group.to_owned(), vec![choice])),
        }
    }
    available
}

/// The matrix with every cell editable in place, with its notes.
fn matrix_groups(
    groups: Vec<crate::architecture::web::framework::GroupView>,
    heads: &[LevelHead],
    draft: &crate::architecture::framework::Draft,
    track: &Track,
    index: Option<usize>,
) -> Vec<MatrixGroup> {
    let titles: Vec<String> = heads.iter().map(|l| l.title.clone()).collect();
    groups
        .into_iter()
        .map(|g| MatrixGroup {
            name: g.name,
            rows: g
                .rows
                .into_iter()
                .map(|r| MatrixRow {
                    cells: r
                        .cells
                        .into_iter()
                        .zip(&titles)
                        .map(|(cell, title)| EditableCell {
                            notes: cell_notes(
                                draft.snapshot.findings(),
                                index.unwrap_or(usize::MAX),
                                track.rank_of(&cell.level).unwrap_or(usize::MAX),
                                &cell.competency,
                            ),
                            track: track.key.to_string(),
                            level_title: title.clone(),
                            competency_name: r.name.clone(),
                            cell,
                            focus: false,
                        })
                        .collect(),
                    name: r.name,
                })
                .collect(),
        })
        .collect()
}

async fn show(ed: Editor, Path(track): Path<String>) -> PageResult {
    let key = path_key(&track, "track")?;
    page(&ed, &key, Forms::default(), StatusCode::OK).await
}

async fn update_track(
    ed: Editor,
    Path(track): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = path_key(&track, "track")?;
    let at = At::new(Place::Track(key.clone()), "track");
    ed.submit(at, fields, |f, _| {
        Ok(Edit::UpdateTrack {
            key: key.clone(),
            name: f.text("name"),
            family: f.optional("family"),
            kind: f.kind("kind")?,
            description: f.optional("description"),
        })
    })
    .await
}

async fn add_level(
    ed: Editor,
    Path(track): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = path_key(&track, "track")?;
    let at = At::new(Place::Track(key.clone()), "add-level");
    ed.submit(at, fields, |f, _| {
        Ok(Edit::AddLevel {
            track: key.clone(),
            key: f.new_key("key", "title")?,
            title: f.text("title"),
            grade: f.optional_key("grade")?,
            summary: f.optional("summary"),
            at: f.position("at")?,
        })
    })
    .await
}

async fn update_level(
    ed: Editor,
    Path((track, level)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let track = path_key(&track, "track")?;
    let level = path_key(&level, "level")?;
    let at = At::new(Place::Track(track.clone()), format!("level-{level}"));
    ed.submit(at, fields, |f, _| {
        Ok(Edit::UpdateLevel {
            track: track.clone(),
            key: level.clone(),
            title: f.text("title"),
            grade: f.optional_key("grade")?,
            summary: f.optional("summary"),
            pay: f.pay()?,
        })
    })
    .await
}

async fn move_level(
    ed: Editor,
    Path((track, level)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let track = path_key(&track, "track")?;
    let level = path_key(&level, "level")?;
    let at = At::new(Place::Track(track.clone()), format!("level-{level}"));
    ed.submit(at, fields, |f, fw| {
        let t = &fw.tracks[index_of(&fw.tracks, |t| &t.key, &track, "track")?];
        let i = index_of(&t.levels, |l| &l.key, &level, "level")?;
        let to = step_to(&t.levels, i, f.step()?, |_| true)?;
        Ok(Edit::MoveLevel {
            track: track.clone(),
            key: level.clone(),
            to,
        })
    })
    .await
}

async fn remove_level(
    ed: Editor,
    Path((track, level)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let track = path_key(&track, "track")?;
    let level = path_key(&level, "level")?;
    let at = At::new(Place::Track(track.clone()), format!("level-{level}")).then_to("levels");
    ed.submit(at, fields, |_, _| {
        Ok(Edit::RemoveLevel {
            track: track.clone(),
            key: level.clone(),
        })
    })
    .await
}

async fn add_row(ed: Editor, Path(track): Path<String>, Form(fields): Form<Fields>) -> PageResult {
    let key = path_key(&track, "track")?;
    let at = At::new(Place::Track(key.clone()), "add-row");
    ed.submit(at, fields, |f, _| {
        Ok(Edit::AddTrackCompetency {
            track: key.clone(),
            competency: f.key("competency")?,
            at: None,
        })
    })
    .await
}

async fn move_row(
    ed: Editor,
    Path((track, competency)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let track = path_key(&track, "track")?;
    let competency = path_key(&competency, "competency")?;
    let at = At::new(Place::Track(track.clone()), format!("row-{competency}"));
    ed.submit(at, fields, |f, fw| {
        let t = &fw.tracks[index_of(&fw.tracks, |t| &t.key, &track, "track")?];
        let i = index_of(&t.competencies, |k| k, &competency, "row")?;
        let group = shown_category(fw, competency.as_str());
        let to = step_to(&t.competencies, i, f.step()?, |k| {
            shown_category(fw, k.as_str()) == group
        })?;
        Ok(Edit::MoveTrackCompetency {
            track: track.clone(),
            competency: competency.clone(),
            to,
        })
    })
    .await
}

async fn remove_row(
    ed: Editor,
    Path((track, competency)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let track = path_key(&track, "track")?;
    let competency = path_key(&competency, "competency")?;
    let at = At::new(Place::Track(track.clone()), format!("row-{competency}")).then_to("rows");
    ed.submit(at, fields, |_, _| {
        Ok(Edit::RemoveTrackCompetency {
            track: track.clone(),
            competency: competency.clone(),
        })
    })
    .await
}
