//! The dashboard of the group a viewer may see: whose figures they read (their scope), the filters
//! they may choose, checked, and the figures under the data's change markers, computed once per
//! key and kept in the cache, with the pulse from the surveys service.

use std::sync::Arc;

use super::figures::{Calendar, Group, GroupSpec, Growth, compute};
use super::{Choices, Dashboard, DashboardFilter, PulsePoint, Scope, THRESHOLD, surveys};
use crate::auth::{Actor, policy};
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError};
use crate::rollout::anonymity;
use crate::state::AppState;

/// Whose dashboard the actor may read: admins the organisation's, managers their reporting line's;
/// anyone else is refused.
async fn scope_of(db: &Db, actor: &Actor) -> AppResult<Scope> {
    if policy::see_whole_organisation(actor) {
        policy::read_dashboard(actor, false)?;
        return Ok(Scope::Organisation);
    }
    let Some(me) = actor.user_id else {
        return Err(AppError::Forbidden);
    };
    let manages: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE manager_id = $1 AND active = 1 LIMIT 1")
            .bind(me)
            .fetch_optional(db.pool())
            .await?;
    policy::read_dashboard(actor, manages.is_some())?;
    Ok(Scope::ReportingLine {
        manager_id: me,
        manager: actor.name.clone(),
    })
}

/// The filters a viewer may use.
pub async fn choices(state: &AppState, actor: &Actor) -> AppResult<Choices> {
    let scope = scope_of(state.db(), actor).await?;
    let stamp = data_stamp(state.db()).await?;
    let mut choices = (*scope_choices(state, actor, &scope, stamp).await?).clone();
    choices.scope = Some(scope);
    Ok(choices)
}

async fn scope_choices(
    state: &AppState,
    actor: &Actor,
    scope: &Scope,
    stamp: i64,
) -> AppResult<Arc<Choices>> {
    let key = format!("{}|{stamp}", scope.key());
    if let Some(c) = state.dashboards().choices(&key) {
        return Ok(c);
    }
    let db = state.db();
    let group = Group::new(scope, None, None, 0);
    let teams: Vec<String> = match scope {
        Scope::Organisation => {
            sqlx::query_scalar("SELECT name FROM teams ORDER BY name_key")
                .fetch_all(db.pool())
                .await?
        }
        Scope::ReportingLine { .. } => {
            let sql = format!(
                "SELECT t.name FROM teams t WHERE t.id IN \
                 (SELECT u.team_id FROM users u WHERE u.active = 1 AND {}) ORDER BY t.name_key",
                group.condition
            );
            group
                .bind_scalar(sqlx::query_scalar::<_, String>(&sql))
                .fetch_all(db.pool())
                .await?
        }
    };
    let held_sql = format!(
        "SELECT DISTINCT u.track_key FROM users u \
         WHERE u.active = 1 AND u.track_key IS NOT NULL AND {}",
        group.condition
    );
    let held: Vec<String> = group
        .bind_scalar(sqlx::query_scalar::<_, String>(&held_sql))
        .fetch_all(db.pool())
        .await?;
    let published = crate::architecture::framework::published(state, actor).await?;
    let mut tracks: Vec<(String, String)> = Vec::new();
    if let Some(p) = &published {
        for t in &p.framework.tracks {
            let key = t.key.as_str();
            if *scope == Scope::Organisation || held.iter().any(|h| h == key) {
                tracks.push((key.to_owned(), t.name.clone()));
            }
        }
    }
    let mut others: Vec<&String> = held
        .iter()
        .filter(|h| !tracks.iter().any(|(k, _)| k == *h))
        .collect();
    others.sort();
    tracks.extend(others.into_iter().map(|h| (h.clone(), h.clone())));
    let choices = Arc::new(Choices {
        scope: None,
        teams,
        tracks,
    });
    state.dashboards().put_choices(key, choices.clone());
    Ok(choices)
}

/// The newest audit event that may change a figure: every write records one, and sign-ins, which
/// change no figure but are the most frequent events of all, are skipped so that they do not make
/// every view compute the dashboard again.
const AUDIT_STAMP: &str =
    "SELECT id FROM audit_events WHERE action NOT LIKE 'session.%' ORDER BY id DESC LIMIT 1";

/// The marker of the directory's and the growth records' last change.
async fn data_stamp(db: &Db) -> AppResult<i64> {
    let stamp: Option<i64> = sqlx::query_scalar(AUDIT_STAMP)
        .fetch_optional(db.pool())
        .await?;
    Ok(stamp.unwrap_or(0))
}

/// The markers of the last change of the directory and growth records (see [`AUDIT_STAMP`]) and
/// of the surveys' answers, which are not audited so as to stay anonymous: the number of answers
/// of the closed surveys, the only ones whose answers the dashboard shows. Open surveys are left
/// out on purpose: a marker that moved with each answer would recompute the dashboard at the
/// moment someone answered, and that difference in time can be observed.
async fn stamps(db: &Db) -> AppResult<(i64, i64)> {
    let (audit, answers) = sqlx::query_as::<_, (Option<i64>, Option<i64>)>(&format!(
        "SELECT ({AUDIT_STAMP}) AS audit, \
                (SELECT CAST(COALESCE(SUM(responses), 0) AS BIGINT) FROM surveys \
                 WHERE closed_early = 1 OR closes_on < $1) AS answers"
    ))
    .bind(crate::domain::Day::today().to_string())
    .fetch_one(db.pool())
    .await?;
    Ok((audit.unwrap_or(0), answers.unwrap_or(0)))
}

/// The filters checked against what the viewer may choose: the team's id and the track's name.
struct Checked {
    team: Option<(i64, String)>,
    track: Option<(String, String)>,
}

async fn check_filter(
    db: &Db,
    scope: &Scope,
    choices: &Choices,
    filter: &DashboardFilter,
) -> AppResult<Checked> {
    let mut errors = Vec::new();
    let mut team = None;
    if let Some(name) = &filter.team {
        if name.chars().count() > 200 {
            errors.push(field("team", "a team name has at most 200 characters"));
        } else {
            let row = sqlx::query_as::<_, (i64, String)>(
                "SELECT id, name FROM teams WHERE name_key = $1",
            )
            .bind(name.to_lowercase())
            .fetch_optional(db.pool())
            .await?;
            match row {
                None => errors.push(field("team", format!("there is no team named “{name}”"))),
                Some((id, name)) => {
                    if choices.teams.contains(&name) {
                        team = Some((id, name));
                    } else if matches!(scope, Scope::ReportingLine { .. }) {
                        errors.push(field(
                            "team",
                            format!(
                                "nobody in your reporting line is in team “{name}”: the dashboard shows only the people below you"
                            ),
                        ));
                    } else {
                        team = Some((id, name));
                    }
                }
            }
        }
    }
    let mut track = None;
    if let Some(key) = &filter.track {
        match choices.tracks.iter().find(|(k, _)| k == key) {
            Some((k, name)) => track = Some((k.clone(), name.clone())),
            None => errors.push(field(
                "track",
                match scope {
                    Scope::Organisation => format!("“{}” is not a track", shorten(key)),
                    Scope::ReportingLine { .. } => format!(
                        "nobody in your reporting line is on a track “{}”",
                        shorten(key)
                    ),
                },
            )),
        }
    }
    if errors.is_empty() {
        Ok(Checked { team, track })
    } else {
        Err(AppError::Invalid {
            title: errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
            errors,
        })
    }
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

/// A value typed into the address, cut short for a message.
fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// The dashboard of the group the actor may see, narrowed by the filter.
pub async fn dashboard(
    state: &AppState,
    actor: &Actor,
    filter: &DashboardFilter,
) -> AppResult<Dashboard> {
    let db = state.db();
    let scope = scope_of(db, actor).await?;
    let (stamp, answers) = stamps(db).await?;
    let choices = scope_choices(state, actor, &scope, stamp).await?;
    let checked = check_filter(db, &scope, &choices, filter).await?;
    let calendar = Calendar {
        today: time::OffsetDateTime::now_utc().date(),
    };
    let threshold = THRESHOLD;
    let key = format!(
        "{}|{}|{}|{}|{stamp}|{threshold}",
        scope.key(),
        checked.team.as_ref().map_or(0, |(id, _)| *id),
        checked.track.as_ref().map_or("", |(k, _)| k.as_str()),
        calendar.today()
    );
    let group = GroupSpec {
        scope: &scope,
        team_id: checked.team.as_ref().map(|(id, _)| *id),
        track: checked.track.as_ref().map(|(k, _)| k.as_str()),
    };
    let growth = match state.dashboards().growth(&key) {
        Some(g) => g,
        None => {
            let computed = compute_once(state, actor, &key, &group, calendar, threshold).await;
            state.dashboards().release_gate(&key);
            computed?
        }
    };
    let filtered = checked.team.is_some() || checked.track.is_some();
    if growth.people < threshold {
        return Err(small_group(&scope, filtered, threshold));
    }
    let pulse_key = format!("{key}|{answers}");
    let pulse = match state.dashboards().pulse(&pulse_key) {
        Some(p) => p,
        None => {
            let p = Arc::new(pulse(db, actor, &scope, &group).await?);
            state.dashboards().put_pulse(pulse_key.clone(), p.clone());
            p
        }
    };
    Ok(Dashboard {
        scope,
        team: checked.team.map(|(_, name)| name),
        track_name: checked.track.as_ref().map(|(_, n)| n.clone()),
        track: checked.track.map(|(k, _)| k),
        as_of: calendar.today(),
        threshold,
        people: growth.people,
        coverage: growth.coverage,
        participation: growth.participation,
        pilot: growth.pilot.clone(),
        moves: growth.moves.clone(),
        time_in_level: growth.time_in_level.clone(),
        attrition_by_track: growth.attrition_by_track.clone(),
        attrition_by_readiness: growth.attrition_by_readiness.clone(),
        pulse: pulse.points.clone(),
        pulse_note: pulse.note.clone(),
        key: pulse_key,
    })
}

/// The pulse part of a dashboard.
#[derive(Debug)]
pub(super) struct Pulse {
    points: Vec<PulsePoint>,
    note: Option<String>,
}

/// The pulse trend of the group, from the surveys service, which applies the anonymity rules of
/// survey results. Admins ask about the team and track chosen; a manager about one of the teams
/// whose members all report to them (the surveys' rule), so without such a team there is a note
/// instead of a trend.
pub(super) async fn pulse(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    group: &GroupSpec<'_>,
) -> AppResult<Pulse> {
    let filter = anonymity::Filter {
        team: group.team_id,
        track: group.track.map(str::to_owned),
        pilot: None,
    };
    if let Scope::ReportingLine { .. } = scope {
        let teams = surveys::result_teams(db, actor).await?;
        let allowed = group
            .team_id
            .is_some_and(|t| teams.iter().any(|(id, _)| *id == t));
        if !allowed {
            let names: Vec<&str> = teams.iter().map(|(_, n)| n.as_str()).collect();
            let note = match (group.team_id, names.is_empty()) {
                (_, true) => "Pulse results are shown to managers for teams whose members all \
                              report to them; none of your teams is one yet."
                    .to_owned(),
                (None, false) => format!(
                    "Pulse results are shown to managers one team at a time, for teams whose \
                     members all report to them: choose one of {} above.",
                    names.join(", ")
                ),
                (Some(_), false) => format!(
                    "Pulse results are shown to managers for teams whose members all report to \
                     them, and not everyone in this team does: choose one of {}.",
                    names.join(", ")
                ),
            };
            return Ok(Pulse {
                points: Vec::new(),
                note: Some(note),
            });
        }
    }
    match surveys::pulse_trend(db, actor, &filter).await {
        Ok(points) => Ok(Pulse { points, note: None }),
        Err(e @ (AppError::Forbidden | AppError::Invalid { .. })) => Ok(Pulse {
            points: Vec::new(),
            note: Some(e.public_message()),
        }),
        Err(e) => Err(e),
    }
}

/// Computes the figures of a key once however many viewers ask at the same time: the first
/// computes, the others wait for it and read what it kept.
async fn compute_once(
    state: &AppState,
    actor: &Actor,
    key: &str,
    group: &GroupSpec<'_>,
    calendar: Calendar,
    threshold: i64,
) -> AppResult<Arc<Growth>> {
    let gate = state.dashboards().gate(key);
    let _computing = gate.lock().await;
    if let Some(g) = state.dashboards().growth(key) {
        return Ok(g);
    }
    let g = Arc::new(compute(state, actor, group, calendar, threshold).await?);
    state.dashboards().put_growth(key.to_owned(), g.clone());
    Ok(g)
}

/// The refusal of a group too small to show.
fn small_group(scope: &Scope, filtered: bool, threshold: i64) -> AppError {
    let message = if filtered {
        format!(
            "fewer than {threshold} people match these filters, so their figures are not shown: \
             figures about so few people would point at individuals. Choose a wider filter."
        )
    } else {
        match scope {
            Scope::Organisation => format!(
                "fewer than {threshold} people are active in the organisation, so no figures are shown yet"
            ),
            Scope::ReportingLine { .. } => format!(
                "fewer than {threshold} people are in your reporting line, so its figures are not \
                 shown: figures about so few people would point at individuals"
            ),
        }
    };
    AppError::Invalid {
        title: message.clone(),
        errors: vec![field("", message)],
    }
}
