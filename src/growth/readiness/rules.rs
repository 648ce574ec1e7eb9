//! Each track's readiness rule, as admins set it: read with the track's competencies, checked as
//! typed, set or put back to the default, each time recomputing the track's people in the same
//! transaction.

use std::collections::HashMap;

use trellis_framework::{Framework, Track};

use super::recompute::{Whom, recompute};
use super::{Named, Rule, stored_rules};
use crate::audit::Action;
use crate::auth::{Actor, policy};
use crate::db::Work;
use crate::db::now;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A track's rule with what its form shows.
#[derive(Debug, Clone)]
pub struct TrackRule {
    pub rule: Rule,
    pub track_name: String,
    /// An admin set it; otherwise it is the default.
    pub configured: bool,
    /// The track's competencies (key, name), which `required` may name.
    pub competencies: Vec<(String, String)>,
    /// Unix seconds, when configured.
    pub updated_at: Option<i64>,
}

/// The rule of every track of the published framework (admins).
pub async fn rules(state: &AppState, actor: &Actor) -> AppResult<Vec<TrackRule>> {
    policy::configure_readiness(actor)?;
    crate::rollout::pilot::require_grow(state.db(), actor).await?;
    let published = crate::architecture::framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let mut conn = state.db().pool().acquire().await?;
    let stored = stored_rules(&mut conn).await?;
    let updated: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT track_key, updated_at FROM readiness_rules")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    Ok(fw
        .tracks
        .iter()
        .map(|t| {
            track_rule(
                fw,
                t,
                stored.get(t.key.as_str()),
                updated.get(t.key.as_str()),
            )
        })
        .collect())
}

fn track_rule(
    fw: &Framework,
    track: &Track,
    stored: Option<&Rule>,
    updated: Option<&i64>,
) -> TrackRule {
    TrackRule {
        rule: stored
            .cloned()
            .unwrap_or_else(|| Rule::default_for(track.key.as_str())),
        track_name: track.name.clone(),
        configured: stored.is_some(),
        competencies: track
            .competencies
            .iter()
            .map(|k| (k.to_string(), Named::of(fw, k.as_str(), None).name))
            .collect(),
        updated_at: updated.copied(),
    }
}

/// A rule as typed in a form or sent to the API, before checking.
#[derive(Debug, Clone, Default)]
pub struct RuleInput {
    /// A whole number from 0 to 100, as typed.
    pub next_level_share: String,
    pub all_meet_current: bool,
    /// Competency keys of the track.
    pub required: Vec<String>,
}

fn field(name: &str, message: impl Into<String>) -> crate::error::FieldError {
    crate::error::FieldError::new(name, message)
}

impl RuleInput {
    fn check(&self, fw: &Framework, track: &Track) -> AppResult<Rule> {
        let mut errors = Vec::new();
        let raw = self.next_level_share.trim().trim_end_matches('%').trim();
        let share = match raw.parse::<i64>() {
            Ok(n) if (0..=100).contains(&n) => u8::try_from(n).ok(),
            Ok(_) => {
                errors.push(field(
                    "next_level_share",
                    "the share is a percentage from 0 to 100",
                ));
                None
            }
            Err(_) => {
                errors.push(field(
                    "next_level_share",
                    format!("“{raw}” is not a whole percentage from 0 to 100"),
                ));
                None
            }
        };
        let mut required: Vec<String> = Vec::new();
        for key in self
            .required
            .iter()
            .map(|k| k.trim())
            .filter(|k| !k.is_empty())
        {
            if track.competencies.iter().any(|c| c.as_str() == key) {
                if !required.iter().any(|r| r == key) {
                    required.push(key.to_owned());
                }
            } else if fw.competency(key).is_some() {
                errors.push(field(
                    "required",
                    format!(
                        "{} is not a competency of the {} track",
                        Named::of(fw, key, None).name,
                        track.name
                    ),
                ));
            } else {
                errors.push(field(
                    "required",
                    format!("“{key}” is not a competency of the framework"),
                ));
            }
        }
        match share {
            Some(share) if errors.is_empty() => Ok(Rule {
                track: track.key.to_string(),
                next_level_share: share,
                all_meet_current: self.all_meet_current,
                required,
            }),
            _ => Err(AppError::Invalid {
                title: errors
                    .first()
                    .map_or_else(|| "the rule is not valid".to_owned(), |e| e.message.clone()),
                errors,
            }),
        }
    }
}

/// Sets the rule of a track (admins) and recomputes the readiness of everyone on that track, in
/// the same transaction.
pub async fn set_rule(
    state: &AppState,
    actor: &Actor,
    track: &str,
    input: &RuleInput,
) -> AppResult<TrackRule> {
    let permit = policy::configure_readiness(actor)?;
    crate::rollout::pilot::require_grow(state.db(), actor).await?;
    let published = crate::architecture::framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let t = fw
        .track(track)
        .ok_or_else(|| AppError::not_found("this track"))?;
    let rule = input.check(fw, t)?;
    let at = now();
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let before = stored_rules(work.tx()).await?.remove(track);
    let required = serde_json::to_string(&rule.required)
        .map_err(|e| AppError::internal(format!("cannot write the rule: {e}")))?;
    sqlx::query(
        "INSERT INTO readiness_rules (track_key, next_level_share, all_meet_current, required, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (track_key) DO UPDATE SET \
         next_level_share = excluded.next_level_share, all_meet_current = excluded.all_meet_current, \
         required = excluded.required, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(track)
    .bind(i64::from(rule.next_level_share))
    .bind(i64::from(rule.all_meet_current))
    .bind(required)
    .bind(at)
    .bind(actor.user_id)
    .execute(&mut **work.tx())
    .await?;
    let people = recompute(work.tx(), fw, Whom::Track(track), Some(state.db())).await?;
    work.record(
        Action::ReadinessRule,
        &format!("track:{track}"),
        &format!(
            "Set the readiness rule of {}: {} % at the next level{}{}",
            t.name,
            rule.next_level_share,
            if rule.all_meet_current {
                ", every competency meeting the current level"
            } else {
                ""
            },
            if rule.required.is_empty() {
                String::new()
            } else {
                format!(", {} required", rule.required.len())
            }
        ),
        Some(serde_json::json!({ "before": before, "after": rule, "recomputed": people })),
    )
    .await?;
    work.commit().await?;
    Ok(track_rule(fw, t, Some(&rule), Some(&at)))
}

/// Puts a track back on the default rule (admins) and recomputes its people.
pub async fn reset_rule(state: &AppState, actor: &Actor, track: &str) -> AppResult<TrackRule> {
    let permit = policy::configure_readiness(actor)?;
    crate::rollout::pilot::require_grow(state.db(), actor).await?;
    let published = crate::architecture::framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let t = fw
        .track(track)
        .ok_or_else(|| AppError::not_found("this track"))?;
    let mut work = Work::begin(state.db(), actor, permit).await?;
    let before = stored_rules(work.tx()).await?.remove(track);
    sqlx::query("DELETE FROM readiness_rules WHERE track_key = $1")
        .bind(track)
        .execute(&mut **work.tx())
        .await?;
    let people = recompute(work.tx(), fw, Whom::Track(track), Some(state.db())).await?;
    work.record(
        Action::ReadinessRuleReset,
        &format!("track:{track}"),
        &format!("Put the readiness rule of {} back to the default", t.name),
        Some(serde_json::json!({ "before": before, "recomputed": people })),
    )
    .await?;
    work.commit().await?;
    Ok(track_rule(fw, t, None, None))
}
