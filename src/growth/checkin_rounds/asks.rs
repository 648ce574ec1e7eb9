//! What running rounds ask of someone, for their home.

use super::{ROUND_CHECKIN, RoundState, STATE_SQL};
use crate::db::Db;
use crate::domain::Day;
use crate::error::AppResult;

/// A round that asks the viewer for their own check-in, for their home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyRound {
    pub id: i64,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub overdue: bool,
    pub state: RoundState,
    pub checkin_id: Option<i64>,
}

/// A round that asks the viewer's direct reports, for their home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportsRound {
    pub id: i64,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub overdue: bool,
    /// Direct reports in the round.
    pub reports: i64,
    /// Of them, those whose manager's rating is not shared yet.
    pub to_rate: i64,
}

/// What running rounds ask of someone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundAsks {
    /// Soonest due first.
    pub mine: Vec<MyRound>,
    /// Soonest due first.
    pub reports: Vec<ReportsRound>,
}

/// What running rounds ask of the person `me`: their own check-in, and their direct reports'.
/// Two queries, whatever the number of rounds and reports. No policy check: it is the person's
/// own home.
pub async fn asks_for(db: &Db, me: i64) -> AppResult<RoundAsks> {
    let today = Day::today().to_string();
    let mine = sqlx::query_as::<_, MyRoundRow>(&format!(
        "SELECT r.id, r.name, r.due_on, c.id AS checkin_id, {STATE_SQL} AS state \
         FROM checkin_round_people rp JOIN checkin_rounds r ON r.id = rp.round_id {ROUND_CHECKIN} \
         WHERE rp.person_id = $1 AND r.closed_at IS NULL ORDER BY r.due_on, r.id"
    ))
    .bind(me)
    .fetch_all(db.pool())
    .await?;
    let reports = sqlx::query_as::<_, ReportRoundRow>(&format!(
        "SELECT r.id, r.name, r.due_on, {STATE_SQL} AS state \
         FROM checkin_round_people rp JOIN checkin_rounds r ON r.id = rp.round_id \
         JOIN users u ON u.id = rp.person_id {ROUND_CHECKIN} \
         WHERE u.manager_id = $1 AND u.active = 1 AND r.closed_at IS NULL \
         ORDER BY r.due_on, r.id"
    ))
    .bind(me)
    .fetch_all(db.pool())
    .await?;
    let mut asks = RoundAsks::default();
    for r in mine {
        asks.mine.push(MyRound {
            id: r.id,
            name: r.name,
            overdue: r.due_on.as_str() < today.as_str(),
            due_on: r.due_on,
            state: RoundState::parse(&r.state).unwrap_or(RoundState::NotStarted),
            checkin_id: r.checkin_id,
        });
    }
    for r in reports {
        let waits = RoundState::parse(&r.state).is_none_or(RoundState::waits_for_manager);
        if asks.reports.last().is_none_or(|last| last.id != r.id) {
            asks.reports.push(ReportsRound {
                id: r.id,
                name: r.name,
                overdue: r.due_on.as_str() < today.as_str(),
                due_on: r.due_on,
                reports: 0,
                to_rate: 0,
            });
        }
        if let Some(last) = asks.reports.last_mut() {
            last.reports += 1;
            last.to_rate += i64::from(waits);
        }
    }
    Ok(asks)
}

/// A running round that asks the person, with the check-in that counts for them and their state.
#[derive(sqlx::FromRow)]
struct MyRoundRow {
    id: i64,
    name: String,
    due_on: String,
    checkin_id: Option<i64>,
    state: String,
}

/// A running round that asks one of the person's direct reports, with the report's state: one row
/// per report, in round order.
#[derive(sqlx::FromRow)]
struct ReportRoundRow {
    id: i64,
    name: String,
    due_on: String,
    state: String,
}
