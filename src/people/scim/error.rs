//! SCIM error responses (RFC 7644 §3.12): every error under `/scim/v2`, whether a handler, an
//! extractor, the authentication or the router produced it, leaves as a SCIM error body with the
//! `application/scim+json` content type.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::{AppError, error_body};

pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const CONTENT_TYPE: &str = "application/scim+json";

/// An error as SCIM states it: a status, the `scimType` keyword when one fits, and a detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    pub status: StatusCode,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

pub type ScimResult<T> = Result<T, ScimError>;

impl ScimError {
    pub fn new(
        status: StatusCode,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> Self {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidFilter"), detail)
    }

    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidSyntax"), detail)
    }

    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidValue"), detail)
    }

    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidPath"), detail)
    }

    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("noTarget"), detail)
    }

    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("mutability"), detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, None, detail)
    }

    pub fn body(&self) -> serde_json::Value {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let (Some(t), Some(obj)) = (self.scim_type, body.as_object_mut()) {
            obj.insert("scimType".into(), json!(t));
        }
        body
    }

    /// The SCIM reading of an error the rest of the application speaks.
    fn from_status(status: StatusCode, message: String) -> Self {
        match status {
            StatusCode::UNPROCESSABLE_ENTITY => Self::invalid_value(message),
            StatusCode::CONFLICT => Self::new(status, Some("uniqueness"), message),
            StatusCode::BAD_REQUEST => Self::invalid_syntax(message),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                Self::invalid_syntax(format!("{message}; send the body as application/scim+json"))
            }
            StatusCode::PAYLOAD_TOO_LARGE => Self::new(status, Some("tooMany"), message),
            s => Self::new(s, None, message),
        }
    }
}

impl From<AppError> for ScimError {
    fn from(e: AppError) -> Self {
        e.log();
        ScimError::from_status(e.status(), e.public_message())
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut res = (self.status, self.body().to_string()).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"SCIM\""),
            );
        }
        res
    }
}

/// The middleware: turns every other error response under `/scim/v2` into a SCIM error.
pub async fn render(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error())
        || res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(CONTENT_TYPE.as_bytes()))
    {
        return res;
    }
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let allow = res.headers().get(header::ALLOW).cloned();
    let body = error_body(res).await;
    let message = if status == StatusCode::METHOD_NOT_ALLOWED {
        "this endpoint does not take this method".to_owned()
    } else {
        body.message
    };
    let mut res = ScimError::from_status(status, message).into_response();
    if let Some(v) = retry_after {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    if let Some(v) = allow {
        res.headers_mut().insert(header::ALLOW, v);
    }
    res
}
