//! The KPI dashboard: how far career tracks reach the organisation and how people grow, as figures
//! about a group of people: the whole organisation for admins, the reporting line (everyone below
//! them) for managers, narrowed by team and track. Figures about fewer people than the anonymity
//! threshold are never shown: a filtered group that small is refused, and a row of a breakdown that
//! small says so instead of giving its numbers.
//!
//! Every figure comes from a handful of aggregate queries over the whole group, never a query per
//! person. A computed dashboard is kept in memory ([`DashboardCache`]) under its group, its filters,
//! the day, and a marker of the data's last change (the newest audit event: every write records
//! one), so repeated views cost one or two small queries; viewers arriving together while it is
//! computed wait for one computation. Pulse answers are anonymous and not audited: the pulse part
//! comes from the surveys service ([`surveys::pulse_trend`], which applies the anonymity rules of
//! survey results) and is kept under the surveys' own marker, their number of answers.
//!
//! # Where things are
//!
//! This file holds the figures' types; the rest lives in child modules, re-exported here:
//! `dashboard` (whose figures a viewer reads, their filters, and the dashboard put together from
//! the cache), `figures` (the aggregate queries), `cache` ([`DashboardCache`]) and `csv` (the
//! export, written with the `csv` crate).

use crate::rollout::anonymity;
use crate::rollout::surveys;
pub use crate::rollout::surveys::PulsePoint;

mod cache;
mod csv;
mod dashboard;
mod figures;

pub use self::csv::{CSV_HEADER, export_csv};
pub use cache::DashboardCache;
pub use dashboard::{choices, dashboard};

/// A check-in counts when it was started or agreed within this many days.
pub const CHECK_IN_DAYS: i64 = 90;
/// A growth 1:1 counts when it was held within this many days.
pub const GROWTH_ONE_ON_ONE_DAYS: i64 = 30;
/// Promotions and lateral moves are counted for this many quarters, the current one included.
pub const QUARTERS: usize = 8;
/// Attrition looks back this many days.
pub const ATTRITION_DAYS: i64 = 365;

/// What each participation figure counts, in the words the page, the API and the CSV use.
pub const CHECK_IN_DEFINITION: &str = "people with a check-in started or agreed in the last 90 days \
     (a check-in that was cancelled does not count)";
pub const PLAN_DEFINITION: &str =
    "people with an active development plan: at least one goal not started or in progress";
pub const GROWTH_ONE_ON_ONE_DEFINITION: &str = "people who had a 1:1 with their manager in the last \
     30 days with a talking point linked to one of their goals or to a competency";

/// The narrowing a viewer asks for, as typed: a team name and a track key.
#[derive(Debug, Clone, Default)]
pub struct DashboardFilter {
    pub team: Option<String>,
    pub track: Option<String>,
}

impl DashboardFilter {
    pub fn new(team: Option<&str>, track: Option<&str>) -> DashboardFilter {
        let clean = |s: Option<&str>| {
            s.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        DashboardFilter {
            team: clean(team),
            track: clean(track),
        }
    }
}

/// Whose figures the dashboard shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everyone (admins and organisation tokens).
    Organisation,
    /// Everyone below a manager, directly or not; not the manager themselves.
    ReportingLine { manager_id: i64, manager: String },
}

impl Scope {
    fn key(&self) -> String {
        match self {
            Scope::Organisation => "org".into(),
            Scope::ReportingLine { manager_id, .. } => format!("line:{manager_id}"),
        }
    }
}

/// A count out of a total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    pub count: i64,
    pub total: i64,
    /// `count / total` in percent, to one decimal; absent when the total is 0.
    pub percent: Option<f64>,
}

impl Share {
    pub fn new(count: i64, total: i64) -> Share {
        Share {
            count,
            total,
            percent: percent(count as f64, total as f64),
        }
    }
}

fn percent(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| (1000.0 * part / whole).round() / 10.0)
}

/// The three participation figures of a group of active people.
#[derive(Debug, Clone, Copy, PartialEq)]
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

/// The figures of one side of the pilot comparison; absent when the side (or the other one,
/// which would give it away by subtraction) has fewer people than the threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct PilotSide {
    pub people: i64,
    pub coverage: Share,
    pub participation: Participation,
}

/// Participation in the pilot teams and elsewhere, once the People team has chosen pilot teams.
#[derive(Debug, Clone, PartialEq)]
pub struct PilotComparison {
    /// The Grow features are still released to the pilot teams only.
    pub running: bool,
    /// People in a pilot team; absent when a side is too small to show.
    pub pilot: Option<PilotSide>,
    /// Everyone else in view; absent when a side is too small to show.
    pub rest: Option<PilotSide>,
}

/// Promotions and lateral moves that took effect in one calendar quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarterMoves {
    /// `2026-Q4`.
    pub quarter: String,
    /// The quarter's first day.
    pub starts_on: String,
    pub promotions: i64,
    pub lateral_moves: i64,
}

/// The median time active people of a track have spent in their current level.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeInLevel {
    pub track: String,
    pub track_name: String,
    /// Absent, like the median, when fewer people than the threshold hold a level of the track.
    pub people: Option<i64>,
    /// Days since the latest recorded position took effect; the mean of the two middle values
    /// when the count is even.
    pub median_days: Option<f64>,
}

/// People who left in the last twelve months against the group's average headcount.
#[derive(Debug, Clone, PartialEq)]
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

/// The dashboard of a group of people.
#[derive(Debug, Clone)]
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
    /// What these figures are kept under: the same key means the same figures, so what is made of
    /// them (a page's rendering) can be kept under it too ([`DashboardCache::rendered`]).
    pub key: String,
}

/// What the filters offer to a viewer: the teams and tracks of the people they may see.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub scope: Option<Scope>,
    pub teams: Vec<String>,
    /// (key, name).
    pub tracks: Vec<(String, String)>,
}

/// The anonymity threshold of the dashboard: the surveys' default, so that a group too small for a
/// survey's results is too small for the dashboard too.
pub const THRESHOLD: i64 = anonymity::DEFAULT_THRESHOLD;

/// The group name of the pooled small groups of a breakdown.
pub const SMALL_GROUPS: &str = "small";
