//! A person's evidence, for their evidence page.

use super::items::items_of;
use super::{EvidenceItem, competency_name, track_competencies};
use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::people::directory;
use crate::rollout::pilot;
use crate::state::AppState;

/// A person, as evidence needs them.
#[derive(sqlx::FromRow)]
pub(super) struct Owner {
    pub(super) id: i64,
    pub(super) name: String,
    #[sqlx(rename = "track_key")]
    pub(super) track: Option<String>,
}

/// The person whose evidence it is, if they exist.
pub(super) async fn owner(db: &Db, person: i64) -> AppResult<Option<Owner>> {
    Ok(
        sqlx::query_as::<_, Owner>("SELECT id, name, track_key FROM users WHERE id = $1")
            .bind(person)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// The person, when the actor may see their private records; a 404 otherwise, the same as for
/// someone who does not exist.
pub(super) async fn visible_owner(
    state: &AppState,
    actor: &Actor,
    person: i64,
) -> AppResult<(Owner, Relation)> {
    policy::read_directory(actor)?;
    pilot::require_grow(state.db(), actor).await?;
    let relation = directory::relation(state.db(), actor, person).await?;
    match owner(state.db(), person).await? {
        Some(o) if policy::see_private(actor, relation) => Ok((o, relation)),
        _ => Err(AppError::not_found(
            "No evidence was found for this person.",
        )),
    }
}

/// A competency a person can attach evidence to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetencyChoice {
    pub key: String,
    pub name: String,
    /// How many of the person's items support it.
    pub items: usize,
}

/// A person's evidence, for their evidence page.
#[derive(Debug, Clone)]
pub struct EvidenceList {
    pub person_id: i64,
    pub person_name: String,
    /// The competency the list is filtered by.
    pub competency: Option<String>,
    /// Newest first (by the day it happened, then as added).
    pub items: Vec<EvidenceItem>,
    /// The competencies of the person's track, then any other their items use.
    pub competencies: Vec<CompetencyChoice>,
    /// The actor may add evidence here (the person or their chain).
    pub can_add: bool,
}

impl EvidenceList {
    /// The competencies as (key, name) pairs, for the form.
    pub fn competency_pairs(&self) -> Vec<(String, String)> {
        self.competencies
            .iter()
            .map(|c| (c.key.clone(), c.name.clone()))
            .collect()
    }
}

/// A person's evidence, all of it or for one competency; for the person, their chain and admins.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    person: i64,
    competency: Option<&str>,
) -> AppResult<EvidenceList> {
    let (owner, relation) = visible_owner(state, actor, person).await?;
    let published = crate::architecture::framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let competency = competency.map(str::trim).filter(|c| !c.is_empty());
    if let Some(c) = competency
        && fw.is_some_and(|f| f.competency(c).is_none())
    {
        return Err(AppError::invalid_field(
            "competency",
            format!("“{c}” is not a competency of the framework"),
        ));
    }
    let mut items = items_of(state.db(), owner.id).await?;
    let mut keys = track_competencies(fw, owner.track.as_deref());
    for item in &items {
        for k in &item.competencies {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    let competencies = keys
        .into_iter()
        .map(|key| CompetencyChoice {
            name: competency_name(fw, &key),
            items: items
                .iter()
                .filter(|i| i.competencies.contains(&key))
                .count(),
            key,
        })
        .collect();
    if let Some(c) = competency {
        items.retain(|i| i.competencies.iter().any(|k| k == c));
    }
    Ok(EvidenceList {
        person_id: owner.id,
        person_name: owner.name,
        competency: competency.map(str::to_owned),
        items,
        competencies,
        can_add: policy::add_evidence(actor, relation).is_ok(),
    })
}
