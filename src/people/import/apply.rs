//! Writing a checked plan in the import's transaction: new people (managers before their reports),
//! then changed people, then positions, then the people the file does not have, many to a
//! statement through the directory's batch writes.

use std::collections::{HashMap, HashSet};

use super::PROGRESS_EVERY;
use super::plan::{Plan, Planned};
use super::snapshot::Directory;
use crate::db::Tx;
use crate::db::Work;
use crate::domain::{Day, Email, PositionKind, Status};
use crate::error::{AppError, AppResult};
use crate::people::directory::{self, NewPerson, NewPosition, PersonFields};

/// Writes a checked plan. Returns the ids of the people who left.
pub(super) async fn apply(
    work: &mut Work<'_>,
    dir: &Directory,
    plan: &Plan<'_>,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> AppResult<Vec<i64>> {
    let mut progress = Progress {
        done: 0,
        total: plan.rows.len(),
        callback: progress,
    };
    let teams = Teams::of(work.tx(), plan).await?;
    let mut ids: HashMap<String, i64> =
        dir.people.iter().map(|p| (p.email.clone(), p.id)).collect();
    add_new_people(work, plan, &teams, &mut ids, &mut progress).await?;
    let mut left = change_people(work, dir, plan, &teams, &ids, &mut progress).await?;
    record_positions(work, dir, plan, &ids).await?;
    left.extend(mark_missing_as_left(work, dir, plan, &teams).await?);
    Ok(left)
}

/// Counts the rows written and tells the caller every [`PROGRESS_EVERY`] rows and at the end.
struct Progress<'p> {
    done: usize,
    total: usize,
    callback: &'p (dyn Fn(usize, usize) + Send + Sync),
}

impl Progress<'_> {
    fn report(&mut self, n: usize) {
        let before = self.done / PROGRESS_EVERY;
        self.done += n;
        if self.done / PROGRESS_EVERY != before || self.done == self.total {
            (self.callback)(self.done.min(self.total), self.total);
        }
    }
}

/// The ids of the teams, by name key, with the file's new teams created.
struct Teams(HashMap<String, i64>);

impl Teams {
    async fn of(tx: &mut Tx, plan: &Plan<'_>) -> AppResult<Teams> {
        let mut seen = HashSet::new();
        let names: Vec<&str> = plan
            .rows
            .iter()
            .filter_map(|r| r.fields.team.as_deref())
            .filter(|t| seen.insert(t.trim().to_lowercase()))
            .collect();
        Ok(Teams(directory::team_ids(tx, &names).await?))
    }

    fn id(&self, team: Option<&str>) -> Option<i64> {
        team.and_then(|t| self.0.get(&t.trim().to_lowercase()).copied())
    }
}

/// The id of a row's manager, once written.
fn manager_id(fields: &PersonFields, ids: &HashMap<String, i64>) -> Option<i64> {
    fields
        .manager
        .as_ref()
        .and_then(|m| ids.get(m.as_str()).copied())
}

/// Each row's depth in the file's management tree (0 for someone whose manager is not in the
/// file), so that managers are written before their reports.
fn depths(rows: &[Planned<'_>]) -> AppResult<Vec<usize>> {
    let row_of: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.fields.email.as_str(), i))
        .collect();
    let mut depth: Vec<Option<usize>> = vec![None; rows.len()];
    for start in 0..rows.len() {
        let mut chain = Vec::new();
        let mut at = Some(start);
        let mut base = 0;
        while let Some(i) = at {
            if let Some(d) = depth[i] {
                base = d + 1;
                break;
            }
            chain.push(i);
            at = rows[i]
                .fields
                .manager
                .as_ref()
                .and_then(|m| row_of.get(m.as_str()).copied());
            if chain.len() > rows.len() {
                return Err(AppError::internal("a loop of managers passed the checks"));
            }
        }
        for (k, &i) in chain.iter().rev().enumerate() {
            depth[i] = Some(base + k);
        }
    }
    Ok(depth.into_iter().map(|d| d.unwrap_or(0)).collect())
}

/// Adds the people the directory does not have, a layer of the management tree at a time, and
/// keeps their ids.
async fn add_new_people(
    work: &mut Work<'_>,
    plan: &Plan<'_>,
    teams: &Teams,
    ids: &mut HashMap<String, i64>,
    progress: &mut Progress<'_>,
) -> AppResult<()> {
    let depth = depths(&plan.rows)?;
    let mut new_rows: Vec<usize> = (0..plan.rows.len())
        .filter(|&i| plan.rows[i].existing.is_none())
        .collect();
    new_rows.sort_by_key(|&i| (depth[i], i));
    for layer in new_rows.chunk_by(|&a, &b| depth[a] == depth[b]) {
        let batch: Vec<NewPerson<'_>> = layer
            .iter()
            .map(|&i| {
                let r = &plan.rows[i];
                NewPerson {
                    fields: &r.fields,
                    team_id: teams.id(r.fields.team.as_deref()),
                    manager_id: manager_id(&r.fields, ids),
                    position: r.position.map(|(t, l)| (t.key.as_str(), l.key.as_str())),
                }
            })
            .collect();
        let new_ids = directory::insert_people(work, &batch).await?;
        for (&i, id) in layer.iter().zip(new_ids) {
            ids.insert(plan.rows[i].fields.email.to_string(), id);
        }
        progress.report(layer.len());
    }
    Ok(())
}

/// Writes the details of the people of the directory the file changes. Returns the ids of those
/// who left.
async fn change_people(
    work: &mut Work<'_>,
    dir: &Directory,
    plan: &Plan<'_>,
    teams: &Teams,
    ids: &HashMap<String, i64>,
    progress: &mut Progress<'_>,
) -> AppResult<Vec<i64>> {
    let mut left = Vec::new();
    let mut unchanged = 0;
    for r in &plan.rows {
        let Some(e) = r.existing.map(|i| &dir.people[i]) else {
            continue;
        };
        if r.changes.is_empty() {
            unchanged += 1;
            if unchanged % PROGRESS_EVERY == 0 {
                progress.report(PROGRESS_EVERY);
            }
            continue;
        }
        if e.active && r.fields.status == Status::Left {
            left.push(e.id);
        }
        let team_id = teams.id(r.fields.team.as_deref());
        let manager_id = manager_id(&r.fields, ids);
        directory::update_person(work, e.id, e.active, &r.fields, team_id, manager_id).await?;
        progress.report(1);
    }
    progress.report(unchanged % PROGRESS_EVERY);
    Ok(left)
}

/// The date of the newest entry of each history, when a row changes the position of someone of
/// the directory.
async fn newest_positions(tx: &mut Tx, plan: &Plan<'_>) -> AppResult<HashMap<i64, String>> {
    let mut newest = HashMap::new();
    if !plan
        .rows
        .iter()
        .any(|r| r.existing.is_some() && r.position.is_some())
    {
        return Ok(newest);
    }
    for (user_id, date) in sqlx::query_as::<_, (i64, Option<String>)>(
        "SELECT user_id, MAX(effective_on) AS newest FROM positions GROUP BY user_id",
    )
    .fetch_all(&mut **tx)
    .await?
    {
        if let Some(d) = date {
            newest.insert(user_id, d);
        }
    }
    Ok(newest)
}

/// Records the positions the file asks for: a new person's first position from their start date,
/// as a hire; a change from today, made current unless the history already has a later entry.
async fn record_positions(
    work: &mut Work<'_>,
    dir: &Directory,
    plan: &Plan<'_>,
    ids: &HashMap<String, i64>,
) -> AppResult<()> {
    let newest = newest_positions(work.tx(), plan).await?;
    let today = Day::today();
    let mut positions = Vec::new();
    for r in &plan.rows {
        let Some((track, level)) = r.position else {
            continue;
        };
        let ex = r.existing.map(|i| &dir.people[i]);
        let Some(&person) = ids.get(r.fields.email.as_str()) else {
            return Err(AppError::internal("a person of the file has no id"));
        };
        let before = (
            ex.and_then(|e| e.track.as_deref()),
            ex.and_then(|e| e.level.as_deref()),
        );
        let kind = directory::position_kind(before.0, before.1, track, level);
        let effective_on = if kind == PositionKind::Hire {
            r.fields.start_date.unwrap_or(today)
        } else {
            today
        };
        let set_current = ex.is_some()
            && newest
                .get(&person)
                .is_none_or(|n| n.as_str() <= effective_on.to_string().as_str());
        positions.push(NewPosition {
            person,
            track,
            level,
            effective_on,
            kind,
            before,
            set_current,
        });
    }
    directory::insert_positions(work, &positions).await
}

/// Marks the people the file does not have as left, from today, when the import was asked to.
/// Returns their ids.
async fn mark_missing_as_left(
    work: &mut Work<'_>,
    dir: &Directory,
    plan: &Plan<'_>,
    teams: &Teams,
) -> AppResult<Vec<i64>> {
    let today = Day::today();
    let mut left = Vec::with_capacity(plan.deactivate.len());
    for &i in &plan.deactivate {
        let p = &dir.people[i];
        let fields = PersonFields {
            email: Email::parse(&p.email).map_err(|_| {
                AppError::internal(format!("a stored email is invalid: {}", p.email))
            })?,
            name: p.name.clone(),
            employee_id: p.employee_id.clone(),
            team: p.team.clone(),
            manager: dir
                .email_of(p.manager_id)
                .and_then(|m| Email::parse(m).ok()),
            start_date: p.start_date.as_deref().and_then(|d| Day::parse(d).ok()),
            status: Status::Left,
            left_on: Some(today),
        };
        let team_id = teams.id(fields.team.as_deref());
        directory::update_person(work, p.id, true, &fields, team_id, p.manager_id).await?;
        left.push(p.id);
    }
    Ok(left)
}
