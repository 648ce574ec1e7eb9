//! The people directory: who works here, in which team, for which manager, and in which position
//! (track and level), with the history of positions. Everyone signed in reads the directory; a
//! person's position and its history are private to them, their management chain and admins.
//!
//! The writes take a transaction (`write_person`, `write_position`) so that a whole CSV file or a
//! SCIM request lands in one transaction; the public functions open it for a single change. A
//! person is checked the same way whichever way they come in: their own details by
//! [`PersonInput::check`], and their place among the others (manager, employee id, no loop of
//! managers) by [`rules`], which one person's write answers from the database and the CSV import
//! from the file and the directory in memory.

mod batch;
mod input;
mod listing;
mod positions;
mod record;
pub mod rules;
mod write;

use serde::Serialize;
use trellis_framework::Framework;

use crate::auth::Actor;
use crate::auth::policy::Relation;
use crate::db::{Db, chain};
use crate::error::AppResult;

pub(crate) use batch::{
    NewPerson, NewPosition, insert_people, insert_positions, team_ids, update_person,
};
pub use input::{PersonFields, PersonInput};
use input::{field, non_empty};
pub use listing::{
    Missing, PAGE_SIZE, PeopleFilter, PeoplePage, PersonSummary, WITHOUT_MANAGER, WITHOUT_POSITION,
    list, teams,
};
use positions::position_event;
pub(crate) use positions::position_kind;
pub use positions::{PositionInput, record_position, resolve_position, write_position};
pub use record::{HistoryEntry, PersonRecord, PrivateRecord, own_position, person, positions};
pub use write::{create_person, save_person, set_role, write_person};
use write::{invalid, person_event, record_person, store_update, team_id};

/// A position: a level of a track, with the names people read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    pub track: String,
    pub level: String,
    /// The track's name in the published framework, or its key when it is not there any more.
    pub track_name: String,
    pub level_title: String,
}

/// The names of a position in the framework people read.
pub fn position_names(fw: Option<&Framework>, track: &str, level: &str) -> Position {
    let t = fw.and_then(|f| f.track(track));
    Position {
        track: track.to_owned(),
        level: level.to_owned(),
        track_name: t.map_or_else(|| track.to_owned(), |t| t.name.clone()),
        level_title: t
            .and_then(|t| t.level(level))
            .map_or_else(|| level.to_owned(), |l| l.title.clone()),
    }
}

/// How the actor stands to the person: themselves, above them in the management chain, or neither.
pub async fn relation(db: &Db, actor: &Actor, person: i64) -> AppResult<Relation> {
    let Some(me) = actor.user_id else {
        return Ok(Relation::Other);
    };
    if me == person {
        return Ok(Relation::Myself);
    }
    let above: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM users WHERE id = $2 AND id IN {}",
        chain::above("$1")
    ))
    .bind(person)
    .bind(me)
    .fetch_optional(db.pool())
    .await?;
    Ok(if above.is_some() {
        Relation::InManagementChain
    } else {
        Relation::Other
    })
}
