//! Nominating someone: the checks of a nomination and its writing.

use trellis_framework::{Framework, Level, Track};

use super::case::case_says_nothing;
use super::draft::prefill;
use super::{TEXT_MAX, field, invalid, optional_day, visible_person};
use crate::architecture::framework;
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy;
use crate::db::{Work, now};
use crate::domain::{Day, PositionKind};
use crate::error::{AppError, AppResult, FieldError};
use crate::growth::one_on_ones::PersonRef;
use crate::people::directory;
use crate::rollout::pilot;
use crate::state::AppState;

/// A nomination as typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct NominationInput {
    /// Track key or name.
    pub track: String,
    /// Level key or title.
    pub level: String,
    /// Why, in markdown.
    pub case_text: String,
    /// The date proposed for the new position, `YYYY-MM-DD`; optional.
    pub effective_on: String,
}

/// Nominates a person for a position: for someone in their management chain. Returns the new
/// nomination's id.
pub async fn nominate(
    state: &AppState,
    actor: &Actor,
    person: i64,
    input: &NominationInput,
) -> AppResult<i64> {
    policy::read_directory(actor)?;
    pilot::require_grow(state.db(), actor).await?;
    let (relation, who, current, active) = visible_person(state, actor, person).await?;
    let decision = policy::nominate(actor, relation)?;
    let published = framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let case_text = input.case_text.trim();
    let Proposal {
        track,
        level,
        kind,
        effective_on,
    } = check(state, fw, &who, current.as_ref(), active, input).await?;
    let checkin: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM checkins WHERE person_id = $1 AND status = 'agreed' \
         ORDER BY agreed_at DESC, id DESC LIMIT 1",
    )
    .bind(person)
    .fetch_optional(state.db().pool())
    .await?;
    let mut work = Work::begin(state.db(), actor, decision).await?;
    let pending: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM nominations WHERE person_id = $1 AND status = 'pending'",
    )
    .bind(person)
    .fetch_optional(&mut **work.tx())
    .await?;
    if let Some(id) = pending {
        return Err(AppError::Conflict(format!(
            "{} has a nomination waiting for a decision already (nomination {id}): withdraw it, or wait for the People team",
            who.name
        )));
    }
    let at = now();
    let (from_track, from_level) = current.unzip();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO nominations (person_id, nominated_by, track_key, level_key, from_track_key, \
         from_level_key, kind, version_number, case_text, checkin_id, status, effective_on, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12, $12) RETURNING id",
    )
    .bind(person)
    .bind(actor.user_id)
    .bind(track.key.as_str())
    .bind(level.key.as_str())
    .bind(&from_track)
    .bind(&from_level)
    .bind(kind.as_str())
    .bind(published.version.as_ref().map(|v| v.number))
    .bind(case_text)
    .bind(checkin)
    .bind(effective_on.map(|d| d.to_string()))
    .bind(at)
    .fetch_one(&mut **work.tx())
    .await?;
    work.record(
        Action::NominationCreate,
        &format!("nomination:{id}"),
        &format!(
            "Nominated {} for {} ({})",
            who.name, level.title, track.name
        ),
        Some(serde_json::json!({
            "person": person, "track": track.key.as_str(), "level": level.key.as_str(),
            "from": { "track": from_track, "level": from_level }, "kind": kind.as_str(),
            "checkin": checkin, "effective_on": effective_on.map(|d| d.to_string()),
        })),
    )
    .await?;
    work.commit().await?;
    Ok(id)
}

/// A nomination, checked: the position proposed, how it moves the person, and the day proposed.
struct Proposal<'a> {
    track: &'a Track,
    level: &'a Level,
    kind: PositionKind,
    effective_on: Option<Day>,
}

/// Checks a nomination of `who`, who holds `current` and is still at the organisation when
/// `active`, and reports every mistake at once: the position, the case, the day.
async fn check<'a>(
    state: &AppState,
    fw: &'a Framework,
    who: &PersonRef,
    current: Option<&(String, String)>,
    active: bool,
    input: &NominationInput,
) -> AppResult<Proposal<'a>> {
    let mut errors = Vec::new();
    let target = directory::resolve_position(fw, &input.track, &input.level)
        .map_err(|e| errors.push(e))
        .ok();
    let case_text = input.case_text.trim();
    if case_text.chars().count() > TEXT_MAX {
        errors.push(field(
            "case_text",
            format!("a case has at most {TEXT_MAX} characters"),
        ));
    } else {
        let current_ref = current.map(|(t, l)| (t.as_str(), l.as_str()));
        let template = if case_text.is_empty() {
            String::new()
        } else {
            prefill(state, fw, who, current_ref).await?.case_template
        };
        if let Some(why) = case_says_nothing(case_text, &template, &who.name) {
            errors.push(field("case_text", why));
        }
    }
    let effective_on = optional_day("effective_on", &input.effective_on, &mut errors);
    if !active {
        errors.push(field("", format!("{} has left the organisation", who.name)));
    }
    let kind =
        target.and_then(|(track, level)| move_kind(fw, who, current, track, level, &mut errors));
    match (target, kind, errors.is_empty()) {
        (Some((track, level)), Some(kind), true) => Ok(Proposal {
            track,
            level,
            kind,
            effective_on,
        }),
        _ => Err(invalid(errors)),
    }
}

/// How moving `who` from `current` to `level` of `track` changes their position: a promotion or
/// a lateral move, the two a nomination proposes; anything else is a mistake added to `errors`.
fn move_kind(
    fw: &Framework,
    who: &PersonRef,
    current: Option<&(String, String)>,
    track: &Track,
    level: &Level,
    errors: &mut Vec<FieldError>,
) -> Option<PositionKind> {
    let Some((ct, cl)) = current else {
        errors.push(field(
            "level",
            format!(
                "{} has no position yet: the People team records a first position, which needs no nomination",
                who.name
            ),
        ));
        return None;
    };
    match directory::position_kind(Some(ct), Some(cl), track, level) {
        PositionKind::Promotion => Some(PositionKind::Promotion),
        PositionKind::LateralMove => Some(PositionKind::LateralMove),
        _ => {
            errors.push(field(
                "level",
                format!(
                    "choose a level above {}, or a level of another track",
                    directory::position_names(Some(fw), ct, cl).level_title
                ),
            ));
            None
        }
    }
}
