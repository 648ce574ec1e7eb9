//! Words for people: counts with the right plural, durations in weeks, months and years, and
//! messages that read as sentences. Pages, problem documents and the command line use these, so a
//! count never reads "1 problem(s)" and a duration never "1691 days".

/// A count with its noun, singular for one and plural otherwise: `plural(1, "person", "people")` is
/// "1 person", `plural(3, "person", "people")` is "3 people", `plural(0, …)` is "0 people".
pub fn plural(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Like [`plural`] for a `usize` count (a length).
pub fn count(n: usize, one: &str, many: &str) -> String {
    plural(i64::try_from(n).unwrap_or(i64::MAX), one, many)
}

/// The noun alone, singular for one and plural otherwise, for sentences that place the number
/// themselves.
pub fn noun<'a>(n: impl Into<i64>, one: &'a str, many: &'a str) -> &'a str {
    if n.into() == 1 { one } else { many }
}

/// "is" or "are" for a count.
pub fn is_are(n: impl Into<i64>) -> &'static str {
    if n.into() == 1 { "is" } else { "are" }
}

/// "was" or "were" for a count.
pub fn was_were(n: impl Into<i64>) -> &'static str {
    if n.into() == 1 { "was" } else { "were" }
}

/// A number of days as people say it: "today", "1 day", "6 days", "3 weeks", "5 months",
/// "1 year", "4 years and 7 months". Months are counted as 30 days and years as 365, which is
/// exact enough for how long someone has held a level.
pub fn duration_days(days: impl Into<i64>) -> String {
    let days = days.into().max(0);
    if days == 0 {
        return "today".to_owned();
    }
    if days < 14 {
        return plural(days, "day", "days");
    }
    if days < 60 {
        return plural(days / 7, "week", "weeks");
    }
    if days < 365 {
        return plural(days / 30, "month", "months");
    }
    let years = days / 365;
    let months = (days % 365) / 30;
    if months == 0 {
        plural(years, "year", "years")
    } else {
        format!(
            "{} and {}",
            plural(years, "year", "years"),
            plural(months, "month", "months")
        )
    }
}

/// A cadence in days as people say it: "every week", "every 2 weeks", "every 10 days".
pub fn every_days(days: impl Into<i64>) -> String {
    let days = days.into();
    match days {
        1 => "every day".to_owned(),
        7 => "every week".to_owned(),
        d if d > 0 && d % 7 == 0 => format!("every {} weeks", d / 7),
        d => format!("every {d} days"),
    }
}

/// A message as a sentence: a capital first letter and a full stop (or the question or exclamation
/// mark it has) at the end. Messages are written this way at their source; this keeps every one
/// that reaches a person so, whichever way it came.
pub fn sentence(message: &str) -> String {
    let message = message.trim();
    let mut chars = message.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '?', '!', ':']) {
        out.push('.');
    }
    out
}

/// A key that was shown to people as a word: "not_applicable" is "Not applicable",
/// "software-engineering" is "Software engineering".
pub fn humanise_key(key: &str) -> String {
    sentence_case(&key.replace(['_', '-'], " "))
}

/// The first letter capitalised, nothing added at the end.
pub fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_agree_with_their_count() {
        assert_eq!(plural(0, "person", "people"), "0 people");
        assert_eq!(plural(1, "person", "people"), "1 person");
        assert_eq!(plural(2, "person", "people"), "2 people");
        assert_eq!(count(1, "problem", "problems"), "1 problem");
        assert_eq!(count(6, "problem", "problems"), "6 problems");
        assert_eq!(noun(1, "item", "items"), "item");
        assert_eq!(noun(3, "item", "items"), "items");
        assert_eq!(is_are(1), "is");
        assert_eq!(is_are(2), "are");
        assert_eq!(was_were(1), "was");
        assert_eq!(was_were(0), "were");
    }

    #[test]
    fn durations_read_in_the_largest_useful_unit() {
        assert_eq!(duration_days(0), "today");
        assert_eq!(duration_days(-3), "today");
        assert_eq!(duration_days(1), "1 day");
        assert_eq!(duration_days(13), "13 days");
        assert_eq!(duration_days(21), "3 weeks");
        assert_eq!(duration_days(59), "8 weeks");
        assert_eq!(duration_days(60), "2 months");
        assert_eq!(duration_days(364), "12 months");
        assert_eq!(duration_days(365), "1 year");
        assert_eq!(duration_days(400), "1 year and 1 month");
        assert_eq!(duration_days(1691), "4 years and 7 months");
        assert_eq!(duration_days(730), "2 years");
    }

    #[test]
    fn cadences_read_in_weeks_when_they_can() {
        assert_eq!(every_days(7), "every week");
        assert_eq!(every_days(14), "every 2 weeks");
        assert_eq!(every_days(1), "every day");
        assert_eq!(every_days(10), "every 10 days");
    }

    #[test]
    fn messages_become_sentences() {
        assert_eq!(
            sentence("this person was not found"),
            "This person was not found."
        );
        assert_eq!(sentence("Saved."), "Saved.");
        assert_eq!(sentence("Are you sure?"), "Are you sure?");
        assert_eq!(sentence("  "), "");
        assert_eq!(sentence("édition ratée"), "Édition ratée.");
    }

    #[test]
    fn keys_become_words() {
        assert_eq!(humanise_key("not_applicable"), "Not applicable");
        assert_eq!(humanise_key("software-engineering"), "Software engineering");
    }
}
