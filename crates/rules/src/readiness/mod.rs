//! Readiness: whether a person is ready for the next level of their track, by the rule of that
//! track, judged on their agreed check-ins. The answer is always explained: which competencies
//! block it and how far the share of the next level's competencies has come.
//!
//! Which check-ins count is one rule, [`choose`]: the current level is judged on the most recent
//! agreed check-in against the current level, and the next level on the most recent agreed
//! check-in against the next level (the later agreed time wins, then the later check-in). Only
//! when no check-in against the current level was ever agreed is the current level judged on the
//! next level's check-in. A check-in against any other level is never used.
//!
//! [`evaluate`] is the rule itself: the rule of the track, the framework, the person's position
//! and their agreed check-ins in, the result with its reasons out. The server stores the result
//! per person and recomputes it when something it rests on changes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use trellis_framework::{Framework, Level, Track};

use crate::Rating;

mod reasons;
#[cfg(test)]
mod tests;

use reasons::{
    current_level_reason, no_next_level_check_in, reason, required_reason, share_reason,
};

/// The share of the next level's competencies a track asks for when no rule is set.
pub const DEFAULT_SHARE: u8 = 60;

/// The readiness rule of a track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    pub track: String,
    /// Percent (0 to 100) of the next level's competencies that must be rated meets or exceeds.
    pub next_level_share: u8,
    /// Every competency must at least meet the current level.
    pub all_meet_current: bool,
    /// Competencies that must meet the next level, whatever the share.
    pub required: Vec<String>,
}

impl Rule {
    /// The rule of a track nobody configured: 60 % at the next level and every competency
    /// meeting the current one.
    pub fn default_for(track: &str) -> Rule {
        Rule {
            track: track.to_owned(),
            next_level_share: DEFAULT_SHARE,
            all_meet_current: true,
            required: Vec::new(),
        }
    }
}

/// Where a person stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = ReadinessStatus)
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The check-ins [`choose`] picks satisfy the rule.
    Ready,
    /// There is a check-in to judge on and it does not (yet) satisfy the rule.
    NotYet,
    /// No agreed check-in against the current or the next level of the person's track.
    NoCheckIn,
    /// The person holds the highest level of their track.
    TopOfTrack,
    /// No position is recorded, or it is not in the published framework.
    NoPosition,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Ready,
        Status::NotYet,
        Status::NoCheckIn,
        Status::TopOfTrack,
        Status::NoPosition,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ready => "ready",
            Status::NotYet => "not_yet",
            Status::NoCheckIn => "no_check_in",
            Status::TopOfTrack => "top_of_track",
            Status::NoPosition => "no_position",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The words people read.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ready => "Ready for the next level",
            Status::NotYet => "Not yet ready",
            Status::NoCheckIn => "No agreed check-in",
            Status::TopOfTrack => "At the top of the track",
            Status::NoPosition => "No position",
        }
    }
}

/// A competency named in a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Named {
    pub key: String,
    pub name: String,
    /// The agreed rating, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
}

impl Named {
    /// A competency of `fw` by key, named as the framework names it (by its key when the
    /// framework does not have it).
    pub fn of(fw: &Framework, key: &str, rating: Option<Rating>) -> Named {
        Named {
            key: key.to_owned(),
            name: fw
                .competency(key)
                .map_or_else(|| key.to_owned(), |c| c.name.clone()),
            rating,
        }
    }
}

/// The share of the next level's competencies rated meets or exceeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Share {
    /// Competencies rated meets or exceeds at the next level.
    pub meeting: u32,
    /// Competencies that count (those that apply at the next level).
    pub counted: u32,
    /// Percent reached, rounded down.
    pub reached: u8,
    /// Percent the rule asks for.
    pub needed: u8,
}

/// One condition of the rule, met or not, in words and with the competencies concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    /// `current_level`, `next_level_share`, `required`, `next_level_check_in`, `check_in`,
    /// `top_of_track` or `position`.
    pub code: String,
    pub met: bool,
    pub message: String,
    /// The competencies that block this condition (or, for `required`, those it asks for).
    #[serde(default)]
    pub competencies: Vec<Named>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<Share>,
    /// The agreed check-in this condition was judged on, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkin_id: Option<i64>,
}

/// A person's readiness, as evaluated and stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Readiness {
    pub status: Status,
    /// The person's track and level when it was computed.
    pub track: Option<String>,
    pub level: Option<String>,
    /// The level after `level` in the track, if any.
    pub next_level: Option<String>,
    /// The agreed check-in the next level was judged on, or else the one the current level was
    /// judged on (each reason names its own).
    pub checkin_id: Option<i64>,
    /// Never empty: why the status is what it is.
    pub reasons: Vec<Reason>,
    /// Unix seconds: when this result was reached (a recompute that finds the same result keeps
    /// the time); 0 from [`evaluate`].
    pub computed_at: i64,
}

/// An agreed check-in, as readiness reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreedCheckIn {
    pub id: i64,
    /// The check-in's target level (of the person's track).
    pub level: String,
    /// Unix seconds: when it was agreed.
    pub agreed_at: i64,
    /// The agreed rating of each competency, by key.
    pub ratings: BTreeMap<String, Rating>,
}

/// The agreed check-ins a readiness rests on, as [`choose`] picks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Basis<'a> {
    /// The most recent agreed check-in against the current level.
    pub current: Option<&'a AgreedCheckIn>,
    /// The most recent agreed check-in against the next level.
    pub next: Option<&'a AgreedCheckIn>,
}

/// The rule of which check-ins readiness uses when a person has several: for each of the current
/// and the next level, the most recent agreed check-in against that level: the later
/// `agreed_at`, and on the same second the later check-in (the higher id). Check-ins against any
/// other level are left out, so they can never make someone ready. Pure; the server's bulk
/// recompute picks the same check-ins in SQL.
pub fn choose<'a>(
    checkins: impl IntoIterator<Item = &'a AgreedCheckIn>,
    current: &str,
    next: Option<&str>,
) -> Basis<'a> {
    let latest = |best: Option<&'a AgreedCheckIn>, c: &'a AgreedCheckIn| match best {
        Some(b) if (b.agreed_at, b.id) >= (c.agreed_at, c.id) => Some(b),
        _ => Some(c),
    };
    let mut basis = Basis::default();
    for c in checkins {
        if c.level == current {
            basis.current = latest(basis.current, c);
        } else if Some(c.level.as_str()) == next {
            basis.next = latest(basis.next, c);
        }
    }
    basis
}

/// Evaluates the rule of a track for a person holding `position` (track key, level key), on the
/// agreed check-ins [`choose`] picks among `checkins`. Pure: the names come from `fw`, which
/// should be the published framework.
///
/// The current level is judged on the check-in against it. Only when there is none is it judged
/// on the check-in against the next level, where a competency rated `below` counts as not meeting
/// the current level (working towards the next level is taken as meeting the current one). The
/// share of the next level and the required competencies are judged on the check-in against the
/// next level; without one the answer is "not yet". A competency rated not applicable, or not
/// applicable at the level concerned, is left out of every count. Each reason names the check-in
/// it was judged on.
pub fn evaluate<'a>(
    rule: &Rule,
    fw: &Framework,
    position: Option<(&str, &str)>,
    checkins: impl IntoIterator<Item = &'a AgreedCheckIn>,
) -> Readiness {
    let mut out = Readiness {
        status: Status::NoPosition,
        track: position.map(|(t, _)| t.to_owned()),
        level: position.map(|(_, l)| l.to_owned()),
        next_level: None,
        checkin_id: None,
        reasons: Vec::new(),
        computed_at: 0,
    };
    let (track, current, next) = match place(fw, position) {
        Ok(place) => place,
        Err((status, why)) => {
            out.status = status;
            out.reasons.push(why);
            return out;
        }
    };
    out.next_level = Some(next.key.to_string());
    let basis = choose(checkins, current.key.as_str(), Some(next.key.as_str()));
    let Some(judged) = basis.next.or(basis.current) else {
        out.status = Status::NoCheckIn;
        out.reasons.push(reason(
            "check_in",
            format!(
                "There is no agreed check-in against {} or {} yet; readiness is judged on one.",
                current.title, next.title
            ),
        ));
        return out;
    };
    out.checkin_id = Some(judged.id);
    if rule.all_meet_current {
        out.reasons.push(match basis.current {
            Some(checkin) => current_level_reason(fw, track, current, None, checkin),
            None => current_level_reason(fw, track, current, Some(next), judged),
        });
    }
    match basis.next {
        Some(checkin) => {
            out.reasons
                .push(share_reason(rule, fw, track, next, checkin));
            out.reasons
                .extend(required_reason(rule, fw, track, next, checkin));
        }
        None => out.reasons.push(no_next_level_check_in(next)),
    }
    out.status = if out.reasons.iter().all(|r| r.met) {
        Status::Ready
    } else {
        Status::NotYet
    };
    out
}

/// The track, level and next level of a position; or, when it has no next level, the status and
/// the reason that say why.
fn place<'f>(
    fw: &'f Framework,
    position: Option<(&str, &str)>,
) -> Result<(&'f Track, &'f Level, &'f Level), (Status, Reason)> {
    let Some((track_key, level_key)) = position else {
        return Err((
            Status::NoPosition,
            reason(
                "position",
                "No position is recorded, so there is no next level to be ready for.".into(),
            ),
        ));
    };
    let Some((track, rank)) = fw
        .track(track_key)
        .and_then(|t| t.rank_of(level_key).map(|r| (t, r)))
    else {
        return Err((
            Status::NoPosition,
            reason(
                "position",
                format!(
                    "The position ({track_key}, {level_key}) is not in the published framework, so it has no next level."
                ),
            ),
        ));
    };
    let current = &track.levels[rank];
    match track.levels.get(rank + 1) {
        Some(next) => Ok((track, current, next)),
        None => Err((
            Status::TopOfTrack,
            reason(
                "top_of_track",
                format!(
                    "{} is the highest level of {}: there is no next level on this track.",
                    current.title, track.name
                ),
            ),
        )),
    }
}
