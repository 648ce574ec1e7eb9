//! Making and running surveys (admins): the list, one survey, making one from the pulse template or
//! blank, changing its settings (everything before it opens, little while it is open, nothing once
//! it has closed), opening it early, closing it early and removing it.

use super::audience::{asked_count, take_audience, take_due_audiences};
use super::checks::{OpenSettings, Settings, check_open_settings, check_questions, check_settings};
use super::cube::forget;
use super::stored::{
    CountedSurveyColumns, SURVEY_COLUMNS, SurveyRow, audience_label, find_row, questions_of,
    team_names, track_names,
};
use super::{
    Audience, PULSE, PULSE_DAYS, PULSE_TEMPLATE, QuestionInput, QuestionKind, Start, Status,
    Survey, SurveyInput, SurveySummary,
};
use crate::audit::Action;
use crate::auth::policy::Allowed;
use crate::auth::{Actor, policy};
use crate::db::Work;
use crate::db::{Db, Tx, now};
use crate::domain::Day;
use crate::error::{AppError, AppResult};
use crate::rollout::anonymity::{self, CompareBy};
use crate::state::AppState;

/// Every survey, newest first (admins).
pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<SurveySummary>> {
    policy::manage_surveys(actor)?;
    let db = state.db();
    let rows = sqlx::query_as::<_, CountedSurveyColumns>(&format!(
        "SELECT {SURVEY_COLUMNS}, \
         (SELECT COUNT(*) FROM survey_questions q WHERE q.survey_id = s.id) AS question_count \
         FROM surveys s ORDER BY opens_on DESC, id DESC"
    ))
    .fetch_all(db.pool())
    .await?;
    let teams = team_names(db).await?;
    let tracks = track_names(state, actor).await?;
    let today = Day::today();
    rows.into_iter()
        .map(|r| {
            let s = SurveyRow::try_from(r.survey)?;
            Ok(SurveySummary {
                id: s.id,
                audience_label: audience_label(&s.audience, &teams, &tracks),
                opens_on: s.opens_on.to_string(),
                closes_on: s.closes_on.to_string(),
                status: s.status(today),
                questions: r.question_count,
                responses: s.responses_after_close(today),
                title: s.title,
            })
        })
        .collect()
}

/// A survey with its questions (admins).
pub async fn survey(state: &AppState, actor: &Actor, id: i64) -> AppResult<Survey> {
    policy::manage_surveys(actor)?;
    let db = state.db();
    take_due_audiences(db).await?;
    let row = find_row(db.pool(), id)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    let questions = questions_of(db.pool(), id).await?;
    let teams = team_names(db).await?;
    let tracks = track_names(state, actor).await?;
    let asked = match row.opened_at {
        Some(_) => Some(asked_count(db, id).await?),
        None => None,
    };
    let today = Day::today();
    Ok(Survey {
        id,
        audience_label: audience_label(&row.audience, &teams, &tracks),
        status: row.status(today),
        opens_on: row.opens_on.to_string(),
        closes_on: row.closes_on.to_string(),
        threshold: row.threshold,
        compare_by: row.compare_by.as_str().to_owned(),
        responses: row.responses_after_close(today),
        asked,
        questions,
        title: row.title,
        intro: row.intro,
        audience: row.audience,
    })
}

/// What the form to make a new survey starts with: tomorrow to two weeks later, everyone, the
/// default threshold, and the template's title and introduction.
pub fn new_survey_defaults(start: Start) -> SurveyInput {
    let opens = Day::today().plus_days(1);
    let (title, intro) = match start {
        Start::Pulse => (PULSE.title.to_owned(), PULSE.intro.to_owned()),
        Start::Blank => (String::new(), String::new()),
    };
    SurveyInput {
        title,
        intro,
        audience: "everyone".into(),
        opens_on: opens.to_string(),
        closes_on: opens.plus_days(PULSE_DAYS - 1).to_string(),
        threshold: anonymity::DEFAULT_THRESHOLD.to_string(),
        compare_by: CompareBy::Team.as_str().into(),
        ..SurveyInput::default()
    }
}

/// Makes a survey, from the pulse template or blank, and returns its id. Fields left empty take the
/// defaults of [`new_survey_defaults`], except a blank survey's title. `questions`, when not empty,
/// are the survey's questions instead of the template's (the API sends them with the survey).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    start: Start,
    input: &SurveyInput,
    questions: &[QuestionInput],
) -> AppResult<i64> {
    let permit = policy::manage_surveys(actor)?;
    let given = check_questions(questions)?;
    let input = with_defaults(start, input);
    let template: Vec<(QuestionKind, String)> = match start {
        _ if !given.is_empty() => given,
        Start::Pulse => PULSE
            .questions
            .iter()
            .map(|(k, p)| (*k, (*p).to_owned()))
            .collect(),
        Start::Blank => Vec::new(),
    };
    let s = check_settings(state, actor, &input, !template.is_empty()).await?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let id = insert_survey(&mut work, &s).await?;
    for (i, (kind, prompt)) in template.iter().enumerate() {
        insert_question(work.tx(), id, i as i64 + 1, *kind, prompt).await?;
    }
    if s.opens_on <= Day::today() {
        take_audience(work.tx(), id, &s.audience).await?;
    }
    work.record(
        Action::SurveyCreate,
        &format!("survey:{id}"),
        &format!("Created the survey {}", s.title),
        Some(serde_json::json!({
            "template": if start == Start::Pulse { PULSE_TEMPLATE } else { "blank" },
            "opens_on": s.opens_on.to_string(),
            "closes_on": s.closes_on.to_string(),
            "threshold": s.threshold,
            "audience": s.audience,
        })),
    )
    .await?;
    work.commit().await?;
    Ok(id)
}

/// The settings as sent, with the defaults of [`new_survey_defaults`] where the title, the
/// introduction or a day was left empty.
fn with_defaults(start: Start, input: &SurveyInput) -> SurveyInput {
    let defaults = new_survey_defaults(start);
    let or = |value: &str, default: &str| {
        if value.trim().is_empty() {
            default.to_owned()
        } else {
            value.to_owned()
        }
    };
    SurveyInput {
        title: or(&input.title, &defaults.title),
        intro: or(&input.intro, &defaults.intro),
        opens_on: or(&input.opens_on, &defaults.opens_on),
        closes_on: or(&input.closes_on, &defaults.closes_on),
        ..input.clone()
    }
}

/// Writes a new survey's row, with a random key for its results; returns its id.
async fn insert_survey(work: &mut Work<'_>, s: &Settings) -> AppResult<i64> {
    let actor = work.actor();
    Ok(sqlx::query_scalar(
        "INSERT INTO surveys (title, intro, audience, opens_on, closes_on, threshold, compare_by, \
         results_key, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
    )
    .bind(&s.title)
    .bind(&s.intro)
    .bind(audience_json(&s.audience))
    .bind(s.opens_on.to_string())
    .bind(s.closes_on.to_string())
    .bind(s.threshold)
    .bind(s.compare_by.as_str())
    .bind(hex::encode(rand::random::<[u8; 16]>()))
    .bind(actor.user_id)
    .bind(now())
    .fetch_one(&mut **work.tx())
    .await?)
}

fn audience_json(audience: &Audience) -> String {
    serde_json::to_string(audience).unwrap_or_else(|_| r#"{"kind":"everyone"}"#.into())
}

pub(super) async fn insert_question(
    tx: &mut Tx,
    survey: i64,
    position: i64,
    kind: QuestionKind,
    prompt: &str,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO survey_questions (survey_id, position, kind, prompt) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(survey)
    .bind(position)
    .bind(kind.as_str())
    .bind(prompt)
    .fetch_one(&mut **tx)
    .await?)
}

/// Takes the survey for a change that is only allowed before it opens: locks its row, and refuses
/// once it is open (or has any response).
pub(super) async fn lock_scheduled(tx: &mut Tx, id: i64) -> AppResult<SurveyRow> {
    let today = Day::today().to_string();
    let locked = sqlx::query(
        "UPDATE surveys SET updated_at = $2 WHERE id = $1 AND responses = 0 AND closed_early = 0 \
         AND opens_on > $3",
    )
    .bind(id)
    .bind(now())
    .bind(&today)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let row = find_row(&mut **tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    if locked == 0 {
        return Err(AppError::Conflict(
            "this survey has opened: its questions, audience, threshold and first day can no \
             longer change, so that everyone answers the same survey"
                .into(),
        ));
    }
    Ok(row)
}

/// Changes a survey's settings. Before it opens, everything; while it is open, the title, the
/// introduction and the last day (other fields must be left empty or unchanged); once closed,
/// nothing. Empty fields other than the title and the introduction keep their current value.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: &SurveyInput,
) -> AppResult<()> {
    let permit = policy::manage_surveys(actor)?;
    let db = state.db();
    let current = find_row(db.pool(), id)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    let today = Day::today();
    match current.status(today) {
        Status::Closed => Err(closed_for_good()),
        Status::Open => update_open(state, actor, permit, current, input).await,
        Status::Scheduled => {
            let questions = questions_of(db.pool(), id).await?;
            let input = with_current(input, &current);
            let s = check_settings(state, actor, &input, !questions.is_empty()).await?;
            let mut work = Work::begin(db, actor, permit).await?;
            let before = lock_scheduled(work.tx(), id).await?;
            sqlx::query(
                "UPDATE surveys SET title = $2, intro = $3, audience = $4, opens_on = $5, \
                 closes_on = $6, threshold = $7, compare_by = $8, updated_at = $9 WHERE id = $1",
            )
            .bind(id)
            .bind(&s.title)
            .bind(&s.intro)
            .bind(audience_json(&s.audience))
            .bind(s.opens_on.to_string())
            .bind(s.closes_on.to_string())
            .bind(s.threshold)
            .bind(s.compare_by.as_str())
            .bind(now())
            .execute(&mut **work.tx())
            .await?;
            if s.opens_on <= Day::today() {
                take_audience(work.tx(), id, &s.audience).await?;
            }
            work.record(
                Action::SurveyUpdate,
                &format!("survey:{id}"),
                &format!("Changed the survey {}", s.title),
                Some(serde_json::json!({
                    "before": {
                        "title": before.title, "audience": before.audience,
                        "opens_on": before.opens_on.to_string(),
                        "closes_on": before.closes_on.to_string(),
                        "threshold": before.threshold, "compare_by": before.compare_by.as_str(),
                    },
                    "after": {
                        "title": s.title, "audience": s.audience,
                        "opens_on": s.opens_on.to_string(), "closes_on": s.closes_on.to_string(),
                        "threshold": s.threshold, "compare_by": s.compare_by.as_str(),
                    },
                })),
            )
            .await?;
            work.commit().await?;
            Ok(())
        }
    }
}

/// The settings as sent, with the current ones where a field was left empty (the title and the
/// introduction are always as sent).
fn with_current(input: &SurveyInput, current: &SurveyRow) -> SurveyInput {
    let or = |sent: &str, now: String| {
        if sent.trim().is_empty() {
            now
        } else {
            sent.to_owned()
        }
    };
    let (teams, tracks) = match &current.audience {
        Audience::Everyone => (Vec::new(), Vec::new()),
        Audience::Teams { teams } => (teams.iter().map(i64::to_string).collect(), Vec::new()),
        Audience::Tracks { tracks } => (Vec::new(), tracks.clone()),
    };
    let keep_audience = input.audience.trim().is_empty();
    SurveyInput {
        title: input.title.clone(),
        intro: input.intro.clone(),
        audience: or(&input.audience, current.audience.kind().to_owned()),
        teams: if keep_audience {
            teams
        } else {
            input.teams.clone()
        },
        tracks: if keep_audience {
            tracks
        } else {
            input.tracks.clone()
        },
        opens_on: or(&input.opens_on, current.opens_on.to_string()),
        closes_on: or(&input.closes_on, current.closes_on.to_string()),
        threshold: or(&input.threshold, current.threshold.to_string()),
        compare_by: or(&input.compare_by, current.compare_by.as_str().to_owned()),
    }
}

fn closed_for_good() -> AppError {
    AppError::Conflict(
        "this survey has closed: it can no longer change, so that its results stay as they were"
            .into(),
    )
}

/// Changes the title, the introduction and the last day of an open survey, once checked (see
/// [`check_open_settings`]).
async fn update_open(
    state: &AppState,
    actor: &Actor,
    permit: Allowed,
    current: SurveyRow,
    input: &SurveyInput,
) -> AppResult<()> {
    let today = Day::today();
    let OpenSettings {
        title,
        intro,
        closes_on,
    } = check_open_settings(state, actor, &current, input, today).await?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let changed = sqlx::query(
        "UPDATE surveys SET title = $2, intro = $3, closes_on = $4, updated_at = $5 \
         WHERE id = $1 AND closed_early = 0 AND closes_on >= $6",
    )
    .bind(current.id)
    .bind(&title)
    .bind(&intro)
    .bind(closes_on.to_string())
    .bind(now())
    .bind(today.to_string())
    .execute(&mut **work.tx())
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(closed_for_good());
    }
    work.record(
        Action::SurveyUpdate,
        &format!("survey:{}", current.id),
        &format!("Changed the open survey {title}"),
        Some(serde_json::json!({
            "before": { "title": current.title, "closes_on": current.closes_on.to_string() },
            "after": { "title": title, "closes_on": closes_on.to_string() },
        })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Opens a scheduled survey today; it needs at least one question.
pub async fn open_now(db: &Db, actor: &Actor, id: i64) -> AppResult<()> {
    let permit = policy::manage_surveys(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let row = lock_scheduled(work.tx(), id).await?;
    let questions = questions_of(&mut **work.tx(), id).await?;
    if questions.is_empty() {
        return Err(AppError::invalid_field(
            "",
            "add at least one question before opening the survey",
        ));
    }
    let today = Day::today().to_string();
    sqlx::query("UPDATE surveys SET opens_on = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(&today)
        .bind(now())
        .execute(&mut **work.tx())
        .await?;
    take_audience(work.tx(), id, &row.audience).await?;
    work.record(
        Action::SurveyOpen,
        &format!("survey:{id}"),
        &format!("Opened the survey {}", row.title),
        Some(serde_json::json!({ "opens_on": today, "was": row.opens_on.to_string() })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Closes an open survey before its last day, for good: its results can then be read.
pub async fn close_now(db: &Db, actor: &Actor, id: i64) -> AppResult<()> {
    let permit = policy::manage_surveys(actor)?;
    let row = find_row(db.pool(), id)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    let today = Day::today();
    match row.status(today) {
        Status::Closed => return Err(AppError::Conflict("this survey is already closed".into())),
        Status::Scheduled => {
            return Err(AppError::Conflict(
                "this survey has not opened yet: change its dates, or remove it".into(),
            ));
        }
        Status::Open => {}
    }
    let mut work = Work::begin(db, actor, permit).await?;
    sqlx::query(
        "UPDATE surveys SET closed_early = 1, closed_at = $2, updated_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now())
    .execute(&mut **work.tx())
    .await?;
    work.record(Action::SurveyClose,
        &format!("survey:{id}"),
        &format!("Closed the survey {}", row.title),
        Some(serde_json::json!({ "closes_on": row.closes_on.to_string(), "closed_on": today.to_string() })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Removes a survey with its questions and answers.
pub async fn remove(db: &Db, actor: &Actor, id: i64) -> AppResult<()> {
    let permit = policy::manage_surveys(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let row = find_row(&mut **work.tx(), id)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    sqlx::query("DELETE FROM surveys WHERE id = $1")
        .bind(id)
        .execute(&mut **work.tx())
        .await?;
    work.record(
        Action::SurveyRemove,
        &format!("survey:{id}"),
        &format!("Removed the survey {}", row.title),
        // How many answered only once it has closed: removing an open survey must not tell how
        // many have answered so far.
        Some(serde_json::json!({
            "title": row.title,
            "responses": row.responses_after_close(Day::today()),
        })),
    )
    .await?;
    work.commit().await?;
    forget(&row.results_key);
    Ok(())
}
