//! The People team's pages: the list of surveys, making one, its page with its settings, and
//! opening, closing and removing it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::AppError;
use crate::rollout::surveys::{
    self as service, QuestionKind, Start, Status, Survey, SurveyInput, SurveySummary,
};
use crate::state::AppState;
use crate::web::forms::Choice;
use crate::web::forms::refusal;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission};
use crate::web::{Layout, PageResult, render_with};

#[derive(Template)]
#[template(path = "surveys/admin_list.html")]
struct AdminListPage {
    layout: Layout,
    surveys: Vec<SurveySummary>,
    /// The status the list is filtered on, if any.
    shown: Option<service::Status>,
}

#[derive(Deserialize, Default)]
pub(super) struct AdminListQuery {
    /// `scheduled`, `open` or `closed`; empty for every survey.
    status: Option<String>,
}

pub(super) async fn admin_list(
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
pub(super) struct NewQuery {
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

pub(super) async fn new_survey(
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

pub(super) async fn create(
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
            let (status, errors) = refusal(e)?;
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

pub(super) async fn show_survey(
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

pub(super) async fn survey_page(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult {
    show_survey(&state, &actor, id, Forms::default(), None, StatusCode::OK).await
}

pub(super) async fn update(
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
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new("settings".into(), fields, errors));
            show_survey(&state, &actor, id, forms, Some(&input), status).await
        }
    }
}

pub(super) async fn open_now(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult {
    match service::open_now(state.db(), &actor, id).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/admin/surveys/{id}"),
            "The survey is open: the people it is for now find it on their home page. Its results show once enough people have answered.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms =
                Forms::refused(Submission::new("actions".into(), Fields::default(), errors));
            show_survey(&state, &actor, id, forms, None, status).await
        }
    }
}

pub(super) async fn close_now(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult {
    match service::close_now(state.db(), &actor, id).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/admin/surveys/{id}/results"),
            "The survey is closed and takes no more answers. Here are its results.",
            None,
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms =
                Forms::refused(Submission::new("actions".into(), Fields::default(), errors));
            show_survey(&state, &actor, id, forms, None, status).await
        }
    }
}

pub(super) async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult {
    service::remove(state.db(), &actor, id).await?;
    Ok(crate::web::flash::redirect(
        "/admin/surveys",
        "The survey was deleted.",
        None,
    ))
}
