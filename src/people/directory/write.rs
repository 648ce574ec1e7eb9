//! Writing one person: [`write_person`] in a transaction (the form, the API and SCIM), and the use
//! cases that open it; and an admin's role.

use sqlx::Row;

use crate::audit;
use crate::auth::policy::{self};
use crate::auth::{Actor, Role};
use crate::db::{Db, Tx, chain, now};
use crate::domain::{Email, Status};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

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
            "person.create"
        } else {
            "person.update"
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
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    created: bool,
    fields: &PersonFields,
) -> AppResult<()> {
    let e = person_event(id, created, fields);
    audit::record(tx, actor, e.action, &e.object, &e.summary, e.detail).await
}

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

/// Adds or updates one person (by email).
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
