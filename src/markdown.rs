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

fn render(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES);
    let mut raw = String::with_capacity(text.len() * 2);
    html::push_html(&mut raw, parser);
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
}
