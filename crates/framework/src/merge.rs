//! Importing a framework file into a draft: an upsert by key at every level (library, grades, tracks,
//! levels, rows and cells), keeping or pruning what the file does not have.
//!
//! Keys are the stable identifiers of the format, so the file wins for every key it names and the draft
//! keeps everything else unless the import asks to prune. Merging is idempotent: importing the same file
//! twice gives the same draft as importing it once.

use std::collections::{HashMap, HashSet};

use crate::model::{Framework, Key, Level, LintSettings, Track};

/// The draft after importing `incoming` into `base`.
///
/// Items of `incoming` come first, in the file's order, each replacing the item of `base` with the same
/// key; items only `base` has follow in `base`'s order when `prune` is false and are dropped when it is
/// true. The framework's name and description come from the file; the lint rules it switches off are
/// merged like keys (a rule switched off in the draft stays off unless `prune`). A track present in
/// both takes its fields from the file and merges its levels and rows the same way; a level present in
/// both takes its fields from the file and merges its cells. A cell (the expectations, examples and
/// not-applicable mark of one competency) is replaced as a whole: a file that gives `ownership`
/// bullets but no examples means `ownership` has no examples.
pub fn merge(base: &Framework, incoming: &Framework, prune: bool) -> Framework {
    Framework {
        name: incoming.name.clone(),
        description: incoming.description.clone(),
        lint: LintSettings {
            disable: upsert(
                &base.lint.disable,
                &incoming.lint.disable,
                prune,
                |k| k,
                |_, i| i.clone(),
            ),
        },
        categories: upsert(
            &base.categories,
            &incoming.categories,
            prune,
            |c| &c.key,
            |_, i| i.clone(),
        ),
        competencies: upsert(
            &base.competencies,
            &incoming.competencies,
            prune,
            |c| &c.key,
            |_, i| i.clone(),
        ),
        grades: upsert(
            &base.grades,
            &incoming.grades,
            prune,
            |g| &g.key,
            |_, i| i.clone(),
        ),
        tracks: upsert(
            &base.tracks,
            &incoming.tracks,
            prune,
            |t| &t.key,
            |b, i| merge_track(b, i, prune),
        ),
    }
}

/// What an import without `--prune` keeps because the file does not have it, one human line per item
/// (``track `sales` (Sales)``, ``level `se4` of track `backend` ``), in document order. Items inside
/// something that is kept as a whole are not listed again: a kept track's levels are not named.
pub fn kept_only_in_base(base: &Framework, incoming: &Framework) -> Vec<String> {
    let mut out = Vec::new();
    for c in only_in_first(&base.categories, &incoming.categories, |c| &c.key) {
        out.push(format!("category `{}` ({})", c.key, c.name));
    }
    for c in only_in_first(&base.competencies, &incoming.competencies, |c| &c.key) {
        out.push(format!("competency `{}` ({})", c.key, c.name));
    }
    for g in only_in_first(&base.grades, &incoming.grades, |g| &g.key) {
        out.push(format!("grade `{}` ({})", g.key, g.name));
    }
    let incoming_tracks = index_by(&incoming.tracks, |t| &t.key);
    for b in &base.tracks {
        let Some(i) = incoming_tracks.get(&b.key) else {
            out.push(format!("track `{}` ({})", b.key, b.name));
            continue;
        };
        for row in only_in_first(&b.competencies, &i.competencies, |k| k) {
            out.push(format!("competency `{row}` in track `{}`", b.key));
        }
        let incoming_levels = index_by(&i.levels, |l| &l.key);
        for bl in &b.levels {
            let Some(il) = incoming_levels.get(&bl.key) else {
                out.push(format!("level `{}` of track `{}`", bl.key, b.key));
                continue;
            };
            let covered = cell_keys(il);
            let mut kept: Vec<&Key> = cell_keys(bl).difference(&covered).copied().collect();
            kept.sort();
            for key in kept {
                out.push(format!(
                    "the `{key}` cell of level `{}` of track `{}`",
                    bl.key, b.key
                ));
            }
        }
    }
    out
}

fn merge_track(base: &Track, incoming: &Track, prune: bool) -> Track {
    Track {
        competencies: upsert(
            &base.competencies,
            &incoming.competencies,
            prune,
            |k| k,
            |_, i| i.clone(),
        ),
        levels: upsert(
            &base.levels,
            &incoming.levels,
            prune,
            |l| &l.key,
            |b, i| merge_level(b, i, prune),
        ),
        ..incoming.clone()
    }
}

fn merge_level(base: &Level, incoming: &Level, prune: bool) -> Level {
    let mut out = incoming.clone();
    if prune {
        return out;
    }
    let covered = cell_keys(incoming);
    for (key, bullets) in &base.expectations {
        if !covered.contains(key) {
            out.expectations.insert(key.clone(), bullets.clone());
        }
    }
    for (key, examples) in &base.examples {
        if !covered.contains(key) {
            out.examples.insert(key.clone(), examples.clone());
        }
    }
    out.not_applicable.extend(
        base.not_applicable
            .iter()
            .filter(|k| !covered.contains(*k))
            .cloned(),
    );
    out
}

/// The competencies a level says something about: it has expectations or examples for them, or marks
/// them not applicable.
fn cell_keys(level: &Level) -> HashSet<&Key> {
    level
        .expectations
        .keys()
        .chain(level.examples.keys())
        .chain(&level.not_applicable)
        .collect()
}

/// `incoming`'s items (each combined with `base`'s item of the same key, if any), then, unless
/// pruning, the items only `base` has.
fn upsert<T: Clone>(
    base: &[T],
    incoming: &[T],
    prune: bool,
    key: impl Fn(&T) -> &Key,
    combine: impl Fn(&T, &T) -> T,
) -> Vec<T> {
    let base_by_key = index_by(base, &key);
    let mut out: Vec<T> = incoming
        .iter()
        .map(|i| match base_by_key.get(key(i)) {
            Some(b) => combine(b, i),
            None => i.clone(),
        })
        .collect();
    if !prune {
        out.extend(only_in_first(base, incoming, &key).into_iter().cloned());
    }
    out
}

/// The items of `first` whose key `second` does not have, in `first`'s order.
fn only_in_first<'a, T>(first: &'a [T], second: &[T], key: impl Fn(&T) -> &Key) -> Vec<&'a T> {
    let in_second: HashSet<&Key> = second.iter().map(&key).collect();
    first
        .iter()
        .filter(|t| !in_second.contains(key(t)))
        .collect()
}

/// The first item for each key.
fn index_by<T>(items: &[T], key: impl Fn(&T) -> &Key) -> HashMap<&Key, &T> {
    let mut out = HashMap::with_capacity(items.len());
    for item in items {
        out.entry(key(item)).or_insert(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn the_file_replaces_items_with_the_same_key_and_keeps_the_rest_after_them() {
        let merged = merge(&base(), &file(), false);
        assert_eq!(merged.name, "Acme");
        assert_eq!(merged.description, None);
        assert_eq!(
            keys(&merged.competencies, |c| &c.key),
            ["ownership", "reliability", "autonomy"]
        );
        assert_eq!(merged.competencies[0].name, "Ownership!");
        assert_eq!(keys(&merged.categories, |c| &c.key), ["impact", "craft"]);
        assert_eq!(keys(&merged.tracks, |t| &t.key), ["backend", "sales"]);
        let backend = &merged.tracks[0];
        assert_eq!(backend.name, "Backend Engineering");
        assert_eq!(
            keys(&backend.competencies, |k| k),
            ["ownership", "reliability", "autonomy"]
        );
        assert_eq!(keys(&backend.levels, |l| &l.key), ["se2", "se1", "se4"]);
    }

    #[test]
    fn cells_of_a_level_in_both_are_replaced_one_competency_at_a_time() {
        let merged = merge(&base(), &file(), false);
        let se1 = merged.tracks[0].level("se1").expect("se1");
        assert_eq!(se1.title, "Engineer I");
        assert_eq!(
            se1.expectations[&key("ownership")],
            ["You finish tasks well."]
        );
        assert!(
            !se1.examples.contains_key(&key("ownership")),
            "the file's ownership cell has no examples, so none are kept"
        );
        assert_eq!(se1.expectations[&key("reliability")], ["You write tests."]);
        assert_eq!(se1.not_applicable, [key("autonomy")]);
    }

    #[test]
    fn a_cell_the_file_marks_not_applicable_loses_the_drafts_bullets() {
        let mut incoming = file();
        let se1 = incoming.tracks[0].level_mut("se1").expect("se1");
        se1.expectations.clear();
        se1.not_applicable.push(key("reliability"));
        let merged = merge(&base(), &incoming, false);
        let se1 = merged.tracks[0].level("se1").expect("se1");
        assert!(!se1.expectations.contains_key(&key("reliability")));
        assert_eq!(se1.not_applicable, [key("reliability"), key("autonomy")]);
        assert_eq!(
            se1.expectations[&key("ownership")],
            ["You finish what you start."]
        );
    }

    #[test]
    fn pruning_removes_everything_the_file_does_not_have() {
        let merged = merge(&base(), &file(), true);
        assert!(merged.categories.is_empty());
        assert!(merged.grades.is_empty());
        assert_eq!(keys(&merged.competencies, |c| &c.key), ["ownership"]);
        assert_eq!(keys(&merged.tracks, |t| &t.key), ["backend"]);
        let backend = &merged.tracks[0];
        assert_eq!(keys(&backend.competencies, |k| k), ["ownership"]);
        assert_eq!(keys(&backend.levels, |l| &l.key), ["se2", "se1"]);
        assert_eq!(backend.levels[1], file().tracks[0].levels[1]);
    }

    #[test]
    fn pruning_gives_the_file_itself() {
        assert_eq!(merge(&base(), &file(), true), file());
    }

    #[test]
    fn importing_the_same_file_twice_changes_nothing() {
        for prune in [false, true] {
            let once = merge(&base(), &file(), prune);
            assert_eq!(merge(&once, &file(), prune), once, "prune = {prune}");
        }
    }

    #[test]
    fn importing_into_an_empty_draft_gives_the_file() {
        assert_eq!(merge(&Framework::default(), &file(), false), file());
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
        let kept = merge(&draft, &incoming, false);
        assert_eq!(kept.lint.disable, [key("long-sentence"), key("filler")]);
        let pruned = merge(&draft, &incoming, true);
        assert_eq!(pruned.lint.disable, [key("long-sentence")]);
    }
}
