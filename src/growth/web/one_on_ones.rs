//! 1:1s in the browser: the list of one's series (as manager and as report) with a form to start
//! one, a series' page (its upcoming meeting and the meetings held) and a meeting's page. Every
//! write is a plain form that comes back to the meeting; a refused one shows the page again with
//! the text as typed and the reason beside the field.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::architecture::framework as framework_service;
use crate::auth::Actor;
use crate::error::AppError;
use crate::growth::one_on_ones::{
    self as service, Direction, ItemInput, Meeting, MeetingStatus, MeetingSummary, PointInput,
    SeriesInfo, SeriesSummary, Side, StartInput,
};
use crate::state::AppState;
use crate::web::forms::Choice;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission, refusal};
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, format_time, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/one-on-ones", get(list))
        .route("/people/{id}/one-on-ones", post(start))
        .route(
            "/people/{id}/one-on-ones/team",
            get(team_page).post(start_team),
        )
        .route("/one-on-ones/{id}", get(series_page))
        .route("/one-on-ones/meetings/{id}", get(meeting_page))
        .route("/one-on-ones/meetings/{id}/talking-points", post(add_point))
        .route("/one-on-ones/meetings/{id}/shared-notes", post(save_notes))
        .route(
            "/one-on-ones/meetings/{id}/private-note",
            post(save_private_note),
        )
        .route("/one-on-ones/meetings/{id}/action-items", post(add_item))
        .route("/one-on-ones/meetings/{id}/date", post(reschedule))
        .route("/one-on-ones/meetings/{id}/complete", post(complete))
        .route("/one-on-ones/talking-points/{id}/move", post(move_point))
        .route(
            "/one-on-ones/talking-points/{id}/discussed",
            post(mark_discussed),
        )
        .route(
            "/one-on-ones/talking-points/{id}/remove",
            post(remove_point),
        )
        .route("/one-on-ones/action-items/{id}/done", post(tick_item))
}

/// The cadences the start form offers, in days.
fn cadences() -> Vec<Choice> {
    [
        (7, "Every week"),
        (14, "Every two weeks"),
        (21, "Every three weeks"),
        (28, "Every four weeks"),
    ]
    .into_iter()
    .map(|(d, label)| Choice::new(d.to_string(), label))
    .collect()
}

#[derive(Template)]
#[template(path = "one_on_ones/list.html")]
struct ListPage {
    layout: Layout,
    as_manager: Vec<SeriesSummary>,
    as_report: Vec<SeriesSummary>,
    candidates: Vec<(service::Candidate, FormView)>,
    errors: Vec<ErrorLink>,
    cadences: Vec<Choice>,
    default_cadence: String,
    /// Where to set up 1:1s with all the viewer's reports at once, when some have none.
    team_setup_href: Option<String>,
}

async fn render_list(
    state: &AppState,
    actor: &Actor,
    forms: Forms,
    status: StatusCode,
) -> PageResult {
    let mine = service::my_one_on_ones(state, actor).await?;
    let (as_manager, as_report) = mine
        .series
        .into_iter()
        .partition(|s| s.side == Side::Manager);
    let team_setup_href = actor
        .user_id
        .filter(|_| mine.can_start_with.iter().any(|c| c.side == Side::Manager))
        .map(|me| format!("/people/{me}/one-on-ones/team"));
    let page = ListPage {
        team_setup_href,
        layout: Layout::new("1:1s", "one-on-ones", Some(actor)),
        as_manager,
        as_report,
        candidates: mine
            .can_start_with
            .into_iter()
            .map(|c| {
                let form = forms.form(format!("start-{}", c.id));
                (c, form)
            })
            .collect(),
        errors: forms.summary(),
        cadences: cadences(),
        default_cadence: service::DEFAULT_CADENCE.to_string(),
    };
    render_with(status, &page)
}

async fn list(State(state): State<AppState>, actor: Actor) -> PageResult {
    render_list(&state, &actor, Forms::default(), StatusCode::OK).await
}

async fn start(
    State(state): State<AppState>,
    actor: Actor,
    Path(other): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let input = StartInput {
        cadence_days: fields.text("cadence_days"),
        first_on: fields.text("first_on"),
    };
    match service::start_series(&state, &actor, other, &input).await {
        Ok(started) => Ok(crate::web::flash::redirect(
            &format!("/one-on-ones/{}", started.series),
            "The 1:1 series was set up.",
            Some(("/one-on-ones", "See all your 1:1s")),
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new(format!("start-{other}"), fields, errors));
            render_list(&state, &actor, forms, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "one_on_ones/team.html")]
struct TeamSetupPage {
    layout: Layout,
    plan: service::TeamSeriesPlan,
    own: bool,
    form: FormView,
    errors: Vec<ErrorLink>,
    cadences: Vec<Choice>,
    default_cadence: String,
    today: String,
}

/// The form that sets up 1:1s with every direct report of a manager at once, listing who gets a
/// series and who has one already.
async fn render_team(
    state: &AppState,
    actor: &Actor,
    manager: i64,
    forms: Forms,
    status: StatusCode,
) -> PageResult {
    let plan = service::team_series_plan(state, actor, manager).await?;
    let own = actor.user_id == Some(manager);
    let title = if own {
        "Set up 1:1s with your team".to_owned()
    } else {
        format!("Set up 1:1s with {}'s team", plan.manager.name)
    };
    render_with(
        status,
        &TeamSetupPage {
            layout: Layout::new(title, "one-on-ones", Some(actor)),
            own,
            form: forms.form("team"),
            errors: forms.summary(),
            cadences: cadences(),
            default_cadence: service::DEFAULT_CADENCE.to_string(),
            today: crate::domain::Day::today().to_string(),
            plan,
        },
    )
}

async fn team_page(
    State(state): State<AppState>,
    actor: Actor,
    Path(manager): Path<i64>,
) -> PageResult {
    render_team(&state, &actor, manager, Forms::default(), StatusCode::OK).await
}

/// Starts 1:1s with every direct report who has none, then shows the team with a message saying
/// how many started and who was skipped.
async fn start_team(
    State(state): State<AppState>,
    actor: Actor,
    Path(manager): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let input = StartInput {
        cadence_days: fields.text("cadence_days"),
        first_on: fields.text("first_on"),
    };
    match service::start_team_series(&state, &actor, manager, &input).await {
        Ok(done) => {
            let own = actor.user_id == Some(manager);
            let started: Vec<String> = done.started.iter().map(|(p, _)| p.name.clone()).collect();
            let skipped: Vec<String> = done.skipped.iter().map(|p| p.name.clone()).collect();
            let mut message = if started.is_empty() {
                "No 1:1s were started.".to_owned()
            } else {
                format!(
                    "Started 1:1s with {}, {} from {}: {}.",
                    crate::text::plural(started.len(), "person", "people"),
                    crate::text::every_days(done.cadence_days),
                    done.first_on,
                    crate::text::names(&started, 8)
                )
            };
            if !skipped.is_empty() {
                message.push_str(&format!(
                    " Skipped {} who {} 1:1s already: {}.",
                    crate::text::plural(skipped.len(), "person", "people"),
                    if skipped.len() == 1 { "has" } else { "have" },
                    crate::text::names(&skipped, 8)
                ));
            }
            let (location, next) = if own {
                ("/team".to_owned(), ("/one-on-ones", "See all your 1:1s"))
            } else {
                (
                    format!("/team?manager={manager}"),
                    ("/people", "Back to the people list"),
                )
            };
            Ok(crate::web::flash::redirect(&location, message, Some(next)))
        }
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new("team".into(), fields, errors));
            render_team(&state, &actor, manager, forms, status).await
        }
    }
}

/// What the meeting part of a page needs besides the meeting: its forms and choices.
struct MeetingView {
    notes_html: Arc<str>,
    goals: Vec<Choice>,
    competencies: Vec<(String, Vec<Choice>)>,
    owners: Vec<Choice>,
    point: FormView,
    notes: FormView,
    private: FormView,
    item: FormView,
    date: FormView,
    /// What completing the meeting carries over, said before it is done.
    carry_summary: String,
}

async fn meeting_view(
    state: &AppState,
    actor: &Actor,
    info: &SeriesInfo,
    meeting: &Meeting,
    forms: &Forms,
) -> Result<MeetingView, AppError> {
    let competencies = if meeting.can_write {
        match framework_service::published(state, actor).await? {
            None => Vec::new(),
            Some(p) => {
                let fw = &p.framework;
                fw.categories
                    .iter()
                    .map(|c| {
                        (
                            c.name.clone(),
                            fw.competencies
                                .iter()
                                .filter(|k| k.category.as_ref() == Some(&c.key))
                                .map(|k| Choice::new(k.key.as_str(), k.name.clone()))
                                .collect::<Vec<_>>(),
                        )
                    })
                    .filter(|(_, c)| !c.is_empty())
                    .collect()
            }
        }
    } else {
        Vec::new()
    };
    Ok(MeetingView {
        notes_html: state.markdown().block(&meeting.shared_notes),
        goals: meeting
            .linkable_goals
            .iter()
            .map(|g| Choice::new(g.id.to_string(), g.title.clone()))
            .collect(),
        competencies,
        owners: [&info.report, &info.manager]
            .into_iter()
            .map(|p| Choice::new(p.id.to_string(), p.name.clone()))
            .collect(),
        point: forms.form("new-point"),
        notes: forms.form("shared-notes"),
        private: forms.form("private-note"),
        item: forms.form("new-item"),
        date: forms.form("meeting-date"),
        carry_summary: carry_summary(meeting),
    })
}

/// What completing the meeting would carry over to the next one, as a sentence.
fn carry_summary(meeting: &Meeting) -> String {
    let (points, items) = service::carry_over(meeting);
    match carried_list(points, items) {
        None => "Nothing is left open, so nothing carries over.".to_owned(),
        Some(list) if points + items == 1 => format!("{list} carries over to the next one."),
        Some(list) => format!("{list} carry over to the next one."),
    }
}

/// "2 talking points not discussed and 1 open action item", capitalised; `None` for nothing.
fn carried_list(points: usize, items: usize) -> Option<String> {
    let points_text = service::count_of(
        points as i64,
        "talking point not discussed",
        "talking points not discussed",
    );
    let items_text = service::count_of(items as i64, "open action item", "open action items");
    let mut text = match (points, items) {
        (0, 0) => return None,
        (_, 0) => points_text,
        (0, _) => items_text,
        _ => format!("{points_text} and {items_text}"),
    };
    text[..1].make_ascii_uppercase();
    Some(text)
}

#[derive(Template)]
#[template(path = "one_on_ones/series.html")]
struct SeriesPage {
    layout: Layout,
    info: SeriesInfo,
    meeting: Meeting,
    history: Vec<MeetingSummary>,
    view: MeetingView,
    errors: Vec<ErrorLink>,
}

fn title_of(info: &SeriesInfo) -> String {
    format!("1:1s of {} and {}", info.manager.name, info.report.name)
}

async fn series_page(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let series = service::series(&state, &actor, id).await?;
    let forms = Forms::default();
    let view = meeting_view(&state, &actor, &series.info, &series.current, &forms).await?;
    render_with(
        StatusCode::OK,
        &SeriesPage {
            layout: Layout::new(title_of(&series.info), "one-on-ones", Some(&actor)),
            errors: forms.summary(),
            info: series.info,
            meeting: series.current,
            history: series.history,
            view,
        },
    )
}

#[derive(Template)]
#[template(path = "one_on_ones/meeting.html")]
struct MeetingPage {
    layout: Layout,
    info: SeriesInfo,
    meeting: Meeting,
    view: MeetingView,
    errors: Vec<ErrorLink>,
    held_at: Option<String>,
    /// Said after the previous meeting was completed: what happened and what was carried over.
    completed: Option<String>,
}

/// `?completed=ID`: the meeting just completed, whose page sent the viewer here.
#[derive(Debug, Default, Deserialize)]
struct MeetingParams {
    completed: Option<String>,
}

/// The success message after completing `completed`, shown on the next meeting `next`: only when
/// `completed` is the held meeting of the same series.
async fn completed_message(
    state: &AppState,
    actor: &Actor,
    completed: Option<&str>,
    next: &Meeting,
) -> Result<Option<String>, AppError> {
    let Some(id) = completed.and_then(|c| c.trim().parse::<i64>().ok()) else {
        return Ok(None);
    };
    let Ok(held) = service::meeting(state, actor, id).await else {
        return Ok(None);
    };
    let held = held.meeting;
    if held.series_id != next.series_id || held.status != MeetingStatus::Held || held.id >= next.id
    {
        return Ok(None);
    }
    let (points, items) = service::carry_over(&held);
    let day = held
        .held_on
        .as_deref()
        .unwrap_or(held.scheduled_on.as_str());
    let carried = match carried_list(points, items) {
        None => "Nothing was left open, so this meeting starts with an empty agenda: add talking points to prepare it.".to_owned(),
        Some(list) => format!("{list} carried over to this meeting: add anything else to prepare it."),
    };
    Ok(Some(format!(
        "The 1:1 held on {day} is completed and kept, read only, in the history. {carried}"
    )))
}

async fn render_meeting(
    state: &AppState,
    actor: &Actor,
    id: i64,
    forms: Forms,
    status: StatusCode,
    completed: Option<&str>,
) -> PageResult {
    let page = service::meeting(state, actor, id).await?;
    let view = meeting_view(state, actor, &page.series, &page.meeting, &forms).await?;
    let completed = completed_message(state, actor, completed, &page.meeting).await?;
    render_with(
        status,
        &MeetingPage {
            layout: Layout::new(
                format!("1:1 of {}", page.meeting.scheduled_on),
                "one-on-ones",
                Some(actor),
            ),
            errors: forms.summary(),
            held_at: page.meeting.held_at.as_ref().map(format_time),
            completed,
            info: page.series,
            meeting: page.meeting,
            view,
        },
    )
}

async fn meeting_page(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(params): Query<MeetingParams>,
) -> PageResult {
    render_meeting(
        &state,
        &actor,
        id,
        Forms::default(),
        StatusCode::OK,
        params.completed.as_deref(),
    )
    .await
}

/// Back to the meeting after a write, at the section that changed; or the meeting again with the
/// refused form.
async fn back_to_meeting(
    state: &AppState,
    actor: &Actor,
    meeting: i64,
    section: &str,
    form: &str,
    fields: Fields,
    outcome: Result<(), AppError>,
) -> PageResult {
    match outcome {
        Ok(()) => {
            Ok(Redirect::to(&format!("/one-on-ones/meetings/{meeting}#{section}")).into_response())
        }
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new(form.to_owned(), fields, errors));
            render_meeting(state, actor, meeting, forms, status, None).await
        }
    }
}

/// An optional id chosen in a select; anything but a number is refused with the field's name.
fn optional_id(fields: &Fields, name: &str, message: &str) -> Result<Option<i64>, AppError> {
    match fields.get(name).map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => raw
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid_field(name, message)),
    }
}

async fn add_point(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let outcome = match optional_id(&fields, "goal", "choose a goal from the list") {
        Ok(goal) => {
            let input = PointInput {
                body: fields.text("body"),
                goal,
                competency: fields.text("competency"),
            };
            service::add_talking_point(&state, &actor, id, &input)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    back_to_meeting(&state, &actor, id, "agenda", "new-point", fields, outcome).await
}

async fn save_notes(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let revision = fields.get("revision").and_then(|r| r.trim().parse().ok());
    let outcome =
        service::save_shared_notes(&state, &actor, id, &fields.text("shared_notes"), revision)
            .await
            .map(|_| ());
    back_to_meeting(
        &state,
        &actor,
        id,
        "shared-notes",
        "shared-notes",
        fields,
        outcome,
    )
    .await
}

async fn save_private_note(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let outcome =
        service::save_private_note(&state, &actor, id, &fields.text("private_note")).await;
    back_to_meeting(
        &state,
        &actor,
        id,
        "private-note",
        "private-note",
        fields,
        outcome,
    )
    .await
}

async fn add_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let outcome = match optional_id(&fields, "owner", "choose who owns the item") {
        Ok(owner) => {
            let input = ItemInput {
                title: fields.text("title"),
                owner,
                due_on: fields.text("due_on"),
            };
            service::add_action_item(&state, &actor, id, &input)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    back_to_meeting(
        &state,
        &actor,
        id,
        "action-items",
        "new-item",
        fields,
        outcome,
    )
    .await
}

async fn reschedule(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let outcome = service::reschedule(&state, &actor, id, &fields.text("scheduled_on")).await;
    back_to_meeting(
        &state,
        &actor,
        id,
        "meeting",
        "meeting-date",
        fields,
        outcome,
    )
    .await
}

async fn complete(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    let done = service::complete_meeting(&state, &actor, id).await?;
    Ok(Redirect::to(&format!(
        "/one-on-ones/meetings/{}?completed={id}",
        done.next_meeting_id
    ))
    .into_response())
}

async fn move_point(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let direction = Direction::parse(&fields.text("direction"))
        .ok_or_else(|| AppError::invalid_field("direction", "move a talking point up or down"))?;
    let meeting = service::move_talking_point(&state, &actor, id, direction).await?;
    Ok(Redirect::to(&format!("/one-on-ones/meetings/{meeting}#point-{id}")).into_response())
}

/// Marks a talking point discussed (`discussed=1`) or not (`discussed=0`).
async fn mark_discussed(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let discussed = fields.get("discussed") != Some("0");
    let meeting = service::set_discussed(&state, &actor, id, discussed).await?;
    Ok(Redirect::to(&format!("/one-on-ones/meetings/{meeting}#point-{id}")).into_response())
}

async fn remove_point(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let meeting = service::remove_talking_point(&state, &actor, id).await?;
    Ok(Redirect::to(&format!("/one-on-ones/meetings/{meeting}#agenda")).into_response())
}

/// Ticks an action item (`done=1`) or opens it again (`done=0`).
async fn tick_item(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let done = fields.get("done") != Some("0");
    let meeting = service::set_item_done(&state, &actor, id, done).await?;
    Ok(Redirect::to(&format!("/one-on-ones/meetings/{meeting}#item-{id}")).into_response())
}
