//! What the form to nominate someone shows: where they could go, and what the case can stand on.

use trellis_framework::Framework;

use super::case::{CheckinCase, CompetencyEvidence, case_template, latest_agreed, track_evidence};
use super::visible_person;
use crate::architecture::framework;
use crate::auth::Actor;
use crate::auth::policy;
use crate::error::AppResult;
use crate::growth::one_on_ones::PersonRef;
use crate::people::directory::{self, Position};
use crate::rollout::pilot;
use crate::state::AppState;

/// What the form to nominate someone shows: where they are, where they could go, and what the case
/// can stand on.
#[derive(Debug, Clone)]
pub struct NominationDraft {
    pub person: PersonRef,
    pub position: Option<Position>,
    /// Positions one may nominate them for, by track name: higher levels of their track first,
    /// then the levels of other tracks.
    pub choices: Vec<(String, Vec<Position>)>,
    /// The next level of their track, the natural choice.
    pub suggested: Option<Position>,
    pub checkin: Option<CheckinCase>,
    pub evidence: Vec<CompetencyEvidence>,
    /// A starting text for the case (markdown), with the check-in and the evidence written out.
    pub case_template: String,
    /// Their pending nomination, when there is one: a second is refused until it is decided.
    pub pending: Option<i64>,
}

/// Positions one may nominate someone holding `current` for: the higher levels of their track,
/// then every level of the other tracks.
fn choices(fw: &Framework, current: Option<(&str, &str)>) -> Vec<(String, Vec<Position>)> {
    let mut out = Vec::new();
    let own = current.and_then(|(t, _)| fw.track(t));
    if let (Some(track), Some((_, level))) = (own, current) {
        let from = track.rank_of(level).map_or(0, |r| r + 1);
        let higher: Vec<Position> = track.levels[from.min(track.levels.len())..]
            .iter()
            .map(|l| directory::position_names(Some(fw), track.key.as_str(), l.key.as_str()))
            .collect();
        if !higher.is_empty() {
            out.push((track.name.clone(), higher));
        }
    }
    for track in fw
        .tracks
        .iter()
        .filter(|t| own.is_none_or(|o| o.key != t.key))
    {
        out.push((
            track.name.clone(),
            track
                .levels
                .iter()
                .map(|l| directory::position_names(Some(fw), track.key.as_str(), l.key.as_str()))
                .collect(),
        ));
    }
    out
}

/// Everything the form to nominate a person shows. For their management chain only.
pub async fn draft(state: &AppState, actor: &Actor, person: i64) -> AppResult<NominationDraft> {
    policy::read_directory(actor)?;
    pilot::require_grow(state.db(), actor).await?;
    let (relation, who, current, _) = visible_person(state, actor, person).await?;
    policy::nominate(actor, relation)?;
    let published = framework::require_published(state, actor).await?;
    let fw = &published.framework;
    let current_ref = current.as_ref().map(|(t, l)| (t.as_str(), l.as_str()));
    let choices = choices(fw, current_ref);
    let prefill = prefill(state, fw, &who, current_ref).await?;
    let pending: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM nominations WHERE person_id = $1 AND status = 'pending'",
    )
    .bind(person)
    .fetch_optional(state.db().pool())
    .await?;
    Ok(NominationDraft {
        case_template: prefill.case_template,
        person: who,
        position: current_ref.map(|(t, l)| directory::position_names(Some(fw), t, l)),
        choices,
        suggested: prefill.suggested,
        checkin: prefill.checkin,
        evidence: prefill.evidence,
        pending,
    })
}

/// What the form to nominate someone fills in: the next level of their track, their latest
/// agreed check-in, their evidence for that track, and the case template written from them.
pub(super) struct Prefill {
    suggested: Option<Position>,
    checkin: Option<CheckinCase>,
    evidence: Vec<CompetencyEvidence>,
    pub(super) case_template: String,
}

pub(super) async fn prefill(
    state: &AppState,
    fw: &Framework,
    who: &PersonRef,
    current: Option<(&str, &str)>,
) -> AppResult<Prefill> {
    let suggested = current.and_then(|(t, l)| {
        let track = fw.track(t)?;
        let next = track.levels.get(track.rank_of(l)? + 1)?;
        Some(directory::position_names(Some(fw), t, next.key.as_str()))
    });
    let checkin = latest_agreed(state, fw, who.id).await?;
    let target_track = suggested
        .as_ref()
        .map(|p| p.track.as_str())
        .or_else(|| current.map(|(t, _)| t));
    let evidence = match target_track {
        Some(t) => track_evidence(state, fw, who.id, t).await?,
        None => Vec::new(),
    };
    Ok(Prefill {
        case_template: case_template(&who.name, suggested.as_ref(), checkin.as_ref(), &evidence),
        suggested,
        checkin,
        evidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fw() -> Framework {
        trellis_framework::yaml::read(crate::demo::FRAMEWORK_YAML).expect("the demo framework")
    }

    #[test]
    fn one_is_nominated_for_a_higher_level_or_another_track() {
        let fw = fw();
        let c = choices(&fw, Some(("software-engineering", "se1")));
        let (first_track, first) = &c[0];
        assert_eq!(first_track, "Software Engineering");
        let levels: Vec<&str> = first.iter().map(|p| p.level.as_str()).collect();
        assert_eq!(levels, ["se2", "principal"]);
        assert!(c.iter().skip(1).all(|(t, _)| t != "Software Engineering"));
        // At the top of a track: only the other tracks.
        let top = choices(&fw, Some(("software-engineering", "principal")));
        assert!(top.iter().all(|(t, _)| t != "Software Engineering"));
    }
}
