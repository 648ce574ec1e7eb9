//! Markdown that people write (descriptions, expectation bullets) turned into safe HTML: rendered with
//! pulldown-cmark, then sanitised with ammonia so no script, style or unsafe link survives. Results
//! are memoised, since the same bullets are shown on many pages.

use std::sync::Arc;

use pulldown_cmark::{Options, Parser, html};

use crate::state::{ByteCache, budget};

/// Remembers rendered texts by their markdown, within [`budget::MARKDOWN`] bytes.
pub struct Markdown {
    memo: ByteCache<Arc<str>>,
}

impl Default for Markdown {
    fn default() -> Markdown {
        Markdown::with_budget(budget::MARKDOWN)
    }
}

impl Markdown {
    pub fn with_budget(bytes: usize) -> Markdown {
        Markdown {
            memo: ByteCache::new(bytes),
        }
    }

    /// The bytes the memo holds.
    pub fn memo_bytes(&self) -> usize {
        self.memo.bytes()
    }

    /// Safe HTML for a block of markdown (paragraphs, lists, emphasis, links).
    pub fn block(&self, text: &str) -> Arc<str> {
        if let Some(hit) = self.memo.get(text) {
            return hit;
        }
        let rendered: Arc<str> = render(text).into();
        self.memo.put(text, rendered.clone(), rendered.len());
        rendered
    }

    /// Safe HTML for a one-line text such as a bullet: the surrounding paragraph is dropped.
    pub fn inline(&self, text: &str) -> Arc<str> {
        let html = self.block(text);
        let trimmed = html.trim();
        match trimmed
            .strip_prefix("<p>")
            .and_then(|s| s.strip_suffix("</p>"))
        {
            Some(inner) if !inner.contains("<p>") => inner.into(),
            _ => html,
        }
    }
}

/// How deep elements may nest in the HTML of one text. The sanitiser's HTML parser takes time
/// growing with the square of the nesting, so a deeper text is shown as plain text instead.
const MAX_NESTING: usize = 64;

/// Elements that never hold others.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// How deep the tags of `html` nest at most, counting every start tag that is not void or
/// self-closing as opened until an end tag closes one. Comments and declarations are skipped.
fn nesting(html: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if let Some(closing) = tag.strip_prefix('/') {
            if closing.starts_with(|c: char| c.is_ascii_alphabetic()) {
                depth = depth.saturating_sub(1);
            }
        } else if tag.starts_with(|c: char| c.is_ascii_alphabetic()) && !tag.ends_with('/') {
            let name: String = tag
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            if !VOID.contains(&name.as_str()) {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
    }
    deepest
}

/// The text itself, escaped, in a paragraph.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 7);
    out.push_str("<p>");
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out.push_str("</p>");
    out
}

fn render(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES);
    let mut raw = String::with_capacity(text.len() * 2);
    html::push_html(&mut raw, parser);
    if nesting(&raw) > MAX_NESTING {
        return plain(text);
    }
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_scripts_are_removed() {
        let md = Markdown::default();
        assert_eq!(&*md.inline("You **own** it"), "You <strong>own</strong> it");
        let evil = md.block(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(!evil.contains("<script"), "{evil}");
        assert!(!evil.contains("href=\"javascript"), "{evil}");
        assert!(!evil.contains("onerror"), "{evil}");
    }

    #[test]
    fn a_flood_of_distinct_large_texts_keeps_the_memo_within_its_budget() {
        let md = Markdown::with_budget(1 << 20);
        for i in 0..2000 {
            let text = format!(
                "{i} {}",
                "**bold** and [a link](https://example.test) ".repeat(100)
            );
            let html = md.block(&text);
            assert!(html.contains("<strong>bold</strong>"));
            assert!(md.memo_bytes() <= 1 << 20, "{}", md.memo_bytes());
        }
        assert!(
            md.memo_bytes() > 1 << 19,
            "the memo is used: {}",
            md.memo_bytes()
        );
        assert_eq!(&*md.inline("You **own** it"), "You <strong>own</strong> it");
        assert_eq!(&*md.inline("You **own** it"), "You <strong>own</strong> it");
    }

    #[test]
    fn links_get_safe_rel() {
        let md = Markdown::default();
        let html = md.inline("[guide](https://example.test/guide)");
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
    }

    #[test]
    fn deeply_nested_markdown_renders_on_a_server_threads_stack() {
        let texts = [
            format!("{}x", "> ".repeat(100_000)),
            format!("{}x", "- ".repeat(100_000)),
            format!("{}x", "1. ".repeat(50_000)),
            format!("{}x{}", "<div>".repeat(100_000), "</div>".repeat(100_000)),
            format!("{}x{}", "<b><i>".repeat(50_000), "</i></b>".repeat(50_000)),
            format!("{}x{}", "*a **b ".repeat(20_000), "** a*".repeat(20_000)),
            format!("{}x{}", "[".repeat(100_000), "](u)".repeat(100_000)),
            format!("{}x", "  ".repeat(50_000) + "- "),
        ];
        for text in texts {
            let started = std::time::Instant::now();
            let html = std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn(move || render(&text))
                .expect("a thread starts")
                .join()
                .expect("no panic");
            assert!(html.contains('x'));
            assert!(!html.contains("<div"), "{}", &html[..html.len().min(200)]);
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "rendered in {:?}",
                started.elapsed()
            );
        }
    }

    #[test]
    fn nesting_counts_elements_that_hold_others() {
        assert_eq!(nesting("<p>a<br>b<img src=x/><em>c</em></p>"), 2);
        assert_eq!(
            nesting("<ul><li><ul><li>x</li></ul></li></ul><!-- <a><b><c> -->"),
            4
        );
        let deep = format!("{}x", "> ".repeat(MAX_NESTING + 1));
        assert_eq!(
            render(&deep),
            "<p>".to_owned() + &"&gt; ".repeat(MAX_NESTING + 1) + "x</p>"
        );
        let fine = format!("{}x", "> ".repeat(MAX_NESTING / 2));
        assert!(render(&fine).contains("<blockquote>"));
        let evil = format!("{}<script>alert(1)</script>", "- ".repeat(100));
        assert!(!render(&evil).contains("<script"));
    }
}
