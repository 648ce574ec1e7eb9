//! The rules of Trellis that decide something from values alone: whether a person is ready for the
//! next level ([`readiness`]), what a check-in may do next ([`checkin`]), which groups of survey
//! answers may be shown ([`anonymity`]) and what the readiness self-check advises ([`self_check`]),
//! with the values they speak about ([`Rating`], the rollout's [`Stage`]s).
//!
//! **Invariant:** this crate knows nothing of HTTP, SQL, files or clocks. Values in, values out:
//! the server reads what a rule needs, calls it and writes what it decided; a time, when a rule
//! needs one, is passed in. It depends only on `trellis-framework` and `serde` (and on `utoipa`
//! for the API document's schemas, behind the `openapi` feature), and is unit-tested in isolation.

pub mod anonymity;
pub mod checkin;
pub mod rating;
pub mod readiness;
pub mod self_check;
pub mod stage;

pub use rating::Rating;
pub use stage::Stage;
