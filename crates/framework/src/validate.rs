//! The rules every framework must follow before it can be published or imported: unique keys,
//! references that resolve, tracks with levels, and an expectation (or `not_applicable`) in every cell.
//! Problems carry a path into the document so the YAML reader can turn them into line and column, and
//! the editor can show them next to the right field.

use std::collections::HashSet;
use std::fmt;

use crate::model::{Framework, Key, Level, Pay, Track};

/// One step of a path into the framework document, mirroring the YAML structure:
/// `tracks[0].levels[2].expectations.ownership` is
/// `[Field("tracks"), Index(0), Field("levels"), Index(2), Field("expectations"), Field("ownership")]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Field(String),
    Index(usize),
}

/// A rule the framework breaks, at a place in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: Vec<Seg>,
    pub message: String,
}

impl fmt::Display for Seg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seg::Field(s) => write!(f, ".{s}"),
            Seg::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// Every problem in the framework, in document order.
pub fn validate(fw: &Framework) -> Vec<Problem> {
    let mut v = Validator::default();
    let root = Path::root();

    v.non_blank(&fw.name, &root.field("name"), "the framework needs a name");

    let categories = v.unique_keys(
        &root.field("categories"),
        fw.categories.iter().map(|c| &c.key),
        "category",
    );
    for (i, c) in fw.categories.iter().enumerate() {
        let at = root.field("categories").index(i);
        v.non_blank(
            &c.name,
            &at.field("name"),
            &format!("category `{}` needs a name", c.key),
        );
    }

    let competencies = v.unique_keys(
        &root.field("competencies"),
        fw.competencies.iter().map(|c| &c.key),
        "competency",
    );
    for (i, c) in fw.competencies.iter().enumerate() {
        let at = root.field("competencies").index(i);
        v.non_blank(
            &c.name,
            &at.field("name"),
            &format!("competency `{}` needs a name", c.key),
        );
        if let Some(cat) = &c.category
            && !categories.contains(cat)
        {
            v.push(
                &at.field("category"),
                format!(
                    "competency `{}` is in category `{cat}`, which is not defined under categories",
                    c.key
                ),
            );
        }
    }

    let grades = v.unique_keys(
        &root.field("grades"),
        fw.grades.iter().map(|g| &g.key),
        "grade",
    );
    for (i, g) in fw.grades.iter().enumerate() {
        let at = root.field("grades").index(i);
        v.non_blank(
            &g.name,
            &at.field("name"),
            &format!("grade `{}` needs a name", g.key),
        );
    }

    v.unique_keys(
        &root.field("tracks"),
        fw.tracks.iter().map(|t| &t.key),
        "track",
    );
    let library = Library {
        competencies: &competencies,
        grades: &grades,
    };
    for (i, t) in fw.tracks.iter().enumerate() {
        v.track(t, &root.field("tracks").index(i), &library);
    }
    v.out
}

/// The keys a track may refer to.
struct Library<'a> {
    competencies: &'a HashSet<&'a Key>,
    grades: &'a HashSet<&'a Key>,
}

/// A path under construction; cheap to extend because frameworks are shallow.
#[derive(Clone)]
struct Path(Vec<Seg>);

impl Path {
    fn root() -> Self {
        Path(Vec::new())
    }

    fn field(&self, name: &str) -> Self {
        let mut p = self.0.clone();
        p.push(Seg::Field(name.to_owned()));
        Path(p)
    }

    fn index(&self, i: usize) -> Self {
        let mut p = self.0.clone();
        p.push(Seg::Index(i));
        Path(p)
    }
}

#[derive(Default)]
struct Validator {
    out: Vec<Problem>,
}

impl Validator {
    fn push(&mut self, at: &Path, message: String) {
        self.out.push(Problem {
            path: at.0.clone(),
            message,
        });
    }

    fn non_blank(&mut self, text: &str, at: &Path, message: &str) {
        if text.trim().is_empty() {
            self.push(at, message.to_owned());
        }
    }

    /// Reports every key that repeats an earlier one (at the later one's `key`) and returns the set.
    fn unique_keys<'a>(
        &mut self,
        list: &Path,
        keys: impl Iterator<Item = &'a Key>,
        what: &str,
    ) -> HashSet<&'a Key> {
        let mut seen = HashSet::new();
        for (i, key) in keys.enumerate() {
            if !seen.insert(key) {
                self.push(
                    &list.index(i).field("key"),
                    format!("the {what} key `{key}` is used twice: keys must be unique"),
                );
            }
        }
        seen
    }

    fn track(&mut self, t: &Track, at: &Path, library: &Library<'_>) {
        self.non_blank(
            &t.name,
            &at.field("name"),
            &format!("track `{}` needs a name", t.key),
        );

        let mut listed = HashSet::new();
        for (i, c) in t.competencies.iter().enumerate() {
            let here = at.field("competencies").index(i);
            if !library.competencies.contains(c) {
                self.push(
                    &here,
                    format!(
                        "track `{}` uses competency `{c}`, which is not defined under competencies",
                        t.key
                    ),
                );
            }
            if !listed.insert(c) {
                self.push(
                    &here,
                    format!("track `{}` lists competency `{c}` twice", t.key),
                );
            }
        }

        if t.levels.is_empty() {
            self.push(
                &at.field("levels"),
                format!("track `{}` needs at least one level", t.key),
            );
        }
        self.unique_keys(
            &at.field("levels"),
            t.levels.iter().map(|l| &l.key),
            "level",
        );
        for (i, l) in t.levels.iter().enumerate() {
            self.level(t, &listed, l, &at.field("levels").index(i), library);
        }
    }

    fn level(
        &mut self,
        t: &Track,
        listed: &HashSet<&Key>,
        l: &Level,
        at: &Path,
        library: &Library<'_>,
    ) {
        self.non_blank(
            &l.title,
            &at.field("title"),
            &format!("level `{}` needs a title", l.key),
        );
        if let Some(g) = &l.grade
            && !library.grades.contains(g)
        {
            self.push(
                &at.field("grade"),
                format!(
                    "level `{}` has grade `{g}`, which is not defined under grades",
                    l.key
                ),
            );
        }

        if let Some(pay) = &l.pay {
            self.pay(pay, &at.field("pay"));
        }

        self.level_expectations(t, listed, l, at);
        self.level_examples(t, listed, l, at);
        self.level_not_applicable(t, listed, l, at);
    }

    /// Every competency of the track has bullets or is not applicable, and only those.
    fn level_expectations(&mut self, t: &Track, listed: &HashSet<&Key>, l: &Level, at: &Path) {
        let not_applicable: HashSet<&Key> = l.not_applicable.iter().collect();
        let expectations = at.field("expectations");
        for c in &t.competencies {
            let has_bullets = l.expectations.get(c).is_some_and(|b| !b.is_empty());
            if !has_bullets && !not_applicable.contains(c) {
                self.push(
                    &expectations.field(c.as_str()),
                    format!(
                        "level `{}` has no expectations for `{c}`: add bullets or list it under not_applicable",
                        l.key
                    ),
                );
            }
        }
        for (c, bullets) in &l.expectations {
            let here = expectations.field(c.as_str());
            if !listed.contains(c) {
                self.push(
                    &here,
                    format!(
                        "level `{}` has expectations for `{c}`, which track `{}` does not list under competencies",
                        l.key, t.key
                    ),
                );
            }
            if not_applicable.contains(c) {
                self.push(
                    &here,
                    format!(
                        "level `{}` has expectations for `{c}` and also lists it under not_applicable: keep one",
                        l.key
                    ),
                );
            }
            self.bullets(bullets, &here, "expectation");
        }
    }

    /// Examples are given only for the track's competencies.
    fn level_examples(&mut self, t: &Track, listed: &HashSet<&Key>, l: &Level, at: &Path) {
        let examples = at.field("examples");
        for (c, items) in &l.examples {
            let here = examples.field(c.as_str());
            if !listed.contains(c) {
                self.push(
                    &here,
                    format!(
                        "level `{}` has examples for `{c}`, which track `{}` does not list under competencies",
                        l.key, t.key
                    ),
                );
            }
            self.bullets(items, &here, "example");
        }
    }

    /// What is marked not applicable is a competency of the track, listed once.
    fn level_not_applicable(&mut self, t: &Track, listed: &HashSet<&Key>, l: &Level, at: &Path) {
        let mut seen = HashSet::new();
        for (i, c) in l.not_applicable.iter().enumerate() {
            let here = at.field("not_applicable").index(i);
            if !listed.contains(c) {
                self.push(
                    &here,
                    format!(
                        "level `{}` marks `{c}` not applicable, but track `{}` does not list it under competencies",
                        l.key, t.key
                    ),
                );
            }
            if !seen.insert(c) {
                self.push(
                    &here,
                    format!("level `{}` lists `{c}` under not_applicable twice", l.key),
                );
            }
        }
    }

    fn bullets(&mut self, items: &[String], at: &Path, what: &str) {
        for (i, b) in items.iter().enumerate() {
            if b.trim().is_empty() {
                self.push(
                    &at.index(i),
                    format!("this {what} is empty: write it out or remove it"),
                );
            }
        }
    }

    fn pay(&mut self, pay: &Pay, at: &Path) {
        let is_code =
            pay.currency.len() == 3 && pay.currency.bytes().all(|b| b.is_ascii_uppercase());
        if !is_code {
            self.push(
                &at.field("currency"),
                format!(
                    "`{}` is not a currency code: use three capital letters, like EUR or USD",
                    pay.currency
                ),
            );
        }
        match pay.mid {
            Some(mid) if mid < pay.min => self.push(
                &at.field("mid"),
                format!("pay mid ({mid}) is below min ({})", pay.min),
            ),
            Some(mid) if pay.max < mid => self.push(
                &at.field("max"),
                format!("pay max ({}) is below mid ({mid})", pay.max),
            ),
            _ if pay.max < pay.min => self.push(
                &at.field("max"),
                format!("pay max ({}) is below min ({})", pay.max, pay.min),
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{Category, Competency, Grade, TrackKind};

    fn key(s: &str) -> Key {
        Key::parse(s).expect("test key")
    }

    fn bullets(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn level(k: &str, comps: &[&str]) -> Level {
        Level {
            key: key(k),
            title: format!("Level {k}"),
            grade: None,
            summary: None,
            pay: None,
            expectations: comps
                .iter()
                .map(|c| (key(c), bullets(&["Does the thing."])))
                .collect(),
            examples: BTreeMap::new(),
            not_applicable: Vec::new(),
        }
    }

    /// A framework with no problems: two competencies, one track with two levels.
    fn valid() -> Framework {
        Framework {
            name: "Acme".into(),
            description: None,
            categories: vec![Category {
                key: key("impact"),
                name: "Impact".into(),
                description: None,
            }],
            competencies: vec![
                Competency {
                    key: key("ownership"),
                    name: "Ownership".into(),
                    category: Some(key("impact")),
                    description: None,
                },
                Competency {
                    key: key("craft"),
                    name: "Craft".into(),
                    category: None,
                    description: None,
                },
            ],
            grades: vec![Grade {
                key: key("g1"),
                name: "Grade 1".into(),
            }],
            tracks: vec![Track {
                key: key("se"),
                name: "Software Engineering".into(),
                family: None,
                kind: TrackKind::IndividualContributor,
                description: None,
                competencies: vec![key("ownership"), key("craft")],
                levels: vec![
                    level("se1", &["ownership", "craft"]),
                    level("se2", &["ownership", "craft"]),
                ],
            }],
            ..Framework::default()
        }
    }

    fn path(s: &str) -> Vec<Seg> {
        let mut out = Vec::new();
        for part in s.split('.') {
            let (name, rest) = part.split_once('[').unwrap_or((part, ""));
            out.push(Seg::Field(name.to_owned()));
            if !rest.is_empty() {
                out.push(Seg::Index(
                    rest.trim_end_matches(']').parse().expect("index"),
                ));
            }
        }
        out
    }

    fn one_problem(fw: &Framework) -> Problem {
        let mut problems = validate(fw);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        problems.remove(0)
    }

    fn assert_problem(fw: &Framework, at: &str, words: &str) {
        let p = one_problem(fw);
        assert_eq!(p.path, path(at), "{}", p.message);
        assert!(p.message.contains(words), "{:?} lacks {words:?}", p.message);
    }

    #[test]
    fn a_valid_framework_has_no_problems() {
        assert_eq!(validate(&valid()), vec![]);
    }

    #[test]
    fn the_framework_needs_a_name() {
        let mut fw = valid();
        fw.name = "  ".into();
        assert_problem(&fw, "name", "needs a name");
    }

    #[test]
    fn duplicate_category_keys_point_at_the_second() {
        let mut fw = valid();
        fw.categories.push(fw.categories[0].clone());
        assert_problem(&fw, "categories[1].key", "`impact` is used twice");
    }

    #[test]
    fn duplicate_competency_keys_point_at_the_second() {
        let mut fw = valid();
        fw.competencies.push(fw.competencies[0].clone());
        assert_problem(&fw, "competencies[2].key", "`ownership` is used twice");
    }

    #[test]
    fn duplicate_grade_and_track_keys_are_reported() {
        let mut fw = valid();
        fw.grades.push(fw.grades[0].clone());
        fw.tracks.push(fw.tracks[0].clone());
        let paths: Vec<_> = validate(&fw).into_iter().map(|p| p.path).collect();
        assert_eq!(paths, vec![path("grades[1].key"), path("tracks[1].key")]);
    }

    #[test]
    fn duplicate_level_keys_within_a_track_are_reported() {
        let mut fw = valid();
        fw.tracks[0].levels[1].key = key("se1");
        assert_problem(&fw, "tracks[0].levels[1].key", "level key `se1`");
    }

    #[test]
    fn a_competency_category_must_exist() {
        let mut fw = valid();
        fw.competencies[0].category = Some(key("impakt"));
        assert_problem(&fw, "competencies[0].category", "`impakt`");
    }

    #[test]
    fn track_competencies_must_exist_in_the_library() {
        let mut fw = valid();
        fw.tracks[0].competencies.push(key("typing"));
        for l in &mut fw.tracks[0].levels {
            l.not_applicable.push(key("typing"));
        }
        assert_problem(
            &fw,
            "tracks[0].competencies[2]",
            "`typing`, which is not defined",
        );
    }

    #[test]
    fn track_competencies_must_not_repeat() {
        let mut fw = valid();
        fw.tracks[0].competencies.push(key("craft"));
        assert_problem(&fw, "tracks[0].competencies[2]", "`craft` twice");
    }

    #[test]
    fn a_track_needs_a_level() {
        let mut fw = valid();
        fw.tracks[0].levels.clear();
        assert_problem(&fw, "tracks[0].levels", "at least one level");
    }

    #[test]
    fn a_level_grade_must_exist() {
        let mut fw = valid();
        fw.tracks[0].levels[0].grade = Some(key("g9"));
        assert_problem(&fw, "tracks[0].levels[0].grade", "`g9`");
    }

    #[test]
    fn every_cell_needs_expectations_or_not_applicable() {
        let mut fw = valid();
        fw.tracks[0].levels[1]
            .expectations
            .remove(&key("ownership"));
        let p = one_problem(&fw);
        assert_eq!(p.path, path("tracks[0].levels[1].expectations.ownership"));
        assert_eq!(
            p.message,
            "level `se2` has no expectations for `ownership`: add bullets or list it under not_applicable"
        );

        fw.tracks[0].levels[1].not_applicable.push(key("ownership"));
        assert_eq!(validate(&fw), vec![]);
    }

    #[test]
    fn an_empty_bullet_list_is_no_expectation() {
        let mut fw = valid();
        fw.tracks[0].levels[0]
            .expectations
            .insert(key("craft"), Vec::new());
        assert_problem(
            &fw,
            "tracks[0].levels[0].expectations.craft",
            "no expectations for `craft`",
        );
    }

    #[test]
    fn expectations_examples_and_not_applicable_must_name_track_competencies() {
        let mut fw = valid();
        let l = &mut fw.tracks[0].levels[0];
        l.expectations.insert(key("typing"), bullets(&["Fast."]));
        l.examples
            .insert(key("typing"), bullets(&["Typed a novel."]));
        l.not_applicable.push(key("typing"));
        let problems = validate(&fw);
        let paths: Vec<_> = problems.iter().map(|p| p.path.clone()).collect();
        assert_eq!(
            paths,
            vec![
                path("tracks[0].levels[0].expectations.typing"),
                path("tracks[0].levels[0].expectations.typing"),
                path("tracks[0].levels[0].examples.typing"),
                path("tracks[0].levels[0].not_applicable[0]"),
            ]
        );
        assert!(problems[0].message.contains("does not list"));
        assert!(
            problems[1]
                .message
                .contains("also lists it under not_applicable")
        );
    }

    #[test]
    fn expectations_and_not_applicable_exclude_each_other() {
        let mut fw = valid();
        fw.tracks[0].levels[0].not_applicable.push(key("craft"));
        assert_problem(&fw, "tracks[0].levels[0].expectations.craft", "keep one");
    }

    #[test]
    fn not_applicable_must_not_repeat() {
        let mut fw = valid();
        let l = &mut fw.tracks[0].levels[0];
        l.expectations.remove(&key("craft"));
        l.not_applicable = vec![key("craft"), key("craft")];
        assert_problem(&fw, "tracks[0].levels[0].not_applicable[1]", "twice");
    }

    #[test]
    fn empty_bullets_and_examples_are_errors() {
        let mut fw = valid();
        let l = &mut fw.tracks[0].levels[0];
        l.expectations
            .insert(key("craft"), bullets(&["Fine.", "   "]));
        l.examples.insert(key("craft"), bullets(&[""]));
        let paths: Vec<_> = validate(&fw).into_iter().map(|p| p.path).collect();
        assert_eq!(
            paths,
            vec![
                path("tracks[0].levels[0].expectations.craft[1]"),
                path("tracks[0].levels[0].examples.craft[0]"),
            ]
        );
    }

    #[test]
    fn names_and_titles_must_not_be_blank() {
        let mut fw = valid();
        fw.categories[0].name = String::new();
        fw.competencies[1].name = " ".into();
        fw.grades[0].name = "\t".into();
        fw.tracks[0].name = String::new();
        fw.tracks[0].levels[0].title = "\n".into();
        let paths: Vec<_> = validate(&fw).into_iter().map(|p| p.path).collect();
        assert_eq!(
            paths,
            vec![
                path("categories[0].name"),
                path("competencies[1].name"),
                path("grades[0].name"),
                path("tracks[0].name"),
                path("tracks[0].levels[0].title"),
            ]
        );
    }

    fn with_pay(currency: &str, min: u64, mid: Option<u64>, max: u64) -> Framework {
        let mut fw = valid();
        fw.tracks[0].levels[0].pay = Some(Pay {
            currency: currency.into(),
            min,
            mid,
            max,
        });
        fw
    }

    #[test]
    fn pay_needs_a_currency_code_and_ordered_amounts() {
        assert_eq!(validate(&with_pay("EUR", 1, Some(2), 3)), vec![]);
        assert_eq!(validate(&with_pay("EUR", 1, None, 1)), vec![]);
        let at = "tracks[0].levels[0].pay";
        assert_problem(
            &with_pay("eur", 1, None, 2),
            &format!("{at}.currency"),
            "three capital",
        );
        assert_problem(
            &with_pay("EURO", 1, None, 2),
            &format!("{at}.currency"),
            "`EURO`",
        );
        assert_problem(
            &with_pay("EUR", 5, Some(4), 6),
            &format!("{at}.mid"),
            "below min",
        );
        assert_problem(
            &with_pay("EUR", 1, Some(4), 3),
            &format!("{at}.max"),
            "below mid",
        );
        assert_problem(
            &with_pay("EUR", 5, None, 3),
            &format!("{at}.max"),
            "below min",
        );
    }

    #[test]
    fn all_problems_are_reported_in_document_order() {
        let mut fw = valid();
        fw.name = String::new();
        fw.competencies[0].category = Some(key("nope"));
        fw.tracks[0].levels[1].grade = Some(key("g9"));
        let paths: Vec<_> = validate(&fw).into_iter().map(|p| p.path).collect();
        assert_eq!(
            paths,
            vec![
                path("name"),
                path("competencies[0].category"),
                path("tracks[0].levels[1].grade"),
            ]
        );
    }
}
