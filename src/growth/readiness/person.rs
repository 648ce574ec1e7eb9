//! A person's readiness as their page shows it: the stored result (or one evaluated now when
//! none was stored), with the rule of their track and the check-ins it was judged on.

use trellis_framework::Framework;

use super::{
    AgreedCheckIn, Readiness, Rule, evaluate, next_level_case, of_person, parse_agreed,
    stored_rules,
};
use crate::auth::{Actor, policy};
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The check-in a readiness was judged on.
#[derive(Debug, Clone)]
pub struct JudgedCheckIn {
    pub id: i64,
    pub level: String,
    pub level_title: String,
    /// YYYY-MM-DD
    pub agreed_on: Option<String>,
    /// What was judged on it, in words: "the current level", "the next level" or both.
    pub judges: String,
}

/// A person's readiness with the names its page shows.
#[derive(Debug, Clone)]
pub struct PersonReadiness {
    pub person_id: i64,
    pub person_name: String,
    pub readiness: Readiness,
    pub position: Option<crate::people::directory::Position>,
    pub next_level_title: Option<String>,
    /// The rule of the person's track.
    pub rule: Option<Rule>,
    /// The check-in the next level was judged on, or else the one the current level was.
    pub checkin: Option<JudgedCheckIn>,
    /// Every check-in the result rests on (see [`choose`]), with what was judged on each.
    pub checkins: Vec<JudgedCheckIn>,
}

/// Whether the actor may see this person's private records; a 404 otherwise, as for nobody.
pub(super) async fn require_visible(
    state: &AppState,
    actor: &Actor,
    person: i64,
) -> AppResult<String> {
    policy::read_directory(actor)?;
    crate::rollout::pilot::require_grow(state.db(), actor).await?;
    let relation = crate::people::directory::relation(state.db(), actor, person).await?;
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(person)
        .fetch_optional(state.db().pool())
        .await?;
    match name {
        Some(name) if policy::see_private(actor, relation) => Ok(name),
        _ => Err(AppError::not_found(
            "No readiness was found for this person.",
        )),
    }
}

/// A person's readiness, for the person, their chain and admins: as stored, or evaluated now when
/// it was never stored.
pub async fn person_readiness(
    state: &AppState,
    actor: &Actor,
    person: i64,
) -> AppResult<PersonReadiness> {
    let person_name = require_visible(state, actor, person).await?;
    let db = state.db();
    let published = crate::architecture::framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let readiness = match of_person(db, person).await? {
        Some(r) => r,
        None => {
            let mut conn = db.pool().acquire().await?;
            let mut r = match fw {
                Some(fw) => evaluate_one(&mut conn, fw, person).await?,
                None => evaluate(&Rule::default_for(""), &Framework::default(), None, &[]),
            };
            r.computed_at = now();
            r
        }
    };
    let position = readiness
        .track
        .as_deref()
        .zip(readiness.level.as_deref())
        .map(|(t, l)| crate::people::directory::position_names(fw, t, l));
    let track = readiness
        .track
        .as_deref()
        .and_then(|t| fw.and_then(|f| f.track(t)));
    let title = |level: &str| {
        track
            .and_then(|t| t.level(level))
            .map_or_else(|| level.to_owned(), |l| l.title.clone())
    };
    let rule = match readiness.track.as_deref() {
        Some(t) => {
            let mut conn = db.pool().acquire().await?;
            Some(
                stored_rules(&mut conn)
                    .await?
                    .remove(t)
                    .unwrap_or_else(|| Rule::default_for(t)),
            )
        }
        None => None,
    };
    let checkins = judged_checkins(state, &readiness, &title).await?;
    let checkin = readiness
        .checkin_id
        .and_then(|id| checkins.iter().find(|c| c.id == id).cloned());
    Ok(PersonReadiness {
        person_id: person,
        person_name,
        next_level_title: readiness.next_level.as_deref().map(title),
        position,
        rule,
        checkin,
        checkins,
        readiness,
    })
}

/// Every check-in a readiness rests on, in the order its reasons name them, with what was judged
/// on each; `title` names a level of the person's track.
async fn judged_checkins(
    state: &AppState,
    readiness: &Readiness,
    title: &impl Fn(&str) -> String,
) -> AppResult<Vec<JudgedCheckIn>> {
    let mut ids: Vec<i64> = Vec::new();
    for id in readiness
        .reasons
        .iter()
        .filter_map(|r| r.checkin_id)
        .chain(readiness.checkin_id)
    {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let mut checkins = Vec::new();
    for id in ids {
        let row: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT level_key, agreed_on FROM checkins WHERE id = $1")
                .bind(id)
                .fetch_optional(state.db().pool())
                .await?;
        if let Some((level, agreed_on)) = row {
            checkins.push(JudgedCheckIn {
                id,
                level_title: title(&level),
                level,
                agreed_on,
                judges: judges(readiness, id).to_owned(),
            });
        }
    }
    Ok(checkins)
}

/// What the reasons of a readiness judged on the check-in `id`, in words.
fn judges(readiness: &Readiness, id: i64) -> &'static str {
    let judged = |codes: &[&str]| {
        readiness
            .reasons
            .iter()
            .any(|r| r.checkin_id == Some(id) && codes.contains(&r.code.as_str()))
    };
    match (
        judged(&["current_level"]),
        judged(&["next_level_share", "required"]),
    ) {
        (true, true) => "the current and the next level",
        (true, false) => "the current level",
        _ => "the next level",
    }
}

/// Evaluates one person now, without storing.
async fn evaluate_one(
    conn: &mut sqlx::AnyConnection,
    fw: &Framework,
    person: i64,
) -> AppResult<Readiness> {
    let rules = stored_rules(&mut *conn).await?;
    let (track, level): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT track_key, level_key FROM users WHERE id = $1")
            .bind(person)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| AppError::not_found("this person"))?;
    let position = track.as_deref().zip(level.as_deref());
    let rule = track
        .as_deref()
        .and_then(|t| rules.get(t).cloned())
        .unwrap_or_else(|| Rule::default_for(track.as_deref().unwrap_or("")));
    let next = next_level_case(fw);
    // Every agreed check-in against the current or next level; `choose` picks among them.
    let checkins = sqlx::query_as::<_, AgreedRow>(&format!(
        "SELECT c.id, c.level_key, c.agreed_at, c.agreed_ratings FROM checkins c JOIN users u ON u.id = c.person_id \
         WHERE u.id = $1 AND c.status = 'agreed' AND c.track_key = u.track_key \
         AND (c.level_key = u.level_key OR c.level_key = {next})"
    ))
    .bind(person)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| AgreedCheckIn {
        id: r.id,
        level: r.level_key,
        agreed_at: r.agreed_at.unwrap_or(0),
        ratings: parse_agreed(&r.agreed_ratings),
    })
    .collect::<Vec<_>>();
    Ok(evaluate(&rule, fw, position, &checkins))
}

/// An agreed check-in with the ratings readiness reads.
#[derive(sqlx::FromRow)]
struct AgreedRow {
    id: i64,
    level_key: String,
    agreed_at: Option<i64>,
    agreed_ratings: String,
}
