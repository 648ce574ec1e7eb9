//! Rules about the words of each bullet: vague or unobservable wording (`vague-wording`), HR jargon
//! (`hr-jargon`), filler (`filler`) and sentences too long to read easily (`long-sentence`).
//!
//! The word lists are data files in `crates/framework/lint/`, one entry per line, with an optional
//! replacement after ` => ` and `#` comments, compiled into the binary. Entries match whole words
//! and phrases, case-insensitively; a hyphen separates words, so `high quality` and `high-quality`
//! are the same entry. Inline code and link targets in the markdown are not read.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::rule::{FILLER, HR_JARGON, LONG_SENTENCE, VAGUE_WORDING};
use super::{Out, bullet_path, cells};
use crate::model::Track;
use crate::validate::Seg;

/// Sentences with more words than this are reported.
pub const MAX_SENTENCE_WORDS: usize = 30;

/// One word list and how its findings read.
struct List {
    rule: &'static str,
    /// "is vague", completing "“good” …".
    says: &'static str,
    /// The suggestion for entries that give no replacement.
    default_suggestion: &'static str,
    entries: Vec<Entry>,
    /// First word → entries that start with it, longest first.
    by_first: HashMap<String, Vec<usize>>,
}

struct Entry {
    words: Vec<String>,
    replacement: Option<String>,
}

impl List {
    fn parse(
        rule: &'static str,
        says: &'static str,
        default_suggestion: &'static str,
        text: &str,
    ) -> List {
        let mut entries = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (phrase, replacement) = match line.split_once(" => ") {
                Some((p, r)) => (p.trim(), Some(r.trim().to_owned())),
                None => (line, None),
            };
            let words: Vec<String> = words(phrase).into_iter().map(|w| w.text).collect();
            if !words.is_empty() {
                entries.push(Entry { words, replacement });
            }
        }
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            by_first.entry(e.words[0].clone()).or_default().push(i);
        }
        for list in by_first.values_mut() {
            list.sort_by_key(|&i| std::cmp::Reverse(entries[i].words.len()));
        }
        List {
            rule,
            says,
            default_suggestion,
            entries,
            by_first,
        }
    }

    /// The entries found in `text`, each once, in order of first appearance; where entries overlap,
    /// the longest one that starts first wins.
    fn find<'a>(&'a self, text: &[Word]) -> Vec<&'a Entry> {
        let mut found: Vec<usize> = Vec::new();
        let mut i = 0;
        while i < text.len() {
            let hit = self.by_first.get(&text[i].text).and_then(|candidates| {
                candidates.iter().copied().find(|&e| {
                    let words = &self.entries[e].words;
                    text.len() >= i + words.len()
                        && words.iter().zip(&text[i..]).all(|(a, b)| *a == b.text)
                })
            });
            match hit {
                Some(e) => {
                    if !found.contains(&e) {
                        found.push(e);
                    }
                    i += self.entries[e].words.len();
                }
                None => i += 1,
            }
        }
        found.into_iter().map(|e| &self.entries[e]).collect()
    }
}

fn lists() -> &'static [List; 3] {
    static LISTS: OnceLock<[List; 3]> = OnceLock::new();
    LISTS.get_or_init(|| {
        [
            List::parse(
                VAGUE_WORDING,
                "is vague: it does not say what someone would see",
                "say what a colleague would see or hear: an action, an artefact or a result",
                include_str!("../../lint/vague.txt"),
            ),
            List::parse(
                HR_JARGON,
                "is jargon",
                "use the plain words a new joiner would use",
                include_str!("../../lint/jargon.txt"),
            ),
            List::parse(
                FILLER,
                "is filler",
                "remove it: the bullet says the same without it",
                include_str!("../../lint/filler.txt"),
            ),
        ]
    })
}

/// A word of a bullet, lowercase.
pub(crate) struct Word {
    pub text: String,
}

/// The words of markdown text, lowercase: letters, digits and apostrophes (typographic ones made
/// plain); anything else separates words. Inline code and link targets are skipped.
pub(crate) fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    let mut prev = ' ';
    let flush = |current: &mut String, out: &mut Vec<Word>| {
        let w = current.trim_matches('\'');
        if !w.is_empty() {
            out.push(Word { text: w.to_owned() });
        }
        current.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '`' => {
                flush(&mut current, &mut out);
                for x in chars.by_ref() {
                    if x == '`' {
                        break;
                    }
                }
            }
            '(' if prev == ']' => {
                for x in chars.by_ref() {
                    if x == ')' {
                        break;
                    }
                }
            }
            c if c.is_alphanumeric() => current.extend(c.to_lowercase()),
            '\'' | '’' if !current.is_empty() => current.push('\''),
            _ => flush(&mut current, &mut out),
        }
        prev = c;
    }
    flush(&mut current, &mut out);
    out
}

/// The number of words of each sentence of `text`. A sentence ends at `.`, `!` or `?` followed by
/// a space or the end, and at a line break (markdown lists and paragraphs).
fn sentence_lengths(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut count = 0;
    for token in text.split([' ', '\t']) {
        for (i, line) in token.split('\n').enumerate() {
            if i > 0 && count > 0 {
                out.push(count);
                count = 0;
            }
            if line.chars().any(char::is_alphanumeric) {
                count += 1;
            }
            if line.ends_with(['.', '!', '?']) && count > 0 {
                out.push(count);
                count = 0;
            }
        }
    }
    if count > 0 {
        out.push(count);
    }
    out
}

pub(crate) fn check(track: &Track, at: &[Seg], out: &mut Out<'_>) {
    let lists = lists();
    let wanted: Vec<&List> = lists.iter().filter(|l| out.enabled(l.rule)).collect();
    let long = out.enabled(LONG_SENTENCE);
    for j in 0..track.levels.len() {
        for (_, c, bullets) in cells(track, j) {
            for (k, bullet) in bullets.iter().enumerate() {
                if !wanted.is_empty() {
                    let text = words(bullet);
                    for list in &wanted {
                        for entry in list.find(&text) {
                            out.push(
                                list.rule,
                                bullet_path(at, j, c, k),
                                format!("“{}” {}", entry.words.join(" "), list.says),
                                Some(
                                    entry
                                        .replacement
                                        .as_deref()
                                        .unwrap_or(list.default_suggestion)
                                        .to_owned(),
                                ),
                            );
                        }
                    }
                }
                if long
                    && let Some(&n) = sentence_lengths(bullet)
                        .iter()
                        .find(|&&n| n > MAX_SENTENCE_WORDS)
                {
                    out.push(
                        LONG_SENTENCE,
                        bullet_path(at, j, c, k),
                        format!(
                            "a sentence of {n} words is hard to read (aim for {MAX_SENTENCE_WORDS} or fewer)"
                        ),
                        Some("split it in two, or move the detail into an example".into()),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{found, framework};
    use super::*;

    const AT: &str = ".tracks[0].levels[0].expectations";

    fn texts(s: &str) -> Vec<String> {
        words(s).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn words_skip_code_and_link_targets() {
        assert_eq!(
            texts("You **ship** `good_code` per [the guide](https://x.test/good) — don’t stop."),
            ["you", "ship", "per", "the", "guide", "don't", "stop"]
        );
        assert_eq!(texts("high-quality"), ["high", "quality"]);
    }

    #[test]
    fn every_list_entry_parses() {
        for list in lists() {
            assert!(list.entries.len() > 10, "{}", list.rule);
        }
    }

    #[test]
    fn vague_wording_is_found_as_whole_words_case_insensitively() {
        let fw = framework(&[(
            &["You write Good tests AS NEEDED, and goodness knows why."],
            &["You write tests before each release."],
        )]);
        assert_eq!(
            found(&fw, "vague-wording"),
            vec![
                (
                    format!("{AT}.a[0]"),
                    "“good” is vague: it does not say what someone would see".to_owned()
                ),
                (
                    format!("{AT}.a[0]"),
                    "“as needed” is vague: it does not say what someone would see".to_owned()
                ),
            ]
        );
        let f = crate::lint::lint(&fw);
        assert!(
            f[1].suggestion
                .as_deref()
                .is_some_and(|s| s.contains("say when"))
        );
    }

    #[test]
    fn jargon_is_found_with_a_plainer_word() {
        let fw = framework(&[(
            &["You leverage the team's bandwidth."],
            &["You use the team's time well."],
        )]);
        let f: Vec<_> = crate::lint::lint(&fw)
            .into_iter()
            .filter(|f| f.rule == "hr-jargon")
            .collect();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].message, "“leverage” is jargon");
        assert_eq!(f[0].suggestion.as_deref(), Some("use"));
        assert_eq!(f[1].suggestion.as_deref(), Some("time"));
    }

    #[test]
    fn filler_prefers_the_longest_phrase() {
        let fw = framework(&[(
            &["Due to the fact that tests fail, you fix them."],
            &["You fix failing tests because they block releases."],
        )]);
        assert_eq!(
            found(&fw, "filler"),
            vec![(
                format!("{AT}.a[0]"),
                "“due to the fact that” is filler".to_owned()
            )]
        );
    }

    #[test]
    fn long_sentences_are_reported_once_per_bullet() {
        let long = "You write one word after another word and then another word and another word, \
                    and you keep going with many more words until the sentence has grown far too long to read.";
        let short = "You write short sentences. Then you stop. And you write another short one.";
        let fw = framework(&[(&[long], &[short])]);
        assert_eq!(
            found(&fw, "long-sentence"),
            vec![(
                format!("{AT}.a[0]"),
                "a sentence of 32 words is hard to read (aim for 30 or fewer)".to_owned()
            )]
        );
        assert_eq!(sentence_lengths(short), [4, 3, 6]);
        assert_eq!(sentence_lengths("One two.\n- three four\nfive"), [2, 2, 1]);
    }
}
