//! Provisioning over SCIM: reading people and teams the way a SCIM client sees them, and writing
//! them through the same path as the browser and CSV imports (`directory::write_person`, so
//! `PersonInput::check` decides what is valid). Each request is one transaction with its audit
//! events. What only SCIM knows (the client's external id, a user name that is not the email, the
//! name parts, display name and emails as the client sent them, and whether it left `active`
//! unassigned) is kept in columns of its own.
//!
//! Teams are SCIM groups: a person is in at most one team, so adding a person to a group moves
//! them out of the team they were in.

use sqlx::Row;

use crate::audit;
use crate::auth::{Actor, policy};
use crate::db::{Db, Tx, now};
use crate::domain::Email;
use crate::error::{AppError, AppResult};
use crate::people::directory::{self, PersonInput};

/// A value bound to a placeholder of a [`Condition`].
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Int(i64),
    Text(String),
}

/// A SQL condition over `users u` (people) or `teams t` (teams), with its binds in order of the
/// placeholders `$1`, `$2`, … it uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Condition {
    pub sql: String,
    pub binds: Vec<Bind>,
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Int(i) => q.bind(*i),
            Bind::Text(s) => q.bind(s.as_str()),
        };
    }
    q
}

/// A person as SCIM shows them.
#[derive(Debug, Clone)]
pub struct ScimPerson {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub employee_id: Option<String>,
    pub team: Option<String>,
    pub manager_id: Option<i64>,
    /// The employment status: active, or left.
    pub active: bool,
    /// A SCIM client removed `active` (or wrote the person without it): SCIM shows no `active`,
    /// and the employment status stays as it was.
    pub active_unassigned: bool,
    pub external_id: Option<String>,
    /// The user name, when it is not the email.
    pub scim_user_name: Option<String>,
    /// The `name` object as the client last sent it (JSON); absent when SCIM never wrote the person.
    pub scim_name: Option<String>,
    pub display_name: Option<String>,
    /// The `emails` list as the client last sent it (JSON); absent when SCIM never wrote the person.
    pub scim_emails: Option<String>,
    pub created_at: i64,
    pub updated_at: Option<i64>,
}

impl ScimPerson {
    pub fn user_name(&self) -> &str {
        self.scim_user_name.as_deref().unwrap_or(&self.email)
    }
}

const PERSON_SELECT: &str = "SELECT u.id, u.email, u.name, u.employee_id, t.name AS team, u.manager_id, u.active, \
     u.scim_active_unassigned, u.external_id, u.scim_user_name, u.scim_name, u.display_name, \
     u.scim_emails, u.created_at, u.updated_at \
     FROM users u LEFT JOIN teams t ON t.id = u.team_id";

fn person_from_row(r: &sqlx::any::AnyRow) -> Result<ScimPerson, sqlx::Error> {
    let active: i64 = r.try_get("active")?;
    let unassigned: i64 = r.try_get("scim_active_unassigned")?;
    Ok(ScimPerson {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        employee_id: r.try_get("employee_id")?,
        team: r.try_get("team")?,
        manager_id: r.try_get("manager_id")?,
        active: active == 1,
        active_unassigned: unassigned == 1,
        external_id: r.try_get("external_id")?,
        scim_user_name: r.try_get("scim_user_name")?,
        scim_name: r.try_get("scim_name")?,
        display_name: r.try_get("display_name")?,
        scim_emails: r.try_get("scim_emails")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// People matching a condition, by id: the total and the page from `offset`.
pub async fn people(
    db: &Db,
    actor: &Actor,
    filter: Option<&Condition>,
    offset: i64,
    limit: i64,
) -> AppResult<(i64, Vec<ScimPerson>)> {
    policy::provision(actor)?;
    let where_clause = match filter {
        Some(c) => format!("WHERE u.scim_deleted_at IS NULL AND {}", c.sql),
        None => "WHERE u.scim_deleted_at IS NULL".to_owned(),
    };
    let binds = filter.map_or(&[][..], |c| c.binds.as_slice());
    let count_sql = format!(
        "SELECT COUNT(*) AS n FROM users u LEFT JOIN teams t ON t.id = u.team_id {where_clause}"
    );
    let total: i64 = bind_all(sqlx::query(&count_sql), binds)
        .fetch_one(db.pool())
        .await?
        .try_get("n")?;
    if limit <= 0 {
        return Ok((total, Vec::new()));
    }
    let sql = format!("{PERSON_SELECT} {where_clause} ORDER BY u.id LIMIT {limit} OFFSET {offset}");
    let rows = bind_all(sqlx::query(&sql), binds)
        .fetch_all(db.pool())
        .await?;
    let people = rows.iter().map(person_from_row).collect::<Result<_, _>>()?;
    Ok((total, people))
}

/// One person by id.
pub async fn person(db: &Db, actor: &Actor, id: i64) -> AppResult<ScimPerson> {
    policy::provision(actor)?;
    let sql = format!("{PERSON_SELECT} WHERE u.id = $1 AND u.scim_deleted_at IS NULL");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found(format!("the user {id}")))?;
    Ok(person_from_row(&row)?)
}

/// What a SCIM request says about a person, already read from its JSON.
#[derive(Debug, Clone, Default)]
pub struct PersonWrite {
    /// The person's email: the user name when it is one, else the primary email.
    pub email: String,
    /// The user name as sent, when it is not the email.
    pub user_name: Option<String>,
    pub name: String,
    /// The `name` object as sent, as JSON (`{}` when none was).
    pub scim_name: String,
    pub display_name: Option<String>,
    /// The `emails` list as sent, as JSON (`[]` when none was).
    pub emails: String,
    pub external_id: Option<String>,
    /// `active` as sent; `None` when it was not (it is unassigned): a new person is then active,
    /// and someone already here keeps their employment status.
    pub active: Option<bool>,
    pub employee_id: Option<String>,
    pub team: Option<String>,
    /// The manager's id.
    pub manager: Option<i64>,
}

/// The stored details of a person, as the form and CSV importer would have typed them.
async fn stored_input(tx: &mut Tx, id: i64) -> AppResult<Option<PersonInput>> {
    let row = sqlx::query(
        "SELECT u.email, u.name, u.employee_id, t.name AS team, m.email AS manager_email, \
         u.start_date, u.active, u.left_on FROM users u LEFT JOIN teams t ON t.id = u.team_id \
         LEFT JOIN users m ON m.id = u.manager_id WHERE u.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let active: i64 = r.try_get("active")?;
    let text = |name: &str| -> Result<String, sqlx::Error> {
        Ok(r.try_get::<Option<String>, _>(name)?.unwrap_or_default())
    };
    Ok(Some(PersonInput {
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        employee_id: text("employee_id")?,
        team: text("team")?,
        manager_email: text("manager_email")?,
        start_date: text("start_date")?,
        status: if active == 1 { "active" } else { "left" }.to_owned(),
        left_on: text("left_on")?,
    }))
}

async fn taken(tx: &mut Tx, sql: &str, value: &str, id: Option<i64>) -> AppResult<bool> {
    let other: Option<i64> = sqlx::query_scalar(sql)
        .bind(value)
        .bind(id.unwrap_or(0))
        .fetch_optional(&mut **tx)
        .await?;
    Ok(other.is_some())
}

fn invalid(field: &str, errors: Vec<crate::error::FieldError>) -> AppError {
    let message = errors
        .iter()
        .map(|e| e.message.clone())
        .collect::<Vec<_>>()
        .join("; ");
    AppError::invalid_field(field, message)
}

/// Writes a person in an open transaction: creates them (`id` absent) or replaces what SCIM knows
/// of them. The email and the SCIM-only columns are written here; everything else through
/// `directory::write_person`.
async fn write(tx: &mut Tx, actor: &Actor, id: Option<i64>, w: &PersonWrite) -> AppResult<i64> {
    let creating = id.is_none();
    let email = Email::parse(&w.email).map_err(|m| AppError::invalid_field("userName", m))?;
    let id = match id {
        Some(id) => {
            let deleted: Option<Option<i64>> =
                sqlx::query_scalar("SELECT scim_deleted_at FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut **tx)
                    .await?;
            if !matches!(deleted, Some(None)) {
                return Err(AppError::not_found(format!("the user {id}")));
            }
            Some(id)
        }
        // Someone deleted over SCIM and created again (a rehire) is the same person again.
        None => {
            sqlx::query_scalar(
                "SELECT id FROM users WHERE email = $1 AND scim_deleted_at IS NOT NULL",
            )
            .bind(email.as_str())
            .fetch_optional(&mut **tx)
            .await?
        }
    };
    let current = match id {
        Some(id) => Some(
            stored_input(tx, id)
                .await?
                .ok_or_else(|| AppError::not_found(format!("the user {id}")))?,
        ),
        None => None,
    };
    let user_name = w.user_name.as_deref().unwrap_or(email.as_str());
    if taken(
        tx,
        "SELECT id FROM users WHERE (lower(COALESCE(scim_user_name, email)) = lower($1) OR email = lower($1)) AND id <> $2",
        user_name,
        id,
    )
    .await?
        || taken(
            tx,
            "SELECT id FROM users WHERE (email = $1 OR lower(scim_user_name) = $1) AND id <> $2",
            email.as_str(),
            id,
        )
        .await?
    {
        return Err(AppError::Conflict(format!(
            "the userName {user_name} belongs to someone else already"
        )));
    }
    if let Some(external) = &w.external_id
        && taken(
            tx,
            "SELECT id FROM users WHERE external_id = $1 AND id <> $2",
            external,
            id,
        )
        .await?
    {
        return Err(AppError::Conflict(format!(
            "the externalId {external} belongs to someone else already"
        )));
    }
    if let Some(number) = &w.employee_id
        && taken(
            tx,
            "SELECT id FROM users WHERE employee_id = $1 AND id <> $2",
            number,
            id,
        )
        .await?
    {
        return Err(AppError::Conflict(format!(
            "the employeeNumber {number} belongs to someone else already"
        )));
    }
    let manager_email = match w.manager {
        None => String::new(),
        Some(m) => sqlx::query_scalar::<_, String>("SELECT email FROM users WHERE id = $1")
            .bind(m)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| {
                AppError::invalid_field("manager", format!("there is no user with the id {m}"))
            })?,
    };
    if let (Some(id), Some(current)) = (id, &current)
        && current.email != email.as_str()
    {
        sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email.as_str())
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    // Without `active`, a person created (or rehired) is active and anyone else keeps their
    // status: SCIM never deactivates or reactivates someone it did not say to.
    let status = match (w.active, &current) {
        (Some(true), _) | (None, None) => "active",
        (Some(false), _) => "left",
        (None, Some(_)) if creating => "active",
        (None, Some(c)) => c.status.as_str(),
    };
    let input = PersonInput {
        email: email.to_string(),
        name: w.name.clone(),
        employee_id: w.employee_id.clone().unwrap_or_default(),
        team: w.team.clone().unwrap_or_default(),
        manager_email,
        start_date: current
            .as_ref()
            .map(|c| c.start_date.clone())
            .unwrap_or_default(),
        status: status.to_owned(),
        left_on: match &current {
            Some(c) if status == "left" && c.status == "left" => c.left_on.clone(),
            _ => String::new(),
        },
    };
    let fields = input.check().map_err(|e| invalid("userName", e))?;
    let (id, _) = directory::write_person(tx, actor, &fields).await?;
    sqlx::query(
        "UPDATE users SET external_id = $1, scim_user_name = $2, scim_name = $3, display_name = $4, \
         scim_emails = $5, scim_active_unassigned = $6, updated_at = $7, scim_deleted_at = NULL \
         WHERE id = $8",
    )
    .bind(&w.external_id)
    .bind(&w.user_name)
    .bind(&w.scim_name)
    .bind(&w.display_name)
    .bind(&w.emails)
    .bind(i64::from(w.active.is_none()))
    .bind(now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        "person.provision",
        &format!("user:{id}"),
        &format!("Provisioned {email} over SCIM"),
        Some(serde_json::json!({
            "after": {
                "email": email.as_str(), "user_name": user_name, "external_id": w.external_id,
                "display_name": w.display_name, "active": status == "active",
            },
        })),
    )
    .await?;
    Ok(id)
}

/// Creates a person; a user name or email that is taken is a conflict, not an update.
pub async fn create_person(db: &Db, actor: &Actor, w: &PersonWrite) -> AppResult<i64> {
    policy::provision(actor)?;
    let mut tx = db.begin().await?;
    let id = write(&mut tx, actor, None, w).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces what SCIM knows of a person (their start date and position stay).
pub async fn replace_person(db: &Db, actor: &Actor, id: i64, w: &PersonWrite) -> AppResult<()> {
    policy::provision(actor)?;
    let mut tx = db.begin().await?;
    write(&mut tx, actor, Some(id), w).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a person as SCIM sees it: they are marked as left (their sessions end) and SCIM
/// answers 404 for them from then on, but Trellis keeps them and their history. Creating them
/// again over SCIM brings the same person back.
pub async fn delete_person(db: &Db, actor: &Actor, id: i64) -> AppResult<()> {
    policy::provision(actor)?;
    let mut tx = db.begin().await?;
    let mut input = stored_input(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("the user {id}")))?;
    let deleted: Option<i64> =
        sqlx::query_scalar("SELECT scim_deleted_at FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    if deleted.is_some() {
        return Err(AppError::not_found(format!("the user {id}")));
    }
    if input.status != "left" {
        input.status = "left".into();
        input.left_on = String::new();
    }
    let fields = input.check().map_err(|e| invalid("userName", e))?;
    directory::write_person(&mut tx, actor, &fields).await?;
    sqlx::query("UPDATE users SET scim_deleted_at = $1, updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        "person.deprovision",
        &format!("user:{id}"),
        &format!(
            "Deleted {} over SCIM: marked as left, history kept",
            fields.email
        ),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A team as SCIM shows it.
#[derive(Debug, Clone)]
pub struct ScimTeam {
    pub id: i64,
    pub name: String,
    pub external_id: Option<String>,
    pub created_at: i64,
    pub updated_at: Option<i64>,
    /// The ids of the people in the team, when asked for.
    pub members: Vec<i64>,
}

async fn members_of(db: &Db, team: i64) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM users WHERE team_id = $1 AND scim_deleted_at IS NULL ORDER BY id",
    )
    .bind(team)
    .fetch_all(db.pool())
    .await?)
}

fn team_from_row(r: &sqlx::any::AnyRow) -> Result<ScimTeam, sqlx::Error> {
    Ok(ScimTeam {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        external_id: r.try_get("external_id")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        members: Vec::new(),
    })
}

/// Teams matching a condition, by id, with their members when `with_members`.
pub async fn teams(
    db: &Db,
    actor: &Actor,
    filter: Option<&Condition>,
    offset: i64,
    limit: i64,
    with_members: bool,
) -> AppResult<(i64, Vec<ScimTeam>)> {
    policy::provision(actor)?;
    let where_clause = filter.map_or_else(String::new, |c| format!("WHERE {}", c.sql));
    let binds = filter.map_or(&[][..], |c| c.binds.as_slice());
    let count_sql = format!("SELECT COUNT(*) AS n FROM teams t {where_clause}");
    let total: i64 = bind_all(sqlx::query(&count_sql), binds)
        .fetch_one(db.pool())
        .await?
        .try_get("n")?;
    if limit <= 0 {
        return Ok((total, Vec::new()));
    }
    let sql = format!(
        "SELECT t.id, t.name, t.external_id, t.created_at, t.updated_at FROM teams t {where_clause} \
         ORDER BY t.id LIMIT {limit} OFFSET {offset}"
    );
    let rows = bind_all(sqlx::query(&sql), binds)
        .fetch_all(db.pool())
        .await?;
    let mut teams = rows
        .iter()
        .map(team_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    if with_members {
        for t in &mut teams {
            t.members = members_of(db, t.id).await?;
        }
    }
    Ok((total, teams))
}

/// One team by id, with its members.
pub async fn team(db: &Db, actor: &Actor, id: i64) -> AppResult<ScimTeam> {
    policy::provision(actor)?;
    let row = sqlx::query(
        "SELECT t.id, t.name, t.external_id, t.created_at, t.updated_at FROM teams t WHERE t.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found(format!("the group {id}")))?;
    let mut team = team_from_row(&row)?;
    team.members = members_of(db, id).await?;
    Ok(team)
}

/// What a SCIM request says about a team.
#[derive(Debug, Clone, Default)]
pub struct TeamWrite {
    pub name: String,
    pub external_id: Option<String>,
    /// The people in the team; `None` leaves the members as they are.
    pub members: Option<Vec<i64>>,
}

/// Moves a person into a team (or out of any), through `write_person`.
async fn move_person(tx: &mut Tx, actor: &Actor, person: i64, team: Option<&str>) -> AppResult<()> {
    let mut input = stored_input(tx, person).await?.ok_or_else(|| {
        AppError::invalid_field("members", format!("there is no user with the id {person}"))
    })?;
    input.team = team.unwrap_or_default().to_owned();
    let fields = input.check().map_err(|e| invalid("members", e))?;
    directory::write_person(tx, actor, &fields).await?;
    Ok(())
}

async fn write_team(tx: &mut Tx, actor: &Actor, id: Option<i64>, w: &TeamWrite) -> AppResult<i64> {
    let name = w.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::invalid_field(
            "displayName",
            "a group needs a displayName of at most 200 characters",
        ));
    }
    let key = name.to_lowercase();
    if taken(
        tx,
        "SELECT id FROM teams WHERE name_key = $1 AND id <> $2",
        &key,
        id,
    )
    .await?
    {
        return Err(AppError::Conflict(format!(
            "there is a group named {name} already"
        )));
    }
    if let Some(external) = &w.external_id
        && taken(
            tx,
            "SELECT id FROM teams WHERE external_id = $1 AND id <> $2",
            external,
            id,
        )
        .await?
    {
        return Err(AppError::Conflict(format!(
            "the externalId {external} belongs to another group already"
        )));
    }
    let at = now();
    let (id, before) = match id {
        Some(id) => {
            let before: String = sqlx::query_scalar("SELECT name FROM teams WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| AppError::not_found(format!("the group {id}")))?;
            sqlx::query(
                "UPDATE teams SET name = $1, name_key = $2, external_id = $3, updated_at = $4 WHERE id = $5",
            )
            .bind(name)
            .bind(&key)
            .bind(&w.external_id)
            .bind(at)
            .bind(id)
            .execute(&mut **tx)
            .await?;
            (id, Some(before))
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO teams (name, name_key, external_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4) RETURNING id",
            )
            .bind(name)
            .bind(&key)
            .bind(&w.external_id)
            .bind(at)
            .fetch_one(&mut **tx)
            .await?;
            (id, None)
        }
    };
    audit::record(
        tx,
        actor,
        if before.is_some() {
            "team.update"
        } else {
            "team.create"
        },
        &format!("team:{id}"),
        &match &before {
            Some(old) if old != name => format!("Renamed the team {old} to {name} over SCIM"),
            Some(_) => format!("Updated the team {name} over SCIM"),
            None => format!("Created the team {name} over SCIM"),
        },
        Some(serde_json::json!({
            "before": before.as_ref().map(|b| serde_json::json!({ "name": b })),
            "after": { "name": name, "external_id": w.external_id },
        })),
    )
    .await?;
    if let Some(wanted) = &w.members {
        let current: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM users WHERE team_id = $1 AND scim_deleted_at IS NULL",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        for person in current.iter().filter(|p| !wanted.contains(p)) {
            move_person(tx, actor, *person, None).await?;
        }
        let mut seen = Vec::new();
        for person in wanted {
            if !current.contains(person) && !seen.contains(person) {
                move_person(tx, actor, *person, Some(name)).await?;
            }
            seen.push(*person);
        }
    }
    Ok(id)
}

/// Creates a team with its members (who leave their former teams).
pub async fn create_team(db: &Db, actor: &Actor, w: &TeamWrite) -> AppResult<i64> {
    policy::provision(actor)?;
    let mut tx = db.begin().await?;
    let id = write_team(&mut tx, actor, None, w).await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames a team and sets its members when given.
pub async fn replace_team(db: &Db, actor: &Actor, id: i64, w: &TeamWrite) -> AppResult<()> {
    policy::provision(actor)?;
    let mut tx = db.begin().await?;
    write_team(&mut tx, actor, Some(id), w).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a team; its people stay, in no team.
pub async fn delete_team(db: &Db, actor: &Actor, id: i64) -> AppResult<()> {
    policy::provision(actor)?;
    let mut tx = db.begin().await?;
    let name: String = sqlx::query_scalar("SELECT name FROM teams WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::not_found(format!("the group {id}")))?;
    let members: Vec<i64> = sqlx::query_scalar("SELECT id FROM users WHERE team_id = $1")
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
    for person in members {
        move_person(&mut tx, actor, person, None).await?;
    }
    sqlx::query("DELETE FROM teams WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        "team.delete",
        &format!("team:{id}"),
        &format!("Deleted the team {name} over SCIM"),
        Some(serde_json::json!({ "before": { "name": name }, "after": null })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The audit action of a SCIM request that failed.
pub const FAILED: &str = "provisioning.failed";

/// A SCIM write that failed, as the audit log keeps it: never the body sent, which may hold a
/// password, only what was asked and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRequest {
    /// `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: String,
    /// The path below `/scim/v2`, such as `/Users/12`.
    pub path: String,
    pub status: u16,
    /// The SCIM error keyword, such as `uniqueness`.
    pub scim_type: Option<String>,
    /// Why it was refused, as the client was told, with any password sent removed.
    pub reason: String,
}

impl FailedRequest {
    /// What the identity provider tried to do, in words.
    pub fn attempt(&self) -> String {
        let mut parts = self.path.trim_matches('/').split('/');
        let resource = parts.next().unwrap_or_default();
        let id = parts.next().filter(|id| !id.is_empty());
        let (thing, things) = match resource {
            "Users" => ("a person", "person"),
            "Groups" => ("a team", "team"),
            _ => return format!("{} {}", self.method, self.path),
        };
        match (self.method.as_str(), id) {
            ("POST", _) => format!("add {thing}"),
            ("PUT", Some(id)) => format!("replace the details of {things} {id}"),
            ("PATCH", Some(id)) => format!("change {things} {id}"),
            ("DELETE", Some(id)) => format!("remove {things} {id}"),
            _ => format!("{} {}", self.method, self.path),
        }
    }

    /// The sentence of the audit log.
    pub fn summary(&self) -> String {
        let reason = self.reason.trim().trim_end_matches('.');
        let mut reason: String = reason.chars().take(MAX_REASON_CHARS).collect();
        if let Some(first) = reason.get(..1) {
            let upper = first.to_uppercase();
            reason.replace_range(..1, &upper);
        }
        format!(
            "A provisioning request failed: the identity provider could not {}. {reason}.",
            self.attempt()
        )
    }
}

/// The longest reason kept in the log.
const MAX_REASON_CHARS: usize = 500;

/// Records a SCIM write that failed, in a transaction of its own: the request's own transaction
/// was rolled back, and the failure must stay in the log for the People team to see.
pub async fn record_failure(db: &Db, actor: &Actor, failed: &FailedRequest) -> AppResult<()> {
    policy::provision(actor)?;
    let object = match failed.path.trim_matches('/').split('/').collect::<Vec<_>>()[..] {
        ["Users", id] if id.parse::<i64>().is_ok() => format!("user:{id}"),
        ["Groups", id] if id.parse::<i64>().is_ok() => format!("team:{id}"),
        _ => format!("scim:{}", failed.path),
    };
    let mut tx = db.begin().await?;
    audit::record(
        &mut tx,
        actor,
        FAILED,
        &object,
        &failed.summary(),
        Some(serde_json::json!({
            "method": failed.method,
            "path": failed.path,
            "status": failed.status,
            "scim_type": failed.scim_type,
            "reason": failed.reason.chars().take(MAX_REASON_CHARS).collect::<String>(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How many SCIM writes failed since `since` (Unix seconds).
pub async fn failures_since(db: &Db, actor: &Actor, since: i64) -> AppResult<i64> {
    policy::read_audit_log(actor)?;
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE at >= $1 AND action = $2")
            .bind(since)
            .bind(FAILED)
            .fetch_one(db.pool())
            .await?,
    )
}
