//! The manager's team view (`/team`): every report at a glance with the flags that need attention,
//! and the heat map of the team's latest agreed ratings. `growth::team` reads it all and
//! decides who may see it.

use askama::Template;
use axum::extract::{Query, State};
use serde::Deserialize;

use crate::auth::Actor;
use crate::domain::Rating;
use crate::error::{AppError, AppResult};
use crate::growth::team::{self as service, AttentionKind, Team, TeamQuery};
use crate::growth::web::home::rating_scale;
use crate::state::AppState;
use crate::web::charts::{self, Scale};
use crate::web::routes::{Routes, get};
use crate::web::{Layout, PageResult, render};

pub fn routes() -> Routes {
    Routes::new().route("/team", get(team))
}

#[derive(Deserialize, Default)]
struct TeamParams {
    /// Whose team (the viewer's own when absent).
    manager: Option<i64>,
    /// `1`: everyone below the manager.
    chain: Option<String>,
    /// Only the people with this reason for attention (`plan_missing`, ...).
    attention: Option<String>,
}

/// One amber count of the team view: a link that filters the list to the people it counts.
pub struct AttentionCount {
    pub kind: &'static str,
    pub words: String,
    pub count: usize,
    pub href: String,
    pub current: bool,
}

/// A cell of the heat map: its colour class and the words in it.
pub struct HeatCell {
    pub class: String,
    pub words: &'static str,
}

/// A row of the heat map, ready to draw.
pub struct HeatRowView {
    pub name: String,
    pub cells: Vec<HeatCell>,
}

/// The colour class of a rating: `heat-1` (below) to `heat-4` (exceeds), `heat-na` for not
/// applicable, `heat-none` without a rating.
fn heat_cell(rating: Option<Rating>, scale: &Scale) -> HeatCell {
    match rating {
        Some(Rating::NotApplicable) => HeatCell {
            class: "heat-na".into(),
            words: Rating::NotApplicable.label(),
        },
        Some(r) => HeatCell {
            class: charts::heat_class(r.score().map(f64::from), scale, 4),
            words: r.label(),
        },
        None => HeatCell {
            class: "heat-none".into(),
            words: "—",
        },
    }
}

#[derive(Template)]
#[template(path = "team/team.html")]
struct TeamPage {
    layout: Layout,
    team: Team,
    own: bool,
    heat_rows: Vec<HeatRowView>,
    counts: Vec<AttentionCount>,
    ready: usize,
    /// The reason the list is filtered by.
    filter: Option<AttentionKind>,
    /// The members the list shows (all, or those with the filter's reason).
    shown: Vec<service::TeamMember>,
    /// The address of the unfiltered list.
    all_href: String,
    /// The query string that keeps the manager when switching between direct reports and chain.
    manager_param: String,
}

async fn team(
    State(state): State<AppState>,
    actor: Actor,
    Query(params): Query<TeamParams>,
) -> PageResult {
    let filter = attention_filter(params.attention.as_deref())?;
    let team = service::team(
        &state,
        &actor,
        TeamQuery {
            manager: params.manager,
            whole_chain: params.chain.as_deref() == Some("1"),
        },
    )
    .await?;
    let scale = rating_scale();
    let heat_rows = team
        .heat_map
        .rows
        .iter()
        .map(|r| HeatRowView {
            name: r.name.clone(),
            cells: r.ratings.iter().map(|x| heat_cell(*x, &scale)).collect(),
        })
        .collect();
    let own = Some(team.manager.id) == actor.user_id;
    let title = if own {
        "Your team".to_owned()
    } else {
        format!("{}'s team", team.manager.name)
    };
    let manager_param = params
        .manager
        .map(|m| format!("manager={m}&"))
        .unwrap_or_default();
    let chain_param = if team.whole_chain { "chain=1&" } else { "" };
    let counts = attention_counts(&team, filter, &manager_param, chain_param);
    let shown = team
        .members
        .iter()
        .filter(|m| filter.is_none_or(|k| m.attention.iter().any(|a| a.kind == k)))
        .cloned()
        .collect();
    let all_href = format!("/team?{manager_param}{chain_param}")
        .trim_end_matches(['&', '?'])
        .to_owned();
    render(&TeamPage {
        layout: Layout::new(title, "team", Some(&actor)),
        counts,
        filter,
        shown,
        all_href,
        ready: team
            .members
            .iter()
            .filter(|m| {
                m.readiness
                    .as_ref()
                    .is_some_and(|r| r.status == crate::growth::readiness::Status::Ready)
            })
            .count(),
        manager_param,
        own,
        heat_rows,
        team,
    })
}

/// The attention filter of the list, from the query string; none when empty.
fn attention_filter(raw: Option<&str>) -> AppResult<Option<AttentionKind>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => AttentionKind::parse(raw).map(Some).ok_or_else(|| {
            AppError::bad_request(
                "There is no such filter of the team. Choose one of the counts above the list.",
            )
        }),
    }
}

/// How many members need each kind of attention, each count linking to the filtered list.
fn attention_counts(
    team: &service::Team,
    filter: Option<AttentionKind>,
    manager_param: &str,
    chain_param: &str,
) -> Vec<AttentionCount> {
    AttentionKind::ALL
        .into_iter()
        .map(|kind| {
            let count = team
                .members
                .iter()
                .filter(|m| m.attention.iter().any(|a| a.kind == kind))
                .count();
            AttentionCount {
                kind: kind.as_str(),
                words: kind.count_words(count),
                count,
                href: format!(
                    "/team?{manager_param}{chain_param}attention={}",
                    kind.as_str()
                ),
                current: filter == Some(kind),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_take_the_colour_of_their_step_and_keep_their_words() {
        let scale = rating_scale();
        let meets = heat_cell(Some(Rating::Meets), &scale);
        assert_eq!((meets.class.as_str(), meets.words), ("heat-3", "Meets"));
        assert_eq!(heat_cell(Some(Rating::Below), &scale).class, "heat-1");
        assert_eq!(
            heat_cell(Some(Rating::NotApplicable), &scale).class,
            "heat-na"
        );
        assert_eq!(heat_cell(None, &scale).class, "heat-none");
    }
}
