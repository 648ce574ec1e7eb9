use std::fmt;

use serde::{Deserialize, Serialize};

/// A calendar day, written `YYYY-MM-DD` everywhere: in files, forms and the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(time::Date);

const DAY_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

impl Day {
    pub fn parse(raw: &str) -> Result<Day, String> {
        time::Date::parse(raw.trim(), DAY_FORMAT)
            .map(Day)
            .map_err(|_| format!("“{}” is not a date written YYYY-MM-DD", raw.trim()))
    }

    pub fn today() -> Day {
        Day(time::OffsetDateTime::now_utc().date())
    }

    /// The day `days` after this one (before it when negative); this day itself past the calendar's
    /// range.
    pub fn plus_days(self, days: i64) -> Day {
        self.0
            .checked_add(time::Duration::seconds(days.saturating_mul(86_400)))
            .map_or(self, Day)
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Day) -> i64 {
        (later.0 - self.0).whole_days()
    }

    /// The first day of this day's month.
    pub fn first_of_month(self) -> Day {
        self.0.replace_day(1).map_or(self, Day)
    }

    /// The first day of the next month.
    pub fn next_month(self) -> Day {
        let first = self.first_of_month();
        first.plus_days(32).first_of_month()
    }

    /// The month and year as people read them: "Mar 2027".
    pub fn month_title(self) -> String {
        let month = self.0.month().to_string();
        format!("{} {}", &month[..3], self.0.year())
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.format(DAY_FORMAT).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

/// Whether someone still works for the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Left,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Left => "left",
        }
    }

    pub fn parse(raw: &str) -> Option<Status> {
        match raw.trim().to_lowercase().as_str() {
            "active" => Some(Status::Active),
            "left" | "inactive" | "terminated" => Some(Status::Left),
            _ => None,
        }
    }
}

/// Why a position changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PositionKind {
    /// The first position on joining.
    Hire,
    /// A higher level on the same track.
    Promotion,
    /// Another track.
    LateralMove,
    /// Fixing a position recorded wrongly; not a career event.
    Correction,
}

impl PositionKind {
    pub const ALL: [PositionKind; 4] = [
        PositionKind::Hire,
        PositionKind::Promotion,
        PositionKind::LateralMove,
        PositionKind::Correction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PositionKind::Hire => "hire",
            PositionKind::Promotion => "promotion",
            PositionKind::LateralMove => "lateral_move",
            PositionKind::Correction => "correction",
        }
    }

    pub fn parse(raw: &str) -> Option<PositionKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            PositionKind::Hire => "Hired",
            PositionKind::Promotion => "Promoted",
            PositionKind::LateralMove => "Moved to another track",
            PositionKind::Correction => "Corrected",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_iso_dates() {
        let d = Day::parse("2025-03-01").expect("a date");
        assert_eq!(d.to_string(), "2025-03-01");
        assert_eq!(d.days_until(Day::parse("2025-03-31").expect("a date")), 30);
        assert!(Day::parse("01/03/2025").is_err());
        let mid = Day::parse("2025-12-17").expect("a date");
        assert_eq!(mid.first_of_month().to_string(), "2025-12-01");
        assert_eq!(mid.next_month().to_string(), "2026-01-01");
        assert_eq!(mid.month_title(), "Dec 2025");
        assert!(Day::parse("2025-02-30").is_err());
        assert_eq!(d.plus_days(31).to_string(), "2025-04-01");
        assert_eq!(d.plus_days(-1).to_string(), "2025-02-28");
        assert_eq!(
            d.plus_days(i64::MAX / 2),
            d,
            "past the calendar, the same day"
        );
    }

    #[test]
    fn statuses_and_kinds_parse_their_own_spelling() {
        assert_eq!(Status::parse("Left"), Some(Status::Left));
        assert_eq!(Status::parse("maybe"), None);
        for k in PositionKind::ALL {
            assert_eq!(PositionKind::parse(k.as_str()), Some(k));
        }
    }
}
