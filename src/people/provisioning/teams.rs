//! Teams as SCIM groups: a person is in at most one team, so adding a person to a group moves
//! them out of the team they were in.

use super::filter::TeamFilter;
use super::query::{self, bind_all, bind_scalar};
use super::{invalid, stored_input, taken};
use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::Work;
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult};
use crate::people::directory;

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

/// A team's columns, as SCIM reads them.
#[derive(sqlx::FromRow)]
struct TeamRow {
    id: i64,
    name: String,
    external_id: Option<String>,
    created_at: i64,
    updated_at: Option<i64>,
}

impl From<TeamRow> for ScimTeam {
    /// The team without its members, which are read apart.
    fn from(r: TeamRow) -> ScimTeam {
        ScimTeam {
            id: r.id,
            name: r.name,
            external_id: r.external_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
            members: Vec::new(),
        }
    }
}

/// Teams matching a filter, by id, with their members when `with_members`.
pub async fn teams(
    db: &Db,
    actor: &Actor,
    filter: Option<&TeamFilter>,
    offset: i64,
    limit: i64,
    with_members: bool,
) -> AppResult<(i64, Vec<ScimTeam>)> {
    policy::provision(actor)?;
    let condition = filter.map(query::teams).transpose()?;
    let where_clause = condition
        .as_ref()
        .map_or_else(String::new, |c| format!("WHERE {}", c.sql));
    let binds = condition.as_ref().map_or(&[][..], |c| c.binds.as_slice());
    let count_sql = format!("SELECT COUNT(*) AS n FROM teams t {where_clause}");
    let total = bind_scalar(sqlx::query_scalar::<_, i64>(&count_sql), binds)
        .fetch_one(db.pool())
        .await?;
    if limit <= 0 {
        return Ok((total, Vec::new()));
    }
    let sql = format!(
        "SELECT t.id, t.name, t.external_id, t.created_at, t.updated_at FROM teams t {where_clause} \
         ORDER BY t.id LIMIT {limit} OFFSET {offset}"
    );
    let rows = bind_all(sqlx::query_as::<_, TeamRow>(&sql), binds)
        .fetch_all(db.pool())
        .await?;
    let mut teams: Vec<ScimTeam> = rows.into_iter().map(ScimTeam::from).collect();
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
    let row = sqlx::query_as::<_, TeamRow>(
        "SELECT t.id, t.name, t.external_id, t.created_at, t.updated_at FROM teams t WHERE t.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found(format!("the group {id}")))?;
    let mut team = ScimTeam::from(row);
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
async fn move_person(work: &mut Work<'_>, person: i64, team: Option<&str>) -> AppResult<()> {
    let mut input = stored_input(work.tx(), person).await?.ok_or_else(|| {
        AppError::invalid_field("members", format!("there is no user with the id {person}"))
    })?;
    input.team = team.unwrap_or_default().to_owned();
    let fields = input.check().map_err(|e| invalid("members", e))?;
    directory::write_person(work, &fields).await?;
    Ok(())
}

/// Writes a team in an open transaction: creates it (`id` absent) or renames it, and sets its
/// members when given.
async fn write_team(work: &mut Work<'_>, id: Option<i64>, w: &TeamWrite) -> AppResult<i64> {
    let name = w.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::invalid_field(
            "displayName",
            "a group needs a displayName of at most 200 characters",
        ));
    }
    let key = name.to_lowercase();
    check_unique(work.tx(), w, name, &key, id).await?;
    let (id, before) = match id {
        Some(id) => (id, Some(rename(work.tx(), id, name, &key, w).await?)),
        None => (insert(work.tx(), name, &key, w).await?, None),
    };
    work.record(
        if before.is_some() {
            Action::TeamUpdate
        } else {
            Action::TeamCreate
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
        set_members(work, id, name, wanted).await?;
    }
    Ok(id)
}

/// A team's name and external id belong to no other team: a conflict, SCIM's `uniqueness` error,
/// when they do.
async fn check_unique(
    tx: &mut Tx,
    w: &TeamWrite,
    name: &str,
    key: &str,
    id: Option<i64>,
) -> AppResult<()> {
    if taken(
        tx,
        "SELECT id FROM teams WHERE name_key = $1 AND id <> $2",
        key,
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
    Ok(())
}

/// Renames a team; returns its name before.
async fn rename(tx: &mut Tx, id: i64, name: &str, key: &str, w: &TeamWrite) -> AppResult<String> {
    let before: String = sqlx::query_scalar("SELECT name FROM teams WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| AppError::not_found(format!("the group {id}")))?;
    sqlx::query(
        "UPDATE teams SET name = $1, name_key = $2, external_id = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(name)
    .bind(key)
    .bind(&w.external_id)
    .bind(now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(before)
}

/// Adds a team; returns its id.
async fn insert(tx: &mut Tx, name: &str, key: &str, w: &TeamWrite) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO teams (name, name_key, external_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(name)
    .bind(key)
    .bind(&w.external_id)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?)
}

/// Makes `wanted` the team's members: who is not wanted leaves for no team, who is wanted moves
/// in from their team.
async fn set_members(work: &mut Work<'_>, id: i64, name: &str, wanted: &[i64]) -> AppResult<()> {
    let current: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE team_id = $1 AND scim_deleted_at IS NULL")
            .bind(id)
            .fetch_all(&mut **work.tx())
            .await?;
    for person in current.iter().filter(|p| !wanted.contains(p)) {
        move_person(work, *person, None).await?;
    }
    let mut seen = Vec::new();
    for person in wanted {
        if !current.contains(person) && !seen.contains(person) {
            move_person(work, *person, Some(name)).await?;
        }
        seen.push(*person);
    }
    Ok(())
}

/// Creates a team with its members (who leave their former teams).
pub async fn create_team(db: &Db, actor: &Actor, w: &TeamWrite) -> AppResult<i64> {
    let permit = policy::provision(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let id = write_team(&mut work, None, w).await?;
    work.commit().await?;
    Ok(id)
}

/// Renames a team and sets its members when given.
pub async fn replace_team(db: &Db, actor: &Actor, id: i64, w: &TeamWrite) -> AppResult<()> {
    let permit = policy::provision(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    write_team(&mut work, Some(id), w).await?;
    work.commit().await?;
    Ok(())
}

/// Deletes a team; its people stay, in no team.
pub async fn delete_team(db: &Db, actor: &Actor, id: i64) -> AppResult<()> {
    let permit = policy::provision(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let name: String = sqlx::query_scalar("SELECT name FROM teams WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **work.tx())
        .await?
        .ok_or_else(|| AppError::not_found(format!("the group {id}")))?;
    let members: Vec<i64> = sqlx::query_scalar("SELECT id FROM users WHERE team_id = $1")
        .bind(id)
        .fetch_all(&mut **work.tx())
        .await?;
    for person in members {
        move_person(&mut work, person, None).await?;
    }
    sqlx::query("DELETE FROM teams WHERE id = $1")
        .bind(id)
        .execute(&mut **work.tx())
        .await?;
    work.record(
        Action::TeamDelete,
        &format!("team:{id}"),
        &format!("Deleted the team {name} over SCIM"),
        Some(serde_json::json!({ "before": { "name": name }, "after": null })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}
