//! Who reads results (admins; managers for the teams below them), and the surveys and teams they
//! may read.

use super::stored::{CountedSurveyColumns, SURVEY_COLUMNS, SurveyRow};
use super::{Status, SurveySummary};
use crate::auth::{Actor, policy};
use crate::db::Db;
use crate::domain::Day;
use crate::error::{AppError, AppResult};
use crate::rollout::anonymity::Filter;

/// Who reads results: the People team the whole organisation, a manager the teams whose every
/// active member is below them in their management chain (so never a team they are in).
pub(super) enum Viewer {
    Organisation,
    Teams(Vec<(i64, String)>),
}

impl Viewer {
    pub(super) async fn of(db: &Db, actor: &Actor) -> AppResult<Viewer> {
        if policy::see_whole_organisation(actor) {
            policy::read_survey_results(actor, false)?;
            return Ok(Viewer::Organisation);
        }
        let teams = match actor.user_id {
            Some(me) => teams_below(db, me).await?,
            None => Vec::new(),
        };
        policy::read_survey_results(actor, !teams.is_empty())?;
        Ok(Viewer::Teams(teams))
    }

    /// Refuses a filter outside the viewer's teams.
    pub(super) fn allows(&self, filter: &Filter) -> AppResult<()> {
        match (self, filter.team) {
            (Viewer::Organisation, _) => Ok(()),
            (Viewer::Teams(teams), Some(t)) if teams.iter().any(|(id, _)| *id == t) => Ok(()),
            (Viewer::Teams(_), Some(_)) => Err(AppError::Forbidden),
            (Viewer::Teams(_), None) => Err(AppError::invalid_field(
                "team",
                "choose one of your teams: managers see the results of the teams whose members \
                 all report to them",
            )),
        }
    }
}

/// The teams whose every active member is below this person in the management chain.
async fn teams_below(db: &Db, me: i64) -> AppResult<Vec<(i64, String)>> {
    let rows = sqlx::query_as::<_, (i64, String)>(&format!(
        "SELECT t.id, t.name FROM teams t \
         WHERE EXISTS (SELECT 1 FROM users u WHERE u.team_id = t.id AND u.active = 1) \
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.team_id = t.id AND u.active = 1 \
                         AND u.id NOT IN {}) \
         ORDER BY t.name_key, t.id",
        crate::db::chain::below("$1")
    ))
    .bind(me)
    .fetch_all(db.pool())
    .await?;
    Ok(rows)
}

/// The teams whose results the actor may read, by name: every team for admins, the teams below
/// a manager for managers, none for others. For filters and for the dashboard.
pub async fn result_teams(db: &Db, actor: &Actor) -> AppResult<Vec<(i64, String)>> {
    if policy::see_whole_organisation(actor) {
        policy::read_survey_results(actor, false)?;
        return Ok(sqlx::query_as::<_, (i64, String)>(
            "SELECT id, name FROM teams ORDER BY name_key, id",
        )
        .fetch_all(db.pool())
        .await?);
    }
    match actor.user_id {
        Some(me) => teams_below(db, me).await,
        None => Ok(Vec::new()),
    }
}

/// The closed surveys whose results the actor may read, newest first: every survey for admins,
/// for a manager the closed ones (their teams' results), none for others.
pub async fn with_results(db: &Db, actor: &Actor) -> AppResult<Vec<SurveySummary>> {
    let viewer = match Viewer::of(db, actor).await {
        Ok(v) => v,
        Err(AppError::Forbidden) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let today = Day::today().to_string();
    let rows = sqlx::query_as::<_, CountedSurveyColumns>(&format!(
        "SELECT {SURVEY_COLUMNS}, \
         (SELECT COUNT(*) FROM survey_questions q WHERE q.survey_id = s.id) AS question_count \
         FROM surveys s WHERE s.closed_early = 1 OR s.closes_on < $1 \
         ORDER BY closes_on DESC, id DESC"
    ))
    .bind(&today)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            let s = SurveyRow::try_from(r.survey)?;
            Ok(SurveySummary {
                id: s.id,
                audience_label: String::new(),
                opens_on: s.opens_on.to_string(),
                closes_on: s.closes_on.to_string(),
                status: Status::Closed,
                questions: r.question_count,
                responses: matches!(viewer, Viewer::Organisation).then_some(s.responses),
                title: s.title,
            })
        })
        .collect()
}
