//! The JSON of pulse surveys: a survey and its questions, the lists, the results of a group with
//! their breakdowns, and the pulse over time. None of it says who answered, or when.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::rollout::surveys as service;

/// A question is a statement rated from 1 to 5, or an open question answered in words.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// A statement rated from 1 (strongly disagree) to 5 (strongly agree); every respondent rates it.
    Scale,
    /// An open question; answering it is optional.
    Text,
}

impl From<service::QuestionKind> for QuestionKind {
    fn from(kind: service::QuestionKind) -> Self {
        match kind {
            service::QuestionKind::Scale => QuestionKind::Scale,
            service::QuestionKind::Text => QuestionKind::Text,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Question {
    pub id: i64,
    /// From 1, in the order people answer.
    pub position: i64,
    pub kind: QuestionKind,
    pub prompt: String,
}

impl From<service::Question> for Question {
    fn from(q: service::Question) -> Self {
        Question {
            id: q.id,
            position: q.position,
            kind: q.kind.into(),
            prompt: q.prompt,
        }
    }
}

/// Who is asked to answer.
#[derive(Serialize, ToSchema)]
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

impl From<service::Audience> for Audience {
    fn from(audience: service::Audience) -> Self {
        match audience {
            service::Audience::Everyone => Audience::Everyone,
            service::Audience::Teams { teams } => Audience::Teams { teams },
            service::Audience::Tracks { tracks } => Audience::Tracks { tracks },
        }
    }
}

/// Where a survey is in its life.
#[derive(Serialize, ToSchema)]
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

impl From<service::Status> for Status {
    fn from(status: service::Status) -> Self {
        match status {
            service::Status::Scheduled => Status::Scheduled,
            service::Status::Open => Status::Open,
            service::Status::Closed => Status::Closed,
        }
    }
}

/// A survey as the People team manages it.
#[derive(Serialize, ToSchema)]
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

impl From<service::Survey> for Survey {
    fn from(s: service::Survey) -> Self {
        Survey {
            id: s.id,
            title: s.title,
            intro: s.intro,
            audience: s.audience.into(),
            audience_label: s.audience_label,
            opens_on: s.opens_on,
            closes_on: s.closes_on,
            status: s.status.into(),
            threshold: s.threshold,
            compare_by: s.compare_by,
            responses: s.responses,
            asked: s.asked,
            questions: s.questions.into_iter().map(Into::into).collect(),
        }
    }
}

/// A line of the People team's list of surveys.
#[derive(Serialize, ToSchema)]
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

impl From<service::SurveySummary> for SurveySummary {
    fn from(s: service::SurveySummary) -> Self {
        SurveySummary {
            id: s.id,
            title: s.title,
            audience_label: s.audience_label,
            opens_on: s.opens_on,
            closes_on: s.closes_on,
            status: s.status.into(),
            questions: s.questions,
            responses: s.responses,
        }
    }
}

/// A survey someone may answer now.
#[derive(Serialize, ToSchema)]
pub struct OpenSurvey {
    pub id: i64,
    pub title: String,
    pub intro: String,
    pub closes_on: String,
    pub questions: Vec<Question>,
}

impl From<service::OpenSurvey> for OpenSurvey {
    fn from(s: service::OpenSurvey) -> Self {
        OpenSurvey {
            id: s.id,
            title: s.title,
            intro: s.intro,
            closes_on: s.closes_on,
            questions: s.questions.into_iter().map(Into::into).collect(),
        }
    }
}

/// A question as sent.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct QuestionInput {
    /// `scale` or `text`.
    pub kind: String,
    pub prompt: String,
}

impl From<QuestionInput> for service::QuestionInput {
    fn from(q: QuestionInput) -> Self {
        service::QuestionInput {
            kind: q.kind,
            prompt: q.prompt,
        }
    }
}

/// A group of results, as asked for.
#[derive(Serialize, ToSchema)]
pub struct GroupView {
    pub team: Option<i64>,
    pub team_name: Option<String>,
    pub track: Option<String>,
    pub track_name: Option<String>,
    /// `true`: the pilot teams; `false`: everyone else.
    pub pilot: Option<bool>,
}

impl From<service::GroupView> for GroupView {
    fn from(g: service::GroupView) -> Self {
        GroupView {
            team: g.team,
            team_name: g.team_name,
            track: g.track,
            track_name: g.track_name,
            pilot: g.pilot,
        }
    }
}

/// One question's results for a group.
#[derive(Serialize, ToSchema)]
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

impl From<service::QuestionResult> for QuestionResult {
    fn from(q: service::QuestionResult) -> Self {
        QuestionResult {
            id: q.id,
            position: q.position,
            kind: q.kind.into(),
            prompt: q.prompt,
            answers: q.answers,
            mean: q.mean,
            distribution: q.distribution,
            texts: q.texts,
        }
    }
}

/// A row of a breakdown: a sub-group of the group shown.
#[derive(Serialize, ToSchema)]
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

impl From<service::BreakdownRow> for BreakdownRow {
    fn from(r: service::BreakdownRow) -> Self {
        BreakdownRow {
            label: r.label,
            team: r.team,
            track: r.track,
            pilot: r.pilot,
            combined: r.combined,
            responses: r.responses,
            mean: r.mean,
            question_means: r.question_means,
        }
    }
}

/// The group shown, split by team, by track, or pilot against the rest. Sub-groups that would
/// single people out are not listed; they are added up in one "combined" row.
#[derive(Serialize, ToSchema)]
pub struct Breakdown {
    /// `team`, `track` or `pilot`.
    pub by: String,
    pub title: String,
    pub rows: Vec<BreakdownRow>,
}

impl From<service::Breakdown> for Breakdown {
    fn from(b: service::Breakdown) -> Self {
        Breakdown {
            by: b.by,
            title: b.title,
            rows: b.rows.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TeamChoice {
    pub id: i64,
    pub name: String,
}

impl From<service::TeamChoice> for TeamChoice {
    fn from(t: service::TeamChoice) -> Self {
        TeamChoice {
            id: t.id,
            name: t.name,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TrackChoice {
    pub key: String,
    pub name: String,
}

impl From<service::TrackChoice> for TrackChoice {
    fn from(t: service::TrackChoice) -> Self {
        TrackChoice {
            key: t.key,
            name: t.name,
        }
    }
}

/// What the filters offer.
#[derive(Serialize, ToSchema)]
pub struct ResultChoices {
    /// The viewer may read the whole survey (admins), not only some teams.
    pub everyone: bool,
    pub teams: Vec<TeamChoice>,
    pub tracks: Vec<TrackChoice>,
    /// Pilot teams exist, so pilot against the rest can be asked.
    pub pilot: bool,
}

impl From<service::ResultChoices> for ResultChoices {
    fn from(c: service::ResultChoices) -> Self {
        ResultChoices {
            everyone: c.everyone,
            teams: c.teams.into_iter().map(Into::into).collect(),
            tracks: c.tracks.into_iter().map(Into::into).collect(),
            pilot: c.pilot,
        }
    }
}

/// The changes to the audience's accounts that could let someone who controls the directory answer
/// in other people's places, or fill a group with answers they know: shown with the results so
/// that whoever reads them can judge. Counts only, never who.
#[derive(Serialize, ToSchema)]
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

impl From<service::AudienceChanges> for AudienceChanges {
    fn from(c: service::AudienceChanges) -> Self {
        AudienceChanges {
            asked: c.asked,
            created_while_open: c.created_while_open,
            links_while_open: c.links_while_open,
            changed_before_opening: c.changed_before_opening,
            sentences: c.sentences,
        }
    }
}

/// A survey's results for one group.
#[derive(Serialize, ToSchema)]
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

impl From<service::Results> for Results {
    fn from(r: service::Results) -> Self {
        Results {
            survey: r.survey.into(),
            threshold: r.threshold,
            compare_by: r.compare_by,
            group: r.group.into(),
            shown: r.shown,
            refused: r.refused,
            message: r.message,
            responses: r.responses,
            mean: r.mean,
            questions: r.questions.into_iter().map(Into::into).collect(),
            breakdowns: r.breakdowns.into_iter().map(Into::into).collect(),
            choices: r.choices.into(),
            text_page: r.text_page,
            text_pages: r.text_pages,
            audience: r.audience.map(Into::into),
        }
    }
}

/// One survey's mean rating for a statement.
#[derive(Serialize, ToSchema)]
pub struct QuestionMean {
    pub question_id: i64,
    pub prompt: String,
    pub mean: Option<f64>,
}

impl From<service::QuestionMean> for QuestionMean {
    fn from(q: service::QuestionMean) -> Self {
        QuestionMean {
            question_id: q.question_id,
            prompt: q.prompt,
            mean: q.mean,
        }
    }
}

/// One survey of the pulse trend.
#[derive(Serialize, ToSchema)]
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

impl From<service::PulsePoint> for PulsePoint {
    fn from(p: service::PulsePoint) -> Self {
        PulsePoint {
            survey_id: p.survey_id,
            title: p.title,
            opens_on: p.opens_on,
            closes_on: p.closes_on,
            status: p.status.into(),
            responses: p.responses,
            mean: p.mean,
            questions: p.questions.into_iter().map(Into::into).collect(),
            withheld: p.withheld,
        }
    }
}
