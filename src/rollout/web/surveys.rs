//! Pulse surveys in the browser: the list of surveys waiting for the person, the page to answer
//! one, and the People team's pages to make, schedule, open, close and read surveys. Results are
//! for admins and for managers (their teams); the service decides what may be shown.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::auth::{Actor, policy};
use crate::error::{AppError, FieldError};
use crate::rollout::anonymity::Filter;
use crate::rollout::surveys::{
    self as service, AnswerInput, Move, OpenSurvey, QuestionInput, QuestionKind, Results, Start,
    Status, Survey, SurveyInput, SurveySummary, SurveyToAnswer,
};
use crate::state::AppState;
use crate::web::charts;
use crate::web::forms::Choice;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission};
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, render_with, urlencode};

pub fn routes() -> Routes {
    Routes::new()
        .route("/surveys", get(my_surveys))
        .route("/surveys/{id}", get(answer_page).post(send_answers))
        .route("/admin/surveys", get(admin_list).post(create))
        .route("/admin/surveys/new", get(new_survey))
        .route("/admin/surveys/{id}", get(survey_page).post(update))
        .route("/admin/surveys/{id}/questions", post(add_question))
        .route("/admin/surveys/{id}/open", post(open_now))
        .route("/admin/surveys/{id}/close", post(close_now))
        .route("/admin/surveys/{id}/remove", post(remove))
        .route("/admin/surveys/{id}/results", get(results_page))
        .route("/admin/survey-questions/{id}", post(edit_question))
        .route("/admin/survey-questions/{id}/move", post(move_question))
        .route("/admin/survey-questions/{id}/remove", post(remove_question))
}

/// Re-renders a page with the refused form when the mistake is the user's; anything else is an error.
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

// ---- The person's surveys ----

#[derive(Template)]
#[template(path = "surveys/mine.html")]
struct MinePage {
    layout: Layout,
    open: Vec<OpenSurvey>,
    results: Vec<SurveySummary>,
    is_admin: bool,
}

async fn my_surveys(State(state): State<AppState>, actor: Actor) -> PageResult {
    let open = service::open_for(state.db(), &actor).await?;
    let results = service::with_results(state.db(), &actor).await?;
    render_with(
        StatusCode::OK,
        &MinePage {
            layout: Layout::new("Surveys", "surveys", Some(&actor)),
            open,
            results,
            is_admin: policy::manage_surveys(&actor).is_ok(),
        },
    )
}

#[derive(Template)]
#[template(path = "surveys/answer.html")]
struct AnswerPage {
    layout: Layout,
    survey: SurveyToAnswer,
    errors: Vec<ErrorLink>,
    form: FormView,
    scale: Vec<(String, &'static str)>,
}

fn scale_choices() -> Vec<(String, &'static str)> {
    service::SCALE_LABELS
        .iter()
        .enumerate()
        .map(|(i, label)| ((i + 1).to_string(), *label))
        .collect()
}

fn answer_view(actor: &Actor, survey: SurveyToAnswer, forms: &Forms) -> AnswerPage {
    AnswerPage {
        layout: Layout::new(survey.title.clone(), "surveys", Some(actor)),
        errors: forms.summary(),
        form: forms.form("answers"),
        scale: scale_choices(),
        survey,
    }
}

async fn answer_page(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let survey = service::to_answer(state.db(), &actor, id).await?;
    render_with(
        StatusCode::OK,
        &answer_view(&actor, survey, &Forms::default()),
    )
}

async fn send_answers(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let survey = service::to_answer(state.db(), &actor, id).await?;
    let input = AnswerInput {
        answers: survey
            .questions
            .iter()
            .filter_map(|q| {
                fields
                    .get(&format!("q{}", q.id))
                    .map(|v| (q.id, v.to_owned()))
            })
            .collect(),
    };
    match service::answer(state.db(), &actor, id, &input).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/surveys/{id}"),
            "Thank you: your answers were sent, without your name.",
            Some(("/surveys", "See your other surveys")),
        )),
        Err(e) => {
            let (status, errors) = refused(e)?;
            let forms = Forms::refused(Submission::new("answers".into(), fields, errors));
            render_with(status, &answer_view(&actor, survey, &forms))
        }
    }
}

// ---- The People team's pages ----

#[derive(Template)]
#[template(path = "surveys/admin_list.html")]
struct AdminListPage {
    layout: Layout,
    surveys: Vec<SurveySummary>,
    /// The status the list is filtered on, if any.
    shown: Option<service::Status>,
}

#[derive(Deserialize, Default)]
struct AdminListQuery {
    /// `scheduled`, `open` or `closed`; empty for every survey.
    status: Option<String>,
}

async fn admin_list(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AdminListQuery>,
) -> PageResult {
    let shown = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            [
                service::Status::Scheduled,
                service::Status::Open,
                service::Status::Closed,
            ]
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| {
                AppError::invalid_field(
                    "status",
                    format!("“{s}” is not a status of a survey: scheduled, open or closed"),
                )
            })?,
        ),
    };
    let mut surveys = service::list(&state, &actor).await?;
    if let Some(status) = shown {
        surveys.retain(|s| s.status == status);
    }
    render_with(
        StatusCode::OK,
        &AdminListPage {
            layout: Layout::new("Pulse surveys", "admin", Some(&actor)),
            surveys,
            shown,
        },
    )
}

/// What the settings form needs besides its values: the teams and tracks to choose from.
struct SettingsChoices {
    teams: Vec<Choice>,
    tracks: Vec<Choice>,
    compare_by: Vec<Choice>,
}

async fn settings_choices(state: &AppState, actor: &Actor) -> Result<SettingsChoices, AppError> {
    let teams = service::result_teams(state.db(), actor)
        .await?
        .into_iter()
        .map(|(id, name)| Choice::new(id.to_string(), name))
        .collect();
    let tracks = crate::architecture::framework::published(state, actor)
        .await?
        .map(|p| {
            p.framework
                .tracks
                .iter()
                .map(|t| Choice::new(t.key.to_string(), t.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    Ok(SettingsChoices {
        teams,
        tracks,
        compare_by: vec![
            Choice::new("team", "By team: teams stay whole, small tracks are pooled"),
            Choice::new(
                "track",
                "By track: tracks stay whole, small teams are pooled",
            ),
        ],
    })
}

/// A settings form's values: what was sent when refused, otherwise the survey's.
struct SettingsValues {
    audience: String,
    teams: Vec<String>,
    tracks: Vec<String>,
}

impl SettingsValues {
    fn of(input: &SurveyInput) -> SettingsValues {
        SettingsValues {
            audience: input.audience.clone(),
            teams: input.teams.clone(),
            tracks: input.tracks.clone(),
        }
    }

    fn has_team(&self, id: &str) -> bool {
        self.teams.iter().any(|t| t == id)
    }

    fn has_track(&self, key: &str) -> bool {
        self.tracks.iter().any(|t| t == key)
    }
}

fn survey_input(f: &Fields) -> SurveyInput {
    SurveyInput {
        title: f.text("title"),
        intro: f.text("intro"),
        audience: f.text("audience"),
        teams: f.all("teams"),
        tracks: f.all("tracks"),
        opens_on: f.text("opens_on"),
        closes_on: f.text("closes_on"),
        threshold: f.text("threshold"),
        compare_by: f.text("compare_by"),
    }
}

#[derive(Template)]
#[template(path = "surveys/new.html")]
struct NewPage {
    layout: Layout,
    pulse: bool,
    template: &'static service::Template,
    current: SurveyInput,
    full: bool,
    values: SettingsValues,
    choices: SettingsChoices,
    errors: Vec<ErrorLink>,
    form: FormView,
}

#[derive(Deserialize, Default)]
struct NewQuery {
    start: Option<String>,
}

async fn new_page(
    state: &AppState,
    actor: &Actor,
    start: Start,
    forms: Forms,
    sent: Option<&SurveyInput>,
    status: StatusCode,
) -> PageResult {
    crate::auth::policy::manage_surveys(actor)?;
    let defaults = service::new_survey_defaults(start);
    let values = SettingsValues::of(sent.unwrap_or(&defaults));
    render_with(
        status,
        &NewPage {
            layout: Layout::new("New pulse survey", "admin", Some(actor)),
            pulse: start == Start::Pulse,
            template: &service::PULSE,
            current: defaults,
            full: true,
            values,
            choices: settings_choices(state, actor).await?,
            errors: forms.summary(),
            form: forms.form("settings"),
        },
    )
}

async fn new_survey(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let start = match q.start.as_deref() {
        Some("blank") => Start::Blank,
        _ => Start::Pulse,
    };
    new_page(
        &state,
        &actor,
        start,
        Forms::default(),
        None,
        StatusCode::OK,
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Form(fields): Form<Fields>,
) -> PageResult {
    let start = Start::parse(&fields.text("template"));
    let input = survey_input(&fields);
    let result = match start {
        Some(start) => service::create(&state, &actor, start, &input, &[]).await,
        None => Err(AppError::invalid_field(
            "template",
            "choose the career tracks pulse or a blank survey",
        )),
    };
    match result {
        Ok(id) => Ok(crate::web::flash::redirect(
            &format!("/admin/surveys/{id}"),
            "The survey was created.",
            Some((
                &format!("/admin/surveys/{id}#questions"),
                "Add its questions",
            )),
        )),
        Err(e) => {
            let (status, errors) = refused(e)?;
            let forms = Forms::refused(Submission::new("settings".into(), fields, errors));
            let start = start.unwrap_or(Start::Blank);
            new_page(&state, &actor, start, forms, Some(&input), status).await
        }
    }
}

#[derive(Template)]
#[template(path = "surveys/survey.html")]
struct SurveyPage {
    layout: Layout,
    survey: Survey,
    scheduled: bool,
    open: bool,
    closed: bool,
    current: SurveyInput,
    full: bool,
    values: SettingsValues,
    choices: SettingsChoices,
    kinds: Vec<Choice>,
    errors: Vec<ErrorLink>,
    form: FormView,
    new_question: FormView,
    /// The form of each question, by question id.
    question_forms: Vec<(i64, FormView)>,
    actions: FormView,
}

impl SurveyPage {
    fn question_form(&self, id: &i64) -> Option<&FormView> {
        self.question_forms
            .iter()
            .find(|(q, _)| q == id)
            .map(|(_, f)| f)
    }
}

fn kind_choices() -> Vec<Choice> {
    QuestionKind::ALL
        .into_iter()
        .map(|k| Choice::new(k.as_str(), k.label()))
        .collect()
}

async fn show_survey(
    state: &AppState,
    actor: &Actor,
    id: i64,
    forms: Forms,
    sent: Option<&SurveyInput>,
    status: StatusCode,
) -> PageResult {
    let survey = service::survey(state, actor, id).await?;
    let current = SurveyInput {
        title: survey.title.clone(),
        intro: survey.intro.clone(),
        opens_on: survey.opens_on.clone(),
        closes_on: survey.closes_on.clone(),
        threshold: survey.threshold.to_string(),
        compare_by: survey.compare_by.clone(),
        audience: survey.audience.kind().to_owned(),
        teams: match &survey.audience {
            service::Audience::Teams { teams } => teams.iter().map(i64::to_string).collect(),
            _ => Vec::new(),
        },
        tracks: match &survey.audience {
            service::Audience::Tracks { tracks } => tracks.clone(),
            _ => Vec::new(),
        },
    };
    let page = SurveyPage {
        layout: Layout::new(survey.title.clone(), "admin", Some(actor)),
        scheduled: survey.status == Status::Scheduled,
        open: survey.status == Status::Open,
        closed: survey.status == Status::Closed,
        values: SettingsValues::of(sent.unwrap_or(&current)),
        full: survey.status == Status::Scheduled,
        current,
        choices: settings_choices(state, actor).await?,
        kinds: kind_choices(),
        errors: forms.summary(),
        form: forms.form("settings"),
        new_question: forms.form("new-question"),
        question_forms: survey
            .questions
            .iter()
            .map(|q| (q.id, forms.form(format!("question-{}", q.id))))
            .collect(),
        actions: forms.form("actions"),
        survey,
    };
    render_with(status, &page)
}

async fn survey_page(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult {
    show_survey(&state, &actor, id, Forms::default(), None, StatusCode::OK).await
}

async fn update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let input = survey_input(&fields);
    match service::update(&state, &actor, id, &input).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/admin/surveys/{id}"),
            "The survey's settings were saved.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refused(e)?;
            let forms = Forms::refused(Submission::new("settings".into(), fields, errors));
            show_survey(&state, &actor, id, forms, Some(&input), status).await
        }
    }
}

fn question_input(f: &Fields) -> QuestionInput {
    QuestionInput {
        kind: f.text("kind"),
        prompt: f.text("prompt"),
    }
}

async fn add_question(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    match service::add_question(state.db(), &actor, id, &question_input(&fields)).await {
        Ok(_) => Ok(crate::web::flash::redirect(
            &format!("/admin/surveys/{id}#questions"),
            "The question was added. Add another, or open the survey when its questions are ready.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refused(e)?;
            let forms = Forms::refused(Submission::new("new-question".into(), fields, errors));
            show_survey(&state, &actor, id, forms, None, status).await
        }
    }
}

async fn edit_question(
    State(state): State<AppState>,
    actor: Actor,
    Path(question): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let survey = service::question_survey(state.db(), &actor, question).await?;
    match service::edit_question(state.db(), &actor, question, &question_input(&fields)).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/admin/surveys/{survey}#question-{question}"),
            "The question was saved.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refused(e)?;
            let forms = Forms::refused(Submission::new(
                format!("question-{question}"),
                fields,
                errors,
            ));
            show_survey(&state, &actor, survey, forms, None, status).await
        }
    }
}

async fn move_question(
    State(state): State<AppState>,
    actor: Actor,
    Path(question): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let survey = service::question_survey(state.db(), &actor, question).await?;
    let step = match fields.text("direction").as_str() {
        "up" => Move::Up,
        "down" => Move::Down,
        _ => {
            return Err(AppError::invalid_field(
                "direction",
                "say which way to move the question: up or down",
            ));
        }
    };
    match service::move_question(state.db(), &actor, question, step).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/admin/surveys/{survey}#questions"),
            "The question was moved.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refused(e)?;
            let forms = Forms::refused(Submission::new("actions".into(), fields, errors));
            show_survey(&state, &actor, survey, forms, None, status).await
        }
    }
}

async fn remove_question(
    State(state): State<AppState>,
    actor: Actor,
    Path(question): Path<i64>,
) -> PageResult {
    let survey = service::question_survey(state.db(), &actor, question).await?;
    match service::remove_question(state.db(), &actor, question).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/admin/surveys/{survey}#questions"),
            "The question was removed.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refused(e)?;
            let forms =
                Forms::refused(Submission::new("actions".into(), Fields::default(), errors));
            show_survey(&state, &actor, survey, forms, None, status).await
        }
    }
}

async fn open_now(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    match service::open_now(state.db(), &actor, id).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/admin/surveys/{id}"),
            "The survey is open: the people it is for now find it on their home page. Its results show once enough people have answered.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refused(e)?;
            let forms =
                Forms::refused(Submission::new("actions".into(), Fields::default(), errors));
            show_survey(&state, &actor, id, forms, None, status).await
        }
    }
}

async fn close_now(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    match service::close_now(state.db(), &actor, id).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/admin/surveys/{id}/results"),
            "The survey is closed and takes no more answers. Here are its results.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refused(e)?;
            let forms =
                Forms::refused(Submission::new("actions".into(), Fields::default(), errors));
            show_survey(&state, &actor, id, forms, None, status).await
        }
    }
}

async fn remove(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    service::remove(state.db(), &actor, id).await?;
    Ok(crate::web::flash::redirect(
        "/admin/surveys",
        "The survey was deleted.",
        None,
    ))
}

// ---- Results ----

#[derive(Deserialize, Default)]
struct ResultsQuery {
    team: Option<String>,
    track: Option<String>,
    /// `pilot` or `rest`.
    pilot: Option<String>,
    /// The page of free-text answers, from 1.
    page: Option<usize>,
}

impl ResultsQuery {
    fn filter(&self) -> Result<Filter, AppError> {
        let team = match self
            .team
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            None => None,
            Some(t) => Some(
                t.parse::<i64>()
                    .map_err(|_| AppError::invalid_field("team", "choose a team from the list"))?,
            ),
        };
        let pilot = match self.pilot.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("pilot") => Some(true),
            Some("rest") => Some(false),
            Some(_) => {
                return Err(AppError::invalid_field(
                    "pilot",
                    "choose the pilot teams or everyone else",
                ));
            }
        };
        Ok(Filter {
            team,
            track: self
                .track
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            pilot,
        })
    }
}

/// The query string of a results page for a group and a page of texts.
fn results_link(
    id: i64,
    team: Option<i64>,
    track: Option<&str>,
    pilot: Option<bool>,
    page: usize,
) -> String {
    let mut parts = Vec::new();
    if let Some(t) = team {
        parts.push(format!("team={t}"));
    }
    if let Some(k) = track {
        parts.push(format!("track={}", urlencode(k)));
    }
    match pilot {
        Some(true) => parts.push("pilot=pilot".into()),
        Some(false) => parts.push("pilot=rest".into()),
        None => {}
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        format!("/admin/surveys/{id}/results")
    } else {
        format!("/admin/surveys/{id}/results?{}", parts.join("&"))
    }
}

/// Whole percentages of `counts` that add up to 100 (the largest remainders are rounded up); all
/// zero when there is nothing to count.
fn shares(counts: &[u64]) -> Vec<u64> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let mut out: Vec<u64> = counts.iter().map(|n| n * 100 / total).collect();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    // Ties go to the lower rating (the sort is stable), so the same counts always give the same shares.
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i] * 100 % total));
    let missing = 100 - out.iter().sum::<u64>();
    for &i in order.iter().take(missing as usize) {
        out[i] += 1;
    }
    out
}

/// A statement's answers as a diverging stacked bar: disagreeing (1 and 2) left of a centre line,
/// neither (3) across it, agreeing (4 and 5) right of it, on one axis from -100 % to 100 % so that
/// the bars of a survey line up on their centre.
struct Diverging {
    /// The share of each rating, 1 to 5, in whole percentages adding up to 100.
    shares: Vec<u64>,
    /// Each rating's segment: where it starts and how wide it is, in the bar's units (0 to 400).
    segments: Vec<(f64, f64)>,
}

/// The width of a diverging bar: 200 units each side of the centre.
const BAR_WIDTH: f64 = 400.0;

impl Diverging {
    fn of(distribution: &[u64]) -> Diverging {
        let total: u64 = distribution.iter().sum();
        let part = |n: u64| {
            if total == 0 {
                0.0
            } else {
                n as f64 / total as f64 * BAR_WIDTH / 2.0
            }
        };
        let at = |i: usize| distribution.get(i).copied().unwrap_or(0);
        let mut x = BAR_WIDTH / 2.0 - part(at(0)) - part(at(1)) - part(at(2)) / 2.0;
        let segments = (0..5)
            .map(|i| {
                let w = part(at(i));
                let seg = (x, w);
                x += w;
                seg
            })
            .collect();
        let counts: Vec<u64> = (0..5).map(at).collect();
        Diverging {
            shares: shares(&counts),
            segments,
        }
    }

    fn unfavourable(&self) -> u64 {
        self.shares[0] + self.shares[1]
    }

    fn neutral(&self) -> u64 {
        self.shares[2]
    }

    fn favourable(&self) -> u64 {
        self.shares[3] + self.shares[4]
    }

    /// The bar as SVG, its text already escaped: a picture with its figures as its name.
    fn svg(&self, prompt: &str) -> String {
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"likert-bar\" viewBox=\"0 0 {w} 24\" \
             role=\"img\" focusable=\"false\" aria-label=\"{}: {} % disagree, {} % neither, {} % agree\">",
            charts::escape(prompt),
            self.unfavourable(),
            self.neutral(),
            self.favourable(),
            w = BAR_WIDTH,
        );
        for (i, (x, w)) in self.segments.iter().enumerate() {
            if *w > 0.0 {
                out.push_str(&format!(
                    "<rect class=\"likert-{}\" x=\"{:.1}\" y=\"2\" width=\"{:.1}\" height=\"20\"/>",
                    i + 1,
                    x,
                    w
                ));
            }
        }
        out.push_str(&format!(
            "<line class=\"likert-centre\" x1=\"{c}\" y1=\"0\" x2=\"{c}\" y2=\"24\"/></svg>",
            c = BAR_WIDTH / 2.0
        ));
        out
    }
}

#[derive(Template)]
#[template(path = "surveys/results.html")]
struct ResultsPage {
    layout: Layout,
    r: Results,
    is_admin: bool,
    scale: Vec<(String, &'static str)>,
    /// The statements, for the breakdown columns.
    statements: Vec<String>,
    previous: Option<String>,
    next: Option<String>,
}

impl ResultsPage {
    fn link(&self, row: &service::BreakdownRow) -> Option<String> {
        (!row.combined).then(|| {
            results_link(
                self.r.survey.id,
                row.team,
                row.track.as_deref(),
                row.pilot,
                1,
            )
        })
    }

    fn percent(&self, n: &u64, total: &u64) -> String {
        if *total == 0 {
            "0 %".into()
        } else {
            format!("{:.0} %", *n as f64 * 100.0 / *total as f64)
        }
    }

    fn number(&self, value: &Option<f64>) -> String {
        value.map_or_else(|| "–".into(), |v| format!("{v:.2}"))
    }

    fn diverging(&self, q: &service::QuestionResult) -> Diverging {
        Diverging::of(&q.distribution)
    }

    fn team_selected(&self, id: &i64) -> bool {
        self.r.group.team == Some(*id)
    }

    fn track_selected(&self, key: &str) -> bool {
        self.r.group.track.as_deref() == Some(key)
    }
}

async fn results_page(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<ResultsQuery>,
) -> PageResult {
    let mut filter = q.filter()?;
    // A manager reads one of their teams at a time: the first, until they choose another.
    let whole = policy::see_whole_organisation(&actor);
    if !whole && filter.team.is_none() {
        filter.team = service::result_teams(state.db(), &actor)
            .await?
            .first()
            .map(|(id, _)| *id);
    }
    let page = q.page.unwrap_or(1);
    let r = service::results(&state, &actor, id, &filter, page).await?;
    let statements = r
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Scale)
        .map(|q| q.prompt.clone())
        .collect();
    let link = |p: usize| results_link(id, filter.team, filter.track.as_deref(), filter.pilot, p);
    let status = if r.refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ResultsPage {
        layout: Layout::new(
            format!("Results: {}", r.survey.title),
            if whole { "admin" } else { "surveys" },
            Some(&actor),
        ),
        is_admin: whole,
        scale: scale_choices(),
        statements,
        previous: (r.shown && r.text_page > 1).then(|| link(r.text_page - 1)),
        next: (r.shown && r.text_page < r.text_pages).then(|| link(r.text_page + 1)),
        r,
    };
    render_with(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_to_a_hundred_and_the_bar_diverges_from_its_centre() {
        assert_eq!(shares(&[1, 1, 1, 0, 0]), vec![34, 33, 33, 0, 0]);
        assert_eq!(shares(&[0, 0, 0, 0, 0]), vec![0; 5]);
        for counts in [[1, 2, 3, 4, 5], [7, 0, 0, 0, 1], [3, 3, 3, 3, 3]] {
            assert_eq!(shares(&counts).iter().sum::<u64>(), 100, "{counts:?}");
        }
        let d = Diverging::of(&[1, 1, 2, 3, 3]);
        assert_eq!(
            (d.unfavourable(), d.neutral(), d.favourable()),
            (20, 20, 60)
        );
        // Disagreeing and half of neither end at the centre; agreeing starts after the other half.
        let (x3, w3) = d.segments[2];
        assert!((x3 + w3 / 2.0 - BAR_WIDTH / 2.0).abs() < 1e-9);
        assert!((d.segments[0].0 - (BAR_WIDTH / 2.0 - 0.3 * BAR_WIDTH / 2.0)).abs() < 1e-9);
        let total: f64 = d.segments.iter().map(|(_, w)| w).sum();
        assert!((total - BAR_WIDTH / 2.0).abs() < 1e-9);
        let svg = d.svg("Fair & clear");
        assert!(
            svg.contains(
                "aria-label=\"Fair &amp; clear: 20 % disagree, 20 % neither, 60 % agree\""
            )
        );
        assert_eq!(svg.matches("<rect").count(), 5);
    }
}
