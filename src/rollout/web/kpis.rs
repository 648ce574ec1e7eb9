//! `/dashboard`: the KPI dashboard in the browser. Each figure is a chart with its numbers in a
//! table beside it; a GET form narrows it by team and track (it works without JavaScript), and
//! `/dashboard.csv` downloads the same figures with the same filters.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppError, FieldError};
use crate::growth::team;
use crate::rollout::kpis::{
    self, Attrition, Choices, Dashboard, DashboardFilter, Participation, PilotComparison, Scope,
    Share,
};
use crate::state::AppState;
use crate::web::charts::{self, ChartSpec, Scale, Series, Svg};
use crate::web::routes::{Routes, get};
use crate::web::{Layout, PageResult, render, render_with, urlencode};

pub fn routes() -> Routes {
    Routes::new()
        .route("/dashboard", get(dashboard_page))
        .route("/dashboard.csv", get(dashboard_csv))
}

/// The filters as the form sends them: empty when unused.
#[derive(Debug, Default, Deserialize)]
struct FilterQuery {
    #[serde(default)]
    team: String,
    #[serde(default)]
    track: String,
}

impl FilterQuery {
    fn filter(&self) -> DashboardFilter {
        DashboardFilter::new(Some(&self.team), Some(&self.track))
    }

    /// The filters as a query string, `?` included; empty when there are none.
    fn query_string(&self) -> String {
        let parts: Vec<String> = [("team", &self.team), ("track", &self.track)]
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", urlencode(v.trim()).replace('/', "%2F")))
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// A number with one decimal at most, without a trailing `.0`.
fn decimal(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// A percentage for people; a dash when there is none.
fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{}\u{a0}%", decimal(v)))
}

/// The four figures of a group, in the order of the tables and the chart: (label, what it
/// counts, the share).
fn figures(coverage: &Share, p: &Participation) -> [(&'static str, &'static str, Share); 4] {
    [
        (
            "People with a position",
            "active people who hold a level of a track",
            *coverage,
        ),
        (
            "Check-in in the last 90 days",
            kpis::CHECK_IN_DEFINITION,
            p.check_in,
        ),
        ("Active development plan", kpis::PLAN_DEFINITION, p.plan),
        (
            "Growth 1:1 in the last 30 days",
            kpis::GROWTH_ONE_ON_ONE_DEFINITION,
            p.growth_one_on_one,
        ),
    ]
}

/// One line of the coverage and participation table.
struct ShareRow {
    label: &'static str,
    definition: &'static str,
    count: i64,
    total: i64,
    percent: String,
}

/// One line of the pilot comparison: a figure in the pilot teams and elsewhere.
struct PilotRow {
    label: &'static str,
    pilot: String,
    rest: String,
}

struct PilotView {
    running: bool,
    /// Absent when a side is too small to show.
    rows: Option<Vec<PilotRow>>,
    pilot_people: i64,
    rest_people: i64,
}

impl PilotView {
    fn new(c: &PilotComparison) -> PilotView {
        let figure = |s: &Share| format!("{} ({} of {})", percent(s.percent), s.count, s.total);
        let rows = match (&c.pilot, &c.rest) {
            (Some(p), Some(r)) => Some(
                figures(&p.coverage, &p.participation)
                    .iter()
                    .zip(figures(&r.coverage, &r.participation).iter())
                    .map(|((label, _, ps), (_, _, rs))| PilotRow {
                        label,
                        pilot: figure(ps),
                        rest: figure(rs),
                    })
                    .collect(),
            ),
            _ => None,
        };
        PilotView {
            running: c.running,
            rows,
            pilot_people: c.pilot.as_ref().map_or(0, |s| s.people),
            rest_people: c.rest.as_ref().map_or(0, |s| s.people),
        }
    }
}

struct TimeRow {
    track: String,
    people: String,
    median: String,
}

struct AttritionRow {
    label: String,
    leavers: String,
    headcount: String,
    rate: String,
}

impl AttritionRow {
    fn new(a: &Attrition, threshold: i64) -> AttritionRow {
        if a.suppressed {
            let hidden = format!("fewer than {threshold} people");
            return AttritionRow {
                label: a.label.clone(),
                leavers: hidden,
                headcount: "–".into(),
                rate: "–".into(),
            };
        }
        AttritionRow {
            label: a.label.clone(),
            leavers: a.leavers.map_or_else(String::new, |n| n.to_string()),
            headcount: a.average_headcount.map_or_else(String::new, decimal),
            rate: percent(a.rate),
        }
    }
}

/// A line of the pulse table: a survey's mean of every statement, or one statement's mean under it.
struct PulseRow {
    /// The survey's title on its own line; the statement on the lines under it.
    label: String,
    statement: bool,
    closes_on: String,
    mean: String,
    responses: String,
    /// Why a survey's figures are not shown.
    withheld: Option<String>,
}

/// Everything the page shows of a computed dashboard, with its charts drawn.
struct View {
    threshold: i64,
    shares: Vec<ShareRow>,
    shares_chart: Svg,
    pilot: Option<PilotView>,
    moves: Vec<kpis::QuarterMoves>,
    moves_chart: Svg,
    time: Vec<TimeRow>,
    time_chart: Option<Svg>,
    attrition_track: Vec<AttritionRow>,
    attrition_track_chart: Option<Svg>,
    attrition_readiness: Vec<AttritionRow>,
    attrition_readiness_chart: Option<Svg>,
    pulse: Vec<PulseRow>,
    pulse_chart: Option<Svg>,
    pulse_note: Option<String>,
}

/// A bar chart of values by label, or nothing when there is no value to draw.
fn bars(
    id: &str,
    title: &str,
    description: &str,
    series: &str,
    values: &[(String, f64)],
) -> Option<Svg> {
    if values.is_empty() {
        return None;
    }
    let labels: Vec<String> = values.iter().map(|(l, _)| l.clone()).collect();
    let series = [Series::new(
        series,
        values.iter().map(|(_, v)| Some(*v)).collect(),
    )];
    let scale = Scale::fitting(&series);
    Some(charts::bars(&ChartSpec {
        id,
        title,
        description,
        labels: &labels,
        series: &series,
        scale: &scale,
    }))
}

fn attrition_chart(id: &str, title: &str, rows: &[Attrition]) -> Option<Svg> {
    let values: Vec<(String, f64)> = rows
        .iter()
        .filter_map(|a| a.rate.map(|r| (a.label.clone(), r)))
        .collect();
    bars(
        id,
        title,
        "People who left in the last twelve months, in percent of the average headcount of each group",
        "Left in 12 months (%)",
        &values,
    )
}

impl View {
    fn new(d: &Dashboard) -> View {
        let (shares, shares_chart) = shares_view(d);
        let (time, time_chart) = time_view(d);
        let (pulse, pulse_chart) = pulse_view(d);
        View {
            threshold: d.threshold,
            shares,
            shares_chart,
            pilot: d.pilot.as_ref().map(PilotView::new),
            moves: d.moves.clone(),
            moves_chart: moves_chart(d),
            time,
            time_chart,
            attrition_track: d
                .attrition_by_track
                .iter()
                .map(|a| AttritionRow::new(a, d.threshold))
                .collect(),
            attrition_track_chart: attrition_chart(
                "kpi-attrition-track",
                "Attrition by track",
                &d.attrition_by_track,
            ),
            attrition_readiness: d
                .attrition_by_readiness
                .iter()
                .map(|a| AttritionRow::new(a, d.threshold))
                .collect(),
            attrition_readiness_chart: attrition_chart(
                "kpi-attrition-readiness",
                "Attrition by readiness",
                &d.attrition_by_readiness,
            ),
            pulse,
            pulse_chart,
            pulse_note: d.pulse_note.clone(),
        }
    }
}

/// Coverage and participation: the table, and the chart with a series for everyone in view and,
/// when both sides of the pilot are shown, one for each.
fn shares_view(d: &Dashboard) -> (Vec<ShareRow>, Svg) {
    let shares_now = figures(&d.coverage, &d.participation);
    let labels: Vec<String> = shares_now.iter().map(|(l, _, _)| (*l).to_owned()).collect();
    let values = |f: &[(&str, &str, Share); 4]| f.iter().map(|(_, _, s)| s.percent).collect();
    let mut series = vec![Series::new("Everyone in view", values(&shares_now))];
    if let Some(PilotComparison {
        pilot: Some(p),
        rest: Some(r),
        ..
    }) = &d.pilot
    {
        series.push(Series::new(
            "Pilot teams",
            values(&figures(&p.coverage, &p.participation)),
        ));
        series.push(Series::new(
            "Other teams",
            values(&figures(&r.coverage, &r.participation)),
        ));
    }
    let chart = charts::bars(&ChartSpec {
        id: "kpi-participation",
        title: "Coverage and participation",
        description: "Percent of active people with a position, a recent check-in, an active plan and a recent growth 1:1",
        labels: &labels,
        series: &series,
        scale: &Scale::linear(0.0, 100.0, 25.0),
    });
    let rows = shares_now
        .iter()
        .map(|(label, definition, s)| ShareRow {
            label,
            definition,
            count: s.count,
            total: s.total,
            percent: percent(s.percent),
        })
        .collect();
    (rows, chart)
}

/// Promotions and lateral moves per quarter, as lines.
fn moves_chart(d: &Dashboard) -> Svg {
    let quarters: Vec<String> = d.moves.iter().map(|q| q.quarter.clone()).collect();
    let moves_series = [
        Series::new(
            "Promotions",
            d.moves.iter().map(|q| Some(q.promotions as f64)).collect(),
        ),
        Series::new(
            "Lateral moves",
            d.moves
                .iter()
                .map(|q| Some(q.lateral_moves as f64))
                .collect(),
        ),
    ];
    charts::line(&ChartSpec {
        id: "kpi-moves",
        title: "Promotions and lateral moves per quarter",
        description: "Positions recorded as promotions and as moves to another track, by the quarter they took effect",
        labels: &quarters,
        series: &moves_series,
        scale: &Scale::fitting(&moves_series),
    })
}

/// Time in level by track: the table (a track too small to show says so), and the chart of the
/// medians that may be shown.
fn time_view(d: &Dashboard) -> (Vec<TimeRow>, Option<Svg>) {
    let time_values: Vec<(String, f64)> = d
        .time_in_level
        .iter()
        .filter_map(|t| t.median_days.map(|m| (t.track_name.clone(), m)))
        .collect();
    let hidden = format!("fewer than {} people", d.threshold);
    let rows = d
        .time_in_level
        .iter()
        .map(|t| TimeRow {
            track: t.track_name.clone(),
            people: t.people.map_or_else(|| hidden.clone(), |n| n.to_string()),
            median: t.median_days.map_or_else(|| "–".into(), decimal),
        })
        .collect();
    let chart = bars(
        "kpi-time-in-level",
        "Median time in level by track",
        "Median days active people have held their current level, per track",
        "Median days",
        &time_values,
    );
    (rows, chart)
}

/// The most statements drawn as lines of their own; beyond that only the mean of all is drawn.
const PULSE_LINES: usize = 5;

/// The pulse table, and the chart: the mean of all statements over the surveys, and a line per
/// statement when there are few.
fn pulse_view(d: &Dashboard) -> (Vec<PulseRow>, Option<Svg>) {
    let mean = |m: Option<f64>| m.map_or_else(|| "–".into(), |m| format!("{m:.2}"));
    let mut rows = Vec::new();
    for p in &d.pulse {
        rows.push(PulseRow {
            label: p.title.clone(),
            statement: false,
            closes_on: p.closes_on.clone(),
            mean: mean(p.mean),
            responses: p.responses.map_or_else(|| "–".into(), |n| n.to_string()),
            withheld: p.withheld.clone(),
        });
        for q in &p.questions {
            rows.push(PulseRow {
                label: q.prompt.clone(),
                statement: true,
                closes_on: String::new(),
                mean: mean(q.mean),
                responses: String::new(),
                withheld: None,
            });
        }
    }
    let shown: Vec<&kpis::PulsePoint> = d.pulse.iter().filter(|p| p.mean.is_some()).collect();
    if shown.is_empty() {
        return (rows, None);
    }
    let labels: Vec<String> = shown.iter().map(|p| p.closes_on.clone()).collect();
    let mut series = vec![Series::new(
        "Mean of all statements",
        shown.iter().map(|p| p.mean).collect(),
    )];
    let mut prompts: Vec<&str> = Vec::new();
    for q in shown.iter().flat_map(|p| &p.questions) {
        if !prompts.contains(&q.prompt.as_str()) {
            prompts.push(&q.prompt);
        }
    }
    if prompts.len() <= PULSE_LINES {
        for prompt in prompts {
            series.push(Series::new(
                prompt,
                shown
                    .iter()
                    .map(|p| {
                        p.questions
                            .iter()
                            .find(|q| q.prompt == prompt)
                            .and_then(|q| q.mean)
                    })
                    .collect(),
            ));
        }
    }
    let chart = charts::line(&ChartSpec {
        id: "kpi-pulse",
        title: "Pulse scores over time",
        description: "Mean answer on the 1 to 5 scale, of all statements and of each, by the day each survey closed",
        labels: &labels,
        series: &series,
        scale: &Scale::linear(1.0, 5.0, 1.0),
    });
    (rows, Some(chart))
}

/// The figures of a dashboard as HTML: the same for everyone who sees the same figures, so kept
/// with them once drawn.
#[derive(Template)]
#[template(path = "dashboard/figures.html")]
struct Figures<'a> {
    v: &'a View,
}

/// What the page says about the figures above them.
struct Summary {
    people: i64,
    scope: &'static str,
    as_of: String,
    threshold: i64,
}

#[derive(Template)]
#[template(path = "dashboard/page.html")]
struct DashboardPage {
    layout: Layout,
    choices: Choices,
    query: FilterQuery,
    /// Mistakes in the filters, and the refusal of a group too small to show.
    errors: Vec<FieldError>,
    summary: Option<Summary>,
    /// The figures, rendered from [`Figures`] (every value escaped there).
    figures: Option<Arc<str>>,
    csv: String,
    /// The whole group the viewer may see is smaller than the anonymity threshold: no figures,
    /// a calm explanation and what to read instead.
    below: Option<BelowThreshold>,
}

/// What the dashboard says when the viewer's whole group is too small to show.
struct BelowThreshold {
    threshold: i64,
    /// The viewer's direct reports, whose pages they may read instead.
    reports: Vec<(i64, String)>,
}

impl DashboardPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    fn manager_view(&self) -> bool {
        matches!(self.choices.scope, Some(Scope::ReportingLine { .. }))
    }

    fn filtered(&self) -> bool {
        !self.query.team.trim().is_empty() || !self.query.track.trim().is_empty()
    }
}

/// The figures of a dashboard as HTML, drawn once per set of figures.
fn rendered_figures(state: &AppState, d: &Dashboard) -> Result<Arc<str>, AppError> {
    if let Some(html) = state.dashboards().rendered(&d.key) {
        return Ok(html);
    }
    let view = View::new(d);
    let html: Arc<str> = Figures { v: &view }
        .render()
        .map_err(|e| AppError::internal(format!("template failed: {e}")))?
        .into();
    state
        .dashboards()
        .remember_rendered(d.key.clone(), html.clone());
    Ok(html)
}

async fn dashboard_page(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<FilterQuery>,
) -> PageResult {
    let choices = kpis::choices(&state, &actor).await?;
    let filter = query.filter();
    let mut page = DashboardPage {
        layout: Layout::new("Dashboard", "dashboard", Some(&actor)),
        choices,
        csv: format!("/dashboard.csv{}", query.query_string()),
        query,
        errors: Vec::new(),
        summary: None,
        figures: None,
        below: None,
    };
    match kpis::dashboard(&state, &actor, &filter).await {
        Ok(d) => {
            page.figures = Some(rendered_figures(&state, &d)?);
            page.summary = Some(Summary {
                people: d.people,
                scope: match d.scope {
                    Scope::Organisation => "the whole organisation",
                    Scope::ReportingLine { .. } => "everyone in your reporting line",
                },
                as_of: d.as_of,
                threshold: d.threshold,
            });
            render(&page)
        }
        // The whole group is below the threshold: nothing the viewer typed is wrong, so a calm
        // page with what they can read instead.
        Err(e @ AppError::Invalid { .. })
            if !page.filtered() && e.field_errors().iter().any(|f| f.field.is_empty()) =>
        {
            let reports = team::direct_reports(&state, &actor, None)
                .await?
                .into_iter()
                .map(|m| (m.id, m.name))
                .collect();
            page.below = Some(BelowThreshold {
                threshold: kpis::THRESHOLD,
                reports,
            });
            render(&page)
        }
        Err(e @ AppError::Invalid { .. }) => {
            page.errors = e.field_errors();
            render_with(e.status(), &page)
        }
        Err(e) => Err(e),
    }
}

async fn dashboard_csv(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<FilterQuery>,
) -> PageResult {
    let (as_of, csv) = kpis::export_csv(&state, &actor, &query.filter()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"kpi-dashboard-{as_of}.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}
