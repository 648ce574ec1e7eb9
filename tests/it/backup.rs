//! `trellis backup` and `trellis restore` (`db::backup`): a copy taken while people are being
//! added is one consistent snapshot, and restoring it into an empty database gives back the same
//! content, on SQLite and on PostgreSQL.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde_json::Value;
use trellis::auth::Actor;
use trellis::auth::password::Cost;
use trellis::db::{Db, backup};
use trellis::people::directory::{self, PersonInput};

use crate::helpers::{TestApp, fresh_database};

/// The rows of a backup file after its header, which holds the time it was made.
fn content(file: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .expect("read the backup")
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect()
}

/// The rows of one table in a backup file, as JSON objects by column.
fn rows(file: &std::path::Path, table: &str) -> Vec<serde_json::Map<String, Value>> {
    let mut columns: Option<Vec<String>> = None;
    let mut out = Vec::new();
    for line in content(file) {
        let value: Value = serde_json::from_str(&line).expect("a JSON line");
        match value {
            Value::Object(o) => {
                columns = (o.get("table").and_then(Value::as_str) == Some(table)).then(|| {
                    o["columns"]
                        .as_array()
                        .expect("columns")
                        .iter()
                        .map(|c| c.as_str().expect("a name").to_owned())
                        .collect()
                });
            }
            Value::Array(values) => {
                if let Some(cols) = &columns {
                    out.push(cols.iter().cloned().zip(values).collect());
                }
            }
            _ => panic!("unexpected line {line}"),
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_people_are_added_restores_to_the_same_content() {
    let app = TestApp::demo().await;
    trellis::demo::seed_directory(&app.state, Cost::Test)
        .await
        .expect("the demo's people");
    trellis::demo::seed_growth(&app.state)
        .await
        .expect("the demo's growth");

    // People keep being added, each with its audit event in the same transaction.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let db = app.state.db().clone();
        let (stop, written) = (stop.clone(), written.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let input = PersonInput {
                    email: format!("load-{n}@demo.trellis.test"),
                    name: format!("Load {n}"),
                    ..PersonInput::default()
                };
                directory::save_person(&db, &Actor::command_line(), &input)
                    .await
                    .expect("add a person");
                n += 1;
                written.store(n, Ordering::SeqCst);
            }
        })
    };
    while written.load(Ordering::SeqCst) < 3 {
        tokio::task::yield_now().await;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("backup.jsonl");
    // A backup that overlapped with at least one write, so that the snapshot is what is tested.
    let mut overlapped = false;
    for _ in 0..50 {
        let before = written.load(Ordering::SeqCst);
        backup::backup(app.state.db(), &file)
            .await
            .expect("a backup");
        if written.load(Ordering::SeqCst) > before {
            overlapped = true;
            break;
        }
    }
    stop.store(true, Ordering::SeqCst);
    writer.await.expect("the writer");
    assert!(overlapped, "no backup ran while people were being added");

    // One snapshot: every person added by the load is there with their audit event, and no event
    // without its person.
    let load_people: BTreeSet<String> = rows(&file, "users")
        .iter()
        .filter(|u| u["email"].as_str().is_some_and(|e| e.starts_with("load-")))
        .map(|u| format!("user:{}", u["id"]))
        .collect();
    let load_events: BTreeSet<String> = rows(&file, "audit_events")
        .iter()
        .filter(|e| {
            e["action"] == "person.create"
                && e["summary"].as_str().is_some_and(|s| s.contains("load-"))
        })
        .map(|e| e["object"].as_str().expect("an object").to_owned())
        .collect();
    assert!(!load_people.is_empty());
    assert_eq!(load_people, load_events);
    let users = rows(&file, "users").len();
    assert!(
        rows(&file, "checkins").len() >= 2,
        "the demo's growth is in"
    );

    // Restored into an empty database, it is the same content.
    let (url, _restored_dir) = fresh_database().await;
    let restored = Db::connect(&url, 2).await.expect("connect");
    let counts = backup::restore(&restored, &file).await.expect("a restore");
    assert!(counts.rows > users && counts.tables > 10, "{counts:?}");
    let again = dir.path().join("again.jsonl");
    backup::backup(&restored, &again)
        .await
        .expect("a backup of the restored database");
    assert_eq!(content(&file), content(&again));

    // New rows get new ids after the restored ones.
    let id = directory::save_person(
        &restored,
        &Actor::command_line(),
        &PersonInput {
            email: "after@demo.trellis.test".into(),
            name: "After".into(),
            ..PersonInput::default()
        },
    )
    .await
    .expect("add a person after the restore");
    let largest = rows(&file, "users")
        .iter()
        .filter_map(|u| u["id"].as_i64())
        .max()
        .expect("ids");
    assert!(id > largest);

    // A database that has rows is refused, and left as it was.
    let refused = backup::restore(&restored, &file)
        .await
        .expect_err("a database with rows is refused");
    assert!(refused.to_string().contains("not empty"), "{refused:#}");
    restored.close().await;
}

#[tokio::test]
async fn a_file_that_is_not_a_whole_backup_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = TestApp::demo().await;
    let file = dir.path().join("backup.jsonl");
    backup::backup(app.state.db(), &file)
        .await
        .expect("a backup");
    let text = std::fs::read_to_string(&file).expect("read");
    let cut = dir.path().join("cut.jsonl");
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&cut, lines[..lines.len() - 1].join("\n")).expect("write");
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "email\nx@example.test\n").expect("write");

    for (file, says) in [(&cut, "cut off"), (&other, "is not a Trellis backup")] {
        let (url, _d) = fresh_database().await;
        let db = Db::connect(&url, 2).await.expect("connect");
        let e = backup::restore(&db, file).await.expect_err("refused");
        assert!(e.to_string().contains(says), "{e:#}");
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(db.pool())
            .await
            .unwrap_or(0);
        assert_eq!(users, 0, "nothing was restored");
        db.close().await;
    }
}
