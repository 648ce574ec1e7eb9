//! Answering (everyone in the audience): the surveys open for a person, one survey as they see it,
//! and their answers, taken once and kept without their name or the time (see the module's doc).

use std::collections::BTreeMap;

use rand::Rng;

use super::audience::{Person, asked_as, person, take_due_audiences};
use super::checks::{field, invalid};
use super::stored::{SURVEY_COLUMNS, SurveyColumns, SurveyRow, find_row, questions_of};
use super::{MAX_TEXT, OpenSurvey, Question, QuestionKind, Status, SurveyToAnswer};
use crate::auth::{Actor, policy};
use crate::db::{Db, Tx};
use crate::db::{Unrecorded, Work};
use crate::domain::Day;
use crate::error::{AppError, AppResult};

fn random_row_id() -> i32 {
    rand::thread_rng().gen_range(1..=i32::MAX)
}

/// The surveys open today that ask the actor (they were in its audience when it opened) and which
/// they have not answered yet, soonest to close first. Empty for a token that stands for no person. For the home page.
pub async fn open_for(db: &Db, actor: &Actor) -> AppResult<Vec<OpenSurvey>> {
    policy::list_open_surveys(actor)?;
    let Some(me) = actor.user_id else {
        return Ok(Vec::new());
    };
    if person(db.pool(), me).await?.is_none() {
        return Ok(Vec::new());
    }
    take_due_audiences(db).await?;
    let today = Day::today().to_string();
    let rows = sqlx::query_as::<_, SurveyColumns>(&format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys s \
         WHERE s.closed_early = 0 AND s.opens_on <= $1 AND s.closes_on >= $1 \
         AND EXISTS (SELECT 1 FROM survey_audience a WHERE a.survey_id = s.id AND a.user_id = $2) \
         AND NOT EXISTS (SELECT 1 FROM survey_participants p \
                         WHERE p.survey_id = s.id AND p.user_id = $2) \
         ORDER BY s.closes_on, s.id"
    ))
    .bind(&today)
    .bind(me)
    .fetch_all(db.pool())
    .await?;
    let mut open = Vec::new();
    for r in rows {
        let s = SurveyRow::try_from(r)?;
        {
            open.push(OpenSurvey {
                id: s.id,
                closes_on: s.closes_on.to_string(),
                questions: questions_of(db.pool(), s.id).await?,
                title: s.title,
                intro: s.intro,
            });
        }
    }
    Ok(open)
}

/// A survey for the person answering it: 404 unless it has opened and asks them (they were in its
/// audience when it opened, and are active). People who joined the audience later (added to the
/// directory, moved into a team or onto a track of the audience, reactivated) are not asked.
pub async fn to_answer(db: &Db, actor: &Actor, id: i64) -> AppResult<SurveyToAnswer> {
    policy::answer_surveys(actor)?;
    let me = actor.user_id.ok_or(AppError::Forbidden)?;
    let hidden = || AppError::not_found("this survey");
    take_due_audiences(db).await?;
    let row = find_row(db.pool(), id).await?.ok_or_else(hidden)?;
    person(db.pool(), me).await?.ok_or_else(hidden)?;
    let status = row.status(Day::today());
    if status == Status::Scheduled || asked_as(db.pool(), &row, me).await?.is_none() {
        return Err(hidden());
    }
    let answered: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM survey_participants WHERE survey_id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(me)
    .fetch_optional(db.pool())
    .await?;
    Ok(SurveyToAnswer {
        id,
        closes_on: row.closes_on.to_string(),
        status,
        threshold: row.threshold,
        answered: answered.is_some(),
        questions: questions_of(db.pool(), id).await?,
        title: row.title,
        intro: row.intro,
    })
}

/// Answers as sent, by question id: `1` to `5` for a statement, words (or nothing) for an open
/// question.
#[derive(Debug, Clone, Default)]
pub struct AnswerInput {
    pub answers: BTreeMap<i64, String>,
}

/// The answers checked against the questions, as stored: one value per question, in order.
fn check_answers(questions: &[Question], input: &AnswerInput) -> AppResult<serde_json::Value> {
    let mut errors = Vec::new();
    for id in input.answers.keys() {
        if !questions.iter().any(|q| q.id == *id) {
            errors.push(field(
                &format!("q{id}"),
                format!("this survey has no question {id}"),
            ));
        }
    }
    let mut values = Vec::with_capacity(questions.len());
    for q in questions {
        let raw = input
            .answers
            .get(&q.id)
            .map(|s| s.trim())
            .unwrap_or_default();
        let name = format!("q{}", q.id);
        match q.kind {
            QuestionKind::Scale => match raw.parse::<u8>() {
                Ok(n @ 1..=5) => values.push(serde_json::Value::from(n)),
                _ => errors.push(field(
                    &name,
                    "choose an answer from 1 (strongly disagree) to 5 (strongly agree)",
                )),
            },
            QuestionKind::Text => {
                if raw.chars().count() > MAX_TEXT {
                    errors.push(field(
                        &name,
                        format!("an answer can be at most {MAX_TEXT} characters"),
                    ));
                }
                values.push(if raw.is_empty() {
                    serde_json::Value::Null
                } else {
                    serde_json::Value::from(raw)
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(serde_json::Value::Array(values))
    } else {
        Err(invalid(errors))
    }
}

/// Records the actor's answers to an open survey of their audience, once: a second answer is
/// refused (409). The response keeps the actor's team, track and pilot membership, not who they
/// are nor when; see the module's doc. Not audited, on purpose.
pub async fn answer(db: &Db, actor: &Actor, id: i64, input: &AnswerInput) -> AppResult<()> {
    let permit = policy::answer_surveys(actor)?;
    let me = actor.user_id.ok_or(AppError::Forbidden)?;
    let survey = to_answer(db, actor, id).await?;
    if survey.answered {
        return Err(already_answered());
    }
    if survey.status == Status::Closed {
        return Err(AppError::Conflict(format!(
            "this survey closed on {}: it takes no more answers",
            survey.closes_on
        )));
    }
    let answers = check_answers(&survey.questions, input)?.to_string();
    let mut work = Work::begin(db, actor, permit).await?;
    count_response(work.tx(), id).await?;
    let person = asked_in(work.tx(), id, me).await?;
    record_participation(work.tx(), id, me).await?;
    record_response(work.tx(), id, &person, &answers).await?;
    work.commit_unrecorded(Unrecorded::SurveyAnswer).await?;
    Ok(())
}

/// Counts a response to the survey. Counting it first locks the survey's row, so that no change of
/// its questions can slip in, and checks again that it is open.
async fn count_response(tx: &mut Tx, id: i64) -> AppResult<()> {
    let today = Day::today().to_string();
    let counted = sqlx::query(
        "UPDATE surveys SET responses = responses + 1 WHERE id = $1 AND closed_early = 0 \
         AND opens_on <= $2 AND closes_on >= $2",
    )
    .bind(id)
    .bind(&today)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if counted == 0 {
        return Err(AppError::Conflict(
            "this survey has just closed: it takes no more answers".into(),
        ));
    }
    Ok(())
}

/// The groups the person was in when the survey opened, not today's: moving someone into a team
/// after a survey opened changes nothing of that team's results. 404 for a person who is no longer
/// active or was not asked.
async fn asked_in(tx: &mut Tx, id: i64, me: i64) -> AppResult<Person> {
    person(&mut **tx, me)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    let row = find_row(&mut **tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    asked_as(&mut **tx, &row, me)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))
}

/// Records that the person has answered, under a random id (drawn again on the rare collision with
/// an existing one); 409 when they already have.
async fn record_participation(tx: &mut Tx, id: i64, me: i64) -> AppResult<()> {
    for _ in 0..8 {
        let inserted = sqlx::query(
            "INSERT INTO survey_participants (id, survey_id, user_id) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(random_row_id())
        .bind(id)
        .bind(me)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(());
        }
        let already: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM survey_participants WHERE survey_id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(me)
        .fetch_optional(&mut **tx)
        .await?;
        if already.is_some() {
            return Err(already_answered());
        }
    }
    Err(AppError::internal("no free participation id was found"))
}

/// Records the answers with the groups of the person, not who they are nor when, under a random id
/// (drawn again on the rare collision with an existing one).
async fn record_response(tx: &mut Tx, id: i64, person: &Person, answers: &str) -> AppResult<()> {
    for attempt in 0.. {
        let inserted = sqlx::query(
            "INSERT INTO survey_responses (id, survey_id, team_id, track_key, pilot, answers) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(random_row_id())
        .bind(id)
        .bind(person.team)
        .bind(person.track.as_deref())
        .bind(i64::from(person.pilot))
        .bind(answers)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            break;
        }
        if attempt >= 8 {
            return Err(AppError::internal("no free response id was found"));
        }
    }
    Ok(())
}

fn already_answered() -> AppError {
    AppError::Conflict(
        "you have already answered this survey: each person answers once, and answers cannot be \
         changed because nobody can tell which response is yours"
            .into(),
    )
}
