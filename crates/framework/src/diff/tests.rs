use super::*;
use serde_json::json;

fn fw(value: serde_json::Value) -> Framework {
    serde_json::from_value(value).expect("test framework")
}

fn old() -> Framework {
    fw(json!({
        "name": "Acme",
        "categories": [{"key": "impact", "name": "Impact"}],
        "competencies": [
            {"key": "ownership", "name": "Ownership", "category": "impact"},
            {"key": "reliability", "name": "Reliability"},
            {"key": "autonomy", "name": "Autonomy"}
        ],
        "grades": [{"key": "g1", "name": "Grade 1"}, {"key": "g2", "name": "Grade 2"}],
        "tracks": [
            {
                "key": "backend", "name": "Backend", "kind": "individual-contributor",
                "competencies": ["ownership", "reliability"],
                "levels": [
                    {"key": "se1", "title": "Software Engineer I", "grade": "g1",
                     "expectations": {
                         "ownership": ["You finish what you start.", "You set timelines."],
                         "reliability": ["You write tests."]
                     }},
                    {"key": "se2", "title": "Software Engineer II", "grade": "g2",
                     "expectations": {"ownership": ["You own project goals."]},
                     "not_applicable": ["reliability"]},
                    {"key": "se3", "title": "Senior Engineer"}
                ]
            },
            {"key": "frontend", "name": "Frontend", "kind": "individual-contributor"},
            {"key": "sales", "name": "Sales", "kind": "individual-contributor"}
        ]
    }))
}

fn section<'a>(d: &'a Diff, title: &str) -> &'a Section {
    d.sections
        .iter()
        .find(|s| s.title == title)
        .unwrap_or_else(|| panic!("no section {title:?} in {d:#?}"))
}

fn only_change(d: &Diff) -> &Change {
    let changes: Vec<&Change> = d.sections.iter().flat_map(|s| &s.changes).collect();
    assert_eq!(changes.len(), 1, "{d:#?}");
    changes[0]
}

#[test]
fn equal_frameworks_have_an_empty_diff() {
    let d = diff(&old(), &old());
    assert!(d.is_empty());
    assert_eq!(d.counts().total(), 0);
    assert_eq!(d.counts().to_string(), "no changes");
}

#[test]
fn a_new_competency_is_added_and_a_dropped_grade_removed() {
    let mut new = old();
    new.competencies
        .push(fw_competency("mentoring", "Mentoring"));
    new.grades.remove(0);
    let d = diff(&old(), &new);
    let added = &section(&d, "Competencies").changes[0];
    assert_eq!(added.kind, ChangeKind::Added);
    assert_eq!(added.subject, "Competency `mentoring` (Mentoring)");
    let removed = &section(&d, "Grades").changes[0];
    assert_eq!(removed.kind, ChangeKind::Removed);
    assert_eq!(removed.subject, "Grade `g1` (Grade 1)");
    assert_eq!(d.counts().to_string(), "1 added, 1 removed");
}

#[test]
fn a_renamed_level_is_a_change_with_before_and_after() {
    let mut new = old();
    new.tracks[0].levels[2].title = "Senior Software Engineer".into();
    let d = diff(&old(), &new);
    let c = only_change(&d);
    assert_eq!(c.kind, ChangeKind::Changed);
    assert_eq!(c.subject, "Level `se3` (Senior Software Engineer)");
    assert_eq!(c.field.as_deref(), Some("title"));
    assert_eq!(c.before.as_deref(), Some("Senior Engineer"));
    assert_eq!(c.after.as_deref(), Some("Senior Software Engineer"));
    assert_eq!(d.sections[0].kind, SectionKind::Track);
    assert_eq!(
        d.sections[0].track.as_ref().map(Key::as_str),
        Some("backend")
    );
    assert_eq!(d.sections[0].title, "Track `backend` (Backend)");
}

#[test]
fn a_cell_change_lists_the_bullets_added_and_removed() {
    let mut new = old();
    let se1 = new.tracks[0].level_mut("se1").expect("se1");
    se1.expectations.insert(
        key("ownership"),
        vec![
            "You finish what you start.".into(),
            "You break work into milestones.".into(),
        ],
    );
    let d = diff(&old(), &new);
    let c = only_change(&d);
    assert_eq!(c.kind, ChangeKind::Changed);
    assert_eq!(c.subject, "Ownership at Software Engineer I");
    assert_eq!(c.field.as_deref(), Some("expectations"));
    assert_eq!(
        c.bullets,
        Some(BulletDiff {
            added: vec!["You break work into milestones.".into()],
            removed: vec!["You set timelines.".into()],
            kept: vec!["You finish what you start.".into()],
        })
    );
}

#[test]
fn a_cell_filled_in_is_added_and_a_cell_emptied_is_removed() {
    let mut new = old();
    let se3 = new.tracks[0].level_mut("se3").expect("se3");
    se3.expectations
        .insert(key("ownership"), vec!["You lead.".into()]);
    new.tracks[0].levels[0]
        .expectations
        .remove(&key("reliability"));
    let d = diff(&old(), &new);
    let changes = &section(&d, "Track `backend` (Backend)").changes;
    assert_eq!(changes.len(), 2, "{changes:#?}");
    assert_eq!(changes[0].kind, ChangeKind::Removed);
    assert_eq!(changes[0].subject, "Reliability at Software Engineer I");
    assert_eq!(changes[1].kind, ChangeKind::Added);
    assert_eq!(changes[1].subject, "Ownership at Senior Engineer");
    assert_eq!(
        changes[1].bullets.as_ref().map(|b| b.added.clone()),
        Some(vec!["You lead.".to_string()])
    );
}

#[test]
fn marking_a_cell_not_applicable_is_reported() {
    let mut new = old();
    let se1 = new.tracks[0].level_mut("se1").expect("se1");
    se1.expectations.remove(&key("reliability"));
    se1.not_applicable.push(key("reliability"));
    let d = diff(&old(), &new);
    let changes = &d.sections[0].changes;
    assert_eq!(changes[0].field.as_deref(), Some("not applicable"));
    assert_eq!(changes[0].before.as_deref(), Some("no"));
    assert_eq!(changes[0].after.as_deref(), Some("yes"));
    assert_eq!(changes[1].kind, ChangeKind::Removed);
}

#[test]
fn moving_one_track_reports_only_that_track_as_moved() {
    let mut new = old();
    let sales = new.tracks.remove(2);
    new.tracks.insert(0, sales);
    let d = diff(&old(), &new);
    let c = only_change(&d);
    assert_eq!(c.kind, ChangeKind::Moved);
    assert_eq!(c.subject, "Track `sales` (Sales)");
    assert_eq!(
        (c.before.as_deref(), c.after.as_deref()),
        (Some("3"), Some("1"))
    );
    assert_eq!(d.counts().to_string(), "1 moved");
}

#[test]
fn reversing_a_list_never_reports_a_move_to_the_same_position() {
    let mut new = old();
    new.tracks.reverse();
    let d = diff(&old(), &new);
    let moves: Vec<(Option<&str>, Option<&str>)> = d
        .sections
        .iter()
        .flat_map(|s| &s.changes)
        .filter(|c| c.kind == ChangeKind::Moved)
        .map(|c| (c.before.as_deref(), c.after.as_deref()))
        .collect();
    assert_eq!(
        moves,
        [(Some("3"), Some("1"))],
        "frontend stays second: {d:#?}"
    );
    let mut new = old();
    new.competencies.reverse();
    let d = diff(&old(), &new);
    let c = only_change(&d);
    assert_eq!(c.subject, "Competency `autonomy` (Autonomy)");
    assert_eq!(
        (c.before.as_deref(), c.after.as_deref()),
        (Some("3"), Some("1"))
    );
}

#[test]
fn adding_a_level_at_the_bottom_does_not_move_the_others() {
    let mut new = old();
    let mut se0 = new.tracks[0].levels[2].clone();
    se0.key = key("se0");
    se0.title = "Intern".into();
    new.tracks[0].levels.insert(0, se0);
    let d = diff(&old(), &new);
    let c = only_change(&d);
    assert_eq!(c.kind, ChangeKind::Added);
    assert_eq!(c.subject, "Level `se0` (Intern)");
}

#[test]
fn swapping_rows_and_reordering_bullets_are_moves() {
    let mut new = old();
    new.tracks[0].competencies.reverse();
    new.tracks[0].levels[0]
        .expectations
        .get_mut(&key("ownership"))
        .expect("cell")
        .reverse();
    let d = diff(&old(), &new);
    let kinds: Vec<(ChangeKind, &str)> = d.sections[0]
        .changes
        .iter()
        .map(|c| (c.kind, c.subject.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::Moved, "Competency `reliability` (Reliability)"),
            (ChangeKind::Moved, "Ownership at Software Engineer I"),
        ]
    );
}

#[test]
fn added_and_removed_tracks_get_their_own_sections() {
    let mut new = old();
    new.tracks.retain(|t| t.key.as_str() != "frontend");
    new.tracks.push(fw_track("data", "Data"));
    let d = diff(&old(), &new);
    let titles: Vec<&str> = d.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Track `data` (Data)", "Track `frontend` (Frontend)"]
    );
    assert_eq!(d.sections[0].changes[0].kind, ChangeKind::Added);
    assert_eq!(d.sections[1].changes[0].kind, ChangeKind::Removed);
}

#[test]
fn sections_come_in_reading_order() {
    let mut new = old();
    new.name = "Acme Ltd".into();
    new.tracks[1].family = Some("Engineering".into());
    new.categories[0].description = Some("What you achieve".into());
    new.competencies[0].category = None;
    new.grades[1].name = "Grade two".into();
    let d = diff(&old(), &new);
    let kinds: Vec<SectionKind> = d.sections.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            SectionKind::Framework,
            SectionKind::Categories,
            SectionKind::Competencies,
            SectionKind::Grades,
            SectionKind::Track,
        ]
    );
    assert_eq!(d.counts().changed, 5);
    let category = &section(&d, "Competencies").changes[0];
    assert_eq!(category.before.as_deref(), Some("impact"));
    assert_eq!(category.after, None);
}

#[test]
fn the_diff_serialises_for_the_api() {
    let mut new = old();
    new.grades[0].name = "G1".into();
    let value = serde_json::to_value(diff(&old(), &new)).expect("json");
    assert_eq!(
        value,
        json!({"sections": [{
            "kind": "grades",
            "title": "Grades",
            "changes": [{
                "kind": "changed", "subject": "Grade `g1` (G1)", "field": "name",
                "before": "Grade 1", "after": "G1", "bullets": null
            }]
        }]})
    );
}

#[test]
fn normalised_bullets_ignore_case_and_spacing() {
    let old = vec!["You  write Tests.".to_string(), "You deploy.".to_string()];
    let new = vec!["you write tests.".to_string(), "You review.".to_string()];
    let d = BulletDiff::between_normalised(&old, &new);
    assert_eq!(d.kept, ["you write tests."]);
    assert_eq!(d.added, ["You review."]);
    assert_eq!(d.removed, ["You deploy."]);
    assert_eq!(BulletDiff::between(&old, &new).kept, Vec::<String>::new());
}

#[test]
fn the_longest_run_in_order_stays_put() {
    let stays = longest_increasing(&[3, 0, 1, 2]);
    assert_eq!(stays, HashSet::from([1, 2, 3]));
    assert!(longest_increasing(&[]).is_empty());
}

fn key(s: &str) -> Key {
    Key::parse(s).expect("test key")
}

fn fw_competency(k: &str, name: &str) -> Competency {
    Competency {
        key: key(k),
        name: name.into(),
        category: None,
        description: None,
    }
}

fn fw_track(k: &str, name: &str) -> Track {
    Track {
        key: key(k),
        name: name.into(),
        family: None,
        kind: crate::model::TrackKind::IndividualContributor,
        description: None,
        competencies: Vec::new(),
        levels: Vec::new(),
    }
}
