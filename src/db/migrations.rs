//! Schema migrations, written once for both backends. The only differences between SQLite and
//! PostgreSQL DDL are spelled as tokens (`{id}`) that [`render`] fills in from the dialect.
//! Migrations are applied in order, each in its own transaction, under the dialect's migration lock
//! (on PostgreSQL an advisory lock, so that several servers starting together do not race).

use sqlx::{Acquire, Executor};

use super::{Backend, Db, dialect};

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "accounts, framework drafts and versions, audit log",
        sql: r#"
CREATE TABLE users (
    id {id},
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE api_tokens (
    id {id},
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE TABLE framework_draft (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL,
    content TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE TABLE framework_versions (
    id {id},
    number BIGINT NOT NULL UNIQUE,
    note TEXT NOT NULL,
    content TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE TABLE audit_events (
    id {id},
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    summary TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX audit_events_at ON audit_events(at);
"#,
    },
    Migration {
        version: 2,
        name: "the people directory: teams, managers, positions and their history",
        sql: r#"
CREATE TABLE teams (
    id {id},
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
ALTER TABLE users ADD COLUMN employee_id TEXT;
ALTER TABLE users ADD COLUMN team_id BIGINT REFERENCES teams(id) ON DELETE SET NULL;
ALTER TABLE users ADD COLUMN manager_id BIGINT REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE users ADD COLUMN start_date TEXT;
ALTER TABLE users ADD COLUMN left_on TEXT;
ALTER TABLE users ADD COLUMN track_key TEXT;
ALTER TABLE users ADD COLUMN level_key TEXT;
ALTER TABLE users ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE users SET name_key = lower(name);
CREATE UNIQUE INDEX users_employee_id ON users(employee_id);
CREATE INDEX users_manager ON users(manager_id);
CREATE INDEX users_team ON users(team_id);
CREATE INDEX users_position ON users(track_key, level_key);
CREATE INDEX users_name_key ON users(name_key);
CREATE TABLE positions (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    track_key TEXT NOT NULL,
    level_key TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT,
    recorded_at BIGINT NOT NULL,
    recorded_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX positions_user ON positions(user_id, effective_on);
"#,
    },
    Migration {
        version: 3,
        name: "one-time account links (invitations, password resets) and sign-in lockout",
        sql: r#"
CREATE TABLE account_links (
    id {id},
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    revoked_at BIGINT,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX account_links_user ON account_links(user_id, purpose);
CREATE TABLE sign_in_failures (
    email TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failed_at BIGINT NOT NULL,
    locked_until BIGINT
);
"#,
    },
    Migration {
        version: 4,
        name: "SCIM provisioning: external ids, SCIM user names and names, team external ids",
        sql: r#"
ALTER TABLE users ADD COLUMN external_id TEXT;
ALTER TABLE users ADD COLUMN scim_user_name TEXT;
ALTER TABLE users ADD COLUMN scim_name TEXT;
ALTER TABLE users ADD COLUMN display_name TEXT;
ALTER TABLE users ADD COLUMN updated_at BIGINT;
ALTER TABLE users ADD COLUMN scim_deleted_at BIGINT;
CREATE UNIQUE INDEX users_external_id ON users(external_id);
CREATE UNIQUE INDEX users_scim_user_name ON users(scim_user_name);
ALTER TABLE teams ADD COLUMN external_id TEXT;
ALTER TABLE teams ADD COLUMN updated_at BIGINT;
CREATE UNIQUE INDEX teams_external_id ON teams(external_id);
"#,
    },
    Migration {
        version: 5,
        name: "SCIM emails as sent, and an unassigned SCIM active",
        sql: r#"
ALTER TABLE users ADD COLUMN scim_emails TEXT;
ALTER TABLE users ADD COLUMN scim_active_unassigned BIGINT NOT NULL DEFAULT 0;
"#,
    },
    // From here on, each migration is a file of `src/db/migrations/`.
    Migration {
        version: 6,
        name: "check-ins, evidence and readiness",
        sql: include_str!("migrations/0006_checkins.sql"),
    },
    Migration {
        version: 7,
        name: "development plans and 1:1s",
        sql: include_str!("migrations/0007_plans_one_on_ones.sql"),
    },
    Migration {
        version: 8,
        name: "promotion nominations",
        sql: include_str!("migrations/0008_nominations.sql"),
    },
    Migration {
        version: 9,
        name: "the rollout: self-checks, roadmap, pilot",
        sql: include_str!("migrations/0009_rollout.sql"),
    },
    Migration {
        version: 10,
        name: "pulse surveys",
        sql: include_str!("migrations/0010_surveys.sql"),
    },
    Migration {
        version: 11,
        name: "a digest of each readiness result",
        sql: include_str!("migrations/0011_readiness_digest.sql"),
    },
    Migration {
        version: 12,
        name: "the audience of each survey as it was when the survey opened",
        sql: include_str!("migrations/0012_survey_audience.sql"),
    },
    Migration {
        version: 13,
        name: "tokens act only for their creator or the organisation",
        sql: include_str!("migrations/0013_tokens.sql"),
    },
    Migration {
        version: 14,
        name: "failed sign-ins slowed per email and address instead of a lockout per email",
        sql: include_str!("migrations/0014_sign_in_backoff.sql"),
    },
    Migration {
        version: 15,
        name: "the day a 1:1 was held, and talking points carried over",
        sql: include_str!("migrations/0015_one_on_ones.sql"),
    },
    Migration {
        version: 16,
        name: "an optional expiry date for API tokens",
        sql: include_str!("migrations/0016_token_expiry.sql"),
    },
    Migration {
        version: 17,
        name: "check-in rounds and the people each covers",
        sql: include_str!("migrations/0017_checkin_rounds.sql"),
    },
];

/// A migration's SQL for `backend`: `{id}` spelled as the dialect spells a generated id
/// ([`dialect::identity_column`]), and `{now}` as the time the migration runs (Unix seconds), which
/// the engines would spell differently.
fn render(backend: Backend, sql: &str) -> String {
    sql.replace("{id}", dialect::identity_column(backend))
        .replace("{now}", &super::now().to_string())
}

/// Brings the schema up to date; returns the versions applied.
pub async fn migrate(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    migrate_to(db, latest_version()).await
}

/// Applies the migrations missing up to `version` (a restore brings a backup's rows back into the
/// schema they were taken from, then migrates the rest); returns the versions applied.
pub async fn migrate_to(db: &Db, version: i64) -> Result<Vec<i64>, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    dialect::lock_migrations(&mut conn, db.backend()).await?;
    let result = apply_missing(db.backend(), &mut conn, version).await;
    dialect::unlock_migrations(&mut conn, db.backend()).await?;
    result
}

async fn apply_missing(
    backend: Backend,
    conn: &mut sqlx::AnyConnection,
    upto: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .await?;
    let done: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(&mut *conn)
        .await?;
    let mut applied = Vec::new();
    for m in MIGRATIONS
        .iter()
        .filter(|m| m.version <= upto && !done.contains(&m.version))
    {
        let mut tx = conn.begin().await?;
        tx.execute(render(backend, m.sql).as_str()).await?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(super::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        applied.push(m.version);
    }
    Ok(applied)
}

/// The newest version applied to this database; 0 for a database never migrated.
pub async fn current_version(db: &Db) -> Result<i64, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .await?;
    sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        .fetch_one(&mut *conn)
        .await
}

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}
