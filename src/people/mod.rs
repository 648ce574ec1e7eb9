//! People and access: the directory (people, teams, positions and their history), accounts and
//! sign-in links, invitations, the CSV import and SCIM provisioning, API tokens and the audit log's
//! pages.
//!
//! The use cases are this module's children; `web` holds their pages and `api` their JSON API.

pub mod accounts;
pub mod api;
pub mod directory;
pub mod import;
pub mod invitations;
pub mod provisioning;
pub mod scim;
pub mod web;
