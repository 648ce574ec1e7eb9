//! Rules of the code's shape that the compiler cannot see: each is written in one place, and this
//! fails when another place starts writing it again.

use std::path::{Path, PathBuf};

/// Every Rust file under `src/`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The files under `src/` outside `allowed` whose text contains `needle`.
fn written_outside(needle: &str, allowed: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    let mut found: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let name = path
                .strip_prefix(root)
                .expect("under the crate")
                .to_string_lossy()
                .replace('\\', "/");
            if allowed.iter().any(|a| name.starts_with(a)) {
                return None;
            }
            let text = std::fs::read_to_string(path).expect("a source file");
            text.contains(needle).then_some(name)
        })
        .collect();
    found.sort();
    found
}

#[test]
fn only_the_policy_asks_whether_someone_is_an_admin() {
    assert_eq!(
        written_outside(".is_admin()", &["src/auth/"]),
        Vec::<String>::new(),
        "ask a function of src/auth/policy.rs instead, named after the decision"
    );
}

#[test]
fn the_management_chain_is_followed_only_by_the_data_layers_chain_queries() {
    assert_eq!(
        written_outside("WITH RECURSIVE", &["src/db/chain.rs"]),
        Vec::<String>::new(),
        "use crate::db::chain::below or above"
    );
}

#[test]
fn only_the_data_layer_tells_the_databases_apart() {
    // Outside `src/db`, nothing asks which engine it talks to, nor speaks an engine's own SQL.
    for needle in ["Backend::", ".backend()", "PRAGMA"] {
        assert_eq!(
            written_outside(needle, &["src/db/"]),
            Vec::<String>::new(),
            "`{needle}`: name the difference as a function of src/db/dialect.rs and call it"
        );
    }
    // Inside it, the dialect tells them apart; the pool, opened and sized, knows its engine.
    assert_eq!(
        written_outside("Backend::", &["src/db/dialect.rs", "src/db/mod.rs"]),
        Vec::<String>::new(),
        "name the difference as a function of src/db/dialect.rs"
    );
}

/// The files under `folder` (a path from the crate's root, such as `src/people/scim/`) whose text
/// contains `needle`.
fn written_under(folder: &str, needle: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join(folder), &mut files);
    let mut found: Vec<String> = files
        .iter()
        .filter(|path| {
            std::fs::read_to_string(path)
                .expect("a source file")
                .contains(needle)
        })
        .map(|path| {
            path.strip_prefix(root)
                .expect("under the crate")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    found.sort();
    found
}

#[test]
fn the_scim_adapter_writes_no_sql() {
    for needle in [
        "sqlx::",
        "SELECT ",
        "WHERE ",
        " FROM ",
        "JOIN ",
        "INSERT INTO",
        "UPDATE ",
        "DELETE FROM",
        " LIKE ",
        "IS NULL",
        "IS NOT NULL",
        "EXISTS (",
        "scim_deleted_at",
        "scim_active_unassigned",
        "name_key",
    ] {
        assert_eq!(
            written_under("src/people/scim/", needle),
            Vec::<String>::new(),
            "`{needle}`: SCIM reads a filter into people::provisioning::filter, and \
             people::provisioning::query writes its SQL"
        );
    }
}

#[test]
fn every_write_goes_through_the_unit_of_work() {
    // A write transaction starts only in the data layer, where `Work` begins it after the policy's
    // decision and commits it only with its audit event.
    assert_eq!(
        written_outside(".begin()", &["src/db/"]),
        Vec::<String>::new()
    );
    assert_eq!(
        written_outside("audit::insert", &["src/db/work.rs", "src/audit/"]),
        Vec::<String>::new()
    );
}

#[test]
fn only_the_api_describes_its_json() {
    // The value types every area speaks in (a person's status, a role, a rating, a form's field
    // error) describe themselves once; everything else the API sends is its own copy under api/.
    let shared = [
        "src/domain/",
        "src/error.rs",
        "src/auth/actor.rs",
        "src/api/",
    ];
    let found: Vec<String> = written_outside("ToSchema", &shared)
        .into_iter()
        .filter(|file| !file.contains("/api/"))
        .collect();
    assert_eq!(
        found,
        Vec::<String>::new(),
        "answer the API with a wire type of the area's api/wire module, made from the use case's type"
    );
}

#[test]
fn rows_are_read_into_types_not_by_column_name() {
    assert_eq!(
        written_outside("try_get", &["src/db/backup.rs"]),
        Vec::<String>::new(),
        "read the row into a #[derive(sqlx::FromRow)] struct, a tuple or a scalar"
    );
}
