//! Promotion nominations in the browser: the form a manager fills in for a report (with the
//! latest agreed check-in and the evidence beside the case), the list (the People team's queue,
//! a manager's own), and a nomination's page with the People team's decision and the nominator's
//! withdrawal. Who sees and does what is decided by `growth::nominations`.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::auth::{Actor, policy};
use crate::domain::Rating;
use crate::error::AppError;
use crate::growth::nominations::{
    self as service, DecisionInput, Nomination, NominationDraft, NominationInput, NominationList,
    NominationStatus,
};
use crate::state::AppState;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission, refusal};
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/nominations", get(list))
        .route("/nominations/{id}", get(show))
        .route("/nominations/{id}/decision", post(decide))
        .route("/nominations/{id}/withdraw", post(withdraw))
        .route("/people/{id}/nominations/new", get(new_form))
        .route("/people/{id}/nominations", post(create))
}

/// The id of the nomination form.
const NOMINATE_FORM: &str = "nominate";
/// The id of the decision form.
const DECISION_FORM: &str = "decision";
/// The id of the withdrawal form.
const WITHDRAW_FORM: &str = "withdraw";

/// The words for a rating in a case, or that there is none.
pub fn rating_words(r: &Option<Rating>) -> &'static str {
    r.map_or("Not rated", Rating::label)
}

// ---- The list ----

#[derive(Deserialize, Default)]
struct ListParams {
    /// `pending`, `approved`, `declined`, `withdrawn` or `all`.
    status: Option<String>,
}

#[derive(Template)]
#[template(path = "nominations/list.html")]
struct ListPage {
    layout: Layout,
    list: NominationList,
    /// The status filter as chosen: a status, or `all`.
    shown: String,
    statuses: Vec<(&'static str, &'static str)>,
}

async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Query(params): Query<ListParams>,
) -> PageResult {
    let chosen = params.status.as_deref().unwrap_or_default().trim();
    // The People team's queue opens on what waits for them; a manager's list on everything.
    let status = match chosen {
        "all" => None,
        "" if policy::decides_nominations(&actor) => Some(NominationStatus::Pending),
        "" => None,
        s => Some(NominationStatus::parse(s).ok_or_else(|| {
            AppError::invalid_field(
                "status",
                format!("“{s}” is not a status: pending, approved, declined, withdrawn or all"),
            )
        })?),
    };
    let list = service::list(&state, &actor, status).await?;
    let mut statuses = vec![("all", "All")];
    statuses.extend(
        NominationStatus::ALL
            .into_iter()
            .map(|s| (s.as_str(), s.label())),
    );
    render_with(
        StatusCode::OK,
        &ListPage {
            layout: Layout::new("Nominations", "nominations", Some(&actor)),
            shown: status.map_or("all", NominationStatus::as_str).to_owned(),
            statuses,
            list,
        },
    )
}

// ---- A nomination ----

#[derive(Template)]
#[template(path = "nominations/show.html")]
struct ShowPage {
    layout: Layout,
    n: Nomination,
    case_html: Arc<str>,
    note_html: Option<Arc<str>>,
    errors: Vec<ErrorLink>,
    decision: FormView,
    withdrawal: FormView,
}

async fn show_page(
    state: &AppState,
    actor: &Actor,
    id: i64,
    forms: Forms,
    status: StatusCode,
) -> PageResult {
    let n = service::nomination(state, actor, id).await?;
    let md = state.markdown();
    render_with(
        status,
        &ShowPage {
            layout: Layout::new(
                format!("Nomination of {}", n.person.name),
                "nominations",
                Some(actor),
            ),
            case_html: md.block(&n.case_text),
            note_html: n.decision_note.as_deref().map(|t| md.block(t)),
            errors: forms.summary(),
            decision: forms.form(DECISION_FORM),
            withdrawal: forms.form(WITHDRAW_FORM),
            n,
        },
    )
}

async fn show(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    show_page(&state, &actor, id, Forms::default(), StatusCode::OK).await
}

async fn decide(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let input = DecisionInput {
        decision: fields.text("decision"),
        note: fields.text("note"),
        effective_on: fields.text("effective_on"),
    };
    match service::decide(&state, &actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/nominations/{id}")).into_response()),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new(DECISION_FORM.into(), fields, errors));
            show_page(&state, &actor, id, forms, status).await
        }
    }
}

async fn withdraw(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    match service::withdraw(&state, &actor, id).await {
        Ok(()) => Ok(Redirect::to(&format!("/nominations/{id}")).into_response()),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new(
                WITHDRAW_FORM.into(),
                Fields::default(),
                errors,
            ));
            show_page(&state, &actor, id, forms, status).await
        }
    }
}

// ---- Nominating ----

#[derive(Template)]
#[template(path = "nominations/new.html")]
struct NewPage {
    layout: Layout,
    draft: NominationDraft,
    errors: Vec<ErrorLink>,
    form: FormView,
    /// The position selected, `track/level`.
    selected: String,
}

async fn new_page(
    state: &AppState,
    actor: &Actor,
    person: i64,
    forms: Forms,
    status: StatusCode,
) -> PageResult {
    let draft = service::draft(state, actor, person).await?;
    let selected = draft
        .suggested
        .as_ref()
        .map(|p| format!("{}/{}", p.track, p.level))
        .unwrap_or_default();
    render_with(
        status,
        &NewPage {
            layout: Layout::new(
                format!("Nominate {}", draft.person.name),
                "nominations",
                Some(actor),
            ),
            errors: forms.summary(),
            form: forms.form(NOMINATE_FORM),
            selected,
            draft,
        },
    )
}

async fn new_form(
    State(state): State<AppState>,
    actor: Actor,
    Path(person): Path<i64>,
) -> PageResult {
    new_page(&state, &actor, person, Forms::default(), StatusCode::OK).await
}

async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Path(person): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let position = fields.text("position");
    let (track, level) = position.split_once('/').unwrap_or((position.as_str(), ""));
    let input = NominationInput {
        track: track.to_owned(),
        level: level.to_owned(),
        case_text: fields.text("case_text"),
        effective_on: fields.text("effective_on"),
    };
    match service::nominate(&state, &actor, person, &input).await {
        Ok(id) => Ok(crate::web::flash::redirect(
            &format!("/nominations/{id}"),
            "The nomination was sent to the People team, who will decide on it.",
            Some(("/team", "Back to your team")),
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let errors = errors
                .into_iter()
                .map(|mut e| {
                    if e.field == "track" || e.field == "level" {
                        e.field = "position".into();
                    }
                    e
                })
                .collect();
            let forms = Forms::refused(Submission::new(NOMINATE_FORM.into(), fields, errors));
            new_page(&state, &actor, person, forms, status).await
        }
    }
}
