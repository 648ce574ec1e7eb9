//! Promotion nominations: someone in a person's management chain proposes them for a new position
//! (a higher level of their track, or another track) with a written case, which shows the latest
//! agreed check-in and the person's evidence beside it. The People team approves or declines it
//! (with a note), or the nominator withdraws it. Approval records the position in the person's
//! history in the same transaction as the decision.
//!
//! Who sees what (see `policy::see_nomination`): the management chain, the nominator and admins see
//! every nomination; the nominee sees one only once it is approved, as their promotion. A pending
//! or declined case is a conversation between their managers and the People team.

use serde::Serialize;

use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::domain::{Day, PositionKind};
use crate::error::{AppError, AppResult, FieldError};
use crate::growth::one_on_ones::PersonRef;
use crate::people::directory;
use crate::state::AppState;

mod case;
mod decide;
mod draft;
mod nominate;
mod reading;

pub use case::{CheckinCase, CompetencyEvidence, RatedCompetency, case_says_nothing};
pub use decide::{DecisionInput, decide, withdraw};
pub use draft::{NominationDraft, draft};
pub use nominate::{NominationInput, nominate};
pub use reading::{Nomination, NominationList, NominationSummary, list, nomination, of_person};

/// The longest case or decision note, in characters.
pub const TEXT_MAX: usize = 20_000;
/// Nominations per list page.
pub const LIST_LIMIT: i64 = 200;

/// Where a nomination stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NominationStatus {
    /// Waiting for the People team.
    Pending,
    /// Approved: the position is recorded.
    Approved,
    Declined,
    /// Taken back by the nominator before a decision.
    Withdrawn,
}

impl NominationStatus {
    pub const ALL: [NominationStatus; 4] = [
        NominationStatus::Pending,
        NominationStatus::Approved,
        NominationStatus::Declined,
        NominationStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NominationStatus::Pending => "pending",
            NominationStatus::Approved => "approved",
            NominationStatus::Declined => "declined",
            NominationStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<NominationStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }

    /// The words people read.
    pub fn label(self) -> &'static str {
        match self {
            NominationStatus::Pending => "Waiting for a decision",
            NominationStatus::Approved => "Approved",
            NominationStatus::Declined => "Declined",
            NominationStatus::Withdrawn => "Withdrawn",
        }
    }
}

/// What happened to a nomination, in the words every page shows it with: what was proposed and
/// where it stands. A nomination is never "Promoted": only a position recorded in someone's
/// history says that.
pub fn label(kind: PositionKind, status: NominationStatus) -> &'static str {
    let promotion = kind == PositionKind::Promotion;
    match (status, promotion) {
        (NominationStatus::Pending, true) => "Promotion proposed, waiting for a decision",
        (NominationStatus::Pending, false) => "Move proposed, waiting for a decision",
        (NominationStatus::Approved, true) => "Promotion approved",
        (NominationStatus::Approved, false) => "Move approved",
        (NominationStatus::Declined, true) => "Promotion declined",
        (NominationStatus::Declined, false) => "Move declined",
        (NominationStatus::Withdrawn, true) => "Promotion withdrawn",
        (NominationStatus::Withdrawn, false) => "Move withdrawn",
    }
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

fn invalid(errors: Vec<FieldError>) -> AppError {
    AppError::invalid_fields(errors, "the nomination is not valid")
}

fn optional_day(name: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Day> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    Day::parse(raw)
        .map_err(|m| errors.push(field(name, m)))
        .ok()
}

/// A person as a nomination reads them: their name, position and whether they are still at the
/// organisation.
#[derive(sqlx::FromRow)]
struct PersonRow {
    name: String,
    track_key: Option<String>,
    level_key: Option<String>,
    active: i64,
}

/// The person's name and current position; 404 for a person the actor may not see privately.
async fn visible_person(
    state: &AppState,
    actor: &Actor,
    person: i64,
) -> AppResult<(Relation, PersonRef, Option<(String, String)>, bool)> {
    let row = sqlx::query_as::<_, PersonRow>(
        "SELECT name, track_key, level_key, active FROM users WHERE id = $1",
    )
    .bind(person)
    .fetch_optional(state.db().pool())
    .await?
    .ok_or_else(|| AppError::not_found("this person"))?;
    let relation = directory::relation(state.db(), actor, person).await?;
    if !policy::see_private(actor, relation) {
        return Err(AppError::not_found("this person"));
    }
    Ok((
        relation,
        PersonRef {
            id: person,
            name: row.name,
        },
        row.track_key.zip(row.level_key),
        row.active == 1,
    ))
}
