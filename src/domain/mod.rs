//! Small value types that can only hold valid values. The framework itself lives in the
//! `trellis-framework` crate; this module holds the rest.

mod email;
mod growth;
mod people;

pub use email::Email;
pub use growth::{Rating, RatingEntry, Ratings, parse_ratings};
pub use people::{Day, PositionKind, Status};
