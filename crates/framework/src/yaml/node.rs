//! A small YAML tree that remembers where every node and mapping key starts, built from the events
//! of `saphyr-parser`. It knows nothing about frameworks: it only turns text into positioned nodes
//! and reports what plain data cannot hold (anchors, aliases, tags, duplicate keys, more than one
//! document, syntax errors).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::Diagnostic;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };

    fn of(span: Span) -> Pos {
        Pos {
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Debug)]
pub(crate) enum Value {
    Map(Vec<Entry>),
    Seq(Vec<Node>),
    /// The text as written, and whether it was plain (unquoted, not a block scalar).
    Scalar {
        text: String,
        plain: bool,
    },
    /// Something already reported (an alias, a complex key): readers skip it silently.
    Invalid,
}

#[derive(Debug)]
pub(crate) struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

impl Node {
    /// A plain `~`, `null` or nothing at all.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
}

/// The document's root node (if the text holds one) and everything wrong with its syntax. When the
/// text has a syntax error, the tree holds what came before it, and `complete` is false.
pub(crate) struct Parsed {
    pub root: Option<Node>,
    pub complete: bool,
    pub diagnostics: Vec<Diagnostic>,
}

enum Frame {
    Map {
        pos: Pos,
        entries: Vec<Entry>,
        /// The index in `entries` of each key, to find a repeated key at once however many the
        /// mapping has.
        seen: HashMap<String, usize>,
        key: Option<PendingKey>,
    },
    Seq {
        pos: Pos,
        items: Vec<Node>,
    },
}

enum PendingKey {
    Text(String, Pos),
    /// A key that is not a scalar; already reported, its value is dropped.
    Invalid,
}

/// How deep lists and mappings may nest in a file. A framework file needs six levels; the formats
/// the importers read need fewer than ten. Deeper files are refused before any tree is built, so
/// that walking or dropping the tree cannot exhaust the stack.
pub const MAX_DEPTH: usize = 64;

struct Builder {
    stack: Vec<Frame>,
    /// Set when the file nests deeper than [`MAX_DEPTH`]: reading stops there.
    too_deep: bool,
    root: Option<Node>,
    documents: usize,
    diagnostics: Vec<Diagnostic>,
}

pub(crate) fn parse(source: &str) -> Parsed {
    let mut b = Builder {
        stack: Vec::new(),
        too_deep: false,
        root: None,
        documents: 0,
        diagnostics: Vec::new(),
    };
    let mut complete = true;
    for event in Parser::new_from_str(source) {
        match event {
            Ok((event, span)) => {
                b.event(event, span);
                if b.too_deep {
                    complete = false;
                    break;
                }
            }
            Err(e) => {
                let m = e.marker();
                let at = Pos {
                    line: m.line(),
                    column: m.col() + 1,
                };
                let tab = indenting_tab(source, at.line).filter(|_| e.info().contains("tab"));
                let (at, message) = if let Some(tab) = tab {
                    (
                        tab,
                        "YAML syntax error: a tab in the indentation; indent with spaces"
                            .to_owned(),
                    )
                } else if e.info().contains("quoted scalar") {
                    (
                        at,
                        format!(
                            "YAML syntax error: {} (is a closing quote missing?)",
                            e.info()
                        ),
                    )
                } else {
                    (at, format!("YAML syntax error: {}", e.info()))
                };
                b.error(at, message);
                complete = false;
                break;
            }
        }
    }
    if !complete {
        // Keep what was read before the error, so its own mistakes can still be reported.
        while !b.stack.is_empty() {
            b.close();
        }
    }
    Parsed {
        root: b.root,
        complete,
        diagnostics: b.diagnostics,
    }
}

/// The first tab used for indentation on `line` or after it. The parser may notice such a tab only
/// at the end of the line before, so the error is moved to where the tab is.
fn indenting_tab(source: &str, line: usize) -> Option<Pos> {
    source
        .lines()
        .enumerate()
        .skip(line.saturating_sub(1))
        .find_map(|(i, text)| {
            let indent = text.len() - text.trim_start_matches([' ', '\t']).len();
            text[..indent].find('\t').map(|col| Pos {
                line: i + 1,
                column: col + 1,
            })
        })
}

impl Builder {
    fn error(&mut self, pos: Pos, message: String) {
        self.diagnostics.push(Diagnostic {
            line: pos.line,
            column: pos.column,
            message,
        });
    }

    /// Anchors and tags have no meaning in a framework file; reporting them beats guessing.
    fn check_plain_node(&mut self, pos: Pos, anchor: usize, tagged: bool) {
        if anchor != 0 {
            self.error(
                pos,
                "anchors (`&name`) are not supported: write the value out in full".into(),
            );
        }
        if tagged {
            self.error(
                pos,
                "tags (`!name`) are not supported: remove the tag".into(),
            );
        }
    }

    fn event(&mut self, event: Event<'_>, span: Span) {
        let pos = Pos::of(span);
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents == 2 {
                    self.error(
                        pos,
                        "a file holds one framework: remove the second document (after `---`)"
                            .into(),
                    );
                }
            }
            _ if self.documents > 1 => {}
            Event::Scalar(text, style, anchor, tag) => {
                self.check_plain_node(pos, anchor, tag.is_some());
                let plain = style == ScalarStyle::Plain;
                self.add(Node {
                    pos,
                    value: Value::Scalar {
                        text: text.into_owned(),
                        plain,
                    },
                });
            }
            Event::Alias(_) => {
                self.error(
                    pos,
                    "aliases (`*name`) are not supported: write the value out in full".into(),
                );
                self.add(Node {
                    pos,
                    value: Value::Invalid,
                });
            }
            Event::SequenceStart(..) | Event::MappingStart(..) if self.stack.len() >= MAX_DEPTH => {
                self.error(
                    pos,
                    format!(
                        "lists and mappings nest more than {MAX_DEPTH} levels deep here: a framework file needs far fewer"
                    ),
                );
                self.too_deep = true;
            }
            Event::SequenceStart(anchor, tag) => {
                self.check_plain_node(pos, anchor, tag.is_some());
                self.stack.push(Frame::Seq {
                    pos,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, tag) => {
                self.check_plain_node(pos, anchor, tag.is_some());
                self.stack.push(Frame::Map {
                    pos,
                    entries: Vec::new(),
                    seen: HashMap::new(),
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }

    fn close(&mut self) {
        let node = match self.stack.pop() {
            Some(Frame::Map { pos, entries, .. }) => Node {
                pos,
                value: Value::Map(entries),
            },
            Some(Frame::Seq { pos, items }) => Node {
                pos,
                value: Value::Seq(items),
            },
            None => return,
        };
        self.add(node);
    }

    /// Puts a finished node where it belongs: the root, a sequence item, a mapping key or value.
    fn add(&mut self, node: Node) {
        let mut duplicate = None;
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, seen, key, ..
            }) => match key.take() {
                None => {
                    *key = Some(match node.value {
                        Value::Scalar { text, .. } => PendingKey::Text(text, node.pos),
                        _ => PendingKey::Invalid,
                    });
                    if matches!(key, Some(PendingKey::Invalid)) {
                        duplicate = Some((node.pos, None));
                    }
                }
                Some(PendingKey::Invalid) => {}
                Some(PendingKey::Text(text, key_pos)) => match seen.get(&text) {
                    Some(&first) => {
                        duplicate = Some((key_pos, Some((text, entries[first].key_pos))))
                    }
                    None => {
                        seen.insert(text.clone(), entries.len());
                        entries.push(Entry {
                            key: text,
                            key_pos,
                            value: node,
                        });
                    }
                },
            },
        }
        match duplicate {
            Some((pos, Some((key, first)))) => self.error(
                pos,
                format!(
                    "`{key}` appears twice in this mapping (first on line {}): keep one",
                    first.line
                ),
            ),
            Some((pos, None)) => self.error(
                pos,
                "a mapping key must be plain text, not a list or mapping".into(),
            ),
            None => {}
        }
    }
}
