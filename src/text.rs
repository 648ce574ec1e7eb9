//! Words for people: counts with the right plural, durations in weeks, months and years, and
//! messages that read as sentences. Pages, problem documents and the command line use these, so a
//! count never reads "1 problem(s)" and a duration never "1691 days".

/// A count with its noun, singular for one and plural otherwise: `plural(1, "person", "people")` is
/// "1 person", `plural(3, "person", "people")` is "3 people", `plural(0, …)` is "0 people".
pub fn plural(n: impl Number, one: &str, many: &str) -> String {
    let n = int(n);
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Like [`plural`], by another name that reads better for lengths.
pub fn count(n: impl Number, one: &str, many: &str) -> String {
    plural(n, one, many)
}

fn int(n: impl Number) -> i64 {
    n.int()
}

/// A whole number, by value or by reference (templates pass references).
pub trait Number {
    fn int(self) -> i64;
}

macro_rules! number {
    ($($t:ty),*) => {$(
        impl Number for $t {
            fn int(self) -> i64 {
                i64::try_from(self).unwrap_or(i64::MAX)
            }
        }
    )*};
}
number!(i64, i32, u32, u64, usize);

impl<T: Number + Copy> Number for &T {
    fn int(self) -> i64 {
        (*self).int()
    }
}

/// The noun alone, singular for one and plural otherwise, for sentences that place the number
/// themselves.
pub fn noun<'a>(n: impl Number, one: &'a str, many: &'a str) -> &'a str {
    if int(n) == 1 { one } else { many }
}

/// "is" or "are" for a count.
pub fn is_are(n: impl Number) -> &'static str {
    if int(n) == 1 { "is" } else { "are" }
}

/// "was" or "were" for a count.
pub fn was_were(n: impl Number) -> &'static str {
    if int(n) == 1 { "was" } else { "were" }
}

/// Names as a sentence says them: "Ann", "Ann and Bo", "Ann, Bo and Cy"; beyond `most` names, the
/// first `most` and how many others: "Ann, Bo and 3 others".
pub fn names(names: &[String], most: usize) -> String {
    let most = most.max(1);
    let (shown, rest) = names.split_at(names.len().min(most));
    let mut items: Vec<String> = shown.to_vec();
    if !rest.is_empty() {
        items.push(plural(rest.len(), "other", "others"));
    }
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, first)) => format!("{} and {last}", first.join(", ")),
    }
}

/// A number of days as people say it: "today", "1 day", "6 days", "3 weeks", "5 months",
/// "1 year", "4 years and 7 months". Months are counted as 30 days and years as 365, which is
/// exact enough for how long someone has held a level.
pub fn duration_days(days: impl Number) -> String {
    let days = int(days).max(0);
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
pub fn every_days(days: impl Number) -> String {
    let days = int(days);
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
    fn names_read_as_a_sentence_and_stop_at_the_most_given() {
        let n = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(names(&n(&[]), 3), "");
        assert_eq!(names(&n(&["Ann"]), 3), "Ann");
        assert_eq!(names(&n(&["Ann", "Bo"]), 3), "Ann and Bo");
        assert_eq!(names(&n(&["Ann", "Bo", "Cy"]), 3), "Ann, Bo and Cy");
        assert_eq!(
            names(&n(&["Ann", "Bo", "Cy", "Di", "Ed"]), 2),
            "Ann, Bo and 3 others"
        );
    }

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

    /// Every file under `dir` (recursively) whose name ends with `ext`.
    fn files(dir: &std::path::Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a readable folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                files(&path, ext, out);
            } else if path.to_string_lossy().ends_with(ext) {
                out.push(path);
            }
        }
    }

    /// `source` without what lies between `open` and `close`.
    fn without(source: &str, open: &str, close: &str) -> String {
        let mut out = String::new();
        let mut rest = source;
        while let Some(start) = rest.find(open) {
            out.push_str(&rest[..start]);
            rest = rest[start..]
                .find(close)
                .map_or("", |end| &rest[start + end + close.len()..]);
        }
        out.push_str(rest);
        out
    }

    /// The words of a template that reach the page as written: without its comments, tags and
    /// expressions.
    fn template_text(source: &str) -> String {
        let text = without(source, "{#", "#}");
        let text = without(&text, "{%", "%}");
        without(&text, "{{", "}}")
    }

    #[test]
    fn no_template_says_s_in_brackets_or_shows_a_backtick() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        files(&root.join("templates"), ".html", &mut paths);
        assert!(!paths.is_empty());
        let mut found = Vec::new();
        for path in paths {
            let text = template_text(&std::fs::read_to_string(&path).expect("a template"));
            for (n, line) in text.lines().enumerate() {
                if line.contains("(s)") || line.contains('`') {
                    found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    /// Lines of the OpenAPI document's descriptions, written for programmers.
    const API_DOCUMENTATION: [&str; 6] = [
        "description = ",
        "`Retry-After`",
        "`errors` says which",
        "`Bearer`",
        "`#[schema(",
        "One edit, tagged by",
    ];

    #[test]
    fn no_message_in_the_sources_says_s_in_brackets_or_quotes_with_backticks() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        for dir in [
            "src/architecture",
            "src/people",
            "src/growth",
            "src/rollout",
            "src/audit",
            "src/web",
            "src/api",
            "src/domain",
            "src/auth",
        ] {
            files(&root.join(dir), ".rs", &mut paths);
        }
        paths.push(root.join("src/error.rs"));
        paths.push(root.join("src/demo.rs"));
        let mut found = Vec::new();
        // SCIM's messages answer a provisioning client, in the protocol's words.
        paths.retain(|p| !p.components().any(|c| c.as_os_str() == "scim"));
        for path in paths {
            let source = std::fs::read_to_string(&path).expect("a source file");
            // Tests below a file's code hold sample strings, not messages.
            let code = source.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                // The API's own documentation speaks to programmers, in their words.
                if API_DOCUMENTATION.iter().any(|d| line.contains(d)) {
                    continue;
                }
                // The text inside string literals: every other piece between double quotes.
                let literals = line.split('"').skip(1).step_by(2);
                for literal in literals {
                    if literal.contains("(s)") || literal.contains('`') {
                        found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
        assert!(found.is_empty(), "{}", found.join("\n"));
    }
}
