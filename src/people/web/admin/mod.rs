//! The admin pages: the admin home (with the rollout at a glance), API tokens and the audit log.
//! Only admins may open them; the services decide.

mod audit;
mod tokens;

use askama::Template;
use axum::extract::State;

use crate::auth::Actor;
use crate::state::AppState;
use crate::web::routes::{Routes, get};
use crate::web::{Layout, PageResult, render};

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin", get(home))
        .merge(tokens::routes())
        .merge(audit::routes())
}

#[derive(Template)]
#[template(path = "admin/home.html")]
struct HomePage {
    layout: Layout,
    panel: crate::rollout::web::rollout::Panel,
}

async fn home(State(state): State<AppState>, actor: Actor) -> PageResult {
    let panel = crate::rollout::web::rollout::panel(&state, &actor).await?;
    render(&HomePage {
        layout: Layout::new("Admin", "admin", Some(&actor)),
        panel,
    })
}
