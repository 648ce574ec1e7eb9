//! What needs the person's action, with where to do it.

use super::soonest_first;
use crate::error::AppResult;
use crate::growth::team::{AttentionKind, TeamMember};
use crate::state::AppState;

/// What kind of thing waits for the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// A check-in waits for their ratings (of themselves, or of a report).
    RateCheckin,
    /// A check-in in review waits for their agreement.
    AgreeCheckin,
    /// An open action item of a 1:1, theirs to do.
    ActionItem,
    /// One of their goals is past its due date.
    OverdueGoal,
    /// A colleague asked them to confirm a piece of evidence.
    ConfirmEvidence,
    /// A pulse survey they have not answered.
    Survey,
    /// A nomination waits for their decision (admins).
    DecideNomination,
    /// A running check-in round asks for their check-in, not started yet.
    CheckinRound,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::RateCheckin => "rate_checkin",
            ActionKind::AgreeCheckin => "agree_checkin",
            ActionKind::ActionItem => "action_item",
            ActionKind::OverdueGoal => "overdue_goal",
            ActionKind::ConfirmEvidence => "confirm_evidence",
            ActionKind::Survey => "survey",
            ActionKind::DecideNomination => "decide_nomination",
            ActionKind::CheckinRound => "checkin_round",
        }
    }
}

/// One thing that needs the person's action, with where to do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionNeeded {
    pub kind: ActionKind,
    pub text: String,
    pub href: String,
    /// `YYYY-MM-DD`, when it has a due date.
    pub due_on: Option<String>,
}

/// What waits for the person, in one query: their own unfinished check-ins to rate or agree, open
/// 1:1 action items they own, and evidence colleagues asked them to confirm; with `reports`, what
/// their direct reports' check-ins wait for from them, as `team::needs_attention` defines it. Check-ins first, then
/// action items soonest due first, then requests to confirm, oldest first.
pub(super) async fn waiting_actions(
    state: &AppState,
    me: i64,
    reports: &[TeamMember],
) -> AppResult<Vec<ActionNeeded>> {
    let rows = sqlx::query_as::<_, WaitingRow>(
        "SELECT CASE WHEN c.status = 'open' THEN 'rate_self' ELSE 'agree_self' END AS kind, \
         c.id AS target, '' AS title, NULL AS due_on, c.id AS sort, p.name AS other \
         FROM checkins c JOIN users p ON p.id = c.person_id \
         WHERE c.person_id = $1 AND ((c.status = 'open' AND c.self_shared_at IS NULL) \
           OR (c.status = 'review' AND c.self_confirmed_at IS NULL)) \
         UNION ALL \
         SELECT 'item' AS kind, a.meeting_id AS target, a.title, a.due_on, a.id AS sort, \
         CASE WHEN s.manager_id = $1 THEN r.name ELSE m.name END AS other \
         FROM action_items a JOIN one_on_one_series s ON s.id = a.series_id \
         JOIN users m ON m.id = s.manager_id JOIN users r ON r.id = s.report_id \
         WHERE a.owner_id = $1 AND a.done_at IS NULL AND r.manager_id = s.manager_id \
         UNION ALL \
         SELECT 'evidence' AS kind, e.id AS target, e.title, NULL AS due_on, q.asked_at AS sort, \
         u.name AS other \
         FROM evidence_requests q JOIN evidence e ON e.id = q.evidence_id \
         JOIN users u ON u.id = e.person_id WHERE q.user_id = $1 AND q.status = 'pending'",
    )
    .bind(me)
    .fetch_all(state.db().pool())
    .await?;
    let mut found: Vec<(i32, i64, ActionNeeded)> =
        rows.into_iter().map(WaitingRow::into_ranked).collect();
    for m in reports {
        for a in m.attention.iter().filter(|a| a.yours) {
            let kind = match a.kind {
                AttentionKind::RateCheckin => ActionKind::RateCheckin,
                AttentionKind::AgreeCheckin => ActionKind::AgreeCheckin,
                _ => continue,
            };
            found.push((
                0,
                m.open_checkin_id.unwrap_or_default(),
                ActionNeeded {
                    kind,
                    text: a.text.clone(),
                    href: a.href.clone(),
                    due_on: None,
                },
            ));
        }
    }
    found.sort_by(|(ra, sa, a), (rb, sb, b)| {
        ra.cmp(rb)
            .then_with(|| soonest_first(&a.due_on, &b.due_on))
            .then_with(|| sa.cmp(sb))
    });
    Ok(found.into_iter().map(|(_, _, a)| a).collect())
}

/// A row of [`waiting_actions`]' query: `kind` says which of its parts it comes from, `target`
/// what to open, `sort` the order within its kind.
#[derive(sqlx::FromRow)]
struct WaitingRow {
    kind: String,
    target: i64,
    title: String,
    due_on: Option<String>,
    sort: i64,
    other: String,
}

impl WaitingRow {
    /// The action, with its rank (check-ins, then action items, then requests to confirm) and
    /// its order within the rank.
    fn into_ranked(self) -> (i32, i64, ActionNeeded) {
        let WaitingRow {
            kind,
            target,
            title,
            due_on,
            sort,
            other,
        } = self;
        let (rank, action) = match kind.as_str() {
            "rate_self" => (
                0,
                checkin_action(
                    ActionKind::RateCheckin,
                    target,
                    "Rate yourself in your check-in, then share it".to_owned(),
                ),
            ),
            "agree_self" => (
                0,
                checkin_action(
                    ActionKind::AgreeCheckin,
                    target,
                    "Compare the ratings of your check-in and agree them".to_owned(),
                ),
            ),
            "item" => (
                1,
                ActionNeeded {
                    kind: ActionKind::ActionItem,
                    text: format!("“{title}”, from your 1:1 with {other}"),
                    href: format!("/one-on-ones/meetings/{target}"),
                    due_on,
                },
            ),
            _ => (
                2,
                ActionNeeded {
                    kind: ActionKind::ConfirmEvidence,
                    text: format!("{other} asked you to confirm “{title}”"),
                    href: format!("/evidence/{target}"),
                    due_on: None,
                },
            ),
        };
        (rank, sort, action)
    }
}

fn checkin_action(kind: ActionKind, id: i64, text: String) -> ActionNeeded {
    ActionNeeded {
        kind,
        text,
        href: format!("/checkins/{id}"),
        due_on: None,
    }
}
