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
mod tests;
