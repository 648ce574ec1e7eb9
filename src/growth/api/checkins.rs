//! `/api/v1` check-ins: a person's check-ins, starting one, reading one (each side's ratings only
//! for those who may see them), writing one side's draft ratings, sharing, setting the agreed
//! ratings, confirming and cancelling. The same service and rules as the pages.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::error::AppError;
use crate::growth::checkins::{self as service, Checkin, CheckinListItem, RatingInput, Side};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/people/{id}/checkins",
            get(list_checkins).post(start_checkin),
        )
        .route("/checkins/{id}", get(get_checkin))
        .route("/checkins/{id}/self-ratings", put(put_self_ratings))
        .route("/checkins/{id}/manager-ratings", put(put_manager_ratings))
        .route("/checkins/{id}/share", post(share_checkin))
        .route("/checkins/{id}/agreed-ratings", patch(set_agreed_ratings))
        .route("/checkins/{id}/confirm", post(confirm_checkin))
        .route("/checkins/{id}/cancel", post(cancel_checkin))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_checkins,
        start_checkin,
        get_checkin,
        put_self_ratings,
        put_manager_ratings,
        share_checkin,
        set_agreed_ratings,
        confirm_checkin,
        cancel_checkin,
    ),
    tags((name = "checkins", description = "Check-ins: self and manager ratings against a target position, compared and agreed"))
)]
pub struct Api;

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
#[utoipa::path(get, path = "/api/v1/people/{id}/checkins", tag = "checkins",
    params(("id" = i64, Path, description = "The person")),
    responses((status = 200, body = Vec<CheckinListItem>), (status = 404, body = Problem)))]
pub async fn list_checkins(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<CheckinListItem>>> {
    Ok(Json(service::list_for_person(&state, &actor, id).await?))
}

/// Starts a check-in for a person (themselves or someone in their management chain), pinned to
/// the published framework version. 409 when one for the same position is not finished.
#[utoipa::path(post, path = "/api/v1/people/{id}/checkins", tag = "checkins",
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
        Json(service::get(&state, &actor, checkin).await?),
    ))
}

/// A check-in. Until both sides have shared, each side's ratings are present only for that side
/// (the person for `self_ratings`, their management chain for `manager_ratings`).
#[utoipa::path(get, path = "/api/v1/checkins/{id}", tag = "checkins",
    params(("id" = i64, Path)),
    responses((status = 200, body = Checkin), (status = 404, body = Problem)))]
pub async fn get_checkin(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Checkin>> {
    Ok(Json(service::get(&state, &actor, id).await?))
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
    Ok(Json(service::get(state, actor, id).await?))
}

/// Replaces the person's draft self-rating (the person only); 409 once shared.
#[utoipa::path(put, path = "/api/v1/checkins/{id}/self-ratings", tag = "checkins",
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
#[utoipa::path(put, path = "/api/v1/checkins/{id}/manager-ratings", tag = "checkins",
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
#[utoipa::path(post, path = "/api/v1/checkins/{id}/share", tag = "checkins",
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
    Ok(Json(service::get(&state, &actor, id).await?))
}

/// Changes the agreed rating of the competencies in the body, in the review; the others keep
/// theirs. A change asks the other side to confirm again.
#[utoipa::path(patch, path = "/api/v1/checkins/{id}/agreed-ratings", tag = "checkins",
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
    Ok(Json(service::get(&state, &actor, id).await?))
}

/// Confirms the agreed ratings for the caller's side. When both sides have confirmed, the
/// check-in is agreed and locked.
#[utoipa::path(post, path = "/api/v1/checkins/{id}/confirm", tag = "checkins",
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
    Ok(Json(service::get(&state, &actor, id).await?))
}

/// Cancels an unfinished check-in (whoever started it, or an admin).
#[utoipa::path(post, path = "/api/v1/checkins/{id}/cancel", tag = "checkins",
    params(("id" = i64, Path)),
    responses((status = 200, body = Checkin), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel_checkin(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Checkin>> {
    service::cancel(&state, &actor, id).await?;
    Ok(Json(service::get(&state, &actor, id).await?))
}
