//! The pilot: which teams see the Grow features before everyone does. The gate itself and its
//! writes live in [`crate::services::release`]; this module is what the pilot page and its API show
//! and send. Only admins choose the audience (`policy::manage_release`).

use serde::Serialize;
use sqlx::Row;

use crate::auth::{Actor, policy};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::services::release;

/// A team, and whether it is in the pilot.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PilotTeam {
    pub id: i64,
    pub name: String,
    /// Active people in the team.
    pub people: i64,
    pub pilot: bool,
}

/// Who sees the Grow features now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Pilot {
    /// `everyone` or `pilot`.
    pub audience: String,
    /// Every team, by name.
    pub teams: Vec<PilotTeam>,
    /// Active people in the pilot teams.
    pub pilot_people: i64,
    /// Active people in the organisation.
    pub everyone: i64,
}

impl Pilot {
    /// The Grow features are limited to the pilot teams.
    pub fn limited(&self) -> bool {
        self.audience == release::PILOT
    }

    pub fn pilot_teams(&self) -> Vec<&PilotTeam> {
        self.teams.iter().filter(|t| t.pilot).collect()
    }
}

/// The audience and the teams to choose from.
pub async fn pilot(db: &Db, actor: &Actor) -> AppResult<Pilot> {
    policy::manage_release(actor)?;
    let audience = release::audience(db).await?;
    let rows = sqlx::query(
        "SELECT t.id, t.name, \
                (SELECT COUNT(*) FROM users u WHERE u.team_id = t.id AND u.active = 1) AS people, \
                CASE WHEN p.team_id IS NULL THEN 0 ELSE 1 END AS pilot \
         FROM teams t LEFT JOIN pilot_teams p ON p.team_id = t.id \
         ORDER BY t.name_key, t.id",
    )
    .fetch_all(db.pool())
    .await?;
    let teams = rows
        .iter()
        .map(|r| {
            let pilot: i64 = r.try_get("pilot")?;
            Ok(PilotTeam {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                people: r.try_get("people")?,
                pilot: pilot == 1,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let everyone: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE active = 1")
        .fetch_one(db.pool())
        .await?;
    Ok(Pilot {
        audience,
        pilot_people: teams.iter().filter(|t| t.pilot).map(|t| t.people).sum(),
        teams,
        everyone,
    })
}

/// The audience as sent by the pilot form: `everyone` or `pilot`, and the ids of the ticked teams
/// as typed.
#[derive(Debug, Clone, Default)]
pub struct PilotInput {
    pub audience: String,
    pub teams: Vec<String>,
}

/// Sets the audience and the pilot teams from the form.
pub async fn choose(db: &Db, actor: &Actor, input: &PilotInput) -> AppResult<()> {
    policy::manage_release(actor)?;
    let mut ids = Vec::with_capacity(input.teams.len());
    for raw in input
        .teams
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
    {
        ids.push(raw.parse::<i64>().map_err(|_| {
            AppError::invalid_field("teams", format!("“{raw}” is not a team of the list"))
        })?);
    }
    release::set_audience(db, actor, &input.audience, &ids).await
}
