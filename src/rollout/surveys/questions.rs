//! A scheduled survey's questions (admins): adding, rewriting, reordering and removing them one at
//! a time, or replacing them all at once. Once a survey is open its questions never change.

use super::authoring::{insert_question, lock_scheduled};
use super::checks::{check_question, check_questions};
use super::stored::questions_of;
use super::{MAX_QUESTIONS, Move, Question, QuestionInput};
use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::Work;
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};

/// Adds a question at the end of a scheduled survey; returns its id.
pub async fn add_question(
    db: &Db,
    actor: &Actor,
    survey: i64,
    input: &QuestionInput,
) -> AppResult<i64> {
    let permit = policy::manage_surveys(actor)?;
    let (kind, prompt) = check_question(input)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let row = lock_scheduled(work.tx(), survey).await?;
    let questions = questions_of(&mut **work.tx(), survey).await?;
    if questions.len() >= MAX_QUESTIONS {
        return Err(AppError::invalid_field(
            "prompt",
            format!("a survey can have at most {MAX_QUESTIONS} questions"),
        ));
    }
    let position = questions.iter().map(|q| q.position).max().unwrap_or(0) + 1;
    let qid = insert_question(work.tx(), survey, position, kind, &prompt).await?;
    work.record(
        Action::SurveyQuestionAdd,
        &format!("survey:{survey}"),
        &format!("Added a question to the survey {}", row.title),
        Some(serde_json::json!({ "question": qid, "kind": kind.as_str(), "prompt": prompt })),
    )
    .await?;
    work.commit().await?;
    Ok(qid)
}

/// The survey a question belongs to; 404 for a question that does not exist.
async fn survey_of_question(tx: &mut Tx, question: i64) -> AppResult<i64> {
    sqlx::query_scalar("SELECT survey_id FROM survey_questions WHERE id = $1")
        .bind(question)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| AppError::not_found("this question"))
}

/// The survey a question belongs to, for pages that go back to the survey after a change.
pub async fn question_survey(db: &Db, actor: &Actor, question: i64) -> AppResult<i64> {
    policy::manage_surveys(actor)?;
    sqlx::query_scalar("SELECT survey_id FROM survey_questions WHERE id = $1")
        .bind(question)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("this question"))
}

/// Rewrites a question of a scheduled survey.
pub async fn edit_question(
    db: &Db,
    actor: &Actor,
    question: i64,
    input: &QuestionInput,
) -> AppResult<()> {
    let permit = policy::manage_surveys(actor)?;
    let (kind, prompt) = check_question(input)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let survey = survey_of_question(work.tx(), question).await?;
    let row = lock_scheduled(work.tx(), survey).await?;
    let before: (String, String) =
        sqlx::query_as("SELECT kind, prompt FROM survey_questions WHERE id = $1")
            .bind(question)
            .fetch_one(&mut **work.tx())
            .await?;
    sqlx::query("UPDATE survey_questions SET kind = $2, prompt = $3 WHERE id = $1")
        .bind(question)
        .bind(kind.as_str())
        .bind(&prompt)
        .execute(&mut **work.tx())
        .await?;
    work.record(
        Action::SurveyQuestionEdit,
        &format!("survey:{survey}"),
        &format!("Changed a question of the survey {}", row.title),
        Some(serde_json::json!({
            "question": question,
            "before": { "kind": before.0, "prompt": before.1 },
            "after": { "kind": kind.as_str(), "prompt": prompt },
        })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Moves a question of a scheduled survey one place up or down.
pub async fn move_question(db: &Db, actor: &Actor, question: i64, step: Move) -> AppResult<()> {
    let permit = policy::manage_surveys(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let survey = survey_of_question(work.tx(), question).await?;
    let row = lock_scheduled(work.tx(), survey).await?;
    let mut questions = questions_of(&mut **work.tx(), survey).await?;
    let at = questions
        .iter()
        .position(|q| q.id == question)
        .ok_or_else(|| AppError::not_found("this question"))?;
    let other = match step {
        Move::Up if at > 0 => at - 1,
        Move::Down if at + 1 < questions.len() => at + 1,
        _ => return Ok(()),
    };
    questions.swap(at, other);
    renumber(work.tx(), &questions).await?;
    work.record(
        Action::SurveyQuestionMove,
        &format!("survey:{survey}"),
        &format!("Reordered the questions of the survey {}", row.title),
        Some(serde_json::json!({
            "question": question,
            "order": questions.iter().map(|q| q.id).collect::<Vec<_>>(),
        })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

async fn renumber(tx: &mut Tx, questions: &[Question]) -> AppResult<()> {
    for (i, q) in questions.iter().enumerate() {
        sqlx::query("UPDATE survey_questions SET position = $2 WHERE id = $1")
            .bind(q.id)
            .bind(i as i64 + 1)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Removes a question of a scheduled survey.
pub async fn remove_question(db: &Db, actor: &Actor, question: i64) -> AppResult<()> {
    let permit = policy::manage_surveys(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let survey = survey_of_question(work.tx(), question).await?;
    let row = lock_scheduled(work.tx(), survey).await?;
    let prompt: String = sqlx::query_scalar("SELECT prompt FROM survey_questions WHERE id = $1")
        .bind(question)
        .fetch_one(&mut **work.tx())
        .await?;
    sqlx::query("DELETE FROM survey_questions WHERE id = $1")
        .bind(question)
        .execute(&mut **work.tx())
        .await?;
    let rest = questions_of(&mut **work.tx(), survey).await?;
    renumber(work.tx(), &rest).await?;
    work.record(
        Action::SurveyQuestionRemove,
        &format!("survey:{survey}"),
        &format!("Removed a question from the survey {}", row.title),
        Some(serde_json::json!({ "question": question, "prompt": prompt })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Replaces every question of a scheduled survey (the API's way to write them all at once).
pub async fn set_questions(
    db: &Db,
    actor: &Actor,
    survey: i64,
    inputs: &[QuestionInput],
) -> AppResult<()> {
    let permit = policy::manage_surveys(actor)?;
    let checked = check_questions(inputs)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let row = lock_scheduled(work.tx(), survey).await?;
    sqlx::query("DELETE FROM survey_questions WHERE survey_id = $1")
        .bind(survey)
        .execute(&mut **work.tx())
        .await?;
    for (i, (kind, prompt)) in checked.iter().enumerate() {
        insert_question(work.tx(), survey, i as i64 + 1, *kind, prompt).await?;
    }
    work.record(
        Action::SurveyQuestionReplace,
        &format!("survey:{survey}"),
        &format!("Rewrote the questions of the survey {}", row.title),
        Some(serde_json::json!({
            "questions": checked.iter().map(|(k, p)| serde_json::json!({
                "kind": k.as_str(), "prompt": p
            })).collect::<Vec<_>>(),
        })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}
