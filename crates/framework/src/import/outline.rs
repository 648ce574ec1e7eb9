//! The neutral shape every importer fills: categories, competencies and tracks named by the ids
//! their source uses. [`Outline::finish`] turns it into a [`Framework`]: it gives every item a
//! unique key made with [`Key::slug`], lists a track's competencies in the order they first appear,
//! marks the cells the source leaves empty `not_applicable` (and says so), and checks the result.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::Imported;
use crate::model::{Category, Competency, Framework, Key, Level, Track, TrackKind};

#[derive(Debug, Default)]
pub(crate) struct Outline {
    pub name: String,
    pub description: Option<String>,
    categories: Vec<Item>,
    competencies: Vec<CompetencyItem>,
    pub tracks: Vec<TrackItem>,
    pub unmapped: Vec<String>,
}

#[derive(Debug)]
struct Item {
    id: String,
    name: String,
    description: Option<String>,
}

#[derive(Debug)]
struct CompetencyItem {
    item: Item,
    category: Option<String>,
}

#[derive(Debug)]
pub(crate) struct TrackItem {
    pub id: String,
    pub name: String,
    pub family: Option<String>,
    pub kind: TrackKind,
    pub description: Option<String>,
    pub levels: Vec<LevelItem>,
}

#[derive(Debug)]
pub(crate) struct LevelItem {
    pub id: String,
    pub title: String,
    pub summary: Option<String>,
    /// Competency id → what the source says at this level.
    cells: Vec<(String, Cell)>,
}

#[derive(Debug, Default)]
pub(crate) struct Cell {
    pub bullets: Vec<String>,
    pub examples: Vec<String>,
    /// The source says the competency does not apply here (rather than saying nothing).
    pub not_applicable: bool,
}

impl Outline {
    pub fn new(name: impl Into<String>) -> Outline {
        Outline {
            name: name.into(),
            ..Outline::default()
        }
    }

    pub fn note(&mut self, message: impl Into<String>) {
        self.unmapped.push(message.into());
    }

    /// Adds a category unless one with this id exists.
    pub fn category(&mut self, id: &str, name: &str, description: Option<String>) {
        if !self.categories.iter().any(|c| c.id == id) {
            self.categories.push(Item {
                id: id.to_owned(),
                name: name.to_owned(),
                description: description.filter(|d| !d.trim().is_empty()),
            });
        }
    }

    /// Adds a competency unless one with this id exists; the first name and description win.
    pub fn competency(
        &mut self,
        id: &str,
        name: &str,
        category: Option<&str>,
        description: Option<String>,
    ) {
        if let Some(existing) = self.competencies.iter_mut().find(|c| c.item.id == id) {
            if existing.item.description.is_none() {
                existing.item.description = description.filter(|d| !d.trim().is_empty());
            }
            return;
        }
        self.competencies.push(CompetencyItem {
            item: Item {
                id: id.to_owned(),
                name: name.to_owned(),
                description: description.filter(|d| !d.trim().is_empty()),
            },
            category: category.map(str::to_owned),
        });
    }

    pub fn has_competency(&self, id: &str) -> bool {
        self.competencies.iter().any(|c| c.item.id == id)
    }

    /// The track with this id, added with these names if it is new.
    pub fn track(&mut self, id: &str, name: &str) -> &mut TrackItem {
        let at = match self.tracks.iter().position(|t| t.id == id) {
            Some(at) => at,
            None => {
                self.tracks.push(TrackItem {
                    id: id.to_owned(),
                    name: name.to_owned(),
                    family: None,
                    kind: TrackKind::IndividualContributor,
                    description: None,
                    levels: Vec::new(),
                });
                self.tracks.len() - 1
            }
        };
        &mut self.tracks[at]
    }

    /// Builds the framework. Every reference an importer makes goes through the methods above, so
    /// the result is valid; if it is not, that is a mistake of the importer, reported as such.
    pub fn finish(mut self) -> Result<Imported, String> {
        let mut taken = HashSet::new();
        let mut category_keys: HashMap<String, Key> = HashMap::new();
        for c in &self.categories {
            let key = unique_key(&c.name, &c.id, "category", &mut taken)?;
            category_keys.insert(c.id.clone(), key);
        }
        let categories = self
            .categories
            .iter()
            .map(|c| Category {
                key: category_keys[&c.id].clone(),
                name: c.name.clone(),
                description: c.description.clone(),
            })
            .collect();

        let mut taken = HashSet::new();
        let mut competency_keys: HashMap<String, Key> = HashMap::new();
        let mut names: HashMap<&str, &str> = HashMap::new();
        for c in &self.competencies {
            let key = unique_key(&c.item.name, &c.item.id, "competency", &mut taken)?;
            competency_keys.insert(c.item.id.clone(), key);
            names.insert(&c.item.id, &c.item.name);
        }
        let competencies = self
            .competencies
            .iter()
            .map(|c| Competency {
                key: competency_keys[&c.item.id].clone(),
                name: c.item.name.clone(),
                category: c
                    .category
                    .as_ref()
                    .and_then(|id| category_keys.get(id))
                    .cloned(),
                description: c.item.description.clone(),
            })
            .collect();

        let mut taken = HashSet::new();
        let mut tracks = Vec::new();
        let mut unmapped = std::mem::take(&mut self.unmapped);
        for t in &self.tracks {
            let key = unique_key(&t.name, &t.id, "track", &mut taken)?;
            tracks.push(track(t, key, &competency_keys, &names, &mut unmapped)?);
        }

        let framework = Framework {
            name: if self.name.trim().is_empty() {
                "Imported framework".into()
            } else {
                self.name.trim().to_owned()
            },
            description: self.description.filter(|d| !d.trim().is_empty()),
            categories,
            competencies,
            tracks,
            ..Framework::default()
        };
        let problems = crate::validate(&framework);
        if let Some(p) = problems.first() {
            return Err(format!(
                "the imported framework breaks a rule: {}",
                p.message
            ));
        }
        Ok(Imported {
            framework,
            unmapped,
        })
    }
}

fn track(
    t: &TrackItem,
    key: Key,
    competency_keys: &HashMap<String, Key>,
    names: &HashMap<&str, &str>,
    unmapped: &mut Vec<String>,
) -> Result<Track, String> {
    // The rows: every competency the track's levels mention, in order of first appearance.
    let mut rows: Vec<&str> = Vec::new();
    for l in &t.levels {
        for (id, _) in &l.cells {
            if !rows.contains(&id.as_str()) && competency_keys.contains_key(id) {
                rows.push(id);
            }
        }
    }
    let mut taken = HashSet::new();
    let mut empty = Vec::new();
    let mut levels = Vec::new();
    for l in &t.levels {
        let level_key = unique_key(&l.title, &l.id, "level", &mut taken)?;
        let mut expectations = BTreeMap::new();
        let mut examples = BTreeMap::new();
        let mut not_applicable = Vec::new();
        for id in &rows {
            let ckey = competency_keys[*id].clone();
            let cell = l.cells.iter().find(|(c, _)| c == id).map(|(_, cell)| cell);
            let bullets: Vec<String> = cell.map(|c| clean(&c.bullets)).unwrap_or_default();
            let items: Vec<String> = cell.map(|c| clean(&c.examples)).unwrap_or_default();
            if bullets.is_empty() {
                if !cell.is_some_and(|c| c.not_applicable) {
                    let name = names.get(id).copied().unwrap_or(id);
                    empty.push(format!("{} × {name}", l.title));
                }
                not_applicable.push(ckey.clone());
            } else {
                expectations.insert(ckey.clone(), bullets);
            }
            if !items.is_empty() {
                examples.insert(ckey, items);
            }
        }
        levels.push(Level {
            key: level_key,
            title: l.title.clone(),
            grade: None,
            summary: l.summary.clone().filter(|s| !s.trim().is_empty()),
            pay: None,
            expectations,
            examples,
            not_applicable,
        });
    }
    if !empty.is_empty() {
        unmapped.push(format!(
            "{}: {} cell(s) have nothing in the source and are marked not applicable: {}",
            t.name,
            empty.len(),
            empty.join(", ")
        ));
    }
    Ok(Track {
        key,
        name: t.name.clone(),
        family: t.family.clone().filter(|f| !f.trim().is_empty()),
        kind: t.kind,
        description: t.description.clone().filter(|d| !d.trim().is_empty()),
        competencies: rows.iter().map(|id| competency_keys[*id].clone()).collect(),
        levels,
    })
}

fn clean(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl TrackItem {
    /// The level with this id, added at the end with this title if it is new.
    pub fn level(&mut self, id: &str, title: &str) -> &mut LevelItem {
        let at = match self.levels.iter().position(|l| l.id == id) {
            Some(at) => at,
            None => {
                self.levels.push(LevelItem {
                    id: id.to_owned(),
                    title: title.to_owned(),
                    summary: None,
                    cells: Vec::new(),
                });
                self.levels.len() - 1
            }
        };
        &mut self.levels[at]
    }
}

impl LevelItem {
    /// What the level says about a competency (by its id).
    pub fn cell(&mut self, competency: &str) -> &mut Cell {
        let at = match self.cells.iter().position(|(c, _)| c == competency) {
            Some(at) => at,
            None => {
                self.cells.push((competency.to_owned(), Cell::default()));
                self.cells.len() - 1
            }
        };
        &mut self.cells[at].1
    }
}

/// A key from `name` (or, when the name has no letters or digits, from `id`, or else `what`),
/// made unique among `taken` with a numeric suffix.
fn unique_key(
    name: &str,
    id: &str,
    what: &str,
    taken: &mut HashSet<String>,
) -> Result<Key, String> {
    let base = Key::slug(name)
        .or_else(|| Key::slug(id))
        .map(String::from)
        .unwrap_or_else(|| what.to_owned());
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        let suffix = format!("-{n}");
        let stem: String = base.chars().take(Key::MAX_LEN - suffix.len()).collect();
        candidate = format!("{}{suffix}", stem.trim_end_matches('-'));
        n += 1;
    }
    taken.insert(candidate.clone());
    Key::parse(&candidate).map_err(|e| format!("cannot make a key for `{name}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_made_unique_with_a_suffix() {
        let mut taken = HashSet::new();
        let mut key =
            |name: &str, id: &str| unique_key(name, id, "competency", &mut taken).expect("a key");
        let a = key("Delivery", "d");
        let b = key("delivery!", "d2");
        let c = key("🛠️", "");
        assert_eq!(a.as_str(), "delivery");
        assert_eq!(b.as_str(), "delivery-2");
        assert_eq!(c.as_str(), "competency");
    }

    #[test]
    fn empty_cells_become_not_applicable_and_are_reported() {
        let mut o = Outline::new("Test");
        o.competency("a", "Alpha", None, None);
        o.competency("b", "Beta", None, None);
        let t = o.track("t", "Track");
        t.level("1", "One").cell("a").bullets.push("Does a".into());
        t.level("2", "Two").cell("b").bullets.push("Does b".into());
        let imported = o.finish().expect("valid");
        let level = &imported.framework.tracks[0].levels[0];
        assert_eq!(level.not_applicable, vec![Key::parse("beta").expect("key")]);
        assert!(imported.unmapped[0].contains("2 cell(s)"));
    }
}
