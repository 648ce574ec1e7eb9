//! The JSON this area's API sends and receives: one module per API module, each type a copy of
//! the service type it is made from, with the same name, fields and descriptions, so that the
//! OpenAPI document describes what the API owns rather than what the services happen to return.

pub(crate) mod kpis;
pub(crate) mod rollout;
pub(crate) mod surveys;
