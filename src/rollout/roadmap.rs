//! The rollout roadmap: the six stages a People team goes through to introduce career tracks
//! (awareness, planning, development, training, implementation, measuring), each with its purpose,
//! a checklist, an owner, dates, notes and a status. The stages and their default checklists are
//! made on first use, once; after that the checklist is the team's to change.
//!
//! Only admins plan the rollout (`policy::run_rollout`). Every write is one transaction with its
//! audit event.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit;
use crate::auth::{Actor, policy};
use crate::db::{Db, Tx, now};
use crate::domain::{Day, Email};
use crate::error::{AppError, AppResult, FieldError};

pub use trellis_rules::Stage;

/// Longest item title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest stage notes, in characters.
pub const MAX_NOTES: usize = 20_000;

/// How far a stage has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    NotStarted,
    InProgress,
    Done,
}

impl StageStatus {
    pub const ALL: [StageStatus; 3] = [
        StageStatus::NotStarted,
        StageStatus::InProgress,
        StageStatus::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StageStatus::NotStarted => "not_started",
            StageStatus::InProgress => "in_progress",
            StageStatus::Done => "done",
        }
    }

    pub fn parse(raw: &str) -> Option<StageStatus> {
        StageStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            StageStatus::NotStarted => "Not started",
            StageStatus::InProgress => "In progress",
            StageStatus::Done => "Done",
        }
    }
}

/// The stage the team is working on: the first in progress, or else the first not done; none when
/// every stage is done.
pub fn current_stage(statuses: &[(Stage, StageStatus)]) -> Option<Stage> {
    statuses
        .iter()
        .find(|(_, s)| *s == StageStatus::InProgress)
        .or_else(|| statuses.iter().find(|(_, s)| *s != StageStatus::Done))
        .map(|(stage, _)| *stage)
}

/// A person from the directory who owns a stage or an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Owner {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// One thing to do in a stage.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Item {
    pub id: i64,
    pub stage: Stage,
    pub title: String,
    pub owner: Option<Owner>,
    /// YYYY-MM-DD
    pub due_on: Option<String>,
    pub done: bool,
    /// When it was ticked, in seconds since the epoch.
    pub done_at: Option<i64>,
    /// Due before today and not done.
    pub overdue: bool,
}

/// Roadmap items due within this many days count as due soon.
pub const DUE_SOON_DAYS: i64 = 14;

impl Item {
    /// Not done, and due today or before, or within [`DUE_SOON_DAYS`] days of `today`.
    pub fn due_soon(&self, today: crate::domain::Day) -> bool {
        let last = today.plus_days(DUE_SOON_DAYS).to_string();
        !self.done && self.due_on.as_deref().is_some_and(|d| d <= last.as_str())
    }
}

/// A stage with its plan and checklist.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageView {
    pub stage: Stage,
    pub name: String,
    pub purpose: String,
    pub owner: Option<Owner>,
    /// YYYY-MM-DD
    pub starts_on: Option<String>,
    /// YYYY-MM-DD
    pub ends_on: Option<String>,
    pub notes: String,
    pub status: StageStatus,
    /// Its end date has passed and it is not done.
    pub late: bool,
    pub items: Vec<Item>,
    pub items_done: usize,
}

/// The whole roadmap.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Roadmap {
    pub stages: Vec<StageView>,
    /// The stage in progress, or the first not done; absent when every stage is done.
    pub current: Option<Stage>,
    pub overdue_items: usize,
    pub late_stages: usize,
    /// The day "overdue" is measured against, YYYY-MM-DD.
    pub today: String,
}

/// What the admin home shows of the roadmap.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoadmapSummary {
    pub current: Option<Stage>,
    pub current_status: Option<StageStatus>,
    pub overdue_items: i64,
    pub late_stages: i64,
    pub items_done: i64,
    pub items_total: i64,
}

/// A stage's plan as typed in a form or sent to the API, before checking.
#[derive(Debug, Clone, Default)]
pub struct StageInput {
    /// Empty for no owner.
    pub owner_email: String,
    pub starts_on: String,
    pub ends_on: String,
    pub notes: String,
    pub status: String,
}

/// An item as typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub title: String,
    /// Empty for no owner.
    pub owner_email: String,
    pub due_on: String,
}

/// Which way an item moves in its stage's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn parse(raw: &str) -> Option<Direction> {
        match raw.trim() {
            "up" => Some(Direction::Up),
            "down" => Some(Direction::Down),
            _ => None,
        }
    }
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

fn invalid(errors: Vec<FieldError>) -> AppError {
    let title = errors
        .first()
        .map(|e| e.message.clone())
        .unwrap_or_else(|| "the input is not valid".into());
    AppError::Invalid { title, errors }
}

fn optional_day(name: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Day> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    Day::parse(raw)
        .map_err(|m| errors.push(field(name, m)))
        .ok()
}

fn optional_email(name: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Email> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    Email::parse(raw)
        .map_err(|m| errors.push(field(name, m)))
        .ok()
}

struct StageFields {
    owner: Option<Email>,
    starts_on: Option<Day>,
    ends_on: Option<Day>,
    notes: String,
    status: StageStatus,
}

impl StageInput {
    fn check(&self) -> Result<StageFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let owner = optional_email("owner_email", &self.owner_email, &mut errors);
        let starts_on = optional_day("starts_on", &self.starts_on, &mut errors);
        let ends_on = optional_day("ends_on", &self.ends_on, &mut errors);
        if let (Some(start), Some(end)) = (starts_on, ends_on)
            && end < start
        {
            errors.push(field(
                "ends_on",
                format!("the end ({end}) is before the start ({start})"),
            ));
        }
        let notes = self.notes.trim().to_owned();
        if notes.chars().count() > MAX_NOTES {
            errors.push(field(
                "notes",
                format!("notes have at most {MAX_NOTES} characters"),
            ));
        }
        let status = StageStatus::parse(&self.status);
        if status.is_none() {
            errors.push(field(
                "status",
                "choose a status: not_started, in_progress or done",
            ));
        }
        match (status, errors.is_empty()) {
            (Some(status), true) => Ok(StageFields {
                owner,
                starts_on,
                ends_on,
                notes,
                status,
            }),
            _ => Err(errors),
        }
    }
}

struct ItemFields {
    title: String,
    owner: Option<Email>,
    due_on: Option<Day>,
}

impl ItemInput {
    fn check(&self) -> Result<ItemFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = self.title.trim().to_owned();
        if title.is_empty() {
            errors.push(field("title", "say what needs doing"));
        } else if title.chars().count() > MAX_TITLE {
            errors.push(field(
                "title",
                format!("an item has at most {MAX_TITLE} characters"),
            ));
        }
        let owner = optional_email("owner_email", &self.owner_email, &mut errors);
        let due_on = optional_day("due_on", &self.due_on, &mut errors);
        if errors.is_empty() {
            Ok(ItemFields {
                title,
                owner,
                due_on,
            })
        } else {
            Err(errors)
        }
    }
}

/// The id of the person with this email, who must still work here.
async fn owner_id(tx: &mut Tx, email: Option<&Email>) -> AppResult<Option<i64>> {
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

/// Makes the six stages and their default checklists, once. Stages that exist are left alone, so
/// this is safe to run on every visit and when two admins open the roadmap at the same time.
async fn ensure_stages(db: &Db, actor: &Actor) -> AppResult<()> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM roadmap_stages")
        .fetch_one(db.pool())
        .await?;
    if existing >= Stage::ALL.len() as i64 {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let at = now();
    let mut made = Vec::new();
    for stage in Stage::ALL {
        let inserted = sqlx::query(
            "INSERT INTO roadmap_stages (stage, notes, status, updated_at) VALUES ($1, '', $2, $3) \
             ON CONFLICT (stage) DO NOTHING",
        )
        .bind(stage.as_str())
        .bind(StageStatus::NotStarted.as_str())
        .bind(at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            continue;
        }
        for (i, title) in stage.default_checklist().iter().enumerate() {
            sqlx::query(
                "INSERT INTO roadmap_items (stage, title, position, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(stage.as_str())
            .bind(*title)
            .bind(i as i64 + 1)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        made.push(stage.as_str());
    }
    if !made.is_empty() {
        audit::record(
            &mut tx,
            actor,
            "rollout.roadmap_created",
            "roadmap",
            "Created the rollout roadmap with its default checklists",
            Some(serde_json::json!({ "stages": made })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn owner_from(row: &sqlx::any::AnyRow, prefix: &str) -> Result<Option<Owner>, sqlx::Error> {
    let id: Option<i64> = row.try_get(format!("{prefix}_id").as_str())?;
    Ok(match id {
        None => None,
        Some(id) => Some(Owner {
            id,
            name: row.try_get(format!("{prefix}_name").as_str())?,
            email: row.try_get(format!("{prefix}_email").as_str())?,
        }),
    })
}

/// The whole roadmap: every stage with its plan and checklist, the current stage, and what is late.
/// The stages and their default checklists are made on the first visit.
pub async fn roadmap(db: &Db, actor: &Actor) -> AppResult<Roadmap> {
    policy::run_rollout(actor)?;
    ensure_stages(db, actor).await?;
    let today = Day::today().to_string();
    let stage_rows = sqlx::query(
        "SELECT s.stage, s.starts_on, s.ends_on, s.notes, s.status, \
                o.id AS owner_id, o.name AS owner_name, o.email AS owner_email \
         FROM roadmap_stages s LEFT JOIN users o ON o.id = s.owner_id",
    )
    .fetch_all(db.pool())
    .await?;
    let item_rows = sqlx::query(
        "SELECT i.id, i.stage, i.title, i.due_on, i.done_at, \
                o.id AS owner_id, o.name AS owner_name, o.email AS owner_email \
         FROM roadmap_items i LEFT JOIN users o ON o.id = i.owner_id \
         ORDER BY i.position, i.id",
    )
    .fetch_all(db.pool())
    .await?;
    let mut items: Vec<Item> = Vec::with_capacity(item_rows.len());
    for r in &item_rows {
        let stage: String = r.try_get("stage")?;
        let Some(stage) = Stage::parse(&stage) else {
            continue;
        };
        let due_on: Option<String> = r.try_get("due_on")?;
        let done_at: Option<i64> = r.try_get("done_at")?;
        items.push(Item {
            id: r.try_get("id")?,
            stage,
            title: r.try_get("title")?,
            owner: owner_from(r, "owner")?,
            overdue: done_at.is_none() && due_on.as_deref().is_some_and(|d| d < today.as_str()),
            due_on,
            done: done_at.is_some(),
            done_at,
        });
    }
    let mut stages = Vec::with_capacity(Stage::ALL.len());
    for stage in Stage::ALL {
        let row = stage_rows
            .iter()
            .find(|r| r.try_get::<String, _>("stage").ok().as_deref() == Some(stage.as_str()));
        let Some(r) = row else {
            continue;
        };
        let status: String = r.try_get("status")?;
        let status = StageStatus::parse(&status).unwrap_or(StageStatus::NotStarted);
        let ends_on: Option<String> = r.try_get("ends_on")?;
        let own: Vec<Item> = items.iter().filter(|i| i.stage == stage).cloned().collect();
        stages.push(StageView {
            stage,
            name: stage.name().to_owned(),
            purpose: stage.purpose().to_owned(),
            owner: owner_from(r, "owner")?,
            starts_on: r.try_get("starts_on")?,
            late: status != StageStatus::Done
                && ends_on.as_deref().is_some_and(|d| d < today.as_str()),
            ends_on,
            notes: r.try_get("notes")?,
            status,
            items_done: own.iter().filter(|i| i.done).count(),
            items: own,
        });
    }
    let statuses: Vec<(Stage, StageStatus)> = stages.iter().map(|s| (s.stage, s.status)).collect();
    Ok(Roadmap {
        current: current_stage(&statuses),
        overdue_items: items.iter().filter(|i| i.overdue).count(),
        late_stages: stages.iter().filter(|s| s.late).count(),
        stages,
        today,
    })
}

/// The current stage and what is late, for the admin home. Reads only: stages not made yet count
/// as not started.
pub async fn summary(db: &Db, actor: &Actor) -> AppResult<RoadmapSummary> {
    policy::run_rollout(actor)?;
    let today = Day::today().to_string();
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT stage, status, ends_on FROM roadmap_stages")
            .fetch_all(db.pool())
            .await?;
    let statuses: Vec<(Stage, StageStatus)> = Stage::ALL
        .into_iter()
        .map(|stage| {
            let status = rows
                .iter()
                .find(|(s, _, _)| s == stage.as_str())
                .and_then(|(_, status, _)| StageStatus::parse(status))
                .unwrap_or(StageStatus::NotStarted);
            (stage, status)
        })
        .collect();
    let late_stages = rows
        .iter()
        .filter(|(_, status, ends_on)| {
            status != StageStatus::Done.as_str()
                && ends_on.as_deref().is_some_and(|d| d < today.as_str())
        })
        .count() as i64;
    let (overdue_items, items_done, items_total): (i64, i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN done_at IS NULL AND due_on < $1 THEN 1 ELSE 0 END), 0), \
                COALESCE(SUM(CASE WHEN done_at IS NULL THEN 0 ELSE 1 END), 0), COUNT(*) \
         FROM roadmap_items",
    )
    .bind(&today)
    .fetch_one(db.pool())
    .await?;
    let current = current_stage(&statuses);
    Ok(RoadmapSummary {
        current_status: current
            .and_then(|c| statuses.iter().find(|(s, _)| *s == c))
            .map(|(_, status)| *status),
        current,
        overdue_items,
        late_stages,
        items_done,
        items_total,
    })
}

/// Changes a stage's owner, dates, notes and status.
pub async fn update_stage(
    db: &Db,
    actor: &Actor,
    stage: Stage,
    input: &StageInput,
) -> AppResult<()> {
    policy::run_rollout(actor)?;
    let fields = input.check().map_err(invalid)?;
    ensure_stages(db, actor).await?;
    let mut tx = db.begin().await?;
    let owner = owner_id(&mut tx, fields.owner.as_ref()).await?;
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
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        "rollout.stage_updated",
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
    tx.commit().await?;
    Ok(())
}

/// Adds an item at the end of a stage's checklist; returns its id.
pub async fn add_item(db: &Db, actor: &Actor, stage: Stage, input: &ItemInput) -> AppResult<i64> {
    policy::run_rollout(actor)?;
    let fields = input.check().map_err(invalid)?;
    ensure_stages(db, actor).await?;
    let mut tx = db.begin().await?;
    let owner = owner_id(&mut tx, fields.owner.as_ref()).await?;
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(position) FROM roadmap_items WHERE stage = $1")
            .bind(stage.as_str())
            .fetch_one(&mut *tx)
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
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        "rollout.item_added",
        &format!("roadmap_item:{id}"),
        &format!("Added “{}” to the {} stage", fields.title, stage.name()),
        Some(serde_json::json!({
            "stage": stage.as_str(),
            "owner": fields.owner.as_ref().map(Email::as_str),
            "due_on": fields.due_on.map(|d| d.to_string()),
        })),
    )
    .await?;
    tx.commit().await?;
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
    policy::run_rollout(actor)?;
    let fields = input.check().map_err(invalid)?;
    let mut tx = db.begin().await?;
    let (stage, before, _, _) = item_in(&mut tx, id).await?;
    let owner = owner_id(&mut tx, fields.owner.as_ref()).await?;
    sqlx::query("UPDATE roadmap_items SET title = $1, owner_id = $2, due_on = $3 WHERE id = $4")
        .bind(&fields.title)
        .bind(owner)
        .bind(fields.due_on.map(|d| d.to_string()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        "rollout.item_updated",
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
    tx.commit().await?;
    Ok(())
}

/// Moves an item one place up or down its stage's checklist; at either end it stays.
pub async fn move_item(db: &Db, actor: &Actor, id: i64, direction: Direction) -> AppResult<()> {
    policy::run_rollout(actor)?;
    let mut tx = db.begin().await?;
    let (stage, title, position, _) = item_in(&mut tx, id).await?;
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
        .fetch_optional(&mut *tx)
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
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        actor,
        "rollout.item_moved",
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
    tx.commit().await?;
    Ok(())
}

/// Ticks an item (done) or unticks it.
pub async fn tick_item(db: &Db, actor: &Actor, id: i64, done: bool) -> AppResult<()> {
    policy::run_rollout(actor)?;
    let mut tx = db.begin().await?;
    let (stage, title, _, done_at) = item_in(&mut tx, id).await?;
    if done_at.is_some() == done {
        return Ok(());
    }
    if done {
        sqlx::query("UPDATE roadmap_items SET done_at = $1, done_by = $2 WHERE id = $3")
            .bind(now())
            .bind(actor.user_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    } else {
        sqlx::query("UPDATE roadmap_items SET done_at = NULL, done_by = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        actor,
        if done {
            "rollout.item_done"
        } else {
            "rollout.item_reopened"
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
    tx.commit().await?;
    Ok(())
}

/// Removes an item from its checklist; returns the stage it was in.
pub async fn remove_item(db: &Db, actor: &Actor, id: i64) -> AppResult<Stage> {
    policy::run_rollout(actor)?;
    let mut tx = db.begin().await?;
    let (stage, title, _, _) = item_in(&mut tx, id).await?;
    sqlx::query("DELETE FROM roadmap_items WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        "rollout.item_removed",
        &format!("roadmap_item:{id}"),
        &format!("Removed “{title}” from the {} stage", stage.name()),
        Some(serde_json::json!({ "stage": stage.as_str(), "title": title })),
    )
    .await?;
    tx.commit().await?;
    Ok(stage)
}

/// The roadmap as CSV: one row per item, stage by stage in checklist order, with a header row.
pub async fn export_csv(db: &Db, actor: &Actor) -> AppResult<String> {
    let roadmap = roadmap(db, actor).await?;
    let failed = |e: csv::Error| AppError::internal(format!("cannot write the CSV: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "stage",
        "stage_status",
        "item",
        "owner",
        "owner_email",
        "due",
        "done",
        "overdue",
    ])
    .map_err(failed)?;
    for stage in &roadmap.stages {
        for item in &stage.items {
            let (name, email) = item
                .owner
                .as_ref()
                .map_or(("", ""), |o| (o.name.as_str(), o.email.as_str()));
            out.write_record([
                stage.stage.as_str(),
                stage.status.as_str(),
                &audit::spreadsheet_safe(&item.title),
                &audit::spreadsheet_safe(name),
                &audit::spreadsheet_safe(email),
                item.due_on.as_deref().unwrap_or_default(),
                if item.done { "yes" } else { "no" },
                if item.overdue { "yes" } else { "no" },
            ])
            .map_err(failed)?;
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::internal(format!("cannot write the CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::internal(format!("the CSV is not UTF-8: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_stage_is_the_one_in_progress_or_else_the_first_not_done() {
        use StageStatus::{Done, InProgress, NotStarted};
        let plan = |s: [StageStatus; 6]| -> Vec<(Stage, StageStatus)> {
            Stage::ALL.into_iter().zip(s).collect()
        };
        assert_eq!(
            current_stage(&plan([NotStarted; 6])),
            Some(Stage::Awareness)
        );
        assert_eq!(
            current_stage(&plan([
                Done, Done, NotStarted, NotStarted, NotStarted, NotStarted
            ])),
            Some(Stage::Development)
        );
        assert_eq!(
            current_stage(&plan([
                Done, NotStarted, InProgress, NotStarted, NotStarted, NotStarted
            ])),
            Some(Stage::Development),
            "the stage in progress wins over an earlier one not started"
        );
        assert_eq!(current_stage(&plan([Done; 6])), None);
    }

    #[test]
    fn every_stage_has_a_purpose_and_a_default_checklist() {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.as_str()), Some(stage));
            assert!(!stage.purpose().is_empty());
            assert!(stage.default_checklist().len() >= 3, "{stage:?}");
            for item in stage.default_checklist() {
                assert!(item.chars().count() <= MAX_TITLE, "{item}");
            }
        }
        assert_eq!(Stage::parse("launch"), None);
    }

    #[test]
    fn a_stage_plan_is_checked_field_by_field() {
        let bad = StageInput {
            owner_email: "not an email".into(),
            starts_on: "2025-03-10".into(),
            ends_on: "2025-03-01".into(),
            notes: String::new(),
            status: "finished".into(),
        };
        let fields: Vec<String> = match bad.check() {
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
            Ok(_) => Vec::new(),
        };
        assert_eq!(fields, ["owner_email", "ends_on", "status"]);
        let good = StageInput {
            status: "in_progress".into(),
            starts_on: "2025-03-01".into(),
            ends_on: "2025-03-01".into(),
            ..StageInput::default()
        };
        assert!(good.check().is_ok(), "a stage may start and end on one day");
    }

    #[test]
    fn an_item_needs_a_short_title_and_a_real_date() {
        let long = ItemInput {
            title: "x".repeat(MAX_TITLE + 1),
            due_on: "31/12/2025".into(),
            ..ItemInput::default()
        };
        let fields: Vec<String> = match long.check() {
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
            Ok(_) => Vec::new(),
        };
        assert_eq!(fields, ["title", "due_on"]);
        assert!(
            ItemInput {
                title: "  ".into(),
                ..ItemInput::default()
            }
            .check()
            .is_err()
        );
    }
}
