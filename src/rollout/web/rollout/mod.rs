//! The rollout in the browser, under `/admin/rollout`: the overview, the readiness self-check (the
//! form, each result with its advice, and the comparison of the latest with an earlier one), the
//! roadmap (stages, checklists, CSV and a printable page) and the pilot (who sees the Grow
//! features). Every form works without JavaScript; a refused form comes back with its values and
//! messages (422). The services decide who may do what: admins only.
//!
//! This file holds the routes, the overview and the admin home's panel; the self-check, the
//! roadmap and the pilot pages are child modules.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;

use crate::auth::Actor;
use crate::error::AppError;
use crate::rollout::pilot::{self as pilot_service, Pilot};
use crate::rollout::roadmap::{self as roadmap_service, RoadmapSummary, Stage, StageStatus};
use crate::rollout::self_check::{self as self_check_service, SelfCheck};
use crate::state::AppState;
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, format_time, render_with};

mod pilot;
mod roadmap;
mod self_check;

use pilot::{choose_pilot, pilot_page, release_everyone};
use roadmap::{
    add_item, move_item, remove_item, roadmap_csv, roadmap_page, roadmap_print, tick_item,
    update_item, update_stage,
};
use self_check::{compare, self_check_form, self_check_result, take_self_check};

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

fn day_of(at: i64) -> String {
    format_time(&at).get(..10).unwrap_or_default().to_owned()
}

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
        piloting: pilot_service::audience(state.db()).await? == pilot_service::PILOT,
        summary,
    })
}

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
