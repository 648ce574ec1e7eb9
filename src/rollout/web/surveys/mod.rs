//! Pulse surveys in the browser: the list of surveys waiting for the person, the page to answer
//! one, and the People team's pages to make, schedule, open, close and read surveys. Results are
//! for admins and for managers (their teams); the service decides what may be shown.
//!
//! This file holds the routes; the person's pages (`mine`), the People team's pages (`admin`, and
//! `questions` for a survey's questions) and the results are child modules.

use crate::rollout::surveys as service;
use crate::web::routes::{Routes, get, post};

mod admin;
mod mine;
mod questions;
mod results;

use admin::{admin_list, close_now, create, new_survey, open_now, remove, survey_page, update};
use mine::{answer_page, my_surveys, send_answers};
use questions::{add_question, edit_question, move_question, remove_question};
use results::results_page;

pub fn routes() -> Routes {
    Routes::new()
        .route("/surveys", get(my_surveys))
        .route("/surveys/{id}", get(answer_page).post(send_answers))
        .route("/admin/surveys", get(admin_list).post(create))
        .route("/admin/surveys/new", get(new_survey))
        .route("/admin/surveys/{id}", get(survey_page).post(update))
        .route("/admin/surveys/{id}/questions", post(add_question))
        .route("/admin/surveys/{id}/open", post(open_now))
        .route("/admin/surveys/{id}/close", post(close_now))
        .route("/admin/surveys/{id}/remove", post(remove))
        .route("/admin/surveys/{id}/results", get(results_page))
        .route("/admin/survey-questions/{id}", post(edit_question))
        .route("/admin/survey-questions/{id}/move", post(move_question))
        .route("/admin/survey-questions/{id}/remove", post(remove_question))
}

fn scale_choices() -> Vec<(String, &'static str)> {
    service::SCALE_LABELS
        .iter()
        .enumerate()
        .map(|(i, label)| ((i + 1).to_string(), *label))
        .collect()
}
