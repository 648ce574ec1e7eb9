//! Adding, changing and removing an item.

use super::EvidenceInput;
use super::detail::access;
use super::items::item;
use super::list::{owner, visible_owner};
use super::track_competencies;
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy;
use crate::db::{Tx, Work, now};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

async fn write_competencies(tx: &mut Tx, id: i64, keys: &[String]) -> AppResult<()> {
    sqlx::query("DELETE FROM evidence_competencies WHERE evidence_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for key in keys {
        sqlx::query(
            "INSERT INTO evidence_competencies (evidence_id, competency_key) VALUES ($1, $2)",
        )
        .bind(id)
        .bind(key)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Adds an item to a person's evidence: the person themselves or someone in their chain.
/// Returns its id.
pub async fn add(
    state: &AppState,
    actor: &Actor,
    person: i64,
    input: &EvidenceInput,
) -> AppResult<i64> {
    let (owner, relation) = visible_owner(state, actor, person).await?;
    let permit = policy::add_evidence(actor, relation)?;
    let published = crate::architecture::framework::require_published(state, actor).await?;
    let fw = Some(&published.framework);
    let allowed = track_competencies(fw, owner.track.as_deref());
    if allowed.is_empty() {
        return Err(AppError::invalid_field(
            "competencies",
            format!(
                "{} has no position on a track of the published framework, so evidence cannot be attached to its competencies yet",
                owner.name
            ),
        ));
    }
    let c = input.check(fw, &allowed)?;
    let at = now();
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO evidence (person_id, kind, title, url, note, happened_on, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(owner.id)
    .bind(c.kind)
    .bind(&c.title)
    .bind(&c.url)
    .bind(&c.note)
    .bind(&c.happened_on)
    .bind(actor.user_id)
    .bind(at)
    .fetch_one(&mut **work.tx())
    .await?;
    write_competencies(work.tx(), id, &c.competencies).await?;
    work.record(
        Action::EvidenceAdd,
        &format!("evidence:{id}"),
        &format!("Added evidence “{}” for {}", c.title, owner.name),
        Some(serde_json::json!({
            "person": owner.id, "kind": c.kind, "competencies": c.competencies,
        })),
    )
    .await?;
    work.commit().await?;
    Ok(id)
}

/// Changes an item: its author only. Confirmations were given to what it said before, so a
/// change removes them, and colleagues who had confirmed are asked again.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: &EvidenceInput,
) -> AppResult<()> {
    let a = access(state, actor, id).await?;
    let permit = policy::change_evidence(actor, a.author)?;
    let db = state.db();
    let current = item(db, id).await?;
    let owner = owner(db, a.person)
        .await?
        .ok_or_else(|| AppError::not_found("this evidence"))?;
    let published = crate::architecture::framework::require_published(state, actor).await?;
    let fw = Some(&published.framework);
    let mut allowed = track_competencies(fw, owner.track.as_deref());
    allowed.extend(current.competencies.iter().cloned());
    let c = input.check(fw, &allowed)?;
    let changed = c.kind != current.kind
        || c.title != current.title
        || c.url != current.url
        || c.note != current.note
        || c.happened_on != current.happened_on
        || c.competencies
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            != current.competencies.iter().collect();
    if !changed {
        return Ok(());
    }
    let mut work = Work::begin(db, actor, permit).await?;
    sqlx::query(
        "UPDATE evidence SET kind = $1, title = $2, url = $3, note = $4, happened_on = $5, updated_at = $6 \
         WHERE id = $7",
    )
    .bind(c.kind)
    .bind(&c.title)
    .bind(&c.url)
    .bind(&c.note)
    .bind(&c.happened_on)
    .bind(now())
    .bind(id)
    .execute(&mut **work.tx())
    .await?;
    write_competencies(work.tx(), id, &c.competencies).await?;
    let removed = sqlx::query("DELETE FROM evidence_confirmations WHERE evidence_id = $1")
        .bind(id)
        .execute(&mut **work.tx())
        .await?
        .rows_affected();
    sqlx::query(
        "UPDATE evidence_requests SET status = 'pending', answered_at = NULL \
         WHERE evidence_id = $1 AND status = 'confirmed'",
    )
    .bind(id)
    .execute(&mut **work.tx())
    .await?;
    work.record(
        Action::EvidenceEdit,
        &format!("evidence:{id}"),
        &format!("Changed evidence “{}” of {}", c.title, owner.name),
        Some(serde_json::json!({
            "person": owner.id, "kind": c.kind, "competencies": c.competencies,
            "confirmations_removed": removed,
        })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Removes an item: its author only.
pub async fn remove(state: &AppState, actor: &Actor, id: i64) -> AppResult<i64> {
    let a = access(state, actor, id).await?;
    let permit = policy::change_evidence(actor, a.author)?;
    let db = state.db();
    let current = item(db, id).await?;
    let mut work = Work::begin(db, actor, permit).await?;
    sqlx::query("DELETE FROM evidence WHERE id = $1")
        .bind(id)
        .execute(&mut **work.tx())
        .await?;
    work.record(
        Action::EvidenceRemove,
        &format!("evidence:{id}"),
        &format!("Removed evidence “{}”", current.title),
        Some(serde_json::json!({ "person": a.person, "competencies": current.competencies })),
    )
    .await?;
    work.commit().await?;
    Ok(a.person)
}
