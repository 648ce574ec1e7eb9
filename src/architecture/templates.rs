//! The template catalog: ready-made career tracks, shipped as framework files in
//! `framework-templates/` and compiled into the binary, that admins add to their draft whole or track by
//! track.

use std::sync::LazyLock;

use rust_embed::Embed;
use trellis_framework::merge::Take;
use trellis_framework::{Framework, Key, TrackKind, yaml};

use crate::architecture::framework::{self as service, ImportReport};
use crate::auth::{Actor, policy};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Embed)]
#[folder = "framework-templates/"]
struct Files;

/// The file that holds the shared library the templates copy from; it is not a template itself.
const LIBRARY_FILE: &str = "library.yaml";

/// One template of the catalog.
#[derive(Debug)]
pub struct Template {
    /// The file name without `.yaml`: `software-engineering`.
    pub id: String,
    pub framework: Framework,
}

#[derive(Debug, Clone)]
pub struct TemplateTrack {
    pub key: String,
    pub name: String,
    pub family: Option<String>,
    pub kind: TrackKind,
    pub levels: Vec<String>,
    pub competencies: usize,
}

#[derive(Debug, Clone)]
pub struct TemplateSummary {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub tracks: Vec<TemplateTrack>,
}

impl Template {
    pub fn summary(&self) -> TemplateSummary {
        TemplateSummary {
            id: self.id.clone(),
            name: self.framework.name.clone(),
            description: self.framework.description.clone(),
            tracks: self
                .framework
                .tracks
                .iter()
                .map(|t| TemplateTrack {
                    key: t.key.to_string(),
                    name: t.name.clone(),
                    family: t.family.clone(),
                    kind: t.kind,
                    levels: t.levels.iter().map(|l| l.title.clone()).collect(),
                    competencies: t.competencies.len(),
                })
                .collect(),
        }
    }
}

/// Every template, read once. A template that does not read is left out and logged: the test suite
/// makes sure none is.
static CATALOG: LazyLock<Vec<Template>> = LazyLock::new(|| {
    let mut out: Vec<Template> = Files::iter()
        .filter(|name| name.ends_with(".yaml") && name.as_ref() != LIBRARY_FILE)
        .filter_map(|name| {
            let file = Files::get(&name)?;
            let text = std::str::from_utf8(&file.data).ok()?.to_owned();
            match yaml::read(&text) {
                Ok(framework) => Some(Template {
                    id: name.trim_end_matches(".yaml").to_owned(),
                    framework,
                }),
                Err(errors) => {
                    tracing::error!(template = %name, problems = errors.len(), "a template does not read");
                    None
                }
            }
        })
        .collect();
    out.sort_by(|a, b| a.framework.name.cmp(&b.framework.name));
    out
});

/// Every template, for those who edit the framework (they are what the draft starts from).
pub fn templates(actor: &Actor) -> AppResult<&'static [Template]> {
    policy::edit_framework(actor)?;
    Ok(&CATALOG)
}

/// One template, for those who edit the framework.
pub fn template(actor: &Actor, id: &str) -> AppResult<&'static Template> {
    policy::edit_framework(actor)?;
    find(id)
}

fn find(id: &str) -> AppResult<&'static Template> {
    CATALOG
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| AppError::not_found(format!("the template “{id}”")))
}

/// The source text of a template file, for anyone who reads the framework and wants to start from
/// the YAML.
pub fn source(actor: &Actor, id: &str) -> AppResult<String> {
    policy::read_published_framework(actor)?;
    find(id)?;
    Files::get(&format!("{id}.yaml"))
        .and_then(|f| String::from_utf8(f.data.into_owned()).ok())
        .ok_or_else(|| AppError::not_found(format!("the template “{id}”")))
}

/// The part of a template to add: the chosen tracks (all when none is chosen) with only the library
/// entries they use, under the draft's own name so that adding a template never renames it.
fn selection(template: &Template, tracks: &[String], into: &Framework) -> AppResult<Framework> {
    let fw = &template.framework;
    for key in tracks {
        if fw.track(key).is_none() {
            return Err(AppError::invalid_field(
                "tracks",
                format!("the template “{}” has no track “{key}”", template.id),
            ));
        }
    }
    let chosen: Vec<_> = fw
        .tracks
        .iter()
        .filter(|t| tracks.is_empty() || tracks.iter().any(|k| k == t.key.as_str()))
        .cloned()
        .collect();
    let uses = |key: &Key| chosen.iter().any(|t| t.competencies.contains(key));
    let competencies: Vec<_> = fw
        .competencies
        .iter()
        .filter(|c| uses(&c.key))
        .cloned()
        .collect();
    let categories = fw
        .categories
        .iter()
        .filter(|cat| {
            competencies
                .iter()
                .any(|c| c.category.as_ref() == Some(&cat.key))
        })
        .cloned()
        .collect();
    let grades = fw
        .grades
        .iter()
        .filter(|g| {
            chosen
                .iter()
                .flat_map(|t| &t.levels)
                .any(|l| l.grade.as_ref() == Some(&g.key))
        })
        .cloned()
        .collect();
    Ok(Framework {
        name: into.name.clone(),
        description: into.description.clone(),
        categories,
        competencies,
        grades,
        tracks: chosen,
        ..Framework::default()
    })
}

/// Adds a template (or some of its tracks) to the draft, by key like an import: what the draft already
/// has stays as it is, except the items named in `take`; with `dry_run`, only says what would change.
pub async fn add_to_draft(
    state: &AppState,
    actor: &Actor,
    id: &str,
    tracks: &[String],
    take: Take,
    dry_run: bool,
) -> AppResult<ImportReport> {
    let template = template(actor, id)?;
    let draft = service::draft(state, actor).await?;
    let part = selection(template, tracks, &draft.snapshot.framework)?;
    service::import_framework(
        state,
        actor,
        &part,
        &service::ImportOptions {
            dry_run,
            prune: false,
            take,
            publish_note: None,
        },
    )
    .await
}
