//! One item with everything its page shows, who may see it, and the items colleagues asked
//! someone to confirm.

use super::items::item;
use super::list::owner;
use super::{EvidenceItem, competency_name, track_competencies};
use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::people::directory;
use crate::rollout::pilot;
use crate::state::AppState;

/// A colleague asked to confirm an item, and their answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmationRequest {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    /// `pending`, `confirmed` or `declined`.
    pub status: String,
    /// Unix seconds.
    pub asked_at: i64,
    pub answered_at: Option<i64>,
}

/// What the actor may do with an item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Abilities {
    /// Change or remove it: its author.
    pub edit: bool,
    /// Confirm it: a manager in the chain, or a colleague asked to.
    pub confirm: bool,
    /// Withdraw their own confirmation.
    pub unconfirm: bool,
    /// Decline a request to confirm it: the colleague asked, while the request is open.
    pub decline: bool,
    /// Ask a colleague to confirm it: the person whose evidence it is.
    pub ask: bool,
}

/// One evidence item with everything its page shows.
#[derive(Debug, Clone)]
pub struct EvidenceDetail {
    pub item: EvidenceItem,
    pub person_name: String,
    /// The item's competencies with their names.
    pub competency_names: Vec<(String, String)>,
    /// The competencies the item may be attached to (the person's track, and those it has).
    pub choices: Vec<(String, String)>,
    /// The colleagues asked to confirm it; for the person, their chain and admins. A colleague
    /// who was asked sees only their own request.
    pub requests: Vec<ConfirmationRequest>,
    pub may: Abilities,
    /// The actor sees the item only because they were asked to confirm it.
    pub asked_only: bool,
}

/// An item as stored, with who may see it.
pub(super) struct Access {
    pub(super) person: i64,
    pub(super) author: Option<i64>,
    pub(super) relation: Relation,
    /// The actor's own request to confirm, if they were asked: its status.
    pub(super) asked: Option<String>,
}

impl Access {
    pub(super) fn sees_privately(&self, actor: &Actor) -> bool {
        policy::see_private(actor, self.relation)
    }

    /// Asked and still meant to see it: the request is open or was answered with a confirmation.
    pub(super) fn asked_open(&self) -> bool {
        matches!(self.asked.as_deref(), Some("pending" | "confirmed"))
    }
}

/// Whose item it is and who added it.
#[derive(sqlx::FromRow)]
struct ItemOwnerRow {
    person_id: i64,
    created_by: Option<i64>,
}

/// Who the actor is to an item; a 404 when they may not see it.
pub(super) async fn access(state: &AppState, actor: &Actor, id: i64) -> AppResult<Access> {
    policy::read_directory(actor)?;
    pilot::require_grow(state.db(), actor).await?;
    let db = state.db();
    let row = sqlx::query_as::<_, ItemOwnerRow>(
        "SELECT person_id, created_by FROM evidence WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found("this evidence"))?;
    let person = row.person_id;
    let relation = directory::relation(db, actor, person).await?;
    let asked: Option<String> = match actor.user_id {
        Some(me) => {
            sqlx::query_scalar(
                "SELECT status FROM evidence_requests WHERE evidence_id = $1 AND user_id = $2",
            )
            .bind(id)
            .bind(me)
            .fetch_optional(db.pool())
            .await?
        }
        None => None,
    };
    let a = Access {
        person,
        author: row.created_by,
        relation,
        asked,
    };
    if a.sees_privately(actor) || a.asked_open() {
        Ok(a)
    } else {
        Err(AppError::not_found("this evidence"))
    }
}

/// One item, for the person, their chain, admins and a colleague asked to confirm it.
pub async fn get(state: &AppState, actor: &Actor, id: i64) -> AppResult<EvidenceDetail> {
    let a = access(state, actor, id).await?;
    let db = state.db();
    let item = item(db, id).await?;
    let owner = owner(db, a.person)
        .await?
        .ok_or_else(|| AppError::not_found("this evidence"))?;
    let published = crate::architecture::framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let asked_only = !a.sees_privately(actor);
    let requests = requests_of(db, id)
        .await?
        .into_iter()
        .filter(|r| !asked_only || Some(r.user_id) == actor.user_id)
        .collect();
    let confirmed_by_me = actor
        .user_id
        .is_some_and(|me| item.confirmations.iter().any(|c| c.user_id == me));
    let may = Abilities {
        edit: policy::change_evidence(actor, item.author_id).is_ok(),
        confirm: policy::confirm_evidence(actor, a.relation, a.asked_open()).is_ok()
            && actor.user_id.is_some(),
        unconfirm: confirmed_by_me,
        decline: a.asked.as_deref() == Some("pending"),
        ask: policy::ask_evidence_confirmation(actor, a.relation).is_ok(),
    };
    let mut choices: Vec<(String, String)> = track_competencies(fw, owner.track.as_deref())
        .into_iter()
        .map(|k| {
            let n = competency_name(fw, &k);
            (k, n)
        })
        .collect();
    for k in &item.competencies {
        if !choices.iter().any(|(c, _)| c == k) {
            choices.push((k.clone(), competency_name(fw, k)));
        }
    }
    Ok(EvidenceDetail {
        competency_names: item
            .competencies
            .iter()
            .map(|k| (k.clone(), competency_name(fw, k)))
            .collect(),
        choices,
        person_name: owner.name,
        item,
        requests,
        may,
        asked_only,
    })
}

/// A request to confirm an item, with the colleague asked.
#[derive(sqlx::FromRow)]
struct RequestRow {
    user_id: i64,
    name: String,
    email: String,
    status: String,
    asked_at: i64,
    answered_at: Option<i64>,
}

/// The colleagues asked to confirm an item, in the order they were asked.
async fn requests_of(db: &Db, id: i64) -> AppResult<Vec<ConfirmationRequest>> {
    let rows = sqlx::query_as::<_, RequestRow>(
        "SELECT r.user_id, u.name, u.email, r.status, r.asked_at, r.answered_at \
         FROM evidence_requests r JOIN users u ON u.id = r.user_id \
         WHERE r.evidence_id = $1 ORDER BY r.asked_at, r.user_id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ConfirmationRequest {
            user_id: r.user_id,
            name: r.name,
            email: r.email,
            status: r.status,
            asked_at: r.asked_at,
            answered_at: r.answered_at,
        })
        .collect())
}

/// An item waiting for the actor's answer, or one they answered.
#[derive(Debug, Clone)]
pub struct AskedItem {
    pub evidence_id: i64,
    pub title: String,
    pub person_id: i64,
    pub person_name: String,
    /// `pending` or `confirmed`.
    pub status: String,
    /// Unix seconds.
    pub asked_at: i64,
}

/// The items colleagues asked the actor to confirm: open requests first, then those confirmed.
pub async fn asked_of_me(state: &AppState, actor: &Actor) -> AppResult<Vec<AskedItem>> {
    policy::read_directory(actor)?;
    pilot::require_grow(state.db(), actor).await?;
    let Some(me) = actor.user_id else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query_as::<_, AskedRow>(
        "SELECT e.id, e.title, e.person_id, u.name, r.status, r.asked_at \
         FROM evidence_requests r JOIN evidence e ON e.id = r.evidence_id \
         JOIN users u ON u.id = e.person_id \
         WHERE r.user_id = $1 AND r.status IN ('pending', 'confirmed') \
         ORDER BY CASE r.status WHEN 'pending' THEN 0 ELSE 1 END, r.asked_at DESC, e.id DESC",
    )
    .bind(me)
    .fetch_all(state.db().pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AskedItem {
            evidence_id: r.id,
            title: r.title,
            person_id: r.person_id,
            person_name: r.name,
            status: r.status,
            asked_at: r.asked_at,
        })
        .collect())
}

/// An item someone was asked to confirm, with the name of whose evidence it is.
#[derive(sqlx::FromRow)]
struct AskedRow {
    id: i64,
    title: String,
    person_id: i64,
    name: String,
    status: String,
    asked_at: i64,
}
