//! Reading nominations: one with its case, the list, and a person's, each only for those the
//! policy lets see it.

use trellis_framework::Framework;

use super::case::{CheckinCase, CompetencyEvidence, checkin_case, track_evidence};
use super::{LIST_LIMIT, NominationStatus, label};
use crate::architecture::framework;
use crate::auth::Actor;
use crate::auth::policy;
use crate::domain::PositionKind;
use crate::error::{AppError, AppResult};
use crate::growth::one_on_ones::PersonRef;
use crate::people::directory::{self, Position};
use crate::rollout::pilot;
use crate::state::AppState;

/// A nomination with its case, as its page and the API show it.
#[derive(Debug, Clone)]
pub struct Nomination {
    pub id: i64,
    pub person: PersonRef,
    pub nominated_by: Option<PersonRef>,
    /// The position held when nominated.
    pub from: Option<Position>,
    pub to: Position,
    pub kind: PositionKind,
    /// Markdown.
    pub case_text: String,
    pub status: NominationStatus,
    /// The latest agreed check-in when the nomination was made.
    pub checkin: Option<CheckinCase>,
    /// The person's evidence for the competencies of the nominated track.
    pub evidence: Vec<CompetencyEvidence>,
    pub decided_by: Option<PersonRef>,
    /// Unix seconds.
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
    /// Proposed, then (once approved) the date the position was recorded from; `YYYY-MM-DD`.
    pub effective_on: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// The viewer may approve or decline it now.
    pub can_decide: bool,
    /// The viewer may withdraw it now.
    pub can_withdraw: bool,
}

/// A line of the nominations list.
#[derive(Debug, Clone)]
pub struct NominationSummary {
    pub id: i64,
    pub person: PersonRef,
    pub to: Position,
    pub kind: PositionKind,
    pub status: NominationStatus,
    pub nominated_by: Option<PersonRef>,
    /// Unix seconds.
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub effective_on: Option<String>,
}

impl Nomination {
    /// What happened to it (see [`label`]).
    pub fn label(&self) -> &'static str {
        label(self.kind, self.status)
    }
}

impl NominationSummary {
    /// What happened to it (see [`label`]).
    pub fn label(&self) -> &'static str {
        label(self.kind, self.status)
    }
}

/// The nominations a viewer may see.
#[derive(Debug, Clone)]
pub struct NominationList {
    pub nominations: Vec<NominationSummary>,
    /// The status shown, or every status.
    pub status: Option<NominationStatus>,
    /// The viewer decides on nominations (the People team's queue).
    pub deciding: bool,
    /// More nominations match than the list shows (the newest [`LIST_LIMIT`]).
    pub truncated: bool,
}

/// A nomination as stored, before the visibility check.
pub(super) struct Stored {
    pub(super) person: i64,
    pub(super) person_name: String,
    pub(super) nominated_by: Option<i64>,
    pub(super) nominator_name: Option<String>,
    pub(super) track: String,
    pub(super) level: String,
    pub(super) from_track: Option<String>,
    pub(super) from_level: Option<String>,
    pub(super) kind: PositionKind,
    pub(super) case_text: String,
    pub(super) checkin: Option<i64>,
    pub(super) status: NominationStatus,
    pub(super) decided_by: Option<i64>,
    pub(super) decider_name: Option<String>,
    pub(super) decided_at: Option<i64>,
    pub(super) decision_note: Option<String>,
    pub(super) effective_on: Option<String>,
    pub(super) created_at: i64,
}

/// A nomination with the names of its person, its nominator and who decided on it.
#[derive(sqlx::FromRow)]
struct NominationRow {
    person_id: i64,
    person_name: String,
    nominated_by: Option<i64>,
    nominator_name: Option<String>,
    track_key: String,
    level_key: String,
    from_track_key: Option<String>,
    from_level_key: Option<String>,
    kind: String,
    case_text: String,
    checkin_id: Option<i64>,
    status: String,
    decided_by: Option<i64>,
    decider_name: Option<String>,
    decided_at: Option<i64>,
    decision_note: Option<String>,
    effective_on: Option<String>,
    created_at: i64,
}

impl NominationRow {
    fn into_stored(self) -> Stored {
        Stored {
            person: self.person_id,
            person_name: self.person_name,
            nominated_by: self.nominated_by,
            nominator_name: self.nominator_name,
            track: self.track_key,
            level: self.level_key,
            from_track: self.from_track_key,
            from_level: self.from_level_key,
            kind: PositionKind::parse(&self.kind).unwrap_or(PositionKind::Promotion),
            case_text: self.case_text,
            checkin: self.checkin_id,
            status: NominationStatus::parse(&self.status).unwrap_or(NominationStatus::Pending),
            decided_by: self.decided_by,
            decider_name: self.decider_name,
            decided_at: self.decided_at,
            decision_note: self.decision_note,
            effective_on: self.effective_on,
            created_at: self.created_at,
        }
    }
}

async fn load(state: &AppState, id: i64) -> AppResult<Option<Stored>> {
    let row = sqlx::query_as::<_, NominationRow>(
        "SELECT n.person_id, p.name AS person_name, n.nominated_by, b.name AS nominator_name, \
         n.track_key, n.level_key, n.from_track_key, n.from_level_key, n.kind, n.case_text, \
         n.checkin_id, n.status, n.decided_by, d.name AS decider_name, n.decided_at, \
         n.decision_note, n.effective_on, n.created_at \
         FROM nominations n JOIN users p ON p.id = n.person_id \
         LEFT JOIN users b ON b.id = n.nominated_by LEFT JOIN users d ON d.id = n.decided_by \
         WHERE n.id = $1",
    )
    .bind(id)
    .fetch_optional(state.db().pool())
    .await?;
    Ok(row.map(NominationRow::into_stored))
}

/// A nomination the actor may see, with their relation to its person; 404 otherwise.
pub(super) async fn visible(state: &AppState, actor: &Actor, id: i64) -> AppResult<Stored> {
    policy::read_directory(actor)?;
    pilot::require_grow(state.db(), actor).await?;
    let missing = || AppError::not_found("this nomination");
    let row = load(state, id).await?.ok_or_else(missing)?;
    let relation = directory::relation(state.db(), actor, row.person).await?;
    if !policy::see_nomination(
        actor,
        relation,
        row.nominated_by,
        row.status == NominationStatus::Approved,
    ) {
        return Err(missing());
    }
    Ok(row)
}

/// A nomination with its case, check-in and evidence.
pub async fn nomination(state: &AppState, actor: &Actor, id: i64) -> AppResult<Nomination> {
    let row = visible(state, actor, id).await?;
    let published = framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let checkin = match row.checkin {
        Some(c) => checkin_case(state, fw, c).await?,
        None => None,
    };
    let evidence = track_evidence(state, fw, row.person, &row.track).await?;
    let pending = row.status == NominationStatus::Pending;
    Ok(Nomination {
        id,
        person: PersonRef {
            id: row.person,
            name: row.person_name,
        },
        nominated_by: row
            .nominated_by
            .zip(row.nominator_name)
            .map(|(id, name)| PersonRef { id, name }),
        from: row
            .from_track
            .as_deref()
            .zip(row.from_level.as_deref())
            .map(|(t, l)| directory::position_names(Some(fw), t, l)),
        to: directory::position_names(Some(fw), &row.track, &row.level),
        kind: row.kind,
        case_text: row.case_text,
        status: row.status,
        checkin,
        evidence,
        decided_by: row
            .decided_by
            .zip(row.decider_name)
            .map(|(id, name)| PersonRef { id, name }),
        decided_at: row.decided_at,
        decision_note: row.decision_note,
        effective_on: row.effective_on,
        created_at: row.created_at,
        can_decide: pending && policy::decide_nomination(actor, row.person).is_ok(),
        can_withdraw: pending && policy::withdraw_nomination(actor, row.nominated_by).is_ok(),
    })
}

/// The nominations the actor may see, newest first: for admins the People team's queue (every
/// nomination but their own undecided ones), for managers those about their chain or made by
/// them, for everyone their own approved ones.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    status: Option<NominationStatus>,
) -> AppResult<NominationList> {
    pilot::require_grow(state.db(), actor).await?;
    policy::read_directory(actor)?;
    let me = actor.user_id.unwrap_or(0);
    let visible = policy::nominations_seen_sql(actor, "$1");
    let status_clause = if status.is_some() {
        " AND n.status = $2"
    } else {
        " AND n.status <> $2"
    };
    let sql = format!(
        "{SUMMARY_SELECT} WHERE {visible}{status_clause} \
         ORDER BY CASE WHEN n.status = 'pending' THEN 0 ELSE 1 END, n.id DESC LIMIT {}",
        LIST_LIMIT + 1
    );
    let rows = sqlx::query_as::<_, SummaryRow>(&sql)
        .bind(me)
        // Without a status, `n.status <> ''` keeps every row.
        .bind(status.map_or("", NominationStatus::as_str))
        .fetch_all(state.db().pool())
        .await?;
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let mut nominations: Vec<NominationSummary> =
        rows.into_iter().map(|r| r.into_summary(fw)).collect();
    let truncated = nominations.len() as i64 > LIST_LIMIT;
    nominations.truncate(LIST_LIMIT as usize);
    Ok(NominationList {
        nominations,
        status,
        deciding: policy::decides_nominations(actor),
        truncated,
    })
}

/// A person's nominations that the actor may see (by the same policy condition as the list), newest
/// first, for their page: the management chain, the nominators and the People team see every one,
/// the person their approved ones.
/// Empty for a viewer without the Grow features.
pub async fn of_person(
    state: &AppState,
    actor: &Actor,
    person: i64,
) -> AppResult<Vec<NominationSummary>> {
    if policy::read_directory(actor).is_err()
        || pilot::require_grow(state.db(), actor).await.is_err()
    {
        return Ok(Vec::new());
    }
    let rows = sqlx::query_as::<_, SummaryRow>(&format!(
        "{SUMMARY_SELECT} WHERE n.person_id = $2 AND {} ORDER BY n.id DESC LIMIT 50",
        policy::nominations_seen_sql(actor, "$1")
    ))
    .bind(actor.user_id.unwrap_or(0))
    .bind(person)
    .fetch_all(state.db().pool())
    .await?;
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    Ok(rows.into_iter().map(|r| r.into_summary(fw)).collect())
}

/// The columns of a nomination as lists show it, from `nominations n` with the person `p` and
/// the nominator `b`; read as [`SummaryRow`].
const SUMMARY_SELECT: &str = "SELECT n.id, n.person_id, p.name AS person_name, n.nominated_by, \
     b.name AS nominator_name, n.track_key, n.level_key, n.kind, n.status, n.created_at, \
     n.decided_at, n.effective_on \
     FROM nominations n JOIN users p ON p.id = n.person_id LEFT JOIN users b ON b.id = n.nominated_by";

/// A nomination of a list, from a row of [`SUMMARY_SELECT`].
#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    person_id: i64,
    person_name: String,
    nominated_by: Option<i64>,
    nominator_name: Option<String>,
    track_key: String,
    level_key: String,
    kind: String,
    status: String,
    created_at: i64,
    decided_at: Option<i64>,
    effective_on: Option<String>,
}

impl SummaryRow {
    fn into_summary(self, fw: Option<&Framework>) -> NominationSummary {
        NominationSummary {
            id: self.id,
            person: PersonRef {
                id: self.person_id,
                name: self.person_name,
            },
            to: directory::position_names(fw, &self.track_key, &self.level_key),
            kind: PositionKind::parse(&self.kind).unwrap_or(PositionKind::Promotion),
            status: NominationStatus::parse(&self.status).unwrap_or(NominationStatus::Pending),
            nominated_by: self
                .nominated_by
                .zip(self.nominator_name)
                .map(|(id, name)| PersonRef { id, name }),
            created_at: self.created_at,
            decided_at: self.decided_at,
            effective_on: self.effective_on,
        }
    }
}
