//! Job architecture: the framework (competency library, tracks, levels and what each level
//! expects), its draft, its published versions, its files and the template catalogue.
//!
//! The use cases are this module's children; `web` holds their pages and `api` their JSON API.

pub mod api;
pub mod framework;
pub mod templates;
pub mod web;
