//! The dialect (`db::dialect`): every difference between SQLite and PostgreSQL, each function
//! tested on the engine this suite runs on (PostgreSQL when `TEST_DATABASE_URL` names a server).
//! The SQL written here to look behind a function may be either engine's own.

use sqlx::Connection;
use trellis::db::{Backend, Db, dialect, migrations};

use crate::helpers::fresh_database;

/// A migrated, empty database with a pool of four connections.
async fn database() -> (Db, Option<tempfile::TempDir>) {
    let (url, dir) = fresh_database().await;
    let db = Db::connect(&url, 4).await.expect("connect");
    migrations::migrate(&db).await.expect("migrate");
    (db, dir)
}

/// A connection of its own, out of the pool, for settings that must not reach other tests.
async fn own_connection(db: &Db) -> sqlx::AnyConnection {
    db.pool().acquire().await.expect("a connection").detach()
}

async fn count(conn: &mut sqlx::AnyConnection) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM dialect_probe")
        .fetch_one(conn)
        .await
        .expect("count the rows")
}

/// A table with a generated id, made with the dialect's spelling of one.
async fn probe_table(db: &Db) {
    sqlx::query(&format!(
        "CREATE TABLE dialect_probe (id {}, note TEXT NOT NULL)",
        dialect::identity_column(db.backend())
    ))
    .execute(db.pool())
    .await
    .expect("create a table with a generated id");
}

async fn insert(db: &Db, note: &str) -> i64 {
    sqlx::query_scalar("INSERT INTO dialect_probe (note) VALUES ($1) RETURNING id")
        .bind(note)
        .fetch_one(db.pool())
        .await
        .expect("insert a row")
}

#[tokio::test]
async fn every_connection_is_prepared_for_its_engine() {
    let (db, _dir) = database().await;
    let mut conn = db.pool().acquire().await.expect("a connection");
    match db.backend() {
        Backend::Sqlite => {
            let keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
                .fetch_one(&mut *conn)
                .await
                .expect("read the pragma");
            assert_eq!(keys, 1, "foreign keys are enforced");
            let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
                .fetch_one(&mut *conn)
                .await
                .expect("read the pragma");
            assert_eq!(timeout, 10_000, "writers wait for each other");
        }
        Backend::Postgres => {
            sqlx::query("SET synchronous_commit = off")
                .execute(&mut *conn)
                .await
                .expect("turn durable commits off");
            dialect::prepare_connection(&mut conn, db.backend())
                .await
                .expect("prepare the connection again");
            let setting: String =
                sqlx::query_scalar("SELECT current_setting('synchronous_commit')")
                    .fetch_one(&mut *conn)
                    .await
                    .expect("read synchronous_commit");
            assert_eq!(setting, "on");
        }
    }
}

#[tokio::test]
async fn generated_ids_follow_ids_written_by_hand() {
    let (db, _dir) = database().await;
    probe_table(&db).await;
    assert_eq!(insert(&db, "first").await, 1);
    assert_eq!(insert(&db, "second").await, 2);
    // A restore writes rows with their ids, then tells the table to follow them.
    sqlx::query("INSERT INTO dialect_probe (id, note) VALUES (10, 'restored')")
        .execute(db.pool())
        .await
        .expect("insert with an id");
    let mut conn = db.pool().acquire().await.expect("a connection");
    dialect::follow_ids(&mut conn, db.backend(), "dialect_probe")
        .await
        .expect("follow the ids");
    // A table whose ids are not generated is left alone.
    sqlx::query("CREATE TABLE dialect_plain (id BIGINT PRIMARY KEY, note TEXT NOT NULL)")
        .execute(&mut *conn)
        .await
        .expect("create a table with ids given");
    dialect::follow_ids(&mut conn, db.backend(), "dialect_plain")
        .await
        .expect("nothing to follow");
    drop(conn);
    assert_eq!(insert(&db, "after").await, 11);
}

#[tokio::test]
async fn a_writing_transaction_holds_the_write_lock_from_its_start_on_sqlite() {
    let (db, _dir) = database().await;
    probe_table(&db).await;
    let tx = db.begin().await.expect("begin to write");
    let mut other = own_connection(&db).await;
    match db.backend() {
        Backend::Sqlite => {
            // Without waiting, another writer is refused although `tx` has written nothing yet.
            sqlx::query("PRAGMA busy_timeout = 0")
                .execute(&mut other)
                .await
                .expect("do not wait");
            let refused = sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await;
            assert!(refused.is_err(), "the write lock was taken at BEGIN");
            tx.rollback().await.expect("roll back");
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut other)
                .await
                .expect("the lock is free again");
            sqlx::query("ROLLBACK")
                .execute(&mut other)
                .await
                .expect("roll back");
        }
        Backend::Postgres => {
            // Rows are locked as they are written: another writer goes ahead.
            let mut write = other.begin().await.expect("begin");
            sqlx::query("INSERT INTO dialect_probe (note) VALUES ('beside')")
                .execute(&mut *write)
                .await
                .expect("write beside the transaction");
            write.commit().await.expect("commit");
            tx.rollback().await.expect("roll back");
        }
    }
    other.close().await.expect("close");
}

#[tokio::test]
async fn a_snapshot_reads_one_state_of_the_database_while_writers_go_on() {
    let (db, _dir) = database().await;
    probe_table(&db).await;
    insert(&db, "before").await;
    let mut snapshot = db.begin_read().await.expect("begin a snapshot");
    assert_eq!(count(&mut snapshot).await, 1);
    // A writer is not held up, and its commit is not seen by the snapshot.
    insert(&db, "during").await;
    assert_eq!(count(&mut snapshot).await, 1);
    if db.backend() == Backend::Postgres {
        let written = sqlx::query("INSERT INTO dialect_probe (note) VALUES ('inside')")
            .execute(&mut *snapshot)
            .await;
        assert!(written.is_err(), "the snapshot only reads");
    }
    snapshot.rollback().await.expect("end the snapshot");
    let mut conn = db.pool().acquire().await.expect("a connection");
    assert_eq!(count(&mut conn).await, 2);
}

#[tokio::test]
async fn the_migration_lock_is_held_until_it_is_given_back() {
    let (db, _dir) = database().await;
    let mut holder = own_connection(&db).await;
    let mut other = own_connection(&db).await;
    dialect::lock_migrations(&mut holder, db.backend())
        .await
        .expect("take the lock");
    let try_lock = "SELECT pg_try_advisory_lock($1)";
    let unlock = "SELECT pg_advisory_unlock($1)";
    if db.backend() == Backend::Postgres {
        let taken: bool = sqlx::query_scalar(try_lock)
            .bind(dialect::MIGRATION_LOCK)
            .fetch_one(&mut other)
            .await
            .expect("try the lock");
        assert!(!taken, "another server waits for the lock");
    }
    dialect::unlock_migrations(&mut holder, db.backend())
        .await
        .expect("give the lock back");
    if db.backend() == Backend::Postgres {
        let taken: bool = sqlx::query_scalar(try_lock)
            .bind(dialect::MIGRATION_LOCK)
            .fetch_one(&mut other)
            .await
            .expect("try the lock");
        assert!(taken, "the lock is free again");
        let _: bool = sqlx::query_scalar(unlock)
            .bind(dialect::MIGRATION_LOCK)
            .fetch_one(&mut other)
            .await
            .expect("give it back");
    }
    // Migrating under the lock, with nothing left to apply, applies nothing.
    assert_eq!(
        migrations::migrate(&db).await.expect("migrate"),
        Vec::<i64>::new()
    );
    holder.close().await.expect("close");
    other.close().await.expect("close");
}

#[tokio::test]
async fn the_schema_is_read_from_the_engines_catalog() {
    let (db, _dir) = database().await;
    let mut conn = db.pool().acquire().await.expect("a connection");
    let tables = dialect::tables(&mut conn, db.backend())
        .await
        .expect("the tables");
    for table in ["users", "checkins", "readiness", "readiness_rules"] {
        assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
    }
    assert!(!tables.iter().any(|t| t == "schema_migrations"));
    assert!(!tables.iter().any(|t| t.starts_with("sqlite_")));
    let mut sorted = tables.clone();
    sorted.sort();
    assert_eq!(tables, sorted, "by name");
    let keys = dialect::foreign_keys(&mut conn, db.backend())
        .await
        .expect("the foreign keys");
    assert!(
        keys.contains(&("checkins".into(), "person_id".into(), "users".into())),
        "{keys:?}"
    );
    assert!(
        keys.iter()
            .all(|(t, _, to)| tables.contains(t) && tables.contains(to))
    );
}

#[tokio::test]
async fn a_bulk_reader_reads_beside_the_writer_on_sqlite_only() {
    let (db, _dir) = database().await;
    probe_table(&db).await;
    insert(&db, "committed").await;
    let mut tx = db.begin().await.expect("begin to write");
    let reader = dialect::bulk_reader(&db, &mut tx)
        .await
        .expect("ask for a reader");
    match (db.backend(), reader) {
        (Backend::Sqlite, Some(mut reader)) => {
            sqlx::query("INSERT INTO dialect_probe (note) VALUES ('uncommitted')")
                .execute(&mut *tx)
                .await
                .expect("write in the transaction");
            // The reader reads what was committed before, not the transaction's writes.
            assert_eq!(count(&mut reader).await, 1);
            assert_eq!(count(&mut tx).await, 2);
            let mapped: i64 = sqlx::query_scalar("PRAGMA mmap_size")
                .fetch_one(&mut reader)
                .await
                .expect("read the pragma");
            assert!(mapped > 0, "the reader maps the database into memory");
            reader.close().await.expect("close the reader");
        }
        (Backend::Postgres, None) => {}
        (backend, reader) => panic!("{backend:?} gave a reader: {}", reader.is_some()),
    }
    tx.commit().await.expect("commit");
    // Every connection of the pool is there for others again.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(db.pool().acquire().await.expect("a connection"));
    }
}
