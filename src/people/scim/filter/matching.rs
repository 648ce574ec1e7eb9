//! Matching a filter against a JSON value, as a PATCH path's brackets select the values of a
//! multi-valued attribute.

use serde_json::Value;

use super::{AttrPath, Filter, Op};

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
