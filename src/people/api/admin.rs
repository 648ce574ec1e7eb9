//! `/api/v1/tokens` and `/api/v1/audit`: API tokens (create, list, revoke) and the audit log, for
//! admins.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi as _;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{ApiResult, Problem};
use crate::audit::{self, AuditFilter};
use crate::auth::{Actor, policy};
use crate::people::accounts;
use crate::state::AppState;

use super::wire::{self, ApiTokenInfo};

/// This module's operations, each routed with its OpenAPI entry, at paths relative to `/api/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Api::openapi())
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(list_audit))
}

/// The tags of this module's operations, described.
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "admin", description = "API tokens and the audit log (admins)")))]
struct Api;

/// Every API token, the newest first, revoked ones included. Never the secrets.
#[utoipa::path(get, path = "/tokens", tag = "admin",
    responses((status = 200, body = Vec<ApiTokenInfo>), (status = 403, body = Problem)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<Vec<ApiTokenInfo>>> {
    let tokens = accounts::list_api_tokens(state.db(), &actor).await?;
    Ok(Json(tokens.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct NewToken {
    /// What the token is for, e.g. "HR system sync".
    pub name: String,
    /// `api` (the JSON API) or `scim` (provisioning people).
    pub scope: String,
    /// True for a personal token, which acts as the person who creates it and nobody else (scope
    /// `api` only; anyone signed in may create one for themselves). False, the default, for an
    /// organisation token, which acts for no person with admin rights within its scope (admins
    /// only).
    #[serde(default)]
    pub personal: bool,
    /// The last day the token works, `YYYY-MM-DD` in UTC; it is refused from the next day on.
    /// Absent for a token that never expires.
    #[serde(default)]
    pub expires_on: Option<String>,
    /// No longer accepted: a token cannot be made to act as another person.
    #[serde(default)]
    #[schema(ignore)]
    pub user: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    pub name: String,
    pub scope: String,
    /// The token to send as `Authorization: Bearer …`. This is the only time it is shown: Trellis
    /// keeps only its hash.
    pub secret: String,
    /// When the token stops working, in seconds since the Unix epoch; absent when it never expires.
    pub expires_at: Option<i64>,
}

/// Creates a token: a personal one, which acts as its creator, or one for the organisation (admins
/// only). The answer holds its secret, which cannot be read again.
#[utoipa::path(post, path = "/tokens", tag = "admin", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    actor: Actor,
    Json(body): Json<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    if body.user.is_some() {
        // Judged only for those who may create a token at all.
        policy::create_personal_token(&actor).or_else(|_| policy::manage_api_tokens(&actor))?;
        return Err(crate::error::AppError::invalid_field(
            "user",
            "a token acts for the person who creates it or for the organisation, never as \
             someone else: leave out user, and set personal to true for a token of your own",
        ));
    }
    let owner = if body.personal {
        accounts::TokenOwner::Creator
    } else {
        accounts::TokenOwner::Organisation
    };
    let expires_at = accounts::token_expiry(body.expires_on.as_deref())?;
    let new = accounts::issue_expiring_api_token(
        state.db(),
        &actor,
        &body.name,
        &body.scope,
        owner,
        expires_at,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id: new.id,
            name: body.name.trim().to_owned(),
            scope: body.scope,
            secret: new.secret,
            expires_at,
        }),
    ))
}

/// Revokes a token: it stops working at once. Admins revoke any token, a person their own
/// personal tokens. Revoking a revoked token changes nothing and
/// answers the same.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "admin",
    params(("id" = i64, Path, description = "The token's id")),
    responses((status = 204, description = "The token is revoked"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let revoked = accounts::revoke_api_token(state.db(), &actor, id).await?;
    state.actors().forget_digest(&revoked.token_hash);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Events by actors whose email or token name contains this, ignoring case.
    pub actor: Option<String>,
    /// Events whose action starts with this: `framework.`, `user.`, `token.`, or a whole action;
    /// several, separated by commas, match any of them.
    pub action: Option<String>,
    /// True to leave out sign-ins.
    pub hide_sign_ins: Option<bool>,
    /// Events whose object contains this, e.g. `user:12` or `version:3`.
    pub object: Option<String>,
    /// The first day, `YYYY-MM-DD`, in UTC.
    pub from: Option<String>,
    /// The last day, `YYYY-MM-DD`, in UTC; included.
    pub to: Option<String>,
    /// Events older than this id: the `older` cursor of a page.
    pub before: Option<i64>,
    /// Events newer than this id: the `newer` cursor of a page.
    pub after: Option<i64>,
    /// Events per page, 50 unless given, 500 at most.
    pub per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    /// The newest event first.
    pub items: Vec<wire::AuditEvent>,
    /// Pass as `after` for the next newer page; absent on the newest page.
    pub newer: Option<i64>,
    /// Pass as `before` for the next older page; absent on the oldest page.
    pub older: Option<i64>,
}

/// The audit log, filtered, a page at a time.
#[utoipa::path(get, path = "/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn list_audit(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let filter = AuditFilter {
        actor: q.actor,
        action: q.action,
        object: q.object,
        from: q.from,
        to: q.to,
        before: q.before,
        after: q.after,
        per_page: q.per_page,
        hide_sign_ins: q.hide_sign_ins.unwrap_or(false),
    };
    let page = audit::search(state.db(), &actor, &filter).await?;
    Ok(Json(AuditPage {
        items: page.items.into_iter().map(Into::into).collect(),
        newer: page.newer,
        older: page.older,
    }))
}
