//! The editor's home page: the framework's name, the draft's status and the problems that block
//! publishing, and the tracks grouped by family (add, rename, reorder, remove).

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Router};
use trellis_framework::edit::{Edit, parse_key};
use trellis_framework::lint::{Finding, Severity};
use trellis_framework::validate::{Problem, Seg};
use trellis_framework::{Framework, Key};

use super::forms::{ErrorLink, Fields, FormView, Forms};
use super::{At, Choice, Editor, Place, ends, index_of, kind_choices, path_key, step_to};
use crate::state::AppState;
use crate::web::{Layout, PageResult, render_with};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/draft", get(show))
        .route("/draft/framework", post(set_framework))
        .route("/draft/lint", post(set_lint_rules))
        .route("/draft/tracks", post(add_track))
        .route("/draft/tracks/{track}/rename", post(rename_track))
        .route("/draft/tracks/{track}/move", post(move_track))
        .route("/draft/tracks/{track}/remove", post(remove_track))
}

/// How many problems the page lists before it only counts the rest.
const PROBLEMS_SHOWN: usize = 30;

pub struct ProblemView {
    pub message: String,
    /// Where to fix it, and the words of the link.
    pub link: Option<(String, String)>,
}

/// How many findings the page lists per track before it only counts the rest.
const FINDINGS_SHOWN: usize = 10;

/// A finding of the linter, as the editor shows it.
pub struct FindingView {
    pub severity: &'static str,
    pub rule: &'static str,
    pub message: String,
    pub suggestion: Option<String>,
    pub link: Option<(String, String)>,
}

/// The linter's findings in one track (or in the framework as a whole).
pub struct FindingGroup {
    pub name: String,
    pub href: Option<String>,
    pub findings: Vec<FindingView>,
    pub more: usize,
}

/// A linter rule, and whether this framework switched it off.
pub struct RuleToggle {
    pub id: &'static str,
    pub severity: &'static str,
    pub summary: &'static str,
    pub off: bool,
}

pub struct TrackItem {
    pub key: String,
    pub name: String,
    pub kind: &'static str,
    pub levels: usize,
    pub rows: usize,
    pub problems: usize,
    pub first: bool,
    pub last: bool,
    pub form: FormView,
}

pub struct FamilyItems {
    pub name: String,
    pub tracks: Vec<TrackItem>,
}

#[derive(Template)]
#[template(path = "editor/home.html")]
struct HomePage {
    layout: Layout,
    errors: Vec<ErrorLink>,
    framework: FormView,
    name: String,
    description: String,
    revision: i64,
    pending: bool,
    latest: Option<i64>,
    problems: Vec<ProblemView>,
    more_problems: usize,
    findings: Vec<FindingGroup>,
    lint_errors: usize,
    lint_warnings: usize,
    lint: FormView,
    rules: Vec<RuleToggle>,
    families: Vec<FamilyItems>,
    add_track: FormView,
    kinds: Vec<Choice>,
    categories: usize,
    competencies: usize,
    grades: usize,
}

pub async fn page(ed: &Editor, forms: Forms, status: StatusCode) -> PageResult {
    let draft = ed.draft().await?;
    let fw = &draft.snapshot.framework;
    let track_problems = |i: usize| {
        draft
            .problems
            .iter()
            .filter(|p| matches!(p.path.get(..2), Some([Seg::Field(f), Seg::Index(j)]) if f == "tracks" && *j == i))
            .count()
    };
    let families = fw
        .families()
        .into_iter()
        .map(|(family, tracks)| {
            let len = tracks.len();
            FamilyItems {
                name: family.unwrap_or("No family").to_owned(),
                tracks: tracks
                    .into_iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let (first, last) = ends(i, len);
                        let index = fw.tracks.iter().position(|x| x.key == t.key);
                        TrackItem {
                            key: t.key.to_string(),
                            name: t.name.clone(),
                            kind: t.kind.label(),
                            levels: t.levels.len(),
                            rows: t.competencies.len(),
                            problems: index.map_or(0, track_problems),
                            first,
                            last,
                            form: forms.form(format!("track-{}", t.key)),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let problems = draft
        .problems
        .iter()
        .take(PROBLEMS_SHOWN)
        .map(|p| problem_view(fw, p))
        .collect();
    let all_findings = draft.snapshot.findings();
    let lint_errors = all_findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let page = HomePage {
        layout: Layout::new("Edit the framework", "draft", Some(&ed.actor)),
        errors: forms.summary(),
        framework: forms.form("framework"),
        name: fw.name.clone(),
        description: fw.description.clone().unwrap_or_default(),
        revision: draft.snapshot.id,
        pending: draft.pending,
        latest: draft.latest_version,
        more_problems: draft.problems.len().saturating_sub(PROBLEMS_SHOWN),
        problems,
        findings: finding_groups(fw, all_findings),
        lint_errors,
        lint_warnings: all_findings.len() - lint_errors,
        lint: forms.form("lint"),
        rules: trellis_framework::lint::RULES
            .iter()
            .map(|r| RuleToggle {
                id: r.id,
                severity: match r.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
                summary: r.summary,
                off: fw.lint.disable.iter().any(|k| k.as_str() == r.id),
            })
            .collect(),
        families,
        add_track: forms.form("add-track"),
        kinds: kind_choices(),
        categories: fw.categories.len(),
        competencies: fw.competencies.len(),
        grades: fw.grades.len(),
    };
    render_with(status, &page)
}

/// The linter's findings grouped by track, in document order.
pub fn finding_groups(fw: &Framework, findings: &[Finding]) -> Vec<FindingGroup> {
    let mut groups: Vec<(Option<usize>, FindingGroup)> = Vec::new();
    for f in findings {
        let track = match f.path.get(..2) {
            Some([Seg::Field(list), Seg::Index(i)]) if list == "tracks" => Some(*i),
            _ => None,
        };
        if groups.last().is_none_or(|(t, _)| *t != track) {
            let t = track.and_then(|i| fw.tracks.get(i));
            groups.push((
                track,
                FindingGroup {
                    name: t.map_or_else(|| "The framework".to_owned(), |t| t.name.clone()),
                    href: t.map(|t| format!("/draft/tracks/{}", t.key)),
                    findings: Vec::new(),
                    more: 0,
                },
            ));
        }
        let Some((_, group)) = groups.last_mut() else {
            continue;
        };
        if group.findings.len() < FINDINGS_SHOWN {
            group.findings.push(finding_view(fw, f));
        } else {
            group.more += 1;
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

pub fn finding_view(fw: &Framework, f: &Finding) -> FindingView {
    FindingView {
        severity: f.severity.as_str(),
        rule: f.rule,
        message: f.message.clone(),
        suggestion: f.suggestion.clone(),
        link: link_for(fw, &f.path),
    }
}

/// Where in the editor a problem can be fixed, from its path into the framework document.
fn problem_view(fw: &Framework, p: &Problem) -> ProblemView {
    ProblemView {
        message: p.message.clone(),
        link: link_for(fw, &p.path),
    }
}

/// The editor page (and anchor) where the node at `path` is edited, and the words of the link.
fn link_for(fw: &Framework, path: &[Seg]) -> Option<(String, String)> {
    use Seg::{Field, Index};
    let field = |s: &Seg, name: &str| matches!(s, Field(f) if f == name);
    match path {
        [Field(f), ..] if f == "name" || f == "description" => {
            Some(("/draft#framework".to_owned(), "Edit the name".to_owned()))
        }
        [list, Index(i), ..] if field(list, "categories") => fw
            .categories
            .get(*i)
            .map(|c| library_link("category", &c.key, &c.name)),
        [list, Index(i), ..] if field(list, "competencies") => fw
            .competencies
            .get(*i)
            .map(|c| library_link("competency", &c.key, &c.name)),
        [list, Index(i), ..] if field(list, "grades") => fw
            .grades
            .get(*i)
            .map(|g| library_link("grade", &g.key, &g.name)),
        [list, Index(i), rest @ ..] if field(list, "tracks") => fw.tracks.get(*i).map(|t| {
            let base = format!("/draft/tracks/{}", t.key);
            let level = |j: &usize| t.levels.get(*j);
            match rest {
                [levels, Index(j), cells, Field(c), ..]
                    if field(levels, "levels") && field(cells, "expectations")
                        || field(levels, "levels") && field(cells, "examples") =>
                {
                    match level(j) {
                        Some(l) => (
                            format!("{base}#cell-{}-{c}", l.key),
                            format!("Edit the cell in {}", t.name),
                        ),
                        None => (base, format!("Open {}", t.name)),
                    }
                }
                [levels] if field(levels, "levels") => (
                    format!("{base}#add-level"),
                    format!("Add a level to {}", t.name),
                ),
                [levels, Index(j), ..] if field(levels, "levels") => match level(j) {
                    Some(l) => (
                        format!("{base}#level-{}", l.key),
                        format!("Edit {} in {}", l.title, t.name),
                    ),
                    None => (base, format!("Open {}", t.name)),
                },
                [rows, ..] if field(rows, "competencies") => (
                    format!("{base}#rows"),
                    format!("Edit the rows of {}", t.name),
                ),
                _ => (base, format!("Open {}", t.name)),
            }
        }),
        _ => None,
    }
}

fn library_link(what: &str, key: &Key, name: &str) -> (String, String) {
    (
        format!("/draft/library#{what}-{key}"),
        format!("Edit {name}"),
    )
}

async fn show(ed: Editor) -> PageResult {
    page(&ed, Forms::default(), StatusCode::OK).await
}

async fn set_framework(ed: Editor, Form(fields): Form<Fields>) -> PageResult {
    ed.submit(At::new(Place::Home, "framework"), fields, |f, _| {
        Ok(Edit::SetFramework {
            name: f.text("name"),
            description: f.optional("description"),
        })
    })
    .await
}

async fn set_lint_rules(ed: Editor, Form(fields): Form<Fields>) -> PageResult {
    ed.submit(At::new(Place::Home, "lint"), fields, |f, _| {
        let disable = f
            .all("disable")
            .iter()
            .map(|id| parse_key("disable", id))
            .collect::<Result<_, _>>()?;
        Ok(Edit::SetLintRules { disable })
    })
    .await
}

async fn add_track(ed: Editor, Form(fields): Form<Fields>) -> PageResult {
    let then = fields
        .new_key("key", "name")
        .map(|k| format!("/draft/tracks/{k}"))
        .unwrap_or_default();
    let at = At::new(Place::Home, "add-track").then_to_page(then);
    ed.submit(at, fields, |f, _| {
        Ok(Edit::AddTrack {
            key: f.new_key("key", "name")?,
            name: f.text("name"),
            family: f.optional("family"),
            kind: f.kind("kind")?,
            description: f.optional("description"),
        })
    })
    .await
}

async fn rename_track(
    ed: Editor,
    Path(track): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = path_key(&track, "track")?;
    let at = At::new(Place::Home, format!("track-{key}"));
    ed.submit(at, fields, |f, fw| {
        let t = &fw.tracks[index_of(&fw.tracks, |t| &t.key, &key, "track")?];
        Ok(Edit::UpdateTrack {
            key: key.clone(),
            name: f.text("name"),
            family: t.family.clone(),
            kind: t.kind,
            description: t.description.clone(),
        })
    })
    .await
}

async fn move_track(
    ed: Editor,
    Path(track): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = path_key(&track, "track")?;
    let at = At::new(Place::Home, format!("track-{key}"));
    ed.submit(at, fields, |f, fw| {
        let i = index_of(&fw.tracks, |t| &t.key, &key, "track")?;
        let family = &fw.tracks[i].family;
        let to = step_to(&fw.tracks, i, f.step()?, |t| &t.family == family)?;
        Ok(Edit::MoveTrack {
            key: key.clone(),
            to,
        })
    })
    .await
}

async fn remove_track(
    ed: Editor,
    Path(track): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = path_key(&track, "track")?;
    let at = At::new(Place::Home, format!("track-{key}")).then_to("tracks");
    ed.submit(at, fields, |_, _| {
        Ok(Edit::RemoveTrack { key: key.clone() })
    })
    .await
}
