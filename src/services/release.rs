//! Who sees the Grow features (check-ins, evidence, plans, 1:1s, the team view): everyone, or
//! only the pilot teams while the People team tries career tracks out. Admins always do, so that
//! they can prepare the release. The framework itself is open to everyone either way.

use crate::auth::{Actor, policy};
use crate::db::Db;
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
    crate::auth::policy::manage_release(actor)?;
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
    let mut tx = db.begin().await?;
    let mut names = Vec::with_capacity(teams.len());
    for id in &teams {
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM teams WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
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
    let before = audience_in(&mut tx).await?;
    let before_teams: Vec<i64> =
        sqlx::query_scalar("SELECT team_id FROM pilot_teams ORDER BY team_id")
            .fetch_all(&mut *tx)
            .await?;
    let at = crate::db::now();
    write_audience(&mut tx, audience, at).await?;
    sqlx::query("DELETE FROM pilot_teams")
        .execute(&mut *tx)
        .await?;
    for id in &teams {
        sqlx::query("INSERT INTO pilot_teams (team_id, added_at) VALUES ($1, $2)")
            .bind(id)
            .bind(at)
            .execute(&mut *tx)
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
    crate::services::audit::record(
        &mut tx,
        actor,
        "rollout.release",
        "grow_release",
        &summary,
        Some(serde_json::json!({
            "before": { "audience": before, "teams": before_teams },
            "after": { "audience": audience, "teams": teams },
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Releases the Grow features to everyone, keeping the pilot teams for comparison. One
/// transaction, audited.
pub async fn release_to_everyone(db: &Db, actor: &Actor) -> AppResult<()> {
    crate::auth::policy::manage_release(actor)?;
    let mut tx = db.begin().await?;
    let before = audience_in(&mut tx).await?;
    if before == EVERYONE {
        return Ok(());
    }
    write_audience(&mut tx, EVERYONE, crate::db::now()).await?;
    crate::services::audit::record(
        &mut tx,
        actor,
        "rollout.release",
        "grow_release",
        "Released the Grow features to everyone",
        Some(serde_json::json!({
            "before": { "audience": before },
            "after": { "audience": EVERYONE },
        })),
    )
    .await?;
    tx.commit().await?;
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
