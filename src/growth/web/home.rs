//! The home page (`/home`): where someone stands, what the next level asks, and, with the Grow
//! features, a picture of their latest check-in and what waits for them. Everything shown comes
//! from `growth::home`; this module renders markdown and draws the chart.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;

use crate::auth::Actor;
use crate::domain::Rating;
use crate::growth::home::{self as service, Home, LatestCheckin, ProfileRow};
use crate::markdown::Markdown;
use crate::state::AppState;
use crate::web::charts::{self, ChartSpec, Scale, Series, Svg};
use crate::web::routes::{Routes, get};
use crate::web::{Layout, PageResult, render};

pub fn routes() -> Routes {
    Routes::new().route("/home", get(home))
}

/// The rating scale as a chart draws it: 1 (below) to 4 (exceeds), from a centre at 0.
pub fn rating_scale() -> Scale {
    Scale::named(
        0.0,
        4.0,
        &[
            (1.0, Rating::Below.label()),
            (2.0, Rating::WorkingTowards.label()),
            (3.0, Rating::Meets.label()),
            (4.0, Rating::Exceeds.label()),
        ],
    )
}

fn score(r: Option<Rating>) -> Option<f64> {
    r.and_then(Rating::score).map(f64::from)
}

/// The words for a rating, or a dash when there is none.
pub fn rating_words(r: &Option<Rating>) -> &'static str {
    r.map_or("—", Rating::label)
}

/// Whether a competency of the check-in does not apply: agreed so, or, before an agreement, said
/// so by every side that rated it.
fn not_applicable(r: &ProfileRow) -> bool {
    match r.agreed {
        Some(agreed) => agreed == Rating::NotApplicable,
        None => {
            let sides = [r.self_rating, r.manager_rating];
            sides.contains(&Some(Rating::NotApplicable))
                && sides
                    .iter()
                    .all(|s| matches!(s, None | Some(Rating::NotApplicable)))
        }
    }
}

/// The latest check-in as a picture: a radar of self and manager ratings, bars below three
/// competencies. A competency that does not apply keeps its axis, marked as such.
fn checkin_chart(c: &LatestCheckin) -> Svg {
    let labels: Vec<String> = c.rows.iter().map(|r| r.name.clone()).collect();
    let series = [
        Series::new(
            "Self",
            c.rows.iter().map(|r| score(r.self_rating)).collect(),
        ),
        Series::new(
            "Manager",
            c.rows.iter().map(|r| score(r.manager_rating)).collect(),
        ),
    ];
    let not_applicable: Vec<bool> = c.rows.iter().map(not_applicable).collect();
    let scale = rating_scale();
    let title = format!("Ratings of your check-in against {}", c.target.level_title);
    let mut description = "Your own rating and your manager's, per competency, from below expectations (1) to exceeds (4).".to_owned();
    let skipped: Vec<&str> = c
        .rows
        .iter()
        .zip(&not_applicable)
        .filter(|(_, na)| **na)
        .map(|(r, _)| r.name.as_str())
        .collect();
    if !skipped.is_empty() {
        description.push_str(&format!(
            " Not applicable, so not rated: {}.",
            skipped.join(", ")
        ));
    }
    description.push_str(" The table below gives the same ratings in words.");
    charts::profile(
        &ChartSpec {
            id: "latest-checkin",
            title: &title,
            description: &description,
            labels: &labels,
            series: &series,
            scale: &scale,
        },
        &not_applicable,
    )
}

/// One competency of the level, its bullets rendered.
pub struct ExpectationView {
    pub name: String,
    pub bullets: Vec<Arc<str>>,
    pub not_applicable: bool,
}

/// One competency that changes at the next level, its bullets rendered.
pub struct ChangeView {
    pub name: String,
    pub status: &'static str,
    pub added: Vec<Arc<str>>,
    pub removed: Vec<Arc<str>>,
}

fn change_words(status: &str) -> &'static str {
    match status {
        "changed" => "asks more",
        "only_in_to" => "new on this track",
        "only_in_from" => "no longer on the track",
        "not_applicable_in_from" => "starts to apply",
        "not_applicable_in_to" => "no longer applies",
        _ => "the same",
    }
}

#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage {
    layout: Layout,
    home: Home,
    summary: Option<Arc<str>>,
    expectations: Vec<ExpectationView>,
    changes: Vec<ChangeView>,
    chart: Option<Svg>,
}

fn render_bullets(md: &Markdown, bullets: &[String]) -> Vec<Arc<str>> {
    bullets.iter().map(|b| md.inline(b)).collect()
}

async fn home(State(state): State<AppState>, actor: Actor) -> PageResult {
    let home = service::home(&state, &actor).await?;
    let md = state.markdown();
    let (summary, expectations) = match &home.track {
        Some(t) => (
            t.level_summary.as_deref().map(|s| md.block(s)),
            t.expectations
                .iter()
                .map(|e| ExpectationView {
                    name: e.name.clone(),
                    bullets: render_bullets(md, &e.bullets),
                    not_applicable: e.not_applicable,
                })
                .collect(),
        ),
        None => (None, Vec::new()),
    };
    let changes = home
        .next_level
        .as_ref()
        .map(|n| {
            n.changes
                .iter()
                .map(|c| ChangeView {
                    name: c.name.clone(),
                    status: change_words(&c.status),
                    added: render_bullets(md, &c.added),
                    removed: render_bullets(md, &c.removed),
                })
                .collect()
        })
        .unwrap_or_default();
    let chart = home
        .growth
        .as_ref()
        .and_then(|g| g.latest_checkin.as_ref())
        .map(checkin_chart);
    render(&HomePage {
        layout: Layout::new("Home", "home", Some(&actor)),
        home,
        summary,
        expectations,
        changes,
        chart,
    })
}
