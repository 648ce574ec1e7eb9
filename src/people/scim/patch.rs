//! SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's JSON: the handler renders the stored
//! resource, applies the operations here, then reads the result as it reads a PUT body, so PATCH
//! and PUT keep the same rules. Operations are `add`, `replace` and `remove` in any case (Entra
//! sends `Replace`), with a path or, for `add` and `replace`, with an object of attributes (Okta
//! sends `{"op":"replace","value":{"active":false}}`).

use serde_json::{Map, Value};

use super::error::{ScimError, ScimResult};
use super::filter::{self, AttrPath, PatchPath, get_ci};

pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpKind {
    Add,
    Replace,
    Remove,
}

/// The multi-valued attributes of the resources served, lower-cased.
const MULTI_VALUED: [&str; 2] = ["emails", "members"];

/// Applies a PatchOp request body to a resource. `core_urn` is the resource's own schema, whose
/// URN may prefix a path like an extension's.
pub fn apply(resource: &mut Value, body: &Value, core_urn: &str) -> ScimResult<()> {
    let ops = get_ci(body, "Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ScimError::invalid_syntax("a PATCH body needs an `Operations` array (PatchOp schema)")
        })?;
    for op in ops {
        let kind = op_kind(op)?;
        let value = get_ci(op, "value").cloned();
        let path = get_ci(op, "path").and_then(Value::as_str);
        match (path, kind) {
            (Some(p), _) if !p.trim().is_empty() => {
                let path = filter::parse_path(p)?;
                apply_one(resource, kind, &path, value, core_urn)?;
            }
            (_, OpKind::Remove) => {
                return Err(ScimError::no_target("a remove operation needs a path"));
            }
            (_, _) => {
                let Some(Value::Object(attrs)) = value else {
                    return Err(ScimError::invalid_value(
                        "an operation without a path needs an object of attributes as its value",
                    ));
                };
                apply_without_path(resource, kind, attrs, core_urn)?;
            }
        }
    }
    Ok(())
}

/// What an operation does: `add`, `replace` or `remove`, in any case.
fn op_kind(op: &Value) -> ScimResult<OpKind> {
    match get_ci(op, "op")
        .and_then(Value::as_str)
        .map(str::to_lowercase)
    {
        Some(k) if k == "add" => Ok(OpKind::Add),
        Some(k) if k == "replace" => Ok(OpKind::Replace),
        Some(k) if k == "remove" => Ok(OpKind::Remove),
        _ => Err(ScimError::invalid_syntax(
            "each operation needs an `op`: add, replace or remove",
        )),
    }
}

/// An `add` or `replace` without a path: each attribute of the value as if it were the path, and
/// an extension's object attribute by attribute.
fn apply_without_path(
    resource: &mut Value,
    kind: OpKind,
    attrs: Map<String, Value>,
    core_urn: &str,
) -> ScimResult<()> {
    for (key, v) in attrs {
        let Some(attr) = AttrPath::parse(&key) else {
            return Err(ScimError::invalid_path(format!(
                "`{key}` is not an attribute"
            )));
        };
        if !attr.attr.is_empty() {
            let path = PatchPath {
                attr,
                filter: None,
                sub: None,
            };
            apply_one(resource, kind, &path, Some(v), core_urn)?;
            continue;
        }
        // An extension's whole object: its attributes one by one.
        let Value::Object(inner) = v else {
            return Err(ScimError::invalid_value(format!(
                "`{key}` must be an object"
            )));
        };
        for (k, v) in inner {
            if k.eq_ignore_ascii_case("schemas") {
                continue;
            }
            let path = filter::parse_path(&format!("{key}:{k}"))?;
            apply_one(resource, kind, &path, Some(v), core_urn)?;
        }
    }
    Ok(())
}

/// The key of `obj` equal to `name` without regard to case, or `name` itself.
fn key_of(obj: &Map<String, Value>, name: &str) -> String {
    obj.keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_owned())
}

/// The object holding the path's attribute: the resource itself, or an extension's object.
fn container<'a>(
    resource: &'a mut Value,
    attr: &AttrPath,
    core_urn: &str,
    create: bool,
) -> ScimResult<Option<&'a mut Map<String, Value>>> {
    let root = resource
        .as_object_mut()
        .ok_or_else(|| ScimError::invalid_value("the resource is not an object"))?;
    match &attr.urn {
        Some(urn) if !urn.eq_ignore_ascii_case(core_urn) => {
            let key = key_of(root, &canonical_urn(urn));
            if !root.contains_key(&key) {
                if !create {
                    return Ok(None);
                }
                root.insert(key.clone(), Value::Object(Map::new()));
                add_schema(root, &key);
            }
            Ok(root.get_mut(&key).and_then(Value::as_object_mut))
        }
        _ => Ok(Some(root)),
    }
}

fn canonical_urn(urn: &str) -> String {
    if urn.eq_ignore_ascii_case(filter::ENTERPRISE) {
        filter::ENTERPRISE.to_owned()
    } else {
        urn.to_owned()
    }
}

fn add_schema(root: &mut Map<String, Value>, urn: &str) {
    if let Some(Value::Array(schemas)) = root.get_mut("schemas")
        && !schemas.iter().any(|s| s.as_str() == Some(urn))
    {
        schemas.push(Value::String(urn.to_owned()));
    }
}

/// Merges `value` into `target`: objects attribute by attribute, anything else replaces.
fn merge(target: &mut Value, value: Value) {
    match (target, value) {
        (Value::Object(t), Value::Object(v)) => {
            for (k, v) in v {
                let key = key_of(t, &k);
                match t.get_mut(&key) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        t.insert(key, v);
                    }
                }
            }
        }
        (t, v) => *t = v,
    }
}

/// Applies one operation with a path to a resource.
fn apply_one(
    resource: &mut Value,
    kind: OpKind,
    path: &PatchPath,
    value: Option<Value>,
    core_urn: &str,
) -> ScimResult<()> {
    let attr = &path.attr;
    if attr.attr.is_empty() {
        return apply_to_extension(resource, kind, attr, value, core_urn);
    }
    if matches!(attr.attr.as_str(), "id" | "meta" | "schemas") {
        return Err(ScimError::mutability(format!(
            "`{}` is set by the server and cannot be changed",
            attr.attr
        )));
    }
    let Some(obj) = container(resource, attr, core_urn, kind != OpKind::Remove)? else {
        return Ok(());
    };
    let target = Target {
        key: key_of(obj, &attr.attr),
        multi: MULTI_VALUED.contains(&attr.attr.as_str()),
    };
    let need_value = || {
        value
            .clone()
            .ok_or_else(|| ScimError::invalid_value("add and replace operations need a value"))
    };
    if let Some(f) = &path.filter {
        return apply_filtered(obj, &target.key, kind, f, path.sub.as_deref(), need_value);
    }
    match (kind, &attr.sub) {
        (OpKind::Remove, None) => target.remove(obj, value.as_ref()),
        (OpKind::Remove, Some(sub)) => target.remove_sub(obj, sub),
        (_, Some(sub)) => target.set_sub(obj, sub, need_value()?),
        (OpKind::Add, None) => target.add(obj, need_value()?),
        (OpKind::Replace, None) => target.replace(obj, need_value()?),
    }
    Ok(())
}

/// An operation on a whole extension: its attributes one by one, or all of it removed.
fn apply_to_extension(
    resource: &mut Value,
    kind: OpKind,
    attr: &AttrPath,
    value: Option<Value>,
    core_urn: &str,
) -> ScimResult<()> {
    let Some(urn) = attr
        .urn
        .as_deref()
        .filter(|u| !u.eq_ignore_ascii_case(core_urn))
    else {
        return Err(ScimError::invalid_path("a path must name an attribute"));
    };
    if kind == OpKind::Remove {
        if let Some(root) = resource.as_object_mut() {
            let key = key_of(root, &canonical_urn(urn));
            root.remove(&key);
        }
        return Ok(());
    }
    let Some(Value::Object(attrs)) = value else {
        return Err(ScimError::invalid_value(format!(
            "the value of `{urn}` must be an object"
        )));
    };
    for (k, v) in attrs {
        if k.eq_ignore_ascii_case("schemas") {
            continue;
        }
        let path = filter::parse_path(&format!("{urn}:{k}"))?;
        apply_one(resource, kind, &path, Some(v), core_urn)?;
    }
    Ok(())
}

/// An operation on the values of a multi-valued attribute that a filter selects
/// (`emails[type eq "work"].value`): removes them or their sub-attribute, or sets them; setting
/// when none matches adds the value the filter describes.
fn apply_filtered(
    obj: &mut Map<String, Value>,
    key: &str,
    kind: OpKind,
    f: &filter::Filter,
    sub: Option<&str>,
    need_value: impl Fn() -> ScimResult<Value>,
) -> ScimResult<()> {
    let items = match obj.get_mut(key) {
        Some(Value::Array(items)) => items,
        _ if kind == OpKind::Remove => return Ok(()),
        _ => {
            obj.insert(key.to_owned(), Value::Array(Vec::new()));
            match obj.get_mut(key) {
                Some(Value::Array(items)) => items,
                _ => return Err(ScimError::invalid_path("cannot reach the attribute")),
            }
        }
    };
    let hits: Vec<usize> = (0..items.len())
        .filter(|i| filter::matches(f, &items[*i]))
        .collect();
    if kind == OpKind::Remove {
        remove_matching(items, &hits, sub);
        return Ok(());
    }
    let v = need_value()?;
    let with_sub = |v: Value| match sub {
        Some(sub) => serde_json::json!({ sub: v }),
        None => v,
    };
    if hits.is_empty() {
        // Entra replaces `emails[type eq "work"].value` on a user with no such email: make the
        // value the filter describes.
        let mut item = Value::Object(Map::new());
        seed_from_filter(&mut item, f);
        merge(&mut item, with_sub(v));
        items.push(item);
    } else {
        for i in hits {
            merge(&mut items[i], with_sub(v.clone()));
        }
    }
    Ok(())
}

/// Removes the values at `hits`, or only their sub-attribute `sub`.
fn remove_matching(items: &mut Vec<Value>, hits: &[usize], sub: Option<&str>) {
    match sub {
        Some(sub) => {
            for &i in hits {
                if let Some(o) = items[i].as_object_mut() {
                    let k = key_of(o, sub);
                    o.remove(&k);
                }
            }
        }
        None => {
            let mut i = 0;
            items.retain(|_| {
                let keep = !hits.contains(&i);
                i += 1;
                keep
            });
        }
    }
}

/// The attribute an operation without a filter changes, in the object holding it.
struct Target {
    /// Its key in the object, as the object spells it.
    key: String,
    /// Whether it is multi-valued (a list of values).
    multi: bool,
}

impl Target {
    /// `remove` of the attribute; of a multi-valued one, only the values listed when there are
    /// some (Entra removes members by listing them in the value).
    fn remove(&self, obj: &mut Map<String, Value>, value: Option<&Value>) {
        if self.multi
            && let Some(Value::Array(remove)) = value
        {
            if let Some(Value::Array(items)) = obj.get_mut(&self.key) {
                items.retain(|item| {
                    !remove.iter().any(|r| {
                        get_ci(r, "value").is_some_and(|rv| {
                            get_ci(item, "value").is_some_and(|iv| same_id(iv, rv))
                        })
                    })
                });
            }
        } else {
            obj.remove(&self.key);
        }
    }

    /// `remove` of a sub-attribute, from the object or from each value of the list.
    fn remove_sub(&self, obj: &mut Map<String, Value>, sub: &str) {
        match obj.get_mut(&self.key) {
            Some(Value::Object(o)) => {
                let k = key_of(o, sub);
                o.remove(&k);
            }
            Some(Value::Array(items)) => {
                for item in items {
                    if let Some(o) = item.as_object_mut() {
                        let k = key_of(o, sub);
                        o.remove(&k);
                    }
                }
            }
            _ => {}
        }
    }

    /// `add` or `replace` of a sub-attribute, in the object or in each value of the list.
    fn set_sub(&self, obj: &mut Map<String, Value>, sub: &str, v: Value) {
        match obj.get_mut(&self.key) {
            Some(Value::Array(items)) => {
                for item in items {
                    merge(item, serde_json::json!({ sub: v.clone() }));
                }
            }
            Some(existing @ Value::Object(_)) => {
                merge(existing, serde_json::json!({ sub: v }));
            }
            _ => {
                obj.insert(self.key.clone(), serde_json::json!({ sub: v }));
            }
        }
    }

    /// `add` of the attribute: values join a list (a value already there, by its `value`, is
    /// merged, and a new primary value makes the others not primary), objects merge, anything
    /// else replaces.
    fn add(&self, obj: &mut Map<String, Value>, v: Value) {
        match obj.get_mut(&self.key) {
            Some(Value::Array(items)) if self.multi => {
                let new = match v {
                    Value::Array(a) => a,
                    one => vec![one],
                };
                for item in new {
                    add_value(items, item);
                }
            }
            Some(existing @ Value::Object(_)) if v.is_object() => merge(existing, v),
            _ => {
                obj.insert(self.key.clone(), self.as_stored(v));
            }
        }
    }

    /// `replace` of the attribute: objects merge, anything else replaces.
    fn replace(&self, obj: &mut Map<String, Value>, v: Value) {
        match obj.get_mut(&self.key) {
            Some(existing @ Value::Object(_)) if v.is_object() => merge(existing, v),
            _ => {
                obj.insert(self.key.clone(), self.as_stored(v));
            }
        }
    }

    /// A value as the attribute holds it: a multi-valued attribute holds a list.
    fn as_stored(&self, v: Value) -> Value {
        if self.multi && !v.is_array() {
            Value::Array(vec![v])
        } else {
            v
        }
    }
}

/// Adds a value to a multi-valued attribute's list.
fn add_value(items: &mut Vec<Value>, item: Value) {
    if get_ci(&item, "primary") == Some(&Value::Bool(true)) {
        for existing in items.iter_mut() {
            if let Some(o) = existing.as_object_mut() {
                o.remove("primary");
            }
        }
    }
    let dup = items.iter().position(|e| {
        get_ci(e, "value")
            .zip(get_ci(&item, "value"))
            .is_some_and(|(a, b)| same_id(a, b))
    });
    match dup {
        Some(i) => merge(&mut items[i], item),
        None => items.push(item),
    }
}

/// Ids compare as text (`"7"` and `7` are one id); other values without regard to case.
fn same_id(a: &Value, b: &Value) -> bool {
    let text = |v: &Value| match v {
        Value::String(s) => s.trim().to_lowercase(),
        other => other.to_string(),
    };
    text(a) == text(b)
}

/// Fills an empty value with what an `eq` filter says of it (`type eq "work"` gives a work email).
fn seed_from_filter(item: &mut Value, f: &filter::Filter) {
    match f {
        filter::Filter::Compare(p, filter::Op::Eq, v) if p.sub.is_none() => {
            merge(item, serde_json::json!({ p.attr.as_str(): v.clone() }));
        }
        filter::Filter::And(a, b) => {
            seed_from_filter(item, a);
            seed_from_filter(item, b);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const USER: &str = filter::CORE_USER;

    fn user() -> Value {
        json!({
            "schemas": [USER],
            "id": "3",
            "userName": "ada@example.test",
            "active": true,
            "emails": [{"value": "ada@example.test", "type": "work", "primary": true}],
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
        })
    }

    #[test]
    fn entra_replaces_with_capitals_and_string_booleans() {
        let mut u = user();
        apply(
            &mut u,
            &json!({"Operations": [
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ada@new.test"},
                {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "9"},
            ]}),
            USER,
        )
        .expect("applies");
        assert_eq!(u["active"], json!("False"));
        assert_eq!(u["emails"][0]["value"], json!("ada@new.test"));
        assert_eq!(u[filter::ENTERPRISE]["manager"], json!("9"));
        assert!(u["schemas"].as_array().is_some_and(|s| s.len() == 2));
    }

    #[test]
    fn okta_replaces_without_a_path() {
        let mut u = user();
        apply(
            &mut u,
            &json!({"Operations": [{"op": "replace", "value": {"active": false, "name": {"givenName": "Augusta"}}}]}),
            USER,
        )
        .expect("applies");
        assert_eq!(u["active"], json!(false));
        assert_eq!(
            u["name"],
            json!({"givenName": "Augusta", "familyName": "Lovelace"})
        );
    }

    #[test]
    fn members_are_added_and_removed_by_value_or_filter() {
        let mut g = json!({"displayName": "Core", "members": [{"value": "1"}, {"value": "2"}]});
        let core = filter::CORE_GROUP;
        apply(&mut g, &json!({"Operations": [{"op": "add", "path": "members", "value": [{"value": "3"}, {"value": "1"}]}]}), core).expect("add");
        assert_eq!(g["members"].as_array().map(Vec::len), Some(3));
        apply(
            &mut g,
            &json!({"Operations": [{"op": "remove", "path": "members[value eq \"2\"]"}]}),
            core,
        )
        .expect("remove");
        apply(&mut g, &json!({"Operations": [{"op": "Remove", "path": "members", "value": [{"value": "1"}]}]}), core).expect("remove");
        assert_eq!(g["members"], json!([{"value": "3"}]));
    }

    #[test]
    fn bad_operations_are_refused_with_their_scim_type() {
        let mut u = user();
        let e = apply(
            &mut u,
            &json!({"Operations": [{"op": "move", "path": "active"}]}),
            USER,
        )
        .expect_err("bad op");
        assert_eq!(e.scim_type, Some("invalidSyntax"));
        let e =
            apply(&mut u, &json!({"Operations": [{"op": "remove"}]}), USER).expect_err("no path");
        assert_eq!(e.scim_type, Some("noTarget"));
        let e = apply(
            &mut u,
            &json!({"Operations": [{"op": "replace", "path": "id", "value": "4"}]}),
            USER,
        )
        .expect_err("id");
        assert_eq!(e.scim_type, Some("mutability"));
    }
}
