//! Reading a filter's text: a tokenizer and a recursive descent parser with limits on nesting and
//! size, and PATCH paths built on it.

use serde_json::Value;

use super::{AttrPath, Filter, Op};
use crate::people::scim::error::ScimError;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Word(String),
    Literal(Value),
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1;
            }
            '[' => {
                tokens.push(Token::OpenBracket);
                i += 1;
            }
            ']' => {
                tokens.push(Token::CloseBracket);
                i += 1;
            }
            '"' => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= chars.len() {
                    return Err("a string is not closed with a double quote".into());
                }
                i += 1;
                let raw: String = chars[start..i].iter().collect();
                let value: String = serde_json::from_str(&raw)
                    .map_err(|_| format!("{raw} is not a valid string"))?;
                tokens.push(Token::Literal(Value::String(value)));
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '[' | ']' | '"')
                {
                    i += 1;
                }
                tokens.push(Token::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(tokens)
}

/// How deep parentheses, `not` and brackets may nest in a filter.
pub const MAX_NESTING: usize = 32;
/// How many comparisons a filter may hold.
pub const MAX_TERMS: usize = 200;

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    /// Parentheses, `not` and brackets open around the current token.
    depth: usize,
    /// Comparisons read so far.
    terms: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.at += 1;
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.at += 1;
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    /// Enters a parenthesis, a `not` or a bracket, refusing to go deeper than [`MAX_NESTING`].
    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(format!(
                "parentheses and brackets nest more than {MAX_NESTING} deep"
            ));
        }
        Ok(())
    }

    fn group(&mut self) -> Result<Filter, String> {
        self.enter()?;
        let inner = self.or()?;
        self.depth -= 1;
        match self.next() {
            Some(Token::Close) => Ok(inner),
            _ => Err("a parenthesis is not closed".into()),
        }
    }

    fn unary(&mut self) -> Result<Filter, String> {
        if self.keyword("not") {
            self.at += 1;
            return match self.next() {
                Some(Token::Open) => Ok(Filter::Not(Box::new(self.group()?))),
                _ => Err("`not` must be followed by a filter in parentheses".into()),
            };
        }
        match self.next() {
            Some(Token::Open) => self.group(),
            Some(Token::Word(w)) => self.attr_expr(&w),
            Some(Token::Literal(v)) => Err(format!("expected an attribute, found {v}")),
            Some(_) => Err("expected an attribute".into()),
            None => Err("the filter ends too early".into()),
        }
    }

    fn attr_expr(&mut self, word: &str) -> Result<Filter, String> {
        let path =
            AttrPath::parse(word).ok_or_else(|| format!("`{word}` is not an attribute path"))?;
        if self.peek() == Some(&Token::OpenBracket) {
            self.at += 1;
            self.enter()?;
            let inner = self.or()?;
            self.depth -= 1;
            if self.next() != Some(Token::CloseBracket) {
                return Err("a bracket is not closed".into());
            }
            // `emails[type eq "work"].value eq "x"`
            let after = match self.peek() {
                Some(Token::Word(w)) if w.starts_with('.') => {
                    let sub = w[1..].to_owned();
                    self.at += 1;
                    let sub_path = AttrPath::parse(&sub)
                        .ok_or_else(|| format!("`{sub}` is not a sub-attribute"))?;
                    Some(Box::new(self.comparison(sub_path)?))
                }
                _ => None,
            };
            return Ok(Filter::ValuePath(path, Box::new(inner), after));
        }
        self.comparison(path)
    }

    fn comparison(&mut self, path: AttrPath) -> Result<Filter, String> {
        self.terms += 1;
        if self.terms > MAX_TERMS {
            return Err(format!("it holds more than {MAX_TERMS} comparisons"));
        }
        let op = match self.next() {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("pr") => {
                return Ok(Filter::Present(path));
            }
            Some(Token::Word(w)) => {
                Op::parse(&w).ok_or_else(|| format!("`{w}` is not a comparison operator"))?
            }
            _ => return Err(format!("expected an operator after `{}`", path.dotted())),
        };
        let value = match self.next() {
            Some(Token::Literal(v)) => v,
            Some(Token::Word(w)) => match w.to_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => serde_json::from_str::<serde_json::Number>(&w)
                    .map(Value::Number)
                    .map_err(|_| {
                        format!("`{w}` is not a value: quote strings with double quotes")
                    })?,
            },
            _ => return Err("expected a value after the operator".into()),
        };
        Ok(Filter::Compare(path, op, value))
    }
}

/// The longest filter echoed back in an error.
const ECHO_LIMIT: usize = 200;

/// Parses a filter. Parentheses, `not` and brackets nest at most [`MAX_NESTING`] deep and a
/// filter holds at most [`MAX_TERMS`] comparisons, so that what is built from it (the SQL, the
/// matching) stays shallow.
pub fn parse(text: &str) -> Result<Filter, ScimError> {
    let shown = match text.char_indices().nth(ECHO_LIMIT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    };
    let fail =
        |m: String| ScimError::invalid_filter(format!("the filter `{shown}` is not valid: {m}"));
    let tokens = tokenize(text).map_err(fail)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        depth: 0,
        terms: 0,
    };
    let filter = parser.or().map_err(fail)?;
    if parser.at < parser.tokens.len() {
        return Err(fail("there is more after the end of the filter".into()));
    }
    Ok(filter)
}

/// A PATCH path: `attr`, `attr.sub`, `attr[filter]` or `attr[filter].sub`, each maybe with a URN.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    pub filter: Option<Filter>,
    /// The sub-attribute after a filter.
    pub sub: Option<String>,
}

pub fn parse_path(text: &str) -> Result<PatchPath, ScimError> {
    let shown = match text.char_indices().nth(ECHO_LIMIT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    };
    let fail = || ScimError::invalid_path(format!("`{shown}` is not a valid attribute path"));
    let text = text.trim();
    let Some(open) = text.find('[') else {
        return AttrPath::parse(text)
            .map(|attr| PatchPath {
                attr,
                filter: None,
                sub: None,
            })
            .ok_or_else(fail);
    };
    let close = text.rfind(']').ok_or_else(fail)?;
    if close < open {
        return Err(fail());
    }
    let attr = AttrPath::parse(&text[..open]).ok_or_else(fail)?;
    let filter = parse(&text[open + 1..close]).map_err(|_| fail())?;
    let rest = &text[close + 1..];
    let sub = match rest.strip_prefix('.') {
        Some(s) if !s.is_empty() => Some(s.to_lowercase()),
        None if rest.is_empty() => None,
        _ => return Err(fail()),
    };
    Ok(PatchPath {
        attr,
        filter: Some(filter),
        sub,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::scim::filter::matches;

    #[test]
    fn filters_parse_with_precedence_and_any_case() {
        let f = parse(r#"userName Eq "a@x.test" or externalId eq "1" AND active eq true"#)
            .expect("valid");
        assert!(matches!(f, Filter::Or(_, ref b) if matches!(**b, Filter::And(..))));
        let f = parse(r#"emails[type eq "work"].value eq "a@x.test""#).expect("valid");
        assert!(matches!(f, Filter::ValuePath(_, _, Some(_))));
        let f = parse(
            r#"not (urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber pr)"#,
        )
        .expect("valid");
        let Filter::Not(inner) = f else {
            panic!("not a not")
        };
        let Filter::Present(p) = *inner else {
            panic!("not pr")
        };
        assert!(p.is_enterprise());
        assert_eq!(p.attr, "employeenumber");
    }

    #[test]
    fn bad_filters_are_refused() {
        for bad in [
            "",
            "userName",
            "userName eq",
            r#"userName equals "a""#,
            r#"userName eq "a"#,
            r#"(userName eq "a""#,
            r#"userName eq "a" extra"#,
            "userName eq bare",
        ] {
            let e = parse(bad).expect_err(bad);
            assert_eq!(e.scim_type, Some("invalidFilter"), "{bad}");
        }
    }

    #[test]
    fn patch_paths_read_filters_and_sub_attributes() {
        let p = parse_path(r#"emails[type eq "work"].value"#).expect("valid");
        assert_eq!(p.attr.attr, "emails");
        assert_eq!(p.sub.as_deref(), Some("value"));
        let p = parse_path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager")
            .expect("valid");
        assert!(p.attr.is_enterprise());
        let item = serde_json::json!({"value": "7", "type": "work"});
        let f = parse(r#"value eq "7""#).expect("valid");
        assert!(matches(&f, &item));
        assert!(parse_path("members[value eq").is_err());
    }

    /// Runs `f` on a thread with a 2 MiB stack, the size of a server's worker thread.
    pub(crate) fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(f)
            .expect("a thread starts")
            .join()
            .expect("no panic")
    }

    #[test]
    fn filters_nested_too_deep_are_refused_without_exhausting_the_stack() {
        let deep = |open: &str, close: &str, n: usize| {
            format!("{}value eq \"x\"{}", open.repeat(n), close.repeat(n))
        };
        for text in [
            deep("(", ")", 10_000),
            deep("not (", ")", 10_000),
            deep("emails[", "]", 10_000),
            deep("not(", ")", 100_000),
            vec!["value eq \"x\""; 10_000].join(" and "),
        ] {
            let e = on_small_stack(move || parse(&text)).expect_err("too deep");
            assert_eq!(e.scim_type, Some("invalidFilter"));
            assert!(e.detail.len() < 1_000, "a short message: {}", e.detail);
            let path = format!("emails[{}].value", deep("(", ")", 10_000));
            let e = on_small_stack(move || parse_path(&path)).expect_err("too deep");
            assert_eq!(e.scim_type, Some("invalidPath"));
        }
        // Up to the limits, a filter is read and matched (and translated: see
        // `people::provisioning::query`).
        let f = on_small_stack(move || parse(&deep("not (", ")", MAX_NESTING))).expect("valid");
        assert!(matches(&f, &serde_json::json!({"value": "x"})));
        assert!(parse(&vec!["value eq \"x\""; MAX_TERMS].join(" or ")).is_ok());
        assert!(parse(&deep("(", ")", MAX_NESTING + 1)).is_err());
        assert!(parse(&vec!["value eq \"x\""; MAX_TERMS + 1].join(" or ")).is_err());
    }
}
