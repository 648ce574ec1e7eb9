//! The life of a check-in as a state machine: its states, who may do what in which state, and
//! what sharing and agreeing need.
//!
//! A check-in is `open` while each side (the person, their management chain) rates in private and
//! shares, which locks that side; it moves to `review` when both have shared, where the agreed
//! ratings start as the manager's and either side may change them; it is `agreed` once both sides
//! confirmed the same agreed ratings (a change clears the other side's confirmation), and then
//! locked. An unfinished check-in can be `cancelled`.
//!
//! [`Progress`] is what these rules read of a check-in; each transition answers what it does, or
//! a [`Refusal`] in words. Who the actor is to the person (and so which [`Side`] they rate), and
//! whether the policy lets them take part or cancel, the server works out first.

use std::collections::BTreeMap;

use serde::Serialize;

/// Where a check-in stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckinStatus {
    /// Both sides rate; each shares when done.
    Open,
    /// Both sides shared: they compare and agree.
    Review,
    /// Both confirmed the agreed ratings; locked.
    Agreed,
    Cancelled,
}

impl CheckinStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckinStatus::Open => "open",
            CheckinStatus::Review => "review",
            CheckinStatus::Agreed => "agreed",
            CheckinStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<CheckinStatus> {
        match raw {
            "open" => Some(CheckinStatus::Open),
            "review" => Some(CheckinStatus::Review),
            "agreed" => Some(CheckinStatus::Agreed),
            "cancelled" => Some(CheckinStatus::Cancelled),
            _ => None,
        }
    }

    /// The words people read.
    pub fn label(self) -> &'static str {
        match self {
            CheckinStatus::Open => "Rating",
            CheckinStatus::Review => "In review",
            CheckinStatus::Agreed => "Agreed",
            CheckinStatus::Cancelled => "Cancelled",
        }
    }

    /// Not yet agreed or cancelled.
    pub fn is_unfinished(self) -> bool {
        matches!(self, CheckinStatus::Open | CheckinStatus::Review)
    }
}

/// The two sides of a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Side {
    /// The person rates themselves.
    #[serde(rename = "self")]
    Person,
    /// Someone in the person's management chain rates them.
    #[serde(rename = "manager")]
    Manager,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Person => "self",
            Side::Manager => "manager",
        }
    }

    pub fn other(self) -> Side {
        match self {
            Side::Person => Side::Manager,
            Side::Manager => Side::Person,
        }
    }

    /// What the side's ratings are called in sentences.
    pub fn ratings_name(self) -> &'static str {
        match self {
            Side::Person => "self-rating",
            Side::Manager => "manager's rating",
        }
    }
}

/// What the viewer may do with the check-in now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckinActions {
    /// Save draft ratings of their side.
    pub rate: bool,
    /// Share their side, which locks it.
    pub share: bool,
    /// Change an agreed rating.
    pub set_agreed: bool,
    /// Confirm the agreed ratings.
    pub confirm: bool,
    pub cancel: bool,
}

/// A check-in as its rules read it: its status, and which sides have shared and confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub status: CheckinStatus,
    pub self_shared: bool,
    pub manager_shared: bool,
    pub self_confirmed: bool,
    pub manager_confirmed: bool,
}

/// Why a transition is refused, in words for the person who tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The check-in's state does not allow it (now, or any more).
    State(String),
    /// Competencies still lack a rating; the message names them.
    Unrated(String),
}

impl Refusal {
    pub fn message(&self) -> &str {
        match self {
            Refusal::State(m) | Refusal::Unrated(m) => m,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

fn refuse(message: impl Into<String>) -> Refusal {
    Refusal::State(message.into())
}

/// What sharing a side does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shared {
    /// The side is shared and locked; the other side has not shared yet.
    Waiting,
    /// Both sides have shared: the check-in moves to the review, where the agreed ratings start
    /// as the manager's.
    ToReview,
}

/// What confirming the agreed ratings does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    /// The side had confirmed already: nothing changes.
    Already,
    /// The side's confirmation is recorded; the other side has not confirmed yet.
    Waiting,
    /// Both sides have confirmed: the check-in is agreed and locked.
    Agreed,
}

impl Progress {
    pub fn shared(&self, side: Side) -> bool {
        match side {
            Side::Person => self.self_shared,
            Side::Manager => self.manager_shared,
        }
    }

    pub fn confirmed(&self, side: Side) -> bool {
        match side {
            Side::Person => self.self_confirmed,
            Side::Manager => self.manager_confirmed,
        }
    }

    /// Both sides have shared: the ratings are visible to both.
    pub fn both_shared(&self) -> bool {
        self.self_shared && self.manager_shared
    }

    /// Whether someone who stands on `viewer`'s side (none: neither, as an admin outside the
    /// chain) sees the ratings of `of`: their own side always, the other side once both have
    /// shared. The person never sees the manager's draft, and the chain never sees the
    /// self-rating before it is shared, so that each stays independent.
    pub fn sees(&self, viewer: Option<Side>, of: Side) -> bool {
        self.both_shared() || viewer == Some(of)
    }

    /// The agreed ratings are seen from the review on, once both sides have shared.
    pub fn sees_agreed(&self) -> bool {
        self.both_shared()
    }

    /// What someone may do now: `viewer` is the side they stand on, `taking_part` whether the
    /// policy lets them rate and agree for it, `may_cancel` whether it lets them cancel.
    pub fn actions(
        &self,
        viewer: Option<Side>,
        taking_part: bool,
        may_cancel: bool,
    ) -> CheckinActions {
        let rating = self.status == CheckinStatus::Open
            && taking_part
            && viewer.is_some_and(|s| !self.shared(s));
        let reviewing = self.status == CheckinStatus::Review && taking_part;
        CheckinActions {
            rate: rating,
            share: rating,
            set_agreed: reviewing,
            confirm: reviewing && viewer.is_some_and(|s| !self.confirmed(s)),
            cancel: self.status.is_unfinished() && may_cancel,
        }
    }

    /// A side may save draft ratings while the check-in is open and it has not shared.
    pub fn rate(&self, side: Side) -> Result<(), Refusal> {
        match self.status {
            CheckinStatus::Open => {}
            CheckinStatus::Review => {
                return Err(refuse(
                    "both sides have shared: the ratings are locked; agree on the ratings in the review",
                ));
            }
            CheckinStatus::Agreed => return Err(refuse("the check-in is agreed and locked")),
            CheckinStatus::Cancelled => return Err(refuse("the check-in was cancelled")),
        }
        if self.shared(side) {
            return Err(refuse(format!(
                "the {} is shared and locked: it cannot change any more",
                side.ratings_name()
            )));
        }
        Ok(())
    }

    /// A side shares its ratings, which locks them, when it may still rate and has rated every
    /// competency it must (`unrated` lists those it has not, see [`unrated`]).
    pub fn share(&self, side: Side, unrated: &[String]) -> Result<Shared, Refusal> {
        self.rate(side)?;
        if !unrated.is_empty() {
            return Err(Refusal::Unrated(format!(
                "Rate every competency before sharing. Not rated yet: {}.",
                and_list(unrated)
            )));
        }
        Ok(if self.shared(side.other()) {
            Shared::ToReview
        } else {
            Shared::Waiting
        })
    }

    /// A side may change agreed ratings in the review only. A change clears the confirmation of
    /// the side returned (the other one), so that both confirm the same ratings.
    pub fn set_agreed(&self, side: Side) -> Result<Side, Refusal> {
        match self.status {
            CheckinStatus::Review => Ok(side.other()),
            CheckinStatus::Open => Err(refuse(
                "the agreed ratings are set in the review, once both sides have shared",
            )),
            CheckinStatus::Agreed => Err(refuse("the check-in is agreed and locked")),
            CheckinStatus::Cancelled => Err(refuse("the check-in was cancelled")),
        }
    }

    /// A side confirms the agreed ratings in the review, once every competency it must rate has
    /// an agreed rating (`unrated` lists those that have none, see [`unrated`]). When the other
    /// side has confirmed too, the check-in is agreed.
    pub fn confirm(&self, side: Side, unrated: &[String]) -> Result<Confirmed, Refusal> {
        match self.status {
            CheckinStatus::Review => {}
            CheckinStatus::Open => {
                return Err(refuse("both sides share their ratings before agreeing"));
            }
            CheckinStatus::Agreed => return Err(refuse("the check-in is already agreed")),
            CheckinStatus::Cancelled => return Err(refuse("the check-in was cancelled")),
        }
        if self.confirmed(side) {
            return Ok(Confirmed::Already);
        }
        if !unrated.is_empty() {
            return Err(Refusal::Unrated(format!(
                "set an agreed rating for every competency first; missing: {}",
                unrated.join(", ")
            )));
        }
        Ok(if self.confirmed(side.other()) {
            Confirmed::Agreed
        } else {
            Confirmed::Waiting
        })
    }

    /// An unfinished check-in may be cancelled.
    pub fn cancel(&self) -> Result<(), Refusal> {
        if self.status.is_unfinished() {
            Ok(())
        } else {
            Err(refuse(format!(
                "the check-in is {} and cannot be cancelled",
                self.status.label().to_lowercase()
            )))
        }
    }
}

/// A competency a check-in asks about, as its rules read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked<'a> {
    pub key: &'a str,
    pub name: &'a str,
    /// The framework says it does not apply at the target level: rating it is optional.
    pub optional: bool,
}

/// The competencies that must be rated before a side shares or the agreement is confirmed, and
/// that `ratings` (by competency key) has not: all but those the framework marks not applicable
/// at the target level. By name, in the order asked.
pub fn unrated<'a, V>(
    asked: impl IntoIterator<Item = Asked<'a>>,
    ratings: &BTreeMap<String, V>,
) -> Vec<String> {
    asked
        .into_iter()
        .filter(|c| !c.optional && !ratings.contains_key(c.key))
        .map(|c| c.name.to_owned())
        .collect()
}

/// "A", "A and B", "A, B and C".
fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use CheckinStatus::{Agreed, Cancelled, Open, Review};
    use Side::{Manager, Person};

    fn at(status: CheckinStatus) -> Progress {
        Progress {
            status,
            self_shared: false,
            manager_shared: false,
            self_confirmed: false,
            manager_confirmed: false,
        }
    }

    /// In review: both sides shared, nobody confirmed yet.
    fn review() -> Progress {
        Progress {
            self_shared: true,
            manager_shared: true,
            ..at(Review)
        }
    }

    fn state(r: Result<impl std::fmt::Debug, Refusal>) -> String {
        match r {
            Err(Refusal::State(m)) => m,
            other => panic!("a refusal by state, not {other:?}"),
        }
    }

    #[test]
    fn statuses_and_sides_read_back() {
        for s in [Open, Review, Agreed, Cancelled] {
            assert_eq!(CheckinStatus::parse(s.as_str()), Some(s));
            assert_eq!(s.is_unfinished(), matches!(s, Open | Review));
        }
        assert_eq!(CheckinStatus::parse("draft"), None);
        assert_eq!((Person.other(), Manager.other()), (Manager, Person));
        assert_eq!(Person.as_str(), "self");
        assert_eq!(serde_json::to_string(&Person).expect("json"), "\"self\"");
        assert_eq!(serde_json::to_string(&Review).expect("json"), "\"review\"");
    }

    #[test]
    fn each_side_rates_while_open_until_it_shares() {
        let open = at(Open);
        assert_eq!(open.rate(Person), Ok(()));
        assert_eq!(open.share(Person, &[]), Ok(Shared::Waiting));
        let person_shared = Progress {
            self_shared: true,
            ..open
        };
        assert_eq!(
            state(person_shared.rate(Person)),
            "the self-rating is shared and locked: it cannot change any more"
        );
        assert_eq!(person_shared.rate(Manager), Ok(()));
        // The second side to share moves the check-in to the review.
        assert_eq!(person_shared.share(Manager, &[]), Ok(Shared::ToReview));
        assert!(state(review().rate(Manager)).starts_with("both sides have shared"));
        assert_eq!(
            state(at(Agreed).rate(Person)),
            "the check-in is agreed and locked"
        );
        assert_eq!(
            state(at(Cancelled).share(Person, &[])),
            "the check-in was cancelled"
        );
    }

    #[test]
    fn a_side_shares_only_once_every_competency_it_must_rate_is_rated() {
        let missing = vec![
            "Craft".to_owned(),
            "Teamwork".to_owned(),
            "Ownership".to_owned(),
        ];
        assert_eq!(
            at(Open).share(Manager, &missing),
            Err(Refusal::Unrated(
                "Rate every competency before sharing. Not rated yet: Craft, Teamwork and Ownership."
                    .into()
            ))
        );
        // A locked side is refused for that, whatever it lacks.
        let shared = Progress {
            manager_shared: true,
            ..at(Open)
        };
        assert!(matches!(
            shared.share(Manager, &missing),
            Err(Refusal::State(_))
        ));
    }

    #[test]
    fn agreed_ratings_change_in_the_review_and_clear_the_other_sides_confirmation() {
        assert_eq!(review().set_agreed(Person), Ok(Manager));
        assert_eq!(review().set_agreed(Manager), Ok(Person));
        assert!(state(at(Open).set_agreed(Person)).contains("once both sides have shared"));
        assert_eq!(
            state(at(Agreed).set_agreed(Manager)),
            "the check-in is agreed and locked"
        );
        assert_eq!(
            state(at(Cancelled).set_agreed(Manager)),
            "the check-in was cancelled"
        );
    }

    #[test]
    fn the_check_in_is_agreed_when_both_sides_confirm() {
        let r = review();
        assert_eq!(r.confirm(Person, &[]), Ok(Confirmed::Waiting));
        let person = Progress {
            self_confirmed: true,
            ..r
        };
        assert_eq!(person.confirm(Person, &[]), Ok(Confirmed::Already));
        assert_eq!(person.confirm(Manager, &[]), Ok(Confirmed::Agreed));
        assert_eq!(
            r.confirm(Manager, &["Craft".into(), "Teamwork".into()]),
            Err(Refusal::Unrated(
                "set an agreed rating for every competency first; missing: Craft, Teamwork".into()
            ))
        );
        // Confirming again changes nothing, even with ratings missing.
        assert_eq!(
            person.confirm(Person, &["Craft".into()]),
            Ok(Confirmed::Already)
        );
        assert_eq!(
            state(at(Open).confirm(Person, &[])),
            "both sides share their ratings before agreeing"
        );
        assert_eq!(
            state(at(Agreed).confirm(Person, &[])),
            "the check-in is already agreed"
        );
    }

    #[test]
    fn only_an_unfinished_check_in_is_cancelled() {
        assert_eq!(at(Open).cancel(), Ok(()));
        assert_eq!(review().cancel(), Ok(()));
        assert_eq!(
            state(at(Agreed).cancel()),
            "the check-in is agreed and cannot be cancelled"
        );
        assert_eq!(
            state(at(Cancelled).cancel()),
            "the check-in is cancelled and cannot be cancelled"
        );
    }

    #[test]
    fn each_side_sees_the_other_only_once_both_have_shared() {
        let open = Progress {
            self_shared: true,
            ..at(Open)
        };
        assert!(open.sees(Some(Person), Person) && !open.sees(Some(Person), Manager));
        assert!(open.sees(Some(Manager), Manager) && !open.sees(Some(Manager), Person));
        assert!(!open.sees(None, Person) && !open.sees(None, Manager));
        assert!(!open.sees_agreed());
        let r = review();
        assert!(r.sees(None, Person) && r.sees(Some(Person), Manager) && r.sees_agreed());
    }

    #[test]
    fn the_actions_offered_follow_the_state_and_the_side() {
        let open = at(Open);
        let all = open.actions(Some(Person), true, true);
        assert!(all.rate && all.share && !all.set_agreed && !all.confirm && all.cancel);
        // Someone who does not take part (an admin outside the chain) only cancels, if allowed.
        assert_eq!(
            open.actions(None, false, true),
            CheckinActions {
                cancel: true,
                ..CheckinActions::default()
            }
        );
        let shared = Progress {
            manager_shared: true,
            ..open
        };
        assert!(!shared.actions(Some(Manager), true, false).rate);
        let confirmed = Progress {
            manager_confirmed: true,
            ..review()
        };
        let manager = confirmed.actions(Some(Manager), true, false);
        assert!(manager.set_agreed && !manager.confirm && !manager.rate && !manager.cancel);
        assert!(confirmed.actions(Some(Person), true, false).confirm);
        assert_eq!(
            at(Agreed).actions(Some(Person), true, true),
            CheckinActions::default()
        );
    }

    #[test]
    fn competencies_optional_at_the_level_need_no_rating() {
        let asked = [
            Asked {
                key: "craft",
                name: "Craft",
                optional: false,
            },
            Asked {
                key: "mentoring",
                name: "Mentoring",
                optional: true,
            },
            Asked {
                key: "teamwork",
                name: "Teamwork",
                optional: false,
            },
        ];
        let ratings = BTreeMap::from([("craft".to_owned(), ())]);
        assert_eq!(unrated(asked, &ratings), ["Teamwork"]);
        assert!(
            unrated(
                asked,
                &BTreeMap::from([("teamwork".to_owned(), ()), ("craft".to_owned(), ())])
            )
            .is_empty()
        );
        assert_eq!(and_list(&[]), "");
        assert_eq!(and_list(&["A".into()]), "A");
        assert_eq!(and_list(&["A".into(), "B".into()]), "A and B");
    }
}
