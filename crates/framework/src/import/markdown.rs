//! Markdown as the ladders importer needs it: a flat list of headings, list items (with the bold
//! word that leads them, as in `* **Adopts**: learns the tools`) and tables, each with its line and
//! column, read with pulldown-cmark.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

#[derive(Debug)]
pub(crate) enum Block {
    Heading {
        level: u8,
        text: String,
    },
    Item {
        /// The bold text the item starts with, if it does.
        lead: Option<String>,
        /// The text after the lead (and its colon), or the whole text.
        text: String,
        ordered: bool,
        at: Position,
    },
    Table {
        /// The header row first.
        rows: Vec<Row>,
        at: Position,
    },
}

/// A table row's cells and where the row starts.
pub(crate) type Row = (Vec<String>, Position);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    pub line: usize,
    pub column: usize,
}

/// 1-based line and column (in characters) of every byte offset of a text.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    fn at(&self, text: &str, offset: usize) -> Position {
        let line = self.starts.partition_point(|s| *s <= offset);
        let start = self.starts[line.saturating_sub(1)];
        let column = text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        Position { line, column }
    }
}

pub(crate) fn blocks(text: &str) -> Vec<Block> {
    let lines = Lines::new(text);
    let mut out = Vec::new();
    let mut ordered_lists: Vec<bool> = Vec::new();
    // What is being collected: heading text, an item's text (and lead), or a table's cells.
    let mut heading: Option<(u8, String)> = None;
    let mut items: Vec<ItemText> = Vec::new();
    let mut table: Option<(Vec<Row>, Position)> = None;
    let mut cell: Option<String> = None;
    for (event, range) in Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter() {
        let at = lines.at(text, range.start);
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level as u8, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    out.push(Block::Heading {
                        level,
                        text: text.trim().to_owned(),
                    });
                }
            }
            Event::Start(Tag::List(first)) => ordered_lists.push(first.is_some()),
            Event::End(TagEnd::List(_)) => {
                ordered_lists.pop();
            }
            Event::Start(Tag::Item) => {
                // A nested list ends the text of the item around it.
                if let Some(parent) = items.last_mut() {
                    parent.closed = true;
                }
                items.push(ItemText {
                    ordered: ordered_lists.last().copied().unwrap_or(false),
                    at,
                    ..ItemText::default()
                });
            }
            Event::End(TagEnd::Item) => {
                if let Some(item) = items.pop() {
                    out.push(item.finish());
                }
            }
            Event::Start(Tag::Table(_)) => table = Some((Vec::new(), at)),
            Event::End(TagEnd::Table) => {
                if let Some((rows, at)) = table.take() {
                    out.push(Block::Table { rows, at });
                }
            }
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                if let Some((rows, _)) = &mut table {
                    rows.push((Vec::new(), at));
                }
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                if let (Some(text), Some((rows, _))) = (cell.take(), &mut table)
                    && let Some((row, _)) = rows.last_mut()
                {
                    row.push(text.trim().to_owned());
                }
            }
            Event::Start(Tag::Strong) => {
                if let Some(item) = items.last_mut()
                    && !item.closed
                    && item.text.trim().is_empty()
                    && item.lead.is_none()
                    && !item.in_link
                {
                    item.collecting_lead = true;
                    item.lead = Some(String::new());
                }
            }
            Event::End(TagEnd::Strong) => {
                if let Some(item) = items.last_mut() {
                    item.collecting_lead = false;
                }
            }
            Event::Start(Tag::Link { .. }) => {
                if let Some(item) = items.last_mut() {
                    item.in_link = true;
                }
            }
            Event::End(TagEnd::Link) => {
                if let Some(item) = items.last_mut() {
                    item.in_link = false;
                }
            }
            Event::Text(t) | Event::Code(t) => {
                let piece: &str = &t;
                if let Some((_, text)) = &mut heading {
                    text.push_str(piece);
                } else if let Some(c) = &mut cell {
                    c.push_str(piece);
                } else if let Some(item) = items.last_mut()
                    && !item.closed
                {
                    match (&mut item.lead, item.collecting_lead) {
                        (Some(lead), true) => lead.push_str(piece),
                        _ => item.text.push_str(piece),
                    }
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                // `<br>` separates bullets inside a table cell.
                if let Some(c) = &mut cell
                    && h.trim().to_ascii_lowercase().starts_with("<br")
                {
                    c.push('\n');
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(item) = items.last_mut()
                    && !item.closed
                {
                    item.text.push(' ');
                }
            }
            _ => {}
        }
    }
    out
}

#[derive(Default)]
struct ItemText {
    lead: Option<String>,
    collecting_lead: bool,
    in_link: bool,
    closed: bool,
    text: String,
    ordered: bool,
    at: Position,
}

impl Default for Position {
    fn default() -> Position {
        Position { line: 1, column: 1 }
    }
}

impl ItemText {
    fn finish(self) -> Block {
        let lead = self
            .lead
            .map(|l| l.trim().trim_end_matches(':').trim().to_owned());
        let text = self.text.trim();
        let text = match &lead {
            Some(_) => text.trim_start_matches([':', '-', '–', '—']).trim(),
            None => text,
        };
        Block::Item {
            lead: lead.filter(|l| !l.is_empty()),
            text: text.to_owned(),
            ordered: self.ordered,
            at: self.at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_keep_their_bold_lead_and_position() {
        let blocks = blocks("# Role\n\n## L1\n\n* **Builds**: ships small features\n* plain\n");
        let Block::Item { lead, text, at, .. } = &blocks[2] else {
            panic!("an item: {blocks:?}");
        };
        assert_eq!(lead.as_deref(), Some("Builds"));
        assert_eq!(text, "ships small features");
        assert_eq!((at.line, at.column), (5, 1));
        assert!(matches!(&blocks[3], Block::Item { lead: None, .. }));
    }
}
