//! A filter of a list read as the directory's condition on people or teams: each attribute path
//! names one of the attributes provisioning may filter on, and each value is read as that
//! attribute's kind takes it (text, an id, true or false). What the directory cannot filter on is
//! an `invalidFilter` error.

use serde_json::Value;

use super::{AttrPath, CORE_GROUP, CORE_USER, Filter, Op};
use crate::people::provisioning::filter::{
    self as wanted, Kind, PersonAttr, PersonFilter, TeamAttr, TeamFilter,
};
use crate::people::scim::error::{ScimError, ScimResult};

/// The people a filter of `/Users` asks for.
pub fn people(filter: &Filter) -> ScimResult<PersonFilter> {
    Reading {
        attr: person_attr,
        kind: PersonAttr::kind,
    }
    .filter(filter, None)
    .map_err(ScimError::invalid_filter)
}

/// The teams a filter of `/Groups` asks for.
pub fn teams(filter: &Filter) -> ScimResult<TeamFilter> {
    Reading {
        attr: team_attr,
        kind: TeamAttr::kind,
    }
    .filter(filter, None)
    .map_err(ScimError::invalid_filter)
}

/// The attribute of a person a path names. `within` names the multi-valued attribute a value
/// filter is in (`emails`).
fn person_attr(p: &AttrPath, within: Option<&str>) -> Option<PersonAttr> {
    if let Some("emails") = within {
        return match p.attr.as_str() {
            "value" => Some(PersonAttr::Email),
            "type" => Some(PersonAttr::EmailType),
            "primary" => Some(PersonAttr::EmailPrimary),
            _ => None,
        };
    }
    if p.is_enterprise() {
        return match (p.attr.as_str(), p.sub.as_deref()) {
            ("employeenumber", None) => Some(PersonAttr::EmployeeNumber),
            ("department", None) => Some(PersonAttr::Department),
            ("manager", None | Some("value")) => Some(PersonAttr::Manager),
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
        ("id", None) => Some(PersonAttr::Id),
        ("username", None) => Some(PersonAttr::UserName),
        ("externalid", None) => Some(PersonAttr::ExternalId),
        ("emails", None | Some("value")) => Some(PersonAttr::Email),
        ("emails", Some("type")) => Some(PersonAttr::EmailType),
        ("active", None) => Some(PersonAttr::Active),
        ("displayname", None) => Some(PersonAttr::DisplayName),
        ("name", Some("formatted")) => Some(PersonAttr::FormattedName),
        _ => None,
    }
}

/// The attribute of a team a path names.
fn team_attr(p: &AttrPath, within: Option<&str>) -> Option<TeamAttr> {
    if let Some("members") = within {
        return match p.attr.as_str() {
            "value" => Some(TeamAttr::Member),
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
        ("id", None) => Some(TeamAttr::Id),
        ("displayname", None) => Some(TeamAttr::DisplayName),
        ("externalid", None) => Some(TeamAttr::ExternalId),
        ("members", None | Some("value")) => Some(TeamAttr::Member),
        _ => None,
    }
}

/// Reads a parsed filter over the attributes of one kind of resource.
struct Reading<A> {
    attr: fn(&AttrPath, Option<&str>) -> Option<A>,
    kind: fn(A) -> Kind,
}

impl<A: Copy> Reading<A> {
    fn filter(&self, f: &Filter, within: Option<&str>) -> Result<wanted::Filter<A>, String> {
        Ok(match f {
            Filter::And(a, b) => wanted::Filter::And(
                Box::new(self.filter(a, within)?),
                Box::new(self.filter(b, within)?),
            ),
            Filter::Or(a, b) => wanted::Filter::Or(
                Box::new(self.filter(a, within)?),
                Box::new(self.filter(b, within)?),
            ),
            Filter::Not(a) => wanted::Filter::Not(Box::new(self.filter(a, within)?)),
            Filter::Present(p) => wanted::Filter::Present(self.attr(p, within)?),
            Filter::Compare(p, op, value) => {
                let attr = self.attr(p, within)?;
                compare(attr, (self.kind)(attr), *op, value, p)?
            }
            // `emails[type eq "work"].value eq "x"`: both conditions on the same value.
            Filter::ValuePath(p, inner, after) => {
                let within = Some(p.attr.as_str());
                let inner = self.filter(inner, within)?;
                match after {
                    Some(after) => {
                        wanted::Filter::And(Box::new(inner), Box::new(self.filter(after, within)?))
                    }
                    None => inner,
                }
            }
        })
    }

    fn attr(&self, p: &AttrPath, within: Option<&str>) -> Result<A, String> {
        (self.attr)(p, within).ok_or_else(|| {
            format!(
                "filtering on `{}` is not supported",
                match within {
                    Some(w) => format!("{w}.{}", p.dotted()),
                    None => p.dotted(),
                }
            )
        })
    }
}

fn op_of(op: Op) -> wanted::Op {
    match op {
        Op::Eq => wanted::Op::Eq,
        Op::Ne => wanted::Op::Ne,
        Op::Co => wanted::Op::Contains,
        Op::Sw => wanted::Op::StartsWith,
        Op::Ew => wanted::Op::EndsWith,
        Op::Gt => wanted::Op::Gt,
        Op::Ge => wanted::Op::Ge,
        Op::Lt => wanted::Op::Lt,
        Op::Le => wanted::Op::Le,
    }
}

/// An attribute compared with a value, the value read as the attribute's kind takes it.
fn compare<A>(
    attr: A,
    kind: Kind,
    op: Op,
    value: &Value,
    p: &AttrPath,
) -> Result<wanted::Filter<A>, String> {
    let op = op_of(op);
    let value = match kind {
        Kind::Text | Kind::ExactText => text(op, value)?,
        Kind::Id | Kind::Member => {
            let Some(id) = id(value) else {
                // No stored id looks like that: nothing matches `eq`, everything matches `ne`.
                return Ok(wanted::Filter::Always(op == wanted::Op::Ne));
            };
            if op.is_substring() {
                return Err(format!("`{}` is an id: use eq or ne", p.dotted()));
            }
            if kind == Kind::Member && !op.is_equality() {
                return Err("compare members with eq or ne".into());
            }
            wanted::Value::Id(id)
        }
        Kind::Flag => {
            let b = match value {
                Value::Bool(b) => *b,
                Value::String(s) if s.eq_ignore_ascii_case("true") => true,
                Value::String(s) if s.eq_ignore_ascii_case("false") => false,
                _ => return Err(format!("compare `{}` with true or false", p.dotted())),
            };
            if !op.is_equality() {
                return Err(format!("compare `{}` with eq or ne", p.dotted()));
            }
            wanted::Value::Flag(b)
        }
    };
    Ok(wanted::Filter::Compare(attr, op, value))
}

/// A value compared with a text attribute: a string, or a number or boolean as text; `null` with
/// `eq` or `ne` only.
fn text(op: wanted::Op, value: &Value) -> Result<wanted::Value, String> {
    match value {
        Value::Null if op.is_equality() => Ok(wanted::Value::Empty),
        Value::Null => Err("only eq and ne compare with null".into()),
        Value::String(s) => Ok(wanted::Value::Text(s.clone())),
        Value::Number(n) => Ok(wanted::Value::Text(n.to_string())),
        Value::Bool(b) => Ok(wanted::Value::Text(b.to_string())),
        _ => Err("compare text attributes with a string".into()),
    }
}

/// A value compared with an id: a whole number, or a string holding one.
fn id(value: &Value) -> Option<i64> {
    match value {
        Value::String(s) => s.trim().parse::<i64>().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::scim::filter::parse;

    fn person(text: &str) -> ScimResult<PersonFilter> {
        people(&parse(text).expect("valid"))
    }

    #[test]
    fn paths_name_the_attributes_with_their_values_typed() {
        assert_eq!(
            person(r#"userName eq "Ada@X.test""#),
            Ok(wanted::Filter::Compare(
                PersonAttr::UserName,
                wanted::Op::Eq,
                wanted::Value::Text("Ada@X.test".into())
            ))
        );
        assert_eq!(
            person(r#"emails[type eq "work"].value co "x""#),
            Ok(wanted::Filter::And(
                Box::new(wanted::Filter::Compare(
                    PersonAttr::EmailType,
                    wanted::Op::Eq,
                    wanted::Value::Text("work".into())
                )),
                Box::new(wanted::Filter::Compare(
                    PersonAttr::Email,
                    wanted::Op::Contains,
                    wanted::Value::Text("x".into())
                )),
            ))
        );
        assert_eq!(
            person("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq 7"),
            Ok(wanted::Filter::Compare(
                PersonAttr::Manager,
                wanted::Op::Eq,
                wanted::Value::Id(7)
            ))
        );
        assert_eq!(
            person(r#"active ne "True""#),
            Ok(wanted::Filter::Compare(
                PersonAttr::Active,
                wanted::Op::Ne,
                wanted::Value::Flag(true)
            ))
        );
        assert_eq!(
            teams(&parse(r#"members[value eq "7"]"#).expect("valid")),
            Ok(wanted::Filter::Compare(
                TeamAttr::Member,
                wanted::Op::Eq,
                wanted::Value::Id(7)
            ))
        );
    }

    #[test]
    fn ids_that_cannot_be_match_nothing_or_everything() {
        assert_eq!(person(r#"id eq "x""#), Ok(wanted::Filter::Always(false)));
        assert_eq!(person(r#"id ne "x""#), Ok(wanted::Filter::Always(true)));
    }

    #[test]
    fn what_the_directory_cannot_filter_on_is_an_invalid_filter() {
        for (text, detail) in [
            (r#"title eq "x""#, "filtering on `title` is not supported"),
            (
                r#"emails[display eq "x"]"#,
                "filtering on `emails.display` is not supported",
            ),
            ("externalId gt null", "only eq and ne compare with null"),
            (r#"id co "1""#, "`id` is an id: use eq or ne"),
            (r#"active eq "yes""#, "compare `active` with true or false"),
            ("active gt true", "compare `active` with eq or ne"),
        ] {
            let e = person(text).map(|_| ()).expect_err(text);
            assert_eq!(e.scim_type, Some("invalidFilter"), "{text}");
            assert_eq!(e.detail, detail, "{text}");
        }
        let e = teams(&parse(r#"members gt "1""#).expect("valid")).expect_err("gt");
        assert_eq!(e.detail, "compare members with eq or ne");
    }
}
