//! Rollout and measurement: what a People team does to introduce career tracks (the readiness self-
//! check, the roadmap, the pilot) and how it measures them (pulse surveys with their anonymity
//! rule, the KPI dashboard).
//!
//! The use cases are this module's children; `web` holds their pages and `api` their JSON API.

pub mod api;
pub mod kpis;
pub mod pilot;
pub mod roadmap;
pub mod self_check;
pub mod surveys;
pub mod web;

/// The surveys' anonymity rule: which groups of answers may be shown (pure, in `trellis_rules`).
pub use trellis_rules::anonymity;
