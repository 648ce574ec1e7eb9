use super::*;
use crate::model::Grade;
use serde_json::json;

fn fw(value: serde_json::Value) -> Framework {
    serde_json::from_value(value).expect("test framework")
}

fn keys<T>(items: &[T], key: impl Fn(&T) -> &Key) -> Vec<&str> {
    items.iter().map(|t| key(t).as_str()).collect()
}

fn base() -> Framework {
    fw(json!({
        "name": "Draft",
        "description": "Old description",
        "categories": [
            {"key": "impact", "name": "Impact"},
            {"key": "craft", "name": "Craft"}
        ],
        "competencies": [
            {"key": "ownership", "name": "Ownership", "category": "impact"},
            {"key": "reliability", "name": "Reliability", "category": "craft"},
            {"key": "autonomy", "name": "Autonomy"}
        ],
        "grades": [{"key": "g1", "name": "Grade 1"}],
        "tracks": [
            {
                "key": "backend", "name": "Backend", "kind": "individual-contributor",
                "competencies": ["ownership", "reliability", "autonomy"],
                "levels": [
                    {
                        "key": "se1", "title": "Software Engineer I",
                        "expectations": {
                            "ownership": ["You finish what you start."],
                            "reliability": ["You write tests."]
                        },
                        "examples": {"ownership": ["Shipped the login page."]},
                        "not_applicable": ["autonomy"]
                    },
                    {"key": "se4", "title": "Staff Engineer"}
                ]
            },
            {"key": "sales", "name": "Sales", "kind": "individual-contributor"}
        ]
    }))
}

fn file() -> Framework {
    fw(json!({
        "name": "Acme",
        "competencies": [
            {"key": "ownership", "name": "Ownership!", "category": "impact"}
        ],
        "tracks": [
            {
                "key": "backend", "name": "Backend Engineering", "kind": "individual-contributor",
                "competencies": ["ownership"],
                "levels": [
                    {"key": "se2", "title": "Software Engineer II",
                     "expectations": {"ownership": ["You own project goals."]}},
                    {"key": "se1", "title": "Engineer I",
                     "expectations": {"ownership": ["You finish tasks well."]}}
                ]
            }
        ]
    }))
}

fn ids(diffs: &[Difference]) -> Vec<&str> {
    diffs.iter().map(|d| d.id.as_str()).collect()
}

#[test]
fn the_draft_keeps_what_it_has_and_gains_what_is_new() {
    let merged = merge(&base(), &file(), false, &Take::nothing());
    assert_eq!(merged.name, "Draft");
    assert_eq!(merged.description.as_deref(), Some("Old description"));
    assert_eq!(
        keys(&merged.competencies, |c| &c.key),
        ["ownership", "reliability", "autonomy"]
    );
    assert_eq!(merged.competencies[0], base().competencies[0]);
    assert_eq!(keys(&merged.categories, |c| &c.key), ["impact", "craft"]);
    assert_eq!(keys(&merged.tracks, |t| &t.key), ["backend", "sales"]);
    let backend = &merged.tracks[0];
    assert_eq!(backend.name, "Backend");
    assert_eq!(
        keys(&backend.competencies, |k| k),
        ["ownership", "reliability", "autonomy"]
    );
    assert_eq!(keys(&backend.levels, |l| &l.key), ["se2", "se1", "se4"]);
    assert_eq!(
        backend.level("se1"),
        base().tracks[0].level("se1"),
        "the level both have stays the draft's, cells included"
    );
    assert_eq!(backend.level("se2"), file().tracks[0].level("se2"));
}

#[test]
fn every_item_that_differs_is_listed_with_both_versions() {
    let diffs = differences(&base(), &file(), &Take::nothing());
    assert_eq!(
        ids(&diffs),
        [
            "framework",
            "competency:ownership",
            "track:backend",
            "level:backend:se1",
            "cell:backend:se1:ownership",
        ]
    );
    assert!(diffs.iter().all(|d| !d.taken));
    let ownership = &diffs[1];
    assert_eq!(ownership.subject, "Competency Ownership");
    assert_eq!(
        ownership.fields,
        [FieldDifference {
            field: "Name".into(),
            draft: "Ownership".into(),
            file: "Ownership!".into(),
        }]
    );
    let cell = &diffs[4];
    assert_eq!(cell.subject, "Ownership at Software Engineer I in Backend");
    let fields: Vec<_> = cell.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["Expectations", "Examples"]);
    assert_eq!(cell.fields[0].draft, "You finish what you start.");
    assert_eq!(cell.fields[0].file, "You finish tasks well.");
}

#[test]
fn only_the_items_chosen_take_the_files_version() {
    let take = Take::only(["competency:ownership", "cell:backend:se1:ownership"]);
    let merged = merge(&base(), &file(), false, &take);
    assert_eq!(merged.competencies[0].name, "Ownership!");
    assert_eq!(merged.name, "Draft");
    let backend = &merged.tracks[0];
    assert_eq!(backend.name, "Backend", "the track was not chosen");
    let se1 = backend.level("se1").expect("se1");
    assert_eq!(se1.title, "Software Engineer I", "the level was not chosen");
    assert_eq!(
        se1.expectations[&key("ownership")],
        ["You finish tasks well."]
    );
    assert!(
        !se1.examples.contains_key(&key("ownership")),
        "a cell is taken whole: the file's has no examples"
    );
    assert_eq!(se1.expectations[&key("reliability")], ["You write tests."]);
    assert_eq!(se1.not_applicable, [key("autonomy")]);
    let diffs = differences(&base(), &file(), &take);
    let taken: Vec<_> = diffs.iter().filter(|d| d.taken).map(|d| &d.id).collect();
    assert_eq!(
        taken,
        ["competency:ownership", "cell:backend:se1:ownership"]
    );
    assert!(
        differences(&merged, &file(), &Take::nothing())
            .iter()
            .all(|d| !take.takes(&d.id)),
        "what was taken no longer differs"
    );
}

#[test]
fn new_items_go_next_to_their_neighbours_and_existing_ones_never_move() {
    let mut draft = base();
    draft.grades = ["g1", "g2", "g6"]
        .map(|k| Grade {
            key: key(k),
            name: format!("Grade {}", &k[1..]),
        })
        .to_vec();
    let mut incoming = file();
    incoming.grades = ["g6", "g1", "g2", "g3", "g4", "g5"]
        .map(|k| Grade {
            key: key(k),
            name: format!("Grade {}", &k[1..]),
        })
        .to_vec();
    let merged = merge(&draft, &incoming, false, &Take::nothing());
    assert_eq!(
        keys(&merged.grades, |g| &g.key),
        ["g1", "g2", "g3", "g4", "g5", "g6"]
    );
    let diffs = differences(&draft, &incoming, &Take::nothing());
    let order = diffs
        .iter()
        .find(|d| d.id == "order:grades")
        .expect("the order differs");
    assert_eq!(order.fields[0].draft, "Grade 1, Grade 2, Grade 6");
    assert_eq!(order.fields[0].file, "Grade 6, Grade 1, Grade 2");
    let reordered = merge(&draft, &incoming, false, &Take::only(["order:grades"]));
    assert_eq!(
        keys(&reordered.grades, |g| &g.key),
        ["g6", "g1", "g2", "g3", "g4", "g5"]
    );
}

#[test]
fn a_new_cell_is_added_to_a_level_both_have() {
    let mut incoming = file();
    let se1 = incoming.tracks[0].level_mut("se1").expect("se1");
    se1.expectations.clear();
    se1.expectations
        .insert(key("leadership"), vec!["You lead.".into()]);
    let merged = merge(&base(), &incoming, false, &Take::nothing());
    let se1 = merged.tracks[0].level("se1").expect("se1");
    assert_eq!(se1.expectations[&key("leadership")], ["You lead."]);
    assert_eq!(
        se1.expectations[&key("ownership")],
        ["You finish what you start."]
    );
}

#[test]
fn pruning_removes_what_the_file_does_not_have_and_keeps_the_drafts_versions() {
    let merged = merge(&base(), &file(), true, &Take::nothing());
    assert!(merged.categories.is_empty());
    assert!(merged.grades.is_empty());
    assert_eq!(keys(&merged.competencies, |c| &c.key), ["ownership"]);
    assert_eq!(merged.competencies[0].name, "Ownership");
    assert_eq!(keys(&merged.tracks, |t| &t.key), ["backend"]);
    let backend = &merged.tracks[0];
    assert_eq!(keys(&backend.competencies, |k| k), ["ownership"]);
    assert_eq!(keys(&backend.levels, |l| &l.key), ["se2", "se1"]);
    let se1 = backend.level("se1").expect("se1");
    assert_eq!(se1.title, "Software Engineer I");
    assert_eq!(
        se1.expectations.keys().collect::<Vec<_>>(),
        [&key("ownership")]
    );
}

#[test]
fn pruning_and_taking_everything_gives_the_file_itself() {
    assert_eq!(merge(&base(), &file(), true, &Take::all()), file());
}

#[test]
fn importing_the_same_file_twice_changes_nothing() {
    for prune in [false, true] {
        for take in [Take::nothing(), Take::all(), Take::only(["track:backend"])] {
            let once = merge(&base(), &file(), prune, &take);
            assert_eq!(
                merge(&once, &file(), prune, &take),
                once,
                "prune = {prune}, take = {take:?}"
            );
        }
    }
}

#[test]
fn importing_into_an_empty_draft_gives_the_file() {
    assert_eq!(
        merge(&Framework::default(), &file(), false, &Take::nothing()),
        file()
    );
    assert!(differences(&Framework::default(), &file(), &Take::nothing()).is_empty());
}

#[test]
fn what_is_kept_is_listed_without_repeating_the_contents_of_kept_tracks() {
    assert_eq!(
        kept_only_in_base(&base(), &file()),
        [
            "category `impact` (Impact)",
            "category `craft` (Craft)",
            "competency `reliability` (Reliability)",
            "competency `autonomy` (Autonomy)",
            "grade `g1` (Grade 1)",
            "competency `reliability` in track `backend`",
            "competency `autonomy` in track `backend`",
            "the `autonomy` cell of level `se1` of track `backend`",
            "the `reliability` cell of level `se1` of track `backend`",
            "level `se4` of track `backend`",
            "track `sales` (Sales)",
        ]
    );
}

#[test]
fn nothing_is_kept_when_the_file_has_everything() {
    assert!(kept_only_in_base(&file(), &file()).is_empty());
    assert!(kept_only_in_base(&Framework::default(), &file()).is_empty());
}

fn key(s: &str) -> Key {
    Key::parse(s).expect("test key")
}

#[test]
fn lint_rules_switched_off_are_merged_like_keys() {
    let mut draft = base();
    draft.lint.disable = vec![key("filler")];
    let mut incoming = file();
    incoming.lint.disable = vec![key("long-sentence")];
    let kept = merge(&draft, &incoming, false, &Take::nothing());
    assert_eq!(kept.lint.disable, [key("filler"), key("long-sentence")]);
    let pruned = merge(&draft, &incoming, true, &Take::nothing());
    assert_eq!(pruned.lint.disable, [key("long-sentence")]);
}
