//! The directory as the import sees it: everyone, read in one query, looked up in memory.

use std::collections::HashMap;

use crate::error::AppResult;

/// One person of the directory as it stands.
#[derive(Debug, Clone)]
pub(super) struct Existing {
    pub(super) id: i64,
    pub(super) email: String,
    pub(super) name: String,
    pub(super) employee_id: Option<String>,
    pub(super) manager_id: Option<i64>,
    pub(super) team: Option<String>,
    pub(super) start_date: Option<String>,
    pub(super) active: bool,
    pub(super) left_on: Option<String>,
    pub(super) track: Option<String>,
    pub(super) level: Option<String>,
}

/// A person's columns as the directory's query reads them, with their team's name.
#[derive(sqlx::FromRow)]
struct ExistingRow {
    id: i64,
    email: String,
    name: String,
    employee_id: Option<String>,
    manager_id: Option<i64>,
    team: Option<String>,
    start_date: Option<String>,
    active: i64,
    left_on: Option<String>,
    track_key: Option<String>,
    level_key: Option<String>,
}

impl From<ExistingRow> for Existing {
    fn from(r: ExistingRow) -> Existing {
        Existing {
            id: r.id,
            email: r.email,
            name: r.name,
            employee_id: r.employee_id,
            manager_id: r.manager_id,
            team: r.team,
            start_date: r.start_date,
            active: r.active == 1,
            left_on: r.left_on,
            track: r.track_key,
            level: r.level_key,
        }
    }
}

/// The whole directory, read in one query.
pub(super) struct Directory {
    /// Everyone, by email.
    pub(super) people: Vec<Existing>,
    pub(super) by_email: HashMap<String, usize>,
    by_id: HashMap<i64, usize>,
}

impl Directory {
    pub(super) async fn load<'e, E>(executor: E) -> AppResult<Directory>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let rows = sqlx::query_as::<_, ExistingRow>(
            "SELECT u.id, u.email, u.name, u.employee_id, u.manager_id, t.name AS team, u.start_date, \
             u.active, u.left_on, u.track_key, u.level_key \
             FROM users u LEFT JOIN teams t ON t.id = u.team_id ORDER BY u.email",
        )
        .fetch_all(executor)
        .await?;
        let people: Vec<Existing> = rows.into_iter().map(Existing::from).collect();
        let by_email = people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.email.clone(), i))
            .collect();
        let by_id = people.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
        Ok(Directory {
            people,
            by_email,
            by_id,
        })
    }

    pub(super) fn email_of(&self, id: Option<i64>) -> Option<&str> {
        id.and_then(|id| self.by_id.get(&id))
            .map(|&i| self.people[i].email.as_str())
    }
}

impl Directory {
    /// A directory with nobody in it.
    pub(super) fn empty() -> Directory {
        Directory {
            people: Vec::new(),
            by_email: HashMap::new(),
            by_id: HashMap::new(),
        }
    }

    /// The email of the manager of the person with this email, as the directory has it.
    pub(super) fn manager_email_of(&self, email: &str) -> Option<&str> {
        self.by_email
            .get(email)
            .and_then(|&i| self.email_of(self.people[i].manager_id))
    }
}
