//! The directory as a list: filtered, paginated, with positions for those who may see them.

use std::sync::Arc;

use crate::auth::Actor;
use crate::auth::policy;
use crate::db::{Db, chain};
use crate::domain::Status;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

use super::{Position, position_names};

/// People per page of the directory.
pub const PAGE_SIZE: i64 = 50;

/// One line of the directory.
#[derive(Debug, Clone)]
pub struct PersonSummary {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub team: Option<String>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    pub status: Status,
    /// Shown only to those who may see it.
    pub position: Option<Position>,
}

/// Filters of the directory.
#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    /// Part of a name or email.
    pub search: Option<String>,
    pub team: Option<String>,
    pub manager: Option<i64>,
    /// With `manager`: everyone below that manager, not only direct reports.
    pub whole_chain: bool,
    pub track: Option<String>,
    pub level: Option<String>,
    pub status: Option<Status>,
    /// Only people without this: what the People team has to fill in.
    pub missing: Option<Missing>,
    /// From 1.
    pub page: i64,
}

/// The condition over `users u` of a person without a position.
pub const WITHOUT_POSITION: &str = "(u.track_key IS NULL OR u.level_key IS NULL)";

/// The condition over `users u` of a person without a manager. Someone who manages others heads
/// the organisation (or a part of it) and is not counted: every organisation has one at its top.
pub const WITHOUT_MANAGER: &str = "(u.manager_id IS NULL AND NOT EXISTS \
     (SELECT 1 FROM users r WHERE r.manager_id = u.id AND r.active = 1))";

/// What a person of the directory can lack that the People team records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// No track and level.
    Position,
    /// No manager.
    Manager,
}

impl Missing {
    pub fn parse(raw: &str) -> Option<Missing> {
        match raw.trim() {
            "position" => Some(Missing::Position),
            "manager" => Some(Missing::Manager),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Missing::Position => "position",
            Missing::Manager => "manager",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PeoplePage {
    pub people: Vec<PersonSummary>,
    pub page: i64,
    pub total: i64,
    pub pages: i64,
    /// Positions are shown: the viewer is an admin, or the list holds only their own chain.
    pub positions_shown: bool,
    /// Every team's name, for the filter.
    pub teams: Arc<Vec<String>>,
}

enum Bind {
    Int(i64),
    Text(String),
}

/// The conditions of a filter over `users u`, with their binds in order of their placeholders.
#[derive(Default)]
struct Where {
    conditions: Vec<String>,
    binds: Vec<Bind>,
}

impl Where {
    fn of(filter: &PeopleFilter) -> Where {
        let mut w = Where::default();
        if let Some(search) = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let pattern = format!("%{}%", search.to_lowercase().replace(['%', '_'], ""));
            let p1 = w.param(Bind::Text(pattern.clone()));
            let p2 = w.param(Bind::Text(pattern));
            w.conditions
                .push(format!("(u.name_key LIKE {p1} OR u.email LIKE {p2})"));
        }
        if let Some(team) = filter.team.as_deref().filter(|s| !s.is_empty()) {
            let p = w.param(Bind::Text(team.trim().to_lowercase()));
            w.conditions.push(format!(
                "u.team_id = (SELECT id FROM teams WHERE name_key = {p})"
            ));
        }
        if let Some(manager) = filter.manager {
            let p = w.param(Bind::Int(manager));
            w.conditions.push(if filter.whole_chain {
                format!("u.id IN {}", chain::below(&p))
            } else {
                format!("u.manager_id = {p}")
            });
        }
        if let Some(track) = &filter.track {
            let p = w.param(Bind::Text(track.clone()));
            w.conditions.push(format!("u.track_key = {p}"));
        }
        if let Some(level) = &filter.level {
            let p = w.param(Bind::Text(level.clone()));
            w.conditions.push(format!("u.level_key = {p}"));
        }
        if let Some(status) = filter.status {
            let p = w.param(Bind::Int(i64::from(status == Status::Active)));
            w.conditions.push(format!("u.active = {p}"));
        }
        match filter.missing {
            Some(Missing::Position) => w.conditions.push(WITHOUT_POSITION.to_owned()),
            Some(Missing::Manager) => w.conditions.push(WITHOUT_MANAGER.to_owned()),
            None => {}
        }
        w
    }

    fn param(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }

    /// `WHERE` and the conditions, or nothing without any.
    fn clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// The binds as text, to tell counts apart in the cache.
    fn key(&self) -> String {
        self.binds
            .iter()
            .map(|b| match b {
                Bind::Int(i) => i.to_string(),
                Bind::Text(s) => format!("{s:?}"),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn bind<'q, O>(
        &self,
        mut q: sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
        for b in &self.binds {
            q = match b {
                Bind::Int(i) => q.bind(*i),
                Bind::Text(s) => q.bind(s.clone()),
            };
        }
        q
    }

    fn bind_rows<'q, O>(
        &self,
        mut q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
        for b in &self.binds {
            q = match b {
                Bind::Int(i) => q.bind(*i),
                Bind::Text(s) => q.bind(s.clone()),
            };
        }
        q
    }
}

/// The directory, filtered and paginated.
pub async fn list(state: &AppState, actor: &Actor, filter: &PeopleFilter) -> AppResult<PeoplePage> {
    policy::read_directory(actor)?;
    let own_chain =
        filter.whole_chain && filter.manager.is_some() && filter.manager == actor.user_id;
    let positions_shown = policy::filter_people_by_position(actor, own_chain);
    if (filter.track.is_some()
        || filter.level.is_some()
        || filter.missing == Some(Missing::Position))
        && !positions_shown
    {
        return Err(AppError::Forbidden);
    }
    let filtered = Where::of(filter);
    // Counting a large directory takes milliseconds; the count is remembered until the next change,
    // which every change marks by writing an audit event.
    let generation: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM audit_events")
        .fetch_one(state.db().pool())
        .await?;
    let generation = generation.unwrap_or(0);
    let teams = team_names(state, generation).await?;
    let total = count(state, &filtered, generation).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = filter.page.clamp(1, pages);
    let rows_sql = format!(
        "SELECT u.id, u.name, u.email, u.active, u.track_key, u.level_key, u.manager_id, \
         t.name AS team, m.name AS manager_name \
         FROM users u LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN users m ON m.id = u.manager_id {} \
         ORDER BY u.name_key, u.id LIMIT {PAGE_SIZE} OFFSET {}",
        filtered.clause(),
        (page - 1) * PAGE_SIZE
    );
    let rows = filtered
        .bind_rows(sqlx::query_as::<_, SummaryRow>(&rows_sql))
        .fetch_all(state.db().pool())
        .await?;
    let published = crate::architecture::framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let people = rows
        .into_iter()
        .map(|r| r.summary(positions_shown, fw))
        .collect();
    Ok(PeoplePage {
        people,
        page,
        total,
        pages,
        positions_shown,
        teams,
    })
}

/// Every team's name, remembered until the next change.
async fn team_names(state: &AppState, generation: i64) -> AppResult<Arc<Vec<String>>> {
    if let Some(teams) = state.counts().teams(generation) {
        return Ok(teams);
    }
    let teams: Arc<Vec<String>> = Arc::new(
        sqlx::query_scalar("SELECT name FROM teams ORDER BY name_key")
            .fetch_all(state.db().pool())
            .await?,
    );
    state.counts().put_teams(generation, teams.clone());
    Ok(teams)
}

/// How many people the filter finds, remembered until the next change.
async fn count(state: &AppState, filtered: &Where, generation: i64) -> AppResult<i64> {
    let count_sql = format!("SELECT COUNT(*) FROM users u {}", filtered.clause());
    let count_key = format!("{generation} {count_sql} {}", filtered.key());
    if let Some(total) = state.counts().get(&count_key) {
        return Ok(total);
    }
    let total = filtered
        .bind(sqlx::query_scalar::<_, i64>(&count_sql))
        .fetch_one(state.db().pool())
        .await?;
    state.counts().put(count_key, total);
    Ok(total)
}

/// A row of the list's query: a person with their team's and manager's names.
#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    name: String,
    email: String,
    active: i64,
    track_key: Option<String>,
    level_key: Option<String>,
    manager_id: Option<i64>,
    team: Option<String>,
    manager_name: Option<String>,
}

impl SummaryRow {
    /// The line of the directory, with the position when positions are shown.
    fn summary(
        self,
        positions_shown: bool,
        fw: Option<&trellis_framework::Framework>,
    ) -> PersonSummary {
        PersonSummary {
            id: self.id,
            name: self.name,
            email: self.email,
            team: self.team,
            manager_id: self.manager_id,
            manager_name: self.manager_name,
            status: if self.active == 1 {
                Status::Active
            } else {
                Status::Left
            },
            position: match (positions_shown, self.track_key, self.level_key) {
                (true, Some(t), Some(l)) => Some(position_names(fw, &t, &l)),
                _ => None,
            },
        }
    }
}

/// The teams, by name.
pub async fn teams(db: &Db, actor: &Actor) -> AppResult<Vec<String>> {
    policy::read_directory(actor)?;
    Ok(
        sqlx::query_scalar("SELECT name FROM teams ORDER BY name_key")
            .fetch_all(db.pool())
            .await?,
    )
}
