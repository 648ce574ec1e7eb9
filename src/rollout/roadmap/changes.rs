//! Changing the roadmap (admins): a stage's plan, and the items of its checklist. Every change is
//! one transaction with its audit event.

use super::checks::{field, invalid};
use super::reading::ensure_stages;
use super::{Direction, ItemInput, Stage, StageInput};
use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::Work;
use crate::db::{Db, Tx, now};
use crate::domain::Email;
use crate::error::{AppError, AppResult};

/// The id of the person with this email, who must still work here.
pub(super) async fn owner_id(tx: &mut Tx, email: Option<&Email>) -> AppResult<Option<i64>> {
    let Some(email) = email else {
        return Ok(None);
    };
    let row: Option<(i64, i64)> = sqlx::query_as("SELECT id, active FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    match row {
        None => Err(invalid(vec![field(
            "owner_email",
            format!("no one in the directory has the email {email}"),
        )])),
        Some((_, 0)) => Err(invalid(vec![field(
            "owner_email",
            format!("{email} has left the organisation"),
        )])),
        Some((id, _)) => Ok(Some(id)),
    }
}

/// Changes a stage's owner, dates, notes and status.
pub async fn update_stage(
    db: &Db,
    actor: &Actor,
    stage: Stage,
    input: &StageInput,
) -> AppResult<()> {
    let permit = policy::run_rollout(actor)?;
    let fields = input.check().map_err(invalid)?;
    ensure_stages(db, actor).await?;
    let mut work = Work::begin(db, actor, permit).await?;
    let owner = owner_id(work.tx(), fields.owner.as_ref()).await?;
    let starts_on = fields.starts_on.map(|d| d.to_string());
    let ends_on = fields.ends_on.map(|d| d.to_string());
    sqlx::query(
        "UPDATE roadmap_stages SET owner_id = $1, starts_on = $2, ends_on = $3, notes = $4, \
         status = $5, updated_at = $6 WHERE stage = $7",
    )
    .bind(owner)
    .bind(&starts_on)
    .bind(&ends_on)
    .bind(&fields.notes)
    .bind(fields.status.as_str())
    .bind(now())
    .bind(stage.as_str())
    .execute(&mut **work.tx())
    .await?;
    work.record(
        Action::RolloutStageUpdated,
        &format!("stage:{}", stage.as_str()),
        &format!(
            "Updated the {} stage ({})",
            stage.name(),
            fields.status.label().to_lowercase()
        ),
        Some(serde_json::json!({
            "owner": fields.owner.as_ref().map(Email::as_str),
            "starts_on": starts_on,
            "ends_on": ends_on,
            "status": fields.status.as_str(),
        })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Adds an item at the end of a stage's checklist; returns its id.
pub async fn add_item(db: &Db, actor: &Actor, stage: Stage, input: &ItemInput) -> AppResult<i64> {
    let permit = policy::run_rollout(actor)?;
    let fields = input.check().map_err(invalid)?;
    ensure_stages(db, actor).await?;
    let mut work = Work::begin(db, actor, permit).await?;
    let owner = owner_id(work.tx(), fields.owner.as_ref()).await?;
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(position) FROM roadmap_items WHERE stage = $1")
            .bind(stage.as_str())
            .fetch_one(&mut **work.tx())
            .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO roadmap_items (stage, title, owner_id, due_on, position, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(stage.as_str())
    .bind(&fields.title)
    .bind(owner)
    .bind(fields.due_on.map(|d| d.to_string()))
    .bind(last.unwrap_or(0) + 1)
    .bind(now())
    .fetch_one(&mut **work.tx())
    .await?;
    work.record(
        Action::RolloutItemAdded,
        &format!("roadmap_item:{id}"),
        &format!("Added “{}” to the {} stage", fields.title, stage.name()),
        Some(serde_json::json!({
            "stage": stage.as_str(),
            "owner": fields.owner.as_ref().map(Email::as_str),
            "due_on": fields.due_on.map(|d| d.to_string()),
        })),
    )
    .await?;
    work.commit().await?;
    Ok(id)
}

/// The stage and title of an item, or 404.
async fn item_in(tx: &mut Tx, id: i64) -> AppResult<(Stage, String, i64, Option<i64>)> {
    let row: Option<(String, String, i64, Option<i64>)> =
        sqlx::query_as("SELECT stage, title, position, done_at FROM roadmap_items WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    let (stage, title, position, done_at) =
        row.ok_or_else(|| AppError::not_found("this roadmap item"))?;
    let stage = Stage::parse(&stage).ok_or_else(|| AppError::not_found("this roadmap item"))?;
    Ok((stage, title, position, done_at))
}

/// Changes an item's title, owner and due date.
pub async fn update_item(db: &Db, actor: &Actor, id: i64, input: &ItemInput) -> AppResult<()> {
    let permit = policy::run_rollout(actor)?;
    let fields = input.check().map_err(invalid)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let (stage, before, _, _) = item_in(work.tx(), id).await?;
    let owner = owner_id(work.tx(), fields.owner.as_ref()).await?;
    sqlx::query("UPDATE roadmap_items SET title = $1, owner_id = $2, due_on = $3 WHERE id = $4")
        .bind(&fields.title)
        .bind(owner)
        .bind(fields.due_on.map(|d| d.to_string()))
        .bind(id)
        .execute(&mut **work.tx())
        .await?;
    work.record(
        Action::RolloutItemUpdated,
        &format!("roadmap_item:{id}"),
        &format!("Changed “{}” in the {} stage", fields.title, stage.name()),
        Some(serde_json::json!({
            "before": before,
            "title": fields.title,
            "owner": fields.owner.as_ref().map(Email::as_str),
            "due_on": fields.due_on.map(|d| d.to_string()),
        })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Moves an item one place up or down its stage's checklist; at either end it stays.
pub async fn move_item(db: &Db, actor: &Actor, id: i64, direction: Direction) -> AppResult<()> {
    let permit = policy::run_rollout(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let (stage, title, position, _) = item_in(work.tx(), id).await?;
    let sql = match direction {
        Direction::Up => {
            "SELECT id, position FROM roadmap_items WHERE stage = $1 AND (position < $2 OR (position = $2 AND id < $3)) \
             ORDER BY position DESC, id DESC LIMIT 1"
        }
        Direction::Down => {
            "SELECT id, position FROM roadmap_items WHERE stage = $1 AND (position > $2 OR (position = $2 AND id > $3)) \
             ORDER BY position, id LIMIT 1"
        }
    };
    let neighbour: Option<(i64, i64)> = sqlx::query_as(sql)
        .bind(stage.as_str())
        .bind(position)
        .bind(id)
        .fetch_optional(&mut **work.tx())
        .await?;
    let Some((other, other_position)) = neighbour else {
        return Ok(());
    };
    // Equal positions (never made here, but harmless) still end up in a definite order.
    let (mine, theirs) = if other_position == position {
        match direction {
            Direction::Up => (position, position + 1),
            Direction::Down => (position + 1, position),
        }
    } else {
        (other_position, position)
    };
    for (item, to) in [(id, mine), (other, theirs)] {
        sqlx::query("UPDATE roadmap_items SET position = $1 WHERE id = $2")
            .bind(to)
            .bind(item)
            .execute(&mut **work.tx())
            .await?;
    }
    work.record(
        Action::RolloutItemMoved,
        &format!("roadmap_item:{id}"),
        &format!(
            "Moved “{title}” {} in the {} stage",
            if direction == Direction::Up {
                "up"
            } else {
                "down"
            },
            stage.name()
        ),
        None,
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Ticks an item (done) or unticks it.
pub async fn tick_item(db: &Db, actor: &Actor, id: i64, done: bool) -> AppResult<()> {
    let permit = policy::run_rollout(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let (stage, title, _, done_at) = item_in(work.tx(), id).await?;
    if done_at.is_some() == done {
        return Ok(());
    }
    if done {
        sqlx::query("UPDATE roadmap_items SET done_at = $1, done_by = $2 WHERE id = $3")
            .bind(now())
            .bind(actor.user_id)
            .bind(id)
            .execute(&mut **work.tx())
            .await?;
    } else {
        sqlx::query("UPDATE roadmap_items SET done_at = NULL, done_by = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut **work.tx())
            .await?;
    }
    work.record(
        if done {
            Action::RolloutItemDone
        } else {
            Action::RolloutItemReopened
        },
        &format!("roadmap_item:{id}"),
        &format!(
            "{} “{title}” in the {} stage",
            if done { "Ticked" } else { "Unticked" },
            stage.name()
        ),
        None,
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Removes an item from its checklist; returns the stage it was in.
pub async fn remove_item(db: &Db, actor: &Actor, id: i64) -> AppResult<Stage> {
    let permit = policy::run_rollout(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
    let (stage, title, _, _) = item_in(work.tx(), id).await?;
    sqlx::query("DELETE FROM roadmap_items WHERE id = $1")
        .bind(id)
        .execute(&mut **work.tx())
        .await?;
    work.record(
        Action::RolloutItemRemoved,
        &format!("roadmap_item:{id}"),
        &format!("Removed “{title}” from the {} stage", stage.name()),
        Some(serde_json::json!({ "stage": stage.as_str(), "title": title })),
    )
    .await?;
    work.commit().await?;
    Ok(stage)
}
