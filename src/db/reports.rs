//! The only place for SQL that differs between SQLite and PostgreSQL. Every function here is tested on
//! both backends by the integration suite.

use super::{Backend, Db};

/// The size of the database in bytes, as the engine reports it (shown on the admin status page).
pub async fn database_size(db: &Db) -> Result<i64, sqlx::Error> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        }
        Backend::Postgres => "SELECT pg_database_size(current_database())::BIGINT",
    };
    sqlx::query_scalar(sql).fetch_one(db.pool()).await
}

/// The tables of the schema, by name, without the engine's own and without `schema_migrations`.
pub async fn tables(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> 'schema_migrations' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::TEXT FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> 'schema_migrations' ORDER BY table_name"
        }
    };
    sqlx::query_scalar(sql).fetch_all(conn).await
}

/// The foreign keys of the schema as (table, column, referenced table).
pub async fn foreign_keys(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    match backend {
        Backend::Sqlite => {
            let mut out = Vec::new();
            for table in tables(conn, backend).await? {
                let refs: Vec<(String, String)> =
                    sqlx::query_as("SELECT \"from\", \"table\" FROM pragma_foreign_key_list($1)")
                        .bind(&table)
                        .fetch_all(&mut *conn)
                        .await?;
                out.extend(refs.into_iter().map(|(col, to)| (table.clone(), col, to)));
            }
            Ok(out)
        }
        Backend::Postgres => {
            sqlx::query_as(
                "SELECT cl.relname::TEXT, a.attname::TEXT, pcl.relname::TEXT \
                 FROM pg_constraint c \
                 JOIN pg_class cl ON cl.oid = c.conrelid \
                 JOIN pg_class pcl ON pcl.oid = c.confrelid \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) \
                 WHERE c.contype = 'f' AND cl.relnamespace = current_schema()::regnamespace \
                 ORDER BY 1, 2",
            )
            .fetch_all(conn)
            .await
        }
    }
}

/// After rows were written with their ids, makes the next generated id of `table` follow the
/// largest one. SQLite does this by itself; PostgreSQL's identity sequences need telling.
pub async fn follow_ids(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        // pg_get_serial_sequence is NULL for a table whose id is not generated, and setval of NULL
        // does nothing.
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence($1, 'id'), \
             COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)::BIGINT"
        );
        sqlx::query(&sql)
            .bind(format!("\"{table}\""))
            .execute(conn)
            .await?;
    }
    Ok(())
}
