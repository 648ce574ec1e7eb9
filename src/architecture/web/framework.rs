//! Reading the published framework: the track list, a track's matrix, a level, the competency library
//! and the level comparison. The view types here are shared with the editor, which shows the draft
//! through the same matrix.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use trellis_framework::delta::{Cell, LevelDelta, RowStatus, level_delta};
use trellis_framework::{Framework, Key, Track, TrackKind};

use crate::architecture::framework as service;
use crate::auth::{Actor, policy};
use crate::error::AppError;
use crate::markdown::Markdown;
use crate::state::AppState;
use crate::web::routes::{Routes, get};
use crate::web::{Layout, PageResult, render, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/tracks", get(tracks))
        .route("/tracks/{track}", get(track))
        .route("/tracks/{track}/levels/{level}", get(level))
        .route("/competencies", get(library))
        .route("/compare", get(compare))
}

/// A track as a card in the list.
pub struct TrackCard {
    pub key: String,
    pub name: String,
    pub levels: Vec<String>,
}

pub struct FamilyView {
    pub name: String,
    pub individual: Vec<TrackCard>,
    pub management: Vec<TrackCard>,
}

pub fn family_views(fw: &Framework) -> Vec<FamilyView> {
    fw.families()
        .into_iter()
        .map(|(family, tracks)| {
            let card = |t: &&Track| TrackCard {
                key: t.key.to_string(),
                name: t.name.clone(),
                levels: t.levels.iter().map(|l| l.title.clone()).collect(),
            };
            FamilyView {
                name: family.unwrap_or("Other tracks").to_owned(),
                individual: tracks
                    .iter()
                    .filter(|t| t.kind == TrackKind::IndividualContributor)
                    .map(card)
                    .collect(),
                management: tracks
                    .iter()
                    .filter(|t| t.kind == TrackKind::Management)
                    .map(card)
                    .collect(),
            }
        })
        .collect()
}

/// One cell of the matrix, with its markdown already rendered to safe HTML.
pub struct CellView {
    pub level: String,
    pub competency: String,
    pub not_applicable: bool,
    pub bullets: Vec<Arc<str>>,
    pub examples: Vec<Arc<str>>,
}

impl CellView {
    pub fn is_empty(&self) -> bool {
        !self.not_applicable && self.bullets.is_empty()
    }
}

pub struct RowView {
    pub key: String,
    pub name: String,
    pub description: Option<Arc<str>>,
    pub cells: Vec<CellView>,
}

pub struct GroupView {
    pub name: String,
    pub rows: Vec<RowView>,
}

pub struct LevelHead {
    pub key: String,
    pub title: String,
    pub grade: Option<String>,
    pub summary: Option<Arc<str>>,
    pub pay: Option<String>,
}

/// A whole track: levels as columns, competencies as rows grouped by category.
pub struct MatrixView {
    pub key: String,
    pub name: String,
    pub levels: Vec<LevelHead>,
    pub groups: Vec<GroupView>,
}

pub fn cell_view(md: &Markdown, track: &Track, level_key: &str, competency: &Key) -> CellView {
    let level = track.level(level_key);
    let bullets = level
        .and_then(|l| l.expectations.get(competency))
        .map(|bs| bs.iter().map(|b| md.inline(b)).collect())
        .unwrap_or_default();
    let examples = level
        .and_then(|l| l.examples.get(competency))
        .map(|bs| bs.iter().map(|b| md.inline(b)).collect())
        .unwrap_or_default();
    CellView {
        level: level_key.to_owned(),
        competency: competency.to_string(),
        not_applicable: level.is_some_and(|l| l.is_not_applicable(competency)),
        bullets,
        examples,
    }
}

fn format_pay(pay: &trellis_framework::Pay) -> String {
    let amount = |n: u64| {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    match pay.mid {
        Some(mid) => format!(
            "{} {} – {} (mid {})",
            pay.currency,
            amount(pay.min),
            amount(pay.max),
            amount(mid)
        ),
        None => format!("{} {} – {}", pay.currency, amount(pay.min), amount(pay.max)),
    }
}

pub fn level_heads(md: &Markdown, fw: &Framework, track: &Track, show_pay: bool) -> Vec<LevelHead> {
    track
        .levels
        .iter()
        .map(|l| LevelHead {
            key: l.key.to_string(),
            title: l.title.clone(),
            grade: l.grade.as_ref().map(|g| {
                fw.grade(g.as_str())
                    .map_or(g.to_string(), |g| g.name.clone())
            }),
            summary: l.summary.as_deref().map(|s| md.block(s)),
            pay: l.pay.as_ref().filter(|_| show_pay).map(format_pay),
        })
        .collect()
}

/// The track's rows grouped by category, in the library's category order; rows whose competency has
/// no category come last.
pub fn grouped_rows<'a>(fw: &'a Framework, track: &'a Track) -> Vec<(String, Vec<&'a Key>)> {
    fw.rows_by_category(track)
}

pub fn matrix_view(md: &Markdown, fw: &Framework, track: &Track, show_pay: bool) -> MatrixView {
    let groups = grouped_rows(fw, track)
        .into_iter()
        .map(|(name, keys)| GroupView {
            name,
            rows: keys
                .into_iter()
                .map(|key| {
                    let comp = fw.competency(key.as_str());
                    RowView {
                        key: key.to_string(),
                        name: comp.map_or_else(|| key.to_string(), |c| c.name.clone()),
                        description: comp
                            .and_then(|c| c.description.as_deref())
                            .map(|d| md.block(d)),
                        cells: track
                            .levels
                            .iter()
                            .map(|l| cell_view(md, track, l.key.as_str(), key))
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();
    MatrixView {
        key: track.key.to_string(),
        name: track.name.clone(),
        levels: level_heads(md, fw, track, show_pay),
        groups,
    }
}

#[derive(Template)]
#[template(path = "framework/tracks.html")]
struct TracksPage {
    layout: Layout,
    framework_name: String,
    description: Option<Arc<str>>,
    version: Option<service::VersionInfo>,
    families: Vec<FamilyView>,
}

async fn tracks(State(state): State<AppState>, actor: Actor) -> PageResult {
    let published = service::published(&state, &actor).await?;
    let layout = Layout::new("Career tracks", "tracks", Some(&actor));
    let page = match published {
        Some(p) => TracksPage {
            layout,
            framework_name: p.framework.name.clone(),
            description: p
                .framework
                .description
                .as_deref()
                .map(|d| state.markdown().block(d)),
            version: p.version.clone(),
            families: family_views(&p.framework),
        },
        None => TracksPage {
            layout,
            framework_name: "Career tracks".into(),
            description: None,
            version: None,
            families: Vec::new(),
        },
    };
    render(&page)
}

fn find_track<'a>(fw: &'a Framework, key: &str) -> Result<&'a Track, AppError> {
    fw.track(key)
        .ok_or_else(|| AppError::not_found(format!("the track “{key}”")))
}

/// A track's matrix alone: cached with the published version, or shown in a template's preview.
#[derive(Template)]
#[template(path = "framework/matrix.html")]
pub struct MatrixFragment {
    /// Where the level pages of this matrix live; empty when there are none to link to.
    pub level_base: String,
    pub matrix: MatrixView,
    /// The reader's own level on this track, marked "You are here", and the one after it, marked
    /// "Next".
    pub here: Option<String>,
    pub next: Option<String>,
}

impl MatrixFragment {
    fn is_here(&self, level: &str) -> bool {
        self.here.as_deref() == Some(level)
    }

    fn is_next(&self, level: &str) -> bool {
        self.next.as_deref() == Some(level)
    }
}

/// One level of a matrix read on its own: each category's competencies with their cell.
pub struct LevelSection<'a> {
    pub head: &'a LevelHead,
    pub groups: Vec<(&'a str, Vec<(&'a str, &'a CellView)>)>,
}

impl MatrixView {
    /// The matrix level by level, as a phone shows it.
    pub fn level_sections(&self) -> Vec<LevelSection<'_>> {
        self.levels
            .iter()
            .enumerate()
            .map(|(index, head)| LevelSection {
                head,
                groups: self
                    .groups
                    .iter()
                    .map(|g| {
                        let rows = g
                            .rows
                            .iter()
                            .filter_map(|r| r.cells.get(index).map(|c| (r.name.as_str(), c)))
                            .collect();
                        (g.name.as_str(), rows)
                    })
                    .collect(),
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "framework/track.html")]
struct TrackPage {
    layout: Layout,
    key: String,
    name: String,
    kind: &'static str,
    family: Option<String>,
    level_count: usize,
    description: Option<Arc<str>>,
    version: Option<service::VersionInfo>,
    matrix_html: Arc<str>,
}

async fn track(State(state): State<AppState>, actor: Actor, Path(key): Path<String>) -> PageResult {
    let published = service::require_published(&state, &actor).await?;
    let track = find_track(&published.framework, &key)?;
    let show_pay = policy::see_pay(&actor);
    let md = state.markdown();
    // Where the reader stands on this track, if they have a position on it.
    let here = crate::people::directory::own_position(state.db(), &actor)
        .await?
        .filter(|(t, level)| *t == track.key.as_str() && track.level(level).is_some())
        .map(|(_, level)| level);
    let next = here.as_deref().and_then(|level| {
        let at = track.levels.iter().position(|l| l.key.as_str() == level)?;
        track.levels.get(at + 1).map(|l| l.key.to_string())
    });
    let cache_key = format!(
        "matrix/{key}/{show_pay}/{}",
        here.as_deref().unwrap_or_default()
    );
    let matrix_html = published.derived(&cache_key, || {
        MatrixFragment {
            level_base: format!("/tracks/{}", track.key),
            matrix: matrix_view(md, &published.framework, track, show_pay),
            here: here.clone(),
            next: next.clone(),
        }
        .render()
        .map_err(|e| AppError::internal(format!("template failed: {e}")))
    })?;
    render(&TrackPage {
        layout: Layout::new(track.name.clone(), "tracks", Some(&actor)),
        key: track.key.to_string(),
        name: track.name.clone(),
        kind: track.kind.label(),
        family: track.family.clone(),
        level_count: track.levels.len(),
        description: track.description.as_deref().map(|d| md.block(d)),
        version: published.version.clone(),
        matrix_html,
    })
}

pub struct LevelRow {
    pub name: String,
    pub description: Option<Arc<str>>,
    pub cell: CellView,
}

/// One level's cells, one row per competency, grouped by category.
pub fn level_rows(
    md: &Markdown,
    fw: &Framework,
    track: &Track,
    level_key: &str,
) -> Vec<(String, Vec<LevelRow>)> {
    grouped_rows(fw, track)
        .into_iter()
        .map(|(name, keys)| {
            let rows = keys
                .into_iter()
                .map(|key| {
                    let comp = fw.competency(key.as_str());
                    LevelRow {
                        name: comp.map_or_else(|| key.to_string(), |c| c.name.clone()),
                        description: comp
                            .and_then(|c| c.description.as_deref())
                            .map(|d| md.block(d)),
                        cell: cell_view(md, track, level_key, key),
                    }
                })
                .collect();
            (name, rows)
        })
        .collect()
}

#[derive(Template)]
#[template(path = "framework/level.html")]
struct LevelPage {
    layout: Layout,
    track_key: String,
    track_name: String,
    head: LevelHead,
    rank: usize,
    count: usize,
    previous: Option<(String, String)>,
    next: Option<(String, String)>,
    groups: Vec<(String, Vec<LevelRow>)>,
}

async fn level(
    State(state): State<AppState>,
    actor: Actor,
    Path((track_key, level_key)): Path<(String, String)>,
) -> PageResult {
    let published = service::require_published(&state, &actor).await?;
    let fw = &published.framework;
    let track = find_track(fw, &track_key)?;
    let rank = track
        .rank_of(&level_key)
        .ok_or_else(|| AppError::not_found(format!("the level “{level_key}” of “{track_key}”")))?;
    let md = state.markdown();
    let head = level_heads(md, fw, track, policy::see_pay(&actor)).swap_remove(rank);
    let neighbour = |i: usize| {
        track
            .levels
            .get(i)
            .map(|l| (l.key.to_string(), l.title.clone()))
    };
    let groups = level_rows(md, fw, track, &level_key);
    render(&LevelPage {
        layout: Layout::new(
            format!("{} · {}", head.title, track.name),
            "tracks",
            Some(&actor),
        ),
        track_key: track.key.to_string(),
        track_name: track.name.clone(),
        head,
        rank: rank + 1,
        count: track.levels.len(),
        previous: rank.checked_sub(1).and_then(neighbour),
        next: neighbour(rank + 1),
        groups,
    })
}

pub struct LibraryEntry {
    pub key: String,
    pub name: String,
    pub description: Option<Arc<str>>,
    pub tracks: Vec<(String, String)>,
}

/// The library grouped by category, each competency with the tracks that use it.
pub fn library_groups(md: &Markdown, fw: &Framework) -> Vec<(String, Vec<LibraryEntry>)> {
    let entry = |c: &trellis_framework::Competency| LibraryEntry {
        key: c.key.to_string(),
        name: c.name.clone(),
        description: c.description.as_deref().map(|d| md.block(d)),
        tracks: fw
            .tracks
            .iter()
            .filter(|t| t.competencies.contains(&c.key))
            .map(|t| (t.key.to_string(), t.name.clone()))
            .collect(),
    };
    let mut out: Vec<(String, Vec<LibraryEntry>)> = fw
        .categories
        .iter()
        .map(|cat| {
            (
                cat.name.clone(),
                fw.competencies
                    .iter()
                    .filter(|c| c.category.as_ref() == Some(&cat.key))
                    .map(entry)
                    .collect(),
            )
        })
        .collect();
    let other: Vec<LibraryEntry> = fw
        .competencies
        .iter()
        .filter(|c| {
            c.category
                .as_ref()
                .is_none_or(|k| fw.category(k.as_str()).is_none())
        })
        .map(entry)
        .collect();
    if !other.is_empty() {
        out.push(("Other".to_owned(), other));
    }
    out.retain(|(_, entries)| !entries.is_empty());
    out
}

#[derive(Template)]
#[template(path = "framework/library.html")]
struct LibraryPage {
    layout: Layout,
    groups: Vec<(String, Vec<LibraryEntry>)>,
}

async fn library(State(state): State<AppState>, actor: Actor) -> PageResult {
    let published = service::require_published(&state, &actor).await?;
    render(&LibraryPage {
        layout: Layout::new("Competency library", "library", Some(&actor)),
        groups: library_groups(state.markdown(), &published.framework),
    })
}

/// A level to pick in the comparison form: `track/level`.
pub struct LevelOption {
    pub value: String,
    pub label: String,
}

pub fn level_options(fw: &Framework) -> Vec<(String, Vec<LevelOption>)> {
    fw.tracks
        .iter()
        .map(|t| {
            (
                t.name.clone(),
                t.levels
                    .iter()
                    .map(|l| LevelOption {
                        value: format!("{}/{}", t.key, l.key),
                        label: l.title.clone(),
                    })
                    .collect(),
            )
        })
        .collect()
}

#[derive(Deserialize)]
struct CompareQuery {
    from: Option<String>,
    to: Option<String>,
    /// `changes` (default) shows only what is new or different; `all` shows every row.
    show: Option<String>,
}

pub struct DeltaRowView {
    pub name: String,
    pub status: &'static str,
    pub added: Vec<Arc<str>>,
    pub removed: Vec<Arc<str>>,
    pub kept: Vec<Arc<str>>,
    pub from_na: bool,
    pub to_na: bool,
}

pub struct DeltaView {
    pub from_title: String,
    pub to_title: String,
    pub rows: Vec<DeltaRowView>,
    pub changed: usize,
    pub total: usize,
}

fn status_label(status: RowStatus) -> &'static str {
    match status {
        RowStatus::Same => "same",
        RowStatus::Changed => "changed",
        RowStatus::OnlyInFrom => "only in the first level's track",
        RowStatus::OnlyInTo => "new in this track",
        RowStatus::NotApplicableInFrom => "starts to apply",
        RowStatus::NotApplicableInTo => "no longer applies",
    }
}

fn delta_view(md: &Markdown, delta: &LevelDelta, only_changes: bool) -> DeltaView {
    let render_all = |bs: &[String]| bs.iter().map(|b| md.inline(b)).collect::<Vec<_>>();
    let rows: Vec<DeltaRowView> = delta
        .rows
        .iter()
        .filter(|r| !only_changes || r.status != RowStatus::Same)
        .map(|r| DeltaRowView {
            name: r.name.clone(),
            status: status_label(r.status),
            added: render_all(&r.bullets.added),
            removed: render_all(&r.bullets.removed),
            kept: render_all(&r.bullets.kept),
            from_na: r.from == Cell::NotApplicable,
            to_na: r.to == Cell::NotApplicable,
        })
        .collect();
    let title = |r: &trellis_framework::delta::LevelRef| format!("{} ({})", r.title, r.track_name);
    DeltaView {
        from_title: title(&delta.from),
        to_title: title(&delta.to),
        changed: delta.changed_rows().len(),
        total: delta.rows.len(),
        rows,
    }
}

#[derive(Template)]
#[template(path = "framework/compare.html")]
struct ComparePage {
    layout: Layout,
    options: Vec<(String, Vec<LevelOption>)>,
    from: String,
    to: String,
    show_all: bool,
    delta: Option<DeltaView>,
    error: Option<String>,
}

fn split_level(value: &str) -> Option<(&str, &str)> {
    value.split_once('/')
}

/// The level just above `from`, as the natural thing to compare with.
fn next_level(fw: &Framework, from: &str) -> Option<String> {
    let (t, l) = split_level(from)?;
    let track = fw.track(t)?;
    let rank = track.rank_of(l)?;
    track
        .levels
        .get(rank + 1)
        .map(|next| format!("{}/{}", track.key, next.key))
}

async fn compare(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<CompareQuery>,
) -> PageResult {
    let published = service::require_published(&state, &actor).await?;
    let fw = &published.framework;
    let first = fw
        .tracks
        .first()
        .and_then(|t| t.levels.first().map(|l| format!("{}/{}", t.key, l.key)))
        .unwrap_or_default();
    let from = q.from.filter(|s| !s.is_empty()).unwrap_or(first);
    let to =
        q.to.filter(|s| !s.is_empty())
            .or_else(|| next_level(fw, &from))
            .unwrap_or_else(|| from.clone());
    let show_all = q.show.as_deref() == Some("all");
    let (delta, error) = match (split_level(&from), split_level(&to)) {
        (Some(a), Some(b)) => match level_delta(fw, a, b) {
            Ok(d) => (Some(delta_view(state.markdown(), &d, !show_all)), None),
            Err(e) => (None, Some(e.to_string())),
        },
        _ if from.is_empty() => (None, None),
        _ => (
            None,
            Some("choose two levels, written as track/level".to_owned()),
        ),
    };
    let mut page = ComparePage {
        layout: Layout::new("Compare levels", "compare", Some(&actor)),
        options: level_options(fw),
        from,
        to,
        show_all,
        delta,
        error,
    };
    if page.error.is_some() {
        page.delta = None;
    }
    if page.error.is_some() {
        return render_with(axum::http::StatusCode::NOT_FOUND, &page);
    }
    render(&page)
}
