//! `/api/v1/people`: the directory, a person's record, and the People team's writes (add, change,
//! record a position). The same services and visibility rules as the pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi as _;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{ApiResult, Problem};
use crate::auth::Actor;
use crate::domain::Status;
use crate::error::AppError;
use crate::people::directory::{self as service, PeopleFilter, PersonInput, PositionInput};
use crate::state::AppState;

use super::wire::{HistoryEntry, PeoplePage, PersonRecord, Skipped};

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi())
        .routes(routes!(list_people, create_person))
        .routes(routes!(get_person, update_person))
        .routes(routes!(list_positions, record_position))
        .routes(routes!(invite_people))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "people", description = "The directory, positions and their history")))]
struct Api;

#[derive(Deserialize, IntoParams)]
pub struct PeopleQuery {
    /// Part of a name or email.
    pub q: Option<String>,
    pub team: Option<String>,
    /// A manager's id: their direct reports, or with `chain=true` everyone below them.
    pub manager: Option<i64>,
    #[serde(default)]
    pub chain: bool,
    /// A track key (admins, or a manager's own chain).
    pub track: Option<String>,
    /// A level key (admins, or a manager's own chain).
    pub level: Option<String>,
    /// `active` or `left`.
    pub status: Option<String>,
    /// From 1; 50 people a page.
    pub page: Option<i64>,
}

/// The directory, filtered and paginated.
#[utoipa::path(get, path = "/people", tag = "people", params(PeopleQuery),
    responses((status = 200, body = PeoplePage), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn list_people(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<PeopleQuery>,
) -> ApiResult<Json<PeoplePage>> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            AppError::invalid_field(
                "status",
                format!("“{s}” is not a status: use active or left"),
            )
        })?),
    };
    let filter = PeopleFilter {
        search: q.q,
        team: q.team,
        manager: q.manager,
        whole_chain: q.chain,
        track: q.track,
        level: q.level,
        status,
        missing: None,
        page: q.page.unwrap_or(1),
    };
    Ok(Json(service::list(&state, &actor, &filter).await?.into()))
}

/// A person's record; `private` (position and history) only for them, their management chain and
/// admins.
#[utoipa::path(get, path = "/people/{id}", tag = "people",
    params(("id" = i64, Path)),
    responses((status = 200, body = PersonRecord), (status = 404, body = Problem)))]
pub async fn get_person(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<PersonRecord>> {
    Ok(Json(service::person(&state, &actor, id).await?.into()))
}

/// A person's details, as sent to add or change them.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PersonBody {
    pub email: String,
    pub name: String,
    pub employee_id: String,
    pub team: String,
    /// Empty for no manager.
    pub manager_email: String,
    /// YYYY-MM-DD
    pub start_date: String,
    /// `active` (the default) or `left`.
    pub status: String,
    /// YYYY-MM-DD
    pub left_on: String,
}

impl From<PersonBody> for PersonInput {
    fn from(b: PersonBody) -> PersonInput {
        PersonInput {
            email: b.email,
            name: b.name,
            employee_id: b.employee_id,
            team: b.team,
            manager_email: b.manager_email,
            start_date: b.start_date,
            status: b.status,
            left_on: b.left_on,
        }
    }
}

/// Adds a person (admins). An email already in the directory is refused.
#[utoipa::path(post, path = "/people", tag = "people", request_body = PersonBody,
    responses((status = 201, body = PersonRecord), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_person(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<PersonBody>,
) -> ApiResult<(StatusCode, Json<PersonRecord>)> {
    let id = service::create_person(state.db(), &actor, &body.into()).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::person(&state, &actor, id).await?.into()),
    ))
}

/// Replaces a person's details (admins). The email identifies the person and cannot change here.
#[utoipa::path(put, path = "/people/{id}", tag = "people", params(("id" = i64, Path)),
    request_body = PersonBody,
    responses((status = 200, body = PersonRecord), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn update_person(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<PersonBody>,
) -> ApiResult<Json<PersonRecord>> {
    crate::auth::policy::manage_people(&actor)?;
    let current = service::person(&state, &actor, id).await?;
    if !body.email.is_empty() && !body.email.trim().eq_ignore_ascii_case(&current.email) {
        return Err(AppError::invalid_field(
            "email",
            "the email identifies the person and cannot be changed here",
        ));
    }
    let mut input: PersonInput = body.into();
    input.email = current.email;
    service::save_person(state.db(), &actor, &input).await?;
    // Someone marked as left loses their sessions' and tokens' access here at once.
    state.actors().forget_user(id);
    Ok(Json(service::person(&state, &actor, id).await?.into()))
}

/// A person's position history, newest first; 404 for those who may not see it.
#[utoipa::path(get, path = "/people/{id}/positions", tag = "people",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = Problem)))]
pub async fn list_positions(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    Ok(Json(history(service::positions(&state, &actor, id).await?)))
}

/// A position history as the API answers with it.
fn history(entries: Vec<service::HistoryEntry>) -> Vec<HistoryEntry> {
    entries.into_iter().map(Into::into).collect()
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PositionBody {
    /// Track key or name.
    pub track: String,
    /// Level key or title.
    pub level: String,
    /// YYYY-MM-DD; today when empty.
    pub effective_on: String,
    /// `hire`, `promotion`, `lateral_move` or `correction`; worked out when empty.
    pub kind: String,
    pub note: String,
}

/// Records a position (admins).
#[utoipa::path(post, path = "/people/{id}/positions", tag = "people",
    params(("id" = i64, Path)), request_body = PositionBody,
    responses((status = 201, body = Vec<HistoryEntry>), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn record_position(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Json(body): Json<PositionBody>,
) -> ApiResult<(StatusCode, Json<Vec<HistoryEntry>>)> {
    let input = PositionInput {
        track: body.track,
        level: body.level,
        effective_on: body.effective_on,
        kind: body.kind,
        note: body.note,
    };
    service::record_position(&state, &actor, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(history(service::positions(&state, &actor, id).await?)),
    ))
}

/// Whom to invite to sign in.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationsBody {
    /// The people to invite, by id: at least one, at most 100.
    pub people: Vec<i64>,
}

/// Someone invited, with their link: shown only in this answer, to pass on when it was not emailed.
#[derive(Serialize, ToSchema)]
pub struct Invitation {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// The invitation link; it works once, until expires_at.
    pub link: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// Whether Trellis emailed the link (only when an SMTP server is configured).
    pub emailed: bool,
    /// Why the email could not be sent, when it was tried and failed.
    pub email_error: Option<String>,
}

/// What inviting many people did.
#[derive(Serialize, ToSchema)]
pub struct InvitationsResult {
    /// By name.
    pub invited: Vec<Invitation>,
    /// By name, each with the reason.
    pub skipped: Vec<Skipped>,
    /// The same, in a sentence.
    pub message: String,
}

/// Invites many people to sign in at once (admins), in one transaction: an invitation link for
/// each, emailed when an SMTP server is configured. People who sign in already, have left or have
/// no email address are skipped with the reason. An id nobody has, an empty list or more than 100
/// people are refused (422) and nobody is invited.
#[utoipa::path(post, path = "/people/invitations", tag = "people",
    request_body = InvitationsBody,
    responses((status = 200, body = InvitationsResult), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn invite_people(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<InvitationsBody>,
) -> ApiResult<Json<InvitationsResult>> {
    use crate::people::invitations::{self, Selection};
    let outcome = invitations::invite(state.db(), &actor, &Selection::People(body.people)).await?;
    let base_url = &state.config().base_url;
    let mut invited = Vec::with_capacity(outcome.invited.len());
    for link in &outcome.invited {
        let sent = match state.mailer() {
            Some(mailer) => Some(crate::mail::send_issued(mailer, base_url, link, &actor).await),
            None => None,
        };
        invited.push(Invitation {
            id: link.user_id,
            name: link.name.clone(),
            email: link.email.clone(),
            link: crate::mail::link_url(base_url, &link.secret),
            expires_at: link.expires_at,
            emailed: matches!(sent, Some(Ok(_))),
            email_error: sent.and_then(Result::err),
        });
    }
    let delivery = if state.mailer().is_none() {
        "Pass each link on: Trellis sends no email here."
    } else if invited.iter().all(|i| i.emailed) {
        "Their invitation links were emailed."
    } else {
        "Some emails could not be sent: pass those links on."
    };
    Ok(Json(InvitationsResult {
        message: invitations::summary(&outcome, delivery),
        invited,
        skipped: outcome.skipped.into_iter().map(Into::into).collect(),
    }))
}
