//! Reading rounds: the list with each round's progress, and one round with its people.

use std::collections::HashMap;

use trellis_framework::Framework;

use super::{
    PEOPLE_SHOWN, ROUND_CHECKIN, RoundProgress, RoundState, STATE_SQL, chain_sql, follower,
    hidden_round, limited_to, manages_people,
};
use crate::architecture::framework;
use crate::auth::Actor;
use crate::auth::policy;
use crate::db::Db;
use crate::domain::Day;
use crate::error::AppResult;
use crate::rollout::pilot;
use crate::state::AppState;

/// A round as the lists show it.
#[derive(Debug, Clone)]
pub struct RoundSummary {
    pub id: i64,
    pub name: String,
    /// `YYYY-MM-DD`: the day check-ins should be agreed by.
    pub due_on: String,
    /// `everyone`, `track` or `line`.
    pub scope: String,
    pub track: Option<String>,
    pub manager_id: Option<i64>,
    /// Who it asks, in words: "Everyone", "The Software Engineering track", "Mia Chen's reporting
    /// line".
    pub scope_label: String,
    pub started_by_name: Option<String>,
    /// Seconds since the Unix epoch.
    pub started_at: i64,
    /// Seconds since the Unix epoch; absent while the round runs.
    pub closed_at: Option<i64>,
    /// Running and past its due date.
    pub overdue: bool,
    /// Counts of the people the viewer may see.
    pub progress: RoundProgress,
}

impl RoundSummary {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

/// One person of a round.
#[derive(Debug, Clone)]
pub struct RoundPerson {
    pub id: i64,
    pub name: String,
    pub manager_name: Option<String>,
    pub state: RoundState,
    /// The check-in that counts for the round, if any.
    pub checkin_id: Option<i64>,
    /// Where to act: the check-in, or the person's check-ins to start one.
    pub href: String,
}

/// A round with its progress and the people the viewer may see.
#[derive(Debug, Clone)]
pub struct Round {
    pub summary: RoundSummary,
    /// In name order, only those at the state asked for when filtered; at most [`PEOPLE_SHOWN`].
    pub people: Vec<RoundPerson>,
    /// More people match than `people` lists.
    pub truncated: bool,
    /// The viewer may close the round.
    pub may_close: bool,
}

/// The rounds the actor may see, running ones first, then the newest; each with the counts of the
/// people the actor may see.
pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<RoundSummary>> {
    follower(state, actor).await?;
    let limit = limited_to(actor);
    let db = state.db();
    let counts = counts(db, None, limit).await?;
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let rows = sqlx::query_as::<_, SummaryRow>(&format!("{SUMMARY_SQL} ORDER BY r.id DESC"))
        .fetch_all(db.pool())
        .await?;
    let today = Day::today().to_string();
    let mut rounds = Vec::new();
    for r in rows {
        let progress = counts.get(&r.id).copied();
        // A manager sees the rounds covering someone below them, and those they started.
        if limit.is_some()
            && progress.is_none()
            && (r.started_by.is_none() || r.started_by != limit)
        {
            continue;
        }
        rounds.push(r.into_summary(fw, &today, progress.unwrap_or_default()));
    }
    rounds.sort_by_key(|r| !r.is_open());
    Ok(rounds)
}

/// The columns of a round as [`SummaryRow`] reads them, with the names of its manager `m` (for a
/// reporting line) and of who started it `s`.
const SUMMARY_SQL: &str = "SELECT r.id, r.name, r.due_on, r.scope, r.track_key, r.manager_id, \
     m.name AS manager_name, r.started_by, s.name AS started_by_name, r.created_at, r.closed_at \
     FROM checkin_rounds r LEFT JOIN users m ON m.id = r.manager_id \
     LEFT JOIN users s ON s.id = r.started_by";

/// A round of [`SUMMARY_SQL`].
#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    name: String,
    due_on: String,
    scope: String,
    track_key: Option<String>,
    manager_id: Option<i64>,
    manager_name: Option<String>,
    started_by: Option<i64>,
    started_by_name: Option<String>,
    created_at: i64,
    closed_at: Option<i64>,
}

impl SummaryRow {
    /// The round as the lists show it, who it asks said in words.
    fn into_summary(
        self,
        fw: Option<&Framework>,
        today: &str,
        progress: RoundProgress,
    ) -> RoundSummary {
        let scope_label = match self.scope.as_str() {
            "track" => {
                let key = self.track_key.clone().unwrap_or_default();
                let name = fw
                    .and_then(|f| f.track(&key))
                    .map_or(key, |t| t.name.clone());
                format!("The {name} track")
            }
            "line" => format!(
                "{}'s reporting line",
                self.manager_name
                    .unwrap_or_else(|| "A former manager".to_owned())
            ),
            _ => "Everyone".to_owned(),
        };
        RoundSummary {
            id: self.id,
            name: self.name,
            overdue: self.closed_at.is_none() && self.due_on.as_str() < today,
            due_on: self.due_on,
            scope: self.scope,
            track: self.track_key,
            manager_id: self.manager_id,
            scope_label,
            started_by_name: self.started_by_name,
            started_at: self.created_at,
            closed_at: self.closed_at,
            progress,
        }
    }
}

/// How many people of a round are at a state.
#[derive(sqlx::FromRow)]
struct CountRow {
    round_id: i64,
    state: String,
    n: i64,
}

/// The counts per round (or of one round), of everyone or of those below `limit`.
async fn counts(
    db: &Db,
    round: Option<i64>,
    limit: Option<i64>,
) -> AppResult<HashMap<i64, RoundProgress>> {
    let mut conditions = Vec::new();
    let mut binds = Vec::new();
    if let Some(id) = round {
        binds.push(id);
        conditions.push(format!("rp.round_id = ${}", binds.len()));
    }
    if let Some(me) = limit {
        binds.push(me);
        conditions.push(format!("rp.person_id IN {}", chain_sql(binds.len())));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT round_id, state, COUNT(*) AS n FROM (SELECT rp.round_id, {STATE_SQL} AS state \
         FROM checkin_round_people rp JOIN checkin_rounds r ON r.id = rp.round_id {ROUND_CHECKIN} \
         {filter}) x GROUP BY round_id, state"
    );
    let mut query = sqlx::query_as::<_, CountRow>(&sql);
    for b in binds {
        query = query.bind(b);
    }
    let mut found: HashMap<i64, RoundProgress> = Default::default();
    for r in query.fetch_all(db.pool()).await? {
        if let Some(state) = RoundState::parse(&r.state) {
            found.entry(r.round_id).or_default().add(state, r.n);
        }
    }
    Ok(found)
}

/// A round with its people (those at `only`, when given); 404 for a round the actor may not see.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    id: i64,
    only: Option<RoundState>,
) -> AppResult<Round> {
    policy::use_checkins(actor)?;
    let manages = manages_people(state.db(), actor).await?;
    if policy::follow_checkin_rounds(actor, manages).is_err() {
        return Err(hidden_round());
    }
    pilot::require_grow(state.db(), actor).await?;
    let db = state.db();
    let limit = limited_to(actor);
    let row = sqlx::query_as::<_, SummaryRow>(&format!("{SUMMARY_SQL} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(hidden_round)?;
    let started_by = row.started_by;
    let progress = counts(db, Some(id), limit).await?.remove(&id);
    if limit.is_some() && progress.is_none() && (started_by.is_none() || started_by != limit) {
        return Err(hidden_round());
    }
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let summary = row.into_summary(fw, &Day::today().to_string(), progress.unwrap_or_default());
    let (people, truncated) = people_of(db, id, limit, only).await?;
    Ok(Round {
        may_close: summary.is_open() && policy::close_checkin_round(actor, started_by).is_ok(),
        summary,
        people,
        truncated,
    })
}

/// A person of a round, with their manager's name, the check-in that counts for the round and
/// their state.
#[derive(sqlx::FromRow)]
struct PersonRow {
    id: i64,
    name: String,
    manager_name: Option<String>,
    checkin_id: Option<i64>,
    state: String,
}

impl PersonRow {
    fn into_person(self) -> RoundPerson {
        let person = self.id;
        RoundPerson {
            id: person,
            name: self.name,
            manager_name: self.manager_name,
            state: RoundState::parse(&self.state).unwrap_or(RoundState::NotStarted),
            href: self.checkin_id.map_or_else(
                || format!("/people/{person}/checkins"),
                |c| format!("/checkins/{c}"),
            ),
            checkin_id: self.checkin_id,
        }
    }
}

/// The people of a round by name, everyone or those below `limit`, those at `only` when given;
/// at most [`PEOPLE_SHOWN`], and whether more match.
async fn people_of(
    db: &Db,
    id: i64,
    limit: Option<i64>,
    only: Option<RoundState>,
) -> AppResult<(Vec<RoundPerson>, bool)> {
    let limit_sql = match limit {
        Some(_) => format!("AND rp.person_id IN {}", chain_sql(2)),
        None => String::new(),
    };
    // The state asked for is bound after the round and the viewer.
    let only_sql = match only {
        Some(_) => format!("AND {STATE_SQL} = ${}", if limit.is_some() { 3 } else { 2 }),
        None => String::new(),
    };
    let sql = format!(
        "SELECT u.id, u.name, m.name AS manager_name, c.id AS checkin_id, {STATE_SQL} AS state \
         FROM checkin_round_people rp JOIN checkin_rounds r ON r.id = rp.round_id \
         JOIN users u ON u.id = rp.person_id LEFT JOIN users m ON m.id = u.manager_id \
         {ROUND_CHECKIN} WHERE rp.round_id = $1 {limit_sql} {only_sql} \
         ORDER BY u.name_key, u.id LIMIT {}",
        PEOPLE_SHOWN + 1
    );
    let mut query = sqlx::query_as::<_, PersonRow>(&sql).bind(id);
    if let Some(me) = limit {
        query = query.bind(me);
    }
    if let Some(s) = only {
        query = query.bind(s.as_str());
    }
    let rows = query.fetch_all(db.pool()).await?;
    let truncated = rows.len() > PEOPLE_SHOWN;
    let people = rows
        .into_iter()
        .take(PEOPLE_SHOWN)
        .map(PersonRow::into_person)
        .collect();
    Ok((people, truncated))
}
