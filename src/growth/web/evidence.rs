//! Evidence in the browser: a person's evidence (filterable by competency, with the form to add
//! an item), one item's page (change, remove, confirm, ask a colleague to confirm), and the items
//! colleagues asked the signed-in person to confirm.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::auth::Actor;
use crate::growth::evidence::{
    self as service, AskedItem, Colleague, EvidenceDetail, EvidenceInput, EvidenceItem,
    EvidenceList, KINDS,
};
use crate::state::AppState;
use crate::web::forms::Choice;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission, refusal};
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, format_time, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/people/{id}/evidence", get(list).post(add))
        .route("/evidence/asked", get(asked))
        .route("/evidence/{id}", get(show).post(edit))
        .route("/evidence/{id}/remove", post(remove))
        .route("/evidence/{id}/confirm", post(confirm))
        .route("/evidence/{id}/unconfirm", post(unconfirm))
        .route("/evidence/{id}/decline", post(decline))
        .route("/evidence/{id}/ask", post(ask))
        .route("/evidence/{id}/withdraw", post(withdraw))
}

/// An item as the pages show it.
pub struct ItemView {
    pub item: EvidenceItem,
    pub kind_label: &'static str,
    /// The competencies with their names.
    pub competencies: Vec<(String, String)>,
    /// The note as sanitised HTML.
    pub note_html: Option<Arc<str>>,
    /// Confirmations with their comments as sanitised HTML.
    pub confirmations: Vec<(String, Option<Arc<str>>, String)>,
}

impl ItemView {
    fn new(state: &AppState, item: EvidenceItem, names: &dyn Fn(&str) -> String) -> ItemView {
        ItemView {
            kind_label: service::kind_label(&item.kind),
            competencies: item
                .competencies
                .iter()
                .map(|k| (k.clone(), names(k)))
                .collect(),
            note_html: item.note.as_deref().map(|n| state.markdown().block(n)),
            confirmations: item
                .confirmations
                .iter()
                .map(|c| {
                    (
                        c.name.clone(),
                        c.comment.as_deref().map(|t| state.markdown().block(t)),
                        format_time(&c.confirmed_at),
                    )
                })
                .collect(),
            item,
        }
    }
}

fn kind_choices() -> Vec<Choice> {
    KINDS.iter().map(|(k, l)| Choice::new(*k, *l)).collect()
}

fn input(f: &Fields) -> EvidenceInput {
    EvidenceInput {
        kind: f.text("kind"),
        title: f.text("title"),
        url: f.text("url"),
        note: f.text("note"),
        happened_on: f.text("happened_on"),
        competencies: f.all("competencies"),
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    competency: Option<String>,
}

#[derive(Template)]
#[template(path = "evidence/list.html")]
struct ListPage {
    layout: Layout,
    list: EvidenceList,
    items: Vec<ItemView>,
    errors: Vec<ErrorLink>,
    form: FormView,
    kinds: Vec<Choice>,
    /// The competencies ticked in the add form.
    ticked: Vec<String>,
    filter: String,
}

async fn list_page(
    state: &AppState,
    actor: &Actor,
    person: i64,
    competency: Option<&str>,
    forms: Forms,
    ticked: Vec<String>,
    status: StatusCode,
) -> PageResult {
    let mut list = service::list(state, actor, person, competency).await?;
    let names: Vec<(String, String)> = list
        .competencies
        .iter()
        .map(|c| (c.key.clone(), c.name.clone()))
        .collect();
    let name_of = |k: &str| {
        names
            .iter()
            .find(|(key, _)| key == k)
            .map_or_else(|| k.to_owned(), |(_, n)| n.clone())
    };
    let items = std::mem::take(&mut list.items)
        .into_iter()
        .map(|i| ItemView::new(state, i, &name_of))
        .collect();
    let page = ListPage {
        layout: Layout::new(
            format!("Evidence of {}", list.person_name),
            "people",
            Some(actor),
        ),
        filter: list.competency.clone().unwrap_or_default(),
        list,
        items,
        errors: forms.summary(),
        form: forms.form("add"),
        kinds: kind_choices(),
        ticked,
    };
    render_with(status, &page)
}

async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    list_page(
        &state,
        &actor,
        id,
        q.competency.as_deref(),
        Forms::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

async fn add(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    match service::add(&state, &actor, id, &input(&fields)).await {
        Ok(item) => Ok(crate::web::flash::redirect(
            &format!("/evidence/{item}"),
            "Your evidence was added.",
            Some((
                &format!("/evidence/{item}#ask"),
                "Ask a colleague to confirm it",
            )),
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let ticked = fields.all("competencies");
            let forms = Forms::refused(Submission::new("add".into(), fields, errors));
            list_page(&state, &actor, id, None, forms, ticked, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "evidence/item.html")]
struct ItemPage {
    layout: Layout,
    detail: EvidenceDetail,
    view: ItemView,
    errors: Vec<ErrorLink>,
    details: FormView,
    confirm: FormView,
    ask: FormView,
    kinds: Vec<Choice>,
    /// The competencies ticked in the change form.
    ticked: Vec<String>,
}

async fn item_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    forms: Forms,
    ticked: Option<Vec<String>>,
    status: StatusCode,
) -> PageResult {
    let detail = service::get(state, actor, id).await?;
    let names = detail.choices.clone();
    let name_of = |k: &str| {
        names
            .iter()
            .find(|(key, _)| key == k)
            .map_or_else(|| k.to_owned(), |(_, n)| n.clone())
    };
    let item = detail.item.clone();
    let view = ItemView::new(state, item, &name_of);
    let page = ItemPage {
        layout: Layout::new(view.item.title.clone(), "people", Some(actor)),
        ticked: ticked.unwrap_or_else(|| view.item.competencies.clone()),
        detail,
        view,
        errors: forms.summary(),
        details: forms.form("details"),
        confirm: forms.form("confirm"),
        ask: forms.form("ask"),
        kinds: kind_choices(),
    };
    render_with(status, &page)
}

async fn show(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    item_page(&state, &actor, id, Forms::default(), None, StatusCode::OK).await
}

async fn edit(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    match service::update(&state, &actor, id, &input(&fields)).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/evidence/{id}"),
            "Your changes to the evidence were saved.",
            Some((
                "/evidence/asked",
                "See what colleagues asked you to confirm",
            )),
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let ticked = fields.all("competencies");
            let forms = Forms::refused(Submission::new("details".into(), fields, errors));
            item_page(&state, &actor, id, forms, Some(ticked), status).await
        }
    }
}

async fn remove(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    let person = service::remove(&state, &actor, id).await?;
    Ok(crate::web::flash::redirect(
        &format!("/people/{person}/evidence"),
        "The evidence was deleted.",
        Some((
            &format!("/people/{person}/evidence#add"),
            "Add other evidence",
        )),
    ))
}

async fn confirm(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    match service::confirm(&state, &actor, id, &fields.text("comment")).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/evidence/{id}#confirmations"),
            "Your confirmation was added: it shows with the evidence wherever it is read.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new("confirm".into(), fields, errors));
            item_page(&state, &actor, id, forms, None, status).await
        }
    }
}

async fn unconfirm(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    service::unconfirm(&state, &actor, id).await?;
    Ok(crate::web::flash::redirect(
        &format!("/evidence/{id}#confirmations"),
        "Your confirmation was taken back.",
        None,
    ))
}

async fn decline(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    service::decline(&state, &actor, id).await?;
    Ok(crate::web::flash::redirect(
        "/evidence/asked",
        "You declined the request, and the evidence is no longer on your list.",
        None,
    ))
}

/// The colleague a form names: by email as typed, or by id from a button.
fn colleague(fields: &Fields) -> Colleague {
    match fields.get("user_id").and_then(|v| v.trim().parse().ok()) {
        Some(id) => Colleague::Id(id),
        None => Colleague::Email(fields.text("colleague")),
    }
}

async fn ask(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    match service::ask(&state, &actor, id, &colleague(&fields)).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/evidence/{id}#ask"),
            "Your request was sent: your colleague sees it on their list of evidence to confirm.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new("ask".into(), fields, errors));
            item_page(&state, &actor, id, forms, None, status).await
        }
    }
}

async fn withdraw(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    match service::withdraw_request(&state, &actor, id, &colleague(&fields)).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/evidence/{id}#ask"),
            "Your request was withdrawn.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new("ask".into(), fields, errors));
            item_page(&state, &actor, id, forms, None, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "evidence/asked.html")]
struct AskedPage {
    layout: Layout,
    items: Vec<AskedItem>,
}

async fn asked(State(state): State<AppState>, actor: Actor) -> PageResult {
    let items = service::asked_of_me(&state, &actor).await?;
    render_with(
        StatusCode::OK,
        &AskedPage {
            layout: Layout::new("Evidence to confirm", "people", Some(&actor)),
            items,
        },
    )
}
