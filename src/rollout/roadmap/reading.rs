//! Reading the roadmap: the stages and their default checklists, made on the first visit; the whole
//! roadmap with what is late; the summary for the admin home; and the CSV export.

use super::{Item, Owner, Roadmap, RoadmapSummary, Stage, StageStatus, StageView, current_stage};
use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::Work;
use crate::db::{Db, now};
use crate::domain::Day;
use crate::error::{AppError, AppResult};

/// Makes the six stages and their default checklists, once. Stages that exist are left alone, so
/// this is safe to run on every visit and when two admins open the roadmap at the same time.
pub(super) async fn ensure_stages(db: &Db, actor: &Actor) -> AppResult<()> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM roadmap_stages")
        .fetch_one(db.pool())
        .await?;
    if existing >= Stage::ALL.len() as i64 {
        return Ok(());
    }
    let permit = policy::run_rollout(actor)?;
    let mut work = Work::begin(db, actor, permit).await?;
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
        .execute(&mut **work.tx())
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
            .execute(&mut **work.tx())
            .await?;
        }
        made.push(stage.as_str());
    }
    // Another admin made them first: nothing to record, nothing changed.
    if made.is_empty() {
        return Ok(());
    }
    work.record(
        Action::RolloutRoadmapCreated,
        "roadmap",
        "Created the rollout roadmap with its default checklists",
        Some(serde_json::json!({ "stages": made })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// The owner of a stage or an item, joined from the directory: all NULL when there is none.
#[derive(sqlx::FromRow)]
struct OwnerColumns {
    owner_id: Option<i64>,
    owner_name: Option<String>,
    owner_email: Option<String>,
}

impl OwnerColumns {
    /// The owner, when there is one. A person's name and email are never NULL.
    fn owner(self) -> Option<Owner> {
        match (self.owner_id, self.owner_name, self.owner_email) {
            (Some(id), Some(name), Some(email)) => Some(Owner { id, name, email }),
            _ => None,
        }
    }
}

/// A stage's plan as stored, with its owner.
#[derive(sqlx::FromRow)]
struct StageRow {
    stage: String,
    starts_on: Option<String>,
    ends_on: Option<String>,
    notes: String,
    status: String,
    #[sqlx(flatten)]
    owner: OwnerColumns,
}

/// A checklist item as stored, with its owner.
#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    stage: String,
    title: String,
    due_on: Option<String>,
    done_at: Option<i64>,
    #[sqlx(flatten)]
    owner: OwnerColumns,
}

/// The whole roadmap: every stage with its plan and checklist, the current stage, and what is late.
/// The stages and their default checklists are made on the first visit.
pub async fn roadmap(db: &Db, actor: &Actor) -> AppResult<Roadmap> {
    policy::run_rollout(actor)?;
    ensure_stages(db, actor).await?;
    let today = Day::today().to_string();
    let mut stage_rows = sqlx::query_as::<_, StageRow>(
        "SELECT s.stage, s.starts_on, s.ends_on, s.notes, s.status, \
                o.id AS owner_id, o.name AS owner_name, o.email AS owner_email \
         FROM roadmap_stages s LEFT JOIN users o ON o.id = s.owner_id",
    )
    .fetch_all(db.pool())
    .await?;
    let item_rows = sqlx::query_as::<_, ItemRow>(
        "SELECT i.id, i.stage, i.title, i.due_on, i.done_at, \
                o.id AS owner_id, o.name AS owner_name, o.email AS owner_email \
         FROM roadmap_items i LEFT JOIN users o ON o.id = i.owner_id \
         ORDER BY i.position, i.id",
    )
    .fetch_all(db.pool())
    .await?;
    let mut items: Vec<Item> = Vec::with_capacity(item_rows.len());
    for r in item_rows {
        let Some(stage) = Stage::parse(&r.stage) else {
            continue;
        };
        let (due_on, done_at) = (r.due_on, r.done_at);
        items.push(Item {
            id: r.id,
            stage,
            title: r.title,
            owner: r.owner.owner(),
            overdue: done_at.is_none() && due_on.as_deref().is_some_and(|d| d < today.as_str()),
            due_on,
            done: done_at.is_some(),
            done_at,
        });
    }
    let mut stages = Vec::with_capacity(Stage::ALL.len());
    for stage in Stage::ALL {
        let Some(found) = stage_rows.iter().position(|r| r.stage == stage.as_str()) else {
            continue;
        };
        let r = stage_rows.swap_remove(found);
        let status = StageStatus::parse(&r.status).unwrap_or(StageStatus::NotStarted);
        let ends_on = r.ends_on;
        let own: Vec<Item> = items.iter().filter(|i| i.stage == stage).cloned().collect();
        stages.push(StageView {
            stage,
            name: stage.name().to_owned(),
            purpose: stage.purpose().to_owned(),
            owner: r.owner.owner(),
            starts_on: r.starts_on,
            late: status != StageStatus::Done
                && ends_on.as_deref().is_some_and(|d| d < today.as_str()),
            ends_on,
            notes: r.notes,
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
                &crate::audit::spreadsheet_safe(&item.title),
                &crate::audit::spreadsheet_safe(name),
                &crate::audit::spreadsheet_safe(email),
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
