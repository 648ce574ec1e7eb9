//! Checking what an admin sends: a survey's settings and its questions, each mistake named by its
//! field so that forms and the API can point at it.

use std::collections::BTreeSet;

use super::stored::{SurveyRow, team_names, track_names};
use super::{
    Audience, MAX_PROMPT, MAX_QUESTIONS, MAX_TEXT, MAX_THRESHOLD, MAX_TITLE, QuestionInput,
    QuestionKind, SurveyInput,
};
use crate::auth::Actor;
use crate::domain::Day;
use crate::error::{AppError, AppResult, FieldError};
use crate::rollout::anonymity::{self, CompareBy};
use crate::state::AppState;

pub(super) fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

pub(super) fn invalid(errors: Vec<FieldError>) -> AppError {
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
pub(super) struct Settings {
    pub(super) title: String,
    pub(super) intro: String,
    pub(super) audience: Audience,
    pub(super) opens_on: Day,
    pub(super) closes_on: Day,
    pub(super) threshold: i64,
    pub(super) compare_by: CompareBy,
}

pub(super) async fn check_settings(
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

pub(super) fn check_question(input: &QuestionInput) -> AppResult<(QuestionKind, String)> {
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
pub(super) fn check_questions(inputs: &[QuestionInput]) -> AppResult<Vec<(QuestionKind, String)>> {
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

/// What may change on an open survey, checked.
pub(super) struct OpenSettings {
    pub(super) title: String,
    pub(super) intro: String,
    pub(super) closes_on: Day,
}

/// Checks the settings sent for an open survey: the title, the introduction and a last day that is
/// not in the past may change; the audience, the first day, the threshold and the comparison must
/// be left empty or unchanged. An empty last day keeps the current one.
pub(super) async fn check_open_settings(
    state: &AppState,
    actor: &Actor,
    current: &SurveyRow,
    input: &SurveyInput,
    today: Day,
) -> AppResult<OpenSettings> {
    let mut errors = Vec::new();
    let title = check_title(&input.title, &mut errors);
    let intro = check_intro(&input.intro, &mut errors);
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
    match closes_on {
        Some(closes_on) if errors.is_empty() => Ok(OpenSettings {
            title,
            intro,
            closes_on,
        }),
        _ => Err(invalid(errors)),
    }
}
