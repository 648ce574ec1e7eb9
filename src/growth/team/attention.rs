//! What a report needs from their manager: the one definition, a pure function of the report's
//! state.

use super::CHECKIN_OVERDUE_DAYS;
use crate::domain::Day;

/// Why a report needs their manager's attention. The one definition, used by the team view (its
/// flags and the counts that filter it) and by the manager's home (what needs their action).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

impl AttentionKind {
    pub const ALL: [AttentionKind; 5] = [
        AttentionKind::RateCheckin,
        AttentionKind::AgreeCheckin,
        AttentionKind::RoundCheckin,
        AttentionKind::CheckinOverdue,
        AttentionKind::PlanMissing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttentionKind::RateCheckin => "rate_checkin",
            AttentionKind::AgreeCheckin => "agree_checkin",
            AttentionKind::CheckinOverdue => "checkin_overdue",
            AttentionKind::PlanMissing => "plan_missing",
            AttentionKind::RoundCheckin => "round_checkin",
        }
    }

    pub fn parse(raw: &str) -> Option<AttentionKind> {
        AttentionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
    }

    /// The flag's title.
    pub fn title(self) -> &'static str {
        match self {
            AttentionKind::RateCheckin => "Check-in to rate",
            AttentionKind::AgreeCheckin => "Ratings to agree",
            AttentionKind::CheckinOverdue => "Check-in overdue",
            AttentionKind::PlanMissing => "Plan missing",
            AttentionKind::RoundCheckin => "Check-in round",
        }
    }

    /// How many people have this flag, in words: "2 with a check-in overdue".
    pub fn count_words(self, n: usize) -> String {
        let what = match self {
            AttentionKind::RateCheckin => "with a check-in waiting for the manager's ratings",
            AttentionKind::AgreeCheckin => "with ratings waiting for the manager to agree them",
            AttentionKind::CheckinOverdue => "with a check-in overdue",
            AttentionKind::PlanMissing => "without a plan",
            AttentionKind::RoundCheckin => "who have not started the check-in a round asks for",
        };
        format!("{n} {what}")
    }
}

/// One reason a report needs attention: a titled sentence and where to act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attention {
    pub kind: AttentionKind,
    /// The flag's title, "Check-in overdue".
    pub title: String,
    /// What to do, as a sentence.
    pub text: String,
    /// Where to do it.
    pub href: String,
    /// The viewer is the one to act (they rate and agree the report's check-ins).
    pub yours: bool,
}

/// A check-in of the report not agreed yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenCheckin {
    pub id: i64,
    /// Both sides shared their ratings; the check-in waits for both to agree them.
    pub in_review: bool,
    /// The manager's side has done its part of the current step (shared, or agreed in review).
    pub manager_done: bool,
}

/// A running check-in round that asks the report for a check-in they have not started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingRound<'a> {
    pub id: i64,
    pub name: &'a str,
    /// `YYYY-MM-DD`.
    pub due_on: &'a str,
}

/// What the definition of "needs attention" reads of a report.
#[derive(Debug, Clone, Copy)]
pub struct ReportState<'a> {
    pub id: i64,
    pub name: &'a str,
    /// The viewer is the one who rates and agrees the report's check-ins as their manager.
    pub viewer_rates: bool,
    /// Their latest check-in not agreed yet.
    pub open_checkin: Option<OpenCheckin>,
    /// The day their latest check-in was agreed, `YYYY-MM-DD`.
    pub last_agreed_on: Option<&'a str>,
    pub active_goals: i64,
    /// The soonest due running round that waits for their check-in to start.
    pub pending_round: Option<PendingRound<'a>>,
    pub today: Day,
}

/// Everything that needs the manager's attention about a report, most urgent first: a check-in
/// waiting for the manager's ratings or agreement, a check-in overdue, a plan missing. A pure
/// function of the report's state.
pub fn needs_attention(r: &ReportState) -> Vec<Attention> {
    [
        checkin_waits(r),
        round_waits(r),
        checkin_overdue(r),
        plan_missing(r),
    ]
    .into_iter()
    .flatten()
    .collect()
}

impl ReportState<'_> {
    /// A reason of this report, theirs to act on when the viewer rates the report's check-ins.
    fn reason(&self, kind: AttentionKind, text: String, href: String) -> Attention {
        Attention {
            kind,
            title: kind.title().to_owned(),
            text,
            href,
            yours: self.viewer_rates,
        }
    }
}

/// A check-in waiting for the manager's ratings, or for the manager to agree them.
fn checkin_waits(r: &ReportState) -> Option<Attention> {
    let c = r.open_checkin.filter(|c| !c.manager_done)?;
    let href = format!("/checkins/{}", c.id);
    let name = r.name;
    Some(match (c.in_review, r.viewer_rates) {
        (false, true) => r.reason(
            AttentionKind::RateCheckin,
            format!("Rate {name} in their check-in, then share it"),
            href,
        ),
        (false, false) => r.reason(
            AttentionKind::RateCheckin,
            format!("{name}'s check-in waits for their manager's ratings"),
            href,
        ),
        (true, true) => r.reason(
            AttentionKind::AgreeCheckin,
            format!("Compare the ratings of {name}'s check-in and agree them"),
            href,
        ),
        (true, false) => r.reason(
            AttentionKind::AgreeCheckin,
            format!("{name}'s check-in waits for their manager to agree the ratings"),
            href,
        ),
    })
}

/// A running round that asks for a check-in the report has not started.
fn round_waits(r: &ReportState) -> Option<Attention> {
    let (Some(round), None) = (r.pending_round, r.open_checkin) else {
        return None;
    };
    let late = if round.due_on < r.today.to_string().as_str() {
        "was due"
    } else {
        "is due"
    };
    let text = if r.viewer_rates {
        format!(
            "{}'s check-in for the round “{}” {late} by {} and is not started: start it with them",
            r.name, round.name, round.due_on
        )
    } else {
        format!(
            "{} has not started the check-in the round “{}” asks for by {}",
            r.name, round.name, round.due_on
        )
    };
    Some(r.reason(
        AttentionKind::RoundCheckin,
        text,
        format!("/people/{}/checkins", r.id),
    ))
}

/// No check-in agreed in the last [`CHECKIN_OVERDUE_DAYS`] days.
fn checkin_overdue(r: &ReportState) -> Option<Attention> {
    let overdue_before = r.today.plus_days(-CHECKIN_OVERDUE_DAYS).to_string();
    if r.last_agreed_on
        .is_some_and(|d| d >= overdue_before.as_str())
    {
        return None;
    }
    let (text, href) = match r.open_checkin {
        Some(c) => (
            format!(
                "{} has agreed no check-in in the last {CHECKIN_OVERDUE_DAYS} days: finish the one in progress",
                r.name
            ),
            format!("/checkins/{}", c.id),
        ),
        None => (
            format!(
                "{} has agreed no check-in in the last {CHECKIN_OVERDUE_DAYS} days: start one",
                r.name
            ),
            format!("/people/{}/checkins", r.id),
        ),
    };
    Some(r.reason(AttentionKind::CheckinOverdue, text, href))
}

/// No goal in progress or not started.
fn plan_missing(r: &ReportState) -> Option<Attention> {
    (r.active_goals == 0).then(|| {
        r.reason(
            AttentionKind::PlanMissing,
            format!(
                "{} has no goal in progress: add one to their development plan",
                r.name
            ),
            format!("/people/{}/plan", r.id),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overdue_line_is_ninety_days_back() {
        let day = Day::parse("2026-03-31").expect("a day");
        assert_eq!(
            day.plus_days(-CHECKIN_OVERDUE_DAYS).to_string(),
            "2025-12-31"
        );
    }

    fn state(open: Option<OpenCheckin>, agreed: Option<&str>, goals: i64) -> ReportState<'_> {
        ReportState {
            id: 7,
            name: "Ola",
            viewer_rates: true,
            open_checkin: open,
            last_agreed_on: agreed,
            active_goals: goals,
            pending_round: None,
            today: Day::parse("2026-03-31").expect("a day"),
        }
    }

    fn kinds(found: &[Attention]) -> Vec<AttentionKind> {
        found.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn a_checkin_waiting_for_the_managers_ratings_needs_attention() {
        let open = OpenCheckin {
            id: 3,
            in_review: false,
            manager_done: false,
        };
        let found = needs_attention(&state(Some(open), Some("2026-03-01"), 1));
        assert_eq!(kinds(&found), [AttentionKind::RateCheckin]);
        assert_eq!(found[0].title, "Check-in to rate");
        assert_eq!(found[0].text, "Rate Ola in their check-in, then share it");
        assert_eq!(found[0].href, "/checkins/3");
        assert!(found[0].yours);
        // Once the manager shared, it waits for the report, not the manager.
        let shared = OpenCheckin {
            manager_done: true,
            ..open
        };
        assert!(needs_attention(&state(Some(shared), Some("2026-03-01"), 1)).is_empty());
        // In review, the manager agrees.
        let review = OpenCheckin {
            in_review: true,
            ..open
        };
        let found = needs_attention(&state(Some(review), Some("2026-03-01"), 1));
        assert_eq!(kinds(&found), [AttentionKind::AgreeCheckin]);
        // Seen by someone above the manager, the sentence says who acts.
        let mut above = state(Some(open), Some("2026-03-01"), 1);
        above.viewer_rates = false;
        let found = needs_attention(&above);
        assert_eq!(
            found[0].text,
            "Ola's check-in waits for their manager's ratings"
        );
        assert!(!found[0].yours);
    }

    #[test]
    fn an_old_checkin_and_an_empty_plan_need_attention_with_where_to_act() {
        let found = needs_attention(&state(None, Some("2025-12-30"), 0));
        assert_eq!(
            kinds(&found),
            [AttentionKind::CheckinOverdue, AttentionKind::PlanMissing]
        );
        assert_eq!(found[0].href, "/people/7/checkins");
        assert_eq!(found[1].href, "/people/7/plan");
        assert!(found[1].text.starts_with("Ola has no goal in progress"));
        assert!(needs_attention(&state(None, Some("2025-12-31"), 2)).is_empty());
        assert_eq!(
            kinds(&needs_attention(&state(None, None, 2))),
            [AttentionKind::CheckinOverdue]
        );
    }

    #[test]
    fn a_round_waiting_for_a_check_in_not_started_needs_attention() {
        let round = PendingRound {
            id: 2,
            name: "Spring",
            due_on: "2026-03-15",
        };
        let mut s = state(None, Some("2026-03-01"), 1);
        s.pending_round = Some(round);
        let found = needs_attention(&s);
        assert_eq!(kinds(&found), [AttentionKind::RoundCheckin]);
        assert_eq!(
            found[0].text,
            "Ola's check-in for the round “Spring” was due by 2026-03-15 and is not started: start it with them"
        );
        assert_eq!(found[0].href, "/people/7/checkins");
        // Once a check-in is in progress, the check-in itself says what waits.
        let open = OpenCheckin {
            id: 3,
            in_review: false,
            manager_done: true,
        };
        s.open_checkin = Some(open);
        assert!(needs_attention(&s).is_empty());
    }

    #[test]
    fn every_reason_reads_back_from_its_key() {
        for k in AttentionKind::ALL {
            assert_eq!(AttentionKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(AttentionKind::parse("nonsense"), None);
        assert_eq!(
            AttentionKind::PlanMissing.count_words(2),
            "2 without a plan"
        );
    }
}
