//! The people directory: who works here, in which team, for which manager, and in which position
//! (track and level), with the history of positions. Everyone signed in reads the directory; a
//! person's position and its history are private to them, their management chain and admins.
//!
//! The writes take a transaction (`write_person`, `write_position`) so that a whole CSV file or a
//! SCIM request lands in one transaction; the public functions open it for a single change.

use std::sync::Arc;

use serde::Serialize;
use sqlx::Row;
use trellis_framework::Framework;

use crate::audit;
use crate::auth::policy::{self, Relation};
use crate::auth::{Actor, Role};
use crate::db::{Db, Tx, chain, now};
use crate::domain::{Day, Email, PositionKind, Status};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

/// People per page of the directory.
pub const PAGE_SIZE: i64 = 50;

/// A position: a level of a track, with the names people read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Position {
    pub track: String,
    pub level: String,
    /// The track's name in the published framework, or its key when it is not there any more.
    pub track_name: String,
    pub level_title: String,
}

/// One line of the directory.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub position: Position,
    pub effective_on: String,
    pub kind: PositionKind,
    pub note: Option<String>,
}

/// What only the person, their management chain and admins see.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PrivateRecord {
    pub position: Option<Position>,
    /// When the current position started.
    pub since: Option<String>,
    pub days_in_level: Option<i64>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
}

/// A person's page. Colleagues see what the directory shows of everyone (name, email, team,
/// manager, status, reports); the employee id, dates and role are for the person, their management
/// chain and admins, and absent for everyone else.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonRecord {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// Absent when the viewer may not see it.
    pub employee_id: Option<String>,
    pub team: Option<String>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    pub manager_email: Option<String>,
    /// Absent when the viewer may not see it.
    pub start_date: Option<String>,
    pub status: Status,
    /// Absent when the viewer may not see it.
    pub left_on: Option<String>,
    /// Absent when the viewer may not see it.
    pub role: Option<Role>,
    /// Direct reports, by name.
    pub reports: Vec<(i64, String)>,
    /// Absent when the viewer may not see it.
    pub private: Option<PrivateRecord>,
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeoplePage {
    pub people: Vec<PersonSummary>,
    pub page: i64,
    pub total: i64,
    pub pages: i64,
    /// Positions are shown: the viewer is an admin, or the list holds only their own chain.
    pub positions_shown: bool,
    /// Every team's name, for the filter.
    #[serde(skip)]
    pub teams: Arc<Vec<String>>,
}

/// The names of a position in the framework people read.
pub fn position_names(fw: Option<&Framework>, track: &str, level: &str) -> Position {
    let t = fw.and_then(|f| f.track(track));
    Position {
        track: track.to_owned(),
        level: level.to_owned(),
        track_name: t.map_or_else(|| track.to_owned(), |t| t.name.clone()),
        level_title: t
            .and_then(|t| t.level(level))
            .map_or_else(|| level.to_owned(), |l| l.title.clone()),
    }
}

/// How the actor stands to the person: themselves, above them in the management chain, or neither.
pub async fn relation(db: &Db, actor: &Actor, person: i64) -> AppResult<Relation> {
    let Some(me) = actor.user_id else {
        return Ok(Relation::Other);
    };
    if me == person {
        return Ok(Relation::Myself);
    }
    let above: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM users WHERE id = $2 AND id IN {}",
        chain::above("$1")
    ))
    .bind(person)
    .bind(me)
    .fetch_optional(db.pool())
    .await?;
    Ok(if above.is_some() {
        Relation::InManagementChain
    } else {
        Relation::Other
    })
}

enum Bind {
    Int(i64),
    Text(String),
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
    let mut conditions: Vec<String> = Vec::new();
    let mut binds: Vec<Bind> = Vec::new();
    let param = |b: Bind, binds: &mut Vec<Bind>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let pattern = format!("%{}%", search.to_lowercase().replace(['%', '_'], ""));
        let p1 = param(Bind::Text(pattern.clone()), &mut binds);
        let p2 = param(Bind::Text(pattern), &mut binds);
        conditions.push(format!("(u.name_key LIKE {p1} OR u.email LIKE {p2})"));
    }
    if let Some(team) = filter.team.as_deref().filter(|s| !s.is_empty()) {
        let p = param(Bind::Text(team.trim().to_lowercase()), &mut binds);
        conditions.push(format!(
            "u.team_id = (SELECT id FROM teams WHERE name_key = {p})"
        ));
    }
    if let Some(manager) = filter.manager {
        let p = param(Bind::Int(manager), &mut binds);
        if filter.whole_chain {
            conditions.push(format!("u.id IN {}", chain::below(&p)));
        } else {
            conditions.push(format!("u.manager_id = {p}"));
        }
    }
    if let Some(track) = &filter.track {
        let p = param(Bind::Text(track.clone()), &mut binds);
        conditions.push(format!("u.track_key = {p}"));
    }
    if let Some(level) = &filter.level {
        let p = param(Bind::Text(level.clone()), &mut binds);
        conditions.push(format!("u.level_key = {p}"));
    }
    if let Some(status) = filter.status {
        let p = param(Bind::Int(i64::from(status == Status::Active)), &mut binds);
        conditions.push(format!("u.active = {p}"));
    }
    match filter.missing {
        Some(Missing::Position) => conditions.push(WITHOUT_POSITION.to_owned()),
        Some(Missing::Manager) => conditions.push(WITHOUT_MANAGER.to_owned()),
        None => {}
    }
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let count_sql = format!("SELECT COUNT(*) FROM users u {where_clause}");
    // Counting a large directory takes milliseconds; the count is remembered until the next change,
    // which every change marks by writing an audit event.
    let generation: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM audit_events")
        .fetch_one(state.db().pool())
        .await?;
    let generation = generation.unwrap_or(0);
    let teams = match state.counts().teams(generation) {
        Some(teams) => teams,
        None => {
            let teams: Arc<Vec<String>> = Arc::new(
                sqlx::query_scalar("SELECT name FROM teams ORDER BY name_key")
                    .fetch_all(state.db().pool())
                    .await?,
            );
            state.counts().put_teams(generation, teams.clone());
            teams
        }
    };
    let count_key = format!(
        "{generation} {count_sql} {}",
        binds
            .iter()
            .map(|b| match b {
                Bind::Int(i) => i.to_string(),
                Bind::Text(s) => format!("{s:?}"),
            })
            .collect::<Vec<_>>()
            .join(" ")
    );
    let total = match state.counts().get(&count_key) {
        Some(total) => total,
        None => {
            let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
            for b in &binds {
                count = match b {
                    Bind::Int(i) => count.bind(*i),
                    Bind::Text(s) => count.bind(s.clone()),
                };
            }
            let total = count.fetch_one(state.db().pool()).await?;
            state.counts().put(count_key, total);
            total
        }
    };
    let from = format!(
        "FROM users u LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN users m ON m.id = u.manager_id {where_clause}"
    );
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = filter.page.clamp(1, pages);
    let rows_sql = format!(
        "SELECT u.id, u.name, u.email, u.active, u.track_key, u.level_key, u.manager_id, \
         t.name AS team, m.name AS manager_name {from} ORDER BY u.name_key, u.id LIMIT {PAGE_SIZE} OFFSET {}",
        (page - 1) * PAGE_SIZE
    );
    let mut rows = sqlx::query(&rows_sql);
    for b in &binds {
        rows = match b {
            Bind::Int(i) => rows.bind(*i),
            Bind::Text(s) => rows.bind(s.clone()),
        };
    }
    let rows = rows.fetch_all(state.db().pool()).await?;
    let published = crate::architecture::framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let people = rows
        .iter()
        .map(|r| {
            let track: Option<String> = r.try_get("track_key")?;
            let level: Option<String> = r.try_get("level_key")?;
            let active: i64 = r.try_get("active")?;
            Ok(PersonSummary {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                team: r.try_get("team")?,
                manager_id: r.try_get("manager_id")?,
                manager_name: r.try_get("manager_name")?,
                status: if active == 1 {
                    Status::Active
                } else {
                    Status::Left
                },
                position: match (positions_shown, track, level) {
                    (true, Some(t), Some(l)) => Some(position_names(fw, &t, &l)),
                    _ => None,
                },
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(PeoplePage {
        people,
        page,
        total,
        pages,
        positions_shown,
        teams,
    })
}

/// A person's page: the directory record for everyone, the private record for those who may see it.
pub async fn person(state: &AppState, actor: &Actor, id: i64) -> AppResult<PersonRecord> {
    policy::read_directory(actor)?;
    let db = state.db();
    let row = sqlx::query(
        "SELECT u.id, u.name, u.email, u.employee_id, u.role, u.active, u.start_date, u.left_on, \
         u.track_key, u.level_key, u.manager_id, t.name AS team, m.name AS manager_name, \
         m.email AS manager_email \
         FROM users u LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN users m ON m.id = u.manager_id \
         WHERE u.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found("this person"))?;
    let reports = sqlx::query(
        "SELECT id, name FROM users WHERE manager_id = $1 AND active = 1 ORDER BY name_key, id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
    .collect::<Result<Vec<(i64, String)>, sqlx::Error>>()?;
    let relation = relation(db, actor, id).await?;
    let sees_private = policy::see_private(actor, relation);
    let private = if sees_private {
        let published = crate::architecture::framework::published(state, actor).await?;
        let fw = published.as_ref().map(|p| &p.framework);
        let track: Option<String> = row.try_get("track_key")?;
        let level: Option<String> = row.try_get("level_key")?;
        let history = history(db, fw, id).await?;
        let since = history.first().map(|h| h.effective_on.clone());
        let days_in_level = since
            .as_deref()
            .and_then(|s| Day::parse(s).ok())
            .map(|d| d.days_until(Day::today()));
        Some(PrivateRecord {
            position: match (track, level) {
                (Some(t), Some(l)) => Some(position_names(fw, &t, &l)),
                _ => None,
            },
            since,
            days_in_level,
            history,
        })
    } else {
        None
    };
    let role: String = row.try_get("role")?;
    let active: i64 = row.try_get("active")?;
    let employee_id: Option<String> = row.try_get("employee_id")?;
    let start_date: Option<String> = row.try_get("start_date")?;
    let left_on: Option<String> = row.try_get("left_on")?;
    Ok(PersonRecord {
        id,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        employee_id: employee_id.filter(|_| sees_private),
        team: row.try_get("team")?,
        manager_id: row.try_get("manager_id")?,
        manager_name: row.try_get("manager_name")?,
        manager_email: row.try_get("manager_email")?,
        start_date: start_date.filter(|_| sees_private),
        status: if active == 1 {
            Status::Active
        } else {
            Status::Left
        },
        left_on: left_on.filter(|_| sees_private),
        role: Some(Role::parse(&role).unwrap_or(Role::Employee)).filter(|_| sees_private),
        reports,
        private,
    })
}

async fn history(db: &Db, fw: Option<&Framework>, id: i64) -> AppResult<Vec<HistoryEntry>> {
    let rows = sqlx::query(
        "SELECT track_key, level_key, effective_on, kind, note FROM positions WHERE user_id = $1 \
         ORDER BY effective_on DESC, id DESC",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let track: String = r.try_get("track_key")?;
            let level: String = r.try_get("level_key")?;
            let kind: String = r.try_get("kind")?;
            Ok(HistoryEntry {
                position: position_names(fw, &track, &level),
                effective_on: r.try_get("effective_on")?,
                kind: PositionKind::parse(&kind).unwrap_or(PositionKind::Correction),
                note: r.try_get("note")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The position history of a person, for those who may see it; a 404 for everyone else, so that
/// nobody learns more than the directory shows.
pub async fn positions(state: &AppState, actor: &Actor, id: i64) -> AppResult<Vec<HistoryEntry>> {
    let record = person(state, actor, id).await?;
    record
        .private
        .map(|p| p.history)
        .ok_or_else(|| AppError::not_found("No positions were found for this person."))
}

/// A person's details as typed in a form, a CSV row or a SCIM request, before checking.
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    pub email: String,
    pub name: String,
    pub employee_id: String,
    pub team: String,
    pub manager_email: String,
    pub start_date: String,
    pub status: String,
    pub left_on: String,
}

/// A person's details, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFields {
    pub email: Email,
    pub name: String,
    pub employee_id: Option<String>,
    pub team: Option<String>,
    pub manager: Option<Email>,
    pub start_date: Option<Day>,
    pub status: Status,
    pub left_on: Option<Day>,
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl PersonInput {
    /// Checks every field and reports every mistake at once.
    pub fn check(&self) -> Result<PersonFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let email = Email::parse(&self.email)
            .map_err(|m| errors.push(field("email", m)))
            .ok();
        let manager = match non_empty(&self.manager_email) {
            None => None,
            Some(m) => Email::parse(&m)
                .map_err(|msg| errors.push(field("manager_email", msg)))
                .ok(),
        };
        if manager.is_some() && manager == email {
            errors.push(field(
                "manager_email",
                "a person cannot be their own manager",
            ));
        }
        let day = |name: &str, raw: &str, errors: &mut Vec<FieldError>| match non_empty(raw) {
            None => None,
            Some(s) => Day::parse(&s).map_err(|m| errors.push(field(name, m))).ok(),
        };
        let start_date = day("start_date", &self.start_date, &mut errors);
        let left_on = day("left_on", &self.left_on, &mut errors);
        let status = match non_empty(&self.status) {
            None if left_on.is_some() => Status::Left,
            None => Status::Active,
            Some(s) => Status::parse(&s).unwrap_or_else(|| {
                errors.push(field(
                    "status",
                    format!("“{s}” is not a status: use active or left"),
                ));
                Status::Active
            }),
        };
        if let (Some(start), Some(left)) = (start_date, left_on)
            && left < start
        {
            errors.push(field(
                "left_on",
                "the leaving date is before the start date",
            ));
        }
        let name = self.name.trim();
        if name.chars().count() > 200 {
            errors.push(field("name", "a name has at most 200 characters"));
        }
        match (email, errors.is_empty()) {
            (Some(email), true) => Ok(PersonFields {
                name: if name.is_empty() {
                    email
                        .as_str()
                        .split('@')
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                } else {
                    name.to_owned()
                },
                email,
                employee_id: non_empty(&self.employee_id),
                team: non_empty(&self.team),
                manager,
                start_date,
                status,
                left_on: if status == Status::Left {
                    left_on.or(Some(Day::today()))
                } else {
                    left_on
                },
            }),
            _ => Err(errors),
        }
    }
}

fn invalid(errors: Vec<FieldError>) -> AppError {
    AppError::invalid_fields(errors, "the details are not valid")
}

/// The id of the team with this name, created when it does not exist yet.
async fn team_id(tx: &mut Tx, name: &str) -> AppResult<i64> {
    let key = name.trim().to_lowercase();
    if let Some(id) = sqlx::query_scalar::<_, i64>("SELECT id FROM teams WHERE name_key = $1")
        .bind(&key)
        .fetch_optional(&mut **tx)
        .await?
    {
        return Ok(id);
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO teams (name, name_key, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name.trim())
    .bind(&key)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?)
}

/// Whether making `manager` the manager of `person` would close a loop.
async fn creates_cycle(tx: &mut Tx, person: i64, manager: i64) -> AppResult<bool> {
    if person == manager {
        return Ok(true);
    }
    // A loop: the person is above their new manager already.
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM users WHERE id = $2 AND id IN {}",
        chain::above("$1")
    ))
    .bind(manager)
    .bind(person)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}

/// Creates or updates (by email) one person inside a transaction, with its audit event. Returns the
/// person's id and whether they were created.
pub async fn write_person(
    tx: &mut Tx,
    actor: &Actor,
    fields: &PersonFields,
) -> AppResult<(i64, bool)> {
    policy::manage_people(actor).or_else(|_| policy::provision(actor))?;
    let existing = sqlx::query(
        "SELECT id, name, employee_id, team_id, manager_id, start_date, active, left_on FROM users WHERE email = $1",
    )
    .bind(fields.email.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let manager_id = match &fields.manager {
        None => None,
        Some(m) => Some(
            sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = $1")
                .bind(m.as_str())
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| {
                    invalid(vec![field(
                        "manager_email",
                        format!("there is nobody with the email {m}"),
                    )])
                })?,
        ),
    };
    if let Some(eid) = &fields.employee_id {
        let holder: Option<String> =
            sqlx::query_scalar("SELECT email FROM users WHERE employee_id = $1 AND email <> $2")
                .bind(eid)
                .bind(fields.email.as_str())
                .fetch_optional(&mut **tx)
                .await?;
        if let Some(other) = holder {
            return Err(invalid(vec![field(
                "employee_id",
                format!("the employee id {eid} belongs to {other} already"),
            )]));
        }
    }
    let team_id = match &fields.team {
        Some(t) => Some(team_id(tx, t).await?),
        None => None,
    };
    let active = i64::from(fields.status == Status::Active);
    let at = now();
    let (id, created) = match existing {
        Some(row) => {
            let id: i64 = row.try_get("id")?;
            if let Some(m) = manager_id
                && creates_cycle(tx, id, m).await?
            {
                return Err(invalid(vec![field(
                    "manager_email",
                    format!(
                        "{} reports to {} already, directly or through others: this would make a loop",
                        fields
                            .manager
                            .as_ref()
                            .map(Email::as_str)
                            .unwrap_or_default(),
                        fields.email
                    ),
                )]));
            }
            let was_active: i64 = row.try_get("active")?;
            store_update(tx, id, was_active == 1, fields, team_id, manager_id).await?;
            (id, false)
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (email, name, name_key, role, active, created_at, employee_id, team_id, \
                 manager_id, start_date, left_on) VALUES ($1, $2, $3, 'employee', $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(fields.email.as_str())
            .bind(&fields.name)
            .bind(fields.name.to_lowercase())
            .bind(active)
            .bind(at)
            .bind(&fields.employee_id)
            .bind(team_id)
            .bind(manager_id)
            .bind(fields.start_date.map(|d| d.to_string()))
            .bind(fields.left_on.map(|d| d.to_string()))
            .fetch_one(&mut **tx)
            .await?;
            (id, true)
        }
    };
    record_person(tx, actor, id, created, fields).await?;
    Ok((id, created))
}

/// Writes the checked details of an existing person and ends their sessions when they leave: the
/// update step of `write_person` and of the batch writes, without its audit event.
async fn store_update(
    tx: &mut Tx,
    id: i64,
    was_active: bool,
    fields: &PersonFields,
    team_id: Option<i64>,
    manager_id: Option<i64>,
) -> AppResult<()> {
    let active = fields.status == Status::Active;
    sqlx::query(
        "UPDATE users SET name = $1, name_key = $2, employee_id = $3, team_id = $4, manager_id = $5, \
         start_date = $6, active = $7, left_on = $8 WHERE id = $9",
    )
    .bind(&fields.name)
    .bind(fields.name.to_lowercase())
    .bind(&fields.employee_id)
    .bind(team_id)
    .bind(manager_id)
    .bind(fields.start_date.map(|d| d.to_string()))
    .bind(i64::from(active))
    .bind(fields.left_on.map(|d| d.to_string()))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if was_active && !active {
        crate::people::accounts::end_sessions(tx, id).await?;
    }
    Ok(())
}

/// The audit event of a person added or changed, the same for every way in.
fn person_event(id: i64, created: bool, fields: &PersonFields) -> audit::NewEvent {
    let after = serde_json::json!({
        "email": fields.email.as_str(), "name": fields.name, "employee_id": fields.employee_id,
        "team": fields.team, "manager": fields.manager.as_ref().map(Email::as_str),
        "start_date": fields.start_date.map(|d| d.to_string()), "status": fields.status.as_str(),
        "left_on": fields.left_on.map(|d| d.to_string()),
    });
    audit::NewEvent {
        action: if created {
            crate::audit::Action::PersonCreate
        } else {
            crate::audit::Action::PersonUpdate
        },
        object: format!("user:{id}"),
        summary: format!(
            "{} {}",
            if created { "Added" } else { "Updated" },
            fields.email
        ),
        detail: Some(serde_json::json!({ "after": after })),
    }
}

async fn record_person(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    created: bool,
    fields: &PersonFields,
) -> AppResult<()> {
    let e = person_event(id, created, fields);
    audit::record(
        tx,
        actor,
        e.action.as_str(),
        &e.object,
        &e.summary,
        e.detail,
    )
    .await
}

/// Adds or updates one person.
/// Makes a person an admin (the People team) or an employee. The last active admin stays one, so
/// that someone can always manage the organisation.
pub async fn set_role(state: &AppState, actor: &Actor, id: i64, role: Role) -> AppResult<()> {
    policy::manage_people(actor)?;
    let mut tx = state.db().begin().await?;
    let current: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let current = current.ok_or_else(|| AppError::not_found("this person"))?;
    if current == role.as_str() {
        return Ok(());
    }
    if role != Role::Admin {
        let other_admins: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if other_admins == 0 {
            return Err(AppError::invalid_field(
                "role",
                "this is the last admin: make someone else an admin first",
            ));
        }
    }
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        "person.role",
        &format!("user:{id}"),
        &format!(
            "Made user {id} {}",
            if role == Role::Admin {
                "an admin"
            } else {
                "an employee"
            }
        ),
        Some(serde_json::json!({ "before": current, "after": role.as_str() })),
    )
    .await?;
    tx.commit().await?;
    state.actors().forget_user(id);
    Ok(())
}

pub async fn save_person(db: &Db, actor: &Actor, input: &PersonInput) -> AppResult<i64> {
    policy::manage_people(actor)?;
    let fields = input.check().map_err(invalid)?;
    let mut tx = db.begin().await?;
    let (id, _) = write_person(&mut tx, actor, &fields).await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds a new person; an email already in the directory is refused rather than updated.
pub async fn create_person(db: &Db, actor: &Actor, input: &PersonInput) -> AppResult<i64> {
    policy::manage_people(actor)?;
    let fields = input.check().map_err(invalid)?;
    let mut tx = db.begin().await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(fields.email.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    let already = || {
        invalid(vec![field(
            "email",
            format!("{} is in the directory already", fields.email),
        )])
    };
    if exists.is_some() {
        return Err(already());
    }
    // On PostgreSQL each statement sees what committed before it began: a person created by
    // another request since the check above would be updated here rather than created. Such a
    // write is dropped with the transaction.
    let (id, created) = write_person(&mut tx, actor, &fields).await?;
    if !created {
        return Err(already());
    }
    tx.commit().await?;
    Ok(id)
}

/// A position to record, before checking.
#[derive(Debug, Clone, Default)]
pub struct PositionInput {
    /// Track key or name.
    pub track: String,
    /// Level key or title.
    pub level: String,
    pub effective_on: String,
    /// Empty: worked out from the previous position (hire, promotion, lateral move).
    pub kind: String,
    pub note: String,
}

/// Finds a track and level of the framework by key or by name, ignoring case.
pub fn resolve_position<'a>(
    fw: &'a Framework,
    track: &str,
    level: &str,
) -> Result<(&'a trellis_framework::Track, &'a trellis_framework::Level), FieldError> {
    let t = track.trim();
    let track = fw
        .tracks
        .iter()
        .find(|x| x.key.as_str() == t || x.name.eq_ignore_ascii_case(t))
        .ok_or_else(|| field("track", format!("there is no published track “{t}”")))?;
    let l = level.trim();
    let level = track
        .levels
        .iter()
        .find(|x| x.key.as_str() == l || x.title.eq_ignore_ascii_case(l))
        .ok_or_else(|| {
            field(
                "level",
                format!("the {} track has no level “{l}”", track.name),
            )
        })?;
    Ok((track, level))
}

/// Records a new position for a person inside a transaction: the history gains an entry and the
/// current position changes when the entry is the newest. Returns whether anything changed.
pub async fn write_position(
    tx: &mut Tx,
    actor: &Actor,
    fw: &Framework,
    person: i64,
    input: &PositionInput,
) -> AppResult<bool> {
    policy::manage_people(actor)?;
    let mut errors = Vec::new();
    let resolved = resolve_position(fw, &input.track, &input.level)
        .map_err(|e| errors.push(e))
        .ok();
    let effective_on = match non_empty(&input.effective_on) {
        None => Some(Day::today()),
        Some(s) => Day::parse(&s)
            .map_err(|m| errors.push(field("effective_on", m)))
            .ok(),
    };
    let explicit_kind = match non_empty(&input.kind) {
        None => None,
        Some(k) => match PositionKind::parse(&k) {
            Some(k) => Some(k),
            None => {
                errors.push(field(
                    "kind",
                    format!("“{k}” is not a kind of change: use hire, promotion, lateral_move or correction"),
                ));
                None
            }
        },
    };
    let (Some((track, level)), Some(effective_on), true) =
        (resolved, effective_on, errors.is_empty())
    else {
        return Err(invalid(errors));
    };
    let current = sqlx::query("SELECT track_key, level_key FROM users WHERE id = $1")
        .bind(person)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| AppError::not_found("this person"))?;
    let current_track: Option<String> = current.try_get("track_key")?;
    let current_level: Option<String> = current.try_get("level_key")?;
    if current_track.as_deref() == Some(track.key.as_str())
        && current_level.as_deref() == Some(level.key.as_str())
        && explicit_kind.is_none()
    {
        return Ok(false);
    }
    let kind = explicit_kind.unwrap_or_else(|| {
        position_kind(
            current_track.as_deref(),
            current_level.as_deref(),
            track,
            level,
        )
    });
    sqlx::query(
        "INSERT INTO positions (user_id, track_key, level_key, effective_on, kind, note, recorded_at, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(person)
    .bind(track.key.as_str())
    .bind(level.key.as_str())
    .bind(effective_on.to_string())
    .bind(kind.as_str())
    .bind(non_empty(&input.note))
    .bind(now())
    .bind(actor.user_id)
    .execute(&mut **tx)
    .await?;
    let newest: Option<String> =
        sqlx::query_scalar("SELECT MAX(effective_on) FROM positions WHERE user_id = $1")
            .bind(person)
            .fetch_one(&mut **tx)
            .await?;
    if newest.as_deref() == Some(effective_on.to_string().as_str()) {
        sqlx::query("UPDATE users SET track_key = $1, level_key = $2 WHERE id = $3")
            .bind(track.key.as_str())
            .bind(level.key.as_str())
            .bind(person)
            .execute(&mut **tx)
            .await?;
    }
    record_position_event(
        tx,
        actor,
        person,
        (current_track.as_deref(), current_level.as_deref()),
        (track, level),
        kind,
        effective_on,
    )
    .await?;
    crate::growth::readiness::recompute_people(tx, fw, &[person]).await?;
    Ok(true)
}

/// Why a position changes when nobody says: the first position is a hire, a higher level of the
/// same track a promotion, another track a lateral move, anything else a correction.
pub(crate) fn position_kind(
    current_track: Option<&str>,
    current_level: Option<&str>,
    track: &trellis_framework::Track,
    level: &trellis_framework::Level,
) -> PositionKind {
    match (current_track, current_level) {
        (None, _) | (_, None) => PositionKind::Hire,
        (Some(t), Some(l)) if t == track.key.as_str() => {
            let from = track.rank_of(l).unwrap_or(0);
            let to = track.rank_of(level.key.as_str()).unwrap_or(0);
            if to > from {
                PositionKind::Promotion
            } else {
                PositionKind::Correction
            }
        }
        _ => PositionKind::LateralMove,
    }
}

/// The audit event of a recorded position, the same for every way in.
fn position_event(
    person: i64,
    (current_track, current_level): (Option<&str>, Option<&str>),
    (track, level): (&trellis_framework::Track, &trellis_framework::Level),
    kind: PositionKind,
    effective_on: Day,
) -> audit::NewEvent {
    audit::NewEvent {
        action: crate::audit::Action::PositionRecord,
        object: format!("user:{person}"),
        summary: format!(
            "{} to {} ({}) on {effective_on}",
            kind.label(),
            level.title,
            track.name
        ),
        detail: Some(serde_json::json!({
            "before": { "track": current_track, "level": current_level },
            "after": { "track": track.key.as_str(), "level": level.key.as_str() },
            "kind": kind.as_str(), "effective_on": effective_on.to_string(),
        })),
    }
}

async fn record_position_event(
    tx: &mut Tx,
    actor: &Actor,
    person: i64,
    before: (Option<&str>, Option<&str>),
    position: (&trellis_framework::Track, &trellis_framework::Level),
    kind: PositionKind,
    effective_on: Day,
) -> AppResult<()> {
    let e = position_event(person, before, position, kind, effective_on);
    audit::record(
        tx,
        actor,
        e.action.as_str(),
        &e.object,
        &e.summary,
        e.detail,
    )
    .await
}

/// Records a position for one person, against the published framework.
pub async fn record_position(
    state: &AppState,
    actor: &Actor,
    person: i64,
    input: &PositionInput,
) -> AppResult<()> {
    policy::manage_people(actor)?;
    let published = crate::architecture::framework::published(state, actor)
        .await?
        .ok_or_else(|| {
            AppError::invalid_field("track", "publish the framework before recording positions")
        })?;
    let mut tx = state.db().begin().await?;
    write_position(&mut tx, actor, &published.framework, person, input).await?;
    tx.commit().await?;
    Ok(())
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

/// Bind parameters per statement of the batch writes. Binding costs grow faster than the number of
/// parameters on SQLite (each is looked up by name), so a hundred or two is quicker than thousands.
const BATCH_PARAMETERS: usize = 168;

/// The ids of teams by name key (trimmed, lower case), creating the teams that do not exist yet.
pub(crate) async fn team_ids(
    tx: &mut Tx,
    names: &[&str],
) -> AppResult<std::collections::HashMap<String, i64>> {
    let mut ids = std::collections::HashMap::new();
    for row in sqlx::query("SELECT id, name_key FROM teams")
        .fetch_all(&mut **tx)
        .await?
    {
        ids.insert(row.try_get::<String, _>("name_key")?, row.try_get("id")?);
    }
    for name in names {
        let key = name.trim().to_lowercase();
        if let std::collections::hash_map::Entry::Vacant(entry) = ids.entry(key) {
            entry.insert(team_id(tx, name).await?);
        }
    }
    Ok(ids)
}

/// A person to add in a batch: checked details and the ids they refer to.
pub(crate) struct NewPerson<'a> {
    pub fields: &'a PersonFields,
    pub team_id: Option<i64>,
    pub manager_id: Option<i64>,
    /// The first position (track key, level key); record it with `insert_positions`.
    pub position: Option<(&'a str, &'a str)>,
}

/// Adds people many at a time, with one audit event each as `write_person` writes it. For callers
/// that checked, for the whole batch, what `write_person` checks for one person: the details with
/// `PersonInput::check`, that managers exist (and come earlier in the batch or are in the
/// directory), that employee ids are free, and that managers make no loop. Returns the new ids in
/// the order of `people`.
pub(crate) async fn insert_people(
    tx: &mut Tx,
    actor: &Actor,
    people: &[NewPerson<'_>],
) -> AppResult<Vec<i64>> {
    policy::manage_people(actor)?;
    let at = now();
    let mut ids = Vec::with_capacity(people.len());
    for chunk in people.chunks(BATCH_PARAMETERS / 12) {
        let mut sql = String::from(
            "INSERT INTO users (email, name, name_key, role, active, created_at, employee_id, team_id, \
             manager_id, start_date, left_on, track_key, level_key) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 12;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, 'employee', ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 11,
                b + 12
            ));
        }
        sql.push_str(" RETURNING id, email");
        let mut query = sqlx::query(&sql);
        for p in chunk {
            let f = p.fields;
            query = query
                .bind(f.email.as_str())
                .bind(&f.name)
                .bind(f.name.to_lowercase())
                .bind(i64::from(f.status == Status::Active))
                .bind(at)
                .bind(&f.employee_id)
                .bind(p.team_id)
                .bind(p.manager_id)
                .bind(f.start_date.map(|d| d.to_string()))
                .bind(f.left_on.map(|d| d.to_string()))
                .bind(p.position.map(|(t, _)| t))
                .bind(p.position.map(|(_, l)| l));
        }
        let mut by_email = std::collections::HashMap::with_capacity(chunk.len());
        for row in query.fetch_all(&mut **tx).await? {
            by_email.insert(
                row.try_get::<String, _>("email")?,
                row.try_get::<i64, _>("id")?,
            );
        }
        let mut events = Vec::with_capacity(chunk.len());
        for p in chunk {
            let id = by_email
                .get(p.fields.email.as_str())
                .copied()
                .ok_or_else(|| AppError::internal("an inserted person has no id"))?;
            events.push(person_event(id, true, p.fields));
            ids.push(id);
        }
        audit::record_many(tx, actor, &events).await?;
    }
    Ok(ids)
}

/// Changes an existing person's details with the audit event `write_person` writes, for callers
/// that checked its rules (see `insert_people`). Ends their sessions when they leave.
pub(crate) async fn update_person(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    was_active: bool,
    fields: &PersonFields,
    team_id: Option<i64>,
    manager_id: Option<i64>,
) -> AppResult<()> {
    policy::manage_people(actor)?;
    store_update(tx, id, was_active, fields, team_id, manager_id).await?;
    record_person(tx, actor, id, false, fields).await
}

/// A position to add to a person's history in a batch.
pub(crate) struct NewPosition<'a> {
    pub person: i64,
    pub track: &'a trellis_framework::Track,
    pub level: &'a trellis_framework::Level,
    pub effective_on: Day,
    pub kind: PositionKind,
    /// The position before, for the audit event.
    pub before: (Option<&'a str>, Option<&'a str>),
    /// The entry is the newest of the history and the person's current position is not yet set
    /// to it: set it.
    pub set_current: bool,
}

/// Adds positions to histories many at a time, with the audit event `write_position` writes.
pub(crate) async fn insert_positions(
    tx: &mut Tx,
    actor: &Actor,
    positions: &[NewPosition<'_>],
) -> AppResult<()> {
    policy::manage_people(actor)?;
    let at = now();
    for chunk in positions.chunks(BATCH_PARAMETERS / 7) {
        let mut sql = String::from(
            "INSERT INTO positions (user_id, track_key, level_key, effective_on, kind, note, recorded_at, recorded_by) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 7;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, NULL, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            ));
        }
        let mut query = sqlx::query(&sql);
        for p in chunk {
            query = query
                .bind(p.person)
                .bind(p.track.key.as_str())
                .bind(p.level.key.as_str())
                .bind(p.effective_on.to_string())
                .bind(p.kind.as_str())
                .bind(at)
                .bind(actor.user_id);
        }
        query.execute(&mut **tx).await?;
        let mut events = Vec::with_capacity(chunk.len());
        for p in chunk {
            if p.set_current {
                sqlx::query("UPDATE users SET track_key = $1, level_key = $2 WHERE id = $3")
                    .bind(p.track.key.as_str())
                    .bind(p.level.key.as_str())
                    .bind(p.person)
                    .execute(&mut **tx)
                    .await?;
            }
            events.push(position_event(
                p.person,
                p.before,
                (p.track, p.level),
                p.kind,
                p.effective_on,
            ));
        }
        audit::record_many(tx, actor, &events).await?;
    }
    Ok(())
}

/// The track and level of the actor's own current position, if they have one.
pub async fn own_position(db: &Db, actor: &Actor) -> AppResult<Option<(String, String)>> {
    let Some(id) = actor.user_id else {
        return Ok(None);
    };
    let row = sqlx::query("SELECT track_key, level_key FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let track: Option<String> = row.try_get("track_key")?;
    let level: Option<String> = row.try_get("level_key")?;
    Ok(track.zip(level))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(email: &str) -> PersonInput {
        PersonInput {
            email: email.into(),
            ..PersonInput::default()
        }
    }

    #[test]
    fn every_mistake_in_a_person_is_reported_at_once() {
        let bad = PersonInput {
            email: "not an email".into(),
            start_date: "yesterday".into(),
            status: "gone".into(),
            manager_email: "nope".into(),
            ..PersonInput::default()
        };
        let errors = bad.check().expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "manager_email", "start_date", "status"]);
    }

    #[test]
    fn a_leaving_date_implies_the_person_left() {
        let mut i = input("ada@example.test");
        i.left_on = "2026-01-31".into();
        let f = i.check().expect("valid");
        assert_eq!(f.status, Status::Left);
        assert_eq!(f.name, "ada");
    }

    #[test]
    fn nobody_manages_themselves() {
        let mut i = input("ada@example.test");
        i.manager_email = "ADA@example.test".into();
        assert!(i.check().is_err());
    }
}
