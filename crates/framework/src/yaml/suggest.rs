//! "Did you mean" suggestions for misspelt field names and values.

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_the_nearest_candidate_within_reach() {
        let fields = ["expectations", "examples", "key"];
        assert_eq!(closest("expectation", &fields), Some("expectations"));
        assert_eq!(closest("exmaples", &fields), Some("examples"));
        assert_eq!(closest("colour", &fields), None);
    }
}
