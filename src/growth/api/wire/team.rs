//! The JSON of the team view: a manager's team, each person at a glance with what needs the
//! manager's attention, and the heat map of their latest agreed ratings.

use serde::Serialize;
use utoipa::ToSchema;

use crate::growth::team as service;

/// Why a report needs their manager's attention. The one definition, used by the team view (its
/// flags and the counts that filter it) and by the manager's home (what needs their action).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttentionKind {
    /// Their check-in waits for the manager's ratings.
    RateCheckin,
    /// Both sides shared their ratings: the check-in waits for the manager to agree them.
    AgreeCheckin,
    /// No check-in agreed in the last [`CHECKIN_OVERDUE_DAYS`] days.
    CheckinOverdue,
    /// No goal in progress or not started.
    PlanMissing,
    /// A running check-in round asks for their check-in, and none is started.
    RoundCheckin,
}

impl From<service::AttentionKind> for AttentionKind {
    fn from(kind: service::AttentionKind) -> Self {
        match kind {
            service::AttentionKind::RateCheckin => AttentionKind::RateCheckin,
            service::AttentionKind::AgreeCheckin => AttentionKind::AgreeCheckin,
            service::AttentionKind::CheckinOverdue => AttentionKind::CheckinOverdue,
            service::AttentionKind::PlanMissing => AttentionKind::PlanMissing,
            service::AttentionKind::RoundCheckin => AttentionKind::RoundCheckin,
        }
    }
}
