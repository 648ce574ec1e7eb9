//! A person's growth record: everything about their growth in one document, to download as JSON
//! or print: their position history, check-ins (each side's ratings as the requester may see
//! them), evidence, development plan (goals with their actions and notes), 1:1s (agenda, shared
//! notes, action items) and approved promotions.
//!
//! It is read through the other areas' own services (check-ins, evidence, plans, 1:1s), so that it
//! shows exactly what the requester may see there and nothing more. Private 1:1 notes follow their
//! rule: a note appears only when the requester wrote it. A person's own export holds their own
//! private notes; a manager's or an admin's export of someone else holds only the notes the
//! manager or admin wrote themselves, never the person's.

use serde::Serialize;

use crate::auth::Actor;
use crate::auth::policy;
use crate::domain::RatingEntry;
use crate::error::{AppError, AppResult};
use crate::growth::checkins::{self, CheckinStatus};
use crate::growth::evidence::{self, EvidenceItem};
use crate::growth::nominations::{self, NominationStatus};
use crate::growth::one_on_ones::{self, ActionItem, MeetingStatus, TalkingPoint};
use crate::growth::plans::{self, GoalStatus};
use crate::growth::readiness::{self, Readiness};
use crate::people::directory::{self, HistoryEntry, Position};
use crate::rollout::pilot;
use crate::state::AppState;

/// The version of the document's shape, for programs that read it.
pub const FORMAT: i64 = 1;

/// Whose record it is.
#[derive(Debug, Clone, Serialize)]
pub struct RecordPerson {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub team: Option<String>,
    pub manager: Option<String>,
    pub position: Option<Position>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
}

/// One competency of a check-in with each side's rating, as far as the requester may see it.
#[derive(Debug, Clone, Serialize)]
pub struct RecordRating {
    pub key: String,
    pub name: String,
    #[serde(rename = "self")]
    pub self_rating: Option<RatingEntry>,
    pub manager: Option<RatingEntry>,
    pub agreed: Option<RatingEntry>,
}

/// A check-in of the record.
#[derive(Debug, Clone, Serialize)]
pub struct RecordCheckin {
    pub id: i64,
    pub target: Position,
    pub version_number: i64,
    pub status: CheckinStatus,
    /// Unix seconds.
    pub started_at: i64,
    pub started_by: Option<String>,
    pub manager: Option<String>,
    /// `YYYY-MM-DD`.
    pub agreed_on: Option<String>,
    /// The self-rating is in the record (hidden from others until both sides shared).
    pub self_shown: bool,
    /// The manager's rating is in the record (hidden from the person until both sides shared).
    pub manager_shown: bool,
    pub ratings: Vec<RecordRating>,
}

/// An action of a goal.
#[derive(Debug, Clone, Serialize)]
pub struct RecordAction {
    pub title: String,
    pub due_on: Option<String>,
    /// Unix seconds.
    pub done_at: Option<i64>,
}

/// A note on a goal.
#[derive(Debug, Clone, Serialize)]
pub struct RecordNote {
    /// `progress` (by the person) or `comment` (by their chain).
    pub kind: plans::NoteKind,
    pub author: Option<String>,
    /// Markdown.
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// A goal of the development plan.
#[derive(Debug, Clone, Serialize)]
pub struct RecordGoal {
    pub id: i64,
    pub title: String,
    /// Markdown.
    pub description: Option<String>,
    pub status: GoalStatus,
    pub due_on: Option<String>,
    /// Competency names.
    pub competencies: Vec<String>,
    pub target: Option<Position>,
    pub proposed_by: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub completed_at: Option<i64>,
    pub actions: Vec<RecordAction>,
    pub notes: Vec<RecordNote>,
}

/// A 1:1 meeting.
#[derive(Debug, Clone, Serialize)]
pub struct RecordMeeting {
    pub id: i64,
    /// `YYYY-MM-DD`.
    pub scheduled_on: String,
    pub status: MeetingStatus,
    /// The shared agenda.
    pub agenda: Vec<TalkingPoint>,
    /// Markdown, written by both participants.
    pub shared_notes: String,
    /// Added in this meeting or carried over to it.
    pub action_items: Vec<ActionItem>,
    /// The requester's own private note on this meeting, when they wrote one; nobody else's.
    pub my_private_note: Option<String>,
}

/// A 1:1 series of the person with a manager.
#[derive(Debug, Clone, Serialize)]
pub struct RecordSeries {
    pub id: i64,
    pub manager: String,
    pub report: String,
    pub cadence_days: i64,
    /// Oldest first; the upcoming meeting last.
    pub meetings: Vec<RecordMeeting>,
}

/// A nomination: a promotion or move proposed, where it stands, and its case.
#[derive(Debug, Clone, Serialize)]
pub struct RecordPromotion {
    pub id: i64,
    pub to: Position,
    pub kind: crate::domain::PositionKind,
    pub status: NominationStatus,
    /// Markdown.
    pub case_text: String,
    pub effective_on: Option<String>,
    /// Unix seconds.
    pub decided_at: Option<i64>,
}

/// The whole record.
#[derive(Debug, Clone, Serialize)]
pub struct GrowthRecord {
    pub format: i64,
    /// Unix seconds.
    pub exported_at: i64,
    /// Who asked for the export.
    pub exported_by: String,
    pub person: RecordPerson,
    pub readiness: Option<Readiness>,
    /// Newest first.
    pub checkins: Vec<RecordCheckin>,
    /// Newest first.
    pub evidence: Vec<EvidenceItem>,
    /// Active goals first.
    pub goals: Vec<RecordGoal>,
    pub one_on_ones: Vec<RecordSeries>,
    /// The nominations the requester may see (the person themselves: the approved ones), newest
    /// first.
    pub promotions: Vec<RecordPromotion>,
}

/// A person's growth record, for the person, their management chain and admins; 404 for others.
pub async fn export(state: &AppState, actor: &Actor, person: i64) -> AppResult<GrowthRecord> {
    policy::read_directory(actor)?;
    pilot::require_grow(state.db(), actor).await?;
    let relation = directory::relation(state.db(), actor, person).await?;
    if !policy::export_growth_record(actor, relation) {
        return Err(AppError::not_found("this growth record"));
    }
    let record = directory::person(state, actor, person).await?;
    let private = record
        .private
        .ok_or_else(|| AppError::not_found("this growth record"))?;
    let db = state.db();
    Ok(GrowthRecord {
        format: FORMAT,
        exported_at: crate::db::now(),
        exported_by: actor.name.clone(),
        person: RecordPerson {
            id: record.id,
            name: record.name,
            email: record.email,
            team: record.team,
            manager: record.manager_name,
            position: private.position,
            history: private.history,
        },
        readiness: readiness::of_person(db, person).await?,
        checkins: checkins_of(state, actor, person).await?,
        evidence: evidence::list(state, actor, person, None).await?.items,
        goals: goals_of(state, actor, person).await?,
        one_on_ones: one_on_ones_of(state, actor, person).await?,
        promotions: promotions_of(state, actor, person).await?,
    })
}

/// Every check-in of the person, each read through the check-ins service so that a side hidden
/// from the requester stays hidden.
async fn checkins_of(
    state: &AppState,
    actor: &Actor,
    person: i64,
) -> AppResult<Vec<RecordCheckin>> {
    let mut out = Vec::new();
    for item in checkins::list_for_person(state, actor, person).await? {
        let c = checkins::get(state, actor, item.id).await?;
        let pick = |ratings: &Option<crate::domain::Ratings>, key: &str| {
            ratings.as_ref().and_then(|r| r.get(key)).cloned()
        };
        let mut ratings: Vec<RecordRating> = c
            .competencies
            .iter()
            .map(|comp| RecordRating {
                key: comp.key.clone(),
                name: comp.name.clone(),
                self_rating: pick(&c.self_ratings, &comp.key),
                manager: pick(&c.manager_ratings, &comp.key),
                agreed: pick(&c.agreed_ratings, &comp.key),
            })
            .collect();
        // Ratings of competencies the pinned track no longer lists are kept, under their keys.
        for side in [&c.self_ratings, &c.manager_ratings, &c.agreed_ratings] {
            for key in side.iter().flat_map(|r| r.keys()) {
                if !ratings.iter().any(|r| &r.key == key) {
                    ratings.push(RecordRating {
                        key: key.clone(),
                        name: key.clone(),
                        self_rating: pick(&c.self_ratings, key),
                        manager: pick(&c.manager_ratings, key),
                        agreed: pick(&c.agreed_ratings, key),
                    });
                }
            }
        }
        out.push(RecordCheckin {
            id: c.id,
            target: c.target,
            version_number: c.version_number,
            status: c.status,
            started_at: c.started_at,
            started_by: c.started_by_name,
            manager: c.manager_name,
            agreed_on: c.agreed_on,
            self_shown: c.self_ratings.is_some(),
            manager_shown: c.manager_ratings.is_some(),
            ratings,
        });
    }
    Ok(out)
}

/// Every goal of the plan with its actions and notes.
async fn goals_of(state: &AppState, actor: &Actor, person: i64) -> AppResult<Vec<RecordGoal>> {
    let plan = plans::plan(state, actor, person).await?;
    let mut out = Vec::with_capacity(plan.goals.len());
    for summary in &plan.goals {
        let g = plans::goal(state, actor, summary.id).await?;
        out.push(RecordGoal {
            id: g.id,
            title: g.title,
            description: g.description,
            status: g.status,
            due_on: g.due_on,
            competencies: g.competencies.into_iter().map(|c| c.name).collect(),
            target: g.target,
            proposed_by: g.proposed_by,
            created_at: g.created_at,
            completed_at: g.completed_at,
            actions: g
                .actions
                .into_iter()
                .map(|a| RecordAction {
                    title: a.title,
                    due_on: a.due_on,
                    done_at: a.done_at,
                })
                .collect(),
            notes: g
                .notes
                .into_iter()
                .map(|n| RecordNote {
                    kind: n.kind,
                    author: n.author_name,
                    body: n.body,
                    created_at: n.created_at,
                })
                .collect(),
        });
    }
    Ok(out)
}

/// The person's 1:1 series as a report, every meeting read through the 1:1 service (which gives
/// the requester their own private note and never anyone else's).
async fn one_on_ones_of(
    state: &AppState,
    actor: &Actor,
    person: i64,
) -> AppResult<Vec<RecordSeries>> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM one_on_one_series WHERE report_id = $1 ORDER BY id")
            .bind(person)
            .fetch_all(state.db().pool())
            .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let series = one_on_ones::series(state, actor, id).await?;
        let mut meetings = Vec::with_capacity(series.history.len() + 1);
        for held in series.history.iter().rev() {
            meetings.push(meeting(
                one_on_ones::meeting(state, actor, held.id).await?.meeting,
            ));
        }
        meetings.push(meeting(series.current));
        out.push(RecordSeries {
            id,
            manager: series.info.manager.name,
            report: series.info.report.name,
            cadence_days: series.info.cadence_days,
            meetings,
        });
    }
    Ok(out)
}

fn meeting(m: one_on_ones::Meeting) -> RecordMeeting {
    RecordMeeting {
        id: m.id,
        scheduled_on: m.scheduled_on,
        status: m.status,
        agenda: m.agenda,
        shared_notes: m.shared_notes,
        action_items: m.action_items,
        my_private_note: m.private_note.map(|n| n.body),
    }
}

/// The person's nominations the requester may see, with what happened to each and the case made.
async fn promotions_of(
    state: &AppState,
    actor: &Actor,
    person: i64,
) -> AppResult<Vec<RecordPromotion>> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM nominations WHERE person_id = $1 ORDER BY id DESC")
            .bind(person)
            .fetch_all(state.db().pool())
            .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        // Only the nominations the requester may see: a pending or declined one stays with the
        // managers and the People team.
        let n = match nominations::nomination(state, actor, id).await {
            Ok(n) => n,
            Err(AppError::NotFound(_)) => continue,
            Err(e) => return Err(e),
        };
        out.push(RecordPromotion {
            id,
            to: n.to,
            kind: n.kind,
            status: n.status,
            case_text: n.case_text,
            effective_on: n.effective_on,
            decided_at: n.decided_at,
        });
    }
    Ok(out)
}
