//! Growth: what each person does to grow and what their manager sees: check-ins and their rounds,
//! evidence, development plans, 1:1s, readiness for the next level, nominations for promotion, the
//! home page, the team view and the growth record.
//!
//! The use cases are this module's children; `web` holds their pages and `api` their JSON API.

pub mod api;
pub mod checkin_rounds;
pub mod checkins;
pub mod evidence;
pub mod home;
pub mod nominations;
pub mod one_on_ones;
pub mod plans;
pub mod readiness;
pub mod record;
pub mod team;
pub mod web;
