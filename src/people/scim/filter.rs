//! SCIM filters and attribute paths (RFC 7644 §3.4.2.2 and §3.5.2): parsed into a [`Filter`], then
//! either translated to a SQL [`Condition`] for listing people and teams, or matched against a JSON
//! value for PATCH paths such as `emails[type eq "work"].value`. Attribute names and operators are
//! case-insensitive.

use serde_json::Value;

use super::error::ScimError;
use crate::people::provisioning::{Bind, Condition};

pub const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const CORE_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// An attribute path: an optional schema URN, an attribute and an optional sub-attribute, with
/// names lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URN, lower-cased, when the path named one.
    pub urn: Option<String>,
    pub attr: String,
    pub sub: Option<String>,
}

impl AttrPath {
    /// Reads `attr`, `attr.sub` or `urn:…:attr[.sub]`. A bare URN (an extension's name) is an
    /// attribute path with an empty attribute.
    pub fn parse(text: &str) -> Option<AttrPath> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let lower = text.to_lowercase();
        for urn in [ENTERPRISE, CORE_USER, CORE_GROUP] {
            let urn = urn.to_lowercase();
            if lower == urn {
                return Some(AttrPath {
                    urn: Some(urn),
                    attr: String::new(),
                    sub: None,
                });
            }
            if let Some(rest) = lower.strip_prefix(&format!("{urn}:")) {
                return Self::plain(rest).map(|p| AttrPath {
                    urn: Some(urn),
                    ..p
                });
            }
        }
        if lower.starts_with("urn:") {
            let (urn, rest) = lower.rsplit_once(':')?;
            return Self::plain(rest).map(|p| AttrPath {
                urn: Some(urn.to_owned()),
                ..p
            });
        }
        Self::plain(&lower)
    }

    fn plain(text: &str) -> Option<AttrPath> {
        let ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
        };
        let (attr, sub) = match text.split_once('.') {
            Some((a, s)) => (a, Some(s)),
            None => (text, None),
        };
        (ok(attr) && sub.is_none_or(ok)).then(|| AttrPath {
            urn: None,
            attr: attr.to_owned(),
            sub: sub.map(str::to_owned),
        })
    }

    /// Whether the path is in the enterprise extension.
    pub fn is_enterprise(&self) -> bool {
        self.urn.as_deref() == Some(&ENTERPRISE.to_lowercase())
    }

    /// `attr` or `attr.sub`, without the URN.
    pub fn dotted(&self) -> String {
        match &self.sub {
            Some(s) => format!("{}.{s}", self.attr),
            None => self.attr.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    fn parse(word: &str) -> Option<Op> {
        Some(match word.to_lowercase().as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "co" => Op::Co,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare(AttrPath, Op, Value),
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `attr[filter]`, optionally followed by `.sub op value` (as a [`Filter::Compare`] inside).
    ValuePath(AttrPath, Box<Filter>, Option<Box<Filter>>),
}

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

/// How a SCIM attribute is stored, for the SQL translation.
#[derive(Debug, Clone)]
pub enum Column {
    /// Text compared without regard to case; the expression is already lower-cased.
    TextCi(String),
    /// Text compared exactly.
    Text(String),
    Int(String),
    Bool(String),
    /// Whether the team has the person with this id (a `{}` in the SQL takes the placeholder).
    Member(String),
}

/// Which resource a filter is about, mapping attribute paths to columns.
pub type Columns = fn(&AttrPath, Option<&str>) -> Option<Column>;

/// The columns of `users u` (with `teams t`). `within` names the multi-valued attribute a
/// value filter is in (`emails`).
pub fn user_columns(p: &AttrPath, within: Option<&str>) -> Option<Column> {
    let ci = |e: &str| Some(Column::TextCi(e.to_owned()));
    if let Some("emails") = within {
        return match p.attr.as_str() {
            "value" => ci("u.email"),
            "type" => ci("'work'"),
            "primary" => Some(Column::Bool("1".into())),
            _ => None,
        };
    }
    if p.is_enterprise() {
        return match (p.attr.as_str(), p.sub.as_deref()) {
            ("employeenumber", None) => Some(Column::Text("u.employee_id".into())),
            ("department", None) => ci("lower(t.name)"),
            ("manager", None | Some("value")) => Some(Column::Int("u.manager_id".into())),
            _ => None,
        };
    }
    if p.urn
        .as_deref()
        .is_some_and(|u| u != CORE_USER.to_lowercase())
    {
        return None;
    }
    match (p.attr.as_str(), p.sub.as_deref()) {
        ("id", None) => Some(Column::Int("u.id".into())),
        ("username", None) => ci("lower(COALESCE(u.scim_user_name, u.email))"),
        ("externalid", None) => Some(Column::Text("u.external_id".into())),
        ("emails", None | Some("value")) => ci("u.email"),
        ("emails", Some("type")) => ci("'work'"),
        // `active` removed over SCIM is unassigned: it matches neither true nor false.
        ("active", None) => Some(Column::Bool(
            "(CASE WHEN u.scim_active_unassigned = 1 THEN NULL ELSE u.active END)".into(),
        )),
        ("displayname", None) => ci("lower(COALESCE(u.display_name, u.name))"),
        ("name", Some("formatted")) => ci("lower(u.name)"),
        _ => None,
    }
}

/// The columns of `teams t`.
pub fn group_columns(p: &AttrPath, within: Option<&str>) -> Option<Column> {
    if let Some("members") = within {
        return match p.attr.as_str() {
            "value" => Some(Column::Member(
                "EXISTS (SELECT 1 FROM users m WHERE m.team_id = t.id AND m.id = {})".into(),
            )),
            _ => None,
        };
    }
    if p.urn
        .as_deref()
        .is_some_and(|u| u != CORE_GROUP.to_lowercase())
    {
        return None;
    }
    match (p.attr.as_str(), p.sub.as_deref()) {
        ("id", None) => Some(Column::Int("t.id".into())),
        ("displayname", None) => Some(Column::TextCi("t.name_key".into())),
        ("externalid", None) => Some(Column::Text("t.external_id".into())),
        ("members", None | Some("value")) => Some(Column::Member(
            "EXISTS (SELECT 1 FROM users m WHERE m.team_id = t.id AND m.id = {})".into(),
        )),
        _ => None,
    }
}

struct Sql<'a> {
    columns: Columns,
    binds: &'a mut Vec<Bind>,
}

impl Sql<'_> {
    fn param(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }

    fn filter(&mut self, f: &Filter, within: Option<&str>) -> Result<String, String> {
        Ok(match f {
            Filter::And(a, b) => format!(
                "({} AND {})",
                self.filter(a, within)?,
                self.filter(b, within)?
            ),
            Filter::Or(a, b) => format!(
                "({} OR {})",
                self.filter(a, within)?,
                self.filter(b, within)?
            ),
            Filter::Not(a) => format!("(NOT {})", self.filter(a, within)?),
            Filter::Present(p) => {
                let column = self.column(p, within)?;
                match column {
                    Column::TextCi(e) | Column::Text(e) => {
                        format!("({e} IS NOT NULL AND {e} <> '')")
                    }
                    Column::Int(e) | Column::Bool(e) => format!("({e} IS NOT NULL)"),
                    Column::Member(e) => e.replace("m.id = {}", "1 = 1"),
                }
            }
            Filter::Compare(p, op, value) => {
                let column = self.column(p, within)?;
                self.compare(column, *op, value, p)?
            }
            Filter::ValuePath(p, inner, after) => {
                let within = Some(p.attr.as_str());
                let mut sql = self.filter(inner, within)?;
                if let Some(after) = after {
                    sql = format!("({sql} AND {})", self.filter(after, within)?);
                }
                sql
            }
        })
    }

    fn column(&self, p: &AttrPath, within: Option<&str>) -> Result<Column, String> {
        (self.columns)(p, within).ok_or_else(|| {
            format!(
                "filtering on `{}` is not supported",
                match within {
                    Some(w) => format!("{w}.{}", p.dotted()),
                    None => p.dotted(),
                }
            )
        })
    }

    fn compare(
        &mut self,
        column: Column,
        op: Op,
        value: &Value,
        p: &AttrPath,
    ) -> Result<String, String> {
        let sql_op = match op {
            Op::Eq => "=",
            Op::Ne => "<>",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Co | Op::Sw | Op::Ew => "LIKE",
        };
        let text = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        match column {
            Column::TextCi(e) | Column::Text(e) if value.is_null() => Ok(match op {
                Op::Eq => format!("({e} IS NULL OR {e} = '')"),
                Op::Ne => format!("({e} IS NOT NULL AND {e} <> '')"),
                _ => return Err("only eq and ne compare with null".into()),
            }),
            Column::Text(e) => {
                let raw = text(value).ok_or("compare text attributes with a string")?;
                Ok(self.compare_exact(&e, op, sql_op, raw))
            }
            Column::TextCi(e) => {
                let raw = text(value).ok_or("compare text attributes with a string")?;
                // An expression lowered by the database is compared with the value lowered by
                // the same database (SQLite lowers only ASCII letters, PostgreSQL all of them), so
                // that a value written as stored always matches; a column stored lower-cased is
                // compared with the value lower-cased here, as it was when stored.
                let lowered_in_sql = e.starts_with("lower(");
                let raw = if lowered_in_sql {
                    raw
                } else {
                    raw.to_lowercase()
                };
                let (bound, like) = match op {
                    Op::Co => (format!("%{}%", like_escape(&raw)), true),
                    Op::Sw => (format!("{}%", like_escape(&raw)), true),
                    Op::Ew => (format!("%{}", like_escape(&raw)), true),
                    _ => (raw, false),
                };
                let param = self.param(Bind::Text(bound));
                let param = if lowered_in_sql {
                    format!("lower(CAST({param} AS TEXT))")
                } else {
                    param
                };
                Ok(if like {
                    format!("({e} LIKE {param} ESCAPE '\\')")
                } else if op == Op::Ne {
                    format!("({e} IS NULL OR {e} <> {param})")
                } else {
                    format!("({e} {sql_op} {param})")
                })
            }
            Column::Int(e) | Column::Member(e) => {
                let id = match value {
                    Value::String(s) => s.trim().parse::<i64>().ok(),
                    Value::Number(n) => n.as_i64(),
                    _ => None,
                };
                let Some(id) = id else {
                    // No stored id looks like that: nothing matches `eq`, everything matches `ne`.
                    return Ok(if op == Op::Ne { "(1 = 1)" } else { "(1 = 0)" }.into());
                };
                if matches!(op, Op::Co | Op::Sw | Op::Ew) {
                    return Err(format!("`{}` is an id: use eq or ne", p.dotted()));
                }
                let param = self.param(Bind::Int(id));
                Ok(if e.contains("{}") {
                    match op {
                        Op::Eq => e.replace("{}", &param),
                        Op::Ne => format!("(NOT {})", e.replace("{}", &param)),
                        _ => return Err("compare members with eq or ne".into()),
                    }
                } else {
                    format!("({e} {sql_op} {param})")
                })
            }
            Column::Bool(e) => {
                let b = match value {
                    Value::Bool(b) => *b,
                    Value::String(s) if s.eq_ignore_ascii_case("true") => true,
                    Value::String(s) if s.eq_ignore_ascii_case("false") => false,
                    _ => return Err(format!("compare `{}` with true or false", p.dotted())),
                };
                match op {
                    Op::Eq | Op::Ne => {
                        let param = self.param(Bind::Int(i64::from(b)));
                        Ok(format!("({e} {sql_op} {param})"))
                    }
                    _ => Err(format!("compare `{}` with eq or ne", p.dotted())),
                }
            }
        }
    }

    /// A case-exact comparison (RFC 7643's `caseExact`), the same on SQLite and PostgreSQL: `LIKE`
    /// ignores ASCII case on SQLite but not on PostgreSQL, so `co`, `sw` and `ew` compare
    /// substrings instead.
    fn compare_exact(&mut self, e: &str, op: Op, sql_op: &str, raw: String) -> String {
        if raw.is_empty() && matches!(op, Op::Co | Op::Sw | Op::Ew) {
            return format!("({e} IS NOT NULL)");
        }
        let param = self.param(Bind::Text(raw));
        let length = format!("length(CAST({param} AS TEXT))");
        match op {
            Op::Co => format!("({e} IS NOT NULL AND replace({e}, {param}, '') <> {e})"),
            Op::Sw => format!("(substr({e}, 1, {length}) = {param})"),
            Op::Ew => format!(
                "(length({e}) >= {length} AND substr({e}, length({e}) - {length} + 1) = {param})"
            ),
            Op::Ne => format!("({e} IS NULL OR {e} <> {param})"),
            _ => format!("({e} {sql_op} {param})"),
        }
    }
}

/// Escapes `\`, `%` and `_` for a `LIKE` pattern with `ESCAPE '\'`.
fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Translates a filter to a SQL condition over the columns given.
pub fn to_sql(filter: &Filter, columns: Columns) -> Result<Condition, ScimError> {
    let mut binds = Vec::new();
    let sql = Sql {
        columns,
        binds: &mut binds,
    }
    .filter(filter, None)
    .map_err(ScimError::invalid_filter)?;
    Ok(Condition { sql, binds })
}

/// Looks up a key of a JSON object without regard to case.
pub fn get_ci<'a>(obj: &'a Value, key: &str) -> Option<&'a Value> {
    obj.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        (Value::Bool(x), Value::String(y)) | (Value::String(y), Value::Bool(x)) => {
            y.eq_ignore_ascii_case(if *x { "true" } else { "false" })
        }
        (Value::Number(x), Value::String(y)) | (Value::String(y), Value::Number(x)) => {
            x.to_string() == *y
        }
        _ => a == b,
    }
}

/// Whether a value of a multi-valued attribute (an object such as an email or a member) matches a
/// filter, as in a PATCH path's brackets.
pub fn matches(filter: &Filter, item: &Value) -> bool {
    match filter {
        Filter::And(a, b) => matches(a, item) && matches(b, item),
        Filter::Or(a, b) => matches(a, item) || matches(b, item),
        Filter::Not(a) => !matches(a, item),
        Filter::Present(p) => lookup(item, p).is_some_and(|v| !v.is_null()),
        Filter::ValuePath(..) => false,
        Filter::Compare(p, op, expected) => {
            let actual = lookup(item, p).cloned().unwrap_or(Value::Null);
            let text = |v: &Value| match v {
                Value::String(s) => s.to_lowercase(),
                other => other.to_string(),
            };
            match op {
                Op::Eq => loosely_equal(&actual, expected),
                Op::Ne => !loosely_equal(&actual, expected),
                Op::Co => text(&actual).contains(&text(expected)),
                Op::Sw => text(&actual).starts_with(&text(expected)),
                Op::Ew => text(&actual).ends_with(&text(expected)),
                Op::Gt => text(&actual) > text(expected),
                Op::Ge => text(&actual) >= text(expected),
                Op::Lt => text(&actual) < text(expected),
                Op::Le => text(&actual) <= text(expected),
            }
        }
    }
}

fn lookup<'a>(item: &'a Value, p: &AttrPath) -> Option<&'a Value> {
    let v = get_ci(item, &p.attr)?;
    match &p.sub {
        Some(s) => get_ci(v, s),
        None => Some(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn filters_become_sql_with_binds() {
        let f = parse(r#"userName eq "Ada@X.test" and emails[type eq "work"].value co "x""#)
            .expect("valid");
        let c = to_sql(&f, user_columns).expect("supported");
        assert_eq!(
            c.binds,
            vec![
                Bind::Text("Ada@X.test".into()),
                Bind::Text("work".into()),
                Bind::Text("%x%".into())
            ]
        );
        assert!(to_sql(&parse(r#"title eq "x""#).expect("valid"), user_columns).is_err());
        let g = to_sql(&parse(r#"members eq "7""#).expect("valid"), group_columns).expect("ok");
        assert!(g.sql.contains("m.id = $1"));
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
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
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
        // Up to the limits, a filter is read, matched and translated.
        let f = on_small_stack(move || parse(&deep("not (", ")", MAX_NESTING))).expect("valid");
        assert!(matches(&f, &serde_json::json!({"value": "x"})));
        let f = parse(&vec!["value eq \"x\""; MAX_TERMS].join(" or ")).expect("valid");
        assert!(to_sql(&f, |_, _| Some(Column::Text("v".into()))).is_ok());
        assert!(parse(&deep("(", ")", MAX_NESTING + 1)).is_err());
        assert!(parse(&vec!["value eq \"x\""; MAX_TERMS + 1].join(" or ")).is_err());
    }

    #[test]
    fn case_exact_attributes_compare_without_like() {
        let sql = |f: &str| {
            to_sql(&parse(f).expect("valid"), user_columns)
                .expect("supported")
                .sql
        };
        for op in ["eq", "ne", "co", "sw", "ew"] {
            let s = sql(&format!("externalId {op} \"AbC\""));
            assert!(!s.contains("LIKE") && !s.contains("lower("), "{op}: {s}");
            let s = sql(&format!(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber {op} \"E-1\""
            ));
            assert!(!s.contains("LIKE") && !s.contains("lower("), "{op}: {s}");
        }
        let c = to_sql(
            &parse("externalId sw \"AbC\"").expect("valid"),
            user_columns,
        )
        .expect("supported");
        assert_eq!(c.binds, vec![Bind::Text("AbC".into())]);
        let s = sql("userName sw \"AbC\"");
        assert!(s.contains("LIKE lower(CAST("), "{s}");
    }
}
