//! The database: connecting to SQLite or PostgreSQL through one pool type, and the schema migrations.
//! Queries are written once in the SQL both backends understand (`$1` placeholders, `RETURNING`);
//! everything that differs between them is a named function of [`dialect`].

pub mod backup;
pub mod chain;
pub mod dialect;
pub mod migrations;
pub mod work;

pub use work::{Unrecorded, Work};

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Transaction};

/// Which engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The engine's name, as a backup's header records where it came from.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// A connection pool and the backend it talks to. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// A write in progress; every service write goes through one and records its audit event in it.
pub type Tx = Transaction<'static, Any>;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("DATABASE_URL must start with sqlite: or postgres:, not `{0}`")]
    UnknownScheme(String),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] sqlx::Error),
}

impl Db {
    /// Opens a pool of `size` connections, each set up by [`dialect::prepare_connection`] (SQLite gets
    /// WAL journaling, a busy timeout and foreign keys). A write that was answered is on disk: SQLite
    /// runs with `synchronous = FULL`, and PostgreSQL with `synchronous_commit` on.
    pub async fn connect(url: &str, size: u32) -> Result<Db, ConnectError> {
        sqlx::any::install_default_drivers();
        let backend =
            Backend::from_url(url).ok_or_else(|| ConnectError::UnknownScheme(redact(url)))?;
        let options = AnyConnectOptions::from_str(url)?;
        let pool_options = AnyPoolOptions::new()
            .max_connections(size.max(1))
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            // A SQLite connection is a file in this process: there is no link to test before
            // lending it, and the test is a round trip to its thread on every query.
            .test_before_acquire(backend == Backend::Postgres);
        let pool = pool_options
            .after_connect(move |conn, _meta| {
                Box::pin(async move { dialect::prepare_connection(conn, backend).await })
            })
            .connect_with(options)
            .await?;
        Ok(Db { pool, backend })
    }

    /// The pool size a server uses unless told otherwise: 16 connections to PostgreSQL; for SQLite,
    /// whose queries run on this machine's cores, twice the cores (at least 4), since more
    /// connections only add threads competing for the same cores.
    pub fn default_pool_size(url: &str) -> u32 {
        match Backend::from_url(url) {
            Some(Backend::Sqlite) => {
                let cores = std::thread::available_parallelism().map_or(2, usize::from);
                u32::try_from(cores * 2).unwrap_or(u32::MAX).max(4)
            }
            _ => 16,
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction. Every write of a service happens inside one, which only
    /// [`Work::begin`] starts outside this module (a structure test holds the code to it). On SQLite it takes the
    /// write lock at once ([`dialect::begin_write`]), so that concurrent writers wait for each other
    /// instead of failing.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        dialect::begin_write(&self.pool, self.backend).await
    }

    /// Starts a transaction that only reads, and sees one snapshot of the database throughout
    /// ([`dialect::begin_snapshot`]); it does not hold up writers.
    pub async fn begin_read(&self) -> Result<Tx, sqlx::Error> {
        dialect::begin_snapshot(&self.pool, self.backend).await
    }

    /// Answers whether the database responds, for health checks.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The current time as whole seconds since the Unix epoch, the one time format stored.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A database URL with any password removed, safe for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact("postgres://trellis:secret@db:5432/trellis"),
            "postgres://trellis:***@db:5432/trellis"
        );
        assert_eq!(redact("sqlite://data/t.db"), "sqlite://data/t.db");
    }
}
