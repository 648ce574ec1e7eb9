//! The team's latest agreed ratings, competency × person.

use std::collections::HashMap;

use trellis_framework::Framework;

use super::TeamMember;
use crate::domain::{Rating, Ratings};
use crate::people::directory::{self, Position};

/// A competency row of the heat map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatRow {
    pub key: String,
    pub name: String,
    /// One per column (person), in the order of [`HeatMap::people`]; `None` when their latest
    /// agreed check-in has no rating for this competency (or they have none).
    pub ratings: Vec<Option<Rating>>,
}

/// A column of the heat map: a person and the check-in their ratings come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatColumn {
    pub id: i64,
    pub name: String,
    pub checkin_id: Option<i64>,
    /// The position the check-in rated against.
    pub target: Option<Position>,
    pub agreed_on: Option<String>,
}

/// The team's latest agreed ratings, competency × person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeatMap {
    pub people: Vec<HeatColumn>,
    pub rows: Vec<HeatRow>,
}

/// A member's latest agreed check-in, as the heat map reads it.
pub(super) struct LatestRatings {
    pub(super) track: String,
    pub(super) level: String,
    pub(super) agreed_on: Option<String>,
    pub(super) ratings: Ratings,
}

/// Competency × person: the rows are the competencies of the tracks the check-ins rated, in each
/// track's order (the first member's track first); the columns the members, in the team's order.
pub(super) fn heat_map(
    fw: Option<&Framework>,
    members: &[TeamMember],
    checkins: &HashMap<i64, LatestRatings>,
) -> HeatMap {
    let mut keys: Vec<String> = Vec::new();
    let mut columns = Vec::with_capacity(members.len());
    let mut ratings = Vec::with_capacity(members.len());
    for m in members {
        let checkin = m.last_checkin_id.and_then(|id| checkins.get(&id));
        if let Some(c) = checkin {
            let in_track = fw
                .and_then(|f| f.track(&c.track))
                .map(|t| t.competencies.iter().map(|k| k.to_string()).collect())
                .unwrap_or_else(|| c.ratings.keys().cloned().collect::<Vec<_>>());
            for k in in_track.into_iter().chain(c.ratings.keys().cloned()) {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        columns.push(HeatColumn {
            id: m.id,
            name: m.name.clone(),
            checkin_id: m.last_checkin_id,
            target: checkin.map(|c| directory::position_names(fw, &c.track, &c.level)),
            agreed_on: checkin.and_then(|c| c.agreed_on.clone()),
        });
        ratings.push(checkin.map(|c| &c.ratings));
    }
    let rows = keys
        .into_iter()
        .map(|key| HeatRow {
            name: fw
                .and_then(|f| f.competency(&key))
                .map_or_else(|| key.clone(), |c| c.name.clone()),
            ratings: ratings
                .iter()
                .map(|r| r.and_then(|r| r.get(&key)).map(|e| e.rating))
                .collect(),
            key,
        })
        .collect();
    HeatMap {
        people: columns,
        rows,
    }
}
