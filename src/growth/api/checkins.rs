//! `/api/v1` check-ins: a person's check-ins, starting one, reading one (each side's ratings only
//! for those who may see them), writing one side's draft ratings, sharing, setting the agreed
//! ratings, confirming and cancelling. The same service and rules as the pages.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::OpenApi as _;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::checkins::{Checkin, CheckinListItem};
use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::error::AppError;
use crate::growth::checkins::{self as service, RatingInput, Side};
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi())
        .routes(routes!(list_checkins, start_checkin))
        .routes(routes!(get_checkin))
        .routes(routes!(put_self_ratings))
        .routes(routes!(put_manager_ratings))
        .routes(routes!(share_checkin))
        .routes(routes!(set_agreed_ratings))
        .routes(routes!(confirm_checkin))
        .routes(routes!(cancel_checkin))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "checkins", description = "Check-ins: self and manager ratings against a target position, compared and agreed")))]
struct Api;

/// The position a new check-in rates against.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    /// A track key of the published framework.
    pub track: String,
    /// A level key of that track: the person's own, the next, or any other.
    pub level: String,
}

/// One competency's rating as sent.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    /// `below`, `working_towards`, `meets`, `exceeds` or `not_applicable`; empty or absent to
    /// leave the competency unrated.
    pub rating: Option<String>,
    pub comment: Option<String>,
    /// Why the competency does not apply; required with `not_applicable`.
    pub reason: Option<String>,
}

/// Ratings by competency key.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingsBody {
    pub ratings: BTreeMap<String, RatingBody>,
}

impl RatingsBody {
    fn inputs(self) -> Vec<(String, RatingInput)> {
        self.ratings
            .into_iter()
            .map(|(key, r)| {
                (
                    key,
                    RatingInput {
                        rating: r.rating.unwrap_or_default(),
                        comment: r.comment.unwrap_or_default(),
                        reason: r.reason.unwrap_or_default(),
                    },
                )
            })
            .collect()
    }
}

/// Names the fields of the body in messages: `ratings.KEY.rating`.
fn in_body(e: AppError) -> AppError {
    match e {
        AppError::Invalid { title, errors } => AppError::Invalid {
            title,
            errors: errors
                .into_iter()
                .map(|mut f| {
                    if !f.field.is_empty() && f.field != "ratings" {
                        f.field = format!("ratings.{}", f.field);
                    }
                    f
                })
                .collect(),
        },
        other => other,
    }
}

/// A person's check-ins, newest first; 404 for those who may not see them.
#[utoipa::path(get, path = "/people/{id}/checkins", tag = "checkins",
    params(("id" = i64, Path, description = "The person")),
    responses((status = 200, body = Vec<CheckinListItem>), (status = 404, body = Problem)))]
pub async fn list_checkins(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<CheckinListItem>>> {
    Ok(Json(
        service::list_for_person(&state, &actor, id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Starts a check-in for a person (themselves or someone in their management chain), pinned to
/// the published framework version. 409 when one for the same position is not finished.
#[utoipa::path(post, path = "/people/{id}/checkins", tag = "checkins",
    params(("id" = i64, Path, description = "The person")), request_body = StartBody,
    responses((status = 201, body = Checkin), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn start_checkin(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<StartBody>,
) -> ApiResult<(StatusCode, Json<Checkin>)> {
    let checkin = service::start(&state, &actor, id, &body.track, &body.level).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::get(&state, &actor, checkin).await?.into()),
    ))
}

/// A check-in. Until both sides have shared, each side's ratings are present only for that side
/// (the person for `self_ratings`, their management chain for `manager_ratings`).
#[utoipa::path(get, path = "/checkins/{id}", tag = "checkins",
    params(("id" = i64, Path)),
    responses((status = 200, body = Checkin), (status = 404, body = Problem)))]
pub async fn get_checkin(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Checkin>> {
    Ok(Json(service::get(&state, &actor, id).await?.into()))
}

async fn put_side(
    state: &AppState,
    actor: &Actor,
    id: i64,
    side: Side,
    body: RatingsBody,
) -> ApiResult<Json<Checkin>> {
    service::save_side_ratings(state, actor, id, side, &body.inputs())
        .await
        .map_err(in_body)?;
    Ok(Json(service::get(state, actor, id).await?.into()))
}

/// Replaces the person's draft self-rating (the person only); 409 once shared.
#[utoipa::path(put, path = "/checkins/{id}/self-ratings", tag = "checkins",
    params(("id" = i64, Path)), request_body = RatingsBody,
    responses((status = 200, body = Checkin), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn put_self_ratings(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<RatingsBody>,
) -> ApiResult<Json<Checkin>> {
    put_side(&state, &actor, id, Side::Person, body).await
}

/// Replaces the manager's draft ratings (anyone in the person's management chain); 409 once
/// shared.
#[utoipa::path(put, path = "/checkins/{id}/manager-ratings", tag = "checkins",
    params(("id" = i64, Path)), request_body = RatingsBody,
    responses((status = 200, body = Checkin), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn put_manager_ratings(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<RatingsBody>,
) -> ApiResult<Json<Checkin>> {
    put_side(&state, &actor, id, Side::Manager, body).await
}

/// Shares the caller's side, which locks it; every competency must be rated. When both sides
/// have shared, the check-in is in review.
#[utoipa::path(post, path = "/checkins/{id}/share", tag = "checkins",
    params(("id" = i64, Path)),
    responses((status = 200, body = Checkin), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn share_checkin(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Checkin>> {
    service::share(&state, &actor, id).await?;
    Ok(Json(service::get(&state, &actor, id).await?.into()))
}

/// Changes the agreed rating of the competencies in the body, in the review; the others keep
/// theirs. A change asks the other side to confirm again.
#[utoipa::path(patch, path = "/checkins/{id}/agreed-ratings", tag = "checkins",
    params(("id" = i64, Path)), request_body = RatingsBody,
    responses((status = 200, body = Checkin), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn set_agreed_ratings(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<RatingsBody>,
) -> ApiResult<Json<Checkin>> {
    service::set_agreed(&state, &actor, id, &body.inputs())
        .await
        .map_err(in_body)?;
    Ok(Json(service::get(&state, &actor, id).await?.into()))
}

/// Confirms the agreed ratings for the caller's side. When both sides have confirmed, the
/// check-in is agreed and locked.
#[utoipa::path(post, path = "/checkins/{id}/confirm", tag = "checkins",
    params(("id" = i64, Path)),
    responses((status = 200, body = Checkin), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn confirm_checkin(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Checkin>> {
    service::confirm(&state, &actor, id).await?;
    Ok(Json(service::get(&state, &actor, id).await?.into()))
}

/// Cancels an unfinished check-in (whoever started it, or an admin).
#[utoipa::path(post, path = "/checkins/{id}/cancel", tag = "checkins",
    params(("id" = i64, Path)),
    responses((status = 200, body = Checkin), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel_checkin(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Checkin>> {
    service::cancel(&state, &actor, id).await?;
    Ok(Json(service::get(&state, &actor, id).await?.into()))
}
