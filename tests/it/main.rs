//! The integration suite: the whole application driven in-process, on SQLite by default and on
//! PostgreSQL when `TEST_DATABASE_URL` names a server.

mod access;
mod accounts;
mod admin;
mod api;
mod backup;
mod checkins;
mod cli;
mod dashboard;
mod deactivation;
mod deep_input;
mod durability;
mod editor;
mod evidence;
mod exporters;
mod files;
mod growth_record;
mod helpers;
mod home;
mod importers;
mod lint;
mod nominations;
mod one_on_ones;
mod openapi;
mod people;
mod people_import;
mod plans;
mod privacy;
mod readiness;
mod reading;
mod rollout;
mod scim;
mod surveys;
mod team;
mod templates;
mod versions;
