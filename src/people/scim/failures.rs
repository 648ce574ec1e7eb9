//! Failed provisioning: every SCIM write that an identity provider sent and Trellis refused (a
//! person who does not pass the directory's checks, a user name already taken, a manager or a
//! resource that does not exist, or an error of ours) is recorded in the audit log, so that the
//! People team sees on their home that people are not arriving as they should. Reads are not
//! recorded, nor requests without a valid SCIM token (they are nobody's provisioning).

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::error::ScimError;
use crate::auth::{Actor, policy};
use crate::people::provisioning::{self, FailedRequest};
use crate::state::AppState;

/// The middleware: lets the request through, and records it when it was a write that failed.
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    if !is_write(&method, req.uri().path()) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(sent) = axum::body::to_bytes(body, crate::MAX_BODY_BYTES).await else {
        return ScimError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            Some("tooMany"),
            "the request body is too large or could not be read",
        )
        .into_response();
    };
    let path = parts.uri.path().to_owned();
    let mut for_actor = axum::http::Request::new(());
    *for_actor.headers_mut() = parts.headers.clone();
    let res = next
        .run(Request::from_parts(parts, Body::from(sent.clone())))
        .await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error())
        || status == StatusCode::UNAUTHORIZED
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        return res;
    }
    let (mut actor_parts, ()) = for_actor.into_parts();
    let actor = <Actor as axum::extract::OptionalFromRequestParts<AppState>>::from_request_parts(
        &mut actor_parts,
        &state,
    )
    .await;
    let Ok(Some(actor)) = actor else {
        return res;
    };
    if policy::provision(&actor).is_err() {
        return res;
    }
    let (res_parts, res_body) = res.into_parts();
    let answer = axum::body::to_bytes(res_body, 64 * 1024)
        .await
        .unwrap_or_default();
    let error: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
    let reason = error
        .get("detail")
        .and_then(Value::as_str)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("an error"));
    let failed = FailedRequest {
        method: method.as_str().to_owned(),
        path,
        status: status.as_u16(),
        scim_type: error
            .get("scimType")
            .and_then(Value::as_str)
            .map(str::to_owned),
        reason: without_secrets(reason, &sent),
    };
    if let Err(e) = provisioning::record_failure(state.db(), &actor, &failed).await {
        e.log();
    }
    Response::from_parts(res_parts, Body::from(answer))
}

/// A request that changes people or teams; searches are POSTed but only read.
fn is_write(method: &Method, path: &str) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) && !path.ends_with("/.search")
        && (path.contains("/Users") || path.contains("/Groups"))
}

/// The reason with every password the body carried taken out: a SCIM User may hold one, and a
/// PATCH may set one, and no error message should carry it into the log.
fn without_secrets(reason: &str, body: &Bytes) -> String {
    let mut secrets = Vec::new();
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        collect_secrets(&value, false, &mut secrets);
    }
    secrets.sort_by_key(|s: &String| std::cmp::Reverse(s.len()));
    let mut out = reason.to_owned();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s.as_str(), "(hidden)");
    }
    out
}

/// The strings under a `password` key anywhere, and the values of PATCH operations whose path
/// names a password.
fn collect_secrets(value: &Value, secret: bool, out: &mut Vec<String>) {
    match value {
        Value::String(s) if secret => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_secrets(v, secret, out)),
        Value::Object(map) => {
            let names_password = map.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("path") && v.as_str().is_some_and(is_password)
            });
            for (k, v) in map {
                let hidden =
                    secret || is_password(k) || (names_password && k.eq_ignore_ascii_case("value"));
                collect_secrets(v, hidden, out);
            }
        }
        _ => {}
    }
}

fn is_password(name: &str) -> bool {
    name.to_ascii_lowercase().contains("password")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_sent_never_reach_the_reason() {
        let body = Bytes::from(
            r#"{"userName":"a@b.test","password":"hunter22","Operations":[{"op":"replace","path":"password","value":"s3cret!"}]}"#,
        );
        let reason = without_secrets("hunter22 and s3cret! are not allowed for a@b.test", &body);
        assert_eq!(reason, "(hidden) and (hidden) are not allowed for a@b.test");
    }

    #[test]
    fn only_writes_of_users_and_groups_are_watched() {
        assert!(is_write(&Method::POST, "/scim/v2/Users"));
        assert!(is_write(&Method::DELETE, "/scim/v2/Groups/3"));
        assert!(!is_write(&Method::POST, "/scim/v2/Users/.search"));
        assert!(!is_write(&Method::GET, "/scim/v2/Users/3"));
    }
}
