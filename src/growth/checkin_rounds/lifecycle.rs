//! Starting a round (what the form offers, the checks, the round with the people it asks) and
//! closing it.

use serde::Serialize;
use trellis_framework::Framework;

use super::reading::get;
use super::{NAME_MAX, RoundState, Scope, chain_sql, follower};
use crate::architecture::framework;
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::db::{Work, now};
use crate::domain::Day;
use crate::error::{AppError, AppResult, FieldError};
use crate::people::directory;
use crate::rollout::pilot;
use crate::state::AppState;

/// What a round asks, as sent by a form or the API.
#[derive(Debug, Clone, Default)]
pub struct RoundInput {
    pub name: String,
    /// `YYYY-MM-DD`, today or later.
    pub due_on: String,
    /// `everyone`, `track` (with `track`) or `line` (with `manager`).
    pub scope: String,
    /// The track's key, for the scope `track`.
    pub track: Option<String>,
    /// The manager's id, for the scope `line`: everyone below them.
    pub manager: Option<i64>,
}

/// A manager whose reporting line a round can ask.
#[derive(Debug, Clone, Serialize)]
pub struct ManagerChoice {
    pub id: i64,
    pub name: String,
}

/// What the start form offers the viewer.
#[derive(Debug, Clone, Serialize)]
pub struct StartChoices {
    /// The viewer may ask everyone or a track (admins).
    pub whole_organisation: bool,
    /// Tracks of the published framework: (key, name).
    pub tracks: Vec<(String, String)>,
    /// Managers whose line the viewer may ask: every manager for admins, themselves for a manager.
    pub managers: Vec<ManagerChoice>,
}

/// A manager whose reporting line a round can ask, as stored.
#[derive(sqlx::FromRow)]
struct ManagerRow {
    id: i64,
    name: String,
}

/// What the start form offers the actor; refused to those who may not start a round.
pub async fn start_choices(state: &AppState, actor: &Actor) -> AppResult<StartChoices> {
    follower(state, actor).await?;
    let db = state.db();
    let published = framework::published(state, actor).await?;
    let tracks = published
        .as_ref()
        .map(|p| {
            p.framework
                .tracks
                .iter()
                .map(|t| (t.key.to_string(), t.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let whole_organisation = policy::start_checkin_round(actor, false).is_ok();
    let managers = if whole_organisation {
        sqlx::query_as::<_, ManagerRow>(
            "SELECT u.id, u.name FROM users u WHERE u.active = 1 AND EXISTS \
             (SELECT 1 FROM users r WHERE r.manager_id = u.id AND r.active = 1) \
             ORDER BY u.name_key, u.id",
        )
        .fetch_all(db.pool())
        .await?
    } else {
        sqlx::query_as::<_, ManagerRow>("SELECT id, name FROM users WHERE id = $1")
            .bind(actor.user_id)
            .fetch_all(db.pool())
            .await?
    };
    Ok(StartChoices {
        whole_organisation,
        tracks,
        managers: managers
            .into_iter()
            .map(|r| ManagerChoice {
                id: r.id,
                name: r.name,
            })
            .collect(),
    })
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

/// The input's name, due day and scope, or every reason it is refused.
fn check(
    input: &RoundInput,
    fw: Option<&Framework>,
    today: Day,
) -> Result<(String, Day, Scope), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        errors.push(field(
            "name",
            "Give the round a name, such as “Spring check-ins 2027”.",
        ));
    } else if name.chars().count() > NAME_MAX {
        errors.push(field(
            "name",
            format!("Keep the name to {NAME_MAX} characters or fewer."),
        ));
    }
    let due = match Day::parse(&input.due_on) {
        _ if input.due_on.trim().is_empty() => {
            errors.push(field(
                "due_on",
                "Choose the day check-ins should be agreed by.",
            ));
            None
        }
        Err(m) => {
            errors.push(field("due_on", format!("{m}.")));
            None
        }
        Ok(d) if d < today => {
            errors.push(field(
                "due_on",
                format!("{d} is in the past: choose today or a later day."),
            ));
            None
        }
        Ok(d) => Some(d),
    };
    let scope = check_scope(input, fw, &mut errors);
    match (due, scope) {
        (Some(due), Some(scope)) if errors.is_empty() => Ok((name, due, scope)),
        _ => Err(errors),
    }
}

/// Who the round asks, or `None` with the reason added to `errors`.
fn check_scope(
    input: &RoundInput,
    fw: Option<&Framework>,
    errors: &mut Vec<FieldError>,
) -> Option<Scope> {
    match input.scope.trim() {
        "everyone" => Some(Scope::Everyone),
        "track" => {
            let key = input.track.as_deref().unwrap_or_default().trim();
            match fw.and_then(|f| f.track(key)) {
                Some(t) => Some(Scope::Track(t.key.to_string())),
                None => {
                    errors.push(field(
                        "track",
                        if key.is_empty() {
                            "Choose the track whose people the round asks.".to_owned()
                        } else {
                            format!("“{key}” is not a track of the published framework.")
                        },
                    ));
                    None
                }
            }
        }
        "line" => match input.manager {
            Some(m) => Some(Scope::Line(m)),
            None => {
                errors.push(field(
                    "manager",
                    "Choose the manager whose reporting line the round asks.",
                ));
                None
            }
        },
        _ => {
            errors.push(field(
                "scope",
                "Choose who the round asks: everyone, a track or a reporting line.",
            ));
            None
        }
    }
}

/// Starts a round: one transaction that records it, the people it covers and its audit event.
/// Admins ask any scope; a manager asks their own reporting line (or the line of someone below
/// them). A scope with nobody active with a position in it is refused.
pub async fn create(state: &AppState, actor: &Actor, input: &RoundInput) -> AppResult<i64> {
    follower(state, actor).await?;
    let db = state.db();
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let (name, due, scope) = check(input, fw, Day::today())
        .map_err(|e| AppError::invalid_fields(e, "The round was not started."))?;
    let within_own_line = match &scope {
        Scope::Line(m) => {
            let relation = directory::relation(db, actor, *m).await?;
            relation == Relation::Myself || relation == Relation::InManagementChain
        }
        _ => false,
    };
    let permit = policy::start_checkin_round(actor, within_own_line)?;
    let manager_name = match &scope {
        Scope::Line(m) => Some(
            sqlx::query_scalar::<_, String>("SELECT name FROM users WHERE id = $1 AND active = 1")
                .bind(*m)
                .fetch_optional(db.pool())
                .await?
                .ok_or_else(|| {
                    AppError::invalid_field("manager", "Choose a manager who is in the directory.")
                })?,
        ),
        _ => None,
    };
    let pilot = pilot::audience(db).await? == pilot::PILOT;
    let (scope_key, track, manager) = match &scope {
        Scope::Everyone => ("everyone", None, None),
        Scope::Track(t) => ("track", Some(t.clone()), None),
        Scope::Line(m) => ("line", None, Some(*m)),
    };
    let at = now();
    let mut work = Work::begin(db, actor, permit).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO checkin_rounds (name, due_on, scope, track_key, manager_id, started_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&name)
    .bind(due.to_string())
    .bind(scope_key)
    .bind(track.clone())
    .bind(manager)
    .bind(actor.user_id)
    .bind(at)
    .fetch_one(&mut **work.tx())
    .await?;
    let covered = ask_people(&mut work, id, &scope, pilot).await?;
    if covered == 0 {
        drop(work);
        return Err(scope.asks_nobody(manager_name.as_deref()));
    }
    let scope_words = scope.words(fw, manager_name.as_deref());
    work.record(
        Action::CheckinRoundStart,
        &format!("checkin_round:{id}"),
        &format!(
            "Started the check-in round “{name}” for {scope_words}, due {due}, asking {}",
            crate::text::plural(covered, "person", "people")
        ),
        Some(serde_json::json!({
            "scope": scope_key, "track": track, "manager": manager, "due_on": due.to_string(),
            "people": covered,
        })),
    )
    .await?;
    work.commit().await?;
    Ok(id)
}

/// Records the people a round asks: everyone of its scope who is active with a position (and in a
/// pilot team while the Grow features are piloted). Returns how many.
async fn ask_people(work: &mut Work<'_>, round: i64, scope: &Scope, pilot: bool) -> AppResult<u64> {
    let mut who =
        String::from("u.active = 1 AND u.track_key IS NOT NULL AND u.level_key IS NOT NULL");
    if pilot {
        who.push_str(&format!(" AND {}", pilot::in_pilot_sql("u")));
    }
    match scope {
        Scope::Everyone => {}
        Scope::Track(_) => who.push_str(" AND u.track_key = $2"),
        Scope::Line(_) => who.push_str(&format!(" AND u.id IN {}", chain_sql(2))),
    }
    let insert = format!(
        "INSERT INTO checkin_round_people (round_id, person_id) SELECT $1, u.id FROM users u \
         WHERE {who}"
    );
    let mut query = sqlx::query(&insert).bind(round);
    match scope {
        Scope::Everyone => {}
        Scope::Track(t) => query = query.bind(t.clone()),
        Scope::Line(m) => query = query.bind(*m),
    }
    Ok(query.execute(&mut **work.tx()).await?.rows_affected())
}

impl Scope {
    /// Why a round of this scope that would ask nobody is refused; `manager_name` names the
    /// manager of a reporting line.
    fn asks_nobody(&self, manager_name: Option<&str>) -> AppError {
        let (field_name, message) = match self {
            Scope::Everyone => (
                "scope",
                "Nobody active has a position yet, so the round would ask nobody: record positions first.".to_owned(),
            ),
            Scope::Track(_) => (
                "track",
                "Nobody active holds a position on this track, so the round would ask nobody: choose another track.".to_owned(),
            ),
            Scope::Line(_) => (
                "manager",
                format!(
                    "Nobody active with a position is below {}, so the round would ask nobody: choose another manager.",
                    manager_name.unwrap_or("this manager")
                ),
            ),
        };
        AppError::invalid_field(field_name, message)
    }

    /// Who the scope asks, in the words of the audit log.
    fn words(&self, fw: Option<&Framework>, manager_name: Option<&str>) -> String {
        match self {
            Scope::Everyone => "everyone".to_owned(),
            Scope::Track(t) => {
                let name = fw
                    .and_then(|f| f.track(t))
                    .map_or_else(|| t.clone(), |t| t.name.clone());
                format!("the {name} track")
            }
            Scope::Line(_) => format!("{}'s reporting line", manager_name.unwrap_or_default()),
        }
    }
}

/// Closes a running round before (or after) its due date: admins, or whoever started it. Its
/// people keep their check-ins; the round stops asking them. One audited transaction.
pub async fn close(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    let round = get(state, actor, id, Some(RoundState::Agreed)).await?;
    let started_by: Option<i64> =
        sqlx::query_scalar("SELECT started_by FROM checkin_rounds WHERE id = $1")
            .bind(id)
            .fetch_optional(state.db().pool())
            .await?
            .flatten();
    let permit = policy::close_checkin_round(actor, started_by)?;
    if !round.summary.is_open() {
        return Err(AppError::Conflict(format!(
            "The check-in round “{}” is already closed.",
            round.summary.name
        )));
    }
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let changed = sqlx::query(
        "UPDATE checkin_rounds SET closed_at = $1, closed_by = $2 WHERE id = $3 \
         AND closed_at IS NULL",
    )
    .bind(now())
    .bind(actor.user_id)
    .bind(id)
    .execute(&mut **work.tx())
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::Conflict(format!(
            "The check-in round “{}” is already closed.",
            round.summary.name
        )));
    }
    work.record(
        Action::CheckinRoundClose,
        &format!("checkin_round:{id}"),
        &format!(
            "Closed the check-in round “{}” due {}",
            round.summary.name, round.summary.due_on
        ),
        None,
    )
    .await?;
    work.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, due: &str, scope: &str) -> RoundInput {
        RoundInput {
            name: name.into(),
            due_on: due.into(),
            scope: scope.into(),
            track: None,
            manager: Some(4),
        }
    }

    #[test]
    fn a_round_needs_a_name_a_day_not_past_and_a_scope() {
        let today = Day::parse("2027-03-01").expect("a day");
        let errors =
            check(&input("  ", "2027-02-28", "everyone"), None, today).expect_err("refused");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "due_on"]);
        assert!(errors[1].message.contains("in the past"), "{errors:?}");
        let (name, due, scope) =
            check(&input(" Spring ", "2027-03-01", "line"), None, today).expect("accepted");
        assert_eq!(
            (name.as_str(), due.to_string().as_str()),
            ("Spring", "2027-03-01")
        );
        assert_eq!(scope, Scope::Line(4));
        let errors =
            check(&input("Spring", "2027-04-01", "track"), None, today).expect_err("no track");
        assert_eq!(errors[0].field, "track");
    }
}
