//! Reading YAML (and JSON, which the same parser reads) for the importers: the positioned tree of
//! [`crate::yaml`]'s reader, with typed accessors that report a wrong type at its file, line and
//! column instead of failing.

use super::FileDiagnostic;
use crate::yaml::node::{self, Entry, Node, Pos, Value};

/// The diagnostics of one file being read.
pub(crate) struct Doc<'f> {
    pub file: &'f str,
    /// Lines before the parsed text in the file (front matter starts after its `---` line).
    line_offset: usize,
    pub diagnostics: Vec<FileDiagnostic>,
}

impl<'f> Doc<'f> {
    /// Parses `text`, which starts `line_offset` lines into `file`. The root is `None` when the text
    /// is empty or has a syntax error (which is then reported).
    pub fn parse(file: &'f str, text: &str, line_offset: usize) -> (Doc<'f>, Option<Node>) {
        let parsed = node::parse(text);
        let mut doc = Doc {
            file,
            line_offset,
            diagnostics: Vec::new(),
        };
        for d in parsed.diagnostics {
            doc.diagnostics.push(FileDiagnostic::new(
                file,
                d.line + line_offset,
                d.column,
                d.message,
            ));
        }
        let root = if parsed.complete { parsed.root } else { None };
        (doc, root)
    }

    pub fn error(&mut self, pos: Pos, message: impl Into<String>) {
        self.diagnostics.push(FileDiagnostic::new(
            self.file,
            pos.line + self.line_offset,
            pos.column,
            message,
        ));
    }

    pub fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Entry]> {
        match &node.value {
            Value::Map(entries) => Some(entries),
            Value::Invalid => None,
            _ => {
                self.error(
                    node.pos,
                    format!("{what} must be a mapping (`key: value` lines)"),
                );
                None
            }
        }
    }

    pub fn seq<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            _ if node.is_null() => Some(&[]),
            Value::Invalid => None,
            _ => {
                self.error(node.pos, format!("{what} must be a list"));
                None
            }
        }
    }

    /// The text of a scalar; `None` for null (and, reported, for a list or mapping).
    pub fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            _ if node.is_null() => None,
            Value::Scalar { text, .. } => Some(text.clone()),
            Value::Invalid => None,
            _ => {
                self.error(node.pos, format!("{what} must be text"));
                None
            }
        }
    }

    /// A list of texts; a single text is taken as a list of one.
    pub fn texts(&mut self, node: &Node, what: &str) -> Vec<String> {
        match &node.value {
            Value::Scalar { .. } => self.text(node, what).into_iter().collect(),
            _ => self
                .seq(node, what)
                .unwrap_or_default()
                .iter()
                .filter_map(|item| self.text(item, &format!("each item of {what}")))
                .collect(),
        }
    }

    /// A whole number, reported if it is anything else.
    pub fn number(&mut self, node: &Node, what: &str) -> Option<u64> {
        let text = self.text(node, what)?;
        match text.trim().parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.error(
                    node.pos,
                    format!("{what} must be a whole number, not `{text}`"),
                );
                None
            }
        }
    }
}

/// The value of `key` in a mapping.
pub(crate) fn field<'n>(entries: &'n [Entry], key: &str) -> Option<&'n Node> {
    entries.iter().find(|e| e.key == key).map(|e| &e.value)
}

/// The value of the first of `keys` present in a mapping.
pub(crate) fn field_of<'n>(entries: &'n [Entry], keys: &[&str]) -> Option<&'n Node> {
    keys.iter().find_map(|k| field(entries, k))
}
