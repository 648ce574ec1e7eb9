//! Check-in rounds: the People team asks everyone, a track or a manager's reporting line to check
//! in by a due date (a manager may ask their own reporting line), and follows how far each person
//! has got.
//!
//! A round covers the active people with a position in its scope at the moment it starts
//! (`checkin_round_people`); people who join later are not asked. A round creates no check-in:
//! each person starts their own from their home (or their manager does), as any check-in, and the
//! round reads its progress from them. The check-in that counts for a person is their agreed one
//! agreed since the round started, else the one they have in progress (whenever it started); a
//! check-in agreed before the round does not count. Its state is, furthest first: agreed, the
//! manager's rating shared, the self-assessment shared, started, not started. A closed round keeps
//! the states it had when it closed: what happens to a check-in afterwards is not its progress.
//!
//! Who sees what: admins every round and everyone in it; a manager the rounds that cover someone
//! below them, with only those people; everyone else only their own part, on their home.

use serde::{Deserialize, Serialize};
use sqlx::Row as _;

use crate::architecture::framework;
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::db::Work;
use crate::db::{Db, now};
use crate::domain::Day;
use crate::error::{AppError, AppResult, FieldError};
use crate::people::directory;
use crate::rollout::pilot;
use crate::state::AppState;

/// The most people a round's page lists at once, by name; its counts cover everyone.
pub const PEOPLE_SHOWN: usize = 500;

/// The longest name of a round, in characters.
pub const NAME_MAX: usize = 120;

/// Who a round asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Everyone,
    /// The people on one track, by key.
    Track(String),
    /// Everyone below a manager, by the manager's id.
    Line(i64),
}

/// How far a person of a round has got, furthest last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CheckinRoundState)]
pub enum RoundState {
    /// No check-in in progress or agreed since the round started.
    NotStarted,
    /// A check-in in progress; neither side has shared its ratings.
    Started,
    /// The person shared their self-assessment.
    SelfDone,
    /// The manager shared their rating.
    ManagerDone,
    /// Both agreed the ratings.
    Agreed,
}

impl RoundState {
    pub const ALL: [RoundState; 5] = [
        RoundState::NotStarted,
        RoundState::Started,
        RoundState::SelfDone,
        RoundState::ManagerDone,
        RoundState::Agreed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoundState::NotStarted => "not_started",
            RoundState::Started => "started",
            RoundState::SelfDone => "self_done",
            RoundState::ManagerDone => "manager_done",
            RoundState::Agreed => "agreed",
        }
    }

    pub fn parse(raw: &str) -> Option<RoundState> {
        RoundState::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
    }

    /// The words people read.
    pub fn label(self) -> &'static str {
        match self {
            RoundState::NotStarted => "Not started",
            RoundState::Started => "Started",
            RoundState::SelfDone => "Self-assessment done",
            RoundState::ManagerDone => "Manager's rating done",
            RoundState::Agreed => "Agreed",
        }
    }

    /// The manager still has to rate: nothing shared by them and not agreed.
    pub fn waits_for_manager(self) -> bool {
        !matches!(self, RoundState::ManagerDone | RoundState::Agreed)
    }
}

/// How many people of a round are at each state (of those the viewer may see).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = CheckinRoundProgress)]
pub struct RoundProgress {
    pub people: i64,
    pub not_started: i64,
    pub started: i64,
    pub self_done: i64,
    pub manager_done: i64,
    pub agreed: i64,
}

impl RoundProgress {
    fn add(&mut self, state: RoundState, n: i64) {
        self.people += n;
        *match state {
            RoundState::NotStarted => &mut self.not_started,
            RoundState::Started => &mut self.started,
            RoundState::SelfDone => &mut self.self_done,
            RoundState::ManagerDone => &mut self.manager_done,
            RoundState::Agreed => &mut self.agreed,
        } += n;
    }

    /// How many are at `state`.
    pub fn of(&self, state: RoundState) -> i64 {
        match state {
            RoundState::NotStarted => self.not_started,
            RoundState::Started => self.started,
            RoundState::SelfDone => self.self_done,
            RoundState::ManagerDone => self.manager_done,
            RoundState::Agreed => self.agreed,
        }
    }

    /// The share agreed, in whole percent.
    pub fn agreed_percent(&self) -> i64 {
        if self.people == 0 {
            0
        } else {
            self.agreed * 100 / self.people
        }
    }
}

/// A round as the lists show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CheckinRoundSummary)]
pub struct RoundSummary {
    pub id: i64,
    pub name: String,
    /// `YYYY-MM-DD`: the day check-ins should be agreed by.
    pub due_on: String,
    /// `everyone`, `track` or `line`.
    pub scope: String,
    pub track: Option<String>,
    pub manager_id: Option<i64>,
    /// Who it asks, in words: "Everyone", "The Software Engineering track", "Mia Chen's reporting
    /// line".
    pub scope_label: String,
    pub started_by_name: Option<String>,
    /// Seconds since the Unix epoch.
    pub started_at: i64,
    /// Seconds since the Unix epoch; absent while the round runs.
    pub closed_at: Option<i64>,
    /// Running and past its due date.
    pub overdue: bool,
    /// Counts of the people the viewer may see.
    pub progress: RoundProgress,
}

impl RoundSummary {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

/// One person of a round.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CheckinRoundPerson)]
pub struct RoundPerson {
    pub id: i64,
    pub name: String,
    pub manager_name: Option<String>,
    pub state: RoundState,
    /// The check-in that counts for the round, if any.
    pub checkin_id: Option<i64>,
    /// Where to act: the check-in, or the person's check-ins to start one.
    pub href: String,
}

/// A round with its progress and the people the viewer may see.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CheckinRound)]
pub struct Round {
    #[serde(flatten)]
    pub summary: RoundSummary,
    /// In name order, only those at the state asked for when filtered; at most [`PEOPLE_SHOWN`].
    pub people: Vec<RoundPerson>,
    /// More people match than `people` lists.
    pub truncated: bool,
    /// The viewer may close the round.
    pub may_close: bool,
}

/// What a round asks, as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = CheckinRoundInput)]
pub struct RoundInput {
    pub name: String,
    /// `YYYY-MM-DD`, today or later.
    pub due_on: String,
    /// `everyone`, `track` (with `track`) or `line` (with `manager`).
    pub scope: String,
    /// The track's key, for the scope `track`.
    #[serde(default)]
    pub track: Option<String>,
    /// The manager's id, for the scope `line`: everyone below them.
    #[serde(default)]
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

/// A round that asks the viewer for their own check-in, for their home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = MyCheckinRound)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ReportsCheckinRound)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = CheckinRoundAsks)]
pub struct RoundAsks {
    /// Soonest due first.
    pub mine: Vec<MyRound>,
    /// Soonest due first.
    pub reports: Vec<ReportsRound>,
}

fn hidden_round() -> AppError {
    AppError::not_found("this check-in round")
}

/// The people below the manager bound as `$n`.
fn chain_sql(n: usize) -> String {
    crate::db::chain::below(&format!("${n}"))
}

/// The check-in that counts for the person `rp.person_id` in the round `r` (see the module). For a
/// closed round, only check-ins started before it closed count, and one agreed, cancelled or
/// carried further after it closed counts as it stood then.
const ROUND_CHECKIN: &str = "LEFT JOIN checkins c ON c.id = COALESCE( \
     (SELECT c2.id FROM checkins c2 WHERE c2.person_id = rp.person_id AND c2.status = 'agreed' \
       AND c2.agreed_at >= r.created_at AND (r.closed_at IS NULL OR c2.agreed_at <= r.closed_at) \
      ORDER BY c2.id DESC LIMIT 1), \
     (SELECT c2.id FROM checkins c2 WHERE c2.person_id = rp.person_id \
       AND (c2.status IN ('open', 'review') AND (r.closed_at IS NULL OR c2.created_at <= r.closed_at) \
        OR r.closed_at IS NOT NULL AND c2.created_at <= r.closed_at \
         AND (c2.status = 'agreed' AND c2.agreed_at > r.closed_at \
          OR c2.status = 'cancelled' AND c2.cancelled_at > r.closed_at)) \
      ORDER BY c2.id DESC LIMIT 1))";

/// The state of the person, from their round check-in `c`: for a closed round, as it was when the
/// round closed.
const STATE_SQL: &str = "CASE WHEN c.id IS NULL THEN 'not_started' \
     WHEN c.status = 'agreed' AND (r.closed_at IS NULL OR c.agreed_at <= r.closed_at) THEN 'agreed' \
     WHEN c.manager_shared_at IS NOT NULL \
       AND (r.closed_at IS NULL OR c.manager_shared_at <= r.closed_at) THEN 'manager_done' \
     WHEN c.self_shared_at IS NOT NULL \
       AND (r.closed_at IS NULL OR c.self_shared_at <= r.closed_at) THEN 'self_done' \
     ELSE 'started' END";

/// Whether the actor manages anyone.
async fn manages_people(db: &Db, actor: &Actor) -> AppResult<bool> {
    let Some(me) = actor.user_id else {
        return Ok(false);
    };
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE manager_id = $1 AND active = 1 LIMIT 1")
            .bind(me)
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

/// The actor follows rounds: admins, and managers for their line. Others are refused.
async fn follower(state: &AppState, actor: &Actor) -> AppResult<()> {
    let manages = manages_people(state.db(), actor).await?;
    policy::follow_checkin_rounds(actor, manages)?;
    pilot::require_grow(state.db(), actor).await
}

/// The viewer sees everyone of every round (admins and organisation tokens), or only those below
/// them (`Some(me)`).
fn limited_to(actor: &Actor) -> Option<i64> {
    if policy::see_whole_organisation(actor) {
        None
    } else {
        actor.user_id
    }
}

/// The rounds the actor may see, running ones first, then the newest; each with the counts of the
/// people the actor may see.
pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<RoundSummary>> {
    follower(state, actor).await?;
    let limit = limited_to(actor);
    let db = state.db();
    let counts = counts(db, None, limit).await?;
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let rows = sqlx::query(&format!("{SUMMARY_SQL} ORDER BY r.id DESC"))
        .fetch_all(db.pool())
        .await?;
    let today = Day::today().to_string();
    let mut rounds = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let started_by: Option<i64> = r.try_get("started_by")?;
        let progress = counts.get(&id).copied();
        // A manager sees the rounds covering someone below them, and those they started.
        if limit.is_some() && progress.is_none() && (started_by.is_none() || started_by != limit) {
            continue;
        }
        rounds.push(summary(r, fw, &today, progress.unwrap_or_default())?);
    }
    rounds.sort_by_key(|r| !r.is_open());
    Ok(rounds)
}

const SUMMARY_SQL: &str = "SELECT r.id, r.name, r.due_on, r.scope, r.track_key, r.manager_id, \
     m.name AS manager_name, r.started_by, s.name AS started_by_name, r.created_at, r.closed_at \
     FROM checkin_rounds r LEFT JOIN users m ON m.id = r.manager_id \
     LEFT JOIN users s ON s.id = r.started_by";

fn summary(
    r: &sqlx::any::AnyRow,
    fw: Option<&trellis_framework::Framework>,
    today: &str,
    progress: RoundProgress,
) -> AppResult<RoundSummary> {
    let scope: String = r.try_get("scope")?;
    let track: Option<String> = r.try_get("track_key")?;
    let manager_name: Option<String> = r.try_get("manager_name")?;
    let scope_label = match scope.as_str() {
        "track" => {
            let key = track.clone().unwrap_or_default();
            let name = fw
                .and_then(|f| f.track(&key))
                .map_or(key, |t| t.name.clone());
            format!("The {name} track")
        }
        "line" => format!(
            "{}'s reporting line",
            manager_name.unwrap_or_else(|| "A former manager".to_owned())
        ),
        _ => "Everyone".to_owned(),
    };
    let due_on: String = r.try_get("due_on")?;
    let closed_at: Option<i64> = r.try_get("closed_at")?;
    Ok(RoundSummary {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        overdue: closed_at.is_none() && due_on.as_str() < today,
        due_on,
        scope,
        track,
        manager_id: r.try_get("manager_id")?,
        scope_label,
        started_by_name: r.try_get("started_by_name")?,
        started_at: r.try_get("created_at")?,
        closed_at,
        progress,
    })
}

/// The counts per round (or of one round), of everyone or of those below `limit`.
async fn counts(
    db: &Db,
    round: Option<i64>,
    limit: Option<i64>,
) -> AppResult<std::collections::HashMap<i64, RoundProgress>> {
    let mut conditions = Vec::new();
    let mut binds = Vec::new();
    if let Some(id) = round {
        binds.push(id);
        conditions.push(format!("rp.round_id = ${}", binds.len()));
    }
    if let Some(me) = limit {
        binds.push(me);
        conditions.push(format!("rp.person_id IN {}", chain_sql(binds.len())));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT round_id, state, COUNT(*) AS n FROM (SELECT rp.round_id, {STATE_SQL} AS state \
         FROM checkin_round_people rp JOIN checkin_rounds r ON r.id = rp.round_id {ROUND_CHECKIN} \
         {filter}) x GROUP BY round_id, state"
    );
    let mut query = sqlx::query(&sql);
    for b in binds {
        query = query.bind(b);
    }
    let mut found: std::collections::HashMap<i64, RoundProgress> = Default::default();
    for r in query.fetch_all(db.pool()).await? {
        let state: String = r.try_get("state")?;
        let n: i64 = r.try_get("n")?;
        if let Some(state) = RoundState::parse(&state) {
            found
                .entry(r.try_get("round_id")?)
                .or_default()
                .add(state, n);
        }
    }
    Ok(found)
}

/// A round with its people (those at `only`, when given); 404 for a round the actor may not see.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    id: i64,
    only: Option<RoundState>,
) -> AppResult<Round> {
    policy::use_checkins(actor)?;
    let manages = manages_people(state.db(), actor).await?;
    if policy::follow_checkin_rounds(actor, manages).is_err() {
        return Err(hidden_round());
    }
    pilot::require_grow(state.db(), actor).await?;
    let db = state.db();
    let limit = limited_to(actor);
    let row = sqlx::query(&format!("{SUMMARY_SQL} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(hidden_round)?;
    let started_by: Option<i64> = row.try_get("started_by")?;
    let progress = counts(db, Some(id), limit).await?.remove(&id);
    if limit.is_some() && progress.is_none() && (started_by.is_none() || started_by != limit) {
        return Err(hidden_round());
    }
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let summary = summary(
        &row,
        fw,
        &Day::today().to_string(),
        progress.unwrap_or_default(),
    )?;
    let limit_sql = match limit {
        Some(_) => format!("AND rp.person_id IN {}", chain_sql(2)),
        None => String::new(),
    };
    // The state asked for is bound after the round and the viewer.
    let only_sql = match only {
        Some(_) => format!("AND {STATE_SQL} = ${}", if limit.is_some() { 3 } else { 2 }),
        None => String::new(),
    };
    let sql = format!(
        "SELECT u.id, u.name, m.name AS manager_name, c.id AS checkin_id, {STATE_SQL} AS state \
         FROM checkin_round_people rp JOIN checkin_rounds r ON r.id = rp.round_id \
         JOIN users u ON u.id = rp.person_id LEFT JOIN users m ON m.id = u.manager_id \
         {ROUND_CHECKIN} WHERE rp.round_id = $1 {limit_sql} {only_sql} \
         ORDER BY u.name_key, u.id LIMIT {}",
        PEOPLE_SHOWN + 1
    );
    let mut query = sqlx::query(&sql).bind(id);
    if let Some(me) = limit {
        query = query.bind(me);
    }
    if let Some(s) = only {
        query = query.bind(s.as_str());
    }
    let rows = query.fetch_all(db.pool()).await?;
    let truncated = rows.len() > PEOPLE_SHOWN;
    let people = rows
        .iter()
        .take(PEOPLE_SHOWN)
        .map(|r| {
            let person: i64 = r.try_get("id")?;
            let checkin_id: Option<i64> = r.try_get("checkin_id")?;
            let state: String = r.try_get("state")?;
            Ok(RoundPerson {
                id: person,
                name: r.try_get("name")?,
                manager_name: r.try_get("manager_name")?,
                state: RoundState::parse(&state).unwrap_or(RoundState::NotStarted),
                href: checkin_id.map_or_else(
                    || format!("/people/{person}/checkins"),
                    |c| format!("/checkins/{c}"),
                ),
                checkin_id,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Round {
        may_close: summary.is_open() && policy::close_checkin_round(actor, started_by).is_ok(),
        summary,
        people,
        truncated,
    })
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
        sqlx::query(
            "SELECT u.id, u.name FROM users u WHERE u.active = 1 AND EXISTS \
             (SELECT 1 FROM users r WHERE r.manager_id = u.id AND r.active = 1) \
             ORDER BY u.name_key, u.id",
        )
        .fetch_all(db.pool())
        .await?
    } else {
        sqlx::query("SELECT id, name FROM users WHERE id = $1")
            .bind(actor.user_id)
            .fetch_all(db.pool())
            .await?
    };
    Ok(StartChoices {
        whole_organisation,
        tracks,
        managers: managers
            .iter()
            .map(|r| {
                Ok(ManagerChoice {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                })
            })
            .collect::<AppResult<_>>()?,
    })
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

/// The input's name, due day and scope, or every reason it is refused.
fn check(
    input: &RoundInput,
    fw: Option<&trellis_framework::Framework>,
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
    let scope = match input.scope.trim() {
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
    };
    match (due, scope) {
        (Some(due), Some(scope)) if errors.is_empty() => Ok((name, due, scope)),
        _ => Err(errors),
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
    let mut who =
        String::from("u.active = 1 AND u.track_key IS NOT NULL AND u.level_key IS NOT NULL");
    if pilot {
        who.push_str(&format!(" AND {}", pilot::in_pilot_sql("u")));
    }
    match &scope {
        Scope::Everyone => {}
        Scope::Track(_) => who.push_str(" AND u.track_key = $2"),
        Scope::Line(_) => who.push_str(&format!(" AND u.id IN {}", chain_sql(2))),
    }
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
    let insert = format!(
        "INSERT INTO checkin_round_people (round_id, person_id) SELECT $1, u.id FROM users u \
         WHERE {who}"
    );
    let mut query = sqlx::query(&insert).bind(id);
    match &scope {
        Scope::Everyone => {}
        Scope::Track(t) => query = query.bind(t.clone()),
        Scope::Line(m) => query = query.bind(*m),
    }
    let covered = query.execute(&mut **work.tx()).await?.rows_affected();
    if covered == 0 {
        drop(work);
        let (field_name, message) = match &scope {
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
                    manager_name.as_deref().unwrap_or("this manager")
                ),
            ),
        };
        return Err(AppError::invalid_field(field_name, message));
    }
    let scope_words = match &scope {
        Scope::Everyone => "everyone".to_owned(),
        Scope::Track(t) => {
            let name = fw
                .and_then(|f| f.track(t))
                .map_or_else(|| t.clone(), |t| t.name.clone());
            format!("the {name} track")
        }
        Scope::Line(_) => format!(
            "{}'s reporting line",
            manager_name.as_deref().unwrap_or_default()
        ),
    };
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

/// What running rounds ask of the person `me`: their own check-in, and their direct reports'.
/// Two queries, whatever the number of rounds and reports. No policy check: it is the person's
/// own home.
pub async fn asks_for(db: &Db, me: i64) -> AppResult<RoundAsks> {
    let today = Day::today().to_string();
    let mine = sqlx::query(&format!(
        "SELECT r.id, r.name, r.due_on, c.id AS checkin_id, {STATE_SQL} AS state \
         FROM checkin_round_people rp JOIN checkin_rounds r ON r.id = rp.round_id {ROUND_CHECKIN} \
         WHERE rp.person_id = $1 AND r.closed_at IS NULL ORDER BY r.due_on, r.id"
    ))
    .bind(me)
    .fetch_all(db.pool())
    .await?;
    let reports = sqlx::query(&format!(
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
    for r in &mine {
        let due_on: String = r.try_get("due_on")?;
        let state: String = r.try_get("state")?;
        asks.mine.push(MyRound {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            overdue: due_on.as_str() < today.as_str(),
            due_on,
            state: RoundState::parse(&state).unwrap_or(RoundState::NotStarted),
            checkin_id: r.try_get("checkin_id")?,
        });
    }
    for r in &reports {
        let id: i64 = r.try_get("id")?;
        let state: String = r.try_get("state")?;
        let waits = RoundState::parse(&state).is_none_or(RoundState::waits_for_manager);
        if asks.reports.last().is_none_or(|last| last.id != id) {
            let due_on: String = r.try_get("due_on")?;
            asks.reports.push(ReportsRound {
                id,
                name: r.try_get("name")?,
                overdue: due_on.as_str() < today.as_str(),
                due_on,
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

/// The SQL of the running round, soonest due, that asks the person `u` for a check-in they have
/// not started: its id, name and due day as `round_id`, `round_name`, `round_due`, for the team
/// view's query (joined as `rr`).
pub const PENDING_ROUND_JOIN: &str = "LEFT JOIN checkin_rounds rr ON rr.id = (SELECT r.id \
     FROM checkin_round_people rp JOIN checkin_rounds r ON r.id = rp.round_id \
     WHERE rp.person_id = u.id AND r.closed_at IS NULL AND NOT EXISTS (SELECT 1 FROM checkins c \
        WHERE c.person_id = u.id AND (c.status IN ('open', 'review') \
        OR (c.status = 'agreed' AND c.agreed_at >= r.created_at))) \
     ORDER BY r.due_on, r.id LIMIT 1)";

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

    #[test]
    fn the_manager_waits_until_their_rating_is_shared() {
        assert!(RoundState::NotStarted.waits_for_manager());
        assert!(RoundState::SelfDone.waits_for_manager());
        assert!(!RoundState::ManagerDone.waits_for_manager());
        assert!(!RoundState::Agreed.waits_for_manager());
        for s in RoundState::ALL {
            assert_eq!(RoundState::parse(s.as_str()), Some(s));
        }
    }
}
