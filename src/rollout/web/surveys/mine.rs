//! The person's surveys: the list of surveys waiting for them, and the page to answer one.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::scale_choices;
use crate::auth::{Actor, policy};
use crate::rollout::surveys::{
    self as service, AnswerInput, OpenSurvey, SurveySummary, SurveyToAnswer,
};
use crate::state::AppState;
use crate::web::forms::refusal;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission};
use crate::web::{Layout, PageResult, render_with};

#[derive(Template)]
#[template(path = "surveys/mine.html")]
struct MinePage {
    layout: Layout,
    open: Vec<OpenSurvey>,
    results: Vec<SurveySummary>,
    is_admin: bool,
}

pub(super) async fn my_surveys(State(state): State<AppState>, actor: Actor) -> PageResult {
    let open = service::open_for(state.db(), &actor).await?;
    let results = service::with_results(state.db(), &actor).await?;
    render_with(
        StatusCode::OK,
        &MinePage {
            layout: Layout::new("Surveys", "surveys", Some(&actor)),
            open,
            results,
            is_admin: policy::manage_surveys(&actor).is_ok(),
        },
    )
}

#[derive(Template)]
#[template(path = "surveys/answer.html")]
struct AnswerPage {
    layout: Layout,
    survey: SurveyToAnswer,
    errors: Vec<ErrorLink>,
    form: FormView,
    scale: Vec<(String, &'static str)>,
}

fn answer_view(actor: &Actor, survey: SurveyToAnswer, forms: &Forms) -> AnswerPage {
    AnswerPage {
        layout: Layout::new(survey.title.clone(), "surveys", Some(actor)),
        errors: forms.summary(),
        form: forms.form("answers"),
        scale: scale_choices(),
        survey,
    }
}

pub(super) async fn answer_page(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let survey = service::to_answer(state.db(), &actor, id).await?;
    render_with(
        StatusCode::OK,
        &answer_view(&actor, survey, &Forms::default()),
    )
}

pub(super) async fn send_answers(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let survey = service::to_answer(state.db(), &actor, id).await?;
    let input = AnswerInput {
        answers: survey
            .questions
            .iter()
            .filter_map(|q| {
                fields
                    .get(&format!("q{}", q.id))
                    .map(|v| (q.id, v.to_owned()))
            })
            .collect(),
    };
    match service::answer(state.db(), &actor, id, &input).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/surveys/{id}"),
            "Thank you: your answers were sent, without your name.",
            Some(("/surveys", "See your other surveys")),
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new("answers".into(), fields, errors));
            render_with(status, &answer_view(&actor, survey, &forms))
        }
    }
}
