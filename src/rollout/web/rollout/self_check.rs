//! The readiness self-check: the form (every question numbered, the error summary naming each by
//! its number and words), each result with its advice, and the comparison of two of them.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::day_of;
use crate::auth::Actor;
use crate::error::AppError;
use crate::rollout::roadmap::Stage;
use crate::rollout::self_check::{
    self as self_check_service, Benefit, Comparison, Levels, SelfCheck, SelfCheckInput, Statement,
};
use crate::state::AppState;
use crate::web::forms::refusal;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission};
use crate::web::{Layout, PageResult, render_with};

/// One option of a question answered with a radio button.
struct Opt {
    id: String,
    value: String,
    label: String,
    hint: String,
    checked: bool,
}

/// A question answered by choosing one option.
struct Question {
    /// Its number in the form, shown before the legend and named by the error summary.
    number: usize,
    name: String,
    legend: String,
    options: Vec<Opt>,
    error: Option<String>,
    error_id: String,
    /// What the lowest and highest ratings mean, for a 1 to 5 scale (empty otherwise).
    ends: Option<(String, String)>,
}

impl Question {
    /// The id of the element that says what the scale's ends mean.
    fn ends_id(&self) -> String {
        format!("{}_ends", self.error_id.trim_end_matches("_error"))
    }
}

/// A question answered in writing, numbered like the others.
struct TextQuestion {
    number: usize,
    name: &'static str,
    label: String,
}

impl TextQuestion {
    fn numbered_label(&self) -> String {
        format!("{}. {}", self.number, self.label)
    }
}

#[derive(Template)]
#[template(path = "rollout/self_check_form.html")]
struct SelfCheckFormPage {
    layout: Layout,
    tab: &'static str,
    errors: Vec<ErrorLink>,
    form: FormView,
    retake: bool,
    competencies: Question,
    levels: Question,
    tracks: Question,
    statements: Vec<Question>,
    benefits: Vec<Question>,
    top_benefit: Question,
    stage: Question,
    impact_question: TextQuestion,
    why_question: TextQuestion,
    impact: String,
    why: String,
}

impl SelfCheckFormPage {
    fn new(actor: &Actor, forms: &Forms, current: &BTreeMap<String, String>) -> SelfCheckFormPage {
        let form = forms.form("selfcheck");
        let mut ask = Asker {
            form: &form,
            current,
            asked: 0,
        };
        let competencies = ask.question(
            "competencies",
            "Has your organisation agreed on the competencies it expects (the skills and behaviours that matter in its roles)?",
            yes_no(),
            None,
        );
        let levels = ask.question(
            "levels",
            "Does each role have clear job levels?",
            Levels::ALL
                .into_iter()
                .map(|l| (l.as_str().to_owned(), l.label().to_owned(), String::new()))
                .collect(),
            None,
        );
        let tracks = ask.question(
            "tracks",
            "Do you have career tracks today, in any form (a document, a spreadsheet, a tool)?",
            yes_no(),
            None,
        );
        let statements: Vec<Question> = Statement::ALL
            .into_iter()
            .map(|s| {
                ask.question(
                    &format!("statement_{}", s.as_str()),
                    s.text(),
                    scale(),
                    Some(("Not true at all", "Entirely true")),
                )
            })
            .collect();
        let impact_question = ask.text(
            "impact",
            "If your tracks got better, what would change that you could measure?",
        );
        let (benefits, top_benefit) = ask.benefits();
        let why_question = ask.text(
            "why",
            "Why does it matter most, and how does it serve the company's goals?",
        );
        let stage = ask.question("stage", "Where is your organisation today?", stages(), None);
        let questions: Vec<&Question> = [&competencies, &levels, &tracks]
            .into_iter()
            .chain(&statements)
            .chain(&benefits)
            .chain([&top_benefit, &stage])
            .collect();
        let errors = error_summary(forms, &form, &questions, [&impact_question, &why_question]);
        SelfCheckFormPage {
            layout: Layout::new("Rollout: readiness self-check", "admin", Some(actor)),
            tab: "self-check",
            errors,
            retake: !current.is_empty(),
            impact: ask.value("impact"),
            why: ask.value("why"),
            competencies,
            levels,
            tracks,
            statements,
            benefits,
            top_benefit,
            stage,
            impact_question,
            why_question,
            form,
        }
    }
}

/// Makes the form's questions, numbered in the order the form asks them, each with the value sent
/// (when the form was refused) or else the latest self-check's.
struct Asker<'a> {
    form: &'a FormView,
    current: &'a BTreeMap<String, String>,
    /// How many questions have been asked so far.
    asked: usize,
}

impl Asker<'_> {
    fn value(&self, name: &str) -> String {
        self.form.value(
            name,
            self.current
                .get(name)
                .map(String::as_str)
                .unwrap_or_default(),
        )
    }

    fn next(&mut self) -> usize {
        self.asked += 1;
        self.asked
    }

    /// A question answered by choosing one of `options` (value, label, hint).
    fn question(
        &mut self,
        name: &str,
        legend: &str,
        options: Vec<(String, String, String)>,
        ends: Option<(&str, &str)>,
    ) -> Question {
        let chosen = self.value(name);
        let form = self.form;
        Question {
            number: self.next(),
            name: name.to_owned(),
            legend: legend.to_owned(),
            options: options
                .into_iter()
                .enumerate()
                .map(|(i, (v, label, hint))| Opt {
                    // The first option carries the question's id, so that the error summary's
                    // link lands on it.
                    id: if i == 0 {
                        form.input_id(name)
                    } else {
                        format!("{}_{v}", form.input_id(name))
                    },
                    checked: chosen == v,
                    value: v,
                    label,
                    hint,
                })
                .collect(),
            error: form.error(name).map(str::to_owned),
            error_id: form.error_id(name),
            ends: ends.map(|(low, high)| (low.to_owned(), high.to_owned())),
        }
    }

    /// A question answered in writing.
    fn text(&mut self, name: &'static str, label: &str) -> TextQuestion {
        TextQuestion {
            number: self.next(),
            name,
            label: label.to_owned(),
        }
    }

    /// How much each benefit matters, then which matters most.
    fn benefits(&mut self) -> (Vec<Question>, Question) {
        let benefits: Vec<Question> = Benefit::ALL
            .into_iter()
            .map(|b| {
                self.question(
                    &format!("benefit_{}", b.as_str()),
                    b.text(),
                    scale(),
                    Some(("Does not matter", "Essential")),
                )
            })
            .collect();
        let top_benefit = self.question(
            "top_benefit",
            "Which of these benefits matters most to your organisation?",
            Benefit::ALL
                .into_iter()
                .map(|b| (b.as_str().to_owned(), b.text().to_owned(), String::new()))
                .collect(),
            None,
        );
        (benefits, top_benefit)
    }
}

fn yes_no() -> Vec<(String, String, String)> {
    vec![
        ("yes".to_owned(), "Yes".to_owned(), String::new()),
        ("no".to_owned(), "No".to_owned(), String::new()),
    ]
}

fn scale() -> Vec<(String, String, String)> {
    (1..=5)
        .map(|n| (n.to_string(), n.to_string(), String::new()))
        .collect()
}

/// The stages, each with how a team at that stage describes where it is.
fn stages() -> Vec<(String, String, String)> {
    Stage::ALL
        .into_iter()
        .map(|s| {
            (
                s.as_str().to_owned(),
                s.name().to_owned(),
                s.where_you_are().to_owned(),
            )
        })
        .collect()
}

/// The error summary, naming each question by its number and words.
fn error_summary(
    forms: &Forms,
    form: &FormView,
    questions: &[&Question],
    texts: [&TextQuestion; 2],
) -> Vec<ErrorLink> {
    let mut named: Vec<(String, usize, &str)> = questions
        .iter()
        .map(|q| {
            (
                form.input_id(&q.name),
                q.number,
                q.legend.trim_end_matches('.'),
            )
        })
        .collect();
    for t in texts {
        named.push((form.input_id(t.name), t.number, t.label.as_str()));
    }
    forms
        .summary()
        .into_iter()
        .map(|e| {
            match named
                .iter()
                .find(|(id, _, _)| e.href.strip_prefix('#') == Some(id.as_str()))
            {
                Some((_, number, words)) => ErrorLink {
                    message: format!("Question {number}, \u{2018}{words}\u{2019}: {}", e.message),
                    href: e.href,
                },
                None => e,
            }
        })
        .collect()
}

pub(super) async fn self_check_form(State(state): State<AppState>, actor: Actor) -> PageResult {
    let latest = self_check_service::latest(state.db(), &actor).await?;
    let current = latest.map(|c| c.answers.to_fields()).unwrap_or_default();
    render_with(
        StatusCode::OK,
        &SelfCheckFormPage::new(&actor, &Forms::default(), &current),
    )
}

fn self_check_input(f: &Fields) -> SelfCheckInput {
    SelfCheckInput {
        competencies: f.text("competencies"),
        levels: f.text("levels"),
        tracks: f.text("tracks"),
        statements: Statement::ALL
            .into_iter()
            .map(|s| {
                (
                    s.as_str().to_owned(),
                    f.text(&format!("statement_{}", s.as_str())),
                )
            })
            .collect(),
        impact: f.text("impact"),
        benefits: Benefit::ALL
            .into_iter()
            .map(|b| {
                (
                    b.as_str().to_owned(),
                    f.text(&format!("benefit_{}", b.as_str())),
                )
            })
            .collect(),
        top_benefit: f.text("top_benefit"),
        why: f.text("why"),
        stage: f.text("stage"),
    }
}

pub(super) async fn take_self_check(
    State(state): State<AppState>,
    actor: Actor,
    Form(fields): Form<Fields>,
) -> PageResult {
    match self_check_service::take(state.db(), &actor, &self_check_input(&fields)).await {
        Ok(check) => {
            Ok(Redirect::to(&format!("/admin/rollout/self-check/{}", check.id)).into_response())
        }
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new("selfcheck".into(), fields, errors));
            render_with(
                status,
                &SelfCheckFormPage::new(&actor, &forms, &BTreeMap::new()),
            )
        }
    }
}

#[derive(Template)]
#[template(path = "rollout/self_check.html")]
struct ResultPage {
    layout: Layout,
    tab: &'static str,
    check: SelfCheck,
    taken_on: String,
    /// The self-check taken before this one, to compare with.
    previous: Option<i64>,
    is_latest: bool,
    statements: [Statement; 7],
    benefits: [Benefit; 6],
}

impl ResultPage {
    fn score(&self, s: &Statement) -> String {
        self.check
            .answers
            .statements
            .get(s)
            .map_or_else(|| "not rated".to_owned(), |v| format!("{}/5", v.get()))
    }

    fn benefit(&self, b: &Benefit) -> String {
        self.check
            .answers
            .benefits
            .get(b)
            .map_or_else(|| "not rated".to_owned(), |v| format!("{}/5", v.get()))
    }
}

pub(super) async fn self_check_result(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let check = self_check_service::get(state.db(), &actor, id).await?;
    let all = self_check_service::list(state.db(), &actor).await?;
    let at = all.iter().position(|c| c.id == id);
    render_with(
        StatusCode::OK,
        &ResultPage {
            layout: Layout::new("Rollout: self-check result", "admin", Some(&actor)),
            tab: "self-check",
            taken_on: day_of(check.taken_at),
            previous: at.and_then(|i| all.get(i + 1)).map(|c| c.id),
            is_latest: at == Some(0),
            statements: Statement::ALL,
            benefits: Benefit::ALL,
            check,
        },
    )
}

#[derive(Deserialize)]
pub(super) struct CompareQuery {
    earlier: Option<i64>,
    latest: Option<i64>,
}

#[derive(Template)]
#[template(path = "rollout/compare.html")]
struct ComparePage {
    layout: Layout,
    tab: &'static str,
    checks: Vec<(i64, String, &'static str)>,
    earlier_id: i64,
    earlier_day: String,
    latest_id: i64,
    latest_day: String,
    comparison: Option<Comparison>,
}

impl ComparePage {
    /// A change of rating in words.
    fn change_words(&self, change: &Option<i8>) -> String {
        match change {
            None => "not rated in both".to_owned(),
            Some(0) => "no change".to_owned(),
            Some(n) if *n > 0 => format!("+{n}, better"),
            Some(n) => format!("−{}, worse", n.unsigned_abs()),
        }
    }

    fn change_class(&self, change: &Option<i8>) -> &'static str {
        match change {
            Some(n) if *n > 0 => "better",
            Some(n) if *n < 0 => "worse",
            _ => "same",
        }
    }

    fn rated(&self, score: &Option<u8>) -> String {
        score.map_or_else(|| "–".to_owned(), |s| s.to_string())
    }
}

pub(super) async fn compare(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<CompareQuery>,
) -> PageResult {
    let all = self_check_service::list(state.db(), &actor).await?;
    let find = |id: i64| {
        all.iter()
            .find(|c| c.id == id)
            .ok_or_else(|| AppError::not_found("this self-check"))
    };
    let latest = match q.latest {
        Some(id) => Some(find(id)?),
        None => all.first(),
    };
    let earlier = match (q.earlier, latest) {
        (Some(id), _) => Some(find(id)?),
        (None, Some(l)) => all.iter().skip_while(|c| c.id != l.id).nth(1),
        (None, None) => None,
    };
    let comparison = match (earlier, latest) {
        (Some(e), Some(l)) => Some(self_check_service::compare(&e.answers, &l.answers)),
        _ => None,
    };
    render_with(
        StatusCode::OK,
        &ComparePage {
            layout: Layout::new("Rollout: compare self-checks", "admin", Some(&actor)),
            tab: "self-check",
            checks: all
                .iter()
                .map(|c| (c.id, day_of(c.taken_at), c.answers.stage.name()))
                .collect(),
            earlier_id: earlier.map_or(0, |c| c.id),
            earlier_day: earlier.map(|c| day_of(c.taken_at)).unwrap_or_default(),
            latest_id: latest.map_or(0, |c| c.id),
            latest_day: latest.map(|c| day_of(c.taken_at)).unwrap_or_default(),
            comparison,
        },
    )
}
