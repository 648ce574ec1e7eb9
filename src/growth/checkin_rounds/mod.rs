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

use crate::auth::Actor;
use crate::auth::policy;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::rollout::pilot;
use crate::state::AppState;

mod asks;
mod lifecycle;
mod reading;

pub use asks::{MyRound, ReportsRound, RoundAsks, asks_for};
pub use lifecycle::{ManagerChoice, RoundInput, StartChoices, close, create, start_choices};
pub use reading::{Round, RoundPerson, RoundSummary, get, list};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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
