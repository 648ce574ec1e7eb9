//! An acknowledged write survives a crash of the machine: every connection of the application's own
//! pool runs with the database's durable commit setting in effect.

use trellis::db::Backend;

use crate::helpers::TestApp;

#[tokio::test]
async fn every_pooled_connection_commits_durably() {
    let app = TestApp::empty().await;
    let db = app.state.db();
    // Hold every connection of the pool at once, so that each one is asked, not the same one again.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(db.pool().acquire().await.expect("a connection"));
    }
    for conn in &mut held {
        match db.backend() {
            Backend::Sqlite => {
                // 2 is FULL: in WAL mode, a commit returns once the log is on disk.
                let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(&mut **conn)
                    .await
                    .expect("read the pragma");
                assert_eq!(level, 2, "PRAGMA synchronous must be FULL");
                let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                    .fetch_one(&mut **conn)
                    .await
                    .expect("read the journal mode");
                assert_eq!(mode, "wal");
            }
            Backend::Postgres => {
                let setting: String =
                    sqlx::query_scalar("SELECT current_setting('synchronous_commit')")
                        .fetch_one(&mut **conn)
                        .await
                        .expect("read synchronous_commit");
                assert_ne!(
                    setting, "off",
                    "a commit must wait for its write-ahead log to reach the disk"
                );
            }
        }
    }
}
