//! The JSON this area's API sends and receives: one module per API module, each type a copy of
//! the service type it is made from, with the same name, fields and descriptions, so that the
//! OpenAPI document describes what the API owns rather than what the services happen to return.

pub(crate) mod checkin_rounds;
pub(crate) mod checkins;
pub(crate) mod evidence;
pub(crate) mod home;
pub(crate) mod nominations;
pub(crate) mod one_on_ones;
pub(crate) mod plans;
pub(crate) mod readiness;
pub(crate) mod record;
pub(crate) mod team;

pub(crate) use crate::people::api::wire::{HistoryEntry, Position};
