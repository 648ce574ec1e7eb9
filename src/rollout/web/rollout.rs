//! The rollout in the browser, under `/admin/rollout`: the overview, the readiness self-check (the
//! form, each result with its advice, and the comparison of the latest with an earlier one), the
//! roadmap (stages, checklists, CSV and a printable page) and the pilot (who sees the Grow
//! features). Every form works without JavaScript; a refused form comes back with its values and
//! messages (422). The services decide who may do what: admins only.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::auth::Actor;
use crate::domain::Day;
use crate::error::{AppError, FieldError};
use crate::rollout::pilot;
use crate::rollout::pilot::{self as pilot_service, Pilot, PilotInput};
use crate::rollout::roadmap::{
    self as roadmap_service, Direction, Item, ItemInput, Roadmap, RoadmapSummary, Stage,
    StageInput, StageStatus, StageView,
};
use crate::rollout::self_check::{
    self as self_check_service, Benefit, Comparison, Levels, SelfCheck, SelfCheckInput, Statement,
};
use crate::state::AppState;
use crate::web::charts::Svg;
use crate::web::forms::Choice;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission};
use crate::web::routes::{Routes, get, post};
use crate::web::timeline::{self, Entry, Mark, Row};
use crate::web::{Layout, PageResult, format_time, render, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/rollout", get(overview))
        .route(
            "/admin/rollout/self-check",
            get(self_check_form).post(take_self_check),
        )
        .route("/admin/rollout/self-check/compare", get(compare))
        .route("/admin/rollout/self-check/{id}", get(self_check_result))
        .route("/admin/rollout/roadmap", get(roadmap_page))
        .route("/admin/rollout/roadmap.csv", get(roadmap_csv))
        .route("/admin/rollout/roadmap/print", get(roadmap_print))
        .route("/admin/rollout/roadmap/stages/{stage}", post(update_stage))
        .route(
            "/admin/rollout/roadmap/stages/{stage}/items",
            post(add_item),
        )
        .route("/admin/rollout/roadmap/items/{id}", post(update_item))
        .route("/admin/rollout/roadmap/items/{id}/move", post(move_item))
        .route("/admin/rollout/roadmap/items/{id}/tick", post(tick_item))
        .route(
            "/admin/rollout/roadmap/items/{id}/remove",
            post(remove_item),
        )
        .route("/admin/rollout/pilot", get(pilot_page).post(choose_pilot))
        .route("/admin/rollout/pilot/release", post(release_everyone))
}

/// A refused request shows its form again when the mistake is the user's; refusals and anything
/// else are errors.
fn refused(e: AppError) -> Result<(StatusCode, Vec<FieldError>), AppError> {
    let status = e.status();
    if status.is_client_error()
        && status != StatusCode::FORBIDDEN
        && status != StatusCode::NOT_FOUND
    {
        Ok((status, e.field_errors()))
    } else {
        Err(e)
    }
}

fn day_of(at: i64) -> String {
    format_time(&at).get(..10).unwrap_or_default().to_owned()
}

// ---- The admin home's panel ----

/// The rollout at a glance, for the admin home.
pub struct Panel {
    pub summary: RoadmapSummary,
    pub current_name: Option<&'static str>,
    pub current_status: Option<&'static str>,
    /// The day the latest self-check was taken.
    pub self_check_on: Option<String>,
    /// The Grow features are limited to the pilot teams.
    pub piloting: bool,
}

/// What the admin home shows of the rollout: the current stage, what is overdue, the latest
/// self-check and whether a pilot is running.
pub(crate) async fn panel(state: &AppState, actor: &Actor) -> Result<Panel, AppError> {
    let summary = roadmap_service::summary(state.db(), actor).await?;
    let latest = self_check_service::latest(state.db(), actor).await?;
    Ok(Panel {
        current_name: summary.current.map(Stage::name),
        current_status: summary.current_status.map(StageStatus::label),
        self_check_on: latest.map(|c| day_of(c.taken_at)),
        piloting: pilot::audience(state.db()).await? == pilot::PILOT,
        summary,
    })
}

// ---- Overview ----

#[derive(Template)]
#[template(path = "rollout/home.html")]
struct OverviewPage {
    layout: Layout,
    tab: &'static str,
    latest: Option<SelfCheck>,
    latest_on: String,
    panel: Panel,
    pilot: Pilot,
}

async fn overview(State(state): State<AppState>, actor: Actor) -> PageResult {
    let panel = panel(&state, &actor).await?;
    let latest = self_check_service::latest(state.db(), &actor).await?;
    let pilot = pilot_service::pilot(state.db(), &actor).await?;
    render_with(
        StatusCode::OK,
        &OverviewPage {
            layout: Layout::new("Rollout", "admin", Some(&actor)),
            tab: "overview",
            latest_on: latest
                .as_ref()
                .map(|c| day_of(c.taken_at))
                .unwrap_or_default(),
            latest,
            panel,
            pilot,
        },
    )
}

// ---- The self-check ----

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
        let value = |name: &str| {
            form.value(
                name,
                current.get(name).map(String::as_str).unwrap_or_default(),
            )
        };
        // Questions are numbered in the order the form asks them.
        let counter = std::cell::Cell::new(0);
        let next = || {
            counter.set(counter.get() + 1);
            counter.get()
        };
        let question = |name: &str,
                        legend: &str,
                        options: Vec<(String, String, String)>,
                        ends: Option<(&str, &str)>| {
            let chosen = value(name);
            Question {
                number: next(),
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
        };
        let yes_no = || {
            vec![
                ("yes".to_owned(), "Yes".to_owned(), String::new()),
                ("no".to_owned(), "No".to_owned(), String::new()),
            ]
        };
        let scale = || {
            (1..=5)
                .map(|n| (n.to_string(), n.to_string(), String::new()))
                .collect::<Vec<_>>()
        };
        let competencies = question(
            "competencies",
            "Has your organisation agreed on the competencies it expects (the skills and behaviours that matter in its roles)?",
            yes_no(),
            None,
        );
        let levels = question(
            "levels",
            "Does each role have clear job levels?",
            Levels::ALL
                .into_iter()
                .map(|l| (l.as_str().to_owned(), l.label().to_owned(), String::new()))
                .collect(),
            None,
        );
        let tracks = question(
            "tracks",
            "Do you have career tracks today, in any form (a document, a spreadsheet, a tool)?",
            yes_no(),
            None,
        );
        let statements: Vec<Question> = Statement::ALL
            .into_iter()
            .map(|s| {
                question(
                    &format!("statement_{}", s.as_str()),
                    s.text(),
                    scale(),
                    Some(("Not true at all", "Entirely true")),
                )
            })
            .collect();
        let impact_question = TextQuestion {
            number: next(),
            name: "impact",
            label: "If your tracks got better, what would change that you could measure?".into(),
        };
        let benefits: Vec<Question> = Benefit::ALL
            .into_iter()
            .map(|b| {
                question(
                    &format!("benefit_{}", b.as_str()),
                    b.text(),
                    scale(),
                    Some(("Does not matter", "Essential")),
                )
            })
            .collect();
        let top_benefit = question(
            "top_benefit",
            "Which of these benefits matters most to your organisation?",
            Benefit::ALL
                .into_iter()
                .map(|b| (b.as_str().to_owned(), b.text().to_owned(), String::new()))
                .collect(),
            None,
        );
        let why_question = TextQuestion {
            number: next(),
            name: "why",
            label: "Why does it matter most, and how does it serve the company's goals?".into(),
        };
        let stage = question(
            "stage",
            "Where is your organisation today?",
            Stage::ALL
                .into_iter()
                .map(|s| {
                    (
                        s.as_str().to_owned(),
                        s.name().to_owned(),
                        s.where_you_are().to_owned(),
                    )
                })
                .collect(),
            None,
        );
        // The error summary names each question by its number and words.
        let mut named: Vec<(String, usize, &str)> = [&competencies, &levels, &tracks]
            .into_iter()
            .chain(&statements)
            .chain(&benefits)
            .chain([&top_benefit, &stage])
            .map(|q| {
                (
                    form.input_id(&q.name),
                    q.number,
                    q.legend.trim_end_matches('.'),
                )
            })
            .collect();
        for t in [&impact_question, &why_question] {
            named.push((form.input_id(t.name), t.number, t.label.as_str()));
        }
        let errors = forms
            .summary()
            .into_iter()
            .map(|e| {
                match named
                    .iter()
                    .find(|(id, _, _)| e.href.strip_prefix('#') == Some(id.as_str()))
                {
                    Some((_, number, words)) => ErrorLink {
                        message: format!(
                            "Question {number}, \u{2018}{words}\u{2019}: {}",
                            e.message
                        ),
                        href: e.href,
                    },
                    None => e,
                }
            })
            .collect();
        SelfCheckFormPage {
            layout: Layout::new("Rollout: readiness self-check", "admin", Some(actor)),
            tab: "self-check",
            errors,
            retake: !current.is_empty(),
            impact: value("impact"),
            why: value("why"),
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

async fn self_check_form(State(state): State<AppState>, actor: Actor) -> PageResult {
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

async fn take_self_check(
    State(state): State<AppState>,
    actor: Actor,
    Form(fields): Form<Fields>,
) -> PageResult {
    match self_check_service::take(state.db(), &actor, &self_check_input(&fields)).await {
        Ok(check) => {
            Ok(Redirect::to(&format!("/admin/rollout/self-check/{}", check.id)).into_response())
        }
        Err(e) => {
            let (status, errors) = refused(e)?;
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

async fn self_check_result(
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
struct CompareQuery {
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

async fn compare(
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

// ---- The roadmap ----

struct ItemBlock {
    item: Item,
    edit: FormView,
    first: bool,
    last: bool,
}

impl ItemBlock {
    /// The item's address; its forms post here and below.
    fn base(&self) -> String {
        format!("/admin/rollout/roadmap/items/{}", self.item.id)
    }

    fn owner_email(&self) -> &str {
        self.item.owner.as_ref().map_or("", |o| o.email.as_str())
    }
}

struct StageBlock {
    view: StageView,
    number: usize,
    plan: FormView,
    add: FormView,
    items: Vec<ItemBlock>,
}

impl StageBlock {
    fn owner_email(&self) -> &str {
        self.view.owner.as_ref().map_or("", |o| o.email.as_str())
    }
}

#[derive(Template)]
#[template(path = "rollout/roadmap.html")]
struct RoadmapPage {
    layout: Layout,
    tab: &'static str,
    errors: Vec<ErrorLink>,
    current: Option<&'static str>,
    overdue_items: usize,
    late_stages: usize,
    stages: Vec<StageBlock>,
    statuses: Vec<Choice>,
    /// Only the items due soon or overdue are shown.
    due_soon: bool,
    due_soon_days: i64,
}

#[derive(Deserialize, Default)]
struct RoadmapQuery {
    /// `soon`: only the items not done that are overdue or due within two weeks.
    due: Option<String>,
    /// `timeline`: the roadmap over time rather than the list.
    view: Option<String>,
}

fn roadmap_view(actor: &Actor, roadmap: Roadmap, forms: &Forms) -> RoadmapPage {
    let stages = roadmap
        .stages
        .into_iter()
        .enumerate()
        .map(|(i, view)| {
            let key = view.stage.as_str();
            let plan = forms.form(format!("plan-{key}"));
            let add = forms.form(format!("add-{key}"));
            let count = view.items.len();
            let items: Vec<ItemBlock> = view
                .items
                .iter()
                .enumerate()
                .map(|(j, item)| ItemBlock {
                    edit: forms.form(format!("edit-{}", item.id)),
                    item: item.clone(),
                    first: j == 0,
                    last: j + 1 == count,
                })
                .collect();
            StageBlock {
                number: i + 1,
                view,
                plan,
                add,
                items,
            }
        })
        .collect();
    RoadmapPage {
        layout: Layout::new("Rollout: roadmap", "admin", Some(actor)),
        tab: "roadmap",
        errors: forms.summary(),
        current: roadmap.current.map(Stage::name),
        overdue_items: roadmap.overdue_items,
        late_stages: roadmap.late_stages,
        stages,
        statuses: StageStatus::ALL
            .into_iter()
            .map(|s| Choice::new(s.as_str(), s.label()))
            .collect(),
        due_soon: false,
        due_soon_days: roadmap_service::DUE_SOON_DAYS,
    }
}

async fn roadmap_with(
    state: &AppState,
    actor: &Actor,
    forms: Forms,
    status: StatusCode,
) -> PageResult {
    let roadmap = roadmap_service::roadmap(state.db(), actor).await?;
    render_with(status, &roadmap_view(actor, roadmap, &forms))
}

async fn roadmap_page(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<RoadmapQuery>,
) -> PageResult {
    let roadmap = roadmap_service::roadmap(state.db(), &actor).await?;
    if q.view.as_deref() == Some("timeline") {
        return render(&timeline_view(&actor, roadmap));
    }
    let mut page = roadmap_view(&actor, roadmap, &Forms::default());
    match q.due.as_deref().map(str::trim).unwrap_or_default() {
        "" => {}
        "soon" => {
            let today = crate::domain::Day::today();
            page.due_soon = true;
            for stage in &mut page.stages {
                stage.items.retain(|b| b.item.due_soon(today));
            }
            page.stages.retain(|s| !s.items.is_empty());
        }
        other => {
            return Err(AppError::invalid_field(
                "due",
                format!("“{other}” is not a filter of the roadmap: use soon"),
            ));
        }
    }
    render_with(StatusCode::OK, &page)
}

/// A row of the timeline's table: one item of the checklist.
struct TimelineItem {
    stage: String,
    item: Item,
    mark: Mark,
}

impl TimelineItem {
    fn href(&self) -> String {
        item_href(self.item.id)
    }
}

#[derive(Template)]
#[template(path = "rollout/roadmap_timeline.html")]
struct RoadmapTimelinePage {
    layout: Layout,
    tab: &'static str,
    current: Option<&'static str>,
    overdue_items: usize,
    late_stages: usize,
    today: String,
    chart: Svg,
    items: Vec<TimelineItem>,
    undated: usize,
}

/// Where an item is on the roadmap's list.
fn item_href(id: i64) -> String {
    format!("/admin/rollout/roadmap#item-{id}")
}

fn mark_of(item: &Item) -> Mark {
    if item.done {
        Mark::Done
    } else if item.overdue {
        Mark::Overdue
    } else {
        Mark::Open
    }
}

/// The roadmap over time: a row per stage with its items by due date, and the same in a table.
fn timeline_view(actor: &Actor, roadmap: Roadmap) -> RoadmapTimelinePage {
    let day = |d: &Option<String>| d.as_deref().and_then(|d| Day::parse(d).ok());
    let today = Day::parse(&roadmap.today).unwrap_or_else(|_| Day::today());
    let rows: Vec<Row> = roadmap
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| Row {
            name: format!("{}. {}", i + 1, s.name),
            span: day(&s.starts_on).zip(day(&s.ends_on)),
            entries: s
                .items
                .iter()
                .filter_map(|item| {
                    Some(Entry {
                        title: item.title.clone(),
                        day: day(&item.due_on)?,
                        mark: mark_of(item),
                        href: item_href(item.id),
                    })
                })
                .collect(),
        })
        .collect();
    let chart = timeline::timeline("roadmap-timeline", "The roadmap over time", &rows, today);
    let items: Vec<TimelineItem> = roadmap
        .stages
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.items.iter().map(move |item| TimelineItem {
                stage: format!("{}. {}", i + 1, s.name),
                mark: mark_of(item),
                item: item.clone(),
            })
        })
        .collect();
    RoadmapTimelinePage {
        layout: Layout::new("Rollout: roadmap timeline", "admin", Some(actor)),
        tab: "roadmap",
        current: roadmap.current.map(Stage::name),
        overdue_items: roadmap.overdue_items,
        late_stages: roadmap.late_stages,
        today: roadmap.today,
        chart,
        undated: items
            .iter()
            .filter(|i| day(&i.item.due_on).is_none())
            .count(),
        items,
    }
}

fn stage_of(raw: &str) -> Result<Stage, AppError> {
    Stage::parse(raw).ok_or_else(|| AppError::not_found("this stage"))
}

/// Answers a roadmap form: back to the roadmap at `anchor` when it was saved, or the roadmap again
/// with the refused form.
async fn after_roadmap_form(
    state: &AppState,
    actor: &Actor,
    result: Result<String, AppError>,
    form: String,
    fields: Fields,
) -> PageResult {
    match result {
        Ok(anchor) => Ok(Redirect::to(&format!("/admin/rollout/roadmap#{anchor}")).into_response()),
        Err(e) => {
            let (status, errors) = refused(e)?;
            let forms = Forms::refused(Submission::new(form, fields, errors));
            roadmap_with(state, actor, forms, status).await
        }
    }
}

async fn update_stage(
    State(state): State<AppState>,
    actor: Actor,
    Path(stage): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let stage = stage_of(&stage)?;
    let input = StageInput {
        owner_email: fields.text("owner_email"),
        starts_on: fields.text("starts_on"),
        ends_on: fields.text("ends_on"),
        notes: fields.text("notes"),
        status: fields.text("status"),
    };
    let result = roadmap_service::update_stage(state.db(), &actor, stage, &input)
        .await
        .map(|()| format!("stage-{}", stage.as_str()));
    after_roadmap_form(
        &state,
        &actor,
        result,
        format!("plan-{}", stage.as_str()),
        fields,
    )
    .await
}

fn item_input(fields: &Fields) -> ItemInput {
    ItemInput {
        title: fields.text("title"),
        owner_email: fields.text("owner_email"),
        due_on: fields.text("due_on"),
    }
}

async fn add_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(stage): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let stage = stage_of(&stage)?;
    let result = roadmap_service::add_item(state.db(), &actor, stage, &item_input(&fields))
        .await
        .map(|id| format!("item-{id}"));
    after_roadmap_form(
        &state,
        &actor,
        result,
        format!("add-{}", stage.as_str()),
        fields,
    )
    .await
}

async fn update_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let result = roadmap_service::update_item(state.db(), &actor, id, &item_input(&fields))
        .await
        .map(|()| format!("item-{id}"));
    after_roadmap_form(&state, &actor, result, format!("edit-{id}"), fields).await
}

async fn move_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let direction = Direction::parse(&fields.text("direction"))
        .ok_or_else(|| AppError::invalid_field("direction", "say which way to move: up or down"));
    let result = match direction {
        Ok(d) => roadmap_service::move_item(state.db(), &actor, id, d).await,
        Err(e) => Err(e),
    }
    .map(|()| format!("item-{id}"));
    after_roadmap_form(&state, &actor, result, format!("edit-{id}"), fields).await
}

async fn tick_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let done = match fields.text("done").as_str() {
        "1" | "yes" | "true" => Ok(true),
        "0" | "no" | "false" => Ok(false),
        _ => Err(AppError::invalid_field(
            "done",
            "say whether the item is done: 1 or 0",
        )),
    };
    let result = match done {
        Ok(done) => roadmap_service::tick_item(state.db(), &actor, id, done).await,
        Err(e) => Err(e),
    }
    .map(|()| format!("item-{id}"));
    after_roadmap_form(&state, &actor, result, format!("edit-{id}"), fields).await
}

async fn remove_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let stage = roadmap_service::remove_item(state.db(), &actor, id).await?;
    Ok(crate::web::flash::redirect(
        &format!("/admin/rollout/roadmap#stage-{}", stage.as_str()),
        "The item was removed from the roadmap.",
        None,
    ))
}

async fn roadmap_csv(State(state): State<AppState>, actor: Actor) -> PageResult {
    let csv = roadmap_service::export_csv(state.db(), &actor).await?;
    let name = format!("rollout-roadmap-{}.csv", crate::domain::Day::today());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        csv,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "rollout/roadmap_print.html")]
struct PrintPage {
    layout: Layout,
    roadmap: Roadmap,
    current: Option<&'static str>,
}

async fn roadmap_print(State(state): State<AppState>, actor: Actor) -> PageResult {
    let roadmap = roadmap_service::roadmap(state.db(), &actor).await?;
    render_with(
        StatusCode::OK,
        &PrintPage {
            layout: Layout::new("Rollout roadmap", "admin", Some(&actor)),
            current: roadmap.current.map(Stage::name),
            roadmap,
        },
    )
}

// ---- The pilot ----

#[derive(Template)]
#[template(path = "rollout/pilot.html")]
struct PilotPage {
    layout: Layout,
    tab: &'static str,
    errors: Vec<ErrorLink>,
    form: FormView,
    pilot: Pilot,
    /// The audience and teams the form shows: what was sent when it was refused, otherwise now.
    audience: String,
    chosen: Vec<i64>,
}

impl PilotPage {
    fn is_chosen(&self, id: &i64) -> bool {
        self.chosen.contains(id)
    }
}

async fn pilot_with(
    state: &AppState,
    actor: &Actor,
    refused_form: Option<(Fields, Vec<FieldError>)>,
    status: StatusCode,
) -> PageResult {
    let pilot = pilot_service::pilot(state.db(), actor).await?;
    let (audience, chosen, forms) = match refused_form {
        Some((fields, errors)) => (
            fields.text("audience"),
            fields
                .all("teams")
                .iter()
                .filter_map(|t| t.trim().parse().ok())
                .collect(),
            Forms::refused(Submission::new("pilot".into(), fields, errors)),
        ),
        None => (
            pilot.audience.clone(),
            pilot.pilot_teams().iter().map(|t| t.id).collect(),
            Forms::default(),
        ),
    };
    render_with(
        status,
        &PilotPage {
            layout: Layout::new("Rollout: pilot", "admin", Some(actor)),
            tab: "pilot",
            errors: forms.summary(),
            form: forms.form("pilot"),
            pilot,
            audience,
            chosen,
        },
    )
}

async fn pilot_page(State(state): State<AppState>, actor: Actor) -> PageResult {
    pilot_with(&state, &actor, None, StatusCode::OK).await
}

async fn choose_pilot(
    State(state): State<AppState>,
    actor: Actor,
    Form(fields): Form<Fields>,
) -> PageResult {
    let input = PilotInput {
        audience: fields.text("audience"),
        teams: fields.all("teams"),
    };
    let pilot = input.audience == crate::rollout::pilot::PILOT;
    match pilot_service::choose(state.db(), &actor, &input).await {
        Ok(()) if pilot => Ok(crate::web::flash::redirect(
            "/admin/rollout/pilot",
            "The pilot was saved: the growth features now show only to the pilot teams and the People team.",
            Some((
                "/admin/rollout/roadmap#stage-implementation",
                "Plan the pilot on the roadmap",
            )),
        )),
        Ok(()) => Ok(crate::web::flash::redirect(
            "/admin/rollout/pilot",
            "Saved: the growth features show to everyone.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refused(e)?;
            pilot_with(&state, &actor, Some((fields, errors)), status).await
        }
    }
}

async fn release_everyone(State(state): State<AppState>, actor: Actor) -> PageResult {
    pilot::release_to_everyone(state.db(), &actor).await?;
    Ok(crate::web::flash::redirect(
        "/admin/rollout/pilot",
        "The growth features are released to everyone.",
        Some(("/admin/surveys", "Ask how it is going with a pulse survey")),
    ))
}
