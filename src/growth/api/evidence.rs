//! `/api/v1` evidence: a person's evidence items, one item, and confirming them. The same service
//! and rules as the pages: the person, their management chain and admins see a person's
//! evidence; a colleague the person asked sees that one item; everyone else gets a 404.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::OpenApi as _;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::wire::evidence::{AskedItem, EvidenceDetail, EvidenceList};
use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::error::AppError;
use crate::growth::evidence::{self as service, Colleague, EvidenceInput};
use crate::state::AppState;

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi())
        .routes(routes!(list_evidence, add_evidence))
        .routes(routes!(asked_evidence))
        .routes(routes!(get_evidence, update_evidence, remove_evidence))
        .routes(routes!(confirm_evidence, unconfirm_evidence))
        .routes(routes!(decline_evidence))
        .routes(routes!(ask_confirmation))
        .routes(routes!(withdraw_request))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "evidence", description = "Evidence: notes and links attached to competencies, and their confirmations")))]
struct Api;

#[derive(Deserialize, IntoParams)]
pub struct EvidenceQuery {
    /// Only the items supporting this competency (a key of the library).
    pub competency: Option<String>,
}

/// A person's evidence, newest first; for the person, their management chain and admins.
#[utoipa::path(get, path = "/people/{id}/evidence", tag = "evidence",
    params(("id" = i64, Path), EvidenceQuery),
    responses((status = 200, body = EvidenceList), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn list_evidence(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<EvidenceQuery>,
) -> ApiResult<Json<EvidenceList>> {
    Ok(Json(
        service::list(&state, &actor, id, q.competency.as_deref())
            .await?
            .into(),
    ))
}

/// An evidence item as sent.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct EvidenceBody {
    /// `note`, `document`, `pull_request`, `feedback` or `other`.
    pub kind: String,
    /// At most 200 characters.
    pub title: String,
    /// An http or https link; optional.
    pub url: String,
    /// Markdown, at most 20,000 characters; optional.
    pub note: String,
    /// YYYY-MM-DD; optional.
    pub happened_on: String,
    /// Competency keys of the person's track; at least one.
    pub competencies: Vec<String>,
}

impl From<EvidenceBody> for EvidenceInput {
    fn from(b: EvidenceBody) -> EvidenceInput {
        EvidenceInput {
            kind: b.kind,
            title: b.title,
            url: b.url,
            note: b.note,
            happened_on: b.happened_on,
            competencies: b.competencies,
        }
    }
}

/// Adds an item to a person's evidence: the person or someone in their management chain.
#[utoipa::path(post, path = "/people/{id}/evidence", tag = "evidence",
    params(("id" = i64, Path)), request_body = EvidenceBody,
    responses((status = 201, body = EvidenceDetail), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_evidence(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<EvidenceBody>,
) -> ApiResult<(StatusCode, Json<EvidenceDetail>)> {
    let item = service::add(&state, &actor, id, &body.into()).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::get(&state, &actor, item).await?.into()),
    ))
}

/// The items colleagues asked the caller to confirm: open requests first, then those confirmed.
#[utoipa::path(get, path = "/evidence/asked", tag = "evidence",
    responses((status = 200, body = Vec<AskedItem>), (status = 403, body = Problem)))]
pub async fn asked_evidence(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<Vec<AskedItem>>> {
    Ok(Json(
        service::asked_of_me(&state, &actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// One item, with what the caller may do with it.
#[utoipa::path(get, path = "/evidence/{id}", tag = "evidence",
    params(("id" = i64, Path)),
    responses((status = 200, body = EvidenceDetail), (status = 404, body = Problem)))]
pub async fn get_evidence(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<EvidenceDetail>> {
    Ok(Json(service::get(&state, &actor, id).await?.into()))
}

/// Replaces an item (its author only). A change removes its confirmations.
#[utoipa::path(put, path = "/evidence/{id}", tag = "evidence",
    params(("id" = i64, Path)), request_body = EvidenceBody,
    responses((status = 200, body = EvidenceDetail), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_evidence(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<EvidenceBody>,
) -> ApiResult<Json<EvidenceDetail>> {
    service::update(&state, &actor, id, &body.into()).await?;
    Ok(Json(service::get(&state, &actor, id).await?.into()))
}

/// Removes an item (its author only).
#[utoipa::path(delete, path = "/evidence/{id}", tag = "evidence",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_evidence(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    service::remove(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ConfirmBody {
    /// Markdown; optional.
    pub comment: String,
}

/// Confirms an item, with an optional comment: a manager in the person's chain, or a colleague
/// the person asked. Confirming again replaces the comment.
#[utoipa::path(post, path = "/evidence/{id}/confirmation", tag = "evidence",
    params(("id" = i64, Path)), request_body = ConfirmBody,
    responses((status = 200, body = EvidenceDetail), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn confirm_evidence(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    body: Option<Json<ConfirmBody>>,
) -> ApiResult<Json<EvidenceDetail>> {
    let comment = body.map(|Json(b)| b.comment).unwrap_or_default();
    service::confirm(&state, &actor, id, &comment).await?;
    Ok(Json(service::get(&state, &actor, id).await?.into()))
}

/// Withdraws the caller's own confirmation of an item.
#[utoipa::path(delete, path = "/evidence/{id}/confirmation", tag = "evidence",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem)))]
pub async fn unconfirm_evidence(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    service::unconfirm(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Declines a request to confirm an item: the colleague asked, while the request is open. They no
/// longer see the item afterwards.
#[utoipa::path(post, path = "/evidence/{id}/decline", tag = "evidence",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn decline_evidence(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    service::decline(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A colleague, by id or by email (one of the two).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ColleagueBody {
    pub user_id: Option<i64>,
    pub email: Option<String>,
}

impl ColleagueBody {
    fn colleague(self) -> Result<Colleague, AppError> {
        match (self.user_id, self.email) {
            (Some(id), None) => Ok(Colleague::Id(id)),
            (None, Some(email)) => Ok(Colleague::Email(email)),
            _ => Err(AppError::invalid_field(
                "colleague",
                "name the colleague by user_id or by email",
            )),
        }
    }
}

/// Asks a colleague to confirm an item (the person whose evidence it is). The colleague then sees
/// this one item and can confirm or decline.
#[utoipa::path(post, path = "/evidence/{id}/requests", tag = "evidence",
    params(("id" = i64, Path)), request_body = ColleagueBody,
    responses((status = 200, body = EvidenceDetail), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn ask_confirmation(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<ColleagueBody>,
) -> ApiResult<Json<EvidenceDetail>> {
    service::ask(&state, &actor, id, &body.colleague()?).await?;
    Ok(Json(service::get(&state, &actor, id).await?.into()))
}

/// Withdraws a request to confirm (the person whose evidence it is): the colleague no longer sees
/// the item.
#[utoipa::path(post, path = "/evidence/{id}/requests/withdraw", tag = "evidence",
    params(("id" = i64, Path)), request_body = ColleagueBody,
    responses((status = 200, body = EvidenceDetail), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn withdraw_request(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<ColleagueBody>,
) -> ApiResult<Json<EvidenceDetail>> {
    service::withdraw_request(&state, &actor, id, &body.colleague()?).await?;
    Ok(Json(service::get(&state, &actor, id).await?.into()))
}
