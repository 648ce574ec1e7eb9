//! Databases written by earlier releases open with this one and keep what they hold; what an
//! upgrade must change, it changes and records.

use axum::http::StatusCode;
use trellis::auth::token::digest;
use trellis::db::Db;

use crate::helpers::TestApp;

/// The schema of the release before tokens recorded who created them and surveys their audience.
const PREVIOUS_RELEASE: i64 = 11;

async fn insert_user(db: &Db, email: &str, role: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO users (email, name, role, created_at) VALUES ($1, $2, $3, 1700000000) \
         RETURNING id",
    )
    .bind(email)
    .bind(email.split('@').next().unwrap_or(email))
    .bind(role)
    .fetch_one(db.pool())
    .await
    .expect("insert a person")
}

/// A token as the earlier release stored it, with the audit event of its creation.
async fn insert_token(db: &Db, secret: &str, user: Option<i64>, creator: Option<i64>) -> i64 {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (name, token_hash, scope, user_id, created_at) \
         VALUES ($1, $2, 'api', $3, 1700000000) RETURNING id",
    )
    .bind(format!("token {secret}"))
    .bind(digest(secret))
    .bind(user)
    .fetch_one(db.pool())
    .await
    .expect("insert a token");
    sqlx::query(
        "INSERT INTO audit_events (at, actor_id, actor, action, object, summary) \
         VALUES (1700000000, $1, 'someone', 'token.create', $2, 'Created a token')",
    )
    .bind(creator)
    .bind(format!("token:{id}"))
    .execute(db.pool())
    .await
    .expect("insert the token's audit event");
    id
}

#[tokio::test]
async fn tokens_that_acted_for_someone_else_are_revoked_on_upgrade_and_the_others_keep_working() {
    let app = TestApp::upgraded_from(PREVIOUS_RELEASE, async |db: &Db| {
        let admin = insert_user(db, "ann@upgrade.test", "admin").await;
        let noor = insert_user(db, "noor@upgrade.test", "employee").await;
        // An admin's token made to act as Noor, one made on the command line to act as Noor, the
        // admin's own and Noor's own token, and an organisation token.
        insert_token(db, "tra_as_noor", Some(noor), Some(admin)).await;
        insert_token(db, "tra_cli_as_noor", Some(noor), None).await;
        insert_token(db, "tra_ann_own", Some(admin), Some(admin)).await;
        insert_token(db, "tra_noor_own", Some(noor), Some(noor)).await;
        insert_token(db, "tra_organisation", None, Some(admin)).await;
    })
    .await;

    for refused in ["tra_as_noor", "tra_cli_as_noor"] {
        app.get("/api/v1/people")
            .bearer(refused)
            .send()
            .await
            .expect(StatusCode::UNAUTHORIZED);
    }
    for kept in ["tra_ann_own", "tra_noor_own", "tra_organisation"] {
        app.get("/api/v1/people")
            .bearer(kept)
            .send()
            .await
            .expect(StatusCode::OK);
    }

    let revoked: Vec<(String, String)> = sqlx::query_as(
        "SELECT object, summary FROM audit_events WHERE action = 'token.revoke' \
         AND actor = 'upgrade' ORDER BY id",
    )
    .fetch_all(app.state.db().pool())
    .await
    .expect("read the audit log");
    assert_eq!(revoked.len(), 2, "one event per revoked token: {revoked:?}");
    assert!(revoked[0].1.contains("token tra_as_noor"), "{revoked:?}");
    assert!(
        revoked[1].1.contains("token tra_cli_as_noor"),
        "{revoked:?}"
    );
}

/// The schema of the release before 1:1s recorded the day they were held and tokens an expiry.
const RELEASE_BEFORE_HELD_ON: i64 = 14;

#[tokio::test]
async fn held_one_on_ones_keep_their_day_and_tokens_keep_working_after_the_upgrade() {
    let mut ids = (0, 0, 0);
    let app = TestApp::upgraded_from(RELEASE_BEFORE_HELD_ON, async |db: &Db| {
        let admin = insert_user(db, "ann@upgrade.test", "admin").await;
        let mia = insert_user(db, "mia@upgrade.test", "employee").await;
        let noor = insert_user(db, "noor@upgrade.test", "employee").await;
        sqlx::query("UPDATE users SET manager_id = $1 WHERE id = $2")
            .bind(mia)
            .bind(noor)
            .execute(db.pool())
            .await
            .expect("Noor reports to Mia");
        let series: i64 = sqlx::query_scalar(
            "INSERT INTO one_on_one_series (manager_id, report_id, cadence_days, created_at) \
             VALUES ($1, $2, 14, 1700000000) RETURNING id",
        )
        .bind(mia)
        .bind(noor)
        .fetch_one(db.pool())
        .await
        .expect("a series");
        let meeting = async |on: &str, status: &str, held_at: Option<i64>| -> i64 {
            sqlx::query_scalar(
                "INSERT INTO one_on_ones (series_id, scheduled_on, status, held_at, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, 1700000000, 1700000000) RETURNING id",
            )
            .bind(series)
            .bind(on)
            .bind(status)
            .bind(held_at)
            .fetch_one(db.pool())
            .await
            .expect("a meeting")
        };
        let held = meeting("2026-01-10", "held", Some(1_768_000_000)).await;
        let upcoming = meeting("2026-01-24", "upcoming", None).await;
        let point: i64 = sqlx::query_scalar(
            "INSERT INTO talking_points (meeting_id, author_id, body, discussed, position, \
             created_at) VALUES ($1, $2, 'How is the new rota going?', 0, 1, 1700000000) \
             RETURNING id",
        )
        .bind(upcoming)
        .bind(noor)
        .fetch_one(db.pool())
        .await
        .expect("a talking point");
        sqlx::query(
            "INSERT INTO api_tokens (name, token_hash, scope, user_id, created_by, created_at) \
             VALUES ('Ann''s token', $1, 'api', $2, $2, 1700000000)",
        )
        .bind(digest("tra_ann_before"))
        .bind(admin)
        .execute(db.pool())
        .await
        .expect("a token");
        ids = (held, upcoming, point);
    })
    .await;
    let (held, upcoming, point) = ids;
    let pool = app.state.db().pool();

    let held_on: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT id, held_on FROM one_on_ones ORDER BY id")
            .fetch_all(pool)
            .await
            .expect("read the meetings");
    assert_eq!(
        held_on,
        [(held, Some("2026-01-10".to_owned())), (upcoming, None)],
        "a meeting held before keeps the day it showed; one still to come has none"
    );
    let kept: (i64, String, Option<i64>) =
        sqlx::query_as("SELECT meeting_id, body, carried_from FROM talking_points WHERE id = $1")
            .bind(point)
            .fetch_one(pool)
            .await
            .expect("the talking point is still there");
    assert_eq!(
        kept,
        (upcoming, "How is the new rota going?".to_owned(), None)
    );

    let tokens = app
        .get("/api/v1/tokens")
        .bearer("tra_ann_before")
        .send()
        .await
        .expect(StatusCode::OK)
        .json();
    let token = &tokens.as_array().expect("a list of tokens")[0];
    assert_eq!(token["name"], "Ann's token");
    assert!(
        token["expires_at"].is_null(),
        "a token made before never expires"
    );
}
