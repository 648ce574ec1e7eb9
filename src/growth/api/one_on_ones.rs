//! `/api/v1` 1:1s: one's series, starting one, a series with its upcoming meeting and history, a
//! meeting, and the writes of its participants (agenda, shared notes, their own private note,
//! action items, date, completing it). The same service and rules as the pages: the chain above
//! the manager and admins read the shared content only, and a private note is only ever in its
//! author's answers.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi as _;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::one_on_ones::{
    ActionItem, Completed, Meeting, MeetingPage, MyOneOnOnes, PersonRef, Series, SeriesInfo,
    TalkingPoint,
};
use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::error::AppError;
use crate::growth::one_on_ones::{self as service, Direction, ItemInput, PointInput, StartInput};
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi())
        .routes(routes!(list_series))
        .routes(routes!(start_series))
        .routes(routes!(start_team_series))
        .routes(routes!(get_series))
        .routes(routes!(get_meeting, reschedule_meeting))
        .routes(routes!(add_talking_point))
        .routes(routes!(put_shared_notes))
        .routes(routes!(put_private_note))
        .routes(routes!(add_action_item))
        .routes(routes!(complete_meeting))
        .routes(routes!(change_talking_point, remove_talking_point))
        .routes(routes!(change_action_item))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "one-on-ones", description = "1:1s: series of manager–report meetings, their agenda, notes and action items")))]
struct Api;

/// How a series starts.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct StartSeriesBody {
    /// Days between meetings, 1 to 365; 14 when absent.
    pub cadence_days: Option<i64>,
    /// `YYYY-MM-DD` of the first meeting; today when empty.
    pub first_on: String,
}

/// A series started with one report of a team.
#[derive(Serialize, ToSchema)]
pub struct TeamSeries {
    pub report: PersonRef,
    /// The series just started.
    pub series_id: i64,
}

/// What setting up 1:1s with a whole team did.
#[derive(Serialize, ToSchema)]
pub struct TeamSeriesStarted {
    pub manager: PersonRef,
    /// A series for each direct report who had none.
    pub started: Vec<TeamSeries>,
    /// The direct reports who had a series with the manager already.
    pub skipped: Vec<PersonRef>,
    pub cadence_days: i64,
    /// `YYYY-MM-DD` of the first meetings.
    pub first_on: String,
}

/// A new talking point.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct TalkingPointBody {
    /// At most 1,000 characters.
    pub body: String,
    /// One of the report's goals.
    pub goal_id: Option<i64>,
    /// A competency key of the library.
    pub competency: Option<String>,
}

/// A change to a talking point.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct TalkingPointPatch {
    pub discussed: Option<bool>,
    /// `up` or `down`: one place in the agenda.
    #[serde(rename = "move")]
    pub move_to: Option<String>,
}

/// The shared notes of a meeting.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SharedNotesBody {
    /// Markdown; at most 20,000 characters.
    pub notes: String,
    /// The `notes_revision` the text started from: a save from an older copy is refused with 409.
    pub revision: Option<i64>,
}

/// The caller's own private note on a meeting.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PrivateNoteBody {
    /// At most 20,000 characters; empty removes the note.
    pub body: String,
}

/// A new action item.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ActionItemBody {
    /// At most 200 characters.
    pub title: String,
    /// One of the two participants; the caller when absent.
    pub owner_id: Option<i64>,
    /// `YYYY-MM-DD`; empty for none.
    pub due_on: String,
}

/// A change to an action item.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ActionItemPatch {
    pub done: bool,
}

/// A new date for the upcoming meeting.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RescheduleBody {
    /// `YYYY-MM-DD`.
    pub scheduled_on: String,
}

/// The caller's series, as manager and as report, and the people they could start one with.
#[utoipa::path(get, path = "/one-on-ones", tag = "one-on-ones",
    responses((status = 200, body = MyOneOnOnes)))]
pub async fn list_series(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<MyOneOnOnes>> {
    Ok(Json(service::my_one_on_ones(&state, &actor).await?.into()))
}

/// Starts a series with a direct report or one's manager; 200 with the existing series when the
/// two have one already.
#[utoipa::path(post, path = "/people/{id}/one-on-ones", tag = "one-on-ones",
    params(("id" = i64, Path, description = "The other participant")), request_body = StartSeriesBody,
    responses((status = 201, body = Series), (status = 200, body = Series),
              (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn start_series(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<StartSeriesBody>,
) -> ApiResult<(StatusCode, Json<Series>)> {
    let input = StartInput {
        cadence_days: body.cadence_days.map(|d| d.to_string()).unwrap_or_default(),
        first_on: body.first_on,
    };
    let started = service::start_series(&state, &actor, id, &input).await?;
    let status = if started.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(
            service::series(&state, &actor, started.series)
                .await?
                .into(),
        ),
    ))
}

/// Sets up 1:1s between a manager and each of their direct reports who has none, all with the
/// same cadence and first day, in one transaction; reports who have a series already are skipped.
/// The manager themselves or an admin.
#[utoipa::path(post, path = "/people/{id}/one-on-ones/team", tag = "one-on-ones",
    params(("id" = i64, Path, description = "The manager")), request_body = StartSeriesBody,
    responses((status = 201, body = TeamSeriesStarted),
              (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn start_team_series(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<StartSeriesBody>,
) -> ApiResult<(StatusCode, Json<TeamSeriesStarted>)> {
    let input = StartInput {
        cadence_days: body.cadence_days.map(|d| d.to_string()).unwrap_or_default(),
        first_on: body.first_on,
    };
    let done = service::start_team_series(&state, &actor, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(TeamSeriesStarted {
            manager: done.manager.into(),
            started: done
                .started
                .into_iter()
                .map(|(report, series_id)| TeamSeries {
                    report: report.into(),
                    series_id,
                })
                .collect(),
            skipped: done.skipped.into_iter().map(Into::into).collect(),
            cadence_days: done.cadence_days,
            first_on: done.first_on,
        }),
    ))
}

/// A series with its upcoming meeting and the meetings held.
#[utoipa::path(get, path = "/one-on-ones/{id}", tag = "one-on-ones",
    params(("id" = i64, Path)),
    responses((status = 200, body = Series), (status = 404, body = Problem)))]
pub async fn get_series(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Series>> {
    Ok(Json(service::series(&state, &actor, id).await?.into()))
}

/// A meeting, upcoming or held.
#[utoipa::path(get, path = "/one-on-ones/meetings/{id}", tag = "one-on-ones",
    params(("id" = i64, Path)),
    responses((status = 200, body = MeetingPage), (status = 404, body = Problem)))]
pub async fn get_meeting(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<MeetingPage>> {
    Ok(Json(service::meeting(&state, &actor, id).await?.into()))
}

/// Moves the upcoming meeting to another day.
#[utoipa::path(patch, path = "/one-on-ones/meetings/{id}", tag = "one-on-ones",
    params(("id" = i64, Path)), request_body = RescheduleBody,
    responses((status = 200, body = MeetingPage), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn reschedule_meeting(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<RescheduleBody>,
) -> ApiResult<Json<MeetingPage>> {
    service::reschedule(&state, &actor, id, &body.scheduled_on).await?;
    Ok(Json(service::meeting(&state, &actor, id).await?.into()))
}

/// Adds a talking point to the upcoming meeting's agenda.
#[utoipa::path(post, path = "/one-on-ones/meetings/{id}/talking-points",
    tag = "one-on-ones", params(("id" = i64, Path)), request_body = TalkingPointBody,
    responses((status = 201, body = TalkingPoint), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn add_talking_point(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<TalkingPointBody>,
) -> ApiResult<(StatusCode, Json<TalkingPoint>)> {
    let input = PointInput {
        body: body.body,
        goal: body.goal_id,
        competency: body.competency.unwrap_or_default(),
    };
    let point = service::add_talking_point(&state, &actor, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::talking_point(&state, &actor, point).await?.into()),
    ))
}

/// Marks a talking point discussed (or not), or moves it one place up or down.
#[utoipa::path(patch, path = "/one-on-ones/talking-points/{id}", tag = "one-on-ones",
    params(("id" = i64, Path)), request_body = TalkingPointPatch,
    responses((status = 200, body = TalkingPoint), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn change_talking_point(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<TalkingPointPatch>,
) -> ApiResult<Json<TalkingPoint>> {
    let direction =
        match body.move_to.as_deref() {
            None => None,
            Some(raw) => Some(Direction::parse(raw).ok_or_else(|| {
                AppError::invalid_field("move", "move a talking point up or down")
            })?),
        };
    if let Some(discussed) = body.discussed {
        service::set_discussed(&state, &actor, id, discussed).await?;
    }
    if let Some(direction) = direction {
        service::move_talking_point(&state, &actor, id, direction).await?;
    }
    Ok(Json(
        service::talking_point(&state, &actor, id).await?.into(),
    ))
}

/// Removes a talking point (its author).
#[utoipa::path(delete, path = "/one-on-ones/talking-points/{id}", tag = "one-on-ones",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem)))]
pub async fn remove_talking_point(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    service::remove_talking_point(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Saves the shared notes of the upcoming meeting.
#[utoipa::path(put, path = "/one-on-ones/meetings/{id}/shared-notes", tag = "one-on-ones",
    params(("id" = i64, Path)), request_body = SharedNotesBody,
    responses((status = 200, body = MeetingPage), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn put_shared_notes(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<SharedNotesBody>,
) -> ApiResult<Json<MeetingPage>> {
    service::save_shared_notes(&state, &actor, id, &body.notes, body.revision).await?;
    Ok(Json(service::meeting(&state, &actor, id).await?.into()))
}

/// Saves the caller's own private note on the upcoming meeting; nobody else ever reads it.
#[utoipa::path(put, path = "/one-on-ones/meetings/{id}/private-note", tag = "one-on-ones",
    params(("id" = i64, Path)), request_body = PrivateNoteBody,
    responses((status = 200, body = MeetingPage), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn put_private_note(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<PrivateNoteBody>,
) -> ApiResult<Json<MeetingPage>> {
    service::save_private_note(&state, &actor, id, &body.body).await?;
    Ok(Json(service::meeting(&state, &actor, id).await?.into()))
}

/// Adds an action item in the upcoming meeting.
#[utoipa::path(post, path = "/one-on-ones/meetings/{id}/action-items", tag = "one-on-ones",
    params(("id" = i64, Path)), request_body = ActionItemBody,
    responses((status = 201, body = ActionItem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn add_action_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<ActionItemBody>,
) -> ApiResult<(StatusCode, Json<ActionItem>)> {
    let input = ItemInput {
        title: body.title,
        owner: body.owner_id,
        due_on: body.due_on,
    };
    let item = service::add_action_item(&state, &actor, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::action_item(&state, &actor, item).await?.into()),
    ))
}

/// Ticks an action item done, or opens it again.
#[utoipa::path(patch, path = "/one-on-ones/action-items/{id}", tag = "one-on-ones",
    params(("id" = i64, Path)), request_body = ActionItemPatch,
    responses((status = 200, body = ActionItem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn change_action_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<ActionItemPatch>,
) -> ApiResult<Json<ActionItem>> {
    service::set_item_done(&state, &actor, id, body.done).await?;
    Ok(Json(service::action_item(&state, &actor, id).await?.into()))
}

/// Completes the upcoming meeting: it is kept as held, on the day it was held (today when that is
/// before its planned day), and the next one is added; talking points not marked discussed and open
/// action items carry over to it. The answer is that next meeting, with what was carried over.
#[utoipa::path(post, path = "/one-on-ones/meetings/{id}/complete", tag = "one-on-ones",
    params(("id" = i64, Path)),
    responses((status = 200, body = CompletedMeeting), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn complete_meeting(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<CompletedMeeting>> {
    let completed = service::complete_meeting(&state, &actor, id).await?;
    let next = service::meeting(&state, &actor, completed.next_meeting_id).await?;
    Ok(Json(CompletedMeeting {
        series: next.series.into(),
        meeting: next.meeting.into(),
        completed: completed.into(),
    }))
}

/// The next meeting after completing one, and what completing it did.
#[derive(Serialize, ToSchema)]
pub struct CompletedMeeting {
    pub series: SeriesInfo,
    /// The next meeting, now the upcoming one.
    pub meeting: Meeting,
    pub completed: Completed,
}
