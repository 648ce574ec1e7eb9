//! The JSON of the KPI dashboard: its scope, figures and pulse.

use serde::Serialize;
use utoipa::ToSchema;

use super::surveys::PulsePoint;
use crate::rollout::kpis as service;

/// Whose figures the dashboard shows.
#[derive(Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// Everyone (admins and organisation tokens).
    Organisation,
    /// Everyone below a manager, directly or not; not the manager themselves.
    ReportingLine { manager_id: i64, manager: String },
}

impl From<service::Scope> for Scope {
    fn from(scope: service::Scope) -> Self {
        match scope {
            service::Scope::Organisation => Scope::Organisation,
            service::Scope::ReportingLine {
                manager_id,
                manager,
            } => Scope::ReportingLine {
                manager_id,
                manager,
            },
        }
    }
}

/// A count out of a total.
#[derive(Serialize, ToSchema)]
#[schema(as = DashboardShare)]
pub struct Share {
    pub count: i64,
    pub total: i64,
    /// `count / total` in percent, to one decimal; absent when the total is 0.
    pub percent: Option<f64>,
}

impl From<service::Share> for Share {
    fn from(s: service::Share) -> Self {
        Share {
            count: s.count,
            total: s.total,
            percent: s.percent,
        }
    }
}

/// The three participation figures of a group of active people.
#[derive(Serialize, ToSchema)]
pub struct Participation {
    /// People with a check-in started or agreed in the last 90 days (a check-in that was
    /// cancelled does not count).
    pub check_in: Share,
    /// People with an active development plan: at least one goal not started or in progress.
    pub plan: Share,
    /// People who had a 1:1 with their manager in the last 30 days with a talking point linked to
    /// one of their goals or to a competency.
    pub growth_one_on_one: Share,
}

impl From<service::Participation> for Participation {
    fn from(p: service::Participation) -> Self {
        Participation {
            check_in: p.check_in.into(),
            plan: p.plan.into(),
            growth_one_on_one: p.growth_one_on_one.into(),
        }
    }
}

/// The figures of one side of the pilot comparison; absent when the side (or the other one,
/// which would give it away by subtraction) has fewer people than the threshold.
#[derive(Serialize, ToSchema)]
pub struct PilotSide {
    pub people: i64,
    pub coverage: Share,
    pub participation: Participation,
}

impl From<service::PilotSide> for PilotSide {
    fn from(s: service::PilotSide) -> Self {
        PilotSide {
            people: s.people,
            coverage: s.coverage.into(),
            participation: s.participation.into(),
        }
    }
}

/// Participation in the pilot teams and elsewhere, once the People team has chosen pilot teams.
#[derive(Serialize, ToSchema)]
pub struct PilotComparison {
    /// The Grow features are still released to the pilot teams only.
    pub running: bool,
    /// People in a pilot team; absent when a side is too small to show.
    pub pilot: Option<PilotSide>,
    /// Everyone else in view; absent when a side is too small to show.
    pub rest: Option<PilotSide>,
}

impl From<service::PilotComparison> for PilotComparison {
    fn from(c: service::PilotComparison) -> Self {
        PilotComparison {
            running: c.running,
            pilot: c.pilot.map(Into::into),
            rest: c.rest.map(Into::into),
        }
    }
}

/// Promotions and lateral moves that took effect in one calendar quarter.
#[derive(Serialize, ToSchema)]
pub struct QuarterMoves {
    /// `2026-Q4`.
    pub quarter: String,
    /// The quarter's first day.
    pub starts_on: String,
    pub promotions: i64,
    pub lateral_moves: i64,
}

impl From<service::QuarterMoves> for QuarterMoves {
    fn from(q: service::QuarterMoves) -> Self {
        QuarterMoves {
            quarter: q.quarter,
            starts_on: q.starts_on,
            promotions: q.promotions,
            lateral_moves: q.lateral_moves,
        }
    }
}

/// The median time active people of a track have spent in their current level.
#[derive(Serialize, ToSchema)]
pub struct TimeInLevel {
    pub track: String,
    pub track_name: String,
    /// Absent, like the median, when fewer people than the threshold hold a level of the track.
    pub people: Option<i64>,
    /// Days since the latest recorded position took effect; the mean of the two middle values
    /// when the count is even.
    pub median_days: Option<f64>,
}

impl From<service::TimeInLevel> for TimeInLevel {
    fn from(t: service::TimeInLevel) -> Self {
        TimeInLevel {
            track: t.track,
            track_name: t.track_name,
            people: t.people,
            median_days: t.median_days,
        }
    }
}

/// People who left in the last twelve months against the group's average headcount.
#[derive(Serialize, ToSchema)]
pub struct Attrition {
    /// A track key or a readiness status; empty for people with none, `small` for the groups
    /// too small to show one by one, pooled.
    pub group: String,
    pub label: String,
    /// Fewer people than the threshold were in the group: no figures.
    pub suppressed: bool,
    pub leavers: Option<i64>,
    /// The mean of the headcount a year ago and today.
    pub average_headcount: Option<f64>,
    /// Leavers per average headcount, in percent.
    pub rate: Option<f64>,
}

impl From<service::Attrition> for Attrition {
    fn from(a: service::Attrition) -> Self {
        Attrition {
            group: a.group,
            label: a.label,
            suppressed: a.suppressed,
            leavers: a.leavers,
            average_headcount: a.average_headcount,
            rate: a.rate,
        }
    }
}

/// The dashboard of a group of people.
#[derive(Serialize, ToSchema)]
pub struct Dashboard {
    pub scope: Scope,
    /// The team filter, as the team is named.
    pub team: Option<String>,
    /// The track filter's key.
    pub track: Option<String>,
    pub track_name: Option<String>,
    /// The day the figures were computed for.
    pub as_of: String,
    /// Groups smaller than this are not shown.
    pub threshold: i64,
    /// Active people in view.
    pub people: i64,
    /// Active people with a position (a level of a track).
    pub coverage: Share,
    pub participation: Participation,
    /// Present once pilot teams have been chosen.
    pub pilot: Option<PilotComparison>,
    /// The last [`QUARTERS`] quarters, oldest first, the current one last.
    pub moves: Vec<QuarterMoves>,
    /// By track, in the framework's order.
    pub time_in_level: Vec<TimeInLevel>,
    pub attrition_by_track: Vec<Attrition>,
    /// By the readiness status stored for each person (for people who left, as it was when they
    /// left).
    pub attrition_by_readiness: Vec<Attrition>,
    /// The pulse over time, as the surveys service shows it for this group under its anonymity
    /// rules: every survey that has opened, by last day, with its means when they may be shown.
    pub pulse: Vec<PulsePoint>,
    /// Why there is no pulse trend for this group, when there is none (a manager's view covers
    /// teams only partly below them, or no team was chosen).
    pub pulse_note: Option<String>,
}

impl From<service::Dashboard> for Dashboard {
    fn from(d: service::Dashboard) -> Self {
        Dashboard {
            scope: d.scope.into(),
            team: d.team,
            track: d.track,
            track_name: d.track_name,
            as_of: d.as_of,
            threshold: d.threshold,
            people: d.people,
            coverage: d.coverage.into(),
            participation: d.participation.into(),
            pilot: d.pilot.map(Into::into),
            moves: d.moves.into_iter().map(Into::into).collect(),
            time_in_level: d.time_in_level.into_iter().map(Into::into).collect(),
            attrition_by_track: d.attrition_by_track.into_iter().map(Into::into).collect(),
            attrition_by_readiness: d
                .attrition_by_readiness
                .into_iter()
                .map(Into::into)
                .collect(),
            pulse: d.pulse.into_iter().map(Into::into).collect(),
            pulse_note: d.pulse_note,
        }
    }
}
