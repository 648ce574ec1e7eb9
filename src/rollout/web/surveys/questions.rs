//! A scheduled survey's questions: adding, rewriting, moving and removing them, each form answered
//! on the survey's page.

use axum::Form;
use axum::extract::{Path, State};

use super::admin::show_survey;
use crate::auth::Actor;
use crate::error::AppError;
use crate::rollout::surveys::{self as service, Move, QuestionInput};
use crate::state::AppState;
use crate::web::PageResult;
use crate::web::forms::refusal;
use crate::web::forms::{Fields, Forms, Submission};

fn question_input(f: &Fields) -> QuestionInput {
    QuestionInput {
        kind: f.text("kind"),
        prompt: f.text("prompt"),
    }
}

pub(super) async fn add_question(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    match service::add_question(state.db(), &actor, id, &question_input(&fields)).await {
        Ok(_) => Ok(crate::web::flash::redirect(
            &format!("/admin/surveys/{id}#questions"),
            "The question was added. Add another, or open the survey when its questions are ready.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new("new-question".into(), fields, errors));
            show_survey(&state, &actor, id, forms, None, status).await
        }
    }
}

pub(super) async fn edit_question(
    State(state): State<AppState>,
    actor: Actor,
    Path(question): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let survey = service::question_survey(state.db(), &actor, question).await?;
    match service::edit_question(state.db(), &actor, question, &question_input(&fields)).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/admin/surveys/{survey}#question-{question}"),
            "The question was saved.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new(
                format!("question-{question}"),
                fields,
                errors,
            ));
            show_survey(&state, &actor, survey, forms, None, status).await
        }
    }
}

pub(super) async fn move_question(
    State(state): State<AppState>,
    actor: Actor,
    Path(question): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let survey = service::question_survey(state.db(), &actor, question).await?;
    let step = match fields.text("direction").as_str() {
        "up" => Move::Up,
        "down" => Move::Down,
        _ => {
            return Err(AppError::invalid_field(
                "direction",
                "say which way to move the question: up or down",
            ));
        }
    };
    match service::move_question(state.db(), &actor, question, step).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/admin/surveys/{survey}#questions"),
            "The question was moved.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new("actions".into(), fields, errors));
            show_survey(&state, &actor, survey, forms, None, status).await
        }
    }
}

pub(super) async fn remove_question(
    State(state): State<AppState>,
    actor: Actor,
    Path(question): Path<i64>,
) -> PageResult {
    let survey = service::question_survey(state.db(), &actor, question).await?;
    match service::remove_question(state.db(), &actor, question).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/admin/surveys/{survey}#questions"),
            "The question was removed.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms =
                Forms::refused(Submission::new("actions".into(), Fields::default(), errors));
            show_survey(&state, &actor, survey, forms, None, status).await
        }
    }
}
