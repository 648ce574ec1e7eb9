//! Writing a framework as the canonical file: fields in the documented order, empty optional fields
//! left out, strings quoted only when YAML would read them differently, and multi-line text as
//! literal blocks. The output reads back to the same framework, and writing it again gives the same
//! text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::FORMAT_VERSION;
use crate::model::{Framework, Key, Level, Pay, Track};

/// The framework as a version 1 framework file.
pub fn write(fw: &Framework) -> String {
    let mut w = Writer::default();
    w.line(0, &format!("trellis: {FORMAT_VERSION}"));
    w.text_field(0, "name", &fw.name);
    w.optional_text(0, "description", fw.description.as_deref());
    if !fw.lint.is_empty() {
        w.line(0, "lint:");
        w.line(2, &format!("disable: {}", flow_keys(&fw.lint.disable)));
    }

    w.list(0, "categories", &fw.categories, |w, c| {
        w.text_field(4, "key", c.key.as_str());
        w.text_field(4, "name", &c.name);
        w.optional_text(4, "description", c.description.as_deref());
    });
    w.list(0, "competencies", &fw.competencies, |w, c| {
        w.text_field(4, "key", c.key.as_str());
        w.text_field(4, "name", &c.name);
        w.optional_text(4, "category", c.category.as_ref().map(Key::as_str));
        w.optional_text(4, "description", c.description.as_deref());
    });
    w.list(0, "grades", &fw.grades, |w, g| {
        w.text_field(4, "key", g.key.as_str());
        w.text_field(4, "name", &g.name);
    });
    w.list(0, "tracks", &fw.tracks, Writer::track);
    w.out
}

#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    fn line(&mut self, indent: usize, text: &str) {
        self.indent(indent);
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn indent(&mut self, indent: usize) {
        self.out.extend(std::iter::repeat_n(' ', indent));
    }

    /// A list of mappings under `name`, each item's first field on the `- ` line. Items write their
    /// fields at `indent + 4`; the first of them is pulled up onto the dash.
    fn list<T>(&mut self, indent: usize, name: &str, items: &[T], item: impl Fn(&mut Self, &T)) {
        if items.is_empty() {
            return;
        }
        self.line(indent, &format!("{name}:"));
        for it in items {
            let mut inner = Writer::default();
            item(&mut inner, it);
            // The item was written at a fixed depth of 4; shift it to this list's depth.
            let dash = " ".repeat(indent + 2);
            for (i, line) in inner.out.split_inclusive('\n').enumerate() {
                let body = line.strip_prefix("    ").unwrap_or(line);
                if i == 0 {
                    self.out.push_str(&dash);
                    self.out.push_str("- ");
                    self.out.push_str(body);
                } else if line == "\n" {
                    self.out.push('\n');
                } else {
                    self.out.push_str(&" ".repeat(indent));
                    self.out.push_str(line);
                }
            }
        }
    }

    fn text_field(&mut self, indent: usize, name: &str, value: &str) {
        self.indent(indent);
        self.out.push_str(name);
        self.out.push(':');
        self.block_value(indent, value);
    }

    fn optional_text(&mut self, indent: usize, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.text_field(indent, name, v);
        }
    }

    /// Writes ` value\n` after a `key:` or `-`, as a literal block when the text spans lines.
    /// `indent` is the column of the key or dash: block content goes two columns further in.
    fn block_value(&mut self, indent: usize, value: &str) {
        if let Some(header) = literal_header(value) {
            self.out.push_str(" |");
            self.out.push_str(header);
            self.out.push('\n');
            let body = value.strip_suffix('\n').unwrap_or(value);
            for line in body.split('\n') {
                if !line.is_empty() {
                    self.indent(indent + 2);
                    self.out.push_str(line);
                }
                self.out.push('\n');
            }
        } else {
            self.out.push(' ');
            self.out.push_str(&scalar(value, Context::Block));
            self.out.push('\n');
        }
    }

    fn track(&mut self, t: &Track) {
        self.text_field(4, "key", t.key.as_str());
        self.text_field(4, "name", &t.name);
        self.optional_text(4, "family", t.family.as_deref());
        self.text_field(4, "kind", t.kind.as_str());
        self.optional_text(4, "description", t.description.as_deref());
        if !t.competencies.is_empty() {
            self.line(4, &format!("competencies: {}", flow_keys(&t.competencies)));
        }
        let order = &t.competencies;
        self.list(4, "levels", &t.levels, |w, l| w.level(l, order));
    }

    fn level(&mut self, l: &Level, order: &[Key]) {
        self.text_field(4, "key", l.key.as_str());
        self.text_field(4, "title", &l.title);
        self.optional_text(4, "grade", l.grade.as_ref().map(Key::as_str));
        self.optional_text(4, "summary", l.summary.as_deref());
        if let Some(pay) = &l.pay {
            self.line(4, &format!("pay: {}", flow_pay(pay)));
        }
        self.bullets_by_competency("expectations", &l.expectations, order);
        self.bullets_by_competency("examples", &l.examples, order);
        if !l.not_applicable.is_empty() {
            self.line(
                4,
                &format!("not_applicable: {}", flow_keys(&l.not_applicable)),
            );
        }
    }

    /// `expectations` or `examples`, in the order of the track's competencies, then any others in
    /// key order.
    fn bullets_by_competency(
        &mut self,
        name: &str,
        map: &BTreeMap<Key, Vec<String>>,
        order: &[Key],
    ) {
        if map.is_empty() {
            return;
        }
        self.line(4, &format!("{name}:"));
        let listed = order.iter().filter_map(|k| map.get_key_value(k));
        let others = map.iter().filter(|(k, _)| !order.contains(k));
        let mut written = std::collections::HashSet::new();
        for (key, items) in listed.chain(others) {
            if !written.insert(key) {
                continue;
            }
            let key = scalar(key.as_str(), Context::Block);
            if items.is_empty() {
                self.line(6, &format!("{key}: []"));
                continue;
            }
            self.line(6, &format!("{key}:"));
            for item in items {
                self.indent(8);
                self.out.push('-');
                self.block_value(8, item);
            }
        }
    }
}

fn flow_keys(keys: &[Key]) -> String {
    let items: Vec<String> = keys
        .iter()
        .map(|k| scalar(k.as_str(), Context::Flow))
        .collect();
    format!("[{}]", items.join(", "))
}

fn flow_pay(pay: &Pay) -> String {
    let mut s = format!(
        "{{ currency: {}, min: {}",
        scalar(&pay.currency, Context::Flow),
        pay.min
    );
    if let Some(mid) = pay.mid {
        let _ = write!(s, ", mid: {mid}");
    }
    let _ = write!(s, ", max: {} }}", pay.max);
    s
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Block,
    /// Inside `[ ]` or `{ }`, where `,` and brackets end a plain scalar.
    Flow,
}

/// The block scalar header (`-`, ``, `+`, with an indentation indicator when needed) for text that
/// should be written as a literal block, or `None` when it should stay on one line.
fn literal_header(s: &str) -> Option<&'static str> {
    if !s.contains('\n') || s.trim().is_empty() || !s.chars().all(literal_safe) {
        return None;
    }
    let trailing = s.len() - s.trim_end_matches('\n').len();
    // A first line that starts with a space (or is empty) would mislead indentation detection.
    let explicit = s.starts_with(' ') || s.starts_with('\n');
    Some(match (trailing, explicit) {
        (0, false) => "-",
        (0, true) => "2-",
        (1, false) => "",
        (1, true) => "2",
        (_, false) => "+",
        (_, true) => "2+",
    })
}

/// Characters a literal block holds as they are (no escapes exist there).
fn literal_safe(c: char) -> bool {
    c == '\n' || c == '\t' || !needs_escape(c)
}

/// Characters that must be escaped inside double quotes (and so never appear in plain or literal text).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// A one-line scalar: plain when YAML reads it back as the same string, else double-quoted.
fn scalar(s: &str, context: Context) -> String {
    if plain_ok(s, context) {
        s.to_owned()
    } else {
        quoted(s)
    }
}

fn plain_ok(s: &str, context: Context) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.starts_with([' ', '\t'])
        || s.ends_with([' ', '\t', ':'])
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || s.starts_with("...")
        || s.contains(": ")
        || s.contains(" #")
        || s.chars().any(needs_escape)
        || looks_like_non_string(s)
    {
        return false;
    }
    context == Context::Block || !s.contains([',', '[', ']', '{', '}'])
}

/// Words and numbers a YAML reader (1.1 or 1.2) could take for something other than text.
fn looks_like_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "~", "null", "true", "false", "yes", "no", "y", "n", "on", "off", ".inf", "-.inf", "+.inf",
        ".nan",
    ];
    let lower = s.to_ascii_lowercase();
    WORDS.contains(&lower.as_str())
        || s.parse::<f64>().is_ok()
        || lower.starts_with("0x")
        || lower.starts_with("0o")
        || lower.starts_with("0b")
        || (s.chars().any(|c| c.is_ascii_digit())
            && s.chars()
                .all(|c| c.is_ascii_digit() || "+-.:_eE".contains(c)))
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_stays_plain() {
        for s in [
            "Ownership",
            "Software Engineer II",
            "a: b",
            "2nd level",
            "C#",
            "x-y",
        ] {
            let expected = if s == "a: b" { "\"a: b\"" } else { s };
            assert_eq!(scalar(s, Context::Block), expected);
        }
    }

    #[test]
    fn text_yaml_would_misread_is_quoted() {
        for s in [
            "",
            "yes",
            "No",
            "~",
            "null",
            "1",
            "1.0",
            "0x10",
            "-5",
            "1_000",
            "12:30",
            " x",
            "x ",
            "- x",
            "[x",
            "{x",
            "*x",
            "&x",
            "!x",
            "%x",
            "@x",
            "`x",
            "'x",
            "\"x",
            "#x",
            "x #y",
            "a:",
            "...",
            "tab\there",
        ] {
            assert!(scalar(s, Context::Block).starts_with('"'), "{s:?}");
        }
        assert_eq!(scalar("a, b", Context::Block), "a, b");
        assert_eq!(scalar("a, b", Context::Flow), "\"a, b\"");
    }

    #[test]
    fn quotes_escape_what_they_must() {
        assert_eq!(quoted("a\"b\\c\u{7}"), r#""a\"b\\c\u0007""#);
    }

    #[test]
    fn literal_headers_keep_trailing_newlines_and_leading_spaces() {
        assert_eq!(literal_header("a\nb"), Some("-"));
        assert_eq!(literal_header("a\nb\n"), Some(""));
        assert_eq!(literal_header("a\nb\n\n"), Some("+"));
        assert_eq!(literal_header("  a\nb"), Some("2-"));
        assert_eq!(literal_header("one line"), None);
        assert_eq!(literal_header("\n\n"), None);
        assert_eq!(literal_header("a\r\nb"), None);
    }
}
