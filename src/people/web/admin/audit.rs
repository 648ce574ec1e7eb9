//! `/admin/audit`: the audit log, filtered by a GET form, a page at a time, with its CSV download.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;

use crate::audit::{self, AuditEvent, AuditFilter};
use crate::auth::Actor;
use crate::error::{AppError, FieldError};
use crate::state::AppState;
use crate::web::routes::{Routes, get};
use crate::web::{Layout, PageResult, render, render_with, urlencode};

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/audit", get(audit_page))
        .route("/admin/audit.csv", get(audit_csv))
}

/// The kinds of change the filter offers, as (action prefixes separated by commas, label).
const KINDS: &[(&str, &str)] = &[
    ("framework.", "Framework: edits, imports, publishing"),
    (
        "user.,person.,people.,account.,password.",
        "People and accounts",
    ),
    ("team.", "Teams"),
    ("position.", "Positions"),
    ("checkin.,readiness.", "Check-ins and readiness"),
    ("evidence.", "Evidence"),
    ("plan.", "Development plans"),
    ("one_on_one.", "1:1s"),
    ("nomination.", "Nominations"),
    ("survey.", "Surveys"),
    ("token.", "API tokens"),
    ("session.", "Sign-ins"),
    ("rollout.", "Rollout: self-checks, roadmap, pilot"),
    (
        "provisioning.",
        "Provisioning: failed requests from the identity provider",
    ),
];

/// The kind of an action in words, for the table.
fn kind_label(action: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(prefixes, _)| prefixes.split(',').any(|p| action.starts_with(p)))
        .map_or("Other", |(_, label)| {
            label.split(':').next().unwrap_or(label)
        })
}

/// The filter as the form and the links carry it: every field a string, empty when unused.
#[derive(Debug, Default, Deserialize)]
struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    object: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// `1` to leave out sign-ins.
    #[serde(default)]
    hide_sign_ins: String,
    before: Option<i64>,
    after: Option<i64>,
}

fn some(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

impl AuditQuery {
    /// The filter for the services.
    fn filter(&self) -> AuditFilter {
        AuditFilter {
            actor: some(&self.actor),
            action: some(&self.action),
            object: some(&self.object),
            from: some(&self.from),
            to: some(&self.to),
            before: self.before,
            after: self.after,
            per_page: None,
            hide_sign_ins: self.hides_sign_ins(),
        }
    }

    fn hides_sign_ins(&self) -> bool {
        !self.hide_sign_ins.trim().is_empty()
    }

    /// The filters (not the page) as a query string, each value encoded.
    fn filters_query(&self) -> String {
        [
            ("actor", &self.actor),
            ("action", &self.action),
            ("object", &self.object),
            ("from", &self.from),
            ("to", &self.to),
            ("hide_sign_ins", &self.hide_sign_ins),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v.trim()).replace('/', "%2F")))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// An event as the table shows it.
struct EventRow {
    at: String,
    actor: String,
    action: String,
    /// The kind of change in words.
    kind: &'static str,
    object: String,
    summary: String,
    /// The detail as indented JSON.
    detail: Option<String>,
}

impl From<AuditEvent> for EventRow {
    fn from(e: AuditEvent) -> EventRow {
        EventRow {
            at: format_seconds(e.at),
            actor: e.actor,
            kind: kind_label(&e.action),
            action: e.action,
            object: e.object,
            summary: e.summary,
            detail: e.detail.and_then(|d| serde_json::to_string_pretty(&d).ok()),
        }
    }
}

/// A time in UTC to the second, as the log shows it.
fn format_seconds(at: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    query: AuditQuery,
    /// (value, label, selected) for the kind-of-change select.
    kinds: Vec<(String, String, bool)>,
    events: Vec<EventRow>,
    errors: Vec<FieldError>,
    newer: Option<String>,
    older: Option<String>,
    csv: String,
    /// Whether this is a later page than the first, for the "newest" link.
    paged: bool,
}

impl AuditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

fn kinds(selected: &str) -> Vec<(String, String, bool)> {
    let selected = selected.trim();
    let mut kinds: Vec<(String, String, bool)> = KINDS
        .iter()
        .map(|(value, label)| ((*value).into(), (*label).into(), *value == selected))
        .collect();
    // A prefix typed into the address keeps its place in the form.
    if !selected.is_empty() && !KINDS.iter().any(|(v, _)| *v == selected) {
        kinds.push((selected.into(), selected.into(), true));
    }
    kinds
}

/// Joins a base path, the filters and a page cursor into a link.
fn link(path: &str, filters: &str, cursor: Option<(&str, i64)>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !filters.is_empty() {
        parts.push(filters.to_owned());
    }
    if let Some((name, id)) = cursor {
        parts.push(format!("{name}={id}"));
    }
    if parts.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

async fn audit_page(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<AuditQuery>,
) -> PageResult {
    let filters = query.filters_query();
    let mut page = AuditPage {
        layout: Layout::new("Audit log", "admin", Some(&actor)),
        kinds: kinds(&query.action),
        events: Vec::new(),
        errors: Vec::new(),
        newer: None,
        older: None,
        csv: link("/admin/audit.csv", &filters, None),
        paged: query.before.is_some() || query.after.is_some(),
        query,
    };
    let filter = page.query.filter();
    match audit::search(state.db(), &actor, &filter).await {
        Ok(found) => {
            page.newer = found
                .newer
                .map(|id| link("/admin/audit", &filters, Some(("after", id))));
            page.older = found
                .older
                .map(|id| link("/admin/audit", &filters, Some(("before", id))));
            page.events = found.items.into_iter().map(EventRow::from).collect();
            render(&page)
        }
        Err(e @ AppError::Invalid { .. }) => {
            page.errors = e.field_errors();
            render_with(e.status(), &page)
        }
        Err(e) => Err(e),
    }
}

async fn audit_csv(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<AuditQuery>,
) -> PageResult {
    let filter = query.filter();
    let csv = audit::export_csv(state.db(), &actor, &filter).await?;
    let name = format!(
        "audit-log-{}.csv",
        format_seconds(crate::db::now())
            .get(..10)
            .unwrap_or("export")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        csv,
    )
        .into_response())
}
