//! The competency library editor: categories, competencies and grades, each added, updated,
//! reordered and removed here.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use trellis_framework::Framework;
use trellis_framework::edit::Edit;

use super::{At, Choice, Editor, Place, ends, index_of, path_key, shown_category, step_to};
use crate::web::forms::{ErrorLink, Fields, FormView, Forms};
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/draft/library", get(show))
        .route("/draft/categories", post(add_category))
        .route("/draft/categories/{key}", post(update_category))
        .route("/draft/categories/{key}/move", post(move_category))
        .route("/draft/categories/{key}/remove", post(remove_category))
        .route("/draft/competencies", post(add_competency))
        .route("/draft/competencies/{key}", post(update_competency))
        .route("/draft/competencies/{key}/move", post(move_competency))
        .route("/draft/competencies/{key}/remove", post(remove_competency))
        .route("/draft/grades", post(add_grade))
        .route("/draft/grades/{key}", post(update_grade))
        .route("/draft/grades/{key}/move", post(move_grade))
        .route("/draft/grades/{key}/remove", post(remove_grade))
}

/// A category or a grade in its list.
pub struct Item {
    pub key: String,
    pub name: String,
    pub description: String,
    /// What uses it, for people to know before they remove it.
    pub used_by: usize,
    pub first: bool,
    pub last: bool,
    pub form: FormView,
}

pub struct CompetencyItem {
    pub key: String,
    pub name: String,
    pub category: String,
    pub description: String,
    pub tracks: Vec<String>,
    pub first: bool,
    pub last: bool,
    pub form: FormView,
}

pub struct CompetencyGroup {
    pub name: String,
    pub items: Vec<CompetencyItem>,
}

#[derive(Template)]
#[template(path = "editor/library.html")]
struct LibraryPage {
    layout: Layout,
    errors: Vec<ErrorLink>,
    categories: Vec<Item>,
    add_category: FormView,
    groups: Vec<CompetencyGroup>,
    category_choices: Vec<Choice>,
    add_competency: FormView,
    grades: Vec<Item>,
    add_grade: FormView,
}

pub async fn page(ed: &Editor, forms: Forms, status: StatusCode) -> PageResult {
    let draft = ed.draft().await?;
    let fw = &draft.snapshot.framework;
    let categories = category_items(fw, &forms);
    let groups = competency_groups(fw, &forms);
    let grades = grade_items(fw, &forms);
    let page = LibraryPage {
        layout: Layout::new("Edit the competency library", "draft", Some(&ed.actor)),
        errors: forms.summary(),
        categories,
        add_category: forms.form("add-category"),
        groups,
        category_choices: fw
            .categories
            .iter()
            .map(|c| Choice::new(c.key.as_str(), c.name.as_str()))
            .collect(),
        add_competency: forms.form("add-competency"),
        grades,
        add_grade: forms.form("add-grade"),
    };
    render_with(status, &page)
}

/// The categories, each with how many competencies use it and its form.
fn category_items(fw: &Framework, forms: &Forms) -> Vec<Item> {
    let count = fw.categories.len();
    fw.categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (first, last) = ends(i, count);
            Item {
                key: c.key.to_string(),
                name: c.name.clone(),
                description: c.description.clone().unwrap_or_default(),
                used_by: fw
                    .competencies
                    .iter()
                    .filter(|x| x.category.as_ref() == Some(&c.key))
                    .count(),
                first,
                last,
                form: forms.form(format!("category-{}", c.key)),
            }
        })
        .collect()
}

/// The competencies by category, each with the tracks that use it and its form.
fn competency_groups(fw: &Framework, forms: &Forms) -> Vec<CompetencyGroup> {
    let mut sections: Vec<(Option<&trellis_framework::Key>, String)> = fw
        .categories
        .iter()
        .map(|c| (Some(&c.key), c.name.clone()))
        .collect();
    sections.push((None, "No category".to_owned()));
    sections
        .into_iter()
        .map(|(category, name)| {
            let members: Vec<_> = fw
                .competencies
                .iter()
                .filter(|c| shown_category(fw, c.key.as_str()) == category)
                .collect();
            let len = members.len();
            CompetencyGroup {
                name,
                items: members
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let (first, last) = ends(i, len);
                        CompetencyItem {
                            key: c.key.to_string(),
                            name: c.name.clone(),
                            category: c
                                .category
                                .as_ref()
                                .map(ToString::to_string)
                                .unwrap_or_default(),
                            description: c.description.clone().unwrap_or_default(),
                            tracks: fw
                                .tracks
                                .iter()
                                .filter(|t| t.competencies.contains(&c.key))
                                .map(|t| t.name.clone())
                                .collect(),
                            first,
                            last,
                            form: forms.form(format!("competency-{}", c.key)),
                        }
                    })
                    .collect(),
            }
        })
        .filter(|g| !g.items.is_empty())
        .collect()
}

/// The grades, each with how many levels use it and its form.
fn grade_items(fw: &Framework, forms: &Forms) -> Vec<Item> {
    let count = fw.grades.len();
    fw.grades
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let (first, last) = ends(i, count);
            Item {
                key: g.key.to_string(),
                name: g.name.clone(),
                description: String::new(),
                used_by: fw
                    .tracks
                    .iter()
                    .flat_map(|t| &t.levels)
                    .filter(|l| l.grade.as_ref() == Some(&g.key))
                    .count(),
                first,
                last,
                form: forms.form(format!("grade-{}", g.key)),
            }
        })
        .collect()
}

async fn show(ed: Editor) -> PageResult {
    page(&ed, Forms::default(), StatusCode::OK).await
}

async fn add_category(ed: Editor, Form(fields): Form<Fields>) -> PageResult {
    ed.submit(At::new(Place::Library, "add-category"), fields, |f, _| {
        Ok(Edit::AddCategory {
            key: f.new_key("key", "name")?,
            name: f.text("name"),
            description: f.optional("description"),
        })
    })
    .await
}

async fn update_category(
    ed: Editor,
    Path(key): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = path_key(&key, "category")?;
    let at = At::new(Place::Library, format!("category-{key}"));
    ed.submit(at, fields, |f, _| {
        Ok(Edit::UpdateCategory {
            key: key.clone(),
            name: f.text("name"),
            description: f.optional("description"),
        })
    })
    .await
}

async fn move_category(
    ed: Editor,
    Path(key): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = path_key(&key, "category")?;
    let at = At::new(Place::Library, format!("category-{key}"));
    ed.submit(at, fields, |f, fw| {
        let i = index_of(&fw.categories, |c| &c.key, &key, "category")?;
        let to = step_to(&fw.categories, i, f.step()?, |_| true)?;
        Ok(Edit::MoveCategory {
            key: key.clone(),
            to,
        })
    })
    .await
}

async fn remove_category(
    ed: Editor,
    Path(key): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = path_key(&key, "category")?;
    let at = At::new(Place::Library, format!("category-{key}")).then_to("categories");
    ed.submit(at, fields, |_, _| {
        Ok(Edit::RemoveCategory { key: key.clone() })
    })
    .await
}

async fn add_competency(ed: Editor, Form(fields): Form<Fields>) -> PageResult {
    ed.submit(At::new(Place::Library, "add-competency"), fields, |f, _| {
        Ok(Edit::AddCompetency {
            key: f.new_key("key", "name")?,
            name: f.text("name"),
            category: f.optional_key("category")?,
            description: f.optional("description"),
        })
    })
    .await
}

async fn update_competency(
    ed: Editor,
    Path(key): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = path_key(&key, "competency")?;
    let at = At::new(Place::Library, format!("competency-{key}"));
    ed.submit(at, fields, |f, _| {
        Ok(Edit::UpdateCompetency {
            key: key.clone(),
            name: f.text("name"),
            category: f.optional_key("category")?,
            description: f.optional("description"),
        })
    })
    .await
}

async fn move_competency(
    ed: Editor,
    Path(key): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = path_key(&key, "competency")?;
    let at = At::new(Place::Library, format!("competency-{key}"));
    ed.submit(at, fields, |f, fw| {
        let i = index_of(&fw.competencies, |c| &c.key, &key, "competency")?;
        let category = shown_category(fw, key.as_str());
        let to = step_to(&fw.competencies, i, f.step()?, |c| {
            shown_category(fw, c.key.as_str()) == category
        })?;
        Ok(Edit::MoveCompetency {
            key: key.clone(),
            to,
        })
    })
    .await
}

async fn remove_competency(
    ed: Editor,
    Path(key): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = path_key(&key, "competency")?;
    let at = At::new(Place::Library, format!("competency-{key}")).then_to("competencies");
    ed.submit(at, fields, |_, _| {
        Ok(Edit::RemoveCompetency { key: key.clone() })
    })
    .await
}

async fn add_grade(ed: Editor, Form(fields): Form<Fields>) -> PageResult {
    ed.submit(At::new(Place::Library, "add-grade"), fields, |f, _| {
        Ok(Edit::AddGrade {
            key: f.new_key("key", "name")?,
            name: f.text("name"),
        })
    })
    .await
}

async fn update_grade(
    ed: Editor,
    Path(key): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = path_key(&key, "grade")?;
    let at = At::new(Place::Library, format!("grade-{key}"));
    ed.submit(at, fields, |f, _| {
        Ok(Edit::UpdateGrade {
            key: key.clone(),
            name: f.text("name"),
        })
    })
    .await
}

async fn move_grade(ed: Editor, Path(key): Path<String>, Form(fields): Form<Fields>) -> PageResult {
    let key = path_key(&key, "grade")?;
    let at = At::new(Place::Library, format!("grade-{key}"));
    ed.submit(at, fields, |f, fw| {
        let i = index_of(&fw.grades, |g| &g.key, &key, "grade")?;
        let to = step_to(&fw.grades, i, f.step()?, |_| true)?;
        Ok(Edit::MoveGrade {
            key: key.clone(),
            to,
        })
    })
    .await
}

async fn remove_grade(
    ed: Editor,
    Path(key): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = path_key(&key, "grade")?;
    let at = At::new(Place::Library, format!("grade-{key}")).then_to("grades");
    ed.submit(at, fields, |_, _| {
        Ok(Edit::RemoveGrade { key: key.clone() })
    })
    .await
}
