//! Growth 1:1s held, for the KPI dashboard.

use super::GROWTH_TOPIC;
use crate::db::Db;
use crate::domain::Day;
use crate::error::{AppError, AppResult};

/// 1:1s held since a day, for the KPI dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GrowthOneOnOnes {
    /// Meetings held (completed) with a date on or after the day.
    pub held: i64,
    /// Those of them with a growth topic ([`GROWTH_TOPIC`]).
    pub growth: i64,
    /// Reports who had at least one growth 1:1 among them.
    pub people: i64,
}

/// 1:1s held (completed) with a date on or after `day` (`YYYY-MM-DD`), how many had a growth topic
/// (a talking point linked to a goal or a competency: [`GROWTH_TOPIC`]), and how many reports had
/// one. The condition, for a meeting `m`:
/// `m.status = 'held' AND m.held_on >= day AND` [`GROWTH_TOPIC`]: the day it was held, not the day
/// it was planned for.
///
/// **No policy check**: organisation-wide counts for the KPI dashboard, whose caller decides who
/// reads them.
pub async fn growth_one_on_ones_since(db: &Db, day: &str) -> AppResult<GrowthOneOnOnes> {
    let day = Day::parse(day)
        .map_err(|m| AppError::invalid_field("since", m))?
        .to_string();
    let row = sqlx::query_as::<_, GrowthRow>(&format!(
        "SELECT COUNT(*) AS held, COUNT(CASE WHEN {GROWTH_TOPIC} THEN 1 END) AS growth, \
         COUNT(DISTINCT CASE WHEN {GROWTH_TOPIC} THEN s.report_id END) AS people \
         FROM one_on_ones m JOIN one_on_one_series s ON s.id = m.series_id \
         WHERE m.status = 'held' AND m.held_on >= $1"
    ))
    .bind(day)
    .fetch_one(db.pool())
    .await?;
    Ok(GrowthOneOnOnes {
        held: row.held,
        growth: row.growth,
        people: row.people,
    })
}

/// The counts of [`growth_one_on_ones_since`], as its query names them.
#[derive(sqlx::FromRow)]
struct GrowthRow {
    held: i64,
    growth: i64,
    people: i64,
}
