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
