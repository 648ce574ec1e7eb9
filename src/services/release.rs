//! Who sees the Grow features (check-ins, evidence, plans, 1:1s, the team view): everyone, or
//! only the pilot teams while the People team tries career tracks out. Admins always do, so that
//! they can prepare the release. The framework itself is open to everyone either way.

use crate::auth::Actor;
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
    if actor.is_admin() {
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
