//! `/api/v1/nominations`: promotion nominations. Someone in a person's management chain nominates
//! them with a case; the People team approves (which records the position) or declines; the
//! nominator may withdraw. The nominee sees a nomination only once it is approved.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::nominations::{DecisionInput, Nomination, NominationInput, NominationList};
use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::error::AppError;
use crate::growth::nominations::{self as service, NominationStatus};
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi())
        .routes(routes!(list_nominations))
        .routes(routes!(get_nomination))
        .routes(routes!(decide_nomination))
        .routes(routes!(withdraw_nomination))
        .routes(routes!(create_nomination))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "nominations", description = "Promotion nominations, decided by the People team")))]
struct Api;

#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// `pending`, `approved`, `declined` or `withdrawn`; every status when absent.
    pub status: Option<String>,
}

/// The nominations the caller may see, waiting ones first: every nomination for admins (but their
/// own before approval), those about their chain or made by them for managers, and their own
/// approved ones for everyone.
#[utoipa::path(get, path = "/nominations", tag = "nominations", params(ListParams),
    responses((status = 200, body = NominationList), (status = 422, body = Problem)))]
pub async fn list_nominations(
    State(state): State<AppState>,
    actor: Actor,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<NominationList>> {
    let status = match params.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(NominationStatus::parse(s).ok_or_else(|| {
            AppError::invalid_field(
                "status",
                format!("“{s}” is not a status: pending, approved, declined or withdrawn"),
            )
        })?),
    };
    Ok(Json(service::list(&state, &actor, status).await?.into()))
}

/// A nomination with its case, the check-in it stands on and the person's evidence.
#[utoipa::path(get, path = "/nominations/{id}", tag = "nominations",
    params(("id" = i64, Path)),
    responses((status = 200, body = Nomination), (status = 404, body = Problem)))]
pub async fn get_nomination(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Nomination>> {
    Ok(Json(service::nomination(&state, &actor, id).await?.into()))
}

/// Nominates a person (someone in their management chain): a higher level of their track or a
/// level of another track, with the case in markdown. One nomination per person waits at a time.
#[utoipa::path(post, path = "/people/{id}/nominations", tag = "nominations",
    params(("id" = i64, Path)), request_body = NominationInput,
    responses((status = 201, body = Nomination), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_nomination(
    State(state): State<AppState>,
    actor: Actor,
    Path(person): Path<i64>,
    Json(body): Json<NominationInput>,
) -> ApiResult<(StatusCode, Json<Nomination>)> {
    let id = service::nominate(&state, &actor, person, &body.into()).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::nomination(&state, &actor, id).await?.into()),
    ))
}

/// Approves or declines a waiting nomination (admins, never about themselves). Approval records
/// the position in the person's history in the same transaction; declining needs a note.
#[utoipa::path(post, path = "/nominations/{id}/decision", tag = "nominations",
    params(("id" = i64, Path)), request_body = DecisionInput,
    responses((status = 200, body = Nomination), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn decide_nomination(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<DecisionInput>,
) -> ApiResult<Json<Nomination>> {
    service::decide(&state, &actor, id, &body.into()).await?;
    Ok(Json(service::nomination(&state, &actor, id).await?.into()))
}

/// Withdraws a waiting nomination (its nominator).
#[utoipa::path(post, path = "/nominations/{id}/withdraw", tag = "nominations",
    params(("id" = i64, Path)),
    responses((status = 200, body = Nomination), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn withdraw_nomination(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Nomination>> {
    service::withdraw(&state, &actor, id).await?;
    Ok(Json(service::nomination(&state, &actor, id).await?.into()))
}
