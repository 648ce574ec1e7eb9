//! A survey as stored, and the reads every part of the service shares: the survey's row, its
//! questions, and the names its audience is labelled with.

use std::collections::HashMap;

use super::{Audience, Question, QuestionKind, Status};
use crate::auth::Actor;
use crate::db::{Db, now};
use crate::domain::Day;
use crate::error::{AppError, AppResult};
use crate::rollout::anonymity::CompareBy;
use crate::state::AppState;

/// A survey row as stored.
pub(super) struct SurveyRow {
    pub(super) id: i64,
    pub(super) title: String,
    pub(super) intro: String,
    pub(super) audience: Audience,
    pub(super) opens_on: Day,
    pub(super) closes_on: Day,
    pub(super) closed_early: bool,
    pub(super) threshold: i64,
    pub(super) compare_by: CompareBy,
    pub(super) responses: i64,
    pub(super) results_key: String,
    /// When the audience was taken: the moment the survey opened (see
    /// [`super::audience::take_audience`]).
    pub(super) opened_at: Option<i64>,
    /// When an admin closed it before its last day.
    pub(super) closed_at: Option<i64>,
}

pub(super) const SURVEY_COLUMNS: &str = "id, title, intro, audience, opens_on, closes_on, \
     closed_early, threshold, compare_by, responses, results_key, opened_at, closed_at";

/// A survey's [`SURVEY_COLUMNS`] as the database holds them, before they are parsed into a
/// [`SurveyRow`].
#[derive(sqlx::FromRow)]
pub(super) struct SurveyColumns {
    id: i64,
    title: String,
    intro: String,
    audience: String,
    opens_on: String,
    closes_on: String,
    closed_early: i64,
    threshold: i64,
    compare_by: String,
    responses: i64,
    results_key: String,
    opened_at: Option<i64>,
    closed_at: Option<i64>,
}

/// A survey's columns with how many questions it has (`question_count`), for the lists.
#[derive(sqlx::FromRow)]
pub(super) struct CountedSurveyColumns {
    #[sqlx(flatten)]
    pub(super) survey: SurveyColumns,
    pub(super) question_count: i64,
}

impl TryFrom<SurveyColumns> for SurveyRow {
    type Error = AppError;

    fn try_from(r: SurveyColumns) -> AppResult<SurveyRow> {
        Ok(SurveyRow {
            id: r.id,
            title: r.title,
            intro: r.intro,
            audience: serde_json::from_str(&r.audience)
                .map_err(|e| AppError::internal(format!("a survey's audience: {e}")))?,
            opens_on: Day::parse(&r.opens_on).map_err(AppError::internal)?,
            closes_on: Day::parse(&r.closes_on).map_err(AppError::internal)?,
            closed_early: r.closed_early == 1,
            threshold: r.threshold,
            compare_by: CompareBy::parse(&r.compare_by).unwrap_or_default(),
            responses: r.responses,
            results_key: r.results_key,
            opened_at: r.opened_at,
            closed_at: r.closed_at,
        })
    }
}

impl SurveyRow {
    /// How many answered, once the survey has closed; nothing while it is open, since a count that
    /// grows by one with each answer tells anyone watching it, or anyone who closes the survey,
    /// when someone answered.
    pub(super) fn responses_after_close(&self, today: Day) -> Option<i64> {
        (self.status(today) == Status::Closed).then_some(self.responses)
    }

    /// The moment the survey started taking answers: when its audience was taken, or for a survey
    /// closed before audiences were taken, the start of its first day.
    pub(super) fn opened_at(&self) -> i64 {
        self.opened_at.unwrap_or_else(|| day_start(self.opens_on))
    }

    /// The moment it stopped taking answers, or now while it is open.
    pub(super) fn closed_at(&self, today: Day) -> i64 {
        let last = day_start(self.closes_on.plus_days(1));
        match self.closed_at {
            Some(at) if self.closed_early => at,
            _ if self.status(today) == Status::Closed => last,
            _ => now().min(last),
        }
    }

    pub(super) fn status(&self, today: Day) -> Status {
        if self.closed_early || today > self.closes_on {
            Status::Closed
        } else if today < self.opens_on {
            Status::Scheduled
        } else {
            Status::Open
        }
    }
}

pub(super) async fn find_row<'e, E>(db: E, id: i64) -> AppResult<Option<SurveyRow>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query_as::<_, SurveyColumns>(&format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.map(SurveyRow::try_from).transpose()
}

pub(super) async fn questions_of<'e, E>(db: E, survey: i64) -> AppResult<Vec<Question>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let rows = sqlx::query_as::<_, QuestionRow>(
        "SELECT id, position, kind, prompt FROM survey_questions WHERE survey_id = $1 \
         ORDER BY position, id",
    )
    .bind(survey)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Question {
            id: r.id,
            position: r.position,
            kind: QuestionKind::parse(&r.kind).unwrap_or(QuestionKind::Text),
            prompt: r.prompt,
        })
        .collect())
}

/// A survey question as stored.
#[derive(sqlx::FromRow)]
struct QuestionRow {
    id: i64,
    position: i64,
    kind: String,
    prompt: String,
}

/// Team names by id, for labels.
pub(super) async fn team_names(db: &Db) -> AppResult<HashMap<i64, String>> {
    let rows = sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM teams")
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().collect())
}

/// Track names by key from the published framework.
pub(super) async fn track_names(
    state: &AppState,
    actor: &Actor,
) -> AppResult<Vec<(String, String)>> {
    let published = crate::architecture::framework::published(state, actor).await?;
    Ok(published
        .map(|p| {
            p.framework
                .tracks
                .iter()
                .map(|t| (t.key.to_string(), t.name.clone()))
                .collect()
        })
        .unwrap_or_default())
}

pub(super) fn audience_label(
    audience: &Audience,
    teams: &HashMap<i64, String>,
    tracks: &[(String, String)],
) -> String {
    match audience {
        Audience::Everyone => "Everyone".to_owned(),
        Audience::Teams { teams: ids } => format!(
            "Teams: {}",
            ids.iter()
                .map(|id| teams
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| format!("team {id} (removed)")))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Audience::Tracks { tracks: keys } => format!(
            "Tracks: {}",
            keys.iter()
                .map(|k| tracks
                    .iter()
                    .find(|(key, _)| key == k)
                    .map_or_else(|| k.clone(), |(_, n)| n.clone()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The start of a day, in Unix seconds (days are UTC).
fn day_start(day: Day) -> i64 {
    Day::parse("1970-01-01").map_or(0, |epoch| epoch.days_until(day) * 86_400)
}
