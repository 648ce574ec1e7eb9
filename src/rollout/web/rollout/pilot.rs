//! The pilot: who sees the Grow features, the pilot teams or everyone, and releasing them to
//! everyone.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;

use crate::auth::Actor;
use crate::error::FieldError;
use crate::rollout::pilot::{self as pilot_service, Pilot, PilotInput};
use crate::state::AppState;
use crate::web::forms::refusal;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission};
use crate::web::{Layout, PageResult, render_with};

#[derive(Template)]
#[template(path = "rollout/pilot.html")]
struct PilotPage {
    layout: Layout,
    tab: &'static str,
    errors: Vec<ErrorLink>,
    form: FormView,
    pilot: Pilot,
    /// The audience and teams the form shows: what was sent when it was refused, otherwise now.
    audience: String,
    chosen: Vec<i64>,
}

impl PilotPage {
    fn is_chosen(&self, id: &i64) -> bool {
        self.chosen.contains(id)
    }
}

async fn pilot_with(
    state: &AppState,
    actor: &Actor,
    refused_form: Option<(Fields, Vec<FieldError>)>,
    status: StatusCode,
) -> PageResult {
    let pilot = pilot_service::pilot(state.db(), actor).await?;
    let (audience, chosen, forms) = match refused_form {
        Some((fields, errors)) => (
            fields.text("audience"),
            fields
                .all("teams")
                .iter()
                .filter_map(|t| t.trim().parse().ok())
                .collect(),
            Forms::refused(Submission::new("pilot".into(), fields, errors)),
        ),
        None => (
            pilot.audience.clone(),
            pilot.pilot_teams().iter().map(|t| t.id).collect(),
            Forms::default(),
        ),
    };
    render_with(
        status,
        &PilotPage {
            layout: Layout::new("Rollout: pilot", "admin", Some(actor)),
            tab: "pilot",
            errors: forms.summary(),
            form: forms.form("pilot"),
            pilot,
            audience,
            chosen,
        },
    )
}

pub(super) async fn pilot_page(State(state): State<AppState>, actor: Actor) -> PageResult {
    pilot_with(&state, &actor, None, StatusCode::OK).await
}

pub(super) async fn choose_pilot(
    State(state): State<AppState>,
    actor: Actor,
    Form(fields): Form<Fields>,
) -> PageResult {
    let input = PilotInput {
        audience: fields.text("audience"),
        teams: fields.all("teams"),
    };
    let pilot = input.audience == crate::rollout::pilot::PILOT;
    match pilot_service::choose(state.db(), &actor, &input).await {
        Ok(()) if pilot => Ok(crate::web::flash::redirect(
            "/admin/rollout/pilot",
            "The pilot was saved: the growth features now show only to the pilot teams and the People team.",
            Some((
                "/admin/rollout/roadmap#stage-implementation",
                "Plan the pilot on the roadmap",
            )),
        )),
        Ok(()) => Ok(crate::web::flash::redirect(
            "/admin/rollout/pilot",
            "Saved: the growth features show to everyone.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            pilot_with(&state, &actor, Some((fields, errors)), status).await
        }
    }
}

pub(super) async fn release_everyone(State(state): State<AppState>, actor: Actor) -> PageResult {
    pilot_service::release_to_everyone(state.db(), &actor).await?;
    Ok(crate::web::flash::redirect(
        "/admin/rollout/pilot",
        "The growth features are released to everyone.",
        Some(("/admin/surveys", "Ask how it is going with a pulse survey")),
    ))
}
