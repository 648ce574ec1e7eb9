//! The readiness self-check: the questions a People team answers before it introduces career
//! tracks, and what to do next given the answers. Every time the check is taken its answers are
//! kept as a new row, so that the latest can be compared with earlier ones.
//!
//! [`advise`] and [`compare`] are pure functions of the answers, in `trellis_rules::self_check`
//! with the answers' types; this module checks the answers as typed, reads and writes them. Only
//! admins take and read self-checks (`policy::run_rollout`).

use std::collections::BTreeMap;

use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::Work;
use crate::db::{Db, now};
use crate::error::{AppError, AppResult, FieldError};
use crate::rollout::roadmap::Stage;

pub use trellis_rules::self_check::{
    Advice, Benefit, Comparison, Levels, Link, Score, ScoreChange, SelfCheckAnswers, Statement,
    advise, compare, weakest,
};

/// Longest free-text answer, in characters.
pub const MAX_TEXT: usize = 20_000;

/// A self-check as typed in the form (or sent to the API), before checking. Field names are the
/// form's: `competencies`, `levels`, `tracks`, `statement_<key>`, `impact`, `benefit_<key>`,
/// `top_benefit`, `why`, `stage`.
#[derive(Debug, Clone, Default)]
pub struct SelfCheckInput {
    /// `yes` or `no`.
    pub competencies: String,
    /// `defined`, `unclear` or `flat`.
    pub levels: String,
    /// `yes` or `no`.
    pub tracks: String,
    /// Statement key → rating as typed.
    pub statements: BTreeMap<String, String>,
    pub impact: String,
    /// Benefit key → rating as typed.
    pub benefits: BTreeMap<String, String>,
    pub top_benefit: String,
    pub why: String,
    pub stage: String,
}

fn field(name: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

fn yes_no(name: &str, raw: &str, question: &str, errors: &mut Vec<FieldError>) -> Option<bool> {
    match raw.trim() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.push(field(name, format!("answer yes or no: {question}")));
            None
        }
    }
}

fn text(name: &str, raw: &str, errors: &mut Vec<FieldError>) -> String {
    let t = raw.trim().to_owned();
    if t.chars().count() > MAX_TEXT {
        errors.push(field(
            name,
            format!("an answer has at most {MAX_TEXT} characters"),
        ));
    }
    t
}

/// The rating given to each of `all` (each one is required), reporting keys that are none of
/// them. `what` names one in messages and is the prefix of the fields (`statement_<key>`).
fn scores<K: Ord + Copy, const N: usize>(
    given: &BTreeMap<String, String>,
    what: &str,
    all: [K; N],
    as_str: fn(K) -> &'static str,
    errors: &mut Vec<FieldError>,
) -> BTreeMap<K, Score> {
    let parse = |raw: &str| all.into_iter().find(|k| as_str(*k) == raw.trim());
    unknown_keys(given, what, parse, errors);
    let mut scores = BTreeMap::new();
    for k in all {
        let raw = given.get(as_str(k)).map(String::as_str).unwrap_or_default();
        match Score::parse(raw) {
            Ok(score) => {
                scores.insert(k, score);
            }
            Err(m) => errors.push(field(format!("{what}_{}", as_str(k)), m)),
        }
    }
    scores
}

/// Reports each key of `given` that `parse` does not know, on the field `<what>s`.
fn unknown_keys<K>(
    given: &BTreeMap<String, String>,
    what: &str,
    parse: impl Fn(&str) -> Option<K>,
    errors: &mut Vec<FieldError>,
) {
    for key in given.keys() {
        if parse(key).is_none() {
            errors.push(field(
                format!("{what}s"),
                format!("“{key}” is not a {what}"),
            ));
        }
    }
}

/// The stage the organisation says it is at.
fn stage_of(raw: &str, errors: &mut Vec<FieldError>) -> Option<Stage> {
    let stage = Stage::parse(raw);
    if stage.is_none() {
        errors.push(field(
            "stage",
            if raw.trim().is_empty() {
                "choose the stage you are at".to_owned()
            } else {
                format!(
                    "“{}” is not a stage: use awareness, planning, development, training, implementation or measuring",
                    raw.trim()
                )
            },
        ));
    }
    stage
}

impl SelfCheckInput {
    /// Checks every answer and reports every mistake at once.
    pub fn check(&self) -> Result<SelfCheckAnswers, Vec<FieldError>> {
        let mut errors = Vec::new();
        let competencies = yes_no(
            "competencies",
            &self.competencies,
            "are your competencies defined?",
            &mut errors,
        );
        let levels = Levels::parse(&self.levels);
        if levels.is_none() {
            errors.push(field(
                "levels",
                "say whether you have job levels: defined, unclear or flat",
            ));
        }
        let tracks = yes_no(
            "tracks",
            &self.tracks,
            "do you have career tracks today?",
            &mut errors,
        );
        let statements = if tracks == Some(true) {
            scores(
                &self.statements,
                "statement",
                Statement::ALL,
                Statement::as_str,
                &mut errors,
            )
        } else {
            unknown_keys(&self.statements, "statement", Statement::parse, &mut errors);
            BTreeMap::new()
        };
        let impact = text("impact", &self.impact, &mut errors);
        let benefits = scores(
            &self.benefits,
            "benefit",
            Benefit::ALL,
            Benefit::as_str,
            &mut errors,
        );
        let top_benefit = Benefit::parse(&self.top_benefit);
        if top_benefit.is_none() {
            errors.push(field(
                "top_benefit",
                "choose the benefit that matters most to you",
            ));
        }
        let why = text("why", &self.why, &mut errors);
        if why.is_empty() {
            errors.push(field(
                "why",
                "say why this benefit matters most, in a sentence or two",
            ));
        }
        let stage = stage_of(&self.stage, &mut errors);
        match (competencies, levels, tracks, top_benefit, stage) {
            (Some(c), Some(l), Some(t), Some(top), Some(stage)) if errors.is_empty() => {
                Ok(SelfCheckAnswers {
                    competencies_defined: c,
                    levels: l,
                    tracks_exist: t,
                    statements,
                    impact,
                    benefits,
                    top_benefit: top,
                    top_benefit_why: why,
                    stage,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A self-check as kept, with its advice.
#[derive(Debug, Clone)]
pub struct SelfCheck {
    pub id: i64,
    /// Seconds since the epoch.
    pub taken_at: i64,
    /// Who took it, when they are still in the directory.
    pub taken_by: Option<String>,
    pub answers: SelfCheckAnswers,
    pub advice: Vec<Advice>,
}

const SELECT: &str = "SELECT c.id, c.taken_at, c.answers, u.name AS taken_by \
                      FROM self_checks c LEFT JOIN users u ON u.id = c.taken_by";

/// A self-check as stored: its answers as JSON, with the name of who took it.
#[derive(sqlx::FromRow)]
struct SelfCheckRow {
    id: i64,
    taken_at: i64,
    answers: String,
    taken_by: Option<String>,
}

impl TryFrom<SelfCheckRow> for SelfCheck {
    type Error = AppError;

    fn try_from(row: SelfCheckRow) -> AppResult<SelfCheck> {
        let answers: SelfCheckAnswers = serde_json::from_str(&row.answers)
            .map_err(|e| AppError::internal(format!("a stored self-check cannot be read: {e}")))?;
        Ok(SelfCheck {
            id: row.id,
            taken_at: row.taken_at,
            taken_by: row.taken_by,
            advice: advise(&answers),
            answers,
        })
    }
}

/// Saves a self-check as a new row (earlier ones stay) and returns it with its advice.
pub async fn take(db: &Db, actor: &Actor, input: &SelfCheckInput) -> AppResult<SelfCheck> {
    let permit = policy::run_rollout(actor)?;
    let answers = input.check().map_err(|errors| AppError::Invalid {
        title: format!(
            "{} attention; nothing was saved.",
            crate::text::count(errors.len(), "answer needs", "answers need")
        ),
        errors,
    })?;
    let json = serde_json::to_string(&answers)
        .map_err(|e| AppError::internal(format!("cannot store the self-check: {e}")))?;
    let taken_at = now();
    let mut work = Work::begin(db, actor, permit).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO self_checks (taken_by, taken_at, answers) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(actor.user_id)
    .bind(taken_at)
    .bind(&json)
    .fetch_one(&mut **work.tx())
    .await?;
    work.record(
        Action::RolloutSelfCheck,
        &format!("self_check:{id}"),
        &format!(
            "Took the readiness self-check (stage: {})",
            answers.stage.name().to_lowercase()
        ),
        None,
    )
    .await?;
    work.commit().await?;
    Ok(SelfCheck {
        id,
        taken_at,
        taken_by: Some(actor.name.clone()).filter(|_| actor.user_id.is_some()),
        advice: advise(&answers),
        answers,
    })
}

/// Every self-check, newest first.
pub async fn list(db: &Db, actor: &Actor) -> AppResult<Vec<SelfCheck>> {
    policy::run_rollout(actor)?;
    let rows =
        sqlx::query_as::<_, SelfCheckRow>(&format!("{SELECT} ORDER BY c.taken_at DESC, c.id DESC"))
            .fetch_all(db.pool())
            .await?;
    rows.into_iter().map(SelfCheck::try_from).collect()
}

/// One self-check, or 404.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> AppResult<SelfCheck> {
    policy::run_rollout(actor)?;
    let row = sqlx::query_as::<_, SelfCheckRow>(&format!("{SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| AppError::not_found("this self-check"))?;
    SelfCheck::try_from(row)
}

/// The latest self-check, if one was taken.
pub async fn latest(db: &Db, actor: &Actor) -> AppResult<Option<SelfCheck>> {
    policy::run_rollout(actor)?;
    let row = sqlx::query_as::<_, SelfCheckRow>(&format!(
        "{SELECT} ORDER BY c.taken_at DESC, c.id DESC LIMIT 1"
    ))
    .fetch_optional(db.pool())
    .await?;
    row.map(SelfCheck::try_from).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SelfCheckInput {
        SelfCheckInput {
            competencies: "yes".into(),
            levels: "defined".into(),
            tracks: "yes".into(),
            statements: Statement::ALL
                .into_iter()
                .map(|s| (s.as_str().to_owned(), "3".to_owned()))
                .collect(),
            impact: String::new(),
            benefits: Benefit::ALL
                .into_iter()
                .map(|b| (b.as_str().to_owned(), "5".to_owned()))
                .collect(),
            top_benefit: "development".into(),
            why: "Growth is why people join us.".into(),
            stage: "development".into(),
        }
    }

    #[test]
    fn answers_are_checked_and_every_mistake_is_named() {
        assert!(input().check().is_ok());
        let mut bad = input();
        bad.competencies = "maybe".into();
        bad.statements.insert("scales".into(), "6".into());
        bad.statements.insert("clarity".into(), "3".into());
        bad.benefits.insert("culture".into(), "0".into());
        bad.benefits.remove("retention");
        bad.top_benefit = "profit".into();
        bad.why = " ".into();
        bad.stage = "launch".into();
        let fields: Vec<String> = match bad.check() {
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
            Ok(_) => Vec::new(),
        };
        assert_eq!(
            fields,
            [
                "competencies",
                "statements",
                "statement_scales",
                "benefit_culture",
                "benefit_retention",
                "top_benefit",
                "why",
                "stage"
            ]
        );
    }

    #[test]
    fn without_tracks_the_statements_are_not_asked() {
        let mut no_tracks = input();
        no_tracks.tracks = "no".into();
        no_tracks.statements.clear();
        let answers = no_tracks.check().expect("valid without statements");
        assert!(answers.statements.is_empty());
        let mut with_tracks = input();
        with_tracks.statements.remove("values");
        assert!(with_tracks.check().is_err(), "with tracks, rate all seven");
    }

    #[test]
    fn answers_read_back_as_the_form_that_made_them() {
        let answers = input().check().expect("valid");
        let fields = answers.to_fields();
        let again = SelfCheckInput {
            competencies: fields["competencies"].clone(),
            levels: fields["levels"].clone(),
            tracks: fields["tracks"].clone(),
            statements: Statement::ALL
                .into_iter()
                .map(|s| {
                    (
                        s.as_str().to_owned(),
                        fields[&format!("statement_{}", s.as_str())].clone(),
                    )
                })
                .collect(),
            impact: fields["impact"].clone(),
            benefits: Benefit::ALL
                .into_iter()
                .map(|b| {
                    (
                        b.as_str().to_owned(),
                        fields[&format!("benefit_{}", b.as_str())].clone(),
                    )
                })
                .collect(),
            top_benefit: fields["top_benefit"].clone(),
            why: fields["why"].clone(),
            stage: fields["stage"].clone(),
        };
        assert_eq!(again.check(), Ok(answers));
        let json = serde_json::to_string(&input().check().expect("valid")).expect("json");
        assert!(json.contains("\"knows_track\":3"), "{json}");
        assert!(serde_json::from_str::<Score>("6").is_err());
    }
}
