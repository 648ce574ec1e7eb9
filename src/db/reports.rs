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
