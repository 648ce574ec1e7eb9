//! The editor's home page: the framework's name, the draft's status and the problems that block
//! publishing, and the tracks grouped by family (add, rename, reorder, remove).

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use trellis_framework::edit::{Edit, parse_key};
use trellis_framework::lint::{Finding, Severity};
use trellis_framework::validate::{Problem, Seg};
use trellis_framework::{Framework, Key};

use super::{At, Choice, Editor, Place, ends, index_of, kind_choices, path_key, step_to};
use crate::web::forms::{ErrorLink, Fields, FormView, Forms};
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/draft", get(show))
        .route("/draft/framework", post(set_framework))
        .route("/draft/lint", post(set_lint_rules))
        .route("/draft/tracks", post(add_track))
        .route("/draft/tracks/{track}/rename", post(rename_track))
        .route("/draft/tracks/{track}/move", post(move_track))
        .route("/draft/tracks/{track}/remove", post(remove_track))
}

/// How many things to fix the page lists per track before it only counts the rest.
const CHECKS_SHOWN: usize = 10;

/// What stands between the draft and a clear, publishable framework, as one list: the problems
/// that block publishing and the linter's findings, which do not, each named once (a finding at the
/// place of a problem is the problem), grouped by track, what blocks first.
pub struct Checks {
    /// Problems that block publishing.
    pub problems: usize,
    /// Findings of the linter beyond the problems: advice, which does not block publishing.
    pub findings: usize,
    /// How many of those findings are errors.
    pub lint_errors: usize,
    pub groups: Vec<CheckGroup>,
}

/// The things to fix in one track (or in the framework as a whole).
pub struct CheckGroup {
    pub name: String,
    pub href: Option<String>,
    pub items: Vec<CheckItem>,
    pub more: usize,
}

/// One thing to fix: what it is, whether it blocks publishing, and where to fix it.
pub struct CheckItem {
    /// `blocks`, `error` or `warning`: the class that colours it.
    pub kind: &'static str,
    /// The words that say whether it blocks publishing.
    pub label: &'static str,
    pub message: String,
    pub suggestion: Option<String>,
    /// Where to fix it, and the words of the link.
    pub link: Option<(String, String)>,
}

impl Checks {
    pub fn is_empty(&self) -> bool {
        self.problems == 0 && self.findings == 0
    }

    /// The heading: whether anything blocks publishing.
    pub fn heading(&self) -> String {
        if self.problems == 0 {
            "Nothing blocks publishing".to_owned()
        } else {
            crate::text::count(self.problems, "problem blocks", "problems block") + " publishing"
        }
    }

    /// What the linter adds, and that it does not block publishing.
    pub fn advice(&self) -> String {
        let also = if self.problems > 0 { " also" } else { "" };
        if self.findings == 0 {
            return format!("The linter{also} finds nothing to improve.");
        }
        let it = if self.findings == 1 {
            "it does"
        } else {
            "they do"
        };
        let mut text = format!(
            "The linter{also} finds {}: {it} not block publishing.",
            crate::text::count(self.findings, "thing to improve", "things to improve")
        );
        if self.lint_errors > 0 {
            text.push_str(&format!(
                " Its {} make the tracks hard to use: fix {} {}.",
                crate::text::noun(self.lint_errors, "error", "errors"),
                crate::text::noun(self.lint_errors, "it", "them"),
                if self.problems > 0 { "next" } else { "first" },
            ));
        }
        text
    }
}

/// The draft's problems and the linter's findings as one list (see [`Checks`]).
pub fn checks(fw: &Framework, problems: &[Problem], findings: &[Finding]) -> Checks {
    let findings = trellis_framework::lint::beyond_problems(findings, problems);
    let track_of = |path: &[Seg]| match path.get(..2) {
        Some([Seg::Field(list), Seg::Index(i)]) if list == "tracks" => Some(*i),
        _ => None,
    };
    let mut items: Vec<(Option<usize>, u8, usize, CheckItem)> = Vec::new();
    for (seq, p) in problems.iter().enumerate() {
        let track = track_of(&p.path);
        items.push((
            track,
            0,
            seq,
            CheckItem {
                kind: "blocks",
                label: "Blocks publishing",
                message: in_words(fw, track, &p.message),
                suggestion: None,
                link: link_for(fw, &p.path),
            },
        ));
    }
    for (seq, f) in findings.iter().enumerate() {
        let track = track_of(&f.path);
        let (rank, kind, label) = match f.severity {
            Severity::Error => (1, "error", "Linter error"),
            Severity::Warning => (2, "warning", "Linter warning"),
        };
        items.push((
            track,
            rank,
            seq,
            CheckItem {
                kind,
                label,
                message: in_words(fw, track, &f.message),
                suggestion: f.suggestion.as_deref().map(|s| in_words(fw, track, s)),
                link: link_for(fw, &f.path),
            },
        ));
    }
    items.sort_by_key(|(track, rank, seq, _)| (*track, *rank, *seq));
    let mut groups: Vec<(Option<usize>, CheckGroup)> = Vec::new();
    for (track, _, _, item) in items {
        if groups.last().is_none_or(|(t, _)| *t != track) {
            let t = track.and_then(|i| fw.tracks.get(i));
            groups.push((
                track,
                CheckGroup {
                    name: t.map_or_else(|| "The framework".to_owned(), |t| t.name.clone()),
                    href: t.map(|t| format!("/draft/tracks/{}", t.key)),
                    items: Vec::new(),
                    more: 0,
                },
            ));
        }
        let Some((_, group)) = groups.last_mut() else {
            continue;
        };
        if group.items.len() < CHECKS_SHOWN {
            group.items.push(item);
        } else {
            group.more += 1;
        }
    }
    Checks {
        problems: problems.len(),
        lint_errors: findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count(),
        findings: findings.len(),
        groups: groups.into_iter().map(|(_, g)| g).collect(),
    }
}

/// A message of the framework's rules in the words of the page: each key it quotes becomes the
/// title of what it names (a level of the track it is about first, then a competency, category,
/// grade or track), and the file format's words become plain ones.
fn in_words(fw: &Framework, track: Option<usize>, message: &str) -> String {
    let track = track.and_then(|i| fw.tracks.get(i));
    let title = |key: &str| {
        track
            .and_then(|t| t.level(key))
            .map(|l| l.title.clone())
            .or_else(|| fw.competency(key).map(|c| c.name.clone()))
            .or_else(|| fw.category(key).map(|c| c.name.clone()))
            .or_else(|| fw.grade(key).map(|g| g.name.clone()))
            .or_else(|| fw.track(key).map(|t| t.name.clone()))
            .unwrap_or_else(|| format!("\u{201c}{key}\u{201d}"))
    };
    let text: String = message
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                title(part)
            } else {
                part.to_owned()
            }
        })
        .collect();
    let text = text
        .replace("list it under not_applicable", "mark it not applicable")
        .replace("under not_applicable", "as not applicable")
        .replace("not_applicable", "not applicable");
    crate::text::sentence(&text)
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
    checks: Checks,
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
    let page = HomePage {
        layout: Layout::new("Edit the framework", "draft", Some(&ed.actor)),
        errors: forms.summary(),
        framework: forms.form("framework"),
        name: fw.name.clone(),
        description: fw.description.clone().unwrap_or_default(),
        revision: draft.snapshot.id,
        pending: draft.pending,
        latest: draft.latest_version,
        checks: checks(fw, &draft.problems, draft.snapshot.findings()),
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
                            format!(
                                "Edit {} at {} in {}",
                                fw.competency(c).map_or(c.as_str(), |k| k.name.as_str()),
                                l.title,
                                t.name
                            ),
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
        format!("Edit the {what} {name} in the library"),
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
