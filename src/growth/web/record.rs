//! A person's growth record in the browser: a printable page (`/people/{id}/growth-record`) and
//! the same document as a JSON download (`/people/{id}/growth-record.json`). What it holds, and who
//! may read it, is decided by `growth::record`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;

use crate::auth::Actor;
use crate::domain::RatingEntry;
use crate::growth::record::{self as service, GrowthRecord};
use crate::markdown::Markdown;
use crate::state::AppState;
use crate::web::routes::{Routes, get};
use crate::web::{Layout, PageResult, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/people/{id}/growth-record", get(page))
        .route("/people/{id}/growth-record.json", get(download))
}

/// The words of a side's rating in the record, or a dash.
pub fn entry_words(entry: &Option<RatingEntry>) -> &'static str {
    entry.as_ref().map_or("—", |e| e.rating.label())
}

#[derive(Template)]
#[template(path = "growth_record/record.html")]
struct RecordPage<'a> {
    layout: Layout,
    record: GrowthRecord,
    /// Renders (and sanitises) the markdown people wrote.
    md: &'a Markdown,
    own: bool,
}

async fn page(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    let record = service::export(&state, &actor, id).await?;
    let own = actor.user_id == Some(id);
    render(&RecordPage {
        layout: Layout::new(
            format!("Growth record of {}", record.person.name),
            if own { "home" } else { "people" },
            Some(&actor),
        ),
        md: state.markdown(),
        own,
        record,
    })
}

/// The file name of a download: the person's name in letters and digits, and the day.
fn file_name(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!(
        "growth-record-{}-{}.json",
        if slug.is_empty() { "person" } else { &slug },
        crate::domain::Day::today()
    )
}

async fn download(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    let record = service::export(&state, &actor, id).await?;
    let body = serde_json::to_string_pretty(&record).map_err(|e| {
        crate::error::AppError::internal(format!("the record did not serialise: {e}"))
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    file_name(&record.person.name)
                ),
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_is_named_after_the_person_in_safe_letters() {
        let name = file_name("Ola \"O'Brien\" / Nordmann");
        assert!(
            name.starts_with("growth-record-ola-o-brien-nordmann-"),
            "{name}"
        );
        assert!(name.ends_with(".json"));
        assert!(file_name("柳").starts_with("growth-record-person-"));
    }
}
