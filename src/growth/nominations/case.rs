//! The case for a nomination: the agreed check-in and the evidence it stands on, the template a
//! case starts from, and the rule that a case must say something.

use trellis_framework::Framework;

use crate::domain::{Rating, parse_ratings};
use crate::error::AppResult;
use crate::growth::evidence::{self, EvidenceItem};
use crate::people::directory::{self, Position};
use crate::state::AppState;

/// The words of a case once whitespace and markdown's line markers (headings, bullets, quotes,
/// numbers) are set aside, so that a re-indented or re-bulleted template line still reads as the
/// template.
fn case_line_words(line: &str) -> String {
    let words = line.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut rest = words.as_str();
    loop {
        let trimmed = rest
            .trim_start_matches(['#', '-', '*', '+', '>'])
            .trim_start();
        let digits = trimmed.trim_start_matches(|c: char| c.is_ascii_digit());
        let trimmed = if digits.len() < trimmed.len() && digits.starts_with(['.', ')']) {
            digits[1..].trim_start()
        } else {
            trimmed
        };
        if trimmed.len() == rest.len() {
            return trimmed.to_owned();
        }
        rest = trimmed;
    }
}

/// Why a case says nothing yet, or `None` when it says something. A case must carry words its
/// author wrote: not nothing, not the prefilled template (compared with its whitespace
/// normalised), and not only the template's headings, prompts and written-out check-in and
/// evidence with nothing written under them. Headings and empty bullets never count as words.
/// The one rule for the form and the API.
pub fn case_says_nothing(case: &str, template: &str, person: &str) -> Option<String> {
    let normalised = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    if normalised(case).is_empty() {
        return Some(format!(
            "write the case: what {person} does that the new position asks for"
        ));
    }
    if normalised(case) == normalised(template) {
        return Some(format!(
            "the case is still the template as it was filled in: under “Why now”, write what \
             {person} does that the new position asks for"
        ));
    }
    let prefilled: std::collections::HashSet<String> =
        template.lines().map(case_line_words).collect();
    let written = case.lines().any(|line| {
        let words = case_line_words(line);
        !words.is_empty() && !line.trim_start().starts_with('#') && !prefilled.contains(&words)
    });
    (!written).then(|| {
        format!(
            "the case has only the template's headings and prompts: write under them what \
             {person} does that the new position asks for"
        )
    })
}

/// One competency of the check-in pulled into a case, with its agreed rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedCompetency {
    pub key: String,
    pub name: String,
    /// `None` when the check-in has no agreed rating for it.
    pub rating: Option<Rating>,
}

/// The agreed check-in a case stands on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinCase {
    pub id: i64,
    /// The position the check-in rated against.
    pub target: Position,
    /// `YYYY-MM-DD`.
    pub agreed_on: Option<String>,
    /// In the order of the track's competencies.
    pub ratings: Vec<RatedCompetency>,
    /// Competencies rated meets or exceeds.
    pub meeting: usize,
    /// Competencies rated on the scale (not applicable left out).
    pub rated: usize,
}

/// Evidence for one competency of the nominated position's track.
#[derive(Debug, Clone)]
pub struct CompetencyEvidence {
    pub key: String,
    pub name: String,
    pub items: Vec<EvidenceItem>,
}

/// The latest agreed check-in of a person, as a case shows it.
pub(super) async fn latest_agreed(
    state: &AppState,
    fw: &Framework,
    person: i64,
) -> AppResult<Option<CheckinCase>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM checkins WHERE person_id = $1 AND status = 'agreed' \
         ORDER BY agreed_at DESC, id DESC LIMIT 1",
    )
    .bind(person)
    .fetch_optional(state.db().pool())
    .await?;
    match id {
        Some(id) => checkin_case(state, fw, id).await,
        None => Ok(None),
    }
}

/// A check-in as a case reads it: its position and agreed ratings (a JSON object).
#[derive(sqlx::FromRow)]
struct CheckinRow {
    track_key: String,
    level_key: String,
    agreed_on: Option<String>,
    agreed_ratings: String,
}

/// A check-in's agreed ratings, in the order of its track's competencies.
pub(super) async fn checkin_case(
    state: &AppState,
    fw: &Framework,
    id: i64,
) -> AppResult<Option<CheckinCase>> {
    let Some(row) = sqlx::query_as::<_, CheckinRow>(
        "SELECT track_key, level_key, agreed_on, agreed_ratings FROM checkins WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(state.db().pool())
    .await?
    else {
        return Ok(None);
    };
    let agreed = parse_ratings(&row.agreed_ratings);
    let mut keys: Vec<String> = fw
        .track(&row.track_key)
        .map(|t| t.competencies.iter().map(|k| k.to_string()).collect())
        .unwrap_or_default();
    for k in agreed.keys() {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    let ratings: Vec<RatedCompetency> = keys
        .into_iter()
        .map(|key| RatedCompetency {
            name: fw
                .competency(&key)
                .map_or_else(|| key.clone(), |c| c.name.clone()),
            rating: agreed.get(&key).map(|e| e.rating),
            key,
        })
        .collect();
    Ok(Some(CheckinCase {
        id,
        target: directory::position_names(Some(fw), &row.track_key, &row.level_key),
        agreed_on: row.agreed_on,
        meeting: ratings
            .iter()
            .filter(|r| r.rating.is_some_and(Rating::meets))
            .count(),
        rated: ratings
            .iter()
            .filter(|r| r.rating.is_some_and(|x| x.score().is_some()))
            .count(),
        ratings,
    }))
}

/// The person's evidence for each competency of a track that has some.
pub(super) async fn track_evidence(
    state: &AppState,
    fw: &Framework,
    person: i64,
    track: &str,
) -> AppResult<Vec<CompetencyEvidence>> {
    let keys: Vec<String> = fw
        .track(track)
        .map(|t| t.competencies.iter().map(|k| k.to_string()).collect())
        .unwrap_or_default();
    let mut by_key = evidence::for_competencies(state.db(), person, &keys).await?;
    Ok(keys
        .into_iter()
        .filter_map(|key| {
            let items = by_key.remove(&key)?;
            Some(CompetencyEvidence {
                name: fw
                    .competency(&key)
                    .map_or_else(|| key.clone(), |c| c.name.clone()),
                key,
                items,
            })
        })
        .collect())
}

/// A starting text for the case: a heading to write the reasons under, then the check-in's ratings
/// and the evidence, written out so the case reads whole wherever it is shown.
pub(super) fn case_template(
    person: &str,
    to: Option<&Position>,
    checkin: Option<&CheckinCase>,
    evidence: &[CompetencyEvidence],
) -> String {
    let mut text = String::from("## Why now\n\n");
    match to {
        Some(p) => text.push_str(&format!(
            "What {person} does today that {} asks for:\n\n- \n\n",
            p.level_title
        )),
        None => text.push_str("- \n\n"),
    }
    if let Some(c) = checkin {
        text.push_str(&format!(
            "## Latest agreed check-in{}\n\nAgainst {} ({}): {} of {} competencies meet or exceed.\n\n",
            c.agreed_on
                .as_deref()
                .map(|d| format!(", {d}"))
                .unwrap_or_default(),
            c.target.level_title,
            c.target.track_name,
            c.meeting,
            c.rated
        ));
        for r in &c.ratings {
            text.push_str(&format!(
                "- {}: {}\n",
                r.name,
                r.rating.map_or("not rated", Rating::label)
            ));
        }
        text.push('\n');
    }
    if !evidence.is_empty() {
        text.push_str("## Evidence\n\n");
        let mut seen = std::collections::HashSet::new();
        for group in evidence {
            for item in &group.items {
                if !seen.insert(item.id) {
                    continue;
                }
                match &item.url {
                    Some(url) => text.push_str(&format!("- [{}]({url})", item.title)),
                    None => text.push_str(&format!("- {}", item.title)),
                }
                if let Some(day) = &item.happened_on {
                    text.push_str(&format!(" ({day})"));
                }
                text.push('\n');
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fw() -> Framework {
        trellis_framework::yaml::read(crate::demo::FRAMEWORK_YAML).expect("the demo framework")
    }

    #[test]
    fn the_case_template_writes_out_the_check_in_and_the_evidence() {
        let fw = fw();
        let to = directory::position_names(Some(&fw), "software-engineering", "se2");
        let checkin = CheckinCase {
            id: 1,
            target: to.clone(),
            agreed_on: Some("2026-01-10".into()),
            ratings: vec![
                RatedCompetency {
                    key: "ownership".into(),
                    name: "Ownership".into(),
                    rating: Some(Rating::Meets),
                },
                RatedCompetency {
                    key: "mentoring".into(),
                    name: "Mentoring".into(),
                    rating: None,
                },
            ],
            meeting: 1,
            rated: 1,
        };
        let text = case_template("Ola", Some(&to), Some(&checkin), &[]);
        assert!(text.contains("What Ola does today that Software Engineer II asks for"));
        assert!(text.contains("## Latest agreed check-in, 2026-01-10"));
        assert!(text.contains("- Ownership: Meets\n- Mentoring: not rated"));
        assert!(!text.contains("## Evidence"));
    }
}
