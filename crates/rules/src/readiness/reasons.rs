//! The conditions of a readiness rule, each judged on one check-in and put in words.

use trellis_framework::{Framework, Key, Level, Track};

use super::{AgreedCheckIn, Named, Reason, Rule, Share};
use crate::Rating;

/// "A", "A and B", "A, B and C".
fn list(names: &[Named]) -> String {
    match names {
        [] => String::new(),
        [one] => one.name.clone(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter()
                .map(|n| n.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            last.name
        ),
    }
}

fn applies(level: &Level, key: &Key) -> bool {
    !level.is_not_applicable(key)
}

pub(super) fn reason(code: &str, message: String) -> Reason {
    Reason {
        code: code.into(),
        met: false,
        message,
        competencies: Vec::new(),
        share: None,
        checkin_id: None,
    }
}

/// Every competency at least meets the current level, judged on `checkin`: a check-in against the
/// current level, or (`against_next`, the next level) one against the next level when there is
/// none against the current one.
pub(super) fn current_level_reason(
    fw: &Framework,
    track: &Track,
    current: &Level,
    against_next: Option<&Level>,
    checkin: &AgreedCheckIn,
) -> Reason {
    let target = against_next.unwrap_or(current);
    let mut blocking = Vec::new();
    for key in track.competencies.iter().filter(|k| applies(current, k)) {
        let rating = checkin.ratings.get(key.as_str()).copied();
        let blocks = match rating {
            Some(Rating::NotApplicable) => false,
            // Against the next level, `below` means short of the current level too.
            Some(r) if against_next.is_some() => r == Rating::Below,
            Some(r) => !r.meets(),
            // Not rated: fine only when the check-in's level does not ask for it.
            None => applies(target, key),
        };
        if blocks {
            blocking.push(Named::of(fw, key.as_str(), rating));
        }
    }
    let on = match against_next {
        Some(next) => format!(
            " Judged on the check-in against {}, as none against {} was agreed.",
            next.title, current.title
        ),
        None => String::new(),
    };
    let message = if blocking.is_empty() {
        format!(
            "Meets every competency of the current level, {}.{on}",
            current.title
        )
    } else {
        let unrated = blocking.iter().filter(|n| n.rating.is_none()).count();
        let note = if unrated > 0 {
            format!(" ({unrated} not rated in the check-in)")
        } else {
            String::new()
        };
        format!(
            "Does not yet meet the current level, {}, in {}: {}{note}.{on}",
            current.title,
            count(blocking.len()),
            list(&blocking)
        )
    };
    Reason {
        code: "current_level".into(),
        met: blocking.is_empty(),
        message,
        competencies: blocking,
        share: None,
        checkin_id: Some(checkin.id),
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 competency".into()
    } else {
        format!("{n} competencies")
    }
}

/// The share of the next level's competencies rated meets or exceeds.
pub(super) fn share_reason(
    rule: &Rule,
    fw: &Framework,
    track: &Track,
    next: &Level,
    checkin: &AgreedCheckIn,
) -> Reason {
    let mut meeting = 0u32;
    let mut counted = 0u32;
    let mut short = Vec::new();
    for key in track.competencies.iter().filter(|k| applies(next, k)) {
        let rating = checkin.ratings.get(key.as_str()).copied();
        if rating == Some(Rating::NotApplicable) {
            continue;
        }
        counted += 1;
        if rating.is_some_and(Rating::meets) {
            meeting += 1;
        } else {
            short.push(Named::of(fw, key.as_str(), rating));
        }
    }
    let needed = rule.next_level_share.min(100);
    // Nothing to count at the next level: nothing falls short of it.
    let (reached, met) = match (meeting * 100).checked_div(counted) {
        None => (100, true),
        Some(percent) => (
            u8::try_from(percent).unwrap_or(100),
            u64::from(meeting) * 100 >= u64::from(needed) * u64::from(counted),
        ),
    };
    let message = if met {
        format!(
            "Meets or exceeds {meeting} of {counted} competencies at {} ({reached} %); the rule asks for {needed} %.",
            next.title
        )
    } else {
        format!(
            "Meets or exceeds {meeting} of {counted} competencies at {} ({reached} %); the rule asks for {needed} %. Not yet meeting it: {}.",
            next.title,
            list(&short)
        )
    };
    Reason {
        code: "next_level_share".into(),
        met,
        message,
        // Only a share that falls short is blocked by these.
        competencies: if met { Vec::new() } else { short },
        share: Some(Share {
            meeting,
            counted,
            reached,
            needed,
        }),
        checkin_id: Some(checkin.id),
    }
}

/// The competencies the rule requires at the next level.
pub(super) fn required_reason(
    rule: &Rule,
    fw: &Framework,
    track: &Track,
    next: &Level,
    checkin: &AgreedCheckIn,
) -> Option<Reason> {
    let required: Vec<&Key> = track
        .competencies
        .iter()
        .filter(|k| rule.required.iter().any(|r| r == k.as_str()) && applies(next, k))
        .collect();
    if required.is_empty() {
        return None;
    }
    let mut blocking = Vec::new();
    let mut all = Vec::new();
    for key in required {
        let rating = checkin.ratings.get(key.as_str()).copied();
        let n = Named::of(fw, key.as_str(), rating);
        if !matches!(rating, Some(r) if r.meets() || r == Rating::NotApplicable) {
            blocking.push(n.clone());
        }
        all.push(n);
    }
    Some(if blocking.is_empty() {
        Reason {
            code: "required".into(),
            met: true,
            message: format!(
                "Meets {} at {}, as the rule requires.",
                list(&all),
                next.title
            ),
            competencies: all,
            share: None,
            checkin_id: Some(checkin.id),
        }
    } else {
        Reason {
            code: "required".into(),
            met: false,
            message: format!(
                "The rule requires {} to meet {}; not yet: {}.",
                list(&all),
                next.title,
                list(&blocking)
            ),
            competencies: blocking,
            share: None,
            checkin_id: Some(checkin.id),
        }
    })
}

/// The next level cannot be judged without a check-in against it.
pub(super) fn no_next_level_check_in(next: &Level) -> Reason {
    Reason {
        code: "next_level_check_in".into(),
        met: false,
        message: format!(
            "No agreed check-in against the next level ({}) yet, so the share of its competencies cannot be judged: it is judged on a check-in against that level.",
            next.title
        ),
        competencies: Vec::new(),
        share: None,
        checkin_id: None,
    }
}
