//! Readiness and gap analysis in the browser: a person's readiness for the next level with its
//! reasons, their gaps to any position (each with a one-click goal), and the admins' page of
//! readiness rules per track.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::auth::Actor;
use crate::growth::readiness::{
    self as service, GapAnalysis, GapRow, PersonReadiness, RuleInput, Status, TrackRule,
};
use crate::state::AppState;
use crate::web::forms::Choice;
use crate::web::forms::{ErrorLink, Fields, FormView, Forms, Submission};
use crate::web::routes::{Routes, get, post};
use crate::web::{Layout, PageResult, format_time, render_with};

pub fn routes() -> Routes {
    Routes::new()
        .route("/people/{id}/readiness", get(readiness))
        .route("/people/{id}/gaps", get(gaps))
        .route("/admin/readiness", get(rules))
        .route("/admin/readiness/recompute", post(recompute))
        .route("/admin/readiness/{track}", post(set_rule))
        .route("/admin/readiness/{track}/reset", post(reset_rule))
}

/// The CSS class of a status.
pub fn status_class(status: &Status) -> &'static str {
    match status {
        Status::Ready => "readiness-ready",
        Status::NotYet => "readiness-not-yet",
        _ => "readiness-none",
    }
}

/// Where a percentage ends on the share bar (200 wide).
pub fn bar_x(percent: &u8) -> u32 {
    u32::from((*percent).min(100)) * 2
}

/// Where the threshold marker (2 wide) stands on the share bar, kept inside it.
pub fn marker_x(percent: &u8) -> u32 {
    bar_x(percent).saturating_sub(1).min(198)
}

/// How many percentage points a share falls short of its threshold.
pub fn short_by(share: &service::Share) -> u8 {
    share.needed.saturating_sub(share.reached)
}

#[derive(Template)]
#[template(path = "readiness/person.html")]
struct ReadinessPage {
    layout: Layout,
    r: PersonReadiness,
    computed: String,
}

async fn readiness(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> PageResult {
    let r = service::person_readiness(&state, &actor, id).await?;
    render_with(
        StatusCode::OK,
        &ReadinessPage {
            layout: Layout::new(
                format!("Readiness of {}", r.person_name),
                "people",
                Some(&actor),
            ),
            computed: format_time(&r.readiness.computed_at),
            r,
        },
    )
}

#[derive(Deserialize, Default)]
struct GapQuery {
    /// `track/level`.
    position: Option<String>,
}

/// A row of the gap table with its expectations as safe HTML.
struct GapView {
    row: GapRow,
    target: Vec<Arc<str>>,
    current: Option<Vec<Arc<str>>>,
}

#[derive(Template)]
#[template(path = "readiness/gaps.html")]
struct GapsPage {
    layout: Layout,
    person_id: i64,
    person_name: String,
    /// None until a position is chosen for someone who holds none.
    analysis: Option<GapAnalysis>,
    rows: Vec<GapView>,
    positions: Vec<(String, Vec<Choice>)>,
    position: String,
}

async fn gaps(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<GapQuery>,
) -> PageResult {
    let asked = q
        .position
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    // The next level by default, or the current one at the top of a track; nothing to compare
    // with for someone without a position until a position is chosen.
    let r = service::person_readiness(&state, &actor, id).await?;
    let position = asked.or_else(|| {
        match (
            &r.readiness.track,
            &r.readiness.next_level,
            &r.readiness.level,
        ) {
            (Some(t), Some(n), _) => Some(format!("{t}/{n}")),
            (Some(t), None, Some(l)) => Some(format!("{t}/{l}")),
            _ => None,
        }
    });
    let analysis = match &position {
        Some(p) => {
            let (track, level) = p.split_once('/').unwrap_or((p.as_str(), ""));
            Some(service::gaps(&state, &actor, id, track, level).await?)
        }
        None => None,
    };
    let md = state.markdown();
    let rows = analysis
        .iter()
        .flat_map(|a| a.rows.iter())
        .map(|row| GapView {
            target: row.target.iter().map(|b| md.inline(b)).collect(),
            current: row
                .current
                .as_ref()
                .map(|c| c.iter().map(|b| md.inline(b)).collect()),
            row: row.clone(),
        })
        .collect();
    let published = crate::architecture::framework::require_published(&state, &actor).await?;
    let positions = published
        .framework
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
    render_with(
        StatusCode::OK,
        &GapsPage {
            layout: Layout::new(format!("Gaps of {}", r.person_name), "people", Some(&actor)),
            position: analysis
                .as_ref()
                .map(|a| format!("{}/{}", a.target.track, a.target.level))
                .unwrap_or_default(),
            person_id: r.person_id,
            person_name: r.person_name,
            analysis,
            rows,
            positions,
        },
    )
}

#[derive(Deserialize, Default)]
struct RulesQuery {
    /// How many people the last recompute covered.
    recomputed: Option<usize>,
}

#[derive(Template)]
#[template(path = "readiness/rules.html")]
struct RulesPage {
    layout: Layout,
    rules: Vec<TrackRule>,
    errors: Vec<ErrorLink>,
    forms: Forms,
    /// The competencies ticked as required in the refused form, if one was.
    ticked: Option<(String, Vec<String>)>,
    recomputed: Option<usize>,
}

impl RulesPage {
    fn form(&self, track: &str) -> FormView {
        self.forms.form(format!("rule-{track}"))
    }

    fn is_required(&self, rule: &TrackRule, key: &str) -> bool {
        match &self.ticked {
            Some((t, keys)) if *t == rule.rule.track => keys.iter().any(|k| k == key),
            _ => rule.rule.required.iter().any(|k| k == key),
        }
    }
}

async fn rules_page(
    state: &AppState,
    actor: &Actor,
    forms: Forms,
    ticked: Option<(String, Vec<String>)>,
    recomputed: Option<usize>,
    status: StatusCode,
) -> PageResult {
    let rules = service::rules(state, actor).await?;
    render_with(
        status,
        &RulesPage {
            layout: Layout::new("Readiness rules", "admin", Some(actor)),
            rules,
            errors: forms.summary(),
            forms,
            ticked,
            recomputed,
        },
    )
}

async fn rules(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<RulesQuery>,
) -> PageResult {
    rules_page(
        &state,
        &actor,
        Forms::default(),
        None,
        q.recomputed,
        StatusCode::OK,
    )
    .await
}

async fn set_rule(
    State(state): State<AppState>,
    actor: Actor,
    Path(track): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let input = RuleInput {
        next_level_share: fields.text("next_level_share"),
        all_meet_current: fields.checked("all_meet_current"),
        required: fields.all("required"),
    };
    match service::set_rule(&state, &actor, &track, &input).await {
        Ok(_) => Ok(crate::web::flash::redirect(
            &format!("/admin/readiness#rule-{track}"),
            "The readiness rule was saved, and the readiness of everyone on this track was worked out again with it.",
            Some(("/team", "See who is ready on the team view")),
        )),
        Err(e)
            if e.status().is_client_error()
                && e.status() != StatusCode::FORBIDDEN
                && e.status() != StatusCode::NOT_FOUND =>
        {
            let status = e.status();
            let ticked = Some((track.clone(), input.required.clone()));
            let forms = Forms::refused(Submission::new(
                format!("rule-{track}"),
                fields,
                e.field_errors(),
            ));
            rules_page(&state, &actor, forms, ticked, None, status).await
        }
        Err(e) => Err(e),
    }
}

async fn reset_rule(
    State(state): State<AppState>,
    actor: Actor,
    Path(track): Path<String>,
) -> PageResult {
    service::reset_rule(&state, &actor, &track).await?;
    Ok(crate::web::flash::redirect(
        &format!("/admin/readiness#rule-{track}"),
        "The track uses the default readiness rule again.",
        None,
    ))
}

async fn recompute(State(state): State<AppState>, actor: Actor) -> PageResult {
    let n = service::recompute_all(&state, &actor).await?;
    Ok(Redirect::to(&format!("/admin/readiness?recomputed={n}")).into_response())
}
