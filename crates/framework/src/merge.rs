//! Importing a framework file into a draft, matched by key at every level (library, grades, tracks,
//! levels, rows and cells).
//!
//! A merge adds what is new and keeps what the draft already has: its names, descriptions, cells and
//! the order of every list. Where the file differs on an item both have, the item is listed as a
//! [`Difference`] with an id; only the items whose id is in [`Take`] take the file's version. New
//! items go next to their neighbours in the file, so a level inserted between two others lands between
//! them. Merging is idempotent: importing the same file twice gives the same draft as importing it
//! once.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::model::{Framework, Key, Level, LintSettings, Track};

/// The items on which the file wins: the ids of [`Difference`]s, or all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Take {
    all: bool,
    ids: BTreeSet<String>,
}

impl Take {
    /// Keep the draft's version of everything (the default).
    pub fn nothing() -> Take {
        Take::default()
    }

    /// Take the file's version of everything, its order included.
    pub fn all() -> Take {
        Take {
            all: true,
            ids: BTreeSet::new(),
        }
    }

    /// Take the file's version of the items with these ids.
    pub fn only<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Take {
        Take {
            all: false,
            ids: ids.into_iter().map(Into::into).collect(),
        }
    }

    /// The items named in a request: ids of differences, or `all` for everything. Blank entries and
    /// spaces around ids are ignored, so a comma-separated list can be split and passed as it is.
    pub fn from_request<I: IntoIterator<Item = S>, S: AsRef<str>>(ids: I) -> Take {
        let ids: BTreeSet<String> = ids
            .into_iter()
            .map(|s| s.as_ref().trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if ids.contains("all") {
            Take::all()
        } else {
            Take { all: false, ids }
        }
    }

    /// Whether the file wins on the item with this id.
    pub fn takes(&self, id: &str) -> bool {
        self.all || self.ids.contains(id)
    }

    pub fn is_all(&self) -> bool {
        self.all
    }

    /// The ids asked for, without "all".
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.ids.iter().map(String::as_str)
    }
}

/// An item the draft and the file both have and describe differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Difference {
    /// Names the item in [`Take`]: `framework`, `category:KEY`, `competency:KEY`, `grade:KEY`,
    /// `track:TRACK`, `level:TRACK:LEVEL`, `cell:TRACK:LEVEL:COMPETENCY`, or the order of a list:
    /// `order:categories`, `order:competencies`, `order:grades`, `order:tracks`,
    /// `order:track:TRACK:rows`, `order:track:TRACK:levels`.
    pub id: String,
    /// The item in words: "Competency Ownership", "Ownership at Senior Engineer in Backend".
    pub subject: String,
    /// What differs, field by field.
    pub fields: Vec<FieldDifference>,
    /// Whether the merge takes the file's version (otherwise the draft's stays).
    pub taken: bool,
}

/// One field of a [`Difference`]: what the draft has and what the file has, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldDifference {
    /// The field's name in words: "Description", "Expectations", "Order".
    pub field: String,
    pub draft: String,
    pub file: String,
}

/// Whether a draft is still empty: no name, or nothing in its library, grades or tracks. Its name is
/// then a placeholder, and a merge takes the file's name and description without asking.
fn holds_nothing(fw: &Framework) -> bool {
    fw.name.trim().is_empty()
        || (fw.categories.is_empty()
            && fw.competencies.is_empty()
            && fw.grades.is_empty()
            && fw.tracks.is_empty())
}

/// The draft after importing `incoming` into `base`.
///
/// Every item of `base` stays where it is and as it is, unless its [`Difference`] id is in `take`;
/// items only `incoming` has are added next to their neighbours in the file; items only `base` has are
/// kept unless `prune`. The lint rules switched off are merged like keys. A cell (the expectations,
/// examples and not-applicable mark of one competency at one level) is one item: taken whole or kept
/// whole. With [`Take::all`] the file wins everywhere, its order included: with `prune`, the result is
/// the file itself.
pub fn merge(base: &Framework, incoming: &Framework, prune: bool, take: &Take) -> Framework {
    // A draft with nothing in it takes the file's name and description.
    let framework_taken = take.takes("framework") || holds_nothing(base);
    Framework {
        name: if framework_taken {
            incoming.name.clone()
        } else {
            base.name.clone()
        },
        description: if framework_taken {
            incoming.description.clone()
        } else {
            base.description.clone()
        },
        lint: LintSettings {
            disable: combine_list(
                &base.lint.disable,
                &incoming.lint.disable,
                prune,
                take.is_all(),
                |k| k,
                |b, _| b.clone(),
            ),
        },
        categories: combine_list(
            &base.categories,
            &incoming.categories,
            prune,
            take.takes("order:categories"),
            |c| &c.key,
            |b, i| pick(take, &format!("category:{}", b.key), b, i),
        ),
        competencies: combine_list(
            &base.competencies,
            &incoming.competencies,
            prune,
            take.takes("order:competencies"),
            |c| &c.key,
            |b, i| pick(take, &format!("competency:{}", b.key), b, i),
        ),
        grades: combine_list(
            &base.grades,
            &incoming.grades,
            prune,
            take.takes("order:grades"),
            |g| &g.key,
            |b, i| pick(take, &format!("grade:{}", b.key), b, i),
        ),
        tracks: combine_list(
            &base.tracks,
            &incoming.tracks,
            prune,
            take.takes("order:tracks"),
            |t| &t.key,
            |b, i| merge_track(b, i, prune, take),
        ),
    }
}

fn pick<T: Clone>(take: &Take, id: &str, base: &T, incoming: &T) -> T {
    if take.takes(id) {
        incoming.clone()
    } else {
        base.clone()
    }
}

fn merge_track(base: &Track, incoming: &Track, prune: bool, take: &Take) -> Track {
    let t = &base.key;
    let fields = pick(take, &format!("track:{t}"), base, incoming);
    Track {
        competencies: combine_list(
            &base.competencies,
            &incoming.competencies,
            prune,
            take.takes(&format!("order:track:{t}:rows")),
            |k| k,
            |b, _| b.clone(),
        ),
        levels: combine_list(
            &base.levels,
            &incoming.levels,
            prune,
            take.takes(&format!("order:track:{t}:levels")),
            |l| &l.key,
            |b, i| merge_level(t, b, i, prune, take),
        ),
        ..fields
    }
}

fn merge_level(track: &Key, base: &Level, incoming: &Level, prune: bool, take: &Take) -> Level {
    if take.is_all() {
        // The file's level, plus the cells only the draft has unless pruning.
        let mut out = incoming.clone();
        if !prune {
            let in_file = cell_keys(incoming);
            let only_base = base
                .not_applicable
                .iter()
                .chain(base.expectations.keys())
                .chain(base.examples.keys())
                .filter(|k| !in_file.contains(k));
            for key in only_base {
                copy_cell(base, &mut out, key);
            }
        }
        return out;
    }
    let fields = pick(take, &format!("level:{track}:{}", base.key), base, incoming);
    let mut out = Level {
        expectations: Default::default(),
        examples: Default::default(),
        not_applicable: Vec::new(),
        ..fields
    };
    let in_base = cell_keys(base);
    let in_file = cell_keys(incoming);
    // Cells in the order the draft lists its not-applicable marks, then the file's new ones.
    let mut keys: Vec<&Key> = Vec::new();
    let mut seen = HashSet::new();
    let base_order = base
        .not_applicable
        .iter()
        .chain(base.expectations.keys())
        .chain(base.examples.keys());
    let file_order = incoming
        .not_applicable
        .iter()
        .chain(incoming.expectations.keys())
        .chain(incoming.examples.keys());
    for key in base_order.chain(file_order) {
        if seen.insert(key) {
            keys.push(key);
        }
    }
    for key in keys {
        let from = match (in_base.contains(key), in_file.contains(key)) {
            (true, false) if prune => continue,
            (true, false) => base,
            (false, true) => incoming,
            (true, true) if take.takes(&cell_id(track, &base.key, key)) => incoming,
            (true, true) => base,
            (false, false) => continue,
        };
        copy_cell(from, &mut out, key);
    }
    out
}

fn cell_id(track: &Key, level: &Key, competency: &Key) -> String {
    format!("cell:{track}:{level}:{competency}")
}

fn copy_cell(from: &Level, to: &mut Level, key: &Key) {
    if let Some(b) = from.expectations.get(key) {
        to.expectations.insert(key.clone(), b.clone());
    }
    if let Some(e) = from.examples.get(key) {
        to.examples.insert(key.clone(), e.clone());
    }
    if from.not_applicable.contains(key) && !to.not_applicable.contains(key) {
        to.not_applicable.push(key.clone());
    }
}

/// Merges two keyed lists. With `file_order`, the file's items come first in its order, then the
/// items only `base` has; otherwise `base`'s items keep their places and each new item goes right
/// after the item before it in the file (or right before the item after it, when it is the file's
/// first known one; at the end when the file shares nothing with `base`). Items only `base` has are
/// dropped when `prune`.
fn combine_list<T: Clone>(
    base: &[T],
    incoming: &[T],
    prune: bool,
    file_order: bool,
    key: impl Fn(&T) -> &Key,
    combine: impl Fn(&T, &T) -> T,
) -> Vec<T> {
    let incoming_by_key = index_by(incoming, &key);
    let base_by_key = index_by(base, &key);
    if file_order {
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
        return out;
    }
    let mut out: Vec<T> = Vec::with_capacity(base.len() + incoming.len());
    let mut placed: HashSet<&Key> = HashSet::new();
    for b in base {
        if !placed.insert(key(b)) {
            continue;
        }
        match incoming_by_key.get(key(b)) {
            Some(i) => out.push(combine(b, i)),
            None if prune => {}
            None => out.push(b.clone()),
        }
    }
    for (n, item) in incoming.iter().enumerate() {
        if placed.contains(key(item)) {
            continue;
        }
        let position_of = |k: &Key, out: &[T]| out.iter().position(|o| key(o) == k);
        let after = incoming[..n]
            .iter()
            .rev()
            .find_map(|p| position_of(key(p), &out))
            .map(|p| p + 1);
        let before = || {
            incoming[n + 1..]
                .iter()
                .find_map(|p| position_of(key(p), &out))
        };
        let at = after.or_else(before).unwrap_or(out.len());
        out.insert(at, item.clone());
        placed.insert(key(item));
    }
    out
}

/// Every item the draft and the file both have and describe differently, in document order, each
/// marked with whether `take` takes the file's version.
pub fn differences(base: &Framework, incoming: &Framework, take: &Take) -> Vec<Difference> {
    let mut out = Differences {
        take,
        items: Vec::new(),
    };
    let mut f = Vec::new();
    text_field(&mut f, "Name", &base.name, &incoming.name);
    opt_field(
        &mut f,
        "Description",
        &base.description,
        &incoming.description,
    );
    if !holds_nothing(base) {
        out.push(
            "framework".into(),
            "The framework's name and description".into(),
            f,
        );
    }

    let names = |fw: &Framework| {
        fw.categories
            .iter()
            .map(|c| (c.key.clone(), c.name.clone()))
            .collect::<HashMap<_, _>>()
    };
    out.order(
        "order:categories",
        "The order of the categories",
        &base.categories,
        &incoming.categories,
        |c| &c.key,
        |c| c.name.clone(),
    );
    for (b, i) in pairs(&base.categories, &incoming.categories, |c| &c.key) {
        let mut f = Vec::new();
        text_field(&mut f, "Name", &b.name, &i.name);
        opt_field(&mut f, "Description", &b.description, &i.description);
        out.push(
            format!("category:{}", b.key),
            format!("Category {}", b.name),
            f,
        );
    }
    // Categories are compared by key and shown by name (the draft's, else the file's).
    let mut category_names = names(incoming);
    category_names.extend(names(base));
    let category = |k: &Option<Key>| {
        k.as_ref().map(|k| {
            category_names
                .get(k)
                .cloned()
                .unwrap_or_else(|| k.to_string())
        })
    };
    out.order(
        "order:competencies",
        "The order of the competencies",
        &base.competencies,
        &incoming.competencies,
        |c| &c.key,
        |c| c.name.clone(),
    );
    for (b, i) in pairs(&base.competencies, &incoming.competencies, |c| &c.key) {
        let mut f = Vec::new();
        text_field(&mut f, "Name", &b.name, &i.name);
        if b.category != i.category {
            f.push(FieldDifference {
                field: "Category".into(),
                draft: category(&b.category).unwrap_or_default(),
                file: category(&i.category).unwrap_or_default(),
            });
        }
        opt_field(&mut f, "Description", &b.description, &i.description);
        out.push(
            format!("competency:{}", b.key),
            format!("Competency {}", b.name),
            f,
        );
    }
    out.order(
        "order:grades",
        "The order of the grades",
        &base.grades,
        &incoming.grades,
        |g| &g.key,
        |g| g.name.clone(),
    );
    for (b, i) in pairs(&base.grades, &incoming.grades, |g| &g.key) {
        let mut f = Vec::new();
        text_field(&mut f, "Name", &b.name, &i.name);
        out.push(format!("grade:{}", b.key), format!("Grade {}", b.name), f);
    }
    out.order(
        "order:tracks",
        "The order of the tracks",
        &base.tracks,
        &incoming.tracks,
        |t| &t.key,
        |t| t.name.clone(),
    );
    let competency_name = |k: &Key| {
        base.competencies
            .iter()
            .chain(&incoming.competencies)
            .find(|c| &c.key == k)
            .map_or_else(|| k.to_string(), |c| c.name.clone())
    };
    for (b, i) in pairs(&base.tracks, &incoming.tracks, |t| &t.key) {
        let t = &b.key;
        let mut f = Vec::new();
        text_field(&mut f, "Name", &b.name, &i.name);
        opt_field(&mut f, "Family", &b.family, &i.family);
        text_field(&mut f, "Kind", b.kind.label(), i.kind.label());
        opt_field(&mut f, "Description", &b.description, &i.description);
        out.push(format!("track:{t}"), format!("Track {}", b.name), f);
        out.order(
            &format!("order:track:{t}:rows"),
            &format!("The order of the competencies in {}", b.name),
            &b.competencies,
            &i.competencies,
            |k| k,
            |k| competency_name(k),
        );
        out.order(
            &format!("order:track:{t}:levels"),
            &format!("The order of the levels in {}", b.name),
            &b.levels,
            &i.levels,
            |l| &l.key,
            |l| l.title.clone(),
        );
        for (bl, il) in pairs(&b.levels, &i.levels, |l| &l.key) {
            let mut f = Vec::new();
            text_field(&mut f, "Title", &bl.title, &il.title);
            opt_field(
                &mut f,
                "Grade",
                &bl.grade.as_ref().map(|g| grade_name(base, g)),
                &il.grade.as_ref().map(|g| grade_name(incoming, g)),
            );
            opt_field(&mut f, "Summary", &bl.summary, &il.summary);
            let pay = |l: &Level| {
                l.pay.as_ref().map(|p| match p.mid {
                    Some(mid) => format!("{} {} to {} (midpoint {mid})", p.currency, p.min, p.max),
                    None => format!("{} {} to {}", p.currency, p.min, p.max),
                })
            };
            opt_field(&mut f, "Pay", &pay(bl), &pay(il));
            out.push(
                format!("level:{t}:{}", bl.key),
                format!("Level {} in {}", bl.title, b.name),
                f,
            );
            let in_file = cell_keys(il);
            let mut cells: Vec<&Key> = cell_keys(bl)
                .into_iter()
                .filter(|k| in_file.contains(k))
                .collect();
            let row = |k: &Key| b.competencies.iter().position(|r| r == k);
            cells.sort_by_key(|k| (row(k).unwrap_or(usize::MAX), (*k).clone()));
            for k in cells {
                let mut f = Vec::new();
                let na = |l: &Level| {
                    if l.not_applicable.contains(k) {
                        "Does not apply at this level".to_owned()
                    } else {
                        "Applies".to_owned()
                    }
                };
                text_field(&mut f, "Applies", &na(bl), &na(il));
                let bullets = |m: &std::collections::BTreeMap<Key, Vec<String>>| {
                    m.get(k).map(|b| b.join("\n")).unwrap_or_default()
                };
                text_field(
                    &mut f,
                    "Expectations",
                    &bullets(&bl.expectations),
                    &bullets(&il.expectations),
                );
                text_field(
                    &mut f,
                    "Examples",
                    &bullets(&bl.examples),
                    &bullets(&il.examples),
                );
                out.push(
                    cell_id(t, &bl.key, k),
                    format!("{} at {} in {}", competency_name(k), bl.title, b.name),
                    f,
                );
            }
        }
    }
    out.items
}

fn grade_name(fw: &Framework, key: &Key) -> String {
    fw.grades
        .iter()
        .find(|g| &g.key == key)
        .map_or_else(|| key.to_string(), |g| g.name.clone())
}

struct Differences<'a> {
    take: &'a Take,
    items: Vec<Difference>,
}

impl Differences<'_> {
    fn push(&mut self, id: String, subject: String, fields: Vec<FieldDifference>) {
        if fields.is_empty() {
            return;
        }
        let taken = self.take.takes(&id);
        self.items.push(Difference {
            id,
            subject,
            fields,
            taken,
        });
    }

    /// A difference when the items both lists have are in another order in the file.
    fn order<T>(
        &mut self,
        id: &str,
        subject: &str,
        base: &[T],
        incoming: &[T],
        key: impl Fn(&T) -> &Key,
        name: impl Fn(&T) -> String,
    ) {
        let in_file: HashSet<&Key> = incoming.iter().map(&key).collect();
        let in_base: HashSet<&Key> = base.iter().map(&key).collect();
        let common_base: Vec<&T> = base.iter().filter(|t| in_file.contains(key(t))).collect();
        let common_file: Vec<&T> = incoming
            .iter()
            .filter(|t| in_base.contains(key(t)))
            .collect();
        let same = common_base.len() == common_file.len()
            && common_base
                .iter()
                .zip(&common_file)
                .all(|(b, i)| key(b) == key(i));
        if same {
            return;
        }
        let list = |items: &[&T]| items.iter().map(|t| name(t)).collect::<Vec<_>>().join(", ");
        let fields = vec![FieldDifference {
            field: "Order".into(),
            draft: list(&common_base),
            file: list(&common_file),
        }];
        self.push(id.to_owned(), subject.to_owned(), fields);
    }
}

/// The pairs of items with the same key, in `base`'s order.
fn pairs<'a, T>(base: &'a [T], incoming: &'a [T], key: impl Fn(&T) -> &Key) -> Vec<(&'a T, &'a T)> {
    let by_key = index_by(incoming, &key);
    base.iter()
        .filter_map(|b| by_key.get(key(b)).map(|i| (b, *i)))
        .collect()
}

fn text_field(out: &mut Vec<FieldDifference>, field: &str, draft: &str, file: &str) {
    if draft != file {
        out.push(FieldDifference {
            field: field.into(),
            draft: draft.into(),
            file: file.into(),
        });
    }
}

fn opt_field(
    out: &mut Vec<FieldDifference>,
    field: &str,
    draft: &Option<String>,
    file: &Option<String>,
) {
    if draft != file {
        out.push(FieldDifference {
            field: field.into(),
            draft: draft.clone().unwrap_or_default(),
            file: file.clone().unwrap_or_default(),
        });
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
}
