//! The roadmap: the stages with their plans and checklists (every form works without JavaScript),
//! the items due soon, the timeline, the CSV export and the printable page.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::auth::Actor;
use crate::domain::Day;
use crate::error::AppError;
use crate::rollout::roadmap::{
    self as roadmap_service, Direction, Item, ItemInput, Roadmap, Stage, StageInput, StageStatus,
    StageView,
};
use crate::state::AppState;
use crate::web::charts::Svg;
use crate::web::forms::Choice;
use crate::web::forms::refusal;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission};
use crate::web::timeline::{self, Entry, Mark, Row};
use crate::web::{Layout, PageResult, render, render_with};

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
pub(super) struct RoadmapQuery {
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

pub(super) async fn roadmap_page(
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
            let (status, errors) = refusal(e)?;
            let forms = Forms::refused(Submission::new(form, fields, errors));
            roadmap_with(state, actor, forms, status).await
        }
    }
}

pub(super) async fn update_stage(
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

pub(super) async fn add_item(
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

pub(super) async fn update_item(
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

pub(super) async fn move_item(
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

pub(super) async fn tick_item(
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

pub(super) async fn remove_item(
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

pub(super) async fn roadmap_csv(State(state): State<AppState>, actor: Actor) -> PageResult {
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

pub(super) async fn roadmap_print(State(state): State<AppState>, actor: Actor) -> PageResult {
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
