//! The public site: the published framework written as a folder of plain HTML, CSS and JavaScript
//! files (`trellis framework publish-site DIR`) that any static host, or a browser opening the files
//! directly, can serve. Companies publish their ladders this way for recruiting.
//!
//! Every link is relative and names a file (`tracks/KEY/index.html`, never `tracks/KEY/`), so the
//! folder works from `file://` as well as from a web server. Pages have no inline scripts or styles,
//! so a host can send `Content-Security-Policy: default-src 'self'`. The level comparison and the
//! search run in the browser on data shipped as `.js` files that set a global (browsers refuse
//! `fetch()` of local files). Pay bands are removed before anything is rendered.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use askama::Template;
use serde::Serialize;
use trellis_framework::{Framework, Track};

use crate::architecture::framework::{VersionInfo, without_pay};
use crate::architecture::web::framework::{
    FamilyView, LevelHead, LevelRow, LibraryEntry, MatrixView, family_views, level_heads,
    level_rows, library_groups, matrix_view,
};
use crate::markdown::Markdown;

/// The stylesheets and scripts of the site, compiled into the binary.
const ASSETS: [(&str, &str); 5] = [
    ("assets/app.css", include_str!("../../static/app.css")),
    ("assets/site.css", include_str!("assets/site.css")),
    ("assets/site.js", include_str!("assets/site.js")),
    ("assets/compare.js", include_str!("assets/compare.js")),
    ("assets/search.js", include_str!("assets/search.js")),
];

/// What a generated site holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteReport {
    pub files: usize,
    pub bytes: u64,
}

/// Why the site could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("a page could not be rendered: {0}")]
    Render(#[from] askama::Error),
    #[error("the site's data could not be serialised: {0}")]
    Data(#[from] serde_json::Error),
}

/// What every page's layout needs.
pub struct SiteLayout {
    pub title: String,
    /// The way back to the site's top folder from this page: "", "../../" or "../../../".
    pub root: &'static str,
    /// The section of the navigation to highlight.
    pub section: &'static str,
    pub framework_name: String,
    /// "Version 3, published 2026-05-01 10:00 UTC", or "Draft".
    pub edition: String,
}

const TRACK_ROOT: &str = "../../";
const LEVEL_ROOT: &str = "../../../";

#[derive(Template)]
#[template(path = "site/index.html")]
struct IndexPage {
    site: SiteLayout,
    description: Option<Arc<str>>,
    families: Vec<FamilyView>,
}

#[derive(Template)]
#[template(path = "site/track.html")]
struct TrackPage {
    site: SiteLayout,
    kind: &'static str,
    family: Option<String>,
    description: Option<Arc<str>>,
    matrix: MatrixView,
}

#[derive(Template)]
#[template(path = "site/level.html")]
struct LevelPage {
    site: SiteLayout,
    track_key: String,
    track_name: String,
    head: LevelHead,
    rank: usize,
    count: usize,
    previous: Option<(String, String)>,
    next: Option<(String, String)>,
    groups: Vec<(String, Vec<LevelRow>)>,
}

#[derive(Template)]
#[template(path = "site/library.html")]
struct LibraryPage {
    site: SiteLayout,
    groups: Vec<(String, Vec<LibraryEntry>)>,
}

#[derive(Template)]
#[template(path = "site/compare.html")]
struct ComparePage {
    site: SiteLayout,
    tracks: Vec<TrackLevels>,
}

/// A track's levels to choose from: (key, title) each.
struct TrackLevels {
    key: String,
    name: String,
    levels: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "site/search.html")]
struct SearchPage {
    site: SiteLayout,
}

/// Writes the site of `framework` into `dir` (created if needed; files of an earlier site are
/// overwritten, others are left alone). `edition` says which version the site shows.
pub fn write(
    framework: &Framework,
    edition: &str,
    md: &Markdown,
    dir: &Path,
) -> Result<SiteReport, SiteError> {
    let files = render(framework, edition, md)?;
    let mut report = SiteReport { files: 0, bytes: 0 };
    for (path, content) in &files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|source| SiteError::Write {
                path: parent.to_owned(),
                source,
            })?;
        }
        std::fs::write(&target, content).map_err(|source| SiteError::Write {
            path: target.clone(),
            source,
        })?;
        report.files += 1;
        report.bytes += content.len() as u64;
    }
    Ok(report)
}

/// "Version 3, published 2026-05-01 10:00 UTC".
pub fn edition_of(version: Option<&VersionInfo>) -> String {
    match version {
        Some(v) => format!(
            "Version {}, published {}",
            v.number,
            crate::web::format_time(&v.published_at)
        ),
        None => "Draft, not published".to_owned(),
    }
}

/// Every file of the site as (path relative to the site's folder, content).
pub fn render(
    framework: &Framework,
    edition: &str,
    md: &Markdown,
) -> Result<Vec<(String, String)>, SiteError> {
    let mut fw = framework.clone();
    without_pay(&mut fw);
    let fw = &fw;
    let layout = |title: String, root: &'static str, section: &'static str| {
        site_layout(fw, edition, title, root, section)
    };
    let mut files: Vec<(String, String)> = ASSETS
        .iter()
        .map(|(path, content)| ((*path).to_owned(), (*content).to_owned()))
        .collect();
    files.push((
        "index.html".into(),
        IndexPage {
            site: layout(fw.name.clone(), "", "tracks"),
            description: fw.description.as_deref().map(|d| md.block(d)),
            families: family_views(fw),
        }
        .render()?,
    ));
    for track in &fw.tracks {
        files.extend(track_files(fw, edition, md, track)?);
    }
    files.push((
        "library.html".into(),
        LibraryPage {
            site: layout("Competency library".into(), "", "library"),
            groups: library_groups(md, fw),
        }
        .render()?,
    ));
    files.push(("compare.html".into(), compare_page(fw, layout)?));
    files.push((
        "search.html".into(),
        SearchPage {
            site: layout("Search".into(), "", "search"),
        }
        .render()?,
    ));
    files.push((
        "assets/data.js".into(),
        global_script("TRELLIS_FRAMEWORK", &compare_data(md, fw))?,
    ));
    files.push((
        "assets/search-index.js".into(),
        global_script("TRELLIS_SEARCH", &search_index(fw))?,
    ));
    Ok(files)
}

/// The frame every page of the site shares.
fn site_layout(
    fw: &Framework,
    edition: &str,
    title: String,
    root: &'static str,
    section: &'static str,
) -> SiteLayout {
    SiteLayout {
        title,
        root,
        section,
        framework_name: fw.name.clone(),
        edition: edition.to_owned(),
    }
}

/// A track's page and one page for each of its levels.
fn track_files(
    fw: &Framework,
    edition: &str,
    md: &Markdown,
    track: &Track,
) -> Result<Vec<(String, String)>, SiteError> {
    let layout = |title: String, root: &'static str, section: &'static str| {
        site_layout(fw, edition, title, root, section)
    };
    let mut files = Vec::new();
    files.push((
        track_path(track),
        TrackPage {
            site: layout(track.name.clone(), TRACK_ROOT, "tracks"),
            kind: track.kind.label(),
            family: track.family.clone(),
            description: track.description.as_deref().map(|d| md.block(d)),
            matrix: matrix_view(md, fw, track, false),
        }
        .render()?,
    ));
    let heads = level_heads(md, fw, track, false);
    let neighbour = |i: usize| {
        track
            .levels
            .get(i)
            .map(|l| (l.key.to_string(), l.title.clone()))
    };
    for (rank, head) in heads.into_iter().enumerate() {
        let groups = level_rows(md, fw, track, &head.key);
        files.push((
            format!("tracks/{}/levels/{}.html", track.key, head.key),
            LevelPage {
                site: layout(
                    format!("{} · {}", head.title, track.name),
                    LEVEL_ROOT,
                    "tracks",
                ),
                track_key: track.key.to_string(),
                track_name: track.name.clone(),
                rank: rank + 1,
                count: track.levels.len(),
                previous: rank.checked_sub(1).and_then(neighbour),
                next: neighbour(rank + 1),
                head,
                groups,
            }
            .render()?,
        ));
    }
    Ok(files)
}

/// The page that compares two levels: every track with its levels.
fn compare_page(
    fw: &Framework,
    layout: impl Fn(String, &'static str, &'static str) -> SiteLayout,
) -> Result<String, SiteError> {
    Ok(ComparePage {
        site: layout("Compare levels".into(), "", "compare"),
        tracks: fw
            .tracks
            .iter()
            .map(|t| TrackLevels {
                key: t.key.to_string(),
                name: t.name.clone(),
                levels: t
                    .levels
                    .iter()
                    .map(|l| (l.key.to_string(), l.title.clone()))
                    .collect(),
            })
            .collect(),
    }
    .render()?)
}

/// Where a track's page is, from the site's top folder.
fn track_path(track: &Track) -> String {
    format!("tracks/{}/index.html", track.key)
}

/// A script that sets `window.NAME` to the value as JSON (JSON is valid JavaScript).
fn global_script(name: &str, value: &impl Serialize) -> Result<String, SiteError> {
    Ok(format!(
        "// Generated by Trellis; read by the site's scripts.\nwindow.{name} = {};\n",
        serde_json::to_string(value)?
    ))
}

/// The framework as the comparison script reads it: bullets as safe HTML.
#[derive(Serialize)]
struct CompareData {
    competencies: std::collections::BTreeMap<String, String>,
    tracks: Vec<CompareTrack>,
}

#[derive(Serialize)]
struct CompareTrack {
    key: String,
    name: String,
    competencies: Vec<String>,
    levels: Vec<CompareLevel>,
}

#[derive(Serialize)]
struct CompareLevel {
    key: String,
    title: String,
    /// Competency key → its bullets; absent when the level has none.
    bullets: std::collections::BTreeMap<String, Vec<Arc<str>>>,
    not_applicable: Vec<String>,
}

fn compare_data(md: &Markdown, fw: &Framework) -> CompareData {
    CompareData {
        competencies: fw
            .competencies
            .iter()
            .map(|c| (c.key.to_string(), c.name.clone()))
            .collect(),
        tracks: fw
            .tracks
            .iter()
            .map(|t| CompareTrack {
                key: t.key.to_string(),
                name: t.name.clone(),
                competencies: t.competencies.iter().map(ToString::to_string).collect(),
                levels: t
                    .levels
                    .iter()
                    .map(|l| CompareLevel {
                        key: l.key.to_string(),
                        title: l.title.clone(),
                        bullets: l
                            .expectations
                            .iter()
                            .filter(|(_, bs)| !bs.is_empty())
                            .map(|(k, bs)| {
                                (k.to_string(), bs.iter().map(|b| md.inline(b)).collect())
                            })
                            .collect(),
                        not_applicable: l.not_applicable.iter().map(ToString::to_string).collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// What the search looks through, as plain text, kept small: a page (with the words that place it)
/// is written once and entries point to it by number.
#[derive(Serialize, Default)]
struct SearchIndex {
    /// What an entry is: "Track", "Level", "Competency", "Expectation".
    kinds: [&'static str; 4],
    /// Competency key → name, for the expectations' context.
    competencies: std::collections::BTreeMap<String, String>,
    /// (context, page).
    places: Vec<(String, String)>,
    /// (kind, title, place, competency key or ""): an expectation links to its competency on the
    /// place's page.
    entries: Vec<(u8, String, usize, String)>,
}

const TRACK: u8 = 0;
const LEVEL: u8 = 1;
const COMPETENCY: u8 = 2;
const EXPECTATION: u8 = 3;

/// Every track, level, competency and expectation bullet.
fn search_index(fw: &Framework) -> SearchIndex {
    let mut index = SearchIndex {
        kinds: ["Track", "Level", "Competency", "Expectation"],
        competencies: fw
            .competencies
            .iter()
            .map(|c| (c.key.to_string(), c.name.clone()))
            .collect(),
        ..SearchIndex::default()
    };
    let place = |index: &mut SearchIndex, context: String, page: String| {
        index.places.push((context, page));
        index.places.len() - 1
    };
    for track in &fw.tracks {
        let at = place(
            &mut index,
            track.family.clone().unwrap_or_default(),
            track_path(track),
        );
        index
            .entries
            .push((TRACK, track.name.clone(), at, String::new()));
        for level in &track.levels {
            let summary = level.summary.as_deref().map(one_line).unwrap_or_default();
            let at = place(
                &mut index,
                format!("{} · {}", track.name, level.title),
                format!("tracks/{}/levels/{}.html", track.key, level.key),
            );
            index
                .entries
                .push((LEVEL, level.title.clone(), at, String::new()));
            if !summary.is_empty() {
                index.entries.push((LEVEL, summary, at, String::new()));
            }
            for key in &track.competencies {
                for bullet in level.expectations.get(key).into_iter().flatten() {
                    index
                        .entries
                        .push((EXPECTATION, one_line(bullet), at, key.to_string()));
                }
            }
        }
    }
    let library = place(&mut index, String::new(), "library.html".to_owned());
    for c in &fw.competencies {
        index
            .entries
            .push((COMPETENCY, c.name.clone(), library, c.key.to_string()));
    }
    index
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
