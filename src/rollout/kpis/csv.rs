//! The dashboard as CSV, for spreadsheets.

use super::{Dashboard, DashboardFilter, Participation, Share, dashboard};
use crate::audit;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::state::AppState;

/// The dashboard as CSV: one row per figure or point of a series, with the filters it was
/// computed for; and the day it was computed for, to name the file.
pub async fn export_csv(
    state: &AppState,
    actor: &Actor,
    filter: &DashboardFilter,
) -> AppResult<(String, String)> {
    let d = dashboard(state, actor, filter).await?;
    Ok((d.as_of.clone(), to_csv(&d)))
}

/// One line of the CSV export.
struct CsvRow<'a> {
    metric: &'a str,
    series: String,
    period: String,
    value: Option<f64>,
    count: Option<i64>,
    total: Option<f64>,
}

impl CsvRow<'_> {
    /// A count out of a total: the percentage, the count and the total.
    fn share<'a>(metric: &'a str, series: &str, s: &Share) -> CsvRow<'a> {
        CsvRow {
            metric,
            series: series.to_owned(),
            period: String::new(),
            value: s.percent,
            count: Some(s.count),
            total: Some(s.total as f64),
        }
    }

    /// A number of people or of moves: the value and the count alike.
    fn number<'a>(metric: &'a str, series: &str, period: &str, n: i64) -> CsvRow<'a> {
        CsvRow {
            metric,
            series: series.to_owned(),
            period: period.to_owned(),
            value: Some(n as f64),
            count: Some(n),
            total: None,
        }
    }
}

/// The columns of the CSV export.
pub const CSV_HEADER: [&str; 9] = [
    "metric", "series", "period", "value", "count", "total", "team", "track", "as_of",
];

/// Writes the rows; text a spreadsheet would run as a formula (a survey title, a team name)
/// starts with an apostrophe.
fn to_csv(d: &Dashboard) -> String {
    let mut rows = reach_rows(d);
    rows.extend(growth_rows(d));
    rows.extend(pulse_rows(d));
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(CSV_HEADER);
    let team = audit::spreadsheet_safe(d.team.as_deref().unwrap_or_default()).into_owned();
    let track = d.track.clone().unwrap_or_default();
    for r in rows {
        let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        let _ = w.write_record([
            r.metric.to_owned(),
            audit::spreadsheet_safe(&r.series).into_owned(),
            r.period,
            number(r.value),
            r.count.map(|c| c.to_string()).unwrap_or_default(),
            number(r.total),
            team.clone(),
            track.clone(),
            d.as_of.clone(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// How far the tracks reach: the people in view, their coverage and participation, and the same
/// for each side of the pilot (or a row saying a side is not shown).
fn reach_rows(d: &Dashboard) -> Vec<CsvRow<'static>> {
    let mut rows = vec![
        CsvRow::number("people", "all", "", d.people),
        CsvRow::share("coverage", "all", &d.coverage),
    ];
    let participation = |rows: &mut Vec<CsvRow>, series: &str, p: &Participation| {
        rows.push(CsvRow::share("participation_check_in", series, &p.check_in));
        rows.push(CsvRow::share("participation_plan", series, &p.plan));
        rows.push(CsvRow::share(
            "participation_growth_one_on_one",
            series,
            &p.growth_one_on_one,
        ));
    };
    participation(&mut rows, "all", &d.participation);
    if let Some(pilot) = &d.pilot {
        for (series, side) in [("pilot", &pilot.pilot), ("rest", &pilot.rest)] {
            match side {
                Some(s) => {
                    rows.push(CsvRow::share("coverage", series, &s.coverage));
                    participation(&mut rows, series, &s.participation);
                }
                None => rows.push(CsvRow {
                    metric: "pilot_comparison",
                    series: series.into(),
                    period: String::new(),
                    value: None,
                    count: None,
                    total: None,
                }),
            }
        }
    }
    rows
}

/// How people grow: promotions and lateral moves by quarter, time in level by track, attrition by
/// track and by readiness.
fn growth_rows(d: &Dashboard) -> Vec<CsvRow<'static>> {
    let mut rows = Vec::new();
    for q in &d.moves {
        rows.push(CsvRow::number(
            "promotions",
            "all",
            &q.quarter,
            q.promotions,
        ));
        rows.push(CsvRow::number(
            "lateral_moves",
            "all",
            &q.quarter,
            q.lateral_moves,
        ));
    }
    for t in &d.time_in_level {
        rows.push(CsvRow {
            metric: "median_days_in_level",
            series: t.track.clone(),
            period: String::new(),
            value: t.median_days,
            count: t.people,
            total: None,
        });
    }
    for (metric, list) in [
        ("attrition_by_track", &d.attrition_by_track),
        ("attrition_by_readiness", &d.attrition_by_readiness),
    ] {
        for a in list {
            rows.push(CsvRow {
                metric,
                series: if a.group.is_empty() {
                    "none".into()
                } else {
                    a.group.clone()
                },
                period: String::new(),
                value: a.rate,
                count: a.leavers,
                total: a.average_headcount,
            });
        }
    }
    rows
}

/// The pulse: each survey's mean, and the mean of each of its statements.
fn pulse_rows(d: &Dashboard) -> Vec<CsvRow<'static>> {
    let mut rows = Vec::new();
    for p in &d.pulse {
        rows.push(CsvRow {
            metric: "pulse_mean",
            series: p.title.clone(),
            period: p.closes_on.clone(),
            value: p.mean,
            count: p.responses.map(|n| n as i64),
            total: None,
        });
        for q in &p.questions {
            rows.push(CsvRow {
                metric: "pulse_statement",
                series: q.prompt.clone(),
                period: p.closes_on.clone(),
                value: q.mean,
                count: p.responses.map(|n| n as i64),
                total: None,
            });
        }
    }
    rows
}
