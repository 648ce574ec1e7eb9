//! Reading a framework file: the positioned YAML tree is walked by hand, so that every wrong type,
//! missing or unknown field and bad key is reported at once with its position. The framework is then
//! checked with [`crate::validate`], and each problem is placed on the node it names.
//!
//! So that shape mistakes and rule violations show up together, the walk never drops a list item: a
//! broken item is kept with stand-ins (empty text, a placeholder key), and rule violations that only
//! echo a shape mistake (same position, or naming a placeholder) are left out. After a syntax error
//! only the shape of what came before it is checked: the rest of the file is unknown.
//!
//! Text fields take any scalar as written: `title: 2` is the text `2`, and `name: yes` is `yes`.
//! A plain `~`, `null` or empty value means "absent" for optional fields, and empty text for
//! required ones (which validation then reports as blank).

use std::collections::{BTreeMap, HashSet};

use super::node::{self, Entry, Node, Pos, Value};
use super::{Diagnostic, FORMAT_VERSION, fields, suggest};
use crate::lint::RULES;
use crate::model::{
    Category, Competency, Framework, Grade, Key, Level, LintSettings, Pay, Track, TrackKind,
};
use crate::validate::{Seg, validate};

/// Reads a framework file. On failure, returns every mistake found, sorted by position.
pub fn read(source: &str) -> Result<Framework, Vec<Diagnostic>> {
    read_with_positions(source).map(|(fw, _)| fw)
}

/// Where the nodes of a framework file start, to report anything found in the framework (a lint
/// finding, say) at its line and column.
pub struct Positions {
    root: Option<Node>,
}

impl Positions {
    /// The 1-based line and column of the node at `path` (a path of [`crate::validate::Seg`]s, as in
    /// a [`crate::validate::Problem`]), or of its nearest ancestor in the file when the node itself
    /// is not written out (a missing cell, say). A mapping entry is placed at its key, unless its
    /// value is a non-empty scalar.
    pub fn of(&self, path: &[Seg]) -> (usize, usize) {
        match &self.root {
            Some(root) => {
                let at = locate(root, path).pos;
                (at.line, at.column)
            }
            None => (Pos::START.line, Pos::START.column),
        }
    }
}

/// Reads a framework file, as [`read`] does, and keeps where each of its nodes starts.
pub fn read_with_positions(source: &str) -> Result<(Framework, Positions), Vec<Diagnostic>> {
    let reading = read_all(source);
    match reading.framework {
        Some(fw) if reading.diagnostics.is_empty() => Ok((fw, reading.positions)),
        _ => Err(reading.diagnostics),
    }
}

/// Everything a reading of a framework file found, whether the file is valid or not.
pub struct Reading {
    /// The framework as far as it could be read, broken items kept with stand-ins (empty text, a
    /// placeholder key), so that it can be linted alongside its mistakes. Absent when the file has
    /// a syntax error, which leaves the rest of the file unknown, or is no framework at all.
    pub framework: Option<Framework>,
    pub positions: Positions,
    /// Every mistake (shape and validation), sorted by position; empty for a valid file.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a framework file and keeps everything found, for a linter that reports every mistake and
/// every finding in one run: [`read_with_positions`] is this with the framework only when valid.
pub fn read_all(source: &str) -> Reading {
    let parsed = node::parse(source);
    let mut r = Reader {
        diagnostics: parsed.diagnostics,
        complete: parsed.complete,
        placeholders: Vec::new(),
        with_unknown_fields: HashSet::new(),
        unreported: 0,
    };
    if r.diagnostics.len() > MAX_REPORTED {
        r.unreported = r.diagnostics.len() - MAX_REPORTED;
        r.diagnostics.truncate(MAX_REPORTED);
    }
    let framework = match &parsed.root {
        Some(root) => r.framework(root),
        None => {
            if r.complete {
                r.error(
                    Pos::START,
                    format!(
                        "the file is empty: a framework starts with `trellis: {FORMAT_VERSION}`"
                    ),
                );
            }
            None
        }
    };
    let mut diagnostics = r.diagnostics;
    if let (Some(fw), Some(root), true) = (&framework, &parsed.root, r.complete) {
        let shape_errors: HashSet<(usize, usize)> =
            diagnostics.iter().map(|d| (d.line, d.column)).collect();
        let echoes_placeholder = |message: &str| {
            r.placeholders
                .iter()
                .any(|p| message.contains(&format!("`{p}`")))
        };
        for problem in validate(fw) {
            if diagnostics.len() >= MAX_REPORTED {
                r.unreported += 1;
                continue;
            }
            let at = locate(root, &problem.path);
            // A path that falls short lands on an ancestor, whose own errors are about other things.
            let echoes_shape_error = at.exact
                && [at.pos, at.node]
                    .iter()
                    .any(|p| shape_errors.contains(&(p.line, p.column)));
            let maybe_misspelt = !at.exact && r.with_unknown_fields.contains(&at.node);
            if echoes_shape_error || maybe_misspelt || echoes_placeholder(&problem.message) {
                continue;
            }
            diagnostics.push(Diagnostic {
                line: at.pos.line,
                column: at.pos.column,
                message: problem.message,
            });
        }
    }
    diagnostics.sort_by_key(|d| (d.line, d.column));
    if r.unreported > 0
        && let Some(last) = diagnostics.last()
    {
        let (line, column) = (last.line, last.column);
        diagnostics.push(Diagnostic {
            line,
            column,
            message: format!(
                "and {} more mistakes, not listed: correct the ones above and read the file again",
                r.unreported
            ),
        });
    }
    Reading {
        framework: framework.filter(|_| r.complete),
        positions: Positions { root: parsed.root },
        diagnostics,
    }
}

/// Where a validation path lands in the file.
struct Located {
    /// Where to report: the named node, or its nearest ancestor that exists. A path ending at a
    /// mapping entry points at its key, unless the value is a non-empty scalar.
    pos: Pos,
    /// The deepest node reached.
    node: Pos,
    /// Whether the whole path exists.
    exact: bool,
}

fn locate(root: &Node, path: &[Seg]) -> Located {
    let mut node = root;
    let mut best = root.pos;
    let mut exact = true;
    for (i, seg) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        match (seg, &node.value) {
            (Seg::Field(name), Value::Map(entries)) => {
                let Some(e) = entries.iter().find(|e| &e.key == name) else {
                    exact = false;
                    break;
                };
                let scalar = matches!(e.value.value, Value::Scalar { .. }) && !e.value.is_null();
                best = if last && scalar {
                    e.value.pos
                } else {
                    e.key_pos
                };
                node = &e.value;
            }
            (Seg::Index(i), Value::Seq(items)) => {
                let Some(item) = items.get(*i) else {
                    exact = false;
                    break;
                };
                best = item.pos;
                node = item;
            }
            _ => {
                exact = false;
                break;
            }
        }
    }
    Located {
        pos: best,
        node: node.pos,
        exact,
    }
}

struct Reader {
    diagnostics: Vec<Diagnostic>,
    /// False when a syntax error cut the document short: missing fields may then just be unread.
    complete: bool,
    /// Stand-in keys given to items whose own key is missing or invalid.
    placeholders: Vec<String>,
    /// Mappings with a misspelt field: what seems missing from them may be under the wrong name.
    with_unknown_fields: HashSet<Pos>,
    /// Mistakes found past [`MAX_REPORTED`], counted but not described.
    unreported: usize,
}

/// How many mistakes one reading describes. A file with more (a generated file gone wrong, or
/// one made to tie up the server) gets the first ones and the count of the rest: describing and
/// placing each of hundreds of thousands of mistakes would take long and help nobody.
pub const MAX_REPORTED: usize = 1000;

/// The entries of a mapping whose field names were checked.
struct Fields<'a> {
    pos: Pos,
    entries: &'a [Entry],
    what: &'static str,
    /// Not a mapping at all (already reported): missing fields are not worth mentioning.
    broken: bool,
}

impl<'a> Fields<'a> {
    fn get(&self, name: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|e| e.key == name)
            .map(|e| &e.value)
    }
}

impl Reader {
    fn error(&mut self, pos: Pos, message: String) {
        if self.diagnostics.len() >= MAX_REPORTED {
            self.unreported += 1;
            return;
        }
        self.diagnostics.push(Diagnostic {
            line: pos.line,
            column: pos.column,
            message,
        });
    }

    fn wrong_type(&mut self, node: &Node, expected: &str) {
        let found = match &node.value {
            Value::Map(_) => "a mapping",
            Value::Seq(_) => "a list",
            Value::Scalar { .. } if node.is_null() => "nothing",
            Value::Scalar { .. } => "text",
            Value::Invalid => return,
        };
        self.error(node.pos, format!("expected {expected}, found {found}"));
    }

    /// Checks that `node` is a mapping whose fields are all among `allowed`.
    fn fields<'a>(&mut self, node: &'a Node, allowed: &[&str], what: &'static str) -> Fields<'a> {
        let Value::Map(entries) = &node.value else {
            self.wrong_type(node, &format!("a mapping for the {what}"));
            return Fields {
                pos: node.pos,
                entries: &[],
                what,
                broken: true,
            };
        };
        for e in entries {
            if allowed.contains(&e.key.as_str()) {
                continue;
            }
            self.with_unknown_fields.insert(node.pos);
            if self.diagnostics.len() >= MAX_REPORTED {
                self.unreported += 1;
                continue;
            }
            let message = match suggest::closest(&e.key, allowed) {
                Some(s) => format!("unknown field `{}`, did you mean `{s}`?", e.key),
                None => format!(
                    "unknown field `{}` in a {what}: the fields are {}",
                    e.key,
                    allowed.join(", ")
                ),
            };
            self.error(e.key_pos, message);
        }
        Fields {
            pos: node.pos,
            entries,
            what,
            broken: false,
        }
    }

    fn required<'a>(&mut self, map: &Fields<'a>, name: &str) -> Option<&'a Node> {
        let found = map.get(name);
        if found.is_none() && self.complete && !map.broken {
            self.error(map.pos, format!("this {} is missing `{name}`", map.what));
        }
        found
    }

    /// Any scalar, as written; a null is empty text.
    fn text(&mut self, node: &Node) -> Option<String> {
        match &node.value {
            Value::Scalar { .. } if node.is_null() => Some(String::new()),
            Value::Scalar { text, .. } => Some(text.clone()),
            _ => {
                self.wrong_type(node, "text");
                None
            }
        }
    }

    /// Required text; empty when missing or unusable (already reported).
    fn required_text(&mut self, map: &Fields<'_>, name: &str) -> String {
        self.required(map, name)
            .and_then(|n| self.text(n))
            .unwrap_or_default()
    }

    /// `None` when absent or null (and when of the wrong type, which is reported).
    fn optional_text(&mut self, map: &Fields<'_>, name: &str) -> Option<String> {
        let node = map.get(name).filter(|n| !n.is_null())?;
        self.text(node)
    }

    fn key(&mut self, node: &Node) -> Option<Key> {
        let text = self.text(node)?;
        self.parse_key(&text, node.pos)
    }

    fn parse_key(&mut self, text: &str, pos: Pos) -> Option<Key> {
        match Key::parse(text) {
            Ok(k) => Some(k),
            Err(e) => {
                self.error(pos, e.0);
                None
            }
        }
    }

    /// The item's own key, or a placeholder when it is missing or invalid (already reported).
    fn required_key(&mut self, map: &Fields<'_>, name: &str) -> Key {
        match self.required(map, name) {
            Some(node) => self.key_or_placeholder(node),
            None => self.placeholder(map.pos),
        }
    }

    fn key_or_placeholder(&mut self, node: &Node) -> Key {
        match self.key(node) {
            Some(k) => k,
            None => self.placeholder(node.pos),
        }
    }

    /// A stand-in key that keeps list positions aligned with the file; problems naming it are
    /// echoes of an error already reported.
    fn placeholder(&mut self, pos: Pos) -> Key {
        let text = format!("invalid-key-{}-{}", pos.line, pos.column);
        self.placeholders.push(text.clone());
        Key::parse(&text).unwrap_or_else(|_| unreachable!("placeholders are well-formed keys"))
    }

    fn optional_key(&mut self, map: &Fields<'_>, name: &str) -> Option<Key> {
        let node = map.get(name).filter(|n| !n.is_null())?;
        self.key(node)
    }

    /// The items of a list; a null is an empty list.
    fn items<'a>(&mut self, node: Option<&'a Node>, expected: &str) -> &'a [Node] {
        match node {
            Some(Node {
                value: Value::Seq(items),
                ..
            }) => items,
            Some(n) if !n.is_null() => {
                self.wrong_type(n, expected);
                &[]
            }
            _ => &[],
        }
    }

    fn keys(&mut self, node: Option<&Node>) -> Vec<Key> {
        let items = self.items(node, "a list of keys");
        items.iter().map(|n| self.key_or_placeholder(n)).collect()
    }

    fn strings(&mut self, node: &Node) -> Vec<String> {
        const EXPECTED: &str = "a list of strings";
        if node.is_null() {
            return Vec::new();
        }
        let Value::Seq(items) = &node.value else {
            self.wrong_type(node, EXPECTED);
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match &item.value {
                Value::Scalar { .. } if item.is_null() => out.push(String::new()),
                Value::Scalar { text, .. } => out.push(text.clone()),
                _ => self.wrong_type(item, "text in a list of strings"),
            }
        }
        out
    }

    /// A mapping from competency key to a list of strings (`expectations`, `examples`).
    fn bullets_by_competency(&mut self, node: Option<&Node>) -> BTreeMap<Key, Vec<String>> {
        let mut out = BTreeMap::new();
        let Some(node) = node.filter(|n| !n.is_null()) else {
            return out;
        };
        let Value::Map(entries) = &node.value else {
            self.wrong_type(node, "a mapping from competency key to a list of strings");
            return out;
        };
        for e in entries {
            let key = self.parse_key(&e.key, e.key_pos);
            let bullets = self.strings(&e.value);
            if let Some(key) = key {
                out.insert(key, bullets);
            }
        }
        out
    }

    fn framework(&mut self, root: &Node) -> Option<Framework> {
        if !matches!(root.value, Value::Map(_)) {
            self.wrong_type(
                root,
                "a mapping with `trellis: 1`, `name` and the other fields",
            );
            return None;
        }
        let map = self.fields(root, fields::FRAMEWORK, "framework");
        self.version(&map);
        let name = self.required_text(&map, "name");
        let description = self.optional_text(&map, "description");
        let lint = self.lint_settings(map.get("lint"));
        let categories = self.list(map.get("categories"), Self::category);
        let competencies = self.list(map.get("competencies"), Self::competency);
        let grades = self.list(map.get("grades"), Self::grade);
        let tracks = self.list(map.get("tracks"), Self::track);
        Some(Framework {
            name,
            description,
            categories,
            competencies,
            grades,
            tracks,
            lint,
        })
    }

    /// `lint: { disable: [rule-id, …] }`: every id must name a rule of the linter.
    fn lint_settings(&mut self, node: Option<&Node>) -> LintSettings {
        let mut settings = LintSettings::default();
        let Some(node) = node.filter(|n| !n.is_null()) else {
            return settings;
        };
        let map = self.fields(node, fields::LINT, "lint setting");
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        for item in self.items(map.get("disable"), "a list of rule ids") {
            let Some(text) = self.text(item) else {
                continue;
            };
            if !ids.contains(&text.as_str()) {
                let message = match suggest::closest(&text, &ids) {
                    Some(s) => format!("unknown lint rule `{text}`, did you mean `{s}`?"),
                    None => format!(
                        "unknown lint rule `{text}`: the rules are {}",
                        ids.join(", ")
                    ),
                };
                self.error(item.pos, message);
                continue;
            }
            match Key::parse(&text) {
                Ok(k) if settings.disable.contains(&k) => {
                    self.error(item.pos, format!("the lint rule `{text}` is listed twice"));
                }
                Ok(k) => settings.disable.push(k),
                Err(e) => self.error(item.pos, e.0),
            }
        }
        settings
    }

    fn version(&mut self, map: &Fields<'_>) {
        let supported = format!("this version of Trellis reads `trellis: {FORMAT_VERSION}`");
        let Some(node) = map.get("trellis") else {
            if self.complete {
                self.error(
                    map.pos,
                    format!("the file must say which format it uses: add `trellis: {FORMAT_VERSION}` at the top"),
                );
            }
            return;
        };
        match &node.value {
            Value::Scalar { text, plain: true } if text.parse() == Ok(FORMAT_VERSION) => {}
            Value::Scalar { text, plain: true } if text.parse::<u64>().is_ok() => self.error(
                node.pos,
                format!("format version {text} is not supported: {supported}"),
            ),
            _ => self.error(
                node.pos,
                format!("`trellis` must be the format version as a number: {supported}"),
            ),
        }
    }

    fn list<T>(&mut self, node: Option<&Node>, item: fn(&mut Self, &Node) -> T) -> Vec<T> {
        let items = self.items(node, "a list");
        items.iter().map(|n| item(self, n)).collect()
    }

    fn category(&mut self, node: &Node) -> Category {
        let map = self.fields(node, fields::CATEGORY, "category");
        let key = self.required_key(&map, "key");
        let name = self.required_text(&map, "name");
        let description = self.optional_text(&map, "description");
        Category {
            key,
            name,
            description,
        }
    }

    fn competency(&mut self, node: &Node) -> Competency {
        let map = self.fields(node, fields::COMPETENCY, "competency");
        let key = self.required_key(&map, "key");
        let name = self.required_text(&map, "name");
        let category = self.optional_key(&map, "category");
        let description = self.optional_text(&map, "description");
        Competency {
            key,
            name,
            category,
            description,
        }
    }

    fn grade(&mut self, node: &Node) -> Grade {
        let map = self.fields(node, fields::GRADE, "grade");
        let key = self.required_key(&map, "key");
        let name = self.required_text(&map, "name");
        Grade { key, name }
    }

    fn track(&mut self, node: &Node) -> Track {
        let map = self.fields(node, fields::TRACK, "track");
        let key = self.required_key(&map, "key");
        let name = self.required_text(&map, "name");
        let family = self.optional_text(&map, "family");
        let kind = self.kind(&map);
        let description = self.optional_text(&map, "description");
        let competencies = self.keys(map.get("competencies"));
        let levels = self.list(map.get("levels"), Self::level);
        Track {
            key,
            name,
            family,
            // A stand-in when the kind is missing or unknown (already reported).
            kind: kind.unwrap_or(TrackKind::IndividualContributor),
            description,
            competencies,
            levels,
        }
    }

    fn kind(&mut self, map: &Fields<'_>) -> Option<TrackKind> {
        let node = self.required(map, "kind")?;
        let text = self.text(node)?;
        if let Some(kind) = TrackKind::parse(&text) {
            return Some(kind);
        }
        let allowed = TrackKind::ALL.map(TrackKind::as_str);
        let message = match suggest::closest(&text, &allowed) {
            Some(s) => format!("unknown kind `{text}`, did you mean `{s}`?"),
            None => format!("unknown kind `{text}`: use `{}`", allowed.join("` or `")),
        };
        self.error(node.pos, message);
        None
    }

    fn level(&mut self, node: &Node) -> Level {
        let map = self.fields(node, fields::LEVEL, "level");
        let key = self.required_key(&map, "key");
        let title = self.required_text(&map, "title");
        let grade = self.optional_key(&map, "grade");
        let summary = self.optional_text(&map, "summary");
        let pay = map.get("pay").filter(|n| !n.is_null()).map(|n| self.pay(n));
        let expectations = self.bullets_by_competency(map.get("expectations"));
        let examples = self.bullets_by_competency(map.get("examples"));
        let not_applicable = self.keys(map.get("not_applicable"));
        Level {
            key,
            title,
            grade,
            summary,
            pay: pay.flatten(),
            expectations,
            examples,
            not_applicable,
        }
    }

    fn pay(&mut self, node: &Node) -> Option<Pay> {
        let map = self.fields(node, fields::PAY, "pay band");
        let currency = self.required_text(&map, "currency");
        let min = self.required(&map, "min").and_then(|n| self.amount(n));
        let mid = map
            .get("mid")
            .filter(|n| !n.is_null())
            .map(|n| self.amount(n));
        let max = self.required(&map, "max").and_then(|n| self.amount(n));
        if map.broken {
            return None;
        }
        Some(Pay {
            currency,
            min: min?,
            mid: match mid {
                Some(amount) => Some(amount?),
                None => None,
            },
            max: max?,
        })
    }

    /// A pay amount: a plain, non-negative whole number.
    fn amount(&mut self, node: &Node) -> Option<u64> {
        if let Value::Scalar { text, plain: true } = &node.value
            && text.bytes().all(|b| b.is_ascii_digit())
            && let Ok(n) = text.parse()
        {
            return Some(n);
        }
        if !matches!(node.value, Value::Invalid) {
            self.error(
                node.pos,
                "expected an amount as a whole, non-negative number, like 55000".into(),
            );
        }
        None
    }
}
