//! Completing a meeting: it is marked held, the next one is added a cadence later, and what was
//! not discussed or not done carries over to it.

use super::CADENCE_MAX;
use super::access::writable_meeting;
use super::meetings::Meeting;
use super::today;
use crate::audit::Action;
use crate::auth::Actor;
use crate::db::{Work, now};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

const DAY_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// The date of the meeting after one on `day`: `cadence` days later, or the first date of that
/// rhythm that is not before `today` when the meeting was completed late.
fn next_date(day: &str, cadence: i64, today: &str) -> AppResult<String> {
    let parse = |d: &str| {
        time::Date::parse(d, DAY_FORMAT)
            .map_err(|_| AppError::internal(format!("a stored day “{d}” does not parse")))
    };
    let (day, today) = (parse(day)?, parse(today)?);
    let cadence = cadence.clamp(1, CADENCE_MAX);
    let mut next = day + time::Duration::days(cadence);
    if next < today {
        let behind = (today - next).whole_days();
        let steps = (behind + cadence - 1) / cadence;
        next += time::Duration::days(steps * cadence);
    }
    next.format(DAY_FORMAT)
        .map_err(|e| AppError::internal(format!("a day does not format: {e}")))
}

/// What completing a meeting did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completed {
    /// The meeting completed.
    pub meeting_id: i64,
    /// `YYYY-MM-DD`: the day it was held.
    pub held_on: String,
    /// The meeting added after it.
    pub next_meeting_id: i64,
    /// `YYYY-MM-DD` of the next meeting.
    pub next_on: String,
    /// Talking points not marked discussed, carried over to the next meeting.
    pub carried_talking_points: i64,
    /// Action items not done, carried over to the next meeting.
    pub carried_action_items: i64,
}

/// The day a meeting planned for `scheduled_on` and completed `today` was held: today when that is
/// before the planned day, else the planned day (a meeting is often recorded a day or two late).
fn held_day(scheduled_on: &str, today: &str) -> String {
    if today < scheduled_on {
        today.to_owned()
    } else {
        scheduled_on.to_owned()
    }
}

/// How many talking points of a meeting are not marked discussed, and how many action items of
/// its series are open: what completing it now would carry over to the next meeting.
pub fn carry_over(meeting: &Meeting) -> (usize, usize) {
    (
        meeting.agenda.iter().filter(|p| !p.discussed).count(),
        meeting.action_items.iter().filter(|i| !i.done).count(),
    )
}

/// Completes the upcoming meeting: it is marked held on the day it was held (today when it is
/// completed before its planned day), and the next meeting is added a cadence after the planned
/// day (or on the first date of that rhythm not before today). The talking points not marked
/// discussed are copied to the next meeting with their author, goal and competency, and open action
/// items carry over to it.
pub async fn complete_meeting(
    state: &AppState,
    actor: &Actor,
    meeting: i64,
) -> AppResult<Completed> {
    let (access, row, permit) = writable_meeting(state, actor, meeting).await?;
    let today = today();
    let next_on = next_date(&row.scheduled_on, access.info.cadence_days, &today)?;
    let held_on = held_day(&row.scheduled_on, &today);
    let at = now();
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let held = sqlx::query(
        "UPDATE one_on_ones SET status = 'held', held_at = $1, held_on = $2, updated_at = $1 \
         WHERE id = $3 AND status = 'upcoming'",
    )
    .bind(at)
    .bind(&held_on)
    .bind(meeting)
    .execute(&mut **work.tx())
    .await?;
    if held.rows_affected() != 1 {
        return Err(AppError::Conflict(
            "This 1:1 was completed a moment ago.".into(),
        ));
    }
    let next: i64 = sqlx::query_scalar(
        "INSERT INTO one_on_ones (series_id, scheduled_on, status, created_at, updated_at) \
         VALUES ($1, $2, 'upcoming', $3, $3) RETURNING id",
    )
    .bind(access.info.id)
    .bind(&next_on)
    .bind(at)
    .fetch_one(&mut **work.tx())
    .await?;
    let points = sqlx::query(
        "INSERT INTO talking_points (meeting_id, author_id, body, goal_id, competency_key, \
         discussed, position, created_at, carried_from) \
         SELECT $1, author_id, body, goal_id, competency_key, 0, position, $2, \
         COALESCE(carried_from, meeting_id) FROM talking_points \
         WHERE meeting_id = $3 AND discussed = 0",
    )
    .bind(next)
    .bind(at)
    .bind(meeting)
    .execute(&mut **work.tx())
    .await?
    .rows_affected() as i64;
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM action_items WHERE series_id = $1 AND done_at IS NULL",
    )
    .bind(access.info.id)
    .fetch_one(&mut **work.tx())
    .await?;
    work.record(Action::OneOnOneComplete,
        &format!("one_on_one:{meeting}"),
        &format!(
            "Completed the 1:1 between {} and {}, held on {held_on}; {} and {} carried over to the next, on {next_on}",
            access.info.manager.name,
            access.info.report.name,
            count_of(points, "talking point", "talking points"),
            count_of(open, "open action item", "open action items"),
        ),
        Some(serde_json::json!({
            "series_id": access.info.id, "scheduled_on": row.scheduled_on, "held_on": held_on,
            "next_meeting_id": next, "next_on": next_on,
            "carried_talking_points": points, "open_action_items": open,
        })),
    )
    .await?;
    work.commit().await?;
    Ok(Completed {
        meeting_id: meeting,
        held_on,
        next_meeting_id: next,
        next_on,
        carried_talking_points: points,
        carried_action_items: open,
    })
}

/// "no talking points", "1 talking point", "3 talking points".
pub fn count_of(n: i64, one: &str, many: &str) -> String {
    match n {
        0 => format!("no {many}"),
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_meeting_keeps_the_rhythm_and_is_never_in_the_past() {
        assert_eq!(
            next_date("2025-03-03", 14, "2025-03-03").ok().as_deref(),
            Some("2025-03-17")
        );
        assert_eq!(
            next_date("2025-01-06", 7, "2025-03-05").ok().as_deref(),
            Some("2025-03-10")
        );
        assert_eq!(
            next_date("2025-01-06", 7, "2025-03-10").ok().as_deref(),
            Some("2025-03-10")
        );
    }
}
