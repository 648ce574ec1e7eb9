//! One error type for the whole application. Services return [`AppError`]; the web layer renders it as
//! an HTML page ([`crate::web::PageError`]) and the API as an RFC 9457 problem document
//! ([`crate::api::ApiError`]). Client mistakes are 4xx with a message meant for the user; anything
//! else is logged and shown as a 500 without details.

use axum::http::StatusCode;
use serde::Serialize;

/// A message tied to one field of a form or request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The form field or JSON path the message is about; empty for the whole request.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A problem in an uploaded file, at a line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FileError {
    /// The file, when the upload had several (or its name matters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("You need to sign in.")]
    Unauthenticated,
    #[error("You are not allowed to do this.")]
    Forbidden,
    #[error("{}", not_found_sentence(.0))]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// The request was understood but breaks the rules: each message says which field and why.
    #[error("{title}")]
    Invalid {
        title: String,
        errors: Vec<FieldError>,
    },
    /// An uploaded file has mistakes; nothing was changed.
    #[error("The file has {}; nothing was changed.", crate::text::count(errors.len(), "problem", "problems"))]
    InvalidFile { errors: Vec<FileError> },
    /// Someone else changed the same thing first.
    #[error("{0}")]
    Conflict(String),
    #[error("Too many attempts: wait a minute, then try again.")]
    TooManyRequests,
    /// The Grow features are released to the pilot teams only, and the person is not in one.
    #[error(
        "Career growth features are not open to your team yet: the People team is piloting them with a few teams first."
    )]
    NotReleased,
    /// A database failure that is not the client's doing. Constraint violations never land here:
    /// `From<sqlx::Error>` turns them into [`AppError::Conflict`].
    #[error(transparent)]
    Database(sqlx::Error),
    #[error("{0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

/// "This survey was not found." from "this survey"; a full sentence (ending with a full stop) is
/// kept as it is, for what does not read as one thing ("No check-ins were found for this person.").
fn not_found_sentence(what: &str) -> String {
    if what.ends_with('.') {
        crate::text::sentence(what)
    } else {
        crate::text::sentence(&format!("{what} was not found"))
    }
}

/// Field messages as sentences, whichever way they were written.
fn sentences(errors: &[FieldError]) -> Vec<FieldError> {
    errors
        .iter()
        .map(|e| FieldError {
            field: e.field.clone(),
            message: crate::text::sentence(&e.message),
        })
        .collect()
}

impl AppError {
    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::NotFound(what.into())
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest(message.into())
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Invalid {
            title: message.clone(),
            errors: vec![FieldError {
                field: field.to_owned(),
                message,
            }],
        }
    }

    /// A refused request with every field's message, titled by the first one (or `otherwise` when
    /// there is none).
    pub fn invalid_fields(errors: Vec<FieldError>, otherwise: &str) -> Self {
        AppError::Invalid {
            title: errors
                .first()
                .map_or_else(|| otherwise.to_owned(), |e| e.message.clone()),
            errors,
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        AppError::Internal(message.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::NotReleased => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid { .. } | AppError::InvalidFile { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The text safe to show to the client: internal details stay in the log.
    pub fn public_message(&self) -> String {
        if self.status().is_server_error() {
            "Something went wrong on our side. The error was recorded; try again in a moment."
                .to_owned()
        } else {
            crate::text::sentence(&self.to_string())
        }
    }

    /// Logs server errors once, where they are turned into a response.
    pub fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
    }

    /// Field messages as a map-like list, for re-rendering a form next to its inputs.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            AppError::Invalid { errors, .. } => sentences(errors),
            other => vec![FieldError {
                field: String::new(),
                message: other.public_message(),
            }],
        }
    }
}

/// Every database error passes through here (`?` on a sqlx result), so that a constraint the
/// database enforces answers the same on every service: a request that clashes with data saved at
/// the same moment (two requests creating the same person, a team removed while someone joins it)
/// is a 409 that says what clashed, never a 500.
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) => match constraint_clash(db.as_ref()) {
                Some(message) => {
                    tracing::info!(error = %db, "a write clashed with a database constraint");
                    AppError::Conflict(message)
                }
                None => AppError::Database(e),
            },
            _ => AppError::Database(e),
        }
    }
}

/// What a violated unique, foreign key or check constraint means to the person who sent the
/// request; `None` for any other database error.
fn constraint_clash(db: &dyn sqlx::error::DatabaseError) -> Option<String> {
    use sqlx::error::ErrorKind;
    // PostgreSQL names the constraint (`users_email_key`); SQLite names the columns in its message
    // (`UNIQUE constraint failed: users.email`).
    let names = format!("{} {}", db.constraint().unwrap_or_default(), db.message()).to_lowercase();
    match db.kind() {
        ErrorKind::UniqueViolation => Some(format!(
            "{} is in use already: something with the same value was saved at the same moment or before. Reload the page to see it.",
            crate::text::sentence_case(clashing_value(&names))
        )),
        ErrorKind::ForeignKeyViolation => Some(
            "Something this refers to was removed or changed at the same moment. Reload the page and try again."
                .to_owned(),
        ),
        ErrorKind::CheckViolation => Some(
            "A value breaks a rule of the saved data (it may have changed at the same moment). Reload the page and try again."
                .to_owned(),
        ),
        _ => None,
    }
}

/// The value a unique constraint is about, in words, from its name or message.
fn clashing_value(names: &str) -> &'static str {
    const VALUES: [(&str, &str); 8] = [
        ("external_id", "this external id"),
        ("scim_user_name", "this user name"),
        ("employee_id", "this employee id"),
        ("email", "this email"),
        ("token_hash", "this secret"),
        ("key", "this key"),
        ("name", "this name"),
        ("id", "this record"),
    ];
    VALUES
        .iter()
        .find(|(column, _)| names.contains(column))
        .map_or("this value", |(_, words)| words)
}

impl From<trellis_framework::edit::EditError> for AppError {
    fn from(e: trellis_framework::edit::EditError) -> Self {
        AppError::Invalid {
            title: e.message.clone(),
            errors: vec![FieldError {
                field: e.field.unwrap_or_default().to_owned(),
                message: e.message,
            }],
        }
    }
}

/// What an error response carries until the router it came from renders it: the web pages as HTML,
/// the API as a problem document. Handlers and extractors just return [`AppError`].
#[derive(Debug, Clone)]
pub struct ErrorBody {
    pub status: StatusCode,
    pub message: String,
    pub errors: Vec<FieldError>,
    pub file_errors: Vec<FileError>,
}

impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        self.log();
        let (errors, file_errors) = match &self {
            AppError::Invalid { errors, .. } => (sentences(errors), Vec::new()),
            AppError::InvalidFile { errors } => (Vec::new(), errors.clone()),
            _ => (Vec::new(), Vec::new()),
        };
        let body = ErrorBody {
            status: self.status(),
            message: self.public_message(),
            errors,
            file_errors,
        };
        let mut res = (body.status, body.message.clone()).into_response();
        res.extensions_mut().insert(body);
        res
    }
}

/// Reads what an error response says, whether it came from [`AppError`] or from a framework
/// rejection (a malformed form or JSON body), so both are rendered alike.
pub async fn error_body(res: axum::response::Response) -> ErrorBody {
    if let Some(body) = res.extensions().get::<ErrorBody>() {
        return body.clone();
    }
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).trim().to_owned();
    ErrorBody {
        status,
        message: if text.is_empty() || status.is_server_error() {
            format!("{}.", status.canonical_reason().unwrap_or("Error"))
        } else {
            crate::text::sentence(&text)
        },
        errors: Vec::new(),
        file_errors: Vec::new(),
    }
}
