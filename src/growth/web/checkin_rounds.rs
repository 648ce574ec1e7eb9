//! Check-in rounds in the browser: the list of rounds with the form to start one, a round's page
//! with its progress and people (filtered by state), and closing a round. Who sees which rounds
//! and people is decided by `growth::checkin_rounds`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::auth::Actor;
use crate::domain::Day;
use crate::error::AppError;
use crate::growth::checkin_rounds::{
    self as service, Round, RoundInput, RoundState, RoundSummary, StartChoices,
};
use crate::state::AppState;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission};
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/checkin-rounds", get(list).post(start))
        .route("/checkin-rounds/{id}", get(show))
        .route("/checkin-rounds/{id}/close", post(close))
}

/// The id of the start form.
const START_FORM: &str = "start";

#[derive(Template)]
#[template(path = "checkin_rounds/list.html")]
struct ListPage {
    layout: Layout,
    rounds: Vec<RoundSummary>,
    choices: StartChoices,
    form: FormView,
    errors: Vec<ErrorLink>,
    /// The scope chosen in the form.
    scope: String,
    /// Four weeks from today: the due date the form offers.
    default_due: String,
}

async fn list_page(
    state: &AppState,
    actor: &Actor,
    forms: Forms,
    status: StatusCode,
) -> PageResult {
    let rounds = service::list(state, actor).await?;
    let choices = service::start_choices(state, actor).await?;
    let form = forms.form(START_FORM);
    let default_scope = if choices.whole_organisation {
        "everyone"
    } else {
        "line"
    };
    let page = ListPage {
        layout: Layout::new("Check-in rounds", "rounds", Some(actor)),
        scope: form.value("scope", default_scope),
        default_due: Day::today().plus_days(28).to_string(),
        errors: forms.summary(),
        form,
        rounds,
        choices,
    };
    render_with(status, &page)
}

async fn list(State(state): State<AppState>, actor: Actor) -> PageResult {
    list_page(&state, &actor, Forms::default(), StatusCode::OK).await
}

async fn start(
    State(state): State<AppState>,
    actor: Actor,
    Form(fields): Form<Fields>,
) -> PageResult {
    let manager = fields.text("manager");
    let input = RoundInput {
        name: fields.text("name"),
        due_on: fields.text("due_on"),
        scope: fields.text("scope"),
        track: fields.optional("track"),
        // Anything but a manager's id reads as no manager, which the service explains.
        manager: manager.trim().parse().ok(),
    };
    match service::create(&state, &actor, &input).await {
        Ok(id) => Ok(crate::web::flash::redirect(
            &format!("/checkin-rounds/{id}"),
            format!(
                "The check-in round “{}” was started. Each person in it now sees on their home that their check-in is due by {}; follow their progress below.",
                input.name.trim(),
                input.due_on.trim()
            ),
            None,
        )),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let forms =
                Forms::refused(Submission::new(START_FORM.into(), fields, e.field_errors()));
            list_page(&state, &actor, forms, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "checkin_rounds/round.html")]
struct RoundPage {
    layout: Layout,
    round: Round,
    /// The state the list is filtered to, if any.
    only: Option<RoundState>,
    states: [RoundState; 5],
}

impl RoundPage {
    /// How many people the viewer may see are at `state`.
    fn count(&self, state: &RoundState) -> i64 {
        self.round.summary.progress.of(*state)
    }

    /// The list is filtered to `state`.
    fn is_only(&self, state: &RoundState) -> bool {
        self.only == Some(*state)
    }
}

#[derive(Deserialize)]
struct RoundQuery {
    state: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<RoundQuery>,
) -> PageResult {
    let only = match q.state.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(RoundState::parse(s).ok_or_else(|| {
            AppError::bad_request(format!(
                "“{s}” is not a state of a check-in round: choose one from the filter."
            ))
        })?),
    };
    let round = service::get(&state, &actor, id, only).await?;
    let page = RoundPage {
        layout: Layout::new(
            format!("Check-in round “{}”", round.summary.name),
            "rounds",
            Some(&actor),
        ),
        round,
        only,
        states: RoundState::ALL,
    };
    render_with(StatusCode::OK, &page)
}

async fn close(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    service::close(&state, &actor, id).await?;
    Ok(crate::web::flash::redirect(
        &format!("/checkin-rounds/{id}"),
        "The round was closed: it no longer asks anyone for a check-in, and the check-ins already started carry on as usual. Start a new round from the list when you need one.",
        Some(("/checkin-rounds", "See every round")),
    ))
}
