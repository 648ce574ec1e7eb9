//! Writing one person: [`write_person`] in a transaction (the form, the API and SCIM), and the use
//! cases that open it; and an admin's role.

use std::collections::HashMap;

use crate::audit;
use crate::audit::Action;
use crate::auth::policy;
use crate::auth::{Actor, Role};
use crate::db::Work;
use crate::db::{Db, Tx, chain, now};
use crate::domain::{Email, Status};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

use super::rules::{self, Around, Broken, Scope};
use super::{PersonFields, PersonInput, field};

pub(super) fn invalid(errors: Vec<FieldError>) -> AppError {
    AppError::invalid_fields(errors, "the details are not valid")
}

/// The id of the team with this name, created when it does not exist yet.
pub(super) async fn team_id(tx: &mut Tx, name: &str) -> AppResult<i64> {
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

/// What the database says of the people around one person about to be written: as much of the
/// directory as the rules ask about.
struct Neighbourhood {
    person: String,
    manager: Option<String>,
    /// The manager's id, when someone has the manager's email.
    manager_id: Option<i64>,
    /// Someone else who holds the person's employee id.
    holder: Option<String>,
    /// The manager of the person's new manager and of everyone above them, by email.
    above: HashMap<String, String>,
}

impl Neighbourhood {
    /// Reads it: the manager, the holder of the employee id and, for someone already in the
    /// directory (nobody reports to a new person), the chain above their new manager.
    async fn read(tx: &mut Tx, fields: &PersonFields, existing: bool) -> AppResult<Self> {
        let manager = fields.manager.as_ref().map(|m| m.as_str().to_owned());
        let manager_id = match &manager {
            None => None,
            Some(m) => {
                sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = $1")
                    .bind(m)
                    .fetch_optional(&mut **tx)
                    .await?
            }
        };
        let holder = match &fields.employee_id {
            None => None,
            Some(eid) => {
                sqlx::query_scalar("SELECT email FROM users WHERE employee_id = $1 AND email <> $2")
                    .bind(eid)
                    .bind(fields.email.as_str())
                    .fetch_optional(&mut **tx)
                    .await?
            }
        };
        let mut above = HashMap::new();
        if let (Some(m), true) = (manager_id, existing) {
            let rows = sqlx::query_as::<_, (String, String)>(&format!(
                "SELECT u.email, m.email AS manager FROM users u JOIN users m ON m.id = u.manager_id \
                 WHERE u.id = $1 OR u.id IN {}",
                chain::above("$2")
            ))
            .bind(m)
            .bind(m)
            .fetch_all(&mut **tx)
            .await?;
            above.extend(rows);
        }
        Ok(Neighbourhood {
            person: fields.email.as_str().to_owned(),
            manager,
            manager_id,
            holder,
            above,
        })
    }

    /// The rules of [`super::rules`] for this one person, the first one broken.
    fn check(&self, fields: &PersonFields) -> Result<(), Broken> {
        let named = fields.named();
        rules::manager_exists(&named, self)?;
        rules::employee_id_free(&named, self)?;
        match rules::manager_loops([self.person.as_str()], self)
            .into_iter()
            .next()
        {
            Some(broken) => Err(broken),
            None => Ok(()),
        }
    }
}

impl Around for Neighbourhood {
    fn has(&self, email: &str) -> bool {
        email == self.person
            || (self.manager_id.is_some() && self.manager.as_deref() == Some(email))
    }

    fn holder_of(&self, _employee_id: &str) -> Option<String> {
        self.holder.clone()
    }

    fn manager_of(&self, email: &str) -> Option<String> {
        if email == self.person {
            self.manager.clone()
        } else {
            self.above.get(email).cloned()
        }
    }
}

/// Creates or updates (by email) one person inside a transaction, with its audit event, when they
/// keep the rules of [`super::rules`]. Returns the person's id and whether they were created.
pub async fn write_person(work: &mut Work<'_>, fields: &PersonFields) -> AppResult<(i64, bool)> {
    let actor = work.actor();
    policy::manage_people(actor).or_else(|_| policy::provision(actor))?;
    let existing = sqlx::query_as::<_, (i64, i64)>("SELECT id, active FROM users WHERE email = $1")
        .bind(fields.email.as_str())
        .fetch_optional(&mut **work.tx())
        .await?;
    let around = Neighbourhood::read(work.tx(), fields, existing.is_some()).await?;
    around
        .check(fields)
        .map_err(|broken| invalid(vec![broken.error(Scope::Person)]))?;
    let team_id = match &fields.team {
        Some(t) => Some(team_id(work.tx(), t).await?),
        None => None,
    };
    let (id, created) = match existing {
        Some((id, was_active)) => {
            store_update(
                work.tx(),
                id,
                was_active == 1,
                fields,
                team_id,
                around.manager_id,
            )
            .await?;
            (id, false)
        }
        None => (
            insert(work.tx(), fields, team_id, around.manager_id).await?,
            true,
        ),
    };
    record_person(work, id, created, fields).await?;
    Ok((id, created))
}

/// Adds a person with checked details; returns their id.
async fn insert(
    tx: &mut Tx,
    fields: &PersonFields,
    team_id: Option<i64>,
    manager_id: Option<i64>,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO users (email, name, name_key, role, active, created_at, employee_id, team_id, \
         manager_id, start_date, left_on) VALUES ($1, $2, $3, 'employee', $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(fields.email.as_str())
    .bind(&fields.name)
    .bind(fields.name.to_lowercase())
    .bind(i64::from(fields.status == Status::Active))
    .bind(now())
    .bind(&fields.employee_id)
    .bind(team_id)
    .bind(manager_id)
    .bind(fields.start_date.map(|d| d.to_string()))
    .bind(fields.left_on.map(|d| d.to_string()))
    .fetch_one(&mut **tx)
    .await?)
}

/// Writes the checked details of an existing person and ends their sessions when they leave: the
/// update step of `write_person` and of the batch writes, without its audit event.
pub(super) async fn store_update(
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
pub(super) fn person_event(id: i64, created: bool, fields: &PersonFields) -> audit::NewEvent {
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

pub(super) async fn record_person(
    work: &mut Work<'_>,
    id: i64,
    created: bool,
    fields: &PersonFields,
) -> AppResult<()> {
    let e = person_event(id, created, fields);
    work.record(e.action, &e.object, &e.summary, e.detail).await
}

/// Makes a person an admin (the People team) or an employee. The last active admin stays one, so
/// that someone can always manage the organisation.
pub async fn set_role(state: &AppState, actor: &Actor, id: i64, role: Role) -> AppResult<()> {
    let permit = policy::manage_people(actor)?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let current: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **work.tx())
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
        .fetch_one(&mut **work.tx())
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
        .execute(&mut **work.tx())
        .await?;
    work.record(
        Action::PersonRole,
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
    work.commit().await?;
    state.actors().forget_user(id);
    Ok(())
}

/// Adds or updates one person (by email).
pub async fn save_person(db: &Db, actor: &Actor, input: &PersonInput) -> AppResult<i64> {
    let permit = policy::manage_people(actor)?;
    let fields = input.check().map_err(invalid)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let (id, _) = write_person(&mut work, &fields).await?;
    work.commit().await?;
    Ok(id)
}

/// Adds a new person; an email already in the directory is refused rather than updated.
pub async fn create_person(db: &Db, actor: &Actor, input: &PersonInput) -> AppResult<i64> {
    let permit = policy::manage_people(actor)?;
    let fields = input.check().map_err(invalid)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(fields.email.as_str())
        .fetch_optional(&mut **work.tx())
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
    let (id, created) = write_person(&mut work, &fields).await?;
    if !created {
        return Err(already());
    }
    work.commit().await?;
    Ok(id)
}
