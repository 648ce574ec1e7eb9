//! A survey's results: the filters, the figures of the group shown with its breakdowns, each
//! statement's answers as a diverging bar, and the pages of free-text answers.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::scale_choices;
use crate::auth::{Actor, policy};
use crate::error::AppError;
use crate::rollout::anonymity::Filter;
use crate::rollout::surveys::{self as service, QuestionKind, Results};
use crate::state::AppState;
use crate::web::charts;
use crate::web::{Layout, PageResult, render_with, urlencode};

#[derive(Deserialize, Default)]
pub(super) struct ResultsQuery {
    team: Option<String>,
    track: Option<String>,
    /// `pilot` or `rest`.
    pilot: Option<String>,
    /// The page of free-text answers, from 1.
    page: Option<usize>,
}

impl ResultsQuery {
    fn filter(&self) -> Result<Filter, AppError> {
        let team = match self
            .team
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            None => None,
            Some(t) => Some(
                t.parse::<i64>()
                    .map_err(|_| AppError::invalid_field("team", "choose a team from the list"))?,
            ),
        };
        let pilot = match self.pilot.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("pilot") => Some(true),
            Some("rest") => Some(false),
            Some(_) => {
                return Err(AppError::invalid_field(
                    "pilot",
                    "choose the pilot teams or everyone else",
                ));
            }
        };
        Ok(Filter {
            team,
            track: self
                .track
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            pilot,
        })
    }
}

/// The query string of a results page for a group and a page of texts.
fn results_link(
    id: i64,
    team: Option<i64>,
    track: Option<&str>,
    pilot: Option<bool>,
    page: usize,
) -> String {
    let mut parts = Vec::new();
    if let Some(t) = team {
        parts.push(format!("team={t}"));
    }
    if let Some(k) = track {
        parts.push(format!("track={}", urlencode(k)));
    }
    match pilot {
        Some(true) => parts.push("pilot=pilot".into()),
        Some(false) => parts.push("pilot=rest".into()),
        None => {}
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        format!("/admin/surveys/{id}/results")
    } else {
        format!("/admin/surveys/{id}/results?{}", parts.join("&"))
    }
}

/// Whole percentages of `counts` that add up to 100 (the largest remainders are rounded up); all
/// zero when there is nothing to count.
fn shares(counts: &[u64]) -> Vec<u64> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let mut out: Vec<u64> = counts.iter().map(|n| n * 100 / total).collect();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    // Ties go to the lower rating (the sort is stable), so the same counts always give the same shares.
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i] * 100 % total));
    let missing = 100 - out.iter().sum::<u64>();
    for &i in order.iter().take(missing as usize) {
        out[i] += 1;
    }
    out
}

/// A statement's answers as a diverging stacked bar: disagreeing (1 and 2) left of a centre line,
/// neither (3) across it, agreeing (4 and 5) right of it, on one axis from -100 % to 100 % so that
/// the bars of a survey line up on their centre.
struct Diverging {
    /// The share of each rating, 1 to 5, in whole percentages adding up to 100.
    shares: Vec<u64>,
    /// Each rating's segment: where it starts and how wide it is, in the bar's units (0 to 400).
    segments: Vec<(f64, f64)>,
}

/// The width of a diverging bar: 200 units each side of the centre.
const BAR_WIDTH: f64 = 400.0;

impl Diverging {
    fn of(distribution: &[u64]) -> Diverging {
        let total: u64 = distribution.iter().sum();
        let part = |n: u64| {
            if total == 0 {
                0.0
            } else {
                n as f64 / total as f64 * BAR_WIDTH / 2.0
            }
        };
        let at = |i: usize| distribution.get(i).copied().unwrap_or(0);
        let mut x = BAR_WIDTH / 2.0 - part(at(0)) - part(at(1)) - part(at(2)) / 2.0;
        let segments = (0..5)
            .map(|i| {
                let w = part(at(i));
                let seg = (x, w);
                x += w;
                seg
            })
            .collect();
        let counts: Vec<u64> = (0..5).map(at).collect();
        Diverging {
            shares: shares(&counts),
            segments,
        }
    }

    fn unfavourable(&self) -> u64 {
        self.shares[0] + self.shares[1]
    }

    fn neutral(&self) -> u64 {
        self.shares[2]
    }

    fn favourable(&self) -> u64 {
        self.shares[3] + self.shares[4]
    }

    /// The bar as SVG, its text already escaped: a picture with its figures as its name.
    fn svg(&self, prompt: &str) -> String {
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"likert-bar\" viewBox=\"0 0 {w} 24\" \
             role=\"img\" focusable=\"false\" aria-label=\"{}: {} % disagree, {} % neither, {} % agree\">",
            charts::escape(prompt),
            self.unfavourable(),
            self.neutral(),
            self.favourable(),
            w = BAR_WIDTH,
        );
        for (i, (x, w)) in self.segments.iter().enumerate() {
            if *w > 0.0 {
                out.push_str(&format!(
                    "<rect class=\"likert-{}\" x=\"{:.1}\" y=\"2\" width=\"{:.1}\" height=\"20\"/>",
                    i + 1,
                    x,
                    w
                ));
            }
        }
        out.push_str(&format!(
            "<line class=\"likert-centre\" x1=\"{c}\" y1=\"0\" x2=\"{c}\" y2=\"24\"/></svg>",
            c = BAR_WIDTH / 2.0
        ));
        out
    }
}

#[derive(Template)]
#[template(path = "surveys/results.html")]
struct ResultsPage {
    layout: Layout,
    r: Results,
    is_admin: bool,
    scale: Vec<(String, &'static str)>,
    /// The statements, for the breakdown columns.
    statements: Vec<String>,
    previous: Option<String>,
    next: Option<String>,
}

impl ResultsPage {
    fn link(&self, row: &service::BreakdownRow) -> Option<String> {
        (!row.combined).then(|| {
            results_link(
                self.r.survey.id,
                row.team,
                row.track.as_deref(),
                row.pilot,
                1,
            )
        })
    }

    fn percent(&self, n: &u64, total: &u64) -> String {
        if *total == 0 {
            "0 %".into()
        } else {
            format!("{:.0} %", *n as f64 * 100.0 / *total as f64)
        }
    }

    fn number(&self, value: &Option<f64>) -> String {
        value.map_or_else(|| "–".into(), |v| format!("{v:.2}"))
    }

    fn diverging(&self, q: &service::QuestionResult) -> Diverging {
        Diverging::of(&q.distribution)
    }

    fn team_selected(&self, id: &i64) -> bool {
        self.r.group.team == Some(*id)
    }

    fn track_selected(&self, key: &str) -> bool {
        self.r.group.track.as_deref() == Some(key)
    }
}

pub(super) async fn results_page(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<ResultsQuery>,
) -> PageResult {
    let mut filter = q.filter()?;
    // A manager reads one of their teams at a time: the first, until they choose another.
    let whole = policy::see_whole_organisation(&actor);
    if !whole && filter.team.is_none() {
        filter.team = service::result_teams(state.db(), &actor)
            .await?
            .first()
            .map(|(id, _)| *id);
    }
    let page = q.page.unwrap_or(1);
    let r = service::results(&state, &actor, id, &filter, page).await?;
    let statements = r
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Scale)
        .map(|q| q.prompt.clone())
        .collect();
    let link = |p: usize| results_link(id, filter.team, filter.track.as_deref(), filter.pilot, p);
    let status = if r.refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ResultsPage {
        layout: Layout::new(
            format!("Results: {}", r.survey.title),
            if whole { "admin" } else { "surveys" },
            Some(&actor),
        ),
        is_admin: whole,
        scale: scale_choices(),
        statements,
        previous: (r.shown && r.text_page > 1).then(|| link(r.text_page - 1)),
        next: (r.shown && r.text_page < r.text_pages).then(|| link(r.text_page + 1)),
        r,
    };
    render_with(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_to_a_hundred_and_the_bar_diverges_from_its_centre() {
        assert_eq!(shares(&[1, 1, 1, 0, 0]), vec![34, 33, 33, 0, 0]);
        assert_eq!(shares(&[0, 0, 0, 0, 0]), vec![0; 5]);
        for counts in [[1, 2, 3, 4, 5], [7, 0, 0, 0, 1], [3, 3, 3, 3, 3]] {
            assert_eq!(shares(&counts).iter().sum::<u64>(), 100, "{counts:?}");
        }
        let d = Diverging::of(&[1, 1, 2, 3, 3]);
        assert_eq!(
            (d.unfavourable(), d.neutral(), d.favourable()),
            (20, 20, 60)
        );
        // Disagreeing and half of neither end at the centre; agreeing starts after the other half.
        let (x3, w3) = d.segments[2];
        assert!((x3 + w3 / 2.0 - BAR_WIDTH / 2.0).abs() < 1e-9);
        assert!((d.segments[0].0 - (BAR_WIDTH / 2.0 - 0.3 * BAR_WIDTH / 2.0)).abs() < 1e-9);
        let total: f64 = d.segments.iter().map(|(_, w)| w).sum();
        assert!((total - BAR_WIDTH / 2.0).abs() < 1e-9);
        let svg = d.svg("Fair & clear");
        assert!(
            svg.contains(
                "aria-label=\"Fair &amp; clear: 20 % disagree, 20 % neither, 60 % agree\""
            )
        );
        assert_eq!(svg.matches("<rect").count(), 5);
    }
}
