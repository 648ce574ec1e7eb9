//! Evidence: notes and links (a document, a pull request, a piece of feedback) that a person
//! attaches to competencies of their track, to support their check-ins. Evidence is private like
//! the rest of a person's growth: the person, their management chain and admins see it. A manager
//! in the chain can confirm an item; the owner can also ask one colleague to confirm one item,
//! which lets that colleague (and nobody else outside the chain) see it.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;
use trellis_framework::Framework;

use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::db::Work;
use crate::db::{Db, Tx, now};
use crate::domain::Day;
use crate::error::{AppError, AppResult, FieldError};
use crate::people::directory;
use crate::rollout::pilot;
use crate::state::AppState;

/// The longest title.
pub const TITLE_MAX: usize = 200;
/// The longest note or comment.
pub const TEXT_MAX: usize = 20_000;
/// The longest link.
pub const URL_MAX: usize = 2_000;

/// What an evidence item is.
pub const KINDS: [(&str, &str); 5] = [
    ("note", "Note"),
    ("document", "Document"),
    ("pull_request", "Pull request"),
    ("feedback", "Feedback"),
    ("other", "Other"),
];

/// The words people read for a kind.
pub fn kind_label(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("Other", |(_, label)| label)
}

/// Someone who confirmed an evidence item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Confirmation {
    pub user_id: i64,
    pub name: String,
    pub comment: Option<String>,
    /// Unix seconds.
    pub confirmed_at: i64,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EvidenceItem {
    pub id: i64,
    /// Whose evidence it is.
    pub person_id: i64,
    /// `note`, `document`, `pull_request`, `feedback` or `other`.
    pub kind: String,
    pub title: String,
    /// An http or https link.
    pub url: Option<String>,
    /// Markdown.
    pub note: Option<String>,
    /// The day it happened, `YYYY-MM-DD`.
    pub happened_on: Option<String>,
    /// The competency keys it supports.
    pub competencies: Vec<String>,
    pub confirmations: Vec<Confirmation>,
    /// Who added it (the person or someone in their chain); only they change or remove it.
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

/// The columns of an item, in the order [`item_from_row`] reads them.
const ITEM_COLUMNS: &str = "e.id, e.person_id, e.kind, e.title, e.url, e.note, e.happened_on, \
     e.created_by, a.name AS author_name, e.created_at, e.updated_at";
/// The tables [`ITEM_COLUMNS`] reads from.
const ITEM_FROM: &str = "evidence e LEFT JOIN users a ON a.id = e.created_by";

fn item_from_row(r: &sqlx::any::AnyRow) -> Result<EvidenceItem, sqlx::Error> {
    Ok(EvidenceItem {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        url: r.try_get("url")?,
        note: r.try_get("note")?,
        happened_on: r.try_get("happened_on")?,
        competencies: Vec::new(),
        confirmations: Vec::new(),
        author_id: r.try_get("created_by")?,
        author_name: r.try_get("author_name")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Fills in the competencies and confirmations of items, two queries for all of them.
async fn complete(db: &Db, items: &mut [EvidenceItem]) -> AppResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = items.iter().map(|i| i.id.to_string()).collect();
    // The ids are integers read from the database, so they are safe to spell out in the query.
    let list = ids.join(", ");
    let mut competencies: HashMap<i64, Vec<String>> = HashMap::new();
    for r in sqlx::query(&format!(
        "SELECT evidence_id, competency_key FROM evidence_competencies \
         WHERE evidence_id IN ({list}) ORDER BY competency_key"
    ))
    .fetch_all(db.pool())
    .await?
    {
        competencies
            .entry(r.try_get("evidence_id")?)
            .or_default()
            .push(r.try_get("competency_key")?);
    }
    let mut confirmations: HashMap<i64, Vec<Confirmation>> = HashMap::new();
    for r in sqlx::query(&format!(
        "SELECT c.evidence_id, c.user_id, u.name, c.comment, c.confirmed_at \
         FROM evidence_confirmations c JOIN users u ON u.id = c.user_id \
         WHERE c.evidence_id IN ({list}) ORDER BY c.confirmed_at, c.user_id"
    ))
    .fetch_all(db.pool())
    .await?
    {
        confirmations
            .entry(r.try_get("evidence_id")?)
            .or_default()
            .push(Confirmation {
                user_id: r.try_get("user_id")?,
                name: r.try_get("name")?,
                comment: r.try_get("comment")?,
                confirmed_at: r.try_get("confirmed_at")?,
            });
    }
    for item in items {
        item.competencies = competencies.remove(&item.id).unwrap_or_default();
        item.confirmations = confirmations.remove(&item.id).unwrap_or_default();
    }
    Ok(())
}

/// A person's evidence for some competencies, by competency key (each list newest first; an item
/// for several of the competencies appears under each). Competencies without evidence are absent.
///
/// No policy check: the caller (a check-in, a nomination) has already checked that the actor may
/// see this person's private records, and that the Grow features are open to them.
pub async fn for_competencies(
    db: &Db,
    person: i64,
    competencies: &[String],
) -> AppResult<HashMap<String, Vec<EvidenceItem>>> {
    let mut out: HashMap<String, Vec<EvidenceItem>> = HashMap::new();
    if competencies.is_empty() {
        return Ok(out);
    }
    let rows = sqlx::query(&format!(
        "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE e.person_id = $1 \
         ORDER BY COALESCE(e.happened_on, '') DESC, e.id DESC"
    ))
    .bind(person)
    .fetch_all(db.pool())
    .await?;
    let mut items = rows
        .iter()
        .map(item_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    complete(db, &mut items).await?;
    for item in items {
        for key in &item.competencies {
            if competencies.iter().any(|c| c == key) {
                out.entry(key.clone()).or_default().push(item.clone());
            }
        }
    }
    Ok(out)
}

// ---- Reading ----

/// A person, as evidence needs them.
struct Owner {
    id: i64,
    name: String,
    track: Option<String>,
}

async fn owner(db: &Db, person: i64) -> AppResult<Option<Owner>> {
    let row = sqlx::query("SELECT id, name, track_key FROM users WHERE id = $1")
        .bind(person)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| {
        Ok(Owner {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            track: r.try_get("track_key")?,
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| e.into())
}

/// The person, when the actor may see their private records; a 404 otherwise, the same as for
/// someone who does not exist.
async fn visible_owner(
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CompetencyChoice {
    pub key: String,
    pub name: String,
    /// How many of the person's items support it.
    pub items: usize,
}

/// A person's evidence, for their evidence page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

fn competency_name(fw: Option<&Framework>, key: &str) -> String {
    fw.and_then(|f| f.competency(key))
        .map_or_else(|| key.to_owned(), |c| c.name.clone())
}

/// The competency keys of a person's track in the published framework, in the track's order.
fn track_competencies(fw: Option<&Framework>, track: Option<&str>) -> Vec<String> {
    fw.zip(track)
        .and_then(|(f, t)| f.track(t))
        .map(|t| t.competencies.iter().map(|k| k.to_string()).collect())
        .unwrap_or_default()
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
    let rows = sqlx::query(&format!(
        "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE e.person_id = $1 \
         ORDER BY COALESCE(e.happened_on, '') DESC, e.id DESC"
    ))
    .bind(owner.id)
    .fetch_all(state.db().pool())
    .await?;
    let mut items = rows
        .iter()
        .map(item_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    complete(state.db(), &mut items).await?;
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

/// A colleague asked to confirm an item, and their answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
struct Access {
    person: i64,
    author: Option<i64>,
    relation: Relation,
    /// The actor's own request to confirm, if they were asked: its status.
    asked: Option<String>,
}

impl Access {
    fn sees_privately(&self, actor: &Actor) -> bool {
        policy::see_private(actor, self.relation)
    }

    /// Asked and still meant to see it: the request is open or was answered with a confirmation.
    fn asked_open(&self) -> bool {
        matches!(self.asked.as_deref(), Some("pending" | "confirmed"))
    }
}

/// Who the actor is to an item; a 404 when they may not see it.
async fn access(state: &AppState, actor: &Actor, id: i64) -> AppResult<Access> {
    policy::read_directory(actor)?;
    pilot::require_grow(state.db(), actor).await?;
    let db = state.db();
    let row = sqlx::query("SELECT person_id, created_by FROM evidence WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("this evidence"))?;
    let person: i64 = row.try_get("person_id")?;
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
        author: row.try_get("created_by")?,
        relation,
        asked,
    };
    if a.sees_privately(actor) || a.asked_open() {
        Ok(a)
    } else {
        Err(AppError::not_found("this evidence"))
    }
}

async fn item(db: &Db, id: i64) -> AppResult<EvidenceItem> {
    let row = sqlx::query(&format!(
        "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE e.id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::not_found("this evidence"))?;
    let mut items = vec![item_from_row(&row)?];
    complete(db, &mut items).await?;
    Ok(items.remove(0))
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
    let rows = sqlx::query(
        "SELECT r.user_id, u.name, u.email, r.status, r.asked_at, r.answered_at \
         FROM evidence_requests r JOIN users u ON u.id = r.user_id \
         WHERE r.evidence_id = $1 ORDER BY r.asked_at, r.user_id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let mut requests = Vec::new();
    for r in rows {
        let request = ConfirmationRequest {
            user_id: r.try_get("user_id")?,
            name: r.try_get("name")?,
            email: r.try_get("email")?,
            status: r.try_get("status")?,
            asked_at: r.try_get("asked_at")?,
            answered_at: r.try_get("answered_at")?,
        };
        if !asked_only || Some(request.user_id) == actor.user_id {
            requests.push(request);
        }
    }
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

/// An item waiting for the actor's answer, or one they answered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    let rows = sqlx::query(
        "SELECT e.id, e.title, e.person_id, u.name, r.status, r.asked_at \
         FROM evidence_requests r JOIN evidence e ON e.id = r.evidence_id \
         JOIN users u ON u.id = e.person_id \
         WHERE r.user_id = $1 AND r.status IN ('pending', 'confirmed') \
         ORDER BY CASE r.status WHEN 'pending' THEN 0 ELSE 1 END, r.asked_at DESC, e.id DESC",
    )
    .bind(me)
    .fetch_all(state.db().pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AskedItem {
                evidence_id: r.try_get("id")?,
                title: r.try_get("title")?,
                person_id: r.try_get("person_id")?,
                person_name: r.try_get("name")?,
                status: r.try_get("status")?,
                asked_at: r.try_get("asked_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

// ---- Writing ----

/// An evidence item as typed in a form or sent to the API, before checking.
#[derive(Debug, Clone, Default)]
pub struct EvidenceInput {
    pub kind: String,
    pub title: String,
    pub url: String,
    pub note: String,
    pub happened_on: String,
    pub competencies: Vec<String>,
}

/// An item, checked.
struct Checked {
    kind: &'static str,
    title: String,
    url: Option<String>,
    note: Option<String>,
    happened_on: Option<String>,
    competencies: Vec<String>,
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

fn invalid(errors: Vec<FieldError>) -> AppError {
    AppError::invalid_fields(errors, "the evidence is not valid")
}

/// An http or https link with a host, and nothing that could be read as another kind of link.
pub fn check_url(raw: &str) -> Result<Option<String>, String> {
    let url = raw.trim();
    if url.is_empty() {
        return Ok(None);
    }
    if url.chars().count() > URL_MAX {
        return Err(format!("a link has at most {URL_MAX} characters"));
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| "a link starts with https:// or http://".to_owned())?;
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a link cannot contain spaces".into());
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err("the link has no address after https://".into());
    }
    Ok(Some(url.to_owned()))
}

impl EvidenceInput {
    /// Checks every field and reports every mistake at once. `allowed` are the competency keys
    /// the item may name.
    fn check(&self, fw: Option<&Framework>, allowed: &[String]) -> Result<Checked, AppError> {
        let mut errors = Vec::new();
        let kind = KINDS
            .iter()
            .find(|(k, _)| *k == self.kind.trim())
            .map(|(k, _)| *k);
        if kind.is_none() {
            errors.push(field(
                "kind",
                "choose the kind: note, document, pull_request, feedback or other",
            ));
        }
        let title = self.title.trim();
        if title.is_empty() {
            errors.push(field("title", "give the evidence a title"));
        } else if title.chars().count() > TITLE_MAX {
            errors.push(field(
                "title",
                format!("a title has at most {TITLE_MAX} characters"),
            ));
        }
        let url = check_url(&self.url)
            .map_err(|m| errors.push(field("url", m)))
            .ok()
            .flatten();
        let note = self.note.trim();
        if note.chars().count() > TEXT_MAX {
            errors.push(field(
                "note",
                format!("a note has at most {TEXT_MAX} characters"),
            ));
        }
        let happened_on = match self.happened_on.trim() {
            "" => None,
            d => Day::parse(d)
                .map_err(|m| errors.push(field("happened_on", m)))
                .ok()
                .map(|d| d.to_string()),
        };
        let mut competencies: Vec<String> = Vec::new();
        for raw in &self.competencies {
            let key = raw.trim();
            if key.is_empty() || competencies.iter().any(|c| c == key) {
                continue;
            }
            if allowed.iter().any(|a| a == key) {
                competencies.push(key.to_owned());
            } else if fw.is_some_and(|f| f.competency(key).is_some()) {
                errors.push(field(
                    "competencies",
                    format!(
                        "{} is not a competency of this person's track",
                        competency_name(fw, key)
                    ),
                ));
            } else {
                errors.push(field(
                    "competencies",
                    format!("“{key}” is not a competency of the framework"),
                ));
            }
        }
        if competencies.is_empty() && !errors.iter().any(|e| e.field == "competencies") {
            errors.push(field(
                "competencies",
                "choose at least one competency the evidence supports",
            ));
        }
        match kind {
            Some(kind) if errors.is_empty() => Ok(Checked {
                kind,
                title: title.to_owned(),
                url,
                note: (!note.is_empty()).then(|| note.to_owned()),
                happened_on,
                competencies,
            }),
            _ => Err(invalid(errors)),
        }
    }
}

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

fn check_comment(comment: &str) -> AppResult<Option<String>> {
    let c = comment.trim();
    if c.chars().count() > TEXT_MAX {
        return Err(AppError::invalid_field(
            "comment",
            format!("a comment has at most {TEXT_MAX} characters"),
        ));
    }
    Ok((!c.is_empty()).then(|| c.to_owned()))
}

/// Confirms an item, with an optional comment: a manager in the person's chain, or a colleague
/// the person asked. Confirming again replaces the comment.
pub async fn confirm(state: &AppState, actor: &Actor, id: i64, comment: &str) -> AppResult<()> {
    let a = access(state, actor, id).await?;
    let permit = policy::confirm_evidence(actor, a.relation, a.asked_open())?;
    let me = actor.user_id.ok_or(AppError::Forbidden)?;
    let comment = check_comment(comment)?;
    let at = now();
    let mut work = Work::begin(state.db(), actor, permit).await?;
    sqlx::query(
        "INSERT INTO evidence_confirmations (evidence_id, user_id, comment, confirmed_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (evidence_id, user_id) \
         DO UPDATE SET comment = excluded.comment, confirmed_at = excluded.confirmed_at",
    )
    .bind(id)
    .bind(me)
    .bind(&comment)
    .bind(at)
    .execute(&mut **work.tx())
    .await?;
    sqlx::query(
        "UPDATE evidence_requests SET status = 'confirmed', answered_at = $1 \
         WHERE evidence_id = $2 AND user_id = $3",
    )
    .bind(at)
    .bind(id)
    .bind(me)
    .execute(&mut **work.tx())
    .await?;
    work.record(
        Action::EvidenceConfirm,
        &format!("evidence:{id}"),
        &format!(
            "Confirmed evidence {id} as {}",
            if a.relation == Relation::InManagementChain {
                "a manager in the chain"
            } else {
                "a colleague asked to"
            }
        ),
        Some(serde_json::json!({ "person": a.person, "comment": comment.is_some() })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Withdraws the actor's own confirmation of an item.
pub async fn unconfirm(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    let a = access(state, actor, id).await?;
    let permit = policy::withdraw_own_confirmation(actor)?;
    let me = actor.user_id.ok_or(AppError::Forbidden)?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let removed =
        sqlx::query("DELETE FROM evidence_confirmations WHERE evidence_id = $1 AND user_id = $2")
            .bind(id)
            .bind(me)
            .execute(&mut **work.tx())
            .await?
            .rows_affected();
    if removed == 0 {
        return Err(AppError::Conflict(
            "you have not confirmed this evidence".into(),
        ));
    }
    sqlx::query(
        "UPDATE evidence_requests SET status = 'pending', answered_at = NULL \
         WHERE evidence_id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(me)
    .execute(&mut **work.tx())
    .await?;
    work.record(
        Action::EvidenceUnconfirm,
        &format!("evidence:{id}"),
        &format!("Withdrew the confirmation of evidence {id}"),
        Some(serde_json::json!({ "person": a.person })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Declines a request to confirm an item: the colleague asked, while it is open. They no longer
/// see the item afterwards.
pub async fn decline(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    let a = access(state, actor, id).await?;
    let permit = policy::decline_confirmation(actor, a.asked.as_deref() == Some("pending"))?;
    let me = actor.user_id.ok_or(AppError::Forbidden)?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    sqlx::query(
        "UPDATE evidence_requests SET status = 'declined', answered_at = $1 \
         WHERE evidence_id = $2 AND user_id = $3",
    )
    .bind(now())
    .bind(id)
    .bind(me)
    .execute(&mut **work.tx())
    .await?;
    work.record(
        Action::EvidenceDecline,
        &format!("evidence:{id}"),
        &format!("Declined to confirm evidence {id}"),
        Some(serde_json::json!({ "person": a.person })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// A colleague, named by id or by email.
#[derive(Debug, Clone)]
pub enum Colleague {
    Id(i64),
    Email(String),
}

/// The colleague's id and name; an unknown or departed colleague is the user's mistake (422).
async fn colleague(db: &Db, who: &Colleague) -> AppResult<(i64, String)> {
    let row = match who {
        Colleague::Id(id) => {
            sqlx::query("SELECT id, name, active FROM users WHERE id = $1")
                .bind(*id)
                .fetch_optional(db.pool())
                .await?
        }
        Colleague::Email(email) => {
            sqlx::query("SELECT id, name, active FROM users WHERE email = $1")
                .bind(email.trim().to_lowercase())
                .fetch_optional(db.pool())
                .await?
        }
    };
    let Some(row) = row else {
        return Err(AppError::invalid_field(
            "colleague",
            "nobody in the directory has this email",
        ));
    };
    let active: i64 = row.try_get("active")?;
    if active != 1 {
        return Err(AppError::invalid_field(
            "colleague",
            "this person has left the organisation",
        ));
    }
    Ok((row.try_get("id")?, row.try_get("name")?))
}

/// Asks a colleague to confirm an item: the person whose evidence it is. The colleague can then
/// see this one item, and confirm or decline. Asking again someone who declined asks anew.
pub async fn ask(state: &AppState, actor: &Actor, id: i64, who: &Colleague) -> AppResult<()> {
    let a = access(state, actor, id).await?;
    let permit = policy::ask_evidence_confirmation(actor, a.relation)?;
    let (colleague, name) = colleague(state.db(), who).await?;
    if Some(colleague) == actor.user_id {
        return Err(AppError::invalid_field(
            "colleague",
            "ask a colleague: you cannot confirm your own evidence",
        ));
    }
    let current: Option<String> = sqlx::query_scalar(
        "SELECT status FROM evidence_requests WHERE evidence_id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(colleague)
    .fetch_optional(state.db().pool())
    .await?;
    match current.as_deref() {
        Some("pending") => {
            return Err(AppError::invalid_field(
                "colleague",
                format!("{name} was already asked and has not answered yet"),
            ));
        }
        Some("confirmed") => {
            return Err(AppError::invalid_field(
                "colleague",
                format!("{name} already confirmed this evidence"),
            ));
        }
        _ => {}
    }
    let mut work = Work::begin(state.db(), actor, permit).await?;
    sqlx::query(
        "INSERT INTO evidence_requests (evidence_id, user_id, asked_by, asked_at, status) \
         VALUES ($1, $2, $3, $4, 'pending') ON CONFLICT (evidence_id, user_id) \
         DO UPDATE SET status = 'pending', asked_at = excluded.asked_at, answered_at = NULL",
    )
    .bind(id)
    .bind(colleague)
    .bind(actor.user_id)
    .bind(now())
    .execute(&mut **work.tx())
    .await?;
    work.record(
        Action::EvidenceAsk,
        &format!("evidence:{id}"),
        &format!("Asked {name} to confirm evidence {id}"),
        Some(serde_json::json!({ "person": a.person, "colleague": colleague })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Withdraws a request to confirm: the person whose evidence it is. The colleague no longer
/// sees the item; a confirmation they gave stays.
pub async fn withdraw_request(
    state: &AppState,
    actor: &Actor,
    id: i64,
    who: &Colleague,
) -> AppResult<()> {
    let a = access(state, actor, id).await?;
    let permit = policy::ask_evidence_confirmation(actor, a.relation)?;
    let (colleague, name) = colleague(state.db(), who).await?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let removed =
        sqlx::query("DELETE FROM evidence_requests WHERE evidence_id = $1 AND user_id = $2")
            .bind(id)
            .bind(colleague)
            .execute(&mut **work.tx())
            .await?
            .rows_affected();
    if removed == 0 {
        return Err(AppError::invalid_field(
            "colleague",
            format!("{name} was not asked to confirm this evidence"),
        ));
    }
    work.record(
        Action::EvidenceWithdrawRequest,
        &format!("evidence:{id}"),
        &format!("Withdrew the request to {name} to confirm evidence {id}"),
        Some(serde_json::json!({ "person": a.person, "colleague": colleague })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_http_or_https_with_an_address() {
        assert_eq!(
            check_url(" https://example.com/pr/1 "),
            Ok(Some("https://example.com/pr/1".into()))
        );
        assert_eq!(
            check_url("HTTP://example.com"),
            Ok(Some("HTTP://example.com".into()))
        );
        assert_eq!(check_url(""), Ok(None));
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,hi",
            "ftp://example.com",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "//example.com",
            "example.com",
        ] {
            assert!(check_url(bad).is_err(), "{bad} is refused");
        }
    }

    #[test]
    fn every_mistake_in_an_item_is_reported_at_once() {
        let input = EvidenceInput {
            kind: "poem".into(),
            title: " ".into(),
            url: "javascript:alert(1)".into(),
            note: String::new(),
            happened_on: "last week".into(),
            competencies: vec!["nope".into()],
        };
        let Err(AppError::Invalid { errors, .. }) = input.check(None, &["ownership".into()]) else {
            panic!("refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["kind", "title", "url", "happened_on", "competencies"]
        );
    }

    #[test]
    fn competencies_are_deduplicated_and_required() {
        let input = EvidenceInput {
            kind: "note".into(),
            title: "Ran the incident review".into(),
            competencies: vec!["ownership".into(), " ownership ".into()],
            ..EvidenceInput::default()
        };
        let c = input.check(None, &["ownership".into()]).expect("valid");
        assert_eq!(c.competencies, ["ownership"]);
        let none = EvidenceInput {
            competencies: Vec::new(),
            ..input
        };
        assert!(none.check(None, &["ownership".into()]).is_err());
    }
}
