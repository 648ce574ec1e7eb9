//! Markdown that people write (descriptions, expectation bullets) turned into safe HTML: rendered with
//! pulldown-cmark, then sanitised with ammonia so no script, style or unsafe link survives. Results
//! are memoised, since the same bullets are shown on many pages.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use pulldown_cmark::{Options, Parser, html};

/// How many distinct texts the memo keeps before it starts afresh.
const MEMO_LIMIT: usize = 200_000;

#[derive(Default)]
pub struct Markdown {
    memo: RwLock<HashMap<Box<str>, Arc<str>>>,
}

impl Markdown {
    /// Safe HTML for a block of markdown (paragraphs, lists, emphasis, links).
    pub fn block(&self, text: &str) -> Arc<str> {
        if let Ok(memo) = self.memo.read()
            && let Some(hit) = memo.get(text)
        {
            return hit.clone();
        }
        let rendered: Arc<str> = render(text).into();
        if let Ok(mut memo) = self.memo.write() {
            if memo.len() >= MEMO_LIMIT {
                memo.clear();
            }
            memo.insert(text.into(), rendered.clone());
        }
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
    fn links_get_safe_rel() {
        let md = Markdown::default();
        let html = md.inline("[guide](https://example.test/guide)");
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
    }
}
