//! Guessing a file's format from its first lines and its name, to choose an importer when none is
//! given and to say what a file looks like when it does not read in the format asked for.

use super::Format;
use super::monzo::split_front_matter;
use super::rows::normalise;

/// The format `text` (named `filename`) looks like, or `None` when it looks like none of them.
pub fn detect(text: &str, filename: &str) -> Option<Format> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lower_name = filename.to_ascii_lowercase();
    let trimmed = text.trim_start();

    if let Some((front, _)) = split_front_matter(text)
        && has_top_level_key(front, "topics")
    {
        return Some(Format::Monzo);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') && lower_name.ends_with(".json") {
        return text.contains("\"milestones\"").then_some(Format::Snowflake);
    }
    if has_top_level_key(text, "trellis") {
        return Some(Format::Trellis);
    }
    if let Some(format) = csv_header(text, &lower_name) {
        return Some(format);
    }
    let yaml_name = lower_name.ends_with(".yaml") || lower_name.ends_with(".yml");
    let ft_item = |key: &str| {
        text.lines()
            .any(|l| l.trim_start_matches([' ', '-']).starts_with(key))
    };
    if (has_top_level_key(text, "competencies") || trimmed.starts_with('-') || yaml_name)
        && ft_item("level:")
        && (ft_item("theme:") || ft_item("area:"))
        && ft_item("summary:")
    {
        return Some(Format::Ft);
    }
    let markdown_name = lower_name.ends_with(".md") || lower_name.ends_with(".markdown");
    let headed = text.lines().any(|l| l.starts_with('#'));
    let led_bullets = text
        .lines()
        .any(|l| l.starts_with("* **") || l.starts_with("- **") || starts_numbered_bold(l));
    let table = text.lines().any(|l| l.trim_start().starts_with('|'));
    if (markdown_name || headed) && (led_bullets || table) && !yaml_name {
        return Some(Format::Ladders);
    }
    None
}

fn starts_numbered_bold(line: &str) -> bool {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && line[digits..].starts_with(". **")
}

fn has_top_level_key(text: &str, key: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// A CSV whose header names the columns of one of the CSV shapes.
fn csv_header(text: &str, lower_name: &str) -> Option<Format> {
    let first = text.lines().next()?;
    if !first.contains(',') && !lower_name.ends_with(".csv") {
        return None;
    }
    let names: Vec<String> = first
        .split(',')
        .map(|h| normalise(h.trim_matches(|c: char| c == '"' || c.is_whitespace())))
        .collect();
    let has = |wanted: &[&str]| names.iter().any(|n| wanted.contains(&n.as_str()));
    let fifteen_five = super::fifteen_five::COLUMNS;
    if has(fifteen_five[0]) && has(fifteen_five[1]) && has(fifteen_five[3]) {
        return Some(Format::FifteenFive);
    }
    let cells = super::cells::COLUMNS;
    if has(cells[0]) && has(cells[1]) && has(cells[2]) {
        return Some(Format::Csv);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_format_by_its_first_lines() {
        let cases = [
            ("trellis: 1\nname: x\n", "f.yaml", Some(Format::Trellis)),
            (
                "---\ntitle: T\ntopics:\n  - name: a\n---\n",
                "f.md",
                Some(Format::Monzo),
            ),
            (
                "{ \"MOBILE\": { \"milestones\": [] } }",
                "f.json",
                Some(Format::Snowflake),
            ),
            (
                "levels:\n  - id: j\ncompetencies:\n  - level: j\n    theme: t\n    summary: s\n",
                "f.yml",
                Some(Format::Ft),
            ),
            (
                "# Dev\n\n## D1\n\n* **Adopts**: x\n",
                "Dev.md",
                Some(Format::Ladders),
            ),
            (
                "Path,Job title,Competency,Skill,Key behavior\n",
                "f.csv",
                Some(Format::FifteenFive),
            ),
            (
                "track,level,competency,expectation\n",
                "f.csv",
                Some(Format::Csv),
            ),
            ("hello", "notes.txt", None),
        ];
        for (text, name, expected) in cases {
            assert_eq!(detect(text, name), expected, "{name}: {text}");
        }
    }
}
