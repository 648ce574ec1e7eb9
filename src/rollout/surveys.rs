//! Pulse surveys: short surveys of 1–5 statements and free-text questions that the People team sends
//! to everyone, to chosen teams or to chosen tracks, which people answer once, anonymously, and
//! whose results are shown only for groups that single nobody out.
//!
//! # Life of a survey
//!
//! An admin makes a survey from the career tracks pulse template or from scratch. While it is
//! *scheduled* (before its first day) everything can change: questions, audience, dates, the
//! anonymity threshold and the dimension it is compared by. From its first day it is *open*: the
//! questions, audience, threshold and comparison are frozen, only the title, the introduction and the
//! last day can change. After its last day, or once an admin closes it early, it is *closed* for
//! good: it never reopens, and nothing about it changes again.
//!
//! # Anonymity
//!
//! The promise: nobody, admins included, can see who answered what. How it is kept:
//!
//! - **A response does not say who wrote it, or when.** `survey_responses` holds the answers and
//!   the groups the author was in at the time (team id, track key, pilot or not), nothing finer:
//!   no user id, no timestamp. `survey_participants` says only that a person has answered (to take
//!   one answer each and to list what is still open for them), with no time and nothing that
//!   points at their response. The response and the participation are written in one transaction,
//!   so neither exists without the other.
//! - **Ids do not give away the order people answered in.** A sequence would: the fifth response
//!   would be the fifth participant's, and participation is easy to learn (people say "I did it").
//!   Responses and participations get random ids, drawn again on the rare collision. We also
//!   considered shuffling responses in batches, or holding them back until several had come in,
//!   but that needs a pending area whose rows carry the same order, and delays results for
//!   nothing once results wait for the survey to close (below). In SQLite the random id is the
//!   row's storage key (`INTEGER PRIMARY KEY`), so rows are also stored, and listed by a plain
//!   `SELECT`, in random order, and there is no hidden increasing rowid.
//!   What we cannot remove is the database engine's own bookkeeping: PostgreSQL stamps each row
//!   with the transaction that wrote it (`xmin`) and appends rows in the order they are written,
//!   and both engines' write-ahead logs record writes in order. Someone who can query PostgreSQL's
//!   system columns or read the log directly could match a participation to its response. That is
//!   the database operator, who is trusted like the operator of the server itself; no person using
//!   Trellis, through the pages or the API, can.
//! - **Nothing records who answered.** Answering writes no audit event (the audit log names its
//!   actor and the time) and nothing is logged: no `tracing` call in this module names a person
//!   next to a survey.
//! - **Nobody can watch answers come in.** While a survey is open no count of answers is shown,
//!   to admins either: a count that grows by one with each answer tells when someone answered.
//! - **The audience is fixed when the survey opens** ([`take_audience`]): only the people of the
//!   audience at that moment answer, counted in the groups they were in then, so accounts added,
//!   moved in or reactivated later cannot fill a group. The results say how many accounts of the
//!   audience were created or given a password link around the time it was open. See
//!   `docs/anonymity.md`.
//! - **Results wait for the survey to close.** Results before and after someone answered differ by
//!   exactly their answers, and "she told me she answered this morning" is the kind of thing
//!   people know. So results, and the pulse trend, are shown only for closed surveys, whose
//!   responses never change again. For the same reason a response's team id is not a foreign
//!   key: removing a team later must not move its responses to another group.
//! - **Groups are shown only when no combination of results can single out fewer people than the
//!   threshold** (at least 3, 5 by default), in counts, means, distributions and free text alike.
//!   The rule, its proof and its limits are in [`crate::rollout::anonymity`]: responses are cut
//!   into blocks of at least the threshold once per survey, and a group is shown only when it is a
//!   union of whole blocks. Free-text answers of a shown group are listed in an order that is
//!   random (but the same on every request, so that pages of answers add up), drawn separately
//!   for each question so that two answers of one person cannot be paired up by position.
//!
//! # Speed
//!
//! A closed survey's responses are read once, in one pass, into a table of counts per cell (the
//! `Cube`), kept in memory under the survey's random `results_key` and its number of responses
//! (which every new response increments in the same transaction, so a stale table is never used).
//! Every results page, filter, breakdown and trend after that adds up the cells (a few thousand at
//! most, whatever the number of responses), and the results of each group are kept with the table:
//! a closed survey never changes, so they never go stale. With 60,000 responses the first page
//! takes a fifth of a second to read them; the pages after it, about a millisecond of work.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use rand::Rng;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::auth::{Actor, policy};
use crate::db::{Db, Tx, now};
use crate::domain::Day;

use crate::audit;
use crate::error::{AppError, AppResult, FieldError};
use crate::rollout::anonymity::{self, Cell, CompareBy, Filter, Partition, Verdict};
use crate::state::{AppState, ByteCache, budget};

/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest introduction or free-text answer, in characters.
pub const MAX_TEXT: usize = 20_000;
/// Longest question, in characters.
pub const MAX_PROMPT: usize = 500;
/// Most questions in one survey.
pub const MAX_QUESTIONS: usize = 40;
/// Highest anonymity threshold.
pub const MAX_THRESHOLD: i64 = 1000;
/// Free-text answers shown per page of results.
pub const TEXTS_PER_PAGE: usize = 50;
/// How long the pulse template stays open, in days.
pub const PULSE_DAYS: i64 = 14;
/// The key of the career tracks pulse template.
pub const PULSE_TEMPLATE: &str = "career-tracks-pulse";

/// The words of the 1–5 scale, from 1.
pub const SCALE_LABELS: [&str; 5] = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
];

/// A question is a statement rated from 1 to 5, or an open question answered in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// A statement rated from 1 (strongly disagree) to 5 (strongly agree); every respondent rates it.
    Scale,
    /// An open question; answering it is optional.
    Text,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 2] = [QuestionKind::Scale, QuestionKind::Text];

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Scale => "scale",
            QuestionKind::Text => "text",
        }
    }

    pub fn parse(raw: &str) -> Option<QuestionKind> {
        QuestionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            QuestionKind::Scale => "Statement rated 1 to 5",
            QuestionKind::Text => "Open question, answered in words",
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Question {
    pub id: i64,
    /// From 1, in the order people answer.
    pub position: i64,
    pub kind: QuestionKind,
    pub prompt: String,
}

/// Who is asked to answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Audience {
    Everyone,
    /// People in these teams (by id).
    Teams {
        teams: Vec<i64>,
    },
    /// People holding a position on these tracks (by key).
    Tracks {
        tracks: Vec<String>,
    },
}

impl Audience {
    pub fn kind(&self) -> &'static str {
        match self {
            Audience::Everyone => "everyone",
            Audience::Teams { .. } => "teams",
            Audience::Tracks { .. } => "tracks",
        }
    }

    /// Whether a person in this team, on this track, is asked.
    pub fn includes(&self, team: Option<i64>, track: Option<&str>) -> bool {
        match self {
            Audience::Everyone => true,
            Audience::Teams { teams } => team.is_some_and(|t| teams.contains(&t)),
            Audience::Tracks { tracks } => track.is_some_and(|t| tracks.iter().any(|k| k == t)),
        }
    }
}

/// Where a survey is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SurveyStatus)]
pub enum Status {
    /// Before its first day: everything can change.
    Scheduled,
    /// Taking answers; the questions are frozen.
    Open,
    /// Past its last day or closed early; results can be read.
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Scheduled => "scheduled",
            Status::Open => "open",
            Status::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Scheduled => "Scheduled",
            Status::Open => "Open",
            Status::Closed => "Closed",
        }
    }
}

/// A survey as the People team manages it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Survey {
    pub id: i64,
    pub title: String,
    pub intro: String,
    pub audience: Audience,
    /// The audience in words: "Everyone", "Teams: Platform, Data".
    pub audience_label: String,
    pub opens_on: String,
    /// The last day answers are taken.
    pub closes_on: String,
    pub status: Status,
    /// Groups with fewer responses are never shown.
    pub threshold: i64,
    /// `team` or `track`: which groups stay whole when small ones are pooled.
    pub compare_by: String,
    /// How many people have answered (never who): only once the survey has closed. While it is
    /// open no count is shown, so that nobody can tell when someone answered.
    pub responses: Option<i64>,
    /// How many people the survey asks: its audience on the moment it opened. Absent while it is
    /// scheduled.
    pub asked: Option<i64>,
    pub questions: Vec<Question>,
}

/// A line of the People team's list of surveys.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveySummary {
    pub id: i64,
    pub title: String,
    pub audience_label: String,
    pub opens_on: String,
    pub closes_on: String,
    pub status: Status,
    pub questions: i64,
    /// How many people have answered, once the survey has closed; absent before, and for managers,
    /// who see their teams' results only.
    pub responses: Option<i64>,
}

/// A survey someone may answer now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpenSurvey {
    pub id: i64,
    pub title: String,
    pub intro: String,
    pub closes_on: String,
    pub questions: Vec<Question>,
}

/// A survey as the person asked to answer it sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveyToAnswer {
    pub id: i64,
    pub title: String,
    pub intro: String,
    pub closes_on: String,
    pub status: Status,
    pub threshold: i64,
    /// The person has already answered (answers cannot be changed or read back).
    pub answered: bool,
    pub questions: Vec<Question>,
}

/// A survey's settings as sent by a form or the API, before they are checked.
#[derive(Debug, Clone, Default)]
pub struct SurveyInput {
    pub title: String,
    pub intro: String,
    /// `everyone`, `teams` or `tracks`; empty for everyone (or, on an open survey, unchanged).
    pub audience: String,
    /// Team ids, for the `teams` audience.
    pub teams: Vec<String>,
    /// Track keys, for the `tracks` audience.
    pub tracks: Vec<String>,
    /// YYYY-MM-DD.
    pub opens_on: String,
    /// YYYY-MM-DD, the last day answers are taken.
    pub closes_on: String,
    /// A whole number, at least 3; empty for 5.
    pub threshold: String,
    /// `team` or `track`; empty for team.
    pub compare_by: String,
}

/// A question as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct QuestionInput {
    /// `scale` or `text`.
    pub kind: String,
    pub prompt: String,
}

/// Where a new survey starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// No questions yet.
    Blank,
    /// The career tracks pulse: five statements and an open question.
    Pulse,
}

impl Start {
    pub fn parse(raw: &str) -> Option<Start> {
        match raw.trim() {
            "" | "blank" => Some(Start::Blank),
            PULSE_TEMPLATE => Some(Start::Pulse),
            _ => None,
        }
    }
}

/// A ready-made survey.
pub struct Template {
    pub key: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub questions: &'static [(QuestionKind, &'static str)],
}

/// The career tracks pulse, meant to be sent about two weeks after the tracks reach everyone.
pub const PULSE: Template = Template {
    key: PULSE_TEMPLATE,
    title: "Career tracks pulse",
    intro: "A few quick statements about the career tracks, now that you have had them for a \
            little while. Rate each from 1 (strongly disagree) to 5 (strongly agree); the last \
            question is optional. Your answers are anonymous: nobody, the People team included, \
            can see who answered what, and results are only shown for groups large enough that \
            no one stands out.",
    questions: &[
        (
            QuestionKind::Scale,
            "I know what the career track for my role looks like.",
        ),
        (
            QuestionKind::Scale,
            "I can find my career track quickly whenever I want to look at it.",
        ),
        (
            QuestionKind::Scale,
            "My manager and I use my career track to plan how I develop.",
        ),
        (
            QuestionKind::Scale,
            "I understand what the next level of my track asks of me.",
        ),
        (
            QuestionKind::Scale,
            "The way my track sets out levels and expectations feels fair.",
        ),
        (
            QuestionKind::Text,
            "What one change would make the career tracks more useful to you?",
        ),
    ],
};

/// Which way a question moves in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
}

// ---- Reading and writing surveys (admins) ----

/// A survey row as stored.
struct SurveyRow {
    id: i64,
    title: String,
    intro: String,
    audience: Audience,
    opens_on: Day,
    closes_on: Day,
    closed_early: bool,
    threshold: i64,
    compare_by: CompareBy,
    responses: i64,
    results_key: String,
    /// When the audience was taken: the moment the survey opened (see [`take_audience`]).
    opened_at: Option<i64>,
    /// When an admin closed it before its last day.
    closed_at: Option<i64>,
}

const SURVEY_COLUMNS: &str = "id, title, intro, audience, opens_on, closes_on, closed_early, \
     threshold, compare_by, responses, results_key, opened_at, closed_at";

impl SurveyRow {
    fn read(r: &AnyRow) -> AppResult<SurveyRow> {
        let audience: String = r.try_get("audience")?;
        let opens_on: String = r.try_get("opens_on")?;
        let closes_on: String = r.try_get("closes_on")?;
        let compare_by: String = r.try_get("compare_by")?;
        let closed_early: i64 = r.try_get("closed_early")?;
        Ok(SurveyRow {
            id: r.try_get("id")?,
            title: r.try_get("title")?,
            intro: r.try_get("intro")?,
            audience: serde_json::from_str(&audience)
                .map_err(|e| AppError::internal(format!("a survey's audience: {e}")))?,
            opens_on: Day::parse(&opens_on).map_err(AppError::internal)?,
            closes_on: Day::parse(&closes_on).map_err(AppError::internal)?,
            closed_early: closed_early == 1,
            threshold: r.try_get("threshold")?,
            compare_by: CompareBy::parse(&compare_by).unwrap_or_default(),
            responses: r.try_get("responses")?,
            results_key: r.try_get("results_key")?,
            opened_at: r.try_get("opened_at")?,
            closed_at: r.try_get("closed_at")?,
        })
    }

    /// How many answered, once the survey has closed; nothing while it is open, since a count that
    /// grows by one with each answer tells anyone watching it, or anyone who closes the survey,
    /// when someone answered.
    fn responses_after_close(&self, today: Day) -> Option<i64> {
        (self.status(today) == Status::Closed).then_some(self.responses)
    }

    /// The moment the survey started taking answers: when its audience was taken, or for a survey
    /// closed before audiences were taken, the start of its first day.
    fn opened_at(&self) -> i64 {
        self.opened_at.unwrap_or_else(|| day_start(self.opens_on))
    }

    /// The moment it stopped taking answers, or now while it is open.
    fn closed_at(&self, today: Day) -> i64 {
        let last = day_start(self.closes_on.plus_days(1));
        match self.closed_at {
            Some(at) if self.closed_early => at,
            _ if self.status(today) == Status::Closed => last,
            _ => now().min(last),
        }
    }

    fn status(&self, today: Day) -> Status {
        if self.closed_early || today > self.closes_on {
            Status::Closed
        } else if today < self.opens_on {
            Status::Scheduled
        } else {
            Status::Open
        }
    }
}

async fn find_row<'e, E>(db: E, id: i64) -> AppResult<Option<SurveyRow>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query(&format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(SurveyRow::read).transpose()
}

async fn questions_of<'e, E>(db: E, survey: i64) -> AppResult<Vec<Question>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let rows = sqlx::query(
        "SELECT id, position, kind, prompt FROM survey_questions WHERE survey_id = $1 \
         ORDER BY position, id",
    )
    .bind(survey)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(Question {
                id: r.try_get("id")?,
                position: r.try_get("position")?,
                kind: QuestionKind::parse(&kind).unwrap_or(QuestionKind::Text),
                prompt: r.try_get("prompt")?,
            })
        })
        .collect()
}

/// Team names by id, for labels.
async fn team_names(db: &Db) -> AppResult<HashMap<i64, String>> {
    let rows = sqlx::query("SELECT id, name FROM teams")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// Track names by key from the published framework.
async fn track_names(state: &AppState, actor: &Actor) -> AppResult<Vec<(String, String)>> {
    let published = crate::architecture::framework::published(state, actor).await?;
    Ok(published
        .map(|p| {
            p.framework
                .tracks
                .iter()
                .map(|t| (t.key.to_string(), t.name.clone()))
                .collect()
        })
        .unwrap_or_default())
}

fn audience_label(
    audience: &Audience,
    teams: &HashMap<i64, String>,
    tracks: &[(String, String)],
) -> String {
    match audience {
        Audience::Everyone => "Everyone".to_owned(),
        Audience::Teams { teams: ids } => format!(
            "Teams: {}",
            ids.iter()
                .map(|id| teams
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| format!("team {id} (removed)")))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Audience::Tracks { tracks: keys } => format!(
            "Tracks: {}",
            keys.iter()
                .map(|k| tracks
                    .iter()
                    .find(|(key, _)| key == k)
                    .map_or_else(|| k.clone(), |(_, n)| n.clone()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Every survey, newest first (admins).
pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<SurveySummary>> {
    policy::manage_surveys(actor)?;
    let db = state.db();
    let rows = sqlx::query(&format!(
        "SELECT {SURVEY_COLUMNS}, \
         (SELECT COUNT(*) FROM survey_questions q WHERE q.survey_id = s.id) AS question_count \
         FROM surveys s ORDER BY opens_on DESC, id DESC"
    ))
    .fetch_all(db.pool())
    .await?;
    let teams = team_names(db).await?;
    let tracks = track_names(state, actor).await?;
    let today = Day::today();
    rows.iter()
        .map(|r| {
            let s = SurveyRow::read(r)?;
            Ok(SurveySummary {
                id: s.id,
                audience_label: audience_label(&s.audience, &teams, &tracks),
                opens_on: s.opens_on.to_string(),
                closes_on: s.closes_on.to_string(),
                status: s.status(today),
                questions: r.try_get("question_count")?,
                responses: s.responses_after_close(today),
                title: s.title,
            })
        })
        .collect()
}

/// A survey with its questions (admins).
pub async fn survey(state: &AppState, actor: &Actor, id: i64) -> AppResult<Survey> {
    policy::manage_surveys(actor)?;
    let db = state.db();
    take_due_audiences(db).await?;
    let row = find_row(db.pool(), id)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    let questions = questions_of(db.pool(), id).await?;
    let teams = team_names(db).await?;
    let tracks = track_names(state, actor).await?;
    let asked = match row.opened_at {
        Some(_) => Some(asked_count(db, id).await?),
        None => None,
    };
    let today = Day::today();
    Ok(Survey {
        id,
        audience_label: audience_label(&row.audience, &teams, &tracks),
        status: row.status(today),
        opens_on: row.opens_on.to_string(),
        closes_on: row.closes_on.to_string(),
        threshold: row.threshold,
        compare_by: row.compare_by.as_str().to_owned(),
        responses: row.responses_after_close(today),
        asked,
        questions,
        title: row.title,
        intro: row.intro,
        audience: row.audience,
    })
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

fn invalid(errors: Vec<FieldError>) -> AppError {
    let title = match errors.as_slice() {
        [one] => one.message.clone(),
        _ => format!("the survey has {} problems", errors.len()),
    };
    AppError::Invalid { title, errors }
}

/// Checks an anonymity threshold as typed: empty means the default; below
/// [`anonymity::MIN_THRESHOLD`] is refused with the reason.
pub fn check_threshold(raw: &str) -> Result<i64, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(anonymity::DEFAULT_THRESHOLD);
    }
    let n: i64 = raw
        .parse()
        .map_err(|_| format!("write the threshold as a whole number, such as 5, not “{raw}”"))?;
    if n < anonymity::MIN_THRESHOLD {
        return Err(format!(
            "the anonymity threshold cannot be below {}: in groups smaller than that, people who \
             answered could work out each other's answers",
            anonymity::MIN_THRESHOLD
        ));
    }
    if n > MAX_THRESHOLD {
        return Err(format!("the threshold can be at most {MAX_THRESHOLD}"));
    }
    Ok(n)
}

fn check_title(raw: &str, errors: &mut Vec<FieldError>) -> String {
    let title = raw.trim().to_owned();
    if title.is_empty() {
        errors.push(field("title", "give the survey a title"));
    } else if title.chars().count() > MAX_TITLE {
        errors.push(field(
            "title",
            format!("the title can be at most {MAX_TITLE} characters"),
        ));
    }
    title
}

fn check_intro(raw: &str, errors: &mut Vec<FieldError>) -> String {
    let intro = raw.trim().to_owned();
    if intro.chars().count() > MAX_TEXT {
        errors.push(field(
            "intro",
            format!("the introduction can be at most {MAX_TEXT} characters"),
        ));
    }
    intro
}

fn check_day(raw: &str, name: &str, errors: &mut Vec<FieldError>) -> Option<Day> {
    if raw.trim().is_empty() {
        errors.push(field(name, "choose a day, written YYYY-MM-DD"));
        return None;
    }
    match Day::parse(raw) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(field(name, e));
            None
        }
    }
}

fn check_compare_by(raw: &str, errors: &mut Vec<FieldError>) -> CompareBy {
    match raw.trim() {
        "" => CompareBy::Team,
        other => CompareBy::parse(other).unwrap_or_else(|| {
            errors.push(field(
                "compare_by",
                "choose whether results are compared by team or by track",
            ));
            CompareBy::Team
        }),
    }
}

async fn check_audience(
    state: &AppState,
    actor: &Actor,
    input: &SurveyInput,
    errors: &mut Vec<FieldError>,
) -> AppResult<Audience> {
    Ok(match input.audience.trim() {
        "" | "everyone" => Audience::Everyone,
        "teams" => {
            let mut ids = BTreeSet::new();
            for raw in input
                .teams
                .iter()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
            {
                match raw.parse::<i64>() {
                    Ok(id) => {
                        ids.insert(id);
                    }
                    Err(_) => errors.push(field("teams", format!("“{raw}” is not a team"))),
                }
            }
            let known = team_names(state.db()).await?;
            if let Some(id) = ids.iter().find(|id| !known.contains_key(id)) {
                errors.push(field("teams", format!("there is no team with the id {id}")));
            }
            if ids.is_empty() {
                errors.push(field("teams", "choose at least one team"));
            }
            Audience::Teams {
                teams: ids.into_iter().collect(),
            }
        }
        "tracks" => {
            let known = track_names(state, actor).await?;
            let mut keys = BTreeSet::new();
            for raw in input
                .tracks
                .iter()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
            {
                if known.iter().any(|(k, _)| k == raw) {
                    keys.insert(raw.to_owned());
                } else {
                    errors.push(field(
                        "tracks",
                        format!("“{raw}” is not a track of the published framework"),
                    ));
                }
            }
            if keys.is_empty() {
                errors.push(field("tracks", "choose at least one track"));
            }
            Audience::Tracks {
                tracks: keys.into_iter().collect(),
            }
        }
        other => {
            errors.push(field(
                "audience",
                format!("“{other}” is not an audience: choose everyone, teams or tracks"),
            ));
            Audience::Everyone
        }
    })
}

/// The settings of a scheduled (or new) survey, checked.
struct Settings {
    title: String,
    intro: String,
    audience: Audience,
    opens_on: Day,
    closes_on: Day,
    threshold: i64,
    compare_by: CompareBy,
}

async fn check_settings(
    state: &AppState,
    actor: &Actor,
    input: &SurveyInput,
    has_questions: bool,
) -> AppResult<Settings> {
    let mut errors = Vec::new();
    let title = check_title(&input.title, &mut errors);
    let intro = check_intro(&input.intro, &mut errors);
    let audience = check_audience(state, actor, input, &mut errors).await?;
    let today = Day::today();
    let opens_on = check_day(&input.opens_on, "opens_on", &mut errors);
    let closes_on = check_day(&input.closes_on, "closes_on", &mut errors);
    if let Some(o) = opens_on {
        if o < today {
            errors.push(field(
                "opens_on",
                "a survey cannot open in the past: choose today or a later day",
            ));
        } else if o == today && !has_questions {
            errors.push(field(
                "opens_on",
                "a survey without questions cannot open today: choose a later day, add the \
                 questions, then open it",
            ));
        }
    }
    if let (Some(o), Some(c)) = (opens_on, closes_on)
        && c < o
    {
        errors.push(field(
            "closes_on",
            "the last day must be on or after the first day",
        ));
    }
    let threshold = check_threshold(&input.threshold).unwrap_or_else(|e| {
        errors.push(field("threshold", e));
        anonymity::DEFAULT_THRESHOLD
    });
    let compare_by = check_compare_by(&input.compare_by, &mut errors);
    match (opens_on, closes_on) {
        (Some(opens_on), Some(closes_on)) if errors.is_empty() => Ok(Settings {
            title,
            intro,
            audience,
            opens_on,
            closes_on,
            threshold,
            compare_by,
        }),
        _ => Err(invalid(errors)),
    }
}

fn random_row_id() -> i32 {
    rand::thread_rng().gen_range(1..=i32::MAX)
}

/// What the form to make a new survey starts with: tomorrow to two weeks later, everyone, the
/// default threshold, and the template's title and introduction.
pub fn new_survey_defaults(start: Start) -> SurveyInput {
    let opens = Day::today().plus_days(1);
    let (title, intro) = match start {
        Start::Pulse => (PULSE.title.to_owned(), PULSE.intro.to_owned()),
        Start::Blank => (String::new(), String::new()),
    };
    SurveyInput {
        title,
        intro,
        audience: "everyone".into(),
        opens_on: opens.to_string(),
        closes_on: opens.plus_days(PULSE_DAYS - 1).to_string(),
        threshold: anonymity::DEFAULT_THRESHOLD.to_string(),
        compare_by: CompareBy::Team.as_str().into(),
        ..SurveyInput::default()
    }
}

/// Makes a survey, from the pulse template or blank, and returns its id. Fields left empty take the
/// defaults of [`new_survey_defaults`], except a blank survey's title. `questions`, when not empty,
/// are the survey's questions instead of the template's (the API sends them with the survey).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    start: Start,
    input: &SurveyInput,
    questions: &[QuestionInput],
) -> AppResult<i64> {
    policy::manage_surveys(actor)?;
    let given = check_questions(questions)?;
    let defaults = new_survey_defaults(start);
    let or = |value: &str, default: &str| {
        if value.trim().is_empty() {
            default.to_owned()
        } else {
            value.to_owned()
        }
    };
    let input = SurveyInput {
        title: or(&input.title, &defaults.title),
        intro: or(&input.intro, &defaults.intro),
        opens_on: or(&input.opens_on, &defaults.opens_on),
        closes_on: or(&input.closes_on, &defaults.closes_on),
        ..input.clone()
    };
    let template: Vec<(QuestionKind, String)> = match start {
        _ if !given.is_empty() => given,
        Start::Pulse => PULSE
            .questions
            .iter()
            .map(|(k, p)| (*k, (*p).to_owned()))
            .collect(),
        Start::Blank => Vec::new(),
    };
    let s = check_settings(state, actor, &input, !template.is_empty()).await?;
    let at = now();
    let mut tx = state.db().begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO surveys (title, intro, audience, opens_on, closes_on, threshold, compare_by, \
         results_key, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
    )
    .bind(&s.title)
    .bind(&s.intro)
    .bind(audience_json(&s.audience))
    .bind(s.opens_on.to_string())
    .bind(s.closes_on.to_string())
    .bind(s.threshold)
    .bind(s.compare_by.as_str())
    .bind(hex::encode(rand::random::<[u8; 16]>()))
    .bind(actor.user_id)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?;
    for (i, (kind, prompt)) in template.iter().enumerate() {
        insert_question(&mut tx, id, i as i64 + 1, *kind, prompt).await?;
    }
    if s.opens_on <= Day::today() {
        take_audience(&mut tx, id, &s.audience).await?;
    }
    audit::record(
        &mut tx,
        actor,
        "survey.create",
        &format!("survey:{id}"),
        &format!("Created the survey {}", s.title),
        Some(serde_json::json!({
            "template": if start == Start::Pulse { PULSE_TEMPLATE } else { "blank" },
            "opens_on": s.opens_on.to_string(),
            "closes_on": s.closes_on.to_string(),
            "threshold": s.threshold,
            "audience": s.audience,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn audience_json(audience: &Audience) -> String {
    serde_json::to_string(audience).unwrap_or_else(|_| r#"{"kind":"everyone"}"#.into())
}

async fn insert_question(
    tx: &mut Tx,
    survey: i64,
    position: i64,
    kind: QuestionKind,
    prompt: &str,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO survey_questions (survey_id, position, kind, prompt) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(survey)
    .bind(position)
    .bind(kind.as_str())
    .bind(prompt)
    .fetch_one(&mut **tx)
    .await?)
}

/// Takes the survey for a change that is only allowed before it opens: locks its row, and refuses
/// once it is open (or has any response).
async fn lock_scheduled(tx: &mut Tx, id: i64) -> AppResult<SurveyRow> {
    let today = Day::today().to_string();
    let locked = sqlx::query(
        "UPDATE surveys SET updated_at = $2 WHERE id = $1 AND responses = 0 AND closed_early = 0 \
         AND opens_on > $3",
    )
    .bind(id)
    .bind(now())
    .bind(&today)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let row = find_row(&mut **tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    if locked == 0 {
        return Err(AppError::Conflict(
            "this survey has opened: its questions, audience, threshold and first day can no \
             longer change, so that everyone answers the same survey"
                .into(),
        ));
    }
    Ok(row)
}

/// Changes a survey's settings. Before it opens, everything; while it is open, the title, the
/// introduction and the last day (other fields must be left empty or unchanged); once closed,
/// nothing. Empty fields other than the title and the introduction keep their current value.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: &SurveyInput,
) -> AppResult<()> {
    policy::manage_surveys(actor)?;
    let db = state.db();
    let current = find_row(db.pool(), id)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    let today = Day::today();
    match current.status(today) {
        Status::Closed => Err(closed_for_good()),
        Status::Open => update_open(state, actor, current, input).await,
        Status::Scheduled => {
            let questions = questions_of(db.pool(), id).await?;
            let input = with_current(input, &current);
            let s = check_settings(state, actor, &input, !questions.is_empty()).await?;
            let mut tx = db.begin().await?;
            let before = lock_scheduled(&mut tx, id).await?;
            sqlx::query(
                "UPDATE surveys SET title = $2, intro = $3, audience = $4, opens_on = $5, \
                 closes_on = $6, threshold = $7, compare_by = $8, updated_at = $9 WHERE id = $1",
            )
            .bind(id)
            .bind(&s.title)
            .bind(&s.intro)
            .bind(audience_json(&s.audience))
            .bind(s.opens_on.to_string())
            .bind(s.closes_on.to_string())
            .bind(s.threshold)
            .bind(s.compare_by.as_str())
            .bind(now())
            .execute(&mut *tx)
            .await?;
            if s.opens_on <= Day::today() {
                take_audience(&mut tx, id, &s.audience).await?;
            }
            audit::record(
                &mut tx,
                actor,
                "survey.update",
                &format!("survey:{id}"),
                &format!("Changed the survey {}", s.title),
                Some(serde_json::json!({
                    "before": {
                        "title": before.title, "audience": before.audience,
                        "opens_on": before.opens_on.to_string(),
                        "closes_on": before.closes_on.to_string(),
                        "threshold": before.threshold, "compare_by": before.compare_by.as_str(),
                    },
                    "after": {
                        "title": s.title, "audience": s.audience,
                        "opens_on": s.opens_on.to_string(), "closes_on": s.closes_on.to_string(),
                        "threshold": s.threshold, "compare_by": s.compare_by.as_str(),
                    },
                })),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
    }
}

/// The settings as sent, with the current ones where a field was left empty (the title and the
/// introduction are always as sent).
fn with_current(input: &SurveyInput, current: &SurveyRow) -> SurveyInput {
    let or = |sent: &str, now: String| {
        if sent.trim().is_empty() {
            now
        } else {
            sent.to_owned()
        }
    };
    let (teams, tracks) = match &current.audience {
        Audience::Everyone => (Vec::new(), Vec::new()),
        Audience::Teams { teams } => (teams.iter().map(i64::to_string).collect(), Vec::new()),
        Audience::Tracks { tracks } => (Vec::new(), tracks.clone()),
    };
    let keep_audience = input.audience.trim().is_empty();
    SurveyInput {
        title: input.title.clone(),
        intro: input.intro.clone(),
        audience: or(&input.audience, current.audience.kind().to_owned()),
        teams: if keep_audience {
            teams
        } else {
            input.teams.clone()
        },
        tracks: if keep_audience {
            tracks
        } else {
            input.tracks.clone()
        },
        opens_on: or(&input.opens_on, current.opens_on.to_string()),
        closes_on: or(&input.closes_on, current.closes_on.to_string()),
        threshold: or(&input.threshold, current.threshold.to_string()),
        compare_by: or(&input.compare_by, current.compare_by.as_str().to_owned()),
    }
}

fn closed_for_good() -> AppError {
    AppError::Conflict(
        "this survey has closed: it can no longer change, so that its results stay as they were"
            .into(),
    )
}

async fn update_open(
    state: &AppState,
    actor: &Actor,
    current: SurveyRow,
    input: &SurveyInput,
) -> AppResult<()> {
    let mut errors = Vec::new();
    let title = check_title(&input.title, &mut errors);
    let intro = check_intro(&input.intro, &mut errors);
    let today = Day::today();
    let closes_on = if input.closes_on.trim().is_empty() {
        Some(current.closes_on)
    } else {
        check_day(&input.closes_on, "closes_on", &mut errors)
    };
    if closes_on.is_some_and(|c| c < today) {
        errors.push(field(
            "closes_on",
            "the last day cannot be in the past: to stop taking answers now, close the survey",
        ));
    }
    let frozen = |name: &str, what: &str| {
        field(
            name,
            format!("the {what} cannot change once the survey is open"),
        )
    };
    if !input.audience.trim().is_empty() {
        let mut ignored = Vec::new();
        let audience = check_audience(state, actor, input, &mut ignored).await?;
        if !ignored.is_empty() || audience != current.audience {
            errors.push(frozen("audience", "audience"));
        }
    }
    if !input.opens_on.trim().is_empty()
        && Day::parse(&input.opens_on).ok() != Some(current.opens_on)
    {
        errors.push(frozen("opens_on", "first day"));
    }
    if !input.threshold.trim().is_empty()
        && check_threshold(&input.threshold).ok() != Some(current.threshold)
    {
        errors.push(frozen("threshold", "anonymity threshold"));
    }
    if !input.compare_by.trim().is_empty()
        && CompareBy::parse(&input.compare_by) != Some(current.compare_by)
    {
        errors.push(frozen("compare_by", "comparison"));
    }
    let Some(closes_on) = closes_on.filter(|_| errors.is_empty()) else {
        return Err(invalid(errors));
    };
    let mut tx = state.db().begin().await?;
    let changed = sqlx::query(
        "UPDATE surveys SET title = $2, intro = $3, closes_on = $4, updated_at = $5 \
         WHERE id = $1 AND closed_early = 0 AND closes_on >= $6",
    )
    .bind(current.id)
    .bind(&title)
    .bind(&intro)
    .bind(closes_on.to_string())
    .bind(now())
    .bind(today.to_string())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(closed_for_good());
    }
    audit::record(
        &mut tx,
        actor,
        "survey.update",
        &format!("survey:{}", current.id),
        &format!("Changed the open survey {title}"),
        Some(serde_json::json!({
            "before": { "title": current.title, "closes_on": current.closes_on.to_string() },
            "after": { "title": title, "closes_on": closes_on.to_string() },
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn check_question(input: &QuestionInput) -> AppResult<(QuestionKind, String)> {
    let mut errors = Vec::new();
    let kind = QuestionKind::parse(&input.kind);
    if kind.is_none() {
        errors.push(field(
            "kind",
            "choose the kind of question: a statement rated 1 to 5, or an open question",
        ));
    }
    let prompt = input.prompt.trim().to_owned();
    if prompt.is_empty() {
        errors.push(field("prompt", "write the question"));
    } else if prompt.chars().count() > MAX_PROMPT {
        errors.push(field(
            "prompt",
            format!("a question can be at most {MAX_PROMPT} characters"),
        ));
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok((kind, prompt)),
        _ => Err(invalid(errors)),
    }
}

/// Checks a whole list of questions, each message naming its question (`questions[2].prompt`).
fn check_questions(inputs: &[QuestionInput]) -> AppResult<Vec<(QuestionKind, String)>> {
    let mut checked = Vec::with_capacity(inputs.len());
    let mut errors = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        match check_question(input) {
            Ok(q) => checked.push(q),
            Err(e) => errors.extend(e.field_errors().into_iter().map(|e| FieldError {
                field: format!("questions[{i}].{}", e.field),
                message: e.message,
            })),
        }
    }
    if checked.len() > MAX_QUESTIONS {
        errors.push(field(
            "questions",
            format!("a survey can have at most {MAX_QUESTIONS} questions"),
        ));
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(invalid(errors))
    }
}

/// Adds a question at the end of a scheduled survey; returns its id.
pub async fn add_question(
    db: &Db,
    actor: &Actor,
    survey: i64,
    input: &QuestionInput,
) -> AppResult<i64> {
    policy::manage_surveys(actor)?;
    let (kind, prompt) = check_question(input)?;
    let mut tx = db.begin().await?;
    let row = lock_scheduled(&mut tx, survey).await?;
    let questions = questions_of(&mut *tx, survey).await?;
    if questions.len() >= MAX_QUESTIONS {
        return Err(AppError::invalid_field(
            "prompt",
            format!("a survey can have at most {MAX_QUESTIONS} questions"),
        ));
    }
    let position = questions.iter().map(|q| q.position).max().unwrap_or(0) + 1;
    let qid = insert_question(&mut tx, survey, position, kind, &prompt).await?;
    audit::record(
        &mut tx,
        actor,
        "survey.question.add",
        &format!("survey:{survey}"),
        &format!("Added a question to the survey {}", row.title),
        Some(serde_json::json!({ "question": qid, "kind": kind.as_str(), "prompt": prompt })),
    )
    .await?;
    tx.commit().await?;
    Ok(qid)
}

/// The survey a question belongs to; 404 for a question that does not exist.
async fn survey_of_question(tx: &mut Tx, question: i64) -> AppResult<i64> {
    sqlx::query_scalar("SELECT survey_id FROM survey_questions WHERE id = $1")
        .bind(question)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| AppError::not_found("this question"))
}

/// The survey a question belongs to, for pages that go back to the survey after a change.
pub async fn question_survey(db: &Db, actor: &Actor, question: i64) -> AppResult<i64> {
    policy::manage_surveys(actor)?;
    sqlx::query_scalar("SELECT survey_id FROM survey_questions WHERE id = $1")
        .bind(question)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("this question"))
}

/// Rewrites a question of a scheduled survey.
pub async fn edit_question(
    db: &Db,
    actor: &Actor,
    question: i64,
    input: &QuestionInput,
) -> AppResult<()> {
    policy::manage_surveys(actor)?;
    let (kind, prompt) = check_question(input)?;
    let mut tx = db.begin().await?;
    let survey = survey_of_question(&mut tx, question).await?;
    let row = lock_scheduled(&mut tx, survey).await?;
    let before: (String, String) =
        sqlx::query_as("SELECT kind, prompt FROM survey_questions WHERE id = $1")
            .bind(question)
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query("UPDATE survey_questions SET kind = $2, prompt = $3 WHERE id = $1")
        .bind(question)
        .bind(kind.as_str())
        .bind(&prompt)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        "survey.question.edit",
        &format!("survey:{survey}"),
        &format!("Changed a question of the survey {}", row.title),
        Some(serde_json::json!({
            "question": question,
            "before": { "kind": before.0, "prompt": before.1 },
            "after": { "kind": kind.as_str(), "prompt": prompt },
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a question of a scheduled survey one place up or down.
pub async fn move_question(db: &Db, actor: &Actor, question: i64, step: Move) -> AppResult<()> {
    policy::manage_surveys(actor)?;
    let mut tx = db.begin().await?;
    let survey = survey_of_question(&mut tx, question).await?;
    let row = lock_scheduled(&mut tx, survey).await?;
    let mut questions = questions_of(&mut *tx, survey).await?;
    let at = questions
        .iter()
        .position(|q| q.id == question)
        .ok_or_else(|| AppError::not_found("this question"))?;
    let other = match step {
        Move::Up if at > 0 => at - 1,
        Move::Down if at + 1 < questions.len() => at + 1,
        _ => return Ok(()),
    };
    questions.swap(at, other);
    renumber(&mut tx, &questions).await?;
    audit::record(
        &mut tx,
        actor,
        "survey.question.move",
        &format!("survey:{survey}"),
        &format!("Reordered the questions of the survey {}", row.title),
        Some(serde_json::json!({
            "question": question,
            "order": questions.iter().map(|q| q.id).collect::<Vec<_>>(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn renumber(tx: &mut Tx, questions: &[Question]) -> AppResult<()> {
    for (i, q) in questions.iter().enumerate() {
        sqlx::query("UPDATE survey_questions SET position = $2 WHERE id = $1")
            .bind(q.id)
            .bind(i as i64 + 1)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Removes a question of a scheduled survey.
pub async fn remove_question(db: &Db, actor: &Actor, question: i64) -> AppResult<()> {
    policy::manage_surveys(actor)?;
    let mut tx = db.begin().await?;
    let survey = survey_of_question(&mut tx, question).await?;
    let row = lock_scheduled(&mut tx, survey).await?;
    let prompt: String = sqlx::query_scalar("SELECT prompt FROM survey_questions WHERE id = $1")
        .bind(question)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM survey_questions WHERE id = $1")
        .bind(question)
        .execute(&mut *tx)
        .await?;
    let rest = questions_of(&mut *tx, survey).await?;
    renumber(&mut tx, &rest).await?;
    audit::record(
        &mut tx,
        actor,
        "survey.question.remove",
        &format!("survey:{survey}"),
        &format!("Removed a question from the survey {}", row.title),
        Some(serde_json::json!({ "question": question, "prompt": prompt })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces every question of a scheduled survey (the API's way to write them all at once).
pub async fn set_questions(
    db: &Db,
    actor: &Actor,
    survey: i64,
    inputs: &[QuestionInput],
) -> AppResult<()> {
    policy::manage_surveys(actor)?;
    let checked = check_questions(inputs)?;
    let mut tx = db.begin().await?;
    let row = lock_scheduled(&mut tx, survey).await?;
    sqlx::query("DELETE FROM survey_questions WHERE survey_id = $1")
        .bind(survey)
        .execute(&mut *tx)
        .await?;
    for (i, (kind, prompt)) in checked.iter().enumerate() {
        insert_question(&mut tx, survey, i as i64 + 1, *kind, prompt).await?;
    }
    audit::record(
        &mut tx,
        actor,
        "survey.question.replace",
        &format!("survey:{survey}"),
        &format!("Rewrote the questions of the survey {}", row.title),
        Some(serde_json::json!({
            "questions": checked.iter().map(|(k, p)| serde_json::json!({
                "kind": k.as_str(), "prompt": p
            })).collect::<Vec<_>>(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Opens a scheduled survey today; it needs at least one question.
pub async fn open_now(db: &Db, actor: &Actor, id: i64) -> AppResult<()> {
    policy::manage_surveys(actor)?;
    let mut tx = db.begin().await?;
    let row = lock_scheduled(&mut tx, id).await?;
    let questions = questions_of(&mut *tx, id).await?;
    if questions.is_empty() {
        return Err(AppError::invalid_field(
            "",
            "add at least one question before opening the survey",
        ));
    }
    let today = Day::today().to_string();
    sqlx::query("UPDATE surveys SET opens_on = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(&today)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    take_audience(&mut tx, id, &row.audience).await?;
    audit::record(
        &mut tx,
        actor,
        "survey.open",
        &format!("survey:{id}"),
        &format!("Opened the survey {}", row.title),
        Some(serde_json::json!({ "opens_on": today, "was": row.opens_on.to_string() })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Closes an open survey before its last day, for good: its results can then be read.
pub async fn close_now(db: &Db, actor: &Actor, id: i64) -> AppResult<()> {
    policy::manage_surveys(actor)?;
    let row = find_row(db.pool(), id)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    let today = Day::today();
    match row.status(today) {
        Status::Closed => return Err(AppError::Conflict("this survey is already closed".into())),
        Status::Scheduled => {
            return Err(AppError::Conflict(
                "this survey has not opened yet: change its dates, or remove it".into(),
            ));
        }
        Status::Open => {}
    }
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE surveys SET closed_early = 1, closed_at = $2, updated_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        "survey.close",
        &format!("survey:{id}"),
        &format!("Closed the survey {}", row.title),
        Some(serde_json::json!({ "closes_on": row.closes_on.to_string(), "closed_on": today.to_string() })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a survey with its questions and answers.
pub async fn remove(db: &Db, actor: &Actor, id: i64) -> AppResult<()> {
    policy::manage_surveys(actor)?;
    let mut tx = db.begin().await?;
    let row = find_row(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    sqlx::query("DELETE FROM surveys WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        "survey.remove",
        &format!("survey:{id}"),
        &format!("Removed the survey {}", row.title),
        // How many answered only once it has closed: removing an open survey must not tell how
        // many have answered so far.
        Some(serde_json::json!({
            "title": row.title,
            "responses": row.responses_after_close(Day::today()),
        })),
    )
    .await?;
    tx.commit().await?;
    forget(&row.results_key);
    Ok(())
}

// ---- The audience, taken when a survey opens ----

/// The start of a day, in Unix seconds (days are UTC).
fn day_start(day: Day) -> i64 {
    Day::parse("1970-01-01").map_or(0, |epoch| epoch.days_until(day) * 86_400)
}

/// How many people one statement adds to an audience.
const AUDIENCE_BATCH: usize = 200;

/// Takes the audience of a survey that opens now, in the transaction that opens it: every active
/// person the audience includes, with the groups they are in at this moment. Only these people
/// are asked; their answers count in these groups whatever happens to the directory later. Does
/// nothing when the audience was already taken (another server got there first); returns whether
/// it took it.
async fn take_audience(tx: &mut Tx, id: i64, audience: &Audience) -> AppResult<bool> {
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
    let rows = sqlx::query(&format!(
        "SELECT u.id, u.team_id, u.track_key, CASE WHEN {} THEN 1 ELSE 0 END AS pilot \
         FROM users u WHERE u.active = 1 ORDER BY u.id",
        crate::rollout::pilot::in_pilot_sql("u")
    ))
    .fetch_all(&mut **tx)
    .await?;
    let mut people = Vec::with_capacity(rows.len());
    for r in &rows {
        let team: Option<i64> = r.try_get("team_id")?;
        let track: Option<String> = r.try_get("track_key")?;
        if audience.includes(team, track.as_deref()) {
            let user: i64 = r.try_get("id")?;
            let pilot: i64 = r.try_get("pilot")?;
            people.push((user, team, track, pilot));
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
    let due = sqlx::query(&format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys WHERE opened_at IS NULL AND closed_early = 0 \
         AND opens_on <= $1 AND closes_on >= $1"
    ))
    .bind(&today)
    .fetch_all(db.pool())
    .await?;
    for r in &due {
        let row = SurveyRow::read(r)?;
        let mut tx = db.begin().await?;
        take_audience(&mut tx, row.id, &row.audience).await?;
        tx.commit().await?;
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
async fn asked_count(db: &Db, survey: i64) -> AppResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM survey_audience WHERE survey_id = $1")
            .bind(survey)
            .fetch_one(db.pool())
            .await?,
    )
}

/// The groups a person was in when the survey opened, if it asks them. A survey closed before
/// audiences were taken asks the people its audience includes today.
async fn asked_as<'e, E>(db: E, row: &SurveyRow, me: i64) -> AppResult<Option<Person>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if row.opened_at.is_none() {
        return Ok(person(db, me)
            .await?
            .filter(|p| row.audience.includes(p.team, p.track.as_deref())));
    }
    let found = sqlx::query(
        "SELECT team_id, track_key, pilot FROM survey_audience WHERE survey_id = $1 AND user_id = $2",
    )
    .bind(row.id)
    .bind(me)
    .fetch_optional(db)
    .await?;
    found
        .map(|r| {
            let pilot: i64 = r.try_get("pilot")?;
            Ok(Person {
                team: r.try_get("team_id")?,
                track: r.try_get("track_key")?,
                pilot: pilot == 1,
            })
        })
        .transpose()
}

// ---- Answering (everyone in the audience) ----

/// A person as a survey sees them: the groups they are in today.
struct Person {
    team: Option<i64>,
    track: Option<String>,
    pilot: bool,
}

async fn person<'e, E>(db: E, id: i64) -> AppResult<Option<Person>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query(&format!(
        "SELECT u.team_id, u.track_key, \
         CASE WHEN {} THEN 1 ELSE 0 END AS pilot \
         FROM users u WHERE u.id = $1 AND u.active = 1",
        crate::rollout::pilot::in_pilot_sql("u")
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let pilot: i64 = r.try_get("pilot")?;
        Ok(Person {
            team: r.try_get("team_id")?,
            track: r.try_get("track_key")?,
            pilot: pilot == 1,
        })
    })
    .transpose()
}

/// The surveys open today that ask the actor (they were in its audience when it opened) and which
/// they have not answered yet, soonest to close first. Empty for a token that stands for no person. For the home page.
pub async fn open_for(db: &Db, actor: &Actor) -> AppResult<Vec<OpenSurvey>> {
    policy::list_open_surveys(actor)?;
    let Some(me) = actor.user_id else {
        return Ok(Vec::new());
    };
    if person(db.pool(), me).await?.is_none() {
        return Ok(Vec::new());
    }
    take_due_audiences(db).await?;
    let today = Day::today().to_string();
    let rows = sqlx::query(&format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys s \
         WHERE s.closed_early = 0 AND s.opens_on <= $1 AND s.closes_on >= $1 \
         AND EXISTS (SELECT 1 FROM survey_audience a WHERE a.survey_id = s.id AND a.user_id = $2) \
         AND NOT EXISTS (SELECT 1 FROM survey_participants p \
                         WHERE p.survey_id = s.id AND p.user_id = $2) \
         ORDER BY s.closes_on, s.id"
    ))
    .bind(&today)
    .bind(me)
    .fetch_all(db.pool())
    .await?;
    let mut open = Vec::new();
    for r in &rows {
        let s = SurveyRow::read(r)?;
        {
            open.push(OpenSurvey {
                id: s.id,
                closes_on: s.closes_on.to_string(),
                questions: questions_of(db.pool(), s.id).await?,
                title: s.title,
                intro: s.intro,
            });
        }
    }
    Ok(open)
}

/// A survey for the person answering it: 404 unless it has opened and asks them (they were in its
/// audience when it opened, and are active). People who joined the audience later (added to the
/// directory, moved into a team or onto a track of the audience, reactivated) are not asked.
pub async fn to_answer(db: &Db, actor: &Actor, id: i64) -> AppResult<SurveyToAnswer> {
    policy::answer_surveys(actor)?;
    let me = actor.user_id.ok_or(AppError::Forbidden)?;
    let hidden = || AppError::not_found("this survey");
    take_due_audiences(db).await?;
    let row = find_row(db.pool(), id).await?.ok_or_else(hidden)?;
    person(db.pool(), me).await?.ok_or_else(hidden)?;
    let status = row.status(Day::today());
    if status == Status::Scheduled || asked_as(db.pool(), &row, me).await?.is_none() {
        return Err(hidden());
    }
    let answered: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM survey_participants WHERE survey_id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(me)
    .fetch_optional(db.pool())
    .await?;
    Ok(SurveyToAnswer {
        id,
        closes_on: row.closes_on.to_string(),
        status,
        threshold: row.threshold,
        answered: answered.is_some(),
        questions: questions_of(db.pool(), id).await?,
        title: row.title,
        intro: row.intro,
    })
}

/// Answers as sent, by question id: `1` to `5` for a statement, words (or nothing) for an open
/// question.
#[derive(Debug, Clone, Default)]
pub struct AnswerInput {
    pub answers: BTreeMap<i64, String>,
}

/// The answers checked against the questions, as stored: one value per question, in order.
fn check_answers(questions: &[Question], input: &AnswerInput) -> AppResult<serde_json::Value> {
    let mut errors = Vec::new();
    for id in input.answers.keys() {
        if !questions.iter().any(|q| q.id == *id) {
            errors.push(field(
                &format!("q{id}"),
                format!("this survey has no question {id}"),
            ));
        }
    }
    let mut values = Vec::with_capacity(questions.len());
    for q in questions {
        let raw = input
            .answers
            .get(&q.id)
            .map(|s| s.trim())
            .unwrap_or_default();
        let name = format!("q{}", q.id);
        match q.kind {
            QuestionKind::Scale => match raw.parse::<u8>() {
                Ok(n @ 1..=5) => values.push(serde_json::Value::from(n)),
                _ => errors.push(field(
                    &name,
                    "choose an answer from 1 (strongly disagree) to 5 (strongly agree)",
                )),
            },
            QuestionKind::Text => {
                if raw.chars().count() > MAX_TEXT {
                    errors.push(field(
                        &name,
                        format!("an answer can be at most {MAX_TEXT} characters"),
                    ));
                }
                values.push(if raw.is_empty() {
                    serde_json::Value::Null
                } else {
                    serde_json::Value::from(raw)
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(serde_json::Value::Array(values))
    } else {
        Err(invalid(errors))
    }
}

/// Records the actor's answers to an open survey of their audience, once: a second answer is
/// refused (409). The response keeps the actor's team, track and pilot membership, not who they
/// are nor when; see the module's doc. Not audited, on purpose.
pub async fn answer(db: &Db, actor: &Actor, id: i64, input: &AnswerInput) -> AppResult<()> {
    policy::answer_surveys(actor)?;
    let me = actor.user_id.ok_or(AppError::Forbidden)?;
    let survey = to_answer(db, actor, id).await?;
    if survey.answered {
        return Err(already_answered());
    }
    if survey.status == Status::Closed {
        return Err(AppError::Conflict(format!(
            "this survey closed on {}: it takes no more answers",
            survey.closes_on
        )));
    }
    let answers = check_answers(&survey.questions, input)?.to_string();
    let today = Day::today().to_string();
    let mut tx = db.begin().await?;
    // Counting the response first locks the survey's row, so that no change of its questions can
    // slip in, and checks again that it is open.
    let counted = sqlx::query(
        "UPDATE surveys SET responses = responses + 1 WHERE id = $1 AND closed_early = 0 \
         AND opens_on <= $2 AND closes_on >= $2",
    )
    .bind(id)
    .bind(&today)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if counted == 0 {
        return Err(AppError::Conflict(
            "this survey has just closed: it takes no more answers".into(),
        ));
    }
    // The groups the person was in when the survey opened, not today's: moving someone into a
    // team after a survey opened changes nothing of that team's results.
    person(&mut *tx, me)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    let row = find_row(&mut *tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    let person = asked_as(&mut *tx, &row, me)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    // Random ids: retried on the rare collision with an existing one.
    let mut recorded = false;
    for _ in 0..8 {
        let inserted = sqlx::query(
            "INSERT INTO survey_participants (id, survey_id, user_id) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(random_row_id())
        .bind(id)
        .bind(me)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            recorded = true;
            break;
        }
        let already: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM survey_participants WHERE survey_id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(me)
        .fetch_optional(&mut *tx)
        .await?;
        if already.is_some() {
            return Err(already_answered());
        }
    }
    if !recorded {
        return Err(AppError::internal("no free participation id was found"));
    }
    for attempt in 0.. {
        let inserted = sqlx::query(
            "INSERT INTO survey_responses (id, survey_id, team_id, track_key, pilot, answers) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(random_row_id())
        .bind(id)
        .bind(person.team)
        .bind(person.track.as_deref())
        .bind(i64::from(person.pilot))
        .bind(&answers)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            break;
        }
        if attempt >= 8 {
            return Err(AppError::internal("no free response id was found"));
        }
    }
    tx.commit().await?;
    Ok(())
}

fn already_answered() -> AppError {
    AppError::Conflict(
        "you have already answered this survey: each person answers once, and answers cannot be \
         changed because nobody can tell which response is yours"
            .into(),
    )
}

// ---- Results (admins; managers for the teams below them) ----

/// Who reads results: the People team the whole organisation, a manager the teams whose every
/// active member is below them in their management chain (so never a team they are in).
enum Viewer {
    Organisation,
    Teams(Vec<(i64, String)>),
}

impl Viewer {
    async fn of(db: &Db, actor: &Actor) -> AppResult<Viewer> {
        if policy::see_whole_organisation(actor) {
            policy::read_survey_results(actor, false)?;
            return Ok(Viewer::Organisation);
        }
        let teams = match actor.user_id {
            Some(me) => teams_below(db, me).await?,
            None => Vec::new(),
        };
        policy::read_survey_results(actor, !teams.is_empty())?;
        Ok(Viewer::Teams(teams))
    }

    /// Refuses a filter outside the viewer's teams.
    fn allows(&self, filter: &Filter) -> AppResult<()> {
        match (self, filter.team) {
            (Viewer::Organisation, _) => Ok(()),
            (Viewer::Teams(teams), Some(t)) if teams.iter().any(|(id, _)| *id == t) => Ok(()),
            (Viewer::Teams(_), Some(_)) => Err(AppError::Forbidden),
            (Viewer::Teams(_), None) => Err(AppError::invalid_field(
                "team",
                "choose one of your teams: managers see the results of the teams whose members \
                 all report to them",
            )),
        }
    }
}

/// The teams whose every active member is below this person in the management chain.
async fn teams_below(db: &Db, me: i64) -> AppResult<Vec<(i64, String)>> {
    let rows = sqlx::query(&format!(
        "SELECT t.id, t.name FROM teams t \
         WHERE EXISTS (SELECT 1 FROM users u WHERE u.team_id = t.id AND u.active = 1) \
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.team_id = t.id AND u.active = 1 \
                         AND u.id NOT IN {}) \
         ORDER BY t.name_key, t.id",
        crate::db::chain::below("$1")
    ))
    .bind(me)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// The teams whose results the actor may read, by name: every team for admins, the teams below
/// a manager for managers, none for others. For filters and for the dashboard.
pub async fn result_teams(db: &Db, actor: &Actor) -> AppResult<Vec<(i64, String)>> {
    if policy::see_whole_organisation(actor) {
        policy::read_survey_results(actor, false)?;
        let rows = sqlx::query("SELECT id, name FROM teams ORDER BY name_key, id")
            .fetch_all(db.pool())
            .await?;
        return rows
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(AppError::from);
    }
    match actor.user_id {
        Some(me) => teams_below(db, me).await,
        None => Ok(Vec::new()),
    }
}

/// The closed surveys whose results the actor may read, newest first: every survey for admins,
/// for a manager the closed ones (their teams' results), none for others.
pub async fn with_results(db: &Db, actor: &Actor) -> AppResult<Vec<SurveySummary>> {
    let viewer = match Viewer::of(db, actor).await {
        Ok(v) => v,
        Err(AppError::Forbidden) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let today = Day::today().to_string();
    let rows = sqlx::query(&format!(
        "SELECT {SURVEY_COLUMNS}, \
         (SELECT COUNT(*) FROM survey_questions q WHERE q.survey_id = s.id) AS question_count \
         FROM surveys s WHERE s.closed_early = 1 OR s.closes_on < $1 \
         ORDER BY closes_on DESC, id DESC"
    ))
    .bind(&today)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let s = SurveyRow::read(r)?;
            Ok(SurveySummary {
                id: s.id,
                audience_label: String::new(),
                opens_on: s.opens_on.to_string(),
                closes_on: s.closes_on.to_string(),
                status: Status::Closed,
                questions: r.try_get("question_count")?,
                responses: matches!(viewer, Viewer::Organisation).then_some(s.responses),
                title: s.title,
            })
        })
        .collect()
}

/// One question's answers in one cell.
#[derive(Debug)]
enum Tally {
    /// How many rated 1, 2, 3, 4 and 5.
    Scale([u64; 5]),
    /// The texts, each with its place in the shuffled order.
    Text(Vec<(u64, Arc<str>)>),
}

/// A cell's responses, added up.
#[derive(Debug)]
struct CellTally {
    count: u64,
    questions: Vec<Tally>,
}

/// A closed survey's responses added up by cell, with its cut into blocks: computed once per
/// survey and number of responses.
#[derive(Debug)]
struct Cube {
    questions: Vec<Question>,
    cells: Vec<(Cell, CellTally)>,
    partition: Partition,
    /// Results already computed from this cube, by [`memo_key`]: the cube never changes, so they
    /// never go stale.
    memo: ByteCache<Arc<Results>>,
    /// The changes to the audience's accounts while the survey was open, once worked out.
    audience: Mutex<Option<AudienceChanges>>,
}

impl Cube {
    fn remembered(&self, key: u64) -> Option<Results> {
        self.memo.get(&key.to_string()).map(|r| (*r).clone())
    }

    fn remember(&self, key: u64, results: &Results) {
        self.memo.put(
            &key.to_string(),
            Arc::new(results.clone()),
            crate::state::weigh(results),
        );
    }

    /// Roughly what the cube holds in memory besides its results: its texts and its cells.
    fn weight(&self) -> usize {
        let texts: usize = self
            .cells
            .iter()
            .flat_map(|(_, tally)| &tally.questions)
            .map(|t| match t {
                Tally::Scale(_) => 40,
                Tally::Text(texts) => texts.iter().map(|(_, s)| s.len() + 40).sum(),
            })
            .sum();
        texts + self.cells.len() * 96 + crate::state::weigh(&self.questions)
    }
}

/// What results depend on besides the cube: the group, the page of texts, and everything the
/// labels and filters are made of (team and track names, pilot teams, the viewer's choices).
fn memo_key(filter: &Filter, page: usize, results: &Results) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    filter.hash(&mut h);
    page.hash(&mut h);
    results.survey.audience_label.hash(&mut h);
    results.choices.everyone.hash(&mut h);
    results.choices.pilot.hash(&mut h);
    for t in &results.choices.teams {
        (t.id, &t.name).hash(&mut h);
    }
    for t in &results.choices.tracks {
        (&t.key, &t.name).hash(&mut h);
    }
    h.finish()
}

/// Cubes by `results_key`, with the number of responses they were computed from, within
/// [`budget::SURVEY_CUBES`] bytes (each cube's own results within [`budget::SURVEY_RESULTS`]).
type CubeCache = ByteCache<(i64, Arc<Cube>)>;

fn cubes() -> &'static CubeCache {
    static CUBES: OnceLock<CubeCache> = OnceLock::new();
    CUBES.get_or_init(|| ByteCache::new(budget::SURVEY_CUBES))
}

fn forget(results_key: &str) {
    cubes().remove(results_key);
}

/// A well-mixed 64-bit value of another (splitmix64), for the shuffled order of texts.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of a question's shuffled order: from the survey's random key, so that nobody can
/// compute the order back, and the question, so that each question is shuffled differently.
fn seed(results_key: &str, question: i64) -> u64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{results_key}/{question}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(bytes)
}

async fn cube(db: &Db, row: &SurveyRow) -> AppResult<Arc<Cube>> {
    if let Some((n, cube)) = cubes().get(&row.results_key)
        && n == row.responses
    {
        return Ok(cube);
    }
    let questions = questions_of(db.pool(), row.id).await?;
    let rows = sqlx::query(
        "SELECT team_id, track_key, pilot, answers FROM survey_responses WHERE survey_id = $1 \
         ORDER BY id",
    )
    .bind(row.id)
    .fetch_all(db.pool())
    .await?;
    let seeds: Vec<u64> = questions
        .iter()
        .map(|q| seed(&row.results_key, q.id))
        .collect();
    let mut cells: HashMap<Cell, CellTally> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let pilot: i64 = r.try_get("pilot")?;
        let cell = Cell {
            pilot: pilot == 1,
            team: r.try_get("team_id")?,
            track: r.try_get("track_key")?,
        };
        let answers: String = r.try_get("answers")?;
        let answers: Vec<serde_json::Value> = serde_json::from_str(&answers).unwrap_or_default();
        let tally = cells.entry(cell).or_insert_with(|| CellTally {
            count: 0,
            questions: questions
                .iter()
                .map(|q| match q.kind {
                    QuestionKind::Scale => Tally::Scale([0; 5]),
                    QuestionKind::Text => Tally::Text(Vec::new()),
                })
                .collect(),
        });
        tally.count += 1;
        for (qi, t) in tally.questions.iter_mut().enumerate() {
            match (t, answers.get(qi)) {
                (Tally::Scale(h), Some(v)) => {
                    if let Some(n) = v.as_u64()
                        && (1..=5).contains(&n)
                    {
                        h[n as usize - 1] += 1;
                    }
                }
                (Tally::Text(texts), Some(serde_json::Value::String(s))) if !s.is_empty() => {
                    texts.push((mix(seeds[qi] ^ i as u64), Arc::from(s.as_str())));
                }
                _ => {}
            }
        }
    }
    let partition = Partition::new(
        cells.iter().map(|(c, t)| (c.clone(), t.count)),
        row.threshold,
        row.compare_by,
    );
    let mut cells: Vec<(Cell, CellTally)> = cells.into_iter().collect();
    cells.sort_by(|a, b| a.0.cmp(&b.0));
    let cube = Arc::new(Cube {
        questions,
        cells,
        partition,
        memo: ByteCache::new(budget::SURVEY_RESULTS),
        audience: Mutex::default(),
    });
    let weight = cube.weight() + budget::SURVEY_RESULTS;
    cubes().put(&row.results_key, (row.responses, cube.clone()), weight);
    Ok(cube)
}

/// A group of results, as asked for.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct GroupView {
    pub team: Option<i64>,
    pub team_name: Option<String>,
    pub track: Option<String>,
    pub track_name: Option<String>,
    /// `true`: the pilot teams; `false`: everyone else.
    pub pilot: Option<bool>,
}

/// One question's results for a group.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionResult {
    pub id: i64,
    pub position: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    /// Ratings (statements) or non-empty texts (open questions).
    pub answers: u64,
    /// The mean rating, for statements.
    pub mean: Option<f64>,
    /// For statements: how many rated 1, 2, 3, 4 and 5.
    pub distribution: Vec<u64>,
    /// For open questions: one page of texts, in a random order that is the same on every request.
    pub texts: Vec<String>,
}

/// A row of a breakdown: a sub-group of the group shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BreakdownRow {
    pub label: String,
    /// The filter that shows this row as the group; absent for the others combined.
    pub team: Option<i64>,
    pub track: Option<String>,
    pub pilot: Option<bool>,
    /// The sub-groups that cannot be shown on their own, added up.
    pub combined: bool,
    pub responses: u64,
    /// The mean of every rating of the row.
    pub mean: Option<f64>,
    /// The mean rating of each statement, in question order.
    pub question_means: Vec<Option<f64>>,
}

/// The group shown, split by team, by track, or pilot against the rest. Sub-groups that would
/// single people out are not listed; they are added up in one "combined" row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Breakdown {
    /// `team`, `track` or `pilot`.
    pub by: String,
    pub title: String,
    pub rows: Vec<BreakdownRow>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamChoice {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrackChoice {
    pub key: String,
    pub name: String,
}

/// What the filters offer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResultChoices {
    /// The viewer may read the whole survey (admins), not only some teams.
    pub everyone: bool,
    pub teams: Vec<TeamChoice>,
    pub tracks: Vec<TrackChoice>,
    /// Pilot teams exist, so pilot against the rest can be asked.
    pub pilot: bool,
}

/// A survey's results for one group.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Results {
    pub survey: SurveySummary,
    pub threshold: i64,
    pub compare_by: String,
    pub group: GroupView,
    /// The group's figures are shown.
    pub shown: bool,
    /// The group was asked for with filters that were refused (rather than there being too few
    /// answers overall, or the survey still being open).
    pub refused: bool,
    /// Why nothing is shown.
    pub message: Option<String>,
    /// Responses in the group.
    pub responses: Option<u64>,
    /// The mean of every rating in the group.
    pub mean: Option<f64>,
    pub questions: Vec<QuestionResult>,
    pub breakdowns: Vec<Breakdown>,
    pub choices: ResultChoices,
    /// Free-text answers: this page (from 1) of `text_pages`.
    pub text_page: usize,
    pub text_pages: usize,
    /// What happened to the accounts of the audience around the time the survey was open; absent
    /// until it has closed.
    pub audience: Option<AudienceChanges>,
}

/// The changes to the audience's accounts that could let someone who controls the directory answer
/// in other people's places, or fill a group with answers they know: shown with the results so
/// that whoever reads them can judge. Counts only, never who.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

fn accounts(n: i64) -> String {
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
async fn audience_changes(db: &Db, row: &SurveyRow, today: Day) -> AppResult<AudienceChanges> {
    // Both ends count: times are whole seconds, and a change in the second the survey opened or
    // closed is reported rather than missed.
    let from = row.opened_at();
    let to = row.closed_at(today);
    let before = from - LOOKBACK_DAYS * 86_400;
    // The people asked: the audience taken when it opened, or for a survey closed before
    // audiences were taken, the people its audience includes today.
    let asked: BTreeSet<i64> = if row.opened_at.is_some() {
        sqlx::query_scalar("SELECT user_id FROM survey_audience WHERE survey_id = $1")
            .bind(row.id)
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .collect()
    } else {
        let rows = sqlx::query("SELECT id, team_id, track_key FROM users WHERE active = 1")
            .fetch_all(db.pool())
            .await?;
        let mut ids = BTreeSet::new();
        for r in &rows {
            let team: Option<i64> = r.try_get("team_id")?;
            let track: Option<String> = r.try_get("track_key")?;
            if row.audience.includes(team, track.as_deref()) {
                ids.insert(r.try_get("id")?);
            }
        }
        ids
    };
    let created = sqlx::query(
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
        let id: i64 = r.try_get("id")?;
        let at: i64 = r.try_get("created_at")?;
        let team: Option<i64> = r.try_get("team_id")?;
        let track: Option<String> = r.try_get("track_key")?;
        if at >= from {
            if !asked.contains(&id) && row.audience.includes(team, track.as_deref()) {
                created_while_open += 1;
            }
        } else if asked.contains(&id) {
            changed_before.insert(id);
        }
    }
    let links = sqlx::query(
        "SELECT user_id, created_at FROM account_links WHERE created_at >= $1 AND created_at <= $2",
    )
    .bind(before)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    let mut linked_while_open: BTreeSet<i64> = BTreeSet::new();
    for r in &links {
        let user: i64 = r.try_get("user_id")?;
        let at: i64 = r.try_get("created_at")?;
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

impl Results {
    /// The refusal of the filters, as an error for the API.
    pub fn refusal(&self) -> Option<AppError> {
        self.refused
            .then(|| AppError::invalid_field("filter", self.message.clone().unwrap_or_default()))
    }
}

/// Sums of ratings over a group of cells.
struct Sums {
    count: u64,
    histograms: Vec<[u64; 5]>,
}

impl Sums {
    fn empty(cube: &Cube) -> Sums {
        Sums {
            count: 0,
            histograms: vec![[0; 5]; cube.questions.len()],
        }
    }

    fn add(&mut self, tally: &CellTally) {
        self.count += tally.count;
        for (qi, t) in tally.questions.iter().enumerate() {
            if let Tally::Scale(h) = t {
                for (k, n) in h.iter().enumerate() {
                    self.histograms[qi][k] += n;
                }
            }
        }
    }

    fn of(cube: &Cube, member: &dyn Fn(&Cell) -> bool) -> Sums {
        let mut sums = Sums::empty(cube);
        for (_, tally) in cube.cells.iter().filter(|(c, _)| member(c)) {
            sums.add(tally);
        }
        sums
    }

    /// A breakdown row of these sums; `sub` is the filter that shows the row alone.
    fn row(&self, cube: &Cube, label: String, sub: &Filter, combined: bool) -> BreakdownRow {
        BreakdownRow {
            label,
            team: sub.team,
            track: sub.track.clone(),
            pilot: sub.pilot,
            combined,
            responses: self.count,
            mean: self.mean(cube),
            question_means: self.question_means(cube),
        }
    }

    fn question_means(&self, cube: &Cube) -> Vec<Option<f64>> {
        cube.questions
            .iter()
            .zip(&self.histograms)
            .filter(|(q, _)| q.kind == QuestionKind::Scale)
            .map(|(_, h)| mean(h))
            .collect()
    }

    /// The mean of every rating.
    fn mean(&self, cube: &Cube) -> Option<f64> {
        let mut all = [0; 5];
        for (q, h) in cube.questions.iter().zip(&self.histograms) {
            if q.kind == QuestionKind::Scale {
                for k in 0..5 {
                    all[k] += h[k];
                }
            }
        }
        mean(&all)
    }
}

fn mean(h: &[u64; 5]) -> Option<f64> {
    let n: u64 = h.iter().sum();
    (n > 0).then(|| {
        let total: u64 = h.iter().enumerate().map(|(k, c)| (k as u64 + 1) * c).sum();
        (total as f64 / n as f64 * 100.0).round() / 100.0
    })
}

/// The `page`-th page (from 0) of texts in shuffled order, without sorting them all.
fn text_page(mut texts: Vec<(u64, &Arc<str>)>, page: usize) -> Vec<String> {
    let start = page * TEXTS_PER_PAGE;
    if start >= texts.len() {
        return Vec::new();
    }
    if start > 0 {
        texts.select_nth_unstable_by_key(start, |(k, _)| *k);
        texts.drain(..start);
    }
    if texts.len() > TEXTS_PER_PAGE {
        texts.select_nth_unstable_by_key(TEXTS_PER_PAGE, |(k, _)| *k);
        texts.truncate(TEXTS_PER_PAGE);
    }
    texts.sort_unstable_by_key(|(k, _)| *k);
    texts.into_iter().map(|(_, t)| t.to_string()).collect()
}

/// A survey's results for a group (`filter`), with its breakdowns. Only closed surveys have
/// results, only groups the anonymity rule allows are shown (see the module's doc), and a manager
/// only asks about one of their teams. `text_page` counts from 1.
pub async fn results(
    state: &AppState,
    actor: &Actor,
    id: i64,
    filter: &Filter,
    text_page_number: usize,
) -> AppResult<Results> {
    let db = state.db();
    let viewer = Viewer::of(db, actor).await?;
    viewer.allows(filter)?;
    let row = find_row(db.pool(), id)
        .await?
        .ok_or_else(|| AppError::not_found("this survey"))?;
    let today = Day::today();
    let status = row.status(today);
    let names = team_names(db).await?;
    let tracks = track_names(state, actor).await?;
    let pilot_teams = crate::rollout::pilot::pilot_team_ids(db).await?;
    let everyone = matches!(viewer, Viewer::Organisation);
    let choices = ResultChoices {
        everyone,
        teams: match &viewer {
            Viewer::Organisation => {
                let mut teams: Vec<TeamChoice> = names
                    .iter()
                    .map(|(id, name)| TeamChoice {
                        id: *id,
                        name: name.clone(),
                    })
                    .collect();
                teams.sort_by_key(|t| t.name.to_lowercase());
                teams
            }
            Viewer::Teams(teams) => teams
                .iter()
                .map(|(id, name)| TeamChoice {
                    id: *id,
                    name: name.clone(),
                })
                .collect(),
        },
        tracks: tracks
            .iter()
            .map(|(key, name)| TrackChoice {
                key: key.clone(),
                name: name.clone(),
            })
            .collect(),
        pilot: !pilot_teams.is_empty() || filter.pilot.is_some(),
    };
    let team_label = |t: Option<i64>| match t {
        Some(t) => names
            .get(&t)
            .cloned()
            .unwrap_or_else(|| format!("Team {t} (removed)")),
        None => "No team".to_owned(),
    };
    let track_label = |k: Option<&str>| match k {
        Some(k) => tracks
            .iter()
            .find(|(key, _)| key == k)
            .map_or_else(|| k.to_owned(), |(_, n)| n.clone()),
        None => "No track".to_owned(),
    };
    let group = GroupView {
        team: filter.team,
        team_name: filter.team.map(|t| team_label(Some(t))),
        track: filter.track.clone(),
        track_name: filter.track.as_deref().map(|k| track_label(Some(k))),
        pilot: filter.pilot,
    };
    let mut results = Results {
        survey: SurveySummary {
            id,
            title: row.title.clone(),
            audience_label: audience_label(&row.audience, &names, &tracks),
            opens_on: row.opens_on.to_string(),
            closes_on: row.closes_on.to_string(),
            status,
            questions: 0,
            responses: everyone.then(|| row.responses_after_close(today)).flatten(),
        },
        threshold: row.threshold,
        compare_by: row.compare_by.as_str().to_owned(),
        group,
        shown: false,
        refused: false,
        message: None,
        responses: None,
        mean: None,
        questions: Vec::new(),
        breakdowns: Vec::new(),
        choices,
        text_page: 1,
        text_pages: 1,
        audience: None,
    };
    if status != Status::Closed {
        results.message = Some(format!(
            "Results are shown once the survey has closed (its last day is {}). Until then \
             nothing is shown, so that nobody's answers can be worked out by comparing results \
             from before and after they answered.",
            row.closes_on
        ));
        return Ok(results);
    }
    let cube = cube(db, &row).await?;
    // Accounts created and links issued in the past do not change, so the changes are worked out
    // once per cube, like the results.
    let known = cube.audience.lock().ok().and_then(|a| a.clone());
    results.audience = Some(match known {
        Some(changes) => changes,
        None => {
            let changes = audience_changes(db, &row, today).await?;
            if let Ok(mut slot) = cube.audience.lock() {
                *slot = Some(changes.clone());
            }
            changes
        }
    });
    results.survey.questions = cube.questions.len() as i64;
    let verdict = cube.partition.judge(filter);
    let Verdict::Shown { count } = verdict else {
        results.refused = !filter.is_everyone();
        results.message = verdict.message(row.threshold);
        return Ok(results);
    };
    let page = text_page_number.max(1) - 1;
    let key = memo_key(filter, page, &results);
    if let Some(known) = cube.remembered(key) {
        return Ok(known);
    }
    let member = |c: &Cell| filter.matches(c);
    let sums = Sums::of(&cube, &member);
    let mut most_texts = 0;
    results.questions = cube
        .questions
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            let (answers, mean_rating, distribution, texts) = match q.kind {
                QuestionKind::Scale => {
                    let h = sums.histograms[qi];
                    (h.iter().sum(), mean(&h), h.to_vec(), Vec::new())
                }
                QuestionKind::Text => {
                    let all: Vec<(u64, &Arc<str>)> = cube
                        .cells
                        .iter()
                        .filter(|(c, _)| member(c))
                        .flat_map(|(_, t)| match &t.questions[qi] {
                            Tally::Text(texts) => texts.iter().map(|(k, s)| (*k, s)).collect(),
                            Tally::Scale(_) => Vec::new(),
                        })
                        .collect();
                    let n = all.len();
                    most_texts = most_texts.max(n);
                    (n as u64, None, Vec::new(), text_page(all, page))
                }
            };
            QuestionResult {
                id: q.id,
                position: q.position,
                kind: q.kind,
                prompt: q.prompt.clone(),
                answers,
                mean: mean_rating,
                distribution,
                texts,
            }
        })
        .collect();
    results.shown = true;
    results.responses = Some(count);
    results.mean = sums.mean(&cube);
    results.text_pages = most_texts.div_ceil(TEXTS_PER_PAGE).max(1);
    results.text_page = page + 1;
    // The breakdowns: every value of a dimension present in the group, each shown only when the
    // rule allows it; the others are added up in one row, which the rule then always allows (the
    // group and the rows shown are unions of blocks, so what remains is one too). Each breakdown
    // is one pass over the cells for the verdicts and one for the sums.
    if filter.team.is_none() && everyone {
        let rows = breakdown_rows(
            &cube,
            &member,
            |c| c.team,
            |t| {
                t.map(|t| {
                    (
                        team_label(Some(t)),
                        Filter {
                            team: Some(t),
                            ..filter.clone()
                        },
                    )
                })
            },
        );
        push_breakdown(
            &mut results,
            &cube,
            &member,
            |c| c.team,
            "team",
            "By team",
            rows,
            "Other teams, combined",
        );
    }
    if filter.track.is_none() {
        let rows = breakdown_rows(
            &cube,
            &member,
            |c| c.track.clone(),
            |k| {
                k.map(|k| {
                    (
                        track_label(Some(&k)),
                        Filter {
                            track: Some(k),
                            ..filter.clone()
                        },
                    )
                })
            },
        );
        push_breakdown(
            &mut results,
            &cube,
            &member,
            |c| c.track.clone(),
            "track",
            "By track",
            rows,
            "Other tracks, combined",
        );
    }
    if filter.pilot.is_none() && !pilot_teams.is_empty() {
        let rows = breakdown_rows(
            &cube,
            &member,
            |c| !c.pilot,
            |rest| {
                Some((
                    if rest { "Everyone else" } else { "Pilot teams" }.to_owned(),
                    Filter {
                        pilot: Some(!rest),
                        ..filter.clone()
                    },
                ))
            },
        );
        push_breakdown(
            &mut results,
            &cube,
            &member,
            |c| !c.pilot,
            "pilot",
            "Pilot teams and the rest",
            rows,
            "Others, combined",
        );
    }
    cube.remember(key, &results);
    Ok(results)
}

/// The rows of a breakdown of a group (`member`) by `key` that may be shown, each with its label
/// and the filter that shows it alone (`describe`; `None` for a value that has no filter of its
/// own, such as "no team"), sorted by label.
fn breakdown_rows<K: Ord + Clone>(
    cube: &Cube,
    member: &dyn Fn(&Cell) -> bool,
    key: impl Fn(&Cell) -> K,
    describe: impl Fn(K) -> Option<(String, Filter)>,
) -> Vec<(K, BreakdownRow)> {
    let verdicts = cube.partition.judge_split(member, &key);
    let mut sums: BTreeMap<K, Sums> = BTreeMap::new();
    for (cell, tally) in cube.cells.iter().filter(|(c, _)| member(c)) {
        let k = key(cell);
        if verdicts.get(&k).is_some_and(|v| v.is_shown()) {
            sums.entry(k)
                .or_insert_with(|| Sums::empty(cube))
                .add(tally);
        }
    }
    let mut rows: Vec<(K, BreakdownRow)> = sums
        .into_iter()
        .filter_map(|(k, sums)| {
            let (label, sub) = describe(k.clone())?;
            Some((k, sums.row(cube, label, &sub, false)))
        })
        .collect();
    rows.sort_by_key(|(_, row)| row.label.to_lowercase());
    rows
}

/// Adds a breakdown with its rows, and the rest of the group added up, when it has something to
/// compare. `key` is the one the rows were split by.
#[allow(clippy::too_many_arguments)]
fn push_breakdown<K: Ord>(
    results: &mut Results,
    cube: &Cube,
    member: &dyn Fn(&Cell) -> bool,
    key: impl Fn(&Cell) -> K,
    by: &str,
    title: &str,
    rows: Vec<(K, BreakdownRow)>,
    others: &str,
) {
    if rows.is_empty() {
        return;
    }
    let (keys, mut list): (BTreeSet<K>, Vec<BreakdownRow>) = rows.into_iter().unzip();
    let rest = |c: &Cell| member(c) && !keys.contains(&key(c));
    if cube.partition.judge_where(rest).is_shown() {
        let sums = Sums::of(cube, &rest);
        list.push(sums.row(cube, others.to_owned(), &Filter::default(), true));
    }
    if list.len() > 1 {
        results.breakdowns.push(Breakdown {
            by: by.to_owned(),
            title: title.to_owned(),
            rows: list,
        });
    }
}

// ---- The pulse over time (for the KPI dashboard) ----

/// One survey's mean rating for a statement.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionMean {
    pub question_id: i64,
    pub prompt: String,
    pub mean: Option<f64>,
}

/// One survey of the pulse trend.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PulsePoint {
    pub survey_id: i64,
    pub title: String,
    pub opens_on: String,
    pub closes_on: String,
    pub status: Status,
    /// Responses in the group; absent when the group is not shown.
    pub responses: Option<u64>,
    /// The mean of every 1–5 rating of the group; absent when not shown.
    pub mean: Option<f64>,
    /// The mean of each statement, in question order; empty when not shown.
    pub questions: Vec<QuestionMean>,
    /// Why the figures are absent.
    pub withheld: Option<String>,
}

/// The pulse over time: for every survey that has opened, by last day, the mean ratings of a group
/// (the whole organisation with the empty filter, or a team, track, pilot or a combination),
/// under the same rules as the results: only closed surveys, only groups the anonymity rule allows.
/// Admins ask about anyone; a manager about one of the teams of [`result_teams`] (`filter.team`).
pub async fn pulse_trend(db: &Db, actor: &Actor, filter: &Filter) -> AppResult<Vec<PulsePoint>> {
    let viewer = Viewer::of(db, actor).await?;
    viewer.allows(filter)?;
    let today = Day::today();
    let rows = sqlx::query(&format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys WHERE opens_on <= $1 ORDER BY closes_on, id"
    ))
    .bind(today.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut points = Vec::with_capacity(rows.len());
    for r in &rows {
        let row = SurveyRow::read(r)?;
        let status = row.status(today);
        let mut point = PulsePoint {
            survey_id: row.id,
            title: row.title.clone(),
            opens_on: row.opens_on.to_string(),
            closes_on: row.closes_on.to_string(),
            status,
            responses: None,
            mean: None,
            questions: Vec::new(),
            withheld: None,
        };
        if status != Status::Closed {
            point.withheld = Some("results are shown once the survey has closed".into());
            points.push(point);
            continue;
        }
        let cube = cube(db, &row).await?;
        match cube.partition.judge(filter) {
            Verdict::Shown { count } => {
                let sums = Sums::of(&cube, &|c| filter.matches(c));
                point.responses = Some(count);
                point.mean = sums.mean(&cube);
                point.questions = cube
                    .questions
                    .iter()
                    .filter(|q| q.kind == QuestionKind::Scale)
                    .zip(sums.question_means(&cube))
                    .map(|(q, mean)| QuestionMean {
                        question_id: q.id,
                        prompt: q.prompt.clone(),
                        mean,
                    })
                    .collect();
            }
            verdict => point.withheld = verdict.message(row.threshold),
        }
        points.push(point);
    }
    Ok(points)
}
