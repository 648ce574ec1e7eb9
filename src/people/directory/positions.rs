//! Positions: recording a track and level in a person's history, one at a time.

use trellis_framework::{Framework, Level, Track};

use crate::audit;
use crate::auth::Actor;
use crate::auth::policy;
use crate::db::Work;
use crate::db::{Tx, now};
use crate::domain::{Day, PositionKind};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

use super::{field, invalid, non_empty};

/// A position to record, before checking.
#[derive(Debug, Clone, Default)]
pub struct PositionInput {
    /// Track key or name.
    pub track: String,
    /// Level key or title.
    pub level: String,
    pub effective_on: String,
    /// Empty: worked out from the previous position (hire, promotion, lateral move).
    pub kind: String,
    pub note: String,
}

/// Finds a track and level of the framework by key or by name, ignoring case.
pub fn resolve_position<'a>(
    fw: &'a Framework,
    track: &str,
    level: &str,
) -> Result<(&'a Track, &'a Level), FieldError> {
    let t = track.trim();
    let track = fw
        .tracks
        .iter()
        .find(|x| x.key.as_str() == t || x.name.eq_ignore_ascii_case(t))
        .ok_or_else(|| field("track", format!("there is no published track “{t}”")))?;
    let l = level.trim();
    let level = track
        .levels
        .iter()
        .find(|x| x.key.as_str() == l || x.title.eq_ignore_ascii_case(l))
        .ok_or_else(|| {
            field(
                "level",
                format!("the {} track has no level “{l}”", track.name),
            )
        })?;
    Ok((track, level))
}

/// Records a new position for a person inside a transaction: the history gains an entry and the
/// current position changes when the entry is the newest. Returns whether anything changed.
pub async fn write_position(
    work: &mut Work<'_>,
    fw: &Framework,
    person: i64,
    input: &PositionInput,
) -> AppResult<bool> {
    let actor = work.actor();
    policy::manage_people(actor)?;
    let checked = input.check(fw).map_err(invalid)?;
    let (track, level) = (checked.track, checked.level);
    let (current_track, current_level) = sqlx::query_as::<_, (Option<String>, Option<String>)>(
        "SELECT track_key, level_key FROM users WHERE id = $1",
    )
    .bind(person)
    .fetch_optional(&mut **work.tx())
    .await?
    .ok_or_else(|| AppError::not_found("this person"))?;
    if current_track.as_deref() == Some(track.key.as_str())
        && current_level.as_deref() == Some(level.key.as_str())
        && checked.kind.is_none()
    {
        return Ok(false);
    }
    let kind = checked.kind.unwrap_or_else(|| {
        position_kind(
            current_track.as_deref(),
            current_level.as_deref(),
            track,
            level,
        )
    });
    sqlx::query(
        "INSERT INTO positions (user_id, track_key, level_key, effective_on, kind, note, recorded_at, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(person)
    .bind(track.key.as_str())
    .bind(level.key.as_str())
    .bind(checked.effective_on.to_string())
    .bind(kind.as_str())
    .bind(non_empty(&input.note))
    .bind(now())
    .bind(actor.user_id)
    .execute(&mut **work.tx())
    .await?;
    make_current_if_newest(work.tx(), person, &checked).await?;
    record_position_event(
        work,
        person,
        (current_track.as_deref(), current_level.as_deref()),
        (track, level),
        kind,
        checked.effective_on,
    )
    .await?;
    crate::growth::readiness::recompute_people(work.tx(), fw, &[person]).await?;
    Ok(true)
}

/// A position to record, checked against the framework.
struct CheckedPosition<'a> {
    track: &'a Track,
    level: &'a Level,
    effective_on: Day,
    /// The kind of change when one was given.
    kind: Option<PositionKind>,
}

impl PositionInput {
    /// Checks every field against the framework and reports every mistake at once. No date is
    /// today.
    fn check<'a>(&self, fw: &'a Framework) -> Result<CheckedPosition<'a>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let resolved = resolve_position(fw, &self.track, &self.level)
            .map_err(|e| errors.push(e))
            .ok();
        let effective_on = match non_empty(&self.effective_on) {
            None => Some(Day::today()),
            Some(s) => Day::parse(&s)
                .map_err(|m| errors.push(field("effective_on", m)))
                .ok(),
        };
        let kind = match non_empty(&self.kind) {
            None => None,
            Some(k) => match PositionKind::parse(&k) {
                Some(k) => Some(k),
                None => {
                    errors.push(field(
                        "kind",
                        format!("“{k}” is not a kind of change: use hire, promotion, lateral_move or correction"),
                    ));
                    None
                }
            },
        };
        match (resolved, effective_on, errors.is_empty()) {
            (Some((track, level)), Some(effective_on), true) => Ok(CheckedPosition {
                track,
                level,
                effective_on,
                kind,
            }),
            _ => Err(errors),
        }
    }
}

/// Makes a recorded entry the person's current position when it is the newest of their history.
async fn make_current_if_newest(
    tx: &mut Tx,
    person: i64,
    entry: &CheckedPosition<'_>,
) -> AppResult<()> {
    let newest: Option<String> =
        sqlx::query_scalar("SELECT MAX(effective_on) FROM positions WHERE user_id = $1")
            .bind(person)
            .fetch_one(&mut **tx)
            .await?;
    if newest.as_deref() == Some(entry.effective_on.to_string().as_str()) {
        sqlx::query("UPDATE users SET track_key = $1, level_key = $2 WHERE id = $3")
            .bind(entry.track.key.as_str())
            .bind(entry.level.key.as_str())
            .bind(person)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Why a position changes when nobody says: the first position is a hire, a higher level of the
/// same track a promotion, another track a lateral move, anything else a correction.
pub(crate) fn position_kind(
    current_track: Option<&str>,
    current_level: Option<&str>,
    track: &Track,
    level: &Level,
) -> PositionKind {
    match (current_track, current_level) {
        (None, _) | (_, None) => PositionKind::Hire,
        (Some(t), Some(l)) if t == track.key.as_str() => {
            let from = track.rank_of(l).unwrap_or(0);
            let to = track.rank_of(level.key.as_str()).unwrap_or(0);
            if to > from {
                PositionKind::Promotion
            } else {
                PositionKind::Correction
            }
        }
        _ => PositionKind::LateralMove,
    }
}

/// The audit event of a recorded position, the same for every way in.
pub(super) fn position_event(
    person: i64,
    (current_track, current_level): (Option<&str>, Option<&str>),
    (track, level): (&Track, &Level),
    kind: PositionKind,
    effective_on: Day,
) -> audit::NewEvent {
    audit::NewEvent {
        action: crate::audit::Action::PositionRecord,
        object: format!("user:{person}"),
        summary: format!(
            "{} to {} ({}) on {effective_on}",
            kind.label(),
            level.title,
            track.name
        ),
        detail: Some(serde_json::json!({
            "before": { "track": current_track, "level": current_level },
            "after": { "track": track.key.as_str(), "level": level.key.as_str() },
            "kind": kind.as_str(), "effective_on": effective_on.to_string(),
        })),
    }
}

async fn record_position_event(
    work: &mut Work<'_>,
    person: i64,
    before: (Option<&str>, Option<&str>),
    position: (&Track, &Level),
    kind: PositionKind,
    effective_on: Day,
) -> AppResult<()> {
    let e = position_event(person, before, position, kind, effective_on);
    work.record(e.action, &e.object, &e.summary, e.detail).await
}

/// Records a position for one person, against the published framework.
pub async fn record_position(
    state: &AppState,
    actor: &Actor,
    person: i64,
    input: &PositionInput,
) -> AppResult<()> {
    let permit = policy::manage_people(actor)?;
    let published = crate::architecture::framework::published(state, actor)
        .await?
        .ok_or_else(|| {
            AppError::invalid_field("track", "publish the framework before recording positions")
        })?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    // The same position again changes nothing, and nothing is recorded.
    if write_position(&mut work, &published.framework, person, input).await? {
        work.commit().await?;
    }
    Ok(())
}
