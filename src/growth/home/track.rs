//! The person's track and level in the published framework, and what changes at the next level.

use trellis_framework::Framework;
use trellis_framework::delta::{RowStatus, level_delta};

use crate::people::directory::{self, Position};

/// One level of the person's track, for the ladder with their own level marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LadderStep {
    pub key: String,
    pub title: String,
    /// The person holds this level.
    pub current: bool,
}

/// What the person's level expects for one competency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub key: String,
    pub name: String,
    /// Markdown bullets.
    pub bullets: Vec<String>,
    pub not_applicable: bool,
}

/// The person's track and level in the published framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyTrack {
    pub track: String,
    pub track_name: String,
    pub level: String,
    pub level_title: String,
    /// Markdown.
    pub level_summary: Option<String>,
    /// Lowest first.
    pub ladder: Vec<LadderStep>,
    pub expectations: Vec<Expectation>,
}

/// One competency that changes at the next level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub key: String,
    pub name: String,
    /// `changed`, `only_in_to`, `only_in_from`, `not_applicable_in_from` or
    /// `not_applicable_in_to`, as the level delta says.
    pub status: String,
    /// Expectations new at the next level (markdown).
    pub added: Vec<String>,
    /// Expectations of the current level the next one no longer lists (markdown).
    pub removed: Vec<String>,
}

/// What the next level of the person's track asks that theirs does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextLevel {
    pub position: Position,
    /// Only the competencies that change.
    pub changes: Vec<Change>,
    /// Competencies whose expectations stay the same.
    pub unchanged: usize,
}

fn delta_status(status: RowStatus) -> &'static str {
    match status {
        RowStatus::Same => "same",
        RowStatus::Changed => "changed",
        RowStatus::OnlyInFrom => "only_in_from",
        RowStatus::OnlyInTo => "only_in_to",
        RowStatus::NotApplicableInFrom => "not_applicable_in_from",
        RowStatus::NotApplicableInTo => "not_applicable_in_to",
    }
}

/// The person's track, level and next level in the published framework.
pub(super) fn track_parts(
    fw: &Framework,
    track: &str,
    level: &str,
) -> Option<(MyTrack, Option<NextLevel>)> {
    let t = fw.track(track)?;
    let rank = t.rank_of(level)?;
    let here = &t.levels[rank];
    let expectations = t
        .competencies
        .iter()
        .map(|k| Expectation {
            key: k.to_string(),
            name: fw
                .competency(k.as_str())
                .map_or_else(|| k.to_string(), |c| c.name.clone()),
            bullets: here.expectations.get(k).cloned().unwrap_or_default(),
            not_applicable: here.is_not_applicable(k),
        })
        .collect();
    let mine = MyTrack {
        track: t.key.to_string(),
        track_name: t.name.clone(),
        level: here.key.to_string(),
        level_title: here.title.clone(),
        level_summary: here.summary.clone(),
        ladder: t
            .levels
            .iter()
            .map(|l| LadderStep {
                key: l.key.to_string(),
                title: l.title.clone(),
                current: l.key == here.key,
            })
            .collect(),
        expectations,
    };
    let next = t.levels.get(rank + 1).and_then(|n| {
        let delta = level_delta(fw, (track, level), (track, n.key.as_str())).ok()?;
        let changes: Vec<Change> = delta
            .changed_rows()
            .into_iter()
            .map(|r| Change {
                key: r.competency.to_string(),
                name: r.name.clone(),
                status: delta_status(r.status).to_owned(),
                added: r.bullets.added.clone(),
                removed: r.bullets.removed.clone(),
            })
            .collect();
        Some(NextLevel {
            position: directory::position_names(Some(fw), track, n.key.as_str()),
            unchanged: delta.rows.len() - changes.len(),
            changes,
        })
    });
    Some((mine, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fw() -> Framework {
        trellis_framework::yaml::read(crate::demo::FRAMEWORK_YAML).expect("the demo framework")
    }

    #[test]
    fn the_track_parts_mark_the_level_and_list_what_changes_next() {
        let fw = fw();
        let (mine, next) = track_parts(&fw, "software-engineering", "se1").expect("a position");
        assert_eq!(mine.level_title, "Software Engineer I");
        let current: Vec<&str> = mine
            .ladder
            .iter()
            .filter(|s| s.current)
            .map(|s| s.key.as_str())
            .collect();
        assert_eq!(current, ["se1"]);
        let mentoring = mine
            .expectations
            .iter()
            .find(|e| e.key == "mentoring")
            .expect("mentoring");
        assert!(mentoring.not_applicable && mentoring.bullets.is_empty());
        let next = next.expect("a next level");
        assert_eq!(next.position.level_title, "Software Engineer II");
        assert!(!next.changes.is_empty());
        assert!(next.changes.iter().all(|c| c.status != "same"));
        let mentoring = next
            .changes
            .iter()
            .find(|c| c.key == "mentoring")
            .expect("mentoring changes");
        assert_eq!(mentoring.status, "not_applicable_in_from");
        assert!(!mentoring.added.is_empty());
    }

    #[test]
    fn the_top_of_a_track_has_no_next_level() {
        let fw = fw();
        let (_, next) = track_parts(&fw, "software-engineering", "principal").expect("a position");
        assert!(next.is_none());
        assert!(track_parts(&fw, "software-engineering", "nowhere").is_none());
    }
}
