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
//! - **The audience is fixed when the survey opens** (`audience::take_audience`): only the people
//!   of the audience at that moment answer, counted in the groups they were in then, so accounts
//!   added, moved in or reactivated later cannot fill a group. The results say how many accounts of
//!   the audience were created or given a password link around the time it was open. See
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
//!
//! # Where things are
//!
//! This file holds the types callers use; the service's functions live in one child module per
//! concern and are re-exported here, so callers name them `surveys::create`, `surveys::results`.
//!
//! - `stored`: a survey's row as stored and the reads every part shares (questions, names).
//! - `checks`: checking a survey's settings and questions as sent.
//! - `authoring`: making, changing, opening, closing and removing surveys (admins).
//! - `questions`: a scheduled survey's questions, one at a time or all at once (admins).
//! - `audience`: taking the audience when a survey opens, and how its accounts changed while open.
//! - `answering`: the surveys open for a person, and their answers, taken once.
//! - `viewer`: who reads results, and the surveys and teams they may read.
//! - `cube`: a closed survey's responses added up by cell, kept in memory.
//! - `results`: a group's results and breakdowns, from the cube.
//! - `trend`: the pulse over time, for the KPI dashboard.

use serde::{Deserialize, Serialize};

mod answering;
mod audience;
mod authoring;
mod checks;
mod cube;
mod questions;
mod results;
mod stored;
mod trend;
mod viewer;

pub use answering::{AnswerInput, answer, open_for, to_answer};
pub use audience::{
    AudienceChanges, LOOKBACK_DAYS, take_audiences_before_requests, take_due_audiences,
};
pub use authoring::{
    close_now, create, list, new_survey_defaults, open_now, remove, survey, update,
};
pub use checks::check_threshold;
pub use questions::{
    add_question, edit_question, move_question, question_survey, remove_question, set_questions,
};
pub use results::{
    Breakdown, BreakdownRow, GroupView, QuestionResult, ResultChoices, Results, TeamChoice,
    TrackChoice, results,
};
pub use trend::{PulsePoint, QuestionMean, pulse_trend};
pub use viewer::{result_teams, with_results};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

#[derive(Debug, Clone)]
pub struct Question {
    pub id: i64,
    /// From 1, in the order people answer.
    pub position: i64,
    pub kind: QuestionKind,
    pub prompt: String,
}

/// Who is asked to answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone)]
pub struct OpenSurvey {
    pub id: i64,
    pub title: String,
    pub intro: String,
    pub closes_on: String,
    pub questions: Vec<Question>,
}

/// A survey as the person asked to answer it sees it.
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone, Default)]
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
