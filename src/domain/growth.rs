use serde::{Deserialize, Serialize};

pub use trellis_rules::Rating;

/// One side's rating of one competency in a check-in, as stored: the `self_ratings`,
/// `manager_ratings` and `agreed_ratings` columns of `checkins` each hold a JSON object of these,
/// keyed by competency key ([`Ratings`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RatingEntry {
    pub rating: Rating,
    /// What the rater wants to say about it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    /// Why the competency does not apply; required with [`Rating::NotApplicable`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A side's ratings, by competency key.
pub type Ratings = std::collections::BTreeMap<String, RatingEntry>;

/// Reads a ratings column; a column that does not parse reads as no ratings.
pub fn parse_ratings(json: &str) -> Ratings {
    serde_json::from_str(json).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ratings_column_reads_back_and_one_that_does_not_parse_reads_as_none() {
        let json = r#"{"craft":{"rating":"not_applicable","reason":"no code"},"ownership":{"rating":"meets","comment":"led it"}}"#;
        let ratings = parse_ratings(json);
        assert_eq!(ratings["craft"].rating, Rating::NotApplicable);
        assert_eq!(ratings["craft"].reason.as_deref(), Some("no code"));
        assert_eq!(ratings["ownership"].comment, "led it");
        assert_eq!(serde_json::to_string(&ratings).ok().as_deref(), Some(json));
        assert!(parse_ratings("{").is_empty());
    }
}
