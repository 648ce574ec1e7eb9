//! 1:1s: a series of meetings between a manager and one of their direct reports, started by
//! either of them with a cadence in days. Every series has exactly one upcoming meeting; it holds
//! a shared agenda (talking points both add, each linkable to one of the report's goals and to a
//! competency, ordered, marked discussed), shared notes, each participant's private notes and the
//! action items. Action items belong to the series: an item stays in every later meeting, "carried
//! over", until it is done. Completing the meeting marks it held and adds the next one, a cadence
//! later.
//!
//! Who sees what:
//! - the two participants read and write the shared content (agenda, shared notes, action items);
//! - the report's management chain above the manager, and admins, read the shared content and
//!   write nothing (403);
//! - everyone else gets a 404, exactly as for a series that does not exist;
//! - a private note is read by its author only: [`meeting`] fills [`Meeting::private_note`] from
//!   the one query in this module that reads `private_notes` bodies, bound to the viewer's own
//!   account. No export, list or audit event carries a private note's text.
//!
//! A meeting is a **growth 1:1** when one of its talking points links a goal or a competency
//! ([`GROWTH_TOPIC`]); [`growth_one_on_ones_since`] counts them for the KPI dashboard.

use serde::Serialize;

use crate::auth::Actor;
use crate::auth::policy;
use crate::domain::Day;
use crate::error::{AppError, AppResult, FieldError};
use crate::rollout::pilot;
use crate::state::AppState;

mod access;
mod action_items;
mod agenda;
mod completion;
mod kpi;
mod meetings;
mod next;
mod notes;
mod series;

pub use action_items::{ActionItem, ItemInput, action_item, add_action_item, set_item_done};
pub use agenda::{
    Direction, GoalLink, PointInput, TalkingPoint, add_talking_point, move_talking_point,
    remove_talking_point, set_discussed, talking_point,
};
pub use completion::{Completed, carry_over, complete_meeting, count_of};
pub use kpi::{GrowthOneOnOnes, growth_one_on_ones_since};
pub use meetings::{
    Meeting, MeetingPage, MeetingStatus, MeetingSummary, Series, meeting, reschedule, series,
};
pub use next::{NextMeeting, next_meeting, next_meetings_for_reports};
pub use notes::{PrivateNote, save_private_note, save_shared_notes};
pub use series::{
    Candidate, MyOneOnOnes, SeriesInfo, SeriesSummary, StartInput, Started, TeamSeriesPlan,
    TeamStarted, my_one_on_ones, start_series, start_team_series, team_series_plan,
};

/// The longest cadence, in days.
pub const CADENCE_MAX: i64 = 365;
/// The cadence of a series when none is given, in days.
pub const DEFAULT_CADENCE: i64 = 14;
/// The longest talking point, in characters.
pub const POINT_MAX: usize = 1_000;
/// The longest action item title, in characters.
pub const TITLE_MAX: usize = 200;
/// The longest notes, shared or private, in characters.
pub const TEXT_MAX: usize = 20_000;

/// The SQL condition that makes a meeting (aliased `m`) a growth 1:1: one of its talking points
/// links a goal or a competency. For queries of other areas that count growth 1:1s their own way
/// (by team, say); [`growth_one_on_ones_since`] uses it.
pub const GROWTH_TOPIC: &str = "EXISTS (SELECT 1 FROM talking_points t WHERE t.meeting_id = m.id \
     AND (t.goal_id IS NOT NULL OR t.competency_key IS NOT NULL))";

/// A participant's side of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Manager,
    Report,
}

/// Someone, by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRef {
    pub id: i64,
    pub name: String,
}

/// Every entry point starts here: SCIM tokens are refused, and people outside the pilot of the
/// Grow features too.
async fn gate(state: &AppState, actor: &Actor) -> AppResult<()> {
    policy::use_plans_and_one_on_ones(actor)?;
    pilot::require_grow(state.db(), actor).await
}

fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, message)
}

fn invalid(errors: Vec<FieldError>) -> AppError {
    AppError::invalid_fields(errors, "the 1:1 was not changed")
}

fn today() -> String {
    Day::today().to_string()
}
