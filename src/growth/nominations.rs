//! Promotion nominations: someone in a person's management chain proposes them for a new position
//! (a higher level of their track, or another track) with a written case, which shows the latest
//! agreed check-in and the person's evidence beside it. The People team approves or declines it
//! (with a note), or the nominator withdraws it. Approval records the position in the person's
//! history in the same transaction as the decision.
//!
//! Who sees what (see `policy::see_nomination`): the management chain, the nominator and admins see
//! every nomination; the nominee sees one only once it is approved, as their promotion. A pending
//! or declined case is a conversation between their managers and the People team.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use trellis_framework::Framework;

use crate::architecture::framework;
use crate::audit::Action;
use crate::auth::Actor;
use crate::auth::policy::{self, Relation};
use crate::db::Work;
use crate::db::now;
use crate::domain::{Day, PositionKind, Rating, parse_ratings};
use crate::error::{AppError, AppResult, FieldError};
use crate::growth::evidence::{self, EvidenceItem};
use crate::growth::one_on_ones::PersonRef;
use crate::people::directory::{self, Position, PositionInput};
use crate::rollout::pilot;
use crate::state::AppState;

/// The longest case or decision note, in characters.
pub const TEXT_MAX: usize = 20_000;
/// Nominations per list page.
pub const LIST_LIMIT: i64 = 200;

/// Where a nomination stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NominationStatus {
    /// Waiting for the People team.
    Pending,
    /// Approved: the position is recorded.
    Approved,
    Declined,
    /// Taken back by the nominator before a decision.
    Withdrawn,
}

impl NominationStatus {
    pub const ALL: [NominationStatus; 4] = [
        NominationStatus::Pending,
        NominationStatus::Approved,
        NominationStatus::Declined,
        NominationStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NominationStatus::Pending => "pending",
            NominationStatus::Approved => "approved",
            NominationStatus::Declined => "declined",
            NominationStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<NominationStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }

    /// The words people read.
    pub fn label(self) -> &'static str {
        match self {
            NominationStatus::Pending => "Waiting for a decision",
            NominationStatus::Approved => "Approved",
            NominationStatus::Declined => "Declined",
            NominationStatus::Withdrawn => "Withdrawn",
        }
    }
}

/// What happened to a nomination, in the words every page shows it with: what was proposed and
/// where it stands. A nomination is never "Promoted": only a position recorded in someone's
/// history says that.
pub fn label(kind: PositionKind, status: NominationStatus) -> &'static str {
    let promotion = kind == PositionKind::Promotion;
    match (status, promotion) {
        (NominationStatus::Pending, true) => "Promotion proposed, waiting for a decision",
        (NominationStatus::Pending, false) => "Move proposed, waiting for a decision",
        (NominationStatus::Approved, true) => "Promotion approved",
        (NominationStatus::Approved, false) => "Move approved",
        (NominationStatus::Declined, true) => "Promotion declined",
        (NominationStatus::Declined, false) => "Move declined",
        (NominationStatus::Withdrawn, true) => "Promotion withdrawn",
        (NominationStatus::Withdrawn, false) => "Move withdrawn",
    }
}

/// The words of a case once whitespace and markdown's line markers (headings, bullets, quotes,
/// numbers) are set aside, so that a re-indented or re-bulleted template line still reads as the
/// template.
fn case_line_words(line: &str) -> String {
    let words = line.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut rest = words.as_str();
    loop {
        let trimmed = rest
            .trim_start_matches(['#', '-', '*', '+', '>'])
            .trim_start();
        let digits = trimmed.trim_start_matches(|c: char| c.is_ascii_digit());
        let trimmed = if digits.len() < trimmed.len() && digits.starts_with(['.', ')']) {
            digits[1..].trim_start()
        } else {
            trimmed
        };
        if trimmed.len() == rest.len() {
            return trimmed.to_owned();
        }
        rest = trimmed;
    }
}

/// Why a case says nothing yet, or `None` when it says something. A case must carry words its
/// author wrote: not nothing, not the prefilled template (compared with its whitespace
/// normalised), and not only the template's headings, prompts and written-out check-in and
/// evidence with nothing written under them. Headings and empty bullets never count as words.
/// The one rule for the form and the API.
pub fn case_says_nothing(case: &str, template: &str, person: &str) -> Option<String> {
    let normalised = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    if normalised(case).is_empty() {
        return Some(format!(
            "write the case: what {person} does that the new position asks for"
        ));
    }
    if normalised(case) == normalised(template) {
        return Some(format!(
            "the case is still the template as it was filled in: under “Why now”, write what \
             {person} does that the new position asks for"
        ));
    }
    let prefilled: std::collections::HashSet<String> =
        template.lines().map(case_line_words).collect();
    let written = case.lines().any(|line| {
        let words = case_line_words(line);
        !words.is_empty() && !line.trim_start().starts_with('#') && !prefilled.contains(&words)
    });
    (!written).then(|| {
        format!(
            "the case has only the template's headings and prompts: write under them what \
             {person} does that the new position asks for"
        )
    })
}

/// One competency of the check-in pulled into a case, with its agreed rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RatedCompetency {
    pub key: String,
    pub name: String,
    /// `None` when the check-in has no agreed rating for it.
    pub rating: Option<Rating>,
}

/// The agreed check-in a case stands on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CheckinCase {
    pub id: i64,
    /// The position the check-in rated against.
    pub target: Position,
    /// `YYYY-MM-DD`.
    pub agreed_on: Option<String>,
    /// In the order of the track's competencies.
    pub ratings: Vec<RatedCompetency>,
    /// Competencies rated meets or exceeds.
    pub meeting: usize,
    /// Competencies rated on the scale (not applicable left out).
    pub rated: usize,
}

/// Evidence for one competency of the nominated position's track.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CompetencyEvidence {
    pub key: String,
    pub name: String,
    pub items: Vec<EvidenceItem>,
}

/// A nomination with its case, as its page and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NominationList {
    pub nominations: Vec<NominationSummary>,
    /// The status shown, or every status.
    pub status: Option<NominationStatus>,
    /// The viewer decides on nominations (the People team's queue).
    pub deciding: bool,
    /// More nominations match than the list shows (the newest [`LIST_LIMIT`]).
    pub truncated: bool,
}

/// What the form to nominate someone shows: where they are, where they could go, and what the case
/// can stand on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NominationDraft {
    pub person: PersonRef,
    pub position: Option<Position>,
    /// Positions one may nominate them for, by track name: higher levels of their track first,
    /// then the levels of other tracks.
    pub choices: Vec<(String, Vec<Position>)>,
    /// The next level of their track, the natural choice.
    pub suggested: Option<Position>,
    pub checkin: Option<CheckinCase>,
    pub evidence: Vec<CompetencyEvidence>,
    /// A starting text for the case (markdown), with the check-in and the evidence written out.
    pub case_template: String,
    /// Their pending nomination, when there is one: a second is refused until it is decided.
    pub pending: Option<i64>,
}

/// A nomination as typed, before checking.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NominationInput {
    /// Track key or name.
    pub track: String,
    /// Level key or title.
    pub level: String,
    /// Why, in markdown.
    pub case_text: String,
    /// The date proposed for the new position, `YYYY-MM-DD`; optional.
    pub effective_on: String,
}

/// A decision as typed, before checking.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionInput {
    /// `approve` or `decline`.
    pub decision: String,
    /// Required to decline: the nominator reads why.
    pub note: String,
    /// The date the new position takes effect, `YYYY-MM-DD`; the proposed date (or today) when
    /// empty.
    pub effective_on: String,
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

fn invalid(errors: Vec<FieldError>) -> AppError {
    AppError::invalid_fields(errors, "the nomination is not valid")
}

fn optional_day(name: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Day> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    Day::parse(raw)
        .map_err(|m| errors.push(field(name, m)))
        .ok()
}

/// The person's name and current position; 404 for a person the actor may not see privately.
async fn visible_person(
    state: &AppState,
    actor: &Actor,
    person: i64,
) -> AppResult<(Relation, PersonRef, Option<(String, String)>, bool)> {
    let row = sqlx::query("SELECT name, track_key, level_key, active FROM users WHERE id = $1")
        .bind(person)
        .fetch_optional(state.db().pool())
        .await?
        .ok_or_else(|| AppError::not_found("this person"))?;
    let relation = directory::relation(state.db(), actor, person).await?;
    if !policy::see_private(actor, relation) {
        return Err(AppError::not_found("this person"));
    }
    let track: Option<String> = row.try_get("track_key")?;
    let level: Option<String> = row.try_get("level_key")?;
    let active: i64 = row.try_get("active")?;
    Ok((
        relation,
        PersonRef {
            id: person,
            name: row.try_get("name")?,
        },
        track.zip(level),
        active == 1,
    ))
}

/// The latest agreed check-in of a person, as a case shows it.
async fn latest_agreed(
    state: &AppState,
    fw: &Framework,
    person: i64,
) -> AppResult<Option<CheckinCase>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM checkins WHERE person_id = $1 AND status = 'agreed' \
         ORDER BY agreed_at DESC, id DESC LIMIT 1",
    )
    .bind(person)
    .fetch_optional(state.db().pool())
    .await?;
    match id {
        Some(id) => checkin_case(state, fw, id).await,
        None => Ok(None),
    }
}

/// A check-in's agreed ratings, in the order of its track's competencies.
async fn checkin_case(state: &AppState, fw: &Framework, id: i64) -> AppResult<Option<CheckinCase>> {
    let Some(row) = sqlx::query(
        "SELECT track_key, level_key, agreed_on, agreed_ratings FROM checkins WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(state.db().pool())
    .await?
    else {
        return Ok(None);
    };
    let track: String = row.try_get("track_key")?;
    let level: String = row.try_get("level_key")?;
    let agreed = parse_ratings(&row.try_get::<String, _>("agreed_ratings")?);
    let mut keys: Vec<String> = fw
        .track(&track)
        .map(|t| t.competencies.iter().map(|k| k.to_string()).collect())
        .unwrap_or_default();
    for k in agreed.keys() {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    let ratings: Vec<RatedCompetency> = keys
        .into_iter()
        .map(|key| RatedCompetency {
            name: fw
                .competency(&key)
                .map_or_else(|| key.clone(), |c| c.name.clone()),
            rating: agreed.get(&key).map(|e| e.rating),
            key,
        })
        .collect();
    Ok(Some(CheckinCase {
        id,
        target: directory::position_names(Some(fw), &track, &level),
        agreed_on: row.try_get("agreed_on")?,
        meeting: ratings
            .iter()
            .filter(|r| r.rating.is_some_and(Rating::meets))
            .count(),
        rated: ratings
            .iter()
            .filter(|r| r.rating.is_some_and(|x| x.score().is_some()))
            .count(),
        ratings,
    }))
}

/// The person's evidence for each competency of a track that has some.
async fn track_evidence(
    state: &AppState,
    fw: &Framework,
    person: i64,
    track: &str,
) -> AppResult<Vec<CompetencyEvidence>> {
    let keys: Vec<String> = fw
        .track(track)
        .map(|t| t.competencies.iter().map(|k| k.to_string()).collect())
        .unwrap_or_default();
    let mut by_key = evidence::for_competencies(state.db(), person, &keys).await?;
    Ok(keys
        .into_iter()
        .filter_map(|key| {
            let items = by_key.remove(&key)?;
            Some(CompetencyEvidence {
                name: fw
                    .competency(&key)
                    .map_or_else(|| key.clone(), |c| c.name.clone()),
                key,
                items,
            })
        })
        .collect())
}

/// Positions one may nominate someone holding `current` for: the higher levels of their track,
/// then every level of the other tracks.
fn choices(fw: &Framework, current: Option<(&str, &str)>) -> Vec<(String, Vec<Position>)> {
    let mut out = Vec::new();
    let own = current.and_then(|(t, _)| fw.track(t));
    if let (Some(track), Some((_, level))) = (own, current) {
        let from = track.rank_of(level).map_or(0, |r| r + 1);
        let higher: Vec<Position> = track.levels[from.min(track.levels.len())..]
            .iter()
            .map(|l| directory::position_names(Some(fw), track.key.as_str(), l.key.as_str()))
            .collect();
        if !higher.is_empty() {
            out.push((track.name.clone(), higher));
        }
    }
    for track in fw
        .tracks
        .iter()
        .filter(|t| own.is_none_or(|o| o.key != t.key))
    {
        out.push((
            track.name.clone(),
            track
                .levels
                .iter()
                .map(|l| directory::position_names(Some(fw), track.key.as_str(), l.key.as_str()))
                .collect(),
        ));
    }
    out
}

/// A starting text for the case: a heading to write the reasons under, then the check-in's ratings
/// and the evidence, written out so the case reads whole wherever it is shown.
fn case_template(
    person: &str,
    to: Option<&Position>,
    checkin: Option<&CheckinCase>,
    evidence: &[CompetencyEvidence],
) -> String {
    let mut text = String::from("## Why now\n\n");
    match to {
        Some(p) => text.push_str(&format!(
            "What {person} does today that {} asks for:\n\n- \n\n",
            p.level_title
        )),
        None => text.push_str("- \n\n"),
    }
    if let Some(c) = checkin {
        text.push_str(&format!(
            "## Latest agreed check-in{}\n\nAgainst {} ({}): {} of {} competencies meet or exceed.\n\n",
            c.agreed_on
                .as_deref()
                .map(|d| format!(", {d}"))
                .unwrap_or_default(),
            c.target.level_title,
            c.target.track_name,
            c.meeting,
            c.rated
        ));
        for r in &c.ratings {
            text.push_str(&format!(
                "- {}: {}\n",
                r.name,
                r.rating.map_or("not rated", Rating::label)
            ));
        }
        text.push('\n');
    }
    if !evidence.is_empty() {
        text.push_str("## Evidence\n\n");
        let mut seen = std::collections::HashSet::new();
        for group in evidence {
            for item in &group.items {
                if !seen.insert(item.id) {
                    continue;
                }
                match &item.url {
                    Some(url) => text.push_str(&format!("- [{}]({url})", item.title)),
                    None => text.push_str(&format!("- {}", item.title)),
                }
                if let Some(day) = &item.happened_on {
                    text.push_str(&format!(" ({day})"));
                }
                text.push('\n');
            }
        }
    }
    text
}

/// Everything the form to nominate a person shows. For their management chain only.
pub async fn draft(state: &AppState, actor: &Actor, person: i64) -> AppResult<NominationDraft> {
    policy::read_directory(actor)?;
    pilot::require_grow(state.db(), actor).await?;
    let (relation, who, current, _) = visible_person(state, actor, person).await?;
    policy::nominate(actor, relation)?;
    let published = framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let current_ref = current.as_ref().map(|(t, l)| (t.as_str(), l.as_str()));
    let choices = choices(fw, current_ref);
    let prefill = prefill(state, fw, &who, current_ref).await?;
    let pending: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM nominations WHERE person_id = $1 AND status = 'pending'",
    )
    .bind(person)
    .fetch_optional(state.db().pool())
    .await?;
    Ok(NominationDraft {
        case_template: prefill.case_template,
        person: who,
        position: current_ref.map(|(t, l)| directory::position_names(Some(fw), t, l)),
        choices,
        suggested: prefill.suggested,
        checkin: prefill.checkin,
        evidence: prefill.evidence,
        pending,
    })
}

/// What the form to nominate someone fills in: the next level of their track, their latest
/// agreed check-in, their evidence for that track, and the case template written from them.
struct Prefill {
    suggested: Option<Position>,
    checkin: Option<CheckinCase>,
    evidence: Vec<CompetencyEvidence>,
    case_template: String,
}

async fn prefill(
    state: &AppState,
    fw: &Framework,
    who: &PersonRef,
    current: Option<(&str, &str)>,
) -> AppResult<Prefill> {
    let suggested = current.and_then(|(t, l)| {
        let track = fw.track(t)?;
        let next = track.levels.get(track.rank_of(l)? + 1)?;
        Some(directory::position_names(Some(fw), t, next.key.as_str()))
    });
    let checkin = latest_agreed(state, fw, who.id).await?;
    let target_track = suggested
        .as_ref()
        .map(|p| p.track.as_str())
        .or_else(|| current.map(|(t, _)| t));
    let evidence = match target_track {
        Some(t) => track_evidence(state, fw, who.id, t).await?,
        None => Vec::new(),
    };
    Ok(Prefill {
        case_template: case_template(&who.name, suggested.as_ref(), checkin.as_ref(), &evidence),
        suggested,
        checkin,
        evidence,
    })
}

/// Nominates a person for a position: for someone in their management chain. Returns the new
/// nomination's id.
pub async fn nominate(
    state: &AppState,
    actor: &Actor,
    person: i64,
    input: &NominationInput,
) -> AppResult<i64> {
    policy::read_directory(actor)?;
    pilot::require_grow(state.db(), actor).await?;
    let (relation, who, current, active) = visible_person(state, actor, person).await?;
    let decision = policy::nominate(actor, relation)?;
    let published = framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let mut errors = Vec::new();
    let target = directory::resolve_position(fw, &input.track, &input.level)
        .map_err(|e| errors.push(e))
        .ok();
    let case_text = input.case_text.trim();
    if case_text.chars().count() > TEXT_MAX {
        errors.push(field(
            "case_text",
            format!("a case has at most {TEXT_MAX} characters"),
        ));
    } else {
        let current_ref = current.as_ref().map(|(t, l)| (t.as_str(), l.as_str()));
        let template = if case_text.is_empty() {
            String::new()
        } else {
            prefill(state, fw, &who, current_ref).await?.case_template
        };
        if let Some(why) = case_says_nothing(case_text, &template, &who.name) {
            errors.push(field("case_text", why));
        }
    }
    let effective_on = optional_day("effective_on", &input.effective_on, &mut errors);
    if !active {
        errors.push(field("", format!("{} has left the organisation", who.name)));
    }
    let kind = match (&target, &current) {
        (Some(_), None) => {
            errors.push(field(
                "level",
                format!(
                    "{} has no position yet: the People team records a first position, which needs no nomination",
                    who.name
                ),
            ));
            None
        }
        (Some((track, level)), Some((ct, cl))) => {
            match directory::position_kind(Some(ct), Some(cl), track, level) {
                PositionKind::Promotion => Some(PositionKind::Promotion),
                PositionKind::LateralMove => Some(PositionKind::LateralMove),
                _ => {
                    errors.push(field(
                        "level",
                        format!(
                            "choose a level above {}, or a level of another track",
                            directory::position_names(Some(fw), ct, cl).level_title
                        ),
                    ));
                    None
                }
            }
        }
        (None, _) => None,
    };
    let (Some((track, level)), Some(kind), true) = (target, kind, errors.is_empty()) else {
        return Err(invalid(errors));
    };
    let checkin: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM checkins WHERE person_id = $1 AND status = 'agreed' \
         ORDER BY agreed_at DESC, id DESC LIMIT 1",
    )
    .bind(person)
    .fetch_optional(state.db().pool())
    .await?;
    let mut work = Work::begin(state.db(), actor, decision).await?;
    let pending: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM nominations WHERE person_id = $1 AND status = 'pending'",
    )
    .bind(person)
    .fetch_optional(&mut **work.tx())
    .await?;
    if let Some(id) = pending {
        return Err(AppError::Conflict(format!(
            "{} has a nomination waiting for a decision already (nomination {id}): withdraw it, or wait for the People team",
            who.name
        )));
    }
    let at = now();
    let (from_track, from_level) = current.unzip();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO nominations (person_id, nominated_by, track_key, level_key, from_track_key, \
         from_level_key, kind, version_number, case_text, checkin_id, status, effective_on, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12, $12) RETURNING id",
    )
    .bind(person)
    .bind(actor.user_id)
    .bind(track.key.as_str())
    .bind(level.key.as_str())
    .bind(&from_track)
    .bind(&from_level)
    .bind(kind.as_str())
    .bind(published.version.as_ref().map(|v| v.number))
    .bind(case_text)
    .bind(checkin)
    .bind(effective_on.map(|d| d.to_string()))
    .bind(at)
    .fetch_one(&mut **work.tx())
    .await?;
    work.record(
        Action::NominationCreate,
        &format!("nomination:{id}"),
        &format!(
            "Nominated {} for {} ({})",
            who.name, level.title, track.name
        ),
        Some(serde_json::json!({
            "person": person, "track": track.key.as_str(), "level": level.key.as_str(),
            "from": { "track": from_track, "level": from_level }, "kind": kind.as_str(),
            "checkin": checkin, "effective_on": effective_on.map(|d| d.to_string()),
        })),
    )
    .await?;
    work.commit().await?;
    Ok(id)
}

/// A nomination's row, before the visibility check.
struct Stored {
    person: i64,
    person_name: String,
    nominated_by: Option<i64>,
    nominator_name: Option<String>,
    track: String,
    level: String,
    from_track: Option<String>,
    from_level: Option<String>,
    kind: PositionKind,
    case_text: String,
    checkin: Option<i64>,
    status: NominationStatus,
    decided_by: Option<i64>,
    decider_name: Option<String>,
    decided_at: Option<i64>,
    decision_note: Option<String>,
    effective_on: Option<String>,
    created_at: i64,
}

async fn load(state: &AppState, id: i64) -> AppResult<Option<Stored>> {
    let Some(r) = sqlx::query(
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
    .await?
    else {
        return Ok(None);
    };
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    Ok(Some(Stored {
        person: r.try_get("person_id")?,
        person_name: r.try_get("person_name")?,
        nominated_by: r.try_get("nominated_by")?,
        nominator_name: r.try_get("nominator_name")?,
        track: r.try_get("track_key")?,
        level: r.try_get("level_key")?,
        from_track: r.try_get("from_track_key")?,
        from_level: r.try_get("from_level_key")?,
        kind: PositionKind::parse(&kind).unwrap_or(PositionKind::Promotion),
        case_text: r.try_get("case_text")?,
        checkin: r.try_get("checkin_id")?,
        status: NominationStatus::parse(&status).unwrap_or(NominationStatus::Pending),
        decided_by: r.try_get("decided_by")?,
        decider_name: r.try_get("decider_name")?,
        decided_at: r.try_get("decided_at")?,
        decision_note: r.try_get("decision_note")?,
        effective_on: r.try_get("effective_on")?,
        created_at: r.try_get("created_at")?,
    }))
}

/// A nomination the actor may see, with their relation to its person; 404 otherwise.
async fn visible(state: &AppState, actor: &Actor, id: i64) -> AppResult<Stored> {
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
    let rows = sqlx::query(&sql)
        .bind(me)
        // Without a status, `n.status <> ''` keeps every row.
        .bind(status.map_or("", NominationStatus::as_str))
        .fetch_all(state.db().pool())
        .await?;
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    let mut nominations = rows
        .iter()
        .map(|r| summary(r, fw))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
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
    let rows = sqlx::query(&format!(
        "{SUMMARY_SELECT} WHERE n.person_id = $2 AND {} ORDER BY n.id DESC LIMIT 50",
        policy::nominations_seen_sql(actor, "$1")
    ))
    .bind(actor.user_id.unwrap_or(0))
    .bind(person)
    .fetch_all(state.db().pool())
    .await?;
    let published = framework::published(state, actor).await?;
    let fw = published.as_ref().map(|p| &p.framework);
    Ok(rows
        .iter()
        .map(|r| summary(r, fw))
        .collect::<Result<_, sqlx::Error>>()?)
}

/// The columns of a nomination as lists show it, from `nominations n` with the person `p` and
/// the nominator `b`; read by [`summary`].
const SUMMARY_SELECT: &str = "SELECT n.id, n.person_id, p.name AS person_name, n.nominated_by, \
     b.name AS nominator_name, n.track_key, n.level_key, n.kind, n.status, n.created_at, \
     n.decided_at, n.effective_on \
     FROM nominations n JOIN users p ON p.id = n.person_id LEFT JOIN users b ON b.id = n.nominated_by";

/// A nomination of a list, from a row of [`SUMMARY_SELECT`].
fn summary(
    r: &sqlx::any::AnyRow,
    fw: Option<&Framework>,
) -> Result<NominationSummary, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    let track: String = r.try_get("track_key")?;
    let level: String = r.try_get("level_key")?;
    let nominated_by: Option<i64> = r.try_get("nominated_by")?;
    let nominator_name: Option<String> = r.try_get("nominator_name")?;
    Ok(NominationSummary {
        id: r.try_get("id")?,
        person: PersonRef {
            id: r.try_get("person_id")?,
            name: r.try_get("person_name")?,
        },
        to: directory::position_names(fw, &track, &level),
        kind: PositionKind::parse(&kind).unwrap_or(PositionKind::Promotion),
        status: NominationStatus::parse(&status).unwrap_or(NominationStatus::Pending),
        nominated_by: nominated_by
            .zip(nominator_name)
            .map(|(id, name)| PersonRef { id, name }),
        created_at: r.try_get("created_at")?,
        decided_at: r.try_get("decided_at")?,
        effective_on: r.try_get("effective_on")?,
    })
}

/// Approves or declines a pending nomination (the People team). Approval records the new position
/// in the person's history in the same transaction, so a decision and its position land together
/// or not at all.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: &DecisionInput,
) -> AppResult<NominationStatus> {
    let row = visible(state, actor, id).await?;
    let permit = policy::decide_nomination(actor, row.person)?;
    if row.status != NominationStatus::Pending {
        return Err(AppError::Conflict(format!(
            "this nomination is {} already",
            row.status.as_str()
        )));
    }
    let mut errors = Vec::new();
    let decision = match input.decision.trim() {
        "approve" => Some(NominationStatus::Approved),
        "decline" => Some(NominationStatus::Declined),
        other => {
            errors.push(field(
                "decision",
                format!("“{other}” is not a decision: approve or decline"),
            ));
            None
        }
    };
    let note = input.note.trim();
    if note.chars().count() > TEXT_MAX {
        errors.push(field(
            "note",
            format!("a note has at most {TEXT_MAX} characters"),
        ));
    }
    if decision == Some(NominationStatus::Declined) && note.is_empty() {
        errors.push(field(
            "note",
            "say why the nomination is declined: the nominator reads it",
        ));
    }
    let effective_on = optional_day("effective_on", &input.effective_on, &mut errors)
        .or_else(|| row.effective_on.as_deref().and_then(|d| Day::parse(d).ok()))
        .unwrap_or_else(Day::today);
    let (Some(decision), true) = (decision, errors.is_empty()) else {
        return Err(invalid(errors));
    };
    let published = framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let at = now();
    let changed = sqlx::query(
        "UPDATE nominations SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4, \
         effective_on = $5, updated_at = $3 WHERE id = $6 AND status = 'pending'",
    )
    .bind(decision.as_str())
    .bind(actor.user_id)
    .bind(at)
    .bind((!note.is_empty()).then_some(note))
    .bind(if decision == NominationStatus::Approved {
        Some(effective_on.to_string())
    } else {
        row.effective_on.clone()
    })
    .bind(id)
    .execute(&mut **work.tx())
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(AppError::Conflict(
            "someone decided on this nomination at the same time: reload the page".into(),
        ));
    }
    if decision == NominationStatus::Approved {
        directory::write_position(
            work.tx(),
            actor,
            fw,
            row.person,
            &PositionInput {
                track: row.track.clone(),
                level: row.level.clone(),
                effective_on: effective_on.to_string(),
                kind: row.kind.as_str().to_owned(),
                note: format!("Nomination {id}"),
            },
        )
        .await?;
    }
    let to = directory::position_names(Some(fw), &row.track, &row.level);
    work.record(if decision == NominationStatus::Approved {
            Action::NominationApprove
        } else {
            Action::NominationDecline
        },
        &format!("nomination:{id}"),
        &format!(
            "{} the nomination of {} for {} ({})",
            if decision == NominationStatus::Approved {
                "Approved"
            } else {
                "Declined"
            },
            row.person_name,
            to.level_title,
            to.track_name
        ),
        Some(serde_json::json!({
            "person": row.person, "track": row.track, "level": row.level,
            "effective_on": (decision == NominationStatus::Approved).then(|| effective_on.to_string()),
            "note": (!note.is_empty()).then_some(note),
        })),
    )
    .await?;
    work.commit().await?;
    Ok(decision)
}

/// Withdraws a pending nomination (its author).
pub async fn withdraw(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    let row = visible(state, actor, id).await?;
    let permit = policy::withdraw_nomination(actor, row.nominated_by)?;
    if row.status != NominationStatus::Pending {
        return Err(AppError::Conflict(format!(
            "this nomination is {} already",
            row.status.as_str()
        )));
    }
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let at = now();
    let changed = sqlx::query(
        "UPDATE nominations SET status = 'withdrawn', decided_by = $1, decided_at = $2, \
         updated_at = $2 WHERE id = $3 AND status = 'pending'",
    )
    .bind(actor.user_id)
    .bind(at)
    .bind(id)
    .execute(&mut **work.tx())
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(AppError::Conflict(
            "this nomination was decided at the same time: reload the page".into(),
        ));
    }
    work.record(
        Action::NominationWithdraw,
        &format!("nomination:{id}"),
        &format!("Withdrew the nomination of {}", row.person_name),
        Some(serde_json::json!({ "person": row.person })),
    )
    .await?;
    work.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fw() -> Framework {
        trellis_framework::yaml::read(crate::demo::FRAMEWORK_YAML).expect("the demo framework")
    }

    #[test]
    fn one_is_nominated_for_a_higher_level_or_another_track() {
        let fw = fw();
        let c = choices(&fw, Some(("software-engineering", "se1")));
        let (first_track, first) = &c[0];
        assert_eq!(first_track, "Software Engineering");
        let levels: Vec<&str> = first.iter().map(|p| p.level.as_str()).collect();
        assert_eq!(levels, ["se2", "principal"]);
        assert!(c.iter().skip(1).all(|(t, _)| t != "Software Engineering"));
        // At the top of a track: only the other tracks.
        let top = choices(&fw, Some(("software-engineering", "principal")));
        assert!(top.iter().all(|(t, _)| t != "Software Engineering"));
    }

    #[test]
    fn the_case_template_writes_out_the_check_in_and_the_evidence() {
        let fw = fw();
        let to = directory::position_names(Some(&fw), "software-engineering", "se2");
        let checkin = CheckinCase {
            id: 1,
            target: to.clone(),
            agreed_on: Some("2026-01-10".into()),
            ratings: vec![
                RatedCompetency {
                    key: "ownership".into(),
                    name: "Ownership".into(),
                    rating: Some(Rating::Meets),
                },
                RatedCompetency {
                    key: "mentoring".into(),
                    name: "Mentoring".into(),
                    rating: None,
                },
            ],
            meeting: 1,
            rated: 1,
        };
        let text = case_template("Ola", Some(&to), Some(&checkin), &[]);
        assert!(text.contains("What Ola does today that Software Engineer II asks for"));
        assert!(text.contains("## Latest agreed check-in, 2026-01-10"));
        assert!(text.contains("- Ownership: Meets\n- Mentoring: not rated"));
        assert!(!text.contains("## Evidence"));
    }
}
