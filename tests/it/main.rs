//! The integration suite: the whole application driven in-process, on SQLite by default and on
//! PostgreSQL when `TEST_DATABASE_URL` names a server.

mod access;
mod accounts;
mod admin;
mod api;
mod cli;
mod editor;
mod exporters;
mod files;
mod helpers;
mod importers;
mod lint;
mod openapi;
mod people;
mod people_import;
mod reading;
mod scim;
mod templates;
mod versions;
