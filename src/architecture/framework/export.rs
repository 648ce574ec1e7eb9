//! Taking the framework away: YAML, CSV and markdown, never with pay bands for those who may not
//! see them.

use trellis_framework::{Framework, export, yaml};

use super::versions::{Revision, framework_at};
use crate::auth::{Actor, policy};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The framework at a revision as `actor` may take it away: every exporter starts here, so pay
/// bands leave only with someone who may see them.
pub async fn exportable(state: &AppState, actor: &Actor, at: Revision) -> AppResult<Framework> {
    let snap = framework_at(state, actor, at).await?;
    let mut fw = snap.framework.clone();
    if !policy::see_pay(actor) {
        without_pay(&mut fw);
    }
    Ok(fw)
}

/// Removes every pay band, for readers who may not see them (and for the public site).
pub fn without_pay(fw: &mut Framework) {
    for track in &mut fw.tracks {
        for level in &mut track.levels {
            level.pay = None;
        }
    }
}

/// The framework as a YAML file.
pub async fn export_yaml(state: &AppState, actor: &Actor, at: Revision) -> AppResult<String> {
    Ok(yaml::write(&exportable(state, actor, at).await?))
}

/// The framework as a CSV file, one row per expectation bullet.
pub async fn export_csv(state: &AppState, actor: &Actor, at: Revision) -> AppResult<String> {
    let fw = exportable(state, actor, at).await?;
    export::csv::write(&fw).map_err(|e| AppError::internal(format!("cannot write the CSV: {e}")))
}

/// The framework as markdown files (path, content): an index and one file per track.
pub async fn export_markdown(
    state: &AppState,
    actor: &Actor,
    at: Revision,
) -> AppResult<Vec<(String, String)>> {
    Ok(export::markdown::write_tracks(
        &exportable(state, actor, at).await?,
    ))
}
