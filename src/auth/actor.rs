//! The [`Actor`]: the signed-in person (by session cookie) or API client (by bearer token) behind a
//! request. Handlers take an `Actor` argument to require one, or `Option<Actor>` where signing in is
//! optional.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use serde::Serialize;

use crate::error::AppError;
use crate::people::accounts;
use crate::state::AppState;

/// What a person may do across the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The People team: edits the framework, manages accounts.
    Admin,
    Employee,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Employee => "employee",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "employee" => Some(Role::Employee),
            _ => None,
        }
    }
}

/// What an API token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    /// The JSON API, as its person or as the organisation.
    Api,
    /// SCIM provisioning only, by an identity provider.
    Scim,
}

impl TokenScope {
    pub const ALL: [TokenScope; 2] = [TokenScope::Api, TokenScope::Scim];

    /// The name stored with the token and sent by forms and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenScope::Api => "api",
            TokenScope::Scim => "scim",
        }
    }

    pub fn parse(s: &str) -> Option<TokenScope> {
        TokenScope::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// How the actor proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Session,
    /// An API token with its scope.
    Token {
        scope: TokenScope,
    },
    /// The `trellis` command line, run by whoever operates the server.
    CommandLine,
    /// Trellis itself, doing what the calendar says is due (a survey opening); it has no rights
    /// beyond the steps the policy grants it by name.
    Schedule,
}

#[derive(Debug, Clone)]
pub struct Actor {
    /// The account, absent for an organisation-wide service token.
    pub user_id: Option<i64>,
    /// How the audit log names the actor: an email, or `token:NAME`.
    pub label: String,
    pub name: String,
    pub role: Role,
    pub via: Via,
}

impl Actor {
    /// Trellis itself, for the steps that are due on a day rather than asked for by someone.
    pub fn schedule() -> Actor {
        Actor {
            user_id: None,
            label: "schedule".into(),
            name: "Trellis, on schedule".into(),
            role: Role::Employee,
            via: Via::Schedule,
        }
    }

    /// Someone holding a link's or a session's secret, before the change that uses it finds out
    /// whose it is; events of that change name the owner instead (`Work::record_by`).
    pub fn holder_of_a_secret() -> Actor {
        Actor {
            user_id: None,
            label: "holder of a secret".into(),
            name: "Someone holding a link".into(),
            role: Role::Employee,
            via: Via::Session,
        }
    }

    /// The operator at the command line, who has every right.
    pub fn command_line() -> Actor {
        Actor {
            user_id: None,
            label: "command line".into(),
            name: "Command line".into(),
            role: Role::Admin,
            via: Via::CommandLine,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

pub const SESSION_COOKIE: &str = "trellis_session";

/// The session token in a `Cookie` header, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The actor found for this request, cached so several extractors look it up once.
#[derive(Clone)]
struct Resolved(Option<Actor>);

async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<Actor>, AppError> {
    if let Some(Resolved(found)) = parts.extensions.get::<Resolved>() {
        return Ok(found.clone());
    }
    let cache = state.actors();
    let found = if let Some(token) = bearer(parts) {
        let actor = match cache.get(token) {
            Some(hit) => Some(hit),
            None => accounts::actor_for_api_token(state.db(), token).await?,
        };
        let Some(actor) = actor else {
            // A wrong token is an error even where signing in is optional: the client meant to sign in.
            return Err(AppError::Unauthenticated);
        };
        cache.put(token, &actor);
        Some(actor)
    } else if let Some(token) = session_cookie(&parts.headers) {
        let actor = match cache.get(token) {
            Some(hit) => Some(hit),
            None => accounts::actor_for_session(state.db(), token).await?,
        };
        if let Some(actor) = &actor {
            cache.put(token, actor);
        }
        actor
    } else {
        None
    };
    parts.extensions.insert(Resolved(found.clone()));
    Ok(found)
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        resolve(parts, state)
            .await?
            .ok_or(AppError::Unauthenticated)
    }
}

impl OptionalFromRequestParts<AppState> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        resolve(parts, state).await
    }
}
