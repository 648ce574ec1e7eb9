//! Provisioning over SCIM: reading people and teams the way a SCIM client sees them, and writing
//! them through the same path as the browser and CSV imports (`directory::write_person`, so
//! `PersonInput::check` decides what is valid). Each request is one transaction with its audit
//! events. What only SCIM knows (the client's external id, a user name that is not the email, the
//! name parts, display name and emails as the client sent them, and whether it left `active`
//! unassigned) is kept in columns of its own.
//!
//! Teams are SCIM groups: a person is in at most one team, so adding a person to a group moves
//! them out of the team they were in.
//!
//! A list is filtered by a [`filter::Filter`], a value the SCIM adapter reads from the client's
//! filter; [`query`] turns it into SQL with bound parameters, so the adapter writes no SQL.

mod failures;
pub mod filter;
mod people;
pub mod query;
mod teams;

use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::directory::PersonInput;

pub use failures::{FailedRequest, failures_since, record_failure};
pub use filter::{PersonFilter, TeamFilter};
pub use people::{
    PersonWrite, ScimPerson, create_person, delete_person, people, person, replace_person,
};
pub use teams::{ScimTeam, TeamWrite, create_team, delete_team, replace_team, team, teams};

/// The stored details of a person, as the form and CSV importer would have typed them.
async fn stored_input(tx: &mut Tx, id: i64) -> AppResult<Option<PersonInput>> {
    let row = sqlx::query_as::<_, StoredRow>(
        "SELECT u.email, u.name, u.employee_id, t.name AS team, m.email AS manager_email, \
         u.start_date, u.active, u.left_on FROM users u LEFT JOIN teams t ON t.id = u.team_id \
         LEFT JOIN users m ON m.id = u.manager_id WHERE u.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| PersonInput {
        email: r.email,
        name: r.name,
        employee_id: r.employee_id.unwrap_or_default(),
        team: r.team.unwrap_or_default(),
        manager_email: r.manager_email.unwrap_or_default(),
        start_date: r.start_date.unwrap_or_default(),
        status: if r.active == 1 { "active" } else { "left" }.to_owned(),
        left_on: r.left_on.unwrap_or_default(),
    }))
}

/// A person's stored details, with their team's name and their manager's email.
#[derive(sqlx::FromRow)]
struct StoredRow {
    email: String,
    name: String,
    employee_id: Option<String>,
    team: Option<String>,
    manager_email: Option<String>,
    start_date: Option<String>,
    active: i64,
    left_on: Option<String>,
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
