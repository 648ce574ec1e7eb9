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

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use sqlx::Row;
use time::{Date, Duration, Month};

use crate::audit;
use crate::auth::Actor;
use crate::auth::policy;
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError};
use crate::growth::readiness;
use crate::rollout::anonymity;
use crate::rollout::surveys;
pub use crate::rollout::surveys::PulsePoint;
use crate::state::{AppState, ByteCache, budget, weigh};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = DashboardShare)]
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PilotSide {
    pub people: i64,
    pub coverage: Share,
    pub participation: Participation,
}

/// Participation in the pilot teams and elsewhere, once the People team has chosen pilot teams.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PilotComparison {
    /// The Grow features are still released to the pilot teams only.
    pub running: bool,
    /// People in a pilot team; absent when a side is too small to show.
    pub pilot: Option<PilotSide>,
    /// Everyone else in view; absent when a side is too small to show.
    pub rest: Option<PilotSide>,
}

/// Promotions and lateral moves that took effect in one calendar quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QuarterMoves {
    /// `2026-Q4`.
    pub quarter: String,
    /// The quarter's first day.
    pub starts_on: String,
    pub promotions: i64,
    pub lateral_moves: i64,
}

/// The median time active people of a track have spent in their current level.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    #[serde(skip)]
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

/// Whose dashboard the actor may read: admins the organisation's, managers their reporting line's;
/// anyone else is refused.
async fn scope_of(db: &Db, actor: &Actor) -> AppResult<Scope> {
    if policy::see_whole_organisation(actor) {
        policy::read_dashboard(actor, false)?;
        return Ok(Scope::Organisation);
    }
    let Some(me) = actor.user_id else {
        return Err(AppError::Forbidden);
    };
    let manages: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE manager_id = $1 AND active = 1 LIMIT 1")
            .bind(me)
            .fetch_optional(db.pool())
            .await?;
    policy::read_dashboard(actor, manages.is_some())?;
    Ok(Scope::ReportingLine {
        manager_id: me,
        manager: actor.name.clone(),
    })
}

/// A bind parameter of a query built from parts.
#[derive(Debug, Clone)]
enum Bind {
    Int(i64),
    Text(String),
}

/// The people in view as a condition on `users u`, with its parameters numbered after `first`
/// parameters the query binds itself.
struct Group {
    condition: String,
    binds: Vec<Bind>,
}

impl Group {
    fn new(scope: &Scope, team_id: Option<i64>, track: Option<&str>, first: usize) -> Group {
        let mut conditions = vec!["1 = 1".to_owned()];
        let mut binds = Vec::new();
        let param = |b: Bind, binds: &mut Vec<Bind>| {
            binds.push(b);
            format!("${}", first + binds.len())
        };
        if let Scope::ReportingLine { manager_id, .. } = scope {
            let p = param(Bind::Int(*manager_id), &mut binds);
            conditions.push(format!("u.id IN {}", crate::db::chain::below(&p)));
        }
        if let Some(team) = team_id {
            let p = param(Bind::Int(team), &mut binds);
            conditions.push(format!("u.team_id = {p}"));
        }
        if let Some(track) = track {
            let p = param(Bind::Text(track.to_owned()), &mut binds);
            conditions.push(format!("u.track_key = {p}"));
        }
        Group {
            condition: conditions.join(" AND "),
            binds,
        }
    }

    fn bind<'q>(
        &self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for b in &self.binds {
            query = match b {
                Bind::Int(i) => query.bind(*i),
                Bind::Text(s) => query.bind(s.clone()),
            };
        }
        query
    }
}

/// The days a dashboard is computed against.
#[derive(Debug, Clone, Copy)]
struct Calendar {
    today: Date,
}

impl Calendar {
    fn day(d: Date) -> String {
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }

    fn today(&self) -> String {
        Calendar::day(self.today)
    }

    fn days_ago(&self, days: i64) -> Date {
        self.today - Duration::days(days)
    }

    /// The first second of a day, in Unix seconds.
    fn start_of(d: Date) -> i64 {
        d.midnight().assume_utc().unix_timestamp()
    }

    /// The first days of the last [`QUARTERS`] quarters, oldest first.
    fn quarter_starts(&self) -> Vec<Date> {
        let mut year = self.today.year();
        let mut quarter = (u8::from(self.today.month()) - 1) / 3;
        let mut starts = Vec::with_capacity(QUARTERS);
        for _ in 0..QUARTERS {
            let month = Month::try_from(quarter * 3 + 1).unwrap_or(Month::January);
            if let Ok(d) = Date::from_calendar_date(year, month, 1) {
                starts.push(d);
            }
            if quarter == 0 {
                quarter = 3;
                year -= 1;
            } else {
                quarter -= 1;
            }
        }
        starts.reverse();
        starts
    }
}

fn quarter_label(start: Date) -> String {
    format!(
        "{}-Q{}",
        start.year(),
        (u8::from(start.month()) - 1) / 3 + 1
    )
}

/// The anonymity threshold of the dashboard: the surveys' default, so that a group too small for a
/// survey's results is too small for the dashboard too.
pub const THRESHOLD: i64 = anonymity::DEFAULT_THRESHOLD;

/// The filters a viewer may use.
pub async fn choices(state: &AppState, actor: &Actor) -> AppResult<Choices> {
    let scope = scope_of(state.db(), actor).await?;
    let stamp = data_stamp(state.db()).await?;
    let mut choices = (*scope_choices(state, actor, &scope, stamp).await?).clone();
    choices.scope = Some(scope);
    Ok(choices)
}

async fn scope_choices(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    stamp: i64,
) -> AppResult<Arc<Choices>> {
    let key = format!("{}|{stamp}", scope.key());
    if let Some(c) = state.dashboards().choices(&key) {
        return Ok(c);
    }
    let db = state.db();
    let group = Group::new(scope, None, None, 0);
    let teams: Vec<String> = match scope {
        Scope::Organisation => {
            sqlx::query_scalar("SELECT name FROM teams ORDER BY name_key")
                .fetch_all(db.pool())
                .await?
        }
        Scope::ReportingLine { .. } => {
            let sql = format!(
                "SELECT t.name FROM teams t WHERE t.id IN \
                 (SELECT u.team_id FROM users u WHERE u.active = 1 AND {}) ORDER BY t.name_key",
                group.condition
            );
            group
                .bind(sqlx::query(&sql))
                .fetch_all(db.pool())
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>(0))
                .collect::<Result<_, _>>()?
        }
    };
    let held_sql = format!(
        "SELECT DISTINCT u.track_key FROM users u \
         WHERE u.active = 1 AND u.track_key IS NOT NULL AND {}",
        group.condition
    );
    let held: Vec<String> = group
        .bind(sqlx::query(&held_sql))
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<_, _>>()?;
    let published = crate::architecture::framework::published(state, actor).await?;
    let mut tracks: Vec<(String, String)> = Vec::new();
    if let Some(p) = &published {
        for t in &p.framework.tracks {
            let key = t.key.as_str();
            if *scope == Scope::Organisation || held.iter().any(|h| h == key) {
                tracks.push((key.to_owned(), t.name.clone()));
            }
        }
    }
    let mut others: Vec<&String> = held
        .iter()
        .filter(|h| !tracks.iter().any(|(k, _)| k == *h))
        .collect();
    others.sort();
    tracks.extend(others.into_iter().map(|h| (h.clone(), h.clone())));
    let choices = Arc::new(Choices {
        scope: None,
        teams,
        tracks,
    });
    state.dashboards().put_choices(key, choices.clone());
    Ok(choices)
}

/// The newest audit event that may change a figure: every write records one, and sign-ins, which
/// change no figure but are the most frequent events of all, are skipped so that they do not make
/// every view compute the dashboard again.
const AUDIT_STAMP: &str =
    "SELECT id FROM audit_events WHERE action NOT LIKE 'session.%' ORDER BY id DESC LIMIT 1";

/// The marker of the directory's and the growth records' last change.
async fn data_stamp(db: &Db) -> AppResult<i64> {
    let stamp: Option<i64> = sqlx::query_scalar(AUDIT_STAMP)
        .fetch_optional(db.pool())
        .await?;
    Ok(stamp.unwrap_or(0))
}

/// The markers of the last change of the directory and growth records (see [`AUDIT_STAMP`]) and
/// of the surveys' answers, which are not audited so as to stay anonymous: the number of answers
/// of the closed surveys, the only ones whose answers the dashboard shows. Open surveys are left
/// out on purpose: a marker that moved with each answer would recompute the dashboard at the
/// moment someone answered, and that difference in time can be observed.
async fn stamps(db: &Db) -> AppResult<(i64, i64)> {
    let row = sqlx::query(&format!(
        "SELECT ({AUDIT_STAMP}) AS audit, \
                (SELECT CAST(COALESCE(SUM(responses), 0) AS BIGINT) FROM surveys \
                 WHERE closed_early = 1 OR closes_on < $1) AS answers"
    ))
    .bind(crate::domain::Day::today().to_string())
    .fetch_one(db.pool())
    .await?;
    Ok((
        row.try_get::<Option<i64>, _>("audit")?.unwrap_or(0),
        row.try_get::<Option<i64>, _>("answers")?.unwrap_or(0),
    ))
}

/// The filters checked against what the viewer may choose: the team's id and the track's name.
struct Checked {
    team: Option<(i64, String)>,
    track: Option<(String, String)>,
}

async fn check_filter(
    db: &Db,
    scope: &Scope,
    choices: &Choices,
    filter: &DashboardFilter,
) -> AppResult<Checked> {
    let mut errors = Vec::new();
    let mut team = None;
    if let Some(name) = &filter.team {
        if name.chars().count() > 200 {
            errors.push(field("team", "a team name has at most 200 characters"));
        } else {
            let row = sqlx::query("SELECT id, name FROM teams WHERE name_key = $1")
                .bind(name.to_lowercase())
                .fetch_optional(db.pool())
                .await?;
            match row {
                None => errors.push(field("team", format!("there is no team named “{name}”"))),
                Some(r) => {
                    let name: String = r.try_get("name")?;
                    if choices.teams.contains(&name) {
                        team = Some((r.try_get("id")?, name));
                    } else if matches!(scope, Scope::ReportingLine { .. }) {
                        errors.push(field(
                            "team",
                            format!(
                                "nobody in your reporting line is in team “{name}”: the dashboard shows only the people below you"
                            ),
                        ));
                    } else {
                        team = Some((r.try_get("id")?, name));
                    }
                }
            }
        }
    }
    let mut track = None;
    if let Some(key) = &filter.track {
        match choices.tracks.iter().find(|(k, _)| k == key) {
            Some((k, name)) => track = Some((k.clone(), name.clone())),
            None => errors.push(field(
                "track",
                match scope {
                    Scope::Organisation => format!("“{}” is not a track", shorten(key)),
                    Scope::ReportingLine { .. } => format!(
                        "nobody in your reporting line is on a track “{}”",
                        shorten(key)
                    ),
                },
            )),
        }
    }
    if errors.is_empty() {
        Ok(Checked { team, track })
    } else {
        Err(AppError::Invalid {
            title: errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
            errors,
        })
    }
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

/// A value typed into the address, cut short for a message.
fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// The dashboard of the group the actor may see, narrowed by the filter.
pub async fn dashboard(
    state: &AppState,
    actor: &Actor,
    filter: &DashboardFilter,
) -> AppResult<Dashboard> {
    let db = state.db();
    let scope = scope_of(db, actor).await?;
    let (stamp, answers) = stamps(db).await?;
    let choices = scope_choices(state, actor, &scope, stamp).await?;
    let checked = check_filter(db, &scope, &choices, filter).await?;
    let calendar = Calendar {
        today: time::OffsetDateTime::now_utc().date(),
    };
    let threshold = THRESHOLD;
    let key = format!(
        "{}|{}|{}|{}|{stamp}|{threshold}",
        scope.key(),
        checked.team.as_ref().map_or(0, |(id, _)| *id),
        checked.track.as_ref().map_or("", |(k, _)| k.as_str()),
        calendar.today()
    );
    let group = GroupSpec {
        scope: &scope,
        team_id: checked.team.as_ref().map(|(id, _)| *id),
        track: checked.track.as_ref().map(|(k, _)| k.as_str()),
    };
    let growth = match state.dashboards().growth(&key) {
        Some(g) => g,
        None => {
            let computed = compute_once(state, actor, &key, &group, calendar, threshold).await;
            state.dashboards().release_gate(&key);
            computed?
        }
    };
    let filtered = checked.team.is_some() || checked.track.is_some();
    if growth.people < threshold {
        return Err(small_group(&scope, filtered, threshold));
    }
    let pulse_key = format!("{key}|{answers}");
    let pulse = match state.dashboards().pulse(&pulse_key) {
        Some(p) => p,
        None => {
            let p = Arc::new(pulse(db, actor, &scope, &group).await?);
            state.dashboards().put_pulse(pulse_key.clone(), p.clone());
            p
        }
    };
    Ok(Dashboard {
        scope,
        team: checked.team.map(|(_, name)| name),
        track_name: checked.track.as_ref().map(|(_, n)| n.clone()),
        track: checked.track.map(|(k, _)| k),
        as_of: calendar.today(),
        threshold,
        people: growth.people,
        coverage: growth.coverage,
        participation: growth.participation,
        pilot: growth.pilot.clone(),
        moves: growth.moves.clone(),
        time_in_level: growth.time_in_level.clone(),
        attrition_by_track: growth.attrition_by_track.clone(),
        attrition_by_readiness: growth.attrition_by_readiness.clone(),
        pulse: pulse.points.clone(),
        pulse_note: pulse.note.clone(),
        key: pulse_key,
    })
}

/// The pulse part of a dashboard.
#[derive(Debug)]
struct Pulse {
    points: Vec<PulsePoint>,
    note: Option<String>,
}

/// The pulse trend of the group, from the surveys service, which applies the anonymity rules of
/// survey results. Admins ask about the team and track chosen; a manager about one of the teams
/// whose members all report to them (the surveys' rule), so without such a team there is a note
/// instead of a trend.
async fn pulse(db: &Db, actor: &Actor, scope: &Scope, group: &GroupSpec<'_>) -> AppResult<Pulse> {
    let filter = anonymity::Filter {
        team: group.team_id,
        track: group.track.map(str::to_owned),
        pilot: None,
    };
    if let Scope::ReportingLine { .. } = scope {
        let teams = surveys::result_teams(db, actor).await?;
        let allowed = group
            .team_id
            .is_some_and(|t| teams.iter().any(|(id, _)| *id == t));
        if !allowed {
            let names: Vec<&str> = teams.iter().map(|(_, n)| n.as_str()).collect();
            let note = match (group.team_id, names.is_empty()) {
                (_, true) => "Pulse results are shown to managers for teams whose members all \
                              report to them; none of your teams is one yet."
                    .to_owned(),
                (None, false) => format!(
                    "Pulse results are shown to managers one team at a time, for teams whose \
                     members all report to them: choose one of {} above.",
                    names.join(", ")
                ),
                (Some(_), false) => format!(
                    "Pulse results are shown to managers for teams whose members all report to \
                     them, and not everyone in this team does: choose one of {}.",
                    names.join(", ")
                ),
            };
            return Ok(Pulse {
                points: Vec::new(),
                note: Some(note),
            });
        }
    }
    match surveys::pulse_trend(db, actor, &filter).await {
        Ok(points) => Ok(Pulse { points, note: None }),
        Err(e @ (AppError::Forbidden | AppError::Invalid { .. })) => Ok(Pulse {
            points: Vec::new(),
            note: Some(e.public_message()),
        }),
        Err(e) => Err(e),
    }
}

/// Computes the figures of a key once however many viewers ask at the same time: the first
/// computes, the others wait for it and read what it kept.
async fn compute_once(
    state: &AppState,
    actor: &Actor,
    key: &str,
    group: &GroupSpec<'_>,
    calendar: Calendar,
    threshold: i64,
) -> AppResult<Arc<Growth>> {
    let gate = state.dashboards().gate(key);
    let _computing = gate.lock().await;
    if let Some(g) = state.dashboards().growth(key) {
        return Ok(g);
    }
    let g = Arc::new(compute(state, actor, group, calendar, threshold).await?);
    state.dashboards().put_growth(key.to_owned(), g.clone());
    Ok(g)
}

/// The refusal of a group too small to show.
fn small_group(scope: &Scope, filtered: bool, threshold: i64) -> AppError {
    let message = if filtered {
        format!(
            "fewer than {threshold} people match these filters, so their figures are not shown: \
             figures about so few people would point at individuals. Choose a wider filter."
        )
    } else {
        match scope {
            Scope::Organisation => format!(
                "fewer than {threshold} people are active in the organisation, so no figures are shown yet"
            ),
            Scope::ReportingLine { .. } => format!(
                "fewer than {threshold} people are in your reporting line, so its figures are not \
                 shown: figures about so few people would point at individuals"
            ),
        }
    };
    AppError::Invalid {
        title: message.clone(),
        errors: vec![field("", message)],
    }
}

/// The group a computation is about.
struct GroupSpec<'a> {
    scope: &'a Scope,
    team_id: Option<i64>,
    track: Option<&'a str>,
}

impl GroupSpec<'_> {
    fn sql(&self, first: usize) -> Group {
        Group::new(self.scope, self.team_id, self.track, first)
    }
}

/// The figures computed from the directory and the growth records, before the pulse is added.
#[derive(Debug)]
struct Growth {
    people: i64,
    coverage: Share,
    participation: Participation,
    pilot: Option<PilotComparison>,
    moves: Vec<QuarterMoves>,
    time_in_level: Vec<TimeInLevel>,
    attrition_by_track: Vec<Attrition>,
    attrition_by_readiness: Vec<Attrition>,
}

/// Coverage and participation of one side of the pilot.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    people: i64,
    positioned: i64,
    checked_in: i64,
    planning: i64,
    growth_talks: i64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.people += o.people;
        self.positioned += o.positioned;
        self.checked_in += o.checked_in;
        self.planning += o.planning;
        self.growth_talks += o.growth_talks;
    }

    fn participation(&self) -> Participation {
        Participation {
            check_in: Share::new(self.checked_in, self.people),
            plan: Share::new(self.planning, self.people),
            growth_one_on_one: Share::new(self.growth_talks, self.people),
        }
    }

    fn side(&self) -> PilotSide {
        PilotSide {
            people: self.people,
            coverage: Share::new(self.positioned, self.people),
            participation: self.participation(),
        }
    }
}

async fn compute(
    state: &AppState,
    actor: &Actor,
    group: &GroupSpec<'_>,
    calendar: Calendar,
    threshold: i64,
) -> AppResult<Growth> {
    let db = state.db();
    let (all, pilot_counts, rest_counts) = participation(db, group, calendar).await?;
    let pilot = if has_pilot_teams(db).await? {
        let audience = crate::rollout::pilot::audience(db).await?;
        let shown = pilot_counts.people >= threshold && rest_counts.people >= threshold;
        Some(PilotComparison {
            running: audience == crate::rollout::pilot::PILOT,
            pilot: shown.then(|| pilot_counts.side()),
            rest: shown.then(|| rest_counts.side()),
        })
    } else {
        None
    };
    let published = crate::architecture::framework::published(state, actor).await?;
    let track_name = |key: &str| -> String {
        published
            .as_ref()
            .and_then(|p| p.framework.track(key))
            .map_or_else(|| key.to_owned(), |t| t.name.clone())
    };
    let track_order = |key: &str| -> usize {
        published
            .as_ref()
            .and_then(|p| {
                p.framework
                    .tracks
                    .iter()
                    .position(|t| t.key.as_str() == key)
            })
            .unwrap_or(usize::MAX)
    };
    let moves = moves(db, group, calendar).await?;
    let mut time_in_level = time_in_level(db, group, calendar, threshold).await?;
    for t in &mut time_in_level {
        t.track_name = track_name(&t.track);
    }
    time_in_level.sort_by(|a, b| {
        (track_order(&a.track), &a.track_name).cmp(&(track_order(&b.track), &b.track_name))
    });
    let (mut by_track, by_readiness) = attrition(db, group, calendar, threshold).await?;
    for a in &mut by_track {
        if !a.group.is_empty() && a.group != SMALL_GROUPS {
            a.label = track_name(&a.group);
        }
    }
    by_track.sort_by_key(|a| {
        (
            a.group == SMALL_GROUPS,
            a.group.is_empty(),
            track_order(&a.group),
            a.label.clone(),
        )
    });
    Ok(Growth {
        people: all.people,
        coverage: Share::new(all.positioned, all.people),
        participation: all.participation(),
        pilot,
        moves,
        time_in_level,
        attrition_by_track: by_track,
        attrition_by_readiness: by_readiness,
    })
}

async fn has_pilot_teams(db: &Db) -> AppResult<bool> {
    let any: Option<i64> = sqlx::query_scalar("SELECT team_id FROM pilot_teams LIMIT 1")
        .fetch_optional(db.pool())
        .await?;
    Ok(any.is_some())
}

/// Coverage and participation of the active people in view: all of them, those in pilot teams
/// and the others. One statement of one aggregate per figure, each counting the people in view
/// who are in a set (people with a recent check-in, ...) computed once: written as `IN` in the
/// `WHERE` clause, which both engines run as a semi-join whatever the size of the set.
async fn participation(
    db: &Db,
    group: &GroupSpec<'_>,
    calendar: Calendar,
) -> AppResult<(Counts, Counts, Counts)> {
    let g = group.sql(4);
    let branch = |figure: &str, condition: &str| {
        format!(
            "SELECT '{figure}' AS figure, \
               CASE WHEN u.team_id IN (SELECT team_id FROM pilot_teams) THEN 1 ELSE 0 END AS pilot, \
               COUNT(*) AS n \
             FROM users u WHERE u.active = 1 AND {condition} AND {} GROUP BY 2",
            g.condition
        )
    };
    let sql = [
        branch("people", "1 = 1"),
        branch(
            "positioned",
            "u.track_key IS NOT NULL AND u.level_key IS NOT NULL",
        ),
        branch(
            "checked_in",
            "u.id IN (SELECT person_id FROM checkins WHERE agreed_on >= $2 \
                      UNION SELECT person_id FROM checkins \
                      WHERE status IN ('open', 'review') AND created_at >= $1)",
        ),
        branch(
            "planning",
            "u.id IN (SELECT person_id FROM goals WHERE status IN ('not_started', 'in_progress'))",
        ),
        branch(
            "growth_talks",
            "u.id IN (SELECT s.report_id FROM one_on_ones o \
                      JOIN one_on_one_series s ON s.id = o.series_id \
                      JOIN talking_points t ON t.meeting_id = o.id \
                      WHERE o.status = 'held' AND o.held_on >= $3 AND o.held_on <= $4 \
                        AND (t.goal_id IS NOT NULL OR t.competency_key IS NOT NULL))",
        ),
    ]
    .join(" UNION ALL ");
    let query = sqlx::query(&sql)
        .bind(Calendar::start_of(calendar.days_ago(CHECK_IN_DAYS)))
        .bind(Calendar::day(calendar.days_ago(CHECK_IN_DAYS)))
        .bind(Calendar::day(calendar.days_ago(GROWTH_ONE_ON_ONE_DAYS)))
        .bind(calendar.today());
    let rows = g.bind(query).fetch_all(db.pool()).await?;
    let (mut pilot, mut rest) = (Counts::default(), Counts::default());
    for r in rows {
        let figure: String = r.try_get("figure")?;
        let n: i64 = r.try_get("n")?;
        let side = if r.try_get::<i64, _>("pilot")? == 1 {
            &mut pilot
        } else {
            &mut rest
        };
        match figure.as_str() {
            "people" => side.people += n,
            "positioned" => side.positioned += n,
            "checked_in" => side.checked_in += n,
            "planning" => side.planning += n,
            _ => side.growth_talks += n,
        }
    }
    let mut all = pilot;
    all.add(&rest);
    Ok((all, pilot, rest))
}

/// A `SUM(...)` column, NULL when it summed no rows.
fn sum(r: &sqlx::any::AnyRow, column: &str) -> Result<i64, sqlx::Error> {
    Ok(r.try_get::<Option<i64>, _>(column)?.unwrap_or(0))
}

/// Promotions and lateral moves per quarter, from the position history of the people in view
/// (those who left included: they were promoted then).
async fn moves(db: &Db, group: &GroupSpec<'_>, calendar: Calendar) -> AppResult<Vec<QuarterMoves>> {
    let starts = calendar.quarter_starts();
    let Some(first) = starts.first().copied() else {
        return Ok(Vec::new());
    };
    let g = group.sql(2);
    let sql = format!(
        "SELECT substr(p.effective_on, 1, 7) AS month, p.kind, COUNT(*) AS n \
         FROM positions p JOIN users u ON u.id = p.user_id \
         WHERE p.kind IN ('promotion', 'lateral_move') AND p.effective_on >= $1 \
           AND p.effective_on <= $2 AND {} \
         GROUP BY substr(p.effective_on, 1, 7), p.kind",
        g.condition
    );
    let query = sqlx::query(&sql)
        .bind(Calendar::day(first))
        .bind(calendar.today());
    let rows = g.bind(query).fetch_all(db.pool()).await?;
    let mut out: Vec<QuarterMoves> = starts
        .iter()
        .map(|s| QuarterMoves {
            quarter: quarter_label(*s),
            starts_on: Calendar::day(*s),
            promotions: 0,
            lateral_moves: 0,
        })
        .collect();
    for r in rows {
        let month: String = r.try_get("month")?;
        let kind: String = r.try_get("kind")?;
        let n: i64 = r.try_get("n")?;
        let quarter = month
            .get(..4)
            .zip(month.get(5..7))
            .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u8>().ok()?)))
            .map(|(y, m)| format!("{y}-Q{}", (m.saturating_sub(1)) / 3 + 1));
        if let Some(q) = out
            .iter_mut()
            .find(|q| Some(&q.quarter) == quarter.as_ref())
        {
            if kind == "promotion" {
                q.promotions += n;
            } else {
                q.lateral_moves += n;
            }
        }
    }
    Ok(out)
}

/// Median days in the current level per track, for active people with a position. The query
/// sorts each track's people by the day their latest position took effect and returns only the
/// middle one or two (the same pair, in reverse, as the middle of the days since), so the median
/// is the mean of their days.
async fn time_in_level(
    db: &Db,
    group: &GroupSpec<'_>,
    calendar: Calendar,
    threshold: i64,
) -> AppResult<Vec<TimeInLevel>> {
    let g = group.sql(1);
    let sql = format!(
        "SELECT track_key, since, people FROM ( \
           SELECT u.track_key, p.since, \
             ROW_NUMBER() OVER (PARTITION BY u.track_key ORDER BY p.since) AS place, \
             COUNT(*) OVER (PARTITION BY u.track_key) AS people \
           FROM users u JOIN ( \
             SELECT user_id, MAX(effective_on) AS since FROM positions \
             WHERE effective_on <= $1 GROUP BY user_id \
           ) p ON p.user_id = u.id \
           WHERE u.active = 1 AND u.track_key IS NOT NULL AND u.level_key IS NOT NULL AND {} \
         ) t WHERE place = (people + 1) / 2 OR place = (people + 2) / 2",
        g.condition
    );
    let rows = g
        .bind(sqlx::query(&sql).bind(calendar.today()))
        .fetch_all(db.pool())
        .await?;
    let today = crate::domain::Day::parse(&calendar.today()).map_err(AppError::internal)?;
    // Per track: how many people, and the days of the middle one or two.
    let mut by_track: BTreeMap<String, (i64, Vec<i64>)> = BTreeMap::new();
    for r in rows {
        let track: String = r.try_get("track_key")?;
        let since: String = r.try_get("since")?;
        let people: i64 = r.try_get("people")?;
        let entry = by_track.entry(track).or_insert((people, Vec::new()));
        if let Ok(day) = crate::domain::Day::parse(&since) {
            entry.1.push(day.days_until(today));
        }
    }
    Ok(by_track
        .into_iter()
        .map(|(track, (people, middle))| {
            let shown = people >= threshold && !middle.is_empty();
            TimeInLevel {
                track_name: track.clone(),
                track,
                people: shown.then_some(people),
                median_days: shown.then(|| middle.iter().sum::<i64>() as f64 / middle.len() as f64),
            }
        })
        .collect())
}

/// The group name of the pooled small groups of a breakdown.
pub const SMALL_GROUPS: &str = "small";

/// The attrition counts of one group.
#[derive(Debug, Default, Clone, Copy)]
struct Turnover {
    members: i64,
    leavers: i64,
    at_start: i64,
    at_end: i64,
}

impl Turnover {
    fn add(&mut self, o: &Turnover) {
        self.members += o.members;
        self.leavers += o.leavers;
        self.at_start += o.at_start;
        self.at_end += o.at_end;
    }

    fn shown(&self, group: String, label: String) -> Attrition {
        let average = (self.at_start + self.at_end) as f64 / 2.0;
        Attrition {
            group,
            label,
            suppressed: false,
            leavers: Some(self.leavers),
            average_headcount: Some(average),
            rate: percent(self.leavers as f64, average),
        }
    }
}

/// Groups the turnover by key; groups of fewer members than the threshold are pooled into one row,
/// itself shown only when the pool reaches the threshold.
fn breakdown(
    groups: BTreeMap<String, Turnover>,
    label: impl Fn(&str) -> String,
    threshold: i64,
    pool_label: &str,
) -> Vec<Attrition> {
    let mut out = Vec::new();
    let mut pool = Turnover::default();
    let mut pooled = 0;
    for (key, t) in groups {
        if t.members >= threshold {
            let l = label(&key);
            out.push(t.shown(key, l));
        } else {
            pool.add(&t);
            pooled += 1;
        }
    }
    if pooled > 0 {
        if pool.members >= threshold {
            out.push(pool.shown(SMALL_GROUPS.into(), pool_label.into()));
        } else {
            out.push(Attrition {
                group: SMALL_GROUPS.into(),
                label: pool_label.into(),
                suppressed: true,
                leavers: None,
                average_headcount: None,
                rate: None,
            });
        }
    }
    out
}

/// Attrition over the last twelve months by track and by readiness status. A person counts in
/// the headcount a year ago when they had started by then and had not left; in today's when they
/// are active and have started. People marked as left without a leaving date are not counted.
async fn attrition(
    db: &Db,
    group: &GroupSpec<'_>,
    calendar: Calendar,
    threshold: i64,
) -> AppResult<(Vec<Attrition>, Vec<Attrition>)> {
    let g = group.sql(2);
    let sql = format!(
        "SELECT COALESCE(u.track_key, '') AS track, COALESCE(r.status, '') AS readiness, \
           COUNT(*) AS members, \
           SUM(CASE WHEN u.left_on > $1 AND u.left_on <= $2 THEN 1 ELSE 0 END) AS leavers, \
           SUM(CASE WHEN (u.start_date IS NULL OR u.start_date <= $1) \
                     AND ((u.active = 1 AND u.left_on IS NULL) OR u.left_on > $1) \
               THEN 1 ELSE 0 END) AS at_start, \
           SUM(CASE WHEN u.active = 1 AND (u.start_date IS NULL OR u.start_date <= $2) \
               THEN 1 ELSE 0 END) AS at_end \
         FROM users u LEFT JOIN readiness r ON r.person_id = u.id \
         WHERE (u.active = 1 OR u.left_on > $1) AND {} \
         GROUP BY COALESCE(u.track_key, ''), COALESCE(r.status, '')",
        g.condition
    );
    let query = sqlx::query(&sql)
        .bind(Calendar::day(calendar.days_ago(ATTRITION_DAYS)))
        .bind(calendar.today());
    let rows = g.bind(query).fetch_all(db.pool()).await?;
    let mut by_track: BTreeMap<String, Turnover> = BTreeMap::new();
    let mut by_readiness: BTreeMap<String, Turnover> = BTreeMap::new();
    for r in rows {
        let t = Turnover {
            members: r.try_get("members")?,
            leavers: sum(&r, "leavers")?,
            at_start: sum(&r, "at_start")?,
            at_end: sum(&r, "at_end")?,
        };
        by_track.entry(r.try_get("track")?).or_default().add(&t);
        by_readiness
            .entry(r.try_get("readiness")?)
            .or_default()
            .add(&t);
    }
    let tracks = breakdown(
        by_track,
        |key| {
            if key.is_empty() {
                "No position".into()
            } else {
                key.to_owned()
            }
        },
        threshold,
        &format!("Tracks of fewer than {threshold} people, together"),
    );
    let mut readiness_rows = breakdown(
        by_readiness,
        |key| match readiness::Status::parse(key) {
            Some(s) => s.label().to_owned(),
            None => "No readiness recorded".to_owned(),
        },
        threshold,
        &format!("Statuses of fewer than {threshold} people, together"),
    );
    let order = |group: &str| {
        readiness::Status::ALL
            .iter()
            .position(|s| s.as_str() == group)
            .unwrap_or(if group == SMALL_GROUPS {
                usize::MAX
            } else {
                usize::MAX - 1
            })
    };
    readiness_rows.sort_by_key(|a| order(&a.group));
    Ok((tracks, readiness_rows))
}

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

/// The columns of the CSV export.
pub const CSV_HEADER: [&str; 9] = [
    "metric", "series", "period", "value", "count", "total", "team", "track", "as_of",
];

/// Writes the rows; text a spreadsheet would run as a formula (a survey title, a team name)
/// starts with an apostrophe.
fn to_csv(d: &Dashboard) -> String {
    let mut rows: Vec<CsvRow> = Vec::new();
    let share = |metric: &'static str, series: &str, s: &Share| CsvRow {
        metric,
        series: series.to_owned(),
        period: String::new(),
        value: s.percent,
        count: Some(s.count),
        total: Some(s.total as f64),
    };
    rows.push(CsvRow {
        metric: "people",
        series: "all".into(),
        period: String::new(),
        value: Some(d.people as f64),
        count: Some(d.people),
        total: None,
    });
    rows.push(share("coverage", "all", &d.coverage));
    let participation = |rows: &mut Vec<CsvRow>, series: &str, p: &Participation| {
        rows.push(share("participation_check_in", series, &p.check_in));
        rows.push(share("participation_plan", series, &p.plan));
        rows.push(share(
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
                    rows.push(share("coverage", series, &s.coverage));
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
    for q in &d.moves {
        rows.push(CsvRow {
            metric: "promotions",
            series: "all".into(),
            period: q.quarter.clone(),
            value: Some(q.promotions as f64),
            count: Some(q.promotions),
            total: None,
        });
        rows.push(CsvRow {
            metric: "lateral_moves",
            series: "all".into(),
            period: q.quarter.clone(),
            value: Some(q.lateral_moves as f64),
            count: Some(q.lateral_moves),
            total: None,
        });
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
    let mut w = csv::Writer::from_writer(Vec::new());
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

/// Computed dashboards, by group, filters, day and data-change marker, so that repeated views do
/// not recompute them; and a gate per key so that many viewers arriving together compute once.
/// Bounded by bytes (each cache evicts its oldest entries past its budget). An entry is never stale,
/// only unused.
pub struct DashboardCache {
    growth: ByteCache<Arc<Growth>>,
    pulse: ByteCache<Arc<Pulse>>,
    rendered: ByteCache<Arc<str>>,
    choices: ByteCache<Arc<Choices>>,
    gates: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Default for DashboardCache {
    /// Each cache within [`budget::DASHBOARDS`] bytes.
    fn default() -> DashboardCache {
        DashboardCache {
            growth: ByteCache::new(budget::DASHBOARDS),
            pulse: ByteCache::new(budget::DASHBOARDS),
            rendered: ByteCache::new(budget::DASHBOARDS),
            choices: ByteCache::new(budget::DASHBOARDS),
            gates: Mutex::default(),
        }
    }
}

impl DashboardCache {
    fn growth(&self, key: &str) -> Option<Arc<Growth>> {
        self.growth.get(key)
    }

    fn put_growth(&self, key: String, value: Arc<Growth>) {
        let weight = weigh(&*value);
        self.growth.put(&key, value, weight);
    }

    fn pulse(&self, key: &str) -> Option<Arc<Pulse>> {
        self.pulse.get(key)
    }

    fn put_pulse(&self, key: String, value: Arc<Pulse>) {
        let weight = weigh(&*value);
        self.pulse.put(&key, value, weight);
    }

    /// A rendering of the figures kept under [`Dashboard::key`] (the page's figures as HTML), so
    /// that repeated views do not draw the same charts again.
    pub fn rendered(&self, key: &str) -> Option<Arc<str>> {
        self.rendered.get(key)
    }

    pub fn remember_rendered(&self, key: String, value: Arc<str>) {
        let weight = value.len();
        self.rendered.put(&key, value, weight);
    }

    fn choices(&self, key: &str) -> Option<Arc<Choices>> {
        self.choices.get(key)
    }

    fn put_choices(&self, key: String, value: Arc<Choices>) {
        let weight = weigh(&*value);
        self.choices.put(&key, value, weight);
    }

    /// The bytes the four caches hold.
    pub fn bytes(&self) -> usize {
        self.growth.bytes() + self.pulse.bytes() + self.rendered.bytes() + self.choices.bytes()
    }

    /// The gate of a key: whoever holds it computes, the others wait and then read the cache.
    fn gate(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        match self.gates.lock() {
            Ok(mut gates) => gates.entry(key.to_owned()).or_default().clone(),
            Err(_) => Arc::default(),
        }
    }

    /// Forgets a gate nobody waits at any more.
    fn release_gate(&self, key: &str) {
        if let Ok(mut gates) = self.gates.lock()
            && gates.get(key).is_some_and(|g| Arc::strong_count(g) == 1)
        {
            gates.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_run_back_from_the_current_one() {
        let c = Calendar {
            today: Date::from_calendar_date(2026, Month::February, 10).expect("a date"),
        };
        let labels: Vec<String> = c.quarter_starts().into_iter().map(quarter_label).collect();
        assert_eq!(
            labels,
            [
                "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4",
                "2026-Q1"
            ]
        );
        assert_eq!(Calendar::day(c.quarter_starts()[0]), "2024-04-01");
    }

    #[test]
    fn small_groups_of_a_breakdown_are_pooled_or_hidden() {
        let t = |members, leavers| Turnover {
            members,
            leavers,
            at_start: members,
            at_end: members - leavers,
        };
        let groups = BTreeMap::from([
            ("a".to_owned(), t(10, 2)),
            ("b".to_owned(), t(2, 1)),
            ("c".to_owned(), t(3, 0)),
        ]);
        let rows = breakdown(groups.clone(), str::to_owned, 5, "small ones");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].leavers, Some(2));
        assert_eq!(rows[0].average_headcount, Some(9.0));
        assert_eq!(rows[1].group, SMALL_GROUPS);
        assert_eq!(rows[1].leavers, Some(1), "2 + 3 people reach the threshold");
        let rows = breakdown(groups, str::to_owned, 6, "small ones");
        assert!(rows[1].suppressed && rows[1].leavers.is_none());
    }
}
