//! The JSON of 1:1s: series, meetings with their agenda, notes and action items, and the people
//! they are between.

use serde::Serialize;
use utoipa::ToSchema;

use crate::growth::one_on_ones as service;

/// Someone, by id and name.
#[derive(Serialize, ToSchema)]
#[schema(as = OneOnOnePerson)]
pub struct PersonRef {
    pub id: i64,
    pub name: String,
}

impl From<service::PersonRef> for PersonRef {
    fn from(p: service::PersonRef) -> Self {
        PersonRef {
            id: p.id,
            name: p.name,
        }
    }
}
