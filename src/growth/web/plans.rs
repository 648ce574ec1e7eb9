//! Development plans in the browser: a person's plan (goals by status, overdue ones flagged, a
//! form to add a goal or, for their management chain, to propose one) and a goal's page (its
//! details, the checklist of actions, progress notes and comments). The gap analysis posts its
//! "Create a goal" button to the same form handler with `from_gap=1`.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};

use crate::architecture::framework as framework_service;
use crate::auth::Actor;
use crate::error::{AppError, FieldError};
use crate::growth::plans::{
    self as service, ActionChange, ActionInput, Goal, GoalChange, GoalInput, GoalStatus,
    GoalSummary, Plan,
};
use crate::state::AppState;
use crate::web::forms::Choice;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission, refusal};
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, format_time, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/people/{id}/plan", get(plan_page))
        .route("/people/{id}/plan/goals", post(create_goal))
        .route("/goals/{id}", get(goal_page).post(update_goal))
        .route("/goals/{id}/actions", post(add_action))
        .route("/goals/{id}/notes", post(add_note))
        .route("/goals/{id}/delete", post(delete_goal))
        .route("/goal-actions/{id}/done", post(tick_action))
        .route("/goal-actions/{id}/remove", post(remove_action))
}

/// The service names the fields of the API (`competencies`, `track`, `level`); the forms have a
/// `competency` checkbox group and one `position` select.
fn form_errors(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut e| {
            e.field = match e.field.as_str() {
                "competencies" => "competency".into(),
                "track" | "level" => "position".into(),
                _ => e.field,
            };
            e
        })
        .collect()
}

/// The target position a form sent: its `position` select (`track/level`), or the `track` and
/// `level` fields the gap analysis sends.
fn sent_position(fields: &Fields) -> (String, String) {
    match fields.get("position").map(str::trim) {
        Some(p) if !p.is_empty() => {
            let (t, l) = p.split_once('/').unwrap_or((p, ""));
            (t.to_owned(), l.to_owned())
        }
        Some(_) => (String::new(), String::new()),
        None => (fields.text("track"), fields.text("level")),
    }
}

fn goal_input(fields: &Fields) -> GoalInput {
    let (track, level) = sent_position(fields);
    GoalInput {
        title: fields.text("title"),
        description: fields.text("description"),
        competencies: fields.all("competency"),
        track,
        level,
        due_on: fields.text("due_on"),
        status: fields.text("status"),
    }
}

/// The competencies of the library by category, and the positions of every track, for the forms.
struct Choices {
    competencies: Vec<(String, Vec<Choice>)>,
    positions: Vec<(String, Vec<Choice>)>,
    statuses: Vec<Choice>,
}

async fn choices(state: &AppState, actor: &Actor) -> Result<Choices, AppError> {
    let published = framework_service::published(state, actor).await?;
    let (competencies, positions) = match &published {
        None => (Vec::new(), Vec::new()),
        Some(p) => {
            let fw = &p.framework;
            let mut groups: Vec<(String, Vec<Choice>)> = fw
                .categories
                .iter()
                .map(|c| {
                    (
                        c.name.clone(),
                        fw.competencies
                            .iter()
                            .filter(|k| k.category.as_ref() == Some(&c.key))
                            .map(|k| Choice::new(k.key.as_str(), k.name.clone()))
                            .collect(),
                    )
                })
                .collect();
            let other: Vec<Choice> = fw
                .competencies
                .iter()
                .filter(|k| {
                    k.category
                        .as_ref()
                        .is_none_or(|c| fw.category(c.as_str()).is_none())
                })
                .map(|k| Choice::new(k.key.as_str(), k.name.clone()))
                .collect();
            if !other.is_empty() {
                groups.push(("Other".into(), other));
            }
            groups.retain(|(_, c)| !c.is_empty());
            let positions = fw
                .tracks
                .iter()
                .map(|t| {
                    (
                        t.name.clone(),
                        t.levels
                            .iter()
                            .map(|l| Choice::new(format!("{}/{}", t.key, l.key), l.title.clone()))
                            .collect(),
                    )
                })
                .collect();
            (groups, positions)
        }
    };
    Ok(Choices {
        competencies,
        positions,
        statuses: GoalStatus::ALL
            .into_iter()
            .map(|s| Choice::new(s.as_str(), s.label()))
            .collect(),
    })
}

/// What a goal form shows in its competency checkboxes and position select: what was sent when it
/// was refused, otherwise the goal's current values.
struct Selected {
    competencies: Vec<String>,
    position: String,
}

impl Selected {
    fn of(sent: Option<&Fields>, competencies: Vec<String>, position: String) -> Selected {
        match sent {
            Some(fields) => {
                let (t, l) = sent_position(fields);
                Selected {
                    competencies: fields.all("competency"),
                    position: if t.is_empty() {
                        String::new()
                    } else {
                        format!("{t}/{l}")
                    },
                }
            }
            None => Selected {
                competencies,
                position,
            },
        }
    }

    fn has(&self, key: &str) -> bool {
        self.competencies.iter().any(|k| k == key)
    }
}

/// A goal of the plan, grouped by status.
struct Group {
    status: GoalStatus,
    goals: Vec<GoalSummary>,
}

#[derive(Template)]
#[template(path = "plans/plan.html")]
struct PlanPage {
    layout: Layout,
    plan: Plan,
    mine: bool,
    groups: Vec<Group>,
    errors: Vec<ErrorLink>,
    form: FormView,
    selected: Selected,
    competencies: Vec<(String, Vec<Choice>)>,
    positions: Vec<(String, Vec<Choice>)>,
    statuses: Vec<Choice>,
    last_update: Option<String>,
}

impl PlanPage {
    fn competency_name<'a>(&'a self, key: &'a str) -> &'a str {
        self.plan
            .competency_names
            .get(key)
            .map_or(key, String::as_str)
    }
}

async fn render_plan(
    state: &AppState,
    actor: &Actor,
    person: i64,
    sent: Option<Submission>,
    sent_fields: Option<Fields>,
    status: StatusCode,
) -> PageResult {
    let plan = service::plan(state, actor, person).await?;
    let forms = sent.map(Forms::refused).unwrap_or_default();
    let form = forms.form("new-goal");
    let selected = Selected::of(sent_fields.as_ref(), Vec::new(), String::new());
    let choices = choices(state, actor).await?;
    let mut groups: Vec<Group> = GoalStatus::ALL
        .into_iter()
        .map(|status| Group {
            status,
            goals: Vec::new(),
        })
        .collect();
    for g in &plan.goals {
        if let Some(group) = groups.iter_mut().find(|x| x.status == g.status) {
            group.goals.push(g.clone());
        }
    }
    let mine = actor.user_id == Some(person);
    let page = PlanPage {
        layout: Layout::new(
            if mine {
                "My development plan".to_owned()
            } else {
                format!("Development plan of {}", plan.person_name)
            },
            "people",
            Some(actor),
        ),
        last_update: plan.summary.last_update.as_ref().map(format_time),
        mine,
        groups,
        errors: forms.summary(),
        form,
        selected,
        competencies: choices.competencies,
        positions: choices.positions,
        statuses: choices.statuses,
        plan,
    };
    render_with(status, &page)
}

async fn plan_page(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    render_plan(&state, &actor, id, None, None, StatusCode::OK).await
}

async fn create_goal(
    State(state): State<AppState>,
    actor: Actor,
    Path(person): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let from_gap = fields.get("from_gap") == Some("1");
    match service::create_goal(&state, &actor, person, &goal_input(&fields), from_gap).await {
        Ok(id) => Ok(crate::web::flash::redirect(
            &format!("/goals/{id}"),
            "The goal was saved.",
            Some((
                &format!("/goals/{id}#actions"),
                "Add the first action towards it",
            )),
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let sent = Submission::new("new-goal".into(), fields.clone(), form_errors(errors));
            render_plan(&state, &actor, person, Some(sent), Some(fields), status).await
        }
    }
}

#[derive(Template)]
#[template(path = "plans/goal.html")]
struct GoalPage {
    layout: Layout,
    goal: Goal,
    mine: bool,
    description: Option<Arc<str>>,
    notes: Vec<(service::GoalNote, Arc<str>, String)>,
    errors: Vec<ErrorLink>,
    edit: FormView,
    action: FormView,
    note: FormView,
    selected: Selected,
    competencies: Vec<(String, Vec<Choice>)>,
    positions: Vec<(String, Vec<Choice>)>,
    statuses: Vec<Choice>,
    updated: String,
}

async fn render_goal(
    state: &AppState,
    actor: &Actor,
    id: i64,
    sent: Option<Submission>,
    sent_fields: Option<Fields>,
    status: StatusCode,
) -> PageResult {
    let goal = service::goal(state, actor, id).await?;
    let forms = sent.map(Forms::refused).unwrap_or_default();
    let edit = forms.form("edit-goal");
    let selected = Selected::of(
        sent_fields.as_ref(),
        goal.competencies.iter().map(|c| c.key.clone()).collect(),
        goal.target
            .as_ref()
            .map(|p| format!("{}/{}", p.track, p.level))
            .unwrap_or_default(),
    );
    let choices = choices(state, actor).await?;
    let markdown = state.markdown();
    let notes = goal
        .notes
        .iter()
        .map(|n| {
            (
                n.clone(),
                markdown.block(&n.body),
                format_time(&n.created_at),
            )
        })
        .collect();
    let page = GoalPage {
        layout: Layout::new(goal.title.clone(), "people", Some(actor)),
        mine: actor.user_id == Some(goal.person_id),
        description: goal.description.as_deref().map(|d| markdown.block(d)),
        notes,
        errors: forms.summary(),
        edit,
        action: forms.form("new-action"),
        note: forms.form("new-note"),
        selected,
        competencies: choices.competencies,
        positions: choices.positions,
        statuses: choices.statuses,
        updated: format_time(&goal.updated_at),
        goal,
    };
    render_with(status, &page)
}

async fn goal_page(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    render_goal(&state, &actor, id, None, None, StatusCode::OK).await
}

async fn update_goal(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let input = goal_input(&fields);
    let change = GoalChange {
        title: Some(input.title),
        description: Some(input.description),
        competencies: Some(input.competencies),
        track: Some(input.track),
        level: Some(input.level),
        due_on: Some(input.due_on),
        status: Some(input.status),
    };
    match service::update_goal(&state, &actor, id, &change).await {
        Ok(()) => Ok(crate::web::flash::redirect(
            &format!("/goals/{id}"),
            "Your changes to the goal were saved.",
            Some((&format!("/goals/{id}#notes"), "Add a note on progress")),
        )),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let sent = Submission::new("edit-goal".into(), fields.clone(), form_errors(errors));
            render_goal(&state, &actor, id, Some(sent), Some(fields), status).await
        }
    }
}

async fn add_action(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let input = ActionInput {
        title: fields.text("title"),
        due_on: fields.text("due_on"),
    };
    match service::add_action(&state, &actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}#actions")).into_response()),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let sent = Submission::new("new-action".into(), fields, errors);
            render_goal(&state, &actor, id, Some(sent), None, status).await
        }
    }
}

async fn add_note(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    match service::add_note(&state, &actor, id, &fields.text("body")).await {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}#notes")).into_response()),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let sent = Submission::new("new-note".into(), fields, errors);
            render_goal(&state, &actor, id, Some(sent), None, status).await
        }
    }
}

/// Ticks an action (`done=1`) or opens it again (`done=0`).
async fn tick_action(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let change = ActionChange {
        done: Some(fields.get("done") != Some("0")),
        ..ActionChange::default()
    };
    let goal = service::change_action(&state, &actor, id, &change).await?;
    Ok(Redirect::to(&format!("/goals/{goal}#action-{id}")).into_response())
}

async fn delete_goal(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let person = service::delete_goal(&state, &actor, id).await?;
    Ok(crate::web::flash::redirect(
        &format!("/people/{person}/plan"),
        "The goal was deleted.",
        None,
    ))
}

async fn remove_action(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let goal = service::remove_action(&state, &actor, id).await?;
    Ok(Redirect::to(&format!("/goals/{goal}#actions")).into_response())
}
