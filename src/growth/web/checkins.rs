//! Check-ins in the browser: a person's check-ins with the form to start one, and a check-in's
//! page, where each side rates (htmx saves one competency as it changes; without JavaScript the
//! whole form saves with a button), shares, compares, agrees and confirms. What each viewer sees
//! of the ratings is decided by `growth::checkins`.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::architecture::framework as framework_service;
use crate::auth::Actor;
use crate::domain::{Rating, RatingEntry};
use crate::error::AppError;
use crate::growth::checkins::{
    self as service, Checkin, CheckinListItem, CheckinStatus, RatingInput, Side, StartOptions,
};
use crate::growth::evidence::{self, EvidenceItem};
use crate::state::AppState;
use crate::web::forms::Choice;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission, refusal};
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/people/{id}/checkins", get(list).post(start))
        .route("/checkins/{id}", get(show).post(submit))
        .route("/checkins/{id}/rating", post(save_one))
        .route("/checkins/{id}/ratings", post(save_all))
        .route("/checkins/{id}/share", post(share))
        .route("/checkins/{id}/agreed", post(set_agreed))
        .route("/checkins/{id}/confirm", post(confirm))
        .route("/checkins/{id}/cancel", post(cancel))
}

/// The id of the ratings form, and of the element around it.
const RATINGS_FORM: &str = "ratings";
/// The id of the confirmation form of the review.
const AGREEMENT_FORM: &str = "agreement";
/// The id of the start form.
const START_FORM: &str = "start";

// ---- A person's check-ins ----

#[derive(Template)]
#[template(path = "checkins/list.html")]
struct ListPage {
    layout: Layout,
    options: StartOptions,
    items: Vec<CheckinListItem>,
    /// The person's own level and the next, first in the choice.
    suggested: Vec<Choice>,
    /// Every position of the published framework, by track.
    positions: Vec<(String, Vec<Choice>)>,
    selected: String,
    /// The selected position is one of the suggested ones (it is listed twice).
    selected_suggested: bool,
    form: FormView,
    errors: Vec<ErrorLink>,
    /// The unfinished check-in a refused start should continue.
    existing: Option<i64>,
}

async fn list_page(
    state: &AppState,
    actor: &Actor,
    person: i64,
    forms: Forms,
    status: StatusCode,
    target: Option<&str>,
) -> PageResult {
    let options = service::start_options(state, actor, person).await?;
    let items = service::list_for_person(state, actor, person).await?;
    let published = framework_service::published(state, actor).await?;
    let positions = published
        .map(|p| {
            p.framework
                .tracks
                .iter()
                .map(|t| {
                    let levels = t
                        .levels
                        .iter()
                        .map(|l| Choice::new(format!("{}/{}", t.key, l.key), l.title.clone()))
                        .collect();
                    (t.name.clone(), levels)
                })
                .collect()
        })
        .unwrap_or_default();
    let value = |p: &crate::people::directory::Position| format!("{}/{}", p.track, p.level);
    let mut suggested = Vec::new();
    if let Some(p) = &options.current {
        suggested.push(Choice::new(
            value(p),
            format!("Current level: {} ({})", p.level_title, p.track_name),
        ));
    }
    if let Some(p) = &options.next {
        suggested.push(Choice::new(
            value(p),
            format!("Next level: {} ({})", p.level_title, p.track_name),
        ));
    }
    let default = options
        .next
        .as_ref()
        .or(options.current.as_ref())
        .map(value)
        .unwrap_or_default();
    let existing = target.and_then(|t| {
        items
            .iter()
            .find(|i| i.status.is_unfinished() && value(&i.target) == t)
            .map(|i| i.id)
    });
    let form = forms.form(START_FORM);
    let selected = form.value("target", &default);
    let page = ListPage {
        layout: Layout::new(
            format!("Check-ins of {}", options.person_name),
            "people",
            Some(actor),
        ),
        selected_suggested: suggested.iter().any(|c| c.value == selected),
        selected,
        errors: forms.summary(),
        form,
        options,
        items,
        suggested,
        positions,
        existing,
    };
    render_with(status, &page)
}

async fn list(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    list_page(&state, &actor, id, Forms::default(), StatusCode::OK, None).await
}

async fn start(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let target = fields.text("target");
    let (track, level) = target.split_once('/').unwrap_or((target.as_str(), ""));
    match service::start(&state, &actor, id, track, level).await {
        Ok(checkin) => Ok(crate::web::flash::redirect(
            &format!("/checkins/{checkin}"),
            "The check-in was started. Rate each competency below; your ratings are saved as you go.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let errors = errors
                .into_iter()
                .map(|mut e| {
                    if e.field == "track" || e.field == "level" {
                        e.field = "target".into();
                    }
                    e
                })
                .collect();
            let forms = Forms::refused(Submission::new(START_FORM.into(), fields, errors));
            list_page(&state, &actor, id, forms, status, Some(&target)).await
        }
    }
}

// ---- One check-in ----

/// A piece of evidence beside a competency.
struct EvidenceView {
    id: i64,
    title: String,
    kind: &'static str,
    url: Option<String>,
    happened_on: Option<String>,
    confirmations: usize,
}

impl EvidenceView {
    fn of(item: &EvidenceItem) -> EvidenceView {
        EvidenceView {
            id: item.id,
            title: item.title.clone(),
            kind: evidence::kind_label(&item.kind),
            url: item.url.clone(),
            happened_on: item.happened_on.clone(),
            confirmations: item.confirmations.len(),
        }
    }
}

/// One competency of the check-in, with what the viewer may see of its ratings.
struct CompetencyRow {
    key: String,
    name: String,
    description: Option<Arc<str>>,
    bullets: Vec<Arc<str>>,
    not_applicable_at_level: bool,
    evidence: Vec<EvidenceView>,
    /// The viewer's own side's rating.
    mine: Option<RatingEntry>,
    person: Option<RatingEntry>,
    manager: Option<RatingEntry>,
    agreed: Option<RatingEntry>,
    /// Both sides are visible and rated it differently.
    differs: bool,
    /// The names of its fields in the ratings form.
    rating_field: String,
    comment_field: String,
    reason_field: String,
    /// Its form in the review, to change the agreed rating.
    agree_form: FormView,
}

impl CompetencyRow {
    fn mine_rating(&self) -> &str {
        self.mine.as_ref().map_or("", |e| e.rating.as_str())
    }

    fn mine_comment(&self) -> &str {
        self.mine.as_ref().map_or("", |e| e.comment.as_str())
    }

    fn mine_reason(&self) -> &str {
        self.mine
            .as_ref()
            .and_then(|e| e.reason.as_deref())
            .unwrap_or_default()
    }

    fn agreed_rating(&self) -> &str {
        self.agreed.as_ref().map_or("", |e| e.rating.as_str())
    }

    fn agreed_reason(&self) -> &str {
        self.agreed
            .as_ref()
            .and_then(|e| e.reason.as_deref())
            .unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "checkins/checkin.html")]
struct CheckinPage {
    layout: Layout,
    c: Checkin,
    /// Competencies grouped by category, in the track's order within each.
    groups: Vec<(String, Vec<CompetencyRow>)>,
    ratings_form: FormView,
    agreement_form: FormView,
    errors: Vec<ErrorLink>,
    /// The whole form was saved (without JavaScript).
    saved: bool,
    scale: Vec<Choice>,
    /// How many competencies the two sides rated differently.
    differences: usize,
}

impl CheckinPage {
    fn is_open(&self) -> bool {
        self.c.status == CheckinStatus::Open
    }

    fn compares(&self) -> bool {
        matches!(self.c.status, CheckinStatus::Review | CheckinStatus::Agreed)
            || (self.c.status == CheckinStatus::Cancelled && self.c.both_shared())
    }

    fn is_person(&self) -> bool {
        self.c.your_side == Some(Side::Person)
    }

    /// The viewer's side has shared.
    fn shared_mine(&self) -> Option<i64> {
        match self.c.your_side {
            Some(Side::Person) => self.c.self_shared_at,
            Some(Side::Manager) => self.c.manager_shared_at,
            None => None,
        }
    }
}

fn scale() -> Vec<Choice> {
    Rating::SCALE
        .into_iter()
        .chain([Rating::NotApplicable])
        .map(|r| Choice::new(r.as_str(), r.label()))
        .collect()
}

fn agree_form_id(key: &str) -> String {
    format!("agree-{key}")
}

async fn checkin_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    forms: Forms,
    status: StatusCode,
    saved: bool,
) -> PageResult {
    let c = service::get(state, actor, id).await?;
    let md = state.markdown();
    let mine = match c.your_side {
        Some(Side::Person) => c.self_ratings.as_ref(),
        Some(Side::Manager) => c.manager_ratings.as_ref(),
        None => None,
    };
    let mut groups: Vec<(String, Vec<CompetencyRow>)> = Vec::new();
    let mut differences = 0;
    for comp in &c.competencies {
        let entry = |r: Option<&crate::domain::Ratings>| r.and_then(|r| r.get(&comp.key)).cloned();
        let person = entry(c.self_ratings.as_ref());
        let manager = entry(c.manager_ratings.as_ref());
        let differs = matches!((&person, &manager), (Some(p), Some(m)) if p.rating != m.rating);
        if differs {
            differences += 1;
        }
        let row = CompetencyRow {
            key: comp.key.clone(),
            name: comp.name.clone(),
            description: comp.description.as_deref().map(|d| md.block(d)),
            bullets: comp.expectations.iter().map(|b| md.inline(b)).collect(),
            not_applicable_at_level: comp.not_applicable_at_level,
            evidence: c
                .evidence
                .get(&comp.key)
                .map(|items| items.iter().map(EvidenceView::of).collect())
                .unwrap_or_default(),
            mine: entry(mine),
            agreed: entry(c.agreed_ratings.as_ref()),
            person,
            manager,
            differs,
            rating_field: format!("rating-{}", comp.key),
            comment_field: format!("comment-{}", comp.key),
            reason_field: format!("reason-{}", comp.key),
            agree_form: forms.form(agree_form_id(&comp.key)),
        };
        let group = comp.category.clone().unwrap_or_else(|| "Other".into());
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((group, vec![row])),
        }
    }
    let page = CheckinPage {
        layout: Layout::new(
            format!("Check-in of {}: {}", c.person_name, c.target.level_title),
            "people",
            Some(actor),
        ),
        groups,
        ratings_form: forms.form(RATINGS_FORM),
        agreement_form: forms.form(AGREEMENT_FORM),
        errors: forms.summary(),
        saved,
        scale: scale(),
        differences,
        c,
    };
    render_with(status, &page)
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    saved: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let saved = q.saved.as_deref() == Some("1");
    checkin_page(&state, &actor, id, Forms::default(), StatusCode::OK, saved).await
}

/// One competency's fields of the ratings form.
fn rating_input(fields: &Fields, key: &str) -> RatingInput {
    RatingInput {
        rating: fields.text(&format!("rating-{key}")),
        comment: fields.text(&format!("comment-{key}")),
        reason: fields.text(&format!("reason-{key}")),
    }
}

/// Every competency the ratings form sent.
fn rating_inputs(fields: &Fields, keys: &[String]) -> Vec<(String, RatingInput)> {
    keys.iter()
        .filter(|k| fields.get(&format!("rating-{k}")).is_some())
        .map(|k| (k.clone(), rating_input(fields, k)))
        .collect()
}

/// The service names a competency's fields `KEY.rating`; the form, `rating-KEY`.
fn form_field(service_field: &str) -> String {
    match service_field.rsplit_once('.') {
        Some((key, part)) => format!("{part}-{key}"),
        None => service_field.to_owned(),
    }
}

#[derive(Template)]
#[template(path = "checkins/saved.html")]
struct SavedFragment {
    message: String,
    failed: bool,
}

/// The autosave of one competency (htmx): a small "Saved" answer, or what went wrong. Without
/// JavaScript the same form field lands here only through the whole form; a plain request goes
/// back to the page.
async fn save_one(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = fields.text("competency");
    let input = rating_input(&fields, &key);
    let result = service::save_rating(&state, &actor, id, &key, &input).await;
    if !headers.contains_key("hx-request") {
        return match result {
            Ok(()) => Ok(Redirect::to(&format!("/checkins/{id}#c-{key}")).into_response()),
            Err(e) => {
                let (status, errors) = refusal(e)?;
                let errors = errors
                    .into_iter()
                    .map(|mut e| {
                        e.field = form_field(&e.field);
                        e
                    })
                    .collect();
                let forms = Forms::refused(Submission::new(RATINGS_FORM.into(), fields, errors));
                checkin_page(&state, &actor, id, forms, status, false).await
            }
        };
    }
    match result {
        Ok(()) => render_with(
            StatusCode::OK,
            &SavedFragment {
                message: if input.rating.trim().is_empty() {
                    "Not rated".into()
                } else {
                    "Saved".into()
                },
                failed: false,
            },
        ),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let message = errors
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join("; ");
            render_with(
                status,
                &SavedFragment {
                    message: format!("Not saved: {message}"),
                    failed: true,
                },
            )
        }
    }
}

/// Saves the whole ratings form; the page again with the messages when something is wrong.
async fn save_fields(
    state: &AppState,
    actor: &Actor,
    id: i64,
    fields: &Fields,
) -> Result<(), PageResult> {
    let keys: Vec<String> = match service::get(state, actor, id).await {
        Ok(c) => c.competencies.into_iter().map(|c| c.key).collect(),
        Err(e) => return Err(Err(e)),
    };
    let inputs = rating_inputs(fields, &keys);
    match service::save_own_ratings(state, actor, id, &inputs).await {
        Ok(()) => Ok(()),
        Err(e) => Err(show_refused(state, actor, id, RATINGS_FORM, fields.clone(), e).await),
    }
}

/// The check-in page again with a refused form, or the error itself.
async fn show_refused(
    state: &AppState,
    actor: &Actor,
    id: i64,
    form: &str,
    fields: Fields,
    e: AppError,
) -> PageResult {
    let (status, errors) = refusal(e)?;
    let errors = errors
        .into_iter()
        .map(|mut e| {
            e.field = if form == RATINGS_FORM {
                form_field(&e.field)
            } else {
                e.field
                    .rsplit_once('.')
                    .map_or(e.field.clone(), |(_, part)| part.to_owned())
            };
            e
        })
        .collect();
    let forms = Forms::refused(Submission::new(form.into(), fields, errors));
    checkin_page(state, actor, id, forms, status, false).await
}

async fn save_all(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    if let Err(page) = save_fields(&state, &actor, id, &fields).await {
        return page;
    }
    Ok(Redirect::to(&format!("/checkins/{id}?saved=1#{RATINGS_FORM}")).into_response())
}

/// The ratings form, posted to the check-in's own address so that a refused save or share shows
/// the page again, with what was typed and why, at that address: it saves the form, then shares
/// when the button pressed was "Save and share" (`intent=share`).
async fn submit(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    if let Err(page) = save_fields(&state, &actor, id, &fields).await {
        return page;
    }
    if fields.get("intent") == Some("share") {
        return match service::share(&state, &actor, id).await {
            Ok(()) => Ok(crate::web::flash::redirect(
                &format!("/checkins/{id}"),
                SHARED,
                None,
            )),
            Err(e) => show_refused(&state, &actor, id, RATINGS_FORM, fields, e).await,
        };
    }
    Ok(Redirect::to(&format!("/checkins/{id}?saved=1#{RATINGS_FORM}")).into_response())
}

/// What sharing one's side says.
const SHARED: &str = "Your ratings are shared and can no longer be changed. Once the other side has shared too, you agree the ratings together.";

/// Shares the viewer's side. Sent from the ratings form, it saves the form first; a bare request
/// (a button of its own, a script) just shares.
async fn share(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    form: Result<Form<Fields>, FormRejection>,
) -> PageResult {
    let fields = form.map(|Form(f)| f).unwrap_or_default();
    let from_form = fields.get("from") == Some(RATINGS_FORM);
    if from_form && let Err(page) = save_fields(&state, &actor, id, &fields).await {
        return page;
    }
    match service::share(&state, &actor, id).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/checkins/{id}"),
            SHARED,
            None,
        )),
        Err(e) => show_refused(&state, &actor, id, RATINGS_FORM, fields, e).await,
    }
}

/// Changes the agreed rating of one competency in the review.
async fn set_agreed(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let key = fields.text("competency");
    let input = RatingInput {
        rating: fields.text("rating"),
        comment: fields.text("comment"),
        reason: fields.text("reason"),
    };
    match service::set_agreed(&state, &actor, id, &[(key.clone(), input)]).await {
        Ok(()) => Ok(Redirect::to(&format!("/checkins/{id}#row-{key}")).into_response()),
        Err(e) => show_refused(&state, &actor, id, &agree_form_id(&key), fields, e).await,
    }
}

async fn confirm(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    match service::confirm(&state, &actor, id).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/checkins/{id}#agreement"),
            "Your confirmation of the agreed ratings was recorded. The check-in is agreed once both of you have confirmed them.",
            None,
        )),
        Err(e) => show_refused(&state, &actor, id, AGREEMENT_FORM, Fields::default(), e).await,
    }
}

async fn cancel(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    service::cancel(&state, &actor, id).await?;
    Ok(crate::web::flash::redirect(
        &format!("/checkins/{id}"),
        "The check-in was cancelled. Start a new one when you are ready.",
        None,
    ))
}
