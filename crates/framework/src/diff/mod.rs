//! The readable difference between two frameworks (two versions, or a draft and a file before an
//! import): what was added, removed, changed or moved, grouped the way people read a framework.
//!
//! Items are matched by key, so a new name for the same key is a change, not a removal and an addition.
//! Cells are compared bullet by bullet. Reorders are reported only for the items that actually moved:
//! the longest run of items that kept their relative order stays put, so inserting one level at the
//! bottom of a track does not report every other level as moved.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use serde::Serialize;

use crate::model::{Competency, Framework, Key, Level, Pay, Track};

/// The changes between two frameworks, in sections; a section without changes is left out.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Diff {
    pub sections: Vec<Section>,
}

/// The changes to one part of the framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    pub kind: SectionKind,
    /// The track this section is about, for [`SectionKind::Track`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track: Option<Key>,
    /// The heading to show: "Competencies", "Track `backend` (Backend Engineering)".
    pub title: String,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Framework,
    Categories,
    Competencies,
    Grades,
    Track,
}

/// One line of the diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub kind: ChangeKind,
    /// What changed: "Level `se2` (Software Engineer II)", "Ownership at Software Engineer II".
    pub subject: String,
    /// The field that changed, when the change is to one field of the subject: "name", "expectations".
    pub field: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    /// For lists of bullets (expectations, examples): which bullets came and went.
    pub bullets: Option<BulletDiff>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    /// The subject changed place in its list (`before` and `after` are 1-based positions), or a cell's
    /// bullets are the same in another order.
    Moved,
}

/// Two lists of bullets compared: the bullets only the new list has, those only the old list has, and
/// those in both (in the new list's order).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulletDiff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub kept: Vec<String>,
}

/// How many changes of each kind a diff has, for a summary line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub moved: usize,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for change in self.sections.iter().flat_map(|s| &s.changes) {
            match change.kind {
                ChangeKind::Added => counts.added += 1,
                ChangeKind::Removed => counts.removed += 1,
                ChangeKind::Changed => counts.changed += 1,
                ChangeKind::Moved => counts.moved += 1,
            }
        }
        counts
    }
}

impl Counts {
    pub fn total(&self) -> usize {
        self.added + self.removed + self.changed + self.moved
    }
}

/// "3 added, 1 removed, 12 changed, 2 moved", leaving out the kinds that do not occur; "no changes"
/// when there are none.
impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = [
            (self.added, "added"),
            (self.removed, "removed"),
            (self.changed, "changed"),
            (self.moved, "moved"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| format!("{n} {word}"))
        .collect();
        if parts.is_empty() {
            f.write_str("no changes")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

impl BulletDiff {
    /// Compares bullets exactly as written: a fixed typo is a removed and an added bullet.
    pub fn between(old: &[String], new: &[String]) -> Self {
        Self::compare(old, new, Cow::Borrowed)
    }

    /// Compares bullets ignoring case and runs of whitespace, for readers who care about meaning rather
    /// than edits.
    pub fn between_normalised(old: &[String], new: &[String]) -> Self {
        Self::compare(old, new, |s| Cow::Owned(normalise(s)))
    }

    pub fn is_unchanged(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }

    fn compare<'a>(
        old: &'a [String],
        new: &'a [String],
        norm: impl Fn(&'a str) -> Cow<'a, str>,
    ) -> Self {
        let old_set: HashSet<Cow<str>> = old.iter().map(|b| norm(b)).collect();
        let new_set: HashSet<Cow<str>> = new.iter().map(|b| norm(b)).collect();
        let mut diff = BulletDiff::default();
        for b in new {
            if old_set.contains(&norm(b)) {
                diff.kept.push(b.clone());
            } else {
                diff.added.push(b.clone());
            }
        }
        for b in old {
            if !new_set.contains(&norm(b)) {
                diff.removed.push(b.clone());
            }
        }
        diff
    }
}

/// Lower case, with every run of whitespace made one space and the ends trimmed.
pub(crate) fn normalise(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// What changed from `old` to `new`: the framework's own fields, its library (categories,
/// competencies, grades), then one section per track in the new order and one per removed track.
pub fn diff(old: &Framework, new: &Framework) -> Diff {
    let names = Names::new(old, new);
    let mut sections = Vec::new();
    let mut push = |kind, track: Option<&Key>, title: &str, changes: Vec<Change>| {
        if !changes.is_empty() {
            sections.push(Section {
                kind,
                track: track.cloned(),
                title: title.to_owned(),
                changes,
            });
        }
    };
    push(
        SectionKind::Framework,
        None,
        "Framework",
        framework_changes(old, new),
    );
    for (kind, title, changes) in library_changes(old, new) {
        push(kind, None, title, changes);
    }
    for (track, title, changes) in tracks_changes(&names, old, new) {
        push(SectionKind::Track, Some(&track), &title, changes);
    }
    Diff { sections }
}

/// The framework's own fields: its name, description and the lint rules switched off.
fn framework_changes(old: &Framework, new: &Framework) -> Vec<Change> {
    let mut changes = Vec::new();
    let subject = "The framework";
    field(&mut changes, subject, "name", &old.name, &new.name);
    opt_field(
        &mut changes,
        subject,
        "description",
        &old.description,
        &new.description,
    );
    let switched_off = |fw: &Framework| {
        let ids: Vec<&str> = fw.lint.disable.iter().map(Key::as_str).collect();
        (!ids.is_empty()).then(|| ids.join(", "))
    };
    opt_field(
        &mut changes,
        subject,
        "lint rules switched off",
        &switched_off(old),
        &switched_off(new),
    );
    changes
}

/// The library's sections, in order: categories, competencies, grades.
fn library_changes(
    old: &Framework,
    new: &Framework,
) -> [(SectionKind, &'static str, Vec<Change>); 3] {
    let mut categories = Vec::new();
    keyed_list(
        &mut categories,
        &old.categories,
        &new.categories,
        |c| &c.key,
        |c| format!("Category `{}` ({})", c.key, c.name),
        |out, s, o, n| {
            field(out, s, "name", &o.name, &n.name);
            opt_field(out, s, "description", &o.description, &n.description);
        },
    );
    let mut competencies = Vec::new();
    keyed_list(
        &mut competencies,
        &old.competencies,
        &new.competencies,
        |c| &c.key,
        |c| format!("Competency `{}` ({})", c.key, c.name),
        competency_fields,
    );
    let mut grades = Vec::new();
    keyed_list(
        &mut grades,
        &old.grades,
        &new.grades,
        |g| &g.key,
        |g| format!("Grade `{}` ({})", g.key, g.name),
        |out, s, o, n| field(out, s, "name", &o.name, &n.name),
    );
    [
        (SectionKind::Categories, "Categories", categories),
        (SectionKind::Competencies, "Competencies", competencies),
        (SectionKind::Grades, "Grades", grades),
    ]
}

/// Each track's key, title and changes: the new tracks in their order, then the removed ones.
fn tracks_changes(
    names: &Names,
    old: &Framework,
    new: &Framework,
) -> Vec<(Key, String, Vec<Change>)> {
    let mut out = Vec::new();
    let (matches, removed) = match_lists(&old.tracks, &new.tracks, |t| &t.key);
    for (i, (n, m)) in new.tracks.iter().zip(matches).enumerate() {
        let subject = track_subject(n);
        let mut changes = Vec::new();
        match m {
            Match::Added => changes.push(Change::whole(ChangeKind::Added, subject.clone())),
            Match::Kept { old: j, moved } => {
                // A move that lands on the same position is no move to a reader.
                if moved && j != i {
                    changes.push(Change::moved(subject.clone(), j, i));
                }
                track_changes(&mut changes, names, &subject, &old.tracks[j], n);
            }
        }
        out.push((n.key.clone(), subject, changes));
    }
    for j in removed {
        let o = &old.tracks[j];
        let subject = track_subject(o);
        let changes = vec![Change::whole(ChangeKind::Removed, subject.clone())];
        out.push((o.key.clone(), subject, changes));
    }
    out
}

fn competency_fields(out: &mut Vec<Change>, s: &str, o: &Competency, n: &Competency) {
    field(out, s, "name", &o.name, &n.name);
    opt_field(
        out,
        s,
        "category",
        &o.category.as_ref().map(Key::to_string),
        &n.category.as_ref().map(Key::to_string),
    );
    opt_field(out, s, "description", &o.description, &n.description);
}

fn track_subject(t: &Track) -> String {
    format!("Track `{}` ({})", t.key, t.name)
}

fn track_changes(out: &mut Vec<Change>, names: &Names, s: &str, o: &Track, n: &Track) {
    if o == n {
        return;
    }
    field(out, s, "name", &o.name, &n.name);
    opt_field(out, s, "family", &o.family, &n.family);
    field(out, s, "kind", o.kind.label(), n.kind.label());
    opt_field(out, s, "description", &o.description, &n.description);
    keyed_list(
        out,
        &o.competencies,
        &n.competencies,
        |k| k,
        |k| format!("Competency `{k}` ({})", names.competency(k)),
        |_, _, _, _| {},
    );
    let rows = RowOrder::new(o, n);
    keyed_list(
        out,
        &o.levels,
        &n.levels,
        |l| &l.key,
        |l| format!("Level `{}` ({})", l.key, l.title),
        |out, s, ol, nl| level_changes(out, names, &rows, s, ol, nl),
    );
}

fn level_changes(
    out: &mut Vec<Change>,
    names: &Names,
    rows: &RowOrder,
    s: &str,
    o: &Level,
    n: &Level,
) {
    field(out, s, "title", &o.title, &n.title);
    opt_field(
        out,
        s,
        "grade",
        &o.grade.as_ref().map(Key::to_string),
        &n.grade.as_ref().map(Key::to_string),
    );
    opt_field(out, s, "summary", &o.summary, &n.summary);
    opt_field(
        out,
        s,
        "pay",
        &o.pay.as_ref().map(pay_text),
        &n.pay.as_ref().map(pay_text),
    );
    let mut cells: Vec<&Key> = cell_keys(o).union(&cell_keys(n)).copied().collect();
    cells.sort_by_key(|k| rows.rank(k));
    for c in cells {
        let (was_na, is_na) = (o.is_not_applicable(c), n.is_not_applicable(c));
        let expectations = (list(o.expectations.get(c)), list(n.expectations.get(c)));
        let examples = (list(o.examples.get(c)), list(n.examples.get(c)));
        if was_na == is_na && expectations.0 == expectations.1 && examples.0 == examples.1 {
            continue;
        }
        let subject = format!("{} at {}", names.competency(c), n.title);
        if was_na != is_na {
            out.push(Change {
                field: Some("not applicable".into()),
                before: Some(yes_no(was_na).into()),
                after: Some(yes_no(is_na).into()),
                ..Change::whole(ChangeKind::Changed, subject.clone())
            });
        }
        bullets(out, &subject, "expectations", expectations);
        bullets(out, &subject, "examples", examples);
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// A missing list of bullets and an empty one are the same.
fn list(bullets: Option<&Vec<String>>) -> &[String] {
    bullets.map_or(&[], Vec::as_slice)
}

/// A change to one list of bullets of a cell.
fn bullets(out: &mut Vec<Change>, subject: &str, name: &str, (old, new): (&[String], &[String])) {
    if old == new {
        return;
    }
    let diff = BulletDiff::between(old, new);
    let kind = if old.is_empty() {
        ChangeKind::Added
    } else if new.is_empty() {
        ChangeKind::Removed
    } else if diff.is_unchanged() {
        ChangeKind::Moved
    } else {
        ChangeKind::Changed
    };
    out.push(Change {
        field: Some(name.into()),
        bullets: Some(diff),
        ..Change::whole(kind, subject.into())
    });
}

/// The order to list a level's cells in: the new track's rows, then the old track's, then any other
/// competency a cell names, by key.
struct RowOrder<'a> {
    rank: HashMap<&'a Key, usize>,
}

impl<'a> RowOrder<'a> {
    fn new(old: &'a Track, new: &'a Track) -> Self {
        let mut rank = HashMap::new();
        for k in new.competencies.iter().chain(&old.competencies) {
            let next = rank.len();
            rank.entry(k).or_insert(next);
        }
        RowOrder { rank }
    }

    fn rank<'k>(&self, key: &'k Key) -> (usize, &'k Key) {
        (self.rank.get(key).copied().unwrap_or(usize::MAX), key)
    }
}

/// Competency names to write subjects with, preferring the new framework's wording.
struct Names<'a> {
    competencies: HashMap<&'a Key, &'a str>,
}

impl<'a> Names<'a> {
    fn new(old: &'a Framework, new: &'a Framework) -> Self {
        let mut competencies = HashMap::new();
        for c in old.competencies.iter().chain(&new.competencies) {
            competencies.insert(&c.key, c.name.as_str());
        }
        Names { competencies }
    }

    fn competency(&self, key: &'a Key) -> &'a str {
        self.competencies.get(key).copied().unwrap_or(key.as_str())
    }
}

/// How an item of the new list relates to the old list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    Added,
    /// In both lists, at index `old` of the old one; `moved` when its place relative to the other
    /// items in both lists changed.
    Kept {
        old: usize,
        moved: bool,
    },
}

/// Matches the new list's items to the old list's by key: one [`Match`] per new item, and the indices
/// of the old items the new list no longer has.
fn match_lists<T>(old: &[T], new: &[T], key: impl Fn(&T) -> &Key) -> (Vec<Match>, Vec<usize>) {
    let old_pos: HashMap<&Key, usize> = old.iter().enumerate().map(|(i, t)| (key(t), i)).collect();
    let found: Vec<Option<usize>> = new.iter().map(|t| old_pos.get(key(t)).copied()).collect();
    let common: Vec<usize> = found.iter().flatten().copied().collect();
    let stays = longest_increasing(&common);
    let mut nth_common = 0;
    let matches = found
        .into_iter()
        .map(|f| match f {
            None => Match::Added,
            Some(j) => {
                let moved = !stays.contains(&nth_common);
                nth_common += 1;
                Match::Kept { old: j, moved }
            }
        })
        .collect();
    let new_keys: HashSet<&Key> = new.iter().map(&key).collect();
    let removed = (0..old.len())
        .filter(|&j| !new_keys.contains(key(&old[j])))
        .collect();
    (matches, removed)
}

/// Compares two keyed lists: additions, moves and field changes in the new list's order, then removals
/// in the old list's order.
fn keyed_list<T>(
    out: &mut Vec<Change>,
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> &Key,
    subject: impl Fn(&T) -> String,
    mut fields: impl FnMut(&mut Vec<Change>, &str, &T, &T),
) {
    let (matches, removed) = match_lists(old, new, &key);
    for (i, (n, m)) in new.iter().zip(matches).enumerate() {
        let s = subject(n);
        match m {
            Match::Added => out.push(Change::whole(ChangeKind::Added, s)),
            Match::Kept { old: j, moved } => {
                if moved && j != i {
                    out.push(Change::moved(s.clone(), j, i));
                }
                fields(out, &s, &old[j], n);
            }
        }
    }
    for j in removed {
        out.push(Change::whole(ChangeKind::Removed, subject(&old[j])));
    }
}

/// The indices (into `seq`) of one longest strictly increasing subsequence, in O(n log n).
fn longest_increasing(seq: &[usize]) -> HashSet<usize> {
    // tails[k]: index in `seq` of the smallest tail of an increasing run of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; seq.len()];
    for (i, &v) in seq.iter().enumerate() {
        let k = tails.partition_point(|&t| seq[t] < v);
        prev[i] = k.checked_sub(1).map(|p| tails[p]);
        if k == tails.len() {
            tails.push(i);
        } else {
            tails[k] = i;
        }
    }
    let mut out = HashSet::with_capacity(tails.len());
    let mut cur = tails.last().copied();
    while let Some(i) = cur {
        out.insert(i);
        cur = prev[i];
    }
    out
}

impl Change {
    fn moved(subject: String, from: usize, to: usize) -> Self {
        Change {
            field: Some("position".into()),
            before: Some((from + 1).to_string()),
            after: Some((to + 1).to_string()),
            ..Change::whole(ChangeKind::Moved, subject)
        }
    }

    fn whole(kind: ChangeKind, subject: String) -> Self {
        Change {
            kind,
            subject,
            field: None,
            before: None,
            after: None,
            bullets: None,
        }
    }
}

fn field(out: &mut Vec<Change>, subject: &str, name: &str, old: &str, new: &str) {
    if old != new {
        out.push(Change {
            field: Some(name.into()),
            before: Some(old.into()),
            after: Some(new.into()),
            ..Change::whole(ChangeKind::Changed, subject.into())
        });
    }
}

fn opt_field(
    out: &mut Vec<Change>,
    subject: &str,
    name: &str,
    old: &Option<String>,
    new: &Option<String>,
) {
    if old != new {
        out.push(Change {
            field: Some(name.into()),
            before: old.clone(),
            after: new.clone(),
            ..Change::whole(ChangeKind::Changed, subject.into())
        });
    }
}

fn pay_text(pay: &Pay) -> String {
    match pay.mid {
        Some(mid) => format!("{} {}–{} (mid {mid})", pay.currency, pay.min, pay.max),
        None => format!("{} {}–{}", pay.currency, pay.min, pay.max),
    }
}

fn cell_keys(level: &Level) -> BTreeSet<&Key> {
    level
        .expectations
        .keys()
        .chain(level.examples.keys())
        .chain(&level.not_applicable)
        .collect()
}

#[cfg(test)]
mod tests;
