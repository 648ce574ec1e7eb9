//! Someone's next 1:1, for the home page and the team view.

use std::collections::HashMap;

use super::{Side, today};
use crate::db::Db;
use crate::error::AppResult;

/// Someone's next 1:1, for the home page and the team view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextMeeting {
    pub series_id: i64,
    pub meeting_id: i64,
    /// `YYYY-MM-DD`.
    pub scheduled_on: String,
    /// The other participant.
    pub with_id: i64,
    pub with_name: String,
    /// The person's side of the series.
    pub side: Side,
    /// The date is past and the meeting was not completed.
    pub overdue: bool,
}

/// An upcoming meeting with the two people of its series, as [`NEXT_COLUMNS`] reads it.
#[derive(sqlx::FromRow)]
struct NextRow {
    series_id: i64,
    meeting_id: i64,
    scheduled_on: String,
    manager_id: i64,
    manager_name: String,
    report_id: i64,
    report_name: String,
}

impl NextRow {
    /// The meeting as `person`'s next 1:1, with the other participant.
    fn into_next(self, person: i64, today: &str) -> NextMeeting {
        let (side, with_id, with_name) = if self.manager_id == person {
            (Side::Manager, self.report_id, self.report_name)
        } else {
            (Side::Report, self.manager_id, self.manager_name)
        };
        NextMeeting {
            series_id: self.series_id,
            meeting_id: self.meeting_id,
            overdue: self.scheduled_on.as_str() < today,
            scheduled_on: self.scheduled_on,
            with_id,
            with_name,
            side,
        }
    }
}

/// The columns of [`NextRow`], from an upcoming meeting `m` of a series `s` between `mu` and `ru`.
const NEXT_COLUMNS: &str = "SELECT s.id AS series_id, m.id AS meeting_id, m.scheduled_on, \
     s.manager_id, mu.name AS manager_name, s.report_id, ru.name AS report_name \
     FROM one_on_one_series s JOIN one_on_ones m ON m.series_id = s.id AND m.status = 'upcoming' \
     JOIN users mu ON mu.id = s.manager_id JOIN users ru ON ru.id = s.report_id";

/// The person's next 1:1, as manager or as report: the soonest upcoming meeting of their series
/// with someone still active, in a series that is not closed.
///
/// **No policy check**: the caller must have decided that the viewer may see this (the person
/// themselves, or their management chain for the team view).
pub async fn next_meeting(db: &Db, person: i64) -> AppResult<Option<NextMeeting>> {
    // Starts from the person's own series (`CROSS JOIN` keeps SQLite from walking every upcoming
    // meeting of the organisation in date order instead).
    let row = sqlx::query_as::<_, NextRow>(
        "SELECT s.id AS series_id, m.id AS meeting_id, m.scheduled_on, \
         s.manager_id, mu.name AS manager_name, s.report_id, ru.name AS report_name \
         FROM one_on_one_series s CROSS JOIN one_on_ones m \
         JOIN users mu ON mu.id = s.manager_id JOIN users ru ON ru.id = s.report_id \
         WHERE (s.manager_id = $1 OR s.report_id = $1) AND m.series_id = s.id \
         AND m.status = 'upcoming' AND mu.active = 1 AND ru.active = 1 \
         AND ru.manager_id = s.manager_id \
         ORDER BY m.scheduled_on, m.id LIMIT 1",
    )
    .bind(person)
    .fetch_optional(db.pool())
    .await?;
    let today = today();
    Ok(row.map(|r| r.into_next(person, &today)))
}

/// The next 1:1 of the manager with each of these reports, by report id; reports without a
/// series are absent. One query, for the team view.
///
/// **No policy check**: the caller must have decided that the viewer may see the manager's 1:1
/// dates with these reports.
pub async fn next_meetings_for_reports(
    db: &Db,
    manager: i64,
    reports: &[i64],
) -> AppResult<HashMap<i64, NextMeeting>> {
    if reports.is_empty() {
        return Ok(HashMap::new());
    }
    let list = (0..reports.len())
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "{NEXT_COLUMNS} WHERE s.manager_id = $1 AND s.report_id IN ({list}) \
         AND ru.manager_id = s.manager_id"
    );
    let mut query = sqlx::query_as::<_, NextRow>(&sql).bind(manager);
    for r in reports {
        query = query.bind(*r);
    }
    let today = today();
    Ok(query
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(|r| {
            let next = r.into_next(manager, &today);
            (next.with_id, next)
        })
        .collect())
}
