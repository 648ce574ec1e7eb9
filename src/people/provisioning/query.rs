//! The SQL of a provisioning filter ([`super::filter`]): each attribute is a column or an
//! expression over `users u` (with `teams t`) or over `teams t`, each comparison a condition with
//! its values bound to placeholders. The same text runs on SQLite and PostgreSQL.

use super::filter::{Filter, Op, PersonAttr, PersonFilter, TeamAttr, TeamFilter, Value};
use crate::error::{AppError, AppResult};

/// A value bound to a placeholder of a [`Condition`].
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Int(i64),
    Text(String),
}

/// A SQL condition over `users u` (people) or `teams t` (teams), with its binds in order of the
/// placeholders `$1`, `$2`, … it uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Condition {
    pub sql: String,
    pub binds: Vec<Bind>,
}

/// Binds a condition's values to a query of rows, in order.
pub(super) fn bind_all<'q, O>(
    mut q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Int(i) => q.bind(*i),
            Bind::Text(s) => q.bind(s.as_str()),
        };
    }
    q
}

/// Binds a condition's values to a query of one value, in order.
pub(super) fn bind_scalar<'q, O>(
    mut q: sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Int(i) => q.bind(*i),
            Bind::Text(s) => q.bind(s.as_str()),
        };
    }
    q
}

/// The condition of a filter on people, over `users u` joined with their team as `teams t`.
pub fn people(filter: &PersonFilter) -> AppResult<Condition> {
    translate(filter, person_column)
}

/// The condition of a filter on teams, over `teams t`.
pub fn teams(filter: &TeamFilter) -> AppResult<Condition> {
    translate(filter, team_column)
}

/// How an attribute is stored.
#[derive(Debug, Clone, Copy)]
enum Column {
    /// Text lower-cased by the database as it is read: the value is lowered by the same database.
    LoweredText(&'static str),
    /// Text stored lower-cased: the value is lowered here, as it was when stored.
    LowerText(&'static str),
    /// Text compared exactly.
    Text(&'static str),
    Int(&'static str),
    /// 1 or 0, or NULL for neither.
    Bool(&'static str),
    /// Whether the team has the person with this id (a `{}` takes the placeholder).
    Member(&'static str),
}

fn person_column(attr: PersonAttr) -> Column {
    match attr {
        PersonAttr::Id => Column::Int("u.id"),
        PersonAttr::UserName => Column::LoweredText("lower(COALESCE(u.scim_user_name, u.email))"),
        PersonAttr::ExternalId => Column::Text("u.external_id"),
        PersonAttr::Email => Column::LowerText("u.email"),
        PersonAttr::EmailType => Column::LowerText("'work'"),
        PersonAttr::EmailPrimary => Column::Bool("1"),
        // `active` removed over SCIM is unassigned: it matches neither true nor false.
        PersonAttr::Active => {
            Column::Bool("(CASE WHEN u.scim_active_unassigned = 1 THEN NULL ELSE u.active END)")
        }
        PersonAttr::DisplayName => Column::LoweredText("lower(COALESCE(u.display_name, u.name))"),
        PersonAttr::FormattedName => Column::LoweredText("lower(u.name)"),
        PersonAttr::EmployeeNumber => Column::Text("u.employee_id"),
        PersonAttr::Department => Column::LoweredText("lower(t.name)"),
        PersonAttr::Manager => Column::Int("u.manager_id"),
    }
}

fn team_column(attr: TeamAttr) -> Column {
    match attr {
        TeamAttr::Id => Column::Int("t.id"),
        TeamAttr::DisplayName => Column::LowerText("t.name_key"),
        TeamAttr::ExternalId => Column::Text("t.external_id"),
        TeamAttr::Member => {
            Column::Member("EXISTS (SELECT 1 FROM users m WHERE m.team_id = t.id AND m.id = {})")
        }
    }
}

fn translate<A: Copy + std::fmt::Debug>(
    filter: &Filter<A>,
    column: fn(A) -> Column,
) -> AppResult<Condition> {
    let mut sql = Sql {
        column,
        binds: Vec::new(),
    };
    let text = sql.filter(filter)?;
    Ok(Condition {
        sql: text,
        binds: sql.binds,
    })
}

struct Sql<A> {
    column: fn(A) -> Column,
    binds: Vec<Bind>,
}

impl<A: Copy + std::fmt::Debug> Sql<A> {
    fn param(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }

    fn filter(&mut self, f: &Filter<A>) -> AppResult<String> {
        Ok(match f {
            Filter::And(a, b) => format!("({} AND {})", self.filter(a)?, self.filter(b)?),
            Filter::Or(a, b) => format!("({} OR {})", self.filter(a)?, self.filter(b)?),
            Filter::Not(a) => format!("(NOT {})", self.filter(a)?),
            Filter::Always(true) => "(1 = 1)".to_owned(),
            Filter::Always(false) => "(1 = 0)".to_owned(),
            Filter::Present(attr) => present((self.column)(*attr)),
            Filter::Compare(attr, op, value) => {
                match self.compare((self.column)(*attr), *op, value) {
                    Some(sql) => sql,
                    None => {
                        return Err(AppError::internal(format!(
                            "a filter compares {attr:?} with {op:?} {value:?}, which its kind does not take"
                        )));
                    }
                }
            }
        })
    }

    /// The comparison of a column with a value; `None` when the column's kind does not take it.
    fn compare(&mut self, column: Column, op: Op, value: &Value) -> Option<String> {
        match (column, value) {
            (Column::LoweredText(e) | Column::LowerText(e) | Column::Text(e), Value::Empty) => {
                match op {
                    Op::Eq => Some(format!("({e} IS NULL OR {e} = '')")),
                    Op::Ne => Some(format!("({e} IS NOT NULL AND {e} <> '')")),
                    _ => None,
                }
            }
            (Column::Text(e), Value::Text(raw)) => Some(self.compare_exact(e, op, raw.clone())),
            (Column::LoweredText(e), Value::Text(raw)) => {
                Some(self.compare_without_case(e, true, op, raw.clone()))
            }
            (Column::LowerText(e), Value::Text(raw)) => {
                Some(self.compare_without_case(e, false, op, raw.to_lowercase()))
            }
            (Column::Int(e), Value::Id(id)) if !op.is_substring() => {
                let param = self.param(Bind::Int(*id));
                Some(format!("({e} {} {param})", sql_op(op)))
            }
            (Column::Member(e), Value::Id(id)) if op.is_equality() => {
                let param = self.param(Bind::Int(*id));
                let has = e.replace("{}", &param);
                Some(if op == Op::Ne {
                    format!("(NOT {has})")
                } else {
                    has
                })
            }
            (Column::Bool(e), Value::Flag(b)) if op.is_equality() => {
                let param = self.param(Bind::Int(i64::from(*b)));
                Some(format!("({e} {} {param})", sql_op(op)))
            }
            _ => None,
        }
    }

    /// A comparison without regard to case. An expression lowered by the database is compared with
    /// the value lowered by the same database (SQLite lowers only ASCII letters, PostgreSQL all of
    /// them), so that a value written as stored always matches; a column stored lower-cased is
    /// compared with the value lower-cased here, as it was when stored.
    fn compare_without_case(
        &mut self,
        e: &str,
        lowered_in_sql: bool,
        op: Op,
        raw: String,
    ) -> String {
        let bound = match op {
            Op::Contains => format!("%{}%", like_escape(&raw)),
            Op::StartsWith => format!("{}%", like_escape(&raw)),
            Op::EndsWith => format!("%{}", like_escape(&raw)),
            _ => raw,
        };
        let param = self.param(Bind::Text(bound));
        let param = if lowered_in_sql {
            format!("lower(CAST({param} AS TEXT))")
        } else {
            param
        };
        if op.is_substring() {
            format!("({e} LIKE {param} ESCAPE '\\')")
        } else if op == Op::Ne {
            format!("({e} IS NULL OR {e} <> {param})")
        } else {
            format!("({e} {} {param})", sql_op(op))
        }
    }

    /// A case-exact comparison (RFC 7643's `caseExact`), the same on SQLite and PostgreSQL: `LIKE`
    /// ignores ASCII case on SQLite but not on PostgreSQL, so contains, starts with and ends with
    /// compare substrings instead.
    fn compare_exact(&mut self, e: &str, op: Op, raw: String) -> String {
        if raw.is_empty() && op.is_substring() {
            return format!("({e} IS NOT NULL)");
        }
        let param = self.param(Bind::Text(raw));
        let length = format!("length(CAST({param} AS TEXT))");
        match op {
            Op::Contains => format!("({e} IS NOT NULL AND replace({e}, {param}, '') <> {e})"),
            Op::StartsWith => format!("(substr({e}, 1, {length}) = {param})"),
            Op::EndsWith => format!(
                "(length({e}) >= {length} AND substr({e}, length({e}) - {length} + 1) = {param})"
            ),
            Op::Ne => format!("({e} IS NULL OR {e} <> {param})"),
            _ => format!("({e} {} {param})", sql_op(op)),
        }
    }
}

/// The condition that a column has a value.
fn present(column: Column) -> String {
    match column {
        Column::LoweredText(e) | Column::LowerText(e) | Column::Text(e) => {
            format!("({e} IS NOT NULL AND {e} <> '')")
        }
        Column::Int(e) | Column::Bool(e) => format!("({e} IS NOT NULL)"),
        Column::Member(e) => e.replace("m.id = {}", "1 = 1"),
    }
}

fn sql_op(op: Op) -> &'static str {
    match op {
        Op::Eq => "=",
        Op::Ne => "<>",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Contains | Op::StartsWith | Op::EndsWith => "LIKE",
    }
}

/// Escapes `\`, `%` and `_` for a `LIKE` pattern with `ESCAPE '\'`.
fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::scim::filter::{self as scim, MAX_NESTING, MAX_TERMS};

    fn person(text: &str) -> AppResult<Condition> {
        people(&scim::people(&scim::parse(text).expect("valid")).expect("supported"))
    }

    fn team(text: &str) -> AppResult<Condition> {
        teams(&scim::teams(&scim::parse(text).expect("valid")).expect("supported"))
    }

    #[test]
    fn filters_become_sql_with_binds() {
        let c = person(r#"userName eq "Ada@X.test" and emails[type eq "work"].value co "x""#)
            .expect("translated");
        assert_eq!(
            c.binds,
            vec![
                Bind::Text("Ada@X.test".into()),
                Bind::Text("work".into()),
                Bind::Text("%x%".into())
            ]
        );
        let g = team(r#"members eq "7""#).expect("translated");
        assert!(g.sql.contains("m.id = $1"));
    }

    #[test]
    fn case_exact_attributes_compare_without_like() {
        let sql = |f: &str| person(f).expect("translated").sql;
        for op in ["eq", "ne", "co", "sw", "ew"] {
            let s = sql(&format!("externalId {op} \"AbC\""));
            assert!(!s.contains("LIKE") && !s.contains("lower("), "{op}: {s}");
            let s = sql(&format!(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber {op} \"E-1\""
            ));
            assert!(!s.contains("LIKE") && !s.contains("lower("), "{op}: {s}");
        }
        let c = person("externalId sw \"AbC\"").expect("translated");
        assert_eq!(c.binds, vec![Bind::Text("AbC".into())]);
        let s = sql("userName sw \"AbC\"");
        assert!(s.contains("LIKE lower(CAST("), "{s}");
    }

    #[test]
    fn filters_at_the_parsers_limits_are_translated() {
        let deep = format!(
            "{}externalId eq \"x\"{}",
            "not (".repeat(MAX_NESTING),
            ")".repeat(MAX_NESTING)
        );
        let f = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || person(&deep).map(|c| c.sql.matches("NOT").count()))
            .expect("a thread starts")
            .join()
            .expect("no panic");
        assert_eq!(f.expect("translated"), MAX_NESTING);
        let wide = vec!["externalId eq \"x\""; MAX_TERMS].join(" or ");
        assert_eq!(person(&wide).expect("translated").binds.len(), MAX_TERMS);
    }

    #[test]
    fn a_comparison_its_attributes_kind_does_not_take_is_refused() {
        use super::super::filter::Filter;
        let odd = Filter::Compare(PersonAttr::Active, Op::Eq, Value::Text("yes".into()));
        assert!(people(&odd).is_err());
        let odd = Filter::Compare(TeamAttr::Member, Op::Gt, Value::Id(1));
        assert!(teams(&odd).is_err());
    }
}
