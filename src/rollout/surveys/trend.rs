//! The pulse over time, for the KPI dashboard: each survey's mean ratings for a group, under the
//! same rules as the results.

use super::cube::{Sums, cube};
use super::stored::{SURVEY_COLUMNS, SurveyColumns, SurveyRow};
use super::viewer::Viewer;
use super::{QuestionKind, Status};
use crate::auth::Actor;
use crate::db::Db;
use crate::domain::Day;
use crate::error::AppResult;
use crate::rollout::anonymity::{Filter, Verdict};

/// One survey's mean rating for a statement.
#[derive(Debug, Clone)]
pub struct QuestionMean {
    pub question_id: i64,
    pub prompt: String,
    pub mean: Option<f64>,
}

/// One survey of the pulse trend.
#[derive(Debug, Clone)]
pub struct PulsePoint {
    pub survey_id: i64,
    pub title: String,
    pub opens_on: String,
    pub closes_on: String,
    pub status: Status,
    /// Responses in the group; absent when the group is not shown.
    pub responses: Option<u64>,
    /// The mean of every 1–5 rating of the group; absent when not shown.
    pub mean: Option<f64>,
    /// The mean of each statement, in question order; empty when not shown.
    pub questions: Vec<QuestionMean>,
    /// Why the figures are absent.
    pub withheld: Option<String>,
}

/// The pulse over time: for every survey that has opened, by last day, the mean ratings of a group
/// (the whole organisation with the empty filter, or a team, track, pilot or a combination),
/// under the same rules as the results: only closed surveys, only groups the anonymity rule allows.
/// Admins ask about anyone; a manager about one of the teams of [`super::result_teams`]
/// (`filter.team`).
pub async fn pulse_trend(db: &Db, actor: &Actor, filter: &Filter) -> AppResult<Vec<PulsePoint>> {
    let viewer = Viewer::of(db, actor).await?;
    viewer.allows(filter)?;
    let today = Day::today();
    let rows = sqlx::query_as::<_, SurveyColumns>(&format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys WHERE opens_on <= $1 ORDER BY closes_on, id"
    ))
    .bind(today.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut points = Vec::with_capacity(rows.len());
    for r in rows {
        let row = SurveyRow::try_from(r)?;
        let status = row.status(today);
        let mut point = PulsePoint {
            survey_id: row.id,
            title: row.title.clone(),
            opens_on: row.opens_on.to_string(),
            closes_on: row.closes_on.to_string(),
            status,
            responses: None,
            mean: None,
            questions: Vec::new(),
            withheld: None,
        };
        if status != Status::Closed {
            point.withheld = Some("results are shown once the survey has closed".into());
            points.push(point);
            continue;
        }
        let cube = cube(db, &row).await?;
        match cube.partition.judge(filter) {
            Verdict::Shown { count } => {
                let sums = Sums::of(&cube, &|c| filter.matches(c));
                point.responses = Some(count);
                point.mean = sums.mean(&cube);
                point.questions = cube
                    .questions
                    .iter()
                    .filter(|q| q.kind == QuestionKind::Scale)
                    .zip(sums.question_means(&cube))
                    .map(|(q, mean)| QuestionMean {
                        question_id: q.id,
                        prompt: q.prompt.clone(),
                        mean,
                    })
                    .collect();
            }
            verdict => point.withheld = verdict.message(row.threshold),
        }
        points.push(point);
    }
    Ok(points)
}
