//! The rating scale check-ins use, and that readiness judges on.

use serde::{Deserialize, Serialize};

/// A rating of one competency against the expectations of a level. The four steps are ordered;
/// `NotApplicable` stands outside the order and always carries a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Below,
    WorkingTowards,
    Meets,
    Exceeds,
    NotApplicable,
}

impl Rating {
    pub const SCALE: [Rating; 4] = [
        Rating::Below,
        Rating::WorkingTowards,
        Rating::Meets,
        Rating::Exceeds,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Below => "below",
            Rating::WorkingTowards => "working_towards",
            Rating::Meets => "meets",
            Rating::Exceeds => "exceeds",
            Rating::NotApplicable => "not_applicable",
        }
    }

    pub fn parse(raw: &str) -> Option<Rating> {
        match raw.trim() {
            "below" => Some(Rating::Below),
            "working_towards" => Some(Rating::WorkingTowards),
            "meets" => Some(Rating::Meets),
            "exceeds" => Some(Rating::Exceeds),
            "not_applicable" => Some(Rating::NotApplicable),
            _ => None,
        }
    }

    /// The words people read.
    pub fn label(self) -> &'static str {
        match self {
            Rating::Below => "Below expectations",
            Rating::WorkingTowards => "Working towards",
            Rating::Meets => "Meets",
            Rating::Exceeds => "Exceeds",
            Rating::NotApplicable => "Not applicable",
        }
    }

    /// 1 to 4 on the scale, for charts and comparisons; `None` when not applicable.
    pub fn score(self) -> Option<u8> {
        match self {
            Rating::Below => Some(1),
            Rating::WorkingTowards => Some(2),
            Rating::Meets => Some(3),
            Rating::Exceeds => Some(4),
            Rating::NotApplicable => None,
        }
    }

    /// Meets or exceeds the expectations.
    pub fn meets(self) -> bool {
        matches!(self, Rating::Meets | Rating::Exceeds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_read_back_and_order_along_the_scale() {
        for r in Rating::SCALE.into_iter().chain([Rating::NotApplicable]) {
            assert_eq!(Rating::parse(r.as_str()), Some(r));
        }
        assert!(Rating::Below < Rating::WorkingTowards && Rating::Meets < Rating::Exceeds);
        assert!(Rating::Meets.meets() && !Rating::WorkingTowards.meets());
        assert_eq!(Rating::NotApplicable.score(), None);
        assert_eq!(Rating::parse("great"), None);
    }

    #[test]
    fn ratings_are_written_in_snake_case() {
        let json = serde_json::to_string(&Rating::WorkingTowards).expect("json");
        assert_eq!(json, "\"working_towards\"");
        let back: Rating = serde_json::from_str("\"not_applicable\"").expect("a rating");
        assert_eq!(back, Rating::NotApplicable);
    }
}
