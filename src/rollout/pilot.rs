//! The pilot: who sees the Grow features (check-ins, evidence, plans, 1:1s, the team view), everyone
//! or only the pilot teams while the People team tries career tracks out. Admins always do, so that
//! they can prepare the release. The framework itself is open to everyone either way. This module
//! holds the gate every Grow feature asks, its writes, and what the pilot page and its API show and
//! send. Only admins choose the audience (`policy::manage_release`).

use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::Db;
use crate::db::Work;
use crate::error::{AppError, AppResult};

/// Everyone sees the Grow features.
pub const EVERYONE: &str = "everyone";
/// Only the pilot teams (and admins) see them.
pub const PILOT: &str = "pilot";

/// The audience of the Grow features: [`EVERYONE`] until the People team chooses a pilot.
pub async fn audience(db: &Db) -> AppResult<String> {
    let audience: Option<String> =
        sqlx::query_scalar("SELECT audience FROM grow_release WHERE id = 1")
            .fetch_optional(db.pool())
            .await?;
    Ok(audience.unwrap_or_else(|| EVERYONE.to_owned()))
}

/// Whether this person may use the Grow features now.
pub async fn grow_enabled(db: &Db, actor: &Actor) -> AppResult<bool> {
    if policy::use_grow_before_release(actor) {
        return Ok(true);
    }
    let Some(me) = actor.user_id else {
        return Ok(false);
    };
    let in_pilot: Option<(String, i64)> = sqlx::query_as(
        "SELECT r.audience, \
                CASE WHEN EXISTS (SELECT 1 FROM users u JOIN pilot_teams p ON p.team_id = u.team_id \
                                  WHERE u.id = $1) THEN 1 ELSE 0 END \
         FROM grow_release r WHERE r.id = 1",
    )
    .bind(me)
    .fetch_optional(db.pool())
    .await?;
    Ok(match in_pilot {
        None => true,
        Some((audience, in_pilot)) => audience == EVERYONE || in_pilot == 1,
    })
}

/// Refuses the Grow features to someone outside the pilot, with a reason they can read.
pub async fn require_grow(db: &Db, actor: &Actor) -> AppResult<()> {
    if grow_enabled(db, actor).await? {
        Ok(())
    } else {
        Err(AppError::NotReleased)
    }
}

// ---- Choosing the audience (the pilot page and its API), and what other areas read of it ----

/// The SQL condition that holds for a person (a row of `users` under the alias `alias`) in one of
/// the pilot teams, for reports that compare the pilot with the rest: for example
/// `format!("SELECT COUNT(*) FROM users u WHERE {}", release::in_pilot_sql("u"))`. The pilot teams
/// are kept after the release to everyone, so the comparison still holds then; check
/// [`audience`] to know whether the Grow features are still limited to them. Portable SQL.
pub fn in_pilot_sql(alias: &str) -> String {
    format!("{alias}.team_id IN (SELECT team_id FROM pilot_teams)")
}

/// The ids of the pilot teams (chosen on the pilot page), whether or not the Grow features have
/// since been released to everyone. No policy check: callers have checked their own.
pub async fn pilot_team_ids(db: &Db) -> AppResult<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT team_id FROM pilot_teams ORDER BY team_id")
            .fetch_all(db.pool())
            .await?,
    )
}

/// Whether this person is in one of the pilot teams. No policy check: callers have checked their
/// own.
pub async fn is_pilot_user(db: &Db, user_id: i64) -> AppResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN pilot_teams p ON p.team_id = u.team_id WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
}

/// Sets who sees the Grow features: [`EVERYONE`], or [`PILOT`] with the teams in `team_ids` (at
/// least one). The pilot teams are replaced by `team_ids` either way, so that an admin can prepare
/// the list before limiting the audience. One transaction, audited.
pub async fn set_audience(
    db: &Db,
    actor: &Actor,
    audience: &str,
    team_ids: &[i64],
) -> AppResult<()> {
    let permit = policy::manage_release(actor)?;
    let audience = audience.trim();
    if audience != EVERYONE && audience != PILOT {
        return Err(AppError::invalid_field(
            "audience",
            "choose the audience: everyone or pilot",
        ));
    }
    let mut teams: Vec<i64> = team_ids.to_vec();
    teams.sort_unstable();
    teams.dedup();
    if audience == PILOT && teams.is_empty() {
        return Err(AppError::invalid_field(
            "teams",
            "choose at least one pilot team, or release to everyone",
        ));
    }
    let mut work = Work::begin(db, actor, permit).await?;
    let mut names = Vec::with_capacity(teams.len());
    for id in &teams {
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM teams WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **work.tx())
            .await?;
        match name {
            Some(name) => names.push(name),
            None => {
                return Err(AppError::invalid_field(
                    "teams",
                    format!("there is no team with the id {id}"),
                ));
            }
        }
    }
    let before = audience_in(work.tx()).await?;
    let before_teams: Vec<i64> =
        sqlx::query_scalar("SELECT team_id FROM pilot_teams ORDER BY team_id")
            .fetch_all(&mut **work.tx())
            .await?;
    let at = crate::db::now();
    write_audience(work.tx(), audience, at).await?;
    sqlx::query("DELETE FROM pilot_teams")
        .execute(&mut **work.tx())
        .await?;
    for id in &teams {
        sqlx::query("INSERT INTO pilot_teams (team_id, added_at) VALUES ($1, $2)")
            .bind(id)
            .bind(at)
            .execute(&mut **work.tx())
            .await?;
    }
    let summary = if audience == EVERYONE {
        "Released the Grow features to everyone".to_owned()
    } else {
        format!(
            "Limited the Grow features to the pilot teams: {}",
            names.join(", ")
        )
    };
    work.record(
        Action::RolloutRelease,
        "grow_release",
        &summary,
        Some(serde_json::json!({
            "before": { "audience": before, "teams": before_teams },
            "after": { "audience": audience, "teams": teams },
        })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Releases the Grow features to everyone, keeping the pilot teams for comparison. One
/// transaction, audited.
pub async fn release_to_everyone(db: &Db, actor: &Actor) -> AppResult<()> {
    let permit = policy::manage_release(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let before = audience_in(work.tx()).await?;
    if before == EVERYONE {
        return Ok(());
    }
    write_audience(work.tx(), EVERYONE, crate::db::now()).await?;
    work.record(
        Action::RolloutRelease,
        "grow_release",
        "Released the Grow features to everyone",
        Some(serde_json::json!({
            "before": { "audience": before },
            "after": { "audience": EVERYONE },
        })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

async fn audience_in(tx: &mut crate::db::Tx) -> AppResult<String> {
    let audience: Option<String> =
        sqlx::query_scalar("SELECT audience FROM grow_release WHERE id = 1")
            .fetch_optional(&mut **tx)
            .await?;
    Ok(audience.unwrap_or_else(|| EVERYONE.to_owned()))
}

async fn write_audience(tx: &mut crate::db::Tx, audience: &str, at: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO grow_release (id, audience, updated_at) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET audience = excluded.audience, updated_at = excluded.updated_at",
    )
    .bind(audience)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A team, and whether it is in the pilot.
#[derive(Debug, Clone)]
pub struct PilotTeam {
    pub id: i64,
    pub name: String,
    /// Active people in the team.
    pub people: i64,
    pub pilot: bool,
}

/// Who sees the Grow features now.
#[derive(Debug, Clone)]
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
        self.audience == PILOT
    }

    pub fn pilot_teams(&self) -> Vec<&PilotTeam> {
        self.teams.iter().filter(|t| t.pilot).collect()
    }
}

/// A team as the pilot page's query reads it: `pilot` is 1 for a pilot team, else 0.
#[derive(sqlx::FromRow)]
struct TeamRow {
    id: i64,
    name: String,
    people: i64,
    pilot: i64,
}

impl TeamRow {
    fn into_team(self) -> PilotTeam {
        PilotTeam {
            id: self.id,
            name: self.name,
            people: self.people,
            pilot: self.pilot == 1,
        }
    }
}

/// The audience and the teams to choose from.
pub async fn pilot(db: &Db, actor: &Actor) -> AppResult<Pilot> {
    policy::manage_release(actor)?;
    let audience = audience(db).await?;
    let teams = sqlx::query_as::<_, TeamRow>(
        "SELECT t.id, t.name, \
                (SELECT COUNT(*) FROM users u WHERE u.team_id = t.id AND u.active = 1) AS people, \
                CASE WHEN p.team_id IS NULL THEN 0 ELSE 1 END AS pilot \
         FROM teams t LEFT JOIN pilot_teams p ON p.team_id = t.id \
         ORDER BY t.name_key, t.id",
    )
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(TeamRow::into_team)
    .collect::<Vec<_>>();
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
    set_audience(db, actor, &input.audience, &ids).await
}
