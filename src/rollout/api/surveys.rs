//! `/api/v1/surveys`: pulse surveys over JSON. The People team makes and runs surveys; people list
//! the surveys open for them and answer each once; admins (and managers, for the teams below them)
//! read results and the pulse trend. The same services, and the same anonymity rule, as the pages:
//! no answer of this API carries who answered, or when.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::OpenApi as _;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::surveys::{OpenSurvey, PulsePoint, QuestionInput, Results, Survey, SurveySummary};
use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::error::AppError;
use crate::rollout::anonymity::Filter;
use crate::rollout::surveys::{self as service, AnswerInput, Start, SurveyInput};
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi())
        .routes(routes!(list_surveys, create_survey))
        .routes(routes!(open_surveys))
        .routes(routes!(pulse_trend))
        .routes(routes!(get_survey, update_survey, remove_survey))
        .routes(routes!(replace_questions))
        .routes(routes!(open_survey))
        .routes(routes!(close_survey))
        .routes(routes!(answer_survey))
        .routes(routes!(survey_results))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "surveys", description = "Pulse surveys: making them (admins), answering them \
        (everyone in the audience, once, anonymously), and their results (admins; managers for the \
        teams below them), shown only for groups that single nobody out")))]
struct Api;

/// All surveys, newest first (admins).
#[utoipa::path(get, path = "/surveys", tag = "surveys",
    responses((status = 200, body = Vec<SurveySummary>), (status = 403, body = Problem)))]
pub async fn list_surveys(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<Vec<SurveySummary>>> {
    Ok(Json(
        service::list(&state, &actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// A survey's settings as sent. Every field is optional: when creating, a field left out takes the
/// default of the new survey form; when changing, it keeps its value. On an open survey only
/// `title`, `intro` and `closes_on` may change.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SurveyBody {
    /// When creating: `career-tracks-pulse` (the default) or `blank`.
    pub template: Option<String>,
    /// When changing: left out, unchanged.
    pub title: Option<String>,
    /// When changing: left out, unchanged.
    pub intro: Option<String>,
    /// `everyone` (the default), `teams` or `tracks`.
    pub audience: String,
    /// Team ids, for the `teams` audience.
    pub teams: Vec<i64>,
    /// Track keys, for the `tracks` audience.
    pub tracks: Vec<String>,
    /// YYYY-MM-DD; when creating, tomorrow by default.
    pub opens_on: String,
    /// YYYY-MM-DD, the last day answers are taken; when creating, two weeks after the first day by
    /// default.
    pub closes_on: String,
    /// At least 3; 5 by default.
    pub threshold: Option<i64>,
    /// `team` (the default) or `track`: which groups stay whole when small ones are pooled.
    pub compare_by: String,
    /// When creating: the questions, instead of the template's.
    pub questions: Vec<QuestionInput>,
}

impl SurveyBody {
    fn input(&self) -> SurveyInput {
        SurveyInput {
            title: self.title.clone().unwrap_or_default(),
            intro: self.intro.clone().unwrap_or_default(),
            audience: self.audience.clone(),
            teams: self.teams.iter().map(i64::to_string).collect(),
            tracks: self.tracks.clone(),
            opens_on: self.opens_on.clone(),
            closes_on: self.closes_on.clone(),
            threshold: self.threshold.map(|t| t.to_string()).unwrap_or_default(),
            compare_by: self.compare_by.clone(),
        }
    }

    /// The questions sent, as the service takes them.
    fn questions(&self) -> Vec<service::QuestionInput> {
        self.questions.iter().cloned().map(Into::into).collect()
    }
}

/// Makes a survey (admins): from the career tracks pulse unless `template` is `blank` or
/// `questions` are given.
#[utoipa::path(post, path = "/surveys", tag = "surveys", request_body = SurveyBody,
    responses((status = 201, body = Survey), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_survey(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<SurveyBody>,
) -> ApiResult<(StatusCode, Json<Survey>)> {
    let raw = body.template.as_deref().unwrap_or(service::PULSE_TEMPLATE);
    let start = Start::parse(raw).ok_or_else(|| {
        AppError::invalid_field(
            "template",
            format!("“{raw}” is not a template: use career-tracks-pulse or blank"),
        )
    })?;
    let id = service::create(&state, &actor, start, &body.input(), &body.questions()).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::survey(&state, &actor, id).await?.into()),
    ))
}

/// The surveys open today for the person asking, which they have not answered yet, with their
/// questions. Empty for a token that stands for no person.
#[utoipa::path(get, path = "/surveys/open", tag = "surveys",
    responses((status = 200, body = Vec<OpenSurvey>)))]
pub async fn open_surveys(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<Vec<OpenSurvey>>> {
    Ok(Json(
        service::open_for(state.db(), &actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// A group of responses: everyone, or narrowed by team, track and pilot.
#[derive(Deserialize, IntoParams, Default)]
pub struct GroupQuery {
    /// A team id.
    pub team: Option<i64>,
    /// A track key.
    pub track: Option<String>,
    /// `true`: the pilot teams only; `false`: everyone but them.
    pub pilot: Option<bool>,
    /// Results only: the page of free-text answers, from 1 (50 a page).
    pub page: Option<usize>,
}

impl GroupQuery {
    fn filter(&self) -> Filter {
        Filter {
            team: self.team,
            track: self
                .track
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            pilot: self.pilot,
        }
    }
}

/// The pulse over time: each survey's mean ratings for a group, oldest first. Figures only for
/// closed surveys and for groups the anonymity rule allows; `withheld` says why otherwise. Admins
/// ask about anyone; managers about one of the teams below them (`team`).
#[utoipa::path(get, path = "/surveys/trend", tag = "surveys", params(GroupQuery),
    responses((status = 200, body = Vec<PulsePoint>), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn pulse_trend(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<GroupQuery>,
) -> ApiResult<Json<Vec<PulsePoint>>> {
    Ok(Json(
        service::pulse_trend(state.db(), &actor, &q.filter())
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// A survey with its questions and how many people answered (admins).
#[utoipa::path(get, path = "/surveys/{id}", tag = "surveys", params(("id" = i64, Path)),
    responses((status = 200, body = Survey), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn get_survey(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Survey>> {
    Ok(Json(service::survey(&state, &actor, id).await?.into()))
}

/// Changes a survey's settings (admins): everything before it opens; the title, introduction and
/// last day while it is open (other fields left out or unchanged); nothing once it has closed (409).
#[utoipa::path(put, path = "/surveys/{id}", tag = "surveys", params(("id" = i64, Path)),
    request_body = SurveyBody,
    responses((status = 200, body = Survey), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_survey(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<SurveyBody>,
) -> ApiResult<Json<Survey>> {
    let current = service::survey(&state, &actor, id).await?;
    let mut input = body.input();
    if body.title.is_none() {
        input.title = current.title;
    }
    if body.intro.is_none() {
        input.intro = current.intro;
    }
    service::update(&state, &actor, id, &input).await?;
    Ok(Json(service::survey(&state, &actor, id).await?.into()))
}

/// Removes a survey with its questions and answers (admins).
#[utoipa::path(delete, path = "/surveys/{id}", tag = "surveys", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_survey(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    service::remove(state.db(), &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces every question of a survey that has not opened yet (admins).
#[utoipa::path(put, path = "/surveys/{id}/questions", tag = "surveys",
    params(("id" = i64, Path)), request_body = Vec<QuestionInput>,
    responses((status = 200, body = Survey), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn replace_questions(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(questions): Json<Vec<QuestionInput>>,
) -> ApiResult<Json<Survey>> {
    let questions: Vec<service::QuestionInput> = questions.into_iter().map(Into::into).collect();
    service::set_questions(state.db(), &actor, id, &questions).await?;
    Ok(Json(service::survey(&state, &actor, id).await?.into()))
}

/// Opens a scheduled survey today (admins); it needs at least one question.
#[utoipa::path(post, path = "/surveys/{id}/open", tag = "surveys",
    params(("id" = i64, Path)),
    responses((status = 200, body = Survey), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open_survey(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Survey>> {
    service::open_now(state.db(), &actor, id).await?;
    Ok(Json(service::survey(&state, &actor, id).await?.into()))
}

/// Closes an open survey now, for good (admins); its results can then be read.
#[utoipa::path(post, path = "/surveys/{id}/close", tag = "surveys",
    params(("id" = i64, Path)),
    responses((status = 200, body = Survey), (status = 404, body = Problem),
              (status = 409, body = Problem)))]
pub async fn close_survey(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Survey>> {
    service::close_now(state.db(), &actor, id).await?;
    Ok(Json(service::survey(&state, &actor, id).await?.into()))
}

/// Answers, by question id: a number from 1 to 5 for each statement (all required), words or
/// nothing for each open question.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct AnswersBody {
    #[schema(value_type = Object, example = json!({"12": 4, "13": "More examples at each level"}))]
    pub answers: BTreeMap<String, serde_json::Value>,
}

/// Answers an open survey of the person's audience, once; a second answer is refused (409).
/// Nothing in the stored response says who answered or when, so answers cannot be read back.
#[utoipa::path(post, path = "/surveys/{id}/responses", tag = "surveys",
    params(("id" = i64, Path)), request_body = AnswersBody,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn answer_survey(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<AnswersBody>,
) -> ApiResult<StatusCode> {
    let mut answers = BTreeMap::new();
    for (key, value) in body.answers {
        let question: i64 = key.trim().parse().map_err(|_| {
            AppError::invalid_field("answers", format!("“{key}” is not a question id"))
        })?;
        let text = match value {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            _ => {
                return Err(AppError::invalid_field(
                    &format!("q{question}"),
                    "an answer is a number from 1 to 5 or a text",
                ));
            }
        };
        answers.insert(question, text);
    }
    service::answer(state.db(), &actor, id, &AnswerInput { answers }).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A closed survey's results for a group (admins; managers for one of the teams below them):
/// per question the count, mean and distribution of ratings, and a page of written answers in a
/// random order; and breakdowns by team, track and pilot. A group the anonymity rule does not
/// allow is refused with 422 and the reason; results of an open survey, or of a survey with too
/// few answers, say why in `message`.
#[utoipa::path(get, path = "/surveys/{id}/results", tag = "surveys",
    params(("id" = i64, Path), GroupQuery),
    responses((status = 200, body = Results), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn survey_results(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<GroupQuery>,
) -> ApiResult<Json<Results>> {
    let results = service::results(&state, &actor, id, &q.filter(), q.page.unwrap_or(1)).await?;
    match results.refusal() {
        Some(refusal) => Err(refusal),
        None => Ok(Json(results.into())),
    }
}
