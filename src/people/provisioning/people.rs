//! People as SCIM users: read as a client sees them, and written through
//! `directory::write_person`.

use super::filter::PersonFilter;
use super::query::{self, bind_all, bind_scalar};
use super::{invalid, stored_input, taken};
use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::Work;
use crate::db::{Db, Tx, now};
use crate::domain::Email;
use crate::error::{AppError, AppResult};
use crate::people::directory::{self, PersonInput};

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

/// A row of [`PERSON_SELECT`]: a person's columns with their team's name.
#[derive(sqlx::FromRow)]
struct PersonRow {
    id: i64,
    email: String,
    name: String,
    employee_id: Option<String>,
    team: Option<String>,
    manager_id: Option<i64>,
    active: i64,
    scim_active_unassigned: i64,
    external_id: Option<String>,
    scim_user_name: Option<String>,
    scim_name: Option<String>,
    display_name: Option<String>,
    scim_emails: Option<String>,
    created_at: i64,
    updated_at: Option<i64>,
}

impl From<PersonRow> for ScimPerson {
    fn from(r: PersonRow) -> ScimPerson {
        ScimPerson {
            id: r.id,
            email: r.email,
            name: r.name,
            employee_id: r.employee_id,
            team: r.team,
            manager_id: r.manager_id,
            active: r.active == 1,
            active_unassigned: r.scim_active_unassigned == 1,
            external_id: r.external_id,
            scim_user_name: r.scim_user_name,
            scim_name: r.scim_name,
            display_name: r.display_name,
            scim_emails: r.scim_emails,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// People matching a filter, by id: the total and the page from `offset`.
pub async fn people(
    db: &Db,
    actor: &Actor,
    filter: Option<&PersonFilter>,
    offset: i64,
    limit: i64,
) -> AppResult<(i64, Vec<ScimPerson>)> {
    policy::provision(actor)?;
    let condition = filter.map(query::people).transpose()?;
    let where_clause = match &condition {
        Some(c) => format!("WHERE u.scim_deleted_at IS NULL AND {}", c.sql),
        None => "WHERE u.scim_deleted_at IS NULL".to_owned(),
    };
    let binds = condition.as_ref().map_or(&[][..], |c| c.binds.as_slice());
    let count_sql = format!(
        "SELECT COUNT(*) AS n FROM users u LEFT JOIN teams t ON t.id = u.team_id {where_clause}"
    );
    let total = bind_scalar(sqlx::query_scalar::<_, i64>(&count_sql), binds)
        .fetch_one(db.pool())
        .await?;
    if limit <= 0 {
        return Ok((total, Vec::new()));
    }
    let sql = format!("{PERSON_SELECT} {where_clause} ORDER BY u.id LIMIT {limit} OFFSET {offset}");
    let rows = bind_all(sqlx::query_as::<_, PersonRow>(&sql), binds)
        .fetch_all(db.pool())
        .await?;
    let people = rows.into_iter().map(ScimPerson::from).collect();
    Ok((total, people))
}

/// One person by id.
pub async fn person(db: &Db, actor: &Actor, id: i64) -> AppResult<ScimPerson> {
    policy::provision(actor)?;
    let sql = format!("{PERSON_SELECT} WHERE u.id = $1 AND u.scim_deleted_at IS NULL");
    let row = sqlx::query_as::<_, PersonRow>(&sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found(format!("the user {id}")))?;
    Ok(row.into())
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

/// Writes a person in an open transaction: creates them (`id` absent) or replaces what SCIM knows
/// of them. The email and the SCIM-only columns are written here; everything else through
/// `directory::write_person`.
async fn write(work: &mut Work<'_>, id: Option<i64>, w: &PersonWrite) -> AppResult<i64> {
    let creating = id.is_none();
    let email = Email::parse(&w.email).map_err(|m| AppError::invalid_field("userName", m))?;
    let id = match id {
        Some(id) => Some(provisioned(work.tx(), id).await?),
        // Someone deleted over SCIM and created again (a rehire) is the same person again.
        None => {
            sqlx::query_scalar(
                "SELECT id FROM users WHERE email = $1 AND scim_deleted_at IS NOT NULL",
            )
            .bind(email.as_str())
            .fetch_optional(&mut **work.tx())
            .await?
        }
    };
    let current = match id {
        Some(id) => Some(
            stored_input(work.tx(), id)
                .await?
                .ok_or_else(|| AppError::not_found(format!("the user {id}")))?,
        ),
        None => None,
    };
    let user_name = w.user_name.as_deref().unwrap_or(email.as_str());
    check_unique(work.tx(), w, &email, user_name, id).await?;
    let manager_email = manager_email(work.tx(), w.manager).await?;
    if let (Some(id), Some(current)) = (id, &current)
        && current.email != email.as_str()
    {
        sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email.as_str())
            .bind(id)
            .execute(&mut **work.tx())
            .await?;
    }
    let status = status_of(w.active, current.as_ref(), creating);
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
    let (id, _) = directory::write_person(work, &fields).await?;
    store_scim_details(work.tx(), id, w).await?;
    work.record(
        Action::PersonProvision,
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

/// The id of a person SCIM has not deleted; a 404 for anyone else.
async fn provisioned(tx: &mut Tx, id: i64) -> AppResult<i64> {
    let deleted: Option<Option<i64>> =
        sqlx::query_scalar("SELECT scim_deleted_at FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    match deleted {
        Some(None) => Ok(id),
        _ => Err(AppError::not_found(format!("the user {id}"))),
    }
}

/// SCIM's unique attributes (the user name, the external id, the employee number) belong to
/// nobody else: a conflict, SCIM's `uniqueness` error, when they do.
async fn check_unique(
    tx: &mut Tx,
    w: &PersonWrite,
    email: &Email,
    user_name: &str,
    id: Option<i64>,
) -> AppResult<()> {
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
    Ok(())
}

/// The email of the manager SCIM names by id; none without one.
async fn manager_email(tx: &mut Tx, manager: Option<i64>) -> AppResult<String> {
    let Some(m) = manager else {
        return Ok(String::new());
    };
    sqlx::query_scalar::<_, String>("SELECT email FROM users WHERE id = $1")
        .bind(m)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| {
            AppError::invalid_field("manager", format!("there is no user with the id {m}"))
        })
}

/// The employment status to write. Without `active`, a person created (or rehired) is active and
/// anyone else keeps their status: SCIM never deactivates or reactivates someone it did not say
/// to.
fn status_of(active: Option<bool>, current: Option<&PersonInput>, creating: bool) -> &str {
    match (active, current) {
        (Some(true), _) | (None, None) => "active",
        (Some(false), _) => "left",
        (None, Some(_)) if creating => "active",
        (None, Some(c)) => c.status.as_str(),
    }
}

/// Keeps what only SCIM knows of a person, and marks them as not deleted.
async fn store_scim_details(tx: &mut Tx, id: i64, w: &PersonWrite) -> AppResult<()> {
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
    Ok(())
}

/// Creates a person; a user name or email that is taken is a conflict, not an update.
pub async fn create_person(db: &Db, actor: &Actor, w: &PersonWrite) -> AppResult<i64> {
    let permit = policy::provision(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let id = write(&mut work, None, w).await?;
    work.commit().await?;
    Ok(id)
}

/// Replaces what SCIM knows of a person (their start date and position stay).
pub async fn replace_person(db: &Db, actor: &Actor, id: i64, w: &PersonWrite) -> AppResult<()> {
    let permit = policy::provision(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    write(&mut work, Some(id), w).await?;
    work.commit().await?;
    Ok(())
}

/// Deletes a person as SCIM sees it: they are marked as left (their sessions end) and SCIM
/// answers 404 for them from then on, but Trellis keeps them and their history. Creating them
/// again over SCIM brings the same person back.
pub async fn delete_person(db: &Db, actor: &Actor, id: i64) -> AppResult<()> {
    let permit = policy::provision(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let mut input = stored_input(work.tx(), id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("the user {id}")))?;
    let deleted: Option<i64> =
        sqlx::query_scalar("SELECT scim_deleted_at FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **work.tx())
            .await?;
    if deleted.is_some() {
        return Err(AppError::not_found(format!("the user {id}")));
    }
    if input.status != "left" {
        input.status = "left".into();
        input.left_on = String::new();
    }
    let fields = input.check().map_err(|e| invalid("userName", e))?;
    directory::write_person(&mut work, &fields).await?;
    sqlx::query("UPDATE users SET scim_deleted_at = $1, updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(&mut **work.tx())
        .await?;
    work.record(
        Action::PersonDeprovision,
        &format!("user:{id}"),
        &format!(
            "Deleted {} over SCIM: marked as left, history kept",
            fields.email
        ),
        None,
    )
    .await?;
    work.commit().await?;
    Ok(())
}
