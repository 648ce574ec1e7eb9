//! The batch writes of the CSV import: many people and positions per statement, with the same
//! audit events as one at a time.

use crate::auth::policy;
use crate::db::Work;
use crate::db::{Tx, now};
use crate::domain::{Day, PositionKind, Status};
use crate::error::{AppError, AppResult};

use super::{PersonFields, person_event, position_event, record_person, store_update, team_id};

/// Bind parameters per statement of the batch writes. Binding costs grow faster than the number of
/// parameters on SQLite (each is looked up by name), so a hundred or two is quicker than thousands.
const BATCH_PARAMETERS: usize = 168;

/// The ids of teams by name key (trimmed, lower case), creating the teams that do not exist yet.
pub(crate) async fn team_ids(
    tx: &mut Tx,
    names: &[&str],
) -> AppResult<std::collections::HashMap<String, i64>> {
    let mut ids = std::collections::HashMap::new();
    for (id, name_key) in sqlx::query_as::<_, (i64, String)>("SELECT id, name_key FROM teams")
        .fetch_all(&mut **tx)
        .await?
    {
        ids.insert(name_key, id);
    }
    for name in names {
        let key = name.trim().to_lowercase();
        if let std::collections::hash_map::Entry::Vacant(entry) = ids.entry(key) {
            entry.insert(team_id(tx, name).await?);
        }
    }
    Ok(ids)
}

/// A person to add in a batch: checked details and the ids they refer to.
pub(crate) struct NewPerson<'a> {
    pub fields: &'a PersonFields,
    pub team_id: Option<i64>,
    pub manager_id: Option<i64>,
    /// The first position (track key, level key); record it with `insert_positions`.
    pub position: Option<(&'a str, &'a str)>,
}

/// Adds people many at a time, with one audit event each as `write_person` writes it. For callers
/// that checked, for the whole batch, what `write_person` checks for one person: the details with
/// `PersonInput::check` and the rules of [`super::rules`] against the batch and the directory
/// (managers come earlier in the batch or are in the directory). Returns the new ids in the order
/// of `people`.
pub(crate) async fn insert_people(
    work: &mut Work<'_>,
    people: &[NewPerson<'_>],
) -> AppResult<Vec<i64>> {
    let actor = work.actor();
    policy::manage_people(actor)?;
    let at = now();
    let mut ids = Vec::with_capacity(people.len());
    for chunk in people.chunks(BATCH_PARAMETERS / 12) {
        let mut sql = String::from(
            "INSERT INTO users (email, name, name_key, role, active, created_at, employee_id, team_id, \
             manager_id, start_date, left_on, track_key, level_key) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 12;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, 'employee', ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 11,
                b + 12
            ));
        }
        sql.push_str(" RETURNING id, email");
        let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
        for p in chunk {
            let f = p.fields;
            query = query
                .bind(f.email.as_str())
                .bind(&f.name)
                .bind(f.name.to_lowercase())
                .bind(i64::from(f.status == Status::Active))
                .bind(at)
                .bind(&f.employee_id)
                .bind(p.team_id)
                .bind(p.manager_id)
                .bind(f.start_date.map(|d| d.to_string()))
                .bind(f.left_on.map(|d| d.to_string()))
                .bind(p.position.map(|(t, _)| t))
                .bind(p.position.map(|(_, l)| l));
        }
        let mut by_email = std::collections::HashMap::with_capacity(chunk.len());
        for (id, email) in query.fetch_all(&mut **work.tx()).await? {
            by_email.insert(email, id);
        }
        let mut events = Vec::with_capacity(chunk.len());
        for p in chunk {
            let id = by_email
                .get(p.fields.email.as_str())
                .copied()
                .ok_or_else(|| AppError::internal("an inserted person has no id"))?;
            events.push(person_event(id, true, p.fields));
            ids.push(id);
        }
        work.record_many(&events).await?;
    }
    Ok(ids)
}

/// Changes an existing person's details with the audit event `write_person` writes, for callers
/// that checked its rules (see `insert_people`). Ends their sessions when they leave.
pub(crate) async fn update_person(
    work: &mut Work<'_>,
    id: i64,
    was_active: bool,
    fields: &PersonFields,
    team_id: Option<i64>,
    manager_id: Option<i64>,
) -> AppResult<()> {
    let actor = work.actor();
    policy::manage_people(actor)?;
    store_update(work.tx(), id, was_active, fields, team_id, manager_id).await?;
    record_person(work, id, false, fields).await
}

/// A position to add to a person's history in a batch.
pub(crate) struct NewPosition<'a> {
    pub person: i64,
    pub track: &'a trellis_framework::Track,
    pub level: &'a trellis_framework::Level,
    pub effective_on: Day,
    pub kind: PositionKind,
    /// The position before, for the audit event.
    pub before: (Option<&'a str>, Option<&'a str>),
    /// The entry is the newest of the history and the person's current position is not yet set
    /// to it: set it.
    pub set_current: bool,
}

/// Adds positions to histories many at a time, with the audit event `write_position` writes.
pub(crate) async fn insert_positions(
    work: &mut Work<'_>,
    positions: &[NewPosition<'_>],
) -> AppResult<()> {
    let actor = work.actor();
    policy::manage_people(actor)?;
    let at = now();
    for chunk in positions.chunks(BATCH_PARAMETERS / 7) {
        let mut sql = String::from(
            "INSERT INTO positions (user_id, track_key, level_key, effective_on, kind, note, recorded_at, recorded_by) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 7;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, NULL, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            ));
        }
        let mut query = sqlx::query(&sql);
        for p in chunk {
            query = query
                .bind(p.person)
                .bind(p.track.key.as_str())
                .bind(p.level.key.as_str())
                .bind(p.effective_on.to_string())
                .bind(p.kind.as_str())
                .bind(at)
                .bind(actor.user_id);
        }
        query.execute(&mut **work.tx()).await?;
        let mut events = Vec::with_capacity(chunk.len());
        for p in chunk {
            if p.set_current {
                sqlx::query("UPDATE users SET track_key = $1, level_key = $2 WHERE id = $3")
                    .bind(p.track.key.as_str())
                    .bind(p.level.key.as_str())
                    .bind(p.person)
                    .execute(&mut **work.tx())
                    .await?;
            }
            events.push(position_event(
                p.person,
                p.before,
                (p.track, p.level),
                p.kind,
                p.effective_on,
            ));
        }
        work.record_many(&events).await?;
    }
    Ok(())
}
