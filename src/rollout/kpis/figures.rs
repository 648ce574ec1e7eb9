//! The figures of a group, from the directory and the growth records: coverage and participation
//! (with the pilot comparison), promotions and lateral moves by quarter, time in level and
//! attrition. Each is one aggregate query over the whole group, never a query per person.

use std::collections::BTreeMap;

use time::{Date, Duration, Month};

use super::{
    ATTRITION_DAYS, Attrition, CHECK_IN_DAYS, GROWTH_ONE_ON_ONE_DAYS, Participation,
    PilotComparison, PilotSide, QUARTERS, QuarterMoves, SMALL_GROUPS, Scope, Share, TimeInLevel,
    percent,
};
use crate::auth::Actor;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::growth::readiness;
use crate::state::AppState;

/// A bind parameter of a query built from parts.
#[derive(Debug, Clone)]
enum Bind {
    Int(i64),
    Text(String),
}

/// The people in view as a condition on `users u`, with its parameters numbered after `first`
/// parameters the query binds itself.
pub(super) struct Group {
    pub(super) condition: String,
    binds: Vec<Bind>,
}

impl Group {
    pub(super) fn new(
        scope: &Scope,
        team_id: Option<i64>,
        track: Option<&str>,
        first: usize,
    ) -> Group {
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

    /// Binds the group's parameters to a query that reads rows.
    pub(super) fn bind<'q, O>(
        &self,
        mut query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
        for b in &self.binds {
            query = match b {
                Bind::Int(i) => query.bind(*i),
                Bind::Text(s) => query.bind(s.clone()),
            };
        }
        query
    }

    /// Binds the group's parameters to a query that reads one column.
    pub(super) fn bind_scalar<'q, O>(
        &self,
        mut query: sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
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
pub(super) struct Calendar {
    pub(super) today: Date,
}

impl Calendar {
    fn day(d: Date) -> String {
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }

    pub(super) fn today(&self) -> String {
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

/// The group a computation is about.
pub(super) struct GroupSpec<'a> {
    pub(super) scope: &'a Scope,
    pub(super) team_id: Option<i64>,
    pub(super) track: Option<&'a str>,
}

impl GroupSpec<'_> {
    fn sql(&self, first: usize) -> Group {
        Group::new(self.scope, self.team_id, self.track, first)
    }
}

/// The figures computed from the directory and the growth records, before the pulse is added.
#[derive(Debug)]
pub(super) struct Growth {
    pub(super) people: i64,
    pub(super) coverage: Share,
    pub(super) participation: Participation,
    pub(super) pilot: Option<PilotComparison>,
    pub(super) moves: Vec<QuarterMoves>,
    pub(super) time_in_level: Vec<TimeInLevel>,
    pub(super) attrition_by_track: Vec<Attrition>,
    pub(super) attrition_by_readiness: Vec<Attrition>,
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

pub(super) async fn compute(
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
    let query = sqlx::query_as::<_, FigureRow>(&sql)
        .bind(Calendar::start_of(calendar.days_ago(CHECK_IN_DAYS)))
        .bind(Calendar::day(calendar.days_ago(CHECK_IN_DAYS)))
        .bind(Calendar::day(calendar.days_ago(GROWTH_ONE_ON_ONE_DAYS)))
        .bind(calendar.today());
    let rows = g.bind(query).fetch_all(db.pool()).await?;
    let (mut pilot, mut rest) = (Counts::default(), Counts::default());
    for r in rows {
        let n = r.n;
        let side = if r.pilot == 1 { &mut pilot } else { &mut rest };
        match r.figure.as_str() {
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

/// How many people in view on one side of the pilot (`pilot` 1 in pilot teams) a figure counts.
#[derive(sqlx::FromRow)]
struct FigureRow {
    figure: String,
    pilot: i64,
    n: i64,
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
    let query = sqlx::query_as::<_, (String, String, i64)>(&sql)
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
    for (month, kind, n) in rows {
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
        .bind(sqlx::query_as::<_, (String, String, i64)>(&sql).bind(calendar.today()))
        .fetch_all(db.pool())
        .await?;
    let today = crate::domain::Day::parse(&calendar.today()).map_err(AppError::internal)?;
    // Per track: how many people, and the days of the middle one or two.
    let mut by_track: BTreeMap<String, (i64, Vec<i64>)> = BTreeMap::new();
    for (track, since, people) in rows {
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

/// The attrition counts of the people in view with one track and readiness status; the `SUM(...)`
/// columns are NULL when they summed no rows.
#[derive(sqlx::FromRow)]
struct TurnoverRow {
    track: String,
    readiness: String,
    members: i64,
    leavers: Option<i64>,
    at_start: Option<i64>,
    at_end: Option<i64>,
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
    let query = sqlx::query_as::<_, TurnoverRow>(&sql)
        .bind(Calendar::day(calendar.days_ago(ATTRITION_DAYS)))
        .bind(calendar.today());
    let rows = g.bind(query).fetch_all(db.pool()).await?;
    let mut by_track: BTreeMap<String, Turnover> = BTreeMap::new();
    let mut by_readiness: BTreeMap<String, Turnover> = BTreeMap::new();
    for r in rows {
        let t = Turnover {
            members: r.members,
            leavers: r.leavers.unwrap_or(0),
            at_start: r.at_start.unwrap_or(0),
            at_end: r.at_end.unwrap_or(0),
        };
        by_track.entry(r.track).or_default().add(&t);
        by_readiness.entry(r.readiness).or_default().add(&t);
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
