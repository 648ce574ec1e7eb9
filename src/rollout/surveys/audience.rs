//! The audience, taken when a survey opens: who is asked, counted in the groups they were in at
//! that moment; and, with the results, how the audience's accounts changed around the time the
//! survey was open.

use std::collections::BTreeSet;

use super::Audience;
use super::stored::{SURVEY_COLUMNS, SurveyColumns, SurveyRow};
use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::Work;
use crate::db::{Db, Tx, now};
use crate::domain::Day;
use crate::error::AppResult;
use crate::state::AppState;

/// How many people one statement adds to an audience.
const AUDIENCE_BATCH: usize = 200;

/// An active person with the groups they are in now, `pilot` 1 when the pilot includes them.
#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    team_id: Option<i64>,
    track_key: Option<String>,
    pilot: i64,
}

/// Takes the audience of a survey that opens now, in the transaction that opens it: every active
/// person the audience includes, with the groups they are in at this moment. Only these people
/// are asked; their answers count in these groups whatever happens to the directory later. Does
/// nothing when the audience was already taken (another server got there first); returns whether
/// it took it.
pub(super) async fn take_audience(tx: &mut Tx, id: i64, audience: &Audience) -> AppResult<bool> {
    let taken =
        sqlx::query("UPDATE surveys SET opened_at = $2 WHERE id = $1 AND opened_at IS NULL")
            .bind(id)
            .bind(now())
            .execute(&mut **tx)
            .await?
            .rows_affected();
    if taken == 0 {
        return Ok(false);
    }
    let rows = sqlx::query_as::<_, MemberRow>(&format!(
        "SELECT u.id, u.team_id, u.track_key, CASE WHEN {} THEN 1 ELSE 0 END AS pilot \
         FROM users u WHERE u.active = 1 ORDER BY u.id",
        crate::rollout::pilot::in_pilot_sql("u")
    ))
    .fetch_all(&mut **tx)
    .await?;
    let mut people = Vec::with_capacity(rows.len());
    for r in rows {
        if audience.includes(r.team_id, r.track_key.as_deref()) {
            people.push((r.id, r.team_id, r.track_key, r.pilot));
        }
    }
    for batch in people.chunks(AUDIENCE_BATCH) {
        let values: Vec<String> = (0..batch.len())
            .map(|i| {
                let b = i * 5;
                format!(
                    "(${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO survey_audience (survey_id, user_id, team_id, track_key, pilot) VALUES {}",
            values.join(", ")
        );
        let mut insert = sqlx::query(&sql);
        for (user, team, track, pilot) in batch {
            insert = insert
                .bind(id)
                .bind(*user)
                .bind(*team)
                .bind(track.clone())
                .bind(*pilot);
        }
        insert.execute(&mut **tx).await?;
    }
    Ok(true)
}

/// Takes the audience of every survey whose first day has come and whose audience has not been
/// taken yet. The surveys service calls it before anything that reads who is asked, and the
/// application before the first request of each day on each server
/// ([`take_audiences_before_requests`]), so that no change to the directory made after a survey
/// opened (through a page, the API, SCIM or an import) can land before its audience is taken.
pub async fn take_due_audiences(db: &Db) -> AppResult<()> {
    let today = Day::today().to_string();
    let due = sqlx::query_as::<_, SurveyColumns>(&format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys WHERE opened_at IS NULL AND closed_early = 0 \
         AND opens_on <= $1 AND closes_on >= $1"
    ))
    .bind(&today)
    .fetch_all(db.pool())
    .await?;
    let actor = Actor::schedule();
    for r in due {
        let row = SurveyRow::try_from(r)?;
        let permit = policy::take_due_audiences(&actor)?;
        let mut work = Work::begin(db, &actor, permit).await?;
        // Another server may have taken it first: then there is nothing to record.
        if take_audience(work.tx(), row.id, &row.audience).await? {
            work.record(
                Action::SurveyAudienceTaken,
                &format!("survey:{}", row.id),
                &format!(
                    "The survey {} opened: who is asked was fixed from the directory",
                    row.title
                ),
                None,
            )
            .await?;
            work.commit().await?;
        }
    }
    Ok(())
}

/// Middleware: before the first request of each day (UTC) on this server, takes the audiences of
/// the surveys that opened that day ([`take_due_audiences`]); other requests pay one atomic read.
pub async fn take_audiences_before_requests(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use std::sync::atomic::Ordering;
    let today = i64::from(time::OffsetDateTime::now_utc().date().to_julian_day());
    let checked = state.survey_audiences_checked();
    if checked.load(Ordering::Acquire) != today {
        match take_due_audiences(state.db()).await {
            Ok(()) => checked.store(today, Ordering::Release),
            Err(e) => {
                tracing::error!("could not take the audiences of the surveys opening today: {e}")
            }
        }
    }
    next.run(request).await
}

/// How many people a survey asks.
pub(super) async fn asked_count(db: &Db, survey: i64) -> AppResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM survey_audience WHERE survey_id = $1")
            .bind(survey)
            .fetch_one(db.pool())
            .await?,
    )
}

/// The groups a person was in when the survey opened, if it asks them. A survey closed before
/// audiences were taken asks the people its audience includes today.
pub(super) async fn asked_as<'e, E>(db: E, row: &SurveyRow, me: i64) -> AppResult<Option<Person>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if row.opened_at.is_none() {
        return Ok(person(db, me)
            .await?
            .filter(|p| row.audience.includes(p.team, p.track.as_deref())));
    }
    let found = sqlx::query_as::<_, PersonRow>(
        "SELECT team_id, track_key, pilot FROM survey_audience WHERE survey_id = $1 AND user_id = $2",
    )
    .bind(row.id)
    .bind(me)
    .fetch_optional(db)
    .await?;
    Ok(found.map(Person::from))
}

/// A person as a survey sees them: the groups they are in today.
pub(super) struct Person {
    pub(super) team: Option<i64>,
    pub(super) track: Option<String>,
    pub(super) pilot: bool,
}

/// The groups a person is in, `pilot` 1 when the pilot includes them.
#[derive(sqlx::FromRow)]
struct PersonRow {
    team_id: Option<i64>,
    track_key: Option<String>,
    pilot: i64,
}

impl From<PersonRow> for Person {
    fn from(r: PersonRow) -> Person {
        Person {
            team: r.team_id,
            track: r.track_key,
            pilot: r.pilot == 1,
        }
    }
}

pub(super) async fn person<'e, E>(db: E, id: i64) -> AppResult<Option<Person>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query_as::<_, PersonRow>(&format!(
        "SELECT u.team_id, u.track_key, \
         CASE WHEN {} THEN 1 ELSE 0 END AS pilot \
         FROM users u WHERE u.id = $1 AND u.active = 1",
        crate::rollout::pilot::in_pilot_sql("u")
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(Person::from))
}

/// The changes to the audience's accounts that could let someone who controls the directory answer
/// in other people's places, or fill a group with answers they know: shown with the results so
/// that whoever reads them can judge. Counts only, never who.
#[derive(Debug, Clone)]
pub struct AudienceChanges {
    /// The people the survey asked: its audience when it opened.
    pub asked: i64,
    /// Accounts created while the survey was open that its audience includes today. They were not
    /// asked, so they count in no group.
    pub created_while_open: i64,
    /// Accounts the survey asked that were given an invitation or a password reset link by an
    /// admin while it was open: whoever held the link could have answered in their place.
    pub links_while_open: i64,
    /// Accounts the survey asked that were created, or given such a link, in the
    /// [`LOOKBACK_DAYS`] days before it opened.
    pub changed_before_opening: i64,
    /// The same in sentences.
    pub sentences: Vec<String>,
}

/// How far before a survey opened its results look for new accounts and password links.
pub const LOOKBACK_DAYS: i64 = 30;

pub(super) fn accounts(n: i64) -> String {
    if n == 1 {
        "1 account".to_owned()
    } else {
        format!("{n} accounts")
    }
}

impl AudienceChanges {
    fn new(
        asked: i64,
        created_while_open: i64,
        links_while_open: i64,
        changed_before_opening: i64,
    ) -> AudienceChanges {
        let mut sentences = vec![format!(
            "The survey asked {}: the people of its audience when it opened. People who joined \
             the audience later were not asked.",
            if asked == 1 {
                "1 person".to_owned()
            } else {
                format!("{asked} people")
            }
        )];
        sentences.push(match created_while_open {
            0 => "No account of the audience was created while the survey was open.".to_owned(),
            n => format!(
                "{} of the audience {} created while the survey was open. They were not asked, \
                 so they count in no group.",
                accounts(n),
                if n == 1 { "was" } else { "were" }
            ),
        });
        sentences.push(match links_while_open {
            0 => "No one asked was given an invitation or a password reset link while the survey \
                  was open."
                .to_owned(),
            n => format!(
                "{} of people asked {} given an invitation or a password reset link by an admin \
                 while the survey was open. Whoever held such a link could have answered in that \
                 person's place.",
                accounts(n),
                if n == 1 { "was" } else { "were" }
            ),
        });
        sentences.push(match changed_before_opening {
            0 => format!(
                "No account of the people asked was created or given such a link in the \
                 {LOOKBACK_DAYS} days before the survey opened."
            ),
            n => format!(
                "{} of people asked {} created or given such a link in the {LOOKBACK_DAYS} days \
                 before the survey opened.",
                accounts(n),
                if n == 1 { "was" } else { "were" }
            ),
        });
        AudienceChanges {
            asked,
            created_while_open,
            links_while_open,
            changed_before_opening,
            sentences,
        }
    }
}

/// The changes to the audience's accounts around the time a survey was open.
pub(super) async fn audience_changes(
    db: &Db,
    row: &SurveyRow,
    today: Day,
) -> AppResult<AudienceChanges> {
    // Both ends count: times are whole seconds, and a change in the second the survey opened or
    // closed is reported rather than missed.
    let from = row.opened_at();
    let to = row.closed_at(today);
    let before = from - LOOKBACK_DAYS * 86_400;
    let asked = asked_ids(db, row).await?;
    let created = sqlx::query_as::<_, NewAccountRow>(
        "SELECT id, team_id, track_key, created_at FROM users WHERE created_at >= $1 \
         AND created_at <= $2",
    )
    .bind(before)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    let mut created_while_open = 0;
    let mut changed_before: BTreeSet<i64> = BTreeSet::new();
    for r in &created {
        if r.created_at >= from {
            if !asked.contains(&r.id) && row.audience.includes(r.team_id, r.track_key.as_deref()) {
                created_while_open += 1;
            }
        } else if asked.contains(&r.id) {
            changed_before.insert(r.id);
        }
    }
    let links = sqlx::query_as::<_, (i64, i64)>(
        "SELECT user_id, created_at FROM account_links WHERE created_at >= $1 AND created_at <= $2",
    )
    .bind(before)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    let mut linked_while_open: BTreeSet<i64> = BTreeSet::new();
    for (user, at) in links {
        if !asked.contains(&user) {
            continue;
        }
        if at >= from {
            linked_while_open.insert(user);
        } else {
            changed_before.insert(user);
        }
    }
    Ok(AudienceChanges::new(
        asked.len() as i64,
        created_while_open,
        linked_while_open.len() as i64,
        changed_before.len() as i64,
    ))
}

/// An account created around the time a survey was open, with the groups it is in now.
#[derive(sqlx::FromRow)]
struct NewAccountRow {
    id: i64,
    team_id: Option<i64>,
    track_key: Option<String>,
    created_at: i64,
}

/// The people asked: the audience taken when the survey opened, or for a survey closed before
/// audiences were taken, the people its audience includes today.
async fn asked_ids(db: &Db, row: &SurveyRow) -> AppResult<BTreeSet<i64>> {
    if row.opened_at.is_some() {
        return Ok(
            sqlx::query_scalar("SELECT user_id FROM survey_audience WHERE survey_id = $1")
                .bind(row.id)
                .fetch_all(db.pool())
                .await?
                .into_iter()
                .collect(),
        );
    }
    let rows = sqlx::query_as::<_, (i64, Option<i64>, Option<String>)>(
        "SELECT id, team_id, track_key FROM users WHERE active = 1",
    )
    .fetch_all(db.pool())
    .await?;
    let mut ids = BTreeSet::new();
    for (id, team, track) in rows {
        if row.audience.includes(team, track.as_deref()) {
            ids.insert(id);
        }
    }
    Ok(ids)
}
